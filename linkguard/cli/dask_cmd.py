"""``linkguard scan --dask ADDRESS``: the scan run on a Dask cluster (see ``linkguard.dask_scan``)."""

from __future__ import annotations

from contextlib import ExitStack
from typing import TYPE_CHECKING

import click

from linkguard.cli.common import OUTPUT_DIR_KEY, OutputOptions, open_report
from linkguard.cli.netopts import NetOptions
from linkguard.errors import InputError
from linkguard.models import ScanStats
from linkguard.rules import RuleSet

if TYPE_CHECKING:
    from linkguard.cli.scan_cmd import ProgressFactory


def scan_on_cluster(
    address: str,
    paths: tuple[str, ...],
    rules: RuleSet,
    output: OutputOptions,
    input_format: str,
    no_blocklist: bool,
    net: NetOptions,
    columns: tuple[str | None, str | None],
    parts: tuple[bool, int],
    progress: ProgressFactory | None = None,
) -> ScanStats:
    """Scan ``paths`` on the scheduler at ``address``; the findings go where ``output`` says, or,
    for ``-o DIR/``, into one JSON Lines part per input written by the workers.

    ``columns`` are Parquet's text and id columns; ``parts`` whether to gzip them and the block
    size; ``progress`` makes the progress bar, advanced as units finish on the cluster.
    """
    (text_column, id_column), (gzip_parts, block_bytes) = columns, parts
    if net.online:
        raise click.UsageError("--dask scans offline: drop --online (or scan the flagged links locally)")
    if "-" in paths:
        raise click.UsageError("--dask reads files and URLs the workers can reach, not stdin (-)")
    try:
        from linkguard.dask_scan import ClusterScan, ScanOptions
    except ImportError as exc:
        raise click.UsageError(
            f"--dask needs the dask extra: pip install 'linkguard[dask]' ({exc})"
        ) from None
    from linkguard.report import reporter_class

    out_dir = click.get_current_context().meta.get(OUTPUT_DIR_KEY)
    fmt = output.format
    if out_dir is not None and output.fmt not in (None, "jsonl"):
        raise click.UsageError("-o DIR/ writes JSON Lines parts; drop --format or write to a file")
    if gzip_parts and out_dir is None:
        raise click.UsageError("--gzip-parts needs -o DIR/")
    options = ScanOptions(
        input_format=input_format,
        contexts=out_dir is None and reporter_class(fmt).uses_context,
        text_column=text_column,
        id_column=id_column,
        show_all=output.show_all,
        verdicts=frozenset(output.verdicts) or None,
        min_score=output.min_score,
        compress=gzip_parts,
        encoded=out_dir is None and fmt == "jsonl",
    )
    try:
        cluster = ClusterScan(
            address, rules, use_blocklist=not no_blocklist, options=options, block_bytes=block_bytes
        )
    except OSError as exc:
        raise InputError(f"cannot reach the Dask scheduler at {address}: {exc}") from None
    with cluster, ExitStack() as stack:
        if progress is not None:
            cluster.on_progress = progress(stack)
        if out_dir is not None:
            return cluster.write_parts(paths, out_dir)
        writer = open_report(stack, output)
        if options.encoded:  # the workers filtered and encoded: the lines go out as they are
            writer.out.flush()
            raw = getattr(writer.out, "buffer", None)
            for data in cluster.scan_jsonl(paths):
                if raw is not None:
                    raw.write(data)
                else:
                    writer.out.write(data.decode("utf-8"))
        for finding in () if options.encoded else cluster.scan_paths(paths):
            writer.add(finding, finding.context)
        if not cluster.stats.feeds:  # the feeds in force and their dates (the workers' counters lack them)
            from linkguard.feeds.store import feed_dates

            cluster.stats.feeds = feed_dates(rules.files)
        writer.close(cluster.stats)
        writer.out.flush()
        return cluster.stats
