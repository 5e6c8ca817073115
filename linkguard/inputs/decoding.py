"""Bytes → text blocks that end on line boundaries, counting what had to be repaired."""

from __future__ import annotations

import codecs
import io
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import BinaryIO

from linkguard.limits import BINARY_SHARE, MAX_LINE_CHARS, READ_BLOCK_BYTES

ERRORS = "linkguard-count"
#: The counter of the stream being decoded on this thread: the error handler is process-wide
#: (codecs has one registry), so each stream sets its own counter around its decoding calls.
_active = threading.local()


class Repairs:
    """Invalid byte sequences replaced in one stream: one per stream, so streams read in threads
    or interleaved in one thread never count each other's repairs."""

    __slots__ = ("invalid",)

    def __init__(self) -> None:
        self.invalid = 0

    @contextmanager
    def counting(self) -> Iterator[None]:
        """Count what the decoding calls inside the block replace into this stream's counter."""
        previous = getattr(_active, "repairs", None)
        _active.repairs = self
        try:
            yield
        finally:
            _active.repairs = previous


def _count_and_replace(exc: UnicodeError) -> tuple[str, int]:
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    repairs = getattr(_active, "repairs", None)
    if repairs is not None:
        repairs.invalid += 1
    return "\ufffd", exc.end


codecs.register_error(ERRORS, _count_and_replace)


def encoding_for(head: bytes) -> str:
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    return utf16_without_bom(head) or "utf-8"


def utf16_without_bom(head: bytes) -> str | None:
    """``utf-16-le``/``utf-16-be`` when NULs fall on one side of the byte pairs (text mostly in
    Latin script, as Windows tools write it without a BOM); else ``None``."""
    pairs = len(head) // 2
    if pairs < 4:
        return None
    even, odd = head[0 : 2 * pairs : 2].count(0), head[1 : 2 * pairs : 2].count(0)
    if odd >= pairs * 0.6 and even <= pairs * 0.02:
        return "utf-16-le"
    if even >= pairs * 0.6 and odd <= pairs * 0.02:
        return "utf-16-be"
    return None


#: Bytes that do not occur in text (C0 controls but tab, newlines, form feed and escape; DEL).
_CONTROL = bytes([*range(0, 9), 11, *range(14, 27), *range(28, 32), 127])


def looks_binary(head: bytes) -> bool:
    """An image, archive or executable rather than text with some stray bytes.

    Without NUL bytes it is text (in whatever 8-bit encoding: invalid UTF-8 is replaced and
    counted). NULs alone do not decide it either (a log with NUL padding after a crash, UTF-16
    without a BOM): what does is the share of control bytes and of bytes that are not UTF-8
    among the rest.
    """
    if b"\x00" not in head:
        return False
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or utf16_without_bom(head):
        return False
    rest = head.replace(b"\x00", b"")
    if not rest:
        return b"\x00" in head
    controls = len(rest) - len(rest.translate(None, _CONTROL))
    invalid = rest.decode("utf-8", "replace").count("\ufffd")
    return (controls + invalid) > len(rest) * BINARY_SHARE


class _CountedText(io.TextIOWrapper):
    """Decoded text whose replaced byte sequences go to one stream's :class:`Repairs`."""

    repairs: Repairs

    def read(self, size: int | None = -1, /) -> str:
        previous = getattr(_active, "repairs", None)  # inline: JSON Lines read a line at a time
        _active.repairs = self.repairs
        try:
            return super().read(size)
        finally:
            _active.repairs = previous

    def readline(self, size: int = -1, /) -> str:  # type: ignore[override]
        previous = getattr(_active, "repairs", None)
        _active.repairs = self.repairs
        try:
            return super().readline(size)
        finally:
            _active.repairs = previous


def text_stream(stream: BinaryIO, encoding: str, repairs: Repairs | None = None) -> io.TextIOWrapper:
    """``stream`` decoded; invalid sequences are replaced and counted in ``repairs``."""
    text = _CountedText(stream, encoding=encoding, errors=ERRORS, newline="")
    text.repairs = repairs if repairs is not None else Repairs()
    return text


#: Where ``readline`` ends a line of a stream opened with ``newline=""``: at "\n", "\r\n" or a lone "\r".
_LINE_END = re.compile(r"\r\n?|\n")
#: Characters :func:`readblocks` decodes at a time: readline's own chunk, so an I/O error part-way
#: through a file (a truncated gzip) costs no more of the lines before it than readline did (a
#: 64K block was no faster on 12 MB of JSON Lines).
LINES_BLOCK_CHARS = 1 << 13


def readblocks(stream: io.TextIOBase, size: int, block: int = LINES_BLOCK_CHARS) -> Iterator[str]:
    """What ``stream.readline(size)`` gives, call after call, up to the first "" (``newline=""``:
    a line ends at "\n", "\r\n" or a lone "\r"; a longer one comes in pieces of ``size``), read a
    block at a time, in texts of one or more of those lines whole: cut after each "\n", a text is
    its lines. A JSON Lines file is a line per post, and a ``readline`` each cost 5 % of their scan;
    a block of them lets the lines that need no parsing be passed in one C call. A block without
    "\r" or a line over ``size`` (the common case) is one text; a property test holds the lines
    to ``readline``'s."""
    pending = ""
    while chunk := stream.read(block):
        text = pending + chunk if pending else chunk
        if "\r" in text:
            done, pending = _cut(text, size, final=False)
            yield from done
            continue
        if len(text) <= size:  # no line is longer than ``size``
            cut = text.rfind("\n") + 1
            if cut:
                yield text[:cut]
            pending = text[cut:]
            continue
        parts = text.split("\n")
        pending = parts.pop()
        for part in parts:
            yield from _pieces(part + "\n", size)
        if len(pending) >= size:  # no line end in its first ``size`` characters: readline stops there
            whole = len(pending) - len(pending) % size
            yield from _pieces(pending[:whole], size)
            pending = pending[whole:]
    yield from _cut(pending, size, final=True)[0]


def _pieces(text: str, size: int) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)] if len(text) > size else [text]


def _cut(text: str, size: int, *, final: bool) -> tuple[list[str], str]:
    """The lines (and pieces of ``size``) that ``text`` holds, and what is left for the next block;
    a "\r" at the end is left unless ``final`` (it may be the first half of "\r\n")."""
    out: list[str] = []
    at, n = 0, len(text)
    for m in _LINE_END.finditer(text):
        end = m.end()
        if end == n and not final and text[end - 1] == "\r":
            break
        while end - at > size:
            out.append(text[at : at + size])
            at += size
        out.append(text[at:end])
        at = end
    while n - at >= size if not final else n - at > size:
        out.append(text[at : at + size])
        at += size
    if final and at < n:
        out.append(text[at:])
        at = n
    return out, text[at:]


def line_blocks(stream: io.TextIOWrapper) -> Iterator[tuple[str, int, int]]:
    """Yield ``(block, first_line, first_column)``; blocks hold whole lines.

    A line longer than ``MAX_LINE_CHARS`` is cut at whitespace (or anywhere, if it has none), so
    a 100 MB single-line file is read in bounded pieces; positions stay exact.
    """
    line, column, carry = 1, 1, ""
    while True:
        chunk = stream.read(READ_BLOCK_BYTES)
        if not chunk:
            break
        text = carry + chunk
        cut = text.rfind("\n") + 1
        if cut == 0 and len(text) >= MAX_LINE_CHARS:
            cut = max(text.rfind(" ", 0, len(text)), text.rfind("\t")) + 1 or len(text)
        if cut == 0:
            carry = text
            continue
        block, carry = text[:cut], text[cut:]
        yield block, line, column
        newlines = block.count("\n")
        if newlines:
            line += newlines
            column = 1
        else:
            column += len(block)
    if carry:
        yield carry, line, column
