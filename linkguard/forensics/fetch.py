"""One safe HTTP GET: checked address, pinned connection, capped headers and body, hard deadline.

Why not ``httpx.Client``: a client keeps a cookie jar across URLs, reads proxy variables, and
``iter_bytes`` inflates a whole network read before the caller can count it (a 200 KiB gzip
bomb reaches hundreds of MiB). Here a request goes straight to a transport; the body is read
with ``iter_raw`` and inflated by ``zlib`` with ``max_length``.

The default transport is an ``httpcore`` pool whose network backend connects only to the address
``NetworkPolicy`` checked for that host (no second DNS lookup, so no rebinding window) and gives
every socket operation at most the time left before the wall-clock deadline: a server dripping
one byte per second cannot outlast it, not even while sending headers.
"""

from __future__ import annotations

import dataclasses
import ssl
import threading
import time
import zlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal, Protocol

import httpcore
import httpx

from linkguard import limits
from linkguard.errors import FetchError
from linkguard.forensics.budget import Budget, BudgetExceeded
from linkguard.forensics.netpolicy import NetworkPolicy, ascii_host
from linkguard.forensics.tlsinfo import TlsFacts, certificate_error, unverified_context
from linkguard.forensics.tlsinfo import read as read_tls

#: Only codings we can inflate with an output bound; brotli's Python API has no output limit in
#: the versions commonly installed, so ``br`` is never advertised (RFC 9110: then servers must not use it).
ACCEPT_ENCODING = "gzip, deflate"
_HTTPCORE_ERRORS = (
    httpcore.TimeoutException,
    httpcore.NetworkError,
    httpcore.ProtocolError,
    httpcore.ProxyError,
    httpcore.UnsupportedProtocol,
)


@dataclass(frozen=True, slots=True)
class ClientProfile:
    """What one kind of visitor sends; fixed per profile so that results are comparable."""

    name: str
    user_agent: str
    referer: str | None = None
    accept_language: str = "de-DE,de;q=0.9,en;q=0.8"


BROWSER = ClientProfile(
    "browser",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Safari/537.36",
)
#: A visitor arriving from a social network, as campaign links are meant to be opened.
SOCIAL = ClientProfile("social", BROWSER.user_agent, referer="https://t.co/")
#: An honest crawler, as platform link-preview bots and fact-checkers' scripts look.
CRAWLER = ClientProfile("crawler", "linkguard/0.1 (link forensics; +https://pypi.org/project/linkguard/)")


@dataclass(frozen=True, slots=True)
class FetchLimits:
    """Every bound on the network work of an investigation, passed whole (as httpx passes its
    ``Timeout`` and ``Limits``): per request, per link and for the whole run.

    The flags map onto it: --timeout (``with_timeout``), --max-bytes, --max-redirects,
    --budget, --concurrency. Defaults come from ``linkguard.limits``.
    """

    # one request
    connect_timeout: float = limits.CONNECT_TIMEOUT_S
    read_timeout: float = limits.READ_TIMEOUT_S
    total_timeout: float = limits.TOTAL_TIMEOUT_S
    max_body_bytes: int = limits.MAX_BODY_BYTES
    max_decoded_bytes: int = limits.MAX_DECODED_BYTES
    max_header_bytes: int = limits.MAX_HEADER_BYTES
    whois_timeout: float = limits.WHOIS_TIMEOUT_S
    whois_max_bytes: int = limits.WHOIS_MAX_BYTES
    #: Requests to one host start at least this many seconds apart.
    per_host_interval: float = limits.PER_HOST_INTERVAL_S
    # one link
    max_redirects: int = limits.MAX_REDIRECTS
    #: Wall-clock seconds and decoded bytes for one link's whole investigation (``Budget``).
    budget: float = limits.LINK_BUDGET_S
    budget_bytes: int = limits.LINK_BUDGET_BYTES
    # the run
    #: Links investigated in parallel.
    max_concurrency: int = limits.MAX_CONCURRENCY

    def with_timeout(self, seconds: float | None) -> FetchLimits:
        """These limits with one wall-clock limit per request (--timeout): the connect, read and
        WHOIS timeouts never exceed it."""
        if seconds is None:
            return self
        return dataclasses.replace(
            self,
            total_timeout=seconds,
            connect_timeout=min(self.connect_timeout, seconds),
            read_timeout=min(self.read_timeout, seconds),
            whois_timeout=min(self.whois_timeout, seconds),
        )


@dataclass(frozen=True, slots=True)
class FetchResult:
    url: str
    status: int
    address: str
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""
    #: The body was cut at the wire or decoded cap (what was read is still analysed).
    truncated: bool = False
    wire_bytes: int = 0
    note: str = ""
    #: The response as it came, for the archive: every header in order (``headers`` keeps the first
    #: value of each name), the protocol and the reason phrase.
    raw_headers: tuple[tuple[str, str], ...] = ()
    http_version: str = "HTTP/1.1"
    reason: str = ""
    #: The server's certificate, for HTTPS (recorded whether or not it verifies).
    tls: TlsFacts | None = None

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";", 1)[0].strip().lower()

    @property
    def charset(self) -> str | None:
        for part in self.headers.get("content-type", "").split(";")[1:]:
            key, _, value = part.partition("=")
            if key.strip().lower() == "charset" and value.strip():
                return value.strip().strip("\"'")
        return None

    @property
    def location(self) -> str | None:
        return self.headers.get("location") if 300 <= self.status < 400 else None


class HostPacer:
    """Per-host politeness: requests to one host start at least ``interval`` seconds apart."""

    def __init__(self, interval: float = limits.PER_HOST_INTERVAL_S) -> None:
        self._interval = interval
        self._next: dict[str, float] = {}
        self._lock = threading.Lock()

    def wait(self, host: str, deadline: float | None = None) -> None:
        """Sleep until ``host``'s next slot (never past ``deadline``)."""
        if self._interval <= 0:
            return
        with self._lock:
            now = time.monotonic()
            slot = max(now, self._next.get(host, now))
            self._next[host] = slot + self._interval
            if len(self._next) > 10_000:  # forget hosts whose slot has passed
                self._next = {h: t for h, t in self._next.items() if t > now}
        if deadline is not None:
            slot = min(slot, deadline)
        if slot > now:
            time.sleep(slot - now)


class _BoundedDecoder:
    """Inflates gzip/deflate chunk by chunk and never produces more than ``cap`` bytes in total."""

    def __init__(self, coding: str, cap: int) -> None:
        if coding not in ("", "identity", "gzip", "x-gzip", "deflate"):
            raise ValueError(coding)
        self.coding = coding
        self.room = cap
        self.truncated = False
        self._zlib: Any = zlib.decompressobj(16 + zlib.MAX_WBITS) if "gzip" in coding else None

    def feed(self, chunk: bytes) -> bytes:
        if not chunk:
            return b""
        if self.room <= 0:
            self.truncated = True
            return b""
        if self.coding in ("", "identity"):
            out = chunk[: self.room]
            self.truncated = len(out) < len(chunk)
        else:
            if self._zlib is None:  # "deflate" is zlib-wrapped by the RFC, raw in practice
                wrapped = len(chunk) >= 2 and chunk[0] & 0x0F == 8 and (chunk[0] << 8 | chunk[1]) % 31 == 0
                self._zlib = zlib.decompressobj(zlib.MAX_WBITS if wrapped else -zlib.MAX_WBITS)
            out = self._zlib.decompress(chunk, self.room)
            self.truncated = bool(self._zlib.unconsumed_tail)
        self.room -= len(out)
        return bytes(out)


class _DeadlineStream(httpcore.NetworkStream):
    """Gives every socket operation at most the time left before the deadline."""

    def __init__(self, inner: httpcore.NetworkStream, deadline: float) -> None:
        self._inner = inner
        self._deadline = deadline

    def _budget(self, timeout: float | None, exc: type[Exception]) -> float:
        left = self._deadline - time.monotonic()
        if left <= 0:
            raise exc("wall-clock deadline passed")
        return left if timeout is None else min(timeout, left)

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, self._budget(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, self._budget(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self, ssl_context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        budget = self._budget(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(self._inner.start_tls(ssl_context, server_hostname, budget), self._deadline)

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _PinnedBackend(httpcore.NetworkBackend):
    """Connects a host name only to its checked address; never resolves a name itself."""

    def __init__(self, pins: Mapping[str, str], deadline: float, proxy_host: str | None) -> None:
        self._pins = dict(pins)
        self._deadline = deadline
        self._proxy_host = proxy_host
        self._inner = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        address = self._pins.get(host.lower())
        if address is None:
            if host != self._proxy_host:
                raise httpcore.ConnectError(f"refusing to connect to unchecked host {host}")
            address = host  # the operator's own proxy (--proxy): trusted by configuration
        left = self._deadline - time.monotonic()
        if left <= 0:
            raise httpcore.ConnectTimeout("wall-clock deadline passed")
        budget = left if timeout is None else min(timeout, left)
        stream = self._inner.connect_tcp(address, port, budget, local_address, socket_options)
        return _DeadlineStream(stream, self._deadline)

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        raise httpcore.ConnectError("unix sockets are never used")

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


class _PinnedTransport(httpx.BaseTransport):
    """A one-request httpx transport over a pinned, deadline-bound httpcore pool (no keep-alive)."""

    def __init__(
        self, pins: Mapping[str, str], deadline: float, ssl_context: ssl.SSLContext, proxy: str | None
    ) -> None:
        proxy_host = httpx.URL(proxy).host if proxy else None
        self._pool = httpcore.ConnectionPool(
            ssl_context=ssl_context,
            proxy=httpcore.Proxy(proxy) if proxy else None,
            max_connections=1,
            max_keepalive_connections=0,
            retries=0,
            network_backend=_PinnedBackend(pins, deadline, proxy_host),
        )

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        core_request = httpcore.Request(
            method=request.method,
            url=httpcore.URL(
                scheme=request.url.raw_scheme,
                host=request.url.raw_host,
                port=request.url.port,
                target=request.url.raw_path,
            ),
            headers=request.headers.raw,
            content=request.stream if isinstance(request.stream, Iterable) else None,
            extensions=request.extensions,
        )
        response = self._pool.handle_request(core_request)
        stream = response.stream
        assert isinstance(stream, Iterable)
        return httpx.Response(
            status_code=response.status,
            headers=response.headers,
            stream=_CoreStream(stream),
            extensions=response.extensions,
        )

    def close(self) -> None:
        self._pool.close()


class _CoreStream(httpx.SyncByteStream):
    def __init__(self, inner: Iterable[bytes]) -> None:
        self._inner = inner

    def __iter__(self) -> Iterator[bytes]:
        yield from self._inner

    def close(self) -> None:
        close = getattr(self._inner, "close", None)
        if close is not None:
            close()


def _reads_body(want: str, content_type: str) -> bool:
    if want == "any":  # a browser's subresource (--screenshot): styles, scripts, images
        return True
    if want == "json":
        return "json" in content_type
    return content_type in ("", "text/html", "application/xhtml+xml") or "html" in content_type


class Recorder(Protocol):
    """Keeps every exchange with a server as it happened (``archive.EvidenceArchive``)."""

    def http(
        self,
        url: str,
        profile: ClientProfile,
        request_headers: Mapping[str, str],
        started: datetime,
        result: FetchResult | None,
        error: str | None = None,
        address: str = "",
    ) -> None: ...

    def whois(
        self,
        server: tuple[str, int],
        address: str,
        query: str,
        answer: bytes,
        started: datetime,
        error: str | None = None,
    ) -> None: ...


class Fetcher:
    """Makes single requests under one policy; thread-safe (no shared mutable request state).

    With a ``recorder``, every request that was sent is handed to it with its answer (or why
    there was none); a request the policy refused was never sent and is not recorded.
    """

    def __init__(
        self,
        policy: NetworkPolicy,
        *,
        limits: FetchLimits | None = None,
        transport: httpx.BaseTransport | None = None,
        proxy: str | None = None,
        pacer: HostPacer | None = None,
        recorder: Recorder | None = None,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self.policy = policy
        self.limits = limits or FetchLimits()
        self.recorder = recorder
        self._transport = transport
        self._proxy = proxy
        self._pacer = pacer or HostPacer(0)
        #: The trust store (default: certifi's, never the environment's); a test seam for private CAs.
        self._ssl: ssl.SSLContext | None = ssl_context
        self._ssl_lock = threading.Lock()

    def _ssl_context(self) -> ssl.SSLContext:
        with self._ssl_lock:
            if self._ssl is None:  # built lazily: loading the CA bundle costs ~20 ms
                self._ssl = httpx.create_ssl_context(trust_env=False)
            return self._ssl

    def fetch(
        self,
        url: str,
        profile: ClientProfile,
        *,
        want: Literal["html", "json", "any"] = "html",
        max_bytes: int | None = None,
        budget: Budget | None = None,
    ) -> FetchResult:
        """GET ``url`` once. Raises BlockedAddressError (policy) or FetchError (anything else).

        With a ``budget``, the request also ends at the budget's deadline and reads at most the
        bytes left in it (``BudgetExceeded`` when nothing is left; a body cut by it is kept).
        """
        try:
            parsed = httpx.URL(url)
        except (httpx.InvalidURL, TypeError) as exc:
            raise FetchError(f"invalid URL {url!r}: {exc}") from exc
        if parsed.scheme not in ("http", "https") or not parsed.host:
            raise FetchError(f"not an http(s) URL: {url}")
        # credentials in a URL (``https://welt.de@welt.ltd/``) are a display trick; never send them
        parsed = parsed.copy_with(userinfo=b"", fragment=None)
        # the name as it goes on the wire and to DNS (punycode): the pinned connection is keyed on it
        host = ascii_host(parsed.raw_host.decode("ascii", errors="replace"))
        port = parsed.port or (443 if parsed.scheme == "https" else 80)
        lim = self.limits
        what = f"the request to {host}"
        if budget is not None:
            budget.check(what)
        timeout = lim.total_timeout if budget is None else min(lim.total_timeout, budget.left())
        try:
            address = self.policy.resolve_checked(host, timeout=timeout)[0]
        except FetchError as exc:
            if budget is not None and budget.exhausted:
                budget.note(what)
                raise BudgetExceeded(f"{budget.describe(what)} ({exc})") from exc
            raise
        self.policy.check_port(host, port)
        self._pacer.wait(host, budget.deadline if budget is not None else None)
        started = time.monotonic()
        deadline = started + lim.total_timeout
        if budget is not None:
            budget.check(what)
            deadline = min(deadline, budget.deadline)

        headers = {
            "User-Agent": profile.user_agent,
            "Accept": "application/rdap+json, application/json;q=0.9"
            if want == "json"
            else "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5",
            "Accept-Language": profile.accept_language,
            "Accept-Encoding": ACCEPT_ENCODING,
            "Connection": "close",
        }
        if profile.referer:
            headers["Referer"] = profile.referer
        timeouts = {
            "connect": lim.connect_timeout,
            "read": lim.read_timeout,
            "write": lim.read_timeout,
            "pool": lim.connect_timeout,
        }
        request = httpx.Request("GET", parsed, headers=headers, extensions={"timeout": timeouts})
        sent = datetime.now(UTC)
        try:
            try:
                result = self._exchange(request, host, address, deadline, None, want, max_bytes, budget)
            except (httpx.HTTPError, *_HTTPCORE_ERRORS) as exc:
                cert_error = certificate_error(exc) if self._transport is None else None
                if cert_error is None or want != "html":  # a registry's answer must come from the registry
                    raise
                # a page is observed, not refused: the same request again, recording why the certificate fails
                result = self._exchange(request, host, address, deadline, cert_error, want, max_bytes, budget)
        except (httpx.HTTPError, *_HTTPCORE_ERRORS) as exc:
            if budget is not None and budget.exhausted:
                budget.note(what)
                failure: FetchError = BudgetExceeded(f"{budget.describe(what)} ({exc})")
            else:
                failure = FetchError(_describe(exc, host, time.monotonic() - started, deadline, lim))
            if self.recorder is not None:
                self.recorder.http(str(parsed), profile, headers, sent, None, str(failure), address)
            raise failure from exc
        except FetchError as exc:  # headers too large: an answer came, but is not kept
            if self.recorder is not None:
                self.recorder.http(str(parsed), profile, headers, sent, None, str(exc), address)
            raise
        if self.recorder is not None:
            self.recorder.http(str(parsed), profile, headers, sent, result)
        if budget is not None:
            budget.spend(len(result.body))
        return result

    def _exchange(
        self,
        request: httpx.Request,
        host: str,
        address: str,
        deadline: float,
        cert_error: str | None,
        want: str,
        max_bytes: int | None,
        budget: Budget | None,
    ) -> FetchResult:
        """One request on its own connection; with ``cert_error``, over TLS that accepts any
        certificate (the first attempt failed on it), and the facts say so."""
        own = self._transport is None
        context = self._ssl_context() if cert_error is None else unverified_context()
        transport = self._transport or _PinnedTransport({host: address}, deadline, context, self._proxy)
        try:
            response = transport.handle_request(request)
            response.request = request  # a bare transport leaves it unset; errors below need it
            try:
                tls = None
                stream = response.extensions.get("network_stream")
                if request.url.scheme == "https" and stream is not None:
                    ssl_object = stream.get_extra_info("ssl_object")
                    tls = read_tls(ssl_object, host, cert_error) if ssl_object is not None else None
                result = self._read(response, str(request.url), address, want, max_bytes, deadline, budget)
            finally:
                response.close()
        finally:
            if own:
                transport.close()
        return dataclasses.replace(result, tls=tls) if tls is not None else result

    def _read(
        self,
        response: httpx.Response,
        url: str,
        address: str,
        want: str,
        max_bytes: int | None,
        deadline: float,
        budget: Budget | None,
    ) -> FetchResult:
        lim = self.limits
        header_bytes = sum(len(k) + len(v) + 4 for k, v in response.headers.raw)
        if header_bytes > lim.max_header_bytes:
            raise FetchError(f"response headers too large ({header_bytes} bytes > {lim.max_header_bytes})")
        headers: dict[str, str] = {}
        for key, value in response.headers.multi_items():
            headers.setdefault(key.lower(), value)
        result = FetchResult(
            url=url,
            status=response.status_code,
            address=address,
            headers=headers,
            raw_headers=tuple(response.headers.multi_items()),
            http_version=response.http_version or "HTTP/1.1",
            reason=response.reason_phrase,
        )
        if 300 <= response.status_code < 400 or not _reads_body(want, result.content_type):
            return result
        coding = headers.get("content-encoding", "").strip().lower()
        decoded_cap = lim.max_decoded_bytes
        if budget is not None and budget.bytes_left < decoded_cap:
            decoded_cap = max(1, budget.bytes_left)
        try:
            decoder = _BoundedDecoder(coding, decoded_cap)
        except ValueError:
            return FetchResult(
                **_fields(result), note=f"body not read: unsupported Content-Encoding {coding!r}"
            )
        wire_cap = max_bytes or lim.max_body_bytes
        parts: list[bytes] = []
        wire = 0
        truncated = False
        note = ""
        chunks = response.iter_raw()
        while True:
            try:
                chunk = next(chunks, None)
                if chunk is not None and time.monotonic() > deadline:
                    raise httpx.ReadTimeout("wall-clock deadline passed", request=response.request)
            except (httpx.TimeoutException, httpcore.TimeoutException):
                if not parts:
                    raise
                # keep what arrived: a page dripped or streamed past the deadline is still evidence
                ran_out = budget is not None and budget.exhausted
                truncated = True
                note = (
                    f"the link's time budget ran out while reading the body; kept {wire} bytes read"
                    if ran_out
                    else f"body cut at the {lim.total_timeout:g} s deadline; kept {wire} bytes read"
                )
                break
            if chunk is None:
                break
            take = chunk[: wire_cap - wire]
            wire += len(take)
            try:
                parts.append(decoder.feed(take))
            except zlib.error as exc:
                note = f"compressed body is corrupt after {wire} bytes ({exc})"
                break
            if len(take) < len(chunk) or wire >= wire_cap or decoder.truncated:
                truncated = True
                if decoder.truncated and decoded_cap < lim.max_decoded_bytes:
                    note = f"the link's budget of bytes read ran out: body cut at {decoded_cap} decoded bytes"
                elif decoder.truncated:
                    note = f"decoded body cut at {lim.max_decoded_bytes} bytes"
                else:
                    note = f"body cut at {wire_cap} bytes"
                break
        return FetchResult(
            **_fields(result), body=b"".join(parts), truncated=truncated, wire_bytes=wire, note=note
        )


def _fields(result: FetchResult) -> dict[str, Any]:
    return {
        "url": result.url,
        "status": result.status,
        "address": result.address,
        "headers": result.headers,
        "raw_headers": result.raw_headers,
        "http_version": result.http_version,
        "reason": result.reason,
        "tls": result.tls,
    }


def _describe(exc: Exception, host: str, elapsed: float, deadline: float, lim: FetchLimits) -> str:
    """A sentence for the evidence: what failed and after how long."""
    if isinstance(exc, (httpx.TimeoutException, httpcore.TimeoutException)):
        if time.monotonic() >= deadline - 0.05:
            return f"{host}: gave up after the {lim.total_timeout:g} s deadline (server too slow)"
        if isinstance(exc, (httpx.ConnectTimeout, httpcore.ConnectTimeout)):
            return f"{host}: connection timed out after {lim.connect_timeout:g} s"
        return f"{host}: timed out after {elapsed:.0f} s waiting for data"
    if isinstance(exc, (httpx.ConnectError, httpcore.ConnectError)):
        return f"{host}: could not connect ({exc})"
    return f"{host}: {type(exc).__name__}: {exc}"
