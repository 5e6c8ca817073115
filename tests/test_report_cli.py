"""`linkguard report` end to end: formats, filters and exit codes."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from report_fixtures import NOW, findings, produce

from linkguard.cli import main
from linkguard.models import ScanStats
from linkguard.report import open_writer


@pytest.fixture
def saved(tmp_path: Path) -> Path:
    path = tmp_path / "saved.jsonl"
    path.write_text(produce("jsonl", show_all=True), encoding="utf-8")
    return path


def test_html_to_file_exits_1_when_flagged(
    saved: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "x.html"
    assert main(["report", str(saved), "--format", "html", "-o", str(out)]) == 1
    html = out.read_text(encoding="utf-8")
    assert "welt[.]ltd" in html and "<script>" not in html
    assert capsys.readouterr().out == ""


def test_format_from_output_extension(saved: Path, tmp_path: Path) -> None:
    out = tmp_path / "x.md"
    assert main(["report", str(saved), "-o", str(out)]) == 1
    assert out.read_text(encoding="utf-8").startswith("# linkguard report")


def test_csv_to_stdout_with_all(saved: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", str(saved), "--format", "csv", "--all"]) == 1
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert len(rows) == 6 and rows[0]["url"] == "https://welt.ltd/politik/article1.html"


def test_jsonl_is_default_in_a_pipe(saved: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", str(saved)]) == 1
    assert '"registered_domain":"welt.ltd"' in capsys.readouterr().out


def test_no_defang(saved: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["report", str(saved), "--format", "markdown", "--no-defang"])
    assert "https://welt.ltd/politik/article1.html" in capsys.readouterr().out


@pytest.mark.parametrize(
    "args",
    [["--min-score", "95"], ["--verdict", "trusted"], ["--verdict", "trusted", "--verdict", "unknown"]],
)
def test_filters_without_flagged_exit_0(
    saved: Path, args: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["report", str(saved), "--format", "jsonl", *args]) == 0
    assert '"flagged":true' not in capsys.readouterr().out


def test_verdict_filter_selects(saved: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", str(saved), "--format", "jsonl", "--verdict", "suspicious"]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1 and '"verdict":"suspicious"' in lines[0]


def test_group_by_outlet(saved: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", str(saved), "-f", "table", "--group-by", "outlet"]) == 1
    assert "Die Welt" in capsys.readouterr().out


def test_missing_file_exits_3_with_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "x.html"
    assert main(["report", str(tmp_path / "nope.jsonl"), "-o", str(out)]) == 3
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "nope.jsonl" in err and "Traceback" not in err
    assert not out.exists()


def test_garbled_file_exits_3(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "garbled.jsonl"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00binary")
    out = tmp_path / "x.csv"
    assert main(["report", str(path), "-o", str(out)]) == 3
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "not a linkguard JSONL scan" in err and "Traceback" not in err
    assert not out.exists()


def test_bad_lines_are_warned_about(saved: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with saved.open("a", encoding="utf-8") as stream:
        stream.write('{"oops": 1}\n')
    assert main(["report", str(saved), "--format", "jsonl"]) == 1
    err = capsys.readouterr().err
    assert "skipped 1 invalid line" in err and "unknown key" in err


def test_empty_file_exits_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "empty.jsonl"
    path.write_text("", encoding="utf-8")
    assert main(["report", str(path), "--format", "table"]) == 0
    assert "No flagged domains." in capsys.readouterr().out


def test_console_script(saved: Path) -> None:
    script = Path(sys.executable).with_name("linkguard")
    if not script.exists():
        pytest.skip("the linkguard console script is not installed in this environment")
    result = subprocess.run(
        [str(script), "report", str(saved), "--format", "stix"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1, result.stderr
    assert '"type": "bundle"' in result.stdout


def test_group_by_source_in_markdown_names_every_outlet(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A file with links imitating two outlets: the CLI's Markdown names both, titles it after neither."""
    welt, _ = findings()[0]
    spiegel_verdict = findings()[2][0].verdict
    saved = tmp_path / "mixed.jsonl"
    with saved.open("w", encoding="utf-8") as out:
        writer = open_writer("jsonl", out, now=NOW, show_all=True)
        for finding in (welt, replace(welt, verdict=spiegel_verdict, line=20)):
            writer.add(finding, None)
        writer.close(ScanStats())
    assert main(["report", str(saved), "--format", "markdown", "--group-by", "source"]) == 1
    report = capsys.readouterr().out
    assert "Impersonates" not in report
    assert (
        "Imitates 2 outlets: **Der Spiegel \\(spiegel.de\\)** (1 link), **Die Welt \\(welt.de\\)** (1 link)."
        in report
    )


def test_unreadable_report_file_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A directory, or a path through a file, is refused with one line on stderr (exit 3)."""
    (tmp_path / "file").write_text("", encoding="utf-8")
    for path in (tmp_path, tmp_path / "file" / "x.jsonl"):
        assert main(["report", str(path), "--format", "csv"]) == 3
        out, err = capsys.readouterr()
        assert out == "" and err.count("\n") == 1 and str(path) in err and "Traceback" not in err


def test_stix_from_an_x_archive_has_full_urls_not_display_text(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """tweets.js shows ``spiegel.ltd/politik/deutsch…`` for a t.co to the full article: the STIX
    URL objects are the destinations, full and with their scheme."""
    archive = Path(__file__).parent / "data" / "exports" / "tweets.js"
    assert main(["scan", str(archive), "--format", "stix", "-q"]) == 1
    bundle = json.loads(capsys.readouterr().out)
    urls = {o["value"] for o in bundle["objects"] if o["type"] == "url"}
    assert "https://spiegel.ltd/politik/deutschland/migration-a-1234.html" in urls
    assert all(u.startswith(("http://", "https://")) and "…" not in u for u in urls), urls
    assert not any(u.rstrip("/").endswith("/politik/deutsch") for u in urls)
