"""Reddit and Bluesky exports end to end: each shape one module in ``inputs/shapes``, each planted
link reported once per post with the post's id, permalink, author and date."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from linkguard.cli import main

EXPORTS = Path(__file__).parent / "data" / "exports"


def scan(capsys: pytest.CaptureFixture[str], path: Path) -> list[dict[str, Any]]:
    code = main(["scan", str(path), "--format", "jsonl", "--all", "--no-blocklist"])
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.strip()]
    assert code == 1
    return rows


def test_reddit_dump_one_finding_per_link_per_post(capsys: pytest.CaptureFixture[str]) -> None:
    rows = scan(capsys, EXPORTS / "reddit.ndjson")
    found = Counter((r["post"]["id"], r["url"], r["verdict"]) for r in rows)
    assert found == Counter(
        {
            # a link submission: its url (the domain, thumbnail and preview are not scanned)
            ("18vq1ab", "https://welt.ltd/politik/article500.html", "suspicious"): 1,
            # a self post naming the link twice; its url is its own permalink, not a link it shows
            ("18vq2cd", "https://spiegel.ltd/ausland/a-1.html", "suspicious"): 1,
            # a comment: the original and the Facebook-wrapped copy
            ("kfx9z1a", "https://www.welt.de/politik/article500.html", "trusted"): 1,
            ("kfx9z1a", "https://welt.ltd/politik/article500.html", "suspicious"): 1,
        }
    )
    submission = rows[0]
    assert submission["post"] == {
        "platform": "reddit",
        "id": "18vq1ab",
        "url": "https://www.reddit.com/r/de/comments/18vq1ab/regierung_plant_geheime_steuer/",
        "author": "wahrheitsfreund",
        "created_at": "2024-01-01T00:00:00+00:00",
    }
    assert submission["record"] == "line 1/url"
    assert submission["context"] == "Regierung plant geheime Steuer"
    assert rows[1]["post"]["created_at"] == "2024-01-01T01:00:00+00:00"  # created_utc as a string
    wrapped = rows[-1]
    assert [v.split("/")[2] for v in wrapped["via"]] == ["l.facebook.com"]
    assert wrapped["post"]["url"].endswith("/kfx9z1a/")


def test_bluesky_feed_one_finding_per_link_per_post(capsys: pytest.CaptureFixture[str]) -> None:
    rows = scan(capsys, EXPORTS / "bluesky-feed.json")
    assert [(r["post"]["url"], r["url"]) for r in rows] == [
        (
            "https://bsky.app/profile/wahrheit.bsky.social/post/3kq2abcdxyz2a",
            "https://welt.ltd/politik/article900.html",
        ),
        (
            "https://bsky.app/profile/wahrheit.bsky.social/post/3kq2abcdxyz3b",
            "https://spiegel.ltd/ausland/a-12.html",
        ),
    ]
    facet, card = rows
    # the facet's shortened text is its display, never a second (truncated) URL
    assert facet["record"] == "/feed/0/post/record/facets/0/features/0/uri"
    assert facet["post"]["id"] == "at://did:plc:abc123xyz/app.bsky.feed.post/3kq2abcdxyz2a"
    assert facet["post"]["author"] == "wahrheit.bsky.social"
    assert facet["post"]["created_at"] == "2024-01-10T12:00:00.000Z"
    assert facet["context"].startswith("Unfassbar: welt.ltd/politik/artik...")
    assert card["record"] == "/feed/1/post/record/embed/external/uri"
    assert all(r["verdict"] == "suspicious" and r["post"]["platform"] == "bluesky" for r in rows)


def test_bluesky_repo_records_and_bare_records(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = "Quelle: spiegel.ltd/a-7 und mehr"
    start = text.encode().index(b"spiegel")
    facet = {
        "index": {"byteStart": start, "byteEnd": start + len("spiegel.ltd/a-7")},
        "features": [{"$type": "app.bsky.richtext.facet#link", "uri": "https://spiegel.ltd/a-7"}],
    }
    record = {
        "$type": "app.bsky.feed.post",
        "text": text,
        "createdAt": "2024-02-01T10:00:00Z",
        "facets": [facet],
    }
    listed = {"records": [{"uri": "at://did:plc:q1/app.bsky.feed.post/3kzz", "cid": "bafy", "value": record}]}
    (tmp_path / "records.json").write_text(json.dumps(listed), encoding="utf-8")
    (tmp_path / "bare.jsonl").write_text(
        json.dumps(record) + "\n" + json.dumps(record) + "\n", encoding="utf-8"
    )
    listed_rows = scan(capsys, tmp_path / "records.json")
    assert [(r["url"], r["post"]["url"]) for r in listed_rows] == [
        ("https://spiegel.ltd/a-7", "https://bsky.app/profile/did:plc:q1/post/3kzz")
    ]
    bare_rows = scan(capsys, tmp_path / "bare.jsonl")
    assert [(r["url"], r["record"], r["post"]["platform"]) for r in bare_rows] == [
        ("https://spiegel.ltd/a-7", "line 1/facets/0/features/0/uri", "bluesky"),
        ("https://spiegel.ltd/a-7", "line 2/facets/0/features/0/uri", "bluesky"),
    ]
