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


#: What a parsed JSON object is: a ``dict``, or ``Pairs`` where a key was written twice.
OBJECTS = (dict, Pairs)


def members(value: dict[str, Any] | Pairs) -> Iterable[tuple[str, Any]]:
    """An object's key/value pairs in document order."""
    return value.items() if isinstance(value, dict) else value


def as_dict(value: dict[str, Any] | Pairs) -> dict[str, Any]:
    return value if isinstance(value, dict) else dict(value)


class Positions:
    """Where the string literals of ``raw[start:end]`` are, counted in document order.

    The walk advances ``next`` by one per literal it passes (keys included) and asks for the line
    and column only of the strings that become records, so a post's ids, dates and counters cost
    an addition each. ``line`` and ``column`` say where ``raw[start]`` is in the source, so a
    window of a larger document (one element of a streamed array) keeps the document's positions.
    """

    __slots__ = ("_base", "_column0", "_end", "_line", "_offset", "_quotes", "next", "raw")

    def __init__(
        self, raw: str, line: int = 1, start: int = 0, end: int | None = None, column: int = 1
    ) -> None:
        self.raw = raw
        self._end = len(raw) if end is None else end
        #: Where the quotes that open and close literals are, found on first need (see ``_find``).
        self._quotes: list[int] | None = None
        #: The index of the next literal.
        self.next = 0
        self._base = self._offset, self._line = start, line
        self._column0 = column

    def rewind(self) -> None:
        """Back to the first literal, to walk the same text again."""
        self.next = 0
        self._offset, self._line = self._base

    def _find(self) -> list[int]:
        """Where the quotes are, in C: escapes are blanked (``\\\\`` before ``\\"``, pairing
        backslashes from the left as JSON does), then every quote left opens or closes a literal;
        the cumulated lengths between them give their offsets."""
        text = self.raw[self._base[0] : self._end]
        if "\\" in text:
            text = text.replace("\\\\", "__").replace('\\"', "__")
        pieces = text.split('"')
        #: the quote after piece ``i`` is at ``cumulated lengths + i`` (one character per quote)
        self._quotes = list(itertools.accumulate(map(len, pieces[:-1])))
        return self._quotes

    def count(self) -> int:
        """How many literals the text has."""
        return len(self._quotes if self._quotes is not None else self._find()) // 2

    def at(self, index: int) -> tuple[int, int]:
        """Line and column of the text of literal ``index`` (past its opening quote)."""
        quotes = self._quotes if self._quotes is not None else self._find()
        if 2 * index >= len(quotes):
            return self._line, 1
        start = self._base[0] + quotes[2 * index] + 2 * index
        if start < self._offset:  # asked out of order (a post's text after its links): count back
            self._line -= self.raw.count("\n", start, self._offset)
        else:
            self._line += self.raw.count("\n", self._offset, start)
        self._offset = start
        nl = self.raw.rfind("\n", 0, start)
        return self._line, start - nl + 1 if nl >= 0 else start + self._column0 + 1

    def take(self) -> tuple[int, int]:
        """Line and column of the next literal, passing it."""
        index = self.next
        self.next = index + 1
        return self.at(index)


def literals(value: Any) -> int:
    """How many string literals ``value`` was written with (keys included)."""
    if isinstance(value, str):
        return 1
    if isinstance(value, dict):
        return len(value) + sum(literals(item) for item in value.values() if isinstance(item, _NESTED))
    if isinstance(value, list):  # an array, or Pairs
        if isinstance(value, Pairs):
            return len(value) + sum(literals(item) for _key, item in value if isinstance(item, _NESTED))
        return sum(literals(item) for item in value if isinstance(item, _NESTED))
    return 0


#: Values that hold string literals.
_NESTED = (str, dict, list)


def _no_link(text: str) -> bool:
    """Whether no line of ``text`` can hold a link, by the plain-text line selection (C when built),
    which keeps every line the extractor would find a link in: ids, dates and prose without one
    then cost the extractor nothing. Text with tabs or line breaks is left to the extractor (the
    scanner reads a value broken by them as a browser does, across the lines)."""
    if "\n" in text or "\t" in text or "\r" in text:
        return False
    return not select_lines(text.encode("utf-8", "surrogatepass"), ERRORS)[0]


def pointer(path: Path) -> str:
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


@dataclass(frozen=True, slots=True)
class Obj:
    """A JSON object as a shape sees it: its pairs in order, as a dict, its keys and its ``type``."""

    pairs: Iterable[tuple[str, Any]]
    fields: dict[str, Any]
    keys: frozenset[str]
    kind: str | None

    @classmethod
    def of(cls, value: dict[str, Any] | Pairs) -> Obj:
        fields = as_dict(value)
        kind = fields.get("type")
        return cls(members(value), fields, frozenset(fields), kind if isinstance(kind, str) else None)


def _never(obj: Obj) -> bool:
    return False


def _nothing(obj: Obj) -> frozenset[str]:
    return frozenset()


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


class Walker:
    """Turns one parsed JSON value into records, in step with its literals' positions."""

    def __init__(self, pos: Positions, source: str, shapes: Sequence[Shape]) -> None:
        self.pos, self.source, self.shapes = pos, source, shapes
        # only the shapes that have them are asked, once per object of the walk
        self._holds = [s.holds_posts for s in shapes if s.holds_posts is not _never]
        self._wraps = [s.wrapper_meta for s in shapes if s.wrapper_meta is not _nothing]

    def walk(
        self, value: Any, path: Path, post: Post | None = None, holder: Holder | None = None
    ) -> Iterator[Record]:
        if isinstance(value, str):
            line, column = self.pos.take()
            yield from self.string_records(value, line, column, pointer(path), post)
        elif isinstance(value, OBJECTS):
            yield from self._object(Obj.of(value), path, post, holder)
        elif isinstance(value, list):
            for i, item in enumerate(value):
                yield from self.walk(item, (*path, str(i)), post, holder)

    def records(
        self, value: Any, path: Path, holder: Holder | None, reparse: Callable[[], Any]
    ) -> list[Record]:
        """The records of ``value`` parsed to dicts; when literals are left over, an object wrote a
        key twice and its dict kept only the last: ``reparse`` (to ``Pairs``) keeps both."""
        pos = self.pos
        out = list(self.walk(value, path, None, holder))
        if pos.next != pos.count():
            pos.rewind()
            out = list(self.walk(reparse(), path, None, holder))
        return out

    def _object(self, obj: Obj, path: Path, post: Post | None, holder: Holder | None) -> Iterator[Record]:
        for shape in self.shapes:
            if shape.is_post(obj, holder):
                yield from shape.read_post(obj, path, self, holder)
                return
        if any(holds(obj) for holds in self._holds):
            holder = obj.fields
        skip: frozenset[str] = frozenset()
        for wraps in self._wraps:
            skip = skip or wraps(obj)
        keys, fields = obj.keys, obj.fields
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
        pos = self.pos
        if isinstance(value, str):
            at[path] = pos.next
            pos.next += 1
        elif isinstance(value, OBJECTS):
            for key, item in members(value):
                pos.next += 1
                self.locate(item, (*path, key), at)
        elif isinstance(value, list):
            for i, item in enumerate(value):
                self.locate(item, (*path, str(i)), at)

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
        own: frozenset[str],
        skip: frozenset[str] = frozenset(),
    ) -> tuple[Places, list[Record]]:
        """Positions of the post's ``own`` fields (read by its shape) and the records of the rest.

        ``skip`` fields describe the post (ids, permalinks, addressing) and are not scanned.
        """
        at: Places = {}
        rest: list[Record] = []
        pos = self.pos
        for key, item in obj.pairs:
            pos.next += 1
            if key in own:
                self.locate(item, (*path, key), at)
            elif key in skip:
                if item.__class__ is str:
                    pos.next += 1
                elif isinstance(item, _NESTED):
                    pos.next += literals(item)
            else:
                rest.extend(self.walk(item, (*path, key), post))
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
