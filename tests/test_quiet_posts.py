"""A post its shape proves quiet (no link in it) is counted without being read, and the scan gives
exactly what reading it gives: the same findings, records, posts and repairs.

The slow path is the plain walk (``Walker.walk``): no ``quiet``, no post or wrapper found ahead of
it, every shape asked of every object (no ``marks``).
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from linkguard import scan
from linkguard.cli import main
from linkguard.inputs import jsontree
from linkguard.inputs.shapes import SHAPES, twitter
from linkguard.models import Record, ScanStats
from linkguard.normalize import parse_link

#: The same shapes, but none proves a post quiet nor says which keys it needs: every object is asked.
READ_ALL = tuple(dataclasses.replace(shape, quiet=None, marks=None) for shape in SHAPES)

TEXTS = st.sampled_from(
    [
        "",
        "Krieg und Frieden heute",
        "siehe welt.ltd/politik",
        "Lest https://t.co/AbCdEf1234",
        '<a href="https://spiegel.ltd/a">Spiegel</a>',
        "a < b und c > d",
        "zwei\nZeilen ohne Link",
        "mit\tTab",
        "Grüße aus Köln",
        "einsam \ud800",
        "welt[.]ltd",
    ]
)
SOURCE = '<a href="https://mobile.twitter.com" rel="nofollow">Twitter Web App</a>'
LINK_ITEM = {
    "url": "https://t.co/zzzzzzzzzz",
    "expanded_url": "https://welt.ltd/z",
    "display_url": "welt.ltd/z",
}
ENTITIES = st.sampled_from(
    [
        None,
        {"hashtags": [], "urls": []},
        {"hashtags": [{"text": "welt.ltd"}], "urls": [], "media": []},
        {"urls": [LINK_ITEM]},
        {"media": [{"url": "https://t.co/m", "expanded_url": "https://x.com/i/photo/1"}]},
        {"urls": ["https://welt.ltd/odd"]},
        [],
    ]
)
#: Members beside a tweet's own: ``_META`` ones (never scanned), and others the walk reads.
EXTRA = st.sampled_from(
    [
        ("lang", "de"),
        ("source", SOURCE),
        ("favorite_count", "5"),
        ("retweeted", False),
        ("edit_info", {"initial": {"editTweetIds": ["1"], "editableUntil": "2024-01-01T12:00:00.000Z"}}),
        ("user", {"screen_name": "erfundene_person"}),
        ("note", "welt.ltd/notiz"),
        ("note", "nichts"),
        ("place", None),
        ("note", None),
        ("count", 3),
        ("quoted_status", {"id_str": "9", "full_text": "spiegel.ltd/q"}),
    ]
)


QUIET_TEXTS = st.sampled_from(["", "Krieg und Frieden heute", "Grüße aus Köln", "a < b und c > d", 5, None])
QUIET_ENTITIES = st.sampled_from(
    [None, {"hashtags": [], "urls": []}, {"hashtags": [{"text": "welt.ltd"}]}, []]
)
QUIET_EXTRA = st.sampled_from(
    [("lang", "de"), ("source", SOURCE), ("retweeted", False), ("place", None), ("note", None), ("count", 3)]
)

#: Members that make a tweet that would be quiet speak, or change its identity.
BREAKERS = st.sampled_from(
    [
        ("note", "welt.ltd/notiz"),
        ("note", "nichts"),
        ("entities", {"media": [{"url": "https://t.co/m", "expanded_url": "https://x.com/i/photo/1"}]}),
        ("extended_entities", {"urls": [LINK_ITEM]}),
        ("full_text", "siehe welt.ltd/politik"),
        ("user", {"screen_name": "erfundene_person"}),
        ("quoted_status", {"id_str": "9", "full_text": "nur Worte"}),
    ]
)


@st.composite
def tweets(draw: st.DrawFn) -> list[tuple[str, Any]]:
    """A tweet's members in order (a key may come twice, as a hand-made export may write it).
    Half are made of what a quiet tweet may hold, and then perhaps one member that is not."""
    plain = draw(st.booleans())
    ids = st.sampled_from(["1001", 1003, "\ud801"] + ([] if plain else ["10é2"]))
    pairs: list[tuple[str, Any]] = [("id_str", draw(ids))]
    text_keys = draw(st.sampled_from([["full_text"], ["text"]] + ([] if plain else [["full_text", "text"]])))
    pairs += [(key, draw(QUIET_TEXTS if plain else TEXTS | st.sampled_from([5, None]))) for key in text_keys]
    dates = ["Mon Jan 01 12:00:00 +0000 2024", 7, None, "Mön Jan 01 \udc00"]
    pairs.append(("created_at", draw(st.sampled_from(dates))))
    for group in ("entities", "extended_entities"):
        entities = draw(QUIET_ENTITIES if plain else ENTITIES)
        if entities is not None:
            pairs.append((group, entities))
    pairs += draw(st.lists(QUIET_EXTRA if plain else EXTRA, max_size=3))
    if plain and draw(st.booleans()):  # one member that may make it speak (or a key again)
        pairs.append(draw(BREAKERS))
    order = draw(st.permutations(range(len(pairs))))
    pairs = [pairs[i] for i in order]
    if draw(st.booleans()):
        pairs.append(draw(st.sampled_from(pairs)))  # written twice: the walk reads both
    return pairs


def _object(pairs: list[tuple[str, Any]]) -> str:
    return "{" + ", ".join(f"{json.dumps(key)}: {json.dumps(value)}" for key, value in pairs) + "}"


WRAPPERS = st.sampled_from(
    [
        *('{{"tweet": {}}}', "{}", '{{"status": {}}}', '{{"tweet": {}, "n": 1}}', "[{}]"),
        *('{{"@context": {}}}', '{{"id": {}}}', '{{"text": {}}}', '{{"type": {}}}', '{{"href": {}}}'),
    ]
)


@pytest.fixture(scope="module")
def scanner() -> scan.Scanner:
    return scan.Scanner()


def _walker(raw: str, shapes: tuple[jsontree.Shape, ...]) -> jsontree.Walker:
    starts = jsontree.literal_starts(raw, 0, len(raw))[0]
    return jsontree.Walker(jsontree.Positions(raw, 3, 0, len(raw), 1, starts), "t.json", shapes)


def _pairs(raw: str) -> Any:
    return json.loads(raw, object_pairs_hook=jsontree.pairs_hook)


def _records(raw: str) -> list[Record]:
    return _walker(raw, SHAPES).records(json.loads(raw), (), None, lambda: _pairs(raw))


def _walked(raw: str) -> list[Record]:
    """The slow way: the plain walk, and again over ``Pairs`` when a key was written twice."""
    walker = _walker(raw, READ_ALL)
    out = list(walker.walk(json.loads(raw), ()))
    if walker.pos.next != walker.pos.count():
        walker.pos.rewind()
        out = list(walker.walk(_pairs(raw), ()))
    return out


def _scanned(sc: scan.Scanner, records: list[Record]) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    sc.stats = ScanStats()
    findings = [f.to_dict() for f in sc.scan_records(records)]
    stats = dataclasses.asdict(sc.stats)
    return findings, stats


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(posts=st.lists(st.tuples(tweets(), WRAPPERS), min_size=1, max_size=3))
def test_a_quiet_post_counts_and_scans_as_reading_it_does(
    scanner: scan.Scanner, posts: list[tuple[list[tuple[str, Any]], str]]
) -> None:
    fast: list[Record] = []
    slow: list[Record] = []
    for pairs, wrapper in posts:  # consecutive values, as an archive's elements or JSON Lines
        raw = wrapper.format(_object(pairs))
        fast += _records(raw)
        slow += _walked(raw)
    assert _scanned(scanner, fast) == _scanned(scanner, slow)


@pytest.mark.parametrize(
    ("pairs", "expected"),
    [
        ([("id_str", "1"), ("full_text", "Krieg und Frieden"), ("source", SOURCE)], 1),
        ([("id_str", "1"), ("full_text", ""), ("entities", {"urls": []})], 0),
        ([("id_str", "1"), ("full_text", "siehe welt.ltd")], None),
        ([("id_str", "1"), ("full_text", "x"), ("entities", {"urls": [LINK_ITEM]})], None),
        ([("id_str", "1"), ("full_text", "x"), ("user", {"screen_name": "erfundene_person"})], None),
        ([("id_str", "1"), ("full_text", "x"), ("created_at", "Mön")], None),
    ],
)
def test_which_tweets_are_quiet(pairs: list[tuple[str, Any]], expected: int | None) -> None:
    assert twitter.quiet(jsontree.Obj.of(dict(pairs))) == expected


def test_a_quiet_post_is_one_empty_record_that_counts_it() -> None:
    raw = json.dumps({"tweet": {"id_str": "1", "full_text": "Krieg und Frieden", "source": SOURCE}})
    (record,) = _records(raw)
    assert (record.text, record.post, record.posts, record.count) == ("", None, 1, 1)
    (read,) = _walked(raw)
    assert (read.text, read.posts, read.count) == ("", 0, 1)
    assert read.post is not None and read.post.id == "1"


@pytest.mark.parametrize("lines", [False, True])
def test_cli_counts_quiet_posts_in_archives_and_json_lines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], lines: bool
) -> None:
    posts = [
        {"id_str": "1", "full_text": "nur Worte", "source": SOURCE, "entities": {"urls": []}},
        {"id_str": "2", "full_text": "", "source": SOURCE},
        {"id_str": "3", "full_text": "Lest https://t.co/zzzzzzzzzz", "entities": {"urls": [LINK_ITEM]}},
        {"id_str": "4", "full_text": "auch nur Worte", "lang": "de"},
    ]
    if lines:
        path = tmp_path / "tweets.jsonl"
        path.write_text("".join(json.dumps(p) + "\n" for p in posts), encoding="utf-8")
    else:
        path = tmp_path / "tweets.js"
        doc = json.dumps([{"tweet": p} for p in posts], indent=2)
        path.write_text("window.YTD.tweets.part0 = " + doc, encoding="utf-8")
    summary = tmp_path / "summary.json"
    code = main(["scan", str(path), "--format", "jsonl", "--all", "--jobs", "1", "--summary", str(summary)])
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.strip()]
    assert code == 1
    assert [(r["post"]["id"], r["url"], r["via"]) for r in rows] == [
        ("3", "https://welt.ltd/z", ["https://t.co/zzzzzzzzzz"])
    ]
    counted = json.loads(summary.read_text())
    # the tweet without text is no post (it shows nothing); as a line it is still one record
    assert (counted["records"], counted["posts"]) == (4, 3)


@settings(max_examples=200, deadline=None)
@given(
    slug=st.text(alphabet="abcXYZ0189", min_size=1, max_size=14),
    scheme=st.sampled_from(["http", "https", "HTTPS", "ftp"]),
    host=st.sampled_from(["t.co", "T.co", "t.co.", "x.t.co"]),
)
def test_a_shown_tco_reads_as_parsing_it_does(slug: str, scheme: str, host: str) -> None:
    url = f"{scheme}://{host}/{slug}"
    parsed = parse_link(url)
    assert scan._shown_url(url) == scan._same_link(url if parsed is None else parsed.url)
