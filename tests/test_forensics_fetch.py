"""One request and the hop-by-hop walk, against real loopback servers (never the internet)."""

from __future__ import annotations

import tracemalloc

import pytest
from forensics_servers import CLONE_HTML, Server, serve

from linkguard.errors import BlockedAddressError, FetchError
from linkguard.forensics import BROWSER, CRAWLER, SOCIAL, Fetcher, FetchLimits, NetworkPolicy
from linkguard.forensics.redirects import walk

LAB = NetworkPolicy(allow_private=True, resolve={"welt.ltd": "127.0.0.1"})


def fetcher(policy: NetworkPolicy = LAB, **limits: float) -> Fetcher:
    return Fetcher(policy, limits=FetchLimits(**limits))  # type: ignore[arg-type]


def test_strict_policy_sends_nothing_to_loopback(web: Server) -> None:
    strict = Fetcher(NetworkPolicy(resolve={"welt.ltd": "127.0.0.1"}, ports=None))
    for url in (
        f"{web.base}/article",
        f"http://welt.ltd:{web.port}/article",
        f"http://[::1]:{web.port}/article",
        f"http://0x7f000001:{web.port}/article",
        f"http://2130706433:{web.port}/article",
        f"http://[::ffff:127.0.0.1]:{web.port}/article",
    ):
        with pytest.raises(BlockedAddressError):
            strict.fetch(url, BROWSER)
    assert web.paths() == []


def test_strict_policy_refuses_odd_ports_before_connecting(web: Server) -> None:
    with pytest.raises(BlockedAddressError, match="only ports"):
        Fetcher(NetworkPolicy(resolve={"welt.ltd": "8.8.8.8"})).fetch(f"http://welt.ltd:{web.port}/", BROWSER)
    assert web.paths() == []


def test_pinned_name_connects_to_checked_address_with_its_host_header(web: Server) -> None:
    result = fetcher().fetch(f"http://user:pw@welt.ltd:{web.port}/article#frag", BROWSER)
    assert result.status == 200
    assert result.address == "127.0.0.1"
    assert b"og:site_name" in result.body
    seen = web.requests[0]
    assert seen.headers["host"] == f"welt.ltd:{web.port}"
    assert "authorization" not in seen.headers  # userinfo is never sent
    assert seen.headers["user-agent"] == BROWSER.user_agent
    assert "br" not in seen.headers["accept-encoding"]
    assert "referer" not in seen.headers


def test_profiles_send_fixed_user_agents_and_referer(web: Server) -> None:
    f = fetcher()
    f.fetch(f"{web.base}/harmless", CRAWLER)
    f.fetch(f"{web.base}/harmless", SOCIAL)
    crawler, social = web.requests
    assert "linkguard" in crawler.headers["user-agent"]
    assert social.headers["referer"] == "https://t.co/"


# The drip sends a byte every 0.05 s for ~50 s, so no read ever waits near the 5 s read timeout:
# only the wall-clock deadline can end the fetch; what arrived is kept, and the note says why it is
# partial (no timing asserted).
def test_slow_drip_body_is_cut_by_the_wall_clock_deadline(web: Server) -> None:
    result = fetcher(total_timeout=0.6, read_timeout=5).fetch(f"{web.base}/slow", BROWSER)
    assert result.truncated and "deadline" in result.note
    # a prefix of what was sent, cut short: how much arrived in 0.6 s depends on the machine's load
    assert (b"<html>" + b"x" * 1000).startswith(result.body) and len(result.body) < 1006


def test_slow_drip_headers_are_cut_by_the_wall_clock_deadline(web: Server) -> None:
    with pytest.raises(FetchError, match="deadline"):
        fetcher(total_timeout=0.6, read_timeout=5).fetch(f"{web.base}/slowheaders", BROWSER)


def test_endless_body_is_cut_at_the_byte_cap(web: Server) -> None:
    result = fetcher(max_body_bytes=100_000).fetch(f"{web.base}/endless", BROWSER)
    assert result.truncated
    assert result.wire_bytes == 100_000
    assert len(result.body) == 100_000
    assert "cut at 100000" in result.note


def test_gzip_bomb_is_cut_at_the_decoded_cap_without_inflating_it(web: Server) -> None:
    from forensics_servers import gzip_bomb

    gzip_bomb()  # build the fixture outside the measurement
    tracemalloc.start()
    try:
        result = fetcher(max_decoded_bytes=1 << 20).fetch(f"{web.base}/bomb", BROWSER)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.truncated
    assert len(result.body) == 1 << 20
    assert peak < 8 << 20, f"peak {peak} bytes: the body was inflated beyond the cap"


def test_gzip_and_raw_deflate_are_decoded(web: Server) -> None:
    f = fetcher()
    assert f.fetch(f"{web.base}/gzip", BROWSER).body == CLONE_HTML.encode()
    assert f.fetch(f"{web.base}/deflate-raw", BROWSER).body == CLONE_HTML.encode()


def test_unsupported_coding_and_non_html_bodies_are_not_read(web: Server) -> None:
    f = fetcher()
    brotli = f.fetch(f"{web.base}/brotli", BROWSER)
    assert brotli.body == b"" and "unsupported Content-Encoding" in brotli.note
    image = f.fetch(f"{web.base}/image", BROWSER)
    assert image.status == 200 and image.body == b""


def test_oversized_headers_are_refused(web: Server) -> None:
    with pytest.raises(FetchError, match="headers too large"):
        fetcher(max_header_bytes=16_000).fetch(f"{web.base}/bigheaders", BROWSER)


def test_connection_refused_is_a_fetch_error() -> None:
    from forensics_servers import free_port

    with pytest.raises(FetchError, match="could not connect"):
        fetcher().fetch(f"http://127.0.0.1:{free_port()}/", BROWSER)


def test_walk_follows_http_meta_and_js_hops_without_cookies(web: Server) -> None:
    chain = walk(fetcher(), f"http://welt.ltd:{web.port}/start", BROWSER)
    assert chain.stopped is None
    assert [(h.kind, h.status) for h in chain.hops] == [
        ("http", 302),
        ("meta", 200),
        ("js", 200),
        (None, 200),
    ]
    assert chain.final_url == f"http://welt.ltd:{web.port}/article"
    assert all(h.address == "127.0.0.1" for h in chain.hops)
    assert web.paths() == ["/start", "/hop2", "/hop3", "/article"]
    assert all("cookie" not in r.headers for r in web.requests)  # /start set one; it is never returned


def test_walk_reads_location_replace(web: Server) -> None:
    chain = walk(fetcher(), f"{web.base}/replace", BROWSER)
    assert [h.kind for h in chain.hops] == ["js", None]


def test_walk_stops_on_loops_and_long_chains(web: Server) -> None:
    assert walk(fetcher(), f"{web.base}/loop", BROWSER).stopped == "loop"
    chain = walk(fetcher(), f"http://welt.ltd:{web.port}/start", BROWSER, max_redirects=2)
    assert chain.stopped == "too-many-redirects"
    assert len(chain.hops) == 3


def test_walk_stops_at_non_web_schemes(web: Server) -> None:
    assert walk(fetcher(), f"{web.base}/to-ftp", BROWSER).stopped == "scheme"


def test_redirect_into_private_networks_is_recorded_and_stops(web: Server) -> None:
    policy = NetworkPolicy(exempt=("127.0.0.1/32",), ports=None, resolve={"intranet.corp.test": "10.1.2.3"})
    for path, address in (("/to-metadata", "169.254.169.254"), ("/to-private-name", "10.1.2.3")):
        chain = walk(Fetcher(policy), f"{web.base}{path}", BROWSER)
        assert chain.stopped == "blocked"
        last = chain.hops[-1]
        assert last.blocked and last.address == address
        assert chain.hops[0].location == last.url


def test_redirect_to_loopback_from_a_host_resolving_elsewhere_sends_nothing(web: Server) -> None:
    """A site on 127.0.0.2 (trusted via ``exempt``, standing in for a public host) bounces to 127.0.0.1."""
    try:
        bouncer_cm = serve("127.0.0.2")
        bouncer = bouncer_cm.__enter__()
    except OSError:
        pytest.skip("127.0.0.2 is not bindable here")
    try:
        bouncer.targets["loopback"] = f"{web.base}/article"
        policy = NetworkPolicy(exempt=("127.0.0.2/32",), ports=None, resolve={"news.test": "127.0.0.2"})
        chain = walk(Fetcher(policy), f"http://news.test:{bouncer.port}/to-loopback", BROWSER)
    finally:
        bouncer_cm.__exit__(None, None, None)
    assert chain.stopped == "blocked"
    assert chain.hops[0].address == "127.0.0.2" and chain.hops[0].status == 302
    assert chain.hops[1].blocked and "loopback" in (chain.hops[1].error or "")
    assert bouncer.paths() == ["/to-loopback"]
    assert web.paths() == []
