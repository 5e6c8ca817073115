"""The Public Suffix List in force, as plain data a scan loads without importing tldextract.

tldextract stays the source of truth: its bundled snapshot, or the list ``update-psl`` refreshed,
read by the one ``TLDExtract`` of the process (private suffixes included, never a fetch). But
importing it pulls in requests, urllib3 and filelock, and building its trie takes 0.1 s: together
a third of a CLI start, for a scan that only walks the trie. So its trie is copied once into
nested tuples and stored with ``marshal`` in the cache dir as ``psl-<key>.bin``, the key a hash of
tldextract's version file, its snapshot and the refreshed list; later runs load it in a few
milliseconds. :func:`split` walks it as tldextract's ``suffix_index`` walks its own, on the hosts
for which tldextract's URL parsing leaves the text as it is (a property test holds the two
equal); anything else goes to tldextract itself.
"""

from __future__ import annotations

import hashlib
import importlib.util
import marshal
import os
import re
import sys
import zlib
from contextlib import suppress
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

import idna

from linkguard.paths import cache_dir

if TYPE_CHECKING:
    import tldextract

#: Where ``update_psl`` stores a refreshed suffix list; used in preference to the bundled one.
PSL_OVERRIDE_ENV = "LINKGUARD_PSL_FILE"
#: Bump when the stored layout changes.
FORMAT = 1
MAGIC = b"LGPSL\x01\n"
_PREFIX = "psl-"
_SUFFIX = ".bin"
#: Suffix files kept in the cache dir (the current one and the one before).
KEEP_FILES = 2

#: A trie node: (a suffix ends here, that suffix is a private one, children by label). Labels are
#: tldextract's: lowercase, Punycode decoded, ``*`` for a wildcard and ``!x`` for an exception.
Node = tuple[bool, bool, dict[str, "Node"]]

#: Text tldextract's ``lenient_netloc`` gives back unchanged: printable ASCII without the URL
#: delimiters it cuts at (``/?#@:``, a leading ``[``) and not ending in a dot (or empty).
_WALKABLE = re.compile(r"(?:[!-~]*[!-\-0-~])?")
_CUT = frozenset("/?#@:[")
#: tldextract's test that a suffix-less host is an IPv4 address (``remote.IP_RE``).
_IPV4 = re.compile(
    r"(?:(?:[0-9]|[1-9][0-9]|1[0-9]{2}|2[0-4][0-9]|25[0-5])\.){3}"
    r"(?:[0-9]|[1-9][0-9]|1[0-9]{2}|2[0-4][0-9]|25[0-5])",
    re.ASCII,
)


class SuffixSplit(NamedTuple):
    """A host split at its public suffix: what ``suffix_extractor()(host)`` gives."""

    subdomain: str
    domain: str
    suffix: str
    is_private: bool


def psl_file() -> Path | None:
    """The refreshed list in force (``$LINKGUARD_PSL_FILE``, else ``update-psl``'s), if any."""
    env = os.environ.get(PSL_OVERRIDE_ENV)
    if env:
        return Path(env)
    path = cache_dir() / "public_suffix_list.dat"
    return path if path.is_file() else None


@lru_cache(maxsize=1)
def suffix_extractor() -> tldextract.TLDExtract:
    """The one TLDExtract of the process: bundled snapshot (or a refreshed file), never a fetch."""
    import tldextract

    psl = psl_file()
    if psl is not None and psl.is_file():
        # Read the refreshed list ourselves and hand its suffixes over: no URL, no session, no
        # fetch. They are added to the bundled snapshot (tldextract needs one source of its own);
        # suffixes new since the snapshot count as public, which only affects ``is_private``.
        from tldextract.suffix_list import extract_tlds_from_suffix_list

        public, private = extract_tlds_from_suffix_list(psl.read_text(encoding="utf-8"))
        return tldextract.TLDExtract(
            suffix_list_urls=(),
            cache_dir=None,
            fallback_to_snapshot=True,
            include_psl_private_domains=True,
            extra_suffixes=[*public, *private],
        )
    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None, include_psl_private_domains=True)


def _tldextract_dir() -> Path | None:
    """tldextract's package directory, found without importing it (None: an unusual install)."""
    spec = importlib.util.find_spec("tldextract")
    locations = spec.submodule_search_locations if spec is not None else None
    return Path(next(iter(locations))) if locations else None


def psl_text() -> str:
    """The list in force as text, read offline: the refreshed file, else tldextract's snapshot."""
    path = psl_file()
    if path is None or not path.is_file():
        package = _tldextract_dir()
        if package is None:  # pragma: no cover - an unusual install: ask the module itself
            import tldextract

            package = Path(tldextract.__file__).parent
        path = package / ".tld_set_snapshot"
    return path.read_text(encoding="utf-8")


def state() -> str | None:
    """A hash of everything the suffix data depends on: tldextract's version file and snapshot,
    the refreshed list (path and content), this layout and Python's version; None when
    tldextract's files cannot be read (an unusual install: then the data is built from tldextract
    in every process)."""
    package = _tldextract_dir()
    if package is None:
        return None
    h = hashlib.sha256(f"{FORMAT} {sys.version_info[:2]}".encode())  # marshal's format may change
    try:
        for name in ("_version.py", ".tld_set_snapshot"):
            data = (package / name).read_bytes()
            h.update(f"\0{name}\0{len(data)}\0".encode())
            h.update(data)
        psl = psl_file()
        if psl is not None:
            data = psl.read_bytes() if psl.is_file() else b""
            h.update(f"\0{psl}\0{len(data)}\0".encode())
            h.update(data)
    except OSError:
        return None
    return h.hexdigest()


def _converted(extractor: tldextract.TLDExtract) -> Node:
    """tldextract's trie (private suffixes included) as nested tuples; leaves shared, so the
    stored data is small and loads fast."""
    leaves: dict[tuple[bool, bool], Node] = {}

    def node(trie: tldextract.tldextract.Trie) -> Node:
        end, private = bool(trie.end), bool(trie.is_private)
        if not trie.matches:
            return leaves.setdefault((end, private), (end, private, {}))
        return (end, private, {str(label): node(child) for label, child in trie.matches.items()})

    return node(extractor._get_tld_extractor().tlds_incl_private_trie)


def _path(key: str) -> Path:
    return cache_dir() / f"{_PREFIX}{key[:40]}{_SUFFIX}"


def _read(path: Path) -> Node | None:
    """The stored trie, or None when absent or damaged (then it is built again)."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    head = len(MAGIC) + 4
    body = memoryview(data)[head:]
    if not data.startswith(MAGIC) or zlib.crc32(body) != int.from_bytes(data[len(MAGIC) : head], "big"):
        return None
    try:
        root = marshal.loads(body)
    except (ValueError, EOFError, TypeError):
        return None
    ok = isinstance(root, tuple) and len(root) == 3 and isinstance(root[2], dict)
    return root if ok else None


def _write(path: Path, root: Node) -> None:
    """Store atomically (temporary file, then rename); a cache dir that cannot be written only
    costs the build next time."""
    import tempfile

    body = marshal.dumps(root)
    tmp: str | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{_PREFIX}", suffix=".tmp", dir=path.parent)
        with os.fdopen(fd, "wb") as f:
            f.write(MAGIC + zlib.crc32(body).to_bytes(4, "big") + body)
        os.replace(tmp, path)
        tmp = None
        found = sorted(
            (p.stat().st_mtime_ns, p) for p in path.parent.glob(f"{_PREFIX}*{_SUFFIX}") if p != path
        )
        for _, old in found[: max(len(found) - (KEEP_FILES - 1), 0)]:
            old.unlink()
    except OSError:
        pass
    finally:
        if tmp is not None:
            with suppress(OSError):
                os.unlink(tmp)


@lru_cache(maxsize=1)
def trie() -> Node:
    """The root of the suffix trie in force: from the cache dir, else copied from tldextract's
    (and stored there)."""
    key = state()
    if key is not None:
        found = _read(_path(key))
        if found is not None:
            return found
    root = _converted(suffix_extractor())
    if key is not None:
        _write(_path(key), root)
    return root


def reset() -> None:
    """Forget the suffix data and extractor of this process (after ``update-psl``)."""
    trie.cache_clear()
    suffix_extractor.cache_clear()


def top_labels() -> frozenset[str]:
    """The last label of every suffix (the TLDs as the list writes them: Unicode, lowercase)."""
    return frozenset(trie()[2])


def _decoded(label: str) -> str:
    """The label as tldextract matches it (``_decode_punycode``): lowercase, Punycode decoded."""
    lowered = label.lower()
    if lowered.startswith("xn--"):
        try:
            return str(idna.decode(lowered))
        except (UnicodeError, IndexError):
            pass
    return lowered


def walkable(host: str) -> bool:
    """Whether :func:`split` walks ``host`` itself: tldextract would read it as it is."""
    return host.isascii() and _WALKABLE.fullmatch(host) is not None and _CUT.isdisjoint(host)


def split(host: str) -> SuffixSplit:
    """``suffix_extractor()(host)``: walked here for a :func:`walkable` host, else tldextract's call."""
    if not walkable(host):
        parts = suffix_extractor()(host)
        return SuffixSplit(parts.subdomain, parts.domain, parts.suffix, parts.is_private)
    return walk(trie(), host)


def walk(root: Node, host: str) -> SuffixSplit:
    """tldextract's ``suffix_index`` and split on a :func:`walkable` host."""
    return SuffixSplit(*walk_parts(root, host, host.islower() and "xn--" not in host))


def walk_parts(root: Node, host: str, keyed: bool) -> tuple[str, str, str, bool]:
    """:func:`walk` as a plain tuple. ``keyed``: the labels are their own keys (lowercase, no
    Punycode), which the caller knows of an LDH host without testing it: that spares each host
    of a domain list the test and the named tuple (a property test holds the two ways equal)."""
    labels = host.split(".")
    keys = labels if keyed else [_decoded(label) for label in labels]
    node = found = root
    n = at = len(labels)
    label_idx = n
    for key in reversed(keys):
        child = node[2].get(key)
        if child is not None:
            label_idx -= 1
            node = child
            if node[0]:
                at, found = label_idx, node
            continue
        wildcard = node[2].get("*")
        if wildcard is not None:
            at = label_idx if "!" + key in node[2] else label_idx - 1
            found = wildcard
        break
    if at == n:  # no public suffix: an IPv4 address is tldextract's domain, else the last label
        if n == 4 and host[0].isdecimal() and _IPV4.fullmatch(host):
            return "", host, "", False
        return ".".join(labels[:-1]), labels[-1], "", False
    subdomain = ".".join(labels[: at - 1]) if at >= 2 else ""
    domain = labels[at - 1] if at > 0 else ""
    return subdomain, domain, ".".join(labels[at:]), found[1]
