"""JSON documents and JSON Lines: every string is scanned, and common export shapes are understood.

Known shapes give the displayed-versus-actual pair directly, which is evidence a regex over the
text cannot give: X/Twitter ``entities.urls[]`` (``expanded_url`` shown as ``display_url``),
Telegram Desktop ``text_link`` entities (``href`` behind ``text``), and Mastodon's HTML ``content``.
Their posts become :class:`~linkguard.models.Post` (id, permalink, author, date) on every record,
and each link a post shows is one record: the destination the export recorded, with the t.co
in ``via``; never the truncated ``display_url``, the ``contentMap`` copies or the anchor text again.

The standard ``json`` module does not report positions, so positions come from walking the string
literals of the raw text in step with the parsed document: both visit strings in document order.
"""

from __future__ import annotations

import html as htmllib
import io
import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from linkguard.inputs import htmlpage, plaintext
from linkguard.limits import MAX_JSON_DOCUMENT_BYTES, MAX_LINE_CHARS
from linkguard.models import Post, Record, Skipped

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


#: Keys of an ``entities.urls[]`` item that only restate its ``expanded_url``: the t.co (which goes
#: into ``via``), the truncated ``display_url`` (display text, never a URL of its own), offsets.
_RESOLVED_ITEM_KEYS = frozenset({"url", "display_url", "indices", "start", "end", "unwound_url"})
#: Telegram chat types whose messages have a ``t.me/c/<chat id>/<message id>`` permalink.
_TELEGRAM_LINKABLE = frozenset(
    {"public_channel", "private_channel", "public_supergroup", "private_supergroup"}
)
#: ActivityPub objects that are posts, and the keys that describe a post rather than show a link
#: (its own id and permalink, addressing, hashtag/mention objects repeating the content's anchors).
_AP_POSTS = frozenset({"Note", "Article", "Page", "Question"})
_AP_META = frozenset(
    {"id", "type", "url", "uri", "atomUri", "conversation", "inReplyTo", "inReplyToAtomUri"}
    | {"attributedTo", "actor", "to", "cc", "bto", "bcc", "audience", "published", "updated"}
    | {"replies", "likes", "shares", "tag", "sensitive", "@context", "context", "signature"}
)
#: The same for Mastodon's REST API statuses (``/api/v1/statuses``).
_MASTODON_API_META = frozenset(
    {"id", "uri", "url", "created_at", "edited_at", "account", "mentions", "tags", "emojis"}
    | {"in_reply_to_id", "in_reply_to_account_id", "visibility", "language", "application"}
)
#: A tweet's fields that never show a link: ids, counts, dates, flags, and the client it was sent
#: from (``<a href="https://mobile.twitter.com">``). Not scanned, which also saves a third of the time.
_TWEET_META = frozenset(
    {"source", "id", "id_str", "created_at", "lang", "display_text_range", "edit_info", "truncated"}
    | {"favorite_count", "retweet_count", "favorited", "retweeted", "possibly_sensitive"}
    | {"in_reply_to_status_id", "in_reply_to_status_id_str", "in_reply_to_user_id"}
    | {"in_reply_to_user_id_str", "in_reply_to_screen_name", "conversation_id"}
)
_MONTHS = {m: i + 1 for i, m in enumerate("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split())}
_BLOCK_TAG = re.compile(r"<(?:br|p|/p|div|/div|li)\b[^>]*>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>")
_Chat = dict[str, Any]


def _str(value: Any) -> str | None:
    """A string or number from the export as text; None for anything else or empty."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (str, int)):
        return str(value) or None
    return None


def _twitter_date(value: Any) -> str | None:
    """``Mon Jan 01 12:00:00 +0000 2024`` (X archives, API v1.1) as ISO 8601; ISO stays ISO."""
    if not isinstance(value, str):
        return None
    parts = value.split()
    if len(parts) == 6 and parts[1] in _MONTHS and parts[2].isdigit() and len(parts[4]) == 5:
        zone = parts[4]
        return f"{parts[5]}-{_MONTHS[parts[1]]:02d}-{int(parts[2]):02d}T{parts[3]}{zone[:3]}:{zone[3:]}"
    return value or None


def _unix_date(value: Any) -> str | None:
    text = _str(value)
    if text is None or not text.isdigit():
        return None
    try:
        return datetime.fromtimestamp(int(text), UTC).isoformat()
    except (OverflowError, OSError, ValueError):  # not a date any calendar has
        return None


def _html_text(html: str) -> str:
    """The visible text of a post's HTML, for its context."""
    return " ".join(htmllib.unescape(_TAG.sub("", _BLOCK_TAG.sub(" ", html))).split())


def _walk(
    value: Any,
    path: tuple[str, ...],
    pos: _Positions,
    source: str,
    post: Post | None = None,
    chat: _Chat | None = None,
) -> Iterator[Record]:
    if isinstance(value, str):
        line, column = pos.next()
        yield from _string_records(value, source, line, column, _pointer(path), post)
    elif isinstance(value, _Pairs):
        keys = {k for k, _ in value}
        obj = dict(value)
        if "id_str" in keys and ("full_text" in keys or "text" in keys):
            yield from _tweet(value, obj, path, pos, source)
            return
        kind = obj.get("type") if isinstance(obj.get("type"), str) else None
        if "text" in keys and "id" in keys and ("text_entities" in keys or (chat and kind == "message")):
            yield from _telegram_message(value, obj, path, pos, source, chat)
            return
        if kind in _AP_POSTS and ("content" in keys or "contentMap" in keys):
            yield from _note(value, obj, path, pos, source)
            return
        if "content" in keys and "uri" in keys and "account" in keys:
            yield from _mastodon_status(value, obj, path, pos, source)
            return
        if "messages" in keys and "id" in keys and isinstance(obj.get("messages"), list):
            chat = obj  # a Telegram chat: its messages need its id for their permalinks
        skip: frozenset[str] = frozenset()
        if kind in ("Create", "Update", "Announce") and "object" in keys:
            skip = _AP_META  # an ActivityPub activity around a post: only its object shows links
        shown = None
        if "expanded_url" in keys and isinstance(obj.get("expanded_url"), str):
            shown = obj.get("display_url") if isinstance(obj.get("display_url"), str) else None
            skip = _RESOLVED_ITEM_KEYS
        elif kind == "text_link" and isinstance(obj.get("href"), str):
            shown = obj.get("text") if isinstance(obj.get("text"), str) else None
            skip = frozenset({"text"})
        skip_entities = "text_entities" in keys and "text" in keys
        for key, item in value:
            pos.next()  # the key literal
            if key in skip or key == "@context" or (skip_entities and key == "text_entities"):
                _consume(item, pos)  # restated elsewhere (Telegram repeats "text"): not counted twice
                continue
            if key == "expanded_url" and isinstance(item, str):
                line, column = pos.next()
                short = obj.get("url") if isinstance(obj.get("url"), str) and obj.get("url") != item else None
                yield Record(
                    item,
                    source,
                    line,
                    column,
                    _pointer((*path, key)),
                    display=shown,
                    post=post,
                    via=(short,) if short else (),
                    resolved_by="expanded_url",
                )
                continue
            if key == "href" and shown is not None and isinstance(item, str):
                line, column = pos.next()
                yield Record(item, source, line, column, _pointer((*path, key)), display=shown, post=post)
                continue
            yield from _walk(item, (*path, key), pos, source, post, chat)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _walk(item, (*path, str(i)), pos, source, post, chat)


def _locate(
    value: Any, path: tuple[str, ...], pos: _Positions, at: dict[tuple[str, ...], tuple[int, int]]
) -> None:
    """Consume ``value``'s literals, remembering where each string is (a post's own fields)."""
    if isinstance(value, str):
        at[path] = pos.next()
    elif isinstance(value, _Pairs):
        for key, item in value:
            pos.next()
            _locate(item, (*path, key), pos, at)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _locate(item, (*path, str(i)), pos, at)


def _split_post(
    value: _Pairs,
    path: tuple[str, ...],
    pos: _Positions,
    source: str,
    post: Post,
    own: frozenset[str],
    skip: frozenset[str] = frozenset(),
) -> tuple[dict[tuple[str, ...], tuple[int, int]], list[Record]]:
    """Positions of the post's ``own`` fields (read by its handler) and the records of the rest.

    ``skip`` fields describe the post (ids, permalinks, addressing) and are not scanned.
    """
    at: dict[tuple[str, ...], tuple[int, int]] = {}
    rest: list[Record] = []
    for key, item in value:
        pos.next()
        if key in own:
            _locate(item, (*path, key), pos, at)
        elif key in skip:
            _consume(item, pos)
        else:
            rest.extend(_walk(item, (*path, key), pos, source, post))
    return at, rest


def _tweet(
    value: _Pairs, obj: dict[str, Any], path: tuple[str, ...], pos: _Positions, source: str
) -> Iterator[Record]:
    """An X/Twitter post: each ``entities`` link is its ``expanded_url`` (the t.co in ``via``), once."""
    tweet_id = _str(obj.get("id_str"))
    user = obj.get("user")
    author = _str(dict(user).get("screen_name")) if isinstance(user, _Pairs) else None
    if tweet_id is None:
        url = None
    else:
        url = f"https://x.com/{author}/status/{tweet_id}" if author else f"https://x.com/i/status/{tweet_id}"
    post = Post("x", tweet_id, url, author, _twitter_date(obj.get("created_at")))
    text_key = "full_text" if "full_text" in obj else "text"
    own = frozenset({text_key, "entities", "extended_entities"})
    at, rest = _split_post(value, path, pos, source, post, own, _TWEET_META)
    text = obj.get(text_key) if isinstance(obj.get(text_key), str) else ""
    here = at.get((*path, text_key), (1, 1))
    for group in ("entities", "extended_entities"):
        entities = obj.get(group)
        if not isinstance(entities, _Pairs):
            continue
        for kind, items in entities:
            if kind not in ("urls", "media") or not isinstance(items, list):
                continue
            for i, item in enumerate(items):
                if not isinstance(item, _Pairs):
                    continue
                fields = dict(item)
                short, expanded = fields.get("url"), fields.get("expanded_url") or fields.get("url")
                if not isinstance(expanded, str):
                    continue
                shown = fields.get("display_url")
                key = "expanded_url" if "expanded_url" in fields else "url"
                where = (*path, group, kind, str(i), key)
                line, column = at.get(where, here)
                yield Record(
                    expanded,
                    source,
                    line,
                    column,
                    _pointer(where),
                    display=shown if isinstance(shown, str) else None,
                    post=post,
                    via=(short,) if isinstance(short, str) and short != expanded else (),
                    resolved_by="expanded_url",
                    context=text or None,
                )
    if text:
        yield from _string_records(text, source, *here, _pointer((*path, text_key)), post)
    yield from rest


def _telegram_parts(value: Any) -> list[tuple[str, str | None, tuple[str, ...]]]:
    """``(visible text, href or None, path of the href)`` of a message's ``text`` or ``text_entities``."""
    if isinstance(value, str):
        return [(value, None, ())]
    parts: list[tuple[str, str | None, tuple[str, ...]]] = []
    if isinstance(value, list):
        for i, part in enumerate(value):
            if isinstance(part, str):
                parts.append((part, None, ()))
            elif isinstance(part, _Pairs):
                fields = dict(part)
                label = fields.get("text")
                shown = label if isinstance(label, str) else ""
                href = fields.get("href") if fields.get("type") == "text_link" else None
                parts.append((shown, href if isinstance(href, str) else None, (str(i), "href")))
    return parts


def _telegram_message(
    value: _Pairs,
    obj: dict[str, Any],
    path: tuple[str, ...],
    pos: _Positions,
    source: str,
    chat: _Chat | None,
) -> Iterator[Record]:
    """A Telegram Desktop message: a ``text_link`` is its ``href`` with the visible text as display."""
    msg_id = _str(obj.get("id"))
    chat = chat or {}
    username, chat_id = _str(chat.get("username")), _str(chat.get("id"))
    url = None
    if msg_id is not None and username:
        url = f"https://t.me/{username}/{msg_id}"
    elif msg_id is not None and chat_id and _str(chat.get("type")) in _TELEGRAM_LINKABLE:
        url = f"https://t.me/c/{chat_id}/{msg_id}"
    author = _str(obj.get("from")) or _str(obj.get("author")) or _str(chat.get("name"))
    created = _unix_date(obj.get("date_unixtime")) or _str(obj.get("date"))
    post = Post("telegram", msg_id, url, author, created)
    at, rest = _split_post(value, path, pos, source, post, frozenset({"text", "text_entities"}))
    key = "text_entities" if obj.get("text_entities") and isinstance(obj["text_entities"], list) else "text"
    parts = _telegram_parts(obj.get(key))
    full = "".join(shown for shown, _href, _where in parts)
    # the visible text of a text_link is display text: blanked where the text is scanned
    scanned = "".join(" " * len(shown) if href else shown for shown, href, _where in parts)
    texts = [v for k, v in at.items() if k[: len(path) + 1] == (*path, "text")]
    first = min(texts or at.values(), default=(1, 1))
    for shown, href, where in parts:
        if href is None:
            continue
        line, column = at.get((*path, key, *where), first)
        yield Record(
            href,
            source,
            line,
            column,
            _pointer((*path, key, *where)),
            display=shown or None,
            post=post,
            context=full,
        )
    if scanned.strip():
        yield Record(scanned, source, *first, _pointer((*path, "text")), post=post, context=full)
    yield from rest


def _html_post(
    html: str, where: tuple[str, ...], at: dict[tuple[str, ...], tuple[int, int]], source: str, post: Post
) -> list[Record]:
    line, column = at.get(where, (1, 1))
    return htmlpage.records_from_fragment(
        html, source, line, column, _pointer(where), post=post, context=_html_text(html)
    )


def _note(
    value: _Pairs, obj: dict[str, Any], path: tuple[str, ...], pos: _Positions, source: str
) -> Iterator[Record]:
    """An ActivityPub post (Mastodon outbox): ``content`` once, its ``contentMap`` copies not again."""
    author = obj.get("attributedTo")
    post = Post(
        "mastodon",
        _str(obj.get("id")),
        _str(obj.get("url")) if not isinstance(obj.get("url"), (list, _Pairs)) else None,
        _str(author) if not isinstance(author, (list, _Pairs)) else None,
        _str(obj.get("published")),
    )
    at, rest = _split_post(value, path, pos, source, post, frozenset({"content", "contentMap"}), _AP_META)
    content = obj.get("content")
    where: tuple[str, ...] = (*path, "content")
    if not isinstance(content, str):
        translations = obj.get("contentMap")
        first = next(iter(translations), None) if isinstance(translations, _Pairs) else None
        content = first[1] if first is not None and isinstance(first[1], str) else ""
        where = (*path, "contentMap", first[0]) if first is not None else where
    yield from _html_post(content, where, at, source, post)
    yield from rest


def _mastodon_status(
    value: _Pairs, obj: dict[str, Any], path: tuple[str, ...], pos: _Positions, source: str
) -> Iterator[Record]:
    """A status of Mastodon's REST API: the post's ``content``, its link ``card`` only if different."""
    account = obj.get("account")
    acct = _str(dict(account).get("acct")) if isinstance(account, _Pairs) else None
    post = Post("mastodon", _str(obj.get("uri")), _str(obj.get("url")), acct, _str(obj.get("created_at")))
    at, rest = _split_post(value, path, pos, source, post, frozenset({"content"}), _MASTODON_API_META)
    content = obj.get("content")
    yield from _html_post(content if isinstance(content, str) else "", (*path, "content"), at, source, post)
    yield from rest


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


def _string_records(
    text: str, source: str, line: int, column: int, pointer: str, post: Post | None = None
) -> Iterator[Record]:
    if "<" in text and _LOOKS_HTML.search(text):
        yield from htmlpage.records_from_fragment(text, source, line, column, pointer, post=post)
    else:
        yield Record(text, source, line, column, pointer, post=post)


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


def read_lines(stream: io.TextIOWrapper, source: str, *, first_line: int = 1) -> Iterator[Record | Skipped]:
    """JSON Lines: a malformed line is scanned as text and counted; the run goes on.

    ``first_line`` numbers the stream's first line (a byte range of a file starts further on).
    """
    line_no = first_line - 1
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
