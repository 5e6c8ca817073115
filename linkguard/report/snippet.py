"""Cut a post down to the few hundred characters around a link.

Posts can be megabytes long; a report keeps only what a reader needs to see the link in context.
"""

from __future__ import annotations

from dataclasses import dataclass

from linkguard.models import Finding

#: Characters of context kept around a link (link included).
CONTEXT_CHARS = 300
#: Longest part of the link itself shown; the rest is elided.
MAX_MATCH_CHARS = 200
_MIN_SIDE = 40
ELLIPSIS = "…"


@dataclass(frozen=True, slots=True)
class Snippet:
    """``before + match + after`` is the clipped context; ``match`` is the link ("" if not found)."""

    source: str
    line: int
    column: int
    before: str
    match: str
    after: str
    #: The post's permalink (else its platform and id) when the finding names its post.
    post: str = ""

    @property
    def where(self) -> str:
        at = f"{self.source}:{self.line}:{self.column}"
        return f"{at} · {self.post}" if self.post else at

    @property
    def text(self) -> str:
        return self.before + self.match + self.after


def _clip_end(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit] + ELLIPSIS


def make_snippet(finding: Finding, context: str, width: int = CONTEXT_CHARS) -> Snippet:
    """Locate the link (as written, else as normalised) in ``context`` and keep ~``width`` chars."""
    link = finding.link
    at, needle = -1, ""
    for candidate in (link.text, link.url):
        if candidate:
            at = context.find(candidate)
            if at != -1:
                needle = candidate
                break
    if at == -1:
        before, match, after = _clip_end(context, width), "", ""
    else:
        match = _clip_end(needle, MAX_MATCH_CHARS)
        side = max(_MIN_SIDE, (width - len(match)) // 2)
        start, end = max(0, at - side), at + len(needle)
        before = (ELLIPSIS if start > 0 else "") + context[start:at]
        after = context[end : end + side] + (ELLIPSIS if end + side < len(context) else "")
    post = finding.post
    named = ""
    if post is not None:
        named = post.url or (f"{post.platform} post {post.id}" if post.id else "")
    return Snippet(finding.source, finding.line, finding.column, before, match, after, named)
