"""Redirect wrappers undone offline: the link inside ``l.facebook.com/l.php?u=…`` is the one judged.

Platforms, mail filters and archives wrap a link in a URL of their own that carries the target in
its query or path. Judged as it stands, ``l.facebook.com/l.php?u=https%3A%2F%2Fwelt.ltd`` is a
Facebook URL and ``trusted``: the fake hides behind the wrapper. Each wrapper here is one row of
:data:`WRAPPERS` (which hosts, which path, where the target sits); nothing is fetched. Nested
wrappers are undone repeatedly, at most :data:`~linkguard.limits.MAX_UNWRAP_DEPTH` times.

``normalize`` calls :func:`unwrapped` for hosts whose registrable label is in
:data:`WRAPPER_LABELS`, so a link elsewhere costs one set lookup.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from linkguard.limits import MAX_UNWRAP_DEPTH
from linkguard.models import Evidence, Link

#: Characters of a malformed inner URL quoted in the evidence.
_QUOTE_CHARS = 120


def _param(*names: str) -> Callable[[str, str], str | None]:
    """The target is the first of these query parameters (decoded once)."""

    def take(path: str, query: str) -> str | None:
        return _query_value(query, names)

    return take


def _query_value(query: str, names: tuple[str, ...]) -> str:
    """The value of the first of ``names`` in ``query`` (its last occurrence), decoded as
    ``dict(parse_qsl(query, keep_blank_values=True))`` has it, ``""`` if none is there. Only
    a name that may decode to one of them and the value taken are decoded: parsing the whole
    query was a fifth of a wrapped link's scan (a property test holds the two equal)."""
    raw: dict[str, str] = {}
    for part in query.split("&"):
        name, _, value = part.partition("=")
        if "%" in name or "+" in name:
            name = _unquote(name.replace("+", " "))
        if name in names:
            raw[name] = value
    for name in names:
        if name in raw:
            return _unquote(raw[name].replace("+", " "))
    return ""


#: ``%XX`` (either case) of every ASCII character, without the ``%``: what ``_unquote`` decodes itself.
_ASCII_ESCAPES = {f"{hi}{lo}": chr(int(hi + lo, 16)) for hi in "01234567" for lo in "0123456789abcdefABCDEF"}


def _unquote(value: str) -> str:
    """``urllib.parse.unquote(value)``, each escape of an ASCII character looked up at once; any
    other escape (UTF-8 bytes that decode together, a bad one) leaves it to ``unquote``. A wrapped
    link's target is such (``https%3A%2F%2Fwelt.ltd``), and ``unquote`` was a third of taking it
    out (a property test holds the two equal)."""
    head, *escaped = value.split("%")
    try:
        return head + "".join([_ASCII_ESCAPES[piece[:2]] + piece[2:] for piece in escaped])
    except KeyError:
        return unquote(value)


def _whole_query(path: str, query: str) -> str | None:
    """``href.li/?https://welt.ltd/x``: everything after the ``?`` is the target."""
    return unquote(query)


def _path_tail(pattern: str) -> Callable[[str, str], str | None]:
    """The target is the rest of the path after ``pattern`` (archives), with the query."""
    compiled = re.compile(pattern)

    def take(path: str, query: str) -> str | None:
        m = compiled.match(path)
        if m is None:
            return None
        inner = m.group("url") + (f"?{query}" if query else "")
        inner = re.sub(r"\A(https?):/(?!/)", r"\1://", inner, flags=re.IGNORECASE)  # collapsed //
        return inner

    return take


def _amp(pattern: str) -> Callable[[str, str], str | None]:
    """Google AMP (``/amp/s/welt.ltd/x``, ``…cdn.ampproject.org/c/s/welt.ltd/x``): the target's host
    and path follow, without scheme; ``s/`` means https."""
    compiled = re.compile(pattern)

    def take(path: str, query: str) -> str | None:
        m = compiled.fullmatch(path)
        if m is None:
            return None
        scheme = "https" if m.group("s") else "http"
        return f"{scheme}://{m.group('url')}" + (f"?{query}" if query else "")

    return take


def _proofpoint_v2(path: str, query: str) -> str | None:
    """``/v2/url?u=https-3A__welt.ltd_x&d=…``: ``-`` stands for ``%`` and ``_`` for ``/``."""
    if path != "/v2/url":
        return None if path != "/v1/url" else _param("u")(path, query)
    for part in query.split("&"):
        if part.startswith("u="):
            return unquote(part[2:].replace("-", "%").replace("_", "/"))
    return ""


_V3 = re.compile(r"/v3/__(?P<url>.+?)__;(?P<enc>[A-Za-z0-9_-]*)!")
_V3_TOKEN = re.compile(r"\*\*[A-Za-z0-9_-]|\*")
_V3_RUNS = {
    c: i + 2 for i, c in enumerate("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
}


def _proofpoint_v3(url: str) -> str | None:
    """``urldefense.com/v3/__https://welt.ltd/x__;!!…``: characters Proofpoint replaced by ``*``
    are stored, base64url-encoded, after the ``;`` (``**X`` stands for a run of them)."""
    m = _V3.search(url)
    if m is None:
        return None if "/v3/" not in url else ""
    inner = unquote(m.group("url"))
    if "*" not in inner:
        return inner
    try:
        stored = base64.urlsafe_b64decode(m.group("enc") + "==").decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return ""
    used = 0

    def put(token: re.Match[str]) -> str:
        nonlocal used
        size = 1 if token.group() == "*" else _V3_RUNS[token.group()[-1]]
        out = stored[used : used + size]
        used += size
        return out

    return _V3_TOKEN.sub(put, inner)


@dataclass(frozen=True, slots=True)
class Wrapper:
    """One kind of wrapper: which hosts, which paths, and how to take the target out."""

    name: str
    hosts: frozenset[str]
    #: The path, matched whole; ``None`` for any path.
    path: re.Pattern[str] | None
    take: Callable[[str, str], str | None]


_ARCHIVE_TODAY = frozenset(
    f"{www}archive.{tld}" for www in ("", "www.") for tld in ("ph", "today", "is", "li", "vn", "md", "fo")
)

#: The wrappers undone; ``google.*``, ``*.safelinks.protection.outlook.com`` and
#: ``*.cdn.ampproject.org`` are matched by rule (:func:`_host_key`), the others by exact host.
WRAPPERS: tuple[Wrapper, ...] = (
    Wrapper(
        "Facebook link shim",
        frozenset(
            {"l.facebook.com", "lm.facebook.com", "m.facebook.com", "www.facebook.com", "facebook.com"}
            | {"l.messenger.com"}
        ),
        re.compile(r"/l\.php"),
        _param("u"),
    ),
    Wrapper("Instagram link shim", frozenset({"l.instagram.com"}), re.compile(r"/?"), _param("u")),
    Wrapper("Google redirect", frozenset({"google"}), re.compile(r"/url"), _param("q", "url")),
    Wrapper("Google AMP", frozenset({"google"}), None, _amp(r"/amp/(?P<s>s/)?(?P<url>[^/]+\.[^/]+.*)")),
    Wrapper("AMP cache", frozenset({"ampproject"}), None, _amp(r"/[cv]/(?P<s>s/)?(?P<url>[^/]+\.[^/]+.*)")),
    Wrapper(
        "Wayback Machine capture",
        frozenset({"web.archive.org", "wayback.archive.org"}),
        None,
        _path_tail(r"/web/(?:\d{1,14}[a-z_]*|\*)/(?P<url>.+)"),
    ),
    Wrapper(
        "archive.today capture",
        _ARCHIVE_TODAY,
        None,
        _path_tail(r"/(?:(?:o/[A-Za-z0-9]+|newest|oldest|\d{4}[\d.-]*)/)?(?P<url>https?:/.+)"),
    ),
    Wrapper(
        "VK away link",
        frozenset({"vk.com", "m.vk.com", "away.vk.com"}),
        re.compile(r"/away(?:\.php)?"),
        _param("to"),
    ),
    Wrapper("Telegram Instant View", frozenset({"t.me", "telegram.me"}), re.compile(r"/iv"), _param("url")),
    Wrapper(
        "YouTube redirect",
        frozenset({"youtube.com", "www.youtube.com", "m.youtube.com"}),
        re.compile(r"/redirect"),
        _param("q"),
    ),
    Wrapper("Outlook Safe Links", frozenset({"safelinks"}), re.compile(r"/?"), _param("url")),
    Wrapper(
        "Proofpoint URL Defense",
        frozenset({"urldefense.proofpoint.com"}),
        re.compile(r"/v[12]/url"),
        _proofpoint_v2,
    ),
    Wrapper("href.li", frozenset({"href.li"}), re.compile(r"/?"), _whole_query),
    Wrapper("Slack redirect", frozenset({"slack-redir.net"}), re.compile(r"/link"), _param("url")),
    Wrapper("Reddit out-link", frozenset({"out.reddit.com"}), None, _param("url")),
)
_BY_HOST: dict[str, tuple[Wrapper, ...]] = {}
for _wrapper in WRAPPERS:
    for _host in _wrapper.hosts:
        _BY_HOST[_host] = (*_BY_HOST.get(_host, ()), _wrapper)
#: Registrable labels of every wrapper host: ``normalize`` looks no further for any other link.
WRAPPER_LABELS: frozenset[str] = frozenset(
    {"facebook", "messenger", "instagram", "google", "ampproject", "archive", "vk", "t", "telegram"}
    | {"youtube"}
    | {"outlook", "proofpoint", "urldefense", "href", "slack-redir", "reddit"}
)


def _host_key(link: Link) -> str:
    """The key of :data:`_BY_HOST`: Google's own domains only (``google.de``, ``www.google.co.uk``,
    never ``google.example.de``), any tenant of Outlook's Safe Links."""
    host = link.host
    if host.endswith(".safelinks.protection.outlook.com"):
        return "safelinks"
    if host.endswith(".cdn.ampproject.org"):
        return "ampproject"
    if link.domain_label == "google" and link.subdomain in ("", "www"):
        return "google"
    return host


def _path_query(url: str) -> tuple[str, str]:
    """``(path, query)`` of a normalised link's URL, as ``urlsplit`` splits it (a property test
    holds the two equal): its authority ends at the ``/`` that always starts its path, and it
    holds no tab, newline or leading space for ``urlsplit`` to drop. A wrapped link's ``urlsplit``
    cost as much as taking its target out. Any other URL (a ``Link`` made by hand) is split by
    ``urlsplit``, as before."""
    authority = 8 if url.startswith("https://") else 7 if url.startswith("http://") else 0
    slash = url.find("/", authority) if authority else -1
    if slash < 0 or "?" in url[authority:slash] or "#" in url[authority:slash] or not url.isprintable():
        parts = urlsplit(url)
        return parts.path or "/", parts.query
    rest = url[slash:].partition("#")[0]
    path, _, query = rest.partition("?")
    return path, query


def inner_url(link: Link) -> tuple[str, str] | None:
    """``(wrapper name, target as written)`` when ``link`` is a known wrapper; None otherwise.

    The target is ``""`` when the wrapper carries none (the parameter is missing or undecodable).
    """
    url = link.url
    if link.host == "urldefense.com":
        v3 = _proofpoint_v3(url)
        return None if v3 is None else ("Proofpoint URL Defense", v3)
    wrappers = _BY_HOST.get(_host_key(link))
    if wrappers is None:
        return None
    path, query = _path_query(url)
    for wrapper in wrappers:
        if wrapper.path is not None and not wrapper.path.fullmatch(path):
            continue
        inner = wrapper.take(path, query)
        if inner is not None:
            return wrapper.name, inner.strip()
    return None


def unwrapped(link: Link, parse: Callable[[str], Link | None]) -> Link:
    """The link inside ``link``'s wrappers, with the wrappers in ``via`` and ``wrapper`` evidence.

    ``parse`` normalises a target without unwrapping it again (the loop here does that). A target
    that is not a URL leaves the wrapper in place, with evidence saying so. A target is looked
    into only when its registrable label is a wrapper's (as ``normalize`` decides for ``link``):
    most are the destination, and asking ``inner_url`` of it was a fifth of unwrapping.
    """
    current = link
    via: list[str] = []
    notes: list[Evidence] = []
    for _ in range(MAX_UNWRAP_DEPTH):
        found = inner_url(current) if current.domain_label in WRAPPER_LABELS else None
        if found is None:
            break
        name, inner = found
        target = parse(inner) if inner else None
        if target is None:
            shown = inner[:_QUOTE_CHARS] or "nothing"
            detail = (
                f"{current.host} is a redirect wrapper ({name}), but the URL inside it is malformed: {shown}"
            )
            notes.append(Evidence("wrapper", detail, {"wrapper": current.url, "inner": inner[:_QUOTE_CHARS]}))
            break
        detail = f"unwrapped offline: {current.host} ({name}) leads to {target.host_unicode}"
        notes.append(Evidence("wrapper", detail, {"wrapper": current.url, "name": name}))
        via.append(current.url)
        current = target
    else:
        if inner_url(current) is not None:
            detail = f"wrappers nested deeper than {MAX_UNWRAP_DEPTH}; the innermost were not undone"
            notes.append(Evidence("wrapper", detail, {"wrapper": current.url}))
    if not notes:
        return link
    tricks = link.obfuscation
    if current is not link:
        tricks = tuple(dict.fromkeys((*link.obfuscation, *current.obfuscation)))
    return Link(
        link.text,
        current.url,
        current.host,
        current.host_unicode,
        current.registered_domain,
        current.domain_label,
        current.suffix,
        current.subdomain,
        tricks,
        link.display,
        current.is_ip,
        current.is_private_suffix,
        (*link.via, *via),
        (*link.resolution, *notes),
    )
