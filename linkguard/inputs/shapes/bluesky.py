"""Bluesky posts: the post views of ``app.bsky.feed.getAuthorFeed``/``searchPosts``/``getPostThread``,
the ``{uri, value}`` records of ``com.atproto.repo.listRecords``, and bare ``app.bsky.feed.post``
records (a repository export turned into JSON). A link facet (``app.bsky.richtext.facet#link``) is its
``uri``, with the text it covers as display (Bluesky shortens it, ``welt.ltd/politik/artik...``, so
it is never read as a URL); an external embed's ``uri`` is a link too."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from linkguard.inputs.jsontree import (
    OBJECTS,
    Holder,
    Obj,
    Path,
    Places,
    Shape,
    Walker,
    as_dict,
    pointer,
    text_of,
)
from linkguard.models import Post, Record

_POST = "app.bsky.feed.post"
_LINK = "app.bsky.richtext.facet#link"
#: A post view's fields that describe it (ids, counters, the viewer's state) or repeat its record
#: (the ``embed`` view, with Bluesky's own thumbnails): not scanned.
_VIEW_META = frozenset(
    {"uri", "cid", "author", "indexedAt", "labels", "viewer", "threadgate", "embed"}
    | {"likeCount", "repostCount", "replyCount", "quoteCount"}
)


def _is_record(value: Any) -> bool:
    return isinstance(value, OBJECTS) and as_dict(value).get("$type") == _POST


def is_post(obj: Obj, holder: Holder | None) -> bool:
    fields = obj.fields
    if fields.get("$type") == _POST:
        return True
    return "uri" in obj.keys and (_is_record(fields.get("record")) or _is_record(fields.get("value")))


def _permalink(uri: str | None, who: str | None) -> str | None:
    """``at://did:plc:…/app.bsky.feed.post/RKEY`` → ``https://bsky.app/profile/WHO/post/RKEY``."""
    if not uri or not uri.startswith("at://"):
        return None
    repo, _, rest = uri[5:].partition("/")
    collection, _, rkey = rest.partition("/")
    if collection != _POST or not rkey:
        return None
    return f"https://bsky.app/profile/{who or repo}/post/{rkey}"


def _links(record: dict[str, Any]) -> list[tuple[int, int, str, Path]]:
    """``(byte start, byte end, uri, path of the uri)`` of the record's link facets."""
    found: list[tuple[int, int, str, Path]] = []
    facets = record.get("facets")
    for i, facet in enumerate(facets if isinstance(facets, list) else []):
        if not isinstance(facet, OBJECTS):
            continue
        facet = as_dict(facet)
        index = facet.get("index")
        where = as_dict(index) if isinstance(index, OBJECTS) else {}
        start, end = where.get("byteStart"), where.get("byteEnd")
        features = facet.get("features")
        for j, feature in enumerate(features if isinstance(features, list) else []):
            feature = as_dict(feature) if isinstance(feature, OBJECTS) else {}
            uri = feature.get("uri")
            if (
                feature.get("$type") == _LINK
                and isinstance(uri, str)
                and isinstance(start, int)
                and isinstance(end, int)
            ):
                found.append((start, end, uri, ("facets", str(i), "features", str(j), "uri")))
    return found


def _read_record(
    record: dict[str, Any], at_path: Path, at: Places, walker: Walker, post: Post
) -> Iterator[Record]:
    source = walker.source
    text: str = record["text"] if isinstance(record.get("text"), str) else ""
    here = walker.place(at, (*at_path, "text"))
    raw = text.encode("utf-8")
    scanned = text
    for start, end, uri, facet in _links(record):
        if not 0 <= start <= end <= len(raw):
            continue
        shown = raw[start:end].decode("utf-8", "replace")
        first = len(raw[:start].decode("utf-8", "replace"))
        # the facet's text is display text: blanked where the text is scanned
        scanned = scanned[:first] + " " * len(shown) + scanned[first + len(shown) :]
        where = (*at_path, *facet)
        line, column = walker.place(at, where, here)
        yield Record(
            uri, source, line, column, pointer(where), display=shown or None, post=post, context=text
        )
    embed = record.get("embed")
    external = as_dict(embed).get("external") if isinstance(embed, OBJECTS) else None
    card = as_dict(external).get("uri") if isinstance(external, OBJECTS) else None
    if isinstance(card, str):
        where = (*at_path, "embed", "external", "uri")
        line, column = walker.place(at, where, here)
        yield Record(card, source, line, column, pointer(where), post=post, context=text or None)
    if scanned.strip():
        yield Record(scanned, source, *here, pointer((*at_path, "text")), post=post, context=text)


def read_post(obj: Obj, path: Path, walker: Walker, holder: Holder | None) -> Iterator[Record]:
    fields = obj.fields
    if fields.get("$type") == _POST:  # a bare record: no id, no author
        post = Post("bluesky", None, None, None, text_of(fields.get("createdAt")))
        at, _nothing_else = walker.split_post(obj, path, post, obj.keys)
        yield from _read_record(fields, path, at, walker, post)
        return
    key = "record" if _is_record(fields.get("record")) else "value"
    record = as_dict(fields[key])
    author = fields.get("author")
    who = as_dict(author) if isinstance(author, OBJECTS) else {}
    handle = text_of(who.get("handle")) or text_of(who.get("did"))
    uri = text_of(fields.get("uri"))
    post = Post("bluesky", uri, _permalink(uri, handle), handle, text_of(record.get("createdAt")))
    at, rest = walker.split_post(obj, path, post, frozenset({key}), _VIEW_META)
    yield from _read_record(record, (*path, key), at, walker, post)
    yield from rest


SHAPE = Shape("bluesky", is_post, read_post, marks=frozenset({"$type", "uri"}))
