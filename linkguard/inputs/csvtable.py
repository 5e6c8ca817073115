"""CSV and TSV: every cell is a record, named by row and column header.

Exports of posts (CrowdTangle, Meta Content Library, X and Telegram tools) are recognised by their
column names: each row becomes a :class:`~linkguard.models.Post` (id, permalink, author, date), its
permalink column is the post's ``url`` rather than a link it shows, and a resolved-link column
(CrowdTangle's ``Final Link``) is the destination of the shown one (``Link``): one finding, not two.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from linkguard.inputs import takeout
from linkguard.inputs.reader import Reader
from linkguard.limits import MAX_CSV_FIELD_CHARS
from linkguard.models import Post, Record, Skipped

#: Column names (case-folded) of the usual post exports, first match wins.
_ID_COLUMNS = (
    "post id",
    "post_id",
    "postid",
    "id",
    "tweet id",
    "tweet_id",
    "message id",
    "message_id",
    "comment id",
)
_URL_COLUMNS = ("url", "post url", "post_url", "permalink", "post link", "link to post", "tweet url")
_AUTHOR_COLUMNS = (
    "page name",
    "user name",
    "post_owner.name",
    "post_owner.username",
    "author",
    "username",
    "screen name",
    "screen_name",
    "account",
    "channel",
    "from",
    "channel id",
)
_DATE_COLUMNS = (
    "post created",
    "creation_time",
    "created_at",
    "created",
    "date",
    "published",
    "timestamp",
    "time",
    "comment create timestamp",
)
_TEXT_COLUMNS = ("message", "text", "full_text", "content", "body", "post text", "caption", "comment text")
#: The video a comment is on (Google Takeout's YouTube ``comments.csv``): with the comment's id,
#: the comment's permalink.
_VIDEO_COLUMNS = ("video id", "video_id")
#: (shown link, where it leads) as the export recorded it.
_RESOLVED_COLUMNS = (("link", "final link"), ("short url", "expanded url"), ("url", "expanded_url"))
#: Permalink hosts that name the platform.
_PLATFORM_HOSTS = {
    "facebook.com": "facebook",
    "fb.com": "facebook",
    "x.com": "x",
    "twitter.com": "x",
    "t.me": "telegram",
    "youtube.com": "youtube",
    "youtu.be": "youtube",
    "reddit.com": "reddit",
    "bsky.app": "bluesky",
}
_HOST = re.compile(r"https?://(?:www\.|m\.|mobile\.)?([^/?#:]+)", re.IGNORECASE)
#: The post's own number in a permalink when the export has no id column (CrowdTangle).
_ID_IN_URL = re.compile(r"(?:/posts/|/status(?:es)?/|/videos/|/permalink/|story_fbid=|/)(\w+)/?(?:[?#]|$)")


#: Time-zone abbreviations that name one offset (CrowdTangle writes ``2024-01-10 12:00:00 CET``).
_ZONES = {
    "UTC": "+00:00",
    "GMT": "+00:00",
    "Z": "+00:00",
    "WET": "+00:00",
    "CET": "+01:00",
    "CEST": "+02:00",
    "EET": "+02:00",
    "EEST": "+03:00",
    "MSK": "+03:00",
    "EST": "-05:00",
    "EDT": "-04:00",
    "PST": "-08:00",
    "PDT": "-07:00",
}
_DATE = re.compile(
    r"(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)\s*([A-Za-z]{1,5}|[+-]\d{2}:?\d{2})?"
)


def iso_date(text: str) -> str:
    """A post date as ISO 8601 where its form is unambiguous; otherwise as the export wrote it."""
    text = text.strip()
    if text.isdigit() and 9 <= len(text) <= 10:  # Unix time
        return datetime.fromtimestamp(int(text), UTC).isoformat()
    m = _DATE.fullmatch(text)
    if m is None:
        return text
    day, clock, zone = m.groups()
    if zone is None:
        return f"{day}T{clock}"
    if zone[0] in "+-":
        return f"{day}T{clock}{zone[:3]}:{zone[-2:]}"
    offset = _ZONES.get(zone.upper())
    return f"{day}T{clock}{offset}" if offset else text


@dataclass(frozen=True, slots=True)
class _PostColumns:
    """Where a table of posts keeps what names a post, and which columns are resolved links."""

    id: int | None
    url: int | None
    author: int | None
    date: int | None
    text: int | None
    #: column of a shown link -> column of the destination the export recorded for it.
    resolved: dict[int, int]
    video: int | None = None

    @classmethod
    def of(cls, header: list[str]) -> _PostColumns | None:
        names = {name.strip().casefold(): i for i, name in reversed(list(enumerate(header)))}

        def find(candidates: tuple[str, ...]) -> int | None:
            return next((names[c] for c in candidates if c in names), None)

        author, date, text = find(_AUTHOR_COLUMNS), find(_DATE_COLUMNS), find(_TEXT_COLUMNS)
        resolved = {
            names[shown]: names[final]
            for shown, final in _RESOLVED_COLUMNS
            if shown in names and final in names
        }
        if (author is None and date is None) or (text is None and not resolved):
            return None if not resolved else cls(None, None, None, None, None, resolved)
        url = find(_URL_COLUMNS)
        if url is not None and url in resolved:
            url = None
        return cls(find(_ID_COLUMNS), url, author, date, text, resolved, find(_VIDEO_COLUMNS))

    def post(self, row: list[str]) -> Post | None:
        if self.author is None and self.date is None:
            return None

        def cell(i: int | None) -> str | None:
            return (row[i].strip() or None) if i is not None and i < len(row) else None

        url = cell(self.url)
        post_id = cell(self.id)
        platform = "csv"
        video = cell(self.video)
        if url is None and video is not None and post_id is not None:
            url = f"https://www.youtube.com/watch?v={video}&lc={post_id}"
        if url is not None:
            host = _HOST.match(url)
            platform = _PLATFORM_HOSTS.get(host.group(1).lower(), "csv") if host else "csv"
            if post_id is None:
                found = _ID_IN_URL.search(url)
                post_id = found.group(1) if found else None
        date = cell(self.date)
        return Post(platform, post_id, url, cell(self.author), iso_date(date) if date else None)

    def skipped(self) -> frozenset[int]:
        """Columns that describe the post rather than show a link: its id, permalink and video."""
        return frozenset(i for i in (self.id, self.url, self.video) if i is not None)


class _LineCounter:
    """Feeds the csv module line by line while remembering where each row starts."""

    def __init__(self, stream: io.TextIOWrapper) -> None:
        self.stream = stream
        self.line = 0

    def __iter__(self) -> _LineCounter:
        return self

    def __next__(self) -> str:
        text = self.stream.readline(MAX_CSV_FIELD_CHARS)
        if not text:
            raise StopIteration
        self.line += 1
        return text


def read(stream: io.TextIOWrapper, source: str, delimiter: str | None = None) -> Iterator[Record | Skipped]:
    csv.field_size_limit(MAX_CSV_FIELD_CHARS)
    lines = _LineCounter(stream)
    first = next(lines, None)
    if first is None:
        return
    if delimiter is None:
        delimiter = "\t" if first.count("\t") > first.count(",") else ","

    def all_lines() -> Iterator[str]:
        yield first
        yield from lines

    reader = csv.reader(all_lines(), delimiter=delimiter)
    header: list[str] | None = None
    posts: _PostColumns | None = None
    width = 0
    row_no = 0
    row_start = 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            yield Skipped(source, "malformed-csv-row", str(exc), row_start)
            row_start = lines.line + 1
            continue
        row_no += 1
        if header is None:
            header, posts = header_of(row)
            width = len(row)
            if header is not row:
                yield from cells(row, header, source, row_start, row_no)
            row_start = lines.line + 1
            continue
        if len(row) != width:
            yield Skipped(
                source, "csv-ragged-row", f"{len(row)} fields, header has {width}", row_start, kept=True
            )
        if posts is None:
            yield from cells(row, header, source, row_start, row_no)
        else:
            yield from post_cells(row, header, posts, source, row_start, row_no)
        row_start = lines.line + 1


def header_of(row: list[str]) -> tuple[list[str], _PostColumns | None]:
    """The header of a table whose first row is ``row``, and where its posts are named if it is an
    export of posts. A first row with a URL or an empty or long cell is data: the header is then
    ``column 1``, ``column 2`` … and ``row`` itself is not returned."""
    if all(cell and len(cell) < 64 and "://" not in cell for cell in row):
        return row, _PostColumns.of(row)
    return [f"column {i + 1}" for i in range(len(row))], None


def cells(
    row: list[str], header: list[str], source: str, line: int, row_no: int, sheet: str = ""
) -> Iterator[Record]:
    """Every non-empty cell of a row of a table that is not an export of posts."""
    for i, cell in enumerate(row):
        if cell:
            name = header[i] if i < len(header) else f"column {i + 1}"
            yield Record(cell, source, line, 1, record=f"{sheet}row {row_no}, {name}")


def post_cells(
    row: list[str],
    header: list[str],
    posts: _PostColumns,
    source: str,
    line: int,
    row_no: int,
    sheet: str = "",
) -> Iterator[Record]:
    """A row of a post export: its resolved links first (so the text's copy of them is known), then
    every other cell but the post's id and permalink, all with the row's :class:`Post`."""
    post = posts.post(row)
    text_at = posts.text
    text = row[text_at] if text_at is not None and text_at < len(row) else None
    if text and text_at is not None and post is not None and post.platform == "youtube":
        segments = takeout.comment_text(text)
        if segments is not None:  # Takeout writes a YouTube comment as JSON: read its text
            # on one line, as the file has it, so the lines of the rows after it stay right
            segments = segments.replace("\r", " ").replace("\n", " ")
            row = [*row[:text_at], segments, *row[text_at + 1 :]]
            text = segments
    done = set(posts.skipped())
    for shown_at, final_at in posts.resolved.items():
        shown = row[shown_at].strip() if shown_at < len(row) else ""
        final = row[final_at].strip() if final_at < len(row) else ""
        if not final:
            continue
        done.update((shown_at, final_at))
        yield Record(
            final,
            source,
            line,
            1,
            record=f"{sheet}row {row_no}, {header[final_at]}",
            post=post,
            via=(shown,) if shown and shown != final else (),
            resolved_by=f"'{header[final_at]}' column",
            context=text or None,
        )
    for i, cell in enumerate(row):
        if cell and i not in done:
            name = header[i] if i < len(header) else f"column {i + 1}"
            yield Record(cell, source, line, 1, record=f"{sheet}row {row_no}, {name}", post=post)


def _read_tsv(stream: io.TextIOWrapper, source: str) -> Iterator[Record | Skipped]:
    return read(stream, source, "\t")


#: Comma- or tab-separated (the delimiter is guessed from the first line); chosen by ending only.
CSV = Reader("csv", (".csv",), read_text=read)
TSV = Reader("tsv", (".tsv",), read_text=_read_tsv)
