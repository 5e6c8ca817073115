"""JSON documents and JSON Lines: every string is scanned, and common export shapes are understood.

Known shapes (``inputs/shapes``: X/Twitter, Telegram Desktop, ActivityPub, Mastodon's API) give the
displayed-versus-actual pair directly, which is evidence a regex over the text cannot give. Their
posts become :class:`~linkguard.models.Post` (id, permalink, author, date) on every record, and
each link a post shows is one record: the destination the export recorded, with the t.co in
``via``; never the truncated ``display_url``, the ``contentMap`` copies or the anchor text again.
The walk itself is in ``jsontree``.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator

from linkguard.inputs import plaintext
from linkguard.inputs.jsontree import Pairs, Positions, Walker, pairs_hook
from linkguard.inputs.reader import Reader, content_start
from linkguard.inputs.shapes import SHAPES
from linkguard.limits import MAX_JSON_DOCUMENT_BYTES, MAX_LINE_CHARS
from linkguard.models import Record, Skipped

_JS_PREFIX = re.compile(r"\A\s*window\.[\w.$]+\s*=\s*")


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
        doc = json.loads(body, object_pairs_hook=pairs_hook)
    except (json.JSONDecodeError, RecursionError) as exc:
        detail = (
            f"{exc.msg} at line {exc.lineno} column {exc.colno}"
            if isinstance(exc, json.JSONDecodeError)
            else str(exc)
        )
        yield Skipped(source, "malformed-json-scanned-as-text", detail, kept=True)
        yield Record(raw, source, 1, 1, count=raw.count("\n") + 1)
        return
    start = prefix.end() if prefix else 0
    walker = Walker(Positions(raw, 1 + raw.count("\n", 0, start), start), source, SHAPES)
    is_array = isinstance(doc, list) and not isinstance(doc, Pairs)
    items = doc if is_array else [doc]
    for i, item in enumerate(items):
        path = (str(i),) if is_array else ()
        yield from walker.walk(item, path)


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
            doc = json.loads(line, object_pairs_hook=pairs_hook)
        except (json.JSONDecodeError, RecursionError) as exc:
            detail = exc.msg if isinstance(exc, json.JSONDecodeError) else "nested too deeply"
            yield Skipped(source, "malformed-json-line-scanned-as-text", detail, line_no, kept=True)
            yield Record(line, source, line_no, 1)
            continue
        walker = Walker(Positions(line, line_no), source, SHAPES)
        first = True
        for record in walker.walk(doc, ()):
            yield Record(
                record.text,
                record.source,
                record.line,
                record.column,
                f"line {line_no}{record.record or ''}",
                record.display,
                1 if first else 0,
                record.suspect,
                record.post,
                record.via,
                record.resolved_by,
                record.context,
            )
            first = False
        if first:
            yield Record("", source, line_no, 1, f"line {line_no}", count=1)


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
