"""Reddit dumps (Pushshift / Arctic Shift NDJSON of submissions and comments, the API's ``data``
objects): a submission's ``url`` is the link it shares, its ``title`` and ``selftext`` and a comment's
``body`` are scanned; the permalink is the post's ``url``, never a link it shows."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from linkguard.inputs.jsontree import Holder, Obj, Path, Shape, Walker, pointer, text_of
from linkguard.models import Post, Record

#: Fields that describe the post (ids, names, counters, flags, the shared link's domain and Reddit's
#: own copies of it: preview images, thumbnail) rather than show a link.
_META = frozenset(
    {"id", "name", "permalink", "author", "author_fullname", "created_utc", "created", "retrieved_on"}
    | {"subreddit", "subreddit_id", "subreddit_name_prefixed", "link_id", "parent_id", "domain"}
    | {"thumbnail", "preview", "url_overridden_by_dest", "score", "ups", "downs", "num_comments"}
    | {"is_self", "over_18", "edited", "stickied", "locked", "gilded", "distinguished"}
)
_TEXTS = ("title", "selftext", "body")


def _date(value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return None
    try:
        return datetime.fromtimestamp(int(float(value)), UTC).isoformat()
    except (OverflowError, OSError, ValueError):  # not a date any calendar has
        return None


def is_post(obj: Obj, holder: Holder | None) -> bool:
    keys = obj.keys
    return "permalink" in keys and ("selftext" in keys or "body" in keys) and "subreddit" in keys


def read_post(obj: Obj, path: Path, walker: Walker, holder: Holder | None) -> Iterator[Record]:
    fields, source = obj.fields, walker.source
    permalink = text_of(fields.get("permalink"))
    url = f"https://www.reddit.com{permalink}" if permalink and permalink.startswith("/") else permalink
    post_id = text_of(fields.get("id")) or text_of(fields.get("name"))
    post = Post("reddit", post_id, url, text_of(fields.get("author")), _date(fields.get("created_utc")))
    at, rest = walker.split_post(obj, path, post, frozenset({"url", *_TEXTS}), _META)
    texts = [fields[key] for key in _TEXTS if isinstance(fields.get(key), str) and fields[key]]
    shared = fields.get("url")
    if isinstance(shared, str) and shared and shared != url and fields.get("is_self") is not True:
        line, column = walker.place(at, (*path, "url"))
        yield Record(
            shared, source, line, column, pointer((*path, "url")), post=post, context="\n".join(texts) or None
        )
    for key in _TEXTS:
        text = fields.get(key)
        if isinstance(text, str) and text:
            line, column = walker.place(at, (*path, key))
            yield from walker.string_records(text, line, column, pointer((*path, key)), post)
    yield from rest


SHAPE = Shape("reddit", is_post, read_post, marks=frozenset({"permalink"}))
