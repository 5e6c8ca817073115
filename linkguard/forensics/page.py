"""What a fetched page claims to be: names, canonical URLs, icons and assets pointing at an outlet.

Clones copy the original's ``<title>``, ``og:site_name``, canonical link and footer, and load
logos and menus from the real site; on a domain that is not the outlet's, each of these is a
claim a fact-checker can quote. Parsing uses the standard-library ``html.parser`` backend on a
size-capped body: no JavaScript, no network.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

from bs4 import BeautifulSoup, Tag

from linkguard import limits
from linkguard.models import Outlet

_CHARSET_META = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_.:-]{1,40})""", re.IGNORECASE)
_COPYRIGHT = re.compile(r"(?:©|\(c\)|copyright\b)[^\n]{0,80}", re.IGNORECASE)
_IMPRINT = re.compile(
    r"\b(impressum|imprint|mentions l[ée]gales|aviso legal|colofon|colophon|legal notice)\b", re.I
)
_LINK_ATTRS = (
    ("a", "href"),
    ("link", "href"),
    ("img", "src"),
    ("script", "src"),
    ("iframe", "src"),
    ("source", "src"),
)
#: Share of a page's links/assets on an outlet's domains that counts as a (weak) claim.
ASSET_SHARE_CLAIM = 0.3
_MAX_LINES = 5


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
        except LookupError:
            continue
    return body.decode("utf-8", errors="replace")  # pragma: no cover


def parse_html(body: bytes, charset: str | None = None) -> BeautifulSoup:
    return BeautifulSoup(decode_html(body, charset), "html.parser")


def _attr(tag: Tag | None, name: str) -> str | None:
    if tag is None:
        return None
    value = tag.get(name)
    if isinstance(value, list):
        value = " ".join(value)
    return value.strip()[: limits.MAX_URL_CHARS] if isinstance(value, str) and value.strip() else None


def _meta(soup: BeautifulSoup, key: str) -> str | None:
    tag = soup.find("meta", attrs={"property": key}) or soup.find("meta", attrs={"name": key})
    return _attr(tag if isinstance(tag, Tag) else None, "content")


def _absolute(base: str, href: str | None) -> str | None:
    if not href:
        return None
    url = urljoin(base, href)
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


def analyse(soup: BeautifulSoup, url: str) -> PageClaims:
    """Collect the page's identity claims (``url`` is the final URL, the base for relative links)."""
    base_tag = soup.find("base")
    base = _absolute(url, _attr(base_tag if isinstance(base_tag, Tag) else None, "href")) or url
    title_tag = soup.find("title")
    title = " ".join(title_tag.get_text(" ").split())[:300] if isinstance(title_tag, Tag) else None
    canonical = None
    icons: list[str] = []
    for link in soup.find_all("link", limit=500):
        if not isinstance(link, Tag):
            continue
        rel = {r.lower() for r in (link.get_attribute_list("rel") or []) if isinstance(r, str)}
        href = _absolute(base, _attr(link, "href"))
        if href and "canonical" in rel and canonical is None:
            canonical = href
        if href and rel & {"icon", "shortcut", "apple-touch-icon", "mask-icon"}:
            icons.append(href)
    for tag in soup.find_all("img", limit=500):
        if isinstance(tag, Tag):
            label = " ".join(
                filter(None, (_attr(tag, "alt"), _attr(tag, "class"), _attr(tag, "id"), _attr(tag, "src")))
            )
            src = _absolute(base, _attr(tag, "src"))
            if src and "logo" in label.lower():
                icons.append(src)
    for key in ("og:image",):
        image = _absolute(base, _meta(soup, key))
        if image:
            icons.append(image)

    hosts: Counter[str] = Counter()
    imprint: list[tuple[str, str]] = []
    total = 0
    for name, attr in _LINK_ATTRS:
        for tag in soup.find_all(name, limit=limits.MAX_PAGE_LINKS):
            if total >= limits.MAX_PAGE_LINKS or not isinstance(tag, Tag):
                break
            href = _absolute(base, _attr(tag, attr))
            if not href:
                continue
            total += 1
            hosts[host_of(href)] += 1
            if name == "a" and len(imprint) < _MAX_LINES:
                text = " ".join(tag.get_text(" ").split())[:80]
                if _IMPRINT.search(text) or _IMPRINT.search(href):
                    imprint.append((text, href))

    text = soup.get_text("\n")[: limits.MAX_PARSE_BYTES]
    copyright_lines = []
    for match in _COPYRIGHT.finditer(text):
        line = " ".join(match.group(0).split())
        if line and line not in copyright_lines:
            copyright_lines.append(line)
        if len(copyright_lines) >= _MAX_LINES:
            break
    return PageClaims(
        url=url,
        title=title or None,
        site_name=_meta(soup, "og:site_name") or _meta(soup, "application-name"),
        og_url=_absolute(base, _meta(soup, "og:url")),
        canonical=canonical,
        twitter_site=_meta(soup, "twitter:site"),
        icons=tuple(dict.fromkeys(icons))[:10],
        copyright=tuple(copyright_lines),
        imprint=tuple(imprint),
        hosts=tuple(hosts.most_common(50)),
        links=total,
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
        if re.search(rf"(?<!\w){re.escape(name)}(?!\w)", folded):
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
