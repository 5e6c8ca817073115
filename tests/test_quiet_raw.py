"""A quiet tweet told from its raw text (``twitter.quiet_raw``, in C) gives exactly what parsing
and reading it gives, alone and in JSON Lines; whatever the strict reading refuses
(malformed JSON, a key written twice or escaped, NaN, deep nesting) is parsed as before.
"""

from __future__ import annotations

import dataclasses
import io
import json
import os
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_quiet_posts import WRAPPERS, tweets

from linkguard.inputs import jsondump, jsontree
from linkguard.inputs.shapes import SHAPES, twitter
from linkguard.models import Record, Skipped

#: The same shapes without the raw test: every post is parsed and read.
PARSED = tuple(
    dataclasses.replace(shape, quiet_raw=None, quiet_runs=None, quiet_lines=None) for shape in SHAPES
)

#: What may be spliced into a post's raw text: JSON's own characters, escapes, the start of a
#: link or of an obfuscated one, a non-JSON number, characters outside ASCII and a control one.
SPLICES = st.sampled_from(
    [
        *['"', ",", ":", "{", "}", "[", "]", " ", "\n", "\\", '\\"', "\\u0041", "\\u00e9", "\\n", "\\/"],
        *["\\x", "0", "-", "1e5", "01", "NaN", "true", "nul", "é", "…", "😀", "\ud800", "\x01", "\t"],
        *["welt.ltd", "https://", "welt[.]ltd", "welt dot ltd", "<a href='x'>", "t.co/x"],
    ]
)
LAYOUTS = st.sampled_from([None, 0, 2])


@st.composite
def raw_posts(draw: st.DrawFn) -> str:
    """A tweet as a value of its own, laid out as json.dumps may write it, sometimes spliced."""
    pairs: list[tuple[str, Any]] = draw(tweets())
    if draw(st.booleans()):  # each key once (the strategy writes one twice half the time)
        pairs = list(dict(pairs).items())
    indent, ascii_only = draw(LAYOUTS), draw(st.booleans())
    body = "{" + ", ".join(f"{json.dumps(k)}: {json.dumps(v, indent=indent)}" for k, v in pairs) + "}"
    if ascii_only:
        body = json.dumps(json.loads(body), indent=indent)  # keys once, escapes for non-ASCII
    raw: str = draw(WRAPPERS | st.sampled_from(["{}", '{{"tweet": {}}}'])).format(body)
    for _ in range(draw(st.sampled_from([0, 0, 1, 2]))):
        at = draw(st.integers(0, len(raw)))
        raw = raw[:at] + draw(SPLICES) + raw[at + draw(st.integers(0, 2)) :]
    return raw


def _lines(raws: list[str], shapes: tuple[jsontree.Shape, ...]) -> list[Record | Skipped]:
    text = "".join(raw.replace("\n", " ") + "\n" for raw in raws)
    return list(_with_shapes(shapes, lambda: jsondump.read_lines(io.StringIO(text), "t.jsonl")))


def joined(items: list[Record | Skipped]) -> list[Record | Skipped]:
    """Consecutive empty records of no post (quiet posts, values without a string) as one, at the
    first one's line, counting what they all count: what a reader that gives a run of quiet posts
    one record and one that gives each its own agree on, and all the scan reads of them."""
    out: list[Record | Skipped] = []
    for item in items:
        last = out[-1] if out else None
        if _empty(item) and last is not None and _empty(last):
            assert isinstance(item, Record) and isinstance(last, Record)
            out[-1] = dataclasses.replace(last, count=last.count + item.count, posts=last.posts + item.posts)
        else:
            out.append(item)
    return out


def _empty(item: Record | Skipped) -> bool:
    return isinstance(item, Record) and not item.text and item.post is None


def _with_shapes(shapes: tuple[jsontree.Shape, ...], read: Any) -> list[Record | Skipped]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(jsondump, "SHAPES", shapes)
        return list(read())


def test_the_raw_tweet_test_is_built_under_ci() -> None:
    if os.environ.get("CI") and twitter.tweet_quiet is None:
        pytest.fail("linkguard._blocks was not built (no C compiler?); every tweet is parsed")


needs_c = pytest.mark.skipif(twitter.tweet_quiet is None, reason="linkguard._blocks not built")


@needs_c
@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=raw_posts())
def test_a_raw_answer_is_what_parsing_and_reading_the_post_gives(raw: str) -> None:
    walker = jsontree.Walker(jsontree.Positions(""), "t.json", SHAPES)
    quiet = walker.quiet_records(raw, 0, len(raw))
    if quiet is None:
        return
    value = json.loads(raw)  # the strict reading accepts only what json reads
    starts = jsontree.literal_starts(raw, 0, len(raw))[0]
    slow = jsontree.Walker(jsontree.Positions(raw, 1, 0, len(raw), 1, starts), "t.json", PARSED)
    pairs = lambda: json.loads(raw, object_pairs_hook=jsontree.pairs_hook)  # noqa: E731
    assert slow.records(value, (), None, pairs) == [Record("", "t.json", 1, 1, posts=1)] * quiet


@needs_c
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raws=st.lists(raw_posts(), min_size=1, max_size=4))
def test_json_lines_read_as_parsing_every_post_reads_them(raws: list[str]) -> None:
    assert joined(_lines(raws, SHAPES)) == joined(_lines(raws, PARSED))


@needs_c
@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ('{"id_str": "1", "full_text": "Krieg und Frieden", "entities": {"urls": [ ]}}', 1),
        ('{\n  "id_str": "1",\n  "full_text": "Krieg … Frieden",\n  "lang": "de"\n}', 1),  # indented, UCS-2
        ('{"tweet": {"id_str": "1", "text": "", "lang": "de"}}', 0),
        ('{"id_str": "1", "full_text": "Krieg", "id_str": "2"}', None),  # a key twice
        ('{"id_str": "1", "full_text": "Krieg", "n": NaN}', None),
        ('{"id_str": "1", "full_text": "Krieg \\u0041"}', None),  # an escape: parsed
        ('{"id_str": "1", "full_text": "siehe welt dot ltd"}', None),
        ('{"id_str": "1", "full_text": "Krieg", "entities": {"media": [{}]}}', None),
        ('{"extended_entities": {"media": [{"url": "t.co/x"}]}, "id_str": "1", "text": "K"}', None),
        ('{"entities": {"urls": [], "media": []}, "id_str": "1", "text": "Krieg", "lang": "de"}', 1),
        ('{"id_str": "1", "full_text": "Krieg",}', None),
        ('{"id_str": "1", "full_text": "Krieg"} {}', None),
        ('{"id": {"id_str": "1", "full_text": "Krieg"}}', None),  # a mark: no wrapper
    ],
)
def test_which_raw_tweets_are_quiet(raw: str, expected: int | None) -> None:
    walker = jsontree.Walker(jsontree.Positions(""), "t.json", SHAPES)
    assert walker.quiet_records(raw, 0, len(raw)) == expected


#: Elements enough that the first block read does not hold an archive.
_ARCHIVE_FILLER = [json.dumps({"like": {"tweetId": str(i), "fullText": "x" * 1000}}) for i in range(300)]


@needs_c
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raws=st.lists(raw_posts(), min_size=1, max_size=4))
def test_an_archive_reads_as_parsing_every_post_reads_it(raws: list[str]) -> None:
    """An X archive's elements are tested raw too (``jsondump._elements``: an archive the first
    block read does not hold is read element by element)."""
    text = "window.YTD.tweets.part0 = [" + ",\n  ".join([*_ARCHIVE_FILLER, *raws]) + "\n]\n"
    read = lambda: jsondump.read_document(io.StringIO(text), "tweets.js")  # noqa: E731
    assert joined(_with_shapes(SHAPES, read)) == joined(_with_shapes(PARSED, read))


@needs_c
@pytest.mark.parametrize("filler", ["a", "é", "…"])  # one, one (not ASCII) and two bytes a character
@pytest.mark.parametrize(("stop", "expected"), [("", 1), ("\x01", None), ("\\n", None), ('\\"', None)])
def test_a_literal_is_read_to_its_end_at_any_offset(filler: str, stop: str, expected: int | None) -> None:
    """The plain runs of a literal are read 16 bytes at a time: what ends one (a control
    character, an escape) is seen wherever it falls, in the wrapper's key and in the post."""
    walker = jsontree.Walker(jsontree.Positions(""), "t.json", SHAPES)
    for at in range(40):
        text = filler * at + stop + filler * (40 - at)
        raw = f'{{"tweet": {{"id_str": "1", "full_text": "{text}", "lang": "{text}"}}}}'
        assert walker.quiet_records(raw, 0, len(raw)) == expected


@pytest.mark.parametrize(("before", "column0"), [("[1, ", 5), ("[1,\n   ", 1)])
def test_a_quiet_post_read_from_its_parse_is_counted_where_it_starts(before: str, column0: int) -> None:
    """The empty record that counts a quiet post sits where the post starts, not at column 1 of
    its line: a broken range's way out keeps records by position, and a post after the comma on
    the comma's line must be kept."""
    element = '{"tweet": {"id_str": "7", "full_text": "no link here"}}'
    raw = before + element + "]"
    start = len(before)
    walker = jsontree.Walker(jsontree.Positions(raw, 3, start, start + len(element), column0), "t.js", SHAPES)
    [record] = walker.records(json.loads(element), ("1",), None, lambda: None)
    nl = raw.rfind("\n", 0, start)
    column = start - nl if nl >= 0 else column0 + start
    assert (record.text, record.posts, record.line, record.column) == ("", 1, 3, column)
    assert column > 1
