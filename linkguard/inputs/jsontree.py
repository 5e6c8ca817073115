"""Walking a parsed JSON value into records: every string is scanned, known post shapes are read
by their platform's module (``inputs/shapes``), and each string keeps its line and column.

The standard ``json`` module does not report positions, so positions come from walking the string
literals of the raw text in step with the parsed document: both visit strings in document order.
"""

from __future__ import annotations

import html as htmllib
import itertools
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import Any

from linkguard.inputs import htmlpage
from linkguard.inputs.decoding import ERRORS
from linkguard.inputs.plaintext import select_lines
from linkguard.models import Post, Record

_LOOKS_HTML = re.compile(r"<(?:a|p|br|span|div)\b[^>]*>", re.IGNORECASE)
_BLOCK_TAG = re.compile(r"<(?:br|p|/p|div|/div|li)\b[^>]*>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>")
#: Keys of an ``entities.urls[]`` item that only restate its ``expanded_url``: the t.co (which goes
#: into ``via``), the truncated ``display_url`` (display text, never a URL of its own), offsets.
RESOLVED_ITEM_KEYS = frozenset({"url", "display_url", "indices", "start", "end", "unwound_url"})

Path = tuple[str, ...]
#: An object that holds posts and gives them part of their identity (a Telegram chat).
Holder = dict[str, Any]
#: Where each of a post's own string fields is: path → index of its literal (``Positions.at``).
Places = dict[Path, int]


class Pairs(list[tuple[str, Any]]):
    """An object as its key/value pairs in document order, for an object that writes a key twice
    (a ``dict`` keeps only the last); parsing to dicts is faster, and is what is done first."""


def pairs_hook(pairs: list[tuple[str, Any]]) -> Pairs:
    return Pairs(pairs)


#: Keys that :meth:`Walker._object` reads apart from the walk (resolved links, Telegram's entities,
#: JSON-LD's context): a one-member object with one of them is never taken for a plain wrapper.
_WRAPPER_KEYS_WALKED_APART = frozenset({"expanded_url", "href", "text_entities", "type", "@context"})

#: What a parsed JSON object is: a ``dict``, or ``Pairs`` where a key was written twice.
OBJECTS = (dict, Pairs)


def members(value: dict[str, Any] | Pairs) -> Iterable[tuple[str, Any]]:
    """An object's key/value pairs in document order."""
    return value.items() if isinstance(value, dict) else value


def as_dict(value: dict[str, Any] | Pairs) -> dict[str, Any]:
    return value if isinstance(value, dict) else dict(value)


#: What :func:`literal_starts` gives: where each literal opens; whether, outside the literals, a
#: run of digits is an integer that may not fit 64 bits; how many ``[`` and ``{`` there are.
Literals = tuple[list[int], bool, int]
_WIDE = re.compile(r"[0-9]{20}|-[0-9]{19}")


def _literal_starts_py(raw: str, start: int, end: int) -> Literals:
    """The literals of ``raw[start:end]`` with ``str`` methods (``linkguard/_blocks.c`` has the
    C twin): escapes are blanked (``\\\\`` before ``\\"``, pairing backslashes from the left as
    JSON does), then every quote left opens or closes a literal; the cumulated lengths between
    them give the index in ``raw`` of each opening quote."""
    text = raw[start:end]
    if "\\" in text:
        text = text.replace("\\\\", "__").replace('\\"', "__")
    pieces = text.split('"')
    #: the quote after piece ``i`` is at ``cumulated lengths + i`` (one character per quote)
    quotes = list(itertools.accumulate(map(len, pieces[:-1])))
    outside = '"'.join(pieces[::2])
    return (
        [start + offset + 2 * i for i, offset in enumerate(quotes[::2])],
        _WIDE.search(outside) is not None,
        outside.count("[") + outside.count("{"),
    )


def _newlines_py(text: str, start: int, end: int) -> int:
    """The line breaks of ``text[start:end]``; ``newlines`` is this or its C twin, several times
    faster (the lines of a JSON document's records are counted over all of its text)."""
    return text.count("\n", start, end)


literal_starts: Callable[[str, int, int], Literals]
newlines: Callable[[str, int, int], int]
try:  # built from linkguard/_blocks.c when a C compiler was there at install time
    from linkguard._blocks import literal_starts, newlines
except ImportError:  # pragma: no cover - depends on the install
    literal_starts, newlines = _literal_starts_py, _newlines_py


class Positions:
    """Where the string literals of ``raw[start:end]`` are, counted in document order.

    The walk advances ``next`` by one per literal it passes (keys included) and asks for the line
    and column only of the strings that become records, so a post's ids, dates and counters cost
    an addition each. ``line`` and ``column`` say where ``raw[start]`` is in the source, so a
    window of a larger document (one element of a streamed array) keeps the document's positions.
    """

    __slots__ = ("_base", "_column0", "_count", "_end", "_line", "_offset", "_starts", "next", "raw")

    def __init__(
        self,
        raw: str,
        line: int = 1,
        start: int = 0,
        end: int | None = None,
        column: int = 1,
        starts: list[int] | None = None,
        count: int | None = None,
    ) -> None:
        self.raw = raw
        self._end = len(raw) if end is None else end
        #: Where each literal's opening quote is: given, or found on first need (C when built).
        self._starts = starts
        #: How many there are, when known without them (a quiet post needs only that).
        self._count = len(starts) if starts is not None else count
        #: The index of the next literal.
        self.next = 0
        self._base = self._offset, self._line = start, line
        self._column0 = column

    @property
    def line(self) -> int:
        """The line of ``raw[start]``, where the text begins."""
        return self._base[1]

    @property
    def column(self) -> int:
        """The column of ``raw[start]``: where an empty record that counts a quiet post is, so that
        keeping records by position (``partition._json_tail``) keeps the posts after a comma on
        the comma's line."""
        start = self._base[0]
        nl = self.raw.rfind("\n", 0, start)
        return start - nl if nl >= 0 else start + self._column0

    def rewind(self) -> None:
        """Back to the first literal, to walk the same text again."""
        self.next = 0
        self._offset, self._line = self._base

    def _find(self) -> list[int]:
        self._starts = literal_starts(self.raw, self._base[0], self._end)[0]
        self._count = len(self._starts)
        return self._starts

    def count(self) -> int:
        """How many literals the text has."""
        return self._count if self._count is not None else len(self._find())

    def at(self, index: int) -> tuple[int, int]:
        """Line and column of the text of literal ``index`` (past its opening quote)."""
        starts = self._starts if self._starts is not None else self._find()
        if index >= len(starts):
            return self._line, 1
        start = starts[index]
        if start < self._offset:  # asked out of order (a post's text after its links): count back
            self._line -= newlines(self.raw, start, self._offset)
        else:
            self._line += newlines(self.raw, self._offset, start)
        self._offset = start
        nl = self.raw.rfind("\n", 0, start)
        return self._line, start - nl + 1 if nl >= 0 else start + self._column0 + 1

    def take(self) -> tuple[int, int]:
        """Line and column of the next literal, passing it."""
        index = self.next
        self.next = index + 1
        return self.at(index)

    def places(self, indices: list[int | None]) -> list[tuple[int, int] | None]:
        """:meth:`at` of each index in turn (``None`` stays ``None``) in one C call: a post's text
        and links, without a Python call each."""
        starts = self._starts if self._starts is not None else self._find()
        out, self._offset, self._line = literal_places(
            self.raw, starts, indices, self._offset, self._line, self._column0
        )
        return out


def _literal_places_py(
    raw: str, starts: list[int], indices: list[int | None], offset: int, line: int, column0: int
) -> tuple[list[tuple[int, int] | None], int, int]:
    """:meth:`Positions.at` of each index in turn from the line of ``raw[offset]``, and the offset
    and line after; ``literal_places`` is this or its C twin."""
    pos = Positions(raw, line, offset, column=column0, starts=starts)
    out = [None if index is None else pos.at(index) for index in indices]
    return out, pos._offset, pos._line


literal_places: Callable[
    [str, list[int], list[int | None], int, int, int], tuple[list[tuple[int, int] | None], int, int]
]
try:  # built from linkguard/_blocks.c when a C compiler was there at install time
    from linkguard._blocks import literal_places
except ImportError:  # pragma: no cover - depends on the install
    literal_places = _literal_places_py


def _literals_py(value: Any) -> int:
    """How many string literals ``value`` was written with (keys included); ``literals`` is this
    or its C twin (``linkguard/_blocks.c``).

    Types are told apart by identity: a parsed document holds only ``str``, ``dict``, ``list`` and
    ``Pairs`` containers and literals (and numbers, booleans, ``None``), and this runs for every
    value a post's shape steps over."""
    cls = value.__class__
    if cls is str:
        return 1
    if cls is dict:
        n = len(value)
        items: Iterable[Any] = value.values()
    elif cls is list:
        n, items = 0, value
    elif cls is Pairs:
        n, items = len(value), [item for _key, item in value]
    else:
        return 0
    for item in items:
        kind = item.__class__
        if kind is str:
            n += 1
        elif kind is dict or kind is list or kind is Pairs:
            n += _literals_py(item)
    return n


def _locate_py(value: Any, path: Path, at: Places, index: int) -> int:
    """Remember which literal each string of ``value`` is, from literal ``index`` on; the index
    after its last literal (``locate`` is this or its C twin)."""
    cls = value.__class__
    if cls is str:
        at[path] = index
        return index + 1
    if cls is dict or cls is Pairs:
        for key, item in value.items() if cls is dict else value:
            index += 1  # the key literal
            kind = item.__class__
            if kind is str:
                at[(*path, key)] = index
                index += 1
            elif kind is dict or kind is list or kind is Pairs:
                index = _locate_py(item, (*path, key), at, index)
    elif cls is list:
        for i, item in enumerate(value):
            kind = item.__class__
            if kind is str:
                at[(*path, str(i))] = index
                index += 1
            elif kind is dict or kind is list or kind is Pairs:
                index = _locate_py(item, (*path, str(i)), at, index)
    return index


#: Where :func:`split_run` goes on in a post's members, and the literal after the next key.
Run = tuple[int, int, str | None, Any]


def _split_run_py(
    members: dict[str, Any] | list[tuple[str, Any]],
    cursor: int,
    index: int,
    path: Path,
    own: AbstractSet[str],
    skip: AbstractSet[str],
    at: Places,
) -> Run:
    """A post's members from ``cursor`` (an ordinal) on, up to the next one
    :meth:`Walker.split_post` walks in Python: an ``own`` member's strings are located into ``at``,
    a ``skip`` member's literals are passed, as are numbers, booleans and null. Gives where to go
    on, the index of the literal after that member's key, and the member (``None`` at the end).
    ``split_run`` is this or its C twin, whose ``cursor`` is opaque (pass back only what it gave)."""
    pairs = members.items() if members.__class__ is dict else members
    for key, item in itertools.islice(pairs, cursor, None):
        cursor += 1
        index += 1  # the key literal
        kind = item.__class__
        if key in own:
            if kind is str:
                at[(*path, key)] = index
                index += 1
            else:
                index = _locate_py(item, (*path, key), at, index)
        elif kind is str or kind is dict or kind is list or kind is Pairs:
            if key not in skip:
                return cursor, index, key, item
            index += 1 if kind is str else _literals_py(item)
        # numbers, booleans and null have no literal and show no link
    return cursor, index, None, None


try:  # built from linkguard/_blocks.c when a C compiler was there at install time
    from linkguard._blocks import literals, locate, split_run
except ImportError:  # pragma: no cover - depends on the install
    literals, locate, split_run = _literals_py, _locate_py, _split_run_py


def _line_may_link_py(text: str) -> bool:
    """Whether the plain-text line selection keeps the line ``text``; ``line_may_link`` is this
    or its C twin, which neither decodes the line again nor builds the selection."""
    return bool(select_lines(text.encode("utf-8", "surrogatepass"), ERRORS)[0])


line_may_link: Callable[[str], bool]
try:  # built from linkguard/_blocks.c when a C compiler was there at install time
    from linkguard._blocks import line_may_link
except ImportError:  # pragma: no cover - depends on the install
    line_may_link = _line_may_link_py


def _no_link(text: str) -> bool:
    """Whether no line of ``text`` can hold a link, by the plain-text line selection (C when built),
    which keeps every line the extractor would find a link in: ids, dates and prose without one
    then cost the extractor nothing. Text with tabs or line breaks is left to the extractor (the
    scanner reads a value broken by them as a browser does, across the lines)."""
    if "\n" in text or "\t" in text or "\r" in text:
        return False
    return not line_may_link(text)


def quiet_text(text: str) -> bool:
    """Whether :meth:`Walker.string_records` makes ``text`` one empty record (no HTML, no line
    that may hold a link)."""
    return not ("<" in text and _LOOKS_HTML.search(text)) and _no_link(text)


def pointer(path: Path) -> str:
    """``path`` as a JSON pointer (RFC 6901: ``~`` and ``/`` in a key escaped)."""
    joined = "/".join(path)
    if "~" not in joined and joined.count("/") == len(path) - 1:  # no key to escape: the common case
        return "/" + joined
    return "/" + "/".join(p.replace("~", "~0").replace("/", "~1") for p in path)


def text_of(value: Any) -> str | None:
    """A string or number from the export as text; None for anything else or empty."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (str, int)):
        return str(value) or None
    return None


def html_text(html: str) -> str:
    """The visible text of a post's HTML, for its context."""
    return " ".join(htmllib.unescape(_TAG.sub("", _BLOCK_TAG.sub(" ", html))).split())


@dataclass(slots=True)
class Obj:
    """A JSON object as a shape sees it: its pairs in order, as a dict, its keys and its ``type``.

    Made for every object of a walk, so not frozen (a frozen ``__init__`` costs several times
    more) and ``keys`` is the dict's own view, not a copy; treat it as read-only."""

    pairs: Iterable[tuple[str, Any]]
    fields: dict[str, Any]
    keys: AbstractSet[str]
    kind: str | None

    @classmethod
    def of(cls, value: dict[str, Any] | Pairs) -> Obj:
        pairs: Iterable[tuple[str, Any]]
        if isinstance(value, dict):
            fields, pairs = value, value.items()
        else:
            fields, pairs = dict(value), value
        kind = fields.get("type")
        return cls(pairs, fields, fields.keys(), kind if kind.__class__ is str else None)


def _never(obj: Obj) -> bool:
    return False


def _nothing(obj: Obj) -> frozenset[str]:
    return frozenset()


#: The elements ``array_spans`` finds, as ``Shape.quiet_runs`` gives them: ``(start, end, literals)``
#: of one to parse; ``(start, end, literals, text)`` of one that is quiet when :func:`quiet_text`
#: says its ``text`` is (else parsed); ``(start, end, elements, records)`` of a run of at most
#: ``longest`` quiet ones, ``records`` of which give an empty record each, the first at ``start``.
QuietRuns = list[tuple[int, int, int] | tuple[int, int, int, int | str]]
#: The lines from a text's ``at`` on that ``Shape.quiet_lines`` passes without parsing them (blank
#: lines, and quiet posts held by nothing): ``(stop, end, lines, first, quiet, posts, found)``, where
#: ``text[stop:end]`` is the line it stops at (``stop == end == len(text)``: none), ``lines`` the lines
#: before it, ``quiet`` of them quiet posts, ``first`` the first of those (-1: none), ``posts`` of them
#: with text; ``found``: the stop line is a quiet post if :func:`quiet_text` says its ``found`` is.
QuietLines = tuple[int, int, int, int, int, int, str | None]


@dataclass(frozen=True, slots=True)
class Shape:
    """A platform's export shape: which objects are its posts, and how a post becomes records.

    A module in ``inputs/shapes`` declares one and is listed in ``SHAPES`` there.
    """

    #: The platform, as ``Post.platform`` names it.
    platform: str
    #: Whether an object is one of its posts (with the object holding it, if one was found).
    is_post: Callable[[Obj, Holder | None], bool]
    #: The post's records, each with its :class:`~linkguard.models.Post`; consumes its literals.
    read_post: Callable[[Obj, Path, Walker, Holder | None], Iterator[Record]]
    #: Whether an object holds posts that need it for their identity (a Telegram chat's id).
    holds_posts: Callable[[Obj], bool] = _never
    #: Keys of an object around a post that describe it rather than show a link (an activity).
    wrapper_meta: Callable[[Obj], frozenset[str]] = _nothing
    #: How many records a post gives when it provably shows no link (its text, if any, as one
    #: empty record), without reading it; ``None`` when it may show one (then it is read).
    quiet: Callable[[Obj], int | None] | None = None
    #: Keys of which an object has at least one whenever this shape takes it for a post (whatever
    #: holds it), a holder of posts or a wrapper: the walk passes an object with none of any
    #: shape's marks without asking the shapes (most objects of a walk). ``None``: always asked.
    marks: frozenset[str] | None = None
    #: ``quiet`` read from the raw text of a value at the top, before it is parsed (parsing a
    #: quiet post cost most of its time): ``(text, start, end, not_wrappers)``, where the post is
    #: ``text[start:end]`` or its one member under a key not in ``not_wrappers`` (``None``: never
    #: one member), gives what :meth:`Walker.records` would, or ``None`` (then it is parsed). Asked
    #: of the first shape only, which is the first to claim a post.
    quiet_raw: Callable[[str, int, int, tuple[str, ...] | None], int | None] | None = None
    #: ``quiet_raw`` over the run of array elements that ``array_spans`` finds, in one pass:
    #: ``(text, at, first, eof, deep, longest, not_wrappers)`` gives :data:`QuietRuns`.
    quiet_runs: Callable[[str, int, bool, bool, int, int, tuple[str, ...] | None], QuietRuns] | None = None
    #: ``quiet_raw`` over the JSON Lines of a text block, in one pass: ``(text, at, size, not_wrappers)``
    #: gives :data:`QuietLines` (a line without a line end and ``size`` long or longer stops it).
    quiet_lines: Callable[[str, int, int, tuple[str, ...] | None], QuietLines] | None = None


class Walker:
    """Turns one parsed JSON value into records, in step with its literals' positions."""

    def __init__(
        self, pos: Positions, source: str, shapes: Sequence[Shape], *, longest_run: int = 1 << 62
    ) -> None:
        self.pos, self.source, self.shapes = pos, source, shapes
        #: The most quiet posts of an array one record may count (1: each its own, at its line).
        self.longest_run = longest_run
        # only the shapes that have them are asked, once per object of the walk
        self._holds = [s.holds_posts for s in shapes if s.holds_posts is not _never]
        self._wraps = [s.wrapper_meta for s in shapes if s.wrapper_meta is not _nothing]
        marks = [s.marks for s in shapes]
        #: An object with none of these keys is no shape's post, holder or wrapper (``None``: a
        #: shape did not say which keys it needs, so every object is asked).
        self._marks = None if None in marks else frozenset[str]().union(*marks)  # type: ignore[arg-type]
        #: The keys under which a one-member object is no wrapper of a post (see :meth:`_post`).
        self._not_wrappers = None if self._marks is None else tuple(self._marks | _WRAPPER_KEYS_WALKED_APART)
        self._quiet_raw = shapes[0].quiet_raw if shapes else None
        self._quiet_runs = shapes[0].quiet_runs if shapes else None
        self._quiet_lines = shapes[0].quiet_lines if shapes else None

    def quiet_records(self, text: str, start: int, end: int) -> int | None:
        """How many records (0 or 1, an empty one that counts the post) :meth:`records` gives the
        value ``text[start:end]`` held by nothing, when the first shape proves from the raw text
        that it is a quiet post; ``None``: parse it and ask :meth:`records`."""
        quiet_raw = self._quiet_raw
        return None if quiet_raw is None else quiet_raw(text, start, end, self._not_wrappers)

    def quiet_runs(self, text: str, at: int, first: bool, eof: bool, deep: int) -> QuietRuns | None:
        """The array elements from ``text[at]`` on that ``array_spans`` finds, held by nothing,
        with the runs of those the first shape proves quiet from the raw text (as
        :meth:`quiet_records` does) told apart; ``None`` when no shape can tell."""
        quiet_runs = self._quiet_runs
        if quiet_runs is None:
            return None
        return quiet_runs(text, at, first, eof, deep, self.longest_run, self._not_wrappers)

    def quiet_lines(self, text: str, at: int, size: int) -> QuietLines | None:
        """The JSON Lines from ``text[at]`` on that need no parsing, each quiet post told from its
        raw text by the first shape (as :meth:`quiet_records` tells it); ``None`` when no shape can
        tell them in one pass."""
        quiet_lines = self._quiet_lines
        return None if quiet_lines is None else quiet_lines(text, at, size, self._not_wrappers)

    def walk(
        self, value: Any, path: Path, post: Post | None = None, holder: Holder | None = None
    ) -> Iterator[Record]:
        cls = value.__class__
        if cls is str:
            line, column = self.pos.take()
            yield from self.string_records(value, line, column, pointer(path), post)
        elif cls is dict or cls is Pairs:
            yield from self._object(Obj.of(value), path, post, holder)
        elif cls is list:
            for i, item in enumerate(value):
                yield from self.walk(item, (*path, str(i)), post, holder)

    def records(
        self, value: Any, path: Path, holder: Holder | None, reparse: Callable[[], Any]
    ) -> list[Record]:
        """The records of ``value`` parsed to dicts; when literals are left over, an object wrote a
        key twice and its dict kept only the last: ``reparse`` (to ``Pairs``) keeps both.

        A post, or a one-member wrapper around one (an X archive's ``{"tweet": {…}}``), is read by
        its shape at once, as the walk would come to it. One that its shape proves quiet (no link
        in it: two thirds of an archive's tweets) is one empty record that counts it, or none, as
        the walk would give, without the read: its identity, positions and pointers are built only
        for posts that may give a finding."""
        pos = self.pos
        found = self._post(value) if holder is None and value.__class__ is dict else None
        if found is None:
            out = list(self.walk(value, path, None, holder))
        else:
            shape, obj, key = found
            quiet = None if shape.quiet is None else shape.quiet(obj)
            if quiet is not None and literals(value) == pos.count():  # no key written twice
                return [Record("", self.source, pos.line, pos.column, posts=1)] if quiet else []
            where = path
            if key is not None:  # as the wrapper's walk comes to it: past the key literal
                pos.next += 1
                where = (*path, key)
            out = list(shape.read_post(obj, where, self, None))
        if pos.next != pos.count():
            pos.rewind()
            out = list(self.walk(reparse(), path, None, holder))
        return out

    def _post(self, value: dict[str, Any]) -> tuple[Shape, Obj, str | None] | None:
        """The post ``value`` is, or that it wraps as its one member (with that member's key), as
        :meth:`_object` finds it with no holder: its shape and ``Obj``; ``None`` for anything else.
        A wrapper's key is then no shape's mark, nor one ``_object`` reads apart."""
        if len(value) == 1:
            ((key, inner),) = value.items()
            marks = self._marks
            if (
                inner.__class__ is dict
                and marks is not None
                and key not in marks
                and key not in _WRAPPER_KEYS_WALKED_APART
            ):
                obj = Obj.of(inner)
                shape = self._claimed(obj)
                return None if shape is None else (shape, obj, key)
        obj = Obj.of(value)
        shape = self._claimed(obj)
        return None if shape is None else (shape, obj, None)

    def _claimed(self, obj: Obj) -> Shape | None:
        """The shape whose post ``obj`` is when nothing holds it (as :meth:`_object` asks; not
        filtered by the marks: what is read at the top is most often a post)."""
        for shape in self.shapes:
            if shape.is_post(obj, None):
                return shape
        return None

    def _object(self, obj: Obj, path: Path, post: Post | None, holder: Holder | None) -> Iterator[Record]:
        keys, fields = obj.keys, obj.fields
        skip: frozenset[str] = frozenset()
        if self._marks is None or not keys.isdisjoint(self._marks):
            for shape in self.shapes:
                if shape.is_post(obj, holder):
                    yield from shape.read_post(obj, path, self, holder)
                    return
            if any(holds(obj) for holds in self._holds):
                holder = fields
            for wraps in self._wraps:
                skip = skip or wraps(obj)
        shown = None
        if "expanded_url" in keys and isinstance(fields.get("expanded_url"), str):
            shown = fields.get("display_url") if isinstance(fields.get("display_url"), str) else None
            skip = RESOLVED_ITEM_KEYS
        elif obj.kind == "text_link" and isinstance(fields.get("href"), str):
            shown = fields.get("text") if isinstance(fields.get("text"), str) else None
            skip = frozenset({"text"})
        skip_entities = "text_entities" in keys and "text" in keys
        pos = self.pos
        for key, item in obj.pairs:
            pos.next += 1  # the key literal
            if key in skip or key == "@context" or (skip_entities and key == "text_entities"):
                self.consume(item)  # restated elsewhere (Telegram repeats "text"): not counted twice
                continue
            if key == "expanded_url" and isinstance(item, str):
                line, column = pos.take()
                short = fields.get("url")
                via = (short,) if isinstance(short, str) and short and short != item else ()
                yield Record(
                    item,
                    self.source,
                    line,
                    column,
                    pointer((*path, key)),
                    display=shown,
                    post=post,
                    via=via,
                    resolved_by="expanded_url",
                )
                continue
            if key == "href" and shown is not None and isinstance(item, str):
                line, column = pos.take()
                yield Record(item, self.source, line, column, pointer((*path, key)), display=shown, post=post)
                continue
            yield from self.walk(item, (*path, key), post, holder)

    def locate(self, value: Any, path: Path, at: Places) -> None:
        """Pass ``value``'s literals, remembering which one each string is (a post's own fields)."""
        self.pos.next = locate(value, path, at, self.pos.next)

    def consume(self, value: Any) -> None:
        """Step over ``value``'s literals without reading it."""
        self.pos.next += literals(value)

    def place(self, at: Places, path: Path, default: tuple[int, int] = (1, 1)) -> tuple[int, int]:
        """Line and column of the post's own field at ``path`` (``default`` if it has none)."""
        index = at.get(path)
        return default if index is None else self.pos.at(index)

    def split_post(
        self,
        obj: Obj,
        path: Path,
        post: Post,
        own: AbstractSet[str],
        skip: AbstractSet[str] = frozenset(),
    ) -> tuple[Places, list[Record]]:
        """Positions of the post's ``own`` fields (read by its shape) and the records of the rest.

        ``skip`` fields describe the post (ids, permalinks, addressing) and are not scanned.
        """
        at: Places = {}
        rest: list[Record] = []
        pos = self.pos
        members = obj.pairs if obj.pairs.__class__ is Pairs else obj.fields
        cursor, index, key, item = split_run(members, 0, pos.next, path, own, skip, at)
        while key is not None:  # a member that may show a link: walked (rare in a post)
            pos.next = index
            rest.extend(self.walk(item, (*path, key), post))
            cursor, index, key, item = split_run(members, cursor, pos.next, path, own, skip, at)
        pos.next = index
        return at, rest

    def string_records(
        self, text: str, line: int, column: int, where: str, post: Post | None = None
    ) -> Iterator[Record]:
        if "<" in text and _LOOKS_HTML.search(text):
            yield from htmlpage.records_from_fragment(text, self.source, line, column, where, post=post)
        elif _no_link(text):  # still a record: counted, and its post is counted
            yield Record("", self.source, line, column, where, post=post)
        else:
            yield Record(text, self.source, line, column, where, post=post)

    def html_post(self, html: str, where: Path, at: Places, post: Post) -> list[Record]:
        """A post whose text is HTML (Mastodon): its anchors and text, with its visible text as context."""
        line, column = self.place(at, where)
        return htmlpage.records_from_fragment(
            html, self.source, line, column, pointer(where), post=post, context=html_text(html)
        )
