"""What a scan's start-up leaves out: tldextract and the HTTP stack it imports (the suffix data is
``linkguard.suffixes``' copy), and garbage collections over what lives until exit."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
from pathlib import Path

from linkguard import paths, suffixes
from linkguard.cli.common import SCAN_GC_THRESHOLD, gc_paused, gc_relaxed

_HEAVY = ("tldextract", "requests", "urllib3", "filelock")

#: Scans ``argv[1]`` and prints which of ``argv[2:]`` (top-level packages) were imported.
_LIBRARY_SCAN = """
import sys
from linkguard.scan import Scanner
findings = list(Scanner(use_blocklist=False).scan_file(sys.argv[1]))
assert len(findings) == 4, findings
print(sorted({m.split(".")[0] for m in sys.modules} & set(sys.argv[2:])))
"""
_CLI_SCAN = """
import sys
from linkguard.cli import main
code = main(["scan", "--no-blocklist", "--format", "jsonl", "--jobs", "1", "--all", "-q", sys.argv[1]])
print(sorted({m.split(".")[0] for m in sys.modules} & set(sys.argv[2:])), file=sys.stderr)
"""


def _run(code: str, listing: Path, cache: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, paths.CACHE_ENV: str(cache)}
    env.pop(suffixes.PSL_OVERRIDE_ENV, None)
    return subprocess.run(
        [sys.executable, "-c", code, str(listing), *_HEAVY],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )


def test_a_scan_does_not_import_tldextract(tmp_path: Path) -> None:
    listing = tmp_path / "domains.txt"
    listing.write_text("welt.de\nexample-shop.com\nxn--wlt-jma.de\nnews.blogspot.com\n", encoding="utf-8")
    cache = tmp_path / "cache"
    first = _run(_LIBRARY_SCAN, listing, cache)  # builds the index and the suffix data: tldextract
    assert first.returncode == 0, first.stderr
    assert "tldextract" in first.stdout
    again = _run(_LIBRARY_SCAN, listing, cache)
    assert again.returncode == 0, again.stderr
    assert again.stdout.strip() == "[]"
    cli = _run(_CLI_SCAN, listing, cache)  # the command, end to end
    assert cli.returncode == 0, cli.stderr
    assert cli.stderr.strip() == "[]"
    assert len(cli.stdout.splitlines()) == 4


def test_gc_paused_restores_the_collector_and_freezes_on_request() -> None:
    assert gc.isenabled()
    frozen = gc.get_freeze_count()
    with gc_paused():
        assert not gc.isenabled()
        kept = [[n] for n in range(1000)]  # containers: tracked, so a freeze counts them
    assert gc.isenabled()
    assert gc.get_freeze_count() == frozen
    gc.disable()
    try:
        with gc_paused(freeze=True):
            kept += [[n] for n in range(1000)]
        assert not gc.isenabled()  # left as it was found
        assert gc.get_freeze_count() >= frozen + 2000
    finally:
        gc.unfreeze()
        gc.enable()
    assert len(kept) == 2000


def test_gc_relaxed_raises_the_young_threshold_and_restores_it() -> None:
    """A scan collects its youngest generation less often; the thresholds are put back after,
    and a higher one already set is not lowered."""
    before = gc.get_threshold()
    try:
        gc.set_threshold(700, before[1], before[2])
        with gc_relaxed():
            assert gc.get_threshold() == (SCAN_GC_THRESHOLD, before[1], before[2])
        assert gc.get_threshold() == (700, before[1], before[2])
        gc.set_threshold(SCAN_GC_THRESHOLD * 2, before[1], before[2])
        with gc_relaxed():
            assert gc.get_threshold()[0] == SCAN_GC_THRESHOLD * 2
    finally:
        gc.set_threshold(*before)
