"""The on-disk rules/index cache: same results as building from scratch; stale or damaged files rebuilt."""

from __future__ import annotations

import marshal
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from linkguard import paths
from linkguard.errors import RulesError
from linkguard.lookalike import Detector
from linkguard.lookalike import cache as lgcache
from linkguard.lookalike.index import Index
from linkguard.rules import load_rules, read_rule_text

SMALL_RULES = """
[[outlet]]
name = "Die Welt"
domains = ["welt.de", "welt.at"]
brands = ["die welt"]
country = "DE"

[[outlet]]
name = "BBC"
domains = ["bbc.co.uk", "bbc.com"]

[[outlet]]
name = "ABC News"
domains = ["abcnews.go.com"]

[[legit]]
domain = "weltbild.de"
note = "a book shop"

[[blocked]]
domain = "welt.ltd"
source = "test"
imitates = "welt.de"

[[shortener]]
domain = "bbc.in"
owner = "BBC"
"""

DOMAINS = [
    "welt.de",
    "news.welt.de",
    "welt.ltd",
    "wlet.de",
    "weelt.com",
    "welt-nachrichten.info",
    "wеlt.de",  # Cyrillic e
    "bbc.in",
    "bbc-news.co",
    "bbbc.com",
    "abcnews.go.com",
    "abcnevvs.com",
    "weltbild.de",
    "spiegel-online.top",
    "fox-news.top",
    "washingtonpots.com",
    "example.org",
    "tagesschau24.info",
]


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "cache"
    monkeypatch.setenv(paths.CACHE_ENV, str(directory))
    monkeypatch.setattr(lgcache, "_LOADED", {})
    return directory


def _forget_process_copy() -> None:
    """Make the next load go to the file, as a new process would."""
    lgcache._LOADED.clear()


def _cache_files(directory: Path) -> list[Path]:
    return sorted(directory.glob("index-*.bin"))


def _state(index: Index) -> dict[str, object]:
    """Everything an Index holds, in comparable form (Brand and Outlet compare by value)."""
    return {
        "outlet_by_domain": index.outlet_by_domain,
        "outlet_by_name": index.outlet_by_name,
        "brands": index.brands,
        "skeletons": index.skeletons,
        "dotless": index.dotless,
        "legit": index.legit,
        "blocked": index.blocked,
        "shorteners": index.shorteners,
        "legit_labels": index.legit_labels,
        "max_domain_labels": index.max_domain_labels,
        "typo_choices": index.typo_choices,
        "fuzzy_choices": index.fuzzy_choices,
    }


def _rules_file(tmp_path: Path, text: str = SMALL_RULES) -> list[Path]:
    """A ``--rules`` file (no bundled rules: small and quick to index)."""
    path = tmp_path / "rules.toml"
    path.write_text(text, encoding="utf-8")
    return [path]


@pytest.mark.parametrize("with_user_rules", [False, True], ids=["bundled", "bundled+user"])
def test_cached_bundled_rules_and_index_equal_a_fresh_build(
    cache_dir: Path, tmp_path: Path, with_user_rules: bool
) -> None:
    user_dir = tmp_path / "user-rules"
    if with_user_rules:
        user_dir.mkdir()
        (user_dir / "rules.toml").write_text(SMALL_RULES + '[[removed]]\ndomain = "bbc.com"\n', "utf-8")
    fresh_rules = load_rules(user_dir=user_dir)
    fresh = Index(fresh_rules)
    built = lgcache.load_cached_rules(user_dir=user_dir)  # miss: builds and writes
    assert len(_cache_files(cache_dir)) == 1
    _forget_process_copy()
    cached = lgcache.load_cached_rules(user_dir=user_dir)  # hit: read from the file
    assert cached is not built
    assert cached == fresh_rules
    assert cached.files == fresh_rules.files
    index = lgcache.index_for(cached)
    assert index.origin == "cache" and index.rules is cached
    assert lgcache.index_for(built) is index  # found by content key, not by object identity
    lazy = {"typo_choices", "typo_brands", "fuzzy_choices", "fuzzy_keys", "fuzzy_brands", "curated_brands"}
    lazy |= {"profile", "government", "popular_order"}
    assert set(vars(index)) - lazy == set(vars(fresh)) - lazy
    assert index.government.forms == fresh.government.forms  # restored from the cache, built fresh
    assert _state(index) == _state(fresh)
    assert index.popular_order == fresh.popular_order
    for label in list(index.curated_brands)[:300]:
        for typo in (label + "x", label[1:], label[:1] + label):
            assert index.typo_of(typo) == fresh.typo_of(typo)


def test_verdicts_from_the_cache_equal_fresh_verdicts(cache_dir: Path, tmp_path: Path) -> None:
    paths = _rules_file(tmp_path)
    lgcache.load_cached_rules(paths)
    _forget_process_copy()
    cached = Detector(lgcache.load_cached_rules(paths))
    fresh = Detector(load_rules(paths))
    assert fresh.index is not cached.index
    for domain in DOMAINS:
        assert cached.classify_domain(domain) == fresh.classify_domain(domain), domain


def test_hit_does_not_rebuild(cache_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    paths = _rules_file(tmp_path)
    lgcache.load_cached_rules(paths)
    files = _cache_files(cache_dir)
    assert len(files) == 1
    _forget_process_copy()

    def no_build(self: Index, rules: object) -> None:
        raise AssertionError("index rebuilt despite a valid cache")

    monkeypatch.setattr(Index, "__init__", no_build)
    monkeypatch.setattr(lgcache, "load_sources", lambda *a, **k: pytest.fail("rules re-parsed"))
    monkeypatch.setattr(lgcache, "_rule_texts", lambda *a, **k: pytest.fail("rule files decoded"))
    rules = lgcache.load_cached_rules(paths)
    assert Detector(rules).classify_domain("wlet.de").status == "suspicious"
    assert _cache_files(cache_dir) == files


@given(st.lists(st.sampled_from(["a", "é", "\r", "\n", "\r\n", "x = 1", "\u2028"]), max_size=12))
def test_rule_texts_read_as_read_text_reads(parts: list[str]) -> None:
    """A miss builds from the bytes it hashed, decoded as ``read_rule_text`` reads a file."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "rules.toml"
        data = "".join(parts).encode("utf-8")
        path.write_bytes(data)
        assert lgcache._rule_texts({path: data}) == {path: read_rule_text(path)}


def test_same_process_reuses_the_loaded_rules(cache_dir: Path, tmp_path: Path) -> None:
    paths = _rules_file(tmp_path)
    first = lgcache.load_cached_rules(paths)
    again = lgcache.load_cached_rules(paths)
    assert again is first
    assert Detector(again).index is Detector(first).index


def test_rule_change_misses(cache_dir: Path, tmp_path: Path) -> None:
    paths = _rules_file(tmp_path)
    rules = lgcache.load_cached_rules(paths)
    assert rules.outlet_for("spiegel.de") is None
    _forget_process_copy()
    added = '\n[[outlet]]\nname = "Der Spiegel"\ndomains = ["spiegel.de"]\n'
    _rules_file(tmp_path, SMALL_RULES + added)
    changed = lgcache.load_cached_rules(paths)
    outlet = changed.outlet_for("spiegel.de")
    assert outlet is not None and outlet.name == "Der Spiegel"
    assert "spiegel" in lgcache.index_for(changed).brands
    assert len(_cache_files(cache_dir)) == 2


def test_rules_paths_are_part_of_the_key(cache_dir: Path, tmp_path: Path) -> None:
    one = tmp_path / "one.toml"
    two = tmp_path / "two.toml"
    one.write_text(SMALL_RULES, encoding="utf-8")
    two.write_text(SMALL_RULES, encoding="utf-8")  # same content, another file
    a = lgcache.load_cached_rules([one])
    b = lgcache.load_cached_rules([two])
    assert a.files == (str(one),)
    assert b.files == (str(two),)
    assert len(_cache_files(cache_dir)) == 2
    assert lgcache.cache_key([(one, "user")]) != lgcache.cache_key([(two, "user")])
    assert lgcache.cache_key([(one, "user")]) != lgcache.cache_key([(one, "bundled")])


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: b"",
        lambda data: b"garbage",
        lambda data: data[: len(data) // 2],
        lambda data: data[:-1] + bytes([data[-1] ^ 0xFF]),
        lambda data: data[:20] + bytes([data[20] ^ 0x01]) + data[21:],
    ],
    ids=["empty", "garbage", "truncated", "last-byte", "header-byte"],
)
def test_corrupted_cache_is_ignored_and_rebuilt(cache_dir: Path, tmp_path: Path, damage: object) -> None:
    paths = _rules_file(tmp_path)
    expected = load_rules(paths)
    lgcache.load_cached_rules(paths)
    [path] = _cache_files(cache_dir)
    good = path.read_bytes()
    assert callable(damage)
    path.write_bytes(damage(good))
    _forget_process_copy()
    rules = lgcache.load_cached_rules(paths)
    assert rules == expected
    assert Detector(rules).classify_domain("wlet.de").status == "suspicious"
    assert path.read_bytes() == good  # rewritten


def test_wrong_payload_is_ignored(cache_dir: Path, tmp_path: Path) -> None:
    """A file with a valid checksum but an unexpected layout (another format version) is rebuilt."""
    import marshal
    import zlib

    paths = _rules_file(tmp_path)
    lgcache.load_cached_rules(paths)
    [path] = _cache_files(cache_dir)
    body = marshal.dumps({"format": lgcache.FORMAT, "key": path.stem, "outlets": [("x",)]})
    path.write_bytes(lgcache.MAGIC + zlib.crc32(body).to_bytes(4, "big") + body)
    _forget_process_copy()
    assert lgcache.load_cached_rules(paths) == load_rules(paths)


def test_env_override_and_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(paths.CACHE_ENV, str(tmp_path / "here"))
    assert paths.cache_dir() == tmp_path / "here"
    monkeypatch.delenv(paths.CACHE_ENV)
    import platformdirs

    assert paths.cache_dir() == Path(platformdirs.user_cache_dir("linkguard"))


def test_unwritable_cache_dir_is_not_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory", encoding="utf-8")
    monkeypatch.setenv(paths.CACHE_ENV, str(blocker / "cache"))
    monkeypatch.setattr(lgcache, "_LOADED", {})
    files = _rules_file(tmp_path)
    rules = lgcache.load_cached_rules(files)
    assert rules == load_rules(files)
    assert Detector(rules).classify_domain("wlet.de").status == "suspicious"


def test_errors_are_those_of_load_rules(cache_dir: Path, tmp_path: Path) -> None:
    with pytest.raises(RulesError, match="no such rule file"):
        lgcache.load_cached_rules([tmp_path / "missing.toml"])
    bad = tmp_path / "bad.toml"
    bad.write_text('[[outlet]]\nname = "x"\ndomains = [\n', encoding="utf-8")
    with pytest.raises(RulesError, match=r"bad\.toml:\d+: invalid TOML"):
        lgcache.load_cached_rules([bad])
    latin1 = tmp_path / "latin1.toml"
    latin1.write_bytes('[[legit]]\ndomain = "x.de"\nnote = "für"\n'.encode("latin-1"))
    with pytest.raises(RulesError, match="cannot read rule file"):
        lgcache.load_cached_rules([latin1])
    assert _cache_files(cache_dir) == []


def test_crlf_rule_files_read_as_load_rules_reads_them(cache_dir: Path, tmp_path: Path) -> None:
    crlf = tmp_path / "crlf.toml"
    crlf.write_bytes(b'[[legit]]\r\ndomain = "welt-shop.de"\r\nnote = """two\r\nlines"""\r\n')
    assert lgcache.load_cached_rules([crlf]) == load_rules([crlf])


def test_old_cache_files_are_pruned(cache_dir: Path, tmp_path: Path) -> None:
    for n in range(lgcache.KEEP_FILES + 2):
        path = tmp_path / f"rules-{n}.toml"
        path.write_text(SMALL_RULES, encoding="utf-8")
        lgcache.load_cached_rules([path])
    assert len(_cache_files(cache_dir)) == lgcache.KEEP_FILES


_PLAIN = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.binary(max_size=4)
    | st.sampled_from(["", "com", "newspaper", "é"]),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.lists(inner, max_size=4).map(tuple)
        | st.frozensets(st.sampled_from(["com", "de", "x"]) | st.integers(), max_size=3)
        | st.dictionaries(st.sampled_from(["com", "newspaper", "k"]) | st.integers(), inner, max_size=4)
    ),
    max_leaves=20,
)


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in (*_strings(k), *_strings(v))]
    if isinstance(value, list | tuple):
        return [s for v in value for s in _strings(v)]
    return []  # frozensets are written as they are


@given(_PLAIN)
def test_shared_payload_loads_equal_with_each_string_once(value: Any) -> None:
    """What the cache writes (``_shared``) reads back equal, of the same types, to the payload as
    built; every copy of a string comes back as one object."""
    copies = marshal.loads(marshal.dumps(value))  # equal strings as distinct objects, as built
    shared = lgcache._shared(copies, {})
    assert shared == value
    assert repr(shared) == repr(copies)  # the same types and order all the way down
    loaded = marshal.loads(marshal.dumps(shared))
    assert loaded == value
    found = _strings(loaded)
    assert len({id(s) for s in found}) == len(set(found))
