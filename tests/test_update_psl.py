"""``linkguard update-psl``: the suffix list is refreshed only on purpose, from a loopback server here."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from forensics_servers import serve_static

from linkguard import extract, normalize, paths, suffixes
from linkguard.cli import main

PSL = b"""// ===BEGIN ICANN DOMAINS===
de
com
ltd
// a suffix no real list has, to prove the refreshed list is the one in use
zz-test
// ===END ICANN DOMAINS===
"""


def _reset() -> None:
    suffixes.reset()
    normalize._split_host.cache_clear()
    normalize._plain_host.cache_clear()
    extract._tlds.cache_clear()
    extract._fix_host.cache_clear()


@pytest.fixture()
def psl_server() -> Iterator[str]:
    with serve_static(lambda path: (200, PSL if path == "/list.dat" else b"not a suffix list")) as base:
        yield base


@pytest.fixture()
def isolated_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv(paths.CACHE_ENV, str(tmp_path))
    monkeypatch.delenv(normalize.PSL_OVERRIDE_ENV, raising=False)
    _reset()
    yield tmp_path
    _reset()  # the next test splits with the bundled snapshot again (the env is restored first)


def test_bundled_snapshot_is_used_until_updated(isolated_cache: Path) -> None:
    assert normalize.parse_link("news.zz-test") is None  # unknown suffix in the bundled list
    assert not (isolated_cache / "public_suffix_list.dat").exists()


def test_update_psl_downloads_and_is_used(
    psl_server: str, isolated_cache: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["update-psl", "--url", f"{psl_server}/list.dat"]) == 0
    saved = isolated_cache / "public_suffix_list.dat"
    assert saved.read_bytes() == PSL
    assert "saved" in capsys.readouterr().out
    link = normalize.parse_link("news.zz-test")
    assert link is not None and link.registered_domain == "news.zz-test"


def test_update_psl_refuses_something_else(
    psl_server: str, isolated_cache: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["update-psl", "--url", f"{psl_server}/other"]) == 4
    assert "did not return a Public Suffix List" in capsys.readouterr().err
    assert not (isolated_cache / "public_suffix_list.dat").exists()
