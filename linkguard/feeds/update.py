"""``linkguard rules update-feeds``: refresh feeds on request, all or nothing, and say what changed.

Every file goes through ``download_capped`` (capped body, timeout, no proxy from the environment).
All requested feeds are downloaded, parsed and checked first; only when every one is sound are the
new files written (each an atomic replace) with the manifest that dates them. A malformed feed (a
page that is not the expected CSV or JSON, a rating outside 0..1, no domains at all) raises
``FeedError`` and leaves the rules in force as they were.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

from linkguard.download import download_capped, replace_file
from linkguard.errors import FeedError, RulesError
from linkguard.feeds import meta, pravda, ratings
from linkguard.feeds.entries import FeedEntry, render_feed
from linkguard.feeds.sources import FEEDS, GITHUB_API, GITHUB_RAW, FeedSource
from linkguard.feeds.store import MANIFEST, feed_rule_files, read_manifest, user_feeds_dir
from linkguard.limits import FEED_MAX_FILE_BYTES, FEED_MAX_FILES, FEED_MAX_TOTAL_BYTES, FEED_TIMEOUT_S

Get = Callable[[str], bytes]


@dataclass(slots=True)
class FeedUpdate:
    """What one refresh changed: domains added and removed against the file in force before."""

    feed: FeedSource
    path: Path
    total: int
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    #: Domains a blocklist feed lists but the bundled rules trust (an outlet, a legitimate look-alike):
    #: left out, as a rule may not be both. (Ratings of trusted domains are kept; the rules win.)
    trusted: list[str] = field(default_factory=list)
    text: str = ""


def _json(get: Get, url: str) -> object:
    try:
        return json.loads(get(url))
    except ValueError as exc:
        raise FeedError(f"{url}: not JSON ({exc})") from None


def _text(get: Get, url: str) -> str:
    return get(url).decode("utf-8-sig", errors="replace")


def fetch_meta(get: Get, api: str, raw: str, date: str, *, redirects: bool = False) -> list[FeedEntry]:
    paths = meta.parse_tree(_json(get, f"{api}/repos/{meta.REPO}/git/trees/main?recursive=1"))
    if not paths:
        raise FeedError("the tree listing names no influence-operation CSV under indicators/csv/")
    if len(paths) > FEED_MAX_FILES:
        raise FeedError(f"the tree lists {len(paths)} indicator files, more than {FEED_MAX_FILES}")
    entries: list[FeedEntry] = []
    for path in paths:
        entries += meta.parse_csv(
            path, _text(get, f"{raw}/{meta.REPO}/main/{quote(path)}"), redirects=redirects
        )
    return entries


def fetch_meta_redirects(get: Get, api: str, raw: str, date: str) -> list[FeedEntry]:
    return fetch_meta(get, api, raw, date, redirects=True)


def fetch_pravda(get: Get, api: str, raw: str, date: str) -> list[FeedEntry]:
    return pravda.parse_listing(_json(get, f"{api}/repos/{pravda.REPO}/contents/data"), date=date)


def fetch_ratings(get: Get, api: str, raw: str, date: str) -> list[FeedEntry]:
    entries, _ = ratings.parse_ratings(_text(get, f"{raw}/{ratings.REPO}/main/{ratings.PATH}"))
    return entries


FETCHERS: dict[str, Callable[[Get, str, str, str], list[FeedEntry]]] = {
    "meta-threat-research": fetch_meta,
    "meta-doppelganger-redirects": fetch_meta_redirects,
    "checkfirst-pravda": fetch_pravda,
    "lin2023-ratings": fetch_ratings,
}


def _trusted_domains() -> set[str]:
    """Outlet and legitimate look-alike domains of the bundled curated rules: never listed as bad."""
    from linkguard.rules import bundled_rule_files, load_sources

    curated = load_sources([(p, "bundled") for p in bundled_rule_files()])
    return {d for o in curated.outlets for d in o.domains} | {r.domain for r in curated.legit}


def _domains_of(path: Path | None, table: str) -> set[str]:
    if path is None:
        return set()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return set()
    entries = data.get(table, [])
    return (
        {str(e.get("domain", "")) for e in entries if isinstance(e, dict)}
        if isinstance(entries, list)
        else set()
    )


def prepare(
    feed: FeedSource,
    get: Get,
    *,
    api: str,
    raw: str,
    date: str,
    trusted: set[str],
    origin: str = "updated",
) -> FeedUpdate:
    """Download and check one feed; nothing is written."""
    from linkguard.rules import check_loadable, parse_toml_text

    unique: dict[str, FeedEntry] = {}
    dropped: set[str] = set()
    for entry in FETCHERS[feed.name](get, api, raw, date):
        if entry.domain in trusted and feed.table == "blocked":  # a rating of a trusted outlet stays inert
            dropped.add(entry.domain)
        else:
            unique.setdefault(entry.domain, entry)
    if not unique:
        raise FeedError(f"{feed.name}: the feed lists no domain; not replacing the one in force")
    target = user_feeds_dir() / f"{feed.name}.toml"
    text = render_feed(feed, unique.values(), date=date, origin=origin)
    try:
        check_loadable(parse_toml_text(text, target), target, text)
    except RulesError as exc:  # a value the rules cannot hold: refuse the whole feed
        raise FeedError(f"{feed.name}: {exc}") from None
    current = next((p for p in feed_rule_files() if p.stem == feed.name), None)
    before = _domains_of(current, feed.table)
    after = set(unique)
    return FeedUpdate(
        feed, target, len(after), sorted(after - before), sorted(before - after), sorted(dropped), text
    )


def update_feeds(
    names: Sequence[str] = (), *, mirror: str | None = None, date: str | None = None
) -> list[FeedUpdate]:
    """Refresh ``names`` (default: every feed) into the user's feed dir; all or nothing.

    ``mirror`` replaces both GitHub hosts (``api.github.com`` and ``raw.githubusercontent.com``) by
    one base URL serving the same paths.
    """
    unknown = [n for n in names if n not in FEEDS]
    if unknown:
        raise FeedError(f"unknown feed(s) {', '.join(unknown)}; known: {', '.join(FEEDS)}")
    chosen = [FEEDS[n] for n in dict.fromkeys(names)] or list(FEEDS.values())
    api, raw = (mirror.rstrip("/"), mirror.rstrip("/")) if mirror else (GITHUB_API, GITHUB_RAW)
    day = date or datetime.now(UTC).date().isoformat()

    downloaded = [0]

    def get(url: str) -> bytes:
        body = download_capped(
            url, cap=FEED_MAX_FILE_BYTES, timeout=FEED_TIMEOUT_S, what="a feed file", kind="a feed file"
        )
        downloaded[0] += len(body)
        if downloaded[0] > FEED_MAX_TOTAL_BYTES:
            raise FeedError(f"the feeds sent more than {FEED_MAX_TOTAL_BYTES} bytes in all; nothing changed")
        return body

    trusted = _trusted_domains()
    updates = [prepare(feed, get, api=api, raw=raw, date=day, trusted=trusted) for feed in chosen]
    directory = user_feeds_dir()
    manifest = read_manifest(directory)
    for u in updates:
        replace_file(u.path, u.text.encode("utf-8"))
        manifest[u.feed.name] = {"date": day, "domains": u.total, "source": u.feed.homepage}
    replace_file(directory / MANIFEST, (json.dumps(manifest, indent=2, sort_keys=True) + "\n").encode())
    return updates
