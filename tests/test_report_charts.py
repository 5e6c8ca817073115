"""The HTML report's charts: counted per post, drawn as script-free inline SVG with its numbers in
tables, deterministic, absent (and matplotlib not imported) without post dates, tables alone
without matplotlib."""

from __future__ import annotations

import io
import re
import subprocess
import sys
from dataclasses import replace
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

from report_fixtures import NOW, WELT, findings, stats

from linkguard.cli import main
from linkguard.models import Finding, Outlet, Post, Verdict
from linkguard.report import open_writer
from linkguard.report.chartdata import OTHER_OUTLETS, ChartCounts, post_day
from linkguard.report.charts import OKABE_ITO, clean_svg
from linkguard.report.html import CSP

TESTS = Path(__file__).parent
#: Anything that could load or run something: an external reference, a script, a handler.
_URL = re.compile(r"url\(\s*(?!#)")
_LOADERS = ("script", "foreignobject", "image", "img", "iframe", "object", "embed", "link")


class _Risks(HTMLParser):
    """Every tag or attribute of a page that could load or run something."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _LOADERS:
            self.found.append(tag)
        for name, value in attrs:
            text = value or ""
            reference = name.endswith("href") or name == "src"
            if name.startswith("on") or (reference and not text.startswith("#")) or _URL.search(text):
                self.found.append(f"{tag} {name}={text}")


def risks(page: str) -> list[str]:
    parser = _Risks()
    parser.feed(page)
    return parser.found


def dated() -> list[tuple[Finding, str | None]]:
    """The fixture's findings as posts of three days (the flagged ones: two days)."""
    out = []
    for i, (finding, context) in enumerate(findings()):
        post = Post(
            "x",
            id=str(100 + i),
            url=f"https://x.com/i/status/{100 + i}",
            created_at=f"2024-04-{10 + i}T08:00:00Z",
        )
        out.append((replace(finding, post=post), context))
    return out


def html(items: list[tuple[Finding, str | None]]) -> str:
    out = io.StringIO()
    writer = open_writer("html", out, now=NOW)
    for finding, context in items:
        writer.add(finding, context)
    writer.close(stats())
    return out.getvalue()


def _flagged(
    outlet: Outlet | None, post: Post | None, techniques: tuple[str, ...] = ("tld-swap",)
) -> Finding:
    finding = findings()[0][0]
    verdict = Verdict(status="malicious", score=90, impersonates=outlet, techniques=techniques)
    return replace(finding, verdict=verdict, post=post)


def test_post_day_is_the_utc_day() -> None:
    assert post_day("2024-05-01T23:30:00-02:00") == date(2024, 5, 2)
    assert post_day("2024-05-01T10:00:00Z") == date(2024, 5, 1)
    assert post_day("2024-05-01") == date(2024, 5, 1)
    assert post_day("yesterday") is None and post_day(None) is None


def test_a_post_counts_once_per_outlet_and_technique() -> None:
    spiegel = Outlet("Der Spiegel", ("spiegel.de",))
    counts = ChartCounts()
    post = Post("x", id="1", created_at="2024-05-01T10:00:00Z")
    counts.add(_flagged(WELT, post, ("tld-swap", "blocklist")))
    counts.add(_flagged(WELT, Post("x", id="1", created_at="2024-05-01T10:00:00Z")))  # equal: same post
    counts.add(_flagged(spiegel, post))
    counts.add(_flagged(WELT, Post("x", id="2", created_at="2024-05-03T10:00:00Z")))
    counts.add(_flagged(WELT, None))  # no post, no date: counted, not in the timeline
    assert counts.outlets == {"Die Welt": 3, "Der Spiegel": 1}
    assert counts.techniques == {"tld-swap": 3, "blocklist": 1}
    assert (counts.dated, counts.undated) == (2, 1)
    timeline = counts.timeline()
    assert timeline.unit == "day"
    assert timeline.periods == (date(2024, 5, 1), date(2024, 5, 2), date(2024, 5, 3))  # empty days kept
    assert timeline.series == (("Die Welt", (1, 0, 1)), ("Der Spiegel", (1, 0, 0)))


def test_long_spans_are_counted_by_week_then_month_and_rare_outlets_summed() -> None:
    counts = ChartCounts()
    for i in range(10):
        outlet = Outlet(f"Outlet {i}", (f"o{i}.de",))
        counts.add(_flagged(outlet, Post("x", id=str(i), created_at=f"2024-{1 + i:02d}-15")))
    weekly = counts.timeline()
    assert weekly.unit == "week" and weekly.periods[0] == date(2024, 1, 15)  # a Monday
    assert len(weekly.series) == 7 and weekly.series[-1][0] == OTHER_OUTLETS
    assert [name for name, _ in weekly.series[:6]] == [f"Outlet {i}" for i in range(6)]
    assert sum(dict(weekly.series)[OTHER_OUTLETS]) == 4  # outlets 6-9, one post each
    counts.add(_flagged(WELT, Post("x", id="late", created_at="2027-01-01")))
    monthly = counts.timeline()
    assert monthly.unit == "month" and monthly.periods[0] == date(2024, 1, 1)
    assert sum(sum(c) for _, c in monthly.series) == 11
    assert counts.top_outlets()[0] == ("Die Welt", 1) and len(counts.top_outlets()) == 11


def test_clean_svg_keeps_drawing_only() -> None:
    hostile = (
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="10pt" '
        'onload="alert(1)"><script>alert(2)</script><style>*{fill:url(http://x/a)}</style>'
        '<metadata>m</metadata><a href="http://x/"><text>t</text></a><image href="http://x/i.png"/>'
        '<foreignObject><div>x</div></foreignObject><use xlink:href="http://x/#a"/>'
        '<path d="M0 0" clip-path="url(#c)" fill="url(http://x/#g)"/><text>&lt;b&gt; kept</text></svg>'
    )
    svg = clean_svg(hostile, "a chart")
    assert risks(svg) == [], svg
    assert "<title>a chart</title>" in svg and 'clip-path="url(#c)"' in svg and "&lt;b&gt; kept" in svg
    assert "alert" not in svg and "width" not in svg and "metadata" not in svg


def test_dated_posts_open_the_report_with_charts_and_their_tables() -> None:
    page = html(dated())
    charts = page.index('<section id="charts">')
    assert page.index('<section id="summary">') < charts < page.index('<section id="flagged">')
    assert page.count("<svg ") == 2 and page.count('role="img"') == 2
    assert risks(page) == []
    assert f'content="{CSP}"' in page
    assert OKABE_ITO[0].lower() in page.lower()  # the colour-blind-safe palette
    timeline = page[
        page.index('id="timeline-table"') : page.index("</table>", page.index('id="timeline-table"'))
    ]
    assert "<td>2024-04-10</td>" in timeline and "<td>2024-04-12</td>" in timeline
    assert "<td>2024-04-11</td>" in timeline  # the second Welt post
    outlets = page[page.index('id="outlets-table"') :]
    assert '<td>Die Welt</td><td class="num">2</td>' in outlets
    assert '<td>Der Spiegel</td><td class="num">1</td>' in outlets
    assert html(dated()) == page  # deterministic: ids from a fixed salt, no date in the SVG


def test_hostile_outlet_names_stay_text_in_the_charts() -> None:
    evil = Outlet("<script>alert(1)</script> $x^2$ \u202eevil", ("evil.example",))
    items = [(replace(f, verdict=replace(f.verdict, impersonates=evil)), c) for f, c in dated()]
    page = html(items)
    assert "<script>" not in page and risks(page) == []
    svg = page[page.index("<svg ") : page.index("</svg>")]
    assert "&lt;script&gt;alert(1)&lt;/script&gt; $x^2$ &lt;U+202E&gt;evil" in svg  # no TeX, bidi visible


def test_charts_through_the_cli_from_a_saved_scan(tmp_path: Path) -> None:
    saved = tmp_path / "saved.jsonl"
    out = io.StringIO()
    writer = open_writer("jsonl", out, now=NOW, show_all=True)
    for finding, context in dated():
        writer.add(finding, context)
    writer.close(stats())
    saved.write_text(out.getvalue(), encoding="utf-8")
    report = tmp_path / "report.html"
    assert main(["report", str(saved), "-o", str(report)]) == 1
    page = report.read_text(encoding="utf-8")
    assert page.count("<svg ") == 2 and 'id="timeline-table"' in page and risks(page) == []


_PROBE = """
import io, sys
sys.path.insert(0, {tests!r})
from test_report_charts import dated, html
from report_fixtures import findings
page = html(findings())  # no post dates
print("undated", '<section id="charts">' in page, "matplotlib" in sys.modules)
sys.modules["matplotlib"] = None  # as if the charts extra were not installed
page = html(dated())
print("without", 'id="charts-unavailable"' in page, "<svg" in page, 'id="timeline-table"' in page)
"""


def test_no_dates_no_matplotlib_and_no_matplotlib_tables_alone() -> None:
    probe = subprocess.run(
        [sys.executable, "-c", _PROBE.format(tests=str(TESTS))], capture_output=True, text=True, check=True
    )
    assert probe.stdout.splitlines() == ["undated False False", "without True False True"], probe.stderr
