"""``permute --online``: DNS (A, AAAA, NS, MX) and RDAP against loopback servers only.

The DNS responder (``dns_server`` in forensics_servers.py) knows welt.ltd (every record type) and
welt.online (no records), answers SERVFAIL for welt.news, never answers for welt.top and NXDOMAIN
for everything else; the RDAP registry (``rdap``) knows welt.ltd, registered 2024-05-02.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from forensics_servers import DnsServer, Server, free_port, serve_dns

from linkguard.cli import main
from linkguard.errors import BlockedAddressError
from linkguard.forensics.existence import ExistenceLookup
from linkguard.forensics.fetch import Fetcher
from linkguard.forensics.netpolicy import NetworkPolicy
from linkguard.forensics.registration import RegistrationLookup

LAB = NetworkPolicy(allow_private=True)


def _lookup(dns: DnsServer, rdap_base: str | None, timeout: float = 2.0) -> ExistenceLookup:
    registry = None
    if rdap_base is not None:
        registry = RegistrationLookup(Fetcher(LAB), LAB, rdap_base=rdap_base, whois=False)
    return ExistenceLookup(LAB, registry=registry, dns_server=("127.0.0.1", dns.port), dns_timeout=timeout)


def test_existing_name_has_records_and_creation_date(dns_server: DnsServer, rdap: Server) -> None:
    found = _lookup(dns_server, rdap.base).lookup("welt.ltd")
    assert found.state == "exists" and not found.errors
    assert found.records == {
        "A": ("203.0.113.7",),
        "AAAA": ("2001:db8::7",),
        "NS": ("ns1.cheap-names.example.",),
        "MX": ("10 mx.cheap-names.example.",),
    }
    assert found.registered is not None and found.registered.date().isoformat() == "2024-05-02"
    kinds = [e.kind for e in found.evidence()]
    assert kinds == ["existence", "registration"]
    assert "2024-05-02" in found.describe() and "Cheap Names LLC" in found.evidence()[1].detail


def test_nxdomain_is_absent_without_asking_the_registry(dns_server: DnsServer, rdap: Server) -> None:
    found = _lookup(dns_server, rdap.base).lookup("welt.xyz")
    assert found.state == "absent" and found.nxdomain and found.registration is None
    assert dns_server.queries == [("welt.xyz", "A")]  # no other type is asked of a name that is not
    assert "/domain/welt.xyz" not in rdap.paths()
    assert "does not exist" in found.describe()


def test_a_name_without_records_exists(dns_server: DnsServer) -> None:
    found = _lookup(dns_server, None).lookup("welt.online")
    assert found.state == "exists" and found.records == {} and not found.nxdomain


def test_failed_lookups_are_unknown_never_absent(dns_server: DnsServer) -> None:
    servfail = _lookup(dns_server, None).lookup("welt.news")
    assert servfail.state == "unknown" and not servfail.nxdomain
    assert len(servfail.errors) == 4 and all("no server answered" in e for e in servfail.errors)
    silent = _lookup(dns_server, None, timeout=0.3).lookup("welt.top")
    assert silent.state == "unknown" and silent.errors == ("A: no answer within 0.3 s",)
    assert {t for n, t in dns_server.queries if n == "welt.top"} == {"A"}  # stopped after the timeout
    assert "existence unknown (A: no answer within 0.3 s)" in silent.describe()


def test_registry_down_and_dns_failing_stays_unknown(dns_server: DnsServer) -> None:
    dead = f"http://127.0.0.1:{free_port()}"
    found = _lookup(dns_server, dead).lookup("welt.news")
    assert found.state == "unknown"
    assert any(e.startswith("RDAP: ") for e in found.errors)


def test_a_loopback_dns_server_needs_allow_private(dns_server: DnsServer) -> None:
    with pytest.raises(BlockedAddressError, match="loopback"):
        ExistenceLookup(NetworkPolicy(), dns_server=("127.0.0.1", dns_server.port))
    assert dns_server.queries == []


def _rows(out: str) -> dict[str, dict[str, Any]]:
    return {row["host_unicode"]: row for row in map(json.loads, out.splitlines())}


def _existence(row: dict[str, Any]) -> dict[str, Any]:
    (item,) = [e for e in row["evidence"] if e["kind"] == "existence"]
    data: dict[str, Any] = item["data"]
    return data


def test_cli_online(rdap: Server, capsys: pytest.CaptureFixture[str]) -> None:
    """End to end: tld-swaps of welt.de, each said to exist, not to exist, or unknown with its reason.

    Its own responder without a silent name: the timeout is generous, so a loaded machine cannot
    turn the registry's answer into a timeout (the unit tests cover timeouts).
    """
    zone = {"welt.ltd": {"A": ["203.0.113.7"], "MX": ["10 mx.cheap-names.example."]}, "welt.online": {}}
    with serve_dns(zone, servfail={"welt.news"}, silent=set()) as dns:
        base = ["permute", "welt.de", "--technique", "tld-swap", "--format", "jsonl", "--online"]
        net = ["--allow-private", "--dns-server", dns.address, "--timeout", "10", "--concurrency", "4"]
        assert main([*base, *net, "--rdap-url", rdap.base]) == 1  # 1: some lookalike name exists
        first = capsys.readouterr()
        # DNS only, existing names only: the SERVFAIL name (unknown) is left out
        assert main([*base, *net, "--no-rdap", "--existing"]) == 1
        second = capsys.readouterr()
    assert set(_rows(second.out)) == {"welt.ltd", "welt.online"}
    assert "exists 2, unknown 1" in second.err
    captured = first
    rows = _rows(captured.out)
    ltd = rows["welt.ltd"]
    assert ltd["flagged"] and ltd["evidence"][0]["kind"] == "permutation"
    assert _existence(ltd)["state"] == "exists" and _existence(ltd)["registered"].startswith("2024-05-02")
    assert _existence(ltd)["records"]["MX"] == ["10 mx.cheap-names.example."]
    assert any(e["kind"] == "registration" and "2024-05-02" in e["detail"] for e in ltd["evidence"])
    assert _existence(rows["welt.xyz"])["state"] == "absent"
    assert {_existence(r)["state"] for r in rows.values()} <= {"exists", "absent"}  # the registry answered
    assert "Online: exists 2" in captured.err


def test_cli_exit_4_when_nothing_exists_and_lookups_failed(capsys: pytest.CaptureFixture[str]) -> None:
    """No DNS server listening: every name is unknown (never absent) and the exit code is 4."""
    args = [
        "permute",
        "welt.de",
        "--technique",
        "subdomain-brand",
        "--online",
        "--allow-private",
        "-f",
        "jsonl",
    ]
    code = main([*args, "--dns-server", f"127.0.0.1:{free_port()}", "--timeout", "0.2", "--no-rdap"])
    captured = capsys.readouterr()
    assert code == 4
    rows = _rows(captured.out)
    assert rows and {_existence(r)["state"] for r in rows.values()} == {"unknown"}
    assert "exists 0" in captured.err and f"unknown {len(rows)}" in captured.err


def test_cli_refuses_a_loopback_dns_server_without_allow_private(
    dns_server: DnsServer, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["permute", "welt.de", "--online", "--dns-server", dns_server.address, "--no-rdap"]
    assert main(args) == 4
    assert "refused to ask the DNS server 127.0.0.1" in capsys.readouterr().err
    assert dns_server.queries == []


def test_cli_concurrency_bounds_the_lookups_in_flight(capsys: pytest.CaptureFixture[str]) -> None:
    """A responder that holds each answer 0.2 s sees at most --concurrency queries at once."""
    with serve_dns({}, servfail=set(), silent=set()) as dns:
        dns.delay = 0.2
        args = ["permute", "welt.de", "--technique", "subdomain-brand", "--online", "--allow-private"]
        code = main([*args, "-f", "jsonl", "--dns-server", dns.address, "--concurrency", "2", "--no-rdap"])
    rows = _rows(capsys.readouterr().out)
    assert code == 0 and len(rows) > 2  # every name absent: nothing exists, nothing unknown
    assert {_existence(r)["state"] for r in rows.values()} == {"absent"}
    assert 1 <= dns.most_at_once <= 2
    assert len(dns.queries) == len(rows)  # one A query each: NXDOMAIN ends a name's lookup
