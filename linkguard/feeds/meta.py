"""Meta's threat-research indicators (github.com/facebook/threat-research, MIT): influence-operation domains.

Two CSV layouts are in the repository. The 2020–2022 files have ``indicator_type, indicator_value,
comment, ds``; their ``domain_name`` rows whose comment says CIB (coordinated inauthentic behaviour)
are taken. The files since 2023 follow Meta's Online Operations Kill Chain (``Tactic, Technique,
Procedure, Indicator``); taken are the domains the operation acquired (procedure 0.6.2, "acquiring
domains to support influence operations"); the redirect domains (9.5.3, ~5,400 throwaway names of
Doppelganger's 2023 file) are a feed of their own, fetched on request, so that every start does
not parse them. URLs of legitimate sites
the operations posted on, social-media accounts and malware infrastructure (0.6.1) are not taken:
Meta itself warns that sharing an operation's links does not make one part of it.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import PurePosixPath
from urllib.parse import quote

from linkguard.errors import FeedError
from linkguard.feeds.entries import FeedEntry, domains_in

REPO = "facebook/threat-research"
SOURCE = "Meta threat-research indicators (github.com/facebook/threat-research)"
#: Files of influence operations (CIB, "IB cluster", named networks), not hacking or malware reports.
_INFLUENCE_FILE = re.compile(
    r"CIB|IB[ _]cluster|Doppelganger|Spamouflage|coordinated_inauthentic|adversarial_threat_report", re.I
)
_PERIOD = re.compile(r"\b(Q[1-4](?:-[1-4])?|H[12])[ _]*(\d{4})", re.I)
_MONTH = re.compile(r"^(\d{4})_(\d{2})_")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
#: Procedure whose indicator is a domain the operation acquired (its sites, clones and brands).
ACQUIRED = "0.6.2"
#: Procedure whose indicator is a redirect domain (thousands of throwaway names in one Doppelganger file).
REDIRECTS = "9.5.3"


def is_influence_file(path: str) -> bool:
    """A CSV of ``indicators/csv/`` about an influence operation."""
    p = PurePosixPath(path)
    return (
        p.parts[:2] == ("indicators", "csv") and p.suffix == ".csv" and bool(_INFLUENCE_FILE.search(p.name))
    )


def blob_url(path: str) -> str:
    return f"https://github.com/{REPO}/blob/main/{quote(path)}"


def report_period(path: str) -> str:
    """``2023-Q2``, ``2026-H1``, ``2025-Q2-3`` or ``2022-09`` from the file name: its report."""
    name = PurePosixPath(path).name
    matches = _PERIOD.findall(name)
    if matches:
        period, year = matches[-1]
        return f"{year}-{period.upper()}"
    month = _MONTH.match(name)
    return f"{month.group(1)}-{month.group(2)}" if month else ""


def network_label(path: str) -> str:
    """Meta's name for the network, from the file name: 'Doppelganger Russia-based CIB network'."""
    name = PurePosixPath(path).stem
    name = re.sub(r"^.*GithubIOCs - ", "", name)
    name = _PERIOD.sub(" ", name).replace("_", " ")
    name = re.sub(r"\bupdated\b", "", name, flags=re.I)
    name = re.sub(r"\s+", " ", name).strip(" -")
    if name.isupper() or name.islower():
        name = name.title()
    name = re.sub(r"(?i)\bcib\b", "CIB", re.sub(r"\bUs\b", "US", name))
    name = re.sub(r"(?i)[- ]based\b", "-based", name)
    return re.sub(r"(?i)\bnetwork\b", "network", name)


def parse_csv(path: str, text: str, *, redirects: bool = False) -> list[FeedEntry]:
    """The operation domains of one indicator CSV; ``FeedError`` when it is not one.

    ``redirects``: the redirect domains (9.5.3) instead of the acquired ones and the 2022 CIB domains.
    """
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        raise FeedError(f"{path}: empty file, not a Meta indicator CSV")
    header = [c.strip().lower() for c in rows[0]]
    url, period = blob_url(path), report_period(path)
    out: list[FeedEntry] = []
    if "indicator_type" in header and "indicator_value" in header:
        kind, value = header.index("indicator_type"), header.index("indicator_value")
        comment = header.index("comment") if "comment" in header else None
        ds = header.index("ds") if "ds" in header else None
        for row in rows[1:] if not redirects else ():
            if len(row) <= max(kind, value) or row[kind].strip() != "domain_name":
                continue
            note = row[comment].strip() if comment is not None and comment < len(row) else ""
            if "CIB" not in note:
                continue
            day = row[ds].strip() if ds is not None and ds < len(row) else ""
            reported = day if _DATE.fullmatch(day) else period
            out += [FeedEntry(d, SOURCE, url, reported, note) for d in domains_in(row[value])]
        return out
    if "procedure" in header and "indicator" in header:
        procedure, value = header.index("procedure"), header.index("indicator")
        label = network_label(path)
        for row in rows[1:]:
            if len(row) <= max(procedure, value):
                continue
            code = row[procedure].strip().split(" ", 1)[0]
            if code != (REDIRECTS if redirects else ACQUIRED):
                continue
            campaign = f"{label}, redirect domain" if redirects else label
            out += [FeedEntry(d, SOURCE, url, period, campaign) for d in domains_in(row[value])]
        return out
    raise FeedError(f"{path}: not a Meta indicator CSV (header {', '.join(rows[0][:5])!r})")


def parse_tree(data: object) -> list[str]:
    """The influence-operation CSVs listed in a GitHub ``git/trees?recursive=1`` answer."""
    tree = data.get("tree") if isinstance(data, dict) else None
    if not isinstance(tree, list):
        raise FeedError("not a GitHub tree listing (no 'tree' array)")
    paths = [
        e["path"]
        for e in tree
        if isinstance(e, dict) and e.get("type") == "blob" and isinstance(e.get("path"), str)
    ]
    return sorted(p for p in paths if is_influence_file(p))
