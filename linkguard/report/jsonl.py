"""JSON Lines: one ``Finding.to_dict()`` per line, written as findings arrive."""

from __future__ import annotations

import re
from typing import Any

import orjson

from linkguard.models import Finding, ScanStats
from linkguard.report.base import Reporter

# Characters that are valid inside JSON strings but split lines in some readers or reorder text
# on screen; written as \\uXXXX escapes, which decode to the same data.
_RISKY = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]")


def dumps_line(obj: Any) -> str:
    """Compact JSON on one line, readable UTF-8, with line-breaking/bidi characters escaped.

    orjson, because at scan speed the standard encoder is the largest cost per link.
    """
    text = orjson.dumps(obj).decode("utf-8")
    if text.isascii() and "\x7f" not in text:
        return text
    return _RISKY.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


class JsonlReporter(Reporter):
    name = "jsonl"
    uses_context = False

    def _add(self, finding: Finding, context: str | None) -> None:
        self.out.write(dumps_line(finding.to_dict()) + "\n")

    def _close(self, stats: ScanStats) -> None:
        pass
