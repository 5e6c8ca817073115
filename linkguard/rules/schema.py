"""What a rule file may say: the tables, their keys, and the one check of an entry against them.

Loading and linting read the same declaration. ``entry_issues`` lists everything wrong with one
entry; each issue says whether the loader refuses the file for it (``load``: the rule cannot be
built, e.g. an outlet without a name) or only ``linkguard rules validate`` reports it (an unknown
key, a kind outside the list, a domain that is not registrable). Adding a key is one ``Key`` line
here plus, for a built rule, a field of the same name on its class in ``model``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal

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
#: ``namespace``: the outlet's domain is a country's government namespace that the Public Suffix List
#: lacks (bund.de, admin.ch), cited in ``source``; the detector's ``gov-namespace`` technique reads it.
OUTLET_NAMESPACES = ("government",)
#: ``curated``: hand-checked (the default); ``reference``: a bulk list, each entry naming its ``source``.
OUTLET_TIERS = ("curated", "reference")
#: A two-letter country code, or ``INT`` for international outlets (either case).
COUNTRY_CODE = re.compile(r"[A-Za-z]{2}|INT|int")
COUNTRY_HINT = "a two-letter code like 'DE' (or 'INT')"

Severity = Literal["error", "warning"]
#: The tables a person (or ``linkguard rules``) adds rules to; ``removed`` only hides bundled ones.
RuleTable = Literal["outlet", "legit", "blocked", "shortener"]
EDITABLE_TABLES: tuple[RuleTable, ...] = ("outlet", "legit", "blocked", "shortener")
RULE_TABLES = (*EDITABLE_TABLES, "removed", "rating")


@dataclass(frozen=True, slots=True)
class Key:
    """One key of a table.

    ``required``: the loader refuses an entry without a non-empty value (and stores it stripped).
    ``many``: a string or a list of strings. ``domain``: holds domain(s), which lint checks.
    ``number``: a number in this (low, high) range instead of a string (the loader refuses others).
    ``choices`` / ``pattern`` (described by ``expect``): lint flags other values with ``severity``.
    """

    name: str
    required: bool = False
    many: bool = False
    domain: bool = False
    default: str = ""
    choices: tuple[str, ...] = ()
    pattern: re.Pattern[str] | None = None
    expect: str = ""  # what ``pattern`` wants, for the message
    number: tuple[float, float] | None = None
    hint: str = ""  # said after "missing or empty" for a required key
    severity: Severity = "warning"


@dataclass(frozen=True, slots=True)
class Table:
    name: str
    keys: tuple[Key, ...]

    @property
    def key_names(self) -> frozenset[str]:
        return frozenset(k.name for k in self.keys)

    def optional(self) -> tuple[Key, ...]:
        """The keys a built rule copies as written (strings), after its domain."""
        return tuple(k for k in self.keys if k.name != "domain")


# --- provenance and source ratings (indicator feeds, issue #17) ---------------------------------
#: Dates a feed entry may carry: a day, a month, or the half/quarter a report names (2023-Q2, 2026-H1).
REPORTED_DATE = re.compile(r"\d{4}(?:-\d{2}(?:-\d{2})?|-H[12]|-Q[1-4](?:-Q?[1-4])?)")
REPORTED_HINT = "a date like 2024-09-04, 2024-09 or 2023-Q2"
HTTP_URL = re.compile(r"https?://[^\s/]+\S*")
#: Keys every entry of an indicator feed (a file in a ``feeds`` directory) must carry (``lint``).
FEED_PROVENANCE: dict[str, tuple[str, ...]] = {
    "blocked": ("campaign", "source", "source_url", "reported"),
    "rating": ("source", "reported"),
}
_PROVENANCE = (
    Key("source_url", pattern=HTTP_URL, expect="an http(s) URL", severity="error"),
    Key("reported", pattern=REPORTED_DATE, expect=REPORTED_HINT, severity="error"),
)
# --- end of provenance ------------------------------------------------------------------------------

_DOMAIN = Key("domain", required=True, domain=True)
SCHEMA: dict[str, Table] = {
    "outlet": Table(
        "outlet",
        (
            Key("name", required=True),
            Key("domains", required=True, many=True, domain=True),
            Key("domain", many=True, domain=True),  # the same, for an outlet with one domain
            Key("brands", many=True),
            Key("country", pattern=COUNTRY_CODE, expect=COUNTRY_HINT),
            Key("kind", default="newspaper", choices=OUTLET_KINDS),
            Key("tier", default="curated", choices=OUTLET_TIERS, severity="error"),
            Key("source"),
            Key("namespace", pattern=re.compile("|".join(OUTLET_NAMESPACES)), expect="'government'"),
        ),
    ),
    "legit": Table("legit", (_DOMAIN, Key("note"))),
    "blocked": Table(
        "blocked",
        (
            _DOMAIN,
            Key("source", required=True, hint=" (say where the report comes from)"),
            Key("imitates"),
            Key("campaign"),
            *_PROVENANCE,
        ),
    ),
    "shortener": Table("shortener", (_DOMAIN, Key("owner"))),
    "removed": Table("removed", (_DOMAIN, Key("note"))),
    # a public rating of news-domain quality: 0 (lowest) … 1 (highest), quoted as evidence (issue #17)
    "rating": Table(
        "rating",
        (
            _DOMAIN,
            Key("value", required=True, number=(0.0, 1.0)),
            Key("rating", required=True),
            Key("source", required=True),
            *_PROVENANCE,
        ),
    ),
}
#: Keys each table understands; anything else is a typo that would silently drop data.
TABLE_KEYS: dict[str, frozenset[str]] = {name: table.key_names for name, table in SCHEMA.items()}


@dataclass(frozen=True, slots=True)
class Issue:
    """One thing wrong with an entry. ``load``: the loader refuses the file for it.

    ``labelled``: lint prefixes the outlet's name (``'WELT': …``) to say which entry it is about.
    """

    key: str | None
    severity: Severity
    message: str
    load: bool = False
    labelled: bool = True


def is_strings(value: Any) -> bool:
    """A string or a list of strings: what a ``many`` key holds."""
    return isinstance(value, str) or (isinstance(value, list) and all(isinstance(v, str) for v in value))


def strings(value: Any) -> tuple[str, ...]:
    """The strings of a ``many`` value (check ``is_strings`` first)."""
    return (value,) if isinstance(value, str) else tuple(value)


def _filled(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def in_range(value: Any, bounds: tuple[float, float]) -> bool:
    """A number (not a bool) within ``bounds``, inclusive."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and bounds[0] <= value <= bounds[1]


def domain_key(table: str, data: Mapping[str, Any]) -> str:
    """The key an entry keeps its domain(s) under: outlets write ``domains`` (or ``domain``)."""
    if table == "outlet":
        return "domains" if "domains" in data or "domain" not in data else "domain"
    return "domain"


def entry_issues(table: str, data: Mapping[str, Any], *, thorough: bool = True) -> Iterator[Issue]:
    """Everything wrong with one entry of ``table``, the loader's refusals first.

    With ``thorough=False`` only the issues the loader refuses a file for (fast: it runs on every
    entry of every rule file when the cache misses). Domain syntax is checked by ``lint`` (it needs
    the suffix list), not here.
    """
    spec = SCHEMA[table]
    builds = table != "removed"  # [[removed]] is only read for its domain; the loader builds nothing
    for key in spec.keys:
        if key.name == "domain" and table == "outlet":
            continue  # checked as the "domains" it stands in for
        name = domain_key(table, data) if key.name == "domains" else key.name
        value = data.get(name)
        if key.number is not None:
            if (key.required or name in data) and not in_range(value, key.number):
                low, high = key.number
                message = f"'{name}' must be a number from {low:g} to {high:g}"
                yield Issue(name, "error", message, load=builds)
        elif key.required and key.many:
            if not is_strings(value):
                message = (
                    f"'{name}' must be a string or a list of strings"
                    if value is not None
                    else f"missing or empty '{name}'"
                )
                yield Issue(name, "error", message, load=builds)
            elif thorough and not value:
                yield Issue(name, "error", f"missing or empty '{name}'")
        elif key.required and not key.domain:
            if not _filled(value):
                msg = f"missing or empty '{name}'{key.hint}"
                yield Issue(name, "error", msg, load=builds, labelled=name != "name")
        elif key.many and name in data and not is_strings(value):
            yield Issue(name, "error", f"'{name}' must be a string or a list of strings", load=builds)
        elif key.required and key.domain and not _filled(value):
            yield Issue(name, "error", f"missing or empty '{name}'", load=builds, labelled=False)
    if not thorough:
        return
    yield from _lint_values(table, spec, data)


def _lint_values(table: str, spec: Table, data: Mapping[str, Any]) -> Iterator[Issue]:
    """Unknown keys, wrong types and values outside a key's choices: what only lint reports."""
    import difflib

    allowed = spec.key_names
    for name in data:
        if name not in allowed:
            hint = difflib.get_close_matches(name, sorted(allowed), n=1)
            more = f" (did you mean '{hint[0]}'?)" if hint else f" (expected: {', '.join(sorted(allowed))})"
            yield Issue(name, "error", f"unknown key '{name}'{more}", labelled=False)
    if table == "outlet" and "domains" in data and "domain" in data:
        yield Issue("domain", "error", "has both 'domain' and 'domains'; use 'domains'", labelled=False)
    for key in spec.keys:
        if key.required or key.many or (key.name not in data and not key.choices):
            continue
        value = data.get(key.name, key.default)
        if key.pattern is not None:
            if not isinstance(value, str) or (value and not key.pattern.fullmatch(value)):
                yield Issue(key.name, key.severity, f"'{key.name}' should be {key.expect}")
        elif key.choices:
            if not isinstance(value, str) or value not in key.choices:
                expected = ", ".join(key.choices)
                yield Issue(
                    key.name, key.severity, f"unknown {key.name} {value!r} (expected one of {expected})"
                )
        elif table == "outlet" and key.name == "source":
            if not _filled(value):
                yield Issue(key.name, "error", "'source' must be a non-empty string")
        elif not isinstance(value, str):
            yield Issue(key.name, "error", f"'{key.name}' must be a string", labelled=False)
    if table == "outlet" and data.get("tier") == "reference" and "source" not in data:
        yield Issue("tier", "error", "reference entries must name their 'source'")
