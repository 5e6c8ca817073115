"""How reports show an infrastructure cluster: names defanged like the rest of a human report,
and, for HTML, a drawing as static inline SVG: domains on the left, what they share on the right,
a line for each "this domain has that".

No script and nothing fetched (the HTML report's CSP forbids both); every coordinate is computed
here, every text passes through the caller's escaper, and nothing from the input becomes an
attribute. A two-column layout needs no graph-layout library and reads in any order; the table
the HTML report prints under the drawing says the same for screen readers.
"""

from __future__ import annotations

from html import escape

from linkguard.forensics.clusters import FACT_LABELS, Cluster, SharedFact
from linkguard.report.defang import defang
from linkguard.report.sanitize import one_line

#: Facts whose values are host names or addresses: human reports defang them like domains.
HOST_KINDS = frozenset({"ip", "nameserver", "redirect-target", "tls-name"})

#: Nodes drawn per column; a larger cluster is listed whole in the table under the drawing.
MAX_DRAWN = 30
_ROW = 30
_BOX_H = 22
_WIDTH = 760
_LEFT_X, _LEFT_W = 10, 250
_RIGHT_X, _RIGHT_W = 450, 300
#: Characters of a label that fit in a box at the report's font size.
_LABEL_CHARS = 38


def shown_member(domain: str, defanged: bool) -> str:
    return defang(domain) if defanged else domain


def shown_value(fact: SharedFact, defanged: bool) -> str:
    return defang(fact.value) if defanged and fact.kind in HOST_KINDS else fact.value


def _h(text: str) -> str:
    return escape(one_line(text), quote=True)


def _cut(text: str, limit: int = _LABEL_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _column_y(count: int, rows: int) -> list[int]:
    """Vertical centres of ``count`` boxes, the shorter column centred against the longer."""
    top = 10 + (rows - count) * _ROW // 2
    return [top + i * _ROW + _BOX_H // 2 for i in range(count)]


def cluster_svg(cluster: Cluster, defanged: bool, title_id: str) -> str:
    """The drawing, every label escaped (and defanged when ``defanged``); ``title_id`` is an element
    id the caller made (never from input)."""
    members = list(cluster.members[:MAX_DRAWN])
    facts = list(cluster.shared[:MAX_DRAWN])
    rows = max(len(members), len(facts), 1)
    height = 20 + rows * _ROW
    left = dict(zip(members, _column_y(len(members), rows), strict=True))
    right = _column_y(len(facts), rows)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="cluster-graph" role="img" '
        f'aria-labelledby="{title_id}" viewBox="0 0 {_WIDTH} {height}" width="{_WIDTH}" height="{height}">',
        f'<title id="{title_id}">{len(cluster.members)} domains and the infrastructure they share</title>',
    ]
    for fact, y in zip(facts, right, strict=True):
        for member in fact.members:
            if member in left:
                parts.append(
                    f'<line x1="{_LEFT_X + _LEFT_W}" y1="{left[member]}" x2="{_RIGHT_X}" y2="{y}" '
                    'stroke="#9e9e9e" stroke-width="1.5"/>'
                )
    for member, y in left.items():
        parts.append(
            f'<rect x="{_LEFT_X}" y="{y - _BOX_H // 2}" width="{_LEFT_W}" height="{_BOX_H}" rx="4" '
            'fill="#fff3e0" stroke="#ef6c00"/>'
        )
        name = _h(_cut(shown_member(member, defanged)))
        parts.append(f'<text x="{_LEFT_X + 8}" y="{y + 5}" font-size="13">{name}</text>')
    for fact, y in zip(facts, right, strict=True):
        parts.append(
            f'<rect x="{_RIGHT_X}" y="{y - _BOX_H // 2}" width="{_RIGHT_W}" height="{_BOX_H}" rx="4" '
            'fill="#e3f2fd" stroke="#1565c0"/>'
        )
        label = f"{FACT_LABELS[fact.kind]}: {shown_value(fact, defanged)}"
        parts.append(f'<text x="{_RIGHT_X + 8}" y="{y + 5}" font-size="12">{_h(_cut(label, 42))}</text>')
    parts.append("</svg>")
    return "".join(parts)
