"""``linkguard permute``: every name it lists is one ``check --offline --no-blocklist`` flags as
imitating that outlet, and every generated name it leaves out is one check does not."""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

import idna
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from linkguard.cli import main
from linkguard.errors import InputError
from linkguard.forensics.netpolicy import ascii_host
from linkguard.lookalike import Detector
from linkguard.lookalike.cache import load_cached_rules
from linkguard.models import FINDING_KEYS, Finding, ScanStats
from linkguard.permute import TECHNIQUE_ORDER, find_outlet, generate, imitates, permutations
from linkguard.scan import Scanner

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import bench_permute as _bench

#: The ten outlets ``benchmarks/bench_permute.py`` compares with dnstwist (the issue's "permute on
#: ten outlets"): short and long names, .de/.net/.com/.fr and a second-level ending (co.uk).
OUTLETS: tuple[str, ...] = _bench.OUTLETS


@pytest.fixture(scope="module")
def detector() -> Detector:
    """The detector ``check --offline --no-blocklist`` uses: bundled rules plus the (empty) user dir."""
    return Detector(load_cached_rules(user_dir=None), use_blocklist=False)


@pytest.fixture(scope="module")
def listed(detector: Detector) -> dict[str, list[Finding]]:
    return {domain: permutations(domain, detector=detector) for domain in OUTLETS}


def test_exactly_the_flagged_candidates_are_listed(
    detector: Detector, listed: dict[str, list[Finding]]
) -> None:
    """Exhaustive over every generated name of ten outlets, judged by a fresh detector and
    ``Scanner.check`` (not the ``examine`` path permute itself uses)."""
    fresh = Scanner(detector=Detector(detector.rules, use_blocklist=False))
    for domain in OUTLETS:
        outlet = find_outlet(detector, domain)
        names = {f.link.text for f in listed[domain]}
        assert names, domain
        for candidate in generate(domain):
            finding = fresh.check(candidate.name)  # None: no link found in it at all
            same = finding is not None and finding.link.host == ascii_host(candidate.name)
            flagged = same and finding is not None and imitates(finding.verdict, outlet)
            assert flagged == (candidate.name in names), (domain, candidate, finding)


@settings(max_examples=20)
@given(domain=st.sampled_from(OUTLETS), data=st.data())
def test_any_listed_name_is_flagged_as_its_outlet(
    listed: dict[str, list[Finding]], domain: str, data: st.DataObject
) -> None:
    """A name drawn from the list, checked from scratch as ``check`` does, is flagged as
    imitating the outlet with the same score."""
    pick = data.draw(st.sampled_from(listed[domain]))
    examined = Scanner(load_cached_rules(user_dir=None), use_blocklist=False).examine(pick.link.text)
    assert examined is not None and examined.investigation is None  # offline: nothing investigated
    verdict = examined.finding.verdict
    assert verdict.flagged and verdict.impersonates is not None
    assert domain in verdict.impersonates.domains
    assert verdict.score == pick.verdict.score


def test_every_technique_contributes(listed: dict[str, list[Finding]]) -> None:
    for domain in ("welt.de", "spiegel.de"):
        made = Counter(f.verdict.evidence[0].data["technique"] for f in listed[domain])  # type: ignore[index]
        assert set(made) == set(TECHNIQUE_ORDER), (domain, made)
    names = {f.link.host_unicode: f for f in listed["spiegel.de"]}
    for name in (
        "spiegel.ltd",
        "spigel.de",
        "spiegl.de",
        "spiege1.de",
        "spiegel-nachrichten.de",
        "spiegel-de.com",
    ):
        assert name in names, name
    idn = [f for f in listed["welt.de"] if f.link.host.startswith("xn--")]
    assert idn, "no IDN homoglyph for welt.de"
    assert all(f.link.host == idna.encode(f.link.host_unicode).decode() for f in idn)
    cyrillic = names.get("ѕріеgеl.de") or next(
        (f for f in listed["spiegel.de"] if f.verdict.evidence[0].data["kind"] == "idn-cyrillic"),  # type: ignore[index]
        None,
    )
    assert cyrillic is not None


def test_findings_follow_the_jsonl_contract(listed: dict[str, list[Finding]]) -> None:
    found = listed["welt.de"]
    assert [f.line for f in found] == list(range(1, len(found) + 1))
    for finding in found:
        row = finding.to_dict()
        assert tuple(row) == FINDING_KEYS
        assert row["source"] == "permute:welt.de" and row["flagged"]
        first = row["evidence"][0]
        assert first["kind"] == "permutation" and first["data"]["outlet"] == "welt.de"
    assert "welt.de" not in {f.link.registered_domain for f in found}
    assert len({f.link.host for f in found}) == len(found)


def test_generation_is_unique_and_registrable() -> None:
    names = [c.name for c in generate("spiegel.de")]
    assert len(names) == len(set(names))
    assert "spiegel.de" not in names
    for name in names:
        label = name.split(".", 1)[0]
        assert idna.encode(label, uts46=False)  # a valid IDNA 2008 label (raises otherwise)
    only = {c.technique for c in generate("spiegel.de", ["typo", "homoglyph"])}
    assert only == {"typo", "homoglyph"}
    with pytest.raises(ValueError, match="unknown technique"):
        list(generate("spiegel.de", ["bogus"]))


def test_unknown_outlet_is_an_input_error(detector: Detector) -> None:
    with pytest.raises(InputError, match="not a domain of any outlet"):
        permutations("example.com", detector=detector)
    stats = ScanStats()
    out = permutations("welt.de", detector=detector, techniques=["tld-swap"], stats=stats)
    assert stats.records == sum(1 for _ in generate("welt.de", ["tld-swap"]))
    assert stats.flagged == stats.links == len(out) > 0


def test_cli_names_are_flagged_by_check(capsys: pytest.CaptureFixture[str]) -> None:
    """End to end: ``permute`` as JSON Lines, then ``check --offline --no-blocklist`` on one name of
    every technique and kind it produced."""
    assert main(["permute", "welt.de", "--format", "jsonl"]) == 0
    captured = capsys.readouterr()
    rows = [json.loads(line) for line in captured.out.splitlines()]
    assert rows and "flagged as imitating it" in captured.err
    by_kind: dict[tuple[str, str], str] = {}
    for row in rows:
        data = row["evidence"][0]["data"]
        by_kind.setdefault((data["technique"], data["kind"]), row["text"])
    assert {t for t, _ in by_kind} == set(TECHNIQUE_ORDER)
    for name in by_kind.values():
        assert main(["check", name, "--offline", "--no-blocklist", "--format", "json"]) == 1, name
        checked = json.loads(capsys.readouterr().out)
        assert checked["flagged"] and "welt.de" in checked["impersonates"]["domains"], name


def test_cli_formats_and_errors(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["permute", "spiegel.de", "--technique", "homoglyph", "--format", "csv", "-q"]) == 0
    out = capsys.readouterr()
    assert out.err == "" and "xn--" in out.out
    assert main(["permute", "example.com"]) == 2
    assert "not a domain of any outlet" in capsys.readouterr().err
    assert main(["permute", "welt.de", "--existing"]) == 2
    assert main(["permute", "welt.de", "--online", "--concurrency", "0"]) == 2
