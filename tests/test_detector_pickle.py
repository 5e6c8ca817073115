"""A Detector (and a RuleSet) sent to another process: same verdicts, and the index is not rebuilt.

``scan --jobs N`` and the Dask mode hand a Detector to worker processes; each worker must find the
index the parent loaded (by the disk cache's key) instead of indexing every outlet again.
"""

from __future__ import annotations

import multiprocessing
import pickle
from pathlib import Path
from typing import Any

import pytest

from linkguard import load_detector, paths
from linkguard.lookalike import Detector
from linkguard.lookalike import cache as lgcache
from linkguard.rules import RuleSet, load_rules

RULES = """
[[outlet]]
name = "Die Welt"
domains = ["welt.de", "welt.at"]
brands = ["die welt"]
country = "DE"

[[outlet]]
name = "BBC"
domains = ["bbc.co.uk", "bbc.com"]

[[legit]]
domain = "weltbild.de"
note = "a book shop"

[[blocked]]
domain = "welt.ltd"
source = "test"
imitates = "welt.de"

[[shortener]]
domain = "bbc.in"
owner = "BBC"
"""

DOMAINS = [
    "welt.de",
    "welt.ltd",
    "wlet.de",
    "welt-nachrichten.info",
    "wеlt.de",
    "bbc.in",
    "bbbc.com",
    "x.org",
]


@pytest.fixture
def rules_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(paths.CACHE_ENV, str(tmp_path / "cache"))  # inherited by spawned workers
    monkeypatch.setattr(lgcache, "_LOADED", {})
    path = tmp_path / "rules.toml"
    path.write_text(RULES, encoding="utf-8")
    return path


def _verdicts(detector: Detector) -> list[dict[str, Any]]:
    return [detector.classify_domain(d).to_dict() for d in DOMAINS]


def _in_worker(blob: bytes) -> tuple[list[dict[str, Any]], str, bool]:
    """Runs in a fresh spawn process: unpickle, classify, say where the index came from."""
    detector = pickle.loads(blob)
    return _verdicts(detector), detector.index.origin, detector.use_blocklist


def _run_in_spawned_process(blob: bytes) -> tuple[list[dict[str, Any]], str, bool]:
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        return pool.apply(_in_worker, (blob,))


def test_pickled_detector_in_a_spawned_process_reads_the_cached_index(rules_file: Path) -> None:
    detector = load_detector([rules_file], use_blocklist=False)
    assert detector.index.origin == "built" and detector.index.cache_key  # built once, stored on disk
    blob = pickle.dumps(detector)
    assert len(blob) < 2_000  # the cache key and the rule files' names, not the index
    verdicts, origin, use_blocklist = _run_in_spawned_process(blob)
    assert origin == "cache"  # read from the disk cache, not rebuilt
    assert verdicts == _verdicts(detector)
    assert use_blocklist is False
    assert verdicts[1]["verdict"] == "suspicious"  # welt.ltd judged by name alone, as in the parent


def test_detector_without_a_cached_index_pickles_its_index(rules_file: Path) -> None:
    detector = load_detector(load_rules([rules_file]))  # rules loaded without the cache: no key
    assert not detector.index.cache_key
    verdicts, origin, _ = _run_in_spawned_process(pickle.dumps(detector))
    assert origin == "payload"  # restored from the pickled index, not rebuilt
    assert verdicts == _verdicts(detector)


def test_pickled_detector_rebuilds_from_its_rule_files_when_the_cache_file_is_gone(rules_file: Path) -> None:
    detector = load_detector([rules_file])
    blob = pickle.dumps(detector)
    lgcache._LOADED.clear()
    for path in (rules_file.parent / "cache").glob("index-*.bin"):
        path.unlink()
    again = pickle.loads(blob)
    assert again.index.origin == "built"
    assert _verdicts(again) == _verdicts(detector)


def test_pickled_detector_refuses_rules_changed_since(rules_file: Path) -> None:
    from linkguard.errors import RulesError

    blob = pickle.dumps(load_detector([rules_file]))
    lgcache._LOADED.clear()
    for path in (rules_file.parent / "cache").glob("index-*.bin"):
        path.unlink()
    rules_file.write_text(RULES.replace("bbc.in", "bbc.to"), encoding="utf-8")
    with pytest.raises(RulesError, match="rule files changed"):
        pickle.loads(blob)


def test_ruleset_pickles_as_plain_rows_and_finds_its_index(rules_file: Path) -> None:
    detector = load_detector([rules_file])
    copy = pickle.loads(pickle.dumps(detector.rules))
    assert isinstance(copy, RuleSet) and copy == detector.rules and copy is not detector.rules
    assert copy.cache_key == detector.rules.cache_key and copy.files == detector.rules.files
    lgcache._LOADED.clear()  # as in another process
    index = Detector(copy).index
    assert index.origin == "cache"
    assert _verdicts(Detector(copy)) == _verdicts(detector)


def test_load_detector_reuses_the_index_of_cached_rules(rules_file: Path) -> None:
    first = load_detector([rules_file])
    assert load_detector(first.rules).index is first.index
    assert load_detector([rules_file], use_blocklist=False).index is first.index
    fresh = load_detector(load_rules([rules_file]))
    assert fresh.index is not first.index and fresh.index.origin == "built"
    assert _verdicts(fresh) == _verdicts(first)


def test_detector_pickles_its_index_when_the_cache_dir_cannot_be_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory", encoding="utf-8")
    monkeypatch.setenv(paths.CACHE_ENV, str(blocker / "cache"))
    monkeypatch.setattr(lgcache, "_LOADED", {})
    rules = tmp_path / "rules.toml"
    rules.write_text(RULES, encoding="utf-8")
    detector = load_detector([rules])
    assert not detector.index.cache_key  # nothing on disk for a worker to read
    lgcache._LOADED.clear()
    again = pickle.loads(pickle.dumps(detector))
    assert again.index.origin == "payload"
    assert _verdicts(again) == _verdicts(detector)
