"""On-disk cache of the merged rules and the detector index built from them.

Parsing the rule files (5,500 outlets with the reference tier), splitting every outlet domain with
tldextract and indexing names and skeletons takes a second or more, at every CLI start.
``load_cached_rules`` does that once and stores the result in ``$LINKGUARD_CACHE_DIR`` (default:
the platform cache dir, ``~/.cache/linkguard`` on
Linux) as ``index-<key>.bin``; later runs read it back in a few milliseconds.

The key is a SHA-256 over everything the result depends on: the content, path and origin of each
rule file (so ``--rules``, the user's rules dir and any edit give another key), the code that
builds the index (its source files' content), the Public Suffix List in force, and the versions of
linkguard, tldextract and Python. A missing, stale, truncated or corrupted file is rebuilt and
rewritten, never an error; a cache dir that cannot be written only costs the rebuild.

The file is ``MAGIC``, a CRC-32 of the payload, then a ``marshal`` payload of plain data (str,
int, tuple, list, dict, frozenset, bytes): marshal cannot run code on load, unlike pickle. Brands
and outlets are stored once and referred to by position. The typo index is not stored: it is a
dozen entries per name, built on first use.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import sys
import zlib
from array import array
from collections.abc import Iterable
from contextlib import suppress
from pathlib import Path
from typing import Any

import linkguard
from linkguard.lookalike import confusables, index, permutations, wordlists
from linkguard.lookalike.index import Brand, Index, register_prebuilt
from linkguard.lookalike.profile import WebProfile
from linkguard.models import Outlet
from linkguard.paths import cache_dir
from linkguard.rules import (
    BlockedRule,
    LegitRule,
    RatingRule,
    RuleSet,
    ShortenerRule,
    load_sources,
    rule_sources,
)

#: Environment variable naming the cache directory (tests point it at a temporary one).
#: Bump when the payload layout changes.
FORMAT = 6
MAGIC = b"LGIDX\x01\n"
#: Cache files kept; older ones (other rule sets, older versions) are removed on write.
KEEP_FILES = 4
_PREFIX = "index-"
_SUFFIX = ".bin"


def _code_files() -> list[Path]:
    """Source files whose change changes what the cache holds."""
    import linkguard.normalize as normalize
    import linkguard.rules as rules

    modules = (sys.modules[__name__], rules, index, permutations, wordlists, confusables, normalize)
    return [Path(m.__file__) for m in modules if m.__file__] + [confusables.TABLE_FILE]


def _psl_state() -> str:
    """The Public Suffix List in force: tldextract's snapshot (by version) or a refreshed file."""
    import tldextract

    from linkguard.normalize import _psl_file

    state = f"tldextract {getattr(tldextract, '__version__', '?')}"
    psl = _psl_file()
    if psl is not None:
        try:
            st = psl.stat()
            state += f"; {psl} {st.st_size} {st.st_mtime_ns}"
        except OSError:
            state += f"; {psl} missing"
    return state


def cache_key(sources: Iterable[tuple[Path, str]], texts: dict[Path, str] | None = None) -> str:
    """The hex key for these rule files; fills ``texts`` with their decoded content.

    Raises OSError or UnicodeDecodeError when a file cannot be read: the caller then loads
    without the cache, so that the usual ``RulesError`` names the file.
    """
    h = hashlib.sha256()

    def add(label: str, data: bytes) -> None:
        h.update(f"{label}\0{len(data)}\0".encode())
        h.update(data)

    add("format", f"{FORMAT} {linkguard.__version__} {sys.version_info[:2]} {sys.byteorder}".encode())
    add("psl", _psl_state().encode())
    add("popular", _popular_state().encode())
    for path in _code_files():
        add(f"code {path.name}", path.read_bytes())
    for path, origin in sources:
        data = path.read_bytes()
        text = data.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")  # as read_text() reads it
        if texts is not None:
            texts[path] = text
        add(f"rules {origin} {path}", data)
    return h.hexdigest()


def _popular_state() -> str:
    """The popular-domains lists that may be in force, by path, size and modification time."""
    from linkguard import popular

    paths = [popular.bundled_file(), popular.user_file()]
    env = os.environ.get(popular.POPULAR_OVERRIDE_ENV)
    if env:
        paths.append(Path(env))
    parts = []
    for path in paths:
        try:
            st = path.stat()
            parts.append(f"{path} {st.st_size} {st.st_mtime_ns}")
        except OSError:
            parts.append(f"{path} missing")
    return "; ".join(parts)


# --- the payload -----------------------------------------------------------------------------------


def _dump(key: str, rules: RuleSet, idx: Index) -> bytes:
    outlet_pos = {id(o): i for i, o in enumerate(rules.outlets)}
    brands: list[Brand] = [b for same in idx.brands.values() for b in same]
    brand_pos = {id(b): i for i, b in enumerate(brands)}
    payload: dict[str, Any] = {
        "format": FORMAT,
        "key": key,
        "outlets": [
            (o.name, o.domains, o.brands, o.country, o.kind, o.origin, o.tier) for o in rules.outlets
        ],
        "legit": [(r.domain, r.note, r.origin) for r in rules.legit],
        "blocked": [
            (r.domain, r.source, r.imitates, r.campaign, r.origin, r.source_url, r.reported)
            for r in rules.blocked
        ],
        "ratings": [
            (r.domain, r.value, r.rating, r.source, r.source_url, r.reported, r.origin) for r in rules.ratings
        ],
        "shorteners": [(r.domain, r.owner, r.origin) for r in rules.shorteners],
        "files": tuple(rules.files),
        "brands": [(b.label, outlet_pos[id(b.outlet)], b.domain, b.suffixes, b.generic) for b in brands],
        "brand_map": {label: [brand_pos[id(b)] for b in same] for label, same in idx.brands.items()},
        "skeletons": {s: [brand_pos[id(b)] for b in same] for s, same in idx.skeletons.items()},
        "dotless": {s: brand_pos[id(b)] for s, b in idx.dotless.items()},
        "outlet_by_domain": {d: outlet_pos[id(o)] for d, o in idx.outlet_by_domain.items()},
        "outlet_by_name": {n: outlet_pos[id(o)] for n, o in idx.outlet_by_name.items()},
        "legit_labels": idx.legit_labels,
        "max_domain_labels": idx.max_domain_labels,
        "fuzzy_brands": [brand_pos[id(b)] for b in idx.fuzzy_brands],
        "fuzzy_keys": idx.fuzzy_keys,
        "fuzzy": idx.fuzzy_choices,
        "transliterations": {v: brand_pos[id(b)] for v, b in idx.transliterations.items()},
        # the popular list and its counts: parsing the gzip list costs ~0.2 s, this ~0.03 s
        "popular": _pack_profile(idx.profile),
    }
    return marshal.dumps(payload)


def _pack_profile(profile: WebProfile) -> tuple[str, bytes, str, dict[str, int], str, bytes]:
    """The popular list as joined names and packed numbers: a dict of 100k names takes marshal
    ~50 ms to rebuild, a split string and an array ~10 ms."""
    ranks = array("I", profile.ranks.values()).tobytes()
    labels = profile.label_counts
    counts = array("I", labels.values()).tobytes()
    return "\n".join(profile.ranks), ranks, profile.source, profile.tld_counts, "\n".join(labels), counts


def _unpack_profile(packed: tuple[str, bytes, str, dict[str, int], str, bytes]) -> WebProfile:
    names, ranks, source, tld_counts, labels, counts = packed
    rank_values, count_values = array("I"), array("I")
    rank_values.frombytes(ranks)
    count_values.frombytes(counts)
    profile = WebProfile(dict(zip(names.split("\n"), rank_values, strict=True)) if names else {}, source)
    label_counts = dict(zip(labels.split("\n"), count_values, strict=True)) if labels else {}
    profile.__dict__.update(tld_counts=tld_counts, label_counts=label_counts)  # its cached counts
    return profile


def _load(payload: dict[str, Any]) -> tuple[RuleSet, Index]:
    """Rebuild the RuleSet and the Index; any malformed part raises (and the cache is rebuilt)."""
    outlets = tuple(Outlet(*o) for o in payload["outlets"])
    rules = RuleSet(
        outlets,
        tuple(LegitRule(*r) for r in payload["legit"]),
        tuple(BlockedRule(*r) for r in payload["blocked"]),
        tuple(ShortenerRule(*r) for r in payload["shorteners"]),
        tuple(payload["files"]),
        tuple(RatingRule(*r) for r in payload["ratings"]),
    )
    brands = [
        Brand(label, outlets[o], domain, tuple(suffixes), bool(generic))
        for label, o, domain, suffixes, generic in payload["brands"]
    ]
    idx = Index.__new__(Index)  # the attributes Index.__init__ sets, restored instead of computed
    idx.outlet_by_domain = {d: outlets[i] for d, i in payload["outlet_by_domain"].items()}
    idx.outlet_by_name = {n: outlets[i] for n, i in payload["outlet_by_name"].items()}
    idx.brands = {label: [brands[i] for i in same] for label, same in payload["brand_map"].items()}
    idx.skeletons = {s: [brands[i] for i in same] for s, same in payload["skeletons"].items()}
    idx.dotless = {s: brands[i] for s, i in payload["dotless"].items()}
    idx.legit = {r.domain: r for r in rules.legit}
    idx.blocked = {r.domain: r for r in rules.blocked}
    idx.ratings = {r.domain: r for r in rules.ratings}
    idx.shorteners = {r.domain: r for r in rules.shorteners}
    idx.legit_labels = frozenset(payload["legit_labels"])
    idx.max_domain_labels = int(payload["max_domain_labels"])
    idx.__dict__["fuzzy_brands"] = [brands[i] for i in payload["fuzzy_brands"]]
    idx.__dict__["fuzzy_keys"] = list(payload["fuzzy_keys"])
    idx.__dict__["fuzzy_choices"] = payload["fuzzy"]
    idx.transliterations = {v: brands[i] for v, i in payload["transliterations"].items()}
    idx.__dict__["profile"] = _unpack_profile(payload["popular"])
    idx._families = {}
    idx._crowds = {}

    return rules, idx


def _path(directory: Path, key: str) -> Path:
    return directory / f"{_PREFIX}{key[:40]}{_SUFFIX}"


def read_cache(directory: Path, key: str) -> tuple[RuleSet, Index] | None:
    """The cached rules and index for ``key``, or None when absent, stale or damaged."""
    try:
        data = _path(directory, key).read_bytes()
    except OSError:
        return None
    head = len(MAGIC) + 4
    if not data.startswith(MAGIC) or len(data) < head:
        return None
    body = memoryview(data)[head:]
    if zlib.crc32(body) != int.from_bytes(data[len(MAGIC) : head], "big"):
        return None
    try:
        payload = marshal.loads(body)
        if not isinstance(payload, dict) or payload.get("format") != FORMAT or payload.get("key") != key:
            return None
        return _load(payload)
    except (ValueError, EOFError, TypeError, KeyError, IndexError, AttributeError):
        return None


def write_cache(directory: Path, key: str, rules: RuleSet, idx: Index) -> Path | None:
    """Store atomically (temporary file, then rename); None when it could not be written."""
    import tempfile

    try:
        body = _dump(key, rules, idx)
    except (ValueError, KeyError):  # something marshal or the layout cannot hold: run uncached
        return None
    target = _path(directory, key)
    tmp: str | None = None
    try:
        directory.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{_PREFIX}", suffix=".tmp", dir=directory)
        with os.fdopen(fd, "wb") as f:
            f.write(MAGIC + zlib.crc32(body).to_bytes(4, "big") + body)
        os.replace(tmp, target)
        tmp = None
    except OSError:
        return None
    finally:
        if tmp is not None:
            with suppress(OSError):
                os.unlink(tmp)
    _prune(directory, keep=target)
    return target


def _prune(directory: Path, keep: Path) -> None:
    """Remove all but the newest ``KEEP_FILES`` cache files."""
    with suppress(OSError):
        found = sorted((p.stat().st_mtime_ns, p) for p in directory.glob(f"{_PREFIX}*{_SUFFIX}") if p != keep)
        for _, old in found[: max(len(found) - (KEEP_FILES - 1), 0)]:
            old.unlink()


#: Loaded in this process, by key: repeated loads (tests, a long-lived caller) skip the file.
_LOADED: dict[str, tuple[RuleSet, Index]] = {}


def load_cached_rules(
    paths: Iterable[str | Path] | None = None, *, user_dir: str | Path | None = None
) -> RuleSet:
    """``load_rules`` through the cache; ``Detector(rules)`` then reuses the cached index.

    Same arguments, result and errors as ``load_rules(paths, user_dir=...)``.
    """
    sources = rule_sources(paths, user_dir=user_dir)
    texts: dict[Path, str] = {}
    try:
        key = cache_key(sources, texts)
    except (OSError, UnicodeDecodeError):
        return load_sources(sources)  # raises the RulesError naming the unreadable file
    found = _LOADED.get(key)
    if found is None:
        directory = cache_dir()
        found = read_cache(directory, key)
        if found is None:
            rules = load_sources(sources, texts)
            found = (rules, Index(rules))
            write_cache(directory, key, *found)
        _LOADED.clear()  # one full index in memory is enough
        _LOADED[key] = found
    register_prebuilt(*found)
    return found[0]
