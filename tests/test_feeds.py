"""Indicator feeds and source ratings (issue #17): bundled provenance, update-feeds on loopback,
findings that name campaign and source, --no-ratings, and MISP/STIX import and export round trips."""

from __future__ import annotations

import contextlib
import io
import json
import tomllib
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, unquote

import pytest
from forensics_servers import serve_static

from linkguard.cli import main
from linkguard.feeds.store import bundled_feeds_dir, feed_rule_files
from linkguard.rules import load_rules, validate_rules

META_NEW = "indicators/csv/Q2_2023 /Q2_2023_Doppelganger_Russia_based_CIB_network_updated.csv"
META_OLD = "indicators/csv/2022_09_removing_coordinated_inauthentic_behavior_from_china_and_russia.csv"
META_MALWARE = "indicators/csv/2023_05_malware_iocs.csv"
CSV_NEW = (
    "Tactic,Technique,Procedure,Indicator,Comments\n"
    "0. Acquiring assets,0.6 Acquiring domains,0.6.2 Acquiring domains to support influence operations,"
    "fixture-clone[.]press,spoofing\n"
    "0. Acquiring assets,0.6 Acquiring domains,0.6.2 Acquiring domains to support influence operations,"
    "hxxps://www.fixture-outlet[.]info/article,\n"
    "0. Acquiring assets,0.6 Acquiring domains,0.6.2 Acquiring domains to support influence operations,"
    "page.tilda[.]ws,a platform sub-domain: must not block tilda.ws\n"
    "9. Enabling longevity,9.5 Replacing infrastructure,9.5.3 Using redirect domains,"
    "fixture-redirect[.]top,\n"
    "6. Indiscriminate engagement,6.1 Posting on websites,6.1.3 Posting on blogs,"
    "https://medium.com/@x/post,\n"
)
CSV_OLD = (
    "indicator_type,indicator_value,comment,ds\n"
    "domain_name,fixture-old[.]ltd,Germany-targeting CIB domain,2022-09-27\n"
    "cib_url,https://www.change[.]org/p/x,CIB URL,2022-09-27\n"
)
PRAVDA = [{"name": "germany.fixture-pravda.com.csv.gz"}, {"name": "README.md"}]
RATINGS = "domain,pc1\nlowrated-fixture.com,0.12\nhighrated-fixture.com,0.91\nrfi.fr/en,0.1\n"
LOW = "lowrated-fixture.com"


def _answer(feeds: dict[str, bytes]) -> dict[str, bytes]:
    tree = {"tree": [{"path": p, "type": "blob"} for p in (META_NEW, META_OLD, META_MALWARE)]}
    return {
        "/repos/facebook/threat-research/git/trees/main?recursive=1": json.dumps(tree).encode(),
        f"/facebook/threat-research/main/{quote(META_NEW)}": CSV_NEW.encode(),
        f"/facebook/threat-research/main/{quote(META_OLD)}": CSV_OLD.encode(),
        f"/facebook/threat-research/main/{quote(META_MALWARE)}": b"indicator_type,indicator_value\n",
        "/repos/CheckFirstHQ/pravda-network/contents/data": json.dumps(PRAVDA).encode(),
        "/hauselin/domain-quality-ratings/main/data/domain_pc1.csv": RATINGS.encode(),
    } | feeds


@pytest.fixture
def feed_server() -> Iterator[dict[str, bytes]]:
    """A loopback server for the three publishers; tests change ``answers`` to serve a broken feed."""
    answers = _answer({})

    def answer(path: str) -> tuple[int, bytes]:
        body = answers.get(path) or answers.get(unquote(path))
        return (200, body) if body is not None else (404, b"not found")

    with serve_static(answer) as base:
        answers["base"] = base.encode()
        yield answers


@pytest.fixture
def feeds_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "feeds"
    monkeypatch.setenv("LINKGUARD_FEEDS_DIR", str(directory))
    monkeypatch.setenv("LINKGUARD_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("LINKGUARD_RULES_DIR", str(tmp_path / "rules"))
    return directory


def run(*args: str) -> tuple[int, str]:
    """The CLI's own entry point (its exit codes), stdout and stderr together."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        code = main(list(args))
    return code, out.getvalue()


def update(server: dict[str, bytes], *feeds: str) -> tuple[int, str]:
    argv = ["rules", "update-feeds", "--mirror", server["base"].decode()]
    for feed in feeds:
        argv += ["--feed", feed]
    return run(*argv)


def check_json(domain: str, *flags: str) -> dict[str, object]:
    code, out = run("check", domain, "--offline", "--format", "json", *flags)
    data: dict[str, object] = json.loads(out)
    assert code == (1 if data["flagged"] else 0)
    return data


# --- the bundled snapshot ---------------------------------------------------------------------------


def test_bundled_feed_entries_carry_provenance_and_validate() -> None:
    files = list(bundled_feeds_dir().glob("*.toml"))
    assert [f.name for f in files] == ["meta-threat-research.toml"]
    entries = tomllib.loads(files[0].read_text(encoding="utf-8"))["blocked"]
    assert len(entries) > 500
    for e in entries:
        assert e["campaign"] and e["source"].startswith("Meta") and e["reported"]
        assert e["source_url"].startswith("https://github.com/facebook/threat-research/blob/main/")
    assert [p for p in validate_rules(files, with_bundled=True) if p.severity == "error"] == []
    manifest = json.loads((bundled_feeds_dir() / "feeds.json").read_text(encoding="utf-8"))
    assert manifest["meta-threat-research"]["domains"] == len(entries)


def test_meta_domain_finding_names_campaign_and_source(feeds_dir: Path) -> None:
    data = check_json("artichoc.cc")  # Meta, Q2 2023 Doppelganger file, "0.6.2 acquiring domains"
    assert data["verdict"] == "malicious"
    evidence = data["evidence"][0]  # type: ignore[index]
    assert evidence["kind"] == "blocklist"
    assert "campaign: Doppelganger Russia-based CIB network" in evidence["detail"]
    assert "reported 2023-Q2" in evidence["detail"]
    assert evidence["data"]["campaign"] == "Doppelganger Russia-based CIB network"
    assert evidence["data"]["source"].startswith("Meta threat-research indicators")
    assert evidence["data"]["source_url"].endswith(
        "Q2_2023_Doppelganger_Russia_based_CIB_network_updated.csv"
    )
    assert evidence["data"]["reported"] == "2023-Q2"
    assert check_json("artichoc.cc", "--no-blocklist")["verdict"] != "malicious"


def test_curated_entry_wins_over_the_feed_for_the_same_domain(feeds_dir: Path) -> None:
    evidence = check_json("welt.ltd")["evidence"][0]  # type: ignore[index]
    assert evidence["data"]["campaign"] == "Doppelgänger"  # blocked.toml, not the feed's label


def test_version_names_the_feed_date(feeds_dir: Path) -> None:
    code, out = run("--version")
    assert code == 0
    assert "feed meta-threat-research: 2026-05-19 (bundled" in out


def test_scan_summary_and_json_report_carry_the_feed_date(feeds_dir: Path, tmp_path: Path) -> None:
    post = tmp_path / "post.txt"
    post.write_text("read artichoc.cc now\n", encoding="utf-8")
    summary = tmp_path / "summary.json"
    code, out = run("scan", str(post), "--format", "json", "--summary", str(summary), "-q")
    assert code == 1
    assert json.loads(out)["summary"]["feeds"] == {"meta-threat-research": "2026-05-19 (bundled)"}
    assert json.loads(summary.read_text(encoding="utf-8"))["feeds"]["meta-threat-research"]
    code, out = run("scan", str(post), "--format", "markdown")
    assert "meta-threat-research 2026-05-19 (bundled)" in out


# --- update-feeds -----------------------------------------------------------------------------------


def test_update_feeds_fetches_all_feeds_and_says_what_changed(
    feed_server: dict[str, bytes], feeds_dir: Path
) -> None:
    code, out = update(feed_server)
    assert code == 0, out
    assert "meta-threat-research: 3 domains (+3 added, -" in out  # the bundled 619 are replaced
    assert "added: fixture-clone.press, fixture-old.ltd, fixture-outlet.info" in out
    assert "meta-doppelganger-redirects: 1 domains (+1 added, -0 removed)" in out
    assert "checkfirst-pravda: 1 domains (+1 added" in out
    assert "lin2023-ratings: 1 domains (+1 added" in out
    meta = tomllib.loads((feeds_dir / "meta-threat-research.toml").read_text(encoding="utf-8"))
    assert {e["domain"] for e in meta["blocked"]} == {
        "fixture-clone.press",
        "fixture-old.ltd",
        "fixture-outlet.info",
    }
    old = next(e for e in meta["blocked"] if e["domain"] == "fixture-old.ltd")
    assert old == {
        "domain": "fixture-old.ltd",
        "campaign": "Germany-targeting CIB domain",
        "source": "Meta threat-research indicators (github.com/facebook/threat-research)",
        "source_url": f"https://github.com/facebook/threat-research/blob/main/{quote(META_OLD)}",
        "reported": "2022-09-27",
    }
    assert [p for p in validate_rules([feeds_dir]) if p.severity == "error"] == []
    code, out = run("--version")
    assert "feed meta-threat-research: " in out and "(updated, 3 domains)" in out
    assert "feed lin2023-ratings: " in out
    # the refreshed copy replaces the bundled one; the platform of a sub-domain indicator is not listed
    assert check_json("fixture-clone.press")["verdict"] == "malicious"
    assert check_json("artichoc.cc")["verdict"] != "malicious"
    assert check_json("tilda.ws")["verdict"] != "malicious"
    pravda = check_json("news.fixture-pravda.com")["evidence"][0]  # type: ignore[index]
    assert pravda["data"]["campaign"] == "Pravda network (Portal Kombat)"
    assert pravda["data"]["source"].startswith("CheckFirst")
    # a second run changes nothing
    code, out = update(feed_server, "meta-threat-research")
    assert "meta-threat-research: 3 domains (+0 added, -0 removed)" in out


@pytest.mark.parametrize(
    ("feed", "path", "body"),
    [
        (
            "lin2023-ratings",
            "/hauselin/domain-quality-ratings/main/data/domain_pc1.csv",
            b"<html>rate limited</html>",
        ),
        (
            "lin2023-ratings",
            "/hauselin/domain-quality-ratings/main/data/domain_pc1.csv",
            b"domain,pc1\nx.com,7\n",
        ),
        ("meta-threat-research", f"/facebook/threat-research/main/{quote(META_NEW)}", b"<html>oops</html>"),
        ("meta-threat-research", "/repos/facebook/threat-research/git/trees/main?recursive=1", b"{not json"),
        (
            "checkfirst-pravda",
            "/repos/CheckFirstHQ/pravda-network/contents/data",
            b'{"message": "Not Found"}',
        ),
    ],
)
def test_malformed_feed_is_refused_without_touching_the_rules(
    feed_server: dict[str, bytes], feeds_dir: Path, feed: str, path: str, body: bytes
) -> None:
    assert update(feed_server)[0] == 0
    before = {p.name: p.read_bytes() for p in feeds_dir.iterdir()}
    feed_server[path] = body
    code, out = update(feed_server, feed)
    assert code == 3, out
    assert "Error:" in out
    assert {p.name: p.read_bytes() for p in feeds_dir.iterdir()} == before


def test_failed_download_is_refused_without_touching_the_rules(
    feed_server: dict[str, bytes], feeds_dir: Path
) -> None:
    del feed_server["/hauselin/domain-quality-ratings/main/data/domain_pc1.csv"]  # 404
    code, out = update(feed_server)
    assert code == 4, out
    assert not feeds_dir.exists() or list(feeds_dir.iterdir()) == []  # all or nothing
    assert [p.parent for p in feed_rule_files()] == [bundled_feeds_dir()]


# --- ratings ----------------------------------------------------------------------------------------


def test_low_rating_is_evidence_and_flag_and_no_ratings_removes_exactly_it(
    feed_server: dict[str, bytes], feeds_dir: Path
) -> None:
    assert update(feed_server, "lin2023-ratings")[0] == 0
    rated = check_json(LOW)
    plain = check_json(LOW, "--no-ratings")
    assert rated["flagged"] and rated["verdict"] == "suspicious"
    assert not plain["flagged"]
    ratings = [e for e in rated["evidence"] if e["kind"] == "rating"]  # type: ignore[union-attr]
    assert [e for e in rated["evidence"] if e["kind"] != "rating"] == plain["evidence"]  # type: ignore[union-attr]
    assert len(ratings) == 1
    assert ratings[0]["detail"].startswith("Lin et al. 2023, PNAS Nexus")
    assert "rates lowrated-fixture.com 0.12 on its 0-1 scale" in ratings[0]["detail"]
    assert ratings[0]["data"] | {} == {
        "rating": "aggregate news-domain quality, pc1",
        "value": 0.12,
        "source": ratings[0]["data"]["source"],
        "threshold": 0.3,
        "source_url": "https://doi.org/10.1093/pnasnexus/pgad286",
        "reported": "2023-09",
    }
    assert not check_json("highrated-fixture.com")["flagged"]  # 0.91: above the threshold, not kept


def test_scan_no_ratings_removes_the_rating_finding(
    feed_server: dict[str, bytes], feeds_dir: Path, tmp_path: Path
) -> None:
    assert update(feed_server, "lin2023-ratings")[0] == 0
    post = tmp_path / "post.txt"
    post.write_text(f"see https://{LOW}/story\n", encoding="utf-8")
    code, out = run("scan", str(post), "--format", "jsonl", "-q")
    assert code == 1 and '"kind":"rating"' in out.replace(" ", "")
    code, out = run("scan", str(post), "--format", "jsonl", "-q", "--no-ratings")
    assert code == 0 and out == ""


def test_rating_rule_validation(tmp_path: Path) -> None:
    feeds = tmp_path / "feeds"
    feeds.mkdir()
    bad = feeds / "x.toml"
    bad.write_text(
        '[[rating]]\ndomain = "a-fixture.com"\nvalue = 3\nrating = "r"\nsource = "s"\n'
        'reported = "2023-09"\n\n'
        '[[blocked]]\ndomain = "b-fixture.com"\nsource = "s"\nreported = "last year"\n',
        encoding="utf-8",
    )
    messages = [p.message for p in validate_rules([bad])]
    assert any("'value' must be a number from 0" in m for m in messages)
    assert any("must name its 'campaign'" in m for m in messages)
    assert any("must name its 'source_url'" in m for m in messages)
    assert any("'reported' should be a date" in m for m in messages)
    code, out = run("rules", "validate", str(bad))
    assert code == 3 and "provenance" in out


# --- MISP and STIX ----------------------------------------------------------------------------------


MISP_EVENT = {
    "Event": {
        "info": "Fixture campaign domains",
        "date": "2024-09-04",
        "Orgc": {"name": "Fixture CERT"},
        "Tag": [{"name": 'misp-galaxy:threat-actor="Fixture Actor"'}],
        "Attribute": [
            {"type": "domain", "value": "misp-fixture.net", "to_ids": True},
            {"type": "url", "value": "https://www.misp-url-fixture.org/a", "to_ids": True},
            {"type": "domain", "value": "context-only-fixture.net", "to_ids": False},
            {"type": "hostname", "value": "page.tilda.ws", "to_ids": True},
            {"type": "link", "value": "https://cert.example.org/report"},
        ],
        "Object": [{"Attribute": [{"type": "domain|ip", "value": "misp-object-fixture.com|192.0.2.1"}]}],
    }
}


def test_misp_event_import_blocks_with_source_and_campaign(feeds_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "event.json"
    path.write_text(json.dumps(MISP_EVENT), encoding="utf-8")
    code, out = run("rules", "import", str(path))
    assert code == 0, out
    assert "Imported 3 rule(s)" in out
    assert "left out 1 sub-domain indicator(s)" in out and "page.tilda.ws" in out
    rules = {r.domain: r for r in load_rules().blocked}
    rule = rules["misp-fixture.net"]
    assert rule.source == "Fixture CERT, MISP event 'Fixture campaign domains'"
    assert (rule.campaign, rule.reported, rule.source_url) == (
        "Fixture Actor",
        "2024-09-04",
        "https://cert.example.org/report",
    )
    assert "misp-url-fixture.org" in rules and "misp-object-fixture.com" in rules
    assert "context-only-fixture.net" not in rules and "tilda.ws" not in rules
    evidence = check_json("misp-fixture.net")["evidence"][0]  # type: ignore[index]
    assert "campaign: Fixture Actor" in evidence["detail"] and "Fixture CERT" in evidence["detail"]


def test_not_misp_or_stix_is_refused(feeds_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "other.json"
    path.write_text('{"hello": 1}', encoding="utf-8")
    code, out = run("rules", "import", str(path))
    assert code == 3 and "neither a MISP event" in out


@pytest.mark.parametrize("fmt", ["misp", "stix"])
def test_export_then_import_round_trips_flagged_domains(feeds_dir: Path, tmp_path: Path, fmt: str) -> None:
    """Flagged findings exported as MISP/STIX come back through `rules import` as blocked rules."""
    post = tmp_path / "post.txt"
    post.write_text(
        "see https://welt-nachrichten.info/x and https://artichoc.cc/y and https://example.com/\n"
    )
    code, out = run("scan", str(post), "--format", fmt, "-q")
    assert code == 1
    exported = tmp_path / f"flagged.{fmt}.json"
    exported.write_text(out, encoding="utf-8")
    other = tmp_path / "other-team-rules"
    code, out = run("rules", "import", str(exported), "--rules-dir", str(other))
    assert code == 0, out
    imported = {r.domain: r for r in load_rules([other / "rules.toml"]).blocked}
    assert set(imported) == {"welt-nachrichten.info"}  # artichoc.cc: already bundled, skipped
    assert "artichoc.cc: already present as blocked" in out
    lookalike = imported["welt-nachrichten.info"]
    assert lookalike.source.startswith("linkguard")
    assert lookalike.reported
    if fmt == "stix":  # the feed dates ride along as a note on the indicators
        objects = json.loads(exported.read_text(encoding="utf-8"))["objects"]
        notes = [o["content"] for o in objects if o["type"] == "note"]
        assert notes == ["linkguard indicator feeds in force: meta-threat-research 2026-05-19 (bundled)"]
    if fmt == "misp":  # the blocklisted domain's campaign and source travel in its tags
        event = json.loads(exported.read_text(encoding="utf-8"))["Event"]
        tags = [t["name"] for a in event["Attribute"] if a["value"] == "artichoc.cc" for t in a["Tag"]]
        assert 'linkguard:campaign="Doppelganger Russia-based CIB network"' in tags
        assert any(
            a["type"] == "comment" and "meta-threat-research" in a["value"] for a in event["Attribute"]
        )


def test_misp_campaign_tags_round_trip_into_rules(tmp_path: Path) -> None:
    from linkguard.feeds.interop import read_indicator_file

    event = {
        "Event": {
            "info": "linkguard: 1 flagged domain(s)",
            "date": "2026-12-01",
            "Orgc": {"name": "linkguard"},
            "Attribute": [
                {
                    "type": "domain",
                    "value": "tagged-fixture.info",
                    "to_ids": True,
                    "Tag": [
                        {"name": 'linkguard:campaign="Doppelganger Russia-based CIB network"'},
                        {"name": 'linkguard:source="Meta threat-research indicators"'},
                        {"name": 'linkguard:source_url="https://github.com/facebook/threat-research"'},
                    ],
                }
            ],
        }
    }
    path = tmp_path / "e.json"
    path.write_text(json.dumps(event), encoding="utf-8")
    rows = read_indicator_file(path)
    assert rows is not None and rows[0].fields == {
        "source": "Meta threat-research indicators",
        "reported": "2026-12-01",
        "source_url": "https://github.com/facebook/threat-research",
        "campaign": "Doppelganger Russia-based CIB network",
        "domain": "tagged-fixture.info",
    }


def test_stix_bundle_import_takes_campaign_from_relationships(feeds_dir: Path, tmp_path: Path) -> None:
    bundle = {
        "type": "bundle",
        "id": "bundle--1",
        "objects": [
            {"type": "identity", "id": "identity--a", "name": "Fixture Lab"},
            {"type": "campaign", "id": "campaign--c", "name": "Storm-Fixture"},
            {
                "type": "indicator",
                "id": "indicator--i",
                "name": "fake local paper",
                "created_by_ref": "identity--a",
                "pattern": "[domain-name:value = 'stix-fixture.news'] OR [url:value = 'https://stix-url-fixture.com/a']",
                "pattern_type": "stix",
                "valid_from": "2025-03-01T00:00:00Z",
                "external_references": [{"source_name": "report", "url": "https://lab.example.org/r"}],
            },
            {
                "type": "relationship",
                "id": "relationship--r",
                "relationship_type": "indicates",
                "source_ref": "indicator--i",
                "target_ref": "campaign--c",
            },
        ],
    }
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps(bundle), encoding="utf-8")
    code, out = run("rules", "import", str(path))
    assert code == 0, out
    rules = {r.domain: r for r in load_rules().blocked}
    rule = rules["stix-fixture.news"]
    assert (rule.source, rule.campaign, rule.reported, rule.source_url) == (
        "Fixture Lab, STIX indicator 'fake local paper'",
        "Storm-Fixture",
        "2025-03-01",
        "https://lab.example.org/r",
    )
    assert "stix-url-fixture.com" in rules


def test_a_popular_site_with_a_low_rating_is_flagged_and_a_trusted_outlet_is_not(feeds_dir: Path) -> None:
    """A rating is said even of a popular site (popularity is no vouching for quality), but an outlet
    or legitimate look-alike in the rules stays trusted; --no-ratings gives back today's verdict."""
    rules = feeds_dir.parent / "rules"
    rules.mkdir()
    (rules / "ratings.toml").write_text(
        "".join(
            f'[[rating]]\ndomain = "{domain}"\nvalue = 0.2\nrating = "fixture scale"\n'
            'source = "Fixture Lab"\n\n'
            for domain in ("zerohedge.com", "youtube.com")
        ),
        encoding="utf-8",
    )
    rated = check_json("zerohedge.com")
    assert rated["verdict"] == "suspicious" and rated["score"] == 60
    assert [e["kind"] for e in rated["evidence"]] == ["rating"]  # type: ignore[union-attr]
    assert rated["evidence"][0]["detail"].startswith("Fixture Lab rates zerohedge.com 0.20")  # type: ignore[index]
    plain = check_json("zerohedge.com", "--no-ratings")
    assert plain["verdict"] == "trusted" and plain["evidence"][0]["kind"] == "popular"  # type: ignore[index]
    assert check_json("youtube.com")["verdict"] == "trusted"  # listed as legit: the rules win


def test_parallel_scan_summary_names_the_feeds(feeds_dir: Path, tmp_path: Path) -> None:
    """scan --jobs merges the workers' counters; the summary still says how old the feeds are."""
    post = tmp_path / "post.txt"
    post.write_text("read artichoc.cc now\n", encoding="utf-8")
    summary = tmp_path / "summary.json"
    code, _ = run("scan", str(post), "--jobs", "2", "--format", "jsonl", "--summary", str(summary), "-q")
    assert code == 1
    assert json.loads(summary.read_text(encoding="utf-8"))["feeds"] == {
        "meta-threat-research": "2026-05-19 (bundled)"
    }
