"""Rules shared between teams: read a list (TOML, CSV or plain domains) as rows, write one out.

``linkguard rules import`` reads rows with ``read_import_file`` and hands them to
``RuleStore.import_rows`` (all or nothing); ``linkguard rules export`` writes entries with
``export_rules``. The CSV columns of the one-domain tables come from ``schema``, so a new key of
``[[blocked]]`` (say) is exported and imported as its own column.
"""

from __future__ import annotations

import csv
import io
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import tomlkit

from linkguard.errors import RulesError
from linkguard.rules.domains import normalize_rule_domain
from linkguard.rules.load import read_entries
from linkguard.rules.model import RuleEntry
from linkguard.rules.schema import EDITABLE_TABLES, OUTLET_KINDS, RULE_TABLES, SCHEMA, RuleTable


@dataclass(frozen=True, slots=True)
class ImportRow:
    """One rule read from a shared list, with where it came from for error messages."""

    file: str
    line: int
    table: str
    fields: dict[str, str]
    notes: tuple[str, ...] = ()


#: The keys of the one-domain tables, from the schema: source, imitates, campaign, note, owner, then
#: the provenance columns (issue #17) last, so the older columns keep their places.
_PROVENANCE_COLUMNS = ("source_url", "reported")
_RULE_COLUMNS = (
    *dict.fromkeys(
        k.name
        for t in ("blocked", "legit", "shortener")
        for k in SCHEMA[t].optional()
        if k.name not in _PROVENANCE_COLUMNS
    ),
    *_PROVENANCE_COLUMNS,
)
_CSV_COLUMNS = ("rule", "domain", "name", "country", "kind", "aliases", "brands", *_RULE_COLUMNS)


def prepare_row(row: ImportRow) -> tuple[RuleTable, list[str], dict[str, Any], dict[str, str]]:
    """Validate and normalise one row (raises ``RulesError``): table, domains, fields, IDN labels."""
    if row.table not in EDITABLE_TABLES:
        raise RulesError(f"unknown rule type {row.table!r} (expected {', '.join(EDITABLE_TABLES)})")
    table: RuleTable = row.table
    f = row.fields
    if not f.get("domain"):
        raise RulesError("missing domain")
    norm = [normalize_rule_domain(f["domain"])]
    if table == "outlet":
        norm += [normalize_rule_domain(a) for a in f.get("aliases", "").split()]
    domains = list(dict.fromkeys(n.domain for n in norm))
    idn = {n.domain: n.unicode for n in norm if n.unicode != n.domain}
    if table == "outlet":
        if not f.get("name", "").strip():
            raise RulesError(f"{domains[0]}: an outlet needs a name")
        kind = f.get("kind", "").strip() or "newspaper"
        if kind not in OUTLET_KINDS:
            raise RulesError(f"{domains[0]}: unknown kind {kind!r}")
        return (
            table,
            domains,
            {
                "name": f["name"].strip(),
                "domains": domains,
                "brands": [b.lower() for b in f.get("brands", "").split()],
                "country": f.get("country", "").strip().upper(),
                "kind": kind,
            },
            idn,
        )
    fields: dict[str, Any] = {"domain": domains[0]}
    for key in SCHEMA[table].optional():
        value = f.get(key.name, "")
        if key.required and not value.strip():
            raise RulesError(
                f"{domains[0]}: a {table} domain needs a {key.name} (column '{key.name}' or --{key.name})"
            )
        fields[key.name] = value
    return table, domains, {k: v.strip() if isinstance(v, str) else v for k, v in fields.items()}, idn


def read_import_file(
    path: Path, *, as_table: str | None = None, defaults: dict[str, str] | None = None
) -> list[ImportRow]:
    """Rows from a shared list: TOML rule file, CSV (header, or columns domain,name,country), or TXT.

    ``defaults`` fill empty columns (``source`` for a list of bad domains, ``country`` for outlets).
    """
    defaults = {k: v for k, v in (defaults or {}).items() if v}
    if path.exists() and not path.is_file():  # a named pipe would block the read for ever
        raise RulesError(f"{path}: not a regular file")
    if path.suffix.lower() == ".toml":
        rows = []
        for e in read_entries(path, "user"):
            if e.table == "removed" or (as_table and e.table != as_table):
                continue
            fields = {k: " ".join(v) if isinstance(v, list) else str(v) for k, v in e.data.items()}
            if e.table == "outlet":
                domains = e.domains
                fields = {**fields, "domain": domains[0] if domains else "", "aliases": " ".join(domains[1:])}
            rows.append(ImportRow(str(path), e.line, e.table, {**defaults, **fields}))
        return rows
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise RulesError(f"{path}: cannot read import file: {exc}") from exc
    lines = [
        (n, raw)
        for n, raw in enumerate(text.splitlines(), 1)
        if raw.strip() and not raw.lstrip().startswith("#")
    ]
    if not lines:
        return []
    is_csv = path.suffix.lower() == ".csv" or any("," in raw for _, raw in lines)
    rows = []
    header: list[str] | None = None
    for n, raw in lines:
        if is_csv:
            cells = [c.strip() for c in next(csv.reader([raw]))]
            if header is None and n == lines[0][0] and cells and cells[0].lower() in ("domain", "rule"):
                header = [c.lower() for c in cells]
                continue
            columns = header or ["domain", "name", "country"]
            fields = {k: v for k, v in zip(columns, cells, strict=False) if v}
        else:
            fields = {"domain": raw.split("#", 1)[0].strip()}
        table = fields.pop("rule", "") or as_table or ("outlet" if fields.get("name") else "")
        if not table:
            raise RulesError(
                f"{path}:{n}: a list of bare domains needs --as blocked|legit|shortener "
                "(outlets need a name: use CSV columns domain,name,country)"
            )
        rows.append(ImportRow(str(path), n, table, {**defaults, **fields}))
    return rows


def export_rules(entries: Sequence[RuleEntry], fmt: Literal["toml", "csv", "txt"]) -> str:
    """Serialise entries for another team: TOML (lossless), CSV (importable) or TXT (domains)."""
    if fmt == "txt":
        return "".join(f"{d}\n" for e in entries if e.table != "removed" for d in e.domains)
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(_CSV_COLUMNS)
        for e in entries:
            if e.table == "removed":
                continue
            d = e.data
            writer.writerow(
                [
                    e.table,
                    e.domains[0] if e.domains else "",
                    d.get("name", ""),
                    d.get("country", ""),
                    d.get("kind", "") if e.table == "outlet" else "",
                    " ".join(e.domains[1:]),
                    " ".join(d["brands"]) if isinstance(d.get("brands"), list) else d.get("brands", ""),
                    *(str(d.get(k, "")) for k in _RULE_COLUMNS),
                ]
            )
        return buf.getvalue()
    doc = tomlkit.document()
    doc.add(tomlkit.comment("linkguard rules, exported with `linkguard rules export`"))
    for table in RULE_TABLES:
        aot = tomlkit.aot()
        for e in entries:
            if e.table == table:
                item = tomlkit.table()
                for k, v in e.data.items():
                    item.add(k, v)
                aot.append(item)
        if len(aot):
            doc.append(table, aot)
    text = tomlkit.dumps(doc)
    tomllib.loads(text)
    return text
