"""A shape's ``marks`` are keys one of which it needs to take an object for a post (whatever holds
it), a holder of posts or a wrapper: the walk passes objects with none of any shape's marks
without asking the shapes. Checked on objects made of the keys and values the shapes look for,
and on the exports, read with the marks and without them (every shape asked of every object)."""

from __future__ import annotations

import dataclasses
import io
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from linkguard.inputs import jsondump
from linkguard.inputs.decoding import text_stream
from linkguard.inputs.jsontree import Obj
from linkguard.inputs.shapes import SHAPES

EXPORTS = Path(__file__).parent / "data" / "exports"

#: Keys and values the shapes' tests look at.
KEYS = st.sampled_from(
    [
        *("id", "id_str", "full_text", "text", "html", "type", "$type", "uri", "content", "contentMap"),
        *("account", "permalink", "selftext", "body", "subreddit", "timestamp", "data", "attachments"),
        *("kind", "snippet", "webpage_url", "comments", "messages", "object", "record", "value", "author"),
        *("author_id", "parent", "text_entities", "tweet", "n"),
    ]
)
SCALARS = st.sampled_from(
    [
        *("message", "app.bsky.feed.post", "youtube#comment", "youtube#commentThread", "Note", "Create"),
        *("Announce", "Article", "Page", "x", "", 5, 1700000000, None, True),
    ]
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(KEYS, inner, max_size=4),
    max_leaves=8,
)
HOLDERS: list[dict[str, Any] | None] = [
    None,
    {},
    {"webpage_url": "https://www.youtube.com/watch?v=x", "comments": [], "id": "x"},
    {"kind": "youtube#commentThread", "id": "x", "snippet": {"videoId": "x"}},
    {"id": 42, "name": "Kanal", "messages": [], "type": "public_channel"},
]


@settings(max_examples=200, deadline=None)
@given(fields=st.dictionaries(KEYS, SCALARS | VALUES, max_size=8))
def test_an_object_without_a_shapes_marks_is_none_of_its_posts_holders_or_wrappers(
    fields: dict[str, Any],
) -> None:
    for shape in SHAPES:
        assert shape.marks is not None, shape.platform
        obj = Obj.of({key: value for key, value in fields.items() if key not in shape.marks})
        assert not any(shape.is_post(obj, holder) for holder in HOLDERS), (shape.platform, obj.fields)
        assert not shape.holds_posts(obj), (shape.platform, obj.fields)
        assert not shape.wrapper_meta(obj), (shape.platform, obj.fields)


def _read(path: Path) -> list[object]:
    with path.open("rb") as raw:
        stream = text_stream(io.BufferedReader(raw), "utf-8")  # type: ignore[arg-type]
        reader = jsondump.read_lines if path.suffix in (".jsonl", ".ndjson") else jsondump.read_document
        return list(reader(stream, path.name))


@pytest.mark.parametrize("name", [*sorted(p.name for p in EXPORTS.glob("*.js*")), "reddit.ndjson"])
def test_exports_read_with_marks_as_with_every_shape_asked(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    marked = _read(EXPORTS / name)
    monkeypatch.setattr(jsondump, "SHAPES", tuple(dataclasses.replace(s, marks=None) for s in SHAPES))
    assert marked == _read(EXPORTS / name)
    assert marked
