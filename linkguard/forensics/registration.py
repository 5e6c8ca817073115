"""When a domain was registered, and by which registrar: RDAP first, WHOIS only as a fallback.

Clone domains are registered in batches days before a campaign, so the registration date is
strong evidence. RDAP gives structured event dates and is mandatory for gTLDs (WHOIS port 43
may be switched off since 2025-01-28); WHOIS is kept for ccTLDs without RDAP. A missing date is
reported as *unknown*: a domain whose age we could not learn is never treated as old.
"""

from __future__ import annotations

import json
import re
import socket
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from typing import Any, Literal
from urllib.parse import urljoin

from linkguard import limits
from linkguard.errors import BlockedAddressError, FetchError, RegistrationError
from linkguard.forensics.budget import Budget
from linkguard.forensics.fetch import CRAWLER, Fetcher
from linkguard.forensics.netpolicy import NetworkPolicy

Source = Literal["rdap", "whois", "none"]
IANA_WHOIS = ("whois.iana.org", 43)
#: Name servers kept per registration (registries list 2–6).
MAX_NAMESERVERS = 13
#: How registries say "no such domain" (python-whois only recognises some of them).
_WHOIS_NOT_FOUND = re.compile(
    r"^\s*(?:no match for|not found|no data found|no entries found|domain not found|status:\s*free\b)",
    re.IGNORECASE | re.MULTILINE,
)


@dataclass(frozen=True, slots=True)
class Registration:
    domain: str
    source: Source
    server: str | None = None
    registered: datetime | None = None
    registrar: str | None = None
    events: tuple[dict[str, str], ...] = ()
    #: Why nothing (or not everything) was learnt; None when the answer was complete.
    error: str | None = None
    not_found: bool = False
    #: The name servers the registry lists, lower case (shared ones hint at one operator).
    nameservers: tuple[str, ...] = ()

    def age_days(self, now: datetime) -> int | None:
        """Whole days between registration and ``now``; None when the date is unknown."""
        if self.registered is None:
            return None
        return (now - self.registered).days

    def to_dict(self) -> dict[str, Any]:
        return {
            "domain": self.domain,
            "source": self.source,
            "server": self.server,
            "registered": self.registered.isoformat() if self.registered else None,
            "registrar": self.registrar,
            "events": [dict(e) for e in self.events],
            "error": self.error,
            "not_found": self.not_found,
            "nameservers": list(self.nameservers),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Registration:
        registered = data.get("registered")
        return cls(
            domain=data["domain"],
            source=data["source"],
            server=data.get("server"),
            registered=datetime.fromisoformat(registered) if registered else None,
            registrar=data.get("registrar"),
            events=tuple(dict(e) for e in data.get("events", ())),
            error=data.get("error"),
            not_found=bool(data.get("not_found")),
            nameservers=tuple(str(n) for n in data.get("nameservers", ())),
        )


def load_bootstrap() -> dict[str, Any]:
    """The bundled RFC 9224 snapshot (``linkguard/data/rdap-dns.json``)."""
    text = resources.files("linkguard").joinpath("data/rdap-dns.json").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def rdap_servers(bootstrap: Mapping[str, Any], domain: str) -> list[str]:
    """Base URLs for ``domain``: the service with the longest matching label suffix (RFC 9224 §4)."""
    labels = domain.lower().strip(".").split(".")
    best: tuple[int, list[str]] = (0, [])
    for entry in bootstrap.get("services", []):
        if not (isinstance(entry, list) and len(entry) >= 2):
            continue
        suffixes, urls = entry[0], entry[1]
        for suffix in suffixes:
            n = suffix.count(".") + 1
            if n > best[0] and ".".join(labels[-n:]) == suffix.lower():
                best = (n, [u for u in urls if isinstance(u, str)])
    # prefer https (RFC 9224 §3: clients should use the secure one when both are listed)
    return sorted(best[1], key=lambda u: not u.startswith("https:"))


def _parse_time(value: Any) -> datetime | None:
    if isinstance(value, list):  # python-whois: several copies (UTC and local); take the earliest
        parsed = [p for p in (_parse_time(v) for v in value) if p is not None]
        return min(parsed) if parsed else None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, str) and value.strip():
        try:
            parsed_one = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            return None
        return parsed_one if parsed_one.tzinfo else parsed_one.replace(tzinfo=UTC)
    return None


def _vcard_name(entity: Mapping[str, Any]) -> str | None:
    vcard = entity.get("vcardArray")
    if isinstance(vcard, list) and len(vcard) == 2 and isinstance(vcard[1], list):
        for prop in vcard[1]:
            if isinstance(prop, list) and len(prop) >= 4 and prop[0] == "fn" and isinstance(prop[3], str):
                return prop[3].strip() or None
    return None


def _nameservers(names: Any) -> tuple[str, ...]:
    """Distinct, lower-case, sorted; at most ``MAX_NAMESERVERS`` (a registry answer is hostile input)."""
    clean = {str(n).strip().rstrip(".").lower()[:253] for n in names if isinstance(n, str) and n.strip(". ")}
    return tuple(sorted(clean))[:MAX_NAMESERVERS]


def parse_rdap(domain: str, server: str, data: Mapping[str, Any]) -> Registration:
    """An RFC 9083 domain object → Registration (registration event, registrar's name)."""
    events = tuple(
        {"action": str(e.get("eventAction", "")), "date": str(e.get("eventDate", ""))}
        for e in data.get("events", [])
        if isinstance(e, dict)
    )
    registered = None
    for event in events:
        if event["action"].lower() == "registration":
            registered = _parse_time(event["date"])
            break
    registrar = None
    for entity in data.get("entities", []):
        if isinstance(entity, dict) and "registrar" in (entity.get("roles") or []):
            registrar = _vcard_name(entity) or entity.get("handle")
            break
    servers = data.get("nameservers")
    listed = servers if isinstance(servers, list) else []
    nameservers = [n.get("ldhName") for n in listed if isinstance(n, dict)]
    return Registration(
        domain=domain,
        source="rdap",
        server=server,
        registered=registered,
        registrar=str(registrar) if registrar else None,
        events=events,
        nameservers=_nameservers(nameservers),
        error=None if registered else "the registry's RDAP answer has no registration event",
    )


def parse_whois(domain: str, server: str, text: str) -> Registration:
    """Port-43 text → Registration via python-whois's per-TLD parser (creation date, registrar)."""
    from whois.parser import WhoisEntry  # imported late: python-whois is slow to import

    if _WHOIS_NOT_FOUND.search(text[:2000]):
        return Registration(
            domain, "whois", server, error="the registry does not know this domain", not_found=True
        )
    try:
        entry = WhoisEntry.load(domain, text)
    except Exception as exc:  # python-whois raises on "No match" and on unknown layouts
        not_found = "not found" in type(exc).__name__.lower() or "no match" in str(exc).lower()
        return Registration(domain, "whois", server, error=str(exc).strip()[:200], not_found=not_found)
    registered = _parse_time(entry.get("creation_date"))
    registrar = entry.get("registrar")
    if isinstance(registrar, list):
        registrar = registrar[0] if registrar else None
    servers = entry.get("name_servers")
    return Registration(
        domain=domain,
        source="whois",
        server=server,
        registered=registered,
        registrar=str(registrar) if registrar else None,
        nameservers=_nameservers([servers] if isinstance(servers, str) else servers or []),
        events=({"action": "registration", "date": registered.isoformat()},) if registered else (),
        error=None if registered else "the WHOIS answer has no creation date",
    )


class RegistrationLookup:
    """RDAP via the safe fetcher, WHOIS via a small capped TCP exchange; both obey the policy.

    ``rdap_base``/``whois_server`` force one server (tests, local mirrors); when either is given,
    only the given servers are asked, so a test never falls through to the real internet.
    ``whois=False`` asks RDAP only (``permute --online``: hundreds of names would trip port-43
    rate limits, and the ccTLDs without RDAP rarely publish a creation date over WHOIS either).
    """

    def __init__(
        self,
        fetcher: Fetcher,
        policy: NetworkPolicy,
        *,
        bootstrap: Mapping[str, Any] | None = None,
        rdap_base: str | None = None,
        whois_server: tuple[str, int] | None = None,
        whois_timeout: float = limits.WHOIS_TIMEOUT_S,
        whois_max_bytes: int = limits.WHOIS_MAX_BYTES,
        whois: bool = True,
    ) -> None:
        self._fetcher = fetcher
        self._use_whois = whois
        self._policy = policy
        self._bootstrap = bootstrap if bootstrap is not None else load_bootstrap()
        self._rdap_base = rdap_base
        self._whois_server = whois_server
        self._whois_timeout = whois_timeout
        self._whois_max = whois_max_bytes
        self._forced = rdap_base is not None or whois_server is not None

    def lookup(self, domain: str, budget: Budget | None = None) -> Registration:
        """Never raises: failures end up in ``Registration.error`` with source "none"."""
        errors: list[str] = []
        if self._forced:
            bases = [self._rdap_base] if self._rdap_base else []
        else:
            bases = rdap_servers(self._bootstrap, domain)
        for base in bases:
            try:
                return self._rdap(domain, base, budget)
            except RegistrationError as exc:
                errors.append(str(exc))
        if not bases and not self._forced:
            errors.append(f"no RDAP service is known for .{domain.rsplit('.', 1)[-1]}")
        if self._use_whois and (self._whois_server is not None or not self._forced):
            try:
                return self._whois(domain, budget)
            except RegistrationError as exc:
                errors.append(str(exc))
        return Registration(domain, "none", error="; ".join(errors) or "no registration source available")

    def _rdap(self, domain: str, base: str, budget: Budget | None) -> Registration:
        url = base.rstrip("/") + "/domain/" + domain
        server = url.split("/")[2]
        for _ in range(limits.RDAP_MAX_REDIRECTS + 1):
            try:
                result = self._fetcher.fetch(
                    url, CRAWLER, want="json", max_bytes=limits.RDAP_MAX_BYTES, budget=budget
                )
            except (FetchError, BlockedAddressError) as exc:
                raise RegistrationError(f"RDAP {server}: {exc}") from exc
            if result.location:
                url = urljoin(url, result.location)
                continue
            if result.status == 404:
                return Registration(
                    domain, "rdap", server, error="the registry does not know this domain", not_found=True
                )
            if result.status != 200:
                raise RegistrationError(f"RDAP {server} answered HTTP {result.status}")
            if result.truncated:
                raise RegistrationError(f"RDAP {server}: answer larger than {limits.RDAP_MAX_BYTES} bytes")
            try:
                data = json.loads(result.body.decode("utf-8", errors="replace"))
            except ValueError as exc:
                raise RegistrationError(f"RDAP {server}: not JSON ({exc})") from exc
            if not isinstance(data, dict):
                raise RegistrationError(f"RDAP {server}: not an RDAP object")
            return parse_rdap(domain, server, data)
        raise RegistrationError(f"RDAP {server}: more than {limits.RDAP_MAX_REDIRECTS} redirects")

    def _whois(self, domain: str, budget: Budget | None) -> Registration:
        if self._whois_server is not None:
            host, port = self._whois_server
        else:
            referral = self.whois_query(IANA_WHOIS, domain.rsplit(".", 1)[-1], budget)
            host = ""
            for line in referral.splitlines():
                key, _, value = line.partition(":")
                if key.strip().lower() in ("refer", "whois") and value.strip():
                    host = value.strip()
                    break
            if not host:
                raise RegistrationError(f"no WHOIS server is known for .{domain.rsplit('.', 1)[-1]}")
            port = 43
        text = self.whois_query((host, port), domain, budget)
        return parse_whois(domain, f"{host}:{port}", text)

    def whois_query(self, server: tuple[str, int], query: str, budget: Budget | None = None) -> str:
        """One port-43 exchange: checked address, overall deadline, byte cap."""
        host, port = server
        timeout = self._whois_timeout
        if budget is not None:
            if budget.exhausted:
                budget.note(f"the WHOIS query to {host}")
                raise RegistrationError(f"WHOIS {host}: {budget.describe('the WHOIS query')}")
            timeout = min(timeout, budget.left())
        deadline = time.monotonic() + timeout
        try:
            address = self._policy.resolve_checked(host, timeout=timeout)[0]
        except (BlockedAddressError, FetchError) as exc:
            raise RegistrationError(f"WHOIS {host}: {exc}") from exc
        chunks: list[bytes] = []
        size = 0
        recorder = self._fetcher.recorder
        sent = datetime.now(UTC)
        try:
            with socket.create_connection((address, port), timeout=timeout) as sock:
                sock.sendall(query.encode("idna" if not query.isascii() else "ascii") + b"\r\n")
                while size < self._whois_max:
                    left = deadline - time.monotonic()
                    if left <= 0:
                        raise RegistrationError(f"WHOIS {host}: no complete answer within {timeout:g} s")
                    sock.settimeout(left)
                    chunk = sock.recv(min(65536, self._whois_max - size))
                    if not chunk:
                        break
                    chunks.append(chunk)
                    size += len(chunk)
        except RegistrationError as exc:  # no complete answer in time: what came is kept
            if recorder is not None:
                recorder.whois((host, port), address, query, b"".join(chunks), sent, str(exc))
            raise
        except OSError as exc:
            failure = RegistrationError(f"WHOIS {host}:{port}: {exc}")
            if recorder is not None:
                recorder.whois((host, port), address, query, b"".join(chunks), sent, str(failure))
            raise failure from exc
        answer = b"".join(chunks)
        if recorder is not None:
            recorder.whois((host, port), address, query, answer, sent)
        return answer.decode("utf-8", errors="replace")


def describe(reg: Registration, now: datetime, young_days: int = limits.YOUNG_DOMAIN_DAYS) -> str:
    """The evidence sentence for a registration result."""
    via = {"rdap": "RDAP", "whois": "WHOIS", "none": "no source"}[reg.source]
    where = f" ({reg.server})" if reg.server else ""
    if reg.registered is not None:
        age = reg.age_days(now) or 0
        who = f" through {reg.registrar}" if reg.registrar else ""
        young = (
            f": only {age} days before this check" if age < young_days else f": {age} days before this check"
        )
        return f"{reg.domain} was registered {reg.registered.date().isoformat()}{who} via {via}{where}{young}"
    if reg.not_found:
        return f"{reg.domain}: {via}{where} reports no such registration (deleted, or never registered)"
    why = reg.error or "no date in the answer"
    return f"{reg.domain}: registration date unknown ({why}) — not evidence of age"
