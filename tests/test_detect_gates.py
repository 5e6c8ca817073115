"""The gates (``linkguard.lookalike.gates``) and the bare-host fast path change nothing.

A gate may only skip a technique that would have found nothing: each closed gate is checked
against its technique on the same subject, and whole signal lists (at floor 0, so weak signals
count too) and verdicts against a detector that runs every technique. The bare-host path of
``normalize`` is checked against the URL reading it skips. Names are invented or mutated from
the outlets' own.
"""

from __future__ import annotations

import json
import string
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from linkguard.cli import main
from linkguard.lookalike import Detector, gates, load_detector
from linkguard.lookalike import techniques as tq
from linkguard.lookalike.wordlists import ARTICLES, COMBO_WORDS
from linkguard.models import Link
from linkguard.normalize import _is_plain_host, _netloc, _plain_host, _split_host, parse_link


class _Ungated(Detector):
    """Every technique on every subject, as before the gates."""

    _gated = False


@pytest.fixture(scope="module")
def detectors() -> tuple[Detector, Detector]:
    fast = load_detector(use_blocklist=False)
    return fast, _Ungated(fast.rules, use_blocklist=False, index=fast.index)


@pytest.fixture(scope="module")
def names(detectors: tuple[Detector, Detector]) -> list[str]:
    index = detectors[0].index
    gov = index.government  # namespace labels, their slips, ministries joined to them (gov-namespace)
    return sorted({*index.curated_brands, *index.transliterations, *list(index.brands)[:300], *gov.forms})


_WORDS = sorted(COMBO_WORDS | ARTICLES)
_ENDINGS = ["com", "de", "co.uk", "top", "news", "ru", "xn--p1ai", "blogspot.com", "com.de", "ua", "fm",
            "pe", "qc.ca"]  # fmt: skip
_LOOKALIKE = {"e": "е", "o": "о0", "a": "а", "l": "1I", "i": "1", "m": "rn", "w": "vv", "d": "cl"}


def _label(data: st.DataObject, names: list[str]) -> str:
    """An outlet name changed as lookalikes change it, or an invented label."""
    invented = st.text(alphabet=string.ascii_lowercase + string.digits + "-", min_size=1, max_size=14)
    if data.draw(st.booleans()):
        return data.draw(invented.filter(lambda s: s.strip("-")))
    name = data.draw(st.sampled_from(names))
    word = data.draw(st.sampled_from(_WORDS))
    how = data.draw(
        st.sampled_from(["glue", "before", "hyphen", "digits", "typo", "lookalike", "same", "two"])
    )
    if how == "glue":
        return name + word
    if how == "before":
        return word + name
    if how == "hyphen":
        return f"{name}-{word}"
    if how == "digits":
        return f"{name}{data.draw(st.integers(0, 99))}"
    if how in ("typo", "typo-combo") and len(name) > 1:
        at = data.draw(st.integers(0, len(name) - 1))
        typo = name[:at] + data.draw(st.sampled_from(string.ascii_lowercase + "-")) + name[at + 1 :]
        return typo if how == "typo" else f"{typo}{data.draw(st.sampled_from(['-', '2', '-24-']))}{word}"
    if how == "lookalike":
        at = data.draw(st.integers(0, len(name) - 1))
        swap = _LOOKALIKE.get(name[at])
        return name[:at] + data.draw(st.sampled_from(swap)) + name[at + 1 :] if swap else name
    if how == "two":
        return f"{data.draw(st.sampled_from(names))}{data.draw(st.sampled_from(['', '-']))}{name}"
    return name


def _link(data: st.DataObject, names: list[str]) -> Link | None:
    label = _label(data, names)
    host = f"{label}.{data.draw(st.sampled_from(_ENDINGS))}"
    sub = data.draw(
        st.sampled_from(["", "www.", "news.", "m."]) | st.sampled_from(names).map(lambda n: n + ".")
    )
    form = data.draw(st.sampled_from(["{}", "https://{}/x", "https://welt.de@{}", "{}.", "HTTPS://{}"]))
    display = data.draw(st.none() | st.sampled_from(["welt.de", "WELT", "Der Spiegel", "example.org"]))
    return parse_link(form.format(sub + host), display=display)


_SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@_SETTINGS
@given(st.data())
def test_a_closed_gate_hides_no_signal(
    detectors: tuple[Detector, Detector], names: list[str], data: st.DataObject
) -> None:
    """Each technique ``closed`` shuts finds nothing on that subject, and ``plan`` leaves nothing
    open only when every technique finds nothing."""
    fast, _ = detectors
    index = fast.index
    link = _link(data, names)
    if link is None or not link.registered_domain:
        return
    subj = fast._subject(link)
    for technique in gates.closed(index, subj):
        assert technique(index, subj) == [], technique.__name__
    if gates.plan(index, link) == ():
        assert set(gates.closed(index, subj)) == set(tq.TECHNIQUES)
        assert all(technique(index, subj) == [] for technique in tq.TECHNIQUES)


@_SETTINGS
@given(st.data())
def test_gated_signals_and_verdicts_are_the_full_ones(
    detectors: tuple[Detector, Detector], names: list[str], data: st.DataObject
) -> None:
    fast, full = detectors
    link = _link(data, names)
    if link is None:
        return
    assert fast._signals(link, floor=0) == full._signals(link, floor=0)
    assert fast._signals(link, obfuscated=True) == full._signals(link, obfuscated=True)
    assert fast._classify(link) == full._classify(link)


@_SETTINGS
@given(st.data())
def test_a_plan_opens_exactly_the_open_gates(
    detectors: tuple[Detector, Detector], names: list[str], data: st.DataObject
) -> None:
    """``plan`` skips ``closed`` for plain labels: where it answers, it must name exactly the
    techniques ``runnable`` leaves, in the same order, and the verdict be the full one."""
    fast, full = detectors
    index = fast.index
    link = _link(data, names)
    if link is None:
        return
    planned = gates.plan(index, link)
    if planned is not None:
        assert link.registered_domain
        assert list(planned) == list(gates.runnable(tq.TECHNIQUES, index, fast._subject(link)))
    assert fast._classify(link) == full._classify(link)


@pytest.mark.parametrize(
    ("domain", "opened"),
    [("spigel.com", ["typo"]), ("wetl.de", ["typo"]), ("weltnachrichten.de", ["combo"]),
     ("quietgardenshop.com", []), ("zdfheute.org", None), ("welt-news.com", ["combo"]),
     ("quiet-garden-shop.com", []), ("zebra42.org", []), ("welt24.de", ["combo"]),
     ("welt-de-news.com", ["combo", "embedded"]), ("news-spiegelde.info", ["combo", "embedded"]),
     ("we1t.de", None), ("www.welt-news.com", None)],
)  # fmt: skip
def test_plain_labels_are_planned(
    detectors: tuple[Detector, Detector], domain: str, opened: list[str] | None
) -> None:
    """A plain label with a typo, combo or glue lead, or an outlet's domain between its hyphens,
    is planned (no ``closed``) as the gates open it; an outlet's name, a label that is not its
    own skeleton or a subdomain goes to the gates."""
    fast = detectors[0]
    link = parse_link(domain)
    assert link is not None
    planned = gates.plan(fast.index, link)
    assert (None if planned is None else [t.__name__ for t in planned]) == opened
    if planned is not None:
        assert list(planned) == list(gates.runnable(tq.TECHNIQUES, fast.index, fast._subject(link)))


@pytest.fixture(scope="module")
def popular_names(detectors: tuple[Detector, Detector]) -> list[str]:
    """Every 40th name of the popular list in force (the popular tier's targets), in name order."""
    return sorted(detectors[0].index.profile.label_counts)[::40]


@_SETTINGS
@given(st.data())
def test_a_popular_name_opens_only_the_exact_name(
    detectors: tuple[Detector, Detector], popular_names: list[str], data: st.DataObject
) -> None:
    """A popular name that ``plan`` opens only ``tld_swap`` for skips ``closed``: it must be exactly
    the case where every gate but ``tld_swap``'s is closed, and the signals and verdicts those of
    every technique."""
    fast, full = detectors
    index = fast.index
    label = data.draw(st.sampled_from(popular_names))
    link = parse_link(f"{label}.{data.draw(st.sampled_from(_ENDINGS))}")
    if link is None or not link.registered_domain:
        return
    subj = fast._subject(link)
    if gates.plan(index, link) == (tq.tld_swap,):
        assert set(gates.closed(index, subj)) == set(tq.TECHNIQUES) - {tq.tld_swap}
    assert fast._signals(link, floor=0) == full._signals(link, floor=0)
    assert fast._classify(link) == full._classify(link)


@pytest.mark.parametrize(
    "domain",
    ["welt.de", "welt.ltd", "spiegel-nachrichten.info", "gouv.fm", "govv.pm", "sejm-qov.info",
     "diplomatie.gouv.cam", "bund.bo", "gov.wales", "weltnachrichten.com", "foxnewslive.com",
     "spigel.de", "wеlt.de", "we1t.de", "welt.de.example-news.com", "welt.blogspot.com",
     "quiet-garden-shop.com", "orchardlane.net", "zebra42.org", "a.b.c.d.e.example.com"],
)  # fmt: skip
def test_known_lookalikes_and_plain_names_give_the_full_verdict(
    detectors: tuple[Detector, Detector], domain: str
) -> None:
    fast, full = detectors
    assert fast.classify_domain(domain) == full.classify_domain(domain)


def test_every_technique_has_a_gate() -> None:
    """``plan`` answers only while every technique has a test in ``closed``: a new
    technique needs one (else the fast path stays off, which this makes visible)."""
    assert gates.ALL_GATED


def test_plain_names_take_the_shortcut(detectors: tuple[Detector, Detector]) -> None:
    """The shortcut is taken for plain names and refused where a technique has a lead."""
    index = detectors[0].index
    for plain in ("quietgardenshop.com", "orchardlane.net"):
        link = parse_link(plain)
        assert link is not None and gates.plan(index, link) == (), plain
    for lead in ("welt.ltd", "weltnews.com", "spigel.de", "we1t.de", "welt-de-news.com", "www.x.com"):
        link = parse_link(lead)
        assert link is not None and gates.plan(index, link) != (), lead
    for name in sorted(index.profile.label_counts)[::500]:  # popular names: only the exact name is open
        link = parse_link(f"{name}.cfd")
        assert link is not None and gates.plan(index, link) != (), name


_HOSTS = st.text(alphabet=string.ascii_lowercase + string.digits + "-_.", min_size=1, max_size=40)


@given(
    _HOSTS | st.sampled_from(["xn--wlt-jma.de", "welt.de", "1.2.3.4", "0x7f.1", "a..b", "a.b.", "welt.123"])
)
@example("x" * 250 + ".de")
def test_a_bare_host_reads_as_its_url_does(text: str) -> None:
    """The bare-host path gives what ``_netloc`` gives the same host as an http URL's authority."""
    if not _is_plain_host(text):
        return
    assert _plain_host(text) == _split_host(text)
    slow = _netloc("http", text)
    assert (slow[0], slow[1], slow[2]) == (_plain_host(text), text, ()) if slow else _plain_host(text) is None
    link, url = parse_link(text), parse_link(f"http://{text}")
    assert (link is None) == (url is None)
    if link is not None and url is not None:
        assert (link.url, link.host, link.registered_domain, link.obfuscation) == (
            url.url,
            url.host,
            url.registered_domain,
            url.obfuscation,
        )


def test_scan_of_a_domain_list_gives_the_full_verdicts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], detectors: tuple[Detector, Detector]
) -> None:
    """End to end: ``linkguard scan --all`` of invented and lookalike names reports, per domain,
    the verdict of the detector that runs every technique."""
    domains = ["quietgardenshop.com", "orchard-lane.net", "zebra42.org", "welt.ltd", "weltnews.com",
               "spiegel-nachrichten.info", "spigel.de", "we1t.de", "www.welt.example.com"]  # fmt: skip
    listed = tmp_path / "domains.txt"
    listed.write_text("\n".join(domains) + "\n", encoding="utf-8")
    code = main(["scan", str(listed), "--all", "--no-blocklist", "--jobs", "1", "--format", "jsonl"])
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.strip()]
    assert code == 1  # welt.ltd is flagged
    assert len(rows) == len(domains)
    full = detectors[1]
    for domain, row in zip(domains, rows, strict=True):
        verdict = full.classify_domain(domain)
        assert (row["verdict"], row["score"], row["techniques"]) == (
            verdict.status,
            verdict.score,
            list(verdict.techniques),
        ), domain
