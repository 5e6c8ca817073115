"""The `linkguard serve` page in real headless Chromium, against the real server on loopback.

Uses the system Chromium like ``test_report_browser.py``: skipped locally without it, a failure
when ``CI`` is set. ``LINKGUARD_SCREENSHOT=PATH`` saves the result page (``docs/serve.png``).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, sync_playwright
from test_report_browser import CHROMIUM_ARGS, _chromium
from web_servers import new_engine, running

pytestmark = pytest.mark.browser

SEED = Path(__file__).parent.parent / "seeds" / "doppelganger-thread-de.txt"


@pytest.fixture
def session(tmp_path: Path, no_proxy_env: None) -> Iterator[tuple[str, Page, dict[str, list[str]]]]:
    """A server with its own rules directory, a page, and what the page did (dialogs, requests)."""
    executable = _chromium()
    seen: dict[str, list[str]] = {"dialogs": [], "requests": [], "errors": []}
    with running(new_engine(tmp_path / "rules")) as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 360, "height": 740})
            page.on("dialog", lambda d: (seen["dialogs"].append(d.message), d.dismiss()))
            page.on("request", lambda r: seen["requests"].append(r.url))
            page.on("console", lambda m: seen["errors"].append(m.text) if m.type == "error" else None)
            yield base, page, seen
        finally:
            browser.close()


def _by_keyboard(page: Page, text: str) -> None:
    """Paste into the box and submit with Tab and Enter only."""
    page.locator("#text").focus()
    page.keyboard.insert_text(text)
    for _ in range(8):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.type") == "submit":
            break
    assert page.evaluate("document.activeElement.textContent") == "Check"
    with page.expect_navigation():
        page.keyboard.press("Enter")


def _finding(page: Page, host: str) -> Any:
    return page.locator("li.finding").filter(has=page.locator("h3 code", has_text=host))


def test_paste_the_seed_thread_and_see_welt_ltd_flagged(
    session: tuple[str, Page, dict[str, list[str]]],
) -> None:
    base, page, seen = session
    page.goto(base + "/")
    hostile = "\n<script>window.__pwned=1</script><img src=x onerror=window.__pwned=2>"
    _by_keyboard(page, SEED.read_text("utf-8") + hostile)

    first = page.locator("li.finding").first
    assert first.locator("h3 code").inner_text() == "welt[.]ltd"  # flagged first
    assert first.locator(".verdict").first.inner_text() == "Malicious"  # a word, not only a colour
    assert first.locator(".imitates").inner_text() == "WELT (welt.de)"
    assert "tld-swap" in first.locator(".techniques").inner_text()
    evidence = first.locator(".evidence").inner_text()
    assert "listed as known bad by Meta" in evidence and "imitates WELT (welt.de)" in evidence
    assert "math-alphanumeric" in evidence or "Unicode bold" in evidence
    assert page.locator("li.finding").count() == 4
    assert "4 links found, 1 flagged" in page.locator(".summary").inner_text()
    assert "<script>window.__pwned=1</script>" in page.locator("#text").input_value()

    # usable at 360 px: nothing wider than the screen
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert page.evaluate("window.__pwned") is None
    assert page.locator("img, iframe, object").count() == 0

    shot = os.environ.get("LINKGUARD_SCREENSHOT")
    if shot:
        page.set_viewport_size({"width": 900, "height": 1000})
        page.locator("#results").scroll_into_view_if_needed()
        page.screenshot(path=shot, full_page=False)
    assert seen["dialogs"] == [] and seen["errors"] == []
    assert all(url.startswith(base + "/") for url in seen["requests"]), seen["requests"]


def test_add_a_trusted_outlet_on_the_rules_page_and_see_a_check_change(
    session: tuple[str, Page, dict[str, list[str]]],
) -> None:
    base, page, seen = session
    page.goto(base + "/")
    _by_keyboard(page, "musterkurier.ltd")
    assert _finding(page, "musterkurier[.]ltd").locator(".verdict").first.inner_text() == "Unknown"
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    with page.expect_navigation():
        page.get_by_role("link", name="Your rules").click()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.get_by_label("Domain").first.fill("musterkurier.de")
    page.get_by_label("Name").fill("Musterstädter Kurier")
    page.get_by_label("Country (two letters)").fill("DE")
    with page.expect_navigation():
        page.get_by_role("button", name="Add outlet").click()
    assert "Added outlet 'Musterstädter Kurier' (musterkurier.de)" in page.locator(".ok").inner_text()
    assert "musterkurier.de" in page.locator("table").inner_text()

    with page.expect_navigation():
        page.get_by_role("link", name="Check links").click()
    _by_keyboard(page, "musterkurier.ltd")
    item = _finding(page, "musterkurier[.]ltd")
    assert item.locator(".verdict").first.inner_text() == "Suspicious"
    assert item.locator(".imitates").inner_text() == "Musterstädter Kurier (musterkurier.de)"
    assert seen["dialogs"] == [] and seen["errors"] == []
