"""`--evidence DIR`: every exchange as WARC 1.1 that warcio reads back, and a manifest to cite.

Against loopback servers that count the requests they answer, so "one record per exchange" is
checked against what the servers saw, and every hash against the bodies read back.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from forensics_servers import Server, WhoisServer, free_port
from warcio.archiveiterator import ArchiveIterator

from linkguard.cli import main


@pytest.fixture(autouse=True)
def private_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("LINKGUARD_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("LINKGUARD_RULES_DIR", str(tmp_path / "user-rules"))


def check(web: Server, rules_file: Path, evidence: Path, path: str, *extra: str) -> list[str]:
    args = [
        "check",
        f"http://welt.ltd:{web.port}{path}",
        "--resolve",
        "welt.ltd:127.0.0.1",
        "--allow-private",
    ]
    args += ["--format", "json", "--rules", str(rules_file), "--no-blocklist", "--evidence", str(evidence)]
    return [*args, *extra]


def read_warc(directory: Path) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The manifest, and every record of the WARC files it names, read back with warcio."""
    manifest = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
    records: list[dict[str, Any]] = []
    for name in manifest["warc_files"]:
        with (directory / name).open("rb") as stream:
            for record in ArchiveIterator(stream, check_digests=True):
                body = record.content_stream().read()
                records.append(
                    {
                        "version": record.rec_headers.protocol,
                        "type": record.rec_type,
                        "id": record.rec_headers.get_header("WARC-Record-ID"),
                        "uri": record.rec_headers.get_header("WARC-Target-URI"),
                        "ip": record.rec_headers.get_header("WARC-IP-Address"),
                        "sha256": hashlib.sha256(body).hexdigest(),
                        "status": record.http_headers.get_statuscode() if record.http_headers else None,
                    }
                )
    return manifest, records


def test_check_writes_one_warc_record_per_exchange_with_hashes_matching_the_manifest(
    web: Server, rdap: Server, rules_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    evidence = tmp_path / "evidence"
    code = main(check(web, rules_file, evidence, "/start", "--rdap-url", f"{rdap.base}/"))
    finding = json.loads(capsys.readouterr().out)
    assert code == 1
    manifest, records = read_warc(evidence)
    assert manifest["tool"] == "linkguard" and manifest["version"] and manifest["warc_version"] == "WARC/1.1"
    assert manifest["options"]["resolve"] == ["welt.ltd:127.0.0.1"] and manifest["options"]["allow_private"]
    assert {r["version"] for r in records} == {"WARC/1.1"}
    responses = [r for r in records if r["type"] == "response"]
    # one record per exchange: as many as the two servers answered (3 visitor walks of 4 hops + RDAP)
    assert len(responses) == len(web.requests) + len(rdap.requests) == 13
    exchanges = {e["record_id"]: e for e in manifest["exchanges"]}
    assert set(exchanges) == {r["id"] for r in responses}
    for record in responses:
        listed = exchanges[record["id"]]
        assert listed["sha256"] == record["sha256"]  # the hash cited is the body archived
        assert listed["url"] == record["uri"] and listed["ip"] == record["ip"] == "127.0.0.1"
        assert listed["link"] == f"http://welt.ltd:{web.port}/start"
    assert {e["profile"] for e in exchanges.values()} == {"browser", "social", "crawler"}
    assert any(r["uri"].endswith("/domain/welt.ltd") for r in responses)  # the RDAP answer is kept too
    (cited,) = [e for e in finding["evidence"] if e["kind"] == "archive"]
    assert {r["record_id"] for r in cited["data"]["records"]} == set(exchanges)
    assert {r["sha256"] for r in cited["data"]["records"]} == {r["sha256"] for r in responses}


def test_failed_exchanges_are_listed_and_whois_answers_archived(
    web: Server, whois: WhoisServer, rules_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    evidence = tmp_path / "evidence"
    dead_rdap = f"http://127.0.0.1:{free_port()}/"
    args = check(web, rules_file, evidence, "/article", "--rdap-url", dead_rdap)
    code = main([*args, "--whois-server", f"127.0.0.1:{whois.port}"])
    capsys.readouterr()
    assert code == 1
    manifest, records = read_warc(evidence)
    failed = [e for e in manifest["exchanges"] if e["error"]]
    assert [e["url"] for e in failed] == [f"{dead_rdap}domain/welt.ltd"]  # tried, no answer, no record
    assert failed[0]["record_id"] is None and "could not connect" in failed[0]["error"]
    (answer,) = [r for r in records if r["type"] == "response" and r["uri"].startswith("whois://")]
    listed = next(e for e in manifest["exchanges"] if e["record_id"] == answer["id"])
    assert listed["kind"] == "whois" and listed["sha256"] == answer["sha256"]
    assert whois.queries == ["welt.ltd"]


def test_evidence_is_never_answered_from_the_cache(
    web: Server, rules_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rdap = ("--rdap-url", f"http://127.0.0.1:{free_port()}/")
    assert main(check(web, rules_file, tmp_path / "first", "/article", *rdap)) == 1
    assert main(check(web, rules_file, tmp_path / "second", "/article", *rdap)) == 1
    capsys.readouterr()
    first, second = (read_warc(tmp_path / name)[1] for name in ("first", "second"))
    assert (
        len([r for r in second if r["type"] == "response"])
        == 3
        == len([r for r in first if r["type"] == "response"])
    )


def test_existing_evidence_is_not_overwritten(
    web: Server, rules_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    evidence = tmp_path / "evidence"
    evidence.mkdir()
    (evidence / "manifest.json").write_text("{}", encoding="utf-8")
    assert main(check(web, rules_file, evidence, "/article")) == 3
    assert "already holds evidence" in capsys.readouterr().err
    assert (evidence / "manifest.json").read_text(encoding="utf-8") == "{}"
    assert web.paths() == []


@pytest.mark.parametrize("command", [["check", "welt.ltd", "--offline"], ["scan", "-"]])
def test_evidence_needs_the_network(command: list[str], tmp_path: Path) -> None:
    assert main([*command, "--evidence", str(tmp_path / "e")]) == 2
    assert not (tmp_path / "e").exists()


def test_scan_online_cites_each_findings_own_records(
    web: Server, rules_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dump = tmp_path / "posts.txt"
    dump.write_text(
        f"http://welt.ltd:{web.port}/article\nhttp://welt.ltd:{web.port}/harmless\n", encoding="utf-8"
    )
    evidence = tmp_path / "evidence"
    args = [
        "scan",
        str(dump),
        "--format",
        "jsonl",
        "--online",
        "--allow-private",
        "--resolve",
        "welt.ltd:127.0.0.1",
    ]
    args += ["--rules", str(rules_file), "--no-blocklist", "-q", "--evidence", str(evidence)]
    args += ["--rdap-url", f"http://127.0.0.1:{free_port()}/", "--concurrency", "2"]
    assert main(args) == 1
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    manifest, _ = read_warc(evidence)
    for row in rows:
        (cited,) = [e for e in row["evidence"] if e["kind"] == "archive"]
        ids = {r["record_id"] for r in cited["data"]["records"] if r["record_id"]}
        mine = {e["record_id"] for e in manifest["exchanges"] if e["link"] == row["url"] and e["record_id"]}
        assert ids == mine and len(ids) == 3  # three visitor profiles, one page each
