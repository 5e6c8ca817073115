"""WhatsApp chats in the locales' own header forms: year first (ISO, Hungarian, Korean, Chinese,
Japanese) read from the header itself, AM/PM words before the time, iOS's marks and Finnish ``klo``;
``created_at`` in ISO 8601, or as written where the header can be read more than one way."""

from __future__ import annotations

import io
import json
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from linkguard.cli import main
from linkguard.inputs import whatsapp
from linkguard.inputs.registry import sniff_format
from linkguard.models import Record


def chat(text: str) -> list[tuple[str | None, str | None]]:
    stream = io.TextIOWrapper(io.BytesIO(text.encode()), encoding="utf-8", newline="")
    return [
        (r.post.author, r.post.created_at)
        for r in whatsapp.read(stream, "chat")
        if isinstance(r, Record) and r.post
    ]


@pytest.mark.parametrize(
    ("line", "created"),
    [
        ("2024-03-05, 14:22 - Anna: welt.ltd\n", "2024-03-05T14:22:00"),
        # Android in sv_FI writes no comma (github.com/linuswillner/whatsapp-export-inconsistencies)
        ("2019-01-01 12:00 - Anna: welt.ltd\n", "2019-01-01T12:00:00"),
        ("2019/01/20, 11:23 - Anna: welt.ltd\n", "2019-01-20T11:23:00"),
        ("2024.3.5, 9:05 PM - Anna: welt.ltd\n", "2024-03-05T21:05:00"),
        ("[2024/03/05, 14:22:10] Anna: welt.ltd\n", "2024-03-05T14:22:10"),
        ("\u200e[2024/03/05 14:22:10] Anna: welt.ltd\n", "2024-03-05T14:22:10"),
    ],
)
def test_year_first_headers_android_and_ios(line: str, created: str) -> None:
    assert chat(line) == [("Anna", created)]


def test_year_first_needs_no_deciding_date_and_day_first_dots_still_read_day_first() -> None:
    # 2024-03-05 alone says year, month, day: nothing is held, nothing left as written
    assert chat("2024-03-05, 14:22 - Anna: a\n2024-04-06, 08:00 - Ben: b\n") == [
        ("Anna", "2024-03-05T14:22:00"),
        ("Ben", "2024-04-06T08:00:00"),
    ]
    # a two-digit year is never read first: 05.03.24 is 5 March 2024, as day-first locales write it
    assert chat("05.03.24, 14:22 - Anna: a\n") == [("Anna", "2024-03-05T14:22:00")]
    # a month over 12 is no date: kept as written
    assert chat("2024-13-05, 14:22 - Anna: a\n") == [("Anna", "2024-13-05, 14:22")]


def test_year_first_chat_is_sniffed_but_a_log_line_is_not() -> None:
    assert sniff_format("-", b"2024-03-05, 14:22 - Anna: hi\n") == "whatsapp"
    assert sniff_format("_chat.txt", b"[2024/03/05, 14:22:10] Anna: hi\n") == "whatsapp"
    # Android headers have no seconds: a year-first line with them is a log, read as text
    assert sniff_format("app.log", b"2024-03-05 14:22:10 - worker - INFO - https://welt.ltd\n") == "text"


def test_cli_scans_a_year_first_chat_with_iso_dates(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "WhatsApp Chat with Familie.txt"
    path.write_text(
        "2024-03-05, 14:20 - Nachrichten und Anrufe sind Ende-zu-Ende-verschlüsselt.\n"
        "2024-03-05, 14:22 - Anna Schmidt: Schaut mal https://welt.ltd/politik/article1.html\n"
        "2024-03-06, 09:01 - Ben: stimmt nicht\nhttps://spiegel.ltd/a-9.html\n",
        encoding="utf-8",
    )
    got = main(["scan", str(path), "--format", "jsonl", "--no-blocklist", "-q"])
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert got == 1
    assert [(r["line"], r["url"], r["post"]["author"], r["post"]["created_at"]) for r in rows] == [
        (2, "https://welt.ltd/politik/article1.html", "Anna Schmidt", "2024-03-05T14:22:00"),
        (4, "https://spiegel.ltd/a-9.html", "Ben", "2024-03-06T09:01:00"),  # the line of the link
    ]


LOCALES = Path(__file__).parent / "data" / "exports" / "whatsapp"
LRM, NNBSP = "\u200e", "\u202f"


@pytest.mark.parametrize(
    ("line", "author", "created"),
    [
        # Hungarian: a dot after year, month and day, each followed by a space
        ("2024. 01. 15. 14:32 - Kovács Anna: welt.ltd\n", "Kovács Anna", "2024-01-15T14:32:00"),
        ("[2024. 01. 15. 14:32:05] Kovács Anna: welt.ltd\n", "Kovács Anna", "2024-01-15T14:32:05"),
        # Korean: 오전 (AM) / 오후 (PM) before a 12-hour time
        ("2024. 1. 15. 오후 2:32 - 김민준: welt.ltd\n", "김민준", "2024-01-15T14:32:00"),
        ("2024. 1. 15. 오전 12:05 - 김민준: welt.ltd\n", "김민준", "2024-01-15T00:05:00"),
        ("2024. 1. 15. 오후 12:05 - 김민준: welt.ltd\n", "김민준", "2024-01-15T12:05:00"),
        ("[2024. 1. 15. 오후 2:32:05] 김민준: welt.ltd\n", "김민준", "2024-01-15T14:32:05"),
        # Korean's short form, two-digit year first: its AM/PM word says so
        ("24. 1. 15. 오후 2:32 - 김민준: welt.ltd\n", "김민준", "2024-01-15T14:32:00"),
        # Chinese: 上午/下午 written straight before the time; Japanese 午前/午後, or 24-hour
        ("2024/1/15 下午2:32 - 王芳: welt.ltd\n", "王芳", "2024-01-15T14:32:00"),
        ("[2024/1/15 上午9:05:11] 王芳: welt.ltd\n", "王芳", "2024-01-15T09:05:11"),
        ("2024/01/15 14:32 - 佐藤 花子: welt.ltd\n", "佐藤 花子", "2024-01-15T14:32:00"),
        ("[2024/01/15 午後2:32:05] 佐藤: welt.ltd\n", "佐藤", "2024-01-15T14:32:05"),
        # iOS: a direction mark first, a narrow no-break space before PM, Finnish "klo"
        (f"{LRM}[15.01.24, 14:32:05] Anna: {LRM}image omitted\n", "Anna", "2024-01-15T14:32:05"),
        (f"[1/15/24, 2:32:05{NNBSP}PM] Anna: welt.ltd\n", "Anna", "2024-01-15T14:32:05"),
        ("[12.3.2022 klo 14.08.18] Matias: welt.ltd\n", "Matias", "2022-03-12T14:08:18"),
        # Spanish iOS: "p. m." with no-break spaces
        ("[15/1/24, 2:32:05\u00a0p.\u00a0m.] Lucía: welt.ltd\n", "Lucía", "2024-01-15T14:32:05"),
        # Croatian: day first, a dot after each part
        ("15. 01. 2024. 14:32 - Ivan Horvat: welt.ltd\n", "Ivan Horvat", "2024-01-15T14:32:00"),
    ],
)
def test_locale_headers(line: str, author: str, created: str) -> None:
    assert chat(line) == [(author, created)]


def test_a_header_read_two_ways_or_with_an_unknown_word_keeps_its_author_and_date_as_written() -> None:
    # 24. 1. 15. is Korean's yy. M. d. and a day-first d. M. yy.: without 오전/오후 nothing says which
    assert chat("24. 1. 15. 14:32 - 김민준: a\n") == [("김민준", "24. 1. 15. 14:32")]
    # ... and it decides nothing for the dates after it: 12/11/24 stays as written until 13/11/24
    assert chat("24. 1. 15. 14:32 - A: a\n12/11/24, 09:00 - B: b\n13/11/24, 09:00 - C: c\n") == [
        ("A", "24. 1. 15. 14:32"),
        ("B", "2024-11-12T09:00:00"),
        ("C", "2024-11-13T09:00:00"),
    ]
    # an AM/PM word this reader does not know: still a message of its own, its time not guessed
    assert chat("2024/1/15 晚上9:05 - 王芳: a\n2024/1/15 下午2:32 - 李伟: b\n") == [
        ("王芳", "2024/1/15 晚上9:05"),
        ("李伟", "2024-01-15T14:32:00"),
    ]
    assert chat("15/1/2024, 9:05 μ.μ. - Γιώργος: a\n") == [("Γιώργος", "15/1/2024, 9:05 μ.μ.")]
    assert chat("[15/1/2024, 9:05:11 م] أحمد: a\n") == [("أحمد", "15/1/2024, 9:05:11 م")]


#: How each locale's app writes a header: (format of the date and time, AM/PM words or None).
_FORMS: dict[str, tuple[str, tuple[str, str] | None]] = {
    "hu android": ("{Y}. {m:02d}. {d:02d}. {H:02d}:{M:02d} - ", None),
    "hu ios": ("[{Y}. {m:02d}. {d:02d}. {H:02d}:{M:02d}:{S:02d}] ", None),
    "ko android": ("{Y}. {m}. {d}. {p} {I}:{M:02d} - ", ("오전", "오후")),
    "ko ios": ("[{Y}. {m}. {d}. {p} {I}:{M:02d}:{S:02d}] ", ("오전", "오후")),
    "ko short": ("{y:02d}. {m}. {d}. {p} {I}:{M:02d} - ", ("오전", "오후")),
    "zh android": ("{Y}/{m}/{d} {p}{I}:{M:02d} - ", ("上午", "下午")),
    "zh ios": ("[{Y}/{m}/{d} {p}{I}:{M:02d}:{S:02d}] ", ("上午", "下午")),
    "ja android": ("{Y}/{m:02d}/{d:02d} {H:02d}:{M:02d} - ", None),
    "ja ios 12h": ("[{Y}/{m:02d}/{d:02d} {p}{I}:{M:02d}:{S:02d}] ", ("午前", "午後")),
    "en_us ios": (LRM + "[{m}/{d}/{y:02d}, {I}:{M:02d}:{S:02d}" + NNBSP + "{p}] ", ("AM", "PM")),
    "de ios": ("[{d:02d}.{m:02d}.{y:02d}, {H:02d}:{M:02d}:{S:02d}] ", None),
    "fi ios": ("[{d}.{m}.{Y} klo {H:02d}.{M:02d}.{S:02d}] ", None),
}


@given(
    form=st.sampled_from(sorted(_FORMS)),
    when=st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31, 23, 59, 59)),
)
def test_every_locale_form_reads_back_the_moment_it_wrote(form: str, when: datetime) -> None:
    """Any moment written as the locale's app writes it is read back as that moment (a day over 12
    first, so that the chat's order is known for the day-first and month-first forms)."""
    template, words = _FORMS[form]

    def header(t: datetime) -> str:
        fields = {"Y": t.year, "y": t.year % 100, "m": t.month, "d": t.day, "H": t.hour}
        fields |= {"M": t.minute, "S": t.second, "I": (t.hour % 12) or 12}
        fields["p"] = words[t.hour >= 12] if words else ""
        return template.format(**fields)

    deciding = datetime(2001, 1, 31, 8, 0)
    has_seconds = ":{S" in template or ".{S" in template
    got = chat(f"{header(deciding)}Anna: a\n{header(when)}Ben: b\n")
    expected = when.replace(microsecond=0, second=when.second if has_seconds else 0)
    assert got == [("Anna", deciding.isoformat()), ("Ben", expected.isoformat())]


@pytest.mark.parametrize("name", sorted(p.name for p in LOCALES.iterdir()))
def test_locale_fixtures_are_sniffed_as_whatsapp(name: str) -> None:
    assert sniff_format(name, (LOCALES / name).read_bytes()[:4096]) == "whatsapp"


def test_cli_scans_chats_of_five_locales_with_authors_and_iso_dates(
    capsys: pytest.CaptureFixture[str],
) -> None:
    got = main(["scan", str(LOCALES), "--format", "jsonl", "--all", "--no-blocklist", "-q"])
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert got == 1
    seen = {
        (Path(r["source"]).name, r["line"], r["host"], r["post"]["author"], r["post"]["created_at"])
        for r in rows
    }
    assert seen == {
        ("en_ios_chat.txt", 2, "welt.ltd", "Anna", "2024-01-15T14:32:05"),
        ("hu_android.txt", 2, "welt.ltd", "Kovács Anna", "2024-01-15T14:32:00"),
        ("hu_android.txt", 4, "www.welt.de", "Nagy Béla", "2024-01-15T14:40:00"),  # its second line
        ("ja_ios_chat.txt", 1, "welt.ltd", "佐藤 花子", "2024-01-15T14:32:05"),
        ("ko_ios_chat.txt", 2, "welt.ltd", "김민준", "2024-01-15T14:32:05"),
        ("ko_ios_chat.txt", 4, "spiegel.ltd", "이서연", "2024-01-16T00:01:00"),
        ("zh_android.txt", 1, "welt.ltd", "王芳", "2024-01-15T14:32:00"),
        ("zh_android.txt", 3, "spiegel.ltd", "王芳", "2024-01-16T09:05:00"),
    }
    assert all(r["post"]["platform"] == "whatsapp" and r["post"]["id"] is None for r in rows)


def test_a_one_digit_last_part_is_only_a_korean_day() -> None:
    assert chat("24. 1. 5. 오후 2:32 - 김민준: a\n") == [("김민준", "2024-01-05T14:32:00")]
    assert chat("15. 1. 5 14:32 - Ivan: a\n") == [("Ivan", "15. 1. 5 14:32")]  # no year 5 invented
