"""Redirect wrappers undone offline: the inner link is judged, the wrapper is named in ``via``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from linkguard.cli import cli, main
from linkguard.limits import MAX_UNWRAP_DEPTH
from linkguard.normalize import parse_link

WRAPPED = [
    ("https://l.facebook.com/l.php?u=https%3A%2F%2Fwelt.ltd%2Fx&h=AT0", "https://welt.ltd/x"),
    ("https://lm.facebook.com/l.php?u=https%3A%2F%2Fwelt.ltd%2Fx", "https://welt.ltd/x"),
    ("https://www.google.com/url?q=https://spiegel.ltd&sa=D", "https://spiegel.ltd/"),
    ("https://www.google.de/url?sa=t&url=https%3A%2F%2Fspiegel.ltd%2Fa", "https://spiegel.ltd/a"),
    ("https://web.archive.org/web/20240101000000/https://welt.ltd/a?b=1", "https://welt.ltd/a?b=1"),
    ("https://web.archive.org/web/20240101000000id_/http://welt.ltd/a", "http://welt.ltd/a"),
    ("https://web.archive.org/web/2024/https:/welt.ltd/a", "https://welt.ltd/a"),
    ("https://archive.ph/2024.01.01-120000/https://welt.ltd/x", "https://welt.ltd/x"),
    ("https://archive.today/newest/https://welt.ltd/x", "https://welt.ltd/x"),
    ("https://archive.is/o/AbCdE/https://welt.ltd/x", "https://welt.ltd/x"),
    ("https://vk.com/away.php?to=https%3A%2F%2Fwelt.ltd&cc_key=", "https://welt.ltd/"),
    ("https://t.me/iv?url=https%3A%2F%2Fwelt.ltd%2Fa&rhash=1", "https://welt.ltd/a"),
    (
        "https://www.youtube.com/redirect?event=video_description&q=https%3A%2F%2Fwelt.ltd",
        "https://welt.ltd/",
    ),
    (
        "https://eur01.safelinks.protection.outlook.com/?url=https%3A%2F%2Fwelt.ltd%2Fx&data=05",
        "https://welt.ltd/x",
    ),
    (
        "https://urldefense.proofpoint.com/v2/url?u=https-3A__welt.ltd_politik_x&d=DwMF&c=x",
        "https://welt.ltd/politik/x",
    ),
    ("https://urldefense.com/v3/__https://welt.ltd/x__;!!ABC!def$", "https://welt.ltd/x"),
    ("https://href.li/?https://welt.ltd/x", "https://welt.ltd/x"),
    ("https://slack-redir.net/link?url=https%3A%2F%2Fwelt.ltd", "https://welt.ltd/"),
    ("https://out.reddit.com/t3_abc?url=https%3A%2F%2Fwelt.ltd&token=x", "https://welt.ltd/"),
    ("https://www.google.com/amp/s/welt.ltd/politik/amp/a1.html", "https://welt.ltd/politik/amp/a1.html"),
    ("https://welt-ltd.cdn.ampproject.org/c/s/welt.ltd/a?amp=1", "https://welt.ltd/a?amp=1"),
]


@pytest.mark.parametrize(("wrapped", "inner"), WRAPPED)
def test_each_wrapper_is_undone_and_named_in_via(wrapped: str, inner: str) -> None:
    link = parse_link(wrapped)
    assert link is not None
    assert link.url == inner
    assert len(link.via) == 1 and link.via[0].split("/")[2] == wrapped.split("/")[2]
    assert link.text == wrapped  # what the post showed stays
    assert [e.kind for e in link.resolution] == ["wrapper"]


def test_proofpoint_v3_restores_the_characters_it_replaced() -> None:
    # '*' stands for one stored character, here the '?' and '=' of the query (base64url "Pz0" = "?=")
    link = parse_link("https://urldefense.com/v3/__https://welt.ltd/a*q*1__;Pz0!!x$")
    assert link is not None and link.url == "https://welt.ltd/a?q=1"


def test_nested_wrappers_unwrap_in_order() -> None:
    inner = "https%253A%252F%252Fwelt.ltd%252Fx"
    link = parse_link(f"https://www.google.com/url?q=https%3A%2F%2Fl.facebook.com%2Fl.php%3Fu%3D{inner}")
    assert link is not None and link.url == "https://welt.ltd/x"
    assert [v.split("/")[2] for v in link.via] == ["www.google.com", "l.facebook.com"]


def test_unwrapping_is_bounded() -> None:
    url = "https://welt.ltd/x"
    for _ in range(MAX_UNWRAP_DEPTH + 2):
        url = "https://href.li/?" + url
    link = parse_link(url)
    assert link is not None and link.host == "href.li"
    assert len(link.via) == MAX_UNWRAP_DEPTH
    assert "nested deeper" in link.resolution[-1].detail


@pytest.mark.parametrize(
    "url",
    [
        "https://l.facebook.com/l.php?u=not%20a%20url",
        "https://l.facebook.com/l.php?h=AT0",
        "https://www.google.com/url?q=javascript%3Aalert(1)",
    ],
)
def test_malformed_inner_url_keeps_the_wrapper_with_evidence(url: str) -> None:
    link = parse_link(url)
    assert link is not None and link.host in ("l.facebook.com", "www.google.com")
    assert link.via == ()
    (note,) = link.resolution
    assert note.kind == "wrapper" and "malformed" in note.detail


@pytest.mark.parametrize(
    "url",
    [
        "https://www.google.com/search?q=https://welt.ltd",  # a search, not a redirect
        "https://google.example.de/url?q=https://welt.de",  # not Google's: never vouched for
        "https://archive.ph/AbCdE",  # a capture id: the URL is not in the link
        "https://www.facebook.com/welt/posts/1",
    ],
)
def test_lookalike_shapes_are_not_unwrapped(url: str) -> None:
    link = parse_link(url)
    assert link is not None and link.via == () and link.resolution == ()


def test_check_cli_judges_the_inner_link() -> None:
    url = "https://l.facebook.com/l.php?u=https%3A%2F%2Fwelt.ltd%2Fx"
    result = CliRunner().invoke(cli, ["check", url, "--no-blocklist", "--offline", "--format", "json"])
    assert result.exit_code == 1, result.output
    data = json.loads(result.output)
    assert data["verdict"] == "suspicious"
    assert data["impersonates"]["domain"] == "welt.de"
    assert data["url"] == "https://welt.ltd/x" and data["text"] == url
    assert data["via"] == [url]
    assert any(e["kind"] == "wrapper" and "l.facebook.com" in e["detail"] for e in data["evidence"])
    table = CliRunner().invoke(cli, ["check", url, "--no-blocklist", "--offline"])
    assert table.exit_code == 1 and "via" in table.output and "wrapper" in table.output


def test_scan_cli_flags_wrapped_lookalikes_in_plain_text(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    f = tmp_path / "posts.txt"
    f.write_text(
        "Lest https://l.facebook.com/l.php?u=https%3A%2F%2Fwelt.ltd%2Fa&h=AT0\n"
        "und https://www.google.com/url?q=https://spiegel.ltd/b&sa=D\n"
        "Archiv: https://web.archive.org/web/20240101000000/https://welt.ltd/c\n",
        encoding="utf-8",
    )
    code = main(["scan", str(f), "--format", "jsonl", "--no-blocklist", "-q"])
    assert code == 1
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(r["url"], r["impersonates"]["domain"], r["via"][0].split("/")[2], r["line"]) for r in rows] == [
        ("https://welt.ltd/a", "welt.de", "l.facebook.com", 1),
        ("https://spiegel.ltd/b", "spiegel.de", "www.google.com", 2),
        ("https://welt.ltd/c", "welt.de", "web.archive.org", 3),
    ]
    assert all(r["flagged"] and any(e["kind"] == "wrapper" for e in r["evidence"]) for r in rows)


def test_each_wrapped_link_quotes_its_own_wrapper(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Two links through the same wrapper to the same lookalike: each finding's ``wrapper``
    evidence names its own wrapper URL, not the first one's (their evidence sentences are equal,
    only the data differs: a memo keyed by the sentences once gave the second link the first's)."""
    first = "https://l.facebook.com/l.php?u=https%3A%2F%2Fspiegel.ltd%2Fa-1.html&h=AT0"
    second = "https://l.facebook.com/l.php?u=https%3A%2F%2Fspiegel.ltd%2Fb-2.html&h=AT1"
    f = tmp_path / "posts.txt"
    f.write_text(f"Lest {first}\nund {second}\n", encoding="utf-8")
    assert main(["scan", str(f), "--format", "jsonl", "--no-blocklist", "-q"]) == 1
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    quoted = [[e["data"]["wrapper"] for e in r["evidence"] if e["kind"] == "wrapper"] for r in rows]
    assert [(r["url"], r["via"]) for r in rows] == [
        ("https://spiegel.ltd/a-1.html", [first]),
        ("https://spiegel.ltd/b-2.html", [second]),
    ]
    assert quoted == [[first], [second]]
