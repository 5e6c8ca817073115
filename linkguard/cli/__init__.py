"""The ``linkguard`` command: a thin layer over the library.

Each sub-command lives in its own module and only parses options, calls the library and maps
errors to exit codes. Exit codes (also in the README):

====  =====================================================
0     ran, nothing flagged
1     ran, something flagged (malicious or suspicious)
2     usage error (bad option or argument)
3     input or rules error (an input could not be read, invalid rule file)
4     network forensics refused or failed for the URL asked about
70    unexpected internal error (re-run with --debug for the traceback)
130   interrupted (Ctrl-C)
141   the output was closed before the run ended (``linkguard scan … | head``); nothing on stderr
====  =====================================================
"""

from __future__ import annotations

import importlib
import sys
from typing import ClassVar

import click

from linkguard.cli.common import (
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_OUTPUT_CLOSED,
    EXIT_USAGE,
    exit_code_for,
    gc_paused,
)
from linkguard.errors import LinkguardError


class OutputClosed(Exception):
    """The reader of stdout went away (``| head``). Not an ``OSError``: click would turn a broken
    pipe into exit 1, the code for "flagged", before ``main`` saw it."""


class LazyGroup(click.Group):
    """Imports a sub-command's module only when it runs, so ``linkguard scan`` does not pay for
    the network and STIX libraries that only ``check`` and ``report`` need."""

    commands_by_module: ClassVar[dict[str, str]] = {
        "scan": "scan_cmd",
        "check": "check_cmd",
        "rules": "rules_cmd",
        "report": "report_cmd",
        "cache": "cache_cmd",
        "update-psl": "psl_cmd",
        "update-popular": "popular_cmd",
        "serve": "serve_cmd",
        "permute": "permute_cmd",
    }

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.commands_by_module})

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except BrokenPipeError as exc:
            raise OutputClosed from exc

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        module_name = self.commands_by_module.get(cmd_name)
        if module_name is not None and cmd_name not in self.commands:
            name = f"linkguard.cli.{module_name}"
            with gc_paused(freeze=name not in sys.modules):  # modules live until exit
                module = importlib.import_module(name)
            for command in module.COMMANDS:
                self.add_command(command)
        return super().get_command(ctx, cmd_name)


def _print_version(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    """``--version``: the package version and the date of every indicator feed in force, so a reader
    knows how old the knowledge is."""
    if not value or ctx.resilient_parsing:
        return
    from importlib.metadata import version

    from linkguard.feeds.store import describe_feeds

    click.echo(f"linkguard, version {version('linkguard')}\n{describe_feeds()}")
    ctx.exit()


@click.group(
    cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100}
)
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_print_version,
    help="Show the version and the date of each indicator feed, then exit.",
)
@click.option("--debug", is_flag=True, help="Show tracebacks for unexpected errors.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """Find links to lookalike news domains in posts and dumps, and gather evidence about them."""
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug


def main(argv: list[str] | None = None) -> int:
    """Entry point: run the group and turn every failure into a one-line message and exit code."""
    debug = "--debug" in (argv if argv is not None else sys.argv[1:])
    try:
        result = cli.main(args=argv, prog_name="linkguard", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        return EXIT_INTERRUPTED
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        return EXIT_INTERRUPTED
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        return EXIT_USAGE if isinstance(exc, click.UsageError) else exc.exit_code
    except LinkguardError as exc:
        click.echo(f"Error: {exc}", err=True)
        return exit_code_for(exc)
    except (OutputClosed, BrokenPipeError):
        _quiet_stdout()
        return EXIT_OUTPUT_CLOSED
    except Exception as exc:
        if debug:
            raise
        click.echo(
            f"Error: unexpected {type(exc).__name__}: {exc} (re-run with --debug for details)", err=True
        )
        return EXIT_INTERNAL
    return int(result or 0)


def _quiet_stdout() -> None:
    """Point stdout (and stderr, if that is what closed) at /dev/null, so that the interpreter's
    last flush of what is still buffered does not print "Exception ignored … BrokenPipeError"."""
    import contextlib
    import os

    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):
                # not a file (a test's capture): nothing is flushed at exit either
                with contextlib.suppress(OSError, ValueError):
                    os.dup2(devnull, stream.fileno())
    finally:
        os.close(devnull)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
