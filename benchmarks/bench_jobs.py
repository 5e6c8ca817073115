#!/usr/bin/env python3
"""``linkguard scan --jobs 1`` next to ``--jobs 2`` on the same generated dump, with the ratio.

Prints, never asserts. The dump is bench_scan.py's (seeded German/English posts, one in ten with
a link), 200 MB by default; each run is a whole CLI process (start-up included, JSON Lines of
every link to a file), and the two outputs are compared byte for byte. The machine's load
average is printed before and after: on a shared machine other work takes cores from the runs,
and the ratio means little when the load is above the core count minus two.

    python benchmarks/bench_jobs.py                   # 200 MB, best of 3
    python benchmarks/bench_jobs.py --size-mb 50 --repeat 1 --jobs 4
"""

from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_scan import dump_path


def run(path: Path, jobs: int, out: Path) -> tuple[float, float]:
    """Wall seconds and CPU seconds (this process and its workers) of one ``scan --jobs``."""
    code = "import sys; from linkguard.cli import main; sys.exit(main())"
    args = ["scan", str(path), "--all", "--format", "jsonl", "-o", str(out), "-q", "--jobs", str(jobs)]
    before = os.times()
    t = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", code, *args], check=False, capture_output=True)
    wall = time.perf_counter() - t
    after = os.times()
    if proc.returncode not in (0, 1):
        raise SystemExit(proc.stderr.decode())
    cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
    return wall, cpu


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size-mb", type=int, default=200)
    ap.add_argument("--repeat", type=int, default=3, help="report the best of this many runs of each")
    ap.add_argument("--jobs", type=int, default=2, help="the parallel run's --jobs")
    ap.add_argument("--corpus", choices=("mixed", "de-dotted"), default="mixed")
    args = ap.parse_args()
    path = dump_path(args.corpus, args.size_mb)
    size = path.stat().st_size / 1e6
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(
        f"input: {size:.1f} MB ({args.corpus}), {cores} usable cores, load average {os.getloadavg()[0]:.2f}"
    )
    digests = {}
    best: dict[int, tuple[float, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(args.repeat):  # interleaved, so a burst of load hits both alike
            for jobs in (1, args.jobs):
                out = Path(tmp) / f"jobs-{jobs}.jsonl"
                wall, cpu = run(path, jobs, out)
                if jobs not in best or wall < best[jobs][0]:
                    best[jobs] = (wall, cpu)
                digests[jobs] = hashlib.sha256(out.read_bytes()).hexdigest()
    for jobs, (wall, cpu) in best.items():
        print(f"  --jobs {jobs}: {wall:6.2f} s  {size / wall:6.1f} MB/s  (CPU {cpu:6.2f} s)")
    ratio = best[1][0] / best[args.jobs][0]
    same = "same output" if digests[1] == digests[args.jobs] else "OUTPUT DIFFERS"
    print(f"  ratio --jobs {args.jobs} / --jobs 1: {ratio:.2f}x  ({same}; best of {args.repeat})")
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
