"""Fast paths of the way from a record's text to a finding, each held to the slow way it replaces.

- ``unwrap._unquote`` decodes escapes of ASCII characters itself: it must be ``unquote``.
- ``normalize._link`` puts a plain ASCII URL together from one match (``_PLAIN_URL``): the link
  must be the one the branch for any URL makes; a bare host's test skips the pattern for a URL.
- ``extract._one_url`` checks a one-URL text's host once per host (``_one_url_host``): it must
  accept what the single pattern with the host's labels in it accepts.
- ``extract.candidates`` returns a one-URL text with nothing to undo before looking for
  obfuscation: it must find what looking first finds.
- ``unwrap.unwrapped`` looks into a target only when its label is a wrapper's: the link must be
  the one looking into every target gives.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from linkguard import extract, normalize, unwrap
from linkguard.limits import MAX_HOST_CHARS, MAX_URL_CHARS
from linkguard.models import Candidate, Link
from linkguard.normalize import parse_link


def _whole(link: Link | None) -> tuple[object, ...] | None:
    """``link`` with its evidence's data too (``Evidence`` equality leaves it out)."""
    return None if link is None else (link, [e.to_dict() for e in link.resolution])


#: Escapes of every kind (ASCII in both cases, UTF-8 bytes, bad and cut ones) among text.
ESCAPED = st.lists(
    st.sampled_from(
        [
            *("%3A", "%3a", "%2F", "%7e", "%7F", "%80", "%C3%A4", "%c3", "%e2%80%8f"),
            *("%zz", "%4", "%", "%%41", "%0", "a", "Z", "9", "/", "+", " ", "ä", "\u2028"),
            *("0", "f", "G", ":", "&", "="),
        ]
    ),
    max_size=12,
).map("".join)


@settings(max_examples=500, deadline=None)
@given(ESCAPED)
@example("https%3A%2F%2Fwelt.ltd%2Fa4")
@example("a%C3%A4b")  # UTF-8 bytes: decoded together
@example("%4")  # cut short
@example("ä%41")  # non-ASCII text before an escape
def test_an_escaped_value_decodes_as_unquote_decodes_it(value: str) -> None:
    assert unwrap._unquote(value) == unquote(value)


#: URL texts: every scheme form, hosts that are and are not public, user, port, every
#: delimiter, backslashes, spaces and controls, escapes, non-ASCII, wrappers.
URL_TEXT = st.lists(
    st.sampled_from(
        [
            *("https://", "http://", "HTTP://", "wss://", "ws://", "ftp://", "file://", "https:", "//"),
            *("welt.ltd", "www.welt.de", "l.facebook.com", "t.co", "münchen.de", "127.1", "[::1]", "a.zz"),
            *("u:p@", "@", ":8080", ":443", ":99999", "%77", "/", "//", "?", "#", "\\", "a", "-", "."),
            *(" ", "\t", "\x00", "\x7f", "ä", "=", "&", "%", "/l.php?u=https%3A%2F%2Fwelt.ltd%2Fa", "[.]"),
        ]
    ),
    max_size=8,
).map("".join)


@settings(max_examples=600, deadline=None)
@given(URL_TEXT)
@example("https://www.welt.de/politik/ausland/article0.html")
@example("https://l.facebook.com/l.php?u=https%3A%2F%2Fwelt.ltd%2Fa4&h=AT0")
@example("https://welt.ltd:443?x#y?z/")
@example("https://welt.ltd#x/y")
@example("wss://welt.ltd:443/")
def test_a_plain_url_is_the_link_the_branch_for_any_url_makes(text: str) -> None:
    fast = parse_link(text, obfuscation=("homoglyph",), display="welt.de", written="w")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(normalize, "_PLAIN_URL", re.compile(r"(?!)"))  # no text is plain
        slow = parse_link(text, obfuscation=("homoglyph",), display="welt.de", written="w")
    assert _whole(fast) == _whole(slow)


#: Bare hosts and near misses: hyphens, underscores, Punycode, ports, digits, capitals.
HOST_TEXT = st.lists(
    st.sampled_from(["welt", "ltd", "de", ".", "-", "_", "a", "1", "xn--", ":", "8080", "/", "W", "ä"]),
    max_size=8,
).map("".join)


@settings(max_examples=500, deadline=None)
@given(st.one_of(HOST_TEXT, URL_TEXT))
@example("welt.ltd")
@example("welt-ltd.de")
def test_a_bare_hosts_test_says_without_the_pattern_that_a_url_is_none(text: str) -> None:
    matched = (
        len(text) <= MAX_HOST_CHARS
        and normalize._LDH.fullmatch(text) is not None
        and "a" <= text[text.rfind(".") + 1] <= "z"
        and "xn--" not in text
    )
    assert normalize._is_plain_host(text) == matched


#: The one-URL pattern with the host's labels and TLD in it, as it was before the host was
#: checked apart (once per host).
WHOLE_ONE_URL = re.compile(
    r"(?:https?|ftp|wss?)://((?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.){1,20}([a-z]{2,63}))"
    rf"(?:[/?#][!#-;=?-_a-z|~]{{0,{MAX_URL_CHARS}}})?"
)
ONE_URL_HOSTS = st.lists(
    st.sampled_from(["a", "z", "0", "-", ".", "welt", "de", "t", "co", "zz", "x" * 62, "A", "_", "ä"]),
    min_size=1,
    max_size=8,
).map("".join)


@settings(max_examples=600, deadline=None)
@given(st.sampled_from(["https://", "http://", "ftp://", "wss://", "HTTP://"]), ONE_URL_HOSTS, URL_TEXT)
@example("https://", "t.co", "/x")
@example("https://", ".".join(["a"] * 20) + ".de", "")
@example("https://", ".".join(["a"] * 21) + ".de", "")
@example("https://", "a" * 63 + ".de", "/")
@example("https://", "a" * 64 + ".de", "/")
def test_a_one_url_texts_host_is_checked_as_the_whole_pattern_checks_it(
    scheme: str, host: str, rest: str
) -> None:
    text = scheme + host + rest
    m = WHOLE_ONE_URL.fullmatch(text)
    whole = (
        m is not None
        and text[-1] not in extract._TRIM_CHARS
        and m.group(2) in extract._tlds()
        and m.group(1) != "t.co"
    )
    assert extract._one_url(text) == ([Candidate(text, text, 0, (), True, None)] if whole else [])


#: One-URL texts and near misses, with every ASCII trigger of the de-obfuscating path.
ONE_URL_TEXT = st.tuples(
    st.sampled_from(["https://", "http://", "hxxps://", "ftp://", ""]),
    st.sampled_from(["www.welt.de", "welt.ltd", "t.co", "a.zz", "welt[.]ltd", "Welt.de"]),
    st.lists(
        st.sampled_from([*"/?#[](){}\\*.:xXpP ", "xxp", "(dot)", "[.]", "\\.", "a", "ä"]), max_size=6
    ).map("".join),
).map("".join)


@settings(max_examples=500, deadline=None)
@given(ONE_URL_TEXT)
@example("https://www.welt.de/politik/ausland/article0.html")
@example("https://welt.ltd/a[.]b")
@example("https://welt.ltd/hxxp")
@example("https://welt.ltd/a\\.b")
def test_a_one_url_text_is_read_as_looking_for_obfuscation_first_reads_it(text: str) -> None:
    assert extract.candidates(text) == extract.candidates(text, suspect=[(0, len(text))])


class _Every:
    """A set of labels holding every label: ``unwrapped`` then looks into every target."""

    def __contains__(self, label: object) -> bool:
        return True


#: Wrappers, nested wrappers, wrappers around nothing or a malformed target, and plain links.
WRAPPED = st.lists(
    st.sampled_from(
        [
            "https://l.facebook.com/l.php?u=",
            "https://www.google.de/url?q=",
            "https://web.archive.org/web/2024/",
            "https://href.li/?",
            "https://t.me/iv?url=",
            "https%3A%2F%2Fl.facebook.com%2Fl.php%3Fu%3D",
            "https%3A%2F%2Fwelt.ltd%2Fa",
            "https://welt.ltd/a",
            "https://t.co/abc",
            "welt.de",
            "%zz",
            "&h=1",
        ]
    ),
    min_size=1,
    max_size=6,
).map("".join)


@settings(max_examples=400, deadline=None)
@given(WRAPPED)
@example("https://l.facebook.com/l.php?u=https%3A%2F%2Fwelt.ltd%2Fa4&h=AT0")
@example("https://href.li/?https://t.me/iv?url=https://www.google.de/url?q=https://welt.ltd/")
def test_a_wrapped_link_is_unwrapped_as_looking_into_every_target_does(text: str) -> None:
    fast = parse_link(text)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(unwrap, "WRAPPER_LABELS", _Every())
        slow = parse_link(text)
    assert _whole(fast) == _whole(slow)


@pytest.mark.parametrize(
    "host",
    [
        *sorted(h for h in unwrap._BY_HOST if "." in h),
        *("www.google.de", "google.co.uk", "x.safelinks.protection.outlook.com", "x-y.cdn.ampproject.org"),
        "urldefense.com",
    ],
)
def test_every_wrappers_host_has_a_wrappers_label(host: str) -> None:
    link = parse_link(f"https://{host}/")
    assert link is not None
    assert link.domain_label in unwrap.WRAPPER_LABELS
