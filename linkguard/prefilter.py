"""Which lines of a byte block can hold a link: the one pass over every byte of plain text, in
Python, for when ``linkguard/_blocks.c`` (the same pass in C, with these patterns) was not built.

Only the lines it names are decoded and given to :func:`linkguard.extract.candidates`, which has
the final word: a false positive here costs a little time, a false negative would lose a link,
so the patterns err wide, and :func:`tld_dot_possible` drops a dot only where the extractor
certainly reads no domain (the dotted words of German prose: ``Dr.Müller``, ``St.Pauli``).

The same pass tells whether a line holds anything :mod:`linkguard.deobfuscate` would undo, so
the extractor skips looking for it again in the nine lines out of ten that hold none.

This runs in ``re``, far slower than the C pass. Hyperscan, which ran these patterns near the C
pass's speed, was dropped: it only ever ran where the C extension could not be built, and it was
a third copy of the patterns to keep in step (the README has the numbers).
"""

from __future__ import annotations

import re

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
_ASCII_LETTERS = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
_LABEL_BYTES = _ASCII_LETTERS | frozenset(b"0123456789-_")
_UPPER, _LOWER = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ"), frozenset(b"abcdefghijklmnopqrstuvwxyz")
#: What may follow a capitalised last label for it to be a sentence's full stop without its space.
_AFTER_NAME = frozenset(b" \t\r,;!)\"'")
_MAX_LABELS = 8


def tld_dot_possible(line: bytes, dot: int) -> bool:
    """Whether the dot at ``line[dot]`` (before two bytes that may be letters) can end the host of
    a scheme-less link: False only where :mod:`linkguard.extract` certainly reads none there.

    The same as ``tld_dot_possible`` in ``linkguard/_blocks.c``, which explains the three cases:
    ``Dr.Müller``, ``o.ä.``, and alone-standing runs of ASCII labels whose last is capitalised
    (``St.Pauli``, ``Ende.Die``) and whose first is not all capitals.
    """
    c1, c2, end = line[dot + 1], line[dot + 2], len(line)
    if c1 in _UPPER and c2 >= 0x80:
        return False
    if 0xC2 <= c1 <= 0xF4:
        n = 4 if c1 >= 0xF0 else 3 if c1 >= 0xE0 else 2
        after = dot + 1 + n
        if after > end or any(b & 0xC0 != 0x80 for b in line[dot + 2 : after]):
            return True
        return after < end and (line[after] >= 0x80 or line[after] in _ASCII_LETTERS)
    if c1 not in _ASCII_LETTERS:
        return True
    a, z = dot, dot + 1
    while a > 0 and (line[a - 1] in _LABEL_BYTES or line[a - 1] == 0x2E):
        a -= 1
    while z < end and (line[z] in _LABEL_BYTES or line[z] == 0x2E):
        z += 1
    if a > 0 and line[a - 1] >= 0x80:
        return True
    stop = z - 1 if line[z - 1] == 0x2E else z  # a full stop after it, if only a space or the end follows
    if stop < z and z < end and line[z] not in b" \t\r":
        return True
    if stop == z and z < end and line[z] not in _AFTER_NAME:
        return True
    labels = line[a:stop].split(b".")
    if not 2 <= len(labels) <= _MAX_LABELS or any(not 0 < len(label) <= 63 for label in labels):
        return True
    first, last = labels[0], labels[-1]
    if not _LOWER.isdisjoint(first) or _UPPER.isdisjoint(first):  # not all capitals
        return not (last[0] in _UPPER and len(last) >= 2 and all(b in _LOWER for b in last[1:]))
    return True


class LinePrefilter:
    """Finds candidate lines; build once (it compiles its pattern)."""

    def __init__(self) -> None:
        # A hint consumes only its dot or colon, so that it never hides an obfuscation from the
        # one non-overlapping pass (".a" and a soft hyphen's first byte, ":\\.").
        self._re = re.compile(rb"(" + OBFUSCATION + rb")|\.(?=[A-Za-z\x80-\xff]{2})|:(?=[/\\])")

    def lines(self, block: bytes) -> list[tuple[int, int, bool]]:
        """``(start, end, obfuscated)`` of the lines that may hold a link.

        Offsets are bytes (``end`` excludes the newline); ``obfuscated`` is False only when the
        line holds nothing to de-obfuscate.
        """
        out: list[tuple[int, int, bool]] = []
        start = end = -1  # the line of the last match
        kept = obfuscated = False
        for m in self._re.finditer(block):
            at = m.end() - 1
            if at >= end:  # a new line
                if kept:
                    out.append((start, end, obfuscated))
                start = block.rfind(b"\n", 0, at) + 1
                end = block.find(b"\n", at)
                if end == -1:
                    end = len(block)
                kept = obfuscated = False
            if obfuscated:
                continue
            if m.group(1) is not None:
                kept = obfuscated = True
            elif not kept and (block[at] != 0x2E or tld_dot_possible(block[start:end], at - start)):
                kept = True
        if kept:
            out.append((start, end, obfuscated))
        return out
