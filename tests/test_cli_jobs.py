"""``linkguard scan --jobs N`` writes what ``--jobs 1`` writes, byte for byte, in every format.

Each run is a fresh ``linkguard`` process (worker processes are forked from it, as in real use),
on generated inputs cut into small units (the hidden ``--unit-bytes``), so that a few MB make
many units: text and JSON Lines ranges, batches of small files, compressed files, a directory
of mixed inputs with unreadable entries.
"""

from __future__ import annotations

import bz2
import gzip
import json
import os
import random
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from jobs_runs import LINKGUARD, scan_with_one_and_two_jobs

from linkguard.lookalike import load_detector
from linkguard.parallel import ParallelScan
from linkguard.report import FORMATS

UNIT = str(256 << 10)
PROSE = "die der und z.B. Dr.Müller 3.5 12.30 Uhr … e.g.".split() + "Krieg Regierung nicht".split() * 8
LINKS = (
    "welt.ltd/politik/{n} https://www.welt.de/a/{n} hxxps://faz[.]news/x{n} t.co/AbC{n} 𝐰𝐞𝐥𝐭.𝐥𝐭𝐝 "
    "https://spiegel.agency/{n} tagesschau.de/inland/{n} https://example-{n}.com/s"
).split()


def _post(rng: random.Random) -> str:
    words = [rng.choice(PROSE) for _ in range(rng.randint(3, 25))]
    if rng.random() < 0.3:
        words.insert(rng.randrange(len(words)), rng.choice(LINKS).format(n=rng.randint(1, 999)))
    return " ".join(words)


def _text(rng: random.Random, size: int) -> bytes:
    out, total = [], 0
    while total < size:
        line = (_post(rng) + "\n").encode()
        out.append(line)
        total += len(line)
    return b"".join(out)


def _jsonl(rng: random.Random, size: int) -> bytes:
    out, total, i = [], 0, 0
    while total < size:
        i += 1
        line = json.dumps({"id": str(i), "text": _post(rng)}, ensure_ascii=False).encode() + b"\n"
        out.append(line)
        total += len(line)
    return b"".join(out)


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    rng = random.Random(13)
    root = tmp_path_factory.mktemp("jobs")
    (root / "dump.txt").write_bytes(_text(rng, (2 << 20) + 300_000))  # text ranges: blocks are 1 MB
    (root / "posts.jsonl").write_bytes(_jsonl(rng, 1 << 20))  # JSON Lines ranges
    mixed = root / "mixed"
    (mixed / "sub").mkdir(parents=True)
    for i in range(30):  # small files, batched
        (mixed / f"note-{i:02}.txt").write_bytes(_text(rng, 10_000))
    (mixed / "a.txt.gz").write_bytes(gzip.compress(_text(rng, 150_000)))
    (mixed / "b.jsonl.bz2").write_bytes(bz2.compress(_jsonl(rng, 150_000)))
    (mixed / "c.csv").write_text("id,text\n" + "".join(f"{i},{_post(rng)}\n" for i in range(1000)))
    (mixed / "d.html").write_text("<html><body>" + "".join(f"<p>{_post(rng)}</p>" for i in range(1000)))
    (mixed / "sub" / "e.jsonl").write_bytes(_jsonl(rng, 600_000))  # ranges
    (mixed / "sub" / "f.bin").write_bytes(bytes(range(256)) * 64)
    (mixed / "sub" / "g.txt").write_bytes(b"bad \xff bytes welt.ltd\n" + _text(rng, 300_000))
    (mixed / "zz-dangling.txt").symlink_to(mixed / "missing")
    compressed = root / "compressed"
    compressed.mkdir()
    for name in ("one", "two", "three"):
        (compressed / f"{name}.txt.gz").write_bytes(gzip.compress(_text(rng, 200_000)))
    return root


def _both(*args: str | Path, tmp_path: Path) -> tuple[bytes, bytes, str]:
    return scan_with_one_and_two_jobs(*args, unit_bytes=int(UNIT), tmp_path=tmp_path)


TARGETS = ["dump.txt", "posts.jsonl", "mixed", "compressed"]


@pytest.mark.parametrize("target", TARGETS)
def test_these_inputs_do_run_on_workers(inputs: Path, target: str) -> None:
    run = ParallelScan([inputs / target], jobs=2, unit_bytes=int(UNIT))
    assert run.parallel
    kinds = {u.kind for t in run._ahead if isinstance(t, list) for u in t}
    assert kinds == {"dump.txt": {"text"}, "posts.jsonl": {"jsonl"}}.get(target, {"whole"})


def test_one_job_or_one_unit_of_work_runs_in_this_process(inputs: Path) -> None:
    assert not ParallelScan([inputs / "dump.txt"], jobs=1, unit_bytes=int(UNIT)).parallel
    assert not ParallelScan([inputs / "mixed" / "c.csv"], jobs=2, unit_bytes=int(UNIT)).parallel


@pytest.mark.parametrize("target", TARGETS)
def test_jobs_write_the_same_jsonl_and_summary(inputs: Path, tmp_path: Path, target: str) -> None:
    one, two, summary = _both(inputs / target, "--all", "--format", "jsonl", tmp_path=tmp_path)
    assert two == one
    assert one.count(b"\n") > 100
    if target == "mixed":
        assert "binary" in summary and "unreadable-path" in summary and "invalid-utf-8-replaced" in summary


#: What differs between any two runs, --jobs or not: the report time and what is derived from it.
_RUN_TIME = re.compile(
    rb"Generated [0-9-]+ [0-9:]+ UTC|\d{4}-\d\d-\d\dT[0-9:.]+Z|--[0-9a-f-]{36}"
    rb'|"uuid": "[0-9a-f-]{36}"|"timestamp": "\d+"'  # MISP: ids and the event time are of the run
)


# JSON Lines: above; XLSX is a zip whose entries carry the time they were written
@pytest.mark.parametrize("fmt", [f for f in FORMATS if f not in ("jsonl", "xlsx")])
def test_every_report_format_is_the_same_with_jobs(inputs: Path, tmp_path: Path, fmt: str) -> None:
    one, two, _ = _both(inputs / "mixed", "--format", fmt, tmp_path=tmp_path)
    assert _RUN_TIME.sub(b"<time>", two) == _RUN_TIME.sub(b"<time>", one)
    assert len(one) > 1000


def test_ctrl_c_stops_a_parallel_scan_cleanly(tmp_path: Path) -> None:
    rng = random.Random(5)
    big = tmp_path / "big.txt"
    chunk = _text(rng, 1 << 20)
    with big.open("wb") as fh:
        for _ in range(40):
            fh.write(chunk)
    out = tmp_path / "out.jsonl"
    proc = subprocess.Popen(
        [sys.executable, *LINKGUARD, "scan", str(big), "--all", "--format", "jsonl", "-o", str(out),
         "--jobs", "2", "--unit-bytes", str(1 << 20)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,  # its own process group, as a shell gives a foreground job
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while not (out.exists() and out.stat().st_size > 0):  # under way: findings are written
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline
            time.sleep(0.05)
        os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C: the whole foreground group gets it
        _, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 130
    assert err.decode().strip() in ("Aborted.", "Interrupted.")  # and no traceback from any process
    time.sleep(0.2)
    with pytest.raises(ProcessLookupError):  # no worker left behind in the group
        os.killpg(proc.pid, 0)


_LIBRARY_RUN = """
import json, sys
from linkguard.parallel import ParallelScan
from linkguard.scan import Scanner
read = []
scanner = Scanner(on_read=read.append)
with ParallelScan(sys.argv[2:], jobs=2, unit_bytes=256 << 10) as run:
    assert run.parallel
    run.start(scanner.detector, start_method=sys.argv[1])
    found = [f.to_dict() for f in run.findings(scanner)]
sequential = Scanner(detector=scanner.detector)
assert found == [f.to_dict() for f in sequential.scan_paths(sys.argv[2:])]
assert scanner.stats == sequential.stats
stats = scanner.stats
print(json.dumps({"read": sum(read), "calls": len(read), "bytes": stats.bytes_read, "links": len(found)}))
"""


@pytest.mark.parametrize("start_method", ["fork", "spawn"])  # spawn: how macOS and Windows start them
def test_the_library_run_counts_every_byte_and_finds_what_a_sequential_scan_does(
    inputs: Path, start_method: str
) -> None:
    # in a fresh process: forking the test process (which may run server threads) is not wanted
    targets = [inputs / "dump.txt", inputs / "compressed"]
    proc = subprocess.run(
        [sys.executable, "-c", _LIBRARY_RUN, start_method, *map(str, targets)],
        capture_output=True,
        check=True,
        text=True,
    )
    got = json.loads(proc.stdout)
    on_disk = (inputs / "dump.txt").stat().st_size + sum(
        p.stat().st_size for p in (inputs / "compressed").iterdir()
    )
    assert got["read"] == got["bytes"] == on_disk
    assert got["calls"] > 3 and got["links"] > 100


def test_a_worker_spools_a_large_units_findings_and_they_come_back_whole(
    inputs: Path, tmp_path: Path
) -> None:
    from linkguard import parallel
    from linkguard.partition import plan, scan_unit

    units = [u for u in plan([inputs / "compressed" / "one.txt.gz"]) if isinstance(u, parallel.Unit)]
    scanner = parallel.worker_scanner(parallel.WorkerSetup(load_detector(), True))
    try:
        ((spool, counts),) = parallel._scan_task(units, str(tmp_path), keep=10)
        expected = scan_unit(scanner, units[0])
        assert isinstance(spool, str) and Path(spool).parent == tmp_path  # in the run's directory
        assert [f.to_dict() for f in parallel._spooled(spool)] == [f.to_dict() for f in expected.findings]
        assert not Path(spool).exists()  # read once, then removed
        assert counts == expected.counts and counts.links > 10
    finally:
        parallel._WORKER = None


@pytest.mark.parametrize("into", ["file", "text"])  # copied in the kernel, or a block at a time
def test_a_worker_writes_its_json_lines_to_a_part_that_is_copied_whole(
    inputs: Path, tmp_path: Path, into: str
) -> None:
    import io

    from linkguard import parallel
    from linkguard.partition import plan, scan_unit
    from linkguard.report import ReportOptions
    from linkguard.report.jsonl import JsonlReporter

    units = [u for u in plan([inputs / "compressed"]) if isinstance(u, parallel.Unit)]
    scanner = parallel.worker_scanner(parallel.WorkerSetup(load_detector(), False))
    try:
        options = ReportOptions(show_all=True)
        part, per_unit = parallel._encode_task(units, options, str(tmp_path))
        direct = io.StringIO()
        reporter = JsonlReporter(direct, show_all=True)
        expected = [scan_unit(scanner, unit) for unit in units]
        for result in expected:
            for finding in result.findings:
                reporter.add(finding)
        assert Path(part).parent == tmp_path
        assert [counts for _, _, counts in per_unit] == [result.counts for result in expected]
        written, flagged = sum(u[0] for u in per_unit), sum(u[1] for u in per_unit)
        assert (written, flagged) == (reporter.written, reporter.flagged_written) and written > 10
        out = tmp_path / "out.jsonl"
        with out.open("w", encoding="utf-8", newline="") as fh:
            copied: io.StringIO | None = io.StringIO() if into == "text" else None
            writer = JsonlReporter(copied or fh, show_all=True)
            writer.add(expected[0].findings[0])  # what the writer holds goes first
            writer.add_encoded_file(part, written, flagged)
            writer.add(expected[0].findings[0])  # and what comes after, after
        got = copied.getvalue() if copied is not None else out.read_text(encoding="utf-8")
        first = direct.getvalue().split("\n", 1)[0] + "\n"
        assert got == first + direct.getvalue() + first
        assert writer.written == written + 2
    finally:
        parallel._WORKER = None


def test_a_run_leaves_no_part_files_behind(inputs: Path, tmp_path: Path) -> None:
    env = {**os.environ, "TMPDIR": str(tmp_path)}
    proc = subprocess.run(
        [sys.executable, *LINKGUARD, "scan", str(inputs / "mixed"), "--all", "--format", "jsonl",
         "-o", str(tmp_path / "out.jsonl"), "--jobs", "2", "--unit-bytes", UNIT],
        capture_output=True, check=False, env=env,
    )  # fmt: skip
    assert proc.returncode in (0, 1), proc.stderr.decode()
    assert (tmp_path / "out.jsonl").stat().st_size > 1000
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.jsonl"]


def test_sigterm_outside_a_task_waits_for_the_next_task(monkeypatch: pytest.MonkeyPatch) -> None:
    """A worker stopped while in the executor's own code (reading a call, sending a result through
    a shared pipe) must not unwind there: half a message left in the pipe made the next reader
    fail with EOFError or hung the pool. The stop takes effect when the next task starts."""
    from linkguard import parallel

    monkeypatch.setattr(parallel, "_stopping", False)
    monkeypatch.setattr(parallel, "_in_task", False)
    parallel._stop(signal.SIGTERM, None)  # outside a task: no exception
    assert parallel._stopping
    with pytest.raises(SystemExit) as stopped, parallel._stoppable():
        pass
    assert stopped.value.code == 128 + signal.SIGTERM


def test_sigterm_inside_a_task_unwinds_it(monkeypatch: pytest.MonkeyPatch) -> None:
    from linkguard import parallel

    monkeypatch.setattr(parallel, "_stopping", False)
    monkeypatch.setattr(parallel, "_in_task", False)
    with pytest.raises(SystemExit), parallel._stoppable():
        parallel._stop(signal.SIGTERM, None)
    assert not parallel._in_task
