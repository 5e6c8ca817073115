"""A failed investigation is a failure, never an accusation: through the CLI, on loopback.

A shortener whose target could not be learnt (connection refused, refused by the network policy)
stays ``shortened``: the post's claim to be welt.de is not compared with the shortener's own name.
The evidence says what failed, the summary counts investigations by outcome, and the exit code is
4 when nothing is flagged but an investigation asked for could not complete.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from forensics_servers import WELT_RULES, Server, free_port, serve_static

from linkguard.cli import main
from linkguard.forensics import FetchLimits, Investigator, NetworkPolicy
from linkguard.models import Verdict
from linkguard.scan import parse_target

SHORTENER_RULES = WELT_RULES + '\n[[shortener]]\ndomain = "bit.ly"\nowner = "Bitly"\n'


pytestmark = pytest.mark.usefixtures("private_dirs")  # forensics_servers.private_dirs


@pytest.fixture
def rules(tmp_path: Path) -> Path:
    path = tmp_path / "rules.toml"
    path.write_text(SHORTENER_RULES, encoding="utf-8")
    return path


def post(tmp_path: Path, port: int, path: str = "/abc") -> Path:
    """An HTML post whose anchor shows "Welt.de" over a bit.ly link (the card claim of the campaign)."""
    page = tmp_path / "post.html"
    page.write_text(f'<p>Neu: <a href="http://bit.ly:{port}{path}">Welt.de</a></p>', encoding="utf-8")
    return page


def scan(page: Path, rules: Path, *extra: str) -> list[str]:
    args = ["scan", str(page), "--all", "--format", "jsonl", "--online", "--resolve", "bit.ly:127.0.0.1"]
    return [*args, "--rules", str(rules), "--no-cache", "--budget", "20", *extra]


def kinds(row: dict[str, Any]) -> dict[str, str]:
    return {e["kind"]: e["detail"] for e in row["evidence"]}


def test_a_refusing_shortener_stays_shortened_and_exits_4(
    tmp_path: Path, rules: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    summary = tmp_path / "summary.json"
    code = main([*scan(post(tmp_path, free_port()), rules, "--allow-private"), "--summary", str(summary)])
    out, err = capsys.readouterr()
    (row,) = [json.loads(line) for line in out.splitlines()]
    assert row["verdict"] == "shortened" and not row["flagged"] and row["score"] == 0
    assert row["impersonates"] is None and "display-mismatch" not in row["techniques"]
    evidence = kinds(row)
    assert "could not connect" in evidence["fetch-error"]  # what failed ...
    assert "where this shortened link leads is unknown" in evidence["unresolved"]
    assert "the post's claim 'Welt.de' was not checked" in evidence["unresolved"]  # ... and what it means
    assert not any("leads to bit.ly" in d for d in evidence.values())
    assert code == 4
    assert "Investigations: failed 1" in err
    assert err.count("the network seems unreachable") == 1
    assert json.loads(summary.read_text())["investigations"] == {"failed": 1}


def test_a_shortener_refused_by_the_network_policy_is_not_an_accusation(
    tmp_path: Path, rules: Path, web: Server, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(scan(post(tmp_path, web.port), rules, "-q"))  # no --allow-private: loopback is refused
    out, err = capsys.readouterr()
    (row,) = [json.loads(line) for line in out.splitlines()]
    assert row["verdict"] == "shortened" and not row["flagged"]
    evidence = kinds(row)
    assert "loopback" in evidence["blocked-address"]
    assert "the investigation was refused" in evidence["unresolved"]
    assert web.paths() == []
    assert code == 4
    assert "seems unreachable" not in err  # refused is not failed: the network itself may be fine


def test_check_of_a_refusing_shortener_shows_the_finding_and_exits_4(
    tmp_path: Path, rules: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["check", f"http://bit.ly:{free_port()}/abc", "--resolve", "bit.ly:127.0.0.1", "--allow-private"]
    code = main([*args, "--rules", str(rules), "--no-cache", "--format", "json"])
    out, err = capsys.readouterr()
    finding = json.loads(out)
    assert finding["verdict"] == "shortened"
    assert "could not connect" in kinds(finding)["fetch-error"]
    assert code == 4
    assert "the network seems unreachable" in err


def test_a_resolved_shortener_exits_0_and_is_counted(
    tmp_path: Path, rules: Path, web: Server, capsys: pytest.CaptureFixture[str]
) -> None:
    page = post(tmp_path, web.port, "/harmless")
    args = [*scan(page, rules, "--allow-private"), "--format", "markdown", "-o", str(tmp_path / "report.md")]
    code = main(args)
    _, err = capsys.readouterr()
    assert code == 0  # bit.ly answered with a page of its own: nothing contradicts the post's claim
    assert "Investigations: resolved 1" in err and "unreachable" not in err
    assert "**Investigations**: 1 \\(1 resolved\\)" in (tmp_path / "report.md").read_text(encoding="utf-8")


def test_a_flagged_link_still_exits_1_when_another_investigation_failed(
    tmp_path: Path, rules: Path, web: Server, capsys: pytest.CaptureFixture[str]
) -> None:
    page = tmp_path / "post.html"
    page.write_text(
        f'<a href="http://bit.ly:{free_port()}/x">Welt.de</a> <a href="http://welt.ltd:{web.port}/article">x</a>',
        encoding="utf-8",
    )
    code = main([*scan(page, rules, "--allow-private", "--resolve", "welt.ltd:127.0.0.1"), "-q"])
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["verdict"] for r in rows] == ["shortened", "suspicious"]
    assert code == 1


@pytest.fixture(params=["refusing", "failing"])
def broken_rdap(request: pytest.FixtureRequest) -> Iterator[str]:
    """An RDAP base URL on 127.0.0.1 that refuses connections, or answers every query with HTTP 500."""
    if request.param == "refusing":
        yield f"http://127.0.0.1:{free_port()}/"
        return
    with serve_static(lambda path: (500, b'{"errorCode": 500}')) as base:
        yield base + "/"


def test_a_failed_registration_lookup_is_an_incomplete_investigation(
    tmp_path: Path, rules: Path, web: Server, broken_rdap: str, capsys: pytest.CaptureFixture[str]
) -> None:
    web.targets["clone"] = f"http://example.org:{web.port}/harmless"  # an unflagged destination
    page = tmp_path / "post.txt"
    page.write_text(f"Lies das: http://bit.ly:{web.port}/to-clone\n", encoding="utf-8")
    summary = tmp_path / "summary.json"
    args = scan(
        page, rules, "--allow-private", "--resolve", "example.org:127.0.0.1", "--rdap-url", broken_rdap
    )
    code = main([*args, "--summary", str(summary)])
    out, err = capsys.readouterr()
    (row,) = [json.loads(line) for line in out.splitlines()]
    assert not row["flagged"] and "destination" not in kinds(row)  # the walk itself worked ...
    registration = kinds(row)["registration"]
    assert (
        "example.org: registration date unknown (RDAP 127.0.0.1" in registration
    )  # ... the registry did not
    assert code == 4
    assert "Investigations: registry-failed 1" in err
    assert "unreachable" not in err  # the links were reached: only the registry was not
    assert json.loads(summary.read_text())["investigations"] == {"registry-failed": 1}


def test_check_exits_4_when_the_registry_fails_and_nothing_is_flagged(
    rules: Path, web: Server, broken_rdap: str, capsys: pytest.CaptureFixture[str]
) -> None:
    args = [
        "check",
        f"http://rezepte-blog.net:{web.port}/harmless",
        "--resolve",
        "rezepte-blog.net:127.0.0.1",
    ]
    args += [
        "--rules",
        str(rules),
        "--no-blocklist",
        "--allow-private",
        "--no-cache",
        "--rdap-url",
        broken_rdap,
    ]
    code = main([*args, "--format", "json"])
    finding = json.loads(capsys.readouterr().out)
    assert finding["verdict"] == "unknown"
    assert "registration date unknown" in kinds(finding)["registration"]
    assert code == 4


# --- the library: an outcome object instead of evidence matched by string ----------------------


def test_examine_carries_the_outcome_and_a_refused_first_hop(web: Server) -> None:
    link = parse_target(f"http://bit.ly:{web.port}/harmless")
    assert link is not None
    lab = NetworkPolicy(allow_private=True, resolve={"bit.ly": "127.0.0.1"})
    strict = NetworkPolicy(resolve={"bit.ly": "127.0.0.1"}, ports=None)
    options: dict[str, Any] = {
        "registration": False,
        "cloaking": False,
        "limits": FetchLimits(per_host_interval=0),
    }
    with Investigator(policy=lab, **options) as inv:
        done = inv.examine(link, Verdict("shortened"))
    assert done.outcome == "resolved" and done.complete and done.refusal is None
    with Investigator(policy=strict, **options) as inv:
        refused = inv.examine(link, Verdict("shortened"))
    assert refused.outcome == "refused" and not refused.complete
    assert refused.refusal is not None and refused.refusal.address == "127.0.0.1"
    assert "loopback" in str(refused.refusal.to_error())
    assert web.paths() == ["/harmless"]  # the strict investigator sent nothing


def evidence_kinds() -> set[str]:
    from typing import get_args

    from linkguard.models import EvidenceKind

    return {value for part in get_args(EvidenceKind) for value in get_args(part)}


def test_every_kind_and_technique_written_is_a_named_one(
    tmp_path: Path, rules: Path, web: Server, rdap: Server, capsys: pytest.CaptureFixture[str]
) -> None:
    from linkguard.models import TECHNIQUES

    web.targets["clone"] = f"http://welt.ltd:{web.port}/start"
    page = post(tmp_path, web.port, "/to-clone")
    args = [*scan(page, rules, "--allow-private", "--resolve", "welt.ltd:127.0.0.1"), "--rdap-url", rdap.base]
    assert main([*args, "-q"]) == 1
    (row,) = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    written = {e["kind"] for e in row["evidence"]}
    assert {"redirect-chain", "final-url", "destination", "display-mismatch", "page-claim"} <= written
    assert written <= evidence_kinds()
    assert set(row["techniques"]) <= set(TECHNIQUES) and "redirect" in row["techniques"]


@pytest.mark.parametrize(
    ("fmt", "expected"),
    [
        ("table", "1 investigation (1 refused)"),
        ("json", '"investigations":{"refused":1}'),
        ("html", "<dt>Investigations</dt><dd>1 (1 refused)</dd>"),
    ],
)
def test_every_summary_counts_investigations_by_outcome(
    fmt: str, expected: str, tmp_path: Path, rules: Path, web: Server, capsys: pytest.CaptureFixture[str]
) -> None:
    report = tmp_path / "report.out"
    assert main([*scan(post(tmp_path, web.port), rules, "-q"), "--format", fmt, "-o", str(report)]) == 4
    assert expected in report.read_text(encoding="utf-8").replace(", ", ",").replace(": ", ":")
    assert web.paths() == []
