"""Which lines of a byte block can hold a link: the one pass over every byte of plain text, in
Python, for when ``linkguard/_blocks.c`` (the same pass in C, with these patterns) was not built.

Python's ``re`` manages well under 100 MB/s for a pattern that starts with a character class,
so on x86-64 Linux the pass runs in Hyperscan (Intel's multi-pattern matcher; gigabytes per
second), elsewhere in ``re`` with the same patterns. Only the lines it names are decoded and given to
:func:`linkguard.extract.candidates`, which has the final word: a false positive here costs a
little time, a false negative would lose a link, so the patterns err wide.

The same pass tells whether a line holds anything :mod:`linkguard.deobfuscate` would undo, so
the extractor skips looking for it again in the nine lines out of ten that hold none.
"""

from __future__ import annotations

import re
from typing import Any

#: A dot before two letters (TLDs have at least two) or a scheme separator, which browsers also
#: take written ``:/`` or ``:\\`` (``https:\\welt.ltd``).
HINT = rb"\.[A-Za-z\x80-\xff]{2}|:[/\\]"
#: Any character of :data:`linkguard.deobfuscate.TRIGGER_CHARS` by its UTF-8 bytes (a superset),
#: or the ASCII defanging of :data:`linkguard.deobfuscate.TRIGGER_ASCII`.
OBFUSCATION = (
    rb"\xc2[\xad\xb7]|\xcd\x8f|\xd8\x9c|\xe1[\x85\x9e\xa0]|\xe2\x80[\x8b-\x8f\xa2\xa4\xa7\xaa-\xae]"
    rb"|\xe2\x81[\xa0-\xaf]|\xe2[\x91-\x93]|\xe2(?:\x88\x99|\x8b\x85|\x97\x8f|\x9a\xab|\xa6\x81|\xb8\xb1)"
    rb"|\xe3\x80\x82|\xe3\x85\xa4|\xef[\xb8-\xbf]|\xf0\x9d|\xf0\x9f[\x84-\x86]|\xf0\x9f\x94[\xb6-\xb9]"
    rb"|[\[({\\][.dD:]|[xX*]{2}[pP]| \. | [dD][oO][tT] "
)
_HINT_ID, _OBFUSCATION_ID = 0, 1

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
            self._db.compile(
                expressions=[HINT, OBFUSCATION], ids=[_HINT_ID, _OBFUSCATION_ID], elements=2, flags=[0, 0]
            )
            self._scratch: Any = _hs.Scratch(self._db)
        else:
            # A hint consumes only its dot or colon, so that it never hides an obfuscation
            # from the one non-overlapping pass (".a" and a soft hyphen's first byte, ":\\.").
            self._re = re.compile(rb"(" + OBFUSCATION + rb")|\.(?=[A-Za-z\x80-\xff]{2})|:(?=[/\\])")

    def _matches(self, block: bytes) -> list[int]:
        """Every match as ``end << 1 | id``, in order of ``end`` (an int sorts and packs cheaper
        than a tuple, and there is one per hint)."""
        if self.engine == "hyperscan":
            found: list[int] = []
            append = found.append

            def on_match(id_: int, _start: int, end: int, _flags: int, _ctx: object) -> None:
                append(end << 1 | id_)

            self._db.scan(block, match_event_handler=on_match, scratch=self._scratch)
            found.sort()  # Hyperscan does not promise order across patterns
            return found
        return [
            m.end() << 1 | (_OBFUSCATION_ID if m.group(1) else _HINT_ID) for m in self._re.finditer(block)
        ]

    def lines(self, block: bytes) -> list[tuple[int, int, bool]]:
        """``(start, end, obfuscated)`` of the lines that may hold a link.

        Offsets are bytes (``end`` excludes the newline); ``obfuscated`` is False only when the
        line holds nothing to de-obfuscate.
        """
        out: list[tuple[int, int, bool]] = []
        line_end = -1
        for match in self._matches(block):
            end, id_ = match >> 1, match & 1
            if end <= line_end:
                if id_ == _OBFUSCATION_ID and not out[-1][2]:
                    out[-1] = (out[-1][0], line_end, True)
                continue
            start = block.rfind(b"\n", 0, end - 1) + 1
            line_end = block.find(b"\n", end - 1)
            if line_end == -1:
                line_end = len(block)
            out.append((start, line_end, id_ == _OBFUSCATION_ID))
        return out
