"""Where things are in a rule file: the line of an entry, of a key, of a TOML syntax error.

tomllib keeps no positions, so a light line scan finds them; it runs only to print a message or a
listing, never on the load path of a file that is fine.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from linkguard.rules.model import RuleEntry

if TYPE_CHECKING:
    import tomllib

_TOML_POS = re.compile(r"\s*\(at line (\d+), column \d+\)$")


def toml_error_line(exc: tomllib.TOMLDecodeError, source: str = "") -> tuple[int, str]:
    """(line, message without the position suffix): tomllib only puts the position in the text."""
    text = str(exc)
    if text.endswith("(at end of document)"):
        return max(source.count("\n") + (0 if source.endswith("\n") else 1), 1), text[
            : -len(" (at end of document)")
        ]
    match = _TOML_POS.search(text)
    lineno = getattr(exc, "lineno", None)
    if isinstance(lineno, int):
        return lineno, _TOML_POS.sub("", text)
    if match:
        return int(match.group(1)), text[: match.start()]
    return 0, text


_HEADER = re.compile(r"""^\s*\[\[\s*("[^"]*"|'[^']*'|[A-Za-z0-9_.-]+)\s*\]\]""")
_TABLE = re.compile(r"^\s*\[[^\[]")
_KEY = re.compile(r"""^\s*("[^"]*"|'[^']*'|[A-Za-z0-9_-]+)\s*[.=]""")


@dataclass(frozen=True, slots=True)
class EntryPos:
    """Where an entry's ``[[table]]`` header is, and the first line of each of its keys."""

    line: int
    keys: dict[str, int] = field(default_factory=dict)


def entry_lines(text: str) -> dict[tuple[str, int], EntryPos]:
    """Map (table, index) → position by scanning ``[[table]]`` headers (tomllib keeps no positions).

    A light line scan, not a parser: good enough to point a person at the right line. Top-level keys
    are recorded under ``("", 0)``. Remembered by content like ``load.loads_toml`` (``rules list``
    and ``show`` scan the 800 KB reference tier); the positions are shared, not to be edited.
    """
    if len(text) < 4096:
        return _scan_lines(text)
    return dict(_scan_lines_cached(text))


@functools.lru_cache(maxsize=16)
def _scan_lines_cached(text: str) -> dict[tuple[str, int], EntryPos]:
    return _scan_lines(text)


def _scan_lines(text: str) -> dict[tuple[str, int], EntryPos]:
    out: dict[tuple[str, int], EntryPos] = {("", 0): EntryPos(1)}
    counts: dict[str, int] = {}
    current: tuple[str, int] | None = ("", 0)
    fence: str | None = None
    header_match, table_match, key_match = _HEADER.match, _TABLE.match, _KEY.match
    for n, raw in enumerate(text.splitlines(), 1):
        if fence is not None:
            if raw.count(fence) % 2 == 1:
                fence = None
            continue
        first = raw.lstrip()[:1]
        if first == "[":
            header = header_match(raw)
            if header:
                table = header.group(1).strip("\"'")
                index = counts.get(table, 0)
                counts[table] = index + 1
                current = (table, index)
                out[current] = EntryPos(n)
            elif table_match(raw):
                current = None
        elif first and first != "#" and current is not None:
            key = key_match(raw)
            if key:
                out[current].keys.setdefault(key.group(1).strip("\"'"), n)
        if '"""' in raw or "'''" in raw:  # a multi-line string opens here (a line scan's guess)
            for quote in ('"""', "'''"):
                if raw.count(quote) % 2 == 1:
                    fence = quote
                    break
    return out


def where(entry: RuleEntry, texts: Mapping[str, str] | None = None) -> str:
    """``file:line: [[table]] #n`` for an error message; the line scan only runs when something is wrong."""
    line = entry.line
    if not line:
        try:
            text = texts.get(entry.file) if texts is not None else None
            if text is None:
                text = Path(entry.file).read_text(encoding="utf-8")
            pos = entry_lines(text).get((entry.table, entry.index))
            line = pos.line if pos else 0
        except (OSError, UnicodeDecodeError):
            pass
    return f"{entry.file}{f':{line}' if line else ''}: [[{entry.table}]] #{entry.index + 1}"
