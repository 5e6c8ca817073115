"""HTML: visible text plus link targets, each anchor's target paired with its display text.

The standard library's streaming ``HTMLParser`` is used rather than beautifulsoup4 because it is fed
block by block (flat memory) and reports the line and column of each piece.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from html.parser import HTMLParser

from linkguard.inputs.decoding import line_blocks
from linkguard.inputs.reader import Reader, content_start
from linkguard.models import Post, Record, Skipped
from linkguard.whatwg import prepare

_URL_ATTRS = frozenset({"href", "src", "action", "cite", "data-href", "data-url", "poster", "formaction"})
_META_URL_NAMES = frozenset({"og:url", "twitter:url", "og:see_also"})
_SKIP_TEXT = frozenset({"script", "style", "template", "noscript"})
_MAX_ANCHOR_TEXT = 500
_TAGS_THAT_SAY_HTML = (b"<html", b"<!doctype", b"<a ", b"<p", b"<div", b"<body")


def _browser_url(value: str) -> str:
    """An attribute's URL as the browser follows it: tabs, newlines and surrounding controls
    dropped, and a scheme-relative ``//host`` (also written ``\\\\host``, ``/\\host``) given the
    page's scheme, so that ``//welt.de@welt.ltd/`` is read with its user information."""
    value = prepare(value)
    if value[:2] in ("//", "\\\\", "/\\", "\\/"):
        return "https:" + value
    return value


class _Collector(HTMLParser):
    def __init__(self, source: str, line_offset: int = 0, column_offset: int = 0) -> None:
        super().__init__(convert_charrefs=True)
        self.source = source
        self.out: list[Record] = []
        self._skip_depth = 0
        self._anchor: tuple[str, int, int] | None = None
        self._anchor_text: list[str] = []
        #: The anchor's text as records, held back: a one-word label (``welt.de/politik``, Mastodon's
        #: ``https://`` + ``welt.ltd/x``) is the link's display, one finding with it, not a second.
        self._anchor_records: list[Record] = []
        self._line_offset = line_offset
        self._column_offset = column_offset

    def _pos(self) -> tuple[int, int]:
        line, col = self.getpos()
        return line + self._line_offset, col + 1 + (self._column_offset if line == 1 else 0)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        line, col = self._pos()
        if tag in _SKIP_TEXT:
            self._skip_depth += 1
        values = dict(attrs)
        for name, value in attrs:
            if not value:
                continue
            if tag == "a" and name == "href":
                self._close_anchor()
                self._anchor = (_browser_url(value), line, col)
                self._anchor_text = []
            elif name in _URL_ATTRS or (
                tag == "meta"
                and name == "content"
                and (values.get("property") or values.get("name")) in _META_URL_NAMES
            ):
                self.out.append(Record(_browser_url(value), self.source, line, col, record=f"<{tag} {name}>"))

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TEXT and self._skip_depth:
            self._skip_depth -= 1
        if tag == "a":
            self._close_anchor()

    def _close_anchor(self) -> None:
        if self._anchor is None:
            return
        href, line, col = self._anchor
        label = " ".join("".join(self._anchor_text).split())[:_MAX_ANCHOR_TEXT] or None
        self.out.append(Record(href, self.source, line, col, record="<a href>", display=label))
        if label is not None and " " in label:
            self.out.extend(self._anchor_records)  # prose, which may name other links: scanned too
        self._anchor = None
        self._anchor_records = []

    def handle_data(self, data: str) -> None:
        if self._skip_depth or not data.strip():
            return
        line, col = self._pos()
        if self._anchor is not None and len(self._anchor_text) < 64:
            self._anchor_text.append(data)
            self._anchor_records.append(Record(data, self.source, line, col))
            return
        self.out.append(Record(data, self.source, line, col))

    def drain(self) -> list[Record]:
        out, self.out = self.out, []
        return out


def read(stream: io.TextIOWrapper, source: str) -> Iterator[Record | Skipped]:
    parser = _Collector(source)
    for block, _line, _column in line_blocks(stream):
        parser.feed(block)
        yield from parser.drain()
    parser.close()
    parser._close_anchor()
    yield from parser.drain()


def records_from_fragment(
    html: str,
    source: str,
    line: int,
    column: int,
    record: str | None,
    *,
    post: Post | None = None,
    context: str | None = None,
) -> list[Record]:
    """Records from an HTML string embedded in another format (a Mastodon post's ``content``)."""
    parser = _Collector(source, line - 1, column - 1)
    parser.feed(html)
    parser.close()
    parser._close_anchor()
    return [
        Record(r.text, r.source, r.line, r.column, record or r.record, r.display, post=post, context=context)
        for r in parser.drain()
    ]


def _sniff(head: bytes) -> bool:
    """Starts with a tag, and one of the first 512 bytes' tags is one only HTML has."""
    text = content_start(head)
    lowered = text[:512].lower()
    return text.startswith(b"<") and any(tag in lowered for tag in _TAGS_THAT_SAY_HTML)


READER = Reader("html", (".html", ".htm", ".xhtml"), sniff=_sniff, read_text=read)
