"""Loopback servers for the forensics tests: a campaign web site, an RDAP registry and a WHOIS server.

Everything listens on 127.0.0.1 (one test also uses 127.0.0.2) on a free port, in daemon threads,
and records the requests it receives, so tests can assert that a refused hop sent *nothing*.
Registered from tests/conftest.py with ``pytest_plugins``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gzip
import json
import socket
import socketserver
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from linkguard.forensics.fetch import FetchLimits
from linkguard.models import Outlet, Verdict

#: The one outlet the forensics CLI tests judge against.
WELT_RULES = """
[[outlet]]
name = "WELT"
domains = ["welt.de"]
brands = ["welt"]
country = "DE"
"""


@pytest.fixture
def rules_file(tmp_path: Path) -> Path:
    """WELT_RULES as a rule file, for ``--rules``."""
    path = tmp_path / "welt.toml"
    path.write_text(WELT_RULES, encoding="utf-8")
    return path


WELT = Outlet(name="WELT", domains=("welt.de",), brands=("welt", "die welt"), country="DE")
NOW = datetime(2024, 5, 5, 12, 0, tzinfo=UTC)
PROXY_VARS = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "all_proxy")

CLONE_HTML = """<!doctype html>
<html lang="de"><head>
<meta charset="utf-8">
<title>WELT - Aktuelle Nachrichten, News, Hintergründe &amp; Videos</title>
<meta property="og:site_name" content="WELT">
<meta property="og:url" content="https://www.welt.de/politik/article250000000/Beispiel.html">
<meta name="twitter:site" content="@welt">
<link rel="canonical" href="https://www.welt.de/politik/article250000000/Beispiel.html">
<link rel="icon" href="https://www.welt.de/favicon.ico">
<link rel="stylesheet" href="https://www.welt.de/assets/main.css">
<script src="https://www.welt.de/assets/app.js"></script>
</head><body>
<header><a href="https://www.welt.de/">
<img class="c-logo" src="https://www.welt.de/img/welt-logo.svg" alt="WELT"></a>
<nav><a href="https://www.welt.de/politik/">Politik</a> <a href="https://www.welt.de/wirtschaft/">Wirtschaft</a>
<a href="https://www.welt.de/sport/">Sport</a> <a href="/article2">Mehr</a></nav></header>
<article><h1>Beispielmeldung</h1><p>Ein erfundener Text.</p></article>
<footer>© WELT 2024 – Axel Springer
<a href="https://www.welt.de/services/article7893735/Impressum.html">Impressum</a></footer>
</body></html>
"""

HARMLESS_HTML = "<html><head><title>Leckere Rezepte</title></head><body><p>Kuchen backen.</p></body></html>"


@pytest.fixture
def private_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep the CLI's cache and user rules away from the real user directories (a module opts in
    with ``pytestmark = pytest.mark.usefixtures("private_dirs")``)."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("LINKGUARD_RULES_DIR", str(tmp_path / "user-rules"))


def _gzip_bomb(decoded: int = 64 << 20) -> bytes:
    """~64 MiB of zeros as ~64 KiB of gzip, built in pieces so the fixture itself stays small."""
    comp = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = bytes(1 << 20)
    parts = [comp.compress(block) for _ in range(decoded >> 20)]
    parts.append(comp.flush())
    return b"".join(parts)


_BOMB: bytes | None = None


def gzip_bomb() -> bytes:
    global _BOMB
    if _BOMB is None:
        _BOMB = _gzip_bomb()
    return _BOMB


@dataclass
class Seen:
    path: str
    headers: dict[str, str]


@dataclass
class Server:
    host: str
    port: int
    requests: list[Seen] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    #: other servers this one redirects to, by name (filled by fixtures)
    targets: dict[str, str] = field(default_factory=dict)
    rdap: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: how long each /drip/N hop waits before redirecting
    drip_delay: float = 0.8

    @property
    def base(self) -> str:
        return f"http://{self.host}:{self.port}"

    def paths(self) -> list[str]:
        with self.lock:
            return [r.path for r in self.requests]


Route = Callable[[BaseHTTPRequestHandler, Server], None]


def _send(
    h: BaseHTTPRequestHandler, status: int, body: bytes = b"", ctype: str = "text/html", **headers: str
) -> None:
    h.send_response(status)
    h.send_header("Content-Type", ctype)
    h.send_header("Content-Length", str(len(body)))
    for key, value in headers.items():
        h.send_header(key.replace("_", "-"), value)
    h.end_headers()
    h.wfile.write(body)


def _html(h: BaseHTTPRequestHandler, text: str, **headers: str) -> None:
    _send(h, 200, text.encode("utf-8"), "text/html; charset=utf-8", **headers)


def _drip(h: BaseHTTPRequestHandler, data: bytes, pause: float, limit: float = 15.0) -> None:
    end = time.monotonic() + limit
    with contextlib.suppress(OSError):
        for byte in data:
            if time.monotonic() > end:
                return
            h.wfile.write(bytes([byte]))
            h.wfile.flush()
            time.sleep(pause)


def _slow_body(h: BaseHTTPRequestHandler, s: Server) -> None:
    h.send_response(200)
    h.send_header("Content-Type", "text/html")
    h.end_headers()
    h.wfile.flush()
    _drip(h, b"<html>" + b"x" * 1000, 0.05)


def _slow_headers(h: BaseHTTPRequestHandler, s: Server) -> None:
    _drip(h, b"HTTP/1.0 200 OK\r\n" + b"X-Pad: " + b"a" * 2000 + b"\r\n\r\n", 0.05)


def _endless(h: BaseHTTPRequestHandler, s: Server) -> None:
    h.send_response(200)
    h.send_header("Content-Type", "text/html")
    h.end_headers()
    chunk = b"<p>" + b"y" * 65533
    with contextlib.suppress(OSError):
        for _ in range(4096):  # 256 MiB at most, the client hangs up long before
            h.wfile.write(chunk)


def _bomb(h: BaseHTTPRequestHandler, s: Server) -> None:
    body = gzip_bomb()
    _send(h, 200, body, "text/html", Content_Encoding="gzip")


def _cloak(h: BaseHTTPRequestHandler, s: Server) -> None:
    ua = h.headers.get("User-Agent", "")
    if "Mozilla" not in ua:
        _send(h, 302, Location="/harmless")
    else:
        _send(h, 302, Location="/article")


# --- hostile pages: each costs a naive reader far more than its size -----------------------------
#: 200,000 unclosed anchors (2 MB): a tree builder with get_text per anchor took 20 minutes.
ANCHORS_HTML = "<title>WELT Links</title>" + "<a href=a>" * 200_000
#: 400,000 nested elements (2 MB).
NESTED_HTML = "<title>WELT tief</title>" + "<div>" * 400_000
#: Escape sequences, an OSC-8 hyperlink, a bidi override and C1 CSI in what check quotes.
HOSTILE_TEXT = (
    "\x1b[2J\x1b[31mWELT\x1b]8;;http://evil.example/\x1b\\klick\x1b]8;;\x1b\\ \u202eed.tlew\u202c \x9b2J"
)
HOSTILE_HTML = f"""<html><head><title>{HOSTILE_TEXT}</title>
<meta property="og:site_name" content="WELT {HOSTILE_TEXT}">
<link rel="canonical" href="https://www.welt.de/x"></head>
<body><footer>© WELT {HOSTILE_TEXT}</footer></body></html>"""


def _chunked_endless(h: BaseHTTPRequestHandler, s: Server) -> None:
    """Chunked markup that never ends (the server stops after 20 s if the client never hangs up)."""
    h.protocol_version = "HTTP/1.1"
    h.send_response(200)
    h.send_header("Content-Type", "text/html")
    h.send_header("Transfer-Encoding", "chunked")
    h.end_headers()
    head, body = b"<title>WELT endlos</title>", b"<div><a href=/x>mehr</a>" * 100
    end = time.monotonic() + 20
    with contextlib.suppress(OSError):
        h.wfile.write(b"%x\r\n%s\r\n" % (len(head), head))
        while time.monotonic() < end:
            h.wfile.write(b"%x\r\n%s\r\n" % (len(body), body))
            h.wfile.flush()
            time.sleep(0.01)
    h.close_connection = True


def _dripped_redirect(h: BaseHTTPRequestHandler, s: Server, n: int) -> None:
    """Hop n waits ``s.drip_delay`` (just under the client's timeout), then redirects to hop n+1."""
    time.sleep(s.drip_delay)
    with contextlib.suppress(OSError):
        _send(h, 302, Location=f"/drip/{n + 1}")


def _routes() -> dict[str, Route]:
    return {
        "/start": lambda h, s: _send(h, 302, Location="/hop2", Set_Cookie="session=abc; Path=/"),
        "/hop2": lambda h, s: _html(
            h,
            '<html><head><meta http-equiv="Refresh" content="0; URL=\'/hop3\'"></head><body>…</body></html>',
        ),
        "/hop3": lambda h, s: _html(
            h, '<html><body><script>\n  window.location.href = "\\/article";\n</script></body></html>'
        ),
        "/replace": lambda h, s: _html(h, "<script>location.replace('/article')</script>"),
        "/article": lambda h, s: _html(h, CLONE_HTML),
        "/harmless": lambda h, s: _html(h, HARMLESS_HTML),
        "/cloak": _cloak,
        "/loop": lambda h, s: _send(h, 302, Location="/loop2"),
        "/loop2": lambda h, s: _send(h, 302, Location="/loop"),
        "/slow": _slow_body,
        "/slowheaders": _slow_headers,
        "/endless": _endless,
        "/bomb": _bomb,
        "/bigheaders": lambda h, s: _send(h, 200, b"<html></html>", X_Big="z" * 30_000),
        "/gzip": lambda h, s: _send(
            h, 200, gzip.compress(CLONE_HTML.encode()), "text/html; charset=utf-8", Content_Encoding="gzip"
        ),
        "/deflate-raw": lambda h, s: _send(
            h,
            200,
            zlib.compress(CLONE_HTML.encode())[2:-4],
            "text/html; charset=utf-8",
            Content_Encoding="deflate",
        ),
        "/brotli": lambda h, s: _send(h, 200, b"\x1b\x00garbage", "text/html", Content_Encoding="br"),
        "/image": lambda h, s: _send(h, 200, b"\x89PNG" + b"\0" * 100, "image/png"),
        "/to-loopback": lambda h, s: _send(h, 302, Location=s.targets["loopback"]),
        "/to-metadata": lambda h, s: _send(h, 302, Location="http://169.254.169.254/latest/meta-data/"),
        "/to-private-name": lambda h, s: _send(h, 302, Location="http://intranet.corp.test/admin"),
        "/to-clone": lambda h, s: _send(h, 301, Location=s.targets["clone"]),
        "/to-ftp": lambda h, s: _send(h, 302, Location="ftp://files.example/x"),
        "/anchors": lambda h, s: _html(h, ANCHORS_HTML),
        "/nested": lambda h, s: _html(h, NESTED_HTML),
        "/chunked-endless": _chunked_endless,
        "/hostile": lambda h, s: _html(h, HOSTILE_HTML),
        "/hostile-go": lambda h, s: _html(
            h, '<meta http-equiv="refresh" content="0; url=/hostile?\x1b[2J\x1b]8;;http://evil.example/\x07">'
        ),
    }


class _WebHandler(BaseHTTPRequestHandler):
    server_version = "test"
    routes = _routes()

    def do_GET(self) -> None:
        state: Server = self.server.state  # type: ignore[attr-defined]
        path = self.path.split("?", 1)[0]
        with state.lock:
            state.requests.append(Seen(path, {k.lower(): v for k, v in self.headers.items()}))
        if path.startswith("/domain/"):
            self._rdap(state, path.removeprefix("/domain/"))
            return
        if path.startswith("/drip/") and path.removeprefix("/drip/").isdigit():
            _dripped_redirect(self, state, int(path.removeprefix("/drip/")))
            return
        route = self.routes.get(path)
        if route is None:
            _send(self, 404, b"not found")
        else:
            route(self, state)

    def _rdap(self, state: Server, domain: str) -> None:
        record = state.rdap.get(domain)
        if record is None:
            _send(self, 404, b'{"errorCode": 404}', "application/rdap+json")
        else:
            _send(self, 200, json.dumps(record).encode(), "application/rdap+json")

    def log_message(self, format: str, *args: Any) -> None:
        pass


class _Threaded(ThreadingHTTPServer):
    daemon_threads = True


@contextlib.contextmanager
def serve(host: str = "127.0.0.1") -> Iterator[Server]:
    httpd = _Threaded((host, 0), _WebHandler)
    state = Server(host, httpd.server_address[1])
    httpd.state = state  # type: ignore[attr-defined]
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)


@contextlib.contextmanager
def serve_static(answer: Callable[[str], tuple[int, bytes]]) -> Iterator[str]:
    """A loopback HTTP server answering each GET path with ``answer(path)``: its base URL.

    For the downloads of reference data (update-psl, update-popular), which need no more than a
    fixed body per path.
    """

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            status, body = answer(self.path)
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def rdap_record(domain: str, registered: str, registrar: str = "Example Registrar GmbH") -> dict[str, Any]:
    """An RFC 9083 domain object with a registration event and a registrar entity."""
    return {
        "objectClassName": "domain",
        "ldhName": domain,
        "events": [
            {"eventAction": "registration", "eventDate": registered},
            {"eventAction": "last changed", "eventDate": registered},
        ],
        "entities": [
            {
                "objectClassName": "entity",
                "roles": ["registrar"],
                "handle": "9999",
                "vcardArray": ["vcard", [["version", {}, "text", "4.0"], ["fn", {}, "text", registrar]]],
            }
        ],
    }


def two_cluster_members(web: Server, rdap: Server, rules_file: Path, tmp_path: Path) -> list[str]:
    """``scan --online`` arguments for a dump with two lookalikes (welt.ltd, welt.top) that share
    the loopback web server, its clone page and a registrar week: one infrastructure cluster."""
    rdap.rdap["welt.top"] = rdap_record("welt.top", "2024-05-03T11:00:00Z", "Cheap Names LLC")
    dump = tmp_path / "posts.txt"
    dump.write_text(
        f"Neu: http://welt.ltd:{web.port}/article\nAuch: http://welt.top:{web.port}/article\n"
        "Echt: https://www.welt.de/\n",
        encoding="utf-8",
    )
    args = ["scan", str(dump), "--online", "--allow-private", "--rdap-url", f"{rdap.base}/", "-q"]
    args += ["--resolve", "welt.ltd:127.0.0.1", "--resolve", "welt.top:127.0.0.1"]
    return [*args, "--rules", str(rules_file), "--no-blocklist", "--no-cache"]


class _WhoisHandler(socketserver.StreamRequestHandler):
    def handle(self) -> None:
        query = self.rfile.readline(512).decode().strip().lower()
        answers: dict[str, str] = self.server.answers  # type: ignore[attr-defined]
        self.server.queries.append(query)  # type: ignore[attr-defined]
        self.wfile.write(answers.get(query, f'No match for "{query.upper()}".\r\n').encode())


@dataclass
class WhoisServer:
    port: int
    answers: dict[str, str]
    queries: list[str]


@contextlib.contextmanager
def serve_whois(answers: dict[str, str]) -> Iterator[WhoisServer]:
    class _Server(socketserver.ThreadingTCPServer):
        daemon_threads = True
        allow_reuse_address = True

    srv = _Server(("127.0.0.1", 0), _WhoisHandler)
    state = WhoisServer(srv.server_address[1], answers, [])
    srv.answers = answers  # type: ignore[attr-defined]
    srv.queries = state.queries  # type: ignore[attr-defined]
    thread = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        srv.shutdown()
        srv.server_close()
        thread.join(5)


def classify_stub(link: Any) -> Verdict:
    """Stands in for the lookalike detector: welt.* other than welt.de imitates WELT."""
    if link.registered_domain == "welt.de":
        return Verdict("trusted", 0, WELT)
    if link.domain_label == "welt":
        return Verdict("suspicious", 60, WELT, ("tld-swap",))
    if link.registered_domain in ("t.co", "bit.ly"):
        return Verdict("shortened", 10)
    return Verdict("unknown", 0)


@pytest.fixture(autouse=True)
def unpaced(monkeypatch: pytest.MonkeyPatch) -> None:
    """Requests to one loopback host are not spaced out (the CLI's default politeness, half a
    second, was most of the online tests' time, asleep). A ``FetchLimits`` built without a
    ``per_host_interval`` gets 0; one given an interval keeps it, so the politeness test
    (``test_politeness_spaces_requests_to_one_host``) still measures real spacing. Processes a
    test starts keep the default."""
    init = FetchLimits.__init__
    names = [f.name for f in dataclasses.fields(FetchLimits) if f.init]
    defaults = list(init.__defaults__ or ())
    defaults[names.index("per_host_interval") - (len(names) - len(defaults))] = 0.0
    monkeypatch.setattr(init, "__defaults__", tuple(defaults))


@pytest.fixture
def no_proxy_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No ambient proxy settings: the code must not read them, and tests must not depend on them."""
    for name in PROXY_VARS:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def web(no_proxy_env: None) -> Iterator[Server]:
    with serve() as server:
        yield server


@pytest.fixture
def web2(no_proxy_env: None) -> Iterator[Server]:
    """A second site, for redirect targets whose request count must stay at zero."""
    with serve() as server:
        yield server


@pytest.fixture
def rdap(no_proxy_env: None) -> Iterator[Server]:
    with serve() as server:
        server.rdap["welt.ltd"] = rdap_record("welt.ltd", "2024-05-02T09:30:00Z", "Cheap Names LLC")
        server.rdap["old-news.com"] = rdap_record("old-news.com", "2001-03-04T00:00:00Z")
        server.rdap["nodate.top"] = {"objectClassName": "domain", "ldhName": "nodate.top", "events": []}
        yield server


@pytest.fixture
def whois() -> Iterator[WhoisServer]:
    answers = {
        "welt.ltd": "Domain Name: WELT.LTD\r\nRegistrar: Cheap Names LLC\r\n"
        "Creation Date: 2024-05-02T09:30:00Z\r\nRegistry Expiry Date: 2025-05-02T09:30:00Z\r\n",
        "nodate.de": "Domain: nodate.de\r\nStatus: connect\r\nChanged: 2023-01-01T00:00:00+01:00\r\n",
    }
    with serve_whois(answers) as server:
        yield server


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class DnsServer:
    """A UDP DNS responder on loopback: ``zone`` maps a name to its records by type; any other
    name is NXDOMAIN, names in ``servfail`` answer SERVFAIL and names in ``silent`` never answer."""

    port: int
    zone: dict[str, dict[str, list[str]]]
    servfail: set[str]
    silent: set[str]
    queries: list[tuple[str, str]]
    #: Seconds each answer is held back (answered from a thread each, so queries overlap).
    delay: float = 0.0
    #: The most queries held at once (with ``delay``): how many lookups the client ran in parallel.
    most_at_once: int = 0
    _held: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"


def _dns_answer(state: DnsServer, wire: bytes) -> bytes | None:
    import dns.message
    import dns.rcode
    import dns.rdatatype
    import dns.rrset

    query = dns.message.from_wire(wire)
    question = query.question[0]
    name = question.name.to_text(omit_final_dot=True).lower()
    rdtype = dns.rdatatype.to_text(question.rdtype)
    state.queries.append((name, rdtype))
    if name in state.silent:
        return None
    response = dns.message.make_response(query)
    if name in state.servfail:
        response.set_rcode(dns.rcode.SERVFAIL)
    elif name not in state.zone:
        response.set_rcode(dns.rcode.NXDOMAIN)
    else:
        values = state.zone[name].get(rdtype, [])
        if values:
            response.answer.append(dns.rrset.from_text_list(question.name, 300, "IN", rdtype, values))
    return bytes(response.to_wire())


@contextlib.contextmanager
def serve_dns(
    zone: dict[str, dict[str, list[str]]], servfail: set[str], silent: set[str]
) -> Iterator[DnsServer]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    sock.settimeout(0.05)
    state = DnsServer(sock.getsockname()[1], zone, servfail, silent, [])
    stop = threading.Event()

    def run() -> None:
        while not stop.is_set():
            try:
                wire, peer = sock.recvfrom(4096)
            except TimeoutError:
                continue
            except OSError:
                return
            if state.delay:
                threading.Thread(target=answer_later, args=(wire, peer), daemon=True).start()
                continue
            answer = _dns_answer(state, wire)
            if answer is not None:
                sock.sendto(answer, peer)

    def answer_later(wire: bytes, peer: Any) -> None:
        with state._lock:
            state._held += 1
            state.most_at_once = max(state.most_at_once, state._held)
        time.sleep(state.delay)
        with state._lock:
            state._held -= 1
            answer = _dns_answer(state, wire)
        if answer is not None:
            with contextlib.suppress(OSError):
                sock.sendto(answer, peer)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        stop.set()
        thread.join(5)
        sock.close()


@pytest.fixture
def dns_server() -> Iterator[DnsServer]:
    """welt.ltd exists (A, AAAA, NS, MX), welt.online is in DNS with no records, welt.news answers
    SERVFAIL, welt.top never answers; every other name does not exist."""
    zone = {
        "welt.ltd": {
            "A": ["203.0.113.7"],
            "AAAA": ["2001:db8::7"],
            "NS": ["ns1.cheap-names.example."],
            "MX": ["10 mx.cheap-names.example."],
        },
        "welt.online": {},
    }
    with serve_dns(zone, servfail={"welt.news"}, silent={"welt.top"}) as server:
        yield server
