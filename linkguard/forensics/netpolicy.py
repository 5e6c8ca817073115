"""Which addresses linkguard may connect to, and the one place where host names are resolved.

Untrusted links must not make linkguard probe the investigator's own network (SSRF): every
address a host resolves to is checked, and the caller connects to the checked address only.
``ipaddress.is_global`` is not enough on its own (its meaning changed across Python versions and
it ignores addresses embedded in IPv6 transition formats), so the blocked ranges are listed here.
"""

from __future__ import annotations

import ipaddress
import re
import socket
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import idna

from linkguard import limits
from linkguard.errors import BlockedAddressError, FetchError
from linkguard.whatwg import serialize_ipv6

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
#: ``resolver(host, timeout) -> addresses``; the default runs ``getaddrinfo`` in a helper thread.
Resolver = Callable[[str, float], Sequence[str]]

_V4_BLOCKED: tuple[tuple[str, str], ...] = (
    ("0.0.0.0/8", "unspecified/this-network"),
    ("10.0.0.0/8", "private"),
    ("100.64.0.0/10", "carrier-grade NAT"),
    ("127.0.0.0/8", "loopback"),
    ("169.254.0.0/16", "link-local (cloud metadata)"),
    ("172.16.0.0/12", "private"),
    ("192.0.0.0/24", "IETF protocol assignments"),
    ("192.0.2.0/24", "documentation"),
    ("192.88.99.0/24", "6to4 relay anycast"),
    ("192.168.0.0/16", "private"),
    ("198.18.0.0/15", "benchmarking"),
    ("198.51.100.0/24", "documentation"),
    ("203.0.113.0/24", "documentation"),
    ("224.0.0.0/4", "multicast"),
    ("240.0.0.0/4", "reserved"),
    ("255.255.255.255/32", "broadcast"),
)
_V6_BLOCKED: tuple[tuple[str, str], ...] = (
    ("::/128", "unspecified"),
    ("::1/128", "loopback"),
    ("::/96", "IPv4-compatible (deprecated)"),
    ("::ffff:0:0/96", "IPv4-mapped"),
    ("64:ff9b::/96", "NAT64"),
    ("64:ff9b:1::/48", "local-use NAT64"),
    ("100::/64", "discard-only"),
    ("2001::/32", "Teredo"),
    ("2001:2::/48", "benchmarking"),
    ("2001:10::/28", "ORCHID"),
    ("2001:db8::/32", "documentation"),
    ("2002::/16", "6to4"),
    ("fc00::/7", "unique-local (private)"),
    ("fe80::/10", "link-local"),
    ("fec0::/10", "site-local (deprecated)"),
    ("ff00::/8", "multicast"),
)
_BLOCKED = tuple((ipaddress.ip_network(net), why) for net, why in _V4_BLOCKED + _V6_BLOCKED)


def parse_ip_literal(host: str) -> IPAddress | None:
    """The address a URL host denotes if it is an IP literal, spelled the way browsers accept.

    Browsers (WHATWG URL) read ``0x7f000001``, ``2130706433``, ``0177.0.0.1`` and ``127.1`` as
    127.0.0.1, so a guard that only knows dotted quads would wave them through as "names".
    """
    host = host.strip().rstrip(".").lower()
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    if ":" in host:
        try:
            return ipaddress.IPv6Address(host.split("%", 1)[0])
        except ValueError:
            return None
    parts = host.split(".")
    if not parts[-1] or _numeric_part(parts[-1]) is None:
        return None  # WHATWG: a host is IPv4 only if its last label is a number
    if len(parts) > 4:
        return None
    values: list[int] = []
    for part in parts:
        value = _numeric_part(part)
        if value is None:
            return None
        values.append(value)
    *head, last = values
    if any(v > 255 for v in head) or last >= 256 ** (5 - len(values)):
        return None
    number = sum(v << (8 * (3 - i)) for i, v in enumerate(head)) + last
    return ipaddress.IPv4Address(number)


_HEX = re.compile(r"0[xX][0-9A-Fa-f]*")
_OCT = re.compile(r"0[0-7]+")
_DEC = re.compile(r"0|[1-9][0-9]*")


def _numeric_part(part: str) -> int | None:
    """One IPv4 part as WHATWG reads it (ASCII digits only: no ``_``, no other scripts' digits)."""
    if len(part) > 64:
        return None
    if _HEX.fullmatch(part):
        return int(part[2:] or "0", 16)
    if _OCT.fullmatch(part):
        return int(part[1:], 8)
    if _DEC.fullmatch(part):
        return int(part, 10)
    return None


def address_problem(address: IPAddress) -> str | None:
    """Why ``address`` must not be contacted, or None if it is a public unicast address."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:  # connects to the embedded IPv4: judge that one
            inner = address_problem(address.ipv4_mapped)
            return f"IPv4-mapped {inner}" if inner else None
        if address.sixtofour is not None or address.teredo is not None:
            embedded = address.sixtofour or (address.teredo[1] if address.teredo else None)
            kind = "6to4" if address.sixtofour is not None else "Teredo"
            return f"{kind} tunnel (embeds {embedded})"
    for network, why in _BLOCKED:
        if address.version == network.version and address in network:
            return why
    if not address.is_global or address.is_multicast or address.is_reserved:
        return "not a global unicast address"
    return None


def _getaddrinfo(host: str, timeout: float) -> list[str]:
    """``getaddrinfo`` with a deadline: it has no timeout of its own, so it runs in a daemon thread."""
    result: list[str] = []
    error: list[BaseException] = []

    def run() -> None:
        try:
            infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
            result.extend(str(info[4][0]) for info in infos)
        except BaseException as exc:  # reported to the caller below
            error.append(exc)

    worker = threading.Thread(target=run, name=f"linkguard-dns-{host}", daemon=True)
    worker.start()
    worker.join(timeout)
    if worker.is_alive():
        raise FetchError(f"DNS lookup of {host} timed out after {timeout:g} s")
    if error:
        raise FetchError(f"{host} does not resolve ({error[0]})")
    return result


@dataclass(frozen=True, slots=True)
class NetworkPolicy:
    """Address rules for one run; a frozen value so workers can share it.

    ``allow_private`` is the lab/test switch: it lifts the address *and* port restrictions.
    ``resolve`` pins host names to addresses like ``curl --resolve`` (pinned addresses are still
    checked). ``exempt`` lists networks the operator trusts explicitly (a lab host, tests).
    """

    allow_private: bool = False
    resolve: Mapping[str, str] = field(default_factory=dict)
    exempt: tuple[str, ...] = ()
    ports: tuple[int, ...] | None = limits.ALLOWED_PORTS
    dns_timeout: float = limits.DNS_TIMEOUT_S
    resolver: Resolver | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        pins = {}
        for host, address in self.resolve.items():
            pins[ascii_host(host)] = canonical_address(address, f"--resolve {host}")
        object.__setattr__(self, "resolve", pins)
        for net in self.exempt:
            ipaddress.ip_network(net, strict=False)  # fail early on a typo

    def fingerprint(self) -> str:
        """A short string that changes whenever a cached answer could differ under this policy."""
        pins = ",".join(f"{h}={a}" for h, a in sorted(self.resolve.items()))
        return f"p{int(self.allow_private)}|{pins}|{','.join(self.exempt)}"

    def problem(self, address: IPAddress) -> str | None:
        """Why this policy refuses ``address`` (None: allowed)."""
        if self.allow_private:
            return None
        if any(address in ipaddress.ip_network(net, strict=False) for net in self.exempt):
            return None
        return address_problem(address)

    def check_port(self, host: str, port: int) -> None:
        if self.allow_private or self.ports is None or port in self.ports:
            return
        allowed = ", ".join(str(p) for p in self.ports)
        raise BlockedAddressError(
            f"refused to connect to {host}:{port}: only ports {allowed} are allowed "
            "(use --allow-private in a lab)",
            host=host,
        )

    def lookup(self, host: str, timeout: float | None = None) -> list[str]:
        """Every address ``host`` stands for, unchecked (pins and IP literals never touch DNS)."""
        host = ascii_host(host)
        if host in self.resolve:
            return [self.resolve[host]]
        literal = parse_ip_literal(host)
        if literal is not None:
            return [str(literal)]
        wait = self.dns_timeout if timeout is None else max(0.0, min(self.dns_timeout, timeout))
        answers = (self.resolver or _getaddrinfo)(host, wait)
        unique = list(dict.fromkeys(str(ipaddress.ip_address(a.split("%", 1)[0])) for a in answers))
        if not unique:
            raise FetchError(f"{host} does not resolve (no A/AAAA records)")
        return unique

    def resolve_checked(self, host: str, timeout: float | None = None) -> list[str]:
        """Addresses to connect to; raises BlockedAddressError if ANY answer is refused.

        One bad answer refuses the host: a resolver that returns a public and a private address
        lets the attacker pick which one a later connection uses.
        """
        host = ascii_host(host)
        addresses = self.lookup(host, timeout)
        for address in addresses:
            why = self.problem(ipaddress.ip_address(address))
            if why:
                shown = host if host == address else f"{host} ({address})"
                raise BlockedAddressError(
                    f"refused to connect to {shown}: {why} address; use --allow-private to investigate "
                    "private networks",
                    host=host,
                    address=address,
                )
        return addresses


def ascii_host(host: str) -> str:
    """The form a host takes on the wire and in DNS: lower-case, no brackets or final dot, punycode.

    Pins, DNS and the pinned connection are all keyed on it, so ``wélt.de`` and ``xn--wlt-bma.de``
    are one host (a pin keyed on the Unicode form was never found for the punycode connection).
    """
    host = host.strip().lower().rstrip(".")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    if host.isascii():
        return host
    try:
        return idna.encode(host, uts46=True, std3_rules=False, transitional=False).decode("ascii")
    except (idna.IDNAError, UnicodeError, ValueError):
        try:
            return host.encode("idna").decode("ascii")  # IDNA 2003, as the extractor falls back to
        except UnicodeError:
            return host  # not a name DNS could carry: lookups fail with a FetchError


def canonical_address(text: str, what: str = "address") -> str:
    """``text`` as the address it denotes, written canonically (``2130706433``, ``127.1`` → ``127.0.0.1``).

    IPv4 accepts the spellings browsers accept (WHATWG URL: decimal, octal, hex, short forms),
    IPv6 drops brackets and a zone; anything else is a ``ValueError`` naming ``what``.
    """
    cleaned = text.strip().strip("[]")
    literal = parse_ip_literal(cleaned) if cleaned and len(cleaned) <= 64 else None
    if literal is None:
        raise ValueError(f"{what}: {text!r} is not an IP address")
    return serialize_ipv6(literal) if isinstance(literal, ipaddress.IPv6Address) else str(literal)


def parse_resolve_overrides(items: Iterable[str]) -> dict[str, str]:
    """``HOST:IP`` strings (``curl --resolve`` without the port) into a pin map keyed on the ASCII host.

    The address may be bracketed IPv6 or any IPv4 spelling a browser accepts; it is stored in its
    canonical form, so the rest of the stack only ever sees ``127.0.0.1`` for ``127.1``.
    """
    pins: dict[str, str] = {}
    for item in items:
        host, sep, address = item.partition(":")
        if not sep or not host.strip() or not address.strip():
            raise ValueError(f"--resolve {item!r}: expected HOST:IP")
        if parse_ip_literal(host) is not None:
            raise ValueError(f"--resolve {item!r}: HOST must be a name, not an address")
        key = ascii_host(host)
        if not key or not key.isascii() or any(c in key for c in "/?#@ \t"):
            raise ValueError(f"--resolve {item!r}: {host!r} is not a host name")
        pins[key] = canonical_address(address, f"--resolve {item!r}")
    return pins
