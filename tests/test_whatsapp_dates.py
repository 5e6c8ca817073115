"""WhatsApp chats whose dates are written year first (ISO and East Asian locales): read as year,
month, day, detected from the header itself, with ``created_at`` in ISO 8601."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

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
