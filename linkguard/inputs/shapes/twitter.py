"""X/Twitter posts (archive ``tweets.js``, API v1.1 and v2-style payloads): each ``entities`` link is
its ``expanded_url`` with the t.co in ``via``, once; never the truncated ``display_url`` as a URL."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

from linkguard.inputs.jsontree import (
    OBJECTS,
    Holder,
    Obj,
    Pairs,
    Path,
    QuietLines,
    QuietRuns,
    Shape,
    Walker,
    as_dict,
    members,
    pointer,
    quiet_text,
    text_of,
)
from linkguard.models import Post, Record

#: A tweet's fields that never show a link: ids, counts, dates, flags, and the client it was sent
#: from (``<a href="https://mobile.twitter.com">``). Not scanned, which also saves a third of the time.
_META = frozenset(
    {"source", "id", "id_str", "created_at", "lang", "display_text_range", "edit_info", "truncated"}
    | {"favorite_count", "retweet_count", "favorited", "retweeted", "possibly_sensitive"}
    | {"in_reply_to_status_id", "in_reply_to_status_id_str", "in_reply_to_user_id"}
    | {"in_reply_to_user_id_str", "in_reply_to_screen_name", "conversation_id"}
)
#: A tweet's own fields, read here rather than walked, by the key its text is under.
_OWN = {key: frozenset({key, "entities", "extended_entities"}) for key in ("full_text", "text")}
_GROUPS = ("entities", "extended_entities")
#: The ``entities`` lists whose items :func:`read_post` reads as links.
_LINK_KINDS = ("urls", "media")
#: The members :func:`quiet` need not look at: a tweet's own, and those never scanned.
_QUIET_KEYS = {key: own | _META for key, own in _OWN.items()}
_MONTHS = {m: i + 1 for i, m in enumerate("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split())}


#: Months as ISO writes them.
_MONTH_DIGITS = {month: f"{number:02d}" for month, number in _MONTHS.items()}
#: The form X writes, in ASCII with single spaces: read by one match (once per post that shows a
#: link); anything else is read by splitting, as before.
_X_DATE = re.compile(
    r"[A-Za-z]{3} ([A-Z][a-z]{2}) ([0-9]{2}) ([0-9]{2}:[0-9]{2}:[0-9]{2}) ([+-][0-9]{2})([0-9]{2}) ([0-9]{4})"
)


def twitter_date(value: Any) -> str | None:
    """``Mon Jan 01 12:00:00 +0000 2024`` (X archives, API v1.1) as ISO 8601; ISO stays ISO."""
    if not isinstance(value, str):
        return None
    m = _X_DATE.fullmatch(value)
    if m is not None and m[1] in _MONTH_DIGITS:
        month, day, time, zone_hours, zone_minutes, year = m.groups()
        return f"{year}-{_MONTH_DIGITS[month]}-{day}T{time}{zone_hours}:{zone_minutes}"
    return _split_date(value)


def _split_date(value: str) -> str | None:
    """:func:`twitter_date` the long way, for any spacing and digits (a property test holds the
    two together)."""
    parts = value.split()
    if len(parts) == 6 and parts[1] in _MONTHS and parts[2].isdigit() and len(parts[4]) == 5:
        zone = parts[4]
        return f"{parts[5]}-{_MONTHS[parts[1]]:02d}-{int(parts[2]):02d}T{parts[3]}{zone[:3]}:{zone[3:]}"
    return value or None


def is_post(obj: Obj, holder: Holder | None) -> bool:
    return "id_str" in obj.keys and ("full_text" in obj.keys or "text" in obj.keys)


def post_of(fields: dict[str, Any]) -> Post:
    """The tweet's identity: its id, permalink, author and date."""
    tweet_id = text_of(fields.get("id_str"))
    user = fields.get("user")
    author = text_of(as_dict(user).get("screen_name")) if isinstance(user, OBJECTS) else None
    if tweet_id is None:
        url = None
    else:
        url = f"https://x.com/{author}/status/{tweet_id}" if author else f"https://x.com/i/status/{tweet_id}"
    return Post("x", tweet_id, url, author, twitter_date(fields.get("created_at")))


#: A link as :func:`read_post` gives it: its pointer, the link, what the post showed, the t.co.
Link = tuple[str, str, str | None, tuple[str, ...]]


def _links_walked(
    obj: Obj, path: Path, walker: Walker, post: Post, text_key: str, base: str
) -> tuple[list[int | None], list[Link], list[Record]]:
    """A tweet's text and links, read in any layout: the literal index of its text and of each
    link, its links, and the records of the members the walk reads (``tweet_links`` is the C twin
    for the ordinary layout, parsed to dicts)."""
    fields = obj.fields
    at, rest = walker.split_post(obj, path, post, _OWN[text_key], _META)
    indices = [at.get((*path, text_key))]
    links: list[Link] = []
    for group in _GROUPS:
        entities = fields.get(group)
        if entities.__class__ is not dict and not isinstance(entities, OBJECTS):
            continue
        for kind, items in entities.items() if entities.__class__ is dict else members(entities):
            if (kind != "urls" and kind != "media") or not isinstance(items, list):
                continue
            for i, item in enumerate(items):
                if item.__class__ is dict:
                    link = item
                elif isinstance(item, OBJECTS):
                    link = as_dict(item)
                else:
                    continue
                short = link.get("url")
                expanded = link.get("expanded_url") or short
                if not isinstance(expanded, str):
                    continue
                shown = link.get("display_url")
                field = "expanded_url" if "expanded_url" in link else "url"
                number = str(i)
                indices.append(at.get((*path, group, kind, number, field)))
                links.append(
                    (
                        f"{base}/{group}/{kind}/{number}/{field}",
                        expanded,
                        shown if isinstance(shown, str) else None,
                        (short,) if isinstance(short, str) and short != expanded else (),
                    )
                )
    return indices, links, rest


#: The C read of an ordinary tweet's links (``None`` when ``_blocks`` was not built).
tweet_links: (
    Callable[[dict[str, Any], int, str, str, frozenset[str]], tuple[int, list[int | None], list[Link]] | None]
    | None
)
try:  # built from linkguard/_blocks.c when a C compiler was there at install time
    from linkguard._blocks import tweet_links
except ImportError:  # pragma: no cover - depends on the install: every tweet is walked in Python
    tweet_links = None


def read_post(obj: Obj, path: Path, walker: Walker, holder: Holder | None) -> Iterator[Record]:
    fields, source, pos = obj.fields, walker.source, walker.pos
    post = post_of(fields)
    text_key = "full_text" if "full_text" in fields else "text"
    # the pointer of ``path``, onto which each field's keys are written (none needs escaping)
    base = pointer(path) if path else ""
    # an ordinary tweet (no member to walk, parsed to dicts) in one C call: no path is built
    read = (
        None
        if tweet_links is None or obj.pairs.__class__ is Pairs
        else tweet_links(fields, pos.next, text_key, base, _META)
    )
    rest: list[Record]
    if read is None:
        indices, links, rest = _links_walked(obj, path, walker, post, text_key, base)
    else:
        pos.next, indices, links = read
        rest = []
    text = fields.get(text_key)
    if not isinstance(text, str):
        text = ""
    # the text and then each link placed in one call, as ``Walker.place`` placed them one by one
    places = pos.places(indices)
    here = places[0] or (1, 1)
    context = text or None
    for i, (where, expanded, shown, via) in enumerate(links, 1):
        line, column = places[i] or here
        yield Record(
            expanded, source, line, column, where, shown, 1, None, post, via, "expanded_url", context
        )
    if text:
        yield from walker.string_records(text, *here, f"{base}/{text_key}", post)
    yield from rest


def quiet(obj: Obj) -> int | None:
    """How many records :func:`read_post` gives a tweet that provably shows no link: its text as one
    empty record (none when it has no text). ``None`` when it may show one: an ``entities`` link,
    a member the walk reads (one neither its own nor ``_META``), a text the plain-text line
    selection keeps or that is HTML, or an id or date outside ASCII (which the scanner checks for
    lone surrogates, by the post's first record). Parsed to dicts only (``Pairs``: read)."""
    fields = obj.fields
    if obj.pairs.__class__ is Pairs:
        return None
    for group in _GROUPS:
        entities = fields.get(group)
        if entities.__class__ is dict:
            for kind in _LINK_KINDS:
                items = entities.get(kind)
                if items.__class__ is list and items:  # a list of objects, or of nothing to read
                    return None
        elif isinstance(entities, OBJECTS):
            return None
    text_key = "full_text" if "full_text" in fields else "text"
    quiet_keys = _QUIET_KEYS[text_key]
    if not quiet_keys.issuperset(fields):  # most tweets have no other member: one test in C
        for key in fields.keys() - quiet_keys:  # what ``split_post`` would walk may show a link
            kind = fields[key].__class__
            if kind is str or kind is dict or kind is list or kind is Pairs:
                return None
    for value in (fields.get("id_str"), fields.get("created_at")):
        if value.__class__ is str and not value.isascii():
            return None
    text = fields.get(text_key)
    if text.__class__ is not str or not text:
        return 0
    return 1 if quiet_text(text) else None


#: The C search behind :func:`quiet_raw` (``None`` when ``_blocks`` was not built).
tweet_quiet: (
    Callable[[str, int, int, tuple[str, ...] | None, tuple[str, ...], tuple[str, ...]], int | str | None]
    | None
)
#: The C passes behind :func:`quiet_runs` and :func:`quiet_lines`.
_quiet_runs: Callable[..., QuietRuns] | None
_quiet_lines: Callable[..., QuietLines] | None
try:  # built from linkguard/_blocks.c when a C compiler was there at install time
    from linkguard._blocks import quiet_lines as _quiet_lines
    from linkguard._blocks import quiet_runs as _quiet_runs
    from linkguard._blocks import tweet_quiet
except ImportError:  # pragma: no cover - depends on the install: every tweet is parsed
    tweet_quiet = _quiet_runs = _quiet_lines = None


#: ``_QUIET_KEYS`` as C compares them, in place.
_QUIET_TUPLES = (tuple(_QUIET_KEYS["full_text"]), tuple(_QUIET_KEYS["text"]))


def quiet_raw(text: str, start: int, end: int, not_wrappers: tuple[str, ...] | None) -> int | None:
    """:func:`quiet` of the tweet in ``text[start:end]``, found and tested in C without parsing it
    (see ``Shape.quiet_raw``); a text C does not judge itself (HTML-like, or long and outside ASCII) is
    proved quiet here, as :func:`quiet` does."""
    assert tweet_quiet is not None
    found = tweet_quiet(text, start, end, not_wrappers, *_QUIET_TUPLES)
    if isinstance(found, str):
        return 1 if quiet_text(found) else None
    return found


def quiet_runs(
    text: str, at: int, first: bool, eof: bool, deep: int, longest: int, not_wrappers: tuple[str, ...] | None
) -> QuietRuns:
    """The elements ``array_spans`` finds from ``text[at]`` on, each run of at most ``longest``
    quiet tweets (:func:`quiet_raw`, in C) in one item (see ``Shape.quiet_runs``): in a scan of an
    archive, one Python step for a run where each of its tweets was one."""
    assert _quiet_runs is not None
    return _quiet_runs(text, at, first, eof, deep, longest, not_wrappers, *_QUIET_TUPLES)


def quiet_lines(text: str, at: int, size: int, not_wrappers: tuple[str, ...] | None) -> QuietLines:
    """The JSON Lines from ``text[at]`` on that are blank or quiet tweets (:func:`quiet_raw`, in C) in
    one pass (see ``Shape.quiet_lines``): in a scan of JSON Lines, one Python step for a run of
    quiet lines where each line was several."""
    assert _quiet_lines is not None
    return _quiet_lines(text, at, size, not_wrappers, *_QUIET_TUPLES)


SHAPE = Shape(
    "x",
    is_post,
    read_post,
    quiet=quiet,
    marks=frozenset({"id_str"}),
    quiet_raw=None if tweet_quiet is None else quiet_raw,
    quiet_runs=None if _quiet_runs is None else quiet_runs,
    quiet_lines=None if _quiet_lines is None else quiet_lines,
)
