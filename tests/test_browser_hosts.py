"""A link is judged on the host a browser goes to, however it is written (issue #16).

``https://welt.ltd\\@welt.de/artikel`` takes a browser to welt.ltd (the URL standard reads ``\\``
as ``/`` in http(s) URLs); a reader who takes the backslash for a character sees welt.de. Through
the CLI (``check``, and ``scan`` on text, HTML, JSON and CSV) each variant must be flagged as
imitating welt.de, and a host the link only pretends to be must never make it ``trusted``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from linkguard.cli import main
from linkguard.extract import candidates
from linkguard.normalize import parse_link, read_host
from linkguard.whatwg import ends_in_number, naive_host, parse_ipv4, prepare, split_authority

BYPASS = "https://welt.ltd\\@welt.de/artikel"

#: Ways of writing a link to welt.ltd that a browser follows to welt.ltd, each with text that
#: reads as something else (welt.de) or that a naive extractor cuts elsewhere.
VARIANTS = [
    BYPASS,
    "https://welt.ltd\\@welt.de",
    "https://welt.ltd\\\\@welt.de/artikel",  # "\\" after the host
    "welt.ltd\\@welt.de/artikel",  # no scheme: an address bar adds http://
    "https:\\\\welt.ltd\\@welt.de/artikel",
    "https:\\\\welt.de@welt.ltd/artikel",
    "https:/welt.ltd\\@welt.de",
    "https:welt.ltd\\@welt.de",
    "https://welt.de@welt.ltd/artikel",  # user information, the classic form
    "https://welt.de@x@welt.ltd/artikel",  # several "@": the last one ends the user information
    "https://welt.de:pass@welt.ltd/artikel",
    "https://%77elt.ltd/artikel",  # percent-encoded host
    "https://welt%2Eltd\\@welt.de/artikel",
    "HTTPS://WELT.LTD\\@WELT.DE/artikel",
    "https://welt.ltd.\\@welt.de/artikel",  # trailing dot
    "https://welt.ltd:443\\@welt.de/artikel",  # port
    # fullwidth look-alikes of delimiters: NFKC makes them real, a browser does not
    "https://welt.de／@welt.ltd/artikel",
    "https://welt.de＼@welt.ltd/artikel",
    "https://welt.de？@welt.ltd/artikel",
    "https:／／welt.de＃@welt.ltd/artikel",
]
#: Variants that only a browser's preprocessing undoes: tabs and newlines inside the URL
#: (an argument to ``check``, an ``href``), never plain text, where a newline ends a link.
CONTROL_VARIANTS = [
    "https://welt.de\t@welt.ltd/artikel",
    "https://we\nlt.ltd\\@welt.de/artikel",
    "https://welt.ltd\r\n\\@welt.de/artikel",
    " \x01https://welt.ltd\\@welt.de/artikel\x1f ",
]


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[dict[str, object]]]:
    code = main(list(args))
    out, _ = capsys.readouterr()
    if args[0] == "check":
        return code, [json.loads(out)]
    return code, [json.loads(line) for line in out.splitlines() if line.strip()]


def _imitates_welt(doc: dict[str, object]) -> None:
    assert doc["host"] == "welt.ltd", doc
    assert doc["verdict"] == "suspicious" and doc["flagged"] is True, doc
    assert doc["impersonates"]["domain"] == "welt.de"  # type: ignore[index]


@pytest.mark.parametrize("url", [*VARIANTS, *CONTROL_VARIANTS])
def test_check_judges_the_host_a_browser_reaches(capsys: pytest.CaptureFixture[str], url: str) -> None:
    code, (doc,) = run(capsys, "check", url, "--no-blocklist", "--offline", "--format", "json")
    _imitates_welt(doc)
    assert code == 1


def test_the_reported_bypass_is_flagged_with_its_pretence(capsys: pytest.CaptureFixture[str]) -> None:
    code, (doc,) = run(capsys, "check", BYPASS, "--no-blocklist", "--offline", "--format", "json")
    assert code == 1
    assert doc["url"] == "https://welt.ltd/@welt.de/artikel"  # what forensics would fetch
    assert doc["obfuscation"] == ["backslash"]
    details = [e["detail"] for e in doc["evidence"]]  # type: ignore[attr-defined]
    assert any("reads as leading to welt.de" in d and "go to welt.ltd" in d for d in details), details
    kinds = [e["kind"] for e in doc["evidence"]]  # type: ignore[attr-defined]
    assert kinds.count("embedded") == 1 and "tld-swap" in kinds


def test_the_table_names_the_real_host(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["check", BYPASS, "--no-blocklist", "--offline"])
    out = capsys.readouterr().out
    assert code == 1
    assert "welt[.]ltd" in out.split("host", 1)[1].splitlines()[0]
    assert "WELT (welt.de)" in out


@pytest.mark.parametrize(
    "url",
    [
        "https://evil.com\\@welt.de/artikel",  # an unrelated host behind a trusted-looking text
        "https://welt.de@evil.com/",
        "https://evil.com\\\\welt.de",
        "evil.com\\@www.welt.de/politik",
    ],
)
def test_a_pretended_outlet_never_makes_a_link_trusted(capsys: pytest.CaptureFixture[str], url: str) -> None:
    code, (doc,) = run(capsys, "check", url, "--no-blocklist", "--offline", "--format", "json")
    assert doc["host"] == "evil.com"
    assert doc["verdict"] != "trusted"
    if "@" in url:  # the text names welt.de where a reader expects the host: evidence
        assert doc["flagged"] is True and code == 1
        assert doc["impersonates"]["domain"] == "welt.de"  # type: ignore[index]


def test_a_trusted_host_with_a_backslash_is_still_the_host(capsys: pytest.CaptureFixture[str]) -> None:
    """The other way round a browser does go to welt.de; the trick stays on record."""
    code, (doc,) = run(
        capsys, "check", "https://welt.de\\@welt.ltd/", "--no-blocklist", "--offline", "--format", "json"
    )
    assert doc["host"] == "welt.de" and doc["verdict"] == "trusted" and code == 0
    assert doc["obfuscation"] == ["backslash"]
    assert any(e["kind"] == "obfuscation" for e in doc["evidence"])  # type: ignore[attr-defined]


def test_scan_text_flags_every_variant(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "posts.txt"
    path.write_text("".join(f"Lest hier: {url} (Quelle)\n" for url in VARIANTS), encoding="utf-8")
    code, rows = run(capsys, "scan", str(path), "--no-blocklist", "--format", "jsonl")
    assert code == 1
    assert [r["line"] for r in rows] == list(range(1, len(VARIANTS) + 1))
    for row in rows:
        _imitates_welt(row)


def test_scan_text_hides_nothing_by_default(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "post.txt"
    path.write_text(f"Exklusiv: {BYPASS}\n", encoding="utf-8")
    code, rows = run(capsys, "scan", str(path), "--no-blocklist", "--format", "jsonl")
    assert code == 1
    (row,) = rows
    assert row["text"] == BYPASS and row["column"] == 11


def test_scan_html_hrefs(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    hrefs = [BYPASS, "//welt.de@welt.ltd/", "/\\welt.ltd\\@welt.de/", *CONTROL_VARIANTS]
    anchors = "".join(f'<p><a href="{h}">Mehr</a></p>\n' for h in hrefs)
    path = tmp_path / "page.html"
    path.write_text(f"<html><body>\n{anchors}</body></html>\n", encoding="utf-8")
    code, rows = run(capsys, "scan", str(path), "--no-blocklist", "--format", "jsonl", "--all")
    assert code == 1
    assert len(rows) == len(hrefs)
    for row in rows:
        _imitates_welt(row)
        assert row["record"] == "<a href>"


def test_scan_json_url_values_broken_by_tabs_and_newlines(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A value that is one URL is read as a browser follows it; prose keeps its line breaks."""
    doc = tmp_path / "links.json"
    values = [*CONTROL_VARIANTS, "Bericht:\nhttps://welt.ltd\\@welt.de/a"]
    doc.write_text(json.dumps([{"url": v} for v in values]), encoding="utf-8")
    code, rows = run(capsys, "scan", str(doc), "--no-blocklist", "--format", "jsonl", "--all")
    assert code == 1
    assert len(rows) == len(values)
    for row in rows:
        _imitates_welt(row)
    assert rows[-1]["line"] == 2  # the post kept its newline


def test_scan_json_and_csv(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    doc = tmp_path / "posts.json"
    doc.write_text(json.dumps([{"text": f"Neu: {BYPASS}", "url": BYPASS}]), encoding="utf-8")
    table = tmp_path / "posts.csv"
    table.write_text(f"id,url\n1,{BYPASS}\n2,https:\\\\welt.de@welt.ltd/x\n", encoding="utf-8")
    for path, expected in ((doc, 2), (table, 2)):
        code, rows = run(capsys, "scan", str(path), "--no-blocklist", "--format", "jsonl")
        assert code == 1
        assert len(rows) == expected, path
        for row in rows:
            _imitates_welt(row)


# -- the pieces --------------------------------------------------------------------------------


def test_the_extractor_keeps_the_whole_link() -> None:
    text = f"Lest {BYPASS} jetzt"
    (cand,) = candidates(text)
    assert cand.text == BYPASS and cand.has_scheme
    (cand,) = candidates("siehe https:\\\\welt.de@welt.ltd/x")
    assert cand.text == "https:\\\\welt.de@welt.ltd/x"
    (cand,) = candidates("https://%77elt%2Eltd/a")
    assert cand.text == "https://%77elt%2Eltd/a"


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("http://0x7f.1/", "127.0.0.1"),
        ("http://2130706433/", "127.0.0.1"),
        ("http://127.1/", "127.0.0.1"),
        ("http://0177.0.0.1/", "127.0.0.1"),
        ("http://0x7F000001/", "127.0.0.1"),
        ("http://[::ffff:127.0.0.1]/", "::ffff:7f00:1"),
        ("http://１２７.０.０.１/", "127.0.0.1"),
        ("https://welt.ltd./", "welt.ltd"),
        ("https://WELT.ltd:8443/", "welt.ltd"),
        ("https://a@b@welt.ltd/", "welt.ltd"),
        ("https://%77elt.ltd/", "welt.ltd"),
        ("https://ｗｅｌｔ.ltd/", "welt.ltd"),
        ("https://bücher.de\\@welt.de", "xn--bcher-kva.de"),
    ],
)
def test_hosts_read_as_browsers_read_them(url: str, host: str) -> None:
    assert read_host(url) == host
    link = parse_link(url)
    assert link is not None and link.host == host


@pytest.mark.parametrize(
    "url",
    [
        "http://1.2.3.4.5/",  # ends in a number but is no IPv4 address: browsers refuse it
        "http://256.256.256.256/",
        "http://welt.123/",
        "http://09.1/",
        "https://welt.ltd:65536/",
        "https://welt.ltd:8a/",
        "https://welt.de@/",
        "https://%2577elt.ltd/",  # decodes to "%77elt.ltd": a "%" may not stay in a host
        "https://welt%2Fltd.de/",
        "http://[127.0.0.1]/",
        "http://%3A%3A1/",  # a decoded ":" is forbidden in a host; no IPv6 address either
        "http://[fe80::1%25eth0]/",
        "mailto://welt.ltd",
        "file://welt.ltd/x",
    ],
)
def test_urls_browsers_refuse_are_no_links(url: str) -> None:
    assert parse_link(url) is None


def test_ipv4_number_forms() -> None:
    assert ends_in_number("a.0x1") and ends_in_number("1.") and not ends_in_number("a.b")
    assert not ends_in_number("1..")
    assert str(parse_ipv4("0x7f.0.0.1")) == "127.0.0.1"
    assert str(parse_ipv4("4294967295")) == "255.255.255.255"
    assert parse_ipv4("4294967296") is None
    assert parse_ipv4("1_0") is None  # Python's int() would take it
    assert str(parse_ipv4("0x")) == "0.0.0.0"


def test_authority_pieces() -> None:
    assert split_authority("a@b@welt.ltd:8080") == ("a@b", "welt.ltd", "8080")
    assert split_authority("[::1]:80") == ("", "[::1]", "80")
    assert split_authority("welt.ltd:8a") is None
    assert split_authority("welt.de@") is None
    assert prepare("\x00 ht\ttps://we\nlt.ltd \x1f") == "https://welt.ltd"
    assert naive_host(BYPASS) == "welt.de"
    assert naive_host("welt.ltd\\@welt.de") == "welt.de"
    assert naive_host("https://welt.de/x") == "welt.de"
    assert naive_host("https:\\\\welt.ltd") == ""
