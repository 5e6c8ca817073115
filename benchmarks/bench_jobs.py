#!/usr/bin/env python3
"""``linkguard scan --jobs 1`` next to ``--jobs 2`` on the same generated dump, with the ratio.

Prints, never asserts. The dump is bench_scan.py's (seeded German/English posts, one in ten with
a link), 200 MB by default; each run is a whole CLI process (start-up included, JSON Lines of
every link to a file), and the two outputs are compared byte for byte. With each run: the CPU
time of the main process and of its workers, and the load average. On a shared machine the
wall-clock ratio means little: Linux's autogroup scheduling (``/proc/sys/kernel/sched_autogroup_enabled``)
shares the cores between sessions, not processes, so once other sessions keep the cores busy a
run's workers split its one share and ``--jobs 2`` runs no faster than ``--jobs 1``. The CPU times
hold up better (contention only adds to them: the least of the repeats is taken); from them and the
start-up's CPU (a scan of an empty file), a model gives the wall time of ``--jobs N`` on N idle
cores: start-up alone, then everything else spread evenly.

    python benchmarks/bench_jobs.py                   # 200 MB, best of 3
    python benchmarks/bench_jobs.py --size-mb 50 --repeat 1 --jobs 4
    python benchmarks/bench_jobs.py --input /tmp/tweets.js   # make_tweets_js.py /tmp/tweets.js --size-mb 100
    python benchmarks/bench_jobs.py --repeat 2 --baseline ../base/.venv/bin/python   # side by side
"""

from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_scan import dump_path

#: The CLI, reporting its own CPU time and its workers' (reaped at the end) on stderr's last line.
_CODE = """
import atexit, os, resource, sys
def _cpu():
    own, workers = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (own.ru_utime + own.ru_stime, workers.ru_utime + workers.ru_stime)
    os.write(2, b"\\nbench-cpu %f %f\\n" % cpu)
atexit.register(_cpu)
from linkguard.cli import main
sys.exit(main())
"""


@dataclass
class Run:
    wall: float
    main_cpu: float  # the process the user started: planning, copying the workers' parts
    workers_cpu: float
    load: float  # the load average when it ended


def run(
    path: Path,
    jobs: int | None,
    out: Path,
    pycache: Path,
    python: str = sys.executable,
    options: list[str] | None = None,
) -> Run:
    """Wall seconds and CPU seconds (the main process, its workers) of one ``scan --jobs``
    (``None``: the default), with ``options`` (default: every link as JSON Lines).

    Byte code is cached (in ``pycache``, outside the source tree), as an installed package has it:
    with ``PYTHONDONTWRITEBYTECODE`` set, every run would compile linkguard's sources again, a
    tenth of a second of start-up no user pays.
    """
    args = ["scan", str(path), *(options or ["--all", "--format", "jsonl"]), "-o", str(out), "-q"]
    args += ["--jobs", str(jobs)] if jobs is not None else []
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(pycache)
    t = time.perf_counter()
    # -P: linkguard from ``python``'s install, never from the current directory (another checkout)
    proc = subprocess.run([python, "-P", "-c", _CODE, *args], check=False, capture_output=True, env=env)
    wall = time.perf_counter() - t
    if proc.returncode not in (0, 1):
        raise SystemExit(proc.stderr.decode())
    _, main_cpu, workers_cpu = proc.stderr.decode().strip().splitlines()[-1].split()
    return Run(wall, float(main_cpu), float(workers_cpu), os.getloadavg()[0])


def modelled_wall(startup: float, main_cpu: float, total_cpu: float, cores: int) -> float:
    """The wall time of a run on ``cores`` idle cores: its start-up alone, then the rest of the CPU
    of all its processes spread evenly, but no faster than its main process alone."""
    return max(main_cpu, startup + (total_cpu - startup) / cores)


def report(runs: dict[int, list[Run]], jobs: int, repeat: int, size: float) -> None:
    """The best wall times, their ratio, the CPU split and the model's ratio for one interpreter."""
    best = {j: min(runs[j], key=lambda r: r.wall) for j in (1, jobs)}
    for j, r in best.items():
        print(
            f"  --jobs {j}: {r.wall:6.2f} s  {size / r.wall:6.1f} MB/s  CPU: main {r.main_cpu:5.2f} s, "
            f"workers {r.workers_cpu:5.2f} s, total {r.main_cpu + r.workers_cpu:5.2f} s  (load {r.load:.2f})"
        )
    print(f"  ratio --jobs {jobs} / --jobs 1: {best[1].wall / best[jobs].wall:.2f}x  (best of {repeat})")
    # The model: start-up (the CPU of a scan of an empty file) runs alone, the rest of the CPU of
    # all processes is spread evenly over the cores, but no faster than the main process alone
    # (an input that is one unit of work is scanned there); on idle cores the wall time would be
    # this. The least CPU of the repeats: contention only ever adds to it.
    startup = min(r.main_cpu for r in runs[0])
    one = min(r.main_cpu for r in runs[1])
    many = min(r.main_cpu + r.workers_cpu for r in runs[jobs])
    main_cpu = min(r.main_cpu for r in runs[jobs])
    modelled = modelled_wall(startup, main_cpu, many, jobs)
    print(
        f"  least CPU of {repeat}: start-up alone {startup:.2f} s, --jobs 1 {one:.2f} s, --jobs "
        f"{jobs} {many:.2f} s (main process {main_cpu:.2f} s); on {jobs} idle cores --jobs "
        f"{jobs} would take about {modelled:.2f} s: {one / modelled:.2f}x"
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size-mb", type=int, default=200)
    ap.add_argument("--repeat", type=int, default=3, help="report the best of this many runs of each")
    ap.add_argument("--jobs", type=int, default=2, help="the parallel run's --jobs")
    ap.add_argument("--corpus", choices=("mixed", "de-dotted"), default="mixed")
    ap.add_argument("--input", type=Path, help="scan this file instead (a tweets.js from make_tweets_js.py)")
    ap.add_argument("--baseline", metavar="PYTHON", help="another checkout's interpreter, run interleaved")
    args = ap.parse_args()
    path = args.input or dump_path(args.corpus, args.size_mb)
    size = path.stat().st_size / 1e6
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    what = path.name if args.input else args.corpus
    print(f"input: {size:.1f} MB ({what}), {cores} usable cores, load average {os.getloadavg()[0]:.2f}")
    pythons = {"this": sys.executable} | ({"baseline": args.baseline} if args.baseline else {})
    digests: dict[tuple[str, int], str] = {}
    runs = {name: {0: [], 1: [], args.jobs: []} for name in pythons}  # 0: an empty file, start-up only
    with tempfile.TemporaryDirectory() as tmp:
        empty = Path(tmp) / "empty.txt"
        empty.touch()
        for name, python in pythons.items():  # compiles the byte code once
            run(empty, 1, Path(tmp) / "empty.jsonl", Path(tmp) / f"pycache-{name}", python)
        for _ in range(args.repeat):  # interleaved, so a burst of load hits both alike
            for name, python in pythons.items():
                pycache = Path(tmp) / f"pycache-{name}"
                runs[name][0].append(run(empty, 1, Path(tmp) / "empty.jsonl", pycache, python))
                for jobs in (1, args.jobs):
                    out = Path(tmp) / f"jobs-{jobs}.jsonl"
                    runs[name][jobs].append(run(path, jobs, out, pycache, python))
                    digests[name, jobs] = hashlib.sha256(out.read_bytes()).hexdigest()
    for name in pythons:
        if len(pythons) > 1:
            print(f"{name} ({pythons[name]}):")
        report(runs[name], args.jobs, args.repeat, size)
    same = "same output" if len(set(digests.values())) == 1 else "OUTPUT DIFFERS"
    print(f"{same} ({', '.join(f'{n} --jobs {j}' for n, j in digests)})")
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
