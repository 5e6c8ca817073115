"""WhatsApp chats, Facebook "Download Your Information", YouTube comments and XLSX tables end to end:
each planted link reported once per post, with the post's identity as the export gives it."""

from __future__ import annotations

import io
import json
import zipfile
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from linkguard.cli import main
from linkguard.inputs import takeout, whatsapp, xlsxsheet
from linkguard.inputs.decoding import Repairs
from linkguard.inputs.registry import sniff_format
from linkguard.inputs.shapes.facebook import repair
from linkguard.inputs.sources import read_stream
from linkguard.models import Record

EXPORTS = Path(__file__).parent / "data" / "exports"
ANDROID = EXPORTS / "WhatsApp Chat with Familie.txt"


def scan(capsys: pytest.CaptureFixture[str], *args: str, code: int = 1) -> list[dict[str, Any]]:
    got = main(["scan", *args, "--format", "jsonl", "--all", "--no-blocklist", "-q"])
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.strip()]
    assert got == code
    return rows


def chat(text: str) -> list[Record]:
    stream = io.TextIOWrapper(io.BytesIO(text.encode()), encoding="utf-8", newline="")
    return [r for r in whatsapp.read(stream, "chat") if isinstance(r, Record)]


# --- WhatsApp -------------------------------------------------------------------------------------


def test_whatsapp_android_chat_one_finding_per_link_per_message(capsys: pytest.CaptureFixture[str]) -> None:
    rows = scan(capsys, str(ANDROID))
    assert [(r["line"], r["column"], r["url"], r["verdict"]) for r in rows] == [
        (2, 57, "https://welt.ltd/politik/article1.html", "suspicious"),
        # a message over four lines is one post: the fake it repeats is reported once
        (5, 1, "https://www.welt.de/politik/article1.html", "trusted"),
        (6, 24, "https://welt.ltd/politik/article1.html", "suspicious"),
        (8, 55, "https://spiegel.ltd/panorama/a-9.html", "suspicious"),
    ]
    assert rows[0]["post"] == {
        "platform": "whatsapp",
        "id": None,
        "url": None,
        "author": "Anna Schmidt",
        # 12/11/24 alone could be 12 November; the chat's 12/31/24 says month first
        "created_at": "2024-12-11T21:05:00",
    }
    assert rows[1]["post"]["author"] == "+49 151 23456789"  # the direction marks around it dropped
    assert rows[1]["post"] is not rows[2]["post"] and rows[1]["post"] == rows[2]["post"]
    assert rows[1]["context"].startswith("Das ist doch Fake.")
    assert rows[3]["post"]["created_at"] == "2024-12-31T23:59:00"


def test_whatsapp_ios_chat_is_read_day_first_and_wrappers_undone(capsys: pytest.CaptureFixture[str]) -> None:
    rows = scan(capsys, str(EXPORTS / "_chat.txt"))
    assert [(r["line"], r["url"], r["post"]["author"], r["post"]["created_at"]) for r in rows] == [
        (2, "https://spiegel.ltd/politik/a-3.html", "Oma Erna", "2024-12-31T21:04:30"),
        (5, "https://www.welt.de/politik/article2.html", "Peter", "2025-01-01T09:16:12"),
    ]
    assert [v.split("/")[2] for v in rows[0]["via"]] == ["l.facebook.com"]


def test_whatsapp_chat_from_stdin_is_not_json(capsys: pytest.CaptureFixture[str], monkeypatch: Any) -> None:
    """An iOS chat starts with "[": sniffed as a chat, not as a JSON document that fails to parse."""
    data = (EXPORTS / "_chat.txt").read_bytes()
    assert sniff_format("-", data) == "whatsapp"
    assert sniff_format("_chat.txt", data) == "whatsapp"
    assert sniff_format("notes.txt", b"12 monkeys, 9:04 - not a chat\n") == "text"
    assert sniff_format("notes.txt", b"Meeting 12/11/24, 21:04 - Anna: hi\n") == "text"
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(data)))
    rows = scan(capsys, "-")
    assert [r["post"]["platform"] for r in rows] == ["whatsapp", "whatsapp"]


def test_whatsapp_dates_undecided_stay_as_written() -> None:
    records = chat("03/04/24, 10:00 - Anna: a welt.ltd\n05/06/24, 11:30 - Ben: b\nmore welt.ltd/x\n")
    assert [(r.post.author, r.post.created_at) for r in records if r.post] == [
        ("Anna", "03/04/24, 10:00"),
        ("Ben", "05/06/24, 11:30"),
    ]
    assert records[1].text == "b\nmore welt.ltd/x"


def test_whatsapp_date_order_decided_by_a_later_message_and_system_lines() -> None:
    records = chat(
        '01/02/24, 10:00 - Anna created group "Familie"\n'
        "01/02/24, 10:01 - Anna: hi\n"
        "25/02/24, 8:05 pm - Ben: late\n"
        "26/02/24, 8:05 am - Ben: early\n"
    )
    assert [(r.post.author, r.post.created_at) for r in records if r.post] == [
        (None, "2024-02-01T10:00:00"),  # a system message: no author
        ("Anna", "2024-02-01T10:01:00"),
        ("Ben", "2024-02-25T20:05:00"),
        ("Ben", "2024-02-26T08:05:00"),
    ]


def test_whatsapp_text_before_the_first_header_and_a_message_without_links() -> None:
    records = chat("lost header line welt.ltd\n[31.12.24, 21:04:05] Anna: x\n" + "y\n" * 9 + "welt.ltd\n")
    assert records[0].post is not None and records[0].post.created_at is None
    assert records[0].text == "lost header line welt.ltd"
    assert (records[1].line, records[1].column, records[1].text) == (2, 28, "x\n" + "y\n" * 9 + "welt.ltd")
    # a message with no link in it is still a record of its post (counted), with nothing to scan
    quiet = chat("[31.12.24, 21:04:05] Anna: hallo\nwie gehts\n")
    assert [(r.text, r.post.author if r.post else None) for r in quiet] == [("", "Anna")]


def test_whatsapp_long_message_is_cut_into_pieces_of_one_post(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(whatsapp, "MAX_LINE_CHARS", 64)
    records = chat("[31.12.24, 21:04:05] Anna: start\n" + "welt.ltd is fake\n" * 12)
    assert len(records) > 2 and len({id(r.post) for r in records}) == 1
    assert records[0].line == 1 and records[1].line > 1
    assert sum(r.text.count("welt.ltd") for r in records) == 12


# --- Facebook -------------------------------------------------------------------------------------


def test_facebook_posts_repaired_and_one_finding_per_link(capsys: pytest.CaptureFixture[str]) -> None:
    rows = scan(capsys, str(EXPORTS / "your_posts_1.json"))
    found = Counter((r["post"]["created_at"], r["url"], r["verdict"]) for r in rows)
    assert found == Counter(
        {
            # the shared link and the same link in the text: one finding (the card's source is not read)
            ("2024-01-01T10:00:00+00:00", "https://welt.ltd/politik/article77.html", "suspicious"): 1,
            ("2024-01-02T10:00:00+00:00", "https://spiegel.ltd/ausland/a-1.html", "suspicious"): 1,
            (
                "2024-01-04T10:00:00+00:00",
                "https://www.spiegel.de/politik/deutschland/a-2.html",
                "trusted",
            ): 1,
        }
    )
    first = rows[0]
    assert first["post"] == {
        "platform": "facebook",
        "id": None,
        "url": None,
        "author": None,
        "created_at": "2024-01-01T10:00:00+00:00",
    }
    assert first["record"] == "/0/attachments/0/data/0/external_context/url"
    assert "Früher hätte es das nicht gegeben 😡" in first["context"]  # the mojibake undone
    assert [v.split("/")[2] for v in rows[1]["via"]] == ["l.facebook.com"]


def test_facebook_comments_name_their_author(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    def moji(text: str) -> str:
        return text.encode("utf-8").decode("latin-1")

    comment = {
        "timestamp": 1704103200,
        "data": [
            {
                "comment": {
                    "timestamp": 1704103200,
                    "comment": moji("Fälschung! https://welt.ltd/politik/a-1.html"),
                    "author": moji("Jörg Maier"),
                }
            }
        ],
        "title": moji("Jörg Maier hat einen Beitrag kommentiert."),
    }
    path = tmp_path / "comments.json"
    path.write_text(json.dumps({"comments_v2": [comment]}), encoding="utf-8")
    rows = scan(capsys, str(path))
    assert [(r["url"], r["post"]["author"], r["record"]) for r in rows] == [
        ("https://welt.ltd/politik/a-1.html", "Jörg Maier", "/comments_v2/0/data/0/comment/comment")
    ]


def test_facebook_mojibake_repair_leaves_right_text_alone() -> None:
    assert repair("Fr\u00c3\u00bch \u00e2\u0080\u0093 \u00f0\u009f\u0098\u00a1") == "Früh – 😡"
    assert repair("Café") == "Café"  # real Latin-1: not UTF-8 bytes, kept
    assert repair("Früh 😡") == "Früh 😡"  # already right: kept
    assert repair("plain") == "plain"


# --- YouTube --------------------------------------------------------------------------------------


def test_youtube_api_comment_threads_with_permalinks(capsys: pytest.CaptureFixture[str]) -> None:
    rows = scan(capsys, str(EXPORTS / "youtube-commentThreads.json"))
    assert [(r["post"]["id"], r["url"], r["verdict"]) for r in rows] == [
        ("UgzX4b1Qd9kq2HvV3a14AaABAg", "https://welt.ltd/politik/article300.html", "suspicious"),
        (
            "UgzX4b1Qd9kq2HvV3a14AaABAg.9zQ1w2E3r4T5y6U7i8",
            "https://www.welt.de/politik/article300.html",
            "trusted",
        ),
        ("Ugw9Yc0Rr8Kp1LmN2b34AaABAg", "http://spiegel.ltd/ausland/a-44.html", "suspicious"),
    ]
    top, reply, _other = rows
    assert top["post"] == {
        "platform": "youtube",
        "id": "UgzX4b1Qd9kq2HvV3a14AaABAg",
        "url": "https://www.youtube.com/watch?v=a1B2c3D4e5F&lc=UgzX4b1Qd9kq2HvV3a14AaABAg",
        "author": "@wahrheit24",
        "created_at": "2024-01-10T12:00:00Z",
    }
    # textOriginal only: the textDisplay HTML copy and the author's channel URL are not findings
    assert top["record"] == "/items/0/snippet/topLevelComment/snippet/textOriginal"
    # a reply without its own videoId takes its thread's
    assert reply["post"]["url"].startswith("https://www.youtube.com/watch?v=a1B2c3D4e5F&lc=UgzX4b1Qd9")


def test_youtube_ytdlp_info_json_comments(capsys: pytest.CaptureFixture[str]) -> None:
    rows = scan(capsys, str(EXPORTS / "a1B2c3D4e5F.info.json"))
    assert [(r["url"], r["post"]["author"], r["post"]["created_at"]) for r in rows] == [
        ("https://spiegel.ltd/politik/a-7.html", "@wahrheit24", "2024-01-10T12:00:00+00:00"),
        ("https://www.spiegel.de/politik/a-7.html", "@faktencheckerin", "2024-01-10T13:00:00+00:00"),
    ]
    assert rows[0]["post"]["url"] == (
        "https://www.youtube.com/watch?v=a1B2c3D4e5F&lc=UgyQ7v3Lm2Np8Kx1Rb94AaABAg"
    )  # the video's own webpage_url and thumbnails are not findings


def test_youtube_takeout_comments_csv_old_and_new_text(capsys: pytest.CaptureFixture[str]) -> None:
    rows = scan(capsys, str(EXPORTS / "comments.csv"))
    assert [(r["line"], r["url"], r["post"]["url"], r["context"]) for r in rows] == [
        (
            2,
            "https://welt.ltd/politik/article300.html",
            "https://www.youtube.com/watch?v=a1B2c3D4e5F&lc=UgzT4k3Qp1Lm8Nx2Cd94AaABAg",
            "Seht selbst: https://welt.ltd/politik/article300.html Teilen!",
        ),
        (
            3,
            "http://spiegel.ltd/ausland/a-44.html",
            "https://www.youtube.com/watch?v=Z9y8X7w6V5u&lc=UgwR2s1Tp0Qo9Pn8Mm74AaABAg",
            "Quelle: spiegel.ltd/ausland/a-44.html >>",
        ),
    ]
    assert rows[0]["post"]["platform"] == "youtube"
    assert rows[0]["post"]["created_at"] == "2024-06-20T10:00:00.123+00:00"
    assert rows[0]["post"]["author"] == "UCv1Aa2Bb3Cc4Dd5Ee6Ff7Gg"


def test_takeout_comment_text_forms() -> None:
    assert takeout.comment_text('{"takeoutSegments":[{"text":"a "},{"text":"b"}]}') == "a b"
    assert takeout.comment_text('{"text":"a"},{"text":"\\n"},{"text":"b"}') == "a\nb"
    assert takeout.comment_text("plain text") is None
    assert takeout.comment_text('{"text": broken') is None


# --- XLSX -----------------------------------------------------------------------------------------


def test_xlsx_meta_content_library_rows_are_posts(capsys: pytest.CaptureFixture[str]) -> None:
    rows = scan(capsys, str(EXPORTS / "meta-content-library.xlsx"))
    assert [(r["line"], r["url"], r["record"], r["post"]["id"], r["post"]["created_at"]) for r in rows] == [
        (
            2,
            "https://welt.ltd/politik/article500.html",
            "row 2, text",
            "1098765432101234",
            "2024-01-10T12:00:00+00:00",
        ),
        (  # a date cell, read as a date; the wrapper undone
            3,
            "https://spiegel.ltd/ausland/a-1.html",
            "row 3, link_attachment.link",
            "1098765432105678",
            "2024-01-11T08:30:00",
        ),
        (
            4,
            "https://www.tagesschau.de/inland/a-1.html",
            "row 4, text",
            "1098765432109999",
            "2024-01-12T09:00:00+00:00",
        ),
    ]
    assert rows[0]["post"]["author"] == "Wahrheit Jetzt"
    assert rows[0]["post"]["platform"] == "csv"  # no permalink column: the platform is not known


def _book(path: Path, sheets: dict[str, list[list[Any]]]) -> Path:
    book = Workbook()
    book.remove(book.active)  # type: ignore[arg-type]
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def test_xlsx_crowdtangle_final_link_and_sheets(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _book(
        tmp_path / "export.bin",  # no telling ending: recognised by its first bytes
        {
            "CrowdTangle": [
                ["Page Name", "Post Created", "Message", "Link", "Final Link", "URL"],
                [
                    "Wahrheit Jetzt",
                    "2024-01-10 12:00:00 CET",
                    "Lest das",
                    "https://bit.ly/3xyz",
                    "https://welt.ltd/politik/a-1.html",
                    "https://www.facebook.com/wahrheitjetzt/posts/pfbid02abc",
                ],
            ],
            "Notes": [["https://spiegel.ltd/a-2.html"]],
        },
    )
    rows = scan(capsys, str(path))
    assert [(r["url"], r["record"], r["via"]) for r in rows] == [
        ("https://welt.ltd/politik/a-1.html", "CrowdTangle!row 2, Final Link", ["https://bit.ly/3xyz"]),
        ("https://spiegel.ltd/a-2.html", "Notes!row 1, column 1", []),
    ]
    assert rows[0]["post"]["platform"] == "facebook"
    assert rows[0]["post"]["created_at"] == "2024-01-10T12:00:00+01:00"
    assert rows[1]["post"] is None


def test_xlsx_from_stdin_and_by_name(capsys: pytest.CaptureFixture[str], monkeypatch: Any) -> None:
    data = (EXPORTS / "meta-content-library.xlsx").read_bytes()
    assert sniff_format("-", data[:8192]) == "xlsx"
    assert sniff_format("-", b"PK\x03\x04" + b"\x00" * 26 + b"word/document.xml") != "xlsx"
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(data)))
    rows = scan(capsys, "-")
    assert len(rows) == 3 and rows[0]["post"]["id"] == "1098765432101234"


def test_malformed_xlsx_is_a_counted_skip_not_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "junk.xlsx").write_bytes(b"not a workbook at all")
    (tmp_path / "cut.xlsx").write_bytes((EXPORTS / "meta-content-library.xlsx").read_bytes()[:3000])
    other = io.BytesIO()
    with zipfile.ZipFile(other, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
    (tmp_path / "empty.xlsx").write_bytes(other.getvalue())
    summary = tmp_path / "summary.json"
    code = main(["scan", str(tmp_path), "--no-blocklist", "-q", "--summary", str(summary)])
    err = capsys.readouterr().err
    assert code == 3
    stats = json.loads(summary.read_text(encoding="utf-8"))
    assert stats["skipped"] == {"corrupt-xlsx": 3}
    assert "Traceback" not in err and err.count("skipped (corrupt-xlsx)") == 3


def test_xlsx_cells_as_text() -> None:
    stream = io.BytesIO(
        _book_bytes([["n", "flag", "link", "note"], [12.0, True, "welt.ltd/x", None], [1.5, None, "", "A"]])
    )
    records = list(xlsxsheet.read(stream, "s", Repairs()))
    assert [(r.text, r.record) for r in records if isinstance(r, Record)] == [
        ("12", "row 2, n"),
        ("TRUE", "row 2, flag"),
        ("welt.ltd/x", "row 2, link"),
        ("1.5", "row 3, n"),
        ("A", "row 3, note"),
    ]


def _book_bytes(rows: list[list[Any]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_xlsx_read_stream_spools_a_pipe() -> None:
    data = (EXPORTS / "meta-content-library.xlsx").read_bytes()
    records = [r for r in read_stream(io.BytesIO(data), "-") if isinstance(r, Record)]
    assert sum("welt.ltd" in r.text for r in records) == 2


# --- zipped WhatsApp exports ----------------------------------------------------------------------


def _zip(path: Path, entries: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return path


def test_zipped_whatsapp_exports_ios_and_android(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ios = _zip(
        tmp_path / "WhatsApp Chat - Familie.zip",
        {
            "_chat.txt": (EXPORTS / "_chat.txt").read_bytes(),
            "00000012-PHOTO-2025-01-01-09-15-00.jpg": b"\xff\xd8\xff\xe0 https://welt.ltd/in-a-photo",
        },
    )
    android = _zip(
        tmp_path / "android.zip",  # media first, the chat (with a BOM) in a folder after it
        {
            "IMG-20241231-WA0001.jpg": b"\xff\xd8\xff\xe0",
            "export/WhatsApp Chat with Familie.txt": b"\xef\xbb\xbf" + ANDROID.read_bytes(),
        },
    )
    rows = scan(capsys, str(ios))
    assert [(r["line"], r["url"], r["record"], r["post"]["author"]) for r in rows] == [
        (2, "https://spiegel.ltd/politik/a-3.html", "_chat.txt", "Oma Erna"),
        (5, "https://www.welt.de/politik/article2.html", "_chat.txt", "Peter"),
    ]  # the photo beside the chat is not read
    rows = scan(capsys, str(android))
    assert [(r["line"], r["url"]) for r in rows][:1] == [(2, "https://welt.ltd/politik/article1.html")]
    assert len(rows) == 4 and rows[0]["record"] == "export/WhatsApp Chat with Familie.txt"
    assert rows[0]["post"]["created_at"] == "2024-12-11T21:05:00"


def test_zipped_chat_from_stdin_and_other_zips(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: Any
) -> None:
    data = _zip(tmp_path / "c.zip", {"_chat.txt": (EXPORTS / "_chat.txt").read_bytes()}).read_bytes()
    assert sniff_format("-", data) == "whatsapp-zip"
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(data)))
    assert len(scan(capsys, "-")) == 2
    (tmp_path / "d").mkdir()
    _zip(tmp_path / "d" / "photos.zip", {"a.jpg": b"x"})
    summary = tmp_path / "summary.json"
    (tmp_path / "d" / "broken.zip").write_bytes(data[: len(data) // 2])
    code = main(["scan", str(tmp_path / "d"), "--no-blocklist", "-q", "--summary", str(summary)])
    capsys.readouterr()
    assert code == 3
    stats = json.loads(summary.read_text(encoding="utf-8"))
    # a zip without a chat is skipped as binary, as before; a cut one is corrupt
    assert stats["skipped"] == {"binary": 1, "corrupt-zip": 1}


def test_ytdlp_comment_with_html_only(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    info = {
        "id": "a1B2c3D4e5F",
        "webpage_url": "https://www.youtube.com/watch?v=a1B2c3D4e5F",
        "extractor_key": "Youtube",
        "thumbnails": [{"url": "https://i.ytimg.com/vi/a1B2c3D4e5F/hqdefault.jpg"}],
        "comments": [
            {"id": "Ugz1", "parent": "root", "html": 'Lest <a href="https://welt.ltd/a">WELT</a>'},
        ],
    }
    path = tmp_path / "v.info.json"
    path.write_text(json.dumps(info), encoding="utf-8")
    rows = scan(capsys, str(path))
    assert [(r["url"], r["context"], r["post"]["url"]) for r in rows] == [
        ("https://welt.ltd/a", "Lest WELT", "https://www.youtube.com/watch?v=a1B2c3D4e5F&lc=Ugz1")
    ]  # the thumbnails are not findings
    assert "display-mismatch" in rows[0]["techniques"]  # the anchor's text named WELT


def test_other_json_with_timestamp_and_data_is_not_taken_for_facebook(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "api.json"
    path.write_text(json.dumps({"timestamp": 1, "data": [{"post": {"body": "https://welt.ltd/x"}}]}))
    rows = scan(capsys, str(path))
    assert [(r["url"], r["post"]) for r in rows] == [("https://welt.ltd/x", None)]  # still read, generically
