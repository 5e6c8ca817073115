"""Hostile sites against `linkguard check` / `scan --online`, end to end on loopback.

Each case is a page or server that cost the old code minutes, gigabytes or an exit 70. The tests
never look at the clock: they give each link a small ``--budget`` and assert the outcome — the
command completes with its normal exit code, the evidence says the budget ran out or the page was
cut, and what was learnt before is kept.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from forensics_servers import Server

from linkguard.cli import main
from linkguard.forensics.budget import Budget, BudgetExceeded


@pytest.fixture(autouse=True)
def private_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("LINKGUARD_CACHE_DIR", raising=False)
    monkeypatch.setenv("LINKGUARD_RULES_DIR", str(tmp_path / "user-rules"))


def check_json(
    web: Server, rdap: Server, rules_file: Path, path: str, capsys: pytest.CaptureFixture[str], *extra: str
) -> tuple[int, dict[str, Any], str]:
    args = [
        "check",
        f"http://welt.ltd:{web.port}{path}",
        "--resolve",
        "welt.ltd:127.0.0.1",
        "--allow-private",
    ]
    args += ["--format", "json", "--rdap-url", f"{rdap.base}/", "--rules", str(rules_file), "--no-blocklist"]
    args += ["--no-cache", *extra]
    code = main(args)
    out, err = capsys.readouterr()
    return code, json.loads(out), err


def details(finding: dict[str, Any], kind: str | None = None) -> list[str]:
    return [str(e["detail"]) for e in finding["evidence"] if kind is None or e["kind"] == kind]


def budget_notes(finding: dict[str, Any]) -> list[dict[str, Any]]:
    return [e["data"] for e in finding["evidence"] if e["data"].get("budget_exhausted")]


@pytest.mark.parametrize("path", ["/anchors", "/nested"])
def test_dense_pages_end_within_the_budget_and_keep_what_was_read(
    path: str, web: Server, rdap: Server, rules_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # --max-bytes cuts the 2 MB page: the cut is certain, whatever the machine's speed
    code, finding, _ = check_json(
        web, rdap, rules_file, path, capsys, "--budget", "3", "--max-bytes", str(1 << 20)
    )
    assert code in (0, 1)
    (final,) = details(finding, "final-url")
    assert "read only in part" in final and "body cut at 1048576 bytes" in final
    assert details(finding, "dns")  # what was learnt before is kept
    assert finding["verdict"] == "suspicious"  # the name alone still imitates WELT


def test_endless_chunked_markup_ends_with_the_budget(
    web: Server, rdap: Server, rules_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, finding, _ = check_json(web, rdap, rules_file, "/chunked-endless", capsys, "--budget", "1")
    assert code in (0, 1)
    (final,) = details(finding, "final-url")
    assert "time budget ran out while reading the body" in final  # the part read is kept
    (note,) = budget_notes(finding)
    assert note["budget_s"] == 1
    assert any("registration" in s for s in note["skipped"]) and any("cloaking" in s for s in note["skipped"])


def test_dripped_redirects_end_with_the_budget(
    web: Server, rdap: Server, rules_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    web.drip_delay = 0.5  # each hop well under --timeout 3 even on a loaded machine; 50 hops need 25 s
    code, finding, _ = check_json(
        web, rdap, rules_file, "/drip/0", capsys, "--timeout", "3", "--budget", "3", "--max-redirects", "50"
    )
    assert code in (0, 1)
    (chain,) = [e for e in finding["evidence"] if e["kind"] == "redirect-chain"]
    hops = chain["data"]["hops"]
    assert hops[0]["url"].endswith("/drip/0") and "budget" in hops[-1]["error"]
    assert len(hops) < 50  # stopped by the budget, not by --max-redirects
    assert budget_notes(finding)
    assert any("budget" in d for d in details(finding, "fetch-error"))


def test_scan_online_over_dense_pages_keeps_every_finding(
    web: Server, rdap: Server, rules_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dump = tmp_path / "posts.txt"
    lines = [f"http://welt.ltd:{web.port}{p}" for p in ("/anchors", "/nested", "/chunked-endless")]
    dump.write_text("\n".join([*lines, "welt.de"]) + "\n", encoding="utf-8")
    args = ["scan", str(dump), "--all", "--format", "jsonl", "--online", "--allow-private", "--budget", "1"]
    args += ["--resolve", "welt.ltd:127.0.0.1", "--rdap-url", f"{rdap.base}/", "--no-cache", "-q"]
    args += ["--rules", str(rules_file), "--no-blocklist", "--max-bytes", str(1 << 20)]
    code = main(args)
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert code == 1
    assert [r["url"].rsplit("/", 1)[-1] for r in rows[:3]] == ["anchors", "nested", "chunked-endless"]
    assert all(any(e["kind"] in ("dns", "final-url") for e in r["evidence"]) for r in rows[:3])


@pytest.mark.parametrize(
    ("flag", "value"),
    [
        ("--max-bytes", str(300 << 20)),
        ("--timeout", "100000"),
        ("--max-redirects", "1000"),
        ("--concurrency", "10000"),
        ("--budget", "100000"),
        ("--budget", "0"),
    ],
)
def test_every_numeric_network_option_has_an_upper_bound(flag: str, value: str) -> None:
    assert main(["check", "welt.ltd", "--offline", flag, value]) == 2


def test_the_upper_bounds_themselves_are_accepted() -> None:
    args = [
        "check",
        "welt.ltd",
        "--offline",
        "--budget",
        "600",
        "--timeout",
        "120",
        "--max-bytes",
        str(8 << 20),
    ]
    args += ["--max-redirects", "50", "--concurrency", "32"]
    assert main(args) in (0, 1)


# --- the analyst's terminal -------------------------------------------------------------------


def test_check_table_shows_hostile_page_text_without_obeying_it(
    web: Server,
    rdap: Server,
    rules_file: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("COLUMNS", "2000")  # no cell cut short: the whole quoted text is checked
    args = ["check", f"http://welt.ltd:{web.port}/hostile-go", "--resolve", "welt.ltd:127.0.0.1"]
    args += ["--allow-private", "--rdap-url", f"{rdap.base}/", "--rules", str(rules_file), "--no-cache"]
    args += ["--no-blocklist"]
    code = main(args)
    out = capsys.readouterr().out
    assert code == 1
    assert "page-claim" in out and "og:site_name" in out  # the hostile text is quoted ...
    for raw in ("\x1b", "\x07", "\x9b", "\u202e", "\u202c"):
        assert raw not in out  # ... but never as live control characters
    assert "<U+001B>]8;;hxxp://evil[.]example/<U+001B>" in out and "<U+202E>" in out and "<U+009B>" in out
    assert "/hostile?%1B[2J%1B]8;;" in out  # the refresh URL, percent-encoded as a browser would


def test_check_json_escapes_control_and_bidi_characters(
    web: Server, rdap: Server, rules_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["check", f"http://welt.ltd:{web.port}/hostile", "--resolve", "welt.ltd:127.0.0.1"]
    args += ["--allow-private", "--rdap-url", f"{rdap.base}/", "--rules", str(rules_file), "--no-cache"]
    args += ["--no-blocklist", "--format", "json"]
    assert main(args) == 1
    out = capsys.readouterr().out
    assert not any(c in out for c in ("\x1b", "\x9b", "\u202e"))
    claim = next(e for e in json.loads(out)["evidence"] if e["kind"] == "page-claim")
    assert "\x1b]8;;http://evil.example/" in claim["data"]["site_name"]  # the data itself is intact


def test_csv_neutralises_formulas_after_spaces_and_in_full_width(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], rules_file: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    names = ["  =cmd.txt", '＝HYPERLINK("evil").txt', "＠SUM(1).txt"]
    for name in names:
        Path(name).write_text("lies http://welt.ltd/a\n", encoding="utf-8")
    code = main(["scan", *names, "--format", "csv", "--rules", str(rules_file), "--no-blocklist", "-q"])
    import csv
    import io

    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert code == 1
    assert [r["source"] for r in rows] == ["'" + n for n in names]


def test_csv_on_a_terminal_shows_control_characters_as_escapes() -> None:
    import io

    from report_fixtures import findings, stats

    from linkguard.report.csvtable import CsvReporter

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    written = {}
    for name, out in (("terminal", Terminal()), ("file", io.StringIO())):
        reporter = CsvReporter(out, show_all=True)
        for finding, context in findings():
            reporter.add(finding, context)
        reporter.close(stats())
        written[name] = out.getvalue()
    assert "\u202e" in written["file"]  # a file keeps the data as it was
    assert "\u202e" not in written["terminal"] and "<U+202E>" in written["terminal"]


def test_a_step_that_starts_after_the_deadline_is_refused_and_named() -> None:
    """A budget spent between steps (a slow hop, a politeness pause) stops the next step before it
    starts, and the evidence names the first step that found it empty."""
    now = [100.0]
    budget = Budget(2.0, clock=lambda: now[0])
    budget.check("the redirect chain")  # time left: nothing raised
    now[0] += 2.5
    with pytest.raises(BudgetExceeded, match="time budget of 2 s ran out during the page"):
        budget.check("the page")
    with pytest.raises(BudgetExceeded):
        budget.check("the registration lookup")
    assert budget.ran_out == "the page"
