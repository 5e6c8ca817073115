"""Which lines of a byte block can hold a link: the one pass over every byte of plain text.

Python's ``re`` manages well under 100 MB/s for a pattern that starts with a character class,
so on x86-64 Linux the pass runs in Hyperscan (Intel's multi-pattern matcher; gigabytes per
second), elsewhere in ``re`` with the same pattern. Only the lines it names are decoded and given to
:func:`linkguard.extract.candidates`, which has the final word: a false positive here costs a
little time, a false negative would lose a link, so the pattern errs wide.
"""

from __future__ import annotations

import re
from typing import Any

#: A dot before two letters (TLDs have at least two), a scheme separator, any obfuscation
#: character of :data:`linkguard.deobfuscate.TRIGGER` by its UTF-8 lead bytes, or ASCII defanging.
PATTERN = (
    rb"\.[A-Za-z\x80-\xff]{2}|://"
    rb"|\xc2\xad|\xcd\x8f|\xd8\x9c|\xe1[\x85\x9e\xa0]|\xe2\x80[\x8b-\x8f\xa4\xaa-\xae]|\xe2\x81[\xa0-\xaf]|\xe2[\x91-\x93]|\xe3\x80\x82|\xe3\x85\xa4"
    rb"|\xef[\xb8-\xbf]|\xf0\x9d|\xf0\x9f[\x84-\x86]"
    rb"|[\[({\\][.dD:]|[xX*]{2}[pP]"
)

_hs: Any
try:  # pragma: no cover - depends on the platform
    import hyperscan as _hs
except ImportError:  # pragma: no cover
    _hs = None


class LinePrefilter:
    """Finds candidate lines; build once (compiling the Hyperscan database takes milliseconds)."""

    def __init__(self, *, engine: str | None = None) -> None:
        self.engine = engine or ("hyperscan" if _hs is not None else "re")
        if self.engine == "hyperscan":
            if _hs is None:
                raise RuntimeError("hyperscan is not installed")
            self._db: Any = _hs.Database()
            self._db.compile(expressions=[PATTERN], ids=[0], elements=1, flags=[0])
            self._scratch: Any = _hs.Scratch(self._db)
        else:
            self._re = re.compile(PATTERN)

    def _ends(self, block: bytes) -> list[int]:
        if self.engine == "hyperscan":
            ends: list[int] = []
            append = ends.append

            def on_match(_id: int, _start: int, end: int, _flags: int, _ctx: object) -> None:
                append(end)

            self._db.scan(block, match_event_handler=on_match, scratch=self._scratch)
            return ends
        return [m.end() for m in self._re.finditer(block)]

    def lines(self, block: bytes) -> list[tuple[int, int]]:
        """``(start, end)`` byte offsets of the lines that may hold a link (end excludes the newline)."""
        out: list[tuple[int, int]] = []
        line_end = -1
        for end in self._ends(block):
            if end <= line_end:
                continue
            start = block.rfind(b"\n", 0, end - 1) + 1
            line_end = block.find(b"\n", end - 1)
            if line_end == -1:
                line_end = len(block)
            out.append((start, line_end))
        return out
