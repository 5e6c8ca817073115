"""The popular list's name maps in C (``profile.name_map``) against the dicts they replace."""

from __future__ import annotations

import pickle
from array import array

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from linkguard.lookalike import profile as profile_module
from linkguard.lookalike.index import Index, _pack_profile, _unpack_profile
from linkguard.lookalike.profile import WebProfile, _name_dict, name_at, name_map
from linkguard.rules import load_rules

needs_c = pytest.mark.skipif(profile_module._NameMap is None, reason="the C extension is not built")

#: Names as the popular list has them, and some that are not: empty, beyond Latin-1 and the BMP.
_NAME = st.text(alphabet=st.characters(blacklist_characters="\n", blacklist_categories=("Cs",)), max_size=8)
_ENTRIES = st.dictionaries(_NAME, st.integers(min_value=0, max_value=2**32 - 1), max_size=60)


def _packed(entries: dict[str, int]) -> tuple[str, bytes]:
    return "\n".join(entries), array("I", entries.values()).tobytes()


@needs_c
@given(_ENTRIES, st.lists(_NAME, max_size=10))
@example({"welt.de": 1, "spiegel.de": 2, "": 3}, ["welt", "welt.de ", "WELT.DE"])
@example({"münchen.de": 7, "𝐰𝐞𝐥𝐭.de": 8}, ["muenchen.de"])
def test_name_map_is_the_dict(entries: dict[str, int], others: list[str]) -> None:
    if list(entries) == [""]:  # "" packs as no names at all, as the dict it replaces reads it
        entries = {}
    text, numbers = _packed(entries)
    fast, slow = name_map(text, numbers), _name_dict(text, numbers)
    assert slow == entries
    assert len(fast) == len(slow)
    assert list(fast) == list(slow)
    assert dict(fast.items()) == slow and list(fast.values()) == list(slow.values())
    assert fast == slow
    for key in [*entries, *others]:
        assert (key in fast) == (key in slow)
        assert fast.get(key) == slow.get(key)
        assert fast.get(key, -1) == slow.get(key, -1)
        if key in slow:
            assert fast[key] == slow[key]
        else:
            with pytest.raises(KeyError):
                fast[key]
    at_fast, at_slow = name_at(fast), name_at(slow)
    assert [at_fast(i) for i in range(len(slow))] == [at_slow(i) for i in range(len(slow))]


@needs_c
def test_name_map_refuses_what_the_dict_would_merge_or_misread() -> None:
    with pytest.raises(ValueError):
        name_map("a\na", array("I", [1, 2]).tobytes())  # a name twice: the dict keeps one
    with pytest.raises(ValueError):
        name_map("a\nb", array("I", [1]).tobytes())  # strict=True
    fast = name_map("a", array("I", [1]).tobytes())
    assert 1 not in fast and fast.get(None) is None and "\ud800" not in fast
    with pytest.raises(TypeError):
        [] in fast  # noqa: B015 - unhashable, as for a dict
    with pytest.raises(IndexError):
        name_at(fast)(1)


def test_unpacked_profile_equals_the_profile_it_packs() -> None:
    index = Index(load_rules())
    profile = index.profile
    restored = _unpack_profile(_pack_profile(profile))
    assert isinstance(restored, WebProfile)
    assert restored.ranks == profile.ranks and list(restored.ranks) == list(profile.ranks)
    assert restored.label_counts == profile.label_counts
    assert _unpack_profile(_pack_profile(restored)).ranks == profile.ranks  # packs again (pickling)
    again = pickle.loads(pickle.dumps(Index.from_payload(index.to_payload())))
    assert again.profile.ranks == profile.ranks
    for label in ("eatingwell", "welt", "google", "zzzz-not-a-site"):
        assert again.popular_brand(label) == index.popular_brand(label)
