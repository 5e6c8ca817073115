"""What a fetched page claims to be: names, canonical URLs, icons and assets pointing at an outlet.

Clones copy the original's ``<title>``, ``og:site_name``, canonical link and footer, and load
logos and menus from the real site; on a domain that is not the outlet's, each of these is a
claim a fact-checker can quote.

The page is hostile input, so it is read by a small tokenizer of our own, in one pass over a
size-capped body, in time linear in its length: every step moves forward with ``str.find`` or an
anchored regex, nothing is re-scanned, and no tree is built. Tree builders cost far more than
the page is long (BeautifulSoup's ``get_text`` per anchor: 20 minutes for 200,000 unclosed
``<a>``), and the standard library's ``html.parser`` re-scans unfinished tags on every
``feed`` (minutes for 2 MB of ``</a``). Each anchor's text is collected once, while passing.
The tokenizer also stops at a deadline and keeps what it found (``ParsedPage.cut``).
"""

from __future__ import annotations

import hashlib
import html
import re
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

from linkguard import limits
from linkguard.models import Outlet

_CHARSET_META = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_.:-]{1,40})""", re.IGNORECASE)
_COPYRIGHT = re.compile(r"(?:©|\(c\)|copyright\b)[^\n]{0,80}", re.IGNORECASE)
_IMPRINT = re.compile(
    r"\b(impressum|imprint|mentions l[ée]gales|aviso legal|colofon|colophon|legal notice)\b", re.I
)
#: Tags whose attributes name a link or asset, and which attribute.
_LINK_ATTRS = {"a": "href", "link": "href", "img": "src", "script": "src", "iframe": "src", "source": "src"}
#: Tags whose content is raw text up to their end tag (no markup inside).
_RAW_TEXT = ("script", "style", "title", "textarea", "xmp", "noembed", "noframes", "iframe", "plaintext")
#: Tags whose attributes are read at all; the rest are skipped to their ``>``.
_READ_ATTRS = frozenset({*_LINK_ATTRS, "meta", "base", "body"})
#: Share of a page's links/assets on an outlet's domains that counts as a (weak) claim.
ASSET_SHARE_CLAIM = 0.3
_MAX_LINES = 5
_ANCHOR_TEXT_CHARS = 80
_MAX_METAS = 200
_MAX_LINK_TAGS = 500
_MAX_IMAGES = 500
_MAX_SCRIPTS = 50
#: Inline script text kept for the JavaScript-redirect patterns, all scripts together.
MAX_SCRIPT_CHARS = 64 << 10
#: The deadline is looked at every this many tags (a clock read per tag would dominate).
_CLOCK_EVERY = 256
#: Attributes kept per tag (the rest are read past, not stored).
_MAX_ATTRS = 32

_TAG_START = re.compile(r"<(?:(!--)|([!?])|(/?)([A-Za-z][^\s/>]*))")
_SKIP = re.compile(r"[\s/]*")
_ATTR_NAME = re.compile(r"[^\s/>][^\s/>=]*")
_ATTR_EQ = re.compile(r"\s*=\s*")
_UNQUOTED = re.compile(r"[^\s>]*")
_END_TAG = {name: re.compile(rf"</{name}[\s/>]", re.IGNORECASE) for name in _RAW_TEXT}


def decode_html(body: bytes, charset: str | None = None) -> str:
    """Header charset, else ``<meta charset>`` in the first KiB, else UTF-8; never fails."""
    body = body[: limits.MAX_PARSE_BYTES]
    candidates = [charset] if charset else []
    found = _CHARSET_META.search(body[:1024])
    if found:
        candidates.append(found.group(1).decode("ascii"))
    for name in [*candidates, "utf-8"]:
        try:
            return body.decode(name, errors="replace")
        except (LookupError, ValueError):
            continue
    return body.decode("utf-8", errors="replace")  # pragma: no cover


@dataclass(slots=True)
class ParsedPage:
    """What one pass over a page collected; every list is capped, so its size is bounded."""

    title: str | None = None
    base: str | None = None
    #: ``(attrs)`` of ``<meta>`` tags, in order.
    metas: list[dict[str, str]] = field(default_factory=list)
    #: ``(rel, href)`` of ``<link>`` tags.
    link_tags: list[tuple[str, str]] = field(default_factory=list)
    #: ``(label, src)`` of ``<img>`` tags, label = alt/class/id/src.
    images: list[tuple[str, str]] = field(default_factory=list)
    #: ``(tag, url)`` for every link/asset, in document order (at most ``MAX_PAGE_LINKS``).
    urls: list[tuple[str, str]] = field(default_factory=list)
    #: ``(text, href)`` of anchors, text cut at 80 characters.
    anchors: list[tuple[str, str]] = field(default_factory=list)
    scripts: list[str] = field(default_factory=list)
    onload: str | None = None
    text: list[str] = field(default_factory=list)
    #: Why the pass stopped early ("deadline"), or None when it read the whole (capped) page.
    cut: str | None = None
    #: The tag skeleton: start tags by name, end tags as ``/name``, in order (for ``similarity``).
    tags: list[str] = field(default_factory=list)

    def template(self) -> str | None:
        """A hash of the tag skeleton: pages built from one kit share it whatever their text says.

        None for pages too small to tell apart (``MIN_TEMPLATE_TAGS``).
        """
        if len(self.tags) < limits.MIN_TEMPLATE_TAGS:
            return None
        return hashlib.sha256(" ".join(self.tags).encode("ascii", "replace")).hexdigest()[:16]

    def meta(self, key: str) -> str | None:
        """``content`` of the first ``<meta property=key>``, else of the first ``<meta name=key>``."""
        for attr in ("property", "name"):
            for attrs in self.metas:
                value = attrs.get("content", "").strip()
                if value and attrs.get(attr, "").strip().lower() == key:
                    return value[: limits.MAX_URL_CHARS]
        return None


def _read_attrs(text: str, i: int) -> tuple[dict[str, str], int]:
    """Attributes of a start tag from ``i`` on, and the position after its ``>`` (-1: never closed).

    Linear: each step consumes what it looked at; an unclosed quote ends the page, as in a browser.
    """
    attrs: dict[str, str] = {}
    n = len(text)
    while True:
        i = _SKIP.match(text, i).end()  # type: ignore[union-attr]  # matches the empty string
        if i >= n:
            return attrs, -1
        if text[i] == ">":
            return attrs, i + 1
        name_match = _ATTR_NAME.match(text, i)
        if name_match is None:  # pragma: no cover - the pattern matches any char but space, / and >
            return attrs, -1
        name = name_match.group()
        i = name_match.end()
        value = ""
        eq = _ATTR_EQ.match(text, i)
        if eq is not None:
            i = eq.end()
            if i < n and text[i] in "\"'":
                close = text.find(text[i], i + 1)
                if close < 0:
                    return attrs, -1
                value = text[i + 1 : close]
                i = close + 1
            else:
                bare = _UNQUOTED.match(text, i)
                assert bare is not None  # matches the empty string
                value = bare.group()
                i = bare.end()
        if len(attrs) < _MAX_ATTRS:
            attrs.setdefault(name[:64].lower(), html.unescape(value[: limits.MAX_URL_CHARS]))


class _Collector:
    """The per-tag bookkeeping of one pass; every list it fills is capped."""

    def __init__(self, page: ParsedPage) -> None:
        self.page = page
        self.anchor: list[str] | None = None  # text pieces of the open <a>
        self.anchor_href = ""
        self.anchor_len = 0
        self.text_len = 0
        self.script_len = 0

    def data(self, piece: str) -> None:
        if self.anchor is not None and self.anchor_len < _ANCHOR_TEXT_CHARS:
            part = piece[: _ANCHOR_TEXT_CHARS - self.anchor_len]
            self.anchor.append(part)
            self.anchor_len += len(part)
        if self.text_len < limits.MAX_PARSE_BYTES:
            self.page.text.append(piece)
            self.text_len += len(piece)

    def end_anchor(self) -> None:
        page = self.page
        if self.anchor is not None and self.anchor_href and len(page.anchors) < limits.MAX_PAGE_LINKS:
            text = " ".join(html.unescape(" ".join(self.anchor)).split())[:_ANCHOR_TEXT_CHARS]
            page.anchors.append((text, self.anchor_href))
        self.anchor = None
        self.anchor_href = ""
        self.anchor_len = 0

    def wants(self, name: str) -> bool:
        """Whether a start tag's attributes are still worth reading (its lists are not all full)."""
        page = self.page
        if name in _LINK_ATTRS and len(page.urls) < 2 * limits.MAX_PAGE_LINKS:
            return True
        if name == "a":
            return len(page.anchors) < limits.MAX_PAGE_LINKS
        if name == "img":
            return len(page.images) < _MAX_IMAGES
        if name == "link":
            return len(page.link_tags) < _MAX_LINK_TAGS
        if name == "meta":
            return len(page.metas) < _MAX_METAS
        return name in _READ_ATTRS or name in _RAW_TEXT

    def start(self, name: str, attrs: dict[str, str]) -> None:
        page = self.page
        if name == "a":
            self.end_anchor()  # an <a> inside an open <a> closes it (HTML's adoption agency)
            self.anchor = []
            self.anchor_href = attrs.get("href", "").strip()
        elif name == "meta" and len(page.metas) < _MAX_METAS:
            page.metas.append(attrs)
        elif name == "base" and page.base is None and attrs.get("href", "").strip():
            page.base = attrs["href"].strip()
        elif name == "body" and page.onload is None and attrs.get("onload"):
            page.onload = attrs["onload"][:MAX_SCRIPT_CHARS]
        elif name == "link" and len(page.link_tags) < _MAX_LINK_TAGS:
            page.link_tags.append((attrs.get("rel", ""), attrs.get("href", "").strip()))
        elif name == "img" and len(page.images) < _MAX_IMAGES:
            label = " ".join(filter(None, (attrs.get(k, "").strip() for k in ("alt", "class", "id", "src"))))
            page.images.append((label, attrs.get("src", "").strip()))
        attr = _LINK_ATTRS.get(name)
        if attr is not None and len(page.urls) < 2 * limits.MAX_PAGE_LINKS:
            value = attrs.get(attr, "").strip()
            if value:
                page.urls.append((name, value))

    def raw_text(self, name: str, attrs: dict[str, str], raw: str) -> None:
        page = self.page
        if name == "title":
            if page.title is None:
                page.title = " ".join(html.unescape(raw[: limits.MAX_URL_CHARS]).split())[:300]
        elif name == "script" and not attrs.get("src") and len(page.scripts) < _MAX_SCRIPTS:
            room = MAX_SCRIPT_CHARS - self.script_len
            if room > 0:
                page.scripts.append(raw[:room])
                self.script_len += min(room, len(raw))
        elif name in ("textarea", "xmp"):
            self.data(raw)


def parse_html(body: bytes, charset: str | None = None, deadline: float | None = None) -> ParsedPage:
    """One linear pass over the (capped, decoded) page; stops at ``deadline`` with what it has."""
    text = decode_html(body, charset)
    page = ParsedPage()
    out = _Collector(page)
    n = len(text)
    pos = 0
    tags = 0
    while pos < n:
        found = _TAG_START.search(text, pos)
        stop = found.start() if found is not None else n
        if stop > pos:
            out.data(text[pos:stop])
        if found is None:
            break
        tags += 1
        if deadline is not None and tags % _CLOCK_EVERY == 0 and time.monotonic() > deadline:
            page.cut = "deadline"
            break
        comment, bogus, slash, raw_name = found.groups()
        if comment or bogus:  # <!-- ... -->, <!DOCTYPE ...>, <? ... >: skipped whole
            close = text.find("-->", found.end()) if comment else text.find(">", found.end())
            if close < 0:
                break
            pos = close + (3 if comment else 1)
            continue
        name = raw_name.lower()
        if slash:
            close = text.find(">", found.end())
            if close < 0:
                break
            if name == "a":
                out.end_anchor()
            if len(page.tags) < limits.SIMILARITY_MAX_TAGS:
                page.tags.append("/" + name[:32])
            pos = close + 1
            continue
        if out.wants(name):
            attrs, pos = _read_attrs(text, found.end())
        else:
            close = text.find(">", found.end())
            attrs, pos = {}, (close + 1 if close >= 0 else -1)
        if pos < 0:
            break
        out.start(name, attrs)
        if len(page.tags) < limits.SIMILARITY_MAX_TAGS:
            page.tags.append(name[:32])
        if name in _RAW_TEXT:
            if name == "plaintext":
                raw, pos = text[pos:], n
            else:
                end_tag = _END_TAG[name].search(text, pos)
                raw = text[pos : end_tag.start() if end_tag is not None else n]
                close = text.find(">", end_tag.end() - 1) if end_tag is not None else -1
                pos = close + 1 if close >= 0 else n
            out.raw_text(name, attrs, raw)
    out.end_anchor()
    return page


def _absolute(base: str, href: str | None) -> str | None:
    if not href:
        return None
    try:
        url = urljoin(base, href[: limits.MAX_URL_CHARS])
    except ValueError:
        return None
    return url if urlsplit(url).scheme in ("http", "https") else None


def host_of(url: str | None) -> str:
    if not url:
        return ""
    try:
        return (urlsplit(url).hostname or "").rstrip(".").lower()
    except ValueError:
        return ""


def on_domain(host: str, domains: Sequence[str]) -> bool:
    return any(host == d or host.endswith("." + d) for d in domains)


@dataclass(frozen=True, slots=True)
class PageClaims:
    """The identity a page presents; every URL is absolute."""

    url: str
    title: str | None = None
    site_name: str | None = None
    og_url: str | None = None
    canonical: str | None = None
    twitter_site: str | None = None
    icons: tuple[str, ...] = ()
    copyright: tuple[str, ...] = ()
    imprint: tuple[tuple[str, str], ...] = ()
    #: ``(host, count)`` for every host the page's links and assets point to, most frequent first.
    hosts: tuple[tuple[str, int], ...] = ()
    links: int = 0
    #: Why the page was read only in part ("deadline": the link's budget ran out while parsing).
    cut: str | None = None
    #: ``ParsedPage.template()``: the hash of the page's tag skeleton (None for tiny pages).
    template: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PageClaims:
        data = dict(data)
        for key in ("icons", "copyright"):
            data[key] = tuple(data.get(key, ()))
        data["imprint"] = tuple(tuple(p) for p in data.get("imprint", ()))
        data["hosts"] = tuple((h, int(n)) for h, n in data.get("hosts", ()))
        return cls(**data)


def analyse(page: ParsedPage, url: str) -> PageClaims:
    """Collect the page's identity claims (``url`` is the final URL, the base for relative links)."""
    base = _absolute(url, page.base) or url
    canonical = None
    icons: list[str] = []
    for rel_text, raw_href in page.link_tags:
        rel = set(rel_text.lower().split())
        href = _absolute(base, raw_href)
        if href and "canonical" in rel and canonical is None:
            canonical = href
        if href and rel & {"icon", "shortcut", "apple-touch-icon", "mask-icon"}:
            icons.append(href)
    for label, raw_src in page.images:
        src = _absolute(base, raw_src)
        if src and "logo" in label.lower():
            icons.append(src)
    image = _absolute(base, page.meta("og:image"))
    if image:
        icons.append(image)

    hosts: Counter[str] = Counter()
    total = 0
    for _tag, raw in page.urls:
        if total >= limits.MAX_PAGE_LINKS:
            break
        href = _absolute(base, raw)
        if href:
            total += 1
            hosts[host_of(href)] += 1
    imprint: list[tuple[str, str]] = []
    for text, raw in page.anchors:
        href = _absolute(base, raw)
        if href and (_IMPRINT.search(text) or _IMPRINT.search(href)):
            imprint.append((text, href))
            if len(imprint) >= _MAX_LINES:
                break

    body_text = html.unescape("\n".join(page.text))[: limits.MAX_PARSE_BYTES]
    copyright_lines: list[str] = []
    for match in _COPYRIGHT.finditer(body_text):
        line = " ".join(match.group(0).split())
        if line and line not in copyright_lines:
            copyright_lines.append(line)
        if len(copyright_lines) >= _MAX_LINES:
            break
    return PageClaims(
        url=url,
        title=page.title or None,
        site_name=page.meta("og:site_name") or page.meta("application-name"),
        og_url=_absolute(base, page.meta("og:url")),
        canonical=canonical,
        twitter_site=page.meta("twitter:site"),
        icons=tuple(dict.fromkeys(icons))[:10],
        copyright=tuple(copyright_lines),
        imprint=tuple(imprint),
        hosts=tuple(hosts.most_common(50)),
        links=total,
        cut=page.cut,
        template=page.template(),
    )


@dataclass(frozen=True, slots=True)
class OutletMatch:
    """Why a page looks like ``outlet``: quotable reasons, split by strength."""

    outlet: Outlet
    strong: tuple[str, ...]
    weak: tuple[str, ...]
    asset_share: float
    canonical: str | None  # canonical/og:url on the outlet's domain, if any

    @property
    def claims(self) -> bool:
        return bool(self.strong) or len(self.weak) >= 2


def _names(outlet: Outlet) -> list[str]:
    return list(dict.fromkeys(n.casefold() for n in (outlet.name, *outlet.brands, *outlet.domains) if n))


def _mentions(text: str | None, names: Sequence[str]) -> str | None:
    if not text:
        return None
    folded = text.casefold()
    for name in names:
        # the substring test first: a name the text lacks needs no pattern (a pattern per name of
        # every bundled outlet, thousands per page, outgrew re's cache: ~2 s of compiling a page)
        if name in folded and re.search(rf"(?<!\w){re.escape(name)}(?!\w)", folded):
            return name
    return None


def match_outlets(claims: PageClaims, outlets: Sequence[Outlet]) -> list[OutletMatch]:
    """Outlets the page presents itself as, strongest first (only those with any signal)."""
    matches: list[OutletMatch] = []
    for outlet in outlets:
        names = _names(outlet)
        strong: list[str] = []
        weak: list[str] = []
        canonical = None
        for label, url in (("canonical link", claims.canonical), ("og:url", claims.og_url)):
            if url and on_domain(host_of(url), outlet.domains):
                strong.append(f"its {label} is {url}")
                canonical = canonical or url
        if claims.site_name and _mentions(claims.site_name, names):
            strong.append(f'og:site_name is "{claims.site_name}"')
        if claims.twitter_site and claims.twitter_site.lstrip("@").casefold() in {
            n.replace(" ", "") for n in names
        }:
            strong.append(f"twitter:site is {claims.twitter_site}")
        for line in claims.copyright:
            if _mentions(line, names):
                strong.append(f'its footer says "{line}"')
                break
        for icon in claims.icons:
            if on_domain(host_of(icon), outlet.domains):
                strong.append(f"it loads its logo/icon from {icon}")
                break
        for _text, href in claims.imprint:
            if on_domain(host_of(href), outlet.domains):
                strong.append(f"its imprint link points to {href}")
                break
        if _mentions(claims.title, names):
            weak.append(f'its title is "{claims.title}"')
        on_outlet = sum(n for h, n in claims.hosts if on_domain(h, outlet.domains))
        share = on_outlet / claims.links if claims.links else 0.0
        if share >= ASSET_SHARE_CLAIM and on_outlet >= 3:
            weak.append(f"{on_outlet} of its {claims.links} links and assets point to {outlet.domain}")
        if strong or weak:
            matches.append(OutletMatch(outlet, tuple(strong), tuple(weak), round(share, 3), canonical))
    matches.sort(key=lambda m: (len(m.strong), len(m.weak), m.asset_share), reverse=True)
    return matches
