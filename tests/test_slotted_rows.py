"""``rules.model.from_rows`` (the C ``slotted`` for slotted dataclasses) against calling the class."""

from __future__ import annotations

import pickle
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from linkguard.lookalike.index import Brand, Index
from linkguard.models import Outlet
from linkguard.rules import model
from linkguard.rules.model import RULE_CLASSES, RuleSet, as_row, from_rows

needs_c = pytest.mark.skipif(model._slotted is None, reason="the C extension is not built")

_TEXT = st.text(max_size=6)
_OUTLET_ROW = st.tuples(
    _TEXT, st.tuples(_TEXT), st.tuples(_TEXT), _TEXT, _TEXT, _TEXT, _TEXT, _TEXT
)  # Outlet's eight fields


def _same(a: list[Any], b: list[Any]) -> None:
    assert a == b
    assert [type(x) for x in a] == [type(x) for x in b]
    assert [as_row(x) for x in a] == [as_row(x) for x in b]
    assert [hash(x) for x in a] == [hash(x) for x in b]
    assert [repr(x) for x in a] == [repr(x) for x in b]


@given(st.lists(_OUTLET_ROW, max_size=20))
def test_outlets_from_rows_equal_the_outlets_called(rows: list[tuple[Any, ...]]) -> None:
    _same(from_rows(Outlet, rows), [Outlet(*row) for row in rows])


@given(st.lists(st.tuples(_TEXT, _OUTLET_ROW, _TEXT, st.tuples(_TEXT), st.booleans()), max_size=20))
def test_brands_from_rows_equal_the_brands_called(rows: list[tuple[Any, ...]]) -> None:
    rows = [(label, Outlet(*o), domain, suffixes, generic) for label, o, domain, suffixes, generic in rows]
    built = from_rows(Brand, rows)
    _same(built, [Brand(*row) for row in rows])
    assert all(b.outlet is row[1] for b, row in zip(built, rows, strict=True))  # shared, not copied


def test_every_rule_class_restores_as_built() -> None:
    from linkguard.rules import load_rules

    rules = load_rules()
    for name, cls in RULE_CLASSES.values():
        made = getattr(rules, name)
        _same(from_rows(cls, [as_row(r) for r in made]), list(made))
    again = RuleSet.from_rows(rules.to_rows())
    assert again == rules
    assert pickle.loads(pickle.dumps(again)) == rules
    idx = Index(rules)
    restored = Index.from_payload(idx.to_payload())
    assert restored.brands == idx.brands
    assert [b.outlet for same in restored.brands.values() for b in same] == [
        b.outlet for same in idx.brands.values() for b in same
    ]


@needs_c
@pytest.mark.parametrize(
    "rows",
    [
        [("welt",)],  # too few values
        [("WELT", ("welt.de",), (), "DE", "newspaper", "bundled", "curated", "", "extra")],
        [["WELT", ("welt.de",), (), "DE", "newspaper", "bundled", "curated", ""]],  # not a tuple
    ],
)
def test_malformed_rows_raise_type_error(rows: list[Any]) -> None:
    """What ``read_cache`` catches to rebuild from a damaged payload, as calling the class would."""
    with pytest.raises(TypeError):
        from_rows(Outlet, rows)


@needs_c
def test_slotted_refuses_what_is_no_slot() -> None:
    assert model._slotted is not None
    with pytest.raises(TypeError):
        model._slotted(Outlet, ("nope",), [("x",)])
    with pytest.raises(TypeError):
        model._slotted(dict, ("name",), [("x",)])
    with pytest.raises(TypeError):  # instances with a __dict__
        model._slotted(_Plain, ("value",), [(1,)])


@dataclass(frozen=True, slots=True)
class _Checked:
    value: int

    def __post_init__(self) -> None:
        if self.value < 0:
            raise ValueError("negative")


@dataclass(frozen=True)
class _Plain:
    value: int


def test_classes_whose_init_does_more_are_called() -> None:
    """A ``__post_init__`` or a ``__dict__``: ``from_rows`` calls the class, which checks."""
    with pytest.raises(ValueError, match="negative"):
        from_rows(_Checked, [(-1,)])
    assert from_rows(_Checked, [(1,)]) == [_Checked(1)]
    assert from_rows(_Plain, [(2,)]) == [_Plain(2)]
