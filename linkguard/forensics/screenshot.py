"""The page as a reader saw it: headless Chromium, every request through linkguard's guard.

A screenshot is evidence a reader understands at a glance, but a browser is a large attack
surface and makes its own requests (DNS, subresources, beacons, service workers). So the
browser never reaches the network itself: every request it makes is intercepted
(``page.route``) and answered from ``Fetcher.fetch``, with the same address checks, pinned
connections, caps and archive as any hop; what the guard refuses is aborted and listed.
Beyond that, Chromium is started so that anything not intercepted fails: its resolver maps
every name to nothing and its proxy is a closed local port; service workers are blocked,
downloads refused, WebSockets closed. JavaScript runs inside the browser, but reaches the
network only through the guard. Chromium is the system's (Debian's ``chromium``); Playwright
(the ``screenshot`` extra) drives it.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from linkguard import limits
from linkguard.errors import BlockedAddressError, FetchError, ScreenshotError
from linkguard.forensics.budget import Budget
from linkguard.forensics.fetch import BROWSER, Fetcher

if TYPE_CHECKING:
    from playwright.sync_api import Route, WebSocketRoute

#: Where a Chromium is looked for when ``LINKGUARD_CHROMIUM`` does not name one.
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
_ARGS = [
    "--headless=new",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-domain-reliability",
    "--force-webrtc-ip-handling-policy=disable_non_proxied_udp",
    # nothing the route does not answer can reach a server: no name resolves, no proxy answers
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--proxy-server=http://127.0.0.1:9",
    "--proxy-bypass-list=<-loopback>",
]
#: Response headers not passed to the browser: the body is already decoded, cookies are not kept.
_DROPPED = frozenset({"content-encoding", "transfer-encoding", "content-length", "set-cookie", "connection"})


def find_chromium() -> str:
    """The Chromium to drive, after checking that Playwright is installed; ``ScreenshotError`` if not."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        raise ScreenshotError(
            "--screenshot needs Playwright: pip install 'linkguard[screenshot]' "
            "(and a Chromium: apt-get install chromium)"
        ) from None
    named = os.environ.get("LINKGUARD_CHROMIUM")
    if named:
        if not Path(named).is_file():
            raise ScreenshotError(f"LINKGUARD_CHROMIUM={named}: no such file")
        return named
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    raise ScreenshotError(
        "--screenshot needs Chromium: apt-get install chromium, or set LINKGUARD_CHROMIUM to its path"
    )


@dataclass
class Shot:
    """One rendering: the PNG (None when it failed, with ``error``) and every request the page made."""

    url: str
    png: bytes | None = None
    error: str | None = None
    #: ``(url, outcome)`` per request: an HTTP status, or why it was refused or failed.
    requests: list[tuple[str, str]] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)

    def details(self) -> dict[str, Any]:
        return {
            "viewport": list(limits.SCREENSHOT_VIEWPORT),
            "requests": [{"url": u, "outcome": o} for u, o in self.requests],
            "refused": [{"url": u, "reason": r} for u, r in self.refused],
            **({"error": self.error} if self.error else {}),
        }


class Renderer:
    """Renders pages one at a time (Playwright's sync API is bound to its thread, so each rendering
    starts and stops its own browser, under a lock)."""

    def __init__(self, fetcher: Fetcher, executable: str) -> None:
        self._fetcher = fetcher
        self._executable = executable
        self._lock = threading.Lock()

    def render(self, url: str, budget: Budget) -> Shot:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright

        shot = Shot(url)
        with self._lock:
            try:
                with sync_playwright() as p:
                    args = [*_ARGS, *(["--no-sandbox"] if _is_root() else [])]
                    browser = p.chromium.launch(executable_path=self._executable, args=args)
                    try:
                        self._render(browser, shot, budget)
                    finally:
                        browser.close()
            except PlaywrightError as exc:
                shot.png = None
                shot.error = f"the browser failed: {str(exc).splitlines()[0][:500]}"
        return shot

    def _render(self, browser: Any, shot: Shot, budget: Budget) -> None:
        from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

        width, height = limits.SCREENSHOT_VIEWPORT
        context = browser.new_context(
            service_workers="block",
            accept_downloads=False,
            viewport={"width": width, "height": height},
            user_agent=BROWSER.user_agent,
            locale="de-DE",
        )
        try:
            context.route("**/*", lambda route: self._guarded(route, shot, budget))
            context.route_web_socket("**/*", lambda ws: _close_socket(ws, shot))
            page = context.new_page()
            timeout_ms = max(1.0, budget.left()) * 1000
            page.goto(shot.url, wait_until="load", timeout=timeout_ms)
            # let late requests settle, within what is left; a page that never idles is shot as it is
            with contextlib.suppress(PlaywrightTimeoutError):
                page.wait_for_load_state("networkidle", timeout=max(1.0, min(5.0, budget.left())) * 1000)
            shot.png = page.screenshot(full_page=False, timeout=max(1.0, budget.left()) * 1000)
        finally:
            context.close()

    def _guarded(self, route: Route, shot: Shot, budget: Budget) -> None:
        """``_answer``, and a request that cannot be answered (a fault, the page already gone) is aborted."""
        from playwright.sync_api import Error as PlaywrightError

        try:
            self._answer(route, shot, budget)
        except PlaywrightError:
            pass  # the page or browser closed while this request was out: nothing left to answer
        except Exception as exc:  # a fault must not let the request through or stop the rendering
            shot.requests.append((route.request.url, f"failed: {type(exc).__name__}: {exc}"[:500]))
            with contextlib.suppress(PlaywrightError):
                route.abort("failed")

    def _answer(self, route: Route, shot: Shot, budget: Budget) -> None:
        """Answer one browser request from the guarded fetcher, or abort it and say why."""
        request = route.request
        url = request.url
        reason = None
        if len(shot.requests) >= limits.SCREENSHOT_MAX_REQUESTS:
            reason = f"more than {limits.SCREENSHOT_MAX_REQUESTS} requests"
        elif request.method != "GET":
            reason = f"{request.method} requests are not sent"
        elif not url.startswith(("http://", "https://")):
            reason = "not an http(s) URL"
        elif budget.exhausted:
            reason = "the screenshot's budget ran out"
        if reason is not None:
            self._refuse(route, shot, url, reason)
            return
        try:
            result = self._fetcher.fetch(url, BROWSER, want="any", budget=budget)
        except BlockedAddressError as exc:
            self._refuse(route, shot, url, str(exc))
            return
        except FetchError as exc:
            shot.requests.append((url, f"failed: {exc}"))
            route.abort("failed")
            return
        disposition = result.headers.get("content-disposition", "").lower()
        if disposition.startswith("attachment"):
            self._refuse(route, shot, url, "a download")
            return
        shot.requests.append((url, f"HTTP {result.status}"))
        headers = {k: v for k, v in result.headers.items() if k not in _DROPPED}
        route.fulfill(status=result.status, headers=headers, body=result.body)

    @staticmethod
    def _refuse(route: Route, shot: Shot, url: str, reason: str) -> None:
        shot.requests.append((url, f"refused: {reason}"))
        shot.refused.append((url, reason))
        route.abort("blockedbyclient")


def _close_socket(ws: WebSocketRoute, shot: Shot) -> None:
    shot.requests.append((ws.url, "refused: WebSockets are not opened"))
    shot.refused.append((ws.url, "WebSockets are not opened"))
    ws.close()


def _is_root() -> bool:
    """Chromium refuses to start its sandbox as root (CI, containers)."""
    return hasattr(os, "geteuid") and os.geteuid() == 0
