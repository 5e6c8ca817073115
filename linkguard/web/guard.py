"""The checks every request passes before any route sees it, as one ASGI middleware.

In order: the ``Host`` header must name the server (a DNS-rebinding page cannot reach it); with a
token, the request must carry it; a cross-site request may not change or run anything (``Origin``
and ``Sec-Fetch-Site``); the body may not exceed the limit (checked against ``Content-Length`` and
again while it streams, so a lying or chunked client is stopped too; the rest is read and dropped,
up to a cap, so the client sees the 413 rather than a reset connection). Every response gets the
security headers, including a strict Content-Security-Policy: no inline script, nothing from
another origin.
"""

from __future__ import annotations

import hmac
import html
import ipaddress
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from dataclasses import dataclass
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qs, urlencode

from linkguard.limits import WEB_DRAIN_BYTES

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),  # no-referrer would make browsers send Origin: null
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"cache-control", b"no-store"),
)
TOKEN_COOKIE = "linkguard_token"
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")


class BodyTooLarge(Exception):
    """The request body grew past the limit while it streamed in."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"the request body is larger than the limit of {limit:,} bytes")
        self.limit = limit


def is_loopback(host: str) -> bool:
    """Whether binding ``host`` keeps the server on this machine."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def host_name(header: str) -> str:
    """The name in a ``Host`` header, without port or IPv6 brackets, lower case."""
    header = header.strip().lower()
    if header.startswith("["):
        return header[1:].partition("]")[0]
    return header.rpartition(":")[0] if header.count(":") == 1 else header


@dataclass(frozen=True, slots=True)
class GuardConfig:
    allowed_hosts: frozenset[str]
    token: str | None
    max_body_bytes: int


def problem_body(status: int, title: str, detail: str) -> bytes:
    import json

    return json.dumps({"type": "about:blank", "title": title, "status": status, "detail": detail}).encode()


class Guard:
    """Wraps the app: Host check, token, cross-site refusal, body limit, security headers."""

    def __init__(self, app: ASGIApp, config: GuardConfig) -> None:
        self.app, self.config = app, config

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = _headers(scope["headers"])
        refusal = self._refusal(scope, headers)
        if refusal is not None:
            await _respond(scope, send, *refusal)
            return
        if self.config.token is not None and not self._authorised(headers):
            query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
            given = query.get("token", [""])[0]
            if scope["method"] == "GET" and given and hmac.compare_digest(given, self.config.token):
                await self._login(scope, query, send)
                return
            await _respond(
                scope, send, 401, "Unauthorized", "this server needs its token (see `linkguard serve`)"
            )
            return
        length = headers.get("content-length", "")
        if length.isdigit() and int(length) > self.config.max_body_bytes:
            await _drain(receive, 0)
            detail = f"the request body is larger than the limit of {self.config.max_body_bytes:,} bytes"
            await _respond(scope, send, 413, "Content Too Large", detail)
            return
        await self.app(scope, self._limited(receive), self._with_headers(send))

    def _refusal(self, scope: Scope, headers: dict[str, str]) -> tuple[int, str, str] | None:
        if host_name(headers.get("host", "")) not in self.config.allowed_hosts:
            return 421, "Misdirected Request", "the Host header does not name this server"
        if scope["method"] not in _SAFE_METHODS:
            site = headers.get("sec-fetch-site", "")
            if site in ("cross-site", "same-site"):
                return 403, "Forbidden", "a request from another site"
            origin = headers.get("origin")
            foreign = origin is not None and not self._same_origin(origin, headers.get("host", ""))
            if foreign and not (origin == "null" and site == "same-origin"):
                return 403, "Forbidden", "a request from another site"
        return None

    @staticmethod
    def _same_origin(origin: str, host: str) -> bool:
        scheme, _, rest = origin.partition("://")
        return scheme in ("http", "https") and rest.lower() == host.strip().lower()

    def _authorised(self, headers: dict[str, str]) -> bool:
        assert self.config.token is not None
        auth = headers.get("authorization", "")
        if auth[:7].lower() == "bearer " and hmac.compare_digest(auth[7:].strip(), self.config.token):
            return True
        cookie = SimpleCookie()
        try:
            cookie.load(headers.get("cookie", ""))
        except Exception:
            return False
        morsel = cookie.get(TOKEN_COOKIE)
        return morsel is not None and hmac.compare_digest(morsel.value, self.config.token)

    async def _login(self, scope: Scope, query: dict[str, list[str]], send: Send) -> None:
        """``?token=…`` in a browser: remember it in a cookie and go on without it in the address bar."""
        assert self.config.token is not None
        rest = urlencode([(k, v) for k, values in query.items() if k != "token" for v in values])
        location = "/" + str(scope["path"]).lstrip("/\\") + (f"?{rest}" if rest else "")  # never //host
        cookie = f"{TOKEN_COOKIE}={self.config.token}; Path=/; HttpOnly; SameSite=Strict"
        await send(
            {
                "type": "http.response.start",
                "status": 303,
                "headers": [
                    (b"location", location.encode("latin-1", "replace")),
                    (b"set-cookie", cookie.encode("latin-1")),
                    (b"content-length", b"0"),
                    *SECURITY_HEADERS,
                ],
            }
        )
        await send({"type": "http.response.body", "body": b""})

    def _limited(self, receive: Receive) -> Receive:
        limit, seen = self.config.max_body_bytes, 0

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    if message.get("more_body", False):
                        await _drain(receive, seen)
                    raise BodyTooLarge(limit)
            return message

        return limited

    @staticmethod
    def _with_headers(send: Send) -> Send:
        async def wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in SECURITY_HEADERS if k not in names]
                if b"content-security-policy" not in names:
                    extra.append((b"content-security-policy", CSP.encode()))
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        return wrapped


async def _drain(receive: Receive, seen: int) -> None:
    """Read and drop the rest of a refused body (up to ``WEB_DRAIN_BYTES``), so the client that is
    still sending it gets the answer instead of a reset connection."""
    while seen <= WEB_DRAIN_BYTES:
        message = await receive()
        if message["type"] != "http.request":
            return
        seen += len(message.get("body", b""))
        if not message.get("more_body", False):
            return


def _headers(raw: Iterable[tuple[bytes, bytes]]) -> dict[str, str]:
    out: dict[str, str] = {}
    for name, value in raw:
        key = name.decode("latin-1").lower()
        if key not in out:  # a repeated Host or Content-Length: the first one counts
            out[key] = value.decode("latin-1")
    return out


async def _respond(scope: Scope, send: Send, status: int, title: str, detail: str) -> None:
    """A problem document for the API, a minimal page for a person's browser."""
    if str(scope.get("path", "")).startswith("/api/"):
        body, media = problem_body(status, title, detail), b"application/problem+json"
    else:
        page = f"<!doctype html><title>{status} {title}</title><h1>{title}</h1><p>{html.escape(detail)}</p>"
        body, media = page.encode(), b"text/html; charset=utf-8"
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", media),
                (b"content-length", str(len(body)).encode()),
                (b"content-security-policy", CSP.encode()),
                (b"connection", b"close"),
                *SECURITY_HEADERS,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
