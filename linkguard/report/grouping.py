"""Aggregate findings into groups (by domain, impersonated outlet or source file).

Aggregating formats must not grow with the number of posts: a group keeps counters and a few
capped examples, so memory is bounded by the number of distinct keys.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TypeVar

from linkguard.models import STATUS_RANK, Evidence, Finding, Outlet
from linkguard.report.snippet import Snippet, make_snippet

GROUP_BY: tuple[str, ...] = ("domain", "outlet", "source")
#: Example posts kept per group.
MAX_CONTEXTS = 5
#: Distinct evidence items, URLs, domains and techniques kept per group.
MAX_EVIDENCE = 10
MAX_URLS = 10
MAX_DOMAINS = 10
MAX_TECHNIQUES = 10

NO_OUTLET = ""

_T = TypeVar("_T")


def domain_of(finding: Finding) -> str:
    """The registrable domain, or the host for IPs and unknown suffixes."""
    return finding.link.registered_domain or finding.link.host


def _key(finding: Finding, by: str) -> str:
    if by == "domain":
        return domain_of(finding)
    if by == "outlet":
        outlet = finding.verdict.impersonates
        return outlet.name if outlet else NO_OUTLET
    return finding.source


def _add_capped(items: list[_T], item: _T, cap: int) -> None:
    if len(items) < cap and item not in items:
        items.append(item)


@dataclass(slots=True)
class Group:
    key: str
    first_source: str
    first_line: int
    status: str = "unknown"
    score: int = 0
    posts: int = 0
    flagged: bool = False
    outlet: Outlet | None = None
    #: Every outlet the group's links imitate, with how many links imitate it: a source file (or
    #: a domain) may imitate several, and ``outlet`` names only the worst one's.
    outlet_links: Counter[Outlet] = field(default_factory=Counter)
    domains: list[str] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)
    techniques: list[str] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)
    contexts: list[Snippet] = field(default_factory=list)

    @property
    def first_seen(self) -> str:
        return f"{self.first_source}:{self.first_line}"

    def add(self, finding: Finding, context: str | None, max_contexts: int) -> None:
        verdict = finding.verdict
        if self.posts == 0 or STATUS_RANK.get(verdict.status, 1) > STATUS_RANK.get(self.status, 1):
            self.status = verdict.status
        if self.posts == 0 or verdict.score > self.score:
            self.score = verdict.score
            self.outlet = verdict.impersonates or self.outlet
        elif self.outlet is None:
            self.outlet = verdict.impersonates
        self.posts += 1
        if verdict.impersonates is not None:
            self.outlet_links[verdict.impersonates] += 1
        self.flagged = self.flagged or finding.flagged
        _add_capped(self.domains, domain_of(finding), MAX_DOMAINS)
        _add_capped(self.urls, finding.link.url, MAX_URLS)
        for technique in verdict.techniques:
            _add_capped(self.techniques, technique, MAX_TECHNIQUES)
        for item in verdict.evidence:
            _add_capped(self.evidence, item, MAX_EVIDENCE)
        if context is not None and len(self.contexts) < max_contexts:
            self.contexts.append(make_snippet(finding, context))


class Grouper:
    """Collects findings into :class:`Group` objects keyed by ``by``."""

    def __init__(self, by: str = "domain", *, max_contexts: int = MAX_CONTEXTS) -> None:
        if by not in GROUP_BY:
            raise ValueError(f"group_by must be one of {', '.join(GROUP_BY)}, not {by!r}")
        self.by = by
        self.max_contexts = max_contexts
        self._groups: dict[str, Group] = {}

    def add(self, finding: Finding, context: str | None = None) -> None:
        key = _key(finding, self.by)
        group = self._groups.get(key)
        if group is None:
            group = self._groups[key] = Group(key, finding.source, finding.line)
        group.add(finding, context, self.max_contexts)

    def __len__(self) -> int:
        return len(self._groups)

    def groups(self) -> list[Group]:
        """Worst verdict first, then highest score, most posts, key."""
        return sorted(
            self._groups.values(),
            key=lambda g: (-STATUS_RANK.get(g.status, 1), -g.score, -g.posts, g.key),
        )
