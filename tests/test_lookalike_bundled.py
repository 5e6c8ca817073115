"""The detector against the full bundled rule data: no outlet or legit domain is ever flagged, and
real Doppelgänger domains are caught on resemblance alone (blocklist off)."""

from __future__ import annotations

import pytest

from linkguard.lookalike import Detector
from linkguard.normalize import is_public_suffix
from linkguard.rules import RuleSet, load_rules

#: (lookalike domain, imitated outlet domain, technique) — domains named in public Doppelgänger reports.
DOPPELGANGER = [
    ("welt.ltd", "welt.de", "tld-swap"),
    ("spiegel.ltd", "spiegel.de", "tld-swap"),
    ("tagesspiegel.ltd", "tagesspiegel.de", "tld-swap"),
    ("faz.ltd", "faz.net", "tld-swap"),
    ("bild.pics", "bild.de", "tld-swap"),
    ("washingtonpost.pm", "washingtonpost.com", "tld-swap"),
    ("fox-news.top", "foxnews.com", "typo"),
    ("leparisien.ltd", "leparisien.fr", "tld-swap"),
    ("20minutes.ltd", "20minutes.fr", "tld-swap"),
    ("lemonde.ltd", "lemonde.fr", "tld-swap"),
    ("theguardian.ltd", "theguardian.com", "tld-swap"),
]


@pytest.fixture(scope="module")
def bundled() -> RuleSet:
    rules = load_rules()
    if len(rules.outlets) < 50:
        pytest.skip(f"bundled rules hold only {len(rules.outlets)} outlet(s): still the placeholder data")
    return rules


@pytest.fixture(scope="module")
def detector(bundled: RuleSet) -> Detector:
    return Detector(bundled)


def test_no_outlet_or_legit_domain_is_flagged(bundled: RuleSet, detector: Detector) -> None:
    domains = [d for o in bundled.outlets for d in o.domains] + [r.domain for r in bundled.legit]
    flagged = {d: v.status for d in domains if (v := detector.classify_domain(d)).flagged}
    assert not flagged, flagged
    # Every one is trusted, except a legit entry that is itself a public suffix (blogspot.com):
    # no link can have it as its registered domain, so it is simply never seen.
    untrusted = [d for d in domains if detector.classify_domain(d).status != "trusted"]
    assert all(is_public_suffix(d) for d in untrusted), untrusted


def test_shorteners_are_never_flagged(bundled: RuleSet, detector: Detector) -> None:
    flagged = [r.domain for r in bundled.shorteners if detector.classify_domain(r.domain + "/x").flagged]
    assert not flagged


@pytest.mark.parametrize(("domain", "outlet", "technique"), DOPPELGANGER)
def test_doppelganger_domains_flagged_without_blocklist(
    bundled: RuleSet, domain: str, outlet: str, technique: str
) -> None:
    owner = bundled.outlet_for(outlet)
    if owner is None:
        pytest.skip(f"{outlet} is not in the bundled outlets")
    verdict = Detector(bundled, use_blocklist=False).classify_domain(domain)
    assert verdict.status == "suspicious", verdict
    assert verdict.impersonates is owner
    assert technique in verdict.techniques


def test_blocked_entries_are_malicious(bundled: RuleSet, detector: Detector) -> None:
    statuses = {r.domain: detector.classify_domain(r.domain).status for r in bundled.blocked}
    assert all(s in ("malicious", "trusted") for s in statuses.values()), statuses


@pytest.mark.parametrize(
    ("url", "display"),
    [
        ("https://playwright.dev/docs/api/class-page", "state"),  # a word in documentation, not State
        ("https://developer.mozilla.org/en-US/docs/Web/API/HTMLElement/focus", "focus"),
        ("http://cli.name/", None),  # "cl" for "d" on a two-letter name matches ordinary words
    ],
)
def test_code_and_docs_words_are_not_flagged(bundled: RuleSet, url: str, display: str | None) -> None:
    from linkguard.normalize import parse_link

    link = parse_link(url, display=display)
    assert link is not None
    assert not Detector(bundled).classify(link).flagged


def test_masthead_label_over_a_foreign_link_is_a_display_mismatch(bundled: RuleSet) -> None:
    from linkguard.normalize import parse_link

    link = parse_link("https://news-portal.net/a", display="FOCUS")
    assert link is not None
    verdict = Detector(bundled).classify(link)
    assert "display-mismatch" in verdict.techniques
    assert verdict.impersonates is not None and verdict.impersonates.domain == "focus.de"


def test_clone_on_a_foreign_country_ending_is_at_least_a_reported_resemblance(detector: Detector) -> None:
    """sueddeutsche.me is real (Doppelgänger) but scores below the threshold by name alone: on the dev
    data, an outlet's name on another country's ending is as often a namesake abroad (lanacion.cl).
    It must still name the outlet as a weak resemblance for a reviewer; the blocklist flags it."""
    verdict = Detector(detector.rules, use_blocklist=False).classify_domain("sueddeutsche.me")
    assert verdict.impersonates is not None and verdict.impersonates.domain == "sueddeutsche.de"
    assert verdict.score >= 30 and "tld-swap" in verdict.techniques
