"""A reader that closes the output early (``linkguard scan … | head``): the run ends quietly, exit
141 (128 + SIGPIPE), with nothing on stderr, whatever the format (XLSX included)."""

from __future__ import annotations

import fcntl
import os
import select
import subprocess
import sys
from pathlib import Path

import pytest

from linkguard.cli import main
from linkguard.cli.common import EXIT_OUTPUT_CLOSED

#: The smallest pipe Linux makes: the output is many times larger, so the writer must meet the closed end.
_PIPE_BYTES = 4096
LINKGUARD = [sys.executable, "-c", "import sys; from linkguard.cli import main; sys.exit(main())"]


def _dump(tmp_path: Path, links: int = 300) -> Path:
    path = tmp_path / "posts.txt"
    path.write_text(
        "".join(f"post {i}: https://welt.ltd/a{i:05d}-{i * 7919 % 100003}.html\n" for i in range(links)),
        encoding="utf-8",
    )
    return path


def _run_closed_early(*args: str) -> tuple[int, bytes, bytes]:
    """Run the CLI into a small pipe, read its first bytes, close the pipe: (exit, head, stderr)."""
    read_end, write_end = os.pipe()
    fcntl.fcntl(write_end, fcntl.F_SETPIPE_SZ, _PIPE_BYTES)
    with subprocess.Popen([*LINKGUARD, *args], stdout=write_end, stderr=subprocess.PIPE) as proc:
        os.close(write_end)
        try:
            if not select.select([read_end], [], [], 120)[0]:  # a hang fails the test, not the suite
                proc.kill()
                pytest.fail("no output in 120 s")
            head = os.read(read_end, 64)
        finally:
            os.close(read_end)
        _, err = proc.communicate(timeout=120)
    return proc.returncode, head, err


@pytest.mark.parametrize(
    ("fmt", "jobs", "start"),
    [("xlsx", "1", b"PK\x03\x04"), ("csv", "1", b"source,"), ("jsonl", "1", b'{"')],
)
def test_closed_stdout_ends_the_scan_quietly(tmp_path: Path, fmt: str, jobs: str, start: bytes) -> None:
    code, head, err = _run_closed_early(
        "scan", str(_dump(tmp_path)), "-f", fmt, "--all", "--no-blocklist", "-j", jobs, "--unit-bytes", "4096"
    )
    assert head.startswith(start)  # it wrote, the reader left
    assert err == b""  # no "Exception ignored … BrokenPipeError", no summary of a run cut short
    assert code == EXIT_OUTPUT_CLOSED == 141


def test_closed_stdout_ends_report_quietly_too(tmp_path: Path) -> None:
    saved = tmp_path / "scan.jsonl"
    assert main(["scan", str(_dump(tmp_path)), "--no-blocklist", "-q", "-o", str(saved)]) == 1
    code, head, err = _run_closed_early("report", str(saved), "-f", "csv")
    assert (code, head[:5], err) == (141, b"sourc", b"")
