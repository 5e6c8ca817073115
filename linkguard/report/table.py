"""Terminal table (rich): flagged domains, then the evidence for each.

All input text goes through :func:`one_line` and into ``Text`` objects (never markup), so a post
cannot inject rich markup, ANSI escapes or bidi overrides into the terminal.
"""

from __future__ import annotations

import io
import os

from rich import box
from rich.console import Console
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from linkguard.models import ScanStats
from linkguard.report.base import GroupedReporter
from linkguard.report.defang import defang, defang_text
from linkguard.report.fields import group_columns, outlets_imitated, summary_line
from linkguard.report.grouping import Group
from linkguard.report.sanitize import one_line

#: Width used when the output is not a terminal (files, pipes), so output is reproducible.
FILE_WIDTH = 100
_STATUS_STYLE = {"malicious": "bold red", "suspicious": "yellow", "shortened": "cyan", "trusted": "green"}


def use_color(out: object, color: bool | None) -> bool:
    """Explicit choice wins; otherwise colour only on a TTY and only without ``NO_COLOR``."""
    if color is not None:
        return color
    isatty = getattr(out, "isatty", None)
    return bool(isatty and isatty()) and not os.environ.get("NO_COLOR")


class TableReporter(GroupedReporter):
    name = "table"

    def _clean(self, text: str) -> str:
        return one_line(defang_text(text) if self.defang else text)

    def _table(self, groups: list[Group]) -> Table:
        table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
        columns = group_columns(self.group_by)
        for column in columns:
            table.add_column(
                column.title,
                justify="right" if column.numeric else "left",
                overflow="fold",
                no_wrap=column.numeric,
            )
        for group in groups:
            cells = [Text(self._clean(str(column.get(group, self.defang)))) for column in columns]
            table.add_row(*cells, style=_STATUS_STYLE.get(group.status, ""))
        return table

    def _details(self, console: Console, group: Group) -> None:
        key = group_columns(self.group_by)[0].get(group, self.defang)
        head = Text(self._clean(str(key)), style="bold")
        outlets = outlets_imitated(group) if self.group_by != "outlet" else []
        if len(outlets) == 1:
            head.append(" impersonates " + one_line(outlets[0][0]))
        elif outlets:  # a source file imitating several outlets is named after none of them
            head.append(f" imitates {len(outlets)} outlets: " + one_line(", ".join(o for o, _ in outlets)))
        console.print(head)
        lines = [f"• {item.kind}: {item.detail}" for item in group.evidence]
        lines += [f"↳ {defang(url) if self.defang else url}" for url in group.urls[:3]]
        lines += [f"“{snippet.text}” ({snippet.where})" for snippet in group.contexts[:1]]
        for line in lines:
            console.print(Padding(Text(self._clean(line)), (0, 0, 0, 2), expand=False))

    def _clusters(self, console: Console) -> None:
        from linkguard.forensics.clusters import FACT_LABELS  # late: only online scans have clusters
        from linkguard.report.clusterview import shown_member, shown_value

        for cluster in self.clusters:
            members = ", ".join(shown_member(m, self.defang) for m in cluster.members)
            console.print()
            head = f"Infrastructure cluster {cluster.id} ({len(cluster.members)} domains): {members}"
            console.print(Text(one_line(head), style="bold"))
            for fact in cluster.shared:
                held = ", ".join(shown_member(m, self.defang) for m in fact.members)
                line = f"• {FACT_LABELS[fact.kind]} {shown_value(fact, self.defang)}: {held}"
                console.print(Padding(Text(one_line(line)), (0, 0, 0, 2), expand=False))

    def _close(self, stats: ScanStats) -> None:
        color = use_color(self.out, self.color)
        isatty = getattr(self.out, "isatty", None)
        width = Console(file=self.out).width if isatty and isatty() else FILE_WIDTH
        # Rendered to a buffer so that rich's cell padding can be trimmed from plain output.
        buffer = io.StringIO()
        console = Console(
            file=buffer,
            color_system="auto" if color else None,
            force_terminal=color,
            no_color=not color,
            width=width,
            markup=False,
            emoji=False,
            highlight=False,
        )
        console.print(Text("linkguard: " + one_line(summary_line(stats)), style="bold"))
        groups = self.grouper.groups()
        flagged = [g for g in groups if g.flagged]
        rest = [g for g in groups if not g.flagged]
        if flagged:
            console.print(Text(f"\nFlagged ({len(flagged)})", style="bold"))
            console.print(self._table(flagged))
            console.print()
            for group in flagged:
                self._details(console, group)
        else:
            console.print("No flagged domains.")
        if self.clusters:
            self._clusters(console)
        if rest:
            console.print(Text(f"\nOther ({len(rest)})", style="bold"))
            console.print(self._table(rest))
        text = buffer.getvalue()
        if not color:
            text = "\n".join(line.rstrip() for line in text.split("\n"))
        self.out.write(text)
