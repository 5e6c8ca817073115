"""Read rule files and merge them into the ``RuleSet`` in force.

Rules are TOML so that people can edit them by hand and diff them in review. A file may hold any
of the tables in ``schema``::

    [[outlet]]      name, domains, brands?, country?, kind?, tier?, source?
    [[legit]]       domain, note?
    [[blocked]]     domain, source, imitates?, campaign?, source_url?, reported?
    [[shortener]]   domain, owner?
    [[rating]]      domain, value, rating, source, source_url?, reported?
    [[removed]]     domain, note?     (hides bundled rules for the domain; see ``layering``)

The bundled files ship inside the wheel (``linkguard._rules``); the user's files are layered on
top. Loading stays lean because it runs whenever the index cache misses: it checks only what it
needs to build each rule (``schema.entry_issues(thorough=False)``); ``lint`` is the thorough check.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from linkguard.errors import RulesError
from linkguard.models import Outlet
from linkguard.rules.layering import in_force
from linkguard.rules.model import RULE_CLASSES, RuleEntry, RuleSet
from linkguard.rules.positions import EntryPos, entry_lines, toml_error_line, where
from linkguard.rules.schema import RULE_TABLES, SCHEMA, Key, entry_issues, strings

# tomllib and importlib.resources are imported where used: a cached start needs neither.


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


#: Parsed rule files remembered per process, by content (see ``loads_toml``).
PARSED_KEEP = 16
_parsed: OrderedDict[bytes, bytes] = OrderedDict()
_parsed_lock = threading.Lock()


def loads_toml(text: str) -> dict[str, Any]:
    """``tomllib.loads``, remembered by content; raises what tomllib raises.

    tomllib is pure Python: the 800 KB reference tier takes ~0.4 s to parse. A process that reads
    the same files again (``linkguard serve`` at each rules edit, a library user, every CLI command
    run in one test process) parses each content once. Each call gets its own copy to edit.
    """
    import pickle
    import tomllib

    key = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()
    with _parsed_lock:
        blob = _parsed.get(key)
        if blob is not None:
            _parsed.move_to_end(key)
    if blob is not None:
        data: dict[str, Any] = pickle.loads(blob)  # our own bytes, made below
        return data
    data = tomllib.loads(text)
    if len(text) >= 4096:  # small files parse faster than the copy costs
        blob = pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL)
        with _parsed_lock:
            _parsed[key] = blob
            while len(_parsed) > PARSED_KEEP:
                _parsed.popitem(last=False)
    return data


def parse_toml_text(text: str, path: Path | str) -> dict[str, Any]:
    """tomllib.loads with a ``RulesError`` naming ``file:line`` on a syntax error.

    Nesting too deep for the parser (``a = [[[[...]]]]`` thousands deep) is a ``RulesError`` too,
    never a ``RecursionError`` escaping to the user.
    """
    import tomllib

    try:
        return loads_toml(text)
    except tomllib.TOMLDecodeError as exc:
        line, msg = toml_error_line(exc, text)
        raise RulesError(f"{path}:{line}: invalid TOML: {msg}") from exc
    except RecursionError:
        raise RulesError(f"{path}: invalid TOML: arrays or tables nested too deeply") from None


def read_rule_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RulesError(f"{path}: cannot read rule file: {exc}") from exc


def _loaded_entries(data: dict[str, Any], path: Path, origin: str) -> dict[str, list[RuleEntry]]:
    """The entries of one parsed file by table, for the loader: a misshapen table is a ``RulesError``."""
    unknown = set(data) - set(RULE_TABLES)
    if unknown:
        raise RulesError(f"{path}: unknown table(s) {', '.join(sorted(unknown))}; expected {RULE_TABLES}")
    out: dict[str, list[RuleEntry]] = {}
    file = str(path)
    for table in RULE_TABLES:
        entries = data.get(table, [])
        if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
            raise RulesError(f"{path}: '{table}' must be an array of tables ([[{table}]])")
        out[table] = [RuleEntry(table, e, file, 0, origin, i) for i, e in enumerate(entries)]
    return out


def read_rule_file(path: Path, origin: str, text: str | None = None) -> dict[str, list[dict[str, Any]]]:
    """The tables of one file as written (``{"outlet": [{...}, …], …}``); errors name file:line."""
    if text is None:
        text = read_rule_text(path)
    tables = _loaded_entries(parse_toml_text(text, path), path, origin)
    return {table: [e.data for e in entries] for table, entries in tables.items()}


def entries_of(
    data: dict[str, Any],
    text: str,
    path: Path,
    origin: str,
    positions: dict[tuple[str, int], EntryPos] | None = None,
) -> list[RuleEntry]:
    """The entries of one parsed file (``data``, from ``text``; ``positions`` from ``entry_lines``),
    with their lines; misshapen tables are skipped (lint reports them)."""
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


def read_entries(path: Path, origin: str) -> list[RuleEntry]:
    """Raw entries of one file with their lines; ``RulesError`` (file:line) when it does not parse."""
    text = read_rule_text(path)
    return entries_of(parse_toml_text(text, path), text, path, origin)


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
    # The reference tier first, so that a curated entry for the same outlet replaces it; the indicator
    # feeds (issue #17) next, so that a curated entry for the same domain replaces a feed's.
    sources: list[tuple[Path, str]] = []
    if bundled:
        from linkguard.feeds.store import feed_rule_files

        files = (*reference_rule_files(), *feed_rule_files(), *bundled_rule_files())
        sources = [(p, "bundled") for p in files]
    if user_dir is not None and Path(user_dir).is_dir():
        sources += [(p, "user") for p in _iter_files([Path(user_dir)])]
    return sources


def rule_entries(
    paths: Iterable[str | Path] | None = None,
    *,
    user_dir: str | Path | None = None,
    bundled: bool = True,
) -> list[RuleEntry]:
    """Every entry of the files ``load_rules`` would read, in layering order, with its line."""
    out: list[RuleEntry] = []
    for path, origin in rule_sources(paths, user_dir=user_dir, bundled=bundled):
        out.extend(read_entries(path, origin))
    return out


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
    tables: dict[str, list[RuleEntry]] = {t: [] for t in RULE_TABLES}
    files: list[str] = []
    for path, origin in sources:
        text = texts.get(path) if texts is not None else None
        parsed = _loaded_entries(
            parse_toml_text(read_rule_text(path) if text is None else text, path), path, origin
        )
        files.append(str(path))
        for table, entries in parsed.items():
            tables[table].extend(entries)
    return build([e for t in RULE_TABLES for e in tables[t]], files)


def check_loadable(data: dict[str, Any], path: Path, text: str) -> None:
    """Raise the ``RulesError`` (file:line) the loader would raise for this file; ``text`` gives lines.

    ``linkguard rules`` runs it on a file before and after an edit, so that an edit never leaves a
    file behind that makes every scan fail.
    """
    tables = _loaded_entries(data, path, "user")
    build([e for t in RULE_TABLES for e in tables[t]], [str(path)], {str(path): text})


def _outlet(e: RuleEntry, domains: tuple[str, ...]) -> Outlet:
    d = e.data
    return Outlet(
        name=str(d["name"]).strip(),
        domains=domains,
        brands=tuple(b.lower() for b in strings(d.get("brands", []))),
        country=str(d.get("country", "")).upper(),
        kind=str(d.get("kind", "newspaper")),
        origin=e.origin,
        tier=str(d.get("tier", "curated")),
        namespace=str(d.get("namespace", "")),
    )


def _value(key: Key, data: dict[str, Any]) -> str | float:
    """A key's value as its rule class stores it: a number, a required string stripped, or as written."""
    if key.number is not None:
        return float(data.get(key.name, key.number[0]))
    return str(data[key.name]).strip() if key.required else str(data.get(key.name, key.default))


def build(
    entries: Sequence[RuleEntry], files: Iterable[str], texts: Mapping[str, str] | None = None
) -> RuleSet:
    """The ``RuleSet`` of entries in layering order; ``RulesError`` (file:line) for one it cannot build."""
    for e in entries:
        for issue in entry_issues(e.table, e.data, thorough=False):
            if issue.load:
                raise RulesError(f"{where(e, texts)}: {issue.message}")
    built: dict[str, list[Any]] = {table: [] for table in RULE_CLASSES}
    for e, domains in in_force(entries):
        if e.table == "outlet":
            built["outlet"].append(_outlet(e, domains))
            continue
        values = {key.name: _value(key, e.data) for key in SCHEMA[e.table].optional()}
        built[e.table].append(RULE_CLASSES[e.table][1](domains[0], **values, origin=e.origin))
    fields: dict[str, Any] = {name: tuple(built[table]) for table, (name, _) in RULE_CLASSES.items()}
    return RuleSet(**fields, files=tuple(files))
