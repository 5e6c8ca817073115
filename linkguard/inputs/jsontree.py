"""Walking a parsed JSON value into records: every string is scanned, known post shapes are read
by their platform's module (``inputs/shapes``), and each string keeps its line and column.

The standard ``json`` module does not report positions, so positions come from walking the string
literals of the raw text in step with the parsed document: both visit strings in document order.
"""

from __future__ import annotations

import html as htmllib
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from linkguard.inputs import htmlpage
from linkguard.limits import MAX_LINE_CHARS
from linkguard.models import Post, Record

_STRING_LITERAL = re.compile(rf'"(?:[^"\\\n]|\\.){{0,{MAX_LINE_CHARS}}}"')
_LOOKS_HTML = re.compile(r"<(?:a|p|br|span|div)\b[^>]*>", re.IGNORECASE)
_BLOCK_TAG = re.compile(r"<(?:br|p|/p|div|/div|li)\b[^>]*>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>")
#: Keys of an ``entities.urls[]`` item that only restate its ``expanded_url``: the t.co (which goes
#: into ``via``), the truncated ``display_url`` (display text, never a URL of its own), offsets.
RESOLVED_ITEM_KEYS = frozenset({"url", "display_url", "indices", "start", "end", "unwound_url"})

Path = tuple[str, ...]
#: An object that holds posts and gives them part of their identity (a Telegram chat).
Holder = dict[str, Any]
#: Where each of a post's own string fields is: path → (line, column).
Places = dict[Path, tuple[int, int]]


class Pairs(list[tuple[str, Any]]):
    """An object as its key/value pairs in document order (duplicate keys kept)."""


def pairs_hook(pairs: list[tuple[str, Any]]) -> Pairs:
    return Pairs(pairs)


class Positions:
    """Line and column of each string literal of ``raw[start:end]``, advanced in document order.

    ``line`` and ``column`` say where ``raw[0]`` is in the source, so a window of a larger
    document (one element of a streamed array) keeps the document's positions.
    """

    def __init__(
        self, raw: str, line: int = 1, start: int = 0, end: int | None = None, column: int = 1
    ) -> None:
        self.raw = raw
        self.literals = _STRING_LITERAL.finditer(raw, start, len(raw) if end is None else end)
        self.offset = start
        self.line = line
        #: Where a literal with no newline before it in ``raw`` counts its column from.
        self.no_newline = -column

    def next(self) -> tuple[int, int]:
        m = next(self.literals, None)
        if m is None:
            return self.line, 1
        start = m.start()
        self.line += self.raw.count("\n", self.offset, start)
        nl = self.raw.rfind("\n", 0, start)
        self.offset = start
        return self.line, start - (nl if nl >= 0 else self.no_newline) + 1  # +1 skips the opening quote


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

    pairs: Pairs
    fields: dict[str, Any]
    keys: frozenset[str]
    kind: str | None

    @classmethod
    def of(cls, pairs: Pairs) -> Obj:
        fields = dict(pairs)
        kind = fields.get("type")
        return cls(pairs, fields, frozenset(fields), kind if isinstance(kind, str) else None)


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

    def walk(
        self, value: Any, path: Path, post: Post | None = None, holder: Holder | None = None
    ) -> Iterator[Record]:
        if isinstance(value, str):
            line, column = self.pos.next()
            yield from self.string_records(value, line, column, pointer(path), post)
        elif isinstance(value, Pairs):
            yield from self._object(Obj.of(value), path, post, holder)
        elif isinstance(value, list):
            for i, item in enumerate(value):
                yield from self.walk(item, (*path, str(i)), post, holder)

    def _object(self, obj: Obj, path: Path, post: Post | None, holder: Holder | None) -> Iterator[Record]:
        for shape in self.shapes:
            if shape.is_post(obj, holder):
                yield from shape.read_post(obj, path, self, holder)
                return
        skip: frozenset[str] = frozenset()
        for shape in self.shapes:
            if shape.holds_posts(obj):
                holder = obj.fields
            skip = skip or shape.wrapper_meta(obj)
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
            pos.next()  # the key literal
            if key in skip or key == "@context" or (skip_entities and key == "text_entities"):
                self.consume(item)  # restated elsewhere (Telegram repeats "text"): not counted twice
                continue
            if key == "expanded_url" and isinstance(item, str):
                line, column = pos.next()
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
                line, column = pos.next()
                yield Record(item, self.source, line, column, pointer((*path, key)), display=shown, post=post)
                continue
            yield from self.walk(item, (*path, key), post, holder)

    def locate(self, value: Any, path: Path, at: Places) -> None:
        """Consume ``value``'s literals, remembering where each string is (a post's own fields)."""
        if isinstance(value, str):
            at[path] = self.pos.next()
        elif isinstance(value, Pairs):
            for key, item in value:
                self.pos.next()
                self.locate(item, (*path, key), at)
        elif isinstance(value, list):
            for i, item in enumerate(value):
                self.locate(item, (*path, str(i)), at)

    def consume(self, value: Any) -> None:
        """Step over ``value``'s literals without reading it."""
        if isinstance(value, str):
            self.pos.next()
        elif isinstance(value, Pairs):
            for _key, item in value:
                self.pos.next()
                self.consume(item)
        elif isinstance(value, list):
            for item in value:
                self.consume(item)

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
        for key, item in obj.pairs:
            self.pos.next()
            if key in own:
                self.locate(item, (*path, key), at)
            elif key in skip:
                self.consume(item)
            else:
                rest.extend(self.walk(item, (*path, key), post))
        return at, rest

    def string_records(
        self, text: str, line: int, column: int, where: str, post: Post | None = None
    ) -> Iterator[Record]:
        if "<" in text and _LOOKS_HTML.search(text):
            yield from htmlpage.records_from_fragment(text, self.source, line, column, where, post=post)
        else:
            yield Record(text, self.source, line, column, where, post=post)

    def html_post(self, html: str, where: Path, at: Places, post: Post) -> list[Record]:
        """A post whose text is HTML (Mastodon): its anchors and text, with its visible text as context."""
        line, column = at.get(where, (1, 1))
        return htmlpage.records_from_fragment(
            html, self.source, line, column, pointer(where), post=post, context=html_text(html)
        )
