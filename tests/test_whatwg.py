"""linkguard reads the host of a link as browsers do: checked against Ada, a WHATWG-conformant URL
parser (``ada-url``), on generated URLs with tricky authorities, and against the public
web-platform-tests URL cases (``tests/data/wpt/urltestdata-special.json``, BSD-3).

How hosts are compared: linkguard's host is lowercase ASCII (Punycode) or a canonical IP address
without brackets, so Ada's ``hostname`` is compared without the brackets of an IPv6 address.
Deliberate deviations, each named where it is allowed:

- **trailing dots**: linkguard drops them (``welt.ltd.`` names the same DNS host as ``welt.ltd``,
  and a rule for welt.ltd must match it); Ada keeps them. Compared with trailing dots removed.
- **no base URL**: linkguard reads a link as written, as an address bar does; WPT cases whose
  result depends on their base URL are not in the trimmed copy.
- **a host that is only dots**: the standard reads a domain (``.``) that no resolver can look
  up; linkguard reads no host. Listed in ``WPT_DEVIATIONS``.
- ``file:`` URLs are not links; a host without a public suffix is no link either, but the host
  linkguard *reads* (``read_host``) is still compared.
"""

from __future__ import annotations

import ipaddress
import json
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from linkguard import whatwg
from linkguard.extract import candidates
from linkguard.normalize import normalize, parse_link, read_host, split_host
from linkguard.whatwg import prepare

ada_url = pytest.importorskip("ada_url")

WPT_FILE = Path(__file__).parent / "data" / "wpt" / "urltestdata-special.json"


def ada_host(url: str) -> str | None:
    """Ada's hostname in linkguard's form, or None when the standard fails the URL."""
    try:
        parsed = ada_url.URL(url)
    except ValueError:
        return None
    if parsed.protocol == "file:":
        return None
    host: str = parsed.hostname
    return host[1:-1] if host.startswith("[") else host.rstrip(".")


def mine(url: str) -> str | None:
    host = read_host(url)
    return host.rstrip(".") if host is not None else None


# -- generated URLs ----------------------------------------------------------------------------

SCHEMES = st.sampled_from(["http", "https", "HTTPS", "ws", "wss", "ftp", "hTtP"])
SEPARATORS = st.sampled_from(["://", ":", ":/", ":\\\\", ":\\", ":/\\", ":\\/", ":///", "://\\"])
LABELS = st.sampled_from(
    [
        "welt",
        "WELT",
        "spiegel",
        "tagesschau",
        "xn--wlt-rdd",
        "wеlt",  # Cyrillic е
        "spiegél",
        "bücher",
        "faß",
        "ẞ",
        "ｗｅｌｔ",
        "we\u00adlt",  # soft hyphen: UTS-46 drops it
        "WÜRZBURG",
        "a。b",  # ideographic full stop: a label separator
        "x\u200dy",  # zero-width joiner: refused by the joiner rules
        "\u05d0\u05d1",  # Hebrew: the bidi rules apply
        "1\u05d0",
        "xn--はじめ",
        "a_b",
        "-x-",
        "ab--c",
        "0x7f",
        "0",
        "077",
        "1",
        "255",
        "256",
        "4294967295",
        "0x",
        "09",
        "",
    ]
)
SUFFIXES = st.sampled_from(["de", "ltd", "com", "co.uk", "eu.com", "рф", "xn--p1ai", "DE", "1", "0x1"])


@st.composite
def hosts(draw: st.DrawFn) -> str:
    kind = draw(st.integers(0, 4))
    if kind == 0:  # an IPv4 address in one of its number forms
        parts = draw(st.lists(st.integers(0, 300), min_size=1, max_size=5))
        forms = [draw(st.sampled_from(["{}", "0x{:x}", "0{:o}", "0X{:X}"])).format(p) for p in parts]
        return ".".join(forms)
    if kind == 1:
        return draw(st.sampled_from(["[::1]", "[::ffff:1.2.3.4]", "[2001:db8::1]", "[::1", "[1.2.3.4]"]))
    labels = draw(st.lists(LABELS, min_size=0, max_size=3))
    host = ".".join([*labels, draw(SUFFIXES)])
    if kind == 3:  # percent-encode some of it
        host = "".join(
            f"%{b:02X}" if draw(st.booleans()) else chr(b) if b < 128 else bytes([b]).hex()
            for b in host.encode("utf-8")
        )
    return host + draw(st.sampled_from(["", "", ".", ".."]))


USERINFO = st.sampled_from(["", "", "user@", "welt.de@", "a:b@", "welt.de@x@", "@", "a\\@", "x%40y@"])
PORTS = st.sampled_from(["", "", ":80", ":443", ":8080", ":", ":0080", ":99999", ":8a"])
TAILS = st.sampled_from(
    ["", "/", "/a", "\\@welt.de/artikel", "\\\\x", "?q", "#f", "\\", "@", "/@welt.de", "%5C@welt.de", "%2F"]
)
NOISE = st.sampled_from(["\t", "\n", "\r"])


@st.composite
def urls(draw: st.DrawFn) -> str:
    url = draw(SCHEMES) + draw(SEPARATORS) + draw(USERINFO) + draw(hosts()) + draw(PORTS) + draw(TAILS)
    if draw(st.booleans()):  # a tab or newline anywhere: browsers drop them
        at = draw(st.integers(0, len(url)))
        url = url[:at] + draw(NOISE) + url[at:]
    return draw(st.sampled_from(["", " ", "\x01", "\x00 "])) + url + draw(st.sampled_from(["", " ", "\x1f"]))


@settings(max_examples=600, deadline=None)
@given(urls())
@example("https://welt.ltd\\@welt.de/artikel")
@example("https:\\\\welt.de@welt.ltd")
@example("https://%77elt.ltd/")
@example("http://0x7f.1/")
@example("http://2130706433/")
@example("http://127.1/")
@example("https://welt.de@x@welt.ltd:8080/")
@example("https://we\tlt.ltd\n/")
@example("https:/welt.ltd")
@example("https:welt.ltd")
@example("http://w%D0%B5lt.xn--e381afe38198e38281.de")  # an A-label that is no Punycode: no host
def test_host_is_the_one_browsers_reach(url: str) -> None:
    expected, got = ada_host(url), mine(url)
    if expected is None:  # the standard fails the URL: no browser goes anywhere
        assert got is None, (url, got)
        return
    if got is None:  # linkguard reads no host: only where it refuses the host itself
        assert split_host(expected) is None, (url, expected)
        return
    assert got == expected, url
    link = parse_link(url)
    if link is not None:
        assert link.host.rstrip(".") == expected


# -- web-platform-tests ------------------------------------------------------------------------

#: WPT inputs where linkguard deliberately reads another host than the standard, and why.
WPT_DEVIATIONS: dict[str, str] = {
    "http://./": "the host is one dot; linkguard drops trailing dots and reads no host",
    "http://../": "the host is two dots; linkguard drops trailing dots and reads no host",
}


def _wpt_cases() -> list[dict[str, object]]:
    return [c for c in json.loads(WPT_FILE.read_text(encoding="utf-8")) if isinstance(c, dict)]


@pytest.mark.parametrize("case", _wpt_cases(), ids=lambda c: repr(c["input"])[:60])
def test_wpt_host_agrees(case: dict[str, str]) -> None:
    url = case["input"]
    if prepare(url).lower().startswith("file:"):
        assert parse_link(url) is None  # file URLs are not links
        return
    got = mine(url)
    if url in WPT_DEVIATIONS:
        assert got is None, WPT_DEVIATIONS[url]
        return
    if case.get("failure"):  # no browser goes anywhere
        assert got is None, f"linkguard reads {got!r} where the standard fails"
        return
    expected = case["hostname"]
    assert got == (expected[1:-1] if expected.startswith("[") else expected.rstrip(".")), url
    link = parse_link(url)
    if link is not None:
        assert link.host == got


def test_wpt_cases_include_links_and_failures() -> None:
    """The comparison above is not empty: links with real suffixes and refused URLs are both in."""
    cases = _wpt_cases()
    assert sum(parse_link(str(c["input"])) is not None for c in cases) > 100
    assert sum(bool(c.get("failure")) for c in cases) > 150


# -- the whole way: a link in a post -----------------------------------------------------------

#: Look-alikes of URL delimiters that undoing obfuscation (NFKC) turns into the real ones.
FULLWIDTH = {"/": "／", "\\": "＼", "?": "？", "#": "＃", "@": "＠", ".": "．"}
POST_LABELS = st.sampled_from(["welt", "www", "spiegel", "wеlt", "spiegél", "ｗｅｌｔ", "bücher", "077", "1"])
POST_SUFFIXES = st.sampled_from(["de", "ltd", "com", "co.uk", "eu.com", "рф", "DE"])


@st.composite
def posted_urls(draw: st.DrawFn) -> str:
    """URLs as a post writes them. Hosts a registry would not hand out are left out: labels
    that start or end with a hyphen, ``_`` in a registrable label, empty labels (the extractor
    needs real domain names), and so are percent-encoded hosts without a slash after the
    scheme (the line prefilter needs ``.`` before two letters, or ``:/`` or ``:\\``)."""
    host = ".".join([*draw(st.lists(POST_LABELS, max_size=2)), draw(POST_SUFFIXES)])
    url = draw(SCHEMES) + draw(SEPARATORS) + draw(USERINFO) + host + draw(PORTS) + draw(TAILS)
    if draw(st.booleans()):
        url = "".join(FULLWIDTH[ch] if ch in FULLWIDTH and draw(st.booleans()) else ch for ch in url)
    return url


@settings(max_examples=400, deadline=None)
@given(posted_urls())
@example("https://welt.de／@welt.ltd/")
@example("https://welt.de＼@welt.ltd/")
@example("https://welt.ltd\\@welt.de/artikel")
@example("ftp:/@spiegél.de")
def test_a_post_yields_the_host_browsers_reach(url: str) -> None:
    expected = ada_host(url)
    parts = split_host(expected) if expected else None
    links = [link for cand in candidates(f"Lies {url} jetzt") if (link := normalize(cand)) is not None]
    if parts is None or parts.is_ip or parts.registered_domain == "welt.de":
        return  # no browser reaches a public domain, or only the outlet's own: nothing hidden
    # the registered domain decides a verdict; a subdomain may be cut off where NFKC made a
    # look-alike a delimiter (https:/a＼@x．y.de)
    assert parts.registered_domain in {link.registered_domain for link in links}, (url, links)
    if "＼" not in url and "／" not in url:
        assert expected in {link.host for link in links}, (url, links)


@pytest.mark.parametrize(
    ("address", "written"),
    [
        ("::ffff:127.0.0.1", "::ffff:7f00:1"),  # never dotted, on every Python (3.13 writes it dotted)
        ("::", "::"),
        ("::1", "::1"),
        ("1::", "1::"),
        ("1:0:0:2:0:0:0:3", "1:0:0:2::3"),  # the longest run is compressed
        ("1:0:0:2:3:0:0:4", "1::2:3:0:0:4"),  # the first of two equal runs
        ("1:0:2:3:4:5:6:7", "1:0:2:3:4:5:6:7"),  # a single zero piece stays
        ("2001:DB8::A", "2001:db8::a"),
    ],
)
def test_ipv6_is_written_as_the_url_standard_writes_it(address: str, written: str) -> None:
    assert whatwg.serialize_ipv6(ipaddress.IPv6Address(address)) == written
