"""Infrastructure clusters end to end: `scan --online` over two lookalikes on one loopback server.

welt.ltd and welt.top both resolve (``--resolve``) to 127.0.0.1, are served the same clone page by
the same server, and are registered through the same registrar in the same week (the loopback
RDAP registry): one cluster, named in each finding's evidence, drawn in HTML and grouped in STIX.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from forensics_servers import Server, two_cluster_members

from linkguard.cli import main
from linkguard.forensics.clusters import cluster_id
from linkguard.report import FORMATS

pytestmark = pytest.mark.usefixtures("private_dirs")  # forensics_servers.private_dirs


def test_two_lookalikes_sharing_address_and_template_are_one_cluster_in_every_format(
    web: Server, rdap: Server, rules_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = two_cluster_members(web, rdap, rules_file, tmp_path)
    outputs = {fmt: tmp_path / f"report.{fmt}" for fmt in FORMATS}
    for fmt, path in outputs.items():
        assert main([*args, "--format", fmt, "-o", str(path)]) == 1
    capsys.readouterr()
    expected = cluster_id(["welt.ltd", "welt.top"])

    rows = [json.loads(line) for line in outputs["jsonl"].read_text(encoding="utf-8").splitlines()]
    assert [r["host"] for r in rows] == ["welt.ltd", "welt.top"]  # input order kept
    for row in rows:
        (line,) = [e for e in row["evidence"] if e["kind"] == "cluster"]
        assert line["data"]["cluster"] == expected
        assert line["data"]["members"] == ["welt.ltd", "welt.top"]
        shared = {(s["kind"], s["value"]) for s in line["data"]["shared"]}
        assert ("ip", "127.0.0.1") in shared
        assert ("registrar-week", "Cheap Names LLC, 2024-W18") in shared
        assert any(kind == "template" for kind, _ in shared)

    page = outputs["html"].read_text(encoding="utf-8")
    section = page[page.index('<section id="clusters">') :]
    assert f"<h3>{expected} (2 domains)</h3>" in section
    assert section.count("<svg ") == 1 and "welt[.]ltd" in section and "welt[.]top" in section
    assert '<table class="cluster-facts">' in section
    assert "<script" not in page

    bundle = json.loads(outputs["stix"].read_text(encoding="utf-8"))
    objects = {o["id"]: o for o in bundle["objects"]}
    (grouping,) = [o for o in bundle["objects"] if o["type"] == "grouping"]
    assert grouping["name"] == f"Infrastructure cluster {expected}"
    refs = [objects[r] for r in grouping["object_refs"]]
    assert {o["value"] for o in refs if o["type"] == "domain-name"} >= {"welt.ltd", "welt.top"}
    assert {o["value"] for o in refs if o["type"] == "ipv4-addr"} == {"127.0.0.1"}
    assert any(o["type"] == "relationship" and o["relationship_type"] == "resolves-to" for o in refs)

    # every other format names the cluster too (a section, or each finding's evidence line)
    for fmt, path in outputs.items():
        if fmt == "xlsx":
            from openpyxl import load_workbook

            book = load_workbook(path, read_only=True)
            text = " ".join(
                str(c) for sheet in book for row in sheet.iter_rows(values_only=True) for c in row
            )
            book.close()
        else:
            text = path.read_text(encoding="utf-8")
        assert expected in text, fmt
