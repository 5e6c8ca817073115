"""`linkguard rules`: see, change, lint and share the rules in force.

Only parsing and printing live here; the rules themselves are the ``linkguard.rules`` package
(schema, loading, layering, lint, and ``store`` for safe edits of the user's file). A bad DOMAIN
argument is a usage error (exit 2); a broken file, a duplicate or a conflicting rule is a rules
error (exit 3).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import click

from linkguard.cli.common import EXIT_CLEAN, EXIT_INPUT, load_ruleset, reject_empty_path, rule_paths_option
from linkguard.errors import RulesError
from linkguard.paths import user_rules_dir
from linkguard.rules import (
    COUNTRY_CODE,
    EDITABLE_TABLES,
    OUTLET_KINDS,
    InvalidDomainError,
    RuleEntry,
    bundled_rule_files,
    hidden,
    normalize_rule_domain,
    removed_domains,
    rule_entries,
    validate_rules,
)
from linkguard.rules.exchange import export_rules, read_import_file
from linkguard.rules.store import RuleStore, describe, in_force_entries

F = TypeVar("F", bound=Callable[..., Any])
RULE_KINDS = EDITABLE_TABLES


def _note(message: str) -> None:
    click.echo(f"note: {message}", err=True)


def _check_domain(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    """Reject what is not a domain before anything runs (exit 2), for arguments and --alias."""
    values = value if isinstance(value, tuple) else (value,)
    for v in values:
        if v is None:
            continue
        try:
            normalize_rule_domain(v)
        except InvalidDomainError as exc:
            raise click.BadParameter(str(exc), ctx=ctx, param=param) from None
    return value


def _check_country(ctx: click.Context, param: click.Parameter, value: str | None) -> str:
    if value and not COUNTRY_CODE.fullmatch(value):
        raise click.BadParameter("use a two-letter country code such as DE (or INT)", ctx=ctx, param=param)
    return (value or "").upper()


def _dir_option(func: F) -> F:
    return click.option(
        "--rules-dir",
        type=click.Path(),
        default=None,
        callback=reject_empty_path,
        help="User rules directory (default: $LINKGUARD_RULES_DIR or the platform config dir).",
    )(func)


def _read_options(func: F) -> F:
    return rule_paths_option(_dir_option(func))


def _store(rules_dir: Path | None) -> RuleStore:
    return RuleStore(rules_dir or user_rules_dir())


def _entries(rule_paths: tuple[Path, ...], rules_dir: Path | None) -> list[RuleEntry]:
    if rule_paths:
        return rule_entries(rule_paths)
    return rule_entries(user_dir=rules_dir or user_rules_dir())


def _source(entry: RuleEntry) -> str:
    if entry.origin == "bundled":
        return f"bundled:{Path(entry.file).name}:{entry.line}"
    return entry.where


def _entry_dict(entry: RuleEntry, domains: Sequence[str]) -> dict[str, Any]:
    out: dict[str, Any] = {"rule": entry.table, "domain": domains[0], "domains": list(domains)}
    for key, value in entry.data.items():
        if key not in ("domain", "domains"):
            out[key] = value
    out |= {"origin": entry.origin, "file": entry.file, "line": entry.line}
    return out


def _detail(entry: RuleEntry) -> str:
    d = entry.data
    if entry.table == "outlet":
        extra = f" (+{', '.join(entry.domains[1:])})" if len(entry.domains) > 1 else ""
        return f"{d.get('name', '?')} [{d.get('kind', 'newspaper')}]{extra}"
    if entry.table == "blocked":
        parts = [f"source: {d.get('source', '')}"]
        parts += [f"{k}: {d[k]}" for k in ("imitates", "campaign") if d.get(k)]
        return "; ".join(parts)
    return str(d.get("note") or d.get("owner") or "")


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _print_notes(notes: Sequence[str]) -> None:
    for n in notes:
        _note(n)


@click.group("rules")
def rules() -> None:
    """See and change the rules in force: trusted outlets, legitimate look-alikes, blocked domains.

    Your rules live in RULES_DIR/rules.toml ($LINKGUARD_RULES_DIR, else the platform config dir) and
    are layered over the bundled rules; scan, check and the library all see the merged set.
    """


@rules.command("list")
@click.option("--kind", "kind", type=click.Choice(RULE_KINDS), help="Only this kind of rule.")
@click.option("--country", callback=_check_country, help="Only outlets of this country (two-letter code).")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@_read_options
def list_cmd(
    kind: str | None, country: str, fmt: str, rule_paths: tuple[Path, ...], rules_dir: Path | None
) -> int:
    """What is in force, and where each rule comes from (bundled or which user file:line)."""
    rows = in_force_entries(_entries(rule_paths, rules_dir))
    if kind:
        rows = [(e, d) for e, d in rows if e.table == kind]
    if country:
        rows = [
            (e, d)
            for e, d in rows
            if e.table == "outlet" and str(e.data.get("country", "")).upper() == country
        ]
    if fmt == "json":
        click.echo(json.dumps([_entry_dict(e, d) for e, d in rows], ensure_ascii=False, indent=2))
        return EXIT_CLEAN
    table = [("RULE", "DOMAIN", "DETAILS", "CC", "FROM")]
    table += [
        (e.table, d[0], _clip(_detail(e), 60), str(e.data.get("country", "")), _source(e)) for e, d in rows
    ]
    widths = [max(len(r[i]) for r in table) for i in range(4)]
    for r in table:
        click.echo("  ".join(c.ljust(w) for c, w in zip(r[:4], widths, strict=True)) + "  " + r[4])
    yours = sum(1 for e, _ in rows if e.origin == "user")
    where = "" if rule_paths else f"; your rules file: {_store(rules_dir).path}"
    click.echo(f"{len(rows)} rule(s), {yours} from user files{where}", err=True)
    return EXIT_CLEAN


@rules.command("add")
@click.argument("domain", callback=_check_domain)
@click.option("--name", required=True, help="The outlet's name, as readers know it.")
@click.option("--country", callback=_check_country, help="Two-letter country code, e.g. DE.")
@click.option("--kind", type=click.Choice(OUTLET_KINDS), default="newspaper", show_default=True)
@click.option(
    "--alias", "aliases", multiple=True, callback=_check_domain, help="Another domain of the outlet."
)
@click.option("--brand", "brands", multiple=True, help="A brand token look-alikes reuse (e.g. 'welt').")
@click.option("--force", is_flag=True, help="Replace a duplicate or conflicting rule.")
@_dir_option
def add_cmd(
    domain: str,
    name: str,
    country: str,
    kind: str,
    aliases: tuple[str, ...],
    brands: tuple[str, ...],
    force: bool,
    rules_dir: Path | None,
) -> int:
    """Trust DOMAIN as an outlet: look-alikes of it are flagged from now on."""
    bad = [b for b in brands if not b.strip() or any(c.isspace() for c in b.strip())]
    if bad:
        raise click.BadParameter(f"{bad[0]!r}: a brand is one token without spaces", param_hint="--brand")
    store = _store(rules_dir)
    _print_notes(
        store.add_outlet(
            domain, name=name, country=country, kind=kind, aliases=aliases, brands=brands, force=force
        )
    )
    click.echo(f"Added outlet {name!r} ({normalize_rule_domain(domain).domain}) to {store.path}")
    return EXIT_CLEAN


@rules.command("block")
@click.argument("domain", callback=_check_domain)
@click.option("--source", required=True, help="Where the report comes from (URL, report, case number).")
@click.option("--imitates", default="", help="The outlet it imitates.")
@click.option("--campaign", default="", help="The campaign it belongs to.")
@click.option("--force", is_flag=True, help="Replace a duplicate or conflicting rule.")
@_dir_option
def block_cmd(
    domain: str, source: str, imitates: str, campaign: str, force: bool, rules_dir: Path | None
) -> int:
    """Mark DOMAIN as known-bad: scans report it as malicious."""
    store = _store(rules_dir)
    _print_notes(store.block(domain, source=source, imitates=imitates, campaign=campaign, force=force))
    click.echo(f"Blocked {normalize_rule_domain(domain).domain} in {store.path}")
    return EXIT_CLEAN


@rules.command("allow")
@click.argument("domain", callback=_check_domain)
@click.option("--note", default="", help="Why it is legitimate (who checked it).")
@click.option("--force", is_flag=True, help="Replace a duplicate or conflicting rule.")
@_dir_option
def allow_cmd(domain: str, note: str, force: bool, rules_dir: Path | None) -> int:
    """Mark a look-alike DOMAIN as legitimate (a false alarm): scans stop flagging it."""
    store = _store(rules_dir)
    _print_notes(store.allow(domain, note=note, force=force))
    click.echo(f"Allowed {normalize_rule_domain(domain).domain} in {store.path}")
    return EXIT_CLEAN


@rules.command("remove")
@click.argument("domain", callback=_check_domain)
@_dir_option
def remove_cmd(domain: str, rules_dir: Path | None) -> int:
    """Remove the rules for DOMAIN (a bundled rule is hidden with a [[removed]] entry)."""
    _print_notes(_store(rules_dir).remove(domain))
    click.echo(f"Removed {normalize_rule_domain(domain).domain}")
    return EXIT_CLEAN


@rules.command("show")
@click.argument("domain", callback=_check_domain)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--no-blocklist", is_flag=True, help="Judge without the known-bad lists.")
@_read_options
def show_cmd(
    domain: str, fmt: str, no_blocklist: bool, rule_paths: tuple[Path, ...], rules_dir: Path | None
) -> int:
    """Which rules mention DOMAIN, and what a scan would say about it now."""
    from linkguard.normalize import parse_link

    norm = normalize_rule_domain(domain)
    entries = _entries(rule_paths, rules_dir)
    removed = removed_domains(entries)
    mentions = [
        (e, e.table != "removed" and hidden(norm.domain, e.origin, removed))
        for e in entries
        if norm.domain in e.domains
    ]
    verdict = _verdict(parse_link(domain), load_ruleset(rule_paths, rules_dir), no_blocklist)
    if fmt == "json":
        out = {
            "domain": norm.domain,
            "domain_unicode": norm.unicode,
            "rules": [_entry_dict(e, e.domains) | {"hidden": h} for e, h in mentions],
            "verdict": verdict,
        }
        click.echo(json.dumps(out, ensure_ascii=False, indent=2))
        return EXIT_CLEAN
    _print_notes(norm.notes)
    title = norm.domain if norm.unicode == norm.domain else f"{norm.domain} ({norm.unicode})"
    click.echo(title)
    if not mentions:
        click.echo("  rules: none mention it")
    for e, is_hidden in mentions:
        state = " [hidden by [[removed]]]" if is_hidden else ""
        click.echo(f"  {_clip(describe(e), 90)}{state}  — {_source(e)}")
    if verdict is None:
        click.echo("  scan:  not judged (not a link)")
        return EXIT_CLEAN
    who = verdict["impersonates"]
    line = f"  scan:  {verdict['status']} (score {verdict['score']})"
    if who:
        line += f", imitates {who['name']} ({who['domain']})"
    if verdict["techniques"]:
        line += f"; techniques: {', '.join(verdict['techniques'])}"
    click.echo(line)
    for ev in verdict["evidence"]:
        click.echo(f"         - {ev['detail']}")
    return EXIT_CLEAN


def _verdict(link: Any, ruleset: Any, no_blocklist: bool) -> dict[str, Any] | None:
    """What ``scan`` would say (the JSON Lines verdict keys, plus ``status``); None if not a link."""
    from linkguard.lookalike import Detector

    if link is None:
        return None
    verdict = Detector(ruleset, use_blocklist=not no_blocklist).classify(link).to_dict()
    return {"status": verdict.pop("verdict"), **verdict}


@rules.command("validate")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--bundled/--no-bundled",
    "with_bundled",
    default=None,
    help="Layer the bundled rules first (default: only when no PATH is given).",
)
@click.option("--strict", is_flag=True, help="Warnings fail too.")
@_dir_option
def validate_cmd(
    paths: tuple[Path, ...], with_bundled: bool | None, strict: bool, rules_dir: Path | None
) -> int:
    """Lint rule files (default: the bundled rules and your rules directory).

    Reports TOML syntax errors, unknown tables and keys, invalid or non-registrable domains,
    duplicates, domains both trusted and blocked, and outlets claiming another outlet's domain.
    """
    targets: list[Path] = list(paths)
    if not targets:
        user_dir = rules_dir or user_rules_dir()
        targets = [user_dir] if user_dir.is_dir() else []
    problems = validate_rules(targets, with_bundled=not paths if with_bundled is None else with_bundled)
    for p in problems:
        click.echo(str(p))
    errors = sum(1 for p in problems if p.severity == "error")
    warnings = len(problems) - errors
    checked = len(targets) + (
        len(bundled_rule_files()) if (with_bundled is None and not paths) or with_bundled else 0
    )
    if not problems:
        click.echo(f"ok: no problems ({checked} path(s) checked)", err=True)
    else:
        click.echo(f"{errors} error(s), {warnings} warning(s)", err=True)
    return EXIT_INPUT if errors or (strict and warnings) else EXIT_CLEAN


@rules.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--as",
    "as_table",
    type=click.Choice(RULE_KINDS),
    help="Kind of rule for rows that do not say (needed for a plain list of domains).",
)
@click.option("--source", default="", help="Source for blocked rows without one.")
@click.option("--campaign", default="", help="Campaign for blocked rows without one.")
@click.option("--country", callback=_check_country, help="Country for outlet rows without one.")
@click.option("--force", is_flag=True, help="Replace conflicting rules instead of stopping.")
@_dir_option
def import_cmd(
    file: Path,
    as_table: str | None,
    source: str,
    campaign: str,
    country: str,
    force: bool,
    rules_dir: Path | None,
) -> int:
    """Add the rules in FILE: CSV (header, or columns domain,name,country), TXT (one domain a line), TOML,
    or the domain/URL indicators of a MISP event or feed (JSON) or a STIX 2.1 bundle, as blocked rules.

    All rows are checked first; nothing is written unless every row is valid. Rules already present
    are skipped, so importing the same list twice is harmless.
    """
    from linkguard.feeds.interop import read_indicator_file

    defaults = {"source": source, "campaign": campaign, "country": country}
    rows = read_indicator_file(file, defaults) or read_import_file(file, as_table=as_table, defaults=defaults)
    store = _store(rules_dir)
    added, notes = store.import_rows(rows, force=force)
    _print_notes(notes)
    click.echo(f"Imported {added} rule(s) from {file} into {store.path} ({len(rows) - added} skipped)")
    return EXIT_CLEAN


@rules.command("export")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["toml", "csv", "txt"]),
    default=None,
    help="Output format (default: from --output's extension, else toml).",
)
@click.option("--kind", type=click.Choice(RULE_KINDS), help="Only this kind of rule.")
@click.option("--all", "everything", is_flag=True, help="Include the bundled rules, not only yours.")
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write here, not stdout."
)
@_read_options
def export_cmd(
    fmt: str | None,
    kind: str | None,
    everything: bool,
    output: Path | None,
    rule_paths: tuple[Path, ...],
    rules_dir: Path | None,
) -> int:
    """Write your rules (or --all rules in force) for another team to `rules import`."""
    if fmt is None:
        suffix = output.suffix.lower().lstrip(".") if output else ""
        fmt = suffix if suffix in ("toml", "csv", "txt") else "toml"
    entries = _entries(rule_paths, rules_dir)
    chosen = [e for e, _ in in_force_entries(entries) if everything or e.origin == "user"]
    if kind:
        chosen = [e for e in chosen if e.table == kind]
    elif fmt == "toml":
        chosen += [e for e in entries if e.table == "removed" and e.origin == "user"]
    text = export_rules(chosen, fmt)  # type: ignore[arg-type]
    if output is None:
        click.echo(text, nl=False)
    else:
        try:
            output.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise RulesError(f"{output}: cannot write: {exc.strerror or exc}") from exc
        click.echo(f"Exported {len(chosen)} rule(s) to {output}", err=True)
    return EXIT_CLEAN


# Indicator feeds (issue #17): `rules update-feeds`; MISP/STIX files in `rules import` go through feeds_cmd.
from linkguard.cli.feeds_cmd import update_feeds_cmd  # noqa: E402

rules.add_command(update_feeds_cmd)

COMMANDS: list[click.Command] = [rules]
