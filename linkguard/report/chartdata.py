"""The numbers behind the HTML report's charts: flagged posts per period and outlet, outlets
imitated, techniques used. Pure counting, no plotting library: the tables beside the charts come
from here, and a report without post dates never imports one.

A post counts once per outlet and once per technique however many of its links are flagged: the
scanner hands over a post's findings one after another, so remembering the last post is enough
(memory stays bounded by the number of periods and labels, never by the number of posts).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from linkguard.limits import CHART_MAX_BARS, CHART_MAX_DAYS, CHART_MAX_SERIES, CHART_MAX_WEEKS
from linkguard.models import Finding, Post

NO_OUTLET = "no outlet named"
OTHER_OUTLETS = "other outlets"
OTHER = "other"


def post_day(created_at: str | None) -> date | None:
    """The UTC day of an ISO 8601 time (``2024-05-01T23:30:00-02:00`` is 2 May), or None."""
    if not created_at:
        return None
    try:
        moment = datetime.fromisoformat(created_at.strip())
    except ValueError:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.date()


@dataclass(frozen=True, slots=True)
class Timeline:
    """Flagged posts per period, one series per outlet (the most imitated first)."""

    unit: str  # "day", "week" (starting Monday) or "month"
    periods: tuple[date, ...]  # every period from the first to the last, empty ones included
    series: tuple[tuple[str, tuple[int, ...]], ...]  # (outlet, count per period)

    def label(self, period: date) -> str:
        if self.unit == "month":
            return period.strftime("%Y-%m")
        if self.unit == "week":
            return f"week of {period.isoformat()}"
        return period.isoformat()


def _period_start(day: date, unit: str) -> date:
    if unit == "week":
        return day - timedelta(days=day.weekday())
    if unit == "month":
        return day.replace(day=1)
    return day


def _next_period(start: date, unit: str) -> date:
    if unit == "week":
        return start + timedelta(days=7)
    if unit == "month":
        return (start.replace(day=28) + timedelta(days=4)).replace(day=1)
    return start + timedelta(days=1)


def _top(counter: Counter[str], limit: int, other: str) -> list[tuple[str, int]]:
    """The ``limit`` largest counts (ties by name), the rest summed as ``other``."""
    ranked = sorted(counter.items(), key=lambda item: (-item[1], item[0]))
    if len(ranked) <= limit:
        return ranked
    return [*ranked[: limit - 1], (other, sum(n for _, n in ranked[limit - 1 :]))]


@dataclass(slots=True)
class ChartCounts:
    """Counts flagged findings as they stream into the report."""

    by_day: Counter[tuple[date, str]] = field(default_factory=Counter)
    outlets: Counter[str] = field(default_factory=Counter)
    techniques: Counter[str] = field(default_factory=Counter)
    dated: int = 0  # flagged posts with a date
    undated: int = 0  # flagged posts without one (or with one that does not parse)
    _post: Post | None = None
    _day: date | None = None
    _seen: set[str] = field(default_factory=set)

    def add(self, finding: Finding) -> None:
        """Count one flagged finding (the caller filters)."""
        post = finding.post
        if post is None or post != self._post:  # a new post (findings without one are their own)
            self._post, self._seen = post, set()
            self._day = post_day(post.created_at) if post is not None else None
            self.dated += self._day is not None
            self.undated += self._day is None
        day = self._day
        outlet = finding.verdict.impersonates.name if finding.verdict.impersonates else NO_OUTLET
        if "o:" + outlet not in self._seen:
            self._seen.add("o:" + outlet)
            self.outlets[outlet] += 1
            if day is not None:
                self.by_day[day, outlet] += 1
        for technique in finding.verdict.techniques:
            if "t:" + technique not in self._seen:
                self._seen.add("t:" + technique)
                self.techniques[technique] += 1

    @property
    def has_dates(self) -> bool:
        return bool(self.by_day)

    def timeline(self) -> Timeline:
        days = [day for day, _ in self.by_day]
        first, last = min(days), max(days)
        span = (last - first).days + 1
        unit = "day" if span <= CHART_MAX_DAYS else "week" if span <= CHART_MAX_WEEKS * 7 else "month"
        periods: list[date] = []
        start, end = _period_start(first, unit), _period_start(last, unit)
        while start <= end:
            periods.append(start)
            start = _next_period(start, unit)
        index = {period: i for i, period in enumerate(periods)}
        totals: Counter[str] = Counter()
        for (_, outlet), n in self.by_day.items():
            totals[outlet] += n
        shown = [name for name, _ in _top(totals, CHART_MAX_SERIES, OTHER_OUTLETS)]
        rows = {name: [0] * len(periods) for name in shown}
        for (day, outlet), n in self.by_day.items():
            name = outlet if outlet in rows else OTHER_OUTLETS
            rows[name][index[_period_start(day, unit)]] += n
        return Timeline(unit, tuple(periods), tuple((name, tuple(rows[name])) for name in shown))

    def top_outlets(self) -> list[tuple[str, int]]:
        return _top(self.outlets, CHART_MAX_BARS, OTHER_OUTLETS)

    def top_techniques(self) -> list[tuple[str, int]]:
        return _top(self.techniques, CHART_MAX_BARS, OTHER)
