"""Candidate → Link: one canonical form per link.

The authority is read as browsers read it (:mod:`linkguard.whatwg`: ``\\`` as ``/``, the last ``@``,
percent-decoding, IPv4 number forms); hosts go through UTS-46 (what browsers do) to lowercase
ASCII/punycode, and are split with
tldextract's *bundled* Public Suffix List snapshot (:mod:`linkguard.suffixes`: its trie, copied
once, so that a scan need not import tldextract); it never touches the network. ``update_psl``
refreshes the list on purpose.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple
from urllib.parse import quote

import idna

from linkguard import suffixes, whatwg
from linkguard.limits import MAX_HOST_CHARS
from linkguard.models import Candidate, Link
from linkguard.paths import cache_dir
from linkguard.suffixes import PSL_OVERRIDE_ENV as PSL_OVERRIDE_ENV
from linkguard.suffixes import SuffixSplit as SuffixSplit
from linkguard.suffixes import suffix_extractor as suffix_extractor
from linkguard.unwrap import WRAPPER_LABELS, unwrapped

#: The list is ~300 KB; anything far larger is not it.
_PSL_MAX_BYTES = 8 << 20
_DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443, "ftp": 21}
#: The special schemes that name a host on the network (``file`` URLs are not links).
_KNOWN_SCHEMES = frozenset(_DEFAULT_PORTS)
_LDH = re.compile(r"[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)*")


def update_psl(
    url: str = "https://publicsuffix.org/list/public_suffix_list.dat", timeout: float = 20.0
) -> Path:
    """Download the current Public Suffix List into the user cache (explicit, never implicit)."""
    from linkguard.download import download_capped, replace_file
    from linkguard.errors import FetchError

    target = cache_dir() / "public_suffix_list.dat"
    body = download_capped(
        url, cap=_PSL_MAX_BYTES, timeout=timeout, what="the Public Suffix List", kind="a suffix list"
    )
    text = body.decode("utf-8", "replace")
    if "// ===BEGIN ICANN DOMAINS===" not in text:
        raise FetchError(f"{url} did not return a Public Suffix List")
    replace_file(target, text.encode("utf-8"))
    suffixes.reset()
    _split_host.cache_clear()
    _plain_host.cache_clear()
    _netloc.cache_clear()
    return target


def split_suffix(host: str) -> SuffixSplit:
    """``suffix_extractor()(host)`` for a lowercase ASCII host, without tldextract's URL parsing.

    A scan splits every host it meets, so the walk runs on :mod:`linkguard.suffixes`' copy of
    tldextract's trie, which a scan loads without importing tldextract; a property test checks
    both agree.
    """
    return suffixes.split(host)


class HostParts(NamedTuple):
    host: str
    host_unicode: str
    registered_domain: str
    domain_label: str
    suffix: str
    subdomain: str
    is_ip: bool
    is_private_suffix: bool
    obfuscation: tuple[str, ...]


def _script_of(ch: str) -> str:
    name = unicodedata.name(ch, "")
    for script in (
        "LATIN",
        "CYRILLIC",
        "GREEK",
        "ARMENIAN",
        "HEBREW",
        "ARABIC",
        "CJK",
        "HANGUL",
        "HIRAGANA",
        "KATAKANA",
        "GEORGIAN",
        "CHEROKEE",
        "THAI",
        "DEVANAGARI",
    ):
        if name.startswith(script):
            return script
    return "OTHER"


def mixed_script_labels(host_unicode: str) -> bool:
    """True when one label mixes scripts (Latin with Cyrillic, …): the classic homograph trick."""
    for label in host_unicode.split("."):
        scripts = {_script_of(c) for c in label if c.isalpha()}
        if len(scripts) > 1:
            return True
    return False


def _uts46_valid(labels: list[str]) -> bool:
    """The UTS-46 validity checks that mapping alone does not make, as browsers apply them: no
    Punycode prefix on a Unicode label, no leading combining mark, the joiner rules (CONTEXTJ)
    and the bidi rules (RFC 5893) for a right-to-left label. Where a browser is stricter, this
    reads a host it refuses: a finding for a link nobody can follow, never a missed one."""
    unicode_labels = [label for label in labels if not label.isascii()]
    if not unicode_labels:
        return True
    try:
        for label in unicode_labels:
            if label.startswith("xn--"):
                return False  # "xn--はじめよう"
            idna.core.check_initial_combiner(label)
            for pos, ch in enumerate(label):
                if ch in "\u200c\u200d" and not idna.core.valid_contextj(label, pos):
                    return False
            idna.core.check_bidi(label)  # a right-to-left label (the only kind it checks)
    except idna.IDNAError:
        return False
    return True


def _a_labels_decode(host: str) -> bool:
    """Every ``xn--`` label is Punycode that decodes: UTS-46 refuses the host otherwise, and so do
    browsers (``welt.xn--e381afe38198e38281.de`` goes nowhere)."""
    for label in host.split("."):
        if label.startswith("xn--"):
            try:
                label[4:].encode("ascii").decode("punycode")
            except (UnicodeError, IndexError):
                return False
    return True


def _to_ascii(host: str) -> str | None:
    """UTS-46 as browsers apply it to a host (non-transitional, no STD3 rules, no DNS length
    checks); None when it has no ASCII form."""
    try:
        return idna.encode(host, uts46=True, std3_rules=False, transitional=False).decode("ascii")
    except idna.IDNAError:
        pass
    # IDNA 2008 refuses underscores, emoji, empty labels and symbols (✪df.ws) that UTS-46, and
    # so browsers and resolvers, take: map, then Punycode each label that is not ASCII.
    try:
        labels = idna.uts46_remap(host, std3_rules=False, transitional=False).split(".")
        if not _uts46_valid(labels) or not _a_labels_decode(".".join(labels)):
            return None
        return ".".join(
            label if label.isascii() else "xn--" + label.encode("punycode").decode("ascii")
            for label in labels
        )
    except (idna.IDNAError, UnicodeError):
        return None


@lru_cache(maxsize=65536)
def _ascii_host(raw_host: str) -> tuple[str, bool] | None:
    """``(host, is_ip)``: the host as browsers read it — lowercase ASCII/Punycode, or an IP
    address in its canonical form — before any suffix-list check; None when there is none."""
    if raw_host.startswith("["):  # an IPv6 address, in brackets as a URL writes it
        ip6 = whatwg.parse_ipv6(raw_host[1:-1]) if raw_host.endswith("]") else None
        return (whatwg.serialize_ipv6(ip6), True) if ip6 is not None else None
    if ":" in raw_host:  # a bare IPv6 address given to split_host (rules); never from a URL
        ip6 = whatwg.parse_ipv6(raw_host)
        return (whatwg.serialize_ipv6(ip6), True) if ip6 is not None else None
    lowered = raw_host.lower()
    stripped = lowered.rstrip(".")  # a trailing dot names the same host (deliberate, see whatwg)
    if not stripped or len(stripped) > MAX_HOST_CHARS:
        return None
    if stripped.isascii() and _LDH.fullmatch(stripped):
        # What UTS-46 gives an LDH name, or what the fallback below keeps when it refuses one
        # (checked by a property test); idna's pure-Python checks cost 0.1 ms per new host.
        if "xn--" in stripped and not _a_labels_decode(stripped):
            return None
        mapped = lowered
    else:
        to_ascii = _to_ascii(raw_host)
        if to_ascii is None or whatwg.FORBIDDEN_HOST.search(to_ascii):
            return None
        mapped = to_ascii
    ascii_host = mapped.rstrip(".")
    if not ascii_host:
        return None
    if whatwg.ends_in_number(mapped):  # browsers read 0x7f.1, 2130706433 and 127.1 as IPv4
        ip4 = whatwg.parse_ipv4(mapped)
        return (str(ip4), True) if ip4 is not None else None
    return ascii_host, False


@lru_cache(maxsize=65536)
def _split_host(raw_host: str) -> HostParts | None:
    found = _ascii_host(raw_host)
    if found is None:
        return None
    ascii_host, is_ip = found
    if is_ip:
        return HostParts(ascii_host, ascii_host, "", "", "", "", True, False, ())
    tricks: list[str] = []
    lowered = raw_host.lower()
    if not lowered.isascii():
        tricks.append("idn")
    if "xn--" in lowered:
        tricks.append("punycode")
    try:
        host_unicode = idna.decode(ascii_host) if "xn--" in ascii_host else ascii_host
    except idna.IDNAError:
        host_unicode = ascii_host
    if not host_unicode.isascii() and mixed_script_labels(host_unicode):
        tricks.append("mixed-script")
    parts = split_suffix(ascii_host)
    if not parts.suffix or not parts.domain:
        return None
    registered = f"{parts.domain}.{parts.suffix}"
    return HostParts(
        ascii_host,
        host_unicode,
        registered,
        parts.domain,
        parts.suffix,
        parts.subdomain,
        False,
        parts.is_private,
        tuple(tricks),
    )


@lru_cache(maxsize=65536)
def _plain_host(text: str) -> HostParts | None:
    """``_split_host`` of a host that is its own canonical form, as most of a domain list is:
    lowercase LDH labels, no Punycode, ending in a label that starts with a letter (so no IPv4
    number). UTS-46, the IPv4 and the script checks leave such a host as it is, so only the
    suffix split is left to do; ``None`` when it has no public suffix, as there."""
    # LDH without Punycode: the labels are their own keys; tldextract's reading
    subdomain, domain, suffix, private = suffixes.walk_parts(suffixes.trie(), text, True)
    if not suffix or not domain:
        return None
    return HostParts(text, text, f"{domain}.{suffix}", domain, suffix, subdomain, False, private, ())


def _is_plain_host(text: str) -> bool:
    """``text`` is a bare host ``_plain_host`` may take: what a browser reads of it (prepared,
    an ``http`` URL with no user, port, path or escape) is the text itself."""
    return (
        len(text) <= MAX_HOST_CHARS
        and ":" not in text  # a URL: no host matches, and ``_LDH`` need not say so
        and _LDH.fullmatch(text) is not None
        and "a" <= text[text.rfind(".") + 1] <= "z"
        and "xn--" not in text
    )


def split_host(host: str) -> HostParts | None:
    """Normalise and split a host; None when it has no known public suffix."""
    return _split_host(host)


def _quote_part(part: str) -> str:
    return part if part.isascii() and " " not in part else quote(part, safe="/?#[]@!$&'()*+,;=:%~-._")


@lru_cache(maxsize=65536)
def _netloc(scheme: str, netloc: str) -> tuple[HostParts, str, tuple[str, ...]] | None:
    """The host of an authority as a browser reads it (:mod:`linkguard.whatwg`), its canonical
    text (port kept unless default) and the tricks it shows; memoised, because a dump names the
    same few hosts over and over."""
    tricks: list[str] = []
    split = whatwg.split_authority(netloc)
    if split is None:
        return None
    _userinfo, hostname, port_text = split
    if "@" in netloc:
        tricks.append("userinfo")
    port: int | None = None
    if port_text:
        port = int(port_text)
        if port > 65535:
            return None
    if "%" in hostname and not hostname.startswith("["):
        hostname = whatwg.percent_decode_host(hostname)
        if ":" in hostname:  # "%3A%3A1" is no IPv6 address to a browser, and no host at all
            return None
        tricks.append("percent-encoded")
    host = _split_host(hostname)
    if host is None:
        return None
    tricks += [t for t in host.obfuscation if t not in tricks]
    host_text = f"[{host.host}]" if ":" in host.host else host.host
    if port is not None and port != _DEFAULT_PORTS.get(scheme):
        host_text = f"{host_text}:{port}"
    return host, host_text, tuple(tricks)


def read_host(text: str) -> str | None:
    """The host linkguard reads in a URL or bare domain, before any suffix-list check: what a
    link's ``host`` is when it is one. Compared with a WHATWG parser by the tests."""
    parts = whatwg.split_url(whatwg.prepare(text))
    if parts is None or parts[0] not in _KNOWN_SCHEMES:
        return None
    split = whatwg.split_authority(parts[1])
    if split is None or (split[2] and int(split[2]) > 65535):
        return None
    hostname = split[1]
    if "%" in hostname and not hostname.startswith("["):
        hostname = whatwg.percent_decode_host(hostname)
        if ":" in hostname:
            return None
    found = _ascii_host(hostname)
    return found[0] if found is not None else None


def userinfo_of(text: str) -> str:
    """What a link carries before the last ``@`` of its authority, as a browser splits it."""
    parts = whatwg.split_url(whatwg.prepare(text))
    return parts[1].rpartition("@")[0] if parts is not None else ""


def parse_link(
    text: str, *, obfuscation: tuple[str, ...] = (), display: str | None = None, written: str | None = None
) -> Link | None:
    """Normalise a de-obfuscated URL or bare domain; None when it is not a link to a real host.

    ``written`` is the link as it appeared in the input, when that differs from ``text``.
    """
    return _link(text, obfuscation, display, written)


def _inner_link(text: str) -> Link | None:
    return _link(text, (), None, None, unwrap=False)


#: A URL with a lowercase special scheme, ``//``, and nothing a browser drops, maps or reads as a
#: slash: no white space or control characters, no backslash (``_link``).
_PLAIN_URL = re.compile(r"(https?|wss?|ftp)://([^/\\?#\x00-\x20]+)([^?#\\\x00-\x20]*)([^\\\x00-\x20]*)")


def _link(
    text: str,
    obfuscation: tuple[str, ...],
    display: str | None,
    written: str | None,
    unwrap: bool = True,
) -> Link | None:
    if _is_plain_host(text):  # a bare domain: what ``_netloc`` would make of it, directly
        host = _plain_host(text)
        if host is None:
            return None
        tricks, url = host.obfuscation, f"http://{text}/"
    elif text.isascii() and (plain := _PLAIN_URL.fullmatch(text)) is not None:
        # Most links of a scan: ``prepare`` leaves such a URL as it is, its parts are the match's,
        # its scheme is special, and no part holds a backslash or anything to quote, so it is
        # put together again as the branch below would (a property test holds the two equal).
        scheme, netloc, path, rest = plain.groups()
        found = _netloc(scheme, netloc)
        if found is None:
            return None
        host, host_text, tricks = found
        url = f"{scheme}://{host_text}{path or '/'}{rest}"
    else:
        raw = whatwg.prepare(text)
        parts = whatwg.split_url(raw) if raw else None
        if parts is None:
            return None
        scheme, netloc, path, rest, backslash = parts
        if scheme not in _KNOWN_SCHEMES:
            return None
        found = _netloc(scheme, netloc)
        if found is None:
            return None
        host, host_text, tricks = found
        if backslash:  # "https:\\x" or "x\@y": written so that it reads as another URL than it is
            tricks = ("backslash", *tricks)
        if "\\" in path:  # browsers read every backslash of the path as a slash
            path = path.replace("\\", "/")
        url = f"{scheme}://{host_text}{_quote_part(path) or '/'}{_quote_part(rest) if rest else ''}"
    if obfuscation:  # what the extractor undid, then what the host itself shows
        tricks = tuple(dict.fromkeys((*obfuscation, *tricks)))
    link = Link(  # positional: a dozen keywords cost a tenth of a scan's normalising
        written if written is not None else text,
        url,
        host.host,
        host.host_unicode,
        host.registered_domain,
        host.domain_label,
        host.suffix,
        host.subdomain,
        tricks,
        display,
        host.is_ip,
        host.is_private_suffix,
    )
    if unwrap and host.domain_label in WRAPPER_LABELS:  # l.facebook.com/l.php?u=… and the like
        return unwrapped(link, _inner_link)
    return link


def normalize(candidate: Candidate) -> Link | None:
    """Candidate → Link, keeping the text as written and the obfuscations undone.

    Undoing obfuscation can turn a look-alike character into a delimiter the browser never
    sees: in ``https://welt.de／@welt.ltd/`` the fullwidth ``／`` is part of the user name to a
    browser, which goes to welt.ltd, while its NFKC form ``/`` would end the host at welt.de.
    So when the text as written is itself a URL whose host differs, that host is judged.
    """
    link = _link(candidate.url, candidate.obfuscation, candidate.display, candidate.text)
    if candidate.url == candidate.text:
        return link
    direct = read_host(candidate.text)
    if direct is None or (link is not None and direct == link.host):
        return link  # a browser cannot follow the text as written ("welt[.]ltd"), or agrees
    tricks = (*candidate.obfuscation, "lookalike-delimiter")
    as_written = _link(candidate.text, tricks, candidate.display, None)
    # No public host as written ("spiegel🔹ltd" is one label), or none DNS could resolve
    # ("e(dot)t.co": URL parsers keep the parentheses, no name server would): the de-obfuscated
    # reading stands.
    if as_written is None or not (as_written.is_ip or _LDH.fullmatch(as_written.host)):
        return link
    return as_written


def is_public_suffix(name: str) -> bool:
    """True when ``name`` (ASCII, lowercase) is itself a public suffix such as ``de`` or ``co.uk``."""
    return suffixes.split("x." + name).suffix == name
