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

from linkguard import limits
from linkguard.errors import BlockedAddressError, FetchError
from linkguard.forensics.budget import Budget, BudgetExceeded
from linkguard.forensics.fetch import ClientProfile, Fetcher, FetchResult
from linkguard.forensics.page import ParsedPage, parse_html

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
#: Refresh values longer than this are not redirects anyone typed (and would cost regex time).
_MAX_REFRESH_CHARS = limits.MAX_URL_CHARS + 64
#: WHATWG URL parsing drops tabs/newlines, trims C0 controls and spaces at the ends, and
#: percent-encodes the controls and spaces inside, so a browser follows such a Location.
_URL_STRIP = re.compile(r"[\t\n\r]")
_URL_ENCODE = re.compile(r"[\x00-\x20\x7f]")


def _browser_url(target: str) -> str:
    cleaned = _URL_STRIP.sub("", target).strip(
        "\x00\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c\x0e\x0f"
        "\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f "
    )
    return _URL_ENCODE.sub(lambda m: f"%{ord(m.group()):02X}", cleaned)


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
    #: The body was read only in part (cut at a cap, or the budget ran out while reading/parsing).
    note: str | None = None
    #: The certificate of an HTTPS hop (``TlsFacts.to_dict``), recorded even when it does not verify.
    tls: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v not in (None, False)}


@dataclass(frozen=True, slots=True)
class Chain:
    hops: tuple[Hop, ...]
    #: Why the walk stopped early: "blocked", "error", "budget", "too-many-redirects", "loop",
    #: "scheme"; None when it ended on a page.
    stopped: str | None = None
    final: FetchResult | None = None
    #: The final response's page, parsed once (None for non-HTML and failures).
    page: ParsedPage | None = None

    @property
    def final_url(self) -> str:
        return self.hops[-1].url

    @property
    def redirects(self) -> int:
        return len(self.hops) - 1


def html_redirect(page: ParsedPage) -> tuple[str, HopKind] | None:
    """A meta refresh or JS one-liner redirect target in a page, as written (maybe relative)."""
    for meta in page.metas:
        if meta.get("http-equiv", "").strip().lower() == "refresh":
            found = _REFRESH.match(meta.get("content", "")[:_MAX_REFRESH_CHARS])
            if found and found.group("url").strip():
                return found.group("url").strip(), "meta"
    scripts = list(page.scripts)
    if page.onload:
        scripts.append(page.onload)
    for script in scripts:
        for pattern in _JS_PATTERNS:
            found_js = pattern.search(script)
            if found_js:
                return found_js.group(2).replace("\\/", "/").strip(), "js"
    return None


def next_hop(result: FetchResult, page: ParsedPage | None = None) -> tuple[str, HopKind] | None:
    """Where this response sends the visitor: 3xx Location, Refresh header, meta refresh or JS."""
    if result.location:
        return result.location, "http"
    refresh = result.headers.get("refresh")
    if refresh:
        found = _REFRESH.match(refresh[:_MAX_REFRESH_CHARS])
        if found:
            return found.group("url").strip(), "meta"
    if page is not None:
        return html_redirect(page)
    return None


def read_page(result: FetchResult, budget: Budget | None = None) -> ParsedPage | None:
    """The response's page, parsed once within the budget; None when there is nothing to parse."""
    if not result.body or not 200 <= result.status < 300:
        return None
    return parse_html(result.body, result.charset, budget.deadline if budget is not None else None)


def _note(result: FetchResult, page: ParsedPage | None, budget: Budget | None) -> str | None:
    notes = [result.note] if result.truncated and result.note else []
    if page is not None and page.cut:
        if budget is not None:
            budget.note(f"parsing {result.url}")
        notes.append("the link's time budget ran out while parsing the page; what was read is kept")
    return "; ".join(notes) or None


def walk(
    fetcher: Fetcher,
    url: str,
    profile: ClientProfile,
    max_redirects: int = limits.MAX_REDIRECTS,
    budget: Budget | None = None,
) -> Chain:
    """Follow ``url`` to its final page; failures end the chain as a recorded hop, never raise."""
    hops: list[Hop] = []
    seen: set[str] = set()
    current = url
    while True:
        seen.add(current)
        try:
            result = fetcher.fetch(current, profile, budget=budget)
        except BlockedAddressError as exc:
            hops.append(Hop(current, address=exc.address or None, error=str(exc), blocked=True))
            return Chain(tuple(hops), "blocked")
        except BudgetExceeded as exc:
            hops.append(Hop(current, error=str(exc)))
            return Chain(tuple(hops), "budget")
        except FetchError as exc:
            hops.append(Hop(current, error=str(exc)))
            return Chain(tuple(hops), "error")
        page = read_page(result, budget)
        note = _note(result, page, budget)
        target = next_hop(result, page)
        tls = result.tls.to_dict() if result.tls is not None else None
        if target is None:
            hops.append(Hop(current, result.status, result.address, note=note, tls=tls))
            return Chain(tuple(hops), None, result, page)
        try:
            location = urljoin(current, _browser_url(target[0][: limits.MAX_URL_CHARS]))
            scheme = urlsplit(location).scheme
        except ValueError:  # e.g. an unclosed IPv6 bracket: not a place a browser could go either
            location, scheme = target[0][: limits.MAX_URL_CHARS], ""
        hops.append(Hop(current, result.status, result.address, location, target[1], note=note, tls=tls))
        if scheme not in ("http", "https"):
            return Chain(tuple(hops), "scheme", result)
        if location in seen:
            return Chain(tuple(hops), "loop", result)
        if len(hops) > max_redirects:
            return Chain(tuple(hops), "too-many-redirects", result)
        current = location
