"""`linkguard check URL_OR_DOMAIN`: classify one link and show every piece of evidence.

Online by default (redirects, page claims, registration; ``--offline`` classifies by name only).
Exit 1 when the link is flagged (malicious or suspicious), 0 otherwise, 2 when the argument is not
a URL or domain, 4 when the network refused the very first hop. The body is kept to:
parse → classify → (investigate) → render.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from linkguard.cli.common import EXIT_CLEAN, EXIT_FLAGGED, EXIT_USAGE, load_ruleset, rules_options
from linkguard.cli.netopts import NetOptions, build_investigator, network_options, refusal
from linkguard.lookalike import Detector
from linkguard.models import Finding
from linkguard.scan import parse_target, with_resolution

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
    link = parse_target(target)
    if link is None:
        click.echo(f"Error: not a URL or domain: {target!r}", err=True)
        ctx.exit(EXIT_USAGE)
    rules = load_ruleset(rule_paths, rules_dir)
    detector = Detector(rules, use_blocklist=not no_blocklist, use_ratings=not no_ratings)
    verdict = with_resolution(detector.explain(link), link.resolution)  # a wrapper undone offline
    if net.online:  # network forensics: redirects, page claims, registration, cloaking
        with build_investigator(net, detector.classify, rules.outlets) as investigator:
            verdict = investigator.investigate(link, verdict)
        refused = refusal(verdict)
        if refused is not None:
            raise refused  # nothing was learnt from the network: exit 4 with one line
    finding = Finding(link=link, verdict=verdict, source="argv", line=1, column=1)
    if fmt == "json":
        from linkguard.report.sanitize import json_safe

        click.echo(json_safe(json.dumps(finding.to_dict(), ensure_ascii=False, indent=2)))
    else:
        render_table(finding, defanged=not no_defang)
    ctx.exit(EXIT_FLAGGED if finding.flagged else EXIT_CLEAN)


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
        summary.add_row("imitates", Text(one_line(f"{outlet.name} ({outlet.domain})")))
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
