"""Options and helpers shared by several sub-commands."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO, TypeVar, cast

import click

from linkguard.errors import ForensicsError, InputError, LinkguardError, RulesError, ScreenshotError
from linkguard.paths import user_rules_dir

if TYPE_CHECKING:
    from linkguard.report import Reporter, ReportOptions
from linkguard.rules import RuleSet

EXIT_CLEAN = 0
EXIT_FLAGGED = 1
EXIT_USAGE = 2
EXIT_INPUT = 3
EXIT_NETWORK = 4
EXIT_INTERNAL = 70
EXIT_INTERRUPTED = 130
#: 128 + SIGPIPE: what a shell reports for a command whose output pipe was closed.
EXIT_OUTPUT_CLOSED = 141

F = TypeVar("F", bound=Callable[..., Any])


def exit_code_for(exc: LinkguardError) -> int:
    if isinstance(exc, ScreenshotError):  # a missing extra, as for ``serve``
        return EXIT_USAGE
    if isinstance(exc, (InputError, RulesError)):
        return EXIT_INPUT
    if isinstance(exc, ForensicsError):
        return EXIT_NETWORK
    return EXIT_INPUT


def reject_empty_path(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    """Path options arrive as text; an empty one would silently mean the current directory
    (``Path("")`` is ``.``), so it is refused (exit 2) before it becomes a ``Path``."""
    if value is None:
        return None
    values = value if isinstance(value, tuple) else (value,)
    if any(not str(v).strip() for v in values):
        raise click.BadParameter("an empty path; give a file or directory", ctx=ctx, param=param)
    return tuple(Path(v) for v in values) if isinstance(value, tuple) else Path(value)


#: ``--rules``: read only these rule files, for classifying commands and ``rules`` alike.
rule_paths_option = click.option(
    "--rules",
    "rule_paths",
    multiple=True,
    type=click.Path(),
    callback=reject_empty_path,
    help="Use only these rule files/directories (repeatable).",
)

#: The user's rules directory (``check``, ``scan``, ``permute``, ``serve``).
rules_dir_option = click.option(
    "--rules-dir",
    type=click.Path(file_okay=False),
    default=None,
    callback=reject_empty_path,
    help="User rules directory (default: $LINKGUARD_RULES_DIR or the platform config dir).",
)


def rules_options(func: F) -> F:
    """``--rules``, ``--rules-dir``, ``--no-blocklist`` and ``--no-ratings``: every classifying command."""
    func = click.option(
        "--no-blocklist",
        is_flag=True,
        help="Ignore the known-bad lists: judge domains on lookalike signals alone.",
    )(func)
    func = click.option(
        "--no-ratings",
        is_flag=True,
        help="Ignore source ratings (news-domain quality ratings): no 'rating' evidence, no flag for it.",
    )(func)
    return rule_paths_option(rules_dir_option(func))


def load_ruleset(rule_paths: tuple[Path, ...], rules_dir: Path | None) -> RuleSet:
    """The rules in force, through the on-disk cache (``linkguard.lookalike.cache``), which also holds
    the detector index built from them: a ``Detector`` for the returned RuleSet starts in milliseconds."""
    # Start-up is over with this: the modules, rules and index live until exit. Freezing them (once
    # per process) keeps the garbage collector from walking them again, in every full collection of a
    # long scan and in the ones at interpreter shutdown, which otherwise cost ~0.2 s per run.
    with gc_paused(freeze=not _STARTUP_FROZEN):
        from linkguard.lookalike.cache import load_cached_rules

        if rule_paths:
            rules = load_cached_rules(rule_paths)
        else:
            rules = load_cached_rules(user_dir=rules_dir or user_rules_dir())
    _STARTUP_FROZEN.append(True)
    return rules


@contextmanager
def gc_paused(*, freeze: bool = False) -> Iterator[None]:
    """No automatic garbage collection inside: for start-up (a command's modules, the rules and the
    index), which allocates ~1M objects that live until exit and almost no garbage. Its collections
    walked them again and again, for a few hundred objects freed: ~0.1 s of a scan's start.
    ``freeze``: what was allocated is then moved out of the collector's sight (``gc.freeze``), so
    that the first collections after the pause do not walk it all either."""
    import gc

    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if freeze:
            gc.freeze()
        if enabled:
            gc.enable()


_STARTUP_FROZEN: list[bool] = []

#: The youngest generation's threshold during a scan (CPython's default is 700 allocations). At
#: 20,000 a scan of 53,000 domains still ran one collection of the middle generation, which walks
#: every verdict, memo key and cached host kept so far: 0.05 s, 3 % of the scan's CPU.
SCAN_GC_THRESHOLD = 50_000


@contextmanager
def gc_relaxed(threshold: int = SCAN_GC_THRESHOLD) -> Iterator[None]:
    """Collect the youngest generation every ``threshold`` allocations instead of every 700, for
    the length of a scan: each link's records, verdicts and report lines are freed by reference
    counting and make almost no cycles, so the default threshold's collection every few links
    found next to nothing to free and cost ~5 % of a scan's CPU. Workers forked inside
    inherit the setting; the old thresholds are restored after."""
    import gc

    before = gc.get_threshold()
    gc.set_threshold(max(threshold, before[0]), *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)


@dataclass(frozen=True)
class OutputOptions:
    """What :func:`output_options` read from the command line."""

    fmt: str | None
    path: Path | None
    no_defang: bool
    min_score: int
    verdicts: tuple[str, ...]
    group_by: str
    show_all: bool

    @property
    def format(self) -> str:
        """--format; else from the -o extension; else a table on a terminal, JSON Lines in a pipe."""
        from linkguard.report import format_for_path

        if self.fmt:
            return self.fmt
        if self.path is not None and str(self.path) != "-":
            return format_for_path(self.path) or "table"
        import sys

        return "table" if sys.stdout.isatty() else "jsonl"

    def check(self) -> None:
        """Refuse, before any work, an output whose format would not match its name: an extension
        that names no format (without --format), a binary format (XLSX) in a file not named for it
        or on a terminal, a text format in an ``.xlsx`` file. Exit 2 (usage)."""
        import sys

        from linkguard.report import BINARY_FORMATS, format_for_path, output_suffixes

        to_file = self.path is not None and str(self.path) != "-"
        named = format_for_path(self.path) if to_file and self.path is not None else None
        if to_file and self.path is not None and named is None and not self.fmt and self.path.suffix:
            raise click.UsageError(
                f"-o {self.path}: the extension {self.path.suffix!r} names no report format; "
                f"use one of {', '.join(output_suffixes())} or give --format"
            )
        fmt = self.format
        if fmt in BINARY_FORMATS and to_file and named != fmt:
            raise click.UsageError(f"--format {fmt} writes a binary file: name it .{fmt} (-o out.{fmt})")
        if named in BINARY_FORMATS and fmt != named:
            raise click.UsageError(f"-o {self.path}: an .{named} file holds {named} only, not {fmt}")
        if fmt in BINARY_FORMATS and not to_file and sys.stdout.isatty():
            raise click.UsageError(f"{fmt} is binary: write it to a file (-o out.{fmt}), not to a terminal")

    @property
    def report(self) -> ReportOptions:
        """The report options these flags ask for, whole (the writer, and the workers of --jobs)."""
        from linkguard.report import ReportOptions

        return ReportOptions(
            defang=False if self.no_defang else None,
            show_all=self.show_all,
            min_score=self.min_score,
            verdicts=frozenset(self.verdicts) or None,
            group_by=self.group_by,
        )


_OUTPUT_KEYS = {
    "fmt": "fmt",
    "output": "path",
    "no_defang": "no_defang",
    "min_score": "min_score",
    "verdicts": "verdicts",
    "group_by": "group_by",
    "show_all": "show_all",
}


#: ``ctx.meta`` key: the ``-o`` value as typed when it names a directory (ends with ``/``).
OUTPUT_DIR_KEY = "linkguard.output_dir"


def _output_path(ctx: click.Context, param: click.Parameter, value: str | None) -> Path | None:
    """``-o`` as a ``Path``; a trailing ``/`` (lost in a ``Path``) is kept in ``ctx.meta`` for the
    commands that write a directory of parts, and an existing directory without one is refused."""
    if value is None:
        return None
    if value.endswith(("/", os.sep)):
        ctx.meta[OUTPUT_DIR_KEY] = value
    elif value != "-" and os.path.isdir(value):
        raise click.BadParameter(f"'{value}' is a directory.", ctx=ctx, param=param)
    return Path(value)


def output_options(func: F) -> F:
    """Report options shared by ``scan`` and ``report``, handed over as ``output: OutputOptions``."""
    from typing import get_args

    from linkguard.models import VerdictStatus
    from linkguard.report import FORMATS, GROUP_BY

    options = [
        click.option(
            "--format",
            "-f",
            "fmt",
            type=click.Choice(FORMATS),
            default=None,
            help="Output format (default: from the -o extension; else table on a terminal, jsonl in a pipe).",
        ),
        click.option(
            "-o",
            "--output",
            type=str,
            callback=_output_path,
            metavar="PATH",
            help="Write here instead of stdout (scan --dask: DIR/ for one part per input).",
        ),
        click.option(
            "--no-defang", is_flag=True, help="Show real links in human formats (default: hxxps://x[.]y)."
        ),
        click.option(
            "--min-score",
            type=click.IntRange(min=0, max=100),
            default=0,
            show_default=True,
            help="Hide lower scores.",
        ),
        click.option(
            "--verdict",
            "verdicts",
            multiple=True,
            type=click.Choice(get_args(VerdictStatus)),
            help="Show only these verdicts (repeatable); replaces the flagged-only default.",
        ),
        click.option("--group-by", type=click.Choice(GROUP_BY), default="domain", show_default=True),
        click.option("--all", "show_all", is_flag=True, help="List every link, not only flagged ones."),
    ]

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        values = {field: kwargs.pop(key) for key, field in _OUTPUT_KEYS.items()}
        output = OutputOptions(**values)
        if OUTPUT_DIR_KEY not in click.get_current_context().meta:  # -o DIR/ holds parts, not a report
            output.check()
        return func(*args, output=output, **kwargs)

    for option in reversed(options):
        wrapper = option(wrapper)
    return cast(F, wrapper)


def open_report(stack: ExitStack, options: OutputOptions) -> Reporter:
    """The writer for ``output_options``: stdout or the ``-o`` file (closed with ``stack``)."""
    import sys

    from linkguard.report import open_writer

    out: TextIO = sys.stdout
    if options.path is not None and str(options.path) != "-":
        try:
            out = stack.enter_context(open(options.path, "w", encoding="utf-8", newline=""))
        except OSError as exc:
            raise InputError(f"{options.path}: cannot write: {exc.strerror or exc}") from None
    return open_writer(options.format, out, options.report)
