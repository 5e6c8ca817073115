"""Fast paths of what happens to a structured record after reading, each held to the slow way.

- A record's text that is one URL (an export's ``expanded_url``) is taken whole without the URL
  grammar (``extract._one_url``): the candidate must be the one the grammar finds.
- The JSON Lines encoder writes what comes before a link's own resolution evidence from a memo
  keyed by the identity of its pieces (``FindingEncoder._shared``): the bytes must be
  ``dumps_bytes(to_dict())`` however verdicts share outlets and evidence.
- A wrapper's target is taken out of its URL without ``urlsplit`` and ``parse_qsl``
  (``unwrap._path_query``, ``unwrap._query_value``): the parts must be theirs.
- A plain ASCII URL's parts are read off one match (``normalize._PLAIN_URL``): they must be
  what ``whatwg.split_url(whatwg.prepare(text))`` gives.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

from hypothesis import example, given, settings
from hypothesis import strategies as st

from linkguard import extract, normalize, unwrap, whatwg
from linkguard.models import Evidence, Finding, Link, Outlet, Verdict
from linkguard.normalize import parse_link
from linkguard.report.jsonl import FindingEncoder, dumps_bytes

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


#: Evidence objects shared between verdicts (the detector's, met again), two of them equal but
#: not the same object, and outlets likewise; kinds that are a link's own among them.
POOL = [
    Evidence("trusted", "welt.de is a domain of WELT"),
    Evidence("blocklist", "listed", {"source": "Meta"}),
    Evidence("blocklist", "listed", {"source": "\u202eelsewhere"}),
    Evidence("tld-swap", "imitates WELT", {"brand": "welt"}),
    Evidence("wrapper", "unwrapped offline", {"wrapper": "https://l.facebook.com/l.php"}),
]
OUTLETS = [
    None,
    Outlet("WELT", ("welt.de",)),
    Outlet("WELT", ("welt.de",)),
    Outlet("Spiegel", ("spiegel.de",)),
]
SHARED_VERDICTS = st.builds(
    Verdict,
    status=st.sampled_from(["malicious", "trusted", "unknown"]),
    score=st.sampled_from([0, 100]),
    impersonates=st.sampled_from(OUTLETS),
    techniques=st.sampled_from([(), ("tld-swap",)]),
    evidence=st.lists(st.sampled_from(POOL), max_size=3).map(tuple),
)
#: A link's own resolution, made anew for each link.
OWN = st.lists(
    st.builds(
        Evidence,
        kind=st.sampled_from(["export-resolution", "wrapper"]),
        detail=st.sampled_from(["t.co leads to welt.ltd", "l.facebook.com leads to \u2028welt.ltd"]),
        data=st.sampled_from([{}, {"field": "expanded_url"}]),
    ),
    max_size=2,
).map(tuple)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(SHARED_VERDICTS, OWN), min_size=1, max_size=12))
def test_verdicts_with_a_links_resolution_encode_as_dumps_of_to_dict(
    verdicts: list[tuple[Verdict, tuple[Evidence, ...]]],
) -> None:
    encode = FindingEncoder(end=b"\n").encode
    link = Link("welt.ltd", "https://welt.ltd/", "welt.ltd", "welt.ltd", "welt.ltd", "welt", "ltd", "")
    for verdict, own in verdicts + verdicts:
        resolved = Verdict(
            verdict.status, verdict.score, verdict.impersonates, verdict.techniques, (*verdict.evidence, *own)
        )
        finding = Finding(link, resolved, "posts.jsonl", 1, 1)
        assert encode(finding) == dumps_bytes(finding.to_dict()) + b"\n"


#: Query pieces: the wrappers' parameter names, written plainly, percent-encoded and with "+",
#: separators, bad escapes, encoded separators and non-ASCII text.
QUERY = st.lists(
    st.sampled_from(
        [
            *("u", "q", "url", "to", "U", "%75", "%2575", "u+", "+u", "ur%6C", "%", "%zz", "%e4", "%C3%A4"),
            *("=", "=", "&", "&", ";", "+", "#", "?", "https%3A%2F%2Fwelt.ltd%2Fa", "%26", "%3D", "ä", "x"),
        ]
    ),
    max_size=12,
).map("".join)


@settings(max_examples=500, deadline=None)
@given(QUERY, st.sampled_from([("u",), ("q", "url"), ("url",), ("to",)]))
@example("u=1&u=2", ("u",))  # the last occurrence, as dict() keeps it
@example("url=1&q=2", ("q", "url"))  # the first name that is there
@example("%75=a&x", ("u",))  # an encoded name
@example("u=a+b%2B", ("u",))  # "+" is a space, "%2B" a plus
@example("u=a&u", ("u",))  # no "=": a blank value
@example("u=a;b", ("u",))  # ";" separates nothing
def test_a_wrappers_parameter_is_the_one_parse_qsl_gives(query: str, names: tuple[str, ...]) -> None:
    params = dict(parse_qsl(query, keep_blank_values=True))
    expected = next((params[name] for name in names if name in params), "")
    assert unwrap._query_value(query, names) == expected


#: Link texts whose normalised URLs have every mix of path, query and fragment.
LINK_TEXT = st.tuples(
    st.sampled_from(["https://", "http://", "HTTPS:\\\\", "ftp://", "", "https://u:p@"]),
    st.sampled_from(["l.facebook.com", "www.google.de", "[::1]", "127.1", "münchen.de", "welt.ltd:8443"]),
    st.lists(st.sampled_from([*"/?#=&%;:@\\ äx", "/l.php", "?u=", "#?", "?#"]), max_size=8).map("".join),
).map("".join)


@settings(max_examples=500, deadline=None)
@given(LINK_TEXT)
@example("https://l.facebook.com/l.php?u=https%3A%2F%2Fwelt.ltd&h=AT0#x?y")
@example("https://www.google.de?#/url")
def test_a_normalised_urls_path_and_query_are_those_urlsplit_gives(text: str) -> None:
    link = parse_link(text)
    if link is not None:
        parts = urlsplit(link.url)
        assert unwrap._path_query(link.url) == (parts.path or "/", parts.query)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from(["https://", "h.de", "/", "?", "#", "&", "=", "x", "\t", " ", "ä"]), max_size=8)
)
@example(["https://", "h.de", "?", "u", "=", "/"])
@example(["x"])
def test_any_urls_path_and_query_are_those_urlsplit_gives(pieces: list[str]) -> None:
    """``inner_url`` is public: a hand-made ``Link``'s URL need not be normalised."""
    url = "".join(pieces)
    parts = urlsplit(url)
    assert unwrap._path_query(url) == (parts.path or "/", parts.query)


#: URL pieces: every scheme form, authorities with user, port and brackets, every delimiter,
#: backslashes, white space and controls (at the ends too), non-ASCII.
URL_TEXT = st.lists(
    st.sampled_from(
        [
            *(
                "https://",
                "http://",
                "HTTP://",
                "wss://",
                "ftp://",
                "file://",
                "hxxp://",
                "https:",
                "https:///",
            ),
            *("welt.ltd", "u:p@", "@", ":8080", "[::1]", "%77", "/", "//", "?", "#", "\\", "a", "-", "."),
            *(" ", "\t", "\n", "\r", "\x00", "\x1f", "\x7f", "\u00a0", "\u3000", "ä", "=", "&", "%"),
        ]
    ),
    max_size=10,
).map("".join)


@settings(max_examples=600, deadline=None)
@given(URL_TEXT)
@example("https://www.welt.de/politik/article0.html")
@example("https://u:p@welt.ltd:80?x#y?z/")
@example("https://welt.ltd#x/y?z")
@example("https://welt.ltd/a\\b")  # a backslash in the path: a slash to a browser
@example("https://welt.ltd/a b")  # a space: quoted
@example("https://welt.ltd/a ")  # and stripped at the end
def test_a_plain_urls_parts_are_those_split_url_gives(text: str) -> None:
    m = normalize._PLAIN_URL.fullmatch(text)
    if m is not None and text.isascii():
        assert whatwg.split_url(whatwg.prepare(text)) == (*m.groups(), False)


def test_an_exports_expanded_urls_are_read_off_one_match() -> None:
    for text in ("https://www.welt.de/politik/article0.html", "https://l.facebook.com/l.php?u=x&h=AT0#y"):
        assert normalize._PLAIN_URL.fullmatch(text)
