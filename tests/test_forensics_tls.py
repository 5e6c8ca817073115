"""TLS facts of HTTPS hops, from a loopback HTTPS server with a throw-away CA (trustme).

The certificate is recorded whether it verifies or not: an investigation observes, it does not
refuse, so a clone behind a certificate nobody trusts is still read, and the evidence says so.
"""

from __future__ import annotations

import contextlib
import json
import ssl
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import trustme
from forensics_servers import Server, _Threaded, _WebHandler

from linkguard.cli import main
from linkguard.forensics import BROWSER, Fetcher, FetchLimits, NetworkPolicy


@pytest.fixture(autouse=True)
def private_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("LINKGUARD_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("LINKGUARD_RULES_DIR", str(tmp_path / "user-rules"))


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@contextlib.contextmanager
def serve_https(ca: trustme.CA, *names: str) -> Iterator[Server]:
    """The campaign site of forensics_servers over HTTPS, with a certificate for ``names``."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert(*names).configure_cert(context)
    httpd = _Threaded(("127.0.0.1", 0), _WebHandler)
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    state = Server("127.0.0.1", httpd.server_address[1])
    httpd.state = state  # type: ignore[attr-defined]
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)


def fetcher(trust: trustme.CA | None = None) -> Fetcher:
    context = None
    if trust is not None:
        context = ssl.create_default_context()
        trust.configure_trust(context)
    policy = NetworkPolicy(allow_private=True, resolve={"welt.ltd": "127.0.0.1"})
    return Fetcher(policy, limits=FetchLimits(per_host_interval=0), ssl_context=context)


def test_a_certificate_that_verifies_is_described(ca: trustme.CA, no_proxy_env: None) -> None:
    with serve_https(ca, "welt.ltd", "www.welt.ltd") as site:
        result = fetcher(ca).fetch(f"https://welt.ltd:{site.port}/article", BROWSER)
    assert result.status == 200 and b"og:site_name" in result.body
    tls = result.tls
    assert tls is not None and tls.verified and tls.error is None
    assert tls.names == ("welt.ltd", "www.welt.ltd") and "trustme" in tls.issuer
    assert tls.not_before is not None and tls.not_after is not None
    assert tls.not_before <= datetime.now(UTC) <= tls.not_after
    assert len(tls.sha256) == 64 and tls.protocol and tls.protocol.startswith("TLS")


def test_a_certificate_for_another_name_is_recorded_and_the_page_still_read(
    ca: trustme.CA, no_proxy_env: None
) -> None:
    with serve_https(ca, "welt.de") as site:  # trusted CA, wrong name: a clone showing the outlet's cert
        result = fetcher(ca).fetch(f"https://welt.ltd:{site.port}/article", BROWSER)
        assert len(site.requests) == 1  # the refused handshake sent no request; the second one did
    assert result.status == 200 and b"og:site_name" in result.body
    assert result.tls is not None and not result.tls.verified
    assert result.tls.names == ("welt.de",) and "mismatch" in (result.tls.error or "").lower()


def test_check_records_an_untrusted_certificate_as_evidence(
    ca: trustme.CA, rules_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], no_proxy_env: None
) -> None:
    evidence = tmp_path / "evidence"
    with serve_https(ca, "welt.ltd") as site:
        args = ["check", f"https://welt.ltd:{site.port}/article", "--resolve", "welt.ltd:127.0.0.1"]
        args += ["--allow-private", "--format", "json", "--rules", str(rules_file), "--no-blocklist"]
        args += ["--rdap-url", f"{site.base.replace('http:', 'https:')}/", "--evidence", str(evidence)]
        code = main(args)
    finding = json.loads(capsys.readouterr().out)
    assert code == 1
    (tls,) = [e for e in finding["evidence"] if e["kind"] == "tls"]
    assert tls["data"]["names"] == ["welt.ltd"] and "trustme" in tls["data"]["issuer"]
    assert tls["data"]["verified"] is False and "unable to get local issuer certificate" in tls["detail"]
    assert "issued by" in tls["detail"] and "the page was read anyway" in tls["detail"]
    assert "page-claim" in {e["kind"] for e in finding["evidence"]}  # observed, not refused
    (registration,) = [e["detail"] for e in finding["evidence"] if e["kind"] == "registration"]
    assert "registration date unknown" in registration and "CERTIFICATE_VERIFY_FAILED" in registration
    manifest = json.loads((evidence / "manifest.json").read_text(encoding="utf-8"))
    pages = [e for e in manifest["exchanges"] if e["url"].endswith("/article")]
    assert pages and all(e["tls"]["sha256"] == tls["data"]["sha256"] for e in pages)
