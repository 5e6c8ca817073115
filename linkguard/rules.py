"""Load and merge rule files: trusted outlets, known-legitimate look-alikes, known-bad domains, shorteners.

Rules are TOML so that people can edit them by hand and diff them in review. A file may hold any
of four arrays of tables::

    [[outlet]]      name, domains, brands?, country?, kind?
    [[legit]]       domain, note?
    [[blocked]]     domain, source, imitates?, campaign?
    [[shortener]]   domain, owner?

The bundled files ship inside the wheel (``linkguard._rules``); the user's file is layered on top.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from linkguard.errors import RulesError
from linkguard.models import Outlet

OUTLET_KINDS = (
    "newspaper",
    "magazine",
    "broadcaster",
    "agency",
    "government",
    "international",
    "fact-checker",
    "online",
    "platform",
)
RULE_TABLES = ("outlet", "legit", "blocked", "shortener", "removed")


@dataclass(frozen=True, slots=True)
class LegitRule:
    domain: str
    note: str = ""
    origin: str = "bundled"


@dataclass(frozen=True, slots=True)
class BlockedRule:
    domain: str
    source: str
    imitates: str = ""
    campaign: str = ""
    origin: str = "bundled"


@dataclass(frozen=True, slots=True)
class ShortenerRule:
    domain: str
    owner: str = ""
    origin: str = "bundled"


@dataclass(frozen=True, slots=True)
class RuleSet:
    """The merged rules in force for one run."""

    outlets: tuple[Outlet, ...] = ()
    legit: tuple[LegitRule, ...] = ()
    blocked: tuple[BlockedRule, ...] = ()
    shorteners: tuple[ShortenerRule, ...] = ()
    files: tuple[str, ...] = field(default=(), compare=False)

    def outlet_for(self, registered_domain: str) -> Outlet | None:
        for outlet in self.outlets:
            if registered_domain in outlet.domains:
                return outlet
        return None


def bundled_rule_files() -> list[Path]:
    root = resources.files("linkguard._rules")
    return sorted(Path(str(p)) for p in root.iterdir() if p.name.endswith(".toml"))


def _as_str_tuple(value: Any, where: str, key: str) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise RulesError(f"{where}: '{key}' must be a string or a list of strings")


def _require(entry: dict[str, Any], key: str, where: str) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value.strip():
        raise RulesError(f"{where}: missing or empty '{key}'")
    return value.strip()


def read_rule_file(path: Path, origin: str) -> dict[str, list[dict[str, Any]]]:
    """Parse one file; a syntax error names the file and line."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise RulesError(f"{path}: invalid TOML: {exc}") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise RulesError(f"{path}: cannot read rule file: {exc}") from exc
    unknown = set(data) - set(RULE_TABLES)
    if unknown:
        raise RulesError(f"{path}: unknown table(s) {', '.join(sorted(unknown))}; expected {RULE_TABLES}")
    out: dict[str, list[dict[str, Any]]] = {}
    for table in RULE_TABLES:
        entries = data.get(table, [])
        if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
            raise RulesError(f"{path}: '{table}' must be an array of tables ([[{table}]])")
        out[table] = [dict(e, _origin=origin, _file=str(path)) for e in entries]
    return out


def _build(tables: dict[str, list[dict[str, Any]]], files: Iterable[str]) -> RuleSet:
    removed = {str(e.get("domain", "")).lower() for e in tables["removed"]}
    outlets: dict[str, Outlet] = {}
    for i, e in enumerate(tables["outlet"]):
        where = f"{e['_file']}: outlet #{i + 1}"
        name = _require(e, "name", where)
        domains = tuple(d.lower().strip() for d in _as_str_tuple(e.get("domains", e.get("domain")), where, "domains"))
        domains = tuple(d for d in domains if d not in removed)
        if not domains:
            continue
        outlet = Outlet(
            name=name,
            domains=domains,
            brands=tuple(b.lower() for b in _as_str_tuple(e.get("brands", []), where, "brands")),
            country=str(e.get("country", "")).upper(),
            kind=str(e.get("kind", "newspaper")),
            origin=e["_origin"],
        )
        outlets[domains[0]] = outlet  # a later (user) entry for the same domain replaces the bundled one

    def simple(table: str) -> dict[str, dict[str, Any]]:
        seen: dict[str, dict[str, Any]] = {}
        for i, e in enumerate(tables[table]):
            domain = _require(e, "domain", f"{e['_file']}: {table} #{i + 1}").lower()
            if domain not in removed:
                seen[domain] = e
        return seen

    legit = [LegitRule(d, str(e.get("note", "")), e["_origin"]) for d, e in simple("legit").items()]
    blocked = [
        BlockedRule(
            d,
            _require(e, "source", f"{e['_file']}: blocked {d}"),
            str(e.get("imitates", "")),
            str(e.get("campaign", "")),
            e["_origin"],
        )
        for d, e in simple("blocked").items()
    ]
    short = [ShortenerRule(d, str(e.get("owner", "")), e["_origin"]) for d, e in simple("shortener").items()]
    return RuleSet(tuple(outlets.values()), tuple(legit), tuple(blocked), tuple(short), tuple(files))


def _iter_files(paths: Iterable[Path]) -> Iterator[Path]:
    for p in paths:
        if p.is_dir():
            yield from sorted(p.glob("*.toml"))
        elif p.exists():
            yield p
        else:
            raise RulesError(f"{p}: no such rule file or directory")


def load_rules(
    paths: Iterable[str | Path] | None = None,
    *,
    user_dir: str | Path | None = None,
    bundled: bool = True,
) -> RuleSet:
    """Merge bundled rules, then the user's rule files; with ``paths``, use only those files."""
    tables: dict[str, list[dict[str, Any]]] = {t: [] for t in RULE_TABLES}
    files: list[str] = []
    if paths is not None:
        sources = [(p, "user") for p in _iter_files(Path(p) for p in paths)]
    else:
        sources = [(p, "bundled") for p in bundled_rule_files()] if bundled else []
        if user_dir is not None and Path(user_dir).is_dir():
            sources += [(p, "user") for p in _iter_files([Path(user_dir)])]
    for path, origin in sources:
        parsed = read_rule_file(path, origin)
        files.append(str(path))
        for table, entries in parsed.items():
            tables[table].extend(entries)
    return _build(tables, files)
