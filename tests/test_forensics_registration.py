"""RDAP and WHOIS against loopback responders; a missing date is unknown, never old."""

from __future__ import annotations

from datetime import UTC, datetime

from forensics_servers import NOW, Server, WhoisServer

from linkguard.forensics import Fetcher, NetworkPolicy, Registration
from linkguard.forensics.registration import (
    RegistrationLookup,
    describe,
    load_bootstrap,
    parse_rdap,
    parse_whois,
    rdap_servers,
)

LAB = NetworkPolicy(allow_private=True)


def lookup(**kwargs: object) -> RegistrationLookup:
    return RegistrationLookup(Fetcher(LAB), LAB, **kwargs)  # type: ignore[arg-type]


def test_bundled_bootstrap_covers_campaign_tlds() -> None:
    boot = load_bootstrap()
    assert rdap_servers(boot, "welt.com") == ["https://rdap.verisign.com/com/v1/"]
    for domain in ("welt.ltd", "spiegel.agency", "faz.news", "x.info", "y.top", "z.online", "bild.pm"):
        assert rdap_servers(boot, domain), domain
    assert rdap_servers(boot, "welt.de") == ["https://rdap.denic.de/"]
    assert rdap_servers(boot, "example.invalid") == []


def test_bootstrap_uses_the_longest_matching_entry() -> None:
    boot = {"services": [[["uk"], ["https://a/"]], [["co.uk"], ["http://b/", "https://b/"]]]}
    assert rdap_servers(boot, "bbc.co.uk") == ["https://b/", "http://b/"]
    assert rdap_servers(boot, "x.org.uk") == ["https://a/"]


def test_rdap_registration_date_and_registrar(rdap: Server) -> None:
    reg = lookup(rdap_base=rdap.base + "/").lookup("welt.ltd")
    assert reg.source == "rdap"
    assert reg.registered == datetime(2024, 5, 2, 9, 30, tzinfo=UTC)
    assert reg.registrar == "Cheap Names LLC"
    assert reg.age_days(NOW) == 3
    assert {"action": "registration", "date": "2024-05-02T09:30:00Z"} in reg.events
    assert rdap.requests[0].headers["accept"].startswith("application/rdap+json")
    assert Registration.from_dict(reg.to_dict()) == reg
    text = describe(reg, NOW)
    assert text.startswith("welt.ltd was registered 2024-05-02 through Cheap Names LLC via RDAP (127.0.0.1:")
    assert "only 3 days before this check" in text


def test_rdap_not_found_and_missing_date(rdap: Server) -> None:
    registry = lookup(rdap_base=rdap.base)
    gone = registry.lookup("never-registered.ltd")
    assert gone.not_found and gone.registered is None
    nodate = registry.lookup("nodate.top")
    assert nodate.source == "rdap" and nodate.registered is None and nodate.age_days(NOW) is None
    assert "unknown" in describe(nodate, NOW) and "not evidence of age" in describe(nodate, NOW)


def test_forced_rdap_never_falls_back_to_real_whois(rdap: Server) -> None:
    from forensics_servers import free_port

    reg = lookup(rdap_base=f"http://127.0.0.1:{free_port()}/").lookup("welt.ltd")
    assert reg.source == "none"
    assert reg.error and "could not connect" in reg.error


def test_whois_fallback_over_a_loopback_tcp_exchange(whois: WhoisServer) -> None:
    registry = lookup(whois_server=("127.0.0.1", whois.port))
    reg = registry.lookup("welt.ltd")
    assert reg.source == "whois"
    assert reg.server == f"127.0.0.1:{whois.port}"
    assert reg.registered == datetime(2024, 5, 2, 9, 30, tzinfo=UTC)
    assert reg.registrar == "Cheap Names LLC"
    assert whois.queries == ["welt.ltd"]
    missing = registry.lookup("nothing.ltd")
    assert missing.not_found and missing.registered is None
    denic = registry.lookup("nodate.de")  # DENIC shows no creation date at all
    assert denic.registered is None and "unknown" in describe(denic, NOW)


def test_whois_is_capped_and_policy_checked(whois: WhoisServer) -> None:
    capped = RegistrationLookup(Fetcher(LAB), LAB, whois_server=("127.0.0.1", whois.port), whois_max_bytes=20)
    assert len(capped.whois_query(("127.0.0.1", whois.port), "welt.ltd")) == 20
    strict = NetworkPolicy()
    refused = RegistrationLookup(Fetcher(strict), strict, whois_server=("127.0.0.1", whois.port))
    reg = refused.lookup("welt.ltd")
    assert reg.source == "none" and "loopback" in (reg.error or "")
    assert whois.queries == ["welt.ltd"]  # only the capped query above


def test_parsers_handle_odd_answers() -> None:
    assert parse_rdap("a.test", "s", {"events": "nonsense", "entities": [1, None]}).registered is None
    assert parse_whois("a.com", "s", "").registered is None
    two = parse_whois(
        "x.com",
        "s",
        "Domain Name: X.COM\nCreation Date: 2024-05-02T10:00:00Z\nCreation Date: 2024-05-02T09:00:00-04:00\n",
    )
    assert two.registered == datetime(2024, 5, 2, 10, 0, tzinfo=UTC)
