"""Imitations of government namespaces (``gov-namespace``): the target set, the technique, its guards,
and its verdicts through the CLI. Fakes are invented; the namespaces are the real public ones."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from linkguard.cli import main
from linkguard.lookalike import Detector, load_detector
from linkguard.lookalike.government import GOVERNMENT_LABELS, Government, psl_namespaces, typos
from linkguard.lookalike.index import Index
from linkguard.rules import load_rules
from linkguard.rules.schema import entry_issues

_PSL = """// header
// ===BEGIN ICANN DOMAINS===
// xx : an invented country
gov.xx
gouv.yy
go.it
com.xx
gov.zz.xx
gov.abc
// ===END ICANN DOMAINS===
// ===BEGIN PRIVATE DOMAINS===
gov.qq
// ===END PRIVATE DOMAINS===
"""


@pytest.fixture(scope="module")
def detector() -> Detector:
    return load_detector(use_blocklist=False)


def test_the_psl_rule_takes_government_labels_under_country_endings_of_the_icann_section() -> None:
    """Two-label ICANN rules with a government label under a two-letter ending; not Gorizia's go.it,
    not deeper or generic rules, not the private section."""
    assert psl_namespaces(_PSL) == [("gov.xx", "gov", "XX"), ("gouv.yy", "gouv", "YY")]


def test_the_bundled_psl_and_rules_give_the_known_namespaces(detector: Detector) -> None:
    gov = detector.index.government
    domains = {ns.domain for same in gov.namespaces.values() for ns in same}
    assert {"gov.pl", "gouv.fr", "gob.es", "govt.nz", "go.jp", "gv.at", "gov.ua", "gub.uy"} <= domains
    assert "go.it" not in domains
    curated = {ns.domain: ns for same in gov.namespaces.values() for ns in same if ns.rule is not None}
    assert set(curated) == {"bund.de", "admin.ch", "europa.eu"}
    assert curated["bund.de"].outlet.name == "Bundesverwaltung (bund.de)"
    assert set(GOVERNMENT_LABELS) >= {
        ns.label for same in gov.namespaces.values() for ns in same if ns.rule is None
    }


def test_typos_are_doubled_or_look_alike_letters_only() -> None:
    slips = typos("gov")
    assert {"govv", "ggov", "goov", "qov", "g0v"} <= set(slips)
    assert not {"god", "got", "gob", "go", "gv", "gov"} & set(slips)
    assert slips["qov"] == "with q for g"


def test_namespaces_from_a_rules_file_and_their_ministries(tmp_path: Path) -> None:
    """A rule marked ``namespace = "government"`` adds its label; an outlet under a namespace is
    a ministry whose label, joined to the namespace's, names that outlet."""
    rules_file = tmp_path / "gov.toml"
    rules_file.write_text(
        '[[outlet]]\nname = "Staatsportal Ruritania"\ndomains = ["staat.de"]\ncountry = "DE"\n'
        'kind = "government"\nnamespace = "government"\nsource = "invented"\n\n'
        '[[outlet]]\nname = "Ruritanian Ministry of Maps"\ndomains = ["kartenamt.gov.pl"]\ncountry = "PL"\n'
        'kind = "government"\n',
        encoding="utf-8",
    )
    rules = load_rules([rules_file])
    gov = Government(rules)
    assert [ns.domain for ns in gov.namespaces["staat"]] == ["staat.de"]
    assert [f.how for f in gov.forms["kartenamt-qov"]] == ["agency"]
    detector = Detector(rules, use_blocklist=False)
    verdict = detector.classify_domain("kartenamt-qov.top")
    assert verdict.flagged and verdict.impersonates is not None
    assert verdict.impersonates.domain == "kartenamt.gov.pl"
    assert "joins the ministry label 'kartenamt'" in verdict.evidence[0].detail
    staat = detector.classify_domain("staat.bo")  # a German word on a Spanish-speaking country's ending
    assert staat.flagged and staat.impersonates is not None and staat.impersonates.domain == "staat.de"


def test_namespace_key_is_checked_by_lint() -> None:
    good = {"name": "X", "domains": ["x.de"], "namespace": "government"}
    bad = {"name": "X", "domains": ["x.de"], "namespace": "ministry"}
    assert not [i for i in entry_issues("outlet", good) if i.key == "namespace"]
    assert [i for i in entry_issues("outlet", bad) if i.key == "namespace"]


@pytest.mark.parametrize(
    ("domain", "imitated", "says"),
    [
        ("gouv.top", "gouv.fr", "'gouv' is the label of France's government namespace gouv.fr"),
        ("ministere.gouv.cam", "gouv.fr", "the subdomain 'ministere' copies a ministry's label"),
        ("gob.icu", "gob.es", "Spain's government namespace gob.es"),
        ("govv.pm", "gov.pl", ".pm is one letter from .pl"),
        ("qouv.site", "gouv.fr", "'qouv' is 'gouv' with q for g"),
        ("gov-pl.online", "gov.pl", "with the country code of Poland's government namespace gov.pl"),
        ("bund.bo", "bund.de", "Germany's government namespace bund.de"),
        ("sejm-g0v.top", "sejm.gov.pl", "joins the ministry label 'sejm'"),
        ("interieur.gouv.fm", "interieur.gouv.fr", "interieur.gouv.fr would be the real host"),
        ("sejm.gov.top", "sejm.gov.pl", "the subdomain 'sejm' copies a ministry's label"),
    ],
)
def test_imitations_name_the_namespace_and_say_how(
    detector: Detector, domain: str, imitated: str, says: str
) -> None:
    verdict = detector.classify_domain(domain)
    assert verdict.flagged, (domain, verdict)
    assert verdict.impersonates is not None and imitated in verdict.impersonates.domains
    assert verdict.techniques == ("gov-namespace",)
    assert says in verdict.evidence[0].detail


@pytest.mark.parametrize(
    "domain",
    [
        "gov.wales",  # a label used across languages: real governments register it (gov.hu, gov.sk)
        "gouv.qc.ca",  # French on a French-speaking country's ending
        "interieur.gouv.qc.ca",  # ... even under a ministry's label: Quebec's own ministries
        "tax.gov.wales",  # a label used across languages, under a ministry the rules do not list
        "bund.net",  # a namespace from the rules on a generic ending: an association's site
        "qub.ac.uk",  # a slip of Uruguay's gub: no protected country uses that label
        "go.example-shop.com",  # "go" alone is an ordinary word
        "gc.top",  # two letters alone prove nothing
        "god.com",
        "diplomatie.gouv.fr",  # the real namespace
        "bmi.bund.de",
        "x.gov.pl",
    ],
)
def test_real_namespaces_and_ordinary_words_are_not_flagged(detector: Detector, domain: str) -> None:
    verdict = detector.classify_domain(domain)
    assert not verdict.flagged, (domain, verdict)
    assert "gov-namespace" not in verdict.techniques


def test_check_cli_shows_the_namespace_and_the_copied_ministry(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        ["check", "hxxps://finances.gouv.cam/login", "--offline", "--no-blocklist", "--format", "json"]
    )
    row = json.loads(capsys.readouterr().out)
    assert code == 1
    assert row["verdict"] == "suspicious" and row["techniques"] == ["gov-namespace"]
    assert row["impersonates"]["domain"] == "gouv.fr"
    assert row["impersonates"]["name"] == "Government namespace of France"
    evidence = row["evidence"][0]
    assert evidence["kind"] == "gov-namespace"
    assert evidence["data"] == {
        "namespace": "gouv.fr",
        "label": "gouv",
        "form": "exact",
        "ministry": "finances",
    }
    assert "finances.gouv.fr would be the real host" in evidence["detail"]


def test_scan_cli_flags_the_imitations_and_trusts_the_real_hosts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    posts = tmp_path / "posts.txt"
    posts.write_text(
        "Official: hxxps://govv.pm/decree and https://www.gov.pl/web/premier\n"
        "Statement at https://sejm-qov.info/x, source https://www.sejm.gov.pl/\n",
        encoding="utf-8",
    )
    code = main(["scan", str(posts), "--all", "--no-blocklist", "--jobs", "1", "--format", "jsonl"])
    rows = {r["host"]: r for r in (json.loads(x) for x in capsys.readouterr().out.splitlines() if x.strip())}
    assert code == 1
    assert rows["govv.pm"]["impersonates"]["domain"] == "gov.pl"
    assert rows["sejm-qov.info"]["impersonates"]["domain"] == "sejm.gov.pl"
    assert rows["sejm-qov.info"]["techniques"] == ["gov-namespace"]
    assert rows["www.sejm.gov.pl"]["verdict"] == "trusted"
    assert not rows["www.gov.pl"]["flagged"]


def test_the_table_travels_in_the_index_payload(detector: Detector) -> None:
    """The disk cache and worker pickles carry the table, so a restored index need not read the
    suffix list again, and judges the same."""
    index = detector.index
    restored = Index.from_payload(index.to_payload())
    built, again = index.government, restored.government
    assert (again.forms, again.agencies, again.namespaces) == (built.forms, built.agencies, built.namespaces)
    assert (again.rules_under, again.country_outlets) == (built.rules_under, built.country_outlets)
    other = Detector(restored.rules, use_blocklist=False, index=restored)
    for domain in ("gouv.top", "mfa-qov.info", "bund.bo", "interieur.gouv.fm", "gov.wales"):
        assert other.classify_domain(domain) == detector.classify_domain(domain), domain
