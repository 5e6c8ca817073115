"""Facebook "Download Your Information" JSON: posts (``your_posts_1.json``, a list of
``{timestamp, data: [{post}], attachments: [{data: [{external_context: {url}}]}], title}``) and
comments (``comments.json``, ``data: [{comment: {comment, author}}]``).

Facebook writes this export's text as UTF-8 bytes escaped one by one as Latin-1 code points
(``"Fr\\u00c3\\u00bch"`` for ``Früh``): every string is repaired before it is read. A shared link's
``external_context.url`` is a link of the post. The export has no post ids or permalinks, and
names the author only on comments: those are null.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from linkguard.inputs.jsontree import (
    OBJECTS,
    Holder,
    Obj,
    Path,
    Shape,
    Walker,
    as_dict,
    pointer,
    text_of,
)
from linkguard.models import Post, Record

#: What an attachment's data items hold in this export.
_ATTACHMENT_KINDS = ("external_context", "media", "place", "text", "event", "for_sale_item", "fundraiser")
#: Attachment fields that are Facebook's own files or restate the link (a card's ``source`` is its site).
_ATTACHMENT_META = frozenset(
    {"uri", "creation_timestamp", "thumbnail", "media_metadata", "backup_uri", "source"}
)


def repair(text: str) -> str:
    """Undo Facebook's mojibake: text whose code points are all below 256 and whose bytes are
    UTF-8 is that UTF-8; anything else (real Latin-1 text, already right) stays as it is."""
    if text.isascii():
        return text
    try:
        return text.encode("latin-1").decode("utf-8")
    except UnicodeError:
        return text


def _date(value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    try:
        return datetime.fromtimestamp(value, UTC).isoformat()
    except (OverflowError, OSError, ValueError):  # not a date any calendar has
        return None


def _items(value: Any) -> list[dict[str, Any]]:
    return [as_dict(item) for item in value if isinstance(item, OBJECTS)] if isinstance(value, list) else []


def _is_item(item: dict[str, Any]) -> bool:
    """A ``data`` item of a post (``post`` text, ``update_timestamp``) or a comment."""
    if isinstance(item.get("post"), str) or isinstance(item.get("update_timestamp"), int):
        return True
    comment = item.get("comment")
    return isinstance(comment, OBJECTS) and isinstance(as_dict(comment).get("comment"), str)


def is_post(obj: Obj, holder: Holder | None) -> bool:
    """An object with a Unix ``timestamp`` and this export's ``data`` items or ``attachments``."""
    if "timestamp" not in obj.keys:  # asked of every object: a set lookup first
        return False
    fields = obj.fields
    if not isinstance(fields["timestamp"], int):
        return False
    if any(_is_item(item) for item in _items(fields.get("data"))):
        return True
    return any(
        any(kind in part for kind in _ATTACHMENT_KINDS)
        for attachment in _items(fields.get("attachments"))
        for part in _items(attachment.get("data"))
    )


def read_post(obj: Obj, path: Path, walker: Walker, holder: Holder | None) -> Iterator[Record]:
    fields, source = obj.fields, walker.source
    texts: list[tuple[str, Path]] = []
    author = None
    for i, item in enumerate(_items(fields.get("data"))):
        if isinstance(item.get("post"), str):
            texts.append((repair(item["post"]), ("data", str(i), "post")))
        comment = item.get("comment")
        if isinstance(comment, OBJECTS):
            comment = as_dict(comment)
            if isinstance(comment.get("comment"), str):
                texts.append((repair(comment["comment"]), ("data", str(i), "comment", "comment")))
            name = text_of(comment.get("author"))
            author = author or (repair(name) if name else None)
    post = Post("facebook", None, None, author, _date(fields.get("timestamp")))
    at, _rest = walker.split_post(obj, path, post, obj.keys)
    context = "\n".join(text for text, _where in texts if text) or None
    for where, index in at.items():
        if len(where) <= len(path) + 1 or where[len(path)] != "attachments":
            continue
        key = where[-1]
        if key in _ATTACHMENT_META or any(part in _ATTACHMENT_META for part in where[len(path) :]):
            continue
        value = _at(fields, where[len(path) :])
        if not isinstance(value, str) or not value:
            continue
        line, column = walker.pos.at(index)
        if key == "url" and len(where) >= 2 and where[-2] == "external_context":
            yield Record(repair(value), source, line, column, pointer(where), post=post, context=context)
        else:
            yield from walker.string_records(repair(value), line, column, pointer(where), post)
    for text, where in texts:
        if text:
            line, column = walker.place(at, (*path, *where))
            yield from walker.string_records(text, line, column, pointer((*path, *where)), post)


def _at(value: Any, where: Path) -> Any:
    """The value at a path inside ``value`` (dict keys and list indices as strings)."""
    for part in where:
        if isinstance(value, OBJECTS):
            value = as_dict(value).get(part)
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return None
    return value


SHAPE = Shape("facebook", is_post, read_post, marks=frozenset({"timestamp"}))
