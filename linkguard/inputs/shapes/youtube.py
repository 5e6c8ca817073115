"""YouTube comments: the Data API's ``commentThreads``/``comments`` resources (``youtube#comment``
inside a ``youtube#commentThread``) and the ``comments`` of a yt-dlp ``.info.json``.

Each comment is a post: its id, the permalink ``https://www.youtube.com/watch?v=VIDEO&lc=ID``, its
author and date. Only its text is scanned (``textOriginal``, else ``textDisplay``; yt-dlp's
``text``, else its ``html``): the author's channel URL and picture describe the comment, they
are not links it shows.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from linkguard.inputs.jsontree import OBJECTS, Holder, Obj, Path, Shape, Walker, as_dict, pointer, text_of
from linkguard.models import Post, Record

_NOTHING: frozenset[str] = frozenset()
_COMMENT = "youtube#comment"
_THREAD = "youtube#commentThread"
#: A yt-dlp comment's fields that describe it.
_YTDLP_META = frozenset(
    {"id", "author", "author_id", "author_thumbnail", "author_url", "timestamp", "parent", "like_count"}
    | {"is_favorited", "_time_text", "author_is_uploader", "author_is_verified", "is_pinned", "edited"}
)

#: A yt-dlp ``.info.json``'s fields that are YouTube's own media URLs (hundreds of ``googlevideo``
#: streams, thumbnails, captions) or the video's own address: not scanned. Its description is.
_INFO_META = frozenset(
    {"formats", "requested_formats", "requested_downloads", "thumbnails", "thumbnail", "heatmap"}
    | {"automatic_captions", "subtitles", "http_headers", "fragments", "url", "manifest_url"}
    | {"webpage_url", "original_url", "channel_url", "uploader_url", "uploader_id", "channel_id"}
)


def permalink(video: str | None, comment: str | None) -> str | None:
    """A comment's own link, the one YouTube's "share" gives."""
    return f"https://www.youtube.com/watch?v={video}&lc={comment}" if video and comment else None


def _snippet(fields: dict[str, Any]) -> dict[str, Any]:
    snippet = fields.get("snippet")
    return as_dict(snippet) if isinstance(snippet, OBJECTS) else {}


def holds_posts(obj: Obj) -> bool:
    """A thread names the video its comments are on; a yt-dlp ``.info.json`` is the video."""
    keys = obj.keys  # asked of every object: set lookups first
    return ("kind" in keys and obj.fields["kind"] == _THREAD) or ("webpage_url" in keys and _is_info(obj))


def _is_info(obj: Obj) -> bool:
    return (
        "comments" in obj.keys and "webpage_url" in obj.keys and isinstance(obj.fields.get("comments"), list)
    )


def wrapper_meta(obj: Obj) -> frozenset[str]:
    return _INFO_META if "webpage_url" in obj.keys and _is_info(obj) else _NOTHING


def _ytdlp_comment(obj: Obj, holder: Holder | None) -> bool:
    """yt-dlp's comment: ``text`` or ``html`` (one of them is always there), who wrote it or whom
    it answers; every other field is optional."""
    keys = obj.keys
    return (
        holder is not None
        and "webpage_url" in holder
        and ("text" in keys or "html" in keys)
        and ("author" in keys or "author_id" in keys or "parent" in keys)
    )


def is_post(obj: Obj, holder: Holder | None) -> bool:
    keys = obj.keys  # asked of every object: set lookups first
    if "kind" in keys:
        return obj.fields["kind"] == _COMMENT and "snippet" in keys
    return holder is not None and _ytdlp_comment(obj, holder)


def _ytdlp_date(value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        return datetime.fromtimestamp(int(value), UTC).isoformat()
    except (OverflowError, OSError, ValueError):  # not a date any calendar has
        return None


def read_post(obj: Obj, path: Path, walker: Walker, holder: Holder | None) -> Iterator[Record]:
    fields = obj.fields
    outer = holder or {}
    comment_id = text_of(fields.get("id"))
    if fields.get("kind") != _COMMENT:  # yt-dlp
        extractor = text_of(outer.get("extractor_key")) or text_of(outer.get("extractor")) or "youtube"
        video = text_of(outer.get("id")) if extractor.lower().startswith("youtube") else None
        post = Post(
            "youtube",
            comment_id,
            permalink(video, comment_id),
            text_of(fields.get("author")),
            _ytdlp_date(fields.get("timestamp")),
        )
        key = "text" if isinstance(fields.get("text"), str) else "html"
        at, rest = walker.split_post(obj, path, post, frozenset({"text", "html"}), _YTDLP_META)
        where: Path = (*path, key)
    else:
        snippet = _snippet(fields)
        video = text_of(snippet.get("videoId")) or text_of(_snippet(outer).get("videoId"))
        post = Post(
            "youtube",
            comment_id,
            permalink(video, comment_id),
            text_of(snippet.get("authorDisplayName")),
            text_of(snippet.get("publishedAt")),
        )
        at, rest = walker.split_post(
            obj, path, post, frozenset({"snippet"}), frozenset(obj.keys - {"snippet"})
        )
        key = "textOriginal" if isinstance(snippet.get("textOriginal"), str) else "textDisplay"
        where = (*path, "snippet", key)
        fields = snippet
    text = fields.get(where[-1])
    if isinstance(text, str) and text and where[-1] == "html":  # its visible text is the context
        yield from walker.html_post(text, where, at, post)
    elif isinstance(text, str) and text:
        line, column = walker.place(at, where)
        yield from walker.string_records(text, line, column, pointer(where), post)
    yield from rest


SHAPE = Shape(
    "youtube",
    is_post,
    read_post,
    holds_posts=holds_posts,
    wrapper_meta=wrapper_meta,
    marks=frozenset({"kind", "webpage_url", "text", "html"}),
)
