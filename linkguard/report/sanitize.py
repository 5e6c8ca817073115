"""Make untrusted text safe to *look at* in human formats (terminal, Markdown, HTML).

Bidi overrides can make ``welt.ltd`` read as ``dtl.tlew``, and terminal control bytes can rewrite
the screen, so both are shown as visible ``<U+202E>`` escapes instead of being interpreted.
Format-specific escaping (HTML entities, Markdown backslashes) is done by each format on top.
"""

from __future__ import annotations

import re

# C0 controls except tab/newline/CR, DEL, C1 controls, Arabic letter mark, LRM/RLM, line/paragraph
# separators, bidi embeddings/overrides (U+202A-U+202E) and isolates (U+2066-U+2069).
_INVISIBLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]")
_SPACE = re.compile(r"[ \t\r\n]+")


def visible(text: str) -> str:
    """Replace invisible/direction-changing characters by ``<U+XXXX>``."""
    return _INVISIBLE.sub(lambda m: f"<U+{ord(m.group()):04X}>", text)


def one_line(text: str) -> str:
    """:func:`visible`, then collapse whitespace runs to one space: for cells and single lines."""
    return _SPACE.sub(" ", visible(text))


def json_safe(text: str) -> str:
    """Encoded JSON with the same characters as ``\\uXXXX`` escapes: the same JSON value, but a
    terminal showing it cannot be steered (JSON strings are the only place they can occur)."""
    return _INVISIBLE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
