"""`linkguard scan` end to end: the demo, formats, exit codes and bad input through the CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from linkguard.cli import main

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def jsonl(out: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def test_demo_lists_every_link_and_nothing_from_prose(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "scan", str(SEEDS), "--all", "--format", "jsonl")
    rows = jsonl(out)
    assert [(r["text"], r["host"], r["line"]) for r in rows] == [
        ("de.wikipedia.org/wiki/Logan_Act", "de.wikipedia.org", 72),
        ("𝐰𝐞𝐥𝐭.𝐥𝐭𝐝", "welt.ltd", 159),
        ("https://t.co/cykVk0lJUJ", "t.co", 161),
        ("Welt.de", "welt.de", 161),
    ]
    welt = rows[1]
    assert welt["obfuscation"] == ["math-alphanumeric"]
    assert rows[2]["verdict"] == "shortened"
    assert code == 1
    assert "4 link(s), 1 flagged" in err


def test_demo_flags_only_welt_ltd(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "scan", str(SEEDS), "--format", "jsonl")
    (row,) = jsonl(out)
    assert row["host"] == "welt.ltd"
    assert row["flagged"] is True
    assert row["impersonates"]["domain"] == "welt.de"  # type: ignore[index]
    kinds = {e["kind"] for e in row["evidence"]}  # type: ignore[union-attr]
    assert {"tld-swap", "obfuscation"} <= kinds
    assert code == 1


def test_signals_alone_flag_welt_ltd_without_blocklist(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "scan", str(SEEDS), "--format", "jsonl", "--no-blocklist")
    (row,) = jsonl(out)
    assert row["verdict"] == "suspicious"
    assert "tld-swap" in row["techniques"]  # type: ignore[operator]
    assert code == 1


def test_output_contract_keys(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "scan", str(SEEDS), "--all", "--format", "jsonl")
    keys = {
        "source",
        "line",
        "column",
        "record",
        "text",
        "url",
        "host",
        "host_unicode",
        "registered_domain",
        "obfuscation",
        "via",
        "post",
        "context",
        "verdict",
        "flagged",
        "score",
        "impersonates",
        "techniques",
        "evidence",
    }
    from linkguard.models import FINDING_KEYS

    assert set(FINDING_KEYS) == keys  # the library's list of the contract (dask columns, API schema)
    for row in jsonl(out):
        assert list(row) == list(FINDING_KEYS)  # the same keys, in the library's order
        assert row["post"] is None and row["via"] == []  # plain text: no post, nothing resolved


def test_clean_input_exits_zero(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "clean.txt"
    f.write_text("Nachrichten bei https://www.tagesschau.de/inland und z.B. welt.de\n", encoding="utf-8")
    code, out, _ = run(capsys, "scan", str(f), "--format", "jsonl")
    assert code == 0
    assert out == ""


def test_missing_path_exits_3_with_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "scan", str(tmp_path / "missing.txt"), "--format", "jsonl")
    assert code == 3
    assert "unreadable-path" in err
    assert "Traceback" not in err


def test_quiet_still_names_each_missing_or_unreadable_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """-q hides the summary, never a path that could not be read: one line each on stderr."""
    (tmp_path / "file").write_text("", encoding="utf-8")
    (tmp_path / "dangling").symlink_to(tmp_path / "gone")
    bad = [tmp_path / "missing.txt", tmp_path / "file" / "x.txt", tmp_path / "dangling"]
    code, out, err = run(capsys, "scan", *map(str, bad), "-q", "--format", "jsonl")
    assert code == 3 and out == ""
    lines = err.splitlines()
    assert len(lines) == 3 and all("unreadable-path" in line for line in lines)
    assert [str(path) in line for path, line in zip(bad, lines, strict=True)] == [True] * 3
    # next to a flagged input too (exit 1): still named
    good = tmp_path / "posts.txt"
    good.write_text("read https://welt.ltd/x\n", encoding="utf-8")
    code, out, err = run(capsys, "scan", str(good), str(bad[0]), "-q", "--format", "jsonl")
    assert code == 1 and "welt.ltd" in out
    assert (
        err.splitlines() == [line for line in err.splitlines() if str(bad[0]) in line]
        and err.count("\n") == 1
    )


def test_usage_error_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "scan", str(SEEDS), "--format", "nope")
    assert code == 2
    assert "Traceback" not in err


def test_output_file_format_from_extension_and_summary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_file, summary = tmp_path / "report.json", tmp_path / "summary.json"
    code, out, _ = run(capsys, "scan", str(SEEDS), "-o", str(out_file), "--summary", str(summary), "--all")
    assert code == 1
    assert out == ""
    doc = json.loads(out_file.read_text(encoding="utf-8"))
    assert {"summary", "findings"} <= set(doc)
    stats = json.loads(summary.read_text(encoding="utf-8"))
    assert stats["links"] == 4
    assert stats["flagged"] == 1
    assert stats["records"] == 167


def test_bad_inputs_are_counted_not_fatal(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "binary.bin").write_bytes(b"\x00\x01\x02" * 100)
    (tmp_path / "bad.jsonl").write_text('{"text": "welt.ltd"}\n{oops\n', encoding="utf-8")
    (tmp_path / "bad-utf8.txt").write_bytes(b"caf\xe9 spiegel.ltd\n")  # Latin-1, not UTF-8
    summary = tmp_path / "summary.json"
    code, out, err = run(
        capsys, "scan", str(tmp_path), "--format", "jsonl", "--all", "--summary", str(summary)
    )
    hosts = sorted(r["host"] for r in jsonl(out))  # type: ignore[type-var]
    assert hosts == ["spiegel.ltd", "welt.ltd"]
    stats = json.loads(summary.read_text(encoding="utf-8"))
    assert stats["skipped"] == {"binary": 1}
    assert stats["repaired"] == {"malformed-json-line-scanned-as-text": 1, "invalid-utf-8-replaced": 1}
    assert "Traceback" not in err
    assert code == 1


def test_stdin_is_read_with_dash() -> None:
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from linkguard.cli import main; sys.exit(main())",
            "scan",
            "-",
            "--format",
            "jsonl",
            "--all",
        ],
        input=b"lies hxxps://spiegel[.]agency/x jetzt\n",
        capture_output=True,
        timeout=60,
    )
    rows = jsonl(proc.stdout.decode())
    assert [(r["host"], r["obfuscation"], r["source"]) for r in rows] == [
        ("spiegel.agency", ["defanged"], "-")
    ]
    assert proc.returncode == 1


def test_table_output_is_defanged(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "scan", str(SEEDS), "--format", "table")
    assert "welt[.]ltd" in out
    assert "welt.ltd" not in out.replace("welt[.]ltd", "")
    assert code == 1


def test_every_command_has_help_and_is_documented(capsys: pytest.CaptureFixture[str]) -> None:
    from linkguard.cli import cli

    readme = "\n".join(  # the README and the reference it links to in docs/
        p.read_text(encoding="utf-8") for p in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    )
    commands = cli.list_commands(None)  # type: ignore[arg-type]
    assert {"scan", "check", "rules", "report", "cache", "update-psl"} <= set(commands)
    for command in commands:
        code, out, _ = run(capsys, command, "--help")
        assert code == 0
        assert "Usage:" in out
        assert f"linkguard {command}" in readme, f"`linkguard {command}` is not in the README"


def test_dot_word_in_parentheses_is_read_as_a_dot(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Regression: 'e(dot)t.co' kept the parentheses in its host (URL parsers allow them, DNS
    does not), so its canonical URL extracted to another link; the defanged reading is the host."""
    f = tmp_path / "dots.txt"
    f.write_text("see e(dot)t.co now\n", encoding="utf-8")
    code, out, _ = run(capsys, "scan", str(f), "--format", "jsonl", "--all")
    (row,) = jsonl(out)
    assert code == 0
    assert row["host"] == "e.t.co" and row["url"] == "http://e.t.co/"
    assert row["obfuscation"] == ["defanged"]
