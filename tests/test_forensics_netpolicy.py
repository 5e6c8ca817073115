"""The address guard: every spelling of a private address is refused when the policy is strict."""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

import pytest
from hypothesis import given
from hypothesis import strategies as st

from linkguard.errors import BlockedAddressError, FetchError
from linkguard.forensics import NetworkPolicy, address_problem, parse_ip_literal, parse_resolve_overrides

STRICT = NetworkPolicy()
REFUSED_LITERALS = [
    "127.0.0.1",
    "[::1]",
    "::1",
    "0x7f000001",
    "2130706433",
    "0177.0.0.1",
    "127.1",
    "::ffff:127.0.0.1",
    "[::ffff:7f00:1]",
    "169.254.169.254",
    "10.0.0.1",
    "172.16.5.4",
    "192.168.1.1",
    "100.64.0.1",
    "0.0.0.0",
    "::",
    "fe80::1",
    "fd00::1",
    "ff02::1",
    "224.0.0.1",
    "255.255.255.255",
    "64:ff9b::7f00:1",
    "64:ff9b::808:808",  # NAT64 even of a public address: the translator sits in someone's network
    "2002:7f00:1::1",  # 6to4
    "2001:0:4136:e378:8000:63bf:3fff:fdd2",  # Teredo
    "198.18.0.1",
    "192.0.2.10",
    "240.0.0.1",
]


@pytest.mark.parametrize("host", REFUSED_LITERALS)
def test_strict_policy_refuses_private_and_special_literals(host: str) -> None:
    with pytest.raises(BlockedAddressError) as info:
        STRICT.resolve_checked(host)
    assert "refused to connect" in str(info.value)
    assert info.value.address


@pytest.mark.parametrize("host", ["8.8.8.8", "2606:4700::1111", "::ffff:8.8.8.8", "1.1.1.1"])
def test_strict_policy_accepts_public_literals(host: str) -> None:
    assert STRICT.resolve_checked(host)


@pytest.mark.parametrize(
    ("spelling", "expected"),
    [
        ("0x7f000001", "127.0.0.1"),
        ("2130706433", "127.0.0.1"),
        ("0177.0.0.01", "127.0.0.1"),
        ("127.1", "127.0.0.1"),
        ("10.1.258", "10.1.1.2"),
        ("0x7f.1", "127.0.0.1"),
        ("[::1]", "::1"),
        ("welt.ltd", None),
        ("1.2.3.4.5", None),
        ("256.1.1.1", None),
        ("4294967296", None),
        ("example.123", None),
    ],
)
def test_ip_literals_are_read_the_way_browsers_read_them(spelling: str, expected: str | None) -> None:
    parsed = parse_ip_literal(spelling)
    assert (str(parsed) if parsed else None) == expected


def test_ipv4_mapped_is_judged_by_its_embedded_address() -> None:
    assert "loopback" in (address_problem(ipaddress.ip_address("::ffff:127.0.0.1")) or "")
    assert address_problem(ipaddress.ip_address("::ffff:8.8.8.8")) is None


def test_pinned_host_is_still_checked_and_never_resolved() -> None:
    asked: list[str] = []

    def resolver(host: str, timeout: float) -> Sequence[str]:
        asked.append(host)
        return ["93.184.216.34"]

    policy = NetworkPolicy(resolve={"welt.ltd": "127.0.0.1"}, resolver=resolver)
    with pytest.raises(BlockedAddressError, match=r"welt\.ltd \(127\.0\.0\.1\): loopback"):
        policy.resolve_checked("WELT.ltd.")
    assert asked == []
    assert NetworkPolicy(resolve={"welt.ltd": "127.0.0.1"}, allow_private=True).resolve_checked(
        "welt.ltd"
    ) == ["127.0.0.1"]


def test_every_dns_answer_is_checked() -> None:
    def resolver(host: str, timeout: float) -> Sequence[str]:
        return ["93.184.216.34", "10.0.0.7"]  # one public, one private: an attacker picks later

    with pytest.raises(BlockedAddressError, match=r"10\.0\.0\.7"):
        NetworkPolicy(resolver=resolver).resolve_checked("rebind.test")


def test_resolver_failure_is_a_fetch_error() -> None:
    def resolver(host: str, timeout: float) -> Sequence[str]:
        return []

    with pytest.raises(FetchError, match="does not resolve"):
        NetworkPolicy(resolver=resolver).resolve_checked("gone.test")


def test_allow_private_and_exempt() -> None:
    assert NetworkPolicy(allow_private=True).resolve_checked("10.0.0.1") == ["10.0.0.1"]
    exempt = NetworkPolicy(exempt=("127.0.0.2/32",))
    assert exempt.resolve_checked("127.0.0.2") == ["127.0.0.2"]
    with pytest.raises(BlockedAddressError):
        exempt.resolve_checked("127.0.0.1")


def test_ports_are_limited_when_strict() -> None:
    STRICT.check_port("welt.ltd", 443)
    with pytest.raises(BlockedAddressError, match="only ports 80, 443"):
        STRICT.check_port("welt.ltd", 6379)
    NetworkPolicy(allow_private=True).check_port("welt.ltd", 6379)


def test_resolve_overrides_parse() -> None:
    assert parse_resolve_overrides(["welt.ltd:127.0.0.1", "v6.test:[::1]"]) == {
        "welt.ltd": "127.0.0.1",
        "v6.test": "::1",
    }
    with pytest.raises(ValueError, match="HOST:IP"):
        parse_resolve_overrides(["welt.ltd"])
    with pytest.raises(ValueError, match="not an IP"):
        parse_resolve_overrides(["welt.ltd:example.com"])


def test_fingerprint_changes_with_what_changes_answers() -> None:
    assert STRICT.fingerprint() != NetworkPolicy(allow_private=True).fingerprint()
    assert STRICT.fingerprint() != NetworkPolicy(resolve={"a.test": "1.2.3.4"}).fingerprint()


@given(st.integers(min_value=0, max_value=2**32 - 1))
def test_every_ipv4_spelling_as_integer_matches_the_address(number: int) -> None:
    address = ipaddress.IPv4Address(number)
    assert parse_ip_literal(str(number)) == address
    assert parse_ip_literal(hex(number)) == address
    expected = address_problem(address)
    assert address_problem(ipaddress.ip_address(f"::ffff:{address}")) == (
        f"IPv4-mapped {expected}" if expected else None
    )
