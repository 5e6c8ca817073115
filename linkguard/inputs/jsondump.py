"""JSON documents and JSON Lines: every string is scanned, and common export shapes are understood.

Known shapes give the displayed-versus-actual pair directly, which is evidence a regex over the
text cannot give: X/Twitter ``entities.urls[]`` (``expanded_url`` shown as ``display_url``),
Telegram Desktop ``text_link`` entities (``href`` behind ``text``), and Mastodon's HTML ``content``.

The standard ``json`` module does not report positions, so positions come from walking the string
literals of the raw text in step with the parsed document: both visit strings in document order.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from typing import Any

from linkguard.inputs import htmlpage, plaintext
from linkguard.limits import MAX_JSON_DOCUMENT_BYTES, MAX_LINE_CHARS
from linkguard.models import Record, Skipped

_STRING_LITERAL = re.compile(rf'"(?:[^"\\\n]|\\.){{0,{MAX_LINE_CHARS}}}"')
_JS_PREFIX = re.compile(r"\A\s*window\.[\w.$]+\s*=\s*")
_LOOKS_HTML = re.compile(r"<(?:a|p|br|span|div)\b[^>]*>", re.IGNORECASE)


class _Pairs(list[tuple[str, Any]]):
    """An object as its key/value pairs in document order (duplicate keys kept)."""


def _pairs_hook(pairs: list[tuple[str, Any]]) -> _Pairs:
    return _Pairs(pairs)


class _Positions:
    """Line and column of each string literal, advanced in document order."""

    def __init__(self, raw: str, line: int = 1) -> None:
        self.raw = raw
        self.literals = _STRING_LITERAL.finditer(raw)
        self.offset = 0
        self.line = line
        self.line_start = 0

    def next(self) -> tuple[int, int]:
        m = next(self.literals, None)
        if m is None:
            return self.line, 1
        start = m.start()
        self.line += self.raw.count("\n", self.offset, start)
        nl = self.raw.rfind("\n", 0, start)
        self.offset = start
        return self.line, start - nl + 1  # +1 skips the opening quote


def _pointer(path: tuple[str, ...]) -> str:
    return "/" + "/".join(p.replace("~", "~0").replace("/", "~1") for p in path)


def _walk(value: Any, path: tuple[str, ...], pos: _Positions, source: str) -> Iterator[Record]:
    if isinstance(value, str):
        line, column = pos.next()
        yield from _string_records(value, source, line, column, _pointer(path))
    elif isinstance(value, _Pairs):
        keys = {k for k, _ in value}
        obj = dict(value)
        shown = None
        if "expanded_url" in keys and isinstance(obj.get("expanded_url"), str):
            shown = obj.get("display_url") if isinstance(obj.get("display_url"), str) else None
        elif obj.get("type") == "text_link" and isinstance(obj.get("href"), str):
            shown = obj.get("text") if isinstance(obj.get("text"), str) else None
        skip_entities = "text_entities" in keys and "text" in keys
        for key, item in value:
            pos.next()  # the key literal
            if skip_entities and key == "text_entities":
                _consume(item, pos)  # Telegram repeats "text" there; scanning both would double-count
                continue
            if shown is not None and key in ("expanded_url", "href") and isinstance(item, str):
                line, column = pos.next()
                yield Record(item, source, line, column, _pointer((*path, key)), display=shown)
                continue
            yield from _walk(item, (*path, key), pos, source)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _walk(item, (*path, str(i)), pos, source)


def _consume(value: Any, pos: _Positions) -> None:
    if isinstance(value, str):
        pos.next()
    elif isinstance(value, _Pairs):
        for _key, item in value:
            pos.next()
            _consume(item, pos)
    elif isinstance(value, list):
        for item in value:
            _consume(item, pos)


def _string_records(text: str, source: str, line: int, column: int, pointer: str) -> Iterator[Record]:
    if "<" in text and _LOOKS_HTML.search(text):
        yield from htmlpage.records_from_fragment(text, source, line, column, pointer)
    else:
        yield Record(text, source, line, column, pointer)


def read_document(stream: io.TextIOWrapper, source: str) -> Iterator[Record | Skipped]:
    raw = stream.read(MAX_JSON_DOCUMENT_BYTES + 1)
    if len(raw) > MAX_JSON_DOCUMENT_BYTES:
        yield Skipped(
            source, "json-too-large-scanned-as-text", f"over {MAX_JSON_DOCUMENT_BYTES} bytes", kept=True
        )
        yield Record(raw, source, 1, 1, count=raw.count("\n") + 1)
        yield from plaintext.read(stream, source)
        return
    prefix = _JS_PREFIX.match(raw)
    body = raw[prefix.end() :] if prefix else raw
    try:
        doc = json.loads(body, object_pairs_hook=_pairs_hook)
    except (json.JSONDecodeError, RecursionError) as exc:
        detail = (
            f"{exc.msg} at line {exc.lineno} column {exc.colno}"
            if isinstance(exc, json.JSONDecodeError)
            else str(exc)
        )
        yield Skipped(source, "malformed-json-scanned-as-text", detail, kept=True)
        yield Record(raw, source, 1, 1, count=raw.count("\n") + 1)
        return
    pos = _Positions(raw)
    if prefix:
        pos.offset = prefix.end()
        pos.line += raw.count("\n", 0, prefix.end())
        pos.literals = _STRING_LITERAL.finditer(raw, prefix.end())
    is_array = isinstance(doc, list) and not isinstance(doc, _Pairs)
    items = doc if is_array else [doc]
    for i, item in enumerate(items):
        path = (str(i),) if is_array else ()
        yield from _walk(item, path, pos, source)


def read_lines(stream: io.TextIOWrapper, source: str) -> Iterator[Record | Skipped]:
    """JSON Lines: a malformed line is scanned as text and counted; the run goes on."""
    line_no = 0
    while True:
        line = stream.readline(MAX_LINE_CHARS)
        if not line:
            break
        line_no += 1
        if not line.endswith("\n") and len(line) >= MAX_LINE_CHARS:
            yield Skipped(
                source,
                "oversize-json-line-scanned-as-text",
                f"over {MAX_LINE_CHARS} characters",
                line_no,
                kept=True,
            )
            yield Record(line, source, line_no, 1, count=1)
            rest = stream.readline(MAX_LINE_CHARS)
            column = len(line) + 1
            while rest:
                yield Record(rest, source, line_no, column, count=0)
                if rest.endswith("\n"):
                    break
                column += len(rest)
                rest = stream.readline(MAX_LINE_CHARS)
            continue
        if not line.strip():
            continue
        try:
            doc = json.loads(line, object_pairs_hook=_pairs_hook)
        except (json.JSONDecodeError, RecursionError) as exc:
            detail = exc.msg if isinstance(exc, json.JSONDecodeError) else "nested too deeply"
            yield Skipped(source, "malformed-json-line-scanned-as-text", detail, line_no, kept=True)
            yield Record(line, source, line_no, 1)
            continue
        pos = _Positions(line, line_no)
        first = True
        for record in _walk(doc, (), pos, source):
            yield Record(
                record.text,
                record.source,
                record.line,
                record.column,
                f"line {line_no}{record.record or ''}",
                record.display,
                count=1 if first else 0,
            )
            first = False
        if first:
            yield Record("", source, line_no, 1, f"line {line_no}", count=1)
