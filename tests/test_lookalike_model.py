"""The fitted scoring model and what feeds it: brand families, country words, transliteration,
the popular-web profile, the one-edit fuzzy index, and `explain` for trusted look-alikes."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz.distance import OSA

from linkguard.lookalike import Detector
from linkguard.lookalike import scoring as sc
from linkguard.lookalike.index import Index, deletes, transliterations
from linkguard.lookalike.profile import WebProfile
from linkguard.lookalike.techniques import generic_use, languages, latin_reading
from linkguard.normalize import parse_link
from linkguard.rules import RuleSet, load_rules


@pytest.fixture(scope="module")
def bundled() -> RuleSet:
    return load_rules(user=False)


@pytest.fixture(scope="module")
def detector(bundled: RuleSet) -> Detector:
    return Detector(bundled, use_blocklist=False)


def test_model_file_names_only_known_features() -> None:
    doc = json.loads(resources.files("linkguard.data").joinpath("scoring-model.json").read_text("utf-8"))
    assert set(doc["weights"]) <= set(sc.FEATURES) | {"display-other"}
    assert doc["meta"]["fitted"] is True and "campaign-dev.csv" in doc["meta"]["fitted_on"]


def test_score_is_the_logistic_of_the_weighted_features() -> None:
    m = sc.model()
    assert m.score({}) == round(100 / (1 + 2.718281828459045 ** (-m.bias)))
    more = m.score({"ending-rarity": 1.0})
    assert more > m.score({})  # a rare ending raises the odds, as fitted
    assert 0 <= m.score({"namesakes": 1.0, "ending-country": 1.0}) <= 100


def test_exact_name_on_a_rare_ending_is_flagged(detector: Detector) -> None:
    verdict = detector.classify_domain("welt.beauty")
    assert verdict.flagged and verdict.impersonates is not None
    assert verdict.impersonates.domain == "welt.de"
    assert verdict.techniques == ("tld-swap",)


def test_same_name_on_a_busy_ending_is_weaker(detector: Detector) -> None:
    rare = detector.classify_domain("spiegel.beauty").score
    common = detector.classify_domain("spiegel.com").score
    assert rare > common


def test_country_word_picks_the_namesake_of_that_country(detector: Detector) -> None:
    verdict = detector.classify_domain("pravda-ua.rest")
    assert verdict.impersonates is not None and "pravda.com.ua" in verdict.impersonates.domains
    assert "pravda.sk" not in verdict.impersonates.domains


def test_brand_family_is_named_whole_when_nothing_tells_members_apart(detector: Detector) -> None:
    verdict = detector.classify_domain("delfi.life")
    assert verdict.impersonates is not None
    assert {"delfi.ee", "delfi.lv", "delfi.lt"} <= set(verdict.impersonates.domains)
    assert " / " in verdict.impersonates.name


def test_transliteration_of_a_cyrillic_brand(detector: Detector) -> None:
    assert "rbk" in transliterations("rbc")
    verdict = detector.classify_domain("rbk.media")
    assert verdict.impersonates is not None and verdict.impersonates.domain == "rbc.ua"
    assert verdict.techniques == ("transliteration",)


def test_account_words_make_combos(detector: Detector) -> None:
    for domain in ("spiegel-login.com", "nytimes-account.com"):
        verdict = detector.classify_domain(domain)
        assert verdict.flagged and "combo" in verdict.techniques, (domain, verdict)


def test_popular_site_is_trusted_with_its_source(detector: Detector) -> None:
    verdict = detector.classify_domain("youtube.com")
    assert verdict.status == "trusted"
    kinds = [e.kind for e in verdict.evidence]
    assert kinds[0] in ("legit", "popular", "trusted")


def test_popular_site_does_not_excuse_a_userinfo_trick(detector: Detector) -> None:
    link = parse_link("http://welt.de@example.com/x", obfuscation=("userinfo",))
    assert link is not None
    verdict = detector.classify(link)
    assert verdict.flagged and "embedded" in verdict.techniques


def test_explain_says_a_trusted_domain_resembles_an_outlet(bundled: RuleSet) -> None:
    legit_lookalike = next(r.domain for r in bundled.legit if r.domain == "weltbild.de")
    link = parse_link(legit_lookalike)
    assert link is not None
    verdict = Detector(bundled).explain(link)
    assert verdict.status == "trusted" and verdict.score == 0
    notes = [e for e in verdict.evidence if e.kind == "resembles"]
    if notes:  # weltbild is not a combo (an arbitrary word glued on), so only a resemblance may show
        assert "but is a known legitimate domain" in notes[0].detail


def test_explain_names_the_outlet_for_a_popular_namesake(detector: Detector) -> None:
    link = parse_link("lanacion.cl")
    assert link is not None
    verdict = detector.explain(link)
    if verdict.status == "trusted" and any(e.kind == "popular" for e in verdict.evidence):
        notes = [e for e in verdict.evidence if e.kind == "resembles"]
        assert notes and "La Nación" in notes[0].detail and "legitimate" in notes[0].detail


def test_profile_counts_by_top_level_domain() -> None:
    profile = WebProfile.from_domains(["a.com", "b.com", "x.com", "c.com.ar", "d.ar", "e.beauty"], source="t")
    assert profile.tld_count("com.ar") == 2 and profile.tld_count("ar") == 2 and profile.tld_count("com") == 3
    assert profile.ending_rarity("com") == 0.0
    assert profile.ending_rarity("beauty") > profile.ending_rarity("ar") > 0.0
    assert profile.ending_rarity("cfd") == 1.0
    assert profile.namesakes("a", besides=["a.com"]) == 0
    assert WebProfile().ending_rarity("ltd") == 0.0  # no list, no opinion


def test_languages_come_from_cldr() -> None:
    assert "es" in languages("CL") & languages("AR")
    assert not languages("ME") & languages("FR")
    assert languages("") == frozenset()


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="abcdefghij-", min_size=6, max_size=12), st.text(alphabet="abcdefghij", min_size=6))
def test_symspell_finds_exactly_the_one_edit_neighbours(query: str, name: str) -> None:
    """Two strings within one OSA edit always share a deletion variant of depth one."""
    close = OSA.distance(query, name) <= 1
    shared = bool(deletes(query, 1) & deletes(name, 1))
    if close:
        assert shared


def test_fuzzy_match_agrees_with_a_full_scan(detector: Detector) -> None:
    index = detector.index
    for key in ("tagesschsu", "spiegeel", "washingtonpots", "frankfurter", "zzzzzzzz", "t-onlinl"):
        found = index.fuzzy_match(key)
        brute = [
            (int(OSA.distance(key, name)), pos)
            for pos, name in enumerate(index.fuzzy_keys)
            if 1 <= OSA.distance(key, name) <= 1
        ]
        if not brute:
            assert found is None, key
        else:
            d, pos = min(brute)
            assert found == (d, index.fuzzy_brands[pos]), key


def test_check_says_a_popular_namesake_resembles_an_outlet_through_the_cli(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from linkguard.cli import main

    code = main(["check", "interfax.ru", "--offline", "--format", "json"])
    assert code == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["verdict"] == "trusted"
    kinds = [e["kind"] for e in doc["evidence"]]
    assert kinds[:2] == ["popular", "resembles"]
    assert (
        "Interfax" in doc["evidence"][1]["detail"]
        and "known legitimate domain" in doc["evidence"][1]["detail"]
    )


def test_typo_lookup_equals_a_table_of_every_typo(detector: Detector) -> None:
    """The SymSpell lookup finds exactly what a table of every dnstwist-style typo held (the
    first name in index order wins, with the first kind its length allows)."""
    from linkguard.lookalike.permutations import edits, kinds_for_length, valid

    index = detector.index
    table: dict[str, tuple[str, str]] = {}
    for brand in index.typo_brands:
        for kind in kinds_for_length(len(brand.label.replace("-", ""))):
            for typo in edits(brand.label, kind):
                if typo not in table and ("-" not in typo or valid(typo)):
                    table[typo] = (brand.label, kind)
    for name in (*index.brands, *index.legit_labels):
        table.pop(name, None)
    assert len(table) > 50_000
    for typo, expected in list(table.items())[::7]:
        found = index.typo_of(typo)
        assert found is not None and (found[0].label, found[1]) == expected, typo
    for name in ("spiegelreflex", "wetterbericht", "zzzzzz", "gooogle", "weltbild"):
        found = index.typo_of(name)
        assert (None if found is None else (found[0].label, found[1])) == table.get(name), name


def _index_with(profile: WebProfile, press: dict[str, int]) -> Index:
    index = Index(load_rules([Path(__file__).parent / "data" / "rules_small"]))
    index.__dict__["profile"] = profile  # the cached properties, set to a known web
    index.__dict__["local_press"] = press
    return index


def test_generic_use_is_popular_sites_beyond_the_local_press() -> None:
    """A country ending with many popular sites and no local outlet reads as generic; one whose
    sites its own press explains, or one too small to tell, does not."""
    domains = [f"s{i}.gg" for i in range(400)] + [f"s{i}.xx" for i in range(400)]
    domains += [f"s{i}.yy" for i in range(30)] + [f"s{i}.zz" for i in range(400)]
    index = _index_with(WebProfile.from_domains(domains), {"xx": 40, "zz": 5})
    assert generic_use(index, "gg") == 1.0  # 400 sites, no outlet: 20 x the press ratio
    assert generic_use(index, "xx") == 0.0  # 400 sites, 40 outlets: its country's web
    assert 0.0 < generic_use(index, "yy") < 0.3  # 30 sites prove little
    assert 0.0 < generic_use(index, "zz") < generic_use(index, "gg")
    assert generic_use(index, "qq") == 0.0  # no popular site at all: no opinion


def test_an_ending_google_calls_generic_is_generic_whatever_the_counts() -> None:
    """.ws has few popular sites (they prove little) and here even local outlets: it is still sold
    worldwide, so an outlet's name on it is not discounted as a local namesake."""
    index = _index_with(WebProfile.from_domains([f"s{i}.ws" for i in range(5)]), {"ws": 10})
    assert generic_use(index, "ws") == 1.0
    assert generic_use(index, "yy") == 0.0  # the same counts on an ending nobody calls generic


def test_a_small_country_s_rarity_is_weighed_apart(invented: Detector) -> None:
    """The rarity of a country's own ending is split by how local the ending is: a namesake on a
    small country's web is still a namesake, an unused gTLD has none."""
    local = _features(invented, "vortiana.ch")
    assert local["ending-rarity-country"] > 0
    assert local.get("ending-rarity", 0.0) < local["ending-rarity-country"]
    gtld = _features(invented, "vortiana.top")
    assert "ending-rarity-country" not in gtld and gtld["ending-rarity"] > 0


def test_local_press_counts_outlets_on_their_own_country_ending(bundled: RuleSet) -> None:
    press = Index(bundled).local_press
    assert press["de"] > 50 and press["fr"] > 50
    assert press.get("cc", 0) == 0  # no outlet of the Cocos Islands: .cc is sold worldwide


def test_exact_name_on_a_generic_country_ending_is_flagged(detector: Detector) -> None:
    """An outlet's name on a country ending its country's press hardly uses (.cc, .co) is not
    discounted as a local namesake, and the evidence says why."""
    verdict = detector.classify_domain("spiegel.cc")
    assert verdict.flagged and verdict.impersonates is not None
    assert verdict.impersonates.domain == "spiegel.de"
    assert "generic ending" in verdict.evidence[0].detail


def test_press_ratio_scales_with_the_popular_list(bundled: RuleSet) -> None:
    """The reference ratio is measured on the list in force: a list ten times larger (every ending
    ten times busier) moves the reference with it, so .de stays its country's web."""
    index = Index(bundled)
    ratio = index.press_ratio
    assert ratio is not None and 5 < ratio < 60
    assert generic_use(index, "de") == 0.0 and generic_use(index, "cc") > 0.9
    counts = {tld: 10 * n for tld, n in index.profile.tld_counts.items()}
    bigger = WebProfile({})
    bigger.__dict__["tld_counts"] = counts
    index.__dict__["profile"] = bigger
    del index.__dict__["press_ratio"]
    assert index.press_ratio is not None and index.press_ratio > 5 * ratio
    assert generic_use(index, "de") == 0.0 and generic_use(index, "cc") > 0.9


@pytest.mark.parametrize(
    ("domain", "outlet", "feature"),
    [
        ("wlwo.news", "wiwo.de", "typo-visual"),
        ("zddf.news", "zdf.de", "typo-repetition"),
        ("secure-tagesschau.com", "tagesschau.de", "combo-account"),
        ("tagesschausignin.com", "tagesschau.de", "combo-account"),
        ("die-zeit.org", "zeit.de", "combo-article"),
        ("delfi-latvia.top", "delfi.lv", "combo-country"),
    ],
)
def test_new_mechanisms_flag_with_their_evidence(
    detector: Detector, domain: str, outlet: str, feature: str
) -> None:
    verdict = detector.classify_domain(domain)
    assert verdict.flagged, verdict
    assert verdict.impersonates is not None and outlet in verdict.impersonates.domains, verdict
    signals = detector._signals(parse_link(domain))  # type: ignore[arg-type]
    assert any(feature in s.features for s in signals), signals


def test_account_word_next_to_an_ordinary_word_is_no_phishing_combo(detector: Detector) -> None:
    """'focus' is an outlet's name and an ordinary word: "securityfocus" names something else."""
    signals = detector._signals(parse_link("loginfocus.org"), floor=0)  # type: ignore[arg-type]
    assert not any("combo-account" in s.features for s in signals)


def test_a_typo_names_the_namesake_of_its_own_country(detector: Detector) -> None:
    verdict = detector.classify_domain("dellfi.lt")  # Delfi is in EE, LV and LT
    assert verdict.impersonates is not None and verdict.impersonates.domains == ("delfi.lt",)


def test_a_cyrillic_label_is_read_in_latin_letters() -> None:
    assert latin_reading("рбк") == "rbk"
    assert latin_reading("вести-24") == "vesti-24"
    assert latin_reading("welt") is None
    assert latin_reading("wеlt") is None  # one Cyrillic е among Latin letters is a homoglyph, not a name


def test_a_cyrillic_outlet_name_written_in_cyrillic_is_a_transliteration(detector: Detector) -> None:
    verdict = detector.classify_domain("рбк.media")
    assert verdict.flagged and verdict.impersonates is not None
    assert "rbc.ua" in verdict.impersonates.domains and verdict.techniques == ("transliteration",)
    assert "written in Cyrillic" in verdict.evidence[0].detail


def test_an_internationalised_country_ending_counts_as_that_country(detector: Detector) -> None:
    """.рф is Russia's ending: a name there is weighed as on .ru (its web, its namesakes)."""
    (idn,) = detector._signals(parse_link("рбк.рф"), floor=0)  # type: ignore[arg-type]
    (latin,) = detector._signals(parse_link("рбк.ru"), floor=0)  # type: ignore[arg-type]
    assert idn.features["ending-country"] == latin.features["ending-country"] > 0
    assert idn.features["ending-rarity"] == latin.features["ending-rarity"]


_INVENTED = """
[[outlet]]
name = "Gazzetta Vortiana"
domains = ["vortiana.it"]
country = "IT"

[[outlet]]
name = "Quellblatt"
domains = ["quellblatt.de"]
country = "DE"

[[outlet]]
name = "Corriere Fittizio"
domains = ["fittizio.com"]
country = "IT"

[[outlet]]
name = "Diario Ficticio"
domains = ["ficticio.com"]
country = "CO"

[[outlet]]
name = "Zorbix Estonia"
domains = ["zorbix.ee"]
brands = ["zorbix"]
country = "EE"

[[outlet]]
name = "Zorbix Latvia"
domains = ["zorbix.lv"]
brands = ["zorbix"]
country = "LV"
"""


@pytest.fixture(scope="module")
def invented(tmp_path_factory: pytest.TempPathFactory) -> Detector:
    """Invented outlets, and a popular web where the Zorbix family's own sites carry its name."""
    rules = tmp_path_factory.mktemp("rules")
    (rules / "outlets.toml").write_text(_INVENTED, encoding="utf-8")
    det = Detector(load_rules([rules]), use_blocklist=False)
    web = [f"site{i}.{tld}" for tld in ("in", "ch", "top", "it", "de") for i in range(60)]
    web += [f"site{i}.com" for i in range(2000)]  # the busiest ending, as .com is
    det.index.__dict__["profile"] = WebProfile.from_domains(["zorbix.ee", "zorbix.lv", *web])
    det.index.__dict__["local_press"] = {"in": 10, "ch": 10, "it": 10, "de": 10}
    return det


def _features(det: Detector, domain: str) -> dict[str, float]:
    (signal,) = det._signals(parse_link(domain), floor=0)  # type: ignore[arg-type]
    return signal.features


def test_exact_name_where_no_language_is_shared_is_its_own_feature(invented: Detector) -> None:
    """An Italian name on .in (en, hi) is weighed apart from one on .ch (it among its languages)."""
    abroad = _features(invented, "vortiana.in")
    assert "ending-country-foreign" in abroad and "ending-country" not in abroad
    neighbour = _features(invented, "vortiana.ch")
    assert "ending-country" in neighbour and "ending-country-foreign" not in neighbour
    assert neighbour["ending-shared-language"] == 1.0
    (signal,) = invented._signals(parse_link("vortiana.ch"), floor=0)  # type: ignore[arg-type]
    assert "CLDR" not in signal.detail


def test_the_language_evidence_names_both_countries(invented: Detector) -> None:
    (signal,) = invented._signals(parse_link("quellblatt.in"), floor=0)  # type: ignore[arg-type]
    assert "IN speaks en, hi, DE de (CLDR)" in signal.detail


def test_a_near_miss_on_a_foreign_ending_keeps_the_plain_country_feature(invented: Detector) -> None:
    """A typo abroad is mostly a word of that country's language: no foreign-language feature."""
    typo = _features(invented, "quelblatt.in")
    assert "typo-omission" in typo and "ending-country" in typo
    assert "ending-country-foreign" not in typo


def test_a_territory_ending_counts_with_its_languages() -> None:
    """.re is Réunion's ending: French is spoken there, though it is no country in our word list."""
    from linkguard.lookalike.techniques import ending_country

    assert ending_country("re") == "RE" and "fr" in languages("RE")
    assert ending_country("uk") == "GB" and ending_country("com") == ""


def test_the_brand_family_is_no_namesake_of_itself(invented: Detector) -> None:
    """zorbix.ee and zorbix.lv are the same family: zorbix.top has no namesake among them."""
    assert "namesakes" not in _features(invented, "zorbix.top")
    # .com.lv picks the Latvian member; its Estonian sibling is still no namesake
    picked = invented._signals(parse_link("zorbix.com.lv"), floor=0)  # type: ignore[arg-type]
    assert [s.outlet.domains for s in picked if s.outlet] == [("zorbix.lv",)]
    assert "namesakes" not in picked[0].features
    kept = invented.index.__dict__["profile"]
    invented.index.__dict__["profile"] = WebProfile.from_domains(["zorbix.ee", "zorbix.lv", "zorbix.net"])
    try:
        assert _features(invented, "zorbix.top")["namesakes"] > 0  # zorbix.net is someone else
    finally:
        invented.index.__dict__["profile"] = kept


def test_the_language_evidence_through_the_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The bundled rules (so .in is India's own web) plus an invented Italian outlet."""
    from linkguard.cli import main
    from linkguard.rules.load import bundled_rule_files, reference_rule_files

    (tmp_path / "outlets.toml").write_text(_INVENTED, encoding="utf-8")
    rules = [
        a
        for path in [*reference_rule_files(), *bundled_rule_files(), tmp_path]
        for a in ("--rules", str(path))
    ]
    args = [*rules, "--no-blocklist", "--offline", "--format", "json"]
    code = main(["check", "vortiana.in", *args])
    doc = json.loads(capsys.readouterr().out)
    assert code == (1 if doc["flagged"] else 0)  # check exits 1 on a flagged link
    assert doc["impersonates"]["domain"] == "vortiana.it"
    assert "IN speaks en, hi, IT it (CLDR)" in doc["evidence"][0]["detail"]
    main(["check", "vortiana.ch", *args])
    doc = json.loads(capsys.readouterr().out)
    assert all("CLDR" not in e["detail"] for e in doc["evidence"])


def test_two_letters_swapped_at_the_end_are_a_slip_not_a_new_word(invented: Detector) -> None:
    """A transposition keeps the name's outline: no ``typo-at-edge`` though the last letter moved."""
    (signal,) = invented._signals(parse_link("quellbltat.top"), floor=0)  # type: ignore[arg-type]
    assert "typo-transposition" in signal.features and "typo-at-edge" not in signal.features
    (edge,) = invented._signals(parse_link("quellblatx.top"), floor=0)  # type: ignore[arg-type]
    assert "typo-at-edge" in edge.features


def test_own_country_weighs_as_far_as_the_ending_is_its_country_s(invented: Detector) -> None:
    """``ending-own-country`` is scaled as ``ending-country`` is: both 1 on a country's own web."""
    local = _features(invented, "fittizio.it")  # an Italian outlet on .com, its name on .it
    assert local["ending-own-country"] == local["ending-country"] == 1.0
    generic = _features(invented, "ficticio.co")  # Colombia's own code, but sold worldwide
    assert "ending-own-country" not in generic and "ending-country" not in generic
