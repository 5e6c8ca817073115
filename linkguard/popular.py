"""Popular legitimate domains: a bundled top-sites snapshot, refreshed only when the user asks.

A domain among the web's most visited sites is almost never a fresh look-alike of a news outlet, so
the detector can weigh that. The list ships in the wheel (``linkguard/data/popular-domains.txt.gz``)
and ``linkguard update-popular`` replaces it with a current ranking in the user cache dir, like
``update-psl`` does for the suffix list; nothing is downloaded otherwise.

File format (gzip or plain UTF-8): ``# key: value`` header lines (source, licence, date, entries), then
one registrable domain per line, best first. A domain's rank is its line number among the domains, unless
a ``# bucket: N`` line precedes it: lists such as CrUX or Cloudflare Radar only say "in the top N", and
every domain after that line (up to the next one) has rank N. Plain domain lists read as they are.
"""

from __future__ import annotations

import csv
import functools
import gzip
import io
import os
import re
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from linkguard.limits import (
    POPULAR_MAX_DECODED_BYTES,
    POPULAR_MAX_DOWNLOAD_BYTES,
    POPULAR_MAX_ENTRIES,
    POPULAR_MIN_ENTRIES,
)
from linkguard.paths import cache_dir

POPULAR_FILE = "popular-domains.txt.gz"
#: A list file of the user's own, used instead of the cached and bundled ones.
POPULAR_OVERRIDE_ENV = "LINKGUARD_POPULAR_FILE"
#: Chrome UX Report global top list (CC BY 4.0), cached monthly by github.com/zakird/crux-top-lists.
DEFAULT_POPULAR_URL = (
    "https://raw.githubusercontent.com/zakird/crux-top-lists/main/data/global/current.csv.gz"
)

_NUMBER = re.compile(r"\d{1,9}")


@dataclass(frozen=True, slots=True)
class PopularList:
    """Registrable domain → rank, and where the list came from."""

    ranks: Mapping[str, int]
    meta: Mapping[str, str] = field(default_factory=dict)
    path: str = ""

    def __contains__(self, domain: object) -> bool:
        return domain in self.ranks

    def __len__(self) -> int:
        return len(self.ranks)

    def rank(self, registered_domain: str) -> int | None:
        return self.ranks.get(registered_domain)


def bundled_file() -> Path:
    return Path(__file__).parent / "data" / POPULAR_FILE


def user_file() -> Path:
    """Where ``update_popular`` writes; it wins over the bundled snapshot once it exists."""
    return cache_dir() / POPULAR_FILE


def read_list(path: Path) -> PopularList:
    """Parse a list file (gzip or plain); ``ValueError`` when it is not one."""
    raw = path.read_bytes()
    text = (gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw).decode("utf-8")
    meta: dict[str, str] = {}
    ranks: dict[str, int] = {}
    bucket: int | None = None
    run: list[str] = []

    def flush() -> None:  # a run of domains shares its bucket, or is ranked by position
        start = len(ranks) + 1
        found = (
            dict.fromkeys(run, bucket)
            if bucket
            else dict(zip(run, range(start, start + len(run)), strict=True))
        )
        found.update(ranks)  # an earlier (better) rank wins
        ranks.clear()
        ranks.update(found)
        run.clear()

    for line in text.splitlines():
        if line.startswith("#"):
            key, sep, value = line[1:].partition(":")
            key = key.strip().lower()
            if key == "bucket":
                flush()
                bucket = int(value)
            elif sep:
                meta.setdefault(key, value.strip())
        elif line.strip():
            run.append(line.strip())
    flush()
    if not ranks:
        raise ValueError(f"{path}: no domains")
    return PopularList(ranks, meta, str(path))


@functools.cache
def popular_list() -> PopularList:
    """The list in force: ``$LINKGUARD_POPULAR_FILE``, else the refreshed copy, else the bundled one.

    A refreshed copy that cannot be read falls back to the bundled snapshot (it was checked when it
    was written, so this only happens when someone edited or truncated it).
    """
    env = os.environ.get(POPULAR_OVERRIDE_ENV)
    if env:
        return read_list(Path(env))
    mine = user_file()
    if mine.is_file():
        try:
            return read_list(mine)
        except (OSError, ValueError, EOFError, zlib.error):
            pass
    return read_list(bundled_file())


def is_popular(registered_domain: str) -> bool:
    """True when the registrable domain (lowercase ASCII) is on the popular-domains list."""
    return registered_domain in popular_list().ranks


def popular_rank(registered_domain: str) -> int | None:
    """Its rank (or rank bucket) on the list, None when it is not on it."""
    return popular_list().ranks.get(registered_domain)


def _host_of(field_text: str) -> str | None:
    text = field_text.strip().strip('"').lower()
    if "://" in text:
        try:
            text = urlsplit(text).hostname or ""
        except ValueError:
            return None
    if "." not in text or not re.fullmatch(r"[a-z0-9._-]+", text):
        return None
    return text.rstrip(".")


def parse_ranking(text: str, limit: int = POPULAR_MAX_ENTRIES) -> tuple[list[tuple[str, int]], int, int]:
    """(registrable domain, rank) best first, data lines read and lines with a domain, from a top-sites CSV.

    Reads CrUX (``origin,rank``), Tranco (``rank,domain``), Majestic (``GlobalRank,TldRank,Domain,…``),
    Cloudflare Radar (``domain``) and plain one-domain-per-line lists; hosts are reduced to their
    registrable domain (the best rank wins) and header lines are skipped.
    """
    from linkguard.normalize import suffix_extractor

    split = suffix_extractor()  # the split links get; tldextract directly, as this runs on a million lines
    best: dict[str, tuple[int, int]] = {}
    lines = usable = 0
    cutoff: int | None = None  # lists come best first: once full, stop after the current rank
    for position, row in enumerate(csv.reader(io.StringIO(text)), 1):
        if not row or row[0].startswith("#"):
            continue
        lines += 1
        host = next((h for h in map(_host_of, row) if h), None)
        number = next((int(f) for f in row if _NUMBER.fullmatch(f.strip())), None)
        key = (number if number is not None else position, position)
        if cutoff is not None and key[0] > cutoff:
            break
        parts = split(host) if host else None
        if parts is None or not parts.suffix or not parts.domain:
            continue  # no known public suffix, or an IP address
        domain = f"{parts.domain}.{parts.suffix}"  # as normalize.split_host builds registered_domain
        usable += 1
        if domain not in best or key < best[domain]:
            best[domain] = key
            if cutoff is None and len(best) >= limit:
                cutoff = key[0]
    ordered = sorted(best.items(), key=lambda item: item[1])[:limit]
    return [(domain, rank) for domain, (rank, _) in ordered], lines, usable


def render_list(entries: Iterable[tuple[str, int]], meta: Mapping[str, str]) -> bytes:
    """The gzip file ``read_list`` reads, from (domain, rank) best first; ``mtime=0`` keeps it reproducible.

    A ranking without ties (Tranco, Majestic) is written as its order: the rank becomes the position among
    registrable domains. One with ties is bucketed (CrUX, Radar): a ``# bucket: N`` line per bucket.
    """
    items = list(entries)
    bucketed = len({rank for _, rank in items}) < len(items)
    lines = [f"# {key}: {value}" for key, value in {**meta, "entries": str(len(items))}.items()]
    current: int | None = None
    for domain, rank in items:
        if bucketed and rank != current:
            lines.append(f"# bucket: {rank}")
            current = rank
        lines.append(domain)
    return gzip.compress(("\n".join(lines) + "\n").encode("utf-8"), compresslevel=9, mtime=0)


def _decode(body: bytes, url: str) -> str:
    """Plain, gzip or zip (first member) → text, never expanding past the cap."""
    from linkguard.errors import FetchError

    cap = POPULAR_MAX_DECODED_BYTES
    if body[:2] == b"\x1f\x8b":
        inflater = zlib.decompressobj(wbits=47)
        try:
            data = inflater.decompress(body, cap + 1)
        except zlib.error as exc:
            raise FetchError(f"{url}: damaged gzip data: {exc}") from exc
    elif body[:4] == b"PK\x03\x04":
        import zipfile

        try:
            with zipfile.ZipFile(io.BytesIO(body)) as archive:
                names = [n for n in archive.namelist() if not n.endswith("/")]
                with archive.open(names[0]) as member:
                    data = member.read(cap + 1)
        except (zipfile.BadZipFile, IndexError, OSError) as exc:
            raise FetchError(f"{url}: damaged zip archive: {exc}") from exc
    else:
        data = body
    if len(data) > cap:
        raise FetchError(f"{url} expands to more than {cap} bytes; not a top-sites list")
    return data.decode("utf-8", "replace")


def update_popular(
    url: str = DEFAULT_POPULAR_URL, *, timeout: float = 60.0, limit: int = POPULAR_MAX_ENTRIES
) -> tuple[Path, int]:
    """Download a top-sites ranking into the user cache (explicit, never implicit): (path, entries).

    The download is capped; a response that is not such a list (an HTML page, a tiny or mostly
    unparsable file) is refused and the list in force is left as it was.
    """
    from linkguard.download import download_capped, replace_file
    from linkguard.errors import FetchError

    body = download_capped(
        url,
        cap=POPULAR_MAX_DOWNLOAD_BYTES,
        timeout=timeout,
        what="the popular-domains list",
        kind="a top-sites list",
    )
    entries, lines, usable = parse_ranking(_decode(body, url), limit)
    if len(entries) < min(POPULAR_MIN_ENTRIES, limit) or usable * 2 < lines:
        raise FetchError(
            f"{url} did not return a top-sites list ({len(entries)} domains from {usable} of {lines} "
            f"lines; at least {POPULAR_MIN_ENTRIES} needed); the current list is unchanged"
        )
    meta = {
        "source": url,
        "licence": "as published by the source (see rules/README.md for the usual lists)",
        "date": datetime.now(UTC).strftime("%Y-%m-%d"),
    }
    target = user_file()
    replace_file(target, render_list(entries, meta))
    popular_list.cache_clear()
    return target, len(entries)
