"""WhatsApp chat exports (``_chat.txt``, ``WhatsApp Chat with NAME.txt``): one post per message.

A message starts at a dated header line and runs until the next one, so a message written over
several lines is one post. Both forms the apps write are read: Android's
``31/12/24, 21:04 - Name: text`` (also ``12/31/24, 9:04 PM - …`` and ``31.12.24, 21:04 - …``) and
iOS's ``[31.12.24, 21:04:05] Name: text`` (a direction mark may come first, a narrow no-break space
before PM), each in the locales' own forms: year first as ISO and East Asian locales write it
(``2024-12-31 21:04 - …``, ``2019/01/01, 11:25 - …``, Japanese ``[2024/12/31 21:04:05] …``), with a
dot after each part (Hungarian ``2024. 12. 31. 21:04 - …``, Korean ``2024. 12. 31. 오후 9:04 - …``,
Croatian day-first ``31. 12. 2024. 21:04 - …``), the AM/PM word before the time (Korean 오전/오후,
Chinese ``2024/12/31 下午9:04 - …``, Japanese 午前/午後) and Finnish iOS's ``[31.12.2024 klo
21.04.05]``. A header without ``Name:`` is a system message (its author is null). The export has no
message ids and no permalinks: ``post.id`` and ``post.url`` are null, and the finding's ``line`` is
where the message starts. A message longer than ``MAX_LINE_CHARS`` is written out in pieces (cut at
line ends) of the one post, so memory stays flat.

The date's day/month order is the phone's locale and the export does not say which. A chat is
written in one locale, so the first date that can only be read one way (a day over 12, or dots,
which only day-first locales use) decides it for the whole file; a four-digit year written first is
always year, month, day (no locale writes year, day, month); messages before it are held
(up to ``WHATSAPP_HELD_CHARS`` characters). Where nothing decides, ``created_at`` is the date as
the export wrote it (``12/11/24, 21:04``), not a guess; so is a header that reads two ways whatever
the chat says (``24. 1. 15.``: Korean's short year first, or a day-first date; only 오전/오후 says
Korean) or whose time carries a word this reader does not know (``9:04 μ.μ.``, ``晚上9:04``): still
a message with its author, its date as written. Times are local, with no zone, as in the export.
"""

from __future__ import annotations

import functools
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from linkguard.inputs.decoding import ERRORS
from linkguard.inputs.plaintext import select_lines
from linkguard.inputs.reader import Reader, content_start
from linkguard.limits import MAX_LINE_CHARS, WHATSAPP_HELD_CHARS
from linkguard.models import Post, Record, Skipped

#: Day and month in either order, then the year (``31.12.24``, ``12/31/2024``, ``15. 01. 2024.``); or
#: a four-digit year first, then month and day (``2024-12-31``, ``2024/12/31``, ``2024. 01. 15.``,
#: Hungarian and Korean with their dot after each part). Then the time, after ``, `` or `` ``, and a
#: word before it: Korean, Chinese and Japanese AM/PM, Finnish iOS's ``klo`` (``_PERIODS``).
_DATE = (
    r"(?:(?P<first>\d{1,2})(?P<sep>[./-]|\. )(?P<second>\d{1,2})(?P=sep)(?P<year>\d{2}|\d{4}|(?<=\. )\d)"
    r"|(?P<y>\d{4})(?P<ysep>[./-]|\. )(?P<m>\d{1,2})(?P=ysep)(?P<d>\d{1,2}))(?P<dot>\.?)"
    r",? (?:(?P<period>[^\W\d_]{1,4})[ \u202f\u00a0]?)?"
    r"(?P<hour>\d{1,2})[:.](?P<minute>\d{2})(?:[:.](?P<sec>\d{2}))?"
)
_AMPM = r"(?:[ \u202f\u00a0]?(?P<ampm>[AaPp])\.?[ \u202f\u00a0]?[Mm]\.?)?"
#: A word of another locale at the time's end (``μ.μ.``, ``م``, ``CH``): still a header, but its
#: time is not read (no guess at what the word means).
_WORD_AFTER = r"(?:[ \u202f\u00a0](?P<word_after>[^\W\d_][^\W\d_.]{0,5}\.?(?:[^\W\d_]{1,5}\.?)?))?"
#: The words written before the time: Korean, Chinese and Japanese AM ("A") and PM ("P"), Finnish
#: "at" (""). Any other word there is a header whose time is not read.
_PERIODS = {"오전": "A", "오후": "P", "上午": "A", "下午": "P", "午前": "A", "午後": "P", "klo": ""}
_KOREAN_WORDS = frozenset({"오전", "오후"})
#: iOS: ``[31.12.24, 21:04:05] Name: text``; Android: ``31/12/24, 21:04 - Name: text``.
_IOS = re.compile(r"\u200e?\[" + _DATE + _AMPM + _WORD_AFTER + r"\] ")
_ANDROID = re.compile("\u200e?" + _DATE + _AMPM + _WORD_AFTER + r" [-\u2013] ")
#: The header's groups in order, as ``_date`` unpacks ``groups()`` (a third of ``group(*names)``).
_GROUPS = (
    *("first", "sep", "second", "year", "y", "ysep", "m", "d", "dot"),
    *("period", "hour", "minute", "sec", "ampm", "word_after"),
)
if tuple(_IOS.groupindex) != _GROUPS or tuple(_ANDROID.groupindex) != _GROUPS:  # pragma: no cover
    raise ImportError("whatsapp: _GROUPS no longer lists the header's groups in order")
#: What a header line can start with; any other line continues the message before it.
_HEADER_START = frozenset("[0123456789\u200e")
#: Direction marks WhatsApp puts around phone numbers and attachments.
_MARKS = str.maketrans("", "", "\u200e\u200f\u202a\u202b\u202c\u2068\u2069")
#: Longest author name believed; a longer "Name:" is text of a system message.
_MAX_AUTHOR_CHARS = 80


@dataclass(slots=True)
class _Message:
    """A message being read: its header's parts and its text so far."""

    line: int
    column: int
    author: str | None
    #: The header's date and time groups; None for text before the first header.
    parts: tuple[str | None, ...] | None
    written: str | None
    #: Whether its own date says the order (``_day_first``).
    own: bool | None
    text: list[str] = field(default_factory=list)
    chars: int = 0
    #: Set once the message's first piece was written out (a very long message).
    post: Post | None = None


def _header(line: str) -> tuple[re.Match[str], str] | None:
    if not line or line[0] not in _HEADER_START:
        return None
    m = _IOS.match(line) or _ANDROID.match(line)
    return None if m is None else (m, line[m.end() :])


def _date(m: re.Match[str]) -> tuple[tuple[str | None, ...] | None, bool | None]:
    """The header's date and time as (first, separator, second, year, hour, minute, second, am/pm),
    day-first or in the order the chat's locale says (``_day_first``), and whether the header
    itself says the order (True: day first; None: it can be read both ways).

    A year-first date is put in day-first order, so that it reads one way only. A two-digit year
    ending in a dot (``24. 1. 15.``) is Korean's short ``yy. M. d.`` as well as a day-first
    ``d. M. yy.``: only the Korean AM/PM word (``오후``) says which; without it the date is not read
    (None: ``created_at`` stays as written) rather than guessed.
    """
    first, sep, second, year, y, ysep, month, day, dot, period, *clock, ampm, word_after = m.groups()
    half = _PERIODS.get(period) if period else ampm
    if (half is None and period) or word_after:
        return None, None
    time = (*clock, half or None)
    if y is not None:
        return (day, ysep, month, y, *time), True
    if len(year) == 1 or (dot and sep[0] == "." and len(year) == 2):
        if not (dot and period in _KOREAN_WORDS):
            return None, None
        return (year, sep, second, first, *time), True
    parts = (first, sep, second, year, *time)
    return parts, _day_first(parts)


def _day_first(parts: tuple[str | None, ...]) -> bool | None:
    """Whether this date is day-first, when it can only be read one way."""
    if (parts[1] or "")[:1] == "." or int(parts[0] or 0) > 12:
        return True
    if int(parts[2] or 0) > 12:
        return False
    return None


@functools.lru_cache(maxsize=4096)  # a chat's messages come minutes apart: most dates repeat
def _iso(parts: tuple[str | None, ...], day_first: bool) -> str | None:
    first, _sep, second, year, hour, minute, second_s, ampm = parts
    day, month = (int(first or 0), int(second or 0)) if day_first else (int(second or 0), int(first or 0))
    h = int(hour or 0)
    if ampm:
        h = h % 12 + (12 if ampm in "Pp" else 0)
    if not (1 <= month <= 12 and 1 <= day <= 31 and h < 24 and int(minute or 0) < 60):
        return None
    century = "20" if len(year or "") == 2 else ""
    return f"{century}{year}-{month:02d}-{day:02d}T{h:02d}:{minute}:{second_s or '00'}"


def _split_author(rest: str) -> tuple[str | None, str, int]:
    """(author, text, offset of the text in ``rest``); no ``Name:`` is a system message."""
    name, sep, text = rest.partition(": ")
    if not sep or len(name) > _MAX_AUTHOR_CHARS:
        return None, rest, 0
    author = name.strip() if name.isascii() else " ".join(name.translate(_MARKS).split())
    return author or None, text, len(name) + 2


def _may_link(text: str) -> bool:
    """Whether a line of the message may hold a link, by the plain-text line selection (C when
    built): a message without one is still a record, so its post is counted, but costs nothing."""
    return bool(select_lines(text.encode("utf-8", "surrogatepass"), ERRORS)[0])


def read(stream: io.TextIOWrapper, source: str, entry: str | None = None) -> Iterator[Record | Skipped]:
    """The messages of a chat export, each one post, in order; ``entry`` names the chat inside a
    zipped export, as each record's ``record``."""
    day_first: bool | None = None
    held: list[_Message] = []
    held_chars = 0

    def post_of(message: _Message) -> Post:
        if message.post is None:
            created = message.written
            order = message.own if message.own is not None else day_first
            if message.parts is not None and order is not None:
                created = _iso(message.parts, order) or created
            message.post = Post("whatsapp", None, None, message.author, created)
        return message.post

    def record(message: _Message) -> Record | None:
        text = "".join(message.text).rstrip("\r\n")
        if not text and message.post is not None:  # the rest of a long message, already written
            return None
        shown = text if _may_link(text) else ""
        return Record(shown, source, message.line, message.column, entry, post=post_of(message))

    def release() -> Iterator[Record]:
        nonlocal held_chars
        for message in held:
            done = record(message)
            if done is not None:
                yield done
        held.clear()
        held_chars = 0

    current: _Message | None = None
    line_no = 0
    while True:
        line = stream.readline(MAX_LINE_CHARS)
        if not line:
            break
        line_no += 1
        if line_no == 1 and line.startswith("\ufeff"):
            line = line[1:]
        found = _header(line) if line[0] in _HEADER_START else None
        if found is None:
            if current is None:  # text before the first header: a header the export lost
                current = _Message(line_no, 1, None, None, None, None)
            elif current.chars + len(line) > MAX_LINE_CHARS and current.text:
                # a very long message is written out in pieces cut at line ends, so memory stays
                # flat; what is held goes first, its date as written if the order is still unknown
                yield from release()
                piece = "".join(current.text)
                yield Record(piece, source, current.line, current.column, entry, post=post_of(current))
                current.text, current.chars, current.line, current.column = [], 0, line_no, 1
            current.text.append(line)
            current.chars += len(line)
            continue
        if current is not None:
            # hold a message whose date cannot be read yet, until a later one says the order
            undated = day_first is None and current.own is None and current.parts is not None
            if undated and current.post is None and held_chars < WHATSAPP_HELD_CHARS:
                held.append(current)
                held_chars += current.chars
                current = None
            if current is not None:
                if held:
                    yield from release()
                done = record(current)
                if done is not None:
                    yield done
        m, rest = found
        author, text, offset = _split_author(rest)
        parts, own = _date(m)
        if day_first is None:
            day_first = own
        written = m.group(0).strip(" -\u2013[]\u200e")
        current = _Message(line_no, m.end() + offset + 1, author, parts, written, own, [text], len(text))
    if current is not None:
        held.append(current)
    yield from release()


def sniff(head: bytes) -> bool:
    """Whether the first line is a WhatsApp message header. An unbracketed year-first one with
    seconds is a log line (``2024-03-05 14:22:10 - worker - INFO``): Android writes no seconds."""
    first = content_start(head)[:256].decode("utf-8", "ignore")
    found = _header(first)
    if found is None:
        return False
    m = found[0]
    return not (m["y"] and m["sec"] and not first.lstrip("\u200e").startswith("["))


#: Chosen by content, even for a ``.txt`` (the name WhatsApp gives its exports).
READER = Reader("whatsapp", (), sniff=sniff, read_text=read, claims=(".txt",))
