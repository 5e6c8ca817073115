"""The shortcuts that make classifying a never-seen domain fast give what the long way gives.

Each shortcut is checked against the computation it replaces: the suffix split against
tldextract's own call, the C SymSpell lookup against its Python twin, and the combo prefilter
(``Index.may_glue``) against the full search, both on its own and through whole verdicts of
random and mutated outlet names.
"""

from __future__ import annotations

import string
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from linkguard.lookalike import Detector, load_detector
from linkguard.lookalike import index as index_module
from linkguard.lookalike.index import GLUED_NAME_MIN, GLUED_WORD_MIN, Index, _deletion_hits_py, deletes
from linkguard.lookalike.wordlists import ARTICLES, COMBO_WORDS
from linkguard.normalize import split_suffix, suffix_extractor

_LABEL = st.text(alphabet=string.ascii_lowercase + string.digits + "-_", min_size=1, max_size=12)
#: Endings that exercise every branch of the suffix walk: plain, two-level, private (blogspot.com,
#: github.io), wildcard (*.ck, *.kawasaki.jp) and wildcard exceptions (!www.ck, !city.kawasaki.jp).
_ENDINGS = ["com", "de", "co.uk", "uk", "ck", "www.ck", "kawasaki.jp", "city.kawasaki.jp", "jp",
            "blogspot.com", "github.io", "com.de", "eu.com", "xx", "local", "s3.amazonaws.com",
            "compute.amazonaws.com", "nic.ck", "co.za", "za", "gov.uk"]  # fmt: skip


def _full_split(host: str) -> tuple[str, str, str, bool]:
    parts = suffix_extractor()(host)
    return parts.subdomain, parts.domain, parts.suffix, parts.is_private


@given(st.lists(_LABEL, min_size=0, max_size=3), st.sampled_from(_ENDINGS))
@example([], "co.uk")
@example(["www"], "ck")
@example(["a", "city"], "kawasaki.jp")
@example(["1", "2", "3"], "4")
def test_split_suffix_is_tldextracts_split(labels: list[str], ending: str) -> None:
    host = ".".join([*labels, ending])
    assert tuple(split_suffix(host)) == _full_split(host)


@given(st.text(alphabet=string.ascii_lowercase + string.digits + ".-_", min_size=1, max_size=40))
def test_split_suffix_of_any_ldh_text(host: str) -> None:
    assert tuple(split_suffix(host)) == _full_split(host)


def test_split_suffix_of_a_punycode_host_takes_tldextracts_call() -> None:
    host = "xn--wlt-jma.xn--p1ai"  # decoded, the ending is .рф: the trie holds it decoded
    assert tuple(split_suffix(host)) == _full_split(host)
    assert split_suffix(host).suffix == "xn--p1ai"


_KEYS = st.text(alphabet="aabcdeéхw-1", max_size=10) | st.text(max_size=8)


@given(_KEYS, st.lists(_KEYS, max_size=6))
def test_deletion_hits_in_c_and_python_agree(key: str, names: list[str]) -> None:
    c_version = index_module._deletion_hits_c
    if c_version is None:  # pragma: no cover - built without a compiler
        pytest.skip("linkguard._blocks was not built")
    index: dict[str, Any] = {v: 1 for name in names for v in deletes(name, 1)}
    index |= {v: 2 for v in list(deletes(key, 1))[: len(names)]}  # some of the key's own variants
    found = c_version(key, index)
    assert len(found) == len(set(found))
    assert set(found) == set(_deletion_hits_py(key, index)) == deletes(key, 1) & index.keys()


def test_deletion_hits_refuses_what_is_not_a_dict() -> None:
    if index_module._deletion_hits_c is None:  # pragma: no cover - built without a compiler
        pytest.skip("linkguard._blocks was not built")
    with pytest.raises(TypeError):
        index_module._deletion_hits_c("welt", {"welt"})  # type: ignore[arg-type]


class _NamesEverything(frozenset[str]):
    def isdisjoint(self, other: object) -> bool:
        return False


class _Unfiltered(Index):
    """The index with the prefilters off: every split of every token is tried, every name is
    looked up for a typo, every host is looked up in each rule map."""

    ruled_hosts = _NamesEverything()  # type: ignore[assignment]

    def may_glue(self, token: str) -> bool:
        return True

    def may_be_typo(self, key: str) -> bool:
        return True


@pytest.fixture(scope="module")
def detectors() -> tuple[Detector, Detector]:
    fast = load_detector(use_blocklist=False)
    index = _Unfiltered.from_payload(fast.index.to_payload())
    full = Detector(index.rules, use_blocklist=False, index=index)
    return fast, full


@pytest.fixture(scope="module")
def names(detectors: tuple[Detector, Detector]) -> list[str]:
    return sorted(detectors[0].index.curated_brands)


_WORDS = sorted(COMBO_WORDS | ARTICLES)


def _mutate(data: st.DataObject, name: str) -> str:
    """An outlet name changed the ways lookalikes change it (and some ways they do not)."""
    word = data.draw(st.sampled_from(_WORDS))  # combo words and articles
    how = data.draw(st.sampled_from(["glue-after", "glue-before", "hyphen", "typo", "digits", "same"]))
    if how == "glue-after":
        return name + word
    if how == "glue-before":
        return word + name
    if how == "hyphen":
        return f"{name}-{word}"
    if how == "digits":
        return f"{name}{data.draw(st.integers(0, 99))}"
    if how == "typo" and name:
        at = data.draw(st.integers(0, len(name) - 1))
        letter = data.draw(st.sampled_from(string.ascii_lowercase))
        return name[:at] + letter + name[at + 1 :]
    return name


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_combo_prefilter_never_hides_a_glued_name(
    detectors: tuple[Detector, Detector], names: list[str], data: st.DataObject
) -> None:
    """Whenever a split is a name glued to a combo word, ``may_glue`` lets the token through."""
    index = detectors[0].index
    token = data.draw(
        st.sampled_from(names).map(lambda n: _mutate(data, n))
        | st.text(alphabet=string.ascii_lowercase, min_size=1, max_size=16)
    )
    curated = index.curated_brands
    words = COMBO_WORDS | ARTICLES
    glued = any(  # the splits combo() tries, as it tries them
        (token[k:] in COMBO_WORDS and len(token[:k]) >= GLUED_NAME_MIN and token[:k] in curated)
        or (token[:k] in words and len(token[k:]) >= GLUED_NAME_MIN and token[k:] in curated)
        for k in range(GLUED_WORD_MIN, len(token) - GLUED_WORD_MIN + 1)
    )
    assert index.may_glue(token) or not glued


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_typo_prefilter_never_hides_a_typo(
    detectors: tuple[Detector, Detector], names: list[str], data: st.DataObject
) -> None:
    """Whenever ``typo_of`` or ``fuzzy_match`` finds a name, ``may_be_typo`` let the key through."""
    index = detectors[0].index
    key = data.draw(
        st.sampled_from(names).map(lambda n: _mutate(data, n))
        | st.text(alphabet=string.ascii_lowercase + "-", min_size=1, max_size=16)
    )
    found = index.typo_of(key) is not None or index.fuzzy_match(key) is not None
    assert index.may_be_typo(key) or not found


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_prefiltered_verdicts_are_the_full_verdicts(
    detectors: tuple[Detector, Detector], names: list[str], data: st.DataObject
) -> None:
    fast, full = detectors
    label = data.draw(
        st.sampled_from(names).map(lambda n: _mutate(data, n))
        | st.text(alphabet=string.ascii_lowercase + "-", min_size=1, max_size=16)
    )
    ending = data.draw(st.sampled_from(["com", "de", "news", "info", "co.uk", "top", "blogspot.com"]))
    index = fast.index  # outlets, legit look-alikes, shorteners
    ruled = st.sampled_from(sorted({*index.outlet_by_domain, *index.legit, *index.shorteners}))
    domain = data.draw(st.just(f"{label}.{ending}") | ruled | ruled.map(lambda d: f"www.{label}.{d}"))
    assert fast.classify_domain(domain) == full.classify_domain(domain)


def test_ruled_hosts_are_every_domain_a_rule_names(detectors: tuple[Detector, Detector]) -> None:
    index = detectors[0].index
    assert index.ruled_hosts == {*index.outlet_by_domain, *index.legit, *index.shorteners}


@given(st.text(alphabet=string.ascii_letters + string.digits + "-", max_size=20))
def test_skeleton_of_ascii_skips_translate_only_when_it_changes_nothing(label: str) -> None:
    from linkguard.lookalike.confusables import _ascii_translation, skeleton, table

    expected = label.lower().translate(_ascii_translation())
    for src, dst in table().sequences:
        if src in expected:
            expected = expected.replace(src, dst)
    assert skeleton(label) == expected


_NEWS_WORDS = sorted(w for w in COMBO_WORDS if len(w) >= 4)


@given(
    st.text(alphabet=string.ascii_lowercase + string.digits + "-", max_size=20),
    st.sampled_from(_NEWS_WORDS),
    st.booleans(),
    st.integers(0, 20),
)
def test_the_newsy_search_is_a_substring_test_per_word(label: str, word: str, add: bool, at: int) -> None:
    """``facts``' one regex search finds a news word in a label exactly when some word of four
    letters or more is a substring of it (the test per word it replaces)."""
    from linkguard.lookalike.techniques import _NEWSY

    if add:
        label = label[:at] + word + label[at:]
    assert bool(_NEWSY.search(label)) == any(w in label for w in _NEWS_WORDS)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_may_embed_is_true_exactly_when_embedded_finds_a_domain_in_the_host(
    detectors: tuple[Detector, Detector], names: list[str], data: st.DataObject
) -> None:
    """``techniques.may_embed`` (the gate of ``embedded`` in ``closed`` and ``plan``) answers as
    the technique does on a plainly written link: some signal exactly when it says so."""
    from linkguard.lookalike import techniques as tq
    from linkguard.normalize import parse_link

    fast = detectors[0]
    index = fast.index
    domains = sorted(index.outlet_by_domain)
    part = st.sampled_from(names).map(lambda n: _mutate(data, n)) | st.sampled_from(domains).map(
        lambda d: data.draw(st.sampled_from([d.replace(".", "-"), d.replace(".", ""), d]))
    )
    labels = data.draw(st.lists(part, min_size=1, max_size=3))
    ending = data.draw(st.sampled_from(["com", "de", "info", "co.uk", "com.br", "blogspot.com"]))
    link = parse_link(f"{'-'.join(labels)}.{ending}")
    if link is None or not link.registered_domain or link.obfuscation:
        return
    subj = fast._subject(link)
    found = tq.may_embed(index, subj.host, subj.suffix, subj.label)
    assert found == bool(tq.embedded(index, subj))


@given(
    st.text(alphabet=string.ascii_lowercase + string.digits + "-", max_size=20)
    | st.text(alphabet=string.ascii_letters + "01rnvvcl-", max_size=12)
    | st.text(max_size=8)
)
@example("clrn")
@example("welt")
@example("we1t")
def test_is_own_skeleton_is_the_skeleton_compared(label: str) -> None:
    """The gates' one search for what ``skeleton`` would change answers as computing it does."""
    from linkguard.lookalike.confusables import is_own_skeleton, skeleton

    assert is_own_skeleton(label) == (skeleton(label) == label)
