"""Telegram Desktop exports (``result.json``): a ``text_link`` is its ``href`` with the visible text as
display, and each message has the chat's permalink (``t.me/<username>/<id>``, ``t.me/c/<chat id>/<id>``)."""

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

#: Chat types whose messages have a ``t.me/c/<chat id>/<message id>`` permalink.
_LINKABLE = frozenset({"public_channel", "private_channel", "public_supergroup", "private_supergroup"})


def _unix_date(value: Any) -> str | None:
    text = text_of(value)
    if text is None or not text.isdigit():
        return None
    try:
        return datetime.fromtimestamp(int(text), UTC).isoformat()
    except (OverflowError, OSError, ValueError):  # not a date any calendar has
        return None


def _parts(value: Any) -> list[tuple[str, str | None, tuple[str, ...]]]:
    """``(visible text, href or None, path of the href)`` of a message's ``text`` or ``text_entities``."""
    if isinstance(value, str):
        return [(value, None, ())]
    parts: list[tuple[str, str | None, tuple[str, ...]]] = []
    if isinstance(value, list):
        for i, part in enumerate(value):
            if isinstance(part, str):
                parts.append((part, None, ()))
            elif isinstance(part, OBJECTS):
                fields = as_dict(part)
                label = fields.get("text")
                shown = label if isinstance(label, str) else ""
                href = fields.get("href") if fields.get("type") == "text_link" else None
                parts.append((shown, href if isinstance(href, str) else None, (str(i), "href")))
    return parts


def is_post(obj: Obj, holder: Holder | None) -> bool:
    keys = obj.keys
    return (
        "text" in keys
        and "id" in keys
        and ("text_entities" in keys or bool(holder and obj.kind == "message"))
    )


def holds_posts(obj: Obj) -> bool:
    """A chat: its messages need its id and username for their permalinks."""
    return "messages" in obj.keys and "id" in obj.keys and isinstance(obj.fields.get("messages"), list)


def read_post(obj: Obj, path: Path, walker: Walker, holder: Holder | None) -> Iterator[Record]:
    fields, source = obj.fields, walker.source
    msg_id = text_of(fields.get("id"))
    chat = holder or {}
    username, chat_id = text_of(chat.get("username")), text_of(chat.get("id"))
    url = None
    if msg_id is not None and username:
        url = f"https://t.me/{username}/{msg_id}"
    elif msg_id is not None and chat_id and text_of(chat.get("type")) in _LINKABLE:
        url = f"https://t.me/c/{chat_id}/{msg_id}"
    author = text_of(fields.get("from")) or text_of(fields.get("author")) or text_of(chat.get("name"))
    created = _unix_date(fields.get("date_unixtime")) or text_of(fields.get("date"))
    post = Post("telegram", msg_id, url, author, created)
    at, rest = walker.split_post(obj, path, post, frozenset({"text", "text_entities"}))
    key = (
        "text_entities"
        if fields.get("text_entities") and isinstance(fields["text_entities"], list)
        else "text"
    )
    parts = _parts(fields.get(key))
    full = "".join(shown for shown, _href, _where in parts)
    # the visible text of a text_link is display text: blanked where the text is scanned
    scanned = "".join(" " * len(shown) if href else shown for shown, href, _where in parts)
    texts = [v for k, v in at.items() if k[: len(path) + 1] == (*path, "text")]
    earliest = min(texts or at.values(), default=None)
    first = (1, 1) if earliest is None else walker.pos.at(earliest)
    for shown, href, where in parts:
        if href is None:
            continue
        line, column = walker.place(at, (*path, key, *where), first)
        yield Record(
            href,
            source,
            line,
            column,
            pointer((*path, key, *where)),
            display=shown or None,
            post=post,
            context=full,
        )
    if scanned.strip():
        yield Record(scanned, source, *first, pointer((*path, "text")), post=post, context=full)
    yield from rest


SHAPE = Shape("telegram", is_post, read_post, holds_posts=holds_posts, marks=frozenset({"id"}))
