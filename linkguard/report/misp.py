"""MISP event JSON: the flagged domains as attributes CTI platforms import, next to the STIX bundle.

One event per report (``{"Event": …}``, the MISP core format an instance imports and a MISP feed
serves): per flagged domain a ``domain`` attribute for detection (``to_ids``) whose comment holds
the verdict and evidence, tagged with the campaign and source when a blocklist named them
(``linkguard:campaign="…"``, ``linkguard:source="…"``, ``linkguard:source_url="…"``), and its URLs
as ``url`` attributes for context. An event ``comment`` attribute names the feeds in force and their
dates. UUIDs are UUIDv5s of their content and the report time, so a fixed ``now`` repeats the file.
``linkguard rules import`` reads such an event back as blocked rules with their source.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from linkguard.models import ScanStats
from linkguard.report.base import FlaggedDomainsReporter
from linkguard.report.grouping import Group

NAMESPACE = uuid.UUID("0b3f7c1e-2d4a-5f6b-8c9d-6d6973706c67")
_FLAGGED = ("malicious", "suspicious")


def _uuid(*parts: str) -> str:
    return str(uuid.uuid5(NAMESPACE, "\0".join(parts)))


def _tag(key: str, value: str) -> dict[str, str]:
    return {"name": f'linkguard:{key}="{value.replace(chr(34), chr(39))}"'}


class MispReporter(FlaggedDomainsReporter):
    """One MISP event of the flagged domains (one attribute per domain, whatever ``group_by`` says)."""

    name = "misp"

    def _attributes(self, group: Group, stamp: str) -> list[dict[str, Any]]:
        evidence = "; ".join(f"{e.kind}: {e.detail}" for e in group.evidence)
        imitates = f", imitates {group.outlet.title}" if group.outlet else ""
        tags: list[dict[str, str]] = []
        for e in group.evidence:
            if e.kind == "blocklist":
                for key in ("campaign", "source", "source_url"):
                    if e.data.get(key):
                        tags.append(_tag(key, str(e.data[key])))
                break
        domain = {
            "uuid": _uuid("attribute", group.key, stamp),
            "type": "domain",
            "category": "Network activity",
            "value": group.key,
            "to_ids": True,
            "comment": f"linkguard {group.status} {group.score}/100{imitates}. {evidence}".strip(),
            "Tag": tags,
        }
        urls = [
            {
                "uuid": _uuid("attribute", url, stamp),
                "type": "url",
                "category": "Network activity",
                "value": url,
                "to_ids": False,
                "comment": f"link to {group.key} seen in the scanned posts",
            }
            for url in group.urls
        ]
        return [domain, *urls]

    def event(self, stats: ScanStats) -> dict[str, Any]:
        stamp = self.now.isoformat()
        groups = [g for g in self.grouper.groups() if g.status in _FLAGGED]
        attributes = [a for g in groups for a in self._attributes(g, stamp)]
        if stats.feeds:
            dates = ", ".join(f"{k} {v}" for k, v in sorted(stats.feeds.items()))
            attributes.append(
                {
                    "uuid": _uuid("feeds", dates, stamp),
                    "type": "comment",
                    "category": "Other",
                    "value": f"linkguard indicator feeds in force: {dates}",
                    "to_ids": False,
                }
            )
        return {
            "Event": {
                "uuid": _uuid("event", stamp, *(g.key for g in groups)),
                "info": f"linkguard: {len(groups)} flagged domain(s) in links from scanned posts",
                "date": self.now.date().isoformat(),
                "timestamp": str(int(self.now.timestamp())),
                "threat_level_id": "2",
                "analysis": "2",
                "distribution": "0",
                "published": False,
                "Orgc": {"name": "linkguard"},
                "Attribute": attributes,
            }
        }

    def _close(self, stats: ScanStats) -> None:
        self.out.write(json.dumps(self.event(stats), ensure_ascii=False, indent=2) + "\n")
