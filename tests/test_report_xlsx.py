"""XLSX output and output names: a real spreadsheet with the CSV report's columns, and no report
written in a format its file name does not say."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl
import pytest
from report_fixtures import NOW, findings, produce, stats

from linkguard.cli import main
from linkguard.errors import InputError
from linkguard.report import open_writer
from linkguard.report.xlsx import cell_text


@pytest.fixture
def saved(tmp_path: Path) -> Path:
    path = tmp_path / "saved.jsonl"
    path.write_text(produce("jsonl", show_all=True), encoding="utf-8")
    return path


def _sheet(path: Path) -> list[tuple[object, ...]]:
    book = openpyxl.load_workbook(path, read_only=True)
    try:
        return [tuple(row) for row in book["findings"].iter_rows(values_only=True)]
    finally:
        book.close()


def test_report_to_xlsx_is_a_spreadsheet_with_the_csv_columns(
    saved: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out.xlsx"
    assert main(["report", str(saved), "--all", "-o", str(out)]) == 1
    assert out.read_bytes()[:2] == b"PK"  # a zip (OOXML), not a text table
    rows = _sheet(out)
    assert main(["report", str(saved), "--all", "--format", "csv"]) == 1
    expected = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert list(rows[0]) == expected[0]  # the same columns, in the same order
    assert len(rows) == len(expected) == 7
    for got, want in zip(rows[1:], expected[1:], strict=True):
        # CSV neutralises formulas with a leading "'" and writes numbers as text; XLSX types them
        assert [("" if v is None else str(v)) for v in got] == [w.removeprefix("'") for w in want]


def test_xlsx_cells_are_text_never_formulas(tmp_path: Path) -> None:
    path = tmp_path / "out.xlsx"
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = open_writer("xlsx", out, now=NOW, show_all=True)
        for finding, context in findings():
            writer.add(finding, context)
        writer.close(stats())
    book = openpyxl.load_workbook(path)  # not read-only: it gives cell types
    sheet = book["findings"]
    records = [cell for cell in sheet["D"][1:] if cell.value]
    assert records[0].value == '=HYPERLINK("http://evil.example","click")'
    assert {cell.data_type for cell in records} == {"s"}  # "f" would be a formula
    assert sheet["B2"].data_type == "n" and sheet["B2"].value == 3


def test_xlsx_cell_text_shows_what_xml_cannot_hold() -> None:
    assert cell_text("a\x00b\x1bc\ttab") == "a<U+0000>b<U+001B>c\ttab"
    assert len(cell_text("x" * 40_000)) == 32_767


def test_xlsx_needs_a_byte_stream() -> None:
    with pytest.raises(InputError, match="binary"):
        open_writer("xlsx", io.StringIO())


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-o", "out.pdf"], "names no report format"),
        (["-o", "out.xls"], "names no report format"),
        (["--format", "json", "-o", "out.xlsx"], "holds xlsx only"),
        (["--format", "xlsx", "-o", "out.csv"], "binary"),
    ],
)
def test_output_name_and_format_must_agree(
    args: list[str], message: str, saved: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = [a if not a.startswith("out.") else str(tmp_path / a) for a in args]
    assert main(["report", str(saved), *args]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert list(tmp_path.iterdir()) == [saved]  # nothing written


def test_scan_refuses_an_unknown_extension_before_scanning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "in.txt"
    source.write_text("see https://welt.ltd/x\n", encoding="utf-8")
    assert main(["scan", str(source), "-o", str(tmp_path / "out.docx")]) == 2
    err = capsys.readouterr().err
    assert "'.docx' names no report format" in err and "Scanned" not in err


def test_known_extensions_and_explicit_formats_still_work(saved: Path, tmp_path: Path) -> None:
    assert main(["report", str(saved), "-o", str(tmp_path / "out.txt")]) == 1  # .txt: the table
    assert "welt[.]ltd" in (tmp_path / "out.txt").read_text(encoding="utf-8")
    assert main(["report", str(saved), "--format", "csv", "-o", str(tmp_path / "out.dat")]) == 1
    assert (tmp_path / "out.dat").read_text(encoding="utf-8").startswith("source,line,")
