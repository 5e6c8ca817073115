"""The suffix data a scan loads (``linkguard.suffixes``) is tldextract's, split for split.

tldextract is the source of truth; the copy of its trie in the cache dir must give the split its
own call gives (bundled snapshot, private suffixes included, as linkguard configures it), for
any host. That a scan then never imports tldextract is ``tests/test_startup.py``'s.
"""

from __future__ import annotations

import string
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from linkguard import extract, normalize, paths, suffixes

#: Endings that reach every branch of the walk: plain, two-level, private, wildcard (*.ck,
#: *.kawasaki.jp), wildcard exceptions (!www.ck), Punycode TLDs (.рф, .中国) and no suffix at all.
_ENDINGS = ["com", "de", "co.uk", "ck", "www.ck", "kawasaki.jp", "city.kawasaki.jp", "blogspot.com",
            "github.io", "s3.amazonaws.com", "compute.amazonaws.com", "xn--p1ai", "xn--fiqs8s",
            "XN--P1AI", "CO.UK", "Com", "xx", "1", "255", "gov.uk", "eu.org"]  # fmt: skip
_LABEL = st.text(
    alphabet=string.ascii_letters + string.digits + "-_*!", min_size=0, max_size=10
) | st.sampled_from(
    ["xn--wlt-jma", "xn--", "xn--zz", "XN--Wlt-jma", "www", "city", "0", "256", "017", "welt"]
)
#: Any text, with the characters tldextract's URL parsing cuts at or strips (then its own call is taken).
_ANY = st.text(alphabet=string.printable + "é。．", max_size=30)


def _tldextract(host: str) -> suffixes.SuffixSplit:
    parts = suffixes.suffix_extractor()(host)
    return suffixes.SuffixSplit(parts.subdomain, parts.domain, parts.suffix, parts.is_private)


@given(st.lists(_LABEL, max_size=3), st.sampled_from(_ENDINGS))
@example(["1", "2", "3"], "4")
@example(["10", "0", "0"], "1")
@example(["www"], "ck")
@example(["a", "city"], "kawasaki.jp")
@example(["xn--wlt-jma"], "xn--p1ai")
@example([], "")
def test_split_is_tldextracts_split(labels: list[str], ending: str) -> None:
    host = ".".join([*labels, ending])
    assert suffixes.split(host) == _tldextract(host)


@given(_ANY)
@example("welt.de.")
@example("welt.de:443")
@example(" welt.de")
@example("[::1]")
@example("user@welt.de")
@example("https://welt.de/a")
def test_split_of_any_text_is_tldextracts_split(text: str) -> None:
    assert suffixes.split(text) == _tldextract(text)
    assert normalize.is_public_suffix(text) == (_tldextract("x." + text).suffix == text)


@given(st.lists(_LABEL, min_size=1, max_size=3), st.sampled_from(_ENDINGS))
def test_the_walk_takes_every_plain_host(labels: list[str], ending: str) -> None:
    """The hosts a scan splits (lowercase ASCII, Punycode or not) never reach tldextract."""
    host = ".".join([*labels, ending]).lower()
    if "." not in host.rstrip(".") or host.endswith(".") or not host.strip("."):
        return
    assert suffixes.walkable(host)


def test_stored_trie_is_tldextracts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(paths.CACHE_ENV, str(tmp_path))
    suffixes.reset()
    try:
        built = suffixes.trie()  # copied from tldextract, and stored
        stored = list(tmp_path.glob("psl-*.bin"))
        assert len(stored) == 1
        suffixes.trie.cache_clear()
        loaded = suffixes.trie()  # read back from the file
        assert loaded is not built
        assert loaded == built == suffixes._converted(suffixes.suffix_extractor())
        # the TLD set the extractor reads ``welt dot de`` with: the last label of every suffix
        old = {s.rsplit(".", 1)[-1].lstrip("*!") for s in suffixes.suffix_extractor().tlds} - {""}
        assert {t.lstrip("*!") for t in suffixes.top_labels()} - {""} == old
        stored[0].write_bytes(stored[0].read_bytes()[:-10])  # damaged: built and stored again
        suffixes.trie.cache_clear()
        assert suffixes.trie() == built
        assert suffixes._read(stored[0]) == built
    finally:
        suffixes.reset()


def test_a_refreshed_list_gives_other_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    psl = tmp_path / "list.dat"
    psl.write_text("// ===BEGIN ICANN DOMAINS===\nzz-test\n// ===END ICANN DOMAINS===\n", encoding="utf-8")
    monkeypatch.setenv(paths.CACHE_ENV, str(tmp_path))
    bundled = suffixes.state()
    monkeypatch.setenv(suffixes.PSL_OVERRIDE_ENV, str(psl))
    suffixes.reset()
    normalize._split_host.cache_clear()
    normalize._plain_host.cache_clear()
    try:
        assert suffixes.state() != bundled
        assert suffixes.split("news.zz-test") == suffixes.SuffixSplit("", "news", "zz-test", False)
        link = normalize.parse_link("news.zz-test")
        assert link is not None and link.registered_domain == "news.zz-test"
        psl.write_text("// ===BEGIN ICANN DOMAINS===\nzz-other\n// ===END ICANN DOMAINS===\n", "utf-8")
        suffixes.reset()
        assert suffixes.split("news.zz-other").suffix == "zz-other"
    finally:
        monkeypatch.delenv(suffixes.PSL_OVERRIDE_ENV)
        suffixes.reset()
        normalize._split_host.cache_clear()
        normalize._plain_host.cache_clear()
        extract._tlds.cache_clear()
