"""`linkguard check URL_OR_DOMAIN`: classify one link and show every piece of evidence.

Online by default (redirects, page claims, registration; ``--offline`` classifies by name only).
Exit 1 when the link is flagged (malicious or suspicious), 0 otherwise, 2 when the argument is not
a URL or domain, 4 when the investigation could not complete (the network refused the very first
hop, a request failed, the budget ran out) and nothing is flagged. The body is kept to:
``Scanner.examine`` (the library's own check) → render.
"""

from __future__ import annotations

import json
from contextlib import ExitStack
from pathlib import Path

import click

from linkguard.cli.common import EXIT_USAGE, load_ruleset, rules_options
from linkguard.cli.netopts import (
    NetOptions,
    build_investigator,
    exit_code,
    network_options,
    warn_unreachable,
)
from linkguard.lookalike import Detector
from linkguard.models import Finding
from linkguard.scan import Scanner, parse_target

_STATUS_STYLE = {
    "malicious": "bold red",
    "suspicious": "bold yellow",
    "shortened": "cyan",
    "trusted": "green",
    "unknown": "dim",
}


@click.command("check")
@click.argument("target", metavar="URL_OR_DOMAIN")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="table for people, json for tools (one Finding, as in scan's JSON Lines).",
)
@click.option("--no-defang", is_flag=True, help="Show the real link in the table (default: hxxps://x[.]y).")
@rules_options
@network_options(default_online=True)
@click.pass_context
def check(
    ctx: click.Context,
    target: str,
    fmt: str,
    no_defang: bool,
    rule_paths: tuple[Path, ...],
    rules_dir: Path | None,
    no_blocklist: bool,
    no_ratings: bool,
    net: NetOptions,
) -> None:
    """Say whether URL_OR_DOMAIN imitates a trusted outlet, and why."""
    if parse_target(target) is None:
        click.echo(f"Error: not a URL or domain: {target!r}", err=True)
        ctx.exit(EXIT_USAGE)
    rules = load_ruleset(rule_paths, rules_dir)
    detector = Detector(rules, use_blocklist=not no_blocklist, use_ratings=not no_ratings)
    with ExitStack() as stack:
        investigator = None
        if net.online:  # network forensics: redirects, page claims, registration, cloaking
            investigator = stack.enter_context(build_investigator(net, detector.classify, rules.outlets))
        scanner = Scanner(detector=detector, investigator=investigator)
        examined = scanner.examine(target)
    assert examined is not None  # parse_target accepted it above
    finding, investigation = examined.finding, examined.investigation
    if investigation is not None and investigation.refusal is not None:
        raise investigation.refusal.to_error()  # nothing was learnt from the network: exit 4, one line
    if fmt == "json":
        from linkguard.report.sanitize import json_safe

        click.echo(json_safe(json.dumps(finding.to_dict(), ensure_ascii=False, indent=2)))
    else:
        render_table(finding, defanged=not no_defang)
    warn_unreachable(scanner.stats)
    ctx.exit(exit_code(finding.flagged, scanner.stats))


def render_table(finding: Finding, *, defanged: bool = True) -> None:
    """One summary table and one evidence table, via rich; links defanged so nobody clicks them.

    Evidence quotes the page (title, og:site_name, footer, refresh URLs): every cell goes through
    ``one_line`` so escape sequences, OSC-8 links and bidi overrides are shown, not obeyed, and into
    ``Text`` (never markup).
    """
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from linkguard.report.defang import defang, defang_text
    from linkguard.report.sanitize import one_line

    def show(text: str) -> str:
        return one_line(defang(text) if defanged else text)

    link, verdict = finding.link, finding.verdict
    summary = Table(show_header=False, box=None, pad_edge=False)
    summary.add_column(style="bold")
    summary.add_column(overflow="fold")
    summary.add_row("link", Text(show(link.text)))
    host = link.host if link.host == link.host_unicode else f"{link.host_unicode} ({link.host})"
    summary.add_row("host", Text(show(host)))
    for hop in link.via:
        summary.add_row("via", Text(show(hop)))
    status = Text(f"{verdict.status} (score {verdict.score}/100)", style=_STATUS_STYLE[verdict.status])
    summary.add_row("verdict", status)
    if verdict.impersonates is not None:
        outlet = verdict.impersonates
        summary.add_row("imitates", Text(one_line(outlet.title)))
    if verdict.techniques:
        summary.add_row("techniques", Text(one_line(", ".join(verdict.techniques))))
    console = Console(highlight=False, markup=False, emoji=False)
    console.print(summary)
    if verdict.evidence:
        table = Table("kind", "evidence", show_lines=False)
        for item in verdict.evidence:
            detail = defang_text(item.detail) if defanged else item.detail
            table.add_row(Text(one_line(item.kind)), Text(one_line(detail)))
        console.print(table)


COMMANDS: list[click.Command] = [check]
