"""Running one ``linkguard scan`` with ``--jobs 1`` and with ``--jobs 2``, for tests that compare them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

LINKGUARD = ["-c", "import sys; from linkguard.cli import main; sys.exit(main())"]


def scan_with_one_and_two_jobs(
    *args: str | Path, unit_bytes: int, tmp_path: Path
) -> tuple[bytes, bytes, str]:
    """The outputs of both runs and the first run's summary; exit codes and summaries (stderr and
    ``--summary`` JSON) must already be equal, and no traceback may reach the user."""
    results = []
    for jobs in (1, 2):
        summary = tmp_path / f"summary-{jobs}.json"
        proc = subprocess.run(
            [sys.executable, *LINKGUARD, "scan", *map(str, args), "--unit-bytes", str(unit_bytes),
             "--jobs", str(jobs), "--summary", str(summary)],
            capture_output=True,
            check=False,
        )  # fmt: skip
        assert "Traceback" not in proc.stderr.decode()
        results.append((proc.returncode, proc.stdout, proc.stderr.decode(), summary.read_text()))
    one, two = results
    assert two[0] == one[0]  # exit code
    assert two[2] == one[2]  # the summary on stderr
    assert two[3] == one[3]  # --summary JSON
    return one[1], two[1], one[2]
