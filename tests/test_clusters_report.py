"""Infrastructure clusters survive a saved scan: `scan --online` to JSON Lines, then `linkguard
report` draws the same cluster section as the scan's own report, in every format that has one,
rebuilt from what the saved findings carry (their infrastructure evidence, their `cluster` lines).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from forensics_servers import Server, two_cluster_members

from linkguard.cli import main
from linkguard.forensics.clusters import Fact, SavedClusters, build_clusters, cluster_id, index, with_cluster
from linkguard.models import Evidence, Finding, Verdict
from linkguard.scan import parse_target

#: The formats with a cluster section (or array, or grouping), and the file names given to them.
SECTIONED = {"html": "html", "markdown": "md", "table": "txt", "json": "json", "stix": "stix.json"}


pytestmark = pytest.mark.usefixtures("private_dirs")  # forensics_servers.private_dirs


def _section(fmt: str, text: str) -> object:
    """The cluster part of a report in ``fmt``."""
    if fmt == "html":
        return text[text.index('<section id="clusters">') :].split("</section>")[0]
    if fmt == "markdown":
        return text[text.index("## Infrastructure clusters") :]
    if fmt == "table":
        return text[text.index("Infrastructure cluster ") :]
    if fmt == "json":
        return json.loads(text)["clusters"]
    objects = {o["id"]: o for o in json.loads(text)["objects"]}
    return sorted(  # what each grouping holds (ids of time-stamped objects differ between runs)
        (
            o["name"],
            sorted(
                str(objects[r].get("value") or objects[r].get("name") or r.split("--")[0])
                for r in o["object_refs"]
            ),
        )
        for o in objects.values()
        if o["type"] == "grouping"
    )


def test_report_from_saved_jsonl_rebuilds_the_cluster_section(
    web: Server, rdap: Server, rules_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = [*two_cluster_members(web, rdap, rules_file, tmp_path), "--all"]
    saved = tmp_path / "saved.jsonl"
    assert main([*args, "-o", str(saved)]) == 1
    # each format's cluster part, from the scan itself and from `report` of the saved JSON Lines
    expected = cluster_id(["welt.ltd", "welt.top"])
    for fmt, suffix in SECTIONED.items():
        scanned, reported = tmp_path / f"scanned.{suffix}", tmp_path / f"reported.{suffix}"
        assert main([*args, "-f", fmt, "-o", str(scanned)]) == 1
        assert main(["report", str(saved), "--all", "-f", fmt, "-o", str(reported)]) == 1
        section = _section(fmt, reported.read_text(encoding="utf-8"))
        assert expected in str(section), fmt
        assert section == _section(fmt, scanned.read_text(encoding="utf-8")), fmt
    html = _section("html", (tmp_path / "reported.html").read_text(encoding="utf-8"))
    assert f"<h3>{expected} (2 domains)</h3>" in str(html) and "<svg " in str(html)
    (cluster,) = _section("json", (tmp_path / "reported.json").read_text(encoding="utf-8"))  # type: ignore[misc]
    assert cluster["id"] == expected and cluster["members"] == ["welt.ltd", "welt.top"]
    shared = {(s["kind"], s["value"]): s["members"] for s in cluster["shared"]}
    assert shared[("ip", "127.0.0.1")] == ["welt.ltd", "welt.top"]
    assert ("registrar-week", "Cheap Names LLC, 2024-W18") in shared

    # a saved file holding one member's findings only: the cluster is drawn from its `cluster` lines
    rows = saved.read_text(encoding="utf-8").splitlines()
    partial = tmp_path / "partial.jsonl"
    partial.write_text(
        "\n".join(r for r in rows if json.loads(r)["host"] != "welt.top") + "\n", encoding="utf-8"
    )
    for fmt, suffix in SECTIONED.items():
        path = tmp_path / f"partial.{suffix}"
        assert main(["report", str(partial), "-f", fmt, "-o", str(path)]) == 1
        text = path.read_text(encoding="utf-8")
        assert expected in str(_section(fmt, text)), fmt
    (alone,) = _section("json", (tmp_path / "partial.json").read_text(encoding="utf-8"))  # type: ignore[misc]
    assert alone["members"] == ["welt.ltd", "welt.top"]
    assert {(s["kind"], s["value"]): s["members"] for s in alone["shared"]} == shared  # welt.ltd's facts, all

    # an offline scan read back has no cluster section
    offline = tmp_path / "offline.jsonl"
    dump = tmp_path / "posts.txt"  # written by two_cluster_members above
    offline_args = ["scan", str(dump), "--rules", str(rules_file), "--no-blocklist", "-q"]
    assert main([*offline_args, "-o", str(offline)]) == 1
    assert main(["report", str(offline), "-f", "json"]) == 1
    assert "clusters" not in json.loads(capsys.readouterr().out)


# -- unit: SavedClusters ---------------------------------------------------------------------------
def _flagged(url: str, *evidence: Evidence) -> Finding:
    link = parse_target(url)
    assert link is not None
    return Finding(link, Verdict("suspicious", 70, None, (), evidence), "saved.jsonl", 1, 1)


def test_saved_clusters_from_facts_equal_the_scans_and_lines_stand_in_for_missing_members() -> None:
    def dns(host: str) -> Evidence:
        return Evidence("dns", f"{host} resolves", {"host": host, "a": ["198.51.100.7"], "aaaa": []})

    a, b = _flagged("https://welt.ltd/", dns("welt.ltd")), _flagged("https://welt.top/", dns("welt.top"))
    (cluster,) = build_clusters(
        {"welt.ltd": {Fact("ip", "198.51.100.7")}, "welt.top": {Fact("ip", "198.51.100.7")}}
    )
    marked = with_cluster(a, index([cluster]))
    saved = SavedClusters()
    for item in (marked, b):
        saved.add(item)
    assert saved.clusters() == [cluster]  # rebuilt from the dns facts
    only_a = SavedClusters()
    only_a.add(marked)  # welt.top's finding was not saved: its line says what the two share
    assert only_a.clusters() == [cluster]
    # a line written before `domain` and the fact's `members` were kept: the finding's own domain
    (line,) = [e for e in marked.verdict.evidence if e.kind == "cluster"]
    old = {
        "cluster": line.data["cluster"],
        "members": line.data["members"],
        "shared": [{"kind": "ip", "value": "198.51.100.7"}],
    }
    legacy = SavedClusters()
    legacy.add(_flagged("https://welt.ltd/", Evidence("cluster", line.detail, old)))
    (drawn,) = legacy.clusters()
    assert (drawn.id, drawn.members) == (cluster.id, cluster.members)
    assert [(f.kind, f.value, f.members) for f in drawn.shared] == [("ip", "198.51.100.7", ("welt.ltd",))]
    # lines that are not a cluster's (hand-edited, garbled) are ignored
    junk = SavedClusters()
    junk.add(_flagged("https://welt.ltd/", Evidence("cluster", "x", {"cluster": 5, "members": ["a"]})))
    junk.add(
        _flagged(
            "https://welt.ltd/",
            Evidence(
                "cluster",
                "x",
                {"cluster": "c", "members": ["a", "b"], "shared": [{"kind": "?", "value": 1}, 3]},
            ),
        )
    )
    assert [(c.id, c.shared) for c in junk.clusters()] == [("c", ())]
