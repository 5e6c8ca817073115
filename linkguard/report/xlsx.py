"""XLSX: the CSV report's rows and columns as a real spreadsheet, streamed.

openpyxl's write-only mode spools rows to a temporary file as they come, so memory stays flat
whatever the number of findings; the workbook is zipped onto the output at ``close``. XLSX is
binary: the writer takes a text stream that has a byte ``buffer`` under it (a file opened for
writing, ``sys.stdout``) and writes the bytes there.

Every cell is typed as a string or a number, never a formula (a post starting with ``=`` stays
text, so no ``'`` prefix is needed as in CSV); characters XML cannot carry are shown as
``<U+XXXX>``, and a cell is cut at Excel's limit.
"""

from __future__ import annotations

import re
import tempfile
from typing import Any, BinaryIO

from linkguard.errors import InputError
from linkguard.limits import READ_BLOCK_BYTES, SPOOL_MEMORY_BYTES, XLSX_MAX_CELL_CHARS
from linkguard.models import Finding, ScanStats
from linkguard.report.base import Reporter
from linkguard.report.fields import LINK_COLUMNS
from linkguard.report.snippet import make_snippet

#: What XML 1.0 cannot hold (openpyxl refuses a cell with one): C0 controls but tab/LF/CR, and
#: the non-characters U+FFFE/U+FFFF; lone surrogates too.
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
SHEET_TITLE = "findings"


def cell_text(value: str) -> str:
    """``value`` as a spreadsheet can hold it: illegal characters visible, at most Excel's limit."""
    value = _ILLEGAL.sub(lambda m: f"<U+{ord(m.group()):04X}>", value)
    return value[:XLSX_MAX_CELL_CHARS]


def _binary(out: Any) -> BinaryIO:
    buffer = getattr(out, "buffer", None)
    if buffer is None:
        raise InputError("xlsx is binary: write it to a file (-o out.xlsx), not to a text-only stream")
    return buffer  # type: ignore[no-any-return]


class XlsxReporter(Reporter):
    name = "xlsx"

    def _setup(self) -> None:
        try:
            from openpyxl import Workbook
            from openpyxl.cell import WriteOnlyCell
        except ImportError:  # a dependency; only a broken install lacks it
            raise InputError("-o .xlsx needs openpyxl (pip install openpyxl)") from None
        self._binary = _binary(self.out)
        self._cell = WriteOnlyCell
        self._book = Workbook(write_only=True)
        self._book.properties.creator = "linkguard"
        self._book.properties.created = self._book.properties.modified = self.now.replace(tzinfo=None)
        self._sheet = self._book.create_sheet(SHEET_TITLE)
        self._sheet.append([column.key for column in LINK_COLUMNS])

    def _value(self, value: str | int) -> Any:
        if isinstance(value, int):
            return value
        cell = self._cell(self._sheet, value=cell_text(value))
        cell.data_type = "s"  # text, even when it starts with "=" (openpyxl would make it a formula)
        return cell

    def _add(self, finding: Finding, context: str | None) -> None:
        row = (finding, make_snippet(finding, context) if context is not None else None)
        self._sheet.append([self._value(column.get(row, self.defang)) for column in LINK_COLUMNS])

    def _close(self, stats: ScanStats) -> None:
        # zipped into a spool first, then copied: a reader that goes away mid-copy (``| head``)
        # fails one write here, not openpyxl's zip half-written (which then complains at exit)
        with tempfile.SpooledTemporaryFile(max_size=SPOOL_MEMORY_BYTES) as spool:
            self._book.save(spool)
            spool.seek(0)
            self.out.flush()
            while block := spool.read(READ_BLOCK_BYTES):
                _write_all(self._binary, block)
        self._binary.flush()


def _write_all(out: BinaryIO, data: bytes) -> None:
    """Write all of ``data``: a pipe whose reader left mid-write takes part of it and says so
    (``shutil.copyfileobj`` would not notice); the next write then fails with ``BrokenPipeError``."""
    view = memoryview(data)
    while view:
        view = view[out.write(view) :]
