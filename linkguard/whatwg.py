"""How browsers read the authority of a URL: the WHATWG URL Standard, for the special schemes.

A detector that reads a different host from the one a browser goes to can be walked around with
one character: ``https://welt.ltd\\@welt.de/`` takes a browser to welt.ltd, because in http(s),
ws(s), ftp and file URLs the standard reads ``\\`` as ``/`` and the authority ends there; an
RFC 3986 reader sees the host welt.de behind a user name. So hosts are read as the standard
reads them (https://url.spec.whatwg.org/, "basic URL parser", "host parser", "IPv4 parser"):

- leading and trailing C0 controls and spaces are stripped, tabs and newlines removed anywhere;
- after a special scheme any run of ``/`` and ``\\`` is skipped (``https:welt.ltd``,
  ``https:/welt.ltd`` and ``https:\\\\welt.ltd`` all reach welt.ltd);
- the authority ends at the first ``/``, ``\\``, ``?`` or ``#``, and everything up to its *last*
  ``@`` is user information;
- the host is percent-decoded (``%77elt.ltd`` is welt.ltd), then mapped by UTS-46 (in
  :mod:`linkguard.normalize`), and a host ending in a number is an IPv4 address in any of its
  number forms (``0x7f.1``, ``2130706433``, ``127.1``, ``0177.0.0.1``) or no host at all.

No base URL is involved: linkguard reads links as written, as a browser's address bar would.
``tests/test_whatwg.py`` checks the whole chain against Ada (``ada-url``), a conformant parser,
and against the web-platform-tests URL cases.
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import unquote_to_bytes

#: Schemes the standard calls special: ``\\`` is a slash in them and their host is a domain.
SPECIAL_SCHEMES = frozenset({"http", "https", "ws", "wss", "ftp", "file"})
#: What the standard strips from both ends of a URL (C0 controls and space), plus the other
#: Unicode white space, which never ends a link the extractor found either.
STRIP_CHARS = "".join(chr(c) for c in range(0x21)) + "".join(
    ch for ch in map(chr, range(0x80, 0x3001)) if ch.isspace()
)
_TAB_NEWLINE = str.maketrans("", "", "\t\n\r")
#: scheme, slashes (both kinds) after it, authority, path, query and fragment: one match, as this
#: runs for every link of a scan.
_URL = re.compile(r"(?:([A-Za-z][A-Za-z0-9+.\-]*):)?([/\\]*)([^/\\?#]*)([^?#]*)(.*)", re.DOTALL)
_NO_SCHEME = re.compile(r"()([/\\]*)([^/\\?#]*)([^?#]*)(.*)", re.DOTALL)
#: Characters no host may hold once decoded and mapped ("forbidden domain code points").
FORBIDDEN_HOST = re.compile(r"[\x00-\x20#%/:<>?@\[\\\]^|\x7f]")
_DECIMAL = frozenset("0123456789")
_OCTAL = frozenset("01234567")
_HEX = frozenset("0123456789abcdefABCDEF")


#: ``(scheme, authority, path, rest, backslash)``: the scheme lowercase ("http" when the text had
#: none), the authority (user information, host, port) and the path as written, the query and
#: fragment, and whether a "\" stood for the slashes or ended the host to mislead (see below).
UrlParts = tuple[str, str, str, str, bool]


def prepare(text: str) -> str:
    """What a browser keeps of a URL: no surrounding controls or spaces, no tabs or newlines."""
    text = text.strip(STRIP_CHARS)
    if "\t" in text or "\n" in text or "\r" in text:
        text = text.translate(_TAB_NEWLINE)
    return text


def split_url(raw: str) -> UrlParts | None:
    """The parts of a prepared URL or bare domain; None for a non-special scheme or no authority.

    A bare domain is read as if ``http://`` stood before it (what an address bar does), so
    ``welt.de:8080`` is a host and port, not a scheme called ``welt.de``.
    """
    m = _URL.match(raw)
    if m is None:  # pragma: no cover - every group may be empty, so it always matches
        return None
    scheme, slashes, authority, path, rest = m.groups()
    if scheme is None:
        scheme = "http"
    else:
        scheme = scheme.lower()
        if scheme not in SPECIAL_SCHEMES:
            if slashes[:2] == "//":
                return None  # mailto:, javascript:, hxxp:// … are not links to a host
            m = _NO_SCHEME.match(raw)  # "welt.de:8080/x" is a host and a port
            if m is None:  # pragma: no cover
                return None
            scheme, (_, slashes, authority, path, rest) = "http", m.groups()
    if not authority:
        return None
    # a trick when "\" stands for the slashes, or ends the host before an "@" that a reader
    # takes for the end of user information (welt.ltd\@welt.de); not in a plain Windows path
    tricky = "\\" in slashes or (path[:1] == "\\" and "@" in path.partition("/")[0])
    return scheme, authority, path, rest, tricky


def split_authority(authority: str) -> tuple[str, str, str] | None:
    """``(userinfo, host, port)``; the user information runs to the *last* ``@``."""
    userinfo, _, hostport = authority.rpartition("@")
    if not hostport:
        return None  # "user@" with no host: the standard fails the URL
    if hostport.startswith("["):
        close = hostport.find("]")
        colon = hostport.find(":", close) if close != -1 else -1
    else:
        colon = hostport.find(":")
    if colon == -1:
        return userinfo, hostport, ""
    port = hostport[colon + 1 :]
    if port and not (port.isascii() and port.isdigit()):
        return None
    return userinfo, hostport[:colon], port


def percent_decode_host(host: str) -> str:
    """``%77elt.ltd`` → ``welt.ltd``: bytes decoded as UTF-8; bad sequences become U+FFFD,
    which no host may hold, so such a host fails later as it does in a browser."""
    return unquote_to_bytes(host).decode("utf-8", "replace") if "%" in host else host


def _ipv4_number(part: str) -> int | None:
    if part[:2] in ("0x", "0X"):
        digits, allowed, base = part[2:], _HEX, 16
    elif len(part) > 1 and part[0] == "0":
        digits, allowed, base = part[1:], _OCTAL, 8
    else:
        digits, allowed, base = part, _DECIMAL, 10
    if not part:
        return None
    if not digits:
        return 0
    if not allowed.issuperset(digits):
        return None
    return int(digits, base)


def ends_in_number(host: str) -> bool:
    """The standard's test for a host that must be an IPv4 address (or nothing)."""
    parts = host.split(".")
    if parts[-1] == "":
        if len(parts) == 1:
            return False
        parts.pop()
    last = parts[-1]
    if last and _DECIMAL.issuperset(last):
        return True
    return bool(last) and _ipv4_number(last) is not None


def parse_ipv4(host: str) -> ipaddress.IPv4Address | None:
    """``0x7f.1``, ``2130706433``, ``127.1``, ``0177.0.0.1`` → 127.0.0.1; None when invalid."""
    parts = host.split(".")
    if parts[-1] == "" and len(parts) > 1:
        parts.pop()
    if len(parts) > 4:
        return None
    numbers = [_ipv4_number(p) for p in parts]
    if any(n is None for n in numbers):
        return None
    values = [n for n in numbers if n is not None]
    if any(n > 255 for n in values[:-1]) or values[-1] >= 256 ** (5 - len(values)):
        return None
    address = values[-1]
    for i, n in enumerate(values[:-1]):
        address += n << (8 * (3 - i))
    return ipaddress.IPv4Address(address)


def parse_ipv6(inner: str) -> ipaddress.IPv6Address | None:
    """The address between ``[`` and ``]``; a zone (``%eth0``) is not allowed in a URL."""
    if "%" in inner:
        return None
    try:
        return ipaddress.IPv6Address(inner)
    except ValueError:
        return None


def serialize_ipv6(address: ipaddress.IPv6Address) -> str:
    """The address as the URL Standard writes it: hex pieces, the longest run of two or more zero
    pieces compressed, never dotted IPv4 (``::ffff:7f00:1``). Python 3.13's ``compressed`` writes
    IPv4-mapped addresses as ``::ffff:127.0.0.1``, which no browser shows."""
    packed = address.packed
    pieces = [(packed[i] << 8) | packed[i + 1] for i in range(0, 16, 2)]
    best_start, best_len, run_start = -1, 1, -1
    for i, piece in enumerate([*pieces, 1]):  # the sentinel closes a trailing run
        if piece == 0 and run_start < 0:
            run_start = i
        elif piece != 0 and run_start >= 0:
            if i - run_start > best_len:
                best_start, best_len = run_start, i - run_start
            run_start = -1
    hexes = [f"{p:x}" for p in pieces]
    if best_start < 0:
        return ":".join(hexes)
    return ":".join(hexes[:best_start]) + "::" + ":".join(hexes[best_start + best_len :])


#: How a reader who does not know the standard splits a URL (RFC 3986): the authority runs to
#: the first ``/``, ``?`` or ``#``, and a backslash is just a character in it.
_NAIVE = re.compile(r"(?:[A-Za-z][A-Za-z0-9+.\-]*://)?([^/?#]*)")


def naive_host(text: str) -> str:
    """The host an RFC 3986 reader sees, lowercase; ``""`` when that reading has no domain.

    ``https://welt.ltd\\@welt.de/`` reads as welt.de to such a reader (and to tools that parse
    that way) while a browser goes to welt.ltd: that text is what the link pretends to be.
    """
    m = _NAIVE.match(prepare(text))
    host = m.group(1).rpartition("@")[2] if m is not None else ""
    if host.startswith("["):
        return ""
    host = host.partition(":")[0].rstrip(".").lower()
    return host if "." in host and "\\" not in host else ""
