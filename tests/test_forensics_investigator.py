"""The orchestrator end to end against loopback servers: verdicts go up, failures become evidence."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from forensics_servers import NOW, WELT, Server, classify_stub, free_port

from linkguard.forensics import FetchLimits, ForensicsCache, Investigator, NetworkPolicy
from linkguard.lookalike import Detector
from linkguard.models import Link, Verdict
from linkguard.normalize import parse_link
from linkguard.rules import load_rules

PINS = {
    "welt.ltd": "127.0.0.1",
    "t.co": "127.0.0.1",
    "cloak.top": "127.0.0.1",
    "news-today.online": "127.0.0.1",
}
LAB = NetworkPolicy(allow_private=True, resolve=PINS)


def link(url: str, display: str | None = None) -> Link:
    parsed = parse_link(url)
    assert parsed is not None
    return dataclasses.replace(parsed, display=display)


def investigator(
    rdap: Server | None = None, limits: FetchLimits | None = None, **kwargs: Any
) -> Investigator:
    options: dict[str, Any] = {
        "classify": classify_stub,
        "outlets": [WELT],
        "policy": LAB,
        "now": lambda: NOW,
        "limits": limits or FetchLimits(per_host_interval=0),
        "rdap_base": rdap.base if rdap else f"http://127.0.0.1:{free_port()}/",
    }
    options.update(kwargs)
    return Investigator(**options)


def kinds(verdict: Verdict) -> list[str]:
    return [e.kind for e in verdict.evidence]


def evidence(verdict: Verdict, kind: str) -> list[str]:
    return [e.detail for e in verdict.evidence if e.kind == kind]


def test_lookalike_with_cloned_page_is_suspicious_with_a_high_score(web: Server, rdap: Server) -> None:
    start = link(f"http://welt.ltd:{web.port}/start")
    before = classify_stub(start)
    with investigator(rdap) as inv:
        after = inv.investigate(start, before)
    assert after.status == "suspicious"  # malicious is only for domains on a published known-bad list
    assert after.impersonates == WELT
    assert after.score >= 90
    assert {"tld-swap", "page-claims-outlet", "young-domain"} <= set(after.techniques)
    assert "cloaking" not in after.techniques  # every visitor reached the same clone
    for kind in (
        "dns",
        "redirect-chain",
        "final-url",
        "page-claim",
        "canonical",
        "outlet-assets",
        "registration",
    ):
        assert kind in kinds(after), kind
    (chain,) = evidence(after, "redirect-chain")
    assert "3 redirect(s) (http, meta, js)" in chain
    assert "(HTTP 302)" in chain and "(meta refresh)" in chain and "(JavaScript)" in chain
    hops = next(e for e in after.evidence if e.kind == "redirect-chain").data["hops"]
    assert [h.get("kind") for h in hops] == ["http", "meta", "js", None]
    assert all(h["address"] == "127.0.0.1" for h in hops)
    (claim,) = evidence(after, "page-claim")
    assert "presents itself as WELT" in claim and 'og:site_name is "WELT"' in claim
    assert "https://www.welt.de/politik/article250000000/Beispiel.html" in evidence(after, "canonical")[0]
    (registration,) = evidence(after, "registration")
    assert "registered 2024-05-02" in registration and "only 3 days" in registration
    assert before.evidence == after.evidence[: len(before.evidence)]  # offline evidence kept, first


def test_unknown_domain_serving_a_clone_is_suspicious_and_named(web: Server) -> None:
    target = link(f"http://news-today.online:{web.port}/article")
    after = investigator(registration=False, cloaking=False).investigate(target, Verdict())
    assert after.status == "suspicious"
    assert after.impersonates == WELT
    assert after.techniques == ("page-claims-outlet",)


def test_shortener_takes_the_verdict_of_its_flagged_destination(web: Server, rules_file: Path) -> None:
    web.targets["clone"] = f"http://welt.ltd:{web.port}/article"
    short = link(f"http://t.co:{web.port}/to-clone", display="Welt.de")
    detector = Detector(load_rules([rules_file], bundled=False, user=False))
    inv = investigator(classify=detector.classify, registration=False, cloaking=False)
    after = inv.investigate(short, Verdict("shortened"))
    assert after.status == "suspicious"
    assert after.impersonates == detector.rules.outlets[0]
    assert {"redirect", "tld-swap", "display-mismatch", "page-claims-outlet"} <= set(after.techniques)
    (final,) = evidence(after, "final-url")  # where the walk ended ...
    assert final.startswith(f"the link ends at http://welt.ltd:{web.port}/article")
    (destination,) = evidence(after, "destination")  # ... how that destination is judged ...
    assert "leads to welt.ltd, which is suspicious, imitating WELT" in destination
    (shown,) = evidence(after, "display-mismatch")  # ... and the post's claim, judged as offline
    assert "the post showed 'welt.de', but the link goes to welt.ltd" in shown
    offline = detector.classify(dataclasses.replace(parse_link("http://welt.ltd/"), display="Welt.de"))
    assert after.score >= offline.score  # the same policy as when an export resolved the link


def test_cloaking_is_reported(web: Server) -> None:
    after = investigator(registration=False).investigate(
        link(f"http://cloak.top:{web.port}/cloak"), Verdict()
    )
    assert "cloaking" in after.techniques
    (text,) = evidence(after, "cloaking")
    assert "as crawler" in text and "/harmless" in text and "as browser" in text
    assert "linkguard" in " ".join(r.headers["user-agent"] for r in web.requests)


def test_network_failures_become_evidence_not_exceptions(web: Server) -> None:
    inv = investigator(
        limits=FetchLimits(total_timeout=0.5, per_host_interval=0), registration=False, cloaking=False
    )
    dead = inv.investigate(link(f"http://127.0.0.1:{free_port()}/"), Verdict())
    assert dead.status == "unknown"
    assert "could not connect" in evidence(dead, "fetch-error")[0]
    slow = inv.investigate(link(f"http://welt.ltd:{web.port}/slow"), Verdict())
    (final,) = evidence(slow, "final-url")  # the dripped page is kept, marked as partial
    assert "read only in part" in final and "0.5 s deadline" in final


def test_strict_policy_records_the_refusal_and_sends_nothing(web: Server, rdap: Server) -> None:
    strict = NetworkPolicy(resolve={"welt.ltd": "127.0.0.1"}, ports=None)
    start = link(f"http://welt.ltd:{web.port}/start")
    after = investigator(rdap, policy=strict).investigate(start, classify_stub(start))
    assert after.status == "suspicious"  # the offline verdict stands
    blocked = next(e for e in after.evidence if e.kind == "blocked-address")
    assert blocked.data["hop"] == 0 and blocked.data["address"] == "127.0.0.1"
    assert "loopback" in blocked.detail
    assert "unknown" in evidence(after, "registration")[0]  # the loopback RDAP server is refused too
    assert web.paths() == [] and rdap.paths() == []


def test_a_name_that_does_not_resolve_is_reported_once(web: Server) -> None:
    def resolver(host: str, timeout: float) -> list[str]:
        return []

    policy = NetworkPolicy(allow_private=True, resolver=resolver)
    inv = investigator(policy=policy, registration=False)
    after = inv.investigate(link("http://gone-news.online/"), Verdict())
    assert evidence(after, "dns") == ["gone-news.online does not resolve (no A/AAAA records)"]
    assert kinds(after) == ["dns"]


def test_old_and_undated_domains_are_not_young(web: Server, rdap: Server) -> None:
    pins = NetworkPolicy(allow_private=True, resolve={"old-news.com": "127.0.0.1", "nodate.top": "127.0.0.1"})
    inv = investigator(rdap, policy=pins, cloaking=False)
    for name in ("old-news.com", "nodate.top"):
        after = inv.investigate(link(f"http://{name}:{web.port}/harmless"), Verdict())
        assert "young-domain" not in after.techniques
        assert evidence(after, "registration")


def test_investigate_many_streams_in_order(web: Server) -> None:
    consumed: list[int] = []

    def items() -> Iterator[tuple[Link, Verdict]]:
        for i in range(30):
            consumed.append(i)
            path = "/harmless" if i % 2 else "/article"
            yield link(f"http://news-today.online:{web.port}{path}?n={i}"), Verdict()

    inv = investigator(
        limits=FetchLimits(max_concurrency=2, per_host_interval=0), registration=False, cloaking=False
    )
    results = inv.investigate_many(items())
    first = next(results)
    assert len(consumed) <= 2 * 4 + 1  # the input is not read ahead of the window
    rest = list(results)
    inv.close()
    statuses = [first.status, *(r.status for r in rest)]
    assert statuses == ["suspicious" if i % 2 == 0 else "unknown" for i in range(30)]
    finals = [first, *rest]
    assert all(f"?n={i}" in evidence(v, "final-url")[0] for i, v in enumerate(finals))


def test_politeness_spaces_requests_to_one_host(web: Server) -> None:
    inv = investigator(limits=FetchLimits(per_host_interval=0.2), registration=False, cloaking=False)
    started = time.monotonic()
    list(
        inv.investigate_many(
            (link(f"http://news-today.online:{web.port}/harmless?{i}"), Verdict()) for i in range(4)
        )
    )
    inv.close()
    assert time.monotonic() - started >= 0.6


def test_cache_answers_repeat_questions(web: Server, rdap: Server, tmp_path: Path) -> None:
    cache = ForensicsCache(tmp_path / "cache.sqlite3")
    start = link(f"http://welt.ltd:{web.port}/start")
    with investigator(rdap, cache=ForensicsCache(cache.path)) as inv:
        first = inv.investigate(start, classify_stub(start))
    requests = len(web.requests) + len(rdap.requests)
    with investigator(rdap, cache=ForensicsCache(cache.path)) as inv:
        second = inv.investigate(start, classify_stub(start))
    assert len(web.requests) + len(rdap.requests) == requests
    assert [e.detail for e in second.evidence] == [e.detail for e in first.evidence]
    info = cache.info()
    assert info["entries"] >= 4 and {"walk", "registration", "dns"} <= set(info["kinds"])
    assert cache.clear() == info["entries"]
    assert cache.info()["entries"] == 0
    cache.close()


def test_cache_expires_entries(tmp_path: Path) -> None:
    clock = [1000.0]
    cache = ForensicsCache(tmp_path / "c.sqlite3", ttl=60, clock=lambda: clock[0])
    cache.set("dns", "a", {"x": 1})
    assert cache.get("dns", "a") == {"x": 1}
    clock[0] += 61
    assert cache.get("dns", "a") is None
    assert cache.info()["expired"] == 1
    assert cache.purge() == 1
    cache.close()


@pytest.mark.parametrize("name", ["Investigator", "NetworkPolicy", "ForensicsCache", "Registration"])
def test_public_names(name: str) -> None:
    import linkguard.forensics as forensics

    assert name in forensics.__all__
    assert all(hasattr(forensics, n) for n in forensics.__all__)
