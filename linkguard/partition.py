"""A scan cut into units that run anywhere: a whole input, or a byte range of a large plain-text
or JSON Lines file cut on line boundaries (for ``scan --jobs``, also of a large JSON array cut
between its elements).

``plan(paths)`` lists the units in input order; ``scan_unit(scanner, unit)`` (or ``iter_unit``)
scans one, in any process, and returns its findings and exact counts; ``merge_counts`` (pure,
associative, for a tree of results) or ``Totals`` (into one ``ScanStats``, as results arrive in
order) put the counts together. Findings of the units in plan order, concatenated, are the
findings of one sequential scan, byte for byte: a text range starts where a whole-file read
starts a block (same line, column and first read, so the same blocks are cut), a JSON Lines
range starts after a newline with its line number counted, a JSON array range at a comma
between two elements with its line, column and element index. Planning reads each file that is
split once (memchr speed, no decoding); a file that cannot be split (compressed, another format,
small) is one unit. ``scan --jobs`` (:mod:`linkguard.parallel`) is built on this; so is the Dask
engine.
"""

from __future__ import annotations

import dataclasses
import functools
import io
import mmap
import os
import re
import stat
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, Literal

from linkguard import workload
from linkguard.inputs import compression, jsondump, plaintext
from linkguard.inputs.decoding import Repairs, encoding_for, looks_binary, text_stream
from linkguard.inputs.jsontree import Positions, Walker
from linkguard.inputs.registry import Readers
from linkguard.inputs.shapes import SHAPES
from linkguard.inputs.sources import iter_paths, read_path, sniff_format
from linkguard.limits import (
    DENSE_MIN_UNIT_BYTES,
    JSON_READ_CHARS,
    JSON_SPLIT_MAX_DEPTH,
    JSON_WHOLE_VALUE_CHARS,
    MAX_LINE_CHARS,
    READ_BLOCK_BYTES,
    SNIFF_BYTES,
    TAIL_SHRINK,
    UNIT_BYTES,
)
from linkguard.models import Finding, Record, ScanStats, Skipped

try:
    from linkguard._blocks import json_boundary
except ImportError:  # pragma: no cover - depends on the install: JSON documents stay one unit
    json_boundary = None  # type: ignore[assignment]

if TYPE_CHECKING:
    from linkguard.scan import Scanner

UnitKind = Literal["whole", "text", "lines", "jsonl", "json", "json-tail"]
_REPAIR_REASON = "invalid-utf-8-replaced"


@dataclass(frozen=True, slots=True)
class Unit:
    """One piece of a scan; picklable, so it can be sent to another process or machine.

    ``kind`` "whole" reads ``path`` as a sequential scan does (any format, compression, stdin);
    "text" and "jsonl" read the bytes ``start``..``end`` (``None``: to the end of the file).
    ``line``/``column`` are where the range starts; ``first_read`` is the size of a text range's
    first read (the bytes a whole-file read carried into the block at ``start``, plus a block).
    "lines" reads the whole lines in ``start``..``end`` of a text none of whose lines is cut in
    pieces, and so may start after any newline (a dense text is cut finer than a read block).
    ``first`` counts the input as a source; ``last`` reports the repairs of all its ranges.
    ``local``: only the planning process can read it (stdin, a named pipe).

    "json" reads the elements of a top-level JSON array (a large export, an X ``tweets.js``) in
    ``start``..``end``: the range starts at the comma before element ``index`` (the first range
    at the file's start), at ``line``/``column``. "json-tail" is what a sequential scan finds in
    ``path`` from ``line``/``column`` on: the way out when a "json" range is not JSON.
    """

    path: str
    kind: UnitKind = "whole"
    input_format: str | None = None
    start: int = 0
    end: int | None = None
    first_read: int = 0
    line: int = 1
    column: int = 1
    encoding: str = "utf-8"
    first: bool = True
    last: bool = True
    #: Bytes of input this unit stands for, as planned (for batching small files and progress).
    size: int = 0
    #: Its estimated work in bytes of prose (``size`` times the density of its head, see
    #: :mod:`linkguard.workload`) where planning judged it; 0: as many as ``size``.
    work: int = 0
    local: bool = False
    index: int = 0


@dataclass(slots=True)
class UnitCounts:
    """What one unit (or several, merged in order) adds to a run's ``ScanStats``.

    ``skipped`` keeps every ``Skipped`` in input order (``ScanStats.skip`` replays them, so the
    messages come out as a sequential scan writes them); a file's last range ends it with the
    invalid UTF-8 it replaced as a bare number, to which merging adds the earlier ranges'
    (``open_repairs``: those of files whose last range is still to come), and which
    :class:`Totals` writes as the one note a sequential scan writes.
    """

    sources: int = 0
    records: int = 0
    posts: int = 0
    bytes_read: int = 0
    links: int = 0
    flagged: int = 0
    verdicts: Counter[str] = field(default_factory=Counter)
    skipped: list[Skipped] = field(default_factory=list)
    open_repairs: dict[str, int] = field(default_factory=dict)


@dataclass(slots=True)
class UnitResult:
    findings: list[Finding]
    counts: UnitCounts


def _repairs_closed(source: str, replaced: int) -> list[Skipped]:
    """The one note a sequential scan writes at the end of an input with invalid UTF-8."""
    if not replaced:
        return []
    detail = f"{replaced} invalid byte sequence(s) replaced"
    return [Skipped(source, _REPAIR_REASON, detail, kept=True)]


def merge_counts(a: UnitCounts, b: UnitCounts) -> UnitCounts:
    """``a`` then ``b`` (``b`` comes after ``a`` in plan order); associative, inputs untouched."""
    open_repairs = dict(a.open_repairs)
    skipped = [*a.skipped]
    for item in b.skipped:
        if item.reason == _REPAIR_REASON and item.detail.isdigit():  # a range's closing count
            replaced = open_repairs.pop(item.source, 0) + int(item.detail)
            skipped.append(dataclasses.replace(item, detail=str(replaced)))
        else:
            skipped.append(item)
    for source, n in b.open_repairs.items():
        open_repairs[source] = open_repairs.get(source, 0) + n
    return UnitCounts(
        a.sources + b.sources,
        a.records + b.records,
        a.posts + b.posts,
        a.bytes_read + b.bytes_read,
        a.links + b.links,
        a.flagged + b.flagged,
        a.verdicts + b.verdicts,
        skipped,
        open_repairs,
    )


class Totals:
    """Unit counts added in plan order into one ``ScanStats`` (``stats``), as results arrive."""

    def __init__(self, stats: ScanStats | None = None) -> None:
        self.stats = stats if stats is not None else ScanStats()
        self._open = UnitCounts()

    def add(self, counts: UnitCounts, *, verdicts: bool = True) -> None:
        """Add one unit's counts; ``verdicts=False`` leaves ``links``' verdicts to the caller
        (who re-judged them, as ``--online`` does)."""
        merged = merge_counts(self._open, counts)
        stats = self.stats
        stats.sources += merged.sources
        stats.records += merged.records
        stats.posts += merged.posts
        stats.bytes_read += merged.bytes_read
        stats.links += merged.links
        if verdicts:
            stats.flagged += merged.flagged
            stats.verdicts.update(merged.verdicts)
        for item in merged.skipped:
            if item.reason == _REPAIR_REASON and item.detail.isdigit():
                for note in _repairs_closed(item.source, int(item.detail)):
                    stats.skip(note)
            else:
                stats.skip(item)
        self._open = UnitCounts(open_repairs=merged.open_repairs)


# -- planning --------------------------------------------------------------------------------------
def plan(
    paths: Iterable[str | Path],
    *,
    input_format: str | None = None,
    unit_bytes: int = UNIT_BYTES,
    json_arrays: bool = False,
    by_work: bool = False,
) -> Iterator[Unit | Skipped]:
    """The units of a scan of ``paths`` in input order, and the paths that cannot be read.

    A file of at least twice ``unit_bytes`` that is plain UTF-8 text or JSON Lines (sniffed as a
    sequential scan would, or as ``input_format`` says) is cut into ranges of about
    ``unit_bytes``; with ``json_arrays``, so is a JSON document that is one large array (its
    ranges may raise :class:`JsonRangeMalformed`: see there). Anything else is one unit. Lazy:
    the first units come before a large file has been read to its end.

    ``by_work``: ``unit_bytes`` is work, not bytes. A text or JSON Lines file whose head is
    denser with hosts than prose (:func:`linkguard.workload.weight`: a domain list) is cut into
    ranges that much smaller, down to ``DENSE_MIN_UNIT_BYTES``: the same work in each. Whole
    files carry their estimate in ``Unit.work``.
    """
    fmt = input_format if input_format and input_format != "auto" else None
    for path in iter_paths(paths):
        if isinstance(path, Skipped):
            yield path
        else:
            yield from _units_of(str(path), fmt, unit_bytes, json_arrays, by_work)


def _units_of(
    path: str, input_format: str | None, unit_bytes: int, json_arrays: bool = False, by_work: bool = False
) -> Iterator[Unit]:
    whole = Unit(path, "whole", input_format)
    if path == "-":
        yield dataclasses.replace(whole, local=True)
        return
    try:
        st = os.stat(path)
    except OSError:
        yield whole  # the reader says why, as in a sequential scan
        return
    if not stat.S_ISREG(st.st_mode):
        yield dataclasses.replace(whole, local=True)
        return
    whole = dataclasses.replace(whole, size=st.st_size)
    # the smallest file that may hold two units' work: a file of distinct domains, by work
    if st.st_size < 2 * unit_bytes // (workload.MAX_WEIGHT if by_work else 1):
        yield whole
        return
    try:
        with open(path, "rb") as fh:
            head = _head(fh)
            kind = _splittable(path, head, input_format)
            if kind is None or (kind == "json" and not json_arrays):
                yield whole
                return
            weight = 1.0
            if by_work and kind != "json":
                weight = workload.weight(head)
                whole = dataclasses.replace(whole, work=int(st.st_size * weight))
                unit_bytes = max(min(unit_bytes, DENSE_MIN_UNIT_BYTES), int(unit_bytes / weight))
            if st.st_size < 2 * unit_bytes:
                yield whole
                return
            fh.seek(0)
            # a dense text's ranges are smaller than a read block: cut after any newline
            lines = (
                _line_ranges(path, fh, unit_bytes)
                if kind == "text" and weight > 1.0 and unit_bytes < READ_BLOCK_BYTES
                else None
            )
            if lines is not None:
                yield from lines
            elif kind == "text":
                yield from _text_ranges(path, fh, unit_bytes)
            elif kind == "jsonl":
                yield from _jsonl_ranges(path, fh, unit_bytes, encoding_for(head))
            else:
                yield from _json_ranges(path, fh, unit_bytes, encoding_for(head), whole)
    except OSError:
        yield whole


def _head(fh: BinaryIO) -> bytes:
    head = b""
    while len(head) < SNIFF_BYTES:
        chunk = fh.read(SNIFF_BYTES - len(head))
        if not chunk:
            break
        head += chunk
    return head


def _splittable(path: str, head: bytes, input_format: str | None) -> UnitKind | None:
    """``text``, ``jsonl`` or ``json`` when ``linkguard.inputs.sources.read_stream`` would read the
    file as uncompressed UTF-8 plain text, JSON Lines or a JSON document from its first byte on;
    else None."""
    if compression.detect(head) is not None or looks_binary(head):
        return None
    encoding = encoding_for(head)
    if encoding not in ("utf-8", "utf-8-sig"):
        return None
    fmt = input_format or sniff_format(path, head)
    if fmt == "json" and json_boundary is None:
        return None
    return fmt if fmt in ("text", "jsonl", "json") else None  # type: ignore[return-value]


def _range_bytes(remaining: int, unit_bytes: int) -> int:
    """The size of the range that starts ``remaining`` bytes before the end of its file: ``unit_bytes``,
    down to a quarter of it near the end, so that the last ranges are small and no worker waits
    long for another to finish a large one (the last file's tail is the run's)."""
    return max(unit_bytes // TAIL_SHRINK, min(unit_bytes, remaining // TAIL_SHRINK))


def _text_ranges(path: str, fh: BinaryIO, unit_bytes: int) -> Iterator[Unit]:
    """Ranges that start where a whole-file read starts a block, with the block's line, column
    and the first read that cuts the same blocks (a sequential scan's first read is the sniffed head)."""
    start, first_read, line, column, carry = 0, SNIFF_BYTES, 1, 1, 0
    size = _size(fh)
    for offset, b_line, b_column, b_carry in block_starts(fh, first_read=SNIFF_BYTES):
        if offset - start >= _range_bytes(size - start, unit_bytes):
            yield _text_unit(path, start, offset, first_read, line, column, last=False)
            start, first_read, line, column = offset, carry + READ_BLOCK_BYTES, b_line, b_column
        carry = b_carry
    yield _text_unit(path, start, _size(fh), first_read, line, column, last=True)


def _line_ranges(path: str, fh: BinaryIO, unit_bytes: int) -> list[Unit] | None:
    """Ranges of about ``unit_bytes`` (a dense text's: smaller than a read block) that end after
    any newline; ``None`` when a line may be ``MAX_LINE_CHARS`` or longer.

    A read of lines shorter than that cuts its blocks after newlines only, wherever it starts:
    each block is whole lines, and what a line holds is found within it (no link spans a line,
    nor does the context of one). So a range read from any line's start finds what a whole-file
    read finds in its lines, whichever blocks each cuts. A longer line is cut in pieces where the
    reads happen to fall: such a file is cut where a whole-file read starts its blocks.
    Every such line holds a newline-free aligned stretch of half its limit, so looking for one
    newline in each is the whole test (the file is mapped: nothing is copied).
    """
    size = _size(fh)
    step = MAX_LINE_CHARS // 2
    with mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as data:
        if any(data.find(b"\n", at, at + step) < 0 for at in range(0, size - step + 1, step)):
            return None
        units, start, line = [], 0, 1
        while True:
            cut = data.find(b"\n", start + _range_bytes(size - start, unit_bytes) - 1) + 1
            if cut <= 0 or cut >= size:
                break
            units.append(_lines_unit(path, start, cut, line, last=False))
            with memoryview(data) as view, view[start:cut] as part:
                line += plaintext.count_newlines(part)  # type: ignore[arg-type]  # any buffer
            start = cut
    units.append(_lines_unit(path, start, size, line, last=True))
    return units


def _lines_unit(path: str, start: int, end: int, line: int, *, last: bool) -> Unit:
    return Unit(
        path,
        "lines",
        "text",
        start,
        None if last else end,
        SNIFF_BYTES if start == 0 else READ_BLOCK_BYTES,
        line,
        first=start == 0,
        last=last,
        size=end - start,
    )


def block_starts(
    fh: BinaryIO, *, block_bytes: int = READ_BLOCK_BYTES, first_read: int | None = None
) -> Iterator[tuple[int, int, int, int]]:
    """Where each block of ``plaintext.iter_blocks(fh, ...)`` starts (its offset from ``fh``'s
    position, line and column) and its carry, without copying or cutting the blocks: planning
    reads a large file once in the parent, at close to the speed of counting its newlines.

    The same cuts: a read that holds a newline ends its block after its last one (the carry
    before it never holds one); a read without one goes the slow way, through ``plaintext.cut_block``.
    """
    carry, size = b"", first_read or block_bytes
    pos = read = 0  # where the next block starts, and the bytes read so far
    line, column = 1, 1
    while True:
        chunk = fh.read(size) or b""
        size = block_bytes
        if not chunk:
            if carry:
                yield pos, line, column, 0
            return
        read += len(chunk)
        last_newline = chunk.rfind(b"\n")
        if last_newline >= 0:
            yield pos, line, column, len(chunk) - last_newline - 1
            line += plaintext.count_newlines(chunk)
            column = 1
            carry = chunk[last_newline + 1 :]
            pos = read - len(carry)
            continue
        data = carry + chunk if carry else chunk
        cut = plaintext.cut_block(data)
        if cut == 0:
            carry = data
            continue
        yield pos, line, column, len(data) - cut
        column += len(data[:cut].decode("utf-8", "replace"))
        carry = data[cut:]
        pos += cut


def _text_unit(
    path: str, start: int, end: int, first_read: int, line: int, column: int, *, last: bool
) -> Unit:
    return Unit(
        path,
        "text",
        "text",
        start,
        None if last else end,
        first_read,
        line,
        column,
        first=start == 0,
        last=last,
        size=end - start,
    )


def _jsonl_ranges(path: str, fh: BinaryIO, unit_bytes: int, encoding: str) -> Iterator[Unit]:
    """Ranges that start after a newline, numbered as ``jsondump.read_lines`` numbers lines
    (it reads with universal newlines: ``\\r\\n``, ``\\r`` and ``\\n`` each end a line)."""
    start, line, offset, after_cr = 0, 1, 0, False
    lines_before, size = 0, _size(fh)  # line ends between ``start`` and what was counted
    while True:
        chunk = fh.read(READ_BLOCK_BYTES)
        if not chunk:
            break
        pos = 0
        while start + (want := _range_bytes(size - start, unit_bytes)) - offset <= len(chunk):
            at = chunk.find(b"\n", max(pos, start + want - offset))
            if at == -1 or offset + at + 1 >= size:
                break
            cut = at + 1
            lines_before += _line_ends(chunk[pos:cut], after_cr)
            yield _jsonl_unit(path, start, offset + cut, line, encoding, last=False)
            start, line, lines_before, after_cr, pos = offset + cut, line + lines_before, 0, False, cut
        rest = chunk[pos:]
        lines_before += _line_ends(rest, after_cr)
        after_cr = rest.endswith(b"\r") if rest else after_cr
        offset += len(chunk)
    yield _jsonl_unit(path, start, offset, line, encoding, last=True)


def _jsonl_unit(path: str, start: int, end: int, line: int, encoding: str, *, last: bool) -> Unit:
    return Unit(
        path,
        "jsonl",
        "jsonl",
        start,
        None if last else end,
        line=line,
        encoding=encoding if start == 0 else "utf-8",  # the byte-order mark is the file's first bytes
        first=start == 0,
        last=last,
        size=end - start,
    )


class JsonRangeMalformed(Exception):
    """A "json" range that is not what a sequential read finds there (the document is malformed
    or too deep in it, or it ends early): the scan must take ``unit.tail()`` instead of this
    range and of the file's later ranges. Rare, and only for a broken file."""

    def __init__(self, unit: Unit) -> None:
        super().__init__(unit)
        self.unit = unit

    def tail(self) -> Unit:
        """The rest of the file from this range's start, read as a sequential scan reads it."""
        unit = self.unit
        return dataclasses.replace(unit, kind="json-tail", end=None, last=True)


#: An X archive's ``window.YTD.… =`` before the array (``jsondump``'s prefix, in bytes).
_JS_PREFIX = re.compile(rb"[ \t\r\n]*window\.[\w.$]+[ \t\r\n]*=[ \t\r\n]*")
_JSON_SPACE = re.compile(rb"[ \t\r\n]*")


def _json_ranges(path: str, fh: BinaryIO, unit_bytes: int, encoding: str, whole: Unit) -> Iterator[Unit]:
    """Ranges of a document that is one top-level array (or an X archive's ``window.YTD.… = [``),
    cut at commas between its elements: :func:`linkguard._blocks.json_boundary` follows strings,
    escapes and nesting from the first byte on, so a bracket or comma inside a string is never
    taken for one. Each range knows the line, column and index of where it starts. The first
    range holds at least the first ``JSON_READ_CHARS`` characters: a sequential read that finds
    the document malformed there scans all of it as text. A file whose
    document is no array is one unit; a range nested deeper than ``JSON_SPLIT_MAX_DEPTH`` ends the
    splitting (the parser's recursion limit, not this scanner, must judge it, as in a sequential
    scan); malformed JSON is found by the worker that reads its range."""
    assert json_boundary is not None
    head = fh.read(SNIFF_BYTES)
    skip = 3 if encoding == "utf-8-sig" else 0
    prefix = _JS_PREFIX.match(head, skip)
    opening = _JSON_SPACE.match(head, prefix.end() if prefix else skip).end()  # type: ignore[union-attr]
    if head[opening : opening + 1] != b"[":
        yield whole
        return
    size = _size(fh)
    fd = fh.fileno()
    start, line, column, index = 0, 1, 1, 0  # the range being planned
    depth, flags, deepest, commas = 0, 0, 0, 0  # the scanner's state, where it is
    # lines counted, and a known column on the current line (the byte-order mark has none)
    lines, anchor, anchor_column = 1 + head.count(b"\n", 0, opening), skip, 1
    if head.rfind(b"\n", 0, opening) >= 0:
        anchor = head.rfind(b"\n", 0, opening) + 1
    offset = first_want = opening
    fh.seek(offset)
    while True:
        chunk = fh.read(READ_BLOCK_BYTES)
        if not chunk:
            break
        pos = 0
        while True:
            want = max(pos, start + _range_bytes(size - start, unit_bytes) - offset, first_want - offset)
            at, depth, flags, deep, passed = json_boundary(chunk, pos, depth, flags, want)
            deepest, commas = max(deepest, deep), commas + passed
            if deepest > JSON_SPLIT_MAX_DEPTH:
                yield _json_unit(path, start, size, line, column, index, encoding, last=True, tail=True)
                return
            view = memoryview(chunk)[pos : len(chunk) if at < 0 else at]
            lines += plaintext.count_newlines(view)  # type: ignore[arg-type]  # any buffer
            newline = chunk.rfind(b"\n", pos, len(chunk) if at < 0 else at)
            if newline >= 0:
                anchor, anchor_column = offset + newline + 1, 1
            if at < 0:
                break
            cut = offset + at
            if start == 0:  # see above: the first range holds the sequential read's first block
                chars = len(os.pread(fd, cut - skip, skip).decode("utf-8", "replace"))
                if chars < JSON_READ_CHARS:
                    first_want = cut + JSON_READ_CHARS - chars  # a character is a byte at least
                    pos, commas = at + 1, commas + 1
                    continue
            text = os.pread(fd, cut - anchor, anchor) if cut > anchor else b""
            cut_column = anchor_column + len(text.decode("utf-8", "replace"))
            anchor, anchor_column = cut, cut_column
            yield _json_unit(path, start, cut, line, column, index, encoding, last=False)
            commas += 1
            start, line, column, index = cut, lines, cut_column, commas
            pos = at + 1
            deepest = depth
        offset += len(chunk)
    yield _json_unit(path, start, size, line, column, index, encoding, last=True)


def _json_unit(
    path: str,
    start: int,
    end: int,
    line: int,
    column: int,
    index: int,
    encoding: str,
    *,
    last: bool,
    tail: bool = False,
) -> Unit:
    return Unit(
        path,
        "json-tail" if tail else "json",
        "json",
        start,
        None if last else end,
        line=line,
        column=column,
        encoding=encoding if start == 0 else "utf-8",  # the byte-order mark is the file's first bytes
        first=start == 0,
        last=last,
        size=end - start,
        index=index,
    )


def _line_ends(data: bytes, after_cr: bool) -> int:
    """Line ends in ``data`` as universal newlines count them; ``after_cr``: the byte before was ``\\r``.

    The parent of ``scan --jobs`` counts every byte of a JSON Lines file here while its workers
    scan: the newlines at vector speed, and ``\\r`` (rare in JSON Lines) only where there is one,
    which takes a tenth of the time of three ``bytes.count`` passes."""
    n = plaintext.count_newlines(data)
    if b"\r" in data:
        n += data.count(b"\r") - data.count(b"\r\n")
    return n - 1 if after_cr and data.startswith(b"\n") else n


def _size(fh: BinaryIO) -> int:
    return os.fstat(fh.fileno()).st_size


# -- scanning --------------------------------------------------------------------------------------
class _RangeReader(io.RawIOBase):
    """The bytes of ``fh`` from its position up to ``end`` (``None``: its end), counted."""

    def __init__(self, fh: BinaryIO, remaining: int | None) -> None:
        self.fh, self.remaining, self.count = fh, remaining, 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1, /) -> bytes:
        if self.remaining is not None:
            size = self.remaining if size < 0 else min(size, self.remaining)
        data = self.fh.read(size)
        self.count += len(data)
        if self.remaining is not None:
            self.remaining -= len(data)
        return data

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def _records(unit: Unit, counts: UnitCounts) -> Iterator[Record | Skipped]:
    """The records of ``unit``, as a sequential scan reads them; fills ``counts.bytes_read``
    (and ``sources``, ``open_repairs``)."""
    counts.sources += unit.first

    def on_read(n: int) -> None:
        counts.bytes_read += n

    if unit.kind == "json-tail":  # the bytes before it are counted by the ranges before
        counts.bytes_read -= unit.start
        yield from _json_tail(unit, on_read)
        return
    if unit.kind == "whole":
        yield from read_path(unit.path, input_format=unit.input_format, on_read=on_read)
        return
    repairs = Repairs()
    try:
        fh = open(unit.path, "rb")  # a file planned but gone since: skipped, as read_path says it
    except OSError as exc:
        yield Skipped(unit.path, "unreadable-path", exc.strerror or str(exc))
        return
    with fh:
        fh.seek(unit.start)
        if unit.kind == "lines":  # whole lines: the blocks of a read that stops at ``end`` will do
            reader = _RangeReader(fh, None if unit.end is None else unit.end - unit.start)
            yield from plaintext.read_bytes(
                reader, unit.path, repairs=repairs, first_read=unit.first_read, line=unit.line
            )
        elif unit.kind == "text":
            reader = _RangeReader(fh, None)  # reads on past ``end`` to cut the last block the same
            stop_at = None if unit.end is None else unit.end - unit.start
            yield from plaintext.read_bytes(
                reader,
                unit.path,
                repairs=repairs,
                first_read=unit.first_read,
                line=unit.line,
                column=unit.column,
                stop_at=stop_at,
            )
        else:
            reader = _RangeReader(fh, None if unit.end is None else unit.end - unit.start)
            text = text_stream(io.BufferedReader(reader), unit.encoding, repairs)
            if unit.kind == "jsonl":
                yield from jsondump.read_lines(text, unit.path, first_line=unit.line)
            else:
                yield from _json_range(text, unit)
        counts.bytes_read += reader.count if unit.end is None else unit.end - unit.start
    replaced = repairs.invalid
    if unit.last:  # the count alone: merge_counts adds the earlier ranges' and writes the note
        yield Skipped(unit.path, _REPAIR_REASON, str(replaced), kept=True)
    elif replaced:
        counts.open_repairs[unit.path] = replaced


def _json_range(stream: io.TextIOWrapper, unit: Unit) -> Iterator[Record]:
    """The records of a "json" range's elements, as ``jsondump.read_document`` reads them from a
    large top-level array: the same parsing of each element, the same paths and positions.
    Anything a sequential read would not find as a clean run of elements raises
    :class:`JsonRangeMalformed`."""
    cur = jsondump._Cursor(stream)
    cur.line, cur.column0 = unit.line, unit.column
    walker = Walker(Positions(""), unit.path, SHAPES)
    try:
        cur.fill()
        if unit.start == 0:
            prefix = jsondump._JS_PREFIX.match(cur.buf)
            cur.at = prefix.end() if prefix else 0
            cur.expect("[")
        index, opening = unit.index, unit.start == 0
        while True:
            run = jsondump._elements(cur, walker, (), None, JSON_WHOLE_VALUE_CHARS, index, opening)
            after = yield from run  # most elements, as _value below reads each
            opening, index = opening and after == index, after
            char = cur.peek()
            if not char or char == "]":
                if unit.last != (char == "]"):  # the array ends early, or not where the file does
                    raise JsonRangeMalformed(unit)
                cur.at += len(char)
                if cur.peek():  # "Extra data"
                    raise JsonRangeMalformed(unit)
                return
            if not opening:
                cur.expect(",")
            opening = False
            yield from jsondump._value(cur, walker, (str(index),), None, JSON_WHOLE_VALUE_CHARS)
            index += 1
    except (jsondump._Malformed, RecursionError):
        raise JsonRangeMalformed(unit) from None


#: A "json-tail"'s reader: each quiet post its own record at its own line, so that those of the
#: elements before the range are told from those after it (a run's record is at its first).
_TAIL_READERS = Readers(
    (
        dataclasses.replace(
            jsondump.DOCUMENT, read_text=functools.partial(jsondump.read_document, runs=False)
        ),
    ),
    plaintext.READER,
)


def _json_tail(unit: Unit, on_read: Callable[[int], None]) -> Iterator[Record | Skipped]:
    """What a sequential scan of ``unit.path`` finds from ``unit.line``/``unit.column`` on: the
    records of the elements before are read and dropped (they are in the ranges before), up to
    the note that the JSON ends (the text after it is numbered from its own start)."""
    assert unit.input_format == "json"  # what _TAIL_READERS reads
    where, ended = (unit.line, unit.column), False
    for item in read_path(unit.path, input_format=unit.input_format, on_read=on_read, readers=_TAIL_READERS):
        if isinstance(item, Skipped):
            ended = True
            yield item
        elif ended or (item.line, item.column) >= where:
            yield item


def iter_unit(scanner: Scanner, unit: Unit, counts: UnitCounts) -> Iterator[Finding]:
    """The findings of ``unit`` in order, judged offline by ``scanner``'s detector (its
    investigator, if any, is not used: forensics run where the results are gathered).

    ``counts`` is complete once the iterator is exhausted; ``scanner.stats`` is left alone.
    """

    def skipped_aside(items: Iterator[Record | Skipped]) -> Iterator[Record | Skipped]:
        for item in items:
            if isinstance(item, Skipped):
                counts.skipped.append(item)
            else:
                yield item

    saved, investigator = scanner.stats, scanner.investigator
    stats = scanner.stats = ScanStats()
    scanner.investigator = None
    try:
        yield from scanner.scan_records(skipped_aside(_records(unit, counts)))
    finally:
        scanner.stats, scanner.investigator = saved, investigator
    counts.records += stats.records
    counts.posts += stats.posts
    counts.links += stats.links
    counts.flagged += stats.flagged
    counts.verdicts.update(stats.verdicts)


def scan_unit(scanner: Scanner, unit: Unit) -> UnitResult:
    """The findings and counts of one unit (see :func:`iter_unit`)."""
    counts = UnitCounts()
    findings = list(iter_unit(scanner, unit, counts))
    return UnitResult(findings, counts)
