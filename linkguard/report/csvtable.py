"""CSV: one row per link, written as findings arrive; safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import re
import unicodedata

from linkguard.models import Finding, ScanStats
from linkguard.report.base import Reporter
from linkguard.report.fields import LINK_COLUMNS
from linkguard.report.sanitize import visible
from linkguard.report.snippet import make_snippet

# A cell starting with one of these is a formula in Excel/LibreOffice/Sheets (CSV injection).
_FORMULA_PREFIXES = frozenset("=+-@\t\r\n")
#: What spreadsheets skip before looking for a formula sign: spaces of every kind and invisible
#: format characters (zero-width space, BOM, bidi marks).
_LEADING = re.compile(r"[\s\u00a0\u180e\u200b-\u200f\u2028-\u202f\u205f-\u206f\u3000\ufeff]*")


def neutralise_formula(value: str | int) -> str | int:
    """Prefix ``'`` so a spreadsheet shows the text instead of evaluating it.

    Also after leading spaces (``  =cmd``) and for the full-width and small forms of the signs
    (``＝HYPERLINK(…)``, which some spreadsheet locales accept as ``=``): NFKC folds them.
    """
    if not isinstance(value, str) or not value:
        return value
    rest = value[_LEADING.match(value).end() :]  # type: ignore[union-attr]  # matches ""
    if value[0] in _FORMULA_PREFIXES or (
        rest and unicodedata.normalize("NFKC", rest[0])[:1] in _FORMULA_PREFIXES
    ):
        return "'" + value
    return value


class CsvReporter(Reporter):
    name = "csv"

    def _setup(self) -> None:
        self._writer = csv.writer(self.out, lineterminator="\n")
        isatty = getattr(self.out, "isatty", None)
        #: On a terminal, control and bidi characters are shown as ``<U+XXXX>``, as in the table.
        self._visible = bool(isatty and isatty())
        self._writer.writerow([column.key for column in LINK_COLUMNS])

    def _add(self, finding: Finding, context: str | None) -> None:
        row = (finding, make_snippet(finding, context) if context is not None else None)
        cells = [neutralise_formula(column.get(row, self.defang)) for column in LINK_COLUMNS]
        if self._visible:
            cells = [visible(c) if isinstance(c, str) else c for c in cells]
        self._writer.writerow(cells)

    def _close(self, stats: ScanStats) -> None:
        pass
