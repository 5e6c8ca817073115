"""Checks on the bundled rule data in rules/*.toml: outlets, legit look-alikes, blocked, shorteners."""

from __future__ import annotations

import re
from collections import Counter

import pytest
import tldextract

from linkguard.rules import (
    OUTLET_KINDS,
    RuleSet,
    bundled_rule_files,
    load_rules,
    read_rule_file,
    reference_rule_files,
    validate_rules,
)

REQUIRED_COUNTRIES = [
    "DE",
    "AT",
    "CH",
    "FR",
    "IT",
    "ES",
    "PL",
    "UA",
    "GB",
    "US",
    "EE",
    "LV",
    "LT",
    "SE",
    "NO",
    "DK",
    "FI",
    "IS",
]
BRAND_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
WIKIDATA_SOURCE = re.compile(r"wikidata:Q[1-9][0-9]*")


@pytest.fixture(scope="module")
def rules() -> RuleSet:
    return load_rules(bundled=True)


@pytest.fixture(scope="module")
def raw() -> dict[str, list[dict]]:
    tables: dict[str, list[dict]] = {"outlet": [], "legit": [], "blocked": [], "shortener": []}
    for path in bundled_rule_files():
        for table, entries in read_rule_file(path, "bundled").items():
            if table in tables:
                tables[table].extend(entries)
    return tables


@pytest.fixture(scope="module")
def extract() -> tldextract.TLDExtract:
    # Bundled PSL snapshot only: never fetch the live list.
    from linkguard.normalize import suffix_extractor

    return suffix_extractor()  # the bundled snapshot, private suffixes included, as the scanner splits


def _registrable(ex: tldextract.TLDExtract, domain: str) -> str:
    result = ex(domain)
    return getattr(result, "top_domain_under_public_suffix", None) or result.registered_domain


def test_bundled_rules_load(rules: RuleSet) -> None:
    assert rules.outlets and rules.legit and rules.blocked and rules.shorteners


def test_all_domains_are_registrable(rules: RuleSet, extract: tldextract.TLDExtract) -> None:
    domains = [d for o in rules.outlets for d in o.domains]
    domains += [r.domain for r in rules.legit] + [r.domain for r in rules.blocked]
    domains += [r.domain for r in rules.shorteners]
    bad = [d for d in domains if d != d.strip().lower() or _registrable(extract, d) != d]
    assert not bad, f"not a registrable domain (per the bundled PSL snapshot): {bad}"


def test_no_duplicate_entries_in_files(raw: dict[str, list[dict]]) -> None:
    outlet_domains = Counter(d.lower() for e in raw["outlet"] for d in e["domains"])
    assert not [d for d, n in outlet_domains.items() if n > 1], "domain listed for more than one outlet"
    for table in ("legit", "blocked", "shortener"):
        counts = Counter(e["domain"].lower() for e in raw[table])
        assert not [d for d, n in counts.items() if n > 1], f"duplicate {table} entries"


def test_no_conflicts_between_tables(rules: RuleSet) -> None:
    outlet = {d for o in rules.outlets for d in o.domains}
    legit = {r.domain for r in rules.legit}
    blocked = {r.domain for r in rules.blocked}
    shortener = {r.domain for r in rules.shorteners}
    assert not legit & outlet, "legit domain is also an outlet domain"
    assert not blocked & (outlet | legit), "blocked domain is also an outlet or legit domain"
    assert not shortener & (outlet | legit | blocked), "shortener overlaps another table"


def test_coverage(rules: RuleSet) -> None:
    countries = {o.country for o in rules.outlets}
    assert len(rules.outlets) >= 400
    assert len(countries) >= 20
    missing = [c for c in REQUIRED_COUNTRIES if c not in countries]
    assert not missing, f"no outlets for {missing}"
    assert len(rules.legit) >= 60
    assert len(rules.shorteners) >= 60


@pytest.fixture(scope="module")
def reference() -> list[dict]:
    """The bulk reference tier (rules/reference/), merged under the curated outlets."""
    (path,) = reference_rule_files()
    tables = read_rule_file(path, "bundled")
    assert not any(tables[t] for t in ("legit", "blocked", "shortener", "removed"))
    return tables["outlet"]


def test_outlet_fields(rules: RuleSet, reference: list[dict]) -> None:
    """Curated outlets are complete; reference ones (checked below) may lack a country or brands."""
    bulk = {e["domains"][0] for e in reference}
    for o in rules.outlets:
        assert o.name.strip(), o.domains
        assert o.kind in OUTLET_KINDS, (o.name, o.kind)
        if o.domain in bulk:
            continue
        assert o.country == "INT" or re.fullmatch(r"[A-Z]{2}", o.country), (o.name, o.country)
        assert o.brands, o.name
        for brand in o.brands:
            assert brand.isascii() and BRAND_RE.fullmatch(brand), (o.name, brand)
            assert not brand.startswith("xn--"), (o.name, brand)


def test_tiers(raw: dict[str, list[dict]], reference: list[dict]) -> None:
    """Curated files are the curated tier; the reference file only reference entries, each sourced.
    A curated government namespace (bund.de) cites the public source that makes it one."""
    for e in raw["outlet"]:
        assert e.get("tier", "curated") == "curated", e["name"]
        if e.get("namespace"):
            assert e["namespace"] == "government" and e.get("kind") in ("government", "international"), e
            assert str(e.get("source", "")).startswith("https://"), e["name"]
        else:
            assert "source" not in e, e["name"]
    for e in reference:
        assert e["tier"] == "reference", e["name"]
        assert WIKIDATA_SOURCE.fullmatch(e["source"]), (e["name"], e["source"])
    sources = Counter(e["source"] for e in reference)
    assert not [s for s, n in sources.items() if n > 1], "one Wikidata item, one entry"


def test_reference_coverage(reference: list[dict]) -> None:
    countries = {e["country"] for e in reference if e.get("country")}
    assert len(reference) >= 3000
    assert len(countries) >= 80
    for e in reference:
        assert e["name"].strip() and e["kind"] in OUTLET_KINDS, e
        assert re.fullmatch(r"[A-Z]{2}", e.get("country", "XX")), (e["name"], e["country"])


def test_reference_domains_are_registrable(reference: list[dict], extract: tldextract.TLDExtract) -> None:
    domains = [d for e in reference for d in e["domains"]]
    assert len(domains) == len(set(domains)), "domain listed for more than one reference outlet"
    bad = [d for d in domains if d != d.strip().lower() or _registrable(extract, d) != d]
    assert not bad, f"not a registrable domain (per the bundled PSL snapshot): {bad}"


def test_reference_brands_are_the_domain_labels(
    reference: list[dict], extract: tldextract.TLDExtract
) -> None:
    """Reference brands are derived, never invented: each is the registrable label of one of its domains."""
    for e in reference:
        labels = {extract(d).domain for d in e["domains"]}
        for brand in e.get("brands", []):
            assert brand in labels and len(brand) >= 3 and BRAND_RE.fullmatch(brand), (e["name"], brand)


def test_reference_lists_no_platform_or_curated_domain(
    raw: dict[str, list[dict]], reference: list[dict]
) -> None:
    curated = {d for e in raw["outlet"] for d in e["domains"]}
    curated |= {e["domain"] for table in ("legit", "blocked", "shortener") for e in raw[table]}
    listed = {d for e in reference for d in e["domains"]}
    assert not listed & curated
    for platform in ("youtube.com", "facebook.com", "blogspot.com", "wordpress.com", "wixsite.com", "x.com"):
        assert platform not in listed
    assert not [d for d in listed if d.endswith((".blogspot.com", ".wordpress.com", ".github.io"))]


def test_reference_tier_validates_cleanly_over_the_bundled_rules() -> None:
    """`linkguard rules validate --bundled` on the reference tier: no conflict with the curated rules."""
    assert [str(p) for p in validate_rules(reference_rule_files(), with_bundled=True)] == []


def test_blocked_entries_are_sourced(rules: RuleSet) -> None:
    outlet_domains = {d for o in rules.outlets for d in o.domains}
    for b in rules.blocked:
        assert b.source.strip(), b.domain
        if b.imitates:
            assert b.imitates in outlet_domains, (b.domain, b.imitates)


@pytest.mark.parametrize(
    ("fake", "real"),
    [
        ("welt.ltd", "welt.de"),
        ("spiegel.ltd", "spiegel.de"),
        ("spiegel.agency", "spiegel.de"),
        ("washingtonpost.pm", "washingtonpost.com"),
    ],
)
def test_known_doppelganger_domains(rules: RuleSet, fake: str, real: str) -> None:
    blocked = {b.domain: b for b in rules.blocked}
    assert fake in blocked
    assert blocked[fake].imitates == real
    assert rules.outlet_for(real) is not None


def test_platforms_and_lookalikes_are_legit(rules: RuleSet) -> None:
    legit = {r.domain for r in rules.legit}
    expected = ("weltbild.de", "wetter.com", "google.com", "youtube.com", "t.me", "x.com", "wikipedia.org")
    for domain in expected:
        assert domain in legit, domain
