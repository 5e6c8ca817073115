"""`linkguard serve --online`: the API's and the page's online checks go through the same
SSRF-guarded investigator as `linkguard check`, a limited number at a time."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from forensics_servers import Server
from playwright.sync_api import sync_playwright
from test_report_browser import CHROMIUM_ARGS, _chromium
from web_servers import client, new_engine, running

from linkguard.cli.netopts import NetOptions, build_investigator
from linkguard.web import Engine


def _engine(tmp_path: Path, rdap: Server, *, allow_private: bool, slots: int = 2) -> Engine:
    net = NetOptions(
        online=True,
        allow_private=allow_private,
        resolve=("welt.ltd:127.0.0.1",),
        rdap_url=f"{rdap.base}/",
        no_cache=True,
    )

    def factory(detector: object) -> object:
        return build_investigator(net, detector.classify, detector.rules.outlets)  # type: ignore[attr-defined]

    return new_engine(tmp_path / "rules", investigator_factory=factory, max_investigations=slots)


@pytest.fixture
def lab(tmp_path: Path, rdap: Server) -> Iterator[str]:
    """A server allowed to reach loopback, as `serve --online --allow-private` is (lab use only)."""
    with running(_engine(tmp_path, rdap, allow_private=True)) as base:
        yield base


def test_online_check_follows_the_link(lab: str, web: Server, capsys: pytest.CaptureFixture[str]) -> None:
    with client(lab) as c:
        assert c.get("/api/v1/health").json()["online"] is True
        offline = c.post("/api/v1/check", json={"url": f"http://welt.ltd:{web.port}/start"}).json()
        assert web.paths() == []  # "online" is asked for, never assumed
        online = c.post(
            "/api/v1/check", json={"url": f"http://welt.ltd:{web.port}/start", "online": True}
        ).json()
    kinds = {e["kind"] for e in online["evidence"]}
    assert {"redirect-chain", "final-url", "page-claim", "registration"} <= kinds
    assert "page-claims-outlet" in online["techniques"] and online["flagged"]
    assert not {"redirect-chain", "registration"} & {e["kind"] for e in offline["evidence"]}
    assert web.paths()[:4] == ["/start", "/hop2", "/hop3", "/article"]
    assert "WARNING: --allow-private" in capsys.readouterr().err


def test_online_check_is_ssrf_guarded(tmp_path: Path, rdap: Server, web: Server) -> None:
    """Without --allow-private a link to a loopback address is refused before any connection."""
    with running(_engine(tmp_path, rdap, allow_private=False)) as base, client(base) as c:
        finding = c.post(
            "/api/v1/check", json={"url": f"http://welt.ltd:{web.port}/start", "online": True}
        ).json()
    refused = [e for e in finding["evidence"] if e["kind"] == "blocked-address"]
    assert refused and "loopback" in refused[0]["detail"]
    assert web.paths() == [] and rdap.paths() == []


def test_online_checks_beyond_the_limit_get_503(tmp_path: Path, rdap: Server, web: Server) -> None:
    with running(_engine(tmp_path, rdap, allow_private=True, slots=0)) as base, client(base) as c:
        response = c.post("/api/v1/check", json={"url": "welt.ltd", "online": True})
        assert response.status_code == 503 and response.headers["retry-after"] == "5"
        assert response.headers["content-type"].startswith("application/problem+json")
        assert c.post("/api/v1/check", json={"url": "welt.ltd"}).json()["verdict"] == "malicious"
    assert web.paths() == []


@pytest.mark.browser
def test_page_button_runs_the_online_check(lab: str, web: Server) -> None:
    executable = _chromium()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.goto(lab + "/")
            page.locator("#text").fill(f"http://welt.ltd:{web.port}/harmless")  # one hop: a short walk
            with page.expect_navigation():
                page.get_by_role("button", name="Check", exact=True).click()
            item = page.locator("li.finding").first
            assert web.paths() == []
            item.get_by_role("button", name="Check online (redirects, page, registration)").click()
            item.locator(".progress", has_text="Done.").wait_for()
            result = item.locator(".online-result").inner_text()
            assert "after the online check" in result and "final-url" in result and "registration" in result
            assert f"hxxp://welt[.]ltd:{web.port}/harmless" in result  # evidence stays defanged
        finally:
            browser.close()
    assert web.paths()[:1] == ["/harmless"]
