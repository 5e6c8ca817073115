"""MISP events and STIX 2.1 bundles of domain/URL indicators, read as ``[[blocked]]`` rules with their source.

These are the formats CTI teams and platform trust-and-safety teams exchange. Only indicators meant
for detection are taken: MISP attributes of type domain, hostname, url, uri, ``domain|ip`` with
``to_ids`` not false; STIX ``indicator`` objects whose pattern compares ``domain-name:value`` or
``url:value``. A sub-domain indicator (``x.tilda.ws``) is left out and said so: a rule covers the
whole registrable domain. Each rule names its source (the event or the bundle's creator and the
indicator), its campaign (galaxy/tag, or the campaign/intrusion set the indicator indicates) and its
date; ``--source``/``--campaign`` fill what the file does not say.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from linkguard.errors import FeedError
from linkguard.feeds.entries import domains_in, host_of
from linkguard.rulestore import ImportRow

#: MISP attribute types that name a host or a URL.
MISP_TYPES = frozenset({"domain", "hostname", "url", "uri", "domain|ip", "hostname|port", "link"})
_GALAXY = re.compile(r'^misp-galaxy:(?:threat-actor|intrusion-set|campaign|[a-z-]+)="(.+)"$')
_LINKGUARD_TAG = re.compile(r'^linkguard:(campaign|source|source_url)="(.*)"$')
_STIX_VALUE = re.compile(r"\b(domain-name|url):value\s*=\s*'((?:[^'\\]|\\.)*)'")
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def read_indicator_file(path: Path, defaults: dict[str, str] | None = None) -> list[ImportRow] | None:
    """Rows for ``rules import``; ``None`` when ``path`` is no JSON file (the other formats apply)."""
    if path.suffix.lower() != ".json":
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise FeedError(f"{path}: cannot read as JSON: {exc}") from None
    defaults = {k: v for k, v in (defaults or {}).items() if v and k in ("source", "campaign")}
    if isinstance(data, dict) and data.get("type") == "bundle":
        found = list(_stix(data))
    elif _events(data):
        found = [item for event in _events(data) for item in _misp(event)]
    else:
        raise FeedError(f"{path}: neither a MISP event (an 'Event' object) nor a STIX 2.1 bundle")
    return _rows(path, found, defaults)


def _rows(path: Path, found: list[tuple[str, dict[str, str]]], defaults: dict[str, str]) -> list[ImportRow]:
    rows: list[ImportRow] = []
    seen: set[str] = set()
    skipped: list[str] = []
    for n, (value, fields) in enumerate(found, 1):
        domains = domains_in(value)
        if not domains:
            candidates = domains_in(value, subdomains=True)
            skipped += [host_of(value)] if candidates else []
            continue
        for domain in domains:
            if domain not in seen:
                seen.add(domain)
                rows.append(ImportRow(str(path), n, "blocked", {**fields, **defaults, "domain": domain}))
    if not rows:
        raise FeedError(f"{path}: no domain or URL indicator to import")
    if skipped:
        note = (
            f"left out {len(skipped)} sub-domain indicator(s) (a rule would cover the whole parent "
            f"domain): {', '.join(skipped[:10])}"
        )
        rows[0] = ImportRow(rows[0].file, rows[0].line, rows[0].table, rows[0].fields, (note,))
    return rows


# --- MISP ----------------------------------------------------------------------------------------


def _events(data: Any) -> list[dict[str, Any]]:
    """Events of a single event (``{"Event": …}``), a list of them, or a REST search answer."""
    if isinstance(data, dict) and isinstance(data.get("response"), list):
        data = data["response"]
    items = data if isinstance(data, list) else [data]
    return [i["Event"] for i in items if isinstance(i, dict) and isinstance(i.get("Event"), dict)]


def _tags(obj: dict[str, Any]) -> list[str]:
    tags = obj.get("Tag", [])
    return (
        [str(t["name"]) for t in tags if isinstance(t, dict) and "name" in t]
        if isinstance(tags, list)
        else []
    )


def _tag_fields(tags: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for tag in tags:
        own = _LINKGUARD_TAG.match(tag)
        if own:
            out[own.group(1)] = own.group(2)
            continue
        galaxy = _GALAXY.match(tag)
        if galaxy:
            out.setdefault("campaign", galaxy.group(1))
    return out


def _misp(event: dict[str, Any]) -> Iterator[tuple[str, dict[str, str]]]:
    info = str(event.get("info", "")).strip() or "untitled event"
    org = event.get("Orgc") or event.get("Org") or {}
    org_name = str(org.get("name", "")).strip() if isinstance(org, dict) else ""
    date = str(event.get("date", ""))[:10]
    attributes = [a for a in event.get("Attribute", []) if isinstance(a, dict)]
    for obj in event.get("Object", []) or []:
        if isinstance(obj, dict):
            attributes += [a for a in obj.get("Attribute", []) if isinstance(a, dict)]
    links = [str(a.get("value", "")) for a in attributes if a.get("type") == "link"]
    base = {
        "source": f"{org_name}, MISP event '{info}'" if org_name else f"MISP event '{info}'",
        "reported": date if _DAY.fullmatch(date) else "",
        "source_url": links[0] if links else "",
    } | _tag_fields(_tags(event))
    for a in attributes:
        kind = str(a.get("type", ""))
        if kind not in MISP_TYPES or kind == "link" or a.get("to_ids") is False:
            continue
        value = str(a.get("value", "")).split("|", 1)[0]
        yield value, {k: v for k, v in (base | _tag_fields(_tags(a))).items() if v}


# --- STIX 2.1 ------------------------------------------------------------------------------------


def _stix(bundle: dict[str, Any]) -> Iterator[tuple[str, dict[str, str]]]:
    objects = [o for o in bundle.get("objects", []) if isinstance(o, dict)]
    by_id = {str(o.get("id")): o for o in objects}
    names = {
        str(r.get("source_ref")): str(by_id[str(r.get("target_ref"))].get("name", ""))
        for r in objects
        if r.get("type") == "relationship"
        and r.get("relationship_type") in ("indicates", "attributed-to", "related-to")
        and by_id.get(str(r.get("target_ref")), {}).get("type")
        in ("campaign", "intrusion-set", "threat-actor")
    }
    for o in objects:
        if o.get("type") != "indicator" or o.get("pattern_type", "stix") != "stix":
            continue
        creator = by_id.get(str(o.get("created_by_ref")), {}).get("name", "")
        name = str(o.get("name", "")).strip() or "indicator"
        refs = [
            r.get("url") for r in o.get("external_references", []) if isinstance(r, dict) and r.get("url")
        ]
        date = str(o.get("valid_from") or o.get("created") or "")[:10]
        fields = {
            "source": f"{creator}, STIX indicator '{name}'" if creator else f"STIX indicator '{name}'",
            "campaign": names.get(str(o.get("id")), ""),
            "source_url": str(refs[0]) if refs else "",
            "reported": date if _DAY.fullmatch(date) else "",
        }
        for _kind, raw in _STIX_VALUE.findall(str(o.get("pattern", ""))):
            value = re.sub(r"\\(.)", r"\1", raw)
            yield value, {k: v for k, v in fields.items() if v}
