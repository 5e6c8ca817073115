"""The popular tier of targets and the ending's abuse profile, on an invented popular web.

A fake popular list (``$LINKGUARD_POPULAR_FILE``) holds invented sites: a distinctive magazine
name that only one popular site carries, a name that many popular sites share on different
endings, and filler that makes ``.com`` the busiest ending. The rules are the small test set.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from linkguard import popular
from linkguard.cli import main
from linkguard.lookalike import Detector, gates
from linkguard.lookalike import profile as lgprofile
from linkguard.lookalike import techniques as tq
from linkguard.lookalike.abuse import abuse_density, abuse_scores
from linkguard.lookalike.index import Index
from linkguard.lookalike.permutations import permutations
from linkguard.lookalike.profile import WebProfile
from linkguard.normalize import parse_link
from linkguard.rules import load_rules

DATA = Path(__file__).parent / "data"
SMALL_RULES = DATA / "rules_small"
#: One popular site of a distinctive name; a name six popular sites share; an outlet's own name.
DISTINCT = "brimstadtjournal"
CROWDED = "kelvoradigest"
WEB = [
    f"{DISTINCT}.com",
    *(f"{CROWDED}.{tld}" for tld in ("com", "de", "net", "fr", "it", "org")),
    "spiegel.xyz",  # an outlet's name: the outlet tier answers for it
    "news.org",  # a news word: never a brand
    "4242.com",  # a number: never a brand
    "pocexa.com",  # a Latin name that a word wholly in Cyrillic letters reads as
    *(f"filler{i}.com" for i in range(2000)),
    *(f"filler{i}.de" for i in range(300)),
    *(f"filler{i}.net" for i in range(200)),
]


@pytest.fixture(scope="module")
def web_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("web") / "popular.txt"
    path.write_text("# source: invented test list\n" + "\n".join(WEB) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def fake_web(web_file: Path) -> Iterator[Path]:
    """The invented list in force for the module (the env var, and the caches that read it)."""
    mp = pytest.MonkeyPatch()
    mp.setenv(popular.POPULAR_OVERRIDE_ENV, str(web_file))
    popular.popular_list.cache_clear()
    lgprofile._load_profile.cache_clear()
    yield web_file
    mp.undo()
    popular.popular_list.cache_clear()
    lgprofile._load_profile.cache_clear()


@pytest.fixture(scope="module")
def det(fake_web: Path) -> Detector:
    return Detector(load_rules([SMALL_RULES]), use_blocklist=False, index=Index(load_rules([SMALL_RULES])))


def test_a_popular_sites_exact_name_on_an_abused_ending_imitates_it(det: Detector) -> None:
    verdict = det.classify_domain(f"{DISTINCT}.cfd")
    assert verdict.flagged, verdict
    assert verdict.impersonates is not None and verdict.impersonates.domain == f"{DISTINCT}.com"
    assert verdict.impersonates.tier == "popular"
    assert verdict.techniques == ("tld-swap",)
    (evidence,) = verdict.evidence
    assert f"imitates the popular site {DISTINCT}.com" in evidence.detail
    assert "abuse-dense ending" in evidence.detail and evidence.data["popular"] == f"{DISTINCT}.com"


def test_members_of_the_popular_list_are_never_flagged_by_name(det: Detector) -> None:
    for domain in WEB[:8]:
        assert det.classify_domain(domain).status == "trusted", domain


def test_the_tier_weighs_the_ending_and_the_names_distinctiveness(det: Detector) -> None:
    """Same name, a busy ending against an abused one; a shared name against a distinctive one."""
    features = _features(det, f"{DISTINCT}.cfd")
    assert features["popular-target"] == 1.0 and features["ending-abuse"] == pytest.approx(
        abuse_density("cfd")
    )
    assert "namesakes" not in features and "crowded-name" not in features  # not counted for the tier
    busy = _features(det, f"{DISTINCT}.de")
    assert "ending-abuse" not in busy
    assert det.classify_domain(f"{DISTINCT}.de").score < det.classify_domain(f"{DISTINCT}.cfd").score
    crowded = _features(det, f"{CROWDED}.cfd")
    assert crowded["namesakes"] > 0  # five other popular sites carry the name
    assert det.classify_domain(f"{CROWDED}.cfd").score < det.classify_domain(f"{DISTINCT}.cfd").score
    (signal,) = det._signals(parse_link(f"{CROWDED}.cfd"), floor=0)  # type: ignore[arg-type]
    assert "and 5 other popular sites of that name" in signal.detail
    assert signal.outlet is not None and signal.outlet.domains[0] == f"{CROWDED}.com"
    assert set(signal.outlet.domains) == {d for d in WEB if d.startswith(f"{CROWDED}.")}


def test_the_outlet_tier_answers_first_and_words_or_numbers_are_no_brand(det: Detector) -> None:
    index = det.index
    assert index.popular_brand("spiegel") is None  # an outlet's own name
    assert det.classify_domain("spiegel.cfd").impersonates.domain == "spiegel.de"  # type: ignore[union-attr]
    assert index.popular_brand("news") is None and index.popular_brand("4242") is None
    assert index.popular_brand("nosuchpopularname") is None
    assert index.popular_brand(DISTINCT) is index.popular_brand(DISTINCT)  # built once


def test_a_popular_name_in_mixed_script_look_alike_letters(det: Detector) -> None:
    """Cyrillic о among the name's own Latin letters: a disguise, which namesakes do not use."""
    disguised = DISTINCT.replace("o", "\u043e")
    verdict = det.classify_domain(f"{disguised}.com")
    assert verdict.flagged and verdict.techniques == ("homoglyph",), verdict
    assert verdict.impersonates is not None and verdict.impersonates.domain == f"{DISTINCT}.com"
    (signal,) = det._signals(parse_link(f"{disguised}.com"), floor=0)  # type: ignore[arg-type]
    assert "popular-target" not in signal.features and "Cyrillic" in signal.detail
    # wholly Cyrillic (a word of that script that reads as a Latin name), or an ASCII trick: no target
    assert det._signals(parse_link("\u0440\u043e\u0441\u0435\u0445\u0430.com"), floor=0) == []  # type: ignore[arg-type]
    assert det._signals(parse_link(DISTINCT.replace("l", "1") + ".com"), floor=0) == []  # type: ignore[arg-type]


def test_no_popular_target_on_a_hosting_platform(det: Detector) -> None:
    """blogspot.com is a private suffix: a blog named after a popular site is mostly a fan page."""
    assert det._signals(parse_link(f"{DISTINCT}.blogspot.com"), floor=0) == []  # type: ignore[arg-type]


def test_the_gates_let_a_popular_name_through(det: Detector) -> None:
    """Closed gates are proofs that a technique finds nothing: a popular name must open tld_swap."""
    link = parse_link(f"{DISTINCT}.cfd")
    assert link is not None
    assert gates.plan(det.index, link) != ()
    subject = det._subject(link)
    assert tq.tld_swap not in gates.closed(det.index, subject)
    plain = parse_link("quietmeadowfarm.cfd")
    assert plain is not None and gates.plan(det.index, plain) == ()


def test_the_tier_travels_in_the_payload(det: Detector) -> None:
    """The disk cache and a pickled detector carry the popular endings; verdicts are the same."""
    restored = Index.from_payload(det.index.to_payload())
    assert restored.popular_order == det.index.popular_order
    names = list(restored.profile.ranks)
    assert [names[i] for i in restored.popular_order] == sorted(names)
    again = Detector(restored.rules, use_blocklist=False, index=restored)
    for domain in (f"{DISTINCT}.cfd", f"{CROWDED}.top", "spiegel.cfd"):
        assert again.classify_domain(domain) == det.classify_domain(domain)


def test_the_popular_tier_through_check_and_scan(
    fake_web: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """End to end: the verdict names the popular site, in ``check`` and in ``scan``."""
    rules = ["--rules", str(SMALL_RULES)]
    code = main(["check", f"{DISTINCT}.cfd", *rules, "--offline", "--no-blocklist", "--format", "json"])
    doc = json.loads(capsys.readouterr().out)
    assert code == 1 and doc["flagged"] is True
    assert doc["impersonates"]["domain"] == f"{DISTINCT}.com"
    assert any(f"the popular site {DISTINCT}.com" in e["detail"] for e in doc["evidence"])
    listed = tmp_path / "domains.txt"
    listed.write_text(f"{DISTINCT}.cfd\n{DISTINCT}.com\nquietmeadowfarm.cfd\n", encoding="utf-8")
    code = main(["scan", str(listed), *rules, "--all", "--no-blocklist", "--jobs", "1", "--format", "jsonl"])
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.strip()]
    assert code == 1
    by_host = {r["host"]: r for r in rows}
    assert by_host[f"{DISTINCT}.cfd"]["flagged"] is True
    assert by_host[f"{DISTINCT}.cfd"]["impersonates"]["domain"] == f"{DISTINCT}.com"
    assert by_host[f"{DISTINCT}.com"]["verdict"] == "trusted"  # the popular site itself
    assert by_host["quietmeadowfarm.cfd"]["flagged"] is False
    main(["check", f"{DISTINCT}.cfd", *rules, "--offline", "--no-blocklist"])
    table = capsys.readouterr().out
    assert f"popular site {DISTINCT}.com" in table
    assert f"({DISTINCT}.com)" not in table  # the name holds the domain: not said twice
    main(["scan", str(listed), *rules, "--no-blocklist", "--jobs", "1", "--format", "csv"])
    assert f"popular site {DISTINCT}.com," in capsys.readouterr().out


# -- the ending's abuse profile --------------------------------------------------------------------


def test_the_bundled_abuse_table() -> None:
    scores = abuse_scores()
    assert scores["com"] > 0 and {"cfd", "sbs", "top"} <= set(scores)
    assert abuse_density("cfd") > abuse_density("top") > abuse_density("sbs") > abuse_density("info") > 0
    assert abuse_density("com") == abuse_density("org") == abuse_density("de") == 0.0  # .de: not listed


@given(st.floats(min_value=0.0, max_value=1e6, allow_nan=False), st.floats(min_value=0.0, max_value=1e6))
def test_abuse_density_is_a_monotonic_share_of_the_reference(a: float, b: float) -> None:
    table = {"com": 25.0, "aa": a, "bb": b}
    da, db = abuse_density("aa", table), abuse_density("bb", table)
    assert 0.0 <= da <= 1.0 and 0.0 <= db <= 1.0
    if a <= b:
        assert da <= db
    if a > 25.0:
        assert da == pytest.approx(min(1.0, math.log(a / 25.0) / math.log(100.0)))


# -- the fast crowd count equals the permutation count ----------------------------------------------

_LETTERS = st.text(alphabet="abcdeilmnorst1-", min_size=1, max_size=12).filter(lambda s: s.strip("-"))


@settings(max_examples=150, deadline=None)
@given(_LETTERS, st.data())
def test_crowd_counts_what_the_permutations_count(label: str, data: st.DataObject) -> None:
    """``Index.crowd`` filters by membership first; the count must be the permutations' own."""
    typos = [t for t, _ in permutations(label)]
    picked = data.draw(st.lists(st.sampled_from(typos), max_size=8)) if typos else []
    others = data.draw(st.lists(_LETTERS, max_size=5))
    web = WebProfile.from_domains([f"{name}.com" for name in [*picked, *others, label]])
    index = Index.__new__(Index)
    index._crowds = {}
    index.__dict__["profile"] = web
    expected = sum(1 for typo, _ in permutations(label) if typo in web.label_counts)
    assert index.crowd(label) == expected


def _features(det: Detector, domain: str) -> dict[str, float]:
    (signal,) = det._signals(parse_link(domain), floor=0)  # type: ignore[arg-type]
    return signal.features
