"""``linkguard scan``: find links in dumps and flag the ones that imitate real outlets."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from contextlib import ExitStack, suppress
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from linkguard.cli.common import (
    EXIT_FLAGGED,
    EXIT_INPUT,
    OUTPUT_DIR_KEY,
    OutputOptions,
    gc_relaxed,
    load_ruleset,
    open_report,
    output_options,
    rules_options,
)
from linkguard.cli.netopts import NetOptions, build_investigator, exit_code, network_options, warn_unreachable
from linkguard.inputs import FORMATS as INPUT_FORMATS
from linkguard.inputs.parquet import columns as parquet_columns
from linkguard.limits import DASK_BLOCK_BYTES, UNIT_BYTES
from linkguard.models import ScanStats
from linkguard.scan import Scanner

if TYPE_CHECKING:
    from linkguard.report.base import Reporter
    from linkguard.report.clustered import ClusteringWriter

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


#: Makes a progress callback closed with the given stack: called with bytes done and bytes in all.
ProgressFactory = Callable[[ExitStack], Callable[[int, int], None]]


def _progress(stack: ExitStack, *, force: bool = False) -> Callable[[int, int], None]:
    """A progress bar on stderr (closed with ``stack``), set to bytes done of bytes in all; shown
    from the first call whose total is worth a bar (any total, and on any stderr, with ``force``).
    The total may be known only once the run is planned (``--dask``)."""
    bar: tuple[Any, Any] | None = None

    def update(done: int, total: int) -> None:
        nonlocal bar
        if bar is None:
            if total < _PROGRESS_MIN_BYTES and not force:
                return
            bar = _bar(stack, force=force)
        progress, task = bar
        progress.update(task, completed=done, total=total)

    return update


def _bar(stack: ExitStack, *, force: bool) -> tuple[Any, Any]:
    from rich.console import Console
    from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn, TransferSpeedColumn

    progress = stack.enter_context(
        Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            DownloadColumn(),
            TransferSpeedColumn(),
            TimeRemainingColumn(),
            console=Console(stderr=True, force_terminal=force or None),
            transient=True,
        )
    )
    return progress, progress.add_task("scanning", total=None)


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
@click.option(
    "--progress/--no-progress",
    default=None,
    help="A progress bar on stderr (default: when stderr is a terminal and the input is large).",
)
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    default=None,
    help="Worker processes (default: the usable cores); 1 scans in this process. Output is the same.",
)
@click.option(
    "--unit-bytes",
    type=click.IntRange(min=1),
    default=UNIT_BYTES,
    hidden=True,
    help="Input per unit of work for --jobs (tests and tuning).",
)
@rules_options
@network_options(default_online=False)
@click.option(
    "--dask",
    "dask_address",
    metavar="ADDRESS",
    help="Run on this Dask scheduler (tcp://HOST:8786); PATHs may be globs or fsspec URLs (s3://…). "
    "With -o DIR/ the workers write one JSON Lines part per input (plus _summary.json).",
)
@click.option("--text-column", help="Parquet: the column holding the post text (default: guessed).")
@click.option("--id-column", help="Parquet: the column holding the post id (each row is then a post).")
@click.option("--gzip-parts", is_flag=True, help="With --dask -o DIR/: gzip each part (.jsonl.gz).")
@click.option(
    "--dask-block-bytes",
    type=click.IntRange(min=1 << 10),
    default=DASK_BLOCK_BYTES,
    show_default=True,
    help="With --dask: plain text and JSON Lines larger than this are split into line-aligned ranges.",
)
def scan(
    paths: tuple[str, ...],
    output: OutputOptions,
    input_format: str,
    summary_path: Path | None,
    quiet: bool,
    progress: bool | None,
    jobs: int | None,
    unit_bytes: int,
    rule_paths: tuple[Path, ...],
    rules_dir: Path | None,
    no_blocklist: bool,
    no_ratings: bool,
    net: NetOptions,
    dask_address: str | None,
    text_column: str | None,
    id_column: str | None,
    gzip_parts: bool,
    dask_block_bytes: int,
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
    if OUTPUT_DIR_KEY in click.get_current_context().meta and dask_address is None:
        raise click.UsageError("-o DIR/ (one part per input) needs --dask; give a file name")
    show_progress = (not quiet and sys.stderr.isatty()) if progress is None else progress
    if dask_address is not None:
        from linkguard.cli.dask_cmd import scan_on_cluster

        stats = scan_on_cluster(
            dask_address,
            paths,
            rules,
            output,
            input_format,
            no_blocklist,
            net,
            (text_column, id_column),
            (gzip_parts, dask_block_bytes),
            (lambda stack: _progress(stack, force=bool(progress))) if show_progress else None,
        )
        _with_feeds(stats, rules.files)
        return _finish(stats, summary_path, quiet)

    from linkguard.report import reporter_class

    total = _total_bytes(paths) if show_progress else 0
    with ExitStack() as stack:
        stack.enter_context(gc_relaxed())  # before the workers are forked: they inherit it
        from linkguard.lookalike import Detector
        from linkguard.parallel import ParallelScan, usable_cores

        detector = Detector(rules, use_blocklist=not no_blocklist, use_ratings=not no_ratings)
        contexts = reporter_class(output.format).uses_context
        # set before the workers are forked, so that they read Parquet with the same columns
        stack.enter_context(parquet_columns(text_column, id_column))
        # planned and started before any thread (progress bar, forensics): workers are forked
        run = stack.enter_context(
            ParallelScan(paths, jobs=jobs or usable_cores(), input_format=input_format, unit_bytes=unit_bytes)
        )
        run.start(detector, contexts=contexts)
        on_read = _bytes_read(_progress(stack, force=bool(progress)), total) if show_progress else None
        investigator = None
        if net.online:  # redirects, page claims, registration for flagged and shortened links
            investigator = stack.enter_context(build_investigator(net, detector.classify, rules.outlets))
        scanner = Scanner(
            detector=detector,
            investigator=investigator,
            input_format=input_format,
            on_read=on_read,
            contexts=contexts,
        )
        writer = open_report(stack, output)
        from linkguard.report.jsonl import JsonlReporter

        if isinstance(writer, JsonlReporter) and investigator is None:
            run.write_jsonl(scanner, writer)  # workers write the lines: the machine format at full speed
            sink: Reporter | ClusteringWriter = writer
        else:
            sink = writer
            if investigator is not None:  # findings wait (on disk) until the clusters are known
                from linkguard.report.clustered import ClusteringWriter as Clustering

                sink = Clustering(writer)
            select = writer.options if investigator is None else None  # workers drop what is not written
            for finding in run.findings(scanner, select):
                sink.add(finding, finding.context)
        stats = scanner.stats
        _with_feeds(stats, rules.files)
        sink.close(stats)
        writer.out.flush()
    return _finish(stats, summary_path, quiet)


def _bytes_read(update: Callable[[int, int], None], total: int) -> Callable[[int], None]:
    """A local scan's ``on_read`` (bytes read since the last call) on a progress callback."""
    done = 0
    update(done, total)

    def on_read(n: int) -> None:
        nonlocal done
        done += n
        update(done, total)

    return on_read


def _with_feeds(stats: ScanStats, files: tuple[str, ...]) -> None:
    """The feeds in force and their dates, where merged worker counters (--jobs, --dask) lack them."""
    if not stats.feeds:
        from linkguard.feeds.store import feed_dates

        stats.feeds = feed_dates(files)


def _finish(stats: ScanStats, summary_path: Path | None, quiet: bool) -> int:
    """The summary (stderr, ``--summary``) and the exit code of a scan."""
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
