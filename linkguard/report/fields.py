"""The one column schema shared by the tabular formats (csv, Markdown, HTML, terminal table).

Keeping names, titles and order here means every format shows the same facts in the same order,
and a column added once shows up everywhere.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from linkguard.models import Finding, Outlet, ScanStats
from linkguard.report.defang import defang as _defang
from linkguard.report.grouping import Group, domain_of
from linkguard.report.snippet import Snippet

T = TypeVar("T")
#: A per-link row: the finding and its clipped context, if any.
LinkRow = tuple[Finding, Snippet | None]
EVIDENCE_SEPARATOR = " | "
NONE_SHOWN = "—"


@dataclass(frozen=True, slots=True)
class Column(Generic[T]):
    key: str  # machine name (csv header)
    title: str  # human header
    get: Callable[[T, bool], str | int]  # (row, defang) -> value
    numeric: bool = False


def _maybe_defang(value: str, defang: bool) -> str:
    return _defang(value) if defang and value else value


def outlet_label(outlet: Outlet | None) -> str:
    """``Die Welt (welt.de)``: the real outlet's domain is not a threat, so it is never defanged."""
    return outlet.title if outlet else ""


def outlets_imitated(group: Group) -> list[tuple[str, int]]:
    """The outlets a group's links imitate, most links first: ``[("Die Welt (welt.de)", 3), …]``."""
    ranked = sorted(group.outlet_links.items(), key=lambda item: (-item[1], item[0].name, item[0].domain))
    return [(outlet_label(outlet), n) for outlet, n in ranked]


def evidence_text(finding: Finding) -> str:
    return EVIDENCE_SEPARATOR.join(f"{e.kind}: {e.detail}" for e in finding.verdict.evidence)


LINK_COLUMNS: tuple[Column[LinkRow], ...] = (
    Column("source", "Source", lambda r, d: r[0].source),
    Column("line", "Line", lambda r, d: r[0].line, numeric=True),
    Column("column", "Column", lambda r, d: r[0].column, numeric=True),
    Column("record", "Record", lambda r, d: r[0].record or ""),
    Column("verdict", "Verdict", lambda r, d: r[0].verdict.status),
    Column("score", "Score", lambda r, d: r[0].verdict.score, numeric=True),
    Column("domain", "Domain", lambda r, d: _maybe_defang(domain_of(r[0]), d)),
    Column("host", "Host", lambda r, d: _maybe_defang(r[0].link.host, d)),
    Column("host_unicode", "Host (Unicode)", lambda r, d: _maybe_defang(r[0].link.host_unicode, d)),
    Column("url", "URL", lambda r, d: _maybe_defang(r[0].link.url, d)),
    Column("text", "As written", lambda r, d: _maybe_defang(r[0].link.text, d)),
    Column("obfuscation", "Obfuscation", lambda r, d: EVIDENCE_SEPARATOR.join(r[0].link.obfuscation)),
    Column("impersonates", "Impersonates", lambda r, d: outlet_label(r[0].verdict.impersonates)),
    Column("techniques", "Techniques", lambda r, d: EVIDENCE_SEPARATOR.join(r[0].verdict.techniques)),
    Column("evidence", "Evidence", lambda r, d: evidence_text(r[0])),
    Column("context", "Context", lambda r, d: r[1].text if r[1] else ""),
    Column("via", "Via", lambda r, d: EVIDENCE_SEPARATOR.join(_maybe_defang(v, d) for v in r[0].link.via)),
    Column("post_platform", "Platform", lambda r, d: r[0].post.platform if r[0].post else ""),
    Column("post_id", "Post", lambda r, d: (r[0].post.id or "") if r[0].post else ""),
    Column("post_url", "Post URL", lambda r, d: (r[0].post.url or "") if r[0].post else ""),
    Column("post_author", "Author", lambda r, d: (r[0].post.author or "") if r[0].post else ""),
    Column("post_created_at", "Posted", lambda r, d: (r[0].post.created_at or "") if r[0].post else ""),
)

_KEY_COLUMNS: dict[str, Column[Group]] = {
    "domain": Column("domain", "Domain", lambda g, d: _maybe_defang(g.key, d)),
    "outlet": Column("outlet", "Impersonates", lambda g, d: g.key or NONE_SHOWN),
    "source": Column("source", "Source", lambda g, d: g.key),
}
_COMMON_GROUP_COLUMNS: tuple[Column[Group], ...] = (
    Column("verdict", "Verdict", lambda g, d: g.status),
    Column("score", "Score", lambda g, d: g.score, numeric=True),
    Column("posts", "Posts", lambda g, d: g.posts, numeric=True),
    Column("first_seen", "First seen", lambda g, d: g.first_seen),
)


def group_columns(by: str) -> tuple[Column[Group], ...]:
    """Columns for a table of groups; the second column names what the key column does not."""
    if by == "domain":
        second: Column[Group] = Column(
            "impersonates", "Impersonates", lambda g, d: outlet_label(g.outlet) or NONE_SHOWN
        )
    else:
        second = Column("domains", "Domains", lambda g, d: ", ".join(_maybe_defang(x, d) for x in g.domains))
    return (_KEY_COLUMNS[by], second, *_COMMON_GROUP_COLUMNS)


def _counts(counter: Counter[str]) -> str:
    return ", ".join(f"{n} {reason}" for reason, n in sorted(counter.items()))


@dataclass(frozen=True, slots=True)
class SummaryItem:
    label: str
    count: int
    detail: str = ""  # breakdown by reason, for skipped/repaired

    @property
    def value(self) -> str:
        return f"{self.count} ({self.detail})" if self.detail else str(self.count)


def summary_items(stats: ScanStats) -> list[SummaryItem]:
    """The summary block of every human format, in order."""
    items = [
        SummaryItem("Files", stats.sources),
        SummaryItem("Records", stats.records),
        SummaryItem("Links", stats.links),
        SummaryItem("Flagged", stats.flagged),
        SummaryItem("Skipped", stats.skipped.total(), _counts(stats.skipped)),
    ]
    if stats.posts:  # an export of posts: how many, since links repeat across them
        items.insert(2, SummaryItem("Posts", stats.posts))
    if stats.repaired:
        items.append(SummaryItem("Repaired", stats.repaired.total(), _counts(stats.repaired)))
    if stats.investigations:  # online runs: how many links were investigated, by outcome
        items.append(
            SummaryItem("Investigations", stats.investigations.total(), _counts(stats.investigations))
        )
    if stats.feeds:  # how old the known-bad lists are
        dates = ", ".join(f"{name} {date}" for name, date in sorted(stats.feeds.items()))
        items.append(SummaryItem("Feeds", len(stats.feeds), dates))
    return items


def summary_line(stats: ScanStats) -> str:
    """``2 files · 6 records · 6 links · 3 flagged · 3 skipped (1 binary, 2 too-large)``."""
    return " · ".join(
        f"{item.count} {_singular(item.label.lower()) if item.count == 1 else item.label.lower()}"
        + (f" ({item.detail})" if item.detail else "")
        for item in summary_items(stats)
    )


def _singular(label: str) -> str:
    """``1 file``, not ``1 files`` (labels that are not plurals, like ``flagged``, stay)."""
    plurals = ("files", "records", "posts", "links", "investigations", "feeds")
    return label[:-1] if label in plurals else label
