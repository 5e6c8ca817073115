"""One JSON document ``{"summary": ..., "findings": [...]}``.

The summary is only known at the end but comes first, so findings are spooled (to disk past a
few MB) instead of kept as objects: memory stays flat however many findings there are.
"""

from __future__ import annotations

import shutil
import tempfile
from typing import Any

from linkguard.models import Finding, ScanStats
from linkguard.report.base import Reporter
from linkguard.report.jsonl import FindingEncoder, dumps_line

_SPOOL_BYTES = 8 << 20


class JsonDocReporter(Reporter):
    name = "json"
    uses_context = False

    def _setup(self) -> None:
        # Closed in _close(): its life spans add() calls, so no with-block fits.
        self._spool = tempfile.SpooledTemporaryFile(max_size=_SPOOL_BYTES, mode="w+", encoding="utf-8")
        self._encode = FindingEncoder().encode

    def _add(self, finding: Finding, context: str | None) -> None:
        if self.written > 1:
            self._spool.write(",\n")
        self._spool.write("    " + self._encode(finding).decode("utf-8"))

    def summary(self, stats: ScanStats) -> dict[str, Any]:
        return {
            **stats.to_dict(),
            "written": self.written,
            "flagged_written": self.flagged_written,
            "filters": {
                "show_all": self.show_all,
                "min_score": self.min_score,
                "verdicts": sorted(self.verdicts) if self.verdicts else None,
            },
        }

    def _close(self, stats: ScanStats) -> None:
        out = self.out
        out.write('{\n  "summary": ' + dumps_line(self.summary(stats)) + ',\n  "findings": [')
        if self.written:
            out.write("\n")
            self._spool.seek(0)
            shutil.copyfileobj(self._spool, out)
            out.write("\n  ")
        out.write("]")
        if self.clusters:  # only online scans that found shared infrastructure have this key
            out.write(',\n  "clusters": ' + dumps_line([c.to_dict() for c in self.clusters]))
        out.write("\n}\n")
        self._spool.close()
