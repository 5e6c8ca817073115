"""CSV and TSV: every cell is a record, named by row and column header."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from linkguard.limits import MAX_CSV_FIELD_CHARS
from linkguard.models import Record, Skipped


class _LineCounter:
    """Feeds the csv module line by line while remembering where each row starts."""

    def __init__(self, stream: io.TextIOWrapper) -> None:
        self.stream = stream
        self.line = 0

    def __iter__(self) -> _LineCounter:
        return self

    def __next__(self) -> str:
        text = self.stream.readline(MAX_CSV_FIELD_CHARS)
        if not text:
            raise StopIteration
        self.line += 1
        return text


def read(stream: io.TextIOWrapper, source: str, delimiter: str | None = None) -> Iterator[Record | Skipped]:
    csv.field_size_limit(MAX_CSV_FIELD_CHARS)
    lines = _LineCounter(stream)
    first = next(lines, None)
    if first is None:
        return
    if delimiter is None:
        delimiter = "\t" if first.count("\t") > first.count(",") else ","

    def all_lines() -> Iterator[str]:
        yield first
        yield from lines

    reader = csv.reader(all_lines(), delimiter=delimiter)
    header: list[str] | None = None
    width = 0
    row_no = 0
    row_start = 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            yield Skipped(source, "malformed-csv-row", str(exc), row_start)
            row_start = lines.line + 1
            continue
        row_no += 1
        if header is None:
            header, width = row, len(row)
            looks_like_header = all(cell and len(cell) < 64 and "://" not in cell for cell in row)
            if not looks_like_header:
                header = [f"column {i + 1}" for i in range(len(row))]
                yield from _cells(row, header, source, row_start, row_no)
            row_start = lines.line + 1
            continue
        if len(row) != width:
            yield Skipped(
                source, "csv-ragged-row", f"{len(row)} fields, header has {width}", row_start, kept=True
            )
        yield from _cells(row, header, source, row_start, row_no)
        row_start = lines.line + 1


def _cells(row: list[str], header: list[str], source: str, line: int, row_no: int) -> Iterator[Record]:
    for i, cell in enumerate(row):
        if cell:
            name = header[i] if i < len(header) else f"column {i + 1}"
            yield Record(cell, source, line, 1, record=f"row {row_no}, {name}")
