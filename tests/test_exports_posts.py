"""Real export shapes end to end: one finding per link per post, traceable to the post.

The fixtures in ``data/exports`` are written in each platform's own schema with lookalikes planted
behind t.co links, ``text_link`` entities, Mastodon anchors, CrowdTangle ``Link``/``Final Link``
pairs and redirect wrappers.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from linkguard.cli import main

EXPORTS = Path(__file__).parent / "data" / "exports"

#: file -> every link planted: (post id, destination URL, outlet imitated or None, hosts in ``via``)
PLANTED: dict[str, list[tuple[str | None, str, str | None, list[str]]]] = {
    "tweets.js": [
        (
            "1745000000000000001",
            "https://spiegel.ltd/politik/deutschland/migration-a-1234.html",
            "spiegel.de",
            ["t.co"],
        ),
        (
            "1745000000000000002",
            "https://welt.ltd/politik/article1.html",
            "welt.de",
            ["t.co", "l.facebook.com"],
        ),
        ("1745000000000000002", "https://www.tagesschau.de/inland/bericht-100.html", None, ["t.co"]),
        ("1745000000000000003", "http://welt.ltd/politik", "welt.de", []),
    ],
    "result.json": [
        ("3", "https://welt.ltd/politik/article42.html", "welt.de", []),
        ("5", "https://spiegel.ltd/ausland/a-99.html", "spiegel.de", []),
    ],
    "outbox.json": [
        (
            "https://mastodon.example/users/wahrheit/statuses/111800000000000001",
            "https://welt.ltd/politik/article7.html",
            "welt.de",
            [],
        ),
        (
            "https://mastodon.example/users/wahrheit/statuses/111800000000000002",
            "https://spiegel.ltd/panorama/a-5.html",
            "spiegel.de",
            ["web.archive.org"],
        ),
    ],
    "crowdtangle.csv": [
        ("pfbid0Abc", "https://spiegel.ltd/politik/a-77.html", "spiegel.de", ["bit.ly"]),
        ("880000000000002", "https://welt.ltd/x", "welt.de", []),
    ],
    "page.html": [
        (None, "https://spiegel.ltd/politik/a-3.html", "spiegel.de", ["www.google.com"]),
        (None, "https://welt.ltd/a", "welt.de", []),
    ],
}
PERMALINKS = {
    "tweets.js": "https://x.com/i/status/{id}",
    "result.json": "https://t.me/c/1987654321/{id}",
    "crowdtangle.csv": None,  # checked below: the row's URL column
    "outbox.json": None,  # the status URL, not its URI
}


def scan(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[dict[str, Any]], str]:
    code = main(["scan", *args, "--no-blocklist"])
    out, err = capsys.readouterr()
    return code, [json.loads(line) for line in out.splitlines() if line.strip()], err


@pytest.mark.parametrize("name", sorted(PLANTED))
def test_each_planted_link_is_reported_once_per_post(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, rows, _ = scan(capsys, str(EXPORTS / name), "--format", "jsonl", "--all")
    post_ids = [r["post"]["id"] if r["post"] else None for r in rows]
    found = Counter((pid, r["url"]) for pid, r in zip(post_ids, rows, strict=True))
    assert found == Counter((pid, url) for pid, url, _outlet, _via in PLANTED[name])
    by_url = {r["url"]: r for r in rows}
    for _pid, url, outlet, via in PLANTED[name]:
        row = by_url[url]
        imitated = row["impersonates"]["domain"] if row["impersonates"] else None
        assert imitated == outlet, url
        assert row["flagged"] is (outlet is not None)
        assert [v.split("/")[2] for v in row["via"]] == via
        kinds = {e["kind"] for e in row["evidence"]}
        if via and via[0] in ("t.co", "bit.ly"):
            assert "export-resolution" in kinds
        if any(h in ("l.facebook.com", "web.archive.org", "www.google.com") for h in via):
            assert "wrapper" in kinds
        assert "…" not in row["url"]  # a truncated display_url is never a URL
    assert code == 1


@pytest.mark.parametrize("name", ["tweets.js", "result.json", "outbox.json", "crowdtangle.csv"])
def test_findings_trace_back_to_the_post(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    _, rows, _ = scan(capsys, str(EXPORTS / name), "--format", "jsonl", "--all")
    for row in rows:
        post = row["post"]
        assert post is not None and post["id"] and post["url"] and post["created_at"]
        assert post["created_at"][:4] == "2024" and "T" in post["created_at"]
        template = PERMALINKS[name]
        if template is not None:
            assert post["url"] == template.format(id=post["id"])
        assert row["context"]  # the post's text, for the quotes of re-rendered reports
        assert len(row["context"]) <= 300
    platforms = {row["post"]["platform"] for row in rows}
    assert (
        platforms
        == {
            "tweets.js": {"x"},
            "result.json": {"telegram"},
            "outbox.json": {"mastodon"},
            "crowdtangle.csv": {"facebook"},
        }[name]
    )


def test_export_fields_of_each_shape(capsys: pytest.CaptureFixture[str]) -> None:
    _, rows, _ = scan(capsys, str(EXPORTS / "outbox.json"), "--format", "jsonl", "--all")
    assert rows[0]["post"] == {
        "platform": "mastodon",
        "id": "https://mastodon.example/users/wahrheit/statuses/111800000000000001",
        "url": "https://mastodon.example/@wahrheit/111800000000000001",
        "author": "https://mastodon.example/users/wahrheit",
        "created_at": "2024-01-10T12:00:00Z",
    }
    assert rows[0]["context"] == "Die Welt berichtet: https://welt.ltd/politik/article7.html"
    _, rows, _ = scan(capsys, str(EXPORTS / "crowdtangle.csv"), "--format", "jsonl", "--all")
    assert rows[0]["post"] == {
        "platform": "facebook",
        "id": "pfbid0Abc",
        "url": "https://www.facebook.com/wahrheitseite/posts/pfbid0Abc",
        "author": "Wahrheit Seite",
        "created_at": "2024-01-10T12:00:00+01:00",
    }
    assert (
        rows[0]["text"] == "https://spiegel.ltd/politik/a-77.html"
        and rows[0]["record"] == "row 2, Final Link"
    )
    _, rows, _ = scan(capsys, str(EXPORTS / "result.json"), "--format", "jsonl", "--all")
    telegram = rows[0]
    assert telegram["post"]["created_at"] == "2024-01-10T13:00:00+00:00"
    assert "display-mismatch" in telegram["techniques"]  # shown as welt.de, leads to welt.ltd
    _, rows, _ = scan(capsys, str(EXPORTS / "tweets.js"), "--format", "jsonl", "--all")
    assert rows[0]["text"] == "https://spiegel.ltd/politik/deutschland/migration-a-1234.html"
    assert rows[0]["context"] == "Unglaublich, was der Spiegel berichtet https://t.co/AbCdEfGh12"
    assert rows[0]["line"] == 23 and rows[0]["record"] == "/0/tweet/entities/urls/0/expanded_url"


def test_stix_carries_full_urls_never_display_text(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["scan", str(EXPORTS / "tweets.js"), "--format", "stix", "--no-blocklist"])
    bundle = json.loads(capsys.readouterr().out)
    urls = {o["value"] for o in bundle["objects"] if o["type"] == "url"}
    assert "https://spiegel.ltd/politik/deutschland/migration-a-1234.html" in urls
    assert "https://welt.ltd/politik/article1.html" in urls
    assert not any("…" in u or u.rstrip("/").endswith("deutsch") for u in urls)
    assert not any("t.co" in u or "facebook.com" in u for u in urls)
    assert code == 1


def test_report_rerenders_the_quoted_posts_from_saved_jsonl(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    saved = tmp_path / "scan.jsonl"
    for name in ("tweets.js", "result.json"):
        main(["scan", str(EXPORTS / name), "--format", "jsonl", "-o", str(saved), "--no-blocklist", "-q"])
        capsys.readouterr()
        code = main(["report", str(saved), "--format", "html", "--no-defang"])
        page = capsys.readouterr().out
        assert code == 1
        quote = {"tweets.js": "Unglaublich, was der Spiegel berichtet", "result.json": "Neu bei der Welt"}[
            name
        ]
        assert quote in page
        permalink = {
            "tweets.js": "https://x.com/i/status/174500000000000000",
            "result.json": "https://t.me/c/",
        }[name]
        assert permalink in page  # each quote names the post it comes from
        code = main(["report", str(saved), "--format", "jsonl"])
        again = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
        assert [r["post"] for r in again] == [
            json.loads(line)["post"] for line in saved.read_text(encoding="utf-8").splitlines()
        ]
        assert all(r["post"]["id"] and r["context"] for r in again)


def test_old_scans_without_the_new_keys_still_load(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    saved = tmp_path / "scan.jsonl"
    main(["scan", str(EXPORTS / "tweets.js"), "--format", "jsonl", "-o", str(saved), "--no-blocklist", "-q"])
    capsys.readouterr()
    old = []
    for line in saved.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        for key in ("via", "post", "context"):
            del row[key]
        old.append(json.dumps(row))
    saved.write_text("\n".join(old) + "\n", encoding="utf-8")
    code = main(["report", str(saved), "--format", "jsonl"])
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert code == 1 and len(rows) == 3 and all(r["post"] is None and r["via"] == [] for r in rows)


def test_api_tweets_per_line_name_their_author_and_repeat_links_per_post(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def tweet(n: int) -> str:
        url = {
            "url": "https://t.co/AAAAAAAAAA",
            "expanded_url": "https://welt.ltd/a",
            "display_url": "welt.ltd/a",
        }
        return json.dumps(
            {
                "id_str": str(n),
                "created_at": "Wed Jan 10 12:00:00 +0000 2024",
                "full_text": "welt.ltd/a and https://t.co/AAAAAAAAAA",
                "user": {"screen_name": "wahrheit", "url": None},
                "entities": {"urls": [url]},
            }
        )

    f = tmp_path / "tweets.jsonl"
    f.write_text(tweet(1) + "\n" + tweet(2) + "\n", encoding="utf-8")
    _, rows, _ = scan(capsys, str(f), "--format", "jsonl", "--all")
    # the link card, the t.co in the text and the bare mention are one link, once in each post
    assert [(r["post"]["id"], r["url"], r["record"]) for r in rows] == [
        ("1", "https://welt.ltd/a", "line 1/entities/urls/0/expanded_url"),
        ("2", "https://welt.ltd/a", "line 2/entities/urls/0/expanded_url"),
    ]
    assert rows[0]["post"]["url"] == "https://x.com/wahrheit/status/1"
    assert rows[0]["post"]["author"] == "wahrheit"


def test_telegram_username_gives_the_public_permalink(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    chat = {
        "name": "Kanal",
        "type": "public_channel",
        "id": 42,
        "username": "wahrheitkanal",
        "messages": [
            {
                "id": 7,
                "type": "message",
                "date": "2024-01-10T13:00:00",
                "text": "siehe welt.ltd/b",
                "text_entities": [],
            }
        ],
    }
    f = tmp_path / "result.json"
    f.write_text(json.dumps(chat), encoding="utf-8")
    _, rows, _ = scan(capsys, str(f), "--format", "jsonl", "--all")
    (row,) = rows
    assert row["post"]["url"] == "https://t.me/wahrheitkanal/7"
    assert row["post"]["created_at"] == "2024-01-10T13:00:00"  # no date_unixtime: as exported
    assert row["context"] == "siehe welt.ltd/b"


def test_generic_json_with_expanded_url_is_one_link(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    f = tmp_path / "cards.json"
    doc = [
        {
            "card": {
                "url": "https://t.co/BBBBBBBBBB",
                "expanded_url": "https://spiegel.ltd/p",
                "display_url": "spiegel.ltd/p…",
            }
        }
    ]
    f.write_text(json.dumps(doc), encoding="utf-8")
    _, rows, _ = scan(capsys, str(f), "--format", "jsonl", "--all")
    (row,) = rows
    assert row["url"] == "https://spiegel.ltd/p" and row["via"] == ["https://t.co/BBBBBBBBBB"]
    assert row["post"] is None


def test_html_anchor_prose_is_still_scanned(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "page.html"
    f.write_text(
        "<p><a href='https://welt.ltd/a'>welt.de</a> <a href='https://x-news.org/'>mehr: spiegel.ltd</a></p>",
        encoding="utf-8",
    )
    _, rows, _ = scan(capsys, str(f), "--format", "jsonl", "--all")
    # a one-word label is display text; a label in prose may name another link, which is kept
    assert [r["host"] for r in rows] == ["welt.ltd", "x-news.org", "spiegel.ltd"]
    assert "display-mismatch" in rows[0]["techniques"]


def test_csv_without_post_columns_still_pairs_link_and_final_link(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    f = tmp_path / "links.csv"
    f.write_text("Link,Final Link\nhttps://bit.ly/3xYz,https://welt.ltd/c\n", encoding="utf-8")
    _, rows, _ = scan(capsys, str(f), "--format", "jsonl", "--all")
    (row,) = rows
    assert row["url"] == "https://welt.ltd/c" and row["via"] == ["https://bit.ly/3xYz"]
    assert row["post"] is None
    assert any(e["kind"] == "export-resolution" for e in row["evidence"])


def test_csv_report_names_the_post_and_the_way(capsys: pytest.CaptureFixture[str]) -> None:
    import csv
    import io

    main(["scan", str(EXPORTS / "tweets.js"), "--format", "csv", "--no-blocklist", "--no-defang"])
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    first = rows[0]
    assert first["post_platform"] == "x" and first["post_id"] == "1745000000000000001"
    assert first["post_url"] == "https://x.com/i/status/1745000000000000001"
    assert first["post_created_at"] == "2024-01-10T12:00:00+00:00"
    assert first["via"] == "https://t.co/AbCdEfGh12"


def test_summary_counts_posts(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    summary = tmp_path / "summary.json"
    code = main(
        ["scan", str(EXPORTS / "tweets.js"), "-f", "jsonl", "--no-blocklist", "--summary", str(summary)]
    )
    _, err = capsys.readouterr()
    assert code == 1
    assert json.loads(summary.read_text(encoding="utf-8"))["posts"] == 3
    assert "3 post(s)" in err
    saved = tmp_path / "scan.jsonl"
    main(["scan", str(EXPORTS / "outbox.json"), "-f", "jsonl", "-o", str(saved), "--no-blocklist", "-q"])
    capsys.readouterr()
    main(["report", str(saved), "--format", "markdown"])
    assert "- **Posts**: 2" in capsys.readouterr().out


def test_odd_values_in_post_fields_do_not_stop_the_scan(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    f = tmp_path / "odd.json"
    doc = [
        {"id": None, "id_str": None, "type": []},
        {"name": "x", "type": ["a"], "id": 1, "messages": [{"id": 1, "type": "message", "text": "welt.ltd"}]},
        {"id": 2, "text": "spiegel.ltd", "text_entities": [], "date_unixtime": "99999999999999999999"},
    ]
    f.write_text(json.dumps(doc), encoding="utf-8")
    code, rows, _ = scan(capsys, str(f), "--format", "jsonl")
    assert code == 1
    assert [(r["host"], r["post"]["created_at"]) for r in rows] == [("welt.ltd", None), ("spiegel.ltd", None)]
