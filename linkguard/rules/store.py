"""The user's own rules: add, block, allow, remove, import and export, safely.

Everything a person adds lands in ``<rules dir>/rules.toml``, which ``load_rules`` layers over the
bundled rules. Edits are made so that the file stays the person's file and a mistake never costs
them their list:

* input is normalised and checked against the merged rules *before* anything is written;
* the file is edited with tomlkit, so comments and order survive;
* a file that does not parse is reported with file:line and never rewritten;
* ``rules.toml.lock`` (filelock) serialises concurrent writers, and each write goes to a temp file
  in the same directory that is fsynced and then ``os.replace``-d over the original.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tomlkit
from filelock import FileLock, Timeout
from tomlkit.items import AoT, Array, Table
from tomlkit.toml_document import TOMLDocument

from linkguard.errors import RulesError
from linkguard.rules.domains import InvalidDomainError, NormalizedDomain, normalize_rule_domain
from linkguard.rules.exchange import ImportRow, export_rules, prepare_row, read_import_file
from linkguard.rules.layering import in_force, layer, removed_domains
from linkguard.rules.lint import Problem
from linkguard.rules.load import (
    check_loadable,
    entries_of,
    parse_toml_text,
    read_entries,
    rule_entries,
    rule_sources,
)
from linkguard.rules.model import RuleEntry
from linkguard.rules.positions import EntryPos, entry_lines
from linkguard.rules.schema import OUTLET_KINDS, RuleTable

__all__ = [
    "LOCK_FILE",
    "USER_FILE",
    "ImportRow",
    "InvalidDomainError",
    "NormalizedDomain",
    "RuleStore",
    "atomic_write",
    "export_rules",
    "in_force_entries",
    "normalize_rule_domain",
    "read_import_file",
]

USER_FILE = "rules.toml"
LOCK_FILE = "rules.toml.lock"
LOCK_TIMEOUT = 120.0  # generous: a busy machine with several writers must not fail one
_HEADER = (
    "# linkguard user rules, layered over the bundled rules.\n"
    "# Edit by hand or with `linkguard rules add/block/allow/remove`; comments and order are kept.\n"
)
# How a new rule relates to an existing one mentioning the same domain.
#   dup: the same kind of rule already exists; conflict: the two rules disagree; ok: they can coexist.
_RELATION: dict[tuple[str, str], str] = {
    ("outlet", "outlet"): "conflict",  # "dup" when it is the same primary domain, see _relation
    ("outlet", "blocked"): "conflict",
    ("outlet", "legit"): "supersede",
    ("blocked", "outlet"): "conflict",
    ("blocked", "legit"): "conflict",
    ("blocked", "blocked"): "dup",
    ("legit", "outlet"): "dup",
    ("legit", "legit"): "dup",
    ("legit", "blocked"): "conflict",
    ("shortener", "shortener"): "dup",
}


def atomic_write(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` so that readers see the old or the new file, never half of one.

    A symlinked file is edited where it points (the temporary file goes next to the target), so a
    ``rules.toml`` kept in a dotfiles repository stays a link.
    """
    path = Path(os.path.realpath(path))
    mode = path.stat().st_mode & 0o777 if path.exists() else None
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with suppress(OSError):
            os.unlink(tmp)
        raise
    with suppress(OSError):  # make the rename itself durable; not possible on every platform
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def in_force_entries(entries: Sequence[RuleEntry]) -> list[tuple[RuleEntry, tuple[str, ...]]]:
    """The entries that win after layering (what ``load_rules`` keeps), with their live domains,
    in the order of the winning entries."""
    return in_force(entries, winners_last=True)


def describe(entry: RuleEntry) -> str:
    """A short human label: ``outlet 'WELT'``, ``blocked (source: …)``."""
    d = entry.data
    if entry.table == "outlet":
        return f"outlet {d.get('name', '?')!r}"
    if entry.table == "blocked":
        return f"blocked (source: {d.get('source', '?')})"
    if entry.table == "legit":
        return "legitimate look-alike" + (f" ({d['note']})" if d.get("note") else "")
    if entry.table == "shortener":
        return "URL shortener" + (f" ({d['owner']})" if d.get("owner") else "")
    if entry.table == "rating":
        return f"rated {d.get('value', '?')} by {d.get('source', '?')}"
    return "[[removed]]"


def _origin_text(entry: RuleEntry) -> str:
    return (
        f"the bundled rules ({entry.where})" if entry.origin == "bundled" else f"your rules ({entry.where})"
    )


@dataclass
class _Edit:
    """Changes to one rule file, applied together so that entry indices stay valid.

    ``text`` and ``data`` are the file as read and parsed (once); the tomlkit document, slow to
    build for a large file, is only made when an entry has to be taken out.
    """

    path: Path
    text: str
    data: dict[str, Any]
    positions: dict[tuple[str, int], EntryPos]
    drop: set[tuple[str, int]] = field(default_factory=set)
    drop_domain: list[tuple[str, int, str]] = field(default_factory=list)
    append: list[tuple[str, Table]] = field(default_factory=list)


class _Session:
    """One locked read-modify-write of the user's rule files."""

    def __init__(self, store: RuleStore) -> None:
        self.store = store
        self.entries: list[RuleEntry] = []
        self.parsed: dict[Path, _Edit] = {}  # user files, read, parsed and scanned for lines once
        for path, origin in rule_sources(user_dir=store.rules_dir, bundled=store.bundled):
            if origin == "bundled":
                self.entries += read_entries(path, origin)
                continue
            parsed = self.parsed[path] = _Edit(path, *store.read_checked(path))
            self.entries += entries_of(parsed.data, parsed.text, path, origin, parsed.positions)
        self.pending: list[RuleEntry] = []
        self.edits: dict[Path, _Edit] = {}
        self._index: dict[str, list[RuleEntry]] | None = None
        self._removed = removed_domains(self.entries)

    # -- reading ---------------------------------------------------------------------------------

    def edit(self, path: Path) -> _Edit:
        if path not in self.edits:
            self.edits[path] = self.parsed.get(path) or _Edit(path, *self.store.read_checked(path))
        return self.edits[path]

    def dropped(self, entry: RuleEntry) -> bool:
        e = self.edits.get(Path(entry.file))
        return e is not None and (entry.table, entry.index) in e.drop

    def mentions(self, domain: str) -> list[RuleEntry]:
        """Live entries (including ones added in this session) that cover ``domain``."""
        if self._index is None:  # built once; rules added in this session are added to it as they come
            self._index = {}
            for e, domains in layer(self.entries + self.pending):
                for d in domains:
                    self._index.setdefault(d, []).append(e)
        return [
            e
            for e in self._index.get(domain, [])
            if not self.dropped(e) and not self.domain_dropped(e, domain)
        ]

    def domain_dropped(self, entry: RuleEntry, domain: str) -> bool:
        e = self.edits.get(Path(entry.file))
        return e is not None and (entry.table, entry.index, domain) in e.drop_domain

    def user_owned(self, entry: RuleEntry) -> bool:
        return entry.origin == "user"

    # -- changing --------------------------------------------------------------------------------

    def drop_entry(self, entry: RuleEntry) -> None:
        if entry.index < 0:  # added in this session
            raise RulesError(f"{entry.domains[0]} is listed twice in this import")
        self.edit(Path(entry.file)).drop.add((entry.table, entry.index))

    def drop_domain(self, entry: RuleEntry, domain: str) -> None:
        """Take one domain out of a user rule (a whole rule when it was its only or primary domain)."""
        remaining = [d for d in entry.domains if d != domain]
        if entry.table != "outlet" or not remaining or entry.domains[0] == domain:
            self.drop_entry(entry)
        else:
            self.edit(Path(entry.file)).drop_domain.append((entry.table, entry.index, domain))

    def hide_bundled(self, domain: str, reason: str) -> None:
        if domain in self._removed:
            return
        table = tomlkit.table()
        table.add(tomlkit.comment(reason))
        table.add("domain", domain)
        self.append("removed", table, {"domain": domain})

    def append(self, name: str, table: Table, data: dict[str, Any]) -> None:
        table.add(tomlkit.nl())
        self.edit(self.store.path).append.append((name, table))
        entry = RuleEntry(name, data, str(self.store.path), 0, "user", -1 - len(self.pending))
        self.pending.append(entry)
        if name == "removed":
            self._removed.update(entry.domains)
            self._index = None  # hides bundled rules: rebuilt on the next look-up
        elif self._index is not None:
            for d in entry.domains:
                self._index.setdefault(d, []).append(entry)

    def commit(self) -> list[Path]:
        written: list[Path] = []
        for path, edit in self.edits.items():
            if not (edit.drop or edit.drop_domain or edit.append):
                continue
            text = None
            if not edit.drop_domain:  # entries only taken out whole or added: edit the text itself
                base = _cut(edit) if edit.drop else edit.text
                text = _appended(edit, base) if base is not None else None
            if text is None:
                doc = _document(edit)
                _apply(doc, edit)
                text = tomlkit.dumps(doc)
                # never write something the loader cannot read back
                check_loadable(parse_toml_text(text, path), path, text)
            try:
                atomic_write(path, text)
            except OSError as exc:
                raise RulesError(f"{path}: cannot write rules: {exc.strerror or exc}") from exc
            written.append(path)
        return written


#: Up to this size a file is parsed again whole after an edit; above it, appending is checked by
#: parsing the appended text alone (see ``_appended``), since a parse of 100k outlets takes seconds.
_REPARSE_BYTES = 1 << 20


def _cut(edit: _Edit) -> str | None:
    """The text without the dropped entries, each cut from its ``[[table]]`` line to the next table
    (comments just before the next table stay with it); ``None`` when the result does not parse to
    exactly the old data less those entries (a sub-table, a line scan fooled by a string), and the
    tomlkit round trip is used instead."""
    lines = edit.text.splitlines(keepends=True)
    cut: set[int] = set()
    for table, index in edit.drop:
        pos = edit.positions.get((table, index))
        if pos is None:
            return None
        end, fence = pos.line, None
        while end < len(lines) and (fence is not None or not lines[end].lstrip().startswith("[")):
            for quote in ('"""', "'''"):  # inside a multi-line string a "[" starts no table
                if (fence is None or fence == quote) and lines[end].count(quote) % 2 == 1:
                    fence = None if fence else quote
                    break
            end += 1
        while end > pos.line and lines[end - 1].lstrip().startswith("#"):  # the next table's comments
            end -= 1
        cut.update(range(pos.line - 1, end))
    text = "".join(line for n, line in enumerate(lines) if n not in cut)
    try:
        data = parse_toml_text(text, edit.path)
    except RulesError:
        return None
    expected = {
        name: [e for i, e in enumerate(entries) if (name, i) not in edit.drop]
        for name, entries in edit.data.items()
    }
    if {k: v for k, v in data.items() if v != []} != {k: v for k, v in expected.items() if v != []}:
        return None
    check_loadable(data, edit.path, text)
    return text


def _appended(edit: _Edit, base: str) -> str | None:
    """``base`` (the file, less dropped entries) plus the new tables; ``base`` itself when none.

    No tomlkit round trip of the whole file (minutes for 100k outlets). ``None`` when appending
    ``[[name]]`` would not extend the existing array: a table written inline (``outlet = [...]``).
    """
    if not edit.append:
        return base
    fragment = "".join(_fragment(name, table) for name, table in edit.append)
    for name, _ in edit.append:
        headers = sum(1 for table, _ in edit.positions if table == name)
        if headers != len(edit.data.get(name, [])):
            return None
    text = base
    if text and not text.endswith("\n"):
        text += "\n"
    text += fragment
    if len(text) <= _REPARSE_BYTES:
        check_loadable(parse_toml_text(text, edit.path), edit.path, text)
    else:  # the file was checked when read; the new tables alone are checked here
        check_loadable(parse_toml_text(fragment, edit.path), edit.path, fragment)
    return text


def _fragment(name: str, table: Table) -> str:
    doc = tomlkit.document()
    aot = tomlkit.aot()
    aot.append(table)
    doc.append(name, aot)
    return tomlkit.dumps(doc)


def _document(edit: _Edit) -> TOMLDocument:
    try:
        return tomlkit.parse(edit.text)
    except Exception as exc:  # tomlkit and tomllib disagree: refuse rather than guess
        raise RulesError(f"{edit.path}: cannot edit this file safely ({exc}); not modifying it") from exc


def _apply(doc: TOMLDocument, edit: _Edit) -> None:
    for table, index, domain in edit.drop_domain:
        item = doc[table][index]
        key = "domains" if "domains" in item else "domain"
        value = item[key]
        if isinstance(value, list):
            for i in reversed(range(len(value))):
                if str(value[i]).strip().lower() == domain:
                    del value[i]
    for table, index in sorted(edit.drop, key=lambda t: -t[1]):
        del doc[table][index]
    for table in {t for t, _ in edit.drop}:
        if len(doc[table]) == 0:
            del doc[table]
    for name, new in edit.append:
        if name not in doc:
            doc.append(name, tomlkit.aot())
        container = doc[name]
        if isinstance(container, AoT):
            container.append(new)
        elif isinstance(container, Array):  # written inline: ``outlet = [{...}]``
            inline = tomlkit.inline_table()
            inline.update({k: v for k, v in new.items()})
            container.append(inline)
        else:  # pragma: no cover - read_document rejects this shape
            raise RulesError(f"'{name}' is not an array of tables")


def _relation(new_table: str, primary: str, domain: str, existing: RuleEntry) -> str:
    rel = _RELATION.get((new_table, existing.table), "ok")
    if new_table == existing.table == "outlet" and existing.domains[:1] == (primary,):
        return "dup"  # the same outlet again: replacing it is an update, not a clash with another outlet
    return rel


class RuleStore:
    """The user's rule directory; every method that writes holds the lock for its whole read-check-write."""

    def __init__(
        self, rules_dir: str | Path, *, bundled: bool = True, lock_timeout: float = LOCK_TIMEOUT
    ) -> None:
        if not str(rules_dir).strip():  # Path("") would be the current directory
            raise RulesError("the rules directory is an empty path")
        self.rules_dir = Path(rules_dir)
        self.path = self.rules_dir / USER_FILE
        self.bundled = bundled
        self.lock_timeout = lock_timeout

    # -- reading ---------------------------------------------------------------------------------

    def read_checked(self, path: Path) -> tuple[str, dict[str, Any], dict[tuple[str, int], EntryPos]]:
        """A user rule file's text and data; ``RulesError`` naming file:line when the loader would
        reject it (then it is not edited: an edit must never hide or worsen a broken file)."""
        if not path.exists():
            text = _HEADER if path == self.path else ""
            return text, {}, entry_lines(text)
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise RulesError(f"{path}: cannot read rule file: {exc}") from exc
        try:
            data = parse_toml_text(text, path)
            check_loadable(data, path, text)
        except RulesError as exc:
            raise RulesError(
                f"{exc}; not modifying it (fix it first, see `linkguard rules validate`)"
            ) from None
        return text, data, entry_lines(text)

    def entries(self) -> list[RuleEntry]:
        return rule_entries(user_dir=self.rules_dir, bundled=self.bundled)

    # -- the locked session ----------------------------------------------------------------------

    @contextmanager
    def session(self) -> Iterator[_Session]:
        try:
            self.rules_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise RulesError(
                f"{self.rules_dir}: cannot create the rules directory: {exc.strerror or exc}"
            ) from exc
        if not self.rules_dir.is_dir():
            raise RulesError(f"{self.rules_dir}: not a directory")
        lock = FileLock(str(self.rules_dir / LOCK_FILE), timeout=self.lock_timeout)
        try:
            lock.acquire()
        except Timeout as exc:
            raise RulesError(
                f"{self.rules_dir}: another linkguard is editing the rules (lock {LOCK_FILE})"
            ) from exc
        except OSError as exc:
            raise RulesError(f"{self.rules_dir}: cannot write rules: {exc.strerror or exc}") from exc
        try:
            try:
                session = _Session(self)  # refuses early when a user rule file is broken
                session.edit(self.path)
            except RulesError as exc:
                raise RulesError(f"{exc}; nothing was changed") from None
            yield session
            session.commit()
        finally:
            lock.release()

    # -- adding ----------------------------------------------------------------------------------

    def _add(
        self,
        s: _Session,
        table: RuleTable,
        domains: Sequence[str],
        fields: dict[str, Any],
        *,
        force: bool,
        skip_duplicates: bool = False,
        idn: dict[str, str] | None = None,
    ) -> list[str]:
        """Check ``domains`` against everything in force, resolve with ``force``, then append."""
        primary = domains[0]
        notes: list[str] = []
        blockers: list[tuple[str, str, RuleEntry]] = []
        for d in domains:
            for m in s.mentions(d):
                rel = _relation(table, primary, d, m)
                if rel in ("dup", "conflict") or (rel == "supersede" and s.user_owned(m)):
                    blockers.append((rel, d, m))
        serious = [b for b in blockers if b[0] != "supersede"]
        if serious and skip_duplicates and all(rel == "dup" for rel, _, _ in serious):
            first = serious[0][2]
            return [f"{primary}: already present as {describe(first)} in {_origin_text(first)}, skipped"]
        if serious and not force:
            rel, d, m = serious[0]
            if rel == "dup":
                why = f"{d} is already {describe(m)} in {_origin_text(m)}"
                action = "replace it" if m.origin == "user" else "override it with your own entry"
            else:
                why = f"{d} is {describe(m)} in {_origin_text(m)}"
                action = "replace it"
            raise RulesError(f"cannot add [[{table}]] {primary}: {why}; use --force to {action}")
        for rel, d, m in blockers:
            if s.user_owned(m):
                if rel == "dup" and m.table == "outlet":
                    s.drop_entry(m)
                else:
                    s.drop_domain(m, d)
                notes.append(f"replaced {describe(m)} for {d} ({m.where})")
            elif rel == "conflict":
                s.hide_bundled(d, f"hidden by `linkguard rules add --force`: bundled {describe(m)}")
                notes.append(f"hid the bundled {describe(m)} for {d} with a [[removed]] entry")
            elif rel == "dup" and m.table == table:
                notes.append(f"your entry overrides the bundled {describe(m)}")
        item = tomlkit.table()
        data: dict[str, Any] = {}
        for key, value in fields.items():
            if value in ("", None, [], ()):
                continue
            item.add(key, list(value) if isinstance(value, tuple) else value)
            data[key] = list(value) if isinstance(value, tuple) else value
            if key in ("domain", "domains") and idn:
                shown = [idn[d] for d in (value if isinstance(value, (list, tuple)) else [value]) if d in idn]
                if shown:
                    item[key].comment(", ".join(shown))
        s.append(table, item, data)
        return list(dict.fromkeys(notes))

    def add_outlet(
        self,
        domain: str,
        *,
        name: str,
        country: str = "",
        kind: str = "newspaper",
        aliases: Iterable[str] = (),
        brands: Iterable[str] = (),
        force: bool = False,
    ) -> list[str]:
        """Trust ``domain`` (and aliases) as the outlet ``name``; returns notes for the user."""
        if not name.strip():
            raise RulesError("an outlet needs a non-empty --name")
        if kind not in OUTLET_KINDS:
            raise RulesError(f"unknown kind {kind!r}; expected one of {', '.join(OUTLET_KINDS)}")
        norm = [normalize_rule_domain(domain), *(normalize_rule_domain(a) for a in aliases)]
        notes = [n for d in norm for n in d.notes]
        domains = list(dict.fromkeys(d.domain for d in norm))
        idn = {d.domain: d.unicode for d in norm if d.unicode != d.domain}
        fields = {
            "name": name.strip(),
            "domains": domains,
            "brands": [b.strip().lower() for b in brands if b.strip()],
            "country": country.strip().upper(),
            "kind": kind,
        }
        with self.session() as s:
            notes += self._add(s, "outlet", domains, fields, force=force, idn=idn)
        return notes

    def block(
        self, domain: str, *, source: str, imitates: str = "", campaign: str = "", force: bool = False
    ) -> list[str]:
        """Mark ``domain`` as known-bad, citing ``source`` (a report, a URL, a case number)."""
        if not source.strip():
            raise RulesError("a blocked domain needs a --source (where the report comes from)")
        return self._simple(
            "blocked", domain, {"source": source.strip(), "imitates": imitates, "campaign": campaign}, force
        )

    def allow(self, domain: str, *, note: str = "", force: bool = False) -> list[str]:
        """Mark a look-alike as legitimate (a false alarm a fact-checker has cleared)."""
        return self._simple("legit", domain, {"note": note.strip()}, force)

    def add_shortener(self, domain: str, *, owner: str = "", force: bool = False) -> list[str]:
        return self._simple("shortener", domain, {"owner": owner.strip()}, force)

    def _simple(self, table: RuleTable, domain: str, extra: dict[str, str], force: bool) -> list[str]:
        norm = normalize_rule_domain(domain)
        idn = {norm.domain: norm.unicode} if norm.unicode != norm.domain else None
        with self.session() as s:
            notes = self._add(s, table, [norm.domain], {"domain": norm.domain, **extra}, force=force, idn=idn)
        return [*norm.notes, *notes]

    # -- removing --------------------------------------------------------------------------------

    def remove(self, domain: str) -> list[str]:
        """Drop the user's rules for ``domain``; bundled ones are hidden with a ``[[removed]]`` entry."""
        norm = normalize_rule_domain(domain)
        d = norm.domain
        notes = list(norm.notes)
        with self.session() as s:
            mentions = s.mentions(d)
            if not mentions:
                hidden = [e for e in s.entries if e.table == "removed" and d in e.domains]
                if hidden:
                    raise RulesError(f"{d}: already removed ({hidden[0].where})")
                raise RulesError(f"{d}: no rule mentions it")
            bundled = [m for m in mentions if m.origin == "bundled"]
            for m in mentions:
                if s.user_owned(m):
                    whole = m.table != "outlet" or m.domains[0] == d or len(m.domains) == 1
                    s.drop_domain(m, d)
                    what = f"removed {describe(m)}" if whole else f"removed {d} from {describe(m)}"
                    notes.append(f"{what} ({m.where})")
            if bundled:
                labels = ", ".join(describe(m) for m in bundled)
                s.hide_bundled(d, f"hides the bundled {labels}; delete this entry to restore it")
                notes.append(
                    f"{d} is in the bundled rules ({labels}): hidden with a [[removed]] entry in {self.path} "
                    "(delete that entry to restore it)"
                )
        return notes

    # -- import ----------------------------------------------------------------------------------

    def import_rows(self, rows: Sequence[ImportRow], *, force: bool = False) -> tuple[int, list[str]]:
        """Add every row or none: rows are checked first, then added in one locked write.

        Rules already present are skipped (importing the same list twice is harmless); a conflict
        stops the import unless ``force``.
        """
        problems: list[Problem] = []
        prepared: list[tuple[ImportRow, RuleTable, list[str], dict[str, Any], dict[str, str]]] = []
        for row in rows:
            try:
                item = prepare_row(row)
            except RulesError as exc:
                problems.append(Problem(row.file, row.line, "error", str(exc)))
                continue
            prepared.append((row, *item))
        if problems:
            lines = "\n".join(f"  {p}" for p in problems[:20])
            more = f"\n  … and {len(problems) - 20} more" if len(problems) > 20 else ""
            raise RulesError(f"{len(problems)} invalid row(s), nothing imported:\n{lines}{more}")
        notes: list[str] = []
        added = 0
        with self.session() as s:
            for row, table, domains, fields, idn in prepared:
                notes += [n for n in row.notes]
                try:
                    result = self._add(s, table, domains, fields, force=force, skip_duplicates=True, idn=idn)
                except RulesError as exc:
                    raise RulesError(f"{row.file}:{row.line}: {exc}; nothing imported") from None
                if result and result[0].endswith(", skipped"):
                    notes += result
                else:
                    added += 1
                    notes += result
        return added, notes
