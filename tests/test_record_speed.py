"""Fast paths of what happens to a structured record after reading, each held to the slow way.

- A record's text that is one URL (an export's ``expanded_url``) is taken whole without the URL
  grammar (``extract._one_url``): the candidate must be the one the grammar finds.
"""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from linkguard import extract

#: Hosts and their near misses: unknown, file-like and numeric TLDs, t.co, capitals, underscores,
#: hyphens at a label's end, IP addresses, Punycode, labels and label counts at the grammar's bounds.
HOSTS = st.sampled_from(
    [
        *("www.welt.de", "welt.ltd", "l.facebook.com", "t.co", "t.com", "a.b", "welt.zz", "Welt.de"),
        *("welt.De", "a_b.de", "-a.de", "a-.de", "127.0.0.1", "1.2.3.de", "xn--mnchen-3ya.de", "münchen.de"),
        *("a..de", "a" * 63 + ".de", "a" * 64 + ".de", "x." + "b" * 64, "example.zip", "e.g", "[::1]"),
        *(".".join(["a"] * 20) + ".de", ".".join(["a"] * 21) + ".de", "welt.de:8080", "u@welt.de"),
    ]
)
SCHEMES = st.sampled_from(["https://", "http://", "ftp://", "ws://", "wss://", "HTTPS://", "hxxps://", ""])
#: Path pieces: every kind of ASCII character, trailing punctuation, defanging, brackets, long runs.
PATH = st.lists(
    st.sampled_from(
        [
            *"/?#&=%+.,;:!'*()[]{}<>\"`\\|^~@$ \t\x7f\x01",
            *("a", "Z", "9", "-", "_", "/a", "?u=https%3A%2F%2Fwelt.ltd", "https://t.co/x", "[.]"),
            *("xxp", "(dot)", "ä", "–", "·", "\u200b", "welt.ltd", "x" * 4096),
        ]
    ),
    max_size=8,
).map("".join)


@settings(max_examples=400, deadline=None)
@given(SCHEMES, HOSTS, PATH)
@example("https://", "www.welt.de", "/politik/article0.html")
@example("https://", "l.facebook.com", "/l.php?u=https%3A%2F%2Fwelt.ltd%2Fa4&h=AT0")
@example("https://", "welt.ltd", "/a.")  # trailing punctuation: the grammar trims it
@example("https://", "t.co", "?u=1")  # t.co: the grammar's slug rules end it at the "?"
@example("https://", "welt.ltd", "/(a)")  # a balanced bracket at the end stays
@example("https://", "welt.ltd", "/" + "x" * 4096)  # a path at the grammar's bound
@example("https://", "welt.ltd", "/" + "x" * 4097)  # and past it
def test_a_text_that_is_one_url_is_read_as_the_grammar_reads_it(scheme: str, host: str, path: str) -> None:
    text = scheme + host + path
    fast = extract._one_url(text)
    assert fast in ([], extract._plain_candidates(text))
    if not extract.shadow_positions(text):
        assert extract.candidates(text) == (fast or extract._plain_candidates(text))


def test_an_exports_expanded_urls_take_the_one_url_path() -> None:
    for text in (
        "https://www.welt.de/politik/ausland/article0.html",
        "https://welt.ltd/a?x=1#y",
        "http://a.de",
    ):
        assert extract._one_url(text) == extract._plain_candidates(text) != []
