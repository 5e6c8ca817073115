"""JSON documents and JSON Lines: every string is scanned, and common export shapes are understood.

Known shapes (``inputs/shapes``: X/Twitter, Telegram Desktop, ActivityPub, Mastodon's API, Reddit,
Bluesky) give the displayed-versus-actual pair directly, which is evidence a regex over the text
cannot give. Their posts become :class:`~linkguard.models.Post` (id, permalink, author, date) on
every record, and each link a post shows is one record: the destination the export recorded, with
the t.co in ``via``; never the truncated ``display_url``, the ``contentMap`` copies or the anchor
text again. The walk itself is in ``jsontree``; here the document is read, in flat memory.
"""

from __future__ import annotations

import functools
import io
import itertools
import json
import re
from collections.abc import Generator, Iterable, Iterator
from typing import Any

import orjson

from linkguard.inputs import plaintext
from linkguard.inputs.decoding import readblocks
from linkguard.inputs.jsontree import (
    Holder,
    Obj,
    Pairs,
    Path,
    Positions,
    QuietLines,
    Walker,
    literal_starts,
    newlines,
    pairs_hook,
    quiet_text,
)
from linkguard.inputs.reader import Reader, content_start
from linkguard.inputs.shapes import SHAPES
from linkguard.limits import JSON_READ_CHARS, JSON_WHOLE_VALUE_CHARS, MAX_JSON_VALUE_CHARS, MAX_LINE_CHARS
from linkguard.models import Record, Skipped

_JS_PREFIX = re.compile(r"\A\s*window\.[\w.$]+\s*=\s*")


#: A string literal (group 1 is its closing quote, absent when the text ends first) or a bracket.
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*(")?|[\[\]{}]', re.DOTALL)


def _value_end_py(text: str, start: int) -> int:
    """Where the array or object opening at ``text[start]`` closes (the index after its bracket),
    matched by depth outside string literals; -1 when ``text`` ends first. Whether what lies
    between is JSON is the parser's to say. ``value_end`` is this or its C twin (``_blocks.c``)."""
    if start < 0 or start >= len(text) or text[start] not in "[{":
        return -1
    depth = 0
    for token in _TOKEN.finditer(text, start):
        char = token.group()[0]
        if char == '"':
            if token.group(1) is None:
                return -1
        elif char in "[{":
            depth += 1
        else:
            depth -= 1
            if not depth:
                return token.end()
    return -1


_DECODER = json.JSONDecoder()
_PAIRS_DECODER = json.JSONDecoder(object_pairs_hook=pairs_hook)
_SPACE = re.compile(r"[ \t\r\n]*")
#: ``json`` errors that mean "the text stops here" rather than "the text is wrong", when they fall
#: at the end of what has been read so far.
_CUT_SHORT = "Unterminated string"
#: Members of a large object that say what it is (a chat's id and name come before its messages).
_JUDGED_MEMBERS = 64
#: Brackets beyond which ``json``'s recursion limit, not orjson's depth limit, must decide.
_DEEP = 512


#: A literal, or a backslash outside one (where ``_value_end_py`` and ``literal_starts`` part).
_LITERAL_OR_BACKSLASH = re.compile(r'"(?:[^"\\]|\\.)*"?|\\', re.DOTALL)


def _array_spans_py(text: str, at: int, first: bool, eof: bool, deep: int) -> list[tuple[int, int, int]]:
    """The run of array elements from ``text[at]`` on that :meth:`_Cursor._held` would parse with
    orjson: each an array or object ``text`` holds whole (ending before its end unless ``eof``),
    without a wide integer or more than ``deep`` brackets, after a comma unless ``first``, and
    without a backslash outside its literals; ``(start, end, literals)`` of each. ``array_spans``
    is this or its C twin."""
    spans: list[tuple[int, int, int]] = []
    i = at
    while True:
        i = _SPACE.match(text, i).end()  # type: ignore[union-attr]
        if not first:
            if not text.startswith(",", i):
                return spans
            i = _SPACE.match(text, i + 1).end()  # type: ignore[union-attr]
        end = _value_end_py(text, i)
        if end < 0 or (end == len(text) and not eof):
            return spans
        if "\\" in (m.group() for m in _LITERAL_OR_BACKSLASH.finditer(text, i, end)):
            return spans
        starts, wide, brackets = literal_starts(text, i, end)
        if wide or brackets > deep:
            return spans
        spans.append((i, end, len(starts)))
        i, first = end, False


try:  # built from linkguard/_blocks.c when a C compiler was there at install time
    from linkguard._blocks import array_spans, value_end
except ImportError:  # pragma: no cover - depends on the install
    array_spans, value_end = _array_spans_py, _value_end_py


def _loads(line: str, wide: bool, brackets: int) -> Any:
    """One JSON line parsed as ``json.loads`` parses it: by orjson (3-4x faster) where the two
    certainly agree; by ``json`` where orjson refuses the line (``NaN``, a lone surrogate), would
    round an integer (it keeps 64 bits: ``wide``) or the nesting may be deep, so that errors and
    values stay ``json``'s. ``wide`` and ``brackets`` come from :func:`literal_starts`."""
    if not wide and brackets <= _DEEP:
        try:
            return orjson.loads(line)
        except orjson.JSONDecodeError:
            pass
    return json.loads(line)


#: A value parsed from the window: itself, where it starts and ends, and where its literals open
#: when that was found on the way (``None``: found on first need).
Parsed = tuple[Any, int, int, list[int] | None]


class _Malformed(Exception):
    """The document is not JSON from ``at`` on (``detail`` says why and where)."""

    def __init__(self, at: int, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.at, self.reason, self.detail = at, reason, detail


class _Cursor:
    """A window on a decoded JSON document, read on block by block and dropped behind the value
    being parsed, that knows the line and column of every index in it."""

    def __init__(self, stream: io.TextIOWrapper) -> None:
        self.stream = stream
        self.buf = ""
        self.at = 0
        self.eof = False
        #: The line of ``buf[counted]``, and the column of ``buf[0]`` (for a first line cut short).
        self.line, self.counted, self.column0 = 1, 0, 1

    def fill(self, size: int = JSON_READ_CHARS) -> bool:
        """Read the next block, dropping what lies before ``at``; ``False`` at the end."""
        chunk = self.stream.read(size)
        if not chunk:
            self.eof = True
            return False
        if self.at:
            self.line_at(self.at)
            nl = self.buf.rfind("\n", 0, self.at)
            self.column0 = self.at - nl if nl >= 0 else self.column0 + self.at
            self.buf, self.at, self.counted = self.buf[self.at :], 0, 0
        self.buf += chunk
        return True

    def line_at(self, index: int) -> int:
        """The line of ``buf[index]`` (asked for mostly in document order)."""
        if index >= self.counted:
            self.line += newlines(self.buf, self.counted, index)
        else:
            self.line -= newlines(self.buf, index, self.counted)
        self.counted = index
        return self.line

    def where(self, index: int) -> tuple[int, int]:
        line = self.line_at(index)
        nl = self.buf.rfind("\n", 0, index)
        return line, index - nl if nl >= 0 else self.column0 + index

    def peek(self) -> str:
        """The next character that is not white space ('' at the end), with ``at`` on it."""
        while True:
            self.at = _SPACE.match(self.buf, self.at).end()  # type: ignore[union-attr]
            if self.at < len(self.buf):
                return self.buf[self.at]
            if not self.fill():
                return ""

    def expect(self, allowed: str) -> str:
        char = self.peek()
        if not char or char not in allowed:
            raise self.malformed(f"Expecting {' or '.join(repr(c) for c in allowed)}")
        self.at += 1
        return char

    def malformed(self, message: str, at: int | None = None) -> _Malformed:
        line, column = self.where(self.at if at is None else at)
        return _Malformed(
            self.at, "malformed-json-scanned-as-text", f"{message} at line {line} column {column}"
        )

    def value(self, whole: int) -> Parsed | None:
        """The value at ``at`` parsed whole, with where it starts and ends; ``None`` when it is an
        array or object longer than ``whole`` characters (read it member by member instead)."""
        self.peek()
        while True:
            start = self.at
            closed = value_end(self.buf, start)  # -1: no array or object, or one not closed here
            held = self._held(start, closed)
            if held is not None:
                return held
            # An array or object the window does not close (a large array's element that straddles
            # the window's end) is read from a copy of its part: the error that says it is cut
            # short then counts the lines of that part, not those of the window before it.
            offset = start if closed < 0 and self.buf[start] in "[{" else 0
            try:
                value, end = _DECODER.raw_decode(self.buf[offset:] if offset else self.buf, start - offset)
            except json.JSONDecodeError as exc:
                pos = exc.pos + offset
                cut_short = pos >= len(self.buf) - 8 or exc.msg.startswith(_CUT_SHORT)
                if self.eof or not cut_short:
                    raise self.malformed(exc.msg, pos) from None
            except RecursionError:
                raise self.malformed("nested too deeply") from None
            else:
                end += offset
                if end < len(self.buf) or self.eof:  # a number at the end of a block may go on
                    return value, start, end, None
            if len(self.buf) - start >= whole and self.buf[start] in "[{":
                return None
            if len(self.buf) - start > MAX_JSON_VALUE_CHARS:
                line, column = self.where(start)
                raise _Malformed(
                    start,
                    "json-too-large-scanned-as-text",
                    f"a value over {MAX_JSON_VALUE_CHARS:,} characters at line {line} column {column}",
                )
            # at least double what is held of the value: parsing it again costs linear time in all
            self.fill(max(JSON_READ_CHARS, len(self.buf) - start))

    def _held(self, start: int, end: int) -> Parsed | None:
        """The array or object at ``start`` (closing at ``end``, its ``value_end``) when the window
        holds all of it and orjson reads it as ``json`` does (2-3x faster; see ``_loads``), with its
        literals' starts, found on the way; else ``None``, and ``json`` reads it (and says what is
        wrong with it, if anything is)."""
        if end < 0 or (end == len(self.buf) and not self.eof):
            return None
        starts, wide, brackets = literal_starts(self.buf, start, end)
        if wide or brackets > _DEEP:
            return None
        try:
            return orjson.loads(self.buf[start:end]), start, end, starts
        except orjson.JSONDecodeError:
            return None

    def positions(self, start: int, end: int, starts: list[int] | None = None) -> Positions:
        return Positions(self.buf, self.line_at(start), start, end, self.column0, starts)


def _value(
    cur: _Cursor, walker: Walker, path: Path, holder: Holder | None, whole: int, first: int | None = None
) -> Iterable[Record]:
    """The records of the value at the cursor: parsed whole and walked, or, when it is an array or
    object larger than ``first`` (default ``whole``), member by member (so only one post is in
    memory at a time). Parsed on the call; a list but for the large value (a generator layer
    fewer for each record of each element)."""
    parsed = cur.value(whole if first is None else first)
    if parsed is None:
        return _container(cur, walker, path, holder, whole)
    return _walk(cur, walker, parsed, path, holder)


def _walk(cur: _Cursor, walker: Walker, parsed: Parsed, path: Path, holder: Holder | None) -> list[Record]:
    value, start, end, starts = parsed
    walker.pos = cur.positions(start, end, starts)
    cur.at = end
    return walker.records(value, path, holder, functools.partial(_reparse, cur.buf, start))


def _reparse(text: str, start: int) -> Pairs:
    """The value at ``text[start]`` again, its objects as ``Pairs`` (one wrote a key twice)."""
    return _PAIRS_DECODER.raw_decode(text, start)[0]  # type: ignore[no-any-return]


def _elements(
    cur: _Cursor, walker: Walker, path: Path, holder: Holder | None, whole: int, index: int, first: bool
) -> Generator[Record, None, int]:
    """The records of the array elements at the cursor that :func:`array_spans` finds (most of a
    large array, in runs of a window each), as :func:`_value` gives them, without its steps;
    the index after the last. An element orjson refuses is read by :func:`_value`, as before."""
    buf, source = cur.buf, walker.source
    # what ``Walker.records`` gives quiet posts held by nothing, told without parsing them (two
    # thirds of an archive's tweets): a run of them is one empty record that counts them all
    runs = walker.quiet_runs(buf, cur.at, first, cur.eof, _DEEP) if holder is None else None
    for item in array_spans(buf, cur.at, first, cur.eof, _DEEP) if runs is None else runs:
        if len(item) == 4:
            start, end, count, quiet = item
            if isinstance(quiet, str):  # a text C leaves to Python: a quiet post, or one to parse
                if quiet_text(quiet):
                    index += 1
                    cur.at = end
                    yield Record("", source, *cur.where(start), posts=1)
                    continue
            else:  # a run of ``count`` quiet posts, ``quiet`` of them with text
                index += count
                cur.at = end
                if quiet:
                    yield Record("", source, *cur.where(start), count=quiet, posts=quiet)
                continue
        else:
            start, end, count = item
        index += 1
        where = (*path, str(index - 1))
        try:
            value = orjson.loads(buf[start:end])
        except orjson.JSONDecodeError:
            cur.at = start
            yield from _value(cur, walker, where, holder, whole)
            assert cur.buf is buf  # json reads it, or raises, without reading on: it is all there
            continue
        walker.pos = Positions(buf, cur.line_at(start), start, end, cur.column0, count=count)
        cur.at = end
        yield from walker.records(value, where, holder, functools.partial(_reparse, buf, start))
    return index


def _container(
    cur: _Cursor, walker: Walker, path: Path, holder: Holder | None, whole: int
) -> Iterator[Record]:
    """A large array element by element, or a large object member by member. What makes an object
    a holder of posts (a Telegram chat) or a wrapper around one is judged on the members before the
    one being read; a large object is never a post itself."""
    if cur.expect("[{") == "[":
        index = 0
        while True:
            index = yield from _elements(cur, walker, path, holder, whole, index, not index)
            if cur.peek() == "]":
                cur.at += 1
                return
            if index:
                cur.expect(",")
            yield from _value(cur, walker, (*path, str(index)), holder, whole)
            index += 1
    seen = Pairs()
    skip: frozenset[str] = frozenset()
    inner = holder
    for i in itertools.count():
        if cur.peek() == "}":
            cur.at += 1
            return
        if i:
            cur.expect(",")
        if cur.peek() != '"':
            raise cur.malformed("Expecting property name enclosed in double quotes")
        key = cur.value(whole)
        assert key is not None  # a string is never read member by member
        cur.at = key[2]
        cur.expect(":")
        parsed = cur.value(whole)
        if len(seen) < _JUDGED_MEMBERS:
            value = parsed[0] if parsed is not None else [] if cur.buf[cur.at] == "[" else Pairs()
            # containers as empty ones: a holder's own fields are scalars, and memory stays flat
            seen.append((key[0], value if not isinstance(value, list) else type(value)()))
            obj = Obj.of(seen)
            skip = frozenset[str]().union(*(shape.wrapper_meta(obj) for shape in walker.shapes))
            inner = obj.fields if any(shape.holds_posts(obj) for shape in walker.shapes) else holder
        where = (*path, key[0])
        records: Iterable[Record]
        if parsed is not None:
            records = _walk(cur, walker, parsed, where, inner)
        else:
            records = _container(cur, walker, where, inner, whole)
        if key[0] in skip or key[0] == "@context":
            for _record in records:  # describes the post rather than shows a link: read past
                pass
        else:
            yield from records


def read_document(
    stream: io.TextIOWrapper, source: str, *, whole: int = JSON_WHOLE_VALUE_CHARS, runs: bool = True
) -> Iterator[Record | Skipped]:
    """A JSON document (or an X archive's ``window.YTD.… = [...]``), read in flat memory: arrays and
    objects larger than ``JSON_WHOLE_VALUE_CHARS`` are read member by member. Where the text stops
    being JSON, the rest is scanned as text and counted.

    ``whole``: the size up to which an array or object is parsed whole (tests make it small).
    ``runs``: a run of quiet posts in a large array is one record that counts them all; ``False``:
    each is its own record, at its own line (for a reader that keeps records by position).
    """
    cur = _Cursor(stream)
    if cur.fill() and len(cur.buf) < JSON_READ_CHARS:
        cur.fill()  # a short first block: whether that was all decides how the end is read
    prefix = _JS_PREFIX.match(cur.buf)
    cur.at = prefix.end() if prefix else 0
    walker = Walker(Positions(""), source, SHAPES, longest_run=(1 << 62) if runs else 1)
    try:
        if cur.peek():
            # a document the first block does not hold is read member by member at once: parsing
            # it again and again as blocks come in would cost more than the whole scan
            yield from _value(cur, walker, (), None, whole, first=min(whole, len(cur.buf) - cur.at))
        if cur.peek():
            raise cur.malformed("Extra data")
    except _Malformed as exc:
        yield Skipped(source, exc.reason, exc.detail, kept=True)
        rest = cur.buf[exc.at :]
        line, column = cur.where(exc.at)
        yield Record(rest, source, line, column, count=rest.count("\n") + 1)
        yield from plaintext.read(stream, source)


def read_lines(stream: io.TextIOWrapper, source: str, *, first_line: int = 1) -> Iterator[Record | Skipped]:
    """JSON Lines: a malformed line is scanned as text and counted; the run goes on.

    ``first_line`` numbers the stream's first line (a byte range of a file starts further on).
    """
    line_no = first_line - 1
    walker = Walker(Positions(""), source, SHAPES)  # one for all lines: its ``pos`` is each line's
    # quiet posts read and not yet given (what the read below gives each, told without parsing it,
    # as ``_elements`` does): one record counts a run of them, at its first line
    run_line = run_lines = run_posts = 0
    column = 0  # where the rest of a line over ``MAX_LINE_CHARS`` goes on (0: none does)
    try:
        for text in readblocks(stream, MAX_LINE_CHARS):
            at, end = 0, len(text)
            if column:  # the next piece of that line, as ``readline`` gives it
                at = text.find("\n") + 1 or end
                yield Record(text[:at], source, line_no, column, count=0)
                column = 0 if text[at - 1] == "\n" else column + at
            while at < end:
                # the lines that need no parsing, in one pass, up to one that may
                stop, at, lines, first, quiet, posts, found = walker.quiet_lines(
                    text, at, MAX_LINE_CHARS
                ) or _quiet_lines_py(walker, text, at, MAX_LINE_CHARS)
                if quiet:
                    run_line = run_line if run_lines else line_no + first + 1
                    run_lines += quiet
                    run_posts += posts
                line_no += lines
                if stop == end:
                    break
                line_no += 1
                if found is not None and quiet_text(found):
                    run_line = run_line if run_lines else line_no
                    run_lines += 1
                    run_posts += 1
                    continue
                if run_lines:
                    run, run_lines, run_posts = _quiet_lines(source, run_line, run_lines, run_posts), 0, 0
                    yield run
                line = text[stop:at]
                if not line.endswith("\n") and len(line) >= MAX_LINE_CHARS:  # the text's last
                    yield Skipped(
                        source,
                        "oversize-json-line-scanned-as-text",
                        f"over {MAX_LINE_CHARS} characters",
                        line_no,
                        kept=True,
                    )
                    yield Record(line, source, line_no, 1, count=1)
                    column = len(line) + 1
                    continue
                yield from _line_records(walker, line, line_no, source)
    except Exception:  # the stream fails part-way: the posts read before it are counted, as before
        if run_lines:
            yield _quiet_lines(source, run_line, run_lines, run_posts)
        raise
    if run_lines:
        yield _quiet_lines(source, run_line, run_lines, run_posts)


def _quiet_lines_py(walker: Walker, text: str, at: int, size: int) -> QuietLines:
    """:meth:`Walker.quiet_lines` line by line, each quiet post told by :meth:`Walker.quiet_records`
    (C when built): the way when no shape tells them in one pass, and the slow way the one pass is
    held to."""
    lines = quiet = posts = 0
    first = -1
    while at < len(text):
        end = text.find("\n", at) + 1 or len(text)
        line = text[at:end]
        if not line.endswith("\n") and len(line) >= size:
            return at, end, lines, first, quiet, posts, None
        if not line.isspace():  # as ``not line.strip()`` without the copy
            found = walker.quiet_records(line, 0, len(line))
            if found is None:
                return at, end, lines, first, quiet, posts, None
            first = first if quiet else lines
            quiet += 1
            posts += found
        lines += 1
        at = end
    return len(text), len(text), lines, first, quiet, posts, None


def _line_records(walker: Walker, line: str, line_no: int, source: str) -> Iterable[Record | Skipped]:
    """The records of one JSON line that may show a link (or of one that is no JSON)."""
    starts, wide, brackets = literal_starts(line, 0, len(line))
    try:
        doc = _loads(line, wide, brackets)
    except (json.JSONDecodeError, RecursionError) as exc:
        detail = exc.msg if isinstance(exc, json.JSONDecodeError) else "nested too deeply"
        return [
            Skipped(source, "malformed-json-line-scanned-as-text", detail, line_no, kept=True),
            Record(line, source, line_no, 1),
        ]
    walker.pos = Positions(line, line_no, starts=starts)
    records = walker.records(doc, (), None, functools.partial(_PAIRS_DECODER.decode, line))
    if not records:
        return [Record("", source, line_no, 1, f"line {line_no}", count=1)]
    for record in records:  # made for this line alone: labelled in place, not copied
        record.record = f"line {line_no}{record.record or ''}"
        record.count = 0
    records[0].count = 1
    return records


def _quiet_lines(source: str, line: int, lines: int, posts: int) -> Record:
    """The one empty record of ``lines`` lines from ``line`` on, each a quiet post (``posts`` of
    them with text)."""
    return Record("", source, line, 1, f"line {line}", count=lines, posts=posts)


def _looks_lines(head: bytes) -> bool:
    """A first line that is a whole object, and another object after it."""
    text = content_start(head)
    first, _, rest = text.partition(b"\n")
    return text.startswith(b"{") and first.rstrip().endswith(b"}") and rest.lstrip().startswith(b"{")


def _looks_document(head: bytes) -> bool:
    """An object or array (and not JSON Lines), or an X archive's ``window.YTD.… = [``."""
    text = content_start(head)
    if text[:512].lower().startswith(b"window.ytd"):
        return True
    return text.startswith((b"{", b"[")) and not _looks_lines(head)


DOCUMENT = Reader("json", (".json", ".js"), sniff=_looks_document, read_text=read_document)
LINES = Reader("jsonl", (".jsonl", ".ndjson"), sniff=_looks_lines, read_text=read_lines)
