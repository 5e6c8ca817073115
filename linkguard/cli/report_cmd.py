"""`linkguard report`: re-render a saved JSONL scan in another format, with filters.

Exit codes follow the CLI table: 1 if the output contains a flagged finding, else 0; 3 if the
input cannot be read or is not a linkguard scan.
"""

from __future__ import annotations

import itertools
from contextlib import ExitStack
from pathlib import Path

import click

from linkguard.cli.common import EXIT_CLEAN, EXIT_FLAGGED, OutputOptions, open_report, output_options
from linkguard.forensics.clusters import SavedClusters
from linkguard.models import ScanStats
from linkguard.report import open_scan, read_scan


@click.command("report")
@click.argument("file", type=click.Path(path_type=Path))
@output_options
def report(file: Path, output: OutputOptions) -> int:
    """Re-render FILE, a JSON Lines scan saved by `linkguard scan`."""
    stats = ScanStats()
    with ExitStack() as stack:
        source = stack.enter_context(open_scan(file))  # before the output exists: no empty report
        findings = read_scan(source, str(file), stats)
        first = next(findings, None)  # a garbled file fails here, still before any output
        writer = open_report(stack, output)
        clusters = SavedClusters()  # the saved scan's infrastructure clusters, for their section
        if first is not None:
            for finding, context in itertools.chain((first,), findings):
                clusters.add(finding)
                writer.add(finding, context)
        writer.set_clusters(clusters.clusters())
        writer.close(stats)
    if stats.skipped:
        click.echo(f"warning: skipped {stats.skipped.total()} invalid line(s) in {file}", err=True)
        for message in stats.messages[:5]:
            click.echo(f"  {message}", err=True)
    return EXIT_FLAGGED if writer.flagged_written else EXIT_CLEAN


COMMANDS: list[click.Command] = [report]
