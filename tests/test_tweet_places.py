"""A tweet that shows a link is read with its text and links placed in one call
(``Positions.places``, ``literal_places`` in C) and their pointers written onto the tweet's:
the records are those of placing each field on its own (``Walker.place``), as it was read before.
"""

from __future__ import annotations

import dataclasses
import io
import json
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from linkguard.inputs import jsondump, jsontree
from linkguard.inputs.jsontree import OBJECTS, Holder, Obj, Path, Walker, as_dict, members, pointer
from linkguard.inputs.shapes import SHAPES, twitter
from linkguard.models import Record


def _read_post_placing_each(obj: Obj, path: Path, walker: Walker, holder: Holder | None) -> Iterator[Record]:
    """The slow way: ``twitter.read_post`` as it was, each field placed by ``Walker.place``."""
    fields, source = obj.fields, walker.source
    post = twitter.post_of(fields)
    text_key = "full_text" if "full_text" in fields else "text"
    at, rest = walker.split_post(obj, path, post, twitter._OWN[text_key], twitter._META)
    text = fields.get(text_key)
    if not isinstance(text, str):
        text = ""
    here = walker.place(at, (*path, text_key))
    for group in ("entities", "extended_entities"):
        entities = fields.get(group)
        if not isinstance(entities, OBJECTS):
            continue
        for kind, items in members(entities):
            if kind not in ("urls", "media") or not isinstance(items, list):
                continue
            for i, item in enumerate(items):
                if not isinstance(item, OBJECTS):
                    continue
                link = as_dict(item)
                short = link.get("url")
                expanded = link.get("expanded_url") or short
                if not isinstance(expanded, str):
                    continue
                shown = link.get("display_url")
                where = (*path, group, kind, str(i), "expanded_url" if "expanded_url" in link else "url")
                line, column = walker.place(at, where, here)
                yield Record(
                    expanded,
                    source,
                    line,
                    column,
                    pointer(where),
                    shown if isinstance(shown, str) else None,
                    1,
                    None,
                    post,
                    (short,) if isinstance(short, str) and short != expanded else (),
                    "expanded_url",
                    text or None,
                )
    if text:
        yield from walker.string_records(text, *here, pointer((*path, text_key)), post)
    yield from rest


#: The shapes with the X shape reading the slow way (and proving nothing quiet, on either side).
SLOW = tuple(
    dataclasses.replace(shape, read_post=_read_post_placing_each, quiet=None, quiet_raw=None)
    if shape is twitter.SHAPE
    else shape
    for shape in SHAPES
)
FAST = tuple(
    dataclasses.replace(shape, quiet=None, quiet_raw=None) if shape is twitter.SHAPE else shape
    for shape in SHAPES
)

WORDS = st.sampled_from(
    ["", "Krieg", "Grüße …", "😀", "zwei\nZeilen", 'ein "Zitat"', "\\", "https://t.co/AbC", "~/"]
)
TEXT = st.lists(WORDS, max_size=4).map(" ".join)
LINK_VALUES = st.sampled_from(
    ["https://t.co/AbC", "https://welt.ltd/a…", "https://spiegel.ltd/ö", "", None, 5, ["x"], {"u": "v"}]
)


@st.composite
def link_items(draw: st.DrawFn) -> Any:
    """An ``entities.urls[]`` item, its keys in any order, some missing, odd or written twice."""
    if draw(st.integers(0, 9)) == 0:
        return draw(st.sampled_from(["https://welt.ltd/odd", None, 3, []]))
    keys = draw(st.lists(st.sampled_from(["url", "expanded_url", "display_url", "indices", "x"]), max_size=6))
    pairs = [(key, draw(LINK_VALUES) if key != "indices" else ["1", "2"]) for key in keys]
    return dict(pairs) if draw(st.booleans()) else pairs  # pairs: a key may come twice in the text


@st.composite
def entities(draw: st.DrawFn) -> Any:
    kinds = draw(st.lists(st.sampled_from(["urls", "media", "hashtags", "urls"]), max_size=4))
    pairs = [
        (kind, draw(st.lists(link_items(), max_size=3)) if kind != "hashtags" else [{"text": "t"}])
        for kind in kinds
    ]
    return dict(pairs) if draw(st.booleans()) else pairs


@st.composite
def tweets(draw: st.DrawFn) -> list[tuple[str, Any]]:
    """A tweet that may show links, its members in any order, with others beside them."""
    pairs: list[tuple[str, Any]] = [("id_str", draw(st.sampled_from(["1001", 7, "1~/2"])))]
    pairs.append((draw(st.sampled_from(["full_text", "text"])), draw(TEXT | st.sampled_from([None, 4]))))
    pairs.append(("created_at", "Mon Jan 01 12:00:00 +0000 2024"))
    for group in ("entities", "extended_entities"):
        if draw(st.booleans()):
            pairs.append((group, draw(entities())))
    extra = [("lang", "de"), ("user", {"screen_name": "jemand"}), ("note", "welt.ltd/n"), ("count", 3)]
    extra.append(
        (
            "quoted_status",
            {
                "id_str": "9",
                "text": "q https://t.co/q",
                "entities": {"urls": [{"url": "https://t.co/q", "expanded_url": "https://q.ltd/"}]},
            },
        )
    )
    pairs += draw(st.lists(st.sampled_from(extra), max_size=3))
    pairs = draw(st.permutations(pairs))
    if draw(st.integers(0, 4)) == 0:
        pairs.append(draw(st.sampled_from(pairs)))  # a key written twice
    return pairs


def _json(value: Any, indent: int | None, ascii_only: bool) -> str:
    """``value`` written as JSON, lists of pairs as objects (so a key may come twice)."""
    if isinstance(value, list) and value and all(isinstance(p, tuple) for p in value):
        inner = [
            f"{json.dumps(k, ensure_ascii=ascii_only)}:  {_json(v, indent, ascii_only)}" for k, v in value
        ]
        sep = ",\n " if indent is not None else ", "
        return "{" + sep.join(inner) + "}"
    if isinstance(value, list):
        return (
            "["
            + (",\n" if indent is not None else ",").join(_json(v, indent, ascii_only) for v in value)
            + "]"
        )
    if isinstance(value, dict):
        return _json(list(value.items()), indent, ascii_only) if value else "{}"
    return json.dumps(value, ensure_ascii=ascii_only)


def _read(shapes: tuple[jsontree.Shape, ...], read: Any, text: str) -> list[Any]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(jsondump, "SHAPES", shapes)
        return list(read(io.StringIO(text), "t.js"))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    posts=st.lists(tweets(), min_size=1, max_size=3),
    wrapper=st.sampled_from(['{{"tweet": {}}}', "{}", '{{"a/b": {}}}', "[{}]", '{{"tweet": {}, "n": 1}}']),
    indent=st.sampled_from([None, 2]),
    ascii_only=st.booleans(),
)
def test_a_tweet_reads_as_placing_each_field_reads_it(
    posts: list[list[tuple[str, Any]]], wrapper: str, indent: int | None, ascii_only: bool
) -> None:
    raws = [wrapper.format(_json(pairs, indent, ascii_only)) for pairs in posts]
    archive = "window.YTD.tweets.part0 = [\n" + ",\n".join(raws) + "\n]"
    lines = "".join(raw.replace("\n", " ") + "\n" for raw in raws)
    for text, read in ((archive, jsondump.read_document), (lines, jsondump.read_lines)):
        assert _read(FAST, read, text) == _read(SLOW, read, text)


@settings(max_examples=400, deadline=None)
@given(
    text=st.lists(st.sampled_from(["a", "\n", "é", "😀", '"']), max_size=40).map("".join),
    data=st.data(),
)
def test_literal_places_in_c_and_python_agree(text: str, data: st.DataObject) -> None:
    starts = sorted(data.draw(st.lists(st.integers(0, len(text)), max_size=8)))
    indices = data.draw(st.lists(st.integers(0, len(starts) + 1) | st.none(), max_size=6))
    offset = data.draw(st.integers(0, len(text)))
    line, column0 = data.draw(st.integers(1, 50)), data.draw(st.integers(1, 9))
    expected = jsontree._literal_places_py(text, starts, indices, offset, line, column0)
    assert jsontree.literal_places(text, starts, indices, offset, line, column0) == expected


def _walked_and_c(pairs: list[tuple[str, Any]], path: Path) -> tuple[Any, Any]:
    """``twitter._links_walked`` and ``tweet_links`` (C) of the tweet ``pairs`` parsed to dicts,
    each with where the walk ends; C's ``None`` (left to the walk) as is."""
    raw = _json(pairs, None, False)
    fields = json.loads(raw)
    text_key = "full_text" if "full_text" in fields else "text"
    base = pointer(path) if path else ""
    walker = Walker(jsontree.Positions(raw), "t.js", SHAPES)
    indices, links, rest = twitter._links_walked(
        Obj.of(fields), path, walker, twitter.post_of(fields), text_key, base
    )
    assert twitter.tweet_links is not None
    return (walker.pos.next, indices, links, rest), twitter.tweet_links(
        fields, 0, text_key, base, twitter._META
    )


@pytest.mark.skipif(twitter.tweet_links is None, reason="linkguard._blocks is not built")
@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pairs=tweets(), path=st.sampled_from([(), ("0", "tweet"), ("a~/b",)]))
def test_an_ordinary_tweet_reads_in_c_as_walking_it(pairs: list[tuple[str, Any]], path: Path) -> None:
    (end, indices, links, rest), read = _walked_and_c(pairs, path)
    if read is not None:  # nothing to walk in Python, so nothing the walk gave apart
        assert rest == []
        assert read == (end, indices, links)


def test_c_reads_the_ordinary_tweet_and_leaves_the_rest_to_the_walk() -> None:
    """The layout of an X archive's tweet is read in C (the test above is not empty); a member the
    walk must read (a quoted post, a note) leaves the tweet to it."""
    if twitter.tweet_links is None:
        pytest.skip("linkguard._blocks is not built")
    link = [
        ("url", "https://t.co/AbC"),
        ("expanded_url", "https://welt.ltd/a"),
        ("display_url", "welt.ltd/a"),
    ]
    pairs: list[tuple[str, Any]] = [
        ("edit_info", {"initial": {"editTweetIds": ["1"]}}),
        ("entities", [("hashtags", []), ("urls", [[*link, ("indices", ["1", "2"])]])]),
        ("extended_entities", {"media": [dict(link)]}),
        ("id_str", "1"),
        ("favorite_count", 3),
        ("full_text", "a https://t.co/AbC"),
        ("created_at", "Mon Jan 01 12:00:00 +0000 2024"),
    ]
    (end, indices, links, _rest), read = _walked_and_c(pairs, ("0", "tweet"))
    assert read == (end, indices, links)
    assert len(links) == 2 and links[0][0] == "/0/tweet/entities/urls/0/expanded_url"
    for extra in (("note", "welt.ltd/n"), ("user", {"screen_name": "jemand"})):
        assert _walked_and_c([*pairs, extra], ())[1] is None
