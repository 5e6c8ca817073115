"""Plain text: a record is a block of lines; only lines that may hold a link are decoded.

Reading bytes and decoding just the lines the prefilter names is what makes a scan of a large
dump fast; every line is still counted (the other lines stay in the record as empty lines, so
positions are exact), and a line longer than ``MAX_LINE_CHARS`` is read in pieces cut at
whitespace, so a 100 MB single-line file keeps memory flat.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from linkguard.inputs.decoding import ERRORS, Repairs, line_blocks
from linkguard.inputs.reader import ByteSource, Reader
from linkguard.limits import MAX_LINE_CHARS, READ_BLOCK_BYTES
from linkguard.models import Record, Skipped

if TYPE_CHECKING:
    from linkguard.prefilter import LinePrefilter

#: What :func:`select_lines` gives for a block.
Selection = tuple[str, tuple[tuple[int, int], ...], int, bool, int]

_select_lines_c: Callable[[bytes, str], Selection] | None
try:  # built from linkguard/_blocks.c when a C compiler was there at install time
    from linkguard._blocks import select_lines as _select_lines_c
except ImportError:  # pragma: no cover - depends on the install
    _select_lines_c = None


def _count_newlines_py(data: bytes) -> int:
    return data.count(b"\n")


_count_newlines_c: Callable[[bytes], int] | None
try:
    from linkguard._blocks import count_newlines as _count_newlines_c
except ImportError:  # pragma: no cover - depends on the install
    _count_newlines_c = None
#: ``data.count(b"\n")``; the C version (vectorized) takes a sixth of the time.
count_newlines: Callable[[bytes], int] = _count_newlines_c or _count_newlines_py

_PREFILTER: LinePrefilter | None = None


def _prefilter() -> LinePrefilter:
    global _PREFILTER
    if _PREFILTER is None:  # only without the C version
        from linkguard.prefilter import LinePrefilter

        _PREFILTER = LinePrefilter()
    return _PREFILTER


def cut_block(data: bytes) -> int:
    """Where to end a block: after the last newline; for a huge line, at whitespace or a UTF-8 boundary."""
    cut = data.rfind(b"\n") + 1
    if cut or len(data) < MAX_LINE_CHARS:
        return cut
    cut = max(data.rfind(b" "), data.rfind(b"\t")) + 1
    if cut:
        return cut
    cut = len(data)
    while cut > 0 and 0x80 <= data[cut - 1] < 0xC0:  # never split a UTF-8 sequence
        cut -= 1
    return cut - 1 if cut and data[cut - 1] >= 0xC0 else cut or len(data)


def _select_lines_py(block: bytes, errors: str) -> Selection:
    """The lines of ``block`` that may hold a link, decoded and joined by as many newlines as lie
    between them; with where the obfuscated ones are, the newlines before the first, whether it
    starts the block, and the block's newlines (see ``linkguard/_blocks.c``, its C twin)."""
    pieces: list[str] = []
    suspect: list[tuple[int, int]] = []
    searched = length = newlines = first_gap = 0
    first_at_start = True
    for start, end, obfuscated in _prefilter().lines(block):
        gap = block.count(b"\n", searched, start)
        newlines += gap
        if pieces:
            pieces.append("\n" * gap)
            length += gap
        else:
            first_gap, first_at_start = gap, start == 0
        searched = start
        text = block[start:end].decode("utf-8", errors)
        if obfuscated:
            suspect.append((length, length + len(text)))
        pieces.append(text)
        length += len(text)
    newlines += block.count(b"\n", searched)
    return "".join(pieces), tuple(suspect), first_gap, first_at_start, newlines


select_lines: Callable[[bytes, str], Selection] = _select_lines_c or _select_lines_py


#: One block of :func:`iter_blocks`: its bytes, the line and column it starts at, whether it is
#: the stream's last, and how many bytes after it were already read (the carry).
Block = tuple[bytes, int, int, bool, int]


def iter_blocks(
    stream: ByteSource,
    *,
    block_bytes: int = READ_BLOCK_BYTES,
    first_read: int | None = None,
    line: int = 1,
    column: int = 1,
) -> Iterator[Block]:
    """The blocks :func:`read_bytes` decodes: whole lines, or pieces of a huge line cut at whitespace.

    Each read asks for ``block_bytes`` (the first for ``first_read``): a scan that starts at a
    block boundary with the carry before it re-read (:mod:`linkguard.partition`) cuts the same
    blocks as a scan of the whole stream, so both give the same records.
    """
    carry, size = b"", first_read or block_bytes
    while True:
        chunk = stream.read(size) or b""
        size = block_bytes
        data = carry + chunk if carry else chunk
        if not chunk:
            if not data:
                break
            block, carry = data, b""
        else:
            cut = cut_block(data)
            if cut == 0:
                carry = data
                continue
            block, carry = data[:cut], data[cut:]
        yield block, line, column, not chunk, len(carry)
        newlines = count_newlines(block)
        if newlines:
            line += newlines
            column = 1
        else:
            # length only: invalid bytes are counted where lines are decoded
            column += len(block.decode("utf-8", "replace"))
        if not chunk:
            break


def read_bytes(
    stream: ByteSource,
    source: str,
    *,
    block_bytes: int = READ_BLOCK_BYTES,
    select: Callable[[bytes, str], Selection] | None = None,
    repairs: Repairs | None = None,
    first_read: int | None = None,
    line: int = 1,
    column: int = 1,
    stop_at: int | None = None,
) -> Iterator[Record | Skipped]:
    """UTF-8 (or ASCII) text from a byte stream, one record per block of ``block_bytes``.

    ``select`` picks the lines (default :func:`select_lines`: the C version when it was built);
    the invalid byte sequences it replaces are counted in ``repairs``. ``first_read``, ``line``
    and ``column`` continue a scan at a block boundary and ``stop_at`` ends it at a later one (an
    offset from where the stream starts): one byte range of a file.
    """
    select = select or select_lines
    repairs = repairs if repairs is not None else Repairs()
    offset = 0
    blocks = iter_blocks(stream, block_bytes=block_bytes, first_read=first_read, line=line, column=column)
    for block, line, column, last, _carry in blocks:
        if stop_at is not None and offset >= stop_at:
            break
        offset += len(block)
        # One record per block: the lines that may hold a link, with every other line left
        # empty, so newlines (and so line numbers) stay exact and the per-record cost of the
        # pipeline is paid once per block instead of once per line.
        with repairs.counting():
            text, suspect, first_gap, first_at_start, newlines = select(block, ERRORS)
        # a line is counted where it ends, so a long line read in pieces counts once
        lines_in_block = newlines + (1 if last and not block.endswith(b"\n") else 0)
        yield Record(
            text,
            source,
            line + first_gap,
            column if first_at_start else 1,  # a block starting mid-line continues its column
            None,
            None,
            lines_in_block,
            suspect,
        )


def read(stream: io.TextIOWrapper, source: str) -> Iterator[Record | Skipped]:
    """Text already decoded (UTF-16 input, or a JSON document that did not parse)."""
    for block, line, column in line_blocks(stream):
        lines = block.count("\n") + (0 if block.endswith("\n") else 1)
        yield Record(block, source, line, column, count=lines)


def _read_utf8(stream: ByteSource, source: str, repairs: Repairs) -> Iterator[Record | Skipped]:
    return read_bytes(stream, source, repairs=repairs)


#: Plain text: what no other format claims. UTF-8 is read as bytes (the fast path), the rest decoded.
READER = Reader("text", (".txt", ".log", ".md", ".text"), read_text=read, read_bytes=_read_utf8)
