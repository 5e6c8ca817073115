"""Statuses of Mastodon's REST API (``/api/v1/statuses``, timelines): the post's ``content``; the rest
(its link ``card``) is walked too, and the scanner reports a link the card repeats once per post."""

from __future__ import annotations

from collections.abc import Iterator

from linkguard.inputs.jsontree import OBJECTS, Holder, Obj, Path, Shape, Walker, as_dict, text_of
from linkguard.models import Post, Record

#: Keys that describe the status rather than show a link.
_META = frozenset(
    {"id", "uri", "url", "created_at", "edited_at", "account", "mentions", "tags", "emojis"}
    | {"in_reply_to_id", "in_reply_to_account_id", "visibility", "language", "application"}
)


def is_post(obj: Obj, holder: Holder | None) -> bool:
    return "content" in obj.keys and "uri" in obj.keys and "account" in obj.keys


def read_post(obj: Obj, path: Path, walker: Walker, holder: Holder | None) -> Iterator[Record]:
    fields = obj.fields
    account = fields.get("account")
    acct = text_of(as_dict(account).get("acct")) if isinstance(account, OBJECTS) else None
    post = Post(
        "mastodon",
        text_of(fields.get("uri")),
        text_of(fields.get("url")),
        acct,
        text_of(fields.get("created_at")),
    )
    at, rest = walker.split_post(obj, path, post, frozenset({"content"}), _META)
    content = fields.get("content")
    yield from walker.html_post(content if isinstance(content, str) else "", (*path, "content"), at, post)
    yield from rest


SHAPE = Shape("mastodon", is_post, read_post, marks=frozenset({"content"}))
