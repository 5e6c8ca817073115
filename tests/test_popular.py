"""The popular-domains list: the bundled snapshot, the loader, and ``update-popular`` against loopback."""

from __future__ import annotations

import gzip
import io
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from forensics_servers import serve_static

from linkguard import paths, popular
from linkguard.cli import main
from linkguard.limits import POPULAR_MIN_ENTRIES
from linkguard.normalize import suffix_extractor

#: 1,200 synthetic sites in CrUX's form (origins, rank buckets), plus subdomains that fold into them.
SITES = [f"site{n:04d}-zz.com" for n in range(1200)]
CRUX = "origin,rank\n" + "".join(
    f"https://www.{s},{1000 if n < 100 else 10000}\nhttps://m.{s},100000\n" for n, s in enumerate(SITES)
)
TRANCO = "".join(f"{n},{s}\n" for n, s in enumerate(SITES, 1))
BODIES: dict[str, bytes] = {
    "/crux.csv.gz": gzip.compress(CRUX.encode()),
    "/tranco.csv": TRANCO.encode(),
    "/tiny.csv": b"origin,rank\nhttps://www.example-one.com,1000\nhttps://example-two.org,1000\n",
    "/page.html": b"<!doctype html><html><body>" + b"<p>Not found.</p>\n" * 2000 + b"</body></html>",
    "/broken.gz": b"\x1f\x8b\x08\x00" + b"\x00" * 64,
}


@pytest.fixture()
def list_server() -> Iterator[str]:
    zipped = io.BytesIO()
    with zipfile.ZipFile(zipped, "w") as archive:
        archive.writestr("top-1m.csv", TRANCO)
    bodies = {**BODIES, "/tranco.zip": zipped.getvalue()}

    with serve_static(lambda path: (200, bodies[path]) if path in bodies else (404, b"missing")) as base:
        yield base


@pytest.fixture()
def isolated_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv(paths.CACHE_ENV, str(tmp_path))
    monkeypatch.delenv(popular.POPULAR_OVERRIDE_ENV, raising=False)
    popular.popular_list.cache_clear()
    yield tmp_path
    popular.popular_list.cache_clear()  # the next test reads the bundled snapshot again


def test_bundled_snapshot(isolated_cache: Path) -> None:
    bundled = popular.read_list(popular.bundled_file())
    assert len(bundled) >= 90_000
    assert int(bundled.meta["entries"]) == len(bundled)
    assert {"source", "licence", "date"} <= set(bundled.meta)
    for domain in ("google.com", "wikipedia.org", "bbc.co.uk", "spiegel.de"):
        assert domain in bundled, domain
    extract = suffix_extractor()  # the bundled PSL snapshot, private suffixes included, as links are split
    bad = [d for d in bundled.ranks if extract(d).top_domain_under_public_suffix != d]
    assert not bad[:20], "every entry is its own registrable domain"


def test_loader_uses_the_bundled_snapshot_until_updated(isolated_cache: Path) -> None:
    assert popular.popular_list().path == str(popular.bundled_file())
    assert popular.is_popular("wikipedia.org")
    assert popular.popular_rank("wikipedia.org") == 100000  # the snapshot is one top-100k bucket
    assert not popular.is_popular("spiegel.ltd")
    assert popular.popular_rank("spiegel.ltd") is None
    assert not (isolated_cache / popular.POPULAR_FILE).exists()


def test_parse_ranking_formats() -> None:
    entries, lines, usable = popular.parse_ranking(CRUX)
    assert (lines, usable) == (2401, 2400)  # the header line is read but holds no domain
    assert entries[:2] == [("site0000-zz.com", 1000), ("site0001-zz.com", 1000)]
    assert len(entries) == 1200 and dict(entries)["site0100-zz.com"] == 10000  # best rank of its origins
    assert popular.parse_ranking(TRANCO)[0][:2] == [("site0000-zz.com", 1), ("site0001-zz.com", 2)]
    majestic = "GlobalRank,TldRank,Domain,TLD\n1,1,www.google.com,com\n2,1,google.com,com\n3,1,bbc.co.uk,uk\n"
    assert popular.parse_ranking(majestic)[0] == [("google.com", 1), ("bbc.co.uk", 3)]
    assert popular.parse_ranking("domain\nb-site.org\na-site.org\n192.0.2.1\n")[0] == [
        ("b-site.org", 2),
        ("a-site.org", 3),
    ]


def test_update_popular_downloads_and_is_used(
    list_server: str, isolated_cache: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert not popular.is_popular("site0005-zz.com")
    assert main(["update-popular", "--url", f"{list_server}/crux.csv.gz"]) == 0
    assert "1200 popular domains saved" in capsys.readouterr().out
    saved = popular.read_list(isolated_cache / popular.POPULAR_FILE)
    assert len(saved) == 1200 and saved.meta["source"] == f"{list_server}/crux.csv.gz"
    assert popular.is_popular("site0005-zz.com") and popular.popular_rank("site0500-zz.com") == 10000
    assert not popular.is_popular("wikipedia.org")  # the refreshed list replaces the snapshot


@pytest.mark.parametrize("path", ["/tranco.csv", "/tranco.zip"])
def test_update_popular_reads_plain_and_zipped_lists(
    list_server: str, isolated_cache: Path, path: str
) -> None:
    assert main(["update-popular", "--url", list_server + path, "--limit", "1100"]) == 0
    assert popular.popular_rank("site0000-zz.com") == 1
    assert len(popular.popular_list()) == 1100


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/page.html", "did not return a top-sites list"),
        ("/tiny.csv", f"at least {POPULAR_MIN_ENTRIES} needed"),
        ("/broken.gz", "damaged gzip data"),
        ("/missing", "could not download"),
    ],
)
def test_update_popular_refuses_something_else_and_keeps_the_current_list(
    list_server: str, isolated_cache: Path, capsys: pytest.CaptureFixture[str], path: str, message: str
) -> None:
    assert main(["update-popular", "--url", f"{list_server}/crux.csv.gz"]) == 0
    saved = isolated_cache / popular.POPULAR_FILE
    before = saved.read_bytes()
    capsys.readouterr()
    assert main(["update-popular", "--url", list_server + path]) == 4
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert saved.read_bytes() == before
    assert popular.is_popular("site0005-zz.com")


def test_damaged_user_copy_falls_back_to_the_snapshot(isolated_cache: Path) -> None:
    (isolated_cache / popular.POPULAR_FILE).write_bytes(b"\x1f\x8b\x08\x00garbage")
    assert popular.popular_list().path == str(popular.bundled_file())


def test_override_file(isolated_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    mine = isolated_cache / "mine.txt"
    mine.write_text("# source: my own list\nexample-news.org\n\nother-site.org\n", encoding="utf-8")
    monkeypatch.setenv(popular.POPULAR_OVERRIDE_ENV, str(mine))
    popular.popular_list.cache_clear()
    assert popular.popular_rank("example-news.org") == 1 and popular.popular_rank("other-site.org") == 2
    assert popular.popular_list().meta["source"] == "my own list"


def test_buckets_round_trip(tmp_path: Path) -> None:
    """Bucketed rankings keep their buckets; exact rankings become positions among registrable domains."""
    path = tmp_path / "list.txt.gz"
    buckets = [("a-site.com", 1000), ("b-site.com", 1000), ("c-site.com", 10000), ("d-site.com", 10000)]
    path.write_bytes(popular.render_list(buckets, {"source": "test"}))
    assert popular.read_list(path).ranks == dict(buckets)
    path.write_bytes(popular.render_list([("a-site.com", 1), ("c-site.com", 3), ("d-site.com", 7)], {}))
    assert popular.read_list(path).ranks == {"a-site.com": 1, "c-site.com": 2, "d-site.com": 3}
    path.write_text("# bucket: 1000\nz-site.com\n# bucket: 10000\nz-site.com\ny-site.com\n", encoding="utf-8")
    assert popular.read_list(path).ranks == {"z-site.com": 1000, "y-site.com": 10000}  # the better rank wins
