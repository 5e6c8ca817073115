"""JSON Lines: one ``Finding.to_dict()`` per line, written as findings arrive."""

from __future__ import annotations

import re
from typing import Any

import orjson

from linkguard.models import Finding, ScanStats, Verdict
from linkguard.report.base import Reporter

# Characters that are valid inside JSON strings but split lines in some readers or reorder text
# on screen; written as \\uXXXX escapes, which decode to the same data.
_RISKY = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]")
#: Verdict fragments kept at once; the detector memoises verdicts per host, so few are distinct.
_MAX_MEMO = 4096


def dumps_line(obj: Any) -> str:
    """Compact JSON on one line, readable UTF-8, with line-breaking/bidi characters escaped.

    orjson, because at scan speed the standard encoder is the largest cost per link.
    """
    text = orjson.dumps(obj).decode("utf-8")
    if text.isascii() and "\x7f" not in text:
        return text
    return _RISKY.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


class FindingEncoder:
    """``dumps_line(finding.to_dict())``, with each verdict's half encoded once.

    A scan meets the same few verdicts over and over (one per host, memoised by the detector),
    so only the link's own keys are encoded per finding. The output is byte for byte the same.
    """

    def __init__(self, end: str = "") -> None:
        #: Appended to every line (JSON Lines pass "\n": one concatenation fewer per link).
        self.end = end
        self._memo: dict[int, tuple[Verdict, str]] = {}

    def _tail(self, verdict: Verdict) -> str:
        if len(self._memo) >= _MAX_MEMO:
            self._memo.clear()
        tail = "," + dumps_line(verdict.to_dict())[1:] + self.end  # '{"verdict":…}' → ',"verdict":…}'
        self._memo[id(verdict)] = (verdict, tail)  # the verdict is kept, so its id stays unique
        return tail

    def encode(self, finding: Finding) -> str:
        verdict = finding.verdict
        hit = self._memo.get(id(verdict))
        tail = hit[1] if hit is not None and hit[0] is verdict else self._tail(verdict)
        head = dumps_line(finding.link_dict())
        return head[:-1] + tail


class JsonlReporter(Reporter):
    name = "jsonl"
    uses_context = False

    def _setup(self) -> None:
        self._encode = FindingEncoder(end="\n").encode

    def _add(self, finding: Finding, context: str | None) -> None:
        self.out.write(self._encode(finding))

    def _close(self, stats: ScanStats) -> None:
        pass
