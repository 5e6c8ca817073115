"""`--screenshot`: the page rendered by headless Chromium, every browser request through the guard.

The page tries to reach a private address (by name and by number) and to POST a beacon; the
screenshot must exist, its hash match the manifest, and each of those requests be refused,
while the page's own image is fetched through linkguard (and archived). Uses the system
Chromium; without it the tests are skipped locally but fail when ``CI`` is set.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
import shutil
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from linkguard.cli import main
from linkguard.forensics import EvidenceArchive, Investigator, NetworkPolicy
from linkguard.models import Verdict
from linkguard.normalize import parse_link

pytestmark = pytest.mark.browser

#: A 1x1 red PNG.
PIXEL = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg=="
)
PAGE = """<!doctype html><html><head><title>WELT</title></head>
<body style="background:#c00"><h1>Eilmeldung</h1>
<img src="/pixel.png" alt="">
<img src="http://intranet.corp.test/secret.png" alt="">
<script>
  new Image().src = "http://10.9.9.9/leak.gif";
  fetch("/beacon", {method: "POST", body: "visitor"}).catch(() => {});
</script>
</body></html>"""
#: For the CLI, where ``--allow-private`` lifts the address checks: nothing but loopback and a POST.
PLAIN_PAGE = """<!doctype html><html><body><h1>Eilmeldung</h1><img src="/pixel.png" alt="">
<script>fetch("/beacon", {method: "POST", body: "visitor"}).catch(() => {});</script></body></html>"""


def _chromium() -> str:
    path = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(path).exists():
        reason = "Chromium not installed (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}; CI must run the browser tests")
        pytest.skip(reason)
    return path


@contextlib.contextmanager
def serve_page() -> Iterator[tuple[int, list[str]]]:
    seen: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            seen.append(f"{self.command} {self.path}")
            pages = {
                "/page": (PAGE.encode(), "text/html"),
                "/plain": (PLAIN_PAGE.encode(), "text/html"),
                "/pixel.png": (PIXEL, "image/png"),
            }
            body, ctype = pages.get(self.path, (b"", "text/plain"))
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = _answer
        do_POST = _answer

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server.server_address[1], seen
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.fixture
def page(no_proxy_env: None) -> Iterator[tuple[int, list[str]]]:
    with serve_page() as served:
        yield served


def test_screenshot_goes_through_the_guard_and_refuses_private_addresses(
    page: tuple[int, list[str]], tmp_path: Path
) -> None:
    """The policy of the loopback tests: 127.0.0.1 trusted, every other private address refused."""
    port, seen = page
    chromium = _chromium()  # before the archive opens its WARC: a skip must not leave it open
    policy = NetworkPolicy(exempt=("127.0.0.1/32",), ports=None, resolve={"intranet.corp.test": "10.1.2.3"})
    archive = EvidenceArchive(tmp_path / "evidence", version="test", options={})
    url = f"http://127.0.0.1:{port}/page"
    link = parse_link(url)
    assert link is not None
    with Investigator(
        policy=policy, archive=archive, registration=False, cloaking=False, screenshot=chromium
    ) as investigator:
        verdict = investigator.investigate(link, Verdict("suspicious", 60))

    [shot] = [e for e in verdict.evidence if e.kind == "screenshot"]
    png = tmp_path / "evidence" / shot.data["file"]
    assert png.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    manifest = json.loads((tmp_path / "evidence" / "manifest.json").read_text(encoding="utf-8"))
    [listed] = manifest["screenshots"]
    assert listed["sha256"] == shot.data["sha256"] == hashlib.sha256(png.read_bytes()).hexdigest()
    assert listed["sha256"] in shot.detail and listed["url"] == url
    refused = {r["url"]: r["reason"] for r in shot.data["refused"]}
    assert "private" in refused["http://intranet.corp.test/secret.png"]
    assert "private" in refused["http://10.9.9.9/leak.gif"]
    assert refused[f"http://127.0.0.1:{port}/beacon"] == "POST requests are not sent"
    # the server saw the page (walk and browser) and the image, never the POST
    assert seen.count("GET /pixel.png") == 1 and not [s for s in seen if s.startswith("POST")]
    # the browser's requests are archived like any exchange
    archived = {e["url"] for e in manifest["exchanges"] if e["record_id"]}
    assert f"http://127.0.0.1:{port}/pixel.png" in archived


def test_check_screenshot_through_the_cli(
    page: tuple[int, list[str]],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("LINKGUARD_CHROMIUM", _chromium())
    port, seen = page
    evidence = tmp_path / "evidence"
    args = ["check", f"http://127.0.0.1:{port}/plain", "--allow-private", "--format", "json"]
    code = main([*args, "--evidence", str(evidence), "--screenshot", "--no-blocklist", "--no-cache"])
    finding = json.loads(capsys.readouterr().out)
    assert code in (0, 1)
    [shot] = [e for e in finding["evidence"] if e["kind"] == "screenshot"]
    assert (
        hashlib.sha256((evidence / shot["data"]["file"]).read_bytes()).hexdigest() == shot["data"]["sha256"]
    )
    manifest = json.loads((evidence / "manifest.json").read_text(encoding="utf-8"))
    assert [s["sha256"] for s in manifest["screenshots"]] == [shot["data"]["sha256"]]
    assert shot["data"]["refused"] == [
        {"url": f"http://127.0.0.1:{port}/beacon", "reason": "POST requests are not sent"}
    ]
    assert "GET /pixel.png" in seen and not [s for s in seen if s.startswith("POST")]


def test_screenshot_without_a_browser_or_evidence_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert main(["check", "welt.ltd", "--screenshot"]) == 2
    assert "--screenshot keeps its PNG with the evidence: give --evidence DIR" in capsys.readouterr().err
    monkeypatch.setenv("LINKGUARD_CHROMIUM", str(tmp_path / "no-such-chromium"))
    evidence = tmp_path / "evidence"
    assert main(["check", "welt.ltd", "--screenshot", "--evidence", str(evidence)]) == 2
    assert "no-such-chromium: no such file" in capsys.readouterr().err
    assert not evidence.exists()  # refused before any network work
