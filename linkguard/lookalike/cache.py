"""On-disk cache of the merged rules and the detector index built from them.

Parsing the rule files (5,500 outlets with the reference tier), splitting every outlet domain with
tldextract and indexing names and skeletons takes a second or more, at every CLI start.
``load_detector`` (and ``load_cached_rules``) do that once and store ``Index.to_payload()`` in
``$LINKGUARD_CACHE_DIR`` (default: the platform cache dir, ``~/.cache/linkguard`` on Linux) as
``index-<key>.bin``; later runs, and worker processes handed a pickled ``Detector``, read it back
in a few milliseconds. The key travels with the rules (``RuleSet.cache_key``), never an object's
``id()``, so a copy of the rules in another process finds the same file.

The key is a SHA-256 over everything the result depends on: the content, path and origin of each
rule file (so ``--rules``, the user's rules dir and any edit give another key), the code that
builds the index (its source files' content), the Public Suffix List in force, and the versions of
linkguard, tldextract and Python. A missing, stale, truncated or corrupted file is rebuilt and
rewritten, never an error; a cache dir that cannot be written only costs the rebuild.

The file is ``MAGIC``, a CRC-32 of the payload, then a ``marshal`` payload of plain data (str,
int, tuple, list, dict, frozenset, bytes; see ``Index.to_payload``): marshal cannot run code on
load, unlike pickle.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import sys
import zlib
from collections.abc import Iterable, Sequence
from contextlib import suppress
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import linkguard
from linkguard.errors import RulesError
from linkguard.lookalike import confusables, index, permutations, wordlists
from linkguard.lookalike.index import Index
from linkguard.paths import cache_dir
from linkguard.rules import RuleSet, load_sources, rule_sources

if TYPE_CHECKING:
    from linkguard.lookalike.detector import Detector

#: Environment variable naming the cache directory (tests point it at a temporary one).
#: Bump when the payload layout changes.
FORMAT = 9
MAGIC = b"LGIDX\x01\n"
#: Cache files kept; older ones (other rule sets, older versions) are removed on write.
KEEP_FILES = 4
_PREFIX = "index-"
_SUFFIX = ".bin"


def _code_files() -> list[Path]:
    """Source files whose change changes what the cache holds."""
    import linkguard.models as models
    import linkguard.normalize as normalize
    import linkguard.rules as rules

    modules = (sys.modules[__name__], index, permutations, wordlists, confusables, normalize, models)
    files = [Path(m.__file__) for m in modules if m.__file__] + [confusables.TABLE_FILE]
    return files + sorted(Path(str(rules.__file__)).parent.glob("*.py"))  # the rules package


def _psl_state() -> str:
    """The Public Suffix List in force: the hash of tldextract's version and snapshot and of a
    refreshed file, as :mod:`linkguard.suffixes` keys its data (read without importing tldextract)."""
    from linkguard import suffixes

    found = suffixes.state()
    if found is not None:
        return f"suffixes {found}"
    import tldextract  # an install whose files cannot be read: its version, and the file's date

    psl, state = suffixes.psl_file(), f"tldextract {getattr(tldextract, '__version__', '?')}"
    if psl is not None:
        try:
            st = psl.stat()
            state += f"; {psl} {st.st_size} {st.st_mtime_ns}"
        except OSError:
            state += f"; {psl} missing"
    return state


def cache_key(sources: Iterable[tuple[Path, str]], contents: dict[Path, bytes] | None = None) -> str:
    """The hex key for these rule files; fills ``contents`` with the bytes hashed, so that a miss
    builds from exactly those (decoded only then, by ``_rule_texts``: a hit never needs the text).

    Raises OSError when a file cannot be read: the caller then loads without the cache, so that
    the usual ``RulesError`` names the file.
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
        if contents is not None:
            contents[path] = data
        add(f"rules {origin} {path}", data)
    return h.hexdigest()


def _rule_texts(contents: dict[Path, bytes]) -> dict[Path, str]:
    """The rule files' bytes as ``read_text()`` reads them (UTF-8, universal newlines); raises
    UnicodeDecodeError where one is not UTF-8. Decoding the bundled rules costs ~4 ms, which a
    start-up that finds the index on disk no longer pays."""
    return {
        path: data.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")
        for path, data in contents.items()
    }


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


def _dump(key: str, idx: Index) -> bytes:
    payload = {"format": FORMAT, "key": key, "sources": idx.sources, "index": idx.to_payload()}
    return marshal.dumps(_shared(payload, {}))


def _shared(value: Any, seen: dict[str, str]) -> Any:
    """``value`` with each string spelt once: marshal writes a string it has seen (the same
    object) as a reference, which loads as that object again. Half of the payload's 76,000
    strings were copies ("newspaper", "reference", "com", a feed's source per domain), each
    allocated again at every start."""
    if isinstance(value, str):
        return seen.setdefault(value, value)
    if isinstance(value, dict):
        return {_shared(k, seen): _shared(v, seen) for k, v in value.items()}
    if isinstance(value, list | tuple):  # not a frozenset: built again, it could iterate otherwise
        return type(value)(_shared(v, seen) for v in value)
    return value


def _path(directory: Path, key: str) -> Path:
    return directory / f"{_PREFIX}{key[:40]}{_SUFFIX}"


def read_cache(directory: Path, key: str) -> Index | None:
    """The cached index (and its ``rules``) for ``key``, or None when absent, stale or damaged."""
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
        idx = Index.from_payload(payload["index"], origin="cache")
        idx._stored(key, tuple((str(p), str(o)) for p, o in payload["sources"]))
        return idx
    except (ValueError, EOFError, TypeError, KeyError, IndexError, AttributeError):
        return None


def write_cache(directory: Path, key: str, idx: Index) -> Path | None:
    """Store atomically (temporary file, then rename); None when it could not be written."""
    import tempfile

    try:
        body = _dump(key, idx)
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


#: Loaded in this process, by content key (never by object identity): repeated loads (tests, a
#: long-lived caller, a worker handed several pickled detectors) skip the file. One full index is
#: enough.
_LOADED: dict[str, Index] = {}


def _remember(key: str, idx: Index) -> Index:
    _LOADED.clear()
    _LOADED[key] = idx
    return idx


def load_index(sources: Sequence[tuple[Path, str]]) -> Index:
    """The index (with its ``rules``) for these rule files: from this process, the disk cache, or
    built once and written there. Errors are those of ``load_sources``."""
    contents: dict[Path, bytes] = {}
    try:
        key = cache_key(sources, contents)
    except OSError:
        return Index(load_sources(sources))  # raises the RulesError naming the unreadable file
    found = _LOADED.get(key)
    if found is None:
        directory = cache_dir()
        found = read_cache(directory, key)
        if found is None:
            try:
                texts = _rule_texts(contents)
            except UnicodeDecodeError:
                return Index(load_sources(sources))  # raises the RulesError naming the file
            found = Index(replace(load_sources(sources, texts), cache_key=key))
            found._stored(key, tuple((str(p), o) for p, o in sources))
            if write_cache(directory, key, found) is None:
                found._stored()  # not on disk: a pickle must carry the index itself
        _remember(key, found)
    return found


def index_by_key(key: str, sources: Sequence[tuple[str, str]]) -> Index:
    """The index stored under ``key`` (a pickled Detector's): from this process or the disk cache;
    when the file is gone, rebuilt from ``sources``, which must still give the same key."""
    found = _LOADED.get(key) or read_cache(cache_dir(), key)
    if found is not None:
        return _remember(key, found)
    found = load_index([(Path(p), o) for p, o in sources])
    if found.cache_key != key:
        raise RulesError("the rule files changed after this detector was made; load it again")
    return found


def index_for(rules: RuleSet) -> Index:
    """The index for exactly ``rules``: the one its ``cache_key`` names (in this process or on
    disk) when that index holds equal rules, else the one built here for this object (kept on it).

    This is how a RuleSet sent to another process (a ``scan --jobs`` worker) finds the index its
    parent loaded without rebuilding it.
    """
    key = rules.cache_key
    if key:
        found = _LOADED.get(key)
        if found is None:
            found = read_cache(cache_dir(), key)
        if found is not None and (found.rules is rules or found.rules == rules):
            return _remember(key, found)
    built = rules.built_index
    if isinstance(built, Index) and built.rules is rules:
        return built
    built = Index(rules)
    object.__setattr__(rules, "built_index", built)  # a frozen object's derived value
    return built


def load_cached_rules(
    paths: Iterable[str | Path] | None = None, *, user_dir: str | Path | None = None
) -> RuleSet:
    """``load_rules`` through the cache; ``Detector(rules)`` then reuses the cached index.

    Same arguments, result and errors as ``load_rules(paths, user_dir=...)``.
    """
    return load_index(rule_sources(paths, user_dir=user_dir)).rules


def load_detector(
    rules: RuleSet | Iterable[str | Path] | None = None,
    *,
    user_dir: str | Path | None = None,
    use_blocklist: bool = True,
) -> Detector:
    """A ``Detector`` whose index is built or read from the disk cache once.

    ``rules``: a ``RuleSet`` (its cached index is reused when it came from ``load_cached_rules`` or
    another ``load_detector``), or rule files and directories (only those, like ``--rules``), or
    None for the set the CLI uses: the bundled rules plus ``user_dir`` (default: the user's rules
    directory). The detector pickles cheaply (see ``Detector.__reduce__``), for worker processes.
    """
    from linkguard.lookalike.detector import Detector

    if isinstance(rules, RuleSet):
        return Detector(rules, use_blocklist=use_blocklist, index=index_for(rules))
    if rules is None:
        if user_dir is None:
            from linkguard.paths import user_rules_dir

            user_dir = user_rules_dir()
        sources = rule_sources(user_dir=user_dir)
    else:
        sources = rule_sources(rules)
    idx = load_index(sources)
    return Detector(idx.rules, use_blocklist=use_blocklist, index=idx)
