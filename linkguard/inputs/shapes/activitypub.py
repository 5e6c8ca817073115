"""ActivityPub posts (a Mastodon outbox, other fediverse exports): ``content`` once, its
``contentMap`` translations not again; an activity around a post shows links only in its object."""

from __future__ import annotations

from collections.abc import Iterator

from linkguard.inputs.jsontree import OBJECTS, Holder, Obj, Path, Shape, Walker, members, text_of
from linkguard.models import Post, Record

#: Objects that are posts.
_POSTS = frozenset({"Note", "Article", "Page", "Question"})
#: Keys that describe a post rather than show a link: its own id and permalink, addressing,
#: hashtag/mention objects repeating the content's anchors.
_META = frozenset(
    {"id", "type", "url", "uri", "atomUri", "conversation", "inReplyTo", "inReplyToAtomUri"}
    | {"attributedTo", "actor", "to", "cc", "bto", "bcc", "audience", "published", "updated"}
    | {"replies", "likes", "shares", "tag", "sensitive", "@context", "context", "signature"}
)


def is_post(obj: Obj, holder: Holder | None) -> bool:
    return obj.kind in _POSTS and ("content" in obj.keys or "contentMap" in obj.keys)


def wrapper_meta(obj: Obj) -> frozenset[str]:
    return _META if obj.kind in ("Create", "Update", "Announce") and "object" in obj.keys else frozenset()


def read_post(obj: Obj, path: Path, walker: Walker, holder: Holder | None) -> Iterator[Record]:
    fields = obj.fields
    author = fields.get("attributedTo")
    post = Post(
        "mastodon",
        text_of(fields.get("id")),
        text_of(fields.get("url")) if not isinstance(fields.get("url"), (list, dict)) else None,
        text_of(author) if not isinstance(author, (list, dict)) else None,
        text_of(fields.get("published")),
    )
    at, rest = walker.split_post(obj, path, post, frozenset({"content", "contentMap"}), _META)
    content = fields.get("content")
    where: Path = (*path, "content")
    if not isinstance(content, str):
        translations = fields.get("contentMap")
        first = next(iter(members(translations)), None) if isinstance(translations, OBJECTS) else None
        content = first[1] if first is not None and isinstance(first[1], str) else ""
        where = (*path, "contentMap", first[0]) if first is not None else where
    yield from walker.html_post(content, where, at, post)
    yield from rest


SHAPE = Shape("mastodon", is_post, read_post, wrapper_meta=wrapper_meta, marks=frozenset({"type"}))
