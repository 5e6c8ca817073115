"""The user's rules for the rules page: the same store and the same checks as ``linkguard rules``.

Every name from the rules modules is imported here and nowhere else in ``linkguard.web``, so a
move of those modules changes one import block.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from linkguard.errors import RulesError
from linkguard.rules import (
    OUTLET_KINDS,
    InvalidDomainError,
    RuleStore,
    in_force_entries,
    normalize_rule_domain,
    rule_entries,
)

__all__ = ["OUTLET_KINDS", "RuleRow", "RulesError", "add_outlet", "allow", "block", "remove", "user_rules"]

_COUNTRY = re.compile(r"[A-Za-z]{2}|INT|int")


@dataclass(frozen=True, slots=True)
class RuleRow:
    """One rule in force, as the page lists it."""

    table: str
    domain: str
    domains: tuple[str, ...]
    detail: str
    country: str
    where: str


def _detail(table: str, data: dict[str, object], domains: Sequence[str]) -> str:
    if table == "outlet":
        extra = f" (+{', '.join(domains[1:])})" if len(domains) > 1 else ""
        return f"{data.get('name', '?')} [{data.get('kind', 'newspaper')}]{extra}"
    if table == "blocked":
        parts = [f"source: {data.get('source', '')}"]
        parts += [f"{k}: {data[k]}" for k in ("imitates", "campaign") if data.get(k)]
        return "; ".join(parts)
    return str(data.get("note") or data.get("owner") or "")


def user_rules(rules_dir: Path) -> list[RuleRow]:
    """The user's own rules (read without the bundled ones: listing those takes a second)."""
    rows = in_force_entries(rule_entries(user_dir=rules_dir, bundled=False))
    return [
        RuleRow(
            e.table,
            d[0],
            tuple(d),
            _detail(e.table, e.data, d),
            str(e.data.get("country", "")),
            e.where,
        )
        for e, d in rows
        if e.origin == "user"
    ]


def _domain(text: str, what: str = "domain") -> str:
    """A checked domain, or ``RulesError`` with the message ``linkguard rules`` would give."""
    if not text.strip():
        raise RulesError(f"give a {what}")
    try:
        return normalize_rule_domain(text.strip()).domain
    except InvalidDomainError as exc:
        raise RulesError(str(exc)) from None


def _words(text: str) -> list[str]:
    return [w for w in re.split(r"[\s,]+", text) if w]


def add_outlet(
    rules_dir: Path,
    *,
    domain: str,
    name: str,
    country: str = "",
    kind: str = "newspaper",
    aliases: str = "",
    brands: str = "",
    force: bool = False,
) -> tuple[str, list[str]]:
    """``linkguard rules add``; aliases and brands as words separated by spaces or commas."""
    primary = _domain(domain)
    alias_list = [_domain(a, "alias") for a in _words(aliases)]
    if country and not _COUNTRY.fullmatch(country.strip()):
        raise RulesError("use a two-letter country code such as DE (or INT)")
    store = RuleStore(rules_dir)
    notes = store.add_outlet(
        primary,
        name=name,
        country=country.strip().upper(),
        kind=kind,
        aliases=alias_list,
        brands=_words(brands),
        force=force,
    )
    return f"Added outlet {name.strip()!r} ({primary})", notes


def allow(rules_dir: Path, *, domain: str, note: str = "", force: bool = False) -> tuple[str, list[str]]:
    """``linkguard rules allow``: a look-alike a fact-checker has cleared."""
    checked = _domain(domain)
    return f"Allowed {checked}", RuleStore(rules_dir).allow(checked, note=note, force=force)


def block(
    rules_dir: Path,
    *,
    domain: str,
    source: str,
    imitates: str = "",
    campaign: str = "",
    force: bool = False,
) -> tuple[str, list[str]]:
    """``linkguard rules block``: known-bad, citing where the report comes from."""
    checked = _domain(domain)
    notes = RuleStore(rules_dir).block(
        checked, source=source, imitates=imitates, campaign=campaign, force=force
    )
    return f"Blocked {checked}", notes


def remove(rules_dir: Path, *, domain: str) -> tuple[str, list[str]]:
    """``linkguard rules remove``: the user's rules go, bundled ones are hidden."""
    checked = _domain(domain)
    return f"Removed {checked}", RuleStore(rules_dir).remove(checked)
