"""Domains as rules store them: the registrable domain, lowercase ASCII.

Rules are compared with a link's registrable domain, so what a person types or pastes (a URL, a
sub-domain, an IDN, a trailing dot) is reduced to that form, with a note saying so; lint says how a
domain written in a rule file differs from it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from linkguard.errors import RulesError


class InvalidDomainError(RulesError, ValueError):
    """The text is not a registrable domain (the CLI turns this into a usage error)."""


@dataclass(frozen=True, slots=True)
class NormalizedDomain:
    domain: str  # registrable domain, lowercase ASCII (punycode)
    unicode: str
    notes: tuple[str, ...] = ()


def normalize_rule_domain(text: str) -> NormalizedDomain:
    """The registrable domain a rule should store for what a person typed or pasted.

    Rules are compared with a link's registrable domain in ASCII, so IDN, case and a trailing dot are
    normalised; a pasted URL or a sub-domain is reduced, with a note saying so.
    """
    from linkguard.normalize import is_public_suffix, parse_link, split_host

    raw = text.strip().strip("<>").strip()
    if not raw:
        raise InvalidDomainError("empty domain")
    notes: list[str] = []
    if any(c in raw for c in "/:@?#") or raw.lower().startswith("www."):
        link = parse_link(raw)
        if link is None or link.is_ip:
            raise InvalidDomainError(f"{text!r} is not a URL or domain with a known public suffix")
        host = split_host(link.host)
    else:
        if any(c.isspace() for c in raw):
            raise InvalidDomainError(f"{text!r} is not a domain (contains whitespace)")
        host = split_host(raw)
    if host is None:
        lowered = raw.lower().rstrip(".")
        if lowered and is_public_suffix(lowered):
            raise InvalidDomainError(f"{text!r} is a public suffix, not a registrable domain")
        raise InvalidDomainError(f"{text!r} is not a domain with a known public suffix")
    if host.is_ip:
        raise InvalidDomainError(f"{text!r} is an IP address, not a domain")
    domain = host.registered_domain
    for label in domain.split("."):
        if not re.fullmatch(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?", label):
            raise InvalidDomainError(f"{text!r} is not a valid domain (label {label!r})")
    if domain != raw.lower().rstrip("."):
        if "/" in raw or ":" in raw or "@" in raw:
            notes.append(f"reduced the URL {raw} to its registrable domain {domain}")
        elif host.subdomain:
            notes.append(f"reduced {raw} to its registrable domain {domain} (rules cover every sub-domain)")
        elif "idn" in host.obfuscation:
            unicode_domain = ".".join(host.host_unicode.split(".")[-len(domain.split(".")) :])
            notes.append(f"stored {unicode_domain} as {domain} (the ASCII form links are compared in)")
    unicode_domain = ".".join(host.host_unicode.split(".")[-len(domain.split(".")) :])
    return NormalizedDomain(domain, unicode_domain, tuple(notes))


def split_registrable_differs(written: str, domain: str) -> bool:
    """True when ``written`` names a sub-domain (more labels than its registrable domain)."""
    return len(written.rstrip(".").split(".")) > len(domain.split("."))


def check_domain_value(value: Any, key: str) -> tuple[str | None, str | None]:
    """(normalised domain, problem message) for one domain as written in a rule file."""
    if not isinstance(value, str) or not value.strip():
        return None, f"'{key}' must be a non-empty string"
    written = value.strip()
    try:
        norm = normalize_rule_domain(written)
    except InvalidDomainError as exc:
        return None, f"invalid domain: {exc}"
    if "/" in written or ":" in written or "@" in written:
        return norm.domain, f"{written!r} is a URL; write the domain {norm.domain!r}"
    if norm.domain != written.lower():
        if split_registrable_differs(written, norm.domain):
            return (
                norm.domain,
                f"{written!r} is not a registrable domain; rules match {norm.domain!r}, write that",
            )
        return norm.domain, f"{written!r} must be written as {norm.domain!r} (links are compared in ASCII)"
    return norm.domain, None
