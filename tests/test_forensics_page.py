"""Page claims and HTML redirects, from HTML strings (no network)."""

from __future__ import annotations

import re

import pytest
from forensics_servers import CLONE_HTML, HARMLESS_HTML, WELT
from hypothesis import given, settings
from hypothesis import strategies as st

from linkguard.forensics.page import PageClaims, _mentions, analyse, decode_html, match_outlets, parse_html
from linkguard.forensics.redirects import html_redirect
from linkguard.models import Outlet

SPIEGEL = Outlet(name="DER SPIEGEL", domains=("spiegel.de",), brands=("spiegel",))


def claims_of(html: str, url: str = "http://welt.ltd/article") -> PageClaims:
    return analyse(parse_html(html.encode()), url)


def test_clone_claims_are_collected() -> None:
    claims = claims_of(CLONE_HTML)
    assert claims.title is not None and claims.title.startswith("WELT - Aktuelle Nachrichten")
    assert claims.site_name == "WELT"
    assert claims.canonical == "https://www.welt.de/politik/article250000000/Beispiel.html"
    assert claims.og_url == claims.canonical
    assert claims.twitter_site == "@welt"
    assert "https://www.welt.de/favicon.ico" in claims.icons
    assert "https://www.welt.de/img/welt-logo.svg" in claims.icons
    assert any(line.startswith("© WELT 2024") for line in claims.copyright)
    assert claims.imprint[0][0] == "Impressum"
    assert dict(claims.hosts)["www.welt.de"] == claims.links - 1  # all but the relative "Mehr" link
    assert PageClaims.from_dict(claims.to_dict()) == claims


def test_clone_is_matched_to_the_outlet_with_strong_reasons() -> None:
    matches = match_outlets(claims_of(CLONE_HTML), [SPIEGEL, WELT])
    assert [m.outlet.name for m in matches] == ["WELT"]
    match = matches[0]
    assert match.claims and match.canonical
    assert len(match.strong) >= 5
    assert match.asset_share > 0.8


def test_unrelated_page_claims_nothing() -> None:
    assert match_outlets(claims_of(HARMLESS_HTML), [WELT]) == []


def test_a_title_mention_alone_is_not_a_claim() -> None:
    (match,) = match_outlets(claims_of("<title>Die Welt der Technik</title>"), [WELT])
    assert not match.claims and match.weak and not match.strong


#: Pieces of names and of the text around them: word characters of several scripts, what a
#: regex would read specially, spaces and punctuation, and a case that casefolds (ß, Σ).
_PIECES = st.sampled_from(
    ["welt", "die", "ß", "ss", "σ", "Σ", "é", "_", "1", " ", "-", ".", "(", "+", "*", "\\"]
)


_NAMES = st.lists(st.lists(_PIECES, min_size=1, max_size=3).map("".join).map(str.casefold), max_size=4)


@settings(max_examples=300, deadline=None)
@given(text=st.none() | st.lists(_PIECES, max_size=10).map("".join), names=_NAMES)
def test_a_mention_is_the_first_name_the_pattern_finds(text: str | None, names: list[str]) -> None:
    """The substring test in front of each pattern changes no answer."""
    folded = (text or "").casefold()
    pattern = (n for n in names if re.search(rf"(?<!\w){re.escape(n)}(?!\w)", folded))
    assert _mentions(text, names) == (next(pattern, None) if text else None)


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ('<meta http-equiv="refresh" content="0;URL=https://welt.ltd/a">', ("https://welt.ltd/a", "meta")),
        ("<meta http-equiv='REFRESH' content=\"5; url='/next'\">", ("/next", "meta")),
        ('<meta http-equiv="refresh" content="30">', None),
        ("<script>window.location = 'https://welt.ltd/b';</script>", ("https://welt.ltd/b", "js")),
        ('<script>window.location.href="https:\\/\\/welt.ltd\\/c"</script>', ("https://welt.ltd/c", "js")),
        ('<script>document.location.href = "/d"</script>', ("/d", "js")),
        ("<script>location.replace('https://welt.ltd/e')</script>", ("https://welt.ltd/e", "js")),
        ('<script>location.assign( "https://welt.ltd/f" )</script>', ("https://welt.ltd/f", "js")),
        ("<body onload=\"location.href='/g'\"></body>", ("/g", "js")),
        ("<script>if (location.href == 'x') {}</script>", None),
        ("<p>window.location = 'https://not-a-script.example/'</p>", None),
        ('<script src="/app.js"></script>', None),
    ],
)
def test_html_redirects_are_read_not_run(html: str, expected: tuple[str, str] | None) -> None:
    assert html_redirect(parse_html(html.encode())) == expected


def test_charset_comes_from_header_then_meta() -> None:
    latin = "<meta charset='iso-8859-1'><title>Grüße</title>".encode("latin-1")
    assert "Grüße" in decode_html(latin)
    assert "Grüße" in decode_html("<title>Grüße</title>".encode("cp1252"), "cp1252")
    assert decode_html(b"\xff\xfe<", "no-such-codec")  # never raises


# Inputs that cost a tree builder or html.parser minutes (per-anchor get_text; re-scanning an
# unfinished tag on every feed). The single pass reads each; nothing here measures time.
@pytest.mark.parametrize(
    ("html", "links"),
    [
        ("<a href=a>" * 200_000, 5000),
        ("<div>" * 400_000, 0),
        ("</a" * 600_000, 0),
        ("<a " + "x=1 " * 400_000, 0),
        ("<" * 2_000_000, 0),
        ("<a href='" + "x" * 2_000_000, 0),
        ("<!--" + "x" * 2_000_000, 0),
        ("<script>" + "location='" * 200_000, 0),
    ],
)
def test_hostile_markup_is_read_in_one_pass(html: str, links: int) -> None:
    page = parse_html(html.encode())
    assert page.cut is None
    assert analyse(page, "http://welt.ltd/").links == links
    html_redirect(page)  # the redirect patterns run on capped script text


def test_a_parse_past_its_deadline_stops_and_keeps_what_it_read() -> None:
    page = parse_html(("<title>WELT</title>" + "<div>" * 100_000).encode(), deadline=0.0)
    assert page.cut == "deadline"
    assert analyse(page, "http://welt.ltd/").title == "WELT"


def test_unclosed_anchors_each_get_their_own_text() -> None:
    page = parse_html(b"<a href=/impressum>Impressum<a href=/b>Politik <b>heute</b></a>")
    assert page.anchors == [("Impressum", "/impressum"), ("Politik heute", "/b")]
