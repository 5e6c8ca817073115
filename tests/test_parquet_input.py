"""Parquet input (``--text-column``/``--id-column``) through the CLI: rows as records or posts."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from linkguard.cli import main

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def table(tmp_path: Path) -> Path:
    path = tmp_path / "posts.parquet"
    data = {
        "pid": [10, 11, 12],
        "body": ["neu auf welt.ltd/a und welt.ltd/a", None, "Zeile\nzwei: spiegel.agency"],
        "text": ["nichts", "gar nichts", "auch nichts"],
    }
    pq.write_table(pa.table(data), path, row_group_size=2)
    return path


def test_rows_are_posts_with_the_id_column(capsys: pytest.CaptureFixture[str], table: Path) -> None:
    code, out, err = run(
        capsys, "scan", str(table), "--text-column", "body", "--id-column", "pid", "--all", "-f", "jsonl"
    )
    rows = [json.loads(line) for line in out.splitlines()]
    # one finding per link per post: the repeated welt.ltd/a in row 1 is reported once
    assert [(r["host"], r["line"], r["record"], r["post"]["id"]) for r in rows] == [
        ("welt.ltd", 1, "row 1, body", "10"),
        ("spiegel.agency", 4, "row 3, body", "12"),
    ]
    assert rows[0]["post"]["platform"] == "parquet"
    assert code == 1 and f"3 record(s), 3 post(s), {table.stat().st_size:,} bytes" in err


def test_text_column_is_guessed_and_stdin_is_read(
    capsys: pytest.CaptureFixture[str], table: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, err = run(capsys, "scan", str(table), "--all", "-f", "jsonl")
    assert code == 0 and out == "" and "3 record(s)" in err  # "text" holds no link
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(table.read_bytes())))
    code, out, _ = run(capsys, "scan", "-", "--text-column", "body", "-f", "jsonl")
    assert code == 1 and [json.loads(line)["host"] for line in out.splitlines()] == [
        "welt.ltd",
        "welt.ltd",  # without an id column rows are not posts: both mentions count
        "spiegel.agency",
    ]


def test_a_missing_column_or_a_broken_file_is_an_input_error(
    capsys: pytest.CaptureFixture[str], table: Path, tmp_path: Path
) -> None:
    code, _, err = run(capsys, "scan", str(table), "--text-column", "nope")
    assert code == 3 and "no column 'nope'; it has pid, body, text" in err
    broken = tmp_path / "broken.parquet"
    broken.write_bytes(table.read_bytes()[:100])
    code, _, err = run(capsys, "scan", str(broken))
    assert code == 3 and "not a readable Parquet file" in err
