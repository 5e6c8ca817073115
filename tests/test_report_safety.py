"""Hostile input stays inert in every human format; spreadsheets see text, not formulas."""

from __future__ import annotations

import csv
import io
import json
import re

from hypothesis import given
from hypothesis import strategies as st
from report_fixtures import RLO, findings, produce

from linkguard.report.csvtable import neutralise_formula
from linkguard.report.defang import defang, defang_host, defang_text
from linkguard.report.markdown import md_escape
from linkguard.report.sanitize import one_line, visible

BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


def test_html_escapes_everything_and_has_strict_csp() -> None:
    html = produce("html", show_all=True)
    assert '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; style-src' in html
    assert not re.search(r"<\s*script", html, re.IGNORECASE)
    assert not re.search(r"<\s*img", html, re.IGNORECASE)
    assert "onerror=" not in html.replace("onerror=&quot;", "")  # only as escaped text
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in html
    assert not any(char in html for char in BIDI + "\x1b")
    assert "&lt;U+202E&gt;" in html
    assert 'href="http' not in html  # nothing flagged is clickable


def test_human_formats_defang_and_neutralise_bidi() -> None:
    for fmt in ("table", "markdown", "html"):
        text = produce(fmt, show_all=True)
        assert "welt[.]ltd" in text.replace("\\", "")
        assert "https://welt.ltd" not in text
        assert not any(char in text for char in BIDI + "\x1b"), fmt


def test_no_defang_shows_real_links() -> None:
    assert "https://welt.ltd/politik/article1.html" in produce("markdown", defang=False)
    assert "https://welt.ltd/politik/article1.html" in produce("html", defang=False)


def test_machine_formats_keep_real_urls() -> None:
    for fmt in ("jsonl", "json", "csv", "stix"):
        assert "https://welt.ltd/politik/article1.html" in produce(fmt, show_all=True), fmt


def test_markdown_table_cells_cannot_break_the_table() -> None:
    text = produce("markdown", show_all=True)
    rows = [line for line in text.splitlines() if line.startswith("| ")]
    assert rows and {line.count(" | ") for line in rows} == {5}
    assert "<script" not in text and "`this`" not in text


def test_csv_cells_never_start_a_formula() -> None:
    rows = list(csv.reader(io.StringIO(produce("csv", show_all=True))))
    cells = [cell for row in rows[1:] for cell in row]
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@", "\t", "\r")]
    records = [row[3] for row in rows[1:]]
    assert '\'=HYPERLINK("http://evil.example","click")' in records
    assert {"'+cmd|' /C calc'!A0", "'@SUM(1+1)", "'-2+3"} <= set(records)


def test_csv_evidence_joined_with_pipes() -> None:
    rows = list(csv.DictReader(io.StringIO(produce("csv"))))
    evidence = rows[0]["evidence"]
    assert evidence.startswith("lookalike: welt.ltd differs") and " | blocklist: " in evidence


def test_jsonl_escapes_bidi_but_keeps_data() -> None:
    text = produce("jsonl", show_all=True)
    assert RLO not in text and "\\u202e" in text
    urls = [json.loads(line)["url"] for line in text.splitlines()]
    assert f"https://www.spiegel.ltd/{RLO}gpj.exe" in urls


def test_visible_escapes_controls_and_bidi() -> None:
    assert visible("a\u202eb\x1b[2J\u2066") == "a<U+202E>b<U+001B>[2J<U+2066>"
    assert one_line("a\n\t b\r\nc") == "a b c"


def test_markdown_escape() -> None:
    assert md_escape("a|b `c` [x](y) <i>") == r"a\|b \`c\` \[x\]\(y\) &lt;i&gt;"
    assert md_escape("- item") == r"\- item"
    assert md_escape("&lt;") == "&amp;lt;"


def test_defang_examples() -> None:
    assert defang("https://welt.ltd/a.html?x=1.2") == "hxxps://welt[.]ltd/a.html?x=1.2"
    assert defang("HTTP://Welt.ltd") == "hxxp://Welt[.]ltd"
    assert defang("welt.ltd/a.b") == "welt[.]ltd/a.b"
    assert defang("welt.ltd") == "welt[.]ltd"
    assert defang("javascript://x.y") == "javascript[://]x[.]y"
    assert defang("//cdn.x.y/z") == "//cdn[.]x[.]y/z"
    assert defang_host("1.2.3.4") == "1[.]2[.]3[.]4"
    assert defang_text("see https://a.b/c.d and http://e.f") == "see hxxps://a[.]b/c.d and hxxp://e[.]f"


@given(st.from_regex(r"(https?://)?[a-z0-9.-]{1,30}(/[a-z0-9./?=#-]{0,20})?", fullmatch=True))
def test_defang_is_idempotent_and_unclickable(url: str) -> None:
    once = defang(url)
    assert defang(once) == once
    host = once.split("://", 1)[-1].split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]
    assert "." not in host.replace("[.]", "")
    assert not once.startswith(("http://", "https://"))


def test_formula_neutralisation() -> None:
    assert neutralise_formula("=1+1") == "'=1+1"
    assert neutralise_formula("\r=x") == "'\r=x"
    assert neutralise_formula(-5) == -5
    assert neutralise_formula("ok") == "ok"


def test_ten_kilobyte_post_is_clipped() -> None:
    _finding, context = findings()[1]
    assert context is not None and len(context) > 10_000
    html = produce("html")
    block = re.search(r"posts\.jsonl:7:5002</span><blockquote>(.*?)</blockquote>", html)
    assert block is not None
    assert 250 < len(re.sub(r"<[^>]+>", "", block.group(1))) <= 320
