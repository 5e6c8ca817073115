"""Where feed files live and how old they are.

The wheel's snapshot is ``linkguard._rules`` ``feeds/`` with a ``feeds.json`` manifest (date,
commit, count per feed); ``update-feeds`` writes refreshed copies and their manifest into
``$LINKGUARD_FEEDS_DIR`` (default: the platform's data dir, ``~/.local/share/linkguard/feeds``).
A refreshed copy replaces the bundled file of the same name. Called at every start: two directory
listings, no parsing.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

FEEDS_ENV = "LINKGUARD_FEEDS_DIR"
MANIFEST = "feeds.json"


def bundled_feeds_dir() -> Path:
    import importlib

    bundled = importlib.import_module("linkguard._rules")
    return Path(bundled.__file__ or ".").parent / "feeds"


def user_feeds_dir() -> Path:
    """``$LINKGUARD_FEEDS_DIR``, else the platform's data dir (``~/.local/share/linkguard/feeds``)."""
    env = os.environ.get(FEEDS_ENV)
    if env:
        return Path(env)
    import platformdirs

    return Path(platformdirs.user_data_dir("linkguard")) / "feeds"


def _toml_files(directory: Path) -> dict[str, Path]:
    try:
        return {p.stem: p for p in directory.glob("*.toml") if p.is_file()}
    except OSError:
        return {}


def feed_rule_files() -> list[Path]:
    """The feed files in force, by name: the refreshed copy where there is one, else the bundled one."""
    files = _toml_files(bundled_feeds_dir()) | _toml_files(user_feeds_dir())
    return [files[name] for name in sorted(files)]


def read_manifest(directory: Path) -> dict[str, dict[str, Any]]:
    """``feeds.json`` of a feed directory; a missing or unreadable one is empty (dates then show '?')."""
    try:
        data = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {k: v for k, v in data.items() if isinstance(v, dict)} if isinstance(data, dict) else {}


@dataclass(frozen=True, slots=True)
class FeedInfo:
    name: str
    path: Path
    #: ``bundled`` (the wheel's snapshot) or ``updated`` (refreshed into the data dir).
    origin: str
    date: str
    domains: int


def feeds_in_force() -> list[FeedInfo]:
    """Each feed file in force with its date (the snapshot's, or the day it was refreshed)."""
    manifests = {
        "bundled": read_manifest(bundled_feeds_dir()),
        "updated": read_manifest(user_feeds_dir()),
    }
    out = []
    for path in feed_rule_files():
        origin = "updated" if path.parent == user_feeds_dir() else "bundled"
        meta = manifests[origin].get(path.stem, {})
        date, domains = meta.get("date"), meta.get("domains")
        out.append(
            FeedInfo(
                path.stem,
                path,
                origin,
                date if isinstance(date, str) else "?",
                domains if isinstance(domains, int) else 0,
            )
        )
    return out


def feed_dates(files: Iterable[str] | None = None) -> dict[str, str]:
    """``{feed: "2026-05-19 (bundled)"}``: what every report's summary says about the knowledge's age.

    With ``files`` (``RuleSet.files``), only the feeds those rules were loaded from (none with --rules).
    """
    loaded = None if files is None else {str(f) for f in files}
    return {
        f.name: f"{f.date} ({f.origin})" for f in feeds_in_force() if loaded is None or str(f.path) in loaded
    }


def describe_feeds() -> str:
    """One line per feed in force, for ``--version``."""
    feeds = feeds_in_force()
    if not feeds:
        return "feeds: none"
    return "\n".join(f"feed {f.name}: {f.date} ({f.origin}, {f.domains:,} domains)" for f in feeds)
