"""`linkguard check` online and `linkguard cache`, end to end against loopback servers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from forensics_servers import Server

from linkguard.cli import main

pytestmark = pytest.mark.usefixtures("private_dirs")  # forensics_servers.private_dirs


def check_args(web: Server, rdap: Server, rules_file: Path) -> list[str]:
    return [
        "check",
        f"http://welt.ltd:{web.port}/start",
        "--resolve",
        "welt.ltd:127.0.0.1",
        "--format",
        "json",
        "--rdap-url",
        f"{rdap.base}/",
        "--rules",
        str(rules_file),
        "--no-blocklist",
        "--no-cache",
    ]


def test_check_online_reports_chain_claim_and_verdict(
    web: Server, rdap: Server, rules_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main([*check_args(web, rdap, rules_file), "--allow-private"])
    out, err = capsys.readouterr()
    assert "WARNING: --allow-private" in err
    assert code == 1
    finding = json.loads(out)
    assert finding["verdict"] == "suspicious"
    assert finding["impersonates"]["domain"] == "welt.de"
    kinds = {e["kind"] for e in finding["evidence"]}
    assert {"redirect-chain", "final-url", "page-claim", "canonical", "registration"} <= kinds
    chain = next(e for e in finding["evidence"] if e["kind"] == "redirect-chain")
    assert [h.get("kind") for h in chain["data"]["hops"]] == ["http", "meta", "js", None]
    assert "page-claims-outlet" in finding["techniques"]
    assert web.paths()[:4] == ["/start", "/hop2", "/hop3", "/article"]


def test_check_without_allow_private_refuses_in_one_line(
    web: Server, rdap: Server, rules_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(check_args(web, rdap, rules_file))
    out, err = capsys.readouterr()
    assert code == 4
    assert out == ""
    assert err.count("\n") == 1
    assert err.startswith("Error: refused to connect to welt.ltd (127.0.0.1): loopback address")
    assert web.paths() == [] and rdap.paths() == []


def test_check_offline_touches_nothing(
    web: Server, rdap: Server, rules_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main([*check_args(web, rdap, rules_file), "--offline"])
    finding = json.loads(capsys.readouterr().out)
    assert code == 1 and finding["verdict"] == "suspicious"
    assert not {"redirect-chain", "dns", "registration"} & {e["kind"] for e in finding["evidence"]}
    assert web.paths() == [] and rdap.paths() == []


@pytest.mark.parametrize(
    ("flag", "value"), [("--resolve", "welt.ltd"), ("--resolve", "welt.ltd:nope"), ("--whois-server", "x")]
)
def test_bad_network_flags_are_usage_errors(flag: str, value: str) -> None:
    assert main(["check", "welt.ltd", flag, value]) == 2


def test_cache_info_and_clear(capsys: pytest.CaptureFixture[str]) -> None:
    from linkguard.forensics import ForensicsCache

    with ForensicsCache() as cache:
        cache.set("dns", "welt.ltd", {"a": ["127.0.0.1"]})
    assert main(["cache", "info", "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["kinds"] == {"dns": 1}
    assert main(["cache", "clear"]) == 0
    assert "Removed 1 cached entry" in capsys.readouterr().out
    assert main(["cache", "info"]) == 0
    assert "entries: 0 live" in capsys.readouterr().out


def test_scan_online_investigates_flagged_and_shortened_links(
    web: Server, rdap: Server, rules_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dump = tmp_path / "posts.txt"
    dump.write_text(
        f"Neu: http://welt.ltd:{web.port}/start lesen\nNormal: welt.de und http://example.org/x\n",
        encoding="utf-8",
    )
    args = ["scan", str(dump), "--all", "--format", "jsonl", "--online", "--allow-private"]
    args += ["--resolve", "welt.ltd:127.0.0.1", "--rdap-url", f"{rdap.base}/", "--no-cache"]
    args += ["--rules", str(rules_file), "--no-blocklist", "-q"]
    code = main(args)
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["host"] for r in rows] == ["welt.ltd", "welt.de", "example.org"]  # input order kept
    clone = rows[0]
    assert clone["verdict"] == "suspicious" and clone["impersonates"]["domain"] == "welt.de"
    assert {"redirect-chain", "page-claim", "registration"} <= {e["kind"] for e in clone["evidence"]}
    assert all(e["kind"] not in ("redirect-chain", "dns") for r in rows[1:] for e in r["evidence"])
    assert web.paths()[:4] == ["/start", "/hop2", "/hop3", "/article"]
    assert code == 1


def test_scan_is_offline_without_the_flag(
    web: Server, rules_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dump = tmp_path / "posts.txt"
    dump.write_text(f"http://welt.ltd:{web.port}/start\n", encoding="utf-8")
    code = main(["scan", str(dump), "--format", "jsonl", "--rules", str(rules_file), "--no-blocklist", "-q"])
    (row,) = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert row["verdict"] == "suspicious"
    assert web.paths() == []  # no request without --online
    assert code == 1
