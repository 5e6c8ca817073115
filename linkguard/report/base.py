"""The writer API every format implements: ``add()`` findings as they stream, then ``close(stats)``.

Filtering lives here once, so every format agrees on what is shown and the CLI can trust
:attr:`Reporter.flagged_written` for its exit code.
"""

from __future__ import annotations

import dataclasses
from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, ClassVar, TextIO, TypedDict, Unpack

from linkguard.models import FLAGGED_STATUSES, Finding, ScanStats, Verdict
from linkguard.report.grouping import GROUP_BY, Grouper

if TYPE_CHECKING:
    from collections.abc import Sequence

    from linkguard.forensics.clusters import Cluster


@dataclass(frozen=True, slots=True)
class ReportOptions:
    """What a report shows and how, passed whole (as httpx passes ``Timeout``): the CLI, the web
    app and the workers of a parallel scan build one and every writer reads the same fields.

    ``defang=None`` means the format's default (human formats defang). ``verdicts``, when given,
    selects those verdicts and replaces the flagged-only default; otherwise only flagged findings
    are shown unless ``show_all``. ``min_score`` always applies. ``now`` fixes the report time
    (STIX timestamps and ids, "generated" lines) for reproducible output.
    """

    defang: bool | None = None
    show_all: bool = False
    min_score: int = 0
    verdicts: frozenset[str] | None = None
    group_by: str = "domain"
    color: bool | None = None
    contexts: bool = True
    now: datetime | None = None

    def selects(self, verdict: Verdict) -> bool:
        """Whether a report with these options writes a finding with ``verdict`` (``Reporter.add``'s
        test; the workers of ``scan --jobs`` apply it too, so only what is written travels)."""
        if verdict.score < self.min_score:
            return False
        if self.verdicts is not None:
            return verdict.status in self.verdicts
        return self.show_all or verdict.status in FLAGGED_STATUSES

    def __post_init__(self) -> None:
        if self.group_by not in GROUP_BY:
            raise ValueError(f"group_by must be one of {', '.join(GROUP_BY)}, not {self.group_by!r}")
        if self.verdicts is not None:
            object.__setattr__(self, "verdicts", frozenset(self.verdicts) or None)


class ReportChanges(TypedDict, total=False):
    """``ReportOptions`` fields as keywords: a convenience over passing the object whole."""

    defang: bool | None
    show_all: bool
    min_score: int
    verdicts: frozenset[str] | None
    group_by: str
    color: bool | None
    contexts: bool
    now: datetime | None


def report_options(options: ReportOptions | None = None, **changes: Unpack[ReportChanges]) -> ReportOptions:
    """``options`` (default: the defaults) with ``changes`` applied."""
    base = options if options is not None else ReportOptions()
    return dataclasses.replace(base, **changes) if changes else base


class Reporter(ABC):
    """Base class of all formats.

    Selection: ``min_score`` always applies. ``verdicts``, when given, selects those verdicts (and
    replaces the flagged-only default); otherwise only flagged findings are shown unless
    ``show_all``.
    """

    name: ClassVar[str]
    #: Human formats defang by default; machine formats keep real URLs.
    defang_default: ClassVar[bool] = False
    #: Whether the format shows the post around a link; the scanner skips cutting it out if not.
    uses_context: ClassVar[bool] = True

    def __init__(
        self, out: TextIO, options: ReportOptions | None = None, **changes: Unpack[ReportChanges]
    ) -> None:
        opts = self.options = report_options(options, **changes)
        self.out = out
        self.defang = self.defang_default if opts.defang is None else opts.defang
        self.show_all = opts.show_all
        self.min_score = opts.min_score
        self.verdicts = opts.verdicts
        self.group_by = opts.group_by
        self.color = opts.color
        self.contexts = opts.contexts
        self.now = opts.now or datetime.now(UTC)
        #: Findings that made it into the output, and how many of those are flagged.
        self.written = 0
        self.flagged_written = 0
        #: Infrastructure clusters of the scan (``set_clusters``); rendered by the human formats,
        #: STIX and JSON. Empty unless an online scan found domains sharing infrastructure.
        self.clusters: tuple[Cluster, ...] = ()
        self._closed = False
        self._setup()

    def set_clusters(self, clusters: Sequence[Cluster]) -> None:
        """The scan's infrastructure clusters (``linkguard.forensics.clusters``), before ``close``."""
        self.clusters = tuple(clusters)

    def _setup(self) -> None:  # noqa: B027 - an optional hook, not an abstract step
        """Hook run once the options are set (open a spool, write a header, ...)."""

    def add(self, finding: Finding, context: str | None = None) -> None:
        """Take one finding; ``context`` is the post text around it (any size, default
        ``finding.context``; empty means none)."""
        verdict = finding.verdict
        if not self.options.selects(verdict):
            return
        self.written += 1
        self.flagged_written += verdict.status in FLAGGED_STATUSES
        context = (context or finding.context or None) if self.contexts else None
        self._add(finding, context)

    def close(self, stats: ScanStats) -> None:
        """Write whatever is aggregated plus the summary; calling it twice is harmless."""
        if self._closed:
            return
        self._closed = True
        self._close(stats)
        self.out.flush()

    @abstractmethod
    def _add(self, finding: Finding, context: str | None) -> None: ...

    @abstractmethod
    def _close(self, stats: ScanStats) -> None: ...


class GroupedReporter(Reporter):
    """A format that renders groups at the end; memory is bounded by the number of groups."""

    defang_default = True

    def _setup(self) -> None:
        self.grouper = Grouper(self.group_by)

    def _add(self, finding: Finding, context: str | None) -> None:
        self.grouper.add(finding, context)


class FlaggedDomainsReporter(Reporter):
    """An indicator format (STIX, MISP): one entry per flagged *domain*, whatever ``group_by`` and
    ``show_all`` say, so the domains are grouped here and the posts' context is not kept."""

    uses_context = False

    def _setup(self) -> None:
        self.grouper = Grouper("domain", max_contexts=0)

    def _add(self, finding: Finding, context: str | None) -> None:
        if finding.flagged:
            self.grouper.add(finding)
