"""Options and helpers shared by several sub-commands."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click
import platformdirs

from linkguard.errors import ForensicsError, InputError, LinkguardError, RulesError
from linkguard.rules import RuleSet, load_rules

EXIT_CLEAN = 0
EXIT_FLAGGED = 1
EXIT_USAGE = 2
EXIT_INPUT = 3
EXIT_NETWORK = 4
EXIT_INTERNAL = 70
EXIT_INTERRUPTED = 130

F = TypeVar("F", bound=Callable[..., Any])


def exit_code_for(exc: LinkguardError) -> int:
    if isinstance(exc, (InputError, RulesError)):
        return EXIT_INPUT
    if isinstance(exc, ForensicsError):
        return EXIT_NETWORK
    return EXIT_INPUT


def default_user_rules_dir() -> Path:
    """``$LINKGUARD_RULES_DIR``, else the platform's config dir (``~/.config/linkguard/rules`` on Linux)."""
    env = os.environ.get("LINKGUARD_RULES_DIR")
    if env:
        return Path(env)
    return Path(platformdirs.user_config_dir("linkguard")) / "rules"


def rules_options(func: F) -> F:
    """``--rules``, ``--rules-dir`` and ``--no-blocklist``, for every command that classifies."""
    func = click.option(
        "--no-blocklist",
        is_flag=True,
        help="Ignore the known-bad lists: judge domains on lookalike signals alone.",
    )(func)
    func = click.option(
        "--rules-dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help="User rules directory (default: $LINKGUARD_RULES_DIR or the platform config dir).",
    )(func)
    func = click.option(
        "--rules",
        "rule_paths",
        multiple=True,
        type=click.Path(path_type=Path),
        help="Use only these rule files/directories for this run (repeatable).",
    )(func)
    return func


def load_ruleset(rule_paths: tuple[Path, ...], rules_dir: Path | None) -> RuleSet:
    if rule_paths:
        return load_rules(rule_paths)
    return load_rules(user_dir=rules_dir or default_user_rules_dir())
