"""CSV: one row per link, written as findings arrive; safe to open in a spreadsheet."""

from __future__ import annotations

import csv

from linkguard.models import Finding, ScanStats
from linkguard.report.base import Reporter
from linkguard.report.fields import LINK_COLUMNS
from linkguard.report.snippet import make_snippet

# A cell starting with one of these is a formula in Excel/LibreOffice/Sheets (CSV injection).
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formula(value: str | int) -> str | int:
    """Prefix ``'`` so a spreadsheet shows the text instead of evaluating it."""
    if isinstance(value, str) and value.startswith(_FORMULA_PREFIXES):
        return "'" + value
    return value


class CsvReporter(Reporter):
    name = "csv"

    def _setup(self) -> None:
        self._writer = csv.writer(self.out, lineterminator="\n")
        self._writer.writerow([column.key for column in LINK_COLUMNS])

    def _add(self, finding: Finding, context: str | None) -> None:
        row = (finding, make_snippet(finding, context) if context is not None else None)
        self._writer.writerow([neutralise_formula(column.get(row, self.defang)) for column in LINK_COLUMNS])

    def _close(self, stats: ScanStats) -> None:
        pass
