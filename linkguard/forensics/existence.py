"""Does a name exist: its DNS records (A, AAAA, NS, MX) and, for a registrable name, its RDAP
registration. ``permute --online`` asks this of every lookalike name it lists.

Three answers, never two: ``exists`` (some DNS record, or a registry knows the name), ``absent``
(DNS answered NXDOMAIN, or the registry reports no such registration, and nothing says otherwise)
and ``unknown`` with its reasons (timeouts, SERVFAIL, no resolver). A lookup that failed is
never reported as absent.

Network rules are those of the rest of forensics: RDAP goes through the guarded ``Fetcher``
(addresses checked by the ``NetworkPolicy``, caps, timeouts); the DNS server is the system's
resolver or one the operator names, which the policy checks like any other address. The
addresses in the answers are reported, never contacted.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from linkguard import limits
from linkguard.errors import BlockedAddressError
from linkguard.forensics.netpolicy import NetworkPolicy, ascii_host
from linkguard.forensics.registration import Registration, RegistrationLookup, describe
from linkguard.models import Evidence

State = Literal["exists", "absent", "unknown"]
#: Record types asked, in this order; an NXDOMAIN answer to the first ends the lookup.
RECORD_TYPES: tuple[str, ...] = ("A", "AAAA", "NS", "MX")


@dataclass(frozen=True, slots=True)
class Existence:
    """What DNS and the registry said about one name."""

    name: str
    state: State
    #: Record type → the answers (``MX`` as "preference exchange"); only types that answered.
    records: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: The RDAP answer; None when the registry was not asked (absent in DNS, or a hosted name).
    registration: Registration | None = None
    #: What failed and why (a query, the registry); empty when every question was answered.
    errors: tuple[str, ...] = ()
    #: DNS answered "no such domain" (NXDOMAIN): an answer, not a failure.
    nxdomain: bool = False

    @property
    def registered(self) -> datetime | None:
        return self.registration.registered if self.registration is not None else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "state": self.state,
            "records": {k: list(v) for k, v in self.records.items()},
            "registered": self.registered.isoformat() if self.registered else None,
            "nxdomain": self.nxdomain,
            "errors": list(self.errors),
        }

    def describe(self) -> str:
        """One sentence: exists or not, which records, the creation date when known."""
        records = "; ".join(f"{k} {', '.join(v)}" for k, v in self.records.items() if v)
        if self.state == "exists":
            what = f": {records}" if records else " (in DNS without A, AAAA, NS or MX records)"
            if not records and self.registration is not None and self.registration.source == "rdap":
                what = " (registered, no A, AAAA, NS or MX records)"
            when = f"; registered {self.registered.date().isoformat()}" if self.registered else ""
            return f"{self.name} exists{what}{when}"
        if self.state == "absent":
            if self.nxdomain:
                return f"{self.name} does not exist (DNS: no such domain)"
            return f"{self.name} does not exist (the registry reports no such registration)"
        return f"{self.name}: existence unknown ({'; '.join(self.errors) or 'no answer'})"

    def evidence(self, now: datetime | None = None) -> tuple[Evidence, ...]:
        """The ``existence`` line, and the registry's ``registration`` line when it was asked."""
        out = [Evidence("existence", self.describe(), self.to_dict())]
        if self.registration is not None:
            reg = self.registration
            out.append(Evidence("registration", describe(reg, now or datetime.now(UTC)), reg.to_dict()))
        return tuple(out)


class ExistenceLookup:
    """DNS through dnspython (the system resolver, or ``dns_server``), RDAP through ``registry``.

    ``dns_server`` is ``(ip, port)``; the policy must allow its address (a loopback or private
    resolver needs ``allow_private``), else construction raises ``BlockedAddressError``.
    ``registry`` None asks DNS only. Thread-safe: ``permute`` calls ``lookup`` from a pool.
    """

    def __init__(
        self,
        policy: NetworkPolicy,
        *,
        registry: RegistrationLookup | None = None,
        dns_server: tuple[str, int] | None = None,
        dns_timeout: float = limits.PERMUTE_DNS_TIMEOUT_S,
    ) -> None:
        import dns.resolver

        self._policy = policy
        self._registry = registry
        self._timeout = dns_timeout
        self._setup_error: str | None = None
        if dns_server is not None:
            host, port = dns_server
            address = ipaddress.ip_address(host.strip("[]"))
            why = policy.problem(address)
            if why:
                raise BlockedAddressError(
                    f"refused to ask the DNS server {address}: {why} address; use --allow-private "
                    "for a resolver on a private network",
                    host=str(address),
                    address=str(address),
                )
            self._resolver = dns.resolver.Resolver(configure=False)
            self._resolver.nameservers = [str(address)]
            self._resolver.port = port
        else:
            self._resolver = dns.resolver.Resolver(configure=False)
            try:
                self._resolver.read_resolv_conf("/etc/resolv.conf")
            except (OSError, dns.resolver.NoResolverConfiguration) as exc:
                self._setup_error = f"no DNS resolver configured ({exc})"
        self._resolver.cache = None
        self._resolver.lifetime = dns_timeout
        self._resolver.timeout = dns_timeout

    def lookup(self, name: str, *, registrable: bool = True) -> Existence:
        """Never raises; ``registrable=False`` (a site on a hosting platform) skips the registry,
        whose answer would be about the platform's own domain."""
        host = ascii_host(name)
        records: dict[str, tuple[str, ...]] = {}
        errors: list[str] = []
        in_dns: bool | None = None
        if self._setup_error is not None:
            errors.append(self._setup_error)
        else:
            for rdtype in RECORD_TYPES:
                answer, error, nxdomain = self._query(host, rdtype)
                if nxdomain:
                    in_dns = False if in_dns is None else in_dns
                    break  # the name does not exist: no other type can answer
                if error is not None:
                    errors.append(f"{rdtype}: {error}")
                    if error.startswith("no answer within"):
                        break  # a server that let one query time out: do not wait for every type
                    continue
                in_dns = True
                if answer:
                    records[rdtype] = answer
        registration = None
        if self._registry is not None and registrable and in_dns is not False:
            registration = self._registry.lookup(host)
            if registration.source == "none" and registration.error:
                errors.append(f"RDAP: {registration.error}")
        known = registration is not None and registration.source != "none" and not registration.not_found
        gone = registration is not None and registration.not_found
        if in_dns or known:
            state: State = "exists"
        elif in_dns is False or gone:
            state = "absent"
        else:
            state = "unknown"
        return Existence(name, state, records, registration, tuple(errors), nxdomain=in_dns is False)

    def _query(self, host: str, rdtype: str) -> tuple[tuple[str, ...], str | None, bool]:
        """(answers, error, nxdomain) of one query; the resolver's retries stay within the timeout."""
        import dns.exception
        import dns.resolver

        try:
            answer = self._resolver.resolve(host, rdtype, raise_on_no_answer=False, search=False)
        except dns.resolver.NXDOMAIN:
            return (), None, True
        except dns.resolver.NoNameservers as exc:  # SERVFAIL, REFUSED from every server
            return (), f"no server answered ({_short(exc)})", False
        except dns.exception.Timeout:
            return (), f"no answer within {self._timeout:g} s", False
        except dns.exception.DNSException as exc:
            return (), _short(exc), False
        if answer.rrset is None:
            return (), None, False
        return tuple(sorted(rdata.to_text() for rdata in answer.rrset)), None, False


def _short(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text if len(text) <= 200 else text[:197] + "..."
