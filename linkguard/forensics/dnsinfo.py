"""Does a host resolve, and to what: a taken-down clone often stops resolving before its links do."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Any

from linkguard.errors import FetchError
from linkguard.forensics.netpolicy import NetworkPolicy


@dataclass(frozen=True, slots=True)
class DnsInfo:
    host: str
    a: tuple[str, ...] = ()
    aaaa: tuple[str, ...] = ()
    error: str | None = None

    @property
    def resolves(self) -> bool:
        return bool(self.a or self.aaaa)

    def to_dict(self) -> dict[str, Any]:
        return {"host": self.host, "a": list(self.a), "aaaa": list(self.aaaa), "error": self.error}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DnsInfo:
        return cls(data["host"], tuple(data.get("a", ())), tuple(data.get("aaaa", ())), data.get("error"))

    def describe(self) -> str:
        if not self.resolves:
            return self.error or f"{self.host} does not resolve"
        return f"{self.host} resolves to {', '.join(self.a + self.aaaa)}"


def lookup(policy: NetworkPolicy, host: str, timeout: float | None = None) -> DnsInfo:
    """A/AAAA answers through the policy's resolver (pins honoured); no address check, no connection."""
    try:
        answers = policy.lookup(host, timeout)
    except FetchError as exc:
        return DnsInfo(host, error=str(exc))
    v4 = tuple(a for a in answers if ipaddress.ip_address(a).version == 4)
    v6 = tuple(a for a in answers if ipaddress.ip_address(a).version == 6)
    return DnsInfo(host, v4, v6)
