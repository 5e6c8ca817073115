"""Load and merge rule files: trusted outlets, known-legitimate look-alikes, known-bad domains, shorteners.

Rules are TOML so that people can edit them by hand and diff them in review. A file may hold any
of these arrays of tables::

    [[outlet]]      name, domains, brands?, country?, kind?, tier?, source?
    [[legit]]       domain, note?
    [[blocked]]     domain, source, imitates?, campaign?, source_url?, reported?
    [[shortener]]   domain, owner?
    [[rating]]      domain, value, rating, source, source_url?, reported?

The bundled files ship inside the wheel (``linkguard._rules``); the user's file is layered on top.
``[[removed]] domain`` hides *bundled* rules for that domain, so a user can withdraw a shipped rule and
still state their own rule for the same domain.

Loading stays lean because it runs at every CLI start: ``load_rules`` only parses and merges.
``validate_rules`` is the thorough linter (positions, unknown keys, domain syntax, conflicts), and
``rule_entries`` lists raw entries with their file and line for ``linkguard rules list/show``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from linkguard.errors import RulesError
from linkguard.models import Outlet

# tomllib, difflib and importlib.resources are imported where used: a cached start needs none of them.
if TYPE_CHECKING:
    import tomllib

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
#: ``curated``: hand-checked (the default); ``reference``: a bulk list, each entry naming its ``source``.
OUTLET_TIERS = ("curated", "reference")
RULE_TABLES = ("outlet", "legit", "blocked", "shortener", "removed", "rating")
#: Keys each table understands; anything else is a typo that would silently drop data.
TABLE_KEYS: dict[str, frozenset[str]] = {
    "outlet": frozenset({"name", "domains", "domain", "brands", "country", "kind", "tier", "source"}),
    "legit": frozenset({"domain", "note"}),
    "blocked": frozenset({"domain", "source", "imitates", "campaign", "source_url", "reported"}),
    "shortener": frozenset({"domain", "owner"}),
    "removed": frozenset({"domain", "note"}),
    "rating": frozenset({"domain", "value", "rating", "source", "source_url", "reported"}),
}


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
    # --- provenance (indicator feeds, issue #17) ---
    source_url: str = ""
    reported: str = ""


# --- source ratings (issue #17) ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RatingRule:
    """What a public rating of news-domain quality says about a domain: ``value`` on 0 (lowest) to
    1 (highest), as the rating ``rating`` published by ``source``. Not an accusation: evidence quotes it."""

    domain: str
    value: float
    rating: str
    source: str
    source_url: str = ""
    reported: str = ""
    origin: str = "bundled"


def _rating_value(e: dict[str, Any]) -> float:
    value = e.get("value")
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0.0 <= value <= 1.0:
        raise RulesError("'value' must be a number from 0 (lowest) to 1 (highest)")
    return float(value)


#: Dates a feed entry may carry: a day, a month, or the half/quarter a report names (2023-Q2, 2026-H1).
REPORTED_DATE = re.compile(r"\d{4}(?:-\d{2}(?:-\d{2})?|-H[12]|-Q[1-4](?:-Q?[1-4])?)")


# --- end of source ratings ------------------------------------------------------------------------


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
    ratings: tuple[RatingRule, ...] = ()  # source ratings (issue #17)

    def outlet_for(self, registered_domain: str) -> Outlet | None:
        for outlet in self.outlets:
            if registered_domain in outlet.domains:
                return outlet
        return None


def bundled_rule_files() -> list[Path]:
    import importlib

    bundled = importlib.import_module("linkguard._rules")  # a plain package directory when installed
    if bundled.__file__:  # importlib.resources would cost ~10 ms of imports at every start
        return sorted(p for p in Path(bundled.__file__).parent.iterdir() if p.name.endswith(".toml"))
    from importlib import resources

    root = resources.files("linkguard._rules")
    return sorted(Path(str(p)) for p in root.iterdir() if p.name.endswith(".toml"))


def reference_rule_files() -> list[Path]:
    """The bulk reference tier (``rules/reference/*.toml``), merged under the curated outlets."""
    return sorted((bundled_rule_files()[0].parent / "reference").glob("*.toml"))


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


_TOML_POS = re.compile(r"\s*\(at line (\d+), column \d+\)$")


def toml_error_line(exc: tomllib.TOMLDecodeError, source: str = "") -> tuple[int, str]:
    """(line, message without the position suffix): tomllib only puts the position in the text."""
    text = str(exc)
    if text.endswith("(at end of document)"):
        return max(source.count("\n") + (0 if source.endswith("\n") else 1), 1), text[
            : -len(" (at end of document)")
        ]
    match = _TOML_POS.search(text)
    lineno = getattr(exc, "lineno", None)
    if isinstance(lineno, int):
        return lineno, _TOML_POS.sub("", text)
    if match:
        return int(match.group(1)), text[: match.start()]
    return 0, text


def parse_toml_text(text: str, path: Path | str) -> dict[str, Any]:
    """tomllib.loads with a ``RulesError`` naming ``file:line`` on a syntax error.

    Nesting too deep for the parser (``a = [[[[...]]]]`` thousands deep) is a ``RulesError`` too,
    never a ``RecursionError`` escaping to the user.
    """
    import tomllib

    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line, msg = toml_error_line(exc, text)
        raise RulesError(f"{path}:{line}: invalid TOML: {msg}") from exc
    except RecursionError:
        raise RulesError(f"{path}: invalid TOML: arrays or tables nested too deeply") from None


def read_rule_file(path: Path, origin: str, text: str | None = None) -> dict[str, list[dict[str, Any]]]:
    """Parse one file (or ``text``, its content already read); a syntax error names the file and line."""
    if text is None:
        text = read_rule_text(path)
    return rule_tables(parse_toml_text(text, path), path, origin)


def rule_tables(data: dict[str, Any], path: Path, origin: str) -> dict[str, list[dict[str, Any]]]:
    """The rule tables of one parsed file, each entry tagged with where it comes from."""
    unknown = set(data) - set(RULE_TABLES)
    if unknown:
        raise RulesError(f"{path}: unknown table(s) {', '.join(sorted(unknown))}; expected {RULE_TABLES}")
    out: dict[str, list[dict[str, Any]]] = {}
    for table in RULE_TABLES:
        entries = data.get(table, [])
        if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
            raise RulesError(f"{path}: '{table}' must be an array of tables ([[{table}]])")
        out[table] = [dict(e, _origin=origin, _file=str(path), _index=i) for i, e in enumerate(entries)]
    return out


def check_loadable(data: dict[str, Any], path: Path, text: str) -> None:
    """Raise the ``RulesError`` (file:line) the loader would raise for this file; ``text`` gives lines.

    ``linkguard rules`` runs it on a file before and after an edit, so that an edit never leaves a
    file behind that makes every scan fail.
    """
    _build(rule_tables(data, path, "user"), [str(path)], {str(path): text})


def read_rule_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RulesError(f"{path}: cannot read rule file: {exc}") from exc


def _where(e: dict[str, Any], table: str, texts: Mapping[str, str] | None = None) -> str:
    """``file:line: [[table]] #n`` for an error message; the line scan only runs when something is wrong."""
    index = int(e.get("_index", 0))
    line = 0
    try:
        text = texts.get(e["_file"]) if texts is not None else None
        if text is None:
            text = Path(e["_file"]).read_text(encoding="utf-8")
        pos = entry_lines(text).get((table, index))
        line = pos.line if pos else 0
    except (OSError, UnicodeDecodeError):
        pass
    return f"{e['_file']}{f':{line}' if line else ''}: [[{table}]] #{index + 1}"


def _build(
    tables: dict[str, list[dict[str, Any]]], files: Iterable[str], texts: Mapping[str, str] | None = None
) -> RuleSet:
    removed = {str(e.get("domain", "")).lower().strip() for e in tables["removed"]}

    def hidden(domain: str, e: dict[str, Any]) -> bool:
        return domain in removed and e["_origin"] == "bundled"

    def outlet_of(e: dict[str, Any]) -> Outlet | None:
        name = _require(e, "name", "")
        domains = tuple(
            d.lower().strip() for d in _as_str_tuple(e.get("domains", e.get("domain")), "", "domains")
        )
        domains = tuple(d for d in domains if not hidden(d, e))
        if not domains:
            return None
        return Outlet(
            name=name,
            domains=domains,
            brands=tuple(b.lower() for b in _as_str_tuple(e.get("brands", []), "", "brands")),
            country=str(e.get("country", "")).upper(),
            kind=str(e.get("kind", "newspaper")),
            origin=e["_origin"],
            tier=str(e.get("tier", "curated")),
        )

    def located(table: str, e: dict[str, Any], exc: RulesError) -> RulesError:
        return RulesError(f"{_where(e, table, texts)}{exc}")

    outlets: dict[str, Outlet] = {}
    for e in tables["outlet"]:
        try:
            outlet = outlet_of(e)
        except RulesError as exc:
            raise located("outlet", e, exc) from None
        if outlet is not None:
            outlets[outlet.domains[0]] = (
                outlet  # a later (user) entry for the same domain replaces the bundled one
            )

    def simple(table: str) -> dict[str, dict[str, Any]]:
        seen: dict[str, dict[str, Any]] = {}
        for e in tables[table]:
            try:
                domain = _require(e, "domain", "").lower()
                if table == "blocked":
                    _require(e, "source", "")
            except RulesError as exc:
                raise located(table, e, exc) from None
            if not hidden(domain, e):
                seen[domain] = e
        return seen

    ratings = []
    for d, e in simple("rating").items():
        try:
            value = _rating_value(e)
            rating, source = _require(e, "rating", ""), _require(e, "source", "")
        except RulesError as exc:
            raise located("rating", e, exc) from None
        extra = (str(e.get("source_url", "")), str(e.get("reported", "")))
        ratings.append(RatingRule(d, value, rating, source, *extra, e["_origin"]))

    legit = [LegitRule(d, str(e.get("note", "")), e["_origin"]) for d, e in simple("legit").items()]
    blocked = [
        BlockedRule(
            d,
            str(e["source"]).strip(),
            str(e.get("imitates", "")),
            str(e.get("campaign", "")),
            e["_origin"],
            str(e.get("source_url", "")),
            str(e.get("reported", "")),
        )
        for d, e in simple("blocked").items()
    ]
    short = [ShortenerRule(d, str(e.get("owner", "")), e["_origin"]) for d, e in simple("shortener").items()]
    return RuleSet(
        tuple(outlets.values()), tuple(legit), tuple(blocked), tuple(short), tuple(files), tuple(ratings)
    )


def _iter_files(paths: Iterable[Path]) -> Iterator[Path]:
    for p in paths:
        if p.is_dir():
            found = sorted(p.glob("*.toml"))
        elif p.exists():
            found = [p]
        else:
            raise RulesError(f"{p}: no such rule file or directory")
        for f in found:
            if not f.is_file():  # a named pipe would block the read for ever
                raise RulesError(f"{f}: not a regular file")
            yield f


def rule_sources(
    paths: Iterable[str | Path] | None = None,
    *,
    user_dir: str | Path | None = None,
    bundled: bool = True,
) -> list[tuple[Path, str]]:
    """The files ``load_rules`` reads, in layering order, each with its origin (bundled/user)."""
    if paths is not None:
        return [(p, "user") for p in _iter_files(Path(p) for p in paths)]
    # The reference tier first, so that a curated entry for the same outlet replaces it.
    sources: list[tuple[Path, str]] = []
    if bundled:  # indicator feeds and ratings (issue #17) after the reference tier, under the curated rules
        from linkguard.feeds.store import feed_rule_files

        files = (*reference_rule_files(), *feed_rule_files(), *bundled_rule_files())
        sources = [(p, "bundled") for p in files]
    if user_dir is not None and Path(user_dir).is_dir():
        sources += [(p, "user") for p in _iter_files([Path(user_dir)])]
    return sources


def load_rules(
    paths: Iterable[str | Path] | None = None,
    *,
    user_dir: str | Path | None = None,
    bundled: bool = True,
    user: bool = True,
) -> RuleSet:
    """Merge bundled rules, then the user's rule files; with ``paths``, use only those files.

    The user's files come from ``user_dir``, else (with ``user``) from the same directory the CLI
    uses (``$LINKGUARD_RULES_DIR`` or the platform config dir), so library and CLI agree.
    """
    if paths is None and user_dir is None and user:
        from linkguard.paths import user_rules_dir

        user_dir = user_rules_dir()
    return load_sources(rule_sources(paths, user_dir=user_dir, bundled=bundled))


def load_sources(sources: Iterable[tuple[Path, str]], texts: Mapping[Path, str] | None = None) -> RuleSet:
    """Merge the files of ``rule_sources`` in order; ``texts`` holds contents already read (by path)."""
    tables: dict[str, list[dict[str, Any]]] = {t: [] for t in RULE_TABLES}
    files: list[str] = []
    for path, origin in sources:
        parsed = read_rule_file(path, origin, texts.get(path) if texts is not None else None)
        files.append(str(path))
        for table, entries in parsed.items():
            tables[table].extend(entries)
    return _build(tables, files)


# --- positions, raw entries and validation (not on the load path) -----------------------------------

_HEADER = re.compile(r"""^\s*\[\[\s*("[^"]*"|'[^']*'|[A-Za-z0-9_.-]+)\s*\]\]""")
_TABLE = re.compile(r"^\s*\[[^\[]")
_KEY = re.compile(r"""^\s*("[^"]*"|'[^']*'|[A-Za-z0-9_-]+)\s*[.=]""")


@dataclass(frozen=True, slots=True)
class EntryPos:
    """Where an entry's ``[[table]]`` header is, and the first line of each of its keys."""

    line: int
    keys: dict[str, int] = field(default_factory=dict)


def entry_lines(text: str) -> dict[tuple[str, int], EntryPos]:
    """Map (table, index) → position by scanning ``[[table]]`` headers (tomllib keeps no positions).

    A light line scan, not a parser: good enough to point a person at the right line. Top-level keys
    are recorded under ``("", 0)``.
    """
    out: dict[tuple[str, int], EntryPos] = {("", 0): EntryPos(1)}
    counts: dict[str, int] = {}
    current: tuple[str, int] | None = ("", 0)
    fence: str | None = None
    header_match, table_match, key_match = _HEADER.match, _TABLE.match, _KEY.match
    for n, raw in enumerate(text.splitlines(), 1):
        if fence is not None:
            if raw.count(fence) % 2 == 1:
                fence = None
            continue
        first = raw.lstrip()[:1]
        if first == "[":
            header = header_match(raw)
            if header:
                table = header.group(1).strip("\"'")
                index = counts.get(table, 0)
                counts[table] = index + 1
                current = (table, index)
                out[current] = EntryPos(n)
            elif table_match(raw):
                current = None
        elif first and first != "#" and current is not None:
            key = key_match(raw)
            if key:
                out[current].keys.setdefault(key.group(1).strip("\"'"), n)
        if '"""' in raw or "'''" in raw:  # a multi-line string opens here (a line scan's guess)
            for quote in ('"""', "'''"):
                if raw.count(quote) % 2 == 1:
                    fence = quote
                    break
    return out


@dataclass(frozen=True, slots=True)
class RuleEntry:
    """One ``[[table]]`` entry as written, with where it is: what ``rules list/show`` print."""

    table: str
    data: dict[str, Any]
    file: str
    line: int
    origin: str
    index: int

    @property
    def domains(self) -> tuple[str, ...]:
        value = (
            self.data.get("domains", self.data.get("domain"))
            if self.table == "outlet"
            else self.data.get("domain")
        )
        values = [value] if isinstance(value, str) else value if isinstance(value, list) else []
        return tuple(v.strip().lower() for v in values if isinstance(v, str) and v.strip())

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}" if self.line else self.file


def read_entries(path: Path, origin: str) -> list[RuleEntry]:
    """Raw entries of one file with their lines; ``RulesError`` (file:line) when it does not parse."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RulesError(f"{path}: cannot read rule file: {exc}") from exc
    return entries_of(parse_toml_text(text, path), text, path, origin)


def entries_of(
    data: dict[str, Any],
    text: str,
    path: Path,
    origin: str,
    positions: dict[tuple[str, int], EntryPos] | None = None,
) -> list[RuleEntry]:
    """The entries of one parsed file (``data``, from ``text``; ``positions`` from ``entry_lines``)."""
    if positions is None:
        positions = entry_lines(text)
    out: list[RuleEntry] = []
    for table in RULE_TABLES:
        entries = data.get(table, [])
        if not isinstance(entries, list):
            continue
        for i, e in enumerate(entries):
            if isinstance(e, dict):
                pos = positions.get((table, i))
                out.append(RuleEntry(table, e, str(path), pos.line if pos else 0, origin, i))
    return out


def rule_entries(
    paths: Iterable[str | Path] | None = None,
    *,
    user_dir: str | Path | None = None,
    bundled: bool = True,
) -> list[RuleEntry]:
    """Every entry of the files ``load_rules`` would read, in layering order."""
    out: list[RuleEntry] = []
    for path, origin in rule_sources(paths, user_dir=user_dir, bundled=bundled):
        out.extend(read_entries(path, origin))
    return out


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


Severity = Literal["error", "warning"]


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


def _check_domain_value(value: Any, key: str) -> tuple[str | None, str | None]:
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


def split_registrable_differs(written: str, domain: str) -> bool:
    """True when ``written`` names a sub-domain (more labels than its registrable domain)."""
    return len(written.rstrip(".").split(".")) > len(domain.split("."))


def _lint_entry(entry: RuleEntry, pos: EntryPos, problems: list[Problem], facts: list[_Fact]) -> None:
    def add(severity: Severity, message: str, key: str | None = None) -> None:
        line = pos.keys.get(key, pos.line) if key else pos.line
        problems.append(Problem(entry.file, line, severity, f"[[{entry.table}]] {message}"))

    import difflib

    e, table = entry.data, entry.table
    allowed = TABLE_KEYS[table]
    for key in e:
        if key not in allowed:
            hint = difflib.get_close_matches(key, sorted(allowed), n=1)
            suggestion = (
                f" (did you mean '{hint[0]}'?)" if hint else f" (expected: {', '.join(sorted(allowed))})"
            )
            add("error", f"unknown key '{key}'{suggestion}", key)
    if table == "outlet":
        name = e.get("name")
        label = name.strip() if isinstance(name, str) and name.strip() else "?"
        if label == "?":
            add("error", "missing or empty 'name'", "name")
        if "domains" in e and "domain" in e:
            add("error", "has both 'domain' and 'domains'; use 'domains'", "domain")
        key = "domains" if "domains" in e else "domain"
        value = e.get(key)
        values = [value] if isinstance(value, str) else value if isinstance(value, list) else None
        if not values:
            add("error", f"{label!r}: missing or empty 'domains'", key)
            values = []
        seen: set[str] = set()
        for v in values:
            domain, message = _check_domain_value(v, key)
            if message:
                add("error", f"{label!r}: {message}", key)
            if domain and domain in seen:
                add("warning", f"{label!r}: {domain!r} listed twice", key)
            elif domain:
                seen.add(domain)
                facts.append(_Fact("outlet", domain, entry, pos.keys.get(key, pos.line), label))
        brands = e.get("brands", [])
        if not (
            isinstance(brands, str) or (isinstance(brands, list) and all(isinstance(b, str) for b in brands))
        ):
            add("error", f"{label!r}: 'brands' must be a string or a list of strings", "brands")
        country = e.get("country", "")
        if not isinstance(country, str) or (country and not re.fullmatch(r"[A-Za-z]{2}|INT", country)):
            add(
                "warning", f"{label!r}: 'country' should be a two-letter code like 'DE' (or 'INT')", "country"
            )
        kind = e.get("kind", "newspaper")
        if not isinstance(kind, str) or kind not in OUTLET_KINDS:
            add(
                "warning",
                f"{label!r}: unknown kind {kind!r} (expected one of {', '.join(OUTLET_KINDS)})",
                "kind",
            )
        tier, source = e.get("tier", "curated"), e.get("source")
        if tier not in OUTLET_TIERS:
            add(
                "error",
                f"{label!r}: unknown tier {tier!r} (expected one of {', '.join(OUTLET_TIERS)})",
                "tier",
            )
        if source is not None and (not isinstance(source, str) or not source.strip()):
            add("error", f"{label!r}: 'source' must be a non-empty string", "source")
        elif tier == "reference" and source is None:
            add("error", f"{label!r}: reference entries must name their 'source'", "tier")
        return
    domain, message = _check_domain_value(e.get("domain"), "domain")
    if message:
        add("error", message, "domain")
    if table == "blocked":
        source = e.get("source")
        if not isinstance(source, str) or not source.strip():
            add(
                "error",
                f"{domain or '?'}: missing or empty 'source' (say where the report comes from)",
                "source",
            )
    for key in sorted(allowed - {"domain", "value"}):
        if key in e and not isinstance(e[key], str):
            add("error", f"'{key}' must be a string", key)
    if table in ("blocked", "rating"):
        _lint_provenance(entry, domain or "?", add)
    if domain:
        facts.append(_Fact(table, domain, entry, pos.keys.get("domain", pos.line), domain))


# --- provenance of feed entries and ratings (issue #17) -------------------------------------------

#: Keys every entry of an indicator feed (a file in a ``feeds`` directory) must carry.
FEED_PROVENANCE = {
    "blocked": ("campaign", "source", "source_url", "reported"),
    "rating": ("source", "reported"),
}


def _lint_provenance(entry: RuleEntry, label: str, add: Callable[..., None]) -> None:
    """A feed entry names its campaign, source, URL and date; a date and a URL are well-formed."""
    e = entry.data
    if entry.table == "rating":
        try:
            _rating_value(e)
        except RulesError as exc:
            add("error", f"{label}: {exc}", "value")
        for key in ("rating", "source"):
            if not isinstance(e.get(key), str) or not e[key].strip():
                add("error", f"{label}: missing or empty '{key}'", key)
    if Path(entry.file).parent.name == "feeds":
        for key in FEED_PROVENANCE[entry.table]:
            if not isinstance(e.get(key), str) or not e[key].strip():
                add("error", f"{label}: a feed entry must name its '{key}' (provenance)", key)
    reported = e.get("reported")
    if isinstance(reported, str) and reported and not REPORTED_DATE.fullmatch(reported):
        add("error", f"{label}: 'reported' must be a date like 2024-09-04, 2024-09 or 2023-Q2", "reported")
    url = e.get("source_url")
    if isinstance(url, str) and url and not re.match(r"https?://[^\s/]+", url):
        add("error", f"{label}: 'source_url' must be an http(s) URL", "source_url")


def validate_rules(paths: Iterable[str | Path], *, with_bundled: bool = False) -> list[Problem]:
    """Lint rule files as one layered set: syntax (file:line), schema, domains and conflicts.

    Never raises for a bad file: every fault is a ``Problem``. With ``with_bundled`` the bundled files
    are layered first, so conflicts with shipped rules are found too.
    """
    problems: list[Problem] = []
    facts: list[_Fact] = []
    import tomllib

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
            data = tomllib.loads(text)
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
                import difflib

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
    live = [
        f for f in facts if f.table != "removed" and not (f.domain in removed and f.entry.origin == "bundled")
    ]
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
            entry_domains = [d for d in f.entry.domains if not (d in removed and f.entry.origin == "bundled")]
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
