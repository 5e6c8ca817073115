"""``linkguard rules validate``: every fault in a set of rule files, with file:line, never an exception.

Reads the same ``schema`` the loader does (``entry_issues``), then adds what only a linter checks:
that each domain is a registrable domain written as rules store it, duplicates inside one file,
aliases claimed by two outlets and domains both trusted and blocked, after the same ``layering``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from linkguard.rules.domains import check_domain_value
from linkguard.rules.layering import hidden, live_domains
from linkguard.rules.load import bundled_rule_files, loads_toml, reference_rule_files
from linkguard.rules.model import RuleEntry
from linkguard.rules.positions import EntryPos, entry_lines, toml_error_line
from linkguard.rules.schema import (
    FEED_PROVENANCE,
    RULE_TABLES,
    Severity,
    domain_key,
    entry_issues,
    strings,
)


@dataclass(frozen=True, slots=True)
class Problem:
    """One lint finding; ``line`` 0 means the whole file."""

    file: str
    line: int
    severity: Severity
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.severity}: {self.message}"


@dataclass(slots=True)
class _Fact:
    table: str
    domain: str
    entry: RuleEntry
    line: int
    label: str


def _name(table: str, data: dict[str, Any]) -> str:
    """What a message calls the entry: an outlet's name, else its domain ('?' when it has none)."""
    value = data.get("name" if table == "outlet" else "domain")
    return value.strip() if isinstance(value, str) and value.strip() else "?"


def _lint_entry(entry: RuleEntry, pos: EntryPos, problems: list[Problem], facts: list[_Fact]) -> None:
    def add(severity: Severity, message: str, key: str | None = None) -> None:
        line = pos.keys.get(key, pos.line) if key else pos.line
        problems.append(Problem(entry.file, line, severity, f"[[{entry.table}]] {message}"))

    e, table = entry.data, entry.table
    name = _name(table, e)
    label = repr(name) if table == "outlet" else name
    for issue in entry_issues(table, e):
        add(issue.severity, f"{label}: {issue.message}" if issue.labelled else issue.message, issue.key)
    if Path(entry.file).parent.name == "feeds":  # an indicator feed names where each entry comes from
        for key in FEED_PROVENANCE.get(table, ()):
            if not isinstance(e.get(key), str) or not e[key].strip():
                add("error", f"{label}: a feed entry must name its '{key}' (provenance)", key)
    key = domain_key(table, e)
    value = e.get(key)
    if table == "outlet":
        values = [v for v in strings(value) if isinstance(v, str)] if isinstance(value, (str, list)) else []
    else:  # a missing, empty or non-string domain is the schema's to report
        values = [value] if isinstance(value, str) and value.strip() else []
    seen: set[str] = set()
    for v in values:
        domain, message = check_domain_value(v, key)
        if message:
            add("error", f"{label}: {message}" if table == "outlet" else message, key)
        if domain and domain in seen:
            add("warning", f"{label}: {domain!r} listed twice", key)
        elif domain:
            seen.add(domain)
            facts.append(
                _Fact(
                    table, domain, entry, pos.keys.get(key, pos.line), name if table == "outlet" else domain
                )
            )


def validate_rules(paths: Iterable[str | Path], *, with_bundled: bool = False) -> list[Problem]:
    """Lint rule files as one layered set: syntax (file:line), schema, domains and conflicts.

    Never raises for a bad file: every fault is a ``Problem``. With ``with_bundled`` the bundled files
    are layered first, so conflicts with shipped rules are found too.
    """
    import difflib
    import tomllib

    problems: list[Problem] = []
    facts: list[_Fact] = []

    from linkguard.feeds.store import feed_rule_files

    bundled = (*reference_rule_files(), *feed_rule_files(), *bundled_rule_files())
    sources: list[tuple[Path, str]] = [(p, "bundled") for p in bundled] if with_bundled else []
    for p in (Path(p) for p in paths):
        if p.is_dir():
            sources += [(f, "user") for f in sorted(p.glob("*.toml"))]
        elif p.exists():
            sources.append((p, "user"))
        else:
            problems.append(Problem(str(p), 0, "error", "no such rule file or directory"))
    for path, origin in sources:
        if not path.is_file():
            problems.append(Problem(str(path), 0, "error", "not a regular file"))
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(Problem(str(path), 0, "error", f"cannot read rule file: {exc}"))
            continue
        try:
            data = loads_toml(text)
        except tomllib.TOMLDecodeError as exc:
            line, msg = toml_error_line(exc, text)
            problems.append(Problem(str(path), line, "error", f"invalid TOML: {msg}"))
            continue
        except RecursionError:
            problems.append(
                Problem(str(path), 0, "error", "invalid TOML: arrays or tables nested too deeply")
            )
            continue
        positions = entry_lines(text)
        top = positions[("", 0)]
        for key, value in data.items():
            if key not in RULE_TABLES:
                hint = difflib.get_close_matches(key, RULE_TABLES, n=1)
                line = top.keys.get(key) or next(
                    (pos.line for (t, _), pos in positions.items() if t == key), 0
                )
                extra = (
                    f" (did you mean [[{hint[0]}]]?)" if hint else f" (expected: {', '.join(RULE_TABLES)})"
                )
                problems.append(Problem(str(path), line, "error", f"unknown table '{key}'{extra}"))
            elif not isinstance(value, list) or not all(isinstance(e, dict) for e in value):
                line = top.keys.get(key, 0)
                problems.append(
                    Problem(str(path), line, "error", f"'{key}' must be an array of tables ([[{key}]])")
                )
            else:
                for i, e in enumerate(value):
                    pos = positions.get((key, i), EntryPos(0))
                    _lint_entry(RuleEntry(key, e, str(path), pos.line, origin, i), pos, problems, facts)
    problems.extend(_cross_check(facts, with_bundled))
    return sorted(problems, key=lambda p: (p.file, p.line))


def _cross_check(facts: list[_Fact], with_bundled: bool) -> list[Problem]:
    """Duplicates within a file, aliases claimed by two outlets, domains both trusted and blocked."""
    problems: list[Problem] = []

    def problem(f: _Fact, severity: Severity, message: str) -> None:
        problems.append(Problem(f.entry.file, f.line, severity, message))

    removed = {f.domain for f in facts if f.table == "removed"}
    live = [f for f in facts if f.table != "removed" and not hidden(f.domain, f.entry.origin, removed)]
    if with_bundled:
        bundled = {g.domain for g in facts if g.entry.origin == "bundled"}
        for f in facts:
            if f.table == "removed" and f.domain not in bundled:
                problem(f, "warning", f"[[removed]] {f.domain!r} matches no bundled rule")

    # duplicates inside one file (across files, a later file overriding an earlier one is the point)
    first: dict[tuple[str, str, str], _Fact] = {}
    for f in live:
        key = (f.entry.file, f.table, f.domain)
        if key in first and first[key].entry.index != f.entry.index:
            where = first[key].line
            problem(
                f,
                "warning",
                f"duplicate [[{f.table}]] {f.domain!r} (also at line {where}; the later one wins)",
            )
        first.setdefault(key, f)

    # outlets after layering: a later entry with the same primary domain replaces the earlier one
    primaries: dict[str, RuleEntry] = {}
    for f in live:
        if f.table == "outlet":
            entry_domains = live_domains(f.entry, removed)
            if entry_domains and entry_domains[0] == f.domain:
                primaries[f.domain] = f.entry
    in_force = {id(e) for e in primaries.values()}
    owner: dict[str, _Fact] = {}
    for f in live:
        if f.table != "outlet" or id(f.entry) not in in_force:
            continue
        other = owner.get(f.domain)
        if other is not None and other.entry is not f.entry:
            problem(
                f,
                "error",
                f"outlet {f.label!r} lists {f.domain!r}, which is already a domain of outlet {other.label!r} "
                f"({other.entry.file}:{other.line})",
            )
        else:
            owner[f.domain] = f
    trusted = dict(owner)
    for f in live:
        if f.table == "legit":
            if f.domain in owner:
                o = owner[f.domain]
                problem(f, "warning", f"[[legit]] {f.domain!r} is already the trusted outlet {o.label!r}")
            trusted.setdefault(f.domain, f)
    for f in live:
        if f.table == "blocked" and f.domain in trusted:
            t = trusted[f.domain]
            what = f"outlet {t.label!r}" if t.table == "outlet" else "[[legit]]"
            problem(
                f,
                "error",
                f"{f.domain!r} is both blocked and trusted ({what} at {t.entry.file}:{t.line})",
            )
    return problems
