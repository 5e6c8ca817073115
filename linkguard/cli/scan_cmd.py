"""``linkguard scan``: find links in dumps and flag the ones that imitate real outlets."""

from __future__ import annotations

import json
import os
import sys
from contextlib import ExitStack, suppress
from pathlib import Path
from typing import Any

import click

from linkguard.cli.common import (
    EXIT_FLAGGED,
    EXIT_INPUT,
    OutputOptions,
    load_ruleset,
    open_report,
    output_options,
    rules_options,
)
from linkguard.cli.netopts import NetOptions, build_investigator, exit_code, network_options, warn_unreachable
from linkguard.inputs import FORMATS as INPUT_FORMATS
from linkguard.models import ScanStats
from linkguard.scan import Scanner

#: Inputs smaller than this finish before a progress bar would be any use.
_PROGRESS_MIN_BYTES = 8 << 20


def _total_bytes(paths: tuple[str, ...]) -> int:
    total = 0
    for p in paths:
        if p == "-":
            return 0
        path = Path(p)
        if path.is_file():
            total += path.stat().st_size
        elif path.is_dir():
            for root, _dirs, files in os.walk(path):
                for f in files:
                    with suppress(OSError):
                        total += (Path(root) / f).stat().st_size
    return total


def summary_text(stats: ScanStats) -> str:
    lines = [
        f"Scanned {stats.sources} source(s), {stats.records} record(s), "
        + (f"{stats.posts} post(s), " if stats.posts else "")
        + f"{stats.bytes_read:,} bytes: "
        f"{stats.links} link(s), {stats.flagged} flagged."
    ]
    if stats.feeds:
        lines.append("Feeds: " + ", ".join(f"{k} {v}" for k, v in sorted(stats.feeds.items())))
    if stats.verdicts:
        lines.append("Verdicts: " + ", ".join(f"{k} {v}" for k, v in sorted(stats.verdicts.items())))
    if stats.skipped:
        lines.append("Skipped: " + ", ".join(f"{k} {v}" for k, v in sorted(stats.skipped.items())))
    if stats.repaired:
        lines.append("Read with repairs: " + ", ".join(f"{k} {v}" for k, v in sorted(stats.repaired.items())))
    if stats.investigations:
        outcomes = sorted(stats.investigations.items())
        lines.append("Investigations: " + ", ".join(f"{k} {v}" for k, v in outcomes))
    lines += [f"  {m}" for m in stats.skipped_inputs]
    lines += [f"  {m}" for m in [m for m in stats.messages if m not in stats.skipped_inputs][:10]]
    if stats.inputs_skipped > len(stats.skipped_inputs):
        lines.append(f"  … and {stats.inputs_skipped - len(stats.skipped_inputs):,} more skipped input(s)")
    return "\n".join(lines)


def skipped_inputs_text(stats: ScanStats) -> str:
    """What ``-q`` still prints: one line per input that was skipped, so none is lost silently."""
    lines = [f"linkguard: {m}" for m in stats.skipped_inputs]
    if stats.inputs_skipped > len(stats.skipped_inputs):
        lines.append(
            f"linkguard: … and {stats.inputs_skipped - len(stats.skipped_inputs):,} more skipped input(s)"
        )
    return "\n".join(lines)


@click.command("scan")
@click.argument("paths", nargs=-1, metavar="[PATH]...")
@output_options
@click.option(
    "--input-format",
    type=click.Choice(INPUT_FORMATS),
    default="auto",
    show_default=True,
    help="Override format sniffing for every input.",
)
@click.option(
    "--summary",
    "summary_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write the summary as JSON.",
)
@click.option(
    "--quiet", "-q", is_flag=True, help="No summary or progress on stderr; skipped inputs are still named."
)
@rules_options
@network_options(default_online=False)
def scan(
    paths: tuple[str, ...],
    output: OutputOptions,
    input_format: str,
    summary_path: Path | None,
    quiet: bool,
    rule_paths: tuple[Path, ...],
    rules_dir: Path | None,
    no_blocklist: bool,
    no_ratings: bool,
    net: NetOptions,
) -> int:
    """Scan files, directories (recursively) or stdin (`-`) for links; flag lookalike domains.

    Reads plain text, HTML, JSON/JSON Lines exports (X/Twitter, Telegram, Mastodon) and CSV/TSV,
    gzip/bz2/xz/zstd-compressed or not. Offline unless --online, which follows flagged and
    shortened links over the network. Exits 1 when something is flagged.
    """
    if not paths:
        if sys.stdin.isatty():
            raise click.UsageError("give a file or directory to scan, or - to read stdin")
        paths = ("-",)
    rules = load_ruleset(rule_paths, rules_dir)

    from linkguard.report import reporter_class

    show_progress = not quiet and sys.stderr.isatty()
    total = _total_bytes(paths) if show_progress else 0
    with ExitStack() as stack:
        on_read = None
        if show_progress and total >= _PROGRESS_MIN_BYTES:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                DownloadColumn,
                Progress,
                TimeRemainingColumn,
                TransferSpeedColumn,
            )

            progress = stack.enter_context(
                Progress(
                    "[progress.description]{task.description}",
                    BarColumn(),
                    DownloadColumn(),
                    TransferSpeedColumn(),
                    TimeRemainingColumn(),
                    console=Console(stderr=True),
                    transient=True,
                )
            )
            task = progress.add_task("scanning", total=total)

            def on_read(n: int) -> None:
                progress.advance(task, n)

        from linkguard.lookalike import Detector

        detector = Detector(rules, use_blocklist=not no_blocklist, use_ratings=not no_ratings)
        investigator = None
        if net.online:  # redirects, page claims, registration for flagged and shortened links
            investigator = stack.enter_context(build_investigator(net, detector.classify, rules.outlets))
        scanner = Scanner(
            detector=detector,
            investigator=investigator,
            input_format=input_format,
            on_read=on_read,
            contexts=reporter_class(output.format).uses_context,
        )
        writer = open_report(stack, output)
        for finding in scanner.scan_paths(paths):
            writer.add(finding, finding.context)
        stats = scanner.stats
        writer.close(stats)
        writer.out.flush()
    if summary_path is not None:
        summary: dict[str, Any] = stats.to_dict() | {
            "messages": stats.messages,
            "skipped_inputs": stats.skipped_inputs,
        }
        summary_path.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    if not quiet:
        click.echo(summary_text(stats), err=True)
    elif stats.skipped_inputs:
        click.echo(skipped_inputs_text(stats), err=True)
    warn_unreachable(stats)
    if stats.flagged:  # a flagged link is never hidden behind an input error (stderr lists those)
        return EXIT_FLAGGED
    if stats.unread:
        return EXIT_INPUT
    return exit_code(False, stats)  # 4 when an investigation asked for could not complete


COMMANDS: list[click.Command] = [scan]
