"""Infrastructure clusters on `linkguard serve --online`: the API's online scan and the page show the
clusters `scan --online` finds, on the same dump (two lookalikes sharing one loopback server, its
clone page and a registrar week); offline scans, the default, fetch nothing and have none."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from forensics_servers import Server, two_cluster_members
from web_servers import client, csrf_of, new_engine, running

from linkguard.cli import main
from linkguard.cli.netopts import NetOptions, build_investigator
from linkguard.forensics.clusters import cluster_id
from linkguard.web import Engine

pytestmark = pytest.mark.usefixtures("private_dirs")  # forensics_servers.private_dirs
EXPECTED = cluster_id(["welt.ltd", "welt.top"])


def _engine(tmp_path: Path, rdap: Server, *, online: bool = True, slots: int = 2) -> Engine:
    """What `serve --online --allow-private --no-blocklist` builds, with the CLI's user rules dir."""
    net = NetOptions(
        online=True,
        allow_private=True,
        resolve=("welt.ltd:127.0.0.1", "welt.top:127.0.0.1"),
        rdap_url=f"{rdap.base}/",
        no_cache=True,
    )

    def factory(detector: Any) -> Any:
        return build_investigator(net, detector.classify, detector.rules.outlets)

    return new_engine(
        tmp_path / "user-rules",  # $LINKGUARD_RULES_DIR of private_dirs: the CLI's rules too
        use_blocklist=False,
        investigator_factory=factory if online else None,
        max_investigations=slots,
    )


@pytest.fixture
def dump_args(web: Server, rdap: Server, rules_file: Path, tmp_path: Path) -> list[str]:
    """`scan --online` of the two-member dump, with the rules `serve` uses (bundled and the user's)."""
    args = two_cluster_members(web, rdap, rules_file, tmp_path)
    at = args.index("--rules")
    return args[:at] + args[at + 2 :]


@pytest.fixture
def lab(tmp_path: Path, rdap: Server, dump_args: list[str]) -> Iterator[str]:
    with running(_engine(tmp_path, rdap)) as base:
        yield base


def _cluster_lines(findings: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {f["host"]: e["data"] for f in findings for e in f["evidence"] if e["kind"] == "cluster"}


def test_api_online_scan_has_the_clusters_of_scan_online(
    lab: str, web: Server, dump_args: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dump = Path(dump_args[1])
    saved = tmp_path / "cli.json"
    assert main([*dump_args, "--format", "json", "--all", "-o", str(saved)]) == 1
    capsys.readouterr()
    cli = json.loads(saved.read_text("utf-8"))
    fetched = len(web.paths())

    with client(lab) as c:
        offline = c.post("/api/v1/scan", content=dump.read_bytes()).json()
        assert len(web.paths()) == fetched  # "online" is asked for, never assumed
        doc = c.post("/api/v1/scan?online=true", content=dump.read_bytes()).json()
        upload = c.post(
            "/api/v1/scan", files={"file": ("posts.txt", dump.read_bytes())}, data={"online": "true"}
        ).json()

    assert "clusters" not in offline and not _cluster_lines(offline["findings"])
    assert [c["id"] for c in doc["clusters"]] == [EXPECTED]
    assert doc["clusters"] == cli["clusters"]  # the same members and shared facts as the CLI's
    lines = _cluster_lines(doc["findings"])
    assert set(lines) == {"welt.ltd", "welt.top"} and lines == _cluster_lines(cli["findings"])
    assert [f["host"] for f in doc["findings"]] == [f["host"] for f in cli["findings"]]  # input order
    assert doc["summary"]["investigations"] == cli["summary"]["investigations"]
    assert upload["clusters"] == doc["clusters"]  # a multipart upload opts in by its field


def test_online_scan_needs_an_online_server_and_a_free_slot(
    tmp_path: Path, rdap: Server, web: Server
) -> None:
    with running(_engine(tmp_path / "a", rdap, online=False)) as base, client(base) as c:
        refused = c.post("/api/v1/scan?online=true", content=b"welt.ltd")
        assert refused.status_code == 400 and "serve --online" in refused.json()["detail"]
        assert c.post("/api/v1/scan?online=yes", content=b"welt.ltd").status_code == 400
    with running(_engine(tmp_path / "b", rdap, slots=0)) as base, client(base) as c:
        busy = c.post("/api/v1/scan?online=true", content=b"welt.ltd")
        assert busy.status_code == 503 and busy.headers["retry-after"] == "5"
        token = csrf_of(c.get("/").text)
        page = c.post("/scan", data={"csrf": token, "text": "welt.ltd", "online": "on"})
        assert page.status_code == 503 and "busy" in page.text
    assert web.paths() == [] and rdap.paths() == []


def test_page_online_scan_shows_the_clusters_and_its_downloads_keep_them(
    lab: str, web: Server, dump_args: list[str]
) -> None:
    dump = Path(dump_args[1])
    with client(lab) as c:
        form = c.get("/").text
        assert 'name="online"' in form  # offered on an online server only
        text = dump.read_text("utf-8")
        offline = c.post("/scan", data={"csrf": csrf_of(form), "text": text}).text
        assert 'id="clusters"' not in offline
        page = c.post("/scan", data={"csrf": csrf_of(form), "text": text, "online": "on"}).text
        fetched = len(web.paths())
        section = page[page.index('<section aria-labelledby="clusters-title" id="clusters">') :]
        assert f'<h4 id="cluster1-title">{EXPECTED} (2 domains)</h4>' in section
        assert "<code>welt[.]ltd</code>" in section and "<code>welt[.]top</code>" in section  # defanged
        assert "registrar and week" in section and "Cheap Names LLC" in section
        assert "welt.ltd" not in section.split("</section>")[0]  # no live name in the section
        result = page[page.index("/results/") :].split("/")[2]
        html = c.get(f"/results/{result}/report.html").text
        rows = [json.loads(line) for line in c.get(f"/results/{result}/report.jsonl").text.splitlines()]
    assert f"<h3>{EXPECTED} (2 domains)</h3>" in html[html.index('<section id="clusters">') :]
    assert set(_cluster_lines(rows)) == {"welt.ltd", "welt.top"}
    assert len(web.paths()) == fetched  # the downloads render what was investigated, no new fetch


def test_page_offers_no_online_scan_offline(tmp_path: Path, rdap: Server) -> None:
    with running(_engine(tmp_path, rdap, online=False)) as base, client(base) as c:
        form = c.get("/").text
        assert 'name="online"' not in form
        page = c.post("/scan", data={"csrf": csrf_of(form), "text": "welt.ltd x", "online": "on"})
    assert page.status_code == 400 and "serve --online" in page.text


def test_openapi_describes_the_online_scan_and_the_clusters_as_written() -> None:
    from linkguard.forensics.clusters import Cluster, SharedFact
    from linkguard.web.openapi import openapi_document

    doc = openapi_document()
    scan = doc["paths"]["/api/v1/scan"]["post"]
    (online,) = [p for p in scan["parameters"] if p["name"] == "online"]
    assert online["in"] == "query" and "serve --online" in online["description"]
    assert "cluster" in scan["description"] and "503" in scan["responses"]
    schemas = doc["components"]["schemas"]
    listed = schemas["ScanResult"]["properties"]["clusters"]["items"]
    assert listed == {"$ref": "#/components/schemas/Cluster"}
    fact = SharedFact("ip", "192.0.2.1", ("a.example", "b.example"))
    written = Cluster("cluster-0", ("a.example", "b.example"), (fact,))
    described = schemas["Cluster"]["properties"]
    assert set(described) == set(written.to_dict())
    assert set(described["shared"]["items"]["properties"]) == set(written.to_dict()["shared"][0])
    rendered = doc["paths"]["/api/v1/report"]["post"]
    assert "422" in rendered["responses"] and "linkguard report" in rendered["summary"]


def test_a_saved_scan_is_rendered_with_the_clusters_linkguard_report_finds(
    tmp_path: Path, rdap: Server, web: Server, dump_args: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    """An offline server renders a saved `scan --online` as `linkguard report` does: the API's
    `/report` and the page's "saved scan" format, even with one member's finding left out."""
    saved = tmp_path / "saved.jsonl"
    assert main([*dump_args, "--format", "jsonl", "-o", str(saved)]) == 1
    lines = saved.read_text("utf-8").splitlines(keepends=True)
    partial = tmp_path / "partial.jsonl"
    partial.write_text(lines[0], encoding="utf-8")  # welt.top's finding left out
    expected: dict[str, Any] = {}
    for path in (saved, partial):
        out = tmp_path / f"{path.stem}.json"
        assert main(["report", str(path), "--format", "json", "-o", str(out)]) == 1
        expected[path.stem] = json.loads(out.read_text("utf-8"))
    capsys.readouterr()
    fetched = len(web.paths())

    with running(_engine(tmp_path / "offline", rdap, online=False)) as base, client(base) as c:
        full = c.post("/api/v1/report", content=saved.read_bytes()).json()
        part = c.post("/api/v1/report", files={"file": ("partial.jsonl", partial.read_bytes())}).json()
        not_scan = c.post("/api/v1/report", content=b"https://welt.ltd/ is no saved scan\n")
        form = c.get("/").text
        page = c.post(
            "/scan",
            data={"csrf": csrf_of(form), "input_format": "saved-scan"},
            files={"file": ("saved.jsonl", saved.read_bytes())},
        ).text
        result = page[page.index("/results/") :].split("/")[2]
        html = c.get(f"/results/{result}/report.html").text
        bad_page = c.post(
            "/scan", data={"csrf": csrf_of(form), "input_format": "saved-scan", "text": "welt.ltd x"}
        )

    assert full["clusters"] == expected["saved"]["clusters"] and [c["id"] for c in full["clusters"]] == [
        EXPECTED
    ]
    assert part["clusters"] == expected["partial"]["clusters"]  # drawn from the saved cluster lines
    assert part["clusters"][0]["members"] == ["welt.ltd", "welt.top"]
    assert full["findings"] == expected["saved"]["findings"]
    assert full["summary"]["links"] == expected["saved"]["summary"]["links"] == 2
    assert not_scan.status_code == 422 and "not a linkguard JSONL scan" in not_scan.json()["detail"]
    assert f'<h4 id="cluster1-title">{EXPECTED} (2 domains)</h4>' in page
    assert f"<h3>{EXPECTED} (2 domains)</h3>" in html[html.index('<section id="clusters">') :]
    assert bad_page.status_code == 422 and "not a linkguard JSONL scan" in bad_page.text
    assert len(web.paths()) == fetched  # rendering a saved scan fetches nothing
