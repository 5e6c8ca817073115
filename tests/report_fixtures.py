"""Hand-built findings for the report tests, including hostile text in every field a post controls."""

from __future__ import annotations

import io
from collections import Counter
from datetime import UTC, datetime
from typing import Any

from linkguard.models import Evidence, Finding, Link, Outlet, ScanStats, Verdict
from linkguard.report import open_writer

NOW = datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC)
XSS = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2"><script>alert(1)</script>'
RLO = "\u202e"

WELT = Outlet(name="Die Welt", domains=("welt.de", "welt24.de"), country="DE")
SPIEGEL = Outlet(name="Der Spiegel", domains=("spiegel.de",), country="DE")


def link(
    url: str, host: str, registered: str, *, text: str | None = None, obfuscation: tuple[str, ...] = ()
) -> Link:
    label, _, suffix = registered.partition(".")
    return Link(
        text=text if text is not None else url,
        url=url,
        host=host,
        host_unicode=host,
        registered_domain=registered,
        domain_label=label,
        suffix=suffix,
        subdomain=host[: -len(registered) - 1] if host != registered else "",
        obfuscation=obfuscation,
    )


def findings() -> list[tuple[Finding, str | None]]:
    """Six findings over five domains, each with the post text it came from."""
    welt_verdict = Verdict(
        status="malicious",
        score=92,
        impersonates=WELT,
        techniques=("tld-swap", "blocklist"),
        evidence=(
            Evidence("lookalike", "welt.ltd differs from welt.de only in its suffix (.ltd instead of .de)"),
            Evidence("blocklist", "listed in doppelganger.toml | see `EU DisinfoLab` <b>report</b>"),
        ),
    )
    spiegel_verdict = Verdict(
        status="suspicious",
        score=61,
        impersonates=SPIEGEL,
        techniques=("homoglyph",),
        evidence=(
            Evidence("homoglyph", f"spiegel.ltd looks like spiegel.de; title {RLO}lmth.exe{XSS}", {"n": 1}),
        ),
    )
    long_post = "A" * 5000 + " read https://welt.ltd/politik/article2.html now " + "B" * 5000
    return [
        (
            Finding(
                link=link("https://welt.ltd/politik/article1.html", "welt.ltd", "welt.ltd"),
                verdict=welt_verdict,
                source="posts.jsonl",
                line=3,
                column=10,
                record='=HYPERLINK("http://evil.example","click")',
            ),
            f"Breaking: {XSS} see https://welt.ltd/politik/article1.html and https://other.example/x",
        ),
        (
            Finding(
                link=link(
                    "https://welt.ltd/politik/article2.html",
                    "welt.ltd",
                    "welt.ltd",
                    text="https://welt.ltd/politik/article2.html",
                ),
                verdict=welt_verdict,
                source="posts.jsonl",
                line=7,
                column=5002,
                record="+cmd|' /C calc'!A0",
            ),
            long_post,
        ),
        (
            Finding(
                link=link(
                    "https://www.spiegel.ltd/" + RLO + "gpj.exe",
                    "www.spiegel.ltd",
                    "spiegel.ltd",
                    text="spiegel[.]ltd/" + RLO + "gpj.exe",
                    obfuscation=("brackets",),
                ),
                verdict=spiegel_verdict,
                source="chat <export>.html",
                line=12,
                column=1,
                record="@SUM(1+1)",
            ),
            f"Look | at `this` *now*: spiegel[.]ltd/{RLO}gpj.exe\x1b[2J end",
        ),
        (
            Finding(
                link=link("https://www.spiegel.de/", "www.spiegel.de", "spiegel.de"),
                verdict=Verdict(status="trusted", score=0),
                source="posts.jsonl",
                line=3,
                column=80,
                record="-2+3",
            ),
            None,
        ),
        (
            Finding(
                link=link("https://bit.ly/3abc", "bit.ly", "bit.ly"),
                verdict=Verdict(
                    status="shortened", score=10, evidence=(Evidence("shortener", "bit.ly is a shortener"),)
                ),
                source="posts.jsonl",
                line=9,
                column=1,
            ),
            "short link https://bit.ly/3abc",
        ),
        (
            Finding(
                link=link("http://example.org/-x", "example.org", "example.org", text="\texample.org/-x"),
                verdict=Verdict(status="unknown", score=5),
                source="posts.jsonl",
                line=11,
                column=2,
            ),
            "\texample.org/-x",
        ),
    ]


def stats() -> ScanStats:
    return ScanStats(
        sources=2,
        records=5,
        bytes_read=123_456,
        links=6,
        flagged=3,
        verdicts=Counter({"malicious": 2, "suspicious": 1, "trusted": 1, "shortened": 1, "unknown": 1}),
        skipped=Counter({"binary": 1, "too-large": 2}),
    )


def produce(fmt: str, **options: Any) -> str:
    """Render the fixture in ``fmt`` at the fixed time ``NOW``."""
    out = io.StringIO()
    writer = open_writer(fmt, out, now=NOW, color=False, **options)
    for finding, context in findings():
        writer.add(finding, context)
    writer.close(stats())
    return out.getvalue()
