"""Table-driven lookalike tests against a small, stable rule set (tests/data/rules_small)."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from linkguard.lookalike import SUSPICIOUS_THRESHOLD, Detector
from linkguard.lookalike.confusables import skeleton, skeletons
from linkguard.lookalike.permutations import kinds_for_length, permutations
from linkguard.models import Link
from linkguard.normalize import parse_link
from linkguard.rules import RuleSet, load_rules

DATA = Path(__file__).parent / "data"
CASES: list[dict[str, Any]] = tomllib.loads((DATA / "lookalike_cases.toml").read_text(encoding="utf-8"))[
    "case"
]


@pytest.fixture(scope="module")
def rules() -> RuleSet:
    return load_rules([DATA / "rules_small"])


@pytest.fixture(scope="module")
def detectors(rules: RuleSet) -> dict[bool, Detector]:
    return {True: Detector(rules), False: Detector(rules, use_blocklist=False)}


def _link(case: dict[str, Any]) -> Link:
    tricks = tuple(case.get("obfuscation", ()))
    link = parse_link(case["input"], obfuscation=tricks, display=case.get("display"))
    assert link is not None, case["input"]
    return link


def _case_id(case: dict[str, Any]) -> str:
    extra = f"|shown:{case['display']}" if "display" in case else ""
    return f"{case['input']}{extra}->{case['status']}"


def test_case_table_is_big_enough() -> None:
    assert len(CASES) >= 80
    assert sum(c["status"] in ("unknown", "trusted", "shortened") for c in CASES) >= 30


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_case(case: dict[str, Any], detectors: dict[bool, Detector]) -> None:
    verdict = detectors[bool(case.get("blocklist", False))].classify(_link(case))
    assert verdict.status == case["status"], verdict
    if "outlet" in case:
        assert verdict.impersonates is not None and verdict.impersonates.domain == case["outlet"], verdict
        assert case["technique"] in verdict.techniques, verdict
        kinds = {e.kind for e in verdict.evidence}
        assert set(verdict.techniques) <= kinds  # one evidence line per technique
    if verdict.status in ("suspicious",):
        assert verdict.score >= SUSPICIOUS_THRESHOLD
    if verdict.status in ("trusted", "shortened"):
        assert verdict.impersonates is None and verdict.score == 0


def test_evidence_sentences_are_quotable(detectors: dict[bool, Detector]) -> None:
    link = parse_link("welt.ltd", obfuscation=("math-alphanumeric",))
    assert link is not None
    verdict = detectors[False].classify(link)
    details = {e.kind: e.detail for e in verdict.evidence}
    assert details["tld-swap"] == "imitates WELT (welt.de): same name on .ltd instead of .de"
    assert "Unicode bold" in details["obfuscation"]


def test_blocklisted_reports_source_and_signals(detectors: dict[bool, Detector]) -> None:
    verdict = detectors[True].classify_domain("welt.ltd")
    assert verdict.status == "malicious" and verdict.score == 100
    assert verdict.evidence[0].kind == "blocklist"
    assert verdict.evidence[0].detail.startswith("listed as known bad by Test source")
    assert "tld-swap" in verdict.techniques


def test_shortener_card_claim_is_evidence_not_a_flag(detectors: dict[bool, Detector]) -> None:
    link = parse_link("t.co/abc", display="welt.de")
    assert link is not None
    verdict = detectors[True].classify(link)
    assert verdict.status == "shortened"
    assert any(e.kind == "display" and "welt.de" in e.detail for e in verdict.evidence)


def test_obfuscation_alone_does_not_flag(detectors: dict[bool, Detector]) -> None:
    link = parse_link("quiet-example-site.org", obfuscation=("defanged",))
    assert link is not None
    verdict = detectors[True].classify(link)
    assert verdict.status == "unknown" and verdict.score == 0
    assert [e.kind for e in verdict.evidence] == ["obfuscation"]


def test_outlets_never_flag_each_other(rules: RuleSet, detectors: dict[bool, Detector]) -> None:
    for outlet in rules.outlets:
        for domain in outlet.domains:
            assert detectors[True].classify_domain(domain).status == "trusted", domain


def test_memoised_verdict_is_reused(detectors: dict[bool, Detector]) -> None:
    first = detectors[False].classify_domain("spiegel.agency")
    assert detectors[False].classify_domain("spiegel.agency") is first


def test_not_a_domain_is_unknown(detectors: dict[bool, Detector]) -> None:
    assert detectors[True].classify_domain("not a domain").status == "unknown"


def test_skeleton_folds_lookalikes() -> None:
    assert skeleton("wеlt") == skeleton("welt") == "welt"  # Cyrillic е
    assert skeleton("vvashingtonpost") == "washingtonpost"
    assert skeleton("ｗｅｌｔ") == "welt"  # fullwidth via NFKC
    assert skeleton("weit") != skeleton("welt")  # lowercase i/l are not folded


def test_a_one_between_letters_is_also_read_as_i() -> None:
    assert "mirror" in skeletons("m1rror") and "spiegel" in skeletons("sp1egel")
    assert "itv" not in skeletons("1tv") and "tfi" not in skeletons("tf1")  # part of the name


def test_permutations_respect_length() -> None:
    assert kinds_for_length(3) == ("repetition", "dehyphenation")
    assert {p for p, _ in permutations("zdf")} == {"zzdf", "zddf", "zdff"}  # consonants only
    assert "nooz" not in {p for p, _ in permutations("noz")}  # a doubled vowel reads as a word
    bild = {p for p, _ in permutations("bild")}
    assert "bold" not in bild and "bidl" in bild  # no keyboard replacement for 4-letter names
    fox = dict(permutations("foxnews"))
    assert fox["fox-news"] == "hyphenation" and fox["foxnwes"] == "transposition"


_LABEL = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-еаоі𝐰ü.@:/[]", min_size=1, max_size=30)


@settings(max_examples=300, deadline=None)
@given(
    label=_LABEL,
    suffix=st.sampled_from(["de", "com", "ltd", "co.uk", "com.de", "blogspot.com", "xn--p1ai", ""]),
    display=st.none() | _LABEL,
)
def test_classify_never_crashes(
    label: str, suffix: str, display: str | None, detectors: dict[bool, Detector]
) -> None:
    text = f"{label}.{suffix}" if suffix else label
    link = parse_link(text, display=display, obfuscation=("zero-width",))
    if link is not None:
        verdict = detectors[True].classify(link)
        assert 0 <= verdict.score <= 100
    statuses = {"malicious", "suspicious", "shortened", "trusted", "unknown"}
    assert detectors[False].classify_domain(text).status in statuses


def test_visual_kind_swaps_i_and_l_only_where_no_vowel_touches_them() -> None:
    visual = {p for p, k in permutations("wiwo") if k == "visual"}
    assert "wlwo" in visual and "w1wo" in visual
    assert "zelt" not in {p for p, _ in permutations("zeit")}  # "ei" → "el": another word
    assert "weit" not in {p for p, _ in permutations("welt")}


def test_obfuscation_lifts_a_weak_resemblance_into_the_report(detectors: dict[bool, Detector]) -> None:
    """The report floor is judged on the score with the post's obfuscation counted, as the verdict is."""
    # an outlet's exact name on .com: a weak resemblance, under the report floor on its own
    plain = detectors[False].classify(parse_link("tagesschau.com"))  # type: ignore[arg-type]
    bold = detectors[False].classify(parse_link("tagesschau.com", obfuscation=("math-alphanumeric",)))  # type: ignore[arg-type]
    assert plain.impersonates is None and bold.score > plain.score
    assert bold.impersonates is not None and bold.impersonates.domain == "tagesschau.de"
    assert "tld-swap" in bold.techniques and any(e.kind == "obfuscation" for e in bold.evidence)
