"""How alike two pages are, by structure and by text, with a fuzzy hash (ssdeep, as dnstwist).

A clone copies the outlet's template (the tag skeleton survives even when the article changes)
and often its text. Each page is reduced to two strings, its tag skeleton (``html head meta …
/head body …``) and its visible text with whitespace collapsed, and each string to an ssdeep
digest (``ppdeep``: the pure-Python implementation dnstwist uses, so it installs everywhere
without a compiler). ``compare`` gives ssdeep's 0-100 match score per part: near 100 for a copy,
near 0 for unrelated pages. Digests are short strings, so a fingerprint can be cached and quoted.
"""

from __future__ import annotations

import html
from dataclasses import asdict, dataclass
from typing import Any

import ppdeep

from linkguard import limits
from linkguard.forensics.page import ParsedPage

#: What the evidence names as the method (the digests are ssdeep's format, readable by ssdeep -m).
METHOD = "ssdeep (ppdeep)"


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """A page's two ssdeep digests and how much went into each (empty parts have no digest)."""

    structure: str | None
    text: str | None
    tags: int
    chars: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Fingerprint:
        return cls(data.get("structure"), data.get("text"), int(data["tags"]), int(data["chars"]))


@dataclass(frozen=True, slots=True)
class Likeness:
    """ssdeep match scores (0-100) of two pages; None where a page had nothing to compare."""

    structure: int | None
    text: int | None

    @property
    def best(self) -> int:
        """The stronger signal: a clone keeps the template or the text, often both."""
        return max(self.structure or 0, self.text or 0)


def _digest(text: str) -> str | None:
    if not text:
        return None
    return str(ppdeep.hash(text[: limits.SIMILARITY_MAX_CHARS].encode("utf-8", "replace")))


def skeleton(page: ParsedPage) -> str:
    """The page's tags in order, one word each (attributes and text left out)."""
    return " ".join(page.tags)


def visible_text(page: ParsedPage) -> str:
    """The page's text outside scripts and styles, whitespace collapsed."""
    return " ".join(html.unescape(" ".join(page.text)).split())


def fingerprint(page: ParsedPage) -> Fingerprint:
    shape = skeleton(page)
    text = visible_text(page)
    return Fingerprint(_digest(shape), _digest(text), len(page.tags), len(text))


def _score(a: str | None, b: str | None) -> int | None:
    if a is None or b is None:
        return None
    return int(ppdeep.compare(a, b))


def compare(a: Fingerprint, b: Fingerprint) -> Likeness:
    return Likeness(_score(a.structure, b.structure), _score(a.text, b.text))
