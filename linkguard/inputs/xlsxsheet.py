"""XLSX workbooks (Meta Content Library, CrowdTangle and other exports saved from Excel): every
sheet is read as a table, with the same column recognition as CSV (``csvtable``): an export of
posts gives each row its post, and ``Final Link`` is the destination of ``Link``.

Read with openpyxl in read-only mode, row by row, so a large sheet is never held whole. A zip
must be seekable: a stream is copied to a temporary file first (``inputs.spool``). A workbook that
cannot be read is a counted skip (``corrupt-xlsx``). ``line`` is the row; ``record`` names the
row and column, and the sheet when there are several (``Posts!row 2, text``).
"""

from __future__ import annotations

import datetime as dt
import zipfile
from collections.abc import Iterator
from typing import Any

from linkguard.inputs import csvtable
from linkguard.inputs.decoding import Repairs
from linkguard.inputs.reader import ByteSource, Reader
from linkguard.inputs.spool import spool
from linkguard.models import Record, Skipped

#: Names an XLSX zip's first entry has (Excel writes ``[Content_Types].xml`` first, others ``docProps/``).
_FIRST_ENTRIES = (b"[Content_Types].xml", b"_rels/", b"docProps/", b"xl/")


def _text(value: Any) -> str:
    """A cell as the text a person sees (a date as ISO 8601, a whole number without ``.0``)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    return str(value)


def read(stream: ByteSource, source: str, repairs: Repairs) -> Iterator[Record | Skipped]:
    """Every sheet's rows, as a table; a workbook openpyxl cannot open is a counted skip."""
    try:
        from openpyxl import load_workbook
    except ImportError:  # a dependency, but an install may lack it
        yield Skipped(source, "reader-failed", "XLSX needs openpyxl: pip install openpyxl")
        return
    with spool(stream) as fh:
        try:
            book = load_workbook(fh, read_only=True, data_only=True)
        except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError) as exc:
            yield Skipped(source, "corrupt-xlsx", f"not a readable XLSX workbook: {exc}")
            return
        try:
            for sheet in book.worksheets:
                yield from _sheet(sheet, source, f"{sheet.title}!" if len(book.worksheets) > 1 else "")
        except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError, EOFError) as exc:
            # a sheet's XML is read as its rows are: a fault part-way is found there
            yield Skipped(source, "corrupt-xlsx", f"XLSX sheet cannot be read: {type(exc).__name__}: {exc}")
        finally:
            book.close()


def _sheet(sheet: Any, source: str, label: str) -> Iterator[Record]:
    header: list[str] | None = None
    posts = None
    for row_no, values in enumerate(sheet.iter_rows(values_only=True), 1):
        row = [_text(v) for v in values]
        while row and not row[-1]:  # read-only rows run to the sheet's widest column
            row.pop()
        if not row:
            continue
        if header is None:
            header, posts = csvtable.header_of(row)
            if header is not row:
                yield from csvtable.cells(row, header, source, row_no, row_no, label)
            continue
        if posts is None:
            yield from csvtable.cells(row, header, source, row_no, row_no, label)
        else:
            yield from csvtable.post_cells(row, header, posts, source, row_no, row_no, label)


def sniff(head: bytes) -> bool:
    """A zip whose first entry is one an XLSX workbook starts with."""
    return head.startswith(b"PK\x03\x04") and head[30:].startswith(_FIRST_ENTRIES)


READER = Reader("xlsx", (".xlsx", ".xlsm"), sniff=sniff, read_bytes=read, binary=True)
