"""Markdown for pasting into an issue tracker: summary, flagged-domain table, evidence bullets.

Every input string is escaped so it renders as the literal text: no tables broken by ``|``, no
links, emphasis, headings or raw HTML smuggled in through a post or a domain.
"""

from __future__ import annotations

import re

from linkguard.models import ScanStats
from linkguard.report.base import GroupedReporter
from linkguard.report.defang import defang, defang_text
from linkguard.report.fields import Column, group_columns, outlets_imitated, summary_items
from linkguard.report.grouping import Group
from linkguard.report.sanitize import one_line

_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|~])")
_LINE_START = re.compile(r"^([-=>]|\d+\.)")


def md_escape(text: str) -> str:
    """Escape text for a Markdown table cell or list item (single line)."""
    text = one_line(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _SPECIAL.sub(r"\\\1", text)
    return _LINE_START.sub(r"\\\1", text)


class MarkdownReporter(GroupedReporter):
    name = "markdown"

    def _text(self, text: str) -> str:
        return md_escape(defang_text(text) if self.defang else text)

    def _table(self, groups: list[Group], columns: tuple[Column[Group], ...]) -> list[str]:
        lines = [
            "| " + " | ".join(c.title for c in columns) + " |",
            "| " + " | ".join("---:" if c.numeric else "---" for c in columns) + " |",
        ]
        for group in groups:
            lines.append(
                "| " + " | ".join(self._text(str(c.get(group, self.defang))) for c in columns) + " |"
            )
        return lines

    def _details(self, group: Group, columns: tuple[Column[Group], ...]) -> list[str]:
        head = f"### {self._text(str(columns[0].get(group, self.defang)))}"
        lines = [head, ""]
        outlets = outlets_imitated(group) if self.group_by != "outlet" else []
        if len(outlets) == 1:
            lines.append(f"Impersonates **{md_escape(outlets[0][0])}**.")
            lines.append("")
        elif outlets:  # a source file imitating several outlets is named after none of them
            named = ", ".join(
                f"**{md_escape(label)}** ({n} link{'s' if n != 1 else ''})" for label, n in outlets
            )
            lines.append(f"Imitates {len(outlets)} outlets: {named}.")
            lines.append("")
        if group.techniques:
            lines.append("Techniques: " + ", ".join(md_escape(t) for t in group.techniques))
            lines.append("")
        lines += [f"- **{md_escape(e.kind)}**: {self._text(e.detail)}" for e in group.evidence]
        lines += [f"- URL: {self._text(defang(url) if self.defang else url)}" for url in group.urls]
        lines.append("")
        return lines

    def _clusters(self) -> list[str]:
        from linkguard.forensics.clusters import FACT_LABELS  # late: only online scans have clusters
        from linkguard.report.clusterview import shown_member, shown_value

        def member(domain: str) -> str:
            return md_escape(shown_member(domain, self.defang))

        lines = [f"## Infrastructure clusters ({len(self.clusters)})", ""]
        for cluster in self.clusters:
            lines += [
                f"### {md_escape(cluster.id)} ({len(cluster.members)} domains)",
                "",
                "Domains: " + ", ".join(member(m) for m in cluster.members),
                "",
                "| Shared | Value | Domains |",
                "| --- | --- | --- |",
            ]
            lines += [
                f"| {md_escape(FACT_LABELS[f.kind])} | {md_escape(shown_value(f, self.defang))} | "
                + ", ".join(member(m) for m in f.members)
                + " |"
                for f in cluster.shared
            ]
            lines.append("")
        return lines

    def _close(self, stats: ScanStats) -> None:
        groups = self.grouper.groups()
        flagged = [g for g in groups if g.flagged]
        rest = [g for g in groups if not g.flagged]
        columns = group_columns(self.group_by)
        lines = ["# linkguard report", "", f"Generated {self.now.strftime('%Y-%m-%d %H:%M:%S %Z')}.", ""]
        lines += [f"- **{item.label}**: {md_escape(item.value)}" for item in summary_items(stats)]
        lines += ["", f"## Flagged ({len(flagged)})", ""]
        lines += self._table(flagged, columns) if flagged else ["No flagged domains."]
        lines.append("")
        if flagged:
            lines += ["## Evidence", ""]
            for group in flagged:
                lines += self._details(group, columns)
        if self.clusters:
            lines += self._clusters()
        if rest:
            lines += [f"## Other ({len(rest)})", "", *self._table(rest, columns), ""]
        self.out.write("\n".join(lines).rstrip("\n") + "\n")
