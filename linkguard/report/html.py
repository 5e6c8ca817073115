"""One self-contained HTML file: summary, flagged-domain table, per-domain evidence and posts.

Security model: every input string is HTML-escaped after bidi/control characters are made
visible; nothing from the input becomes an attribute, URL or id; no link to a flagged URL is
clickable; and a strict CSP forbids scripts and any external fetch even if escaping failed.
"""

from __future__ import annotations

from html import escape

from linkguard.models import Finding, ScanStats
from linkguard.report.base import GroupedReporter
from linkguard.report.chartdata import ChartCounts
from linkguard.report.defang import defang, defang_text
from linkguard.report.fields import Column, group_columns, outlets_imitated, summary_items
from linkguard.report.grouping import Group
from linkguard.report.sanitize import one_line
from linkguard.report.snippet import Snippet

_NUM_CELL = '<td class="num">'
_NUM_CLASS = ' class="num"'
CSP = "default-src 'none'; style-src 'unsafe-inline'"

_STYLE = """
body{font:15px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:72rem;padding:0 1rem;color:#1b1b1b}
h1{font-size:1.6rem}h2{margin-top:2rem;border-bottom:1px solid #ddd}
dl.summary{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem}
dl.summary dt{font-weight:600}dl.summary dd{margin:0}
table{border-collapse:collapse;width:100%}
th,td{border-bottom:1px solid #e3e3e3;padding:.35rem .6rem;text-align:left;vertical-align:top;
unicode-bidi:isolate;overflow-wrap:anywhere}
th{background:#f4f4f4;cursor:default;white-space:nowrap}
td.num,th.num{text-align:right}
tr.malicious td:first-child{border-left:4px solid #c62828}
tr.suspicious td:first-child{border-left:4px solid #f9a825}
.verdict-malicious{color:#b71c1c;font-weight:600}.verdict-suspicious{color:#8d6e00;font-weight:600}
section.group{border:1px solid #ddd;border-radius:6px;padding:.2rem 1rem 1rem;margin:1rem 0}
blockquote{margin:.3rem 0;padding:.3rem .6rem;background:#fafafa;border-left:3px solid #bbb;
unicode-bidi:isolate;overflow-wrap:anywhere;font-family:ui-monospace,monospace;font-size:.9em}
mark{background:#ffe082;font-weight:600}
code{overflow-wrap:anywhere}
.where{color:#555;font-size:.9em}
figure{margin:1rem 0}svg.chart{width:100%;height:auto}svg.chart *{stroke-linejoin:round}
table.numbers{width:auto;margin-bottom:1rem}caption{text-align:left;font-weight:600;padding:.3rem 0}
.numbers-side{display:flex;flex-wrap:wrap;gap:0 2rem;align-items:flex-start}
"""
#: Added only to reports that have clusters (the rest stay byte-identical).
_CLUSTER_STYLE = """
section.cluster{border:1px solid #90caf9;border-radius:6px;padding:.2rem 1rem 1rem;margin:1rem 0}
svg.cluster-graph{max-width:100%;height:auto;font-family:system-ui,sans-serif}
caption{text-align:left;font-weight:600;padding:.3rem 0}
"""


def h(text: str) -> str:
    """Escape untrusted text for an HTML text node (bidi/control characters made visible)."""
    return escape(one_line(text), quote=True)


def _numbers(table_id: str, caption: str, head: list[str], rows: list[list[str | int]]) -> list[str]:
    """A chart's numbers as a table (first column text, the rest counts)."""
    header = "".join(f'<th scope="col"{_NUM_CLASS if i else ""}>{h(t)}</th>' for i, t in enumerate(head))
    body = [
        "<tr>"
        + "".join(f"<td{_NUM_CLASS if i else ''}>{h(str(cell))}</td>" for i, cell in enumerate(row))
        + "</tr>"
        for row in rows
    ]
    return [
        f'<table class="numbers" id="{table_id}">',
        f"<caption>{h(caption)}</caption>",
        f"<thead><tr>{header}</tr></thead>",
        "<tbody>",
        *body,
        "</tbody>",
        "</table>",
    ]


def _rows(items: list[tuple[str, int]]) -> list[list[str | int]]:
    return [[name, n] for name, n in items]


def charts_section(counts: ChartCounts) -> list[str]:
    """The report's opening pictures, each with its numbers in a table below it: a timeline of
    flagged posts per period by imitated outlet, and the outlets imitated and techniques used.
    Without matplotlib (the ``charts`` extra) the tables stand alone and say so."""
    timeline = counts.timeline()
    outlets, techniques = counts.top_outlets(), counts.top_techniques()
    names = [name for name, _ in timeline.series]
    timeline_rows: list[list[str | int]] = [
        [timeline.label(period), *(counts_[i] for _, counts_ in timeline.series), total]
        for i, period in enumerate(timeline.periods)
        if (total := sum(counts_[i] for _, counts_ in timeline.series))
    ]
    lines = ['<section id="charts">', "<h2>Flagged posts over time</h2>"]
    try:
        from linkguard.report.charts import ChartsUnavailable, breakdown_svg, outlet_colours, timeline_svg

        colours = outlet_colours(list(dict.fromkeys([*names, *(name for name, _ in outlets)])))
        pictures: tuple[str, str] | None = (
            timeline_svg(timeline, colours),
            breakdown_svg(outlets, techniques, colours),
        )
    except ChartsUnavailable:
        pictures = None
        lines.append(
            '<p class="where" id="charts-unavailable">Charts need matplotlib, which is not installed '
            "(<code>pip install 'linkguard[charts]'</code>); the numbers are in the tables.</p>"
        )
    if counts.undated:
        lines.append(
            f'<p class="where">{counts.undated} flagged post(s) carry no date: not in the timeline.</p>'
        )
    if pictures:
        lines.append(f'<figure id="timeline-chart">{pictures[0]}</figure>')
    lines += _numbers(
        "timeline-table",
        f"Flagged posts per {timeline.unit} (periods with none left out)",
        [timeline.unit.capitalize(), *names, "Total"],
        timeline_rows,
    )
    lines.append("<h2>Outlets imitated and techniques used</h2>")
    if pictures:
        lines.append(f'<figure id="breakdown-chart">{pictures[1]}</figure>')
    lines.append('<div class="numbers-side">')
    lines += _numbers(
        "outlets-table", "Flagged posts per imitated outlet", ["Outlet", "Posts"], _rows(outlets)
    )
    lines += _numbers(
        "techniques-table", "Flagged posts per technique", ["Technique", "Posts"], _rows(techniques)
    )
    lines += ["</div>", "</section>"]
    return lines


class HtmlReporter(GroupedReporter):
    name = "html"

    def _text(self, text: str) -> str:
        return h(defang_text(text) if self.defang else text)

    def _url(self, url: str) -> str:
        return h(defang(url) if self.defang else url)

    def _setup(self) -> None:
        super()._setup()
        self._charts = ChartCounts()

    def _add(self, finding: Finding, context: str | None) -> None:
        super()._add(finding, context)
        if finding.flagged:
            self._charts.add(finding)

    def _table(self, table_id: str, groups: list[Group], columns: tuple[Column[Group], ...]) -> list[str]:
        head = "".join(f'<th scope="col"{_NUM_CLASS if c.numeric else ""}>{h(c.title)}</th>' for c in columns)
        rows = []
        for group in groups:
            cells = []
            for index, column in enumerate(columns):
                value = self._text(str(column.get(group, self.defang)))
                if index == 0 and group.flagged:
                    value = f'<a href="#{self._anchor(group)}">{value}</a>'
                elif column.key == "verdict":
                    value = f'<span class="verdict-{h(group.status)}">{value}</span>'
                cells.append((_NUM_CELL if column.numeric else "<td>") + value + "</td>")
            rows.append(f'<tr class="{h(group.status)}">{"".join(cells)}</tr>')
        return [
            f'<table id="{table_id}">',
            f"<thead><tr>{head}</tr></thead>",
            "<tbody>",
            *rows,
            "</tbody>",
            "</table>",
        ]

    def _anchor(self, group: Group) -> str:
        # Never derived from input text: positions are stable within one report.
        return f"g{self._anchors.setdefault(id(group), len(self._anchors) + 1)}"

    def _snippet(self, snippet: Snippet) -> str:
        before, after = self._text(snippet.before), self._text(snippet.after)
        match = f"<mark>{self._url(snippet.match)}</mark>" if snippet.match else ""
        return (
            f'<li><span class="where">{h(snippet.where)}</span>'
            f"<blockquote>{before}{match}{after}</blockquote></li>"
        )

    def _details(self, group: Group, columns: tuple[Column[Group], ...]) -> list[str]:
        title = self._text(str(columns[0].get(group, self.defang)))
        posts = f"{group.posts} post{'s' if group.posts != 1 else ''}"
        facts = (
            f'Verdict <span class="verdict-{h(group.status)}">{h(group.status)}</span>, score {group.score}, '
            f"{posts}, first seen {h(group.first_seen)}."
        )
        outlets = outlets_imitated(group) if self.group_by != "outlet" else []
        if len(outlets) == 1:
            facts += f" Impersonates <strong>{h(outlets[0][0])}</strong>."
        elif outlets:  # a source file imitating several outlets is named after none of them
            named = ", ".join(
                f"<strong>{h(label)}</strong> ({n} link{'s' if n != 1 else ''})" for label, n in outlets
            )
            facts += f" Imitates {len(outlets)} outlets: {named}."
        lines = [
            f'<section class="group" id="{self._anchor(group)}">',
            f"<h3>{title}</h3>",
            f"<p>{facts}</p>",
        ]
        if group.techniques:
            lines.append(
                "<p>Techniques: " + ", ".join(f"<code>{h(t)}</code>" for t in group.techniques) + "</p>"
            )
        if group.evidence:
            lines.append("<h4>Evidence</h4>")
            lines.append("<ul>")
            lines += [
                f"<li><strong>{h(e.kind)}</strong>: {self._text(e.detail)}</li>" for e in group.evidence
            ]
            lines.append("</ul>")
        lines.append("<h4>URLs</h4>")
        lines.append("<ul>" + "".join(f"<li><code>{self._url(u)}</code></li>" for u in group.urls) + "</ul>")
        if group.contexts:
            lines.append(f"<h4>Posts (showing {len(group.contexts)} of {group.posts})</h4>")
            lines.append("<ol>")
            lines += [self._snippet(s) for s in group.contexts]
            lines.append("</ol>")
        lines.append("</section>")
        return lines

    def _clusters(self) -> list[str]:
        """Each cluster as a drawing (static SVG) and the same facts as a table."""
        from linkguard.forensics.clusters import FACT_LABELS  # late: only online scans have clusters
        from linkguard.report.clusterview import MAX_DRAWN, cluster_svg, shown_member, shown_value

        lines = [
            '<section id="clusters">',
            f"<h2>Infrastructure clusters ({len(self.clusters)})</h2>",
            "<p>Flagged domains that share infrastructure: addresses, name servers, registrar and "
            "week, certificates, page template, redirect targets.</p>",
        ]
        for number, cluster in enumerate(self.clusters, 1):
            anchor = f"cluster{number}"  # positional, never derived from input
            domains = ", ".join(f"<code>{h(shown_member(m, self.defang))}</code>" for m in cluster.members)
            lines += [
                f'<section class="cluster" id="{anchor}">',
                f"<h3>{h(cluster.id)} ({len(cluster.members)} domains)</h3>",
                f"<p>Domains: {domains}</p>",
                "<figure>",
                cluster_svg(cluster, self.defang, f"{anchor}-title"),
            ]
            if len(cluster.members) > MAX_DRAWN or len(cluster.shared) > MAX_DRAWN:
                lines.append(
                    f"<figcaption>The drawing shows the first {MAX_DRAWN} of each; the table lists all."
                    "</figcaption>"
                )
            lines += [
                "</figure>",
                '<table class="cluster-facts">',
                f"<caption>What the domains of {h(cluster.id)} share</caption>",
                '<thead><tr><th scope="col">Shared</th><th scope="col">Value</th>'
                '<th scope="col">Domains</th></tr></thead>',
                "<tbody>",
            ]
            for fact in cluster.shared:
                members = ", ".join(h(shown_member(m, self.defang)) for m in fact.members)
                value = h(shown_value(fact, self.defang))
                lines.append(
                    f"<tr><td>{h(FACT_LABELS[fact.kind])}</td><td><code>{value}</code></td>"
                    f"<td>{members}</td></tr>"
                )
            lines += ["</tbody>", "</table>", "</section>"]
        lines.append("</section>")
        return lines

    def _close(self, stats: ScanStats) -> None:
        self._anchors: dict[int, int] = {}
        groups = self.grouper.groups()
        flagged = [g for g in groups if g.flagged]
        rest = [g for g in groups if not g.flagged]
        columns = group_columns(self.group_by)
        generated = h(self.now.strftime("%Y-%m-%d %H:%M:%S %Z"))
        lines = [
            "<!DOCTYPE html>",
            '<html lang="en" dir="ltr">',
            "<head>",
            '<meta charset="utf-8">',
            f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
            '<meta name="referrer" content="no-referrer">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            "<title>linkguard report</title>",
            f"<style>{_STYLE}{_CLUSTER_STYLE if self.clusters else ''}</style>",
            "</head>",
            "<body>",
            "<h1>linkguard report</h1>",
            f'<p class="where">Generated {generated}.</p>',
            '<section id="summary">',
            "<h2>Summary</h2>",
            '<dl class="summary">',
            *(f"<dt>{h(item.label)}</dt><dd>{h(item.value)}</dd>" for item in summary_items(stats)),
            "</dl>",
            "</section>",
            *(charts_section(self._charts) if self._charts.has_dates else []),
            '<section id="flagged">',
            f"<h2>Flagged ({len(flagged)})</h2>",
        ]
        lines += self._table("flagged-table", flagged, columns) if flagged else ["<p>No flagged domains.</p>"]
        for group in flagged:
            lines += self._details(group, columns)
        lines.append("</section>")
        if self.clusters:
            lines += self._clusters()
        if rest:
            lines += ['<section id="other">', f"<h2>Other ({len(rest)})</h2>"]
            lines += [*self._table("other-table", rest, columns), "</section>"]
        lines += ["</body>", "</html>"]
        self.out.write("\n".join(lines) + "\n")
