"""`linkguard serve`'s HTTP API and guards, against the real server on a loopback port.

Findings must equal the CLI's JSON for the same input; hostile requests must each get a clean
answer (a status and a problem document, nothing executed) and leave the server serving.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from web_servers import client, csrf_of, new_engine, running

from linkguard.cli import main
from linkguard.web import WebConfig

ROOT = Path(__file__).parent.parent
SEED = ROOT / "seeds" / "doppelganger-thread-de.txt"
EXPORTS = Path(__file__).parent / "data" / "exports"
PROBLEM = "application/problem+json"


@pytest.fixture
def rules_dir(tmp_path: Path) -> Path:
    return tmp_path / "rules"


@pytest.fixture
def base(rules_dir: Path, no_proxy_env: None) -> Iterator[str]:
    with running(new_engine(rules_dir), WebConfig(max_body_bytes=256 << 10)) as url:
        yield url


def _cli_json(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(list(args))
    out, _ = capsys.readouterr()
    return code, out


def _still_serving(base: str) -> None:
    with client(base) as c:
        response = c.get("/api/v1/health")
    assert response.status_code == 200 and response.json()["status"] == "ok"


def _assert_problem(response: httpx.Response, status: int, words: str) -> None:
    assert response.status_code == status
    assert response.headers["content-type"].startswith(PROBLEM)
    doc = response.json()
    assert doc["status"] == status and words in doc["detail"]


# -- results equal the CLI's ------------------------------------------------------------------------
@pytest.mark.parametrize(
    "target", ["welt.ltd", "hxxps://spiegel-nachrichten[.]info/x", "https://t.co/cykVk0lJUJ"]
)
def test_check_equals_cli_json(
    base: str, rules_dir: Path, target: str, capsys: pytest.CaptureFixture[str]
) -> None:
    _, out = _cli_json(
        capsys, "check", target, "--offline", "--format", "json", "--rules-dir", str(rules_dir)
    )
    with client(base) as c:
        response = c.post("/api/v1/check", json={"url": target})
    assert response.status_code == 200 and response.headers["content-type"] == "application/json"
    assert response.json() == json.loads(out)


@pytest.mark.parametrize(
    ("path", "how"),
    [(SEED, "body"), (EXPORTS / "tweets.js", "multipart"), (EXPORTS / "crowdtangle.csv", "multipart")],
)
def test_scan_equals_cli_jsonl(
    base: str,
    rules_dir: Path,
    path: Path,
    how: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(path.parent)
    code, out = _cli_json(
        capsys, "scan", path.name, "--format", "jsonl", "--all", "-q", "--rules-dir", str(rules_dir)
    )
    expected = [json.loads(line) for line in out.splitlines()]
    with client(base) as c:
        if how == "body":
            response = c.post(
                "/api/v1/scan",
                params={"source": path.name},
                content=path.read_bytes(),
                headers={"content-type": "text/plain; charset=utf-8"},
            )
        else:
            response = c.post("/api/v1/scan", files={"file": (path.name, path.read_bytes())})
    assert response.status_code == 200
    doc = response.json()
    assert doc["findings"] == expected and expected
    assert doc["summary"]["links"] == len(expected)
    assert doc["summary"]["flagged"] == sum(1 for f in expected if f["flagged"])
    assert (doc["summary"]["flagged"] > 0) == (code == 1)


def test_seed_scan_flags_welt_ltd(base: str) -> None:
    with client(base) as c:
        doc = c.post("/api/v1/scan", content=SEED.read_bytes()).json()
    flagged = [f for f in doc["findings"] if f["flagged"]]
    assert [f["host"] for f in flagged] == ["welt.ltd"]
    assert flagged[0]["impersonates"]["name"] == "WELT" and flagged[0]["source"] == "body"
    assert doc["summary"]["sources"] == 1 and doc["summary"]["bytes"] == SEED.stat().st_size


def test_health_and_openapi_list_every_api_route(base: str) -> None:
    with client(base) as c:
        health = c.get("/api/v1/health").json()
        spec = c.get("/api/v1/openapi.json").json()
    assert health == {"status": "ok", "version": "0.1.0", "online": False}
    assert spec["openapi"].startswith("3.1")
    paths = {"/api/v1/health", "/api/v1/check", "/api/v1/scan", "/api/v1/report", "/api/v1/openapi.json"}
    assert set(spec["paths"]) == paths


def test_every_response_has_the_strict_csp(base: str) -> None:
    with client(base) as c:
        for path in ("/", "/rules", "/api/v1/health", "/static/style.css", "/no-such-page"):
            csp = c.get(path).headers["content-security-policy"]
            assert "default-src 'none'" in csp and "script-src 'self'" in csp and "unsafe-inline" not in csp


# -- hostile and malformed requests ------------------------------------------------------------------
@pytest.mark.parametrize(
    ("body", "status", "words"),
    [
        (b'{"url":', 400, "not valid JSON"),
        (b"\xff\xfe{", 400, "not valid JSON"),
        (b'["welt.ltd"]', 400, "JSON object"),
        (b'{"link": "welt.ltd"}', 400, '"url"'),
        (b'{"url": 5}', 400, '"url"'),
        (b'{"url": "welt.ltd", "online": "yes"}', 400, '"online"'),
        (b'{"url": "not a url"}', 422, "not a URL or domain"),
        (b'{"url": "welt.ltd", "online": true}', 400, "offline"),
    ],
)
def test_malformed_check_is_a_problem(base: str, body: bytes, status: int, words: str) -> None:
    with client(base) as c:
        response = c.post("/api/v1/check", content=body, headers={"content-type": "application/json"})
    _assert_problem(response, status, words)
    _still_serving(base)


def test_check_wants_json(base: str) -> None:
    with client(base) as c:
        response = c.post("/api/v1/check", content=b"url=welt.ltd", headers={"content-type": "text/plain"})
    _assert_problem(response, 415, "application/json")


def test_foreign_host_header_is_refused(base: str) -> None:
    """DNS rebinding: a page on evil.example that resolves to 127.0.0.1 sends its own name as Host."""
    with client(base) as c:
        page = c.get("/", headers={"host": "evil.example"})
        assert page.status_code == 421 and "Host header" in page.text
        _assert_problem(c.get("/api/v1/health", headers={"host": "evil.example"}), 421, "Host header")
        response = c.post("/api/v1/check", json={"url": "welt.ltd"}, headers={"host": "evil.example:8000"})
        _assert_problem(response, 421, "Host header")
        assert c.get("/api/v1/health", headers={"host": "localhost:1"}).status_code == 200
    _still_serving(base)


def test_cross_site_requests_are_refused(base: str) -> None:
    with client(base) as c:
        response = c.post("/api/v1/scan", content=b"welt.ltd", headers={"origin": "https://evil.example"})
        _assert_problem(response, 403, "another site")
        response = c.post("/api/v1/scan", content=b"welt.ltd", headers={"sec-fetch-site": "cross-site"})
        _assert_problem(response, 403, "another site")
        same = c.post("/api/v1/scan", content=b"welt.ltd", headers={"origin": base})
        assert same.status_code == 200


@pytest.mark.parametrize("how", ["content-length", "chunked", "multipart"])
def test_oversized_body_is_413_and_the_server_stays_up(base: str, how: str) -> None:
    big = b"welt.ltd " * (64 << 10)  # 576 KiB against the fixture's 256 KiB limit
    with client(base) as c:
        if how == "content-length":
            response = c.post("/api/v1/scan", content=big)
        elif how == "chunked":  # no Content-Length: the limit must hold while the body streams
            response = c.post(
                "/api/v1/scan", content=iter([big[i : i + 8192] for i in range(0, len(big), 8192)])
            )
        else:
            response = c.post("/api/v1/scan", files={"file": ("big.txt", big)})
    _assert_problem(response, 413, "larger than the limit")
    _still_serving(base)


def test_oversized_page_upload_is_413_page(base: str) -> None:
    with client(base) as c:
        token = csrf_of(c.get("/").text)
        response = c.post("/scan", data={"csrf": token}, files={"file": ("big.txt", b"x" * (300 << 10))})
    assert response.status_code == 413 and "larger than the limit" in response.text
    assert response.headers["content-type"].startswith("text/html")


def test_script_in_pasted_text_is_shown_not_run(base: str) -> None:
    hostile = '<script>alert(1)</script><img src=x onerror=alert(2)> read welt.ltd/a?"><b>x</b>'
    with client(base) as c:
        token = csrf_of(c.get("/").text)
        page = c.post("/scan", data={"csrf": token, "text": hostile}).text
        api = c.post("/api/v1/scan", content=hostile.encode()).json()
    assert "<script>alert" not in page and "<img src=x" not in page and "<b>x</b>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert page.count("<script") == 1  # the page's own /static/app.js
    assert [f["host"] for f in api["findings"]] == ["welt.ltd"]
    _still_serving(base)


def test_form_without_csrf_token_is_403(base: str, rules_dir: Path) -> None:
    with client(base) as c:
        c.get("/")  # has the cookie, but the form lacks the field
        response = c.post("/scan", data={"text": "welt.ltd"})
        assert response.status_code == 403 and "CSRF" in response.text
        response = c.post("/scan", data={"text": "welt.ltd", "csrf": "x" * 43})
        assert response.status_code == 403
        response = c.post("/rules/outlet", data={"domain": "musterkurier.de", "name": "Musterstädter Kurier"})
        assert response.status_code == 403
    with client(base) as fresh:  # a field without the cookie is no better
        response = fresh.post("/rules/allow", data={"domain": "example.com", "csrf": "x" * 43})
        assert response.status_code == 403
    assert not (rules_dir / "rules.toml").exists()
    _still_serving(base)


def test_unknown_routes_and_methods(base: str) -> None:
    with client(base) as c:
        _assert_problem(c.get("/api/v1/nothing"), 404, "")
        _assert_problem(c.get("/api/v1/check"), 405, "")
        assert c.get("/nothing").status_code == 404
        assert c.get("/results/0000/report.html").status_code == 404


# -- the page's forms --------------------------------------------------------------------------------
def test_page_scan_lists_flagged_first_and_downloads_every_format(base: str) -> None:
    with client(base) as c:
        token = csrf_of(c.get("/").text)
        page = c.post("/scan", data={"csrf": token, "text": SEED.read_text("utf-8")}).text
        first = page.index('class="finding ')
        assert page[first:].startswith('class="finding malicious"')
        assert "welt[.]ltd" in page and "WELT (welt.de)" in page and "blocklist" in page
        assert "<mark>" in page  # the post around the link
        result = page[page.index("/results/") :].split("/")[2]
        for fmt, marker in [
            ("html", "<!DOCTYPE html>"),
            ("csv", "source,"),
            ("jsonl", '{"source"'),
            ("stix", '"bundle"'),
        ]:
            response = c.get(f"/results/{result}/report.{fmt}")
            assert response.status_code == 200, fmt
            assert response.headers["content-disposition"].startswith("attachment")
            assert marker in response.text and "welt" in response.text
        assert "sandbox" in c.get(f"/results/{result}/report.html").headers["content-security-policy"]


def test_rules_form_adds_an_outlet_and_a_check_changes(base: str, rules_dir: Path) -> None:
    with client(base) as c:
        before = c.post("/api/v1/check", json={"url": "musterkurier.ltd"}).json()
        token = csrf_of(c.get("/rules").text)
        page = c.post(
            "/rules/outlet",
            data={
                "csrf": token,
                "domain": "musterkurier.de",
                "name": "Musterstädter Kurier",
                "country": "DE",
                "brands": "musterkurier",
            },
        )
        assert page.status_code == 200, page.text[page.text.find('role="alert"') :][:300]
        assert "Added outlet" in page.text and "musterkurier.de" in page.text
        after = c.post("/api/v1/check", json={"url": "musterkurier.ltd"}).json()
        bad = c.post("/rules/allow", data={"csrf": token, "domain": "not a domain"})
        dup = c.post(
            "/rules/outlet", data={"csrf": token, "domain": "musterkurier.de", "name": "Musterstädter Kurier"}
        )
    assert before["verdict"] == "unknown"
    assert after["verdict"] == "suspicious" and after["impersonates"]["name"] == "Musterstädter Kurier"
    assert bad.status_code == 400 and 'role="alert"' in bad.text
    assert dup.status_code == 400 and "already" in dup.text
    assert "Musterstädter Kurier" in (rules_dir / "rules.toml").read_text("utf-8")


def test_rules_forms_block_and_remove_as_the_cli_does(base: str, rules_dir: Path) -> None:
    with client(base) as c:
        token = csrf_of(c.get("/rules").text)
        refused = c.post("/rules/allow", data={"csrf": token, "domain": "welt.ltd", "note": "looks fine"})
        blocked = c.post(
            "/rules/block",
            data={"csrf": token, "domain": "https://www.musterfake.net/x", "source": "case 42"},
        )
        after_block = c.post("/api/v1/check", json={"url": "www.musterfake.net"}).json()
        no_source = c.post("/rules/block", data={"csrf": token, "domain": "other.example.com", "source": " "})
        removed = c.post("/rules/remove", data={"csrf": token, "domain": "musterfake.net"})
        after_remove = c.post("/api/v1/check", json={"url": "www.musterfake.net"}).json()
        nothing = c.post("/rules/remove", data={"csrf": token, "domain": "musterfake.org"})
        unknown = c.post("/rules/rename", data={"csrf": token})
    # the same message `linkguard rules allow welt.ltd` gives: it is blocked, and --force would replace it
    assert refused.status_code == 400 and "use --force" in refused.text
    assert blocked.status_code == 200 and "Blocked musterfake.net" in blocked.text
    assert "case 42" in blocked.text
    assert after_block["verdict"] == "malicious"
    assert no_source.status_code == 400 and "--source" in no_source.text
    assert removed.status_code == 200 and "Removed musterfake.net" in removed.text
    assert after_remove["verdict"] == "unknown"
    assert nothing.status_code == 400 and "no rule mentions it" in nothing.text
    assert unknown.status_code == 404


def test_a_rule_file_broken_while_serving_is_a_clean_500(base: str, rules_dir: Path) -> None:
    rules_dir.mkdir(parents=True, exist_ok=True)
    (rules_dir / "rules.toml").write_text('[[outlet]]\nname = "x"\ndomains = [', encoding="utf-8")
    with client(base) as c:
        _assert_problem(c.post("/api/v1/check", json={"url": "welt.ltd"}), 500, "rules.toml")
        page = c.get("/rules")
        assert page.status_code == 500 and "rules.toml" in page.text
        (rules_dir / "rules.toml").write_text("", encoding="utf-8")
        assert c.post("/api/v1/check", json={"url": "welt.ltd"}).json()["verdict"] == "malicious"


# -- the token ---------------------------------------------------------------------------------------
def test_token_is_needed_for_every_request(rules_dir: Path, no_proxy_env: None) -> None:
    token = "s3cret-token-for-tests"
    with running(new_engine(rules_dir), WebConfig(token=token)) as base, client(base) as c:
        for path in ("/", "/static/app.js"):
            assert c.get(path).status_code == 401
        _assert_problem(c.get("/api/v1/health"), 401, "token")
        _assert_problem(c.get("/api/v1/health", headers={"authorization": "Bearer wrong"}), 401, "token")
        assert c.get("/api/v1/health", headers={"authorization": f"Bearer {token}"}).status_code == 200
        login = c.get("/rules", params={"token": token})
        assert login.status_code == 303 and login.headers["location"] == "/rules"
        assert "HttpOnly" in login.headers["set-cookie"]
        assert c.get("/rules").status_code == 200  # the cookie now carries it
        with client(base) as fresh:  # no cookie yet; the path must not become //evil.example
            sneaky = fresh.get(f"{base}//evil.example/x", params={"token": token})
        assert sneaky.status_code == 303 and sneaky.headers["location"] == "/evil.example/x"


# -- the command --------------------------------------------------------------------------------------
def test_serve_refuses_a_public_bind_without_token(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--host", "0.0.0.0", "--port", "0"]) == 2
    assert "without --token" in capsys.readouterr().err
    assert main(["serve", "--host", "0.0.0.0", "--token", "short"]) == 2


def test_serve_command_serves_until_stopped(tmp_path: Path, no_proxy_env: None) -> None:
    env = {**os.environ, "LINKGUARD_RULES_DIR": str(tmp_path / "rules")}
    command = [sys.executable, "-c", "import sys; from linkguard.cli import main; sys.exit(main())"]
    with subprocess.Popen(
        [*command, "serve", "--port", "0"], stderr=subprocess.PIPE, text=True, env=env
    ) as proc:
        try:
            assert proc.stderr is not None
            line = proc.stderr.readline()
            assert line.startswith("linkguard: serving on http://127.0.0.1:"), line
            base = line.split()[3].rstrip("/")
            _still_serving(base)
            with client(base) as c:
                assert c.post("/api/v1/check", json={"url": "welt.ltd"}).json()["verdict"] == "malicious"
        finally:
            proc.terminate()
            proc.wait(30)


def test_serve_without_the_web_extra_says_what_to_install() -> None:
    """An install without the `web` extra: `serve` names it (exit 2); the rest of the CLI still works."""
    block = (
        "import sys, importlib.abc\n"
        "class Block(importlib.abc.MetaPathFinder):\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] in ('starlette', 'uvicorn'):\n"
        "            raise ModuleNotFoundError(name)\n"
        "sys.meta_path.insert(0, Block())\n"
        "from linkguard.cli import main\n"
        "sys.exit(main(sys.argv[1:]))\n"
    )
    done = subprocess.run([sys.executable, "-c", block, "serve"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert "needs starlette, uvicorn: pip install 'linkguard[web]'" in done.stderr
    done = subprocess.run(
        [sys.executable, "-c", block, "check", "welt.ltd", "--offline"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1 and "welt[.]ltd" in done.stdout
