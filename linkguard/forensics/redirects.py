"""Follow a link hop by hop, the way a browser would, without running anything.

Campaign links pass through shorteners and throwaway domains before the clone; t.co itself
answers with a meta refresh. Each hop is a separate checked request (``Fetcher``), so a redirect
into the investigator's network is refused like a direct link would be. JavaScript redirects are
recognised by pattern only (the common one-liners), never executed.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any, Literal
from urllib.parse import urljoin, urlsplit

from bs4 import BeautifulSoup, Tag

from linkguard import limits
from linkguard.errors import BlockedAddressError, FetchError
from linkguard.forensics.fetch import ClientProfile, Fetcher, FetchResult
from linkguard.forensics.page import parse_html

HopKind = Literal["http", "meta", "js"]

_REFRESH = re.compile(
    r"""^\s*[\d.]*\s*(?:[;,]\s*(?:url\s*=\s*)?|url\s*=\s*)(?P<q>['"]?)(?P<url>[^'"\s][^'"]*)(?P=q)\s*$""",
    re.I,
)
_JS_PATTERNS = (
    # window.location = '...', window.location.href="...", document.location, top.location, self.location
    re.compile(
        r"""(?:\b(?:window|document|self|top)\s*\.\s*)?\blocation(?:\s*\.\s*href)?\s*=\s*(['"`])(.{1,4096}?)\1"""
    ),
    # location.replace('...'), location.assign("...")
    re.compile(r"""\blocation\s*\.\s*(?:replace|assign)\s*\(\s*(['"`])(.{1,4096}?)\1\s*\)"""),
)
_MAX_SCRIPT_CHARS = 64 << 10


@dataclass(frozen=True, slots=True)
class Hop:
    """One request: what was asked, what came back, and where it pointed next (if anywhere)."""

    url: str
    status: int | None = None
    address: str | None = None
    location: str | None = None  # absolute URL of the next hop
    kind: HopKind | None = None  # how this hop redirected: http (3xx), meta (refresh), js
    error: str | None = None
    blocked: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v not in (None, False)}


@dataclass(frozen=True, slots=True)
class Chain:
    hops: tuple[Hop, ...]
    #: Why the walk stopped early: "blocked", "error", "too-many-redirects", "loop", "scheme";
    #: None when it ended on a page.
    stopped: str | None = None
    final: FetchResult | None = None

    @property
    def final_url(self) -> str:
        return self.hops[-1].url

    @property
    def redirects(self) -> int:
        return len(self.hops) - 1


def html_redirect(soup: BeautifulSoup) -> tuple[str, HopKind] | None:
    """A meta refresh or JS one-liner redirect target in a page, as written (maybe relative)."""
    for meta in soup.find_all("meta", limit=200):
        if isinstance(meta, Tag) and str(meta.get("http-equiv", "")).strip().lower() == "refresh":
            found = _REFRESH.match(str(meta.get("content", "")))
            if found and found.group("url").strip():
                return found.group("url").strip(), "meta"
    scripts = [
        s.get_text() for s in soup.find_all("script", limit=50) if isinstance(s, Tag) and not s.get("src")
    ]
    body = soup.find("body")
    if isinstance(body, Tag) and body.get("onload"):
        scripts.append(str(body.get("onload")))
    for script in scripts:
        text = script[:_MAX_SCRIPT_CHARS]
        for pattern in _JS_PATTERNS:
            found_js = pattern.search(text)
            if found_js:
                return found_js.group(2).replace("\\/", "/").strip(), "js"
    return None


def next_hop(result: FetchResult) -> tuple[str, HopKind] | None:
    """Where this response sends the visitor: 3xx Location, Refresh header, meta refresh or JS."""
    if result.location:
        return result.location, "http"
    refresh = result.headers.get("refresh")
    if refresh:
        found = _REFRESH.match(refresh)
        if found:
            return found.group("url").strip(), "meta"
    if result.body and 200 <= result.status < 300:
        return html_redirect(parse_html(result.body, result.charset))
    return None


def walk(
    fetcher: Fetcher, url: str, profile: ClientProfile, max_redirects: int = limits.MAX_REDIRECTS
) -> Chain:
    """Follow ``url`` to its final page; failures end the chain as a recorded hop, never raise."""
    hops: list[Hop] = []
    seen: set[str] = set()
    current = url
    while True:
        seen.add(current)
        try:
            result = fetcher.fetch(current, profile)
        except BlockedAddressError as exc:
            hops.append(Hop(current, address=exc.address or None, error=str(exc), blocked=True))
            return Chain(tuple(hops), "blocked")
        except FetchError as exc:
            hops.append(Hop(current, error=str(exc)))
            return Chain(tuple(hops), "error")
        target = next_hop(result)
        if target is None:
            hops.append(Hop(current, result.status, result.address))
            return Chain(tuple(hops), None, result)
        location = urljoin(current, target[0])
        hops.append(Hop(current, result.status, result.address, location, target[1]))
        if urlsplit(location).scheme not in ("http", "https"):
            return Chain(tuple(hops), "scheme", result)
        if location in seen:
            return Chain(tuple(hops), "loop", result)
        if len(hops) > max_redirects:
            return Chain(tuple(hops), "too-many-redirects", result)
        current = location
