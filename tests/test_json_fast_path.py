"""The shortcuts that make structured input fast give exactly what the plain way gives.

Where JSON string literals open is found in C (``linkguard._blocks.literal_starts``) or with
``str`` methods; JSON Lines are parsed with orjson, and with ``json`` where orjson refuses a
line ``json`` reads. Each is checked against the plain computation.
"""

from __future__ import annotations

import json
import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from linkguard.inputs import jsontree

#: JSON values whose strings hold what makes literals hard to find: quotes, backslash runs,
#: escapes, characters outside ASCII and outside the BMP.
PIECES = ['"', "\\", "\\\\", "a", "/", "é", "😀", "\n", " ", "u"]
STRINGS = st.lists(st.sampled_from(PIECES), max_size=12).map("".join)
VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | STRINGS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(STRINGS, inner, max_size=4),
    max_leaves=12,
)


def _count(value: object) -> int:
    if isinstance(value, str):
        return 1
    if isinstance(value, dict):
        return sum(1 + _count(item) for item in value.values())
    if isinstance(value, list):
        return sum(_count(item) for item in value)
    return 0


def test_the_c_literal_search_is_built_under_ci() -> None:
    if os.environ.get("CI") and jsontree._literal_starts is jsontree._literal_starts_py:
        pytest.fail("linkguard._blocks was not built (no C compiler?); JSON runs the slower Python path")


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(value=VALUES, ascii_only=st.booleans(), indent=st.sampled_from([None, 2]), pad=st.integers(0, 3))
def test_literal_starts_in_c_and_python_agree_and_open_every_literal(
    value: object, ascii_only: bool, indent: int | None, pad: int
) -> None:
    body = json.dumps(value, ensure_ascii=ascii_only, indent=indent)
    raw = "é" * pad + body + '"x"'  # the window is part of a larger text
    start, end = pad, pad + len(body)
    starts = jsontree._literal_starts(raw, start, end)
    assert starts == jsontree._literal_starts_py(raw, start, end)
    assert len(starts) == _count(value)
    for at in starts:  # each is an opening quote from which json reads one string
        assert raw[at] == '"'
        assert isinstance(json.JSONDecoder().raw_decode(raw, at)[0], str)
