"""Input formats, compression and bad input: every link found where it is, nothing lost silently."""

from __future__ import annotations

import bz2
import gzip
import json
import lzma
from pathlib import Path

import pytest
import zstandard

from linkguard.models import Finding
from linkguard.rules import load_rules
from linkguard.scan import Scanner

RULES = Path(__file__).parent / "data" / "rules_small"


@pytest.fixture(scope="module")
def scanner_factory():  # type: ignore[no-untyped-def]
    rules = load_rules([RULES]) if RULES.exists() else load_rules()

    def make(**kwargs: object) -> Scanner:
        return Scanner(rules, **kwargs)  # type: ignore[arg-type]

    return make


def scan(scanner_factory, path: Path, **kwargs: object) -> tuple[list[Finding], Scanner]:  # type: ignore[no-untyped-def]
    scanner = scanner_factory()
    return list(scanner.scan_paths([path], **kwargs)), scanner


POST = "Seht euch das an: 𝐰𝐞𝐥𝐭.𝐥𝐭𝐝 und https://t.co/cykVk0lJUJWelt.de\n"


def test_plain_text_positions(tmp_path: Path, scanner_factory) -> None:  # type: ignore[no-untyped-def]
    f = tmp_path / "dump.txt"
    f.write_text("erste Zeile\nzweite z.B. Zeile\n" + POST, encoding="utf-8")
    findings, scanner = scan(scanner_factory, f)
    assert [(x.link.text, x.line, x.column) for x in findings] == [
        ("𝐰𝐞𝐥𝐭.𝐥𝐭𝐝", 3, 19),
        ("https://t.co/cykVk0lJUJ", 3, 32),
        ("Welt.de", 3, 55),
    ]
    assert scanner.stats.records == 3
    assert findings[0].link.obfuscation == ("math-alphanumeric",)


@pytest.mark.parametrize(
    ("suffix", "compress"),
    [
        (".gz", gzip.compress),
        (".bz2", bz2.compress),
        (".xz", lzma.compress),
        (".zst", lambda b: zstandard.ZstdCompressor().compress(b)),
        ("", gzip.compress),  # detected by magic bytes, not by name
    ],
)
def test_compressed_inputs(tmp_path: Path, scanner_factory, suffix: str, compress) -> None:  # type: ignore[no-untyped-def]
    f = tmp_path / f"dump.txt{suffix}"
    f.write_bytes(compress(POST.encode("utf-8")))
    findings, _ = scan(scanner_factory, f, input_format="text")
    assert [x.link.host for x in findings] == ["welt.ltd", "t.co", "welt.de"]


def test_truncated_gzip_keeps_what_was_read(tmp_path: Path, scanner_factory) -> None:  # type: ignore[no-untyped-def]
    data = gzip.compress((POST * 2000).encode("utf-8"))
    f = tmp_path / "cut.txt.gz"
    f.write_bytes(data[: len(data) // 2])
    findings, scanner = scan(scanner_factory, f)
    assert findings, "links before the cut are still reported"
    assert scanner.stats.skipped["truncated-gzip"] == 1


def test_html_anchor_pairs_display_with_target(tmp_path: Path, scanner_factory) -> None:  # type: ignore[no-untyped-def]
    f = tmp_path / "page.html"
    f.write_text(
        "<html><body><p>Lies <a href='https://welt.ltd/artikel'>welt.de</a> jetzt</p>\n"
        "<script>var x = 'http://evil.example/script';</script>\n"
        "<img src='https://cdn.example.org/x.png'></body></html>",
        encoding="utf-8",
    )
    findings, _ = scan(scanner_factory, f)
    by_host = {x.link.host: x for x in findings}
    # the anchor text is the display of the link it labels, not a second finding
    assert set(by_host) == {"welt.ltd", "cdn.example.org"}
    assert by_host["welt.ltd"].link.display == "welt.de"
    assert by_host["welt.ltd"].line == 1
    assert by_host["cdn.example.org"].line == 3


def test_twitter_archive_tweets_js(tmp_path: Path, scanner_factory) -> None:  # type: ignore[no-untyped-def]
    tweets = [
        {
            "tweet": {
                "full_text": "Neu: https://t.co/abcdefghij",
                "entities": {
                    "urls": [
                        {
                            "url": "https://t.co/abcdefghij",
                            "expanded_url": "https://welt.ltd/politik/1",
                            "display_url": "welt.de/politik/1",
                        }
                    ]
                },
            }
        }
    ]
    f = tmp_path / "tweets.js"
    f.write_text("window.YTD.tweets.part0 = " + json.dumps(tweets, indent=2), encoding="utf-8")
    findings, _ = scan(scanner_factory, f)
    expanded = [x for x in findings if x.link.host == "welt.ltd"]
    assert len(expanded) == 1
    assert expanded[0].link.display == "welt.de/politik/1"
    assert expanded[0].record == "/0/tweet/entities/urls/0/expanded_url"
    line_of_literal = f.read_text(encoding="utf-8").splitlines()[expanded[0].line - 1]
    assert "expanded_url" in line_of_literal
    assert {x.link.host for x in findings} >= {"t.co", "welt.ltd"}


def test_telegram_text_link(tmp_path: Path, scanner_factory) -> None:  # type: ignore[no-untyped-def]
    export = {
        "name": "Kanal",
        "messages": [
            {
                "id": 1,
                "text": ["Lest ", {"type": "text_link", "text": "die Welt", "href": "https://welt.ltd/a"}],
                "text_entities": [{"type": "text_link", "text": "die Welt", "href": "https://welt.ltd/a"}],
            }
        ],
    }
    f = tmp_path / "result.json"
    f.write_text(json.dumps(export), encoding="utf-8")
    findings, _ = scan(scanner_factory, f)
    assert [(x.link.host, x.link.display) for x in findings] == [("welt.ltd", "die Welt")]


def test_mastodon_outbox_html_content(tmp_path: Path, scanner_factory) -> None:  # type: ignore[no-untyped-def]
    outbox = {
        "orderedItems": [
            {"object": {"content": '<p>Siehe <a href="https://spiegel.ltd/x">spiegel.de</a></p>'}},
        ]
    }
    f = tmp_path / "outbox.json"
    f.write_text(json.dumps(outbox), encoding="utf-8")
    findings, _ = scan(scanner_factory, f)
    pairs = {(x.link.host, x.link.display) for x in findings}
    assert ("spiegel.ltd", "spiegel.de") in pairs


def test_jsonl_with_malformed_line(tmp_path: Path, scanner_factory) -> None:  # type: ignore[no-untyped-def]
    f = tmp_path / "posts.jsonl"
    f.write_text(
        json.dumps({"text": "a welt.ltd"})
        + "\n{broken json welt.ltd\n"
        + json.dumps({"text": "b spiegel.ltd"})
        + "\n",
        encoding="utf-8",
    )
    findings, scanner = scan(scanner_factory, f)
    assert [(x.link.host, x.line) for x in findings] == [("welt.ltd", 1), ("welt.ltd", 2), ("spiegel.ltd", 3)]
    assert scanner.stats.repaired["malformed-json-line-scanned-as-text"] == 1


def test_csv_ragged_rows_are_scanned_and_counted(tmp_path: Path, scanner_factory) -> None:  # type: ignore[no-untyped-def]
    f = tmp_path / "posts.csv"
    f.write_text('id,text\n1,"hier welt.ltd"\n2,"dort spiegel.ltd",extra\n3\n', encoding="utf-8")
    findings, scanner = scan(scanner_factory, f)
    assert [(x.link.host, x.line, x.record) for x in findings] == [
        ("welt.ltd", 2, "row 2, text"),
        ("spiegel.ltd", 3, "row 3, text"),
    ]
    assert scanner.stats.repaired["csv-ragged-row"] == 2


def test_invalid_utf8_is_replaced_and_counted(tmp_path: Path, scanner_factory) -> None:  # type: ignore[no-untyped-def]
    f = tmp_path / "bad.txt"
    f.write_bytes(b"ok line\nbroken \xff\xfe bytes welt.ltd\n")
    findings, scanner = scan(scanner_factory, f)
    assert [x.link.host for x in findings] == ["welt.ltd"]
    assert scanner.stats.repaired["invalid-utf-8-replaced"] == 1


def test_binary_file_is_skipped(tmp_path: Path, scanner_factory) -> None:  # type: ignore[no-untyped-def]
    f = tmp_path / "image.png"
    f.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 10)
    findings, scanner = scan(scanner_factory, f)
    assert findings == []
    assert scanner.stats.skipped["binary"] == 1


def test_missing_path_is_counted(tmp_path: Path, scanner_factory) -> None:  # type: ignore[no-untyped-def]
    scanner = scanner_factory()
    assert list(scanner.scan_paths([tmp_path / "nope.txt"])) == []
    assert scanner.stats.skipped["unreadable-path"] == 1


def test_directory_is_walked_recursively(tmp_path: Path, scanner_factory) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "one.txt").write_text("welt.ltd\n", encoding="utf-8")
    (tmp_path / "a" / "b" / "two.txt").write_text("spiegel.ltd\n", encoding="utf-8")
    (tmp_path / ".hidden").write_text("bild.ltd\n", encoding="utf-8")
    findings, scanner = scan(scanner_factory, tmp_path)
    assert sorted(x.link.host for x in findings) == ["spiegel.ltd", "welt.ltd"]
    assert scanner.stats.sources == 2


def test_huge_single_line_is_read_in_pieces(tmp_path: Path, scanner_factory) -> None:  # type: ignore[no-untyped-def]
    f = tmp_path / "one-line.txt"
    filler = "wort " * 600_000  # 3 MB without a newline
    f.write_text(filler + "welt.ltd " + filler + "spiegel.ltd", encoding="utf-8")
    findings, _ = scan(scanner_factory, f)
    assert [(x.link.host, x.line, x.column) for x in findings] == [
        ("welt.ltd", 1, len(filler) + 1),
        ("spiegel.ltd", 1, 2 * len(filler) + len("welt.ltd ") + 1),
    ]


def test_utf16_with_bom(tmp_path: Path, scanner_factory) -> None:  # type: ignore[no-untyped-def]
    f = tmp_path / "win.txt"
    f.write_bytes("hallo welt.ltd\n".encode("utf-16"))
    findings, _ = scan(scanner_factory, f)
    assert [x.link.host for x in findings] == ["welt.ltd"]


def test_a_long_line_read_in_pieces_counts_as_one_record(tmp_path: Path, scanner_factory) -> None:  # type: ignore[no-untyped-def]
    f = tmp_path / "long.txt"
    f.write_text("wort " * 600_000 + "\nzweite Zeile\n", encoding="utf-8")
    _, scanner = scan(scanner_factory, f)
    assert scanner.stats.records == 2
