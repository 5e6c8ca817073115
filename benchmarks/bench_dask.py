#!/usr/bin/env python3
"""``scan --jobs 1`` vs ``--jobs 2`` vs a 2-worker local Dask cluster on the same generated dump.

Prints, never asserts. The dump is ``bench_scan.py``'s (seeded prose with ~10 % links). Every run
is a whole ``linkguard scan --all`` in a fresh process, start-up included, output to /dev/null;
the cluster runs are timed with the cluster already up and its workers warm (they have built the
detector once, as a long-lived cluster has), once gathering every finding to the client (stdout)
and once with the workers writing JSON Lines parts (``-o DIR/``). ``--jobs`` is used when this
install has it; otherwise the local row is the single-process scan.

    python benchmarks/bench_dask.py                       # 200 MB, plus 5 and 25 MB for the overhead
    python benchmarks/bench_dask.py --size-mb 50 --small-mb 5
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_scan import DATA, generate  # noqa: E402

MAIN = "import sys; from linkguard.cli import main; sys.exit(main())"


def timed(args: list[str], repeat: int, python: str = sys.executable) -> float:
    """Best of ``repeat`` wall-clock seconds of one CLI run (noise on a shared machine only adds)."""
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        cmd = [python, "-c", MAIN, *args]
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        best = min(best, time.perf_counter() - t)
    return best


def has_jobs(python: str) -> bool:
    cmd = [python, "-c", MAIN, "scan", "--help"]
    return "--jobs" in subprocess.run(cmd, capture_output=True, text=True, check=False).stdout


def cell(base: float, secs: float | None, width: int) -> str:
    """``secs`` and its speed-up over ``base``."""
    if secs is None:
        return f"{'–':>{width}}"
    return f"{secs:6.2f} s {base / secs:4.2f}×".rjust(width)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size-mb", type=int, default=200)
    ap.add_argument(
        "--small-mb", type=int, nargs="*", default=[5, 25], help="smaller dumps, for the overhead"
    )
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument(
        "--jobs-python",
        default=sys.executable,
        help="interpreter for the local runs (one whose linkguard has --jobs, if this one has not)",
    )
    args = ap.parse_args()
    from distributed import Client, LocalCluster

    jobs, local_py = has_jobs(args.jobs_python), args.jobs_python
    sizes = sorted({*args.small_mb, args.size_mb})
    dumps = []
    for mb in sizes:
        path = DATA / f"dump-{mb}mb.txt"
        if not path.exists():
            print(f"generating {path} ({mb} MB)…", file=sys.stderr)
            generate(path, mb)
        dumps.append(path)
    common = ["--all", "-f", "jsonl", "-q"]
    out_dir = Path(tempfile.mkdtemp(prefix="lg-bench-parts-"))
    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=":0"
        ) as cluster,
        Client(cluster) as client,
    ):
        address = cluster.scheduler_address
        timed(["scan", "--dask", address, str(dumps[0]), *common, "-o", "/dev/null"], 1)  # warm the workers
        print(f"2 workers × 1 thread on {address}; best of {args.repeat}; start-up included")
        local_name = "--jobs 1" if jobs else "local (1 process)"
        header = (
            f"{'input':>8}  {local_name:>18}  {'--jobs 2':>10}  {'dask → stdout':>14}  {'dask → DIR/':>12}"
        )
        print(header)
        for path in dumps:
            mb = path.stat().st_size / 1e6
            local = ["scan", str(path), *common, "-o", "/dev/null"]
            one = timed([*local, *(["--jobs", "1"] if jobs else [])], args.repeat, local_py)
            two = timed([*local, "--jobs", "2"], args.repeat, local_py) if jobs else None
            gathered = timed(["scan", "--dask", address, str(path), *common, "-o", "/dev/null"], args.repeat)
            parts = timed(["scan", "--dask", address, str(path), *common, "-o", f"{out_dir}/"], args.repeat)
            shutil.rmtree(out_dir, ignore_errors=True)

            print(
                f"{mb:6.0f}MB  {one:8.2f} s {mb / one:5.1f} MB/s  {cell(one, two, 10)}  "
                f"{cell(one, gathered, 14)}  {cell(one, parts, 12)}"
            )
        del client
    print("× = speed relative to the single-process run of the same input (higher is faster)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
