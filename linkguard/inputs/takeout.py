"""Google Takeout's YouTube ``comments.csv``: its ``Comment Text`` cell is JSON, not text.

Before June 2024 it is ``{"takeoutSegments":[{"text":"…"}, …]}``; since then the segments
themselves, comma-separated (``{"text":"…"},{"text":"\\n"}``). The comment is the segments'
texts joined. Columns: ``Comment ID``, ``Channel ID``, ``Comment Create Timestamp``, ``Price``,
``Parent Comment ID``, (``Post ID``,) ``Video ID``, ``Comment Text`` (, ``Top-level comment ID``).
"""

from __future__ import annotations

import json
from typing import Any


def _texts(segments: Any) -> str | None:
    if not isinstance(segments, list):
        return None
    parts = [s.get("text") for s in segments if isinstance(s, dict)]
    return "".join(p for p in parts if isinstance(p, str))


def comment_text(cell: str) -> str | None:
    """The comment a Takeout ``Comment Text`` cell holds; None when it is not Takeout's JSON."""
    if not cell.startswith('{"'):
        return None
    try:
        value = json.loads(f"[{cell}]")
    except ValueError:
        return None
    if len(value) == 1 and isinstance(value[0], dict) and "takeoutSegments" in value[0]:
        return _texts(value[0]["takeoutSegments"])
    return _texts(value)
