#!/usr/bin/env python3
"""Structured input next to plain text: ``linkguard scan`` on an X archive ``tweets.js`` and on the
same posts as JSON Lines, each also read as plain text (``--input-format text``), in one run.

Prints, never asserts: MB/s (wall and CPU time, start-up included), peak RSS, and the ratio of each
structured read to the same bytes read as text. CPU time is the fairer figure on a shared machine;
it counts every process of the run (``--jobs`` workers too), and peak RSS is the largest of them.

    python benchmarks/bench_structured.py                # ~100 MB each, one process (--jobs 1)
    python benchmarks/bench_structured.py --size-mb 20   # quicker
    python benchmarks/bench_structured.py --jobs 0       # scan's default (--jobs: the usable cores)
    python benchmarks/bench_structured.py --baseline OTHER_PYTHON   # before/after, interleaved

The files are generated once (seeded, so every run scans the same bytes) under benchmarks/data/.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from make_tweets_js import tweet  # noqa: E402

DATA = HERE / "data"


def generate(size_mb: float) -> tuple[Path, Path]:
    """``tweets.js`` (indented, as X writes it) and the same tweets as JSON Lines."""
    js, jsonl = DATA / f"tweets-{size_mb:g}mb.js", DATA / f"tweets-{size_mb:g}mb.jsonl"
    if js.exists() and jsonl.exists():
        return js, jsonl
    DATA.mkdir(parents=True, exist_ok=True)
    rng, limit = random.Random(11), int(size_mb * (1 << 20))
    with js.open("w", encoding="utf-8") as out_js, jsonl.open("w", encoding="utf-8") as out_jsonl:
        out_js.write("window.YTD.tweets.part0 = [")
        written, n = 0, 0
        while written < limit:
            post = tweet(rng, n)
            chunk = ("," if n else "") + "\n  " + json.dumps(post, indent=2, ensure_ascii=False)
            out_js.write(chunk)
            out_jsonl.write(json.dumps(post["tweet"], ensure_ascii=False) + "\n")
            written += len(chunk.encode("utf-8"))
            n += 1
        out_js.write("\n]\n")
    return js, jsonl


def run(python: str, path: Path, input_format: str | None, jobs: int) -> tuple[float, float, int, int]:
    """Wall seconds, CPU seconds, links and peak RSS (KiB) of one ``linkguard scan`` in a fresh process."""
    summary = Path(str(path) + ".summary.json")
    args = [
        "scan",
        str(path),
        "--all",
        "--format",
        "jsonl",
        "-o",
        os.devnull,
        "-q",
        "--summary",
        str(summary),
    ]
    if input_format:
        args += ["--input-format", input_format]
    if jobs:
        args += ["--jobs", str(jobs)]
    code = (
        "import resource, sys\n"
        "from linkguard.cli import main\n"
        "try:\n"
        f"    main({args!r})\n"
        "except SystemExit:\n"
        "    pass\n"
        "u = resource.getrusage(resource.RUSAGE_SELF)\n"
        "c = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
        "print(u.ru_utime + u.ru_stime + c.ru_utime + c.ru_stime, max(u.ru_maxrss, c.ru_maxrss))\n"
    )
    t = time.perf_counter()
    # run from the data directory, so that ``python`` imports its own linkguard, not this checkout's
    done = subprocess.run([python, "-c", code], capture_output=True, text=True, check=True, cwd=DATA)
    out = done.stdout.split()
    wall = time.perf_counter() - t
    return wall, float(out[0]), int(json.loads(summary.read_text())["links"]), int(out[1])


def table(rows: dict[str, tuple[float, float, int, int]], js: Path, jsonl: Path) -> None:
    head = f"{'input':<20} {'MB':>7} {'MB/s wall':>10} {'MB/s CPU':>9} {'peak RSS':>9} {'links':>8}"
    print(head + "  speed vs text (CPU)")
    for label, path in (("tweets.js", js), ("JSON Lines", jsonl)):
        mb = path.stat().st_size / 1e6
        for name in (label, f"{label} as text"):
            wall, cpu, links, rss = rows[name]
            ratio = "" if name.endswith("text") else f"  {rows[f'{label} as text'][1] / cpu:.2f}x"
            speed = f"{mb:7.1f} {mb / wall:10.1f} {mb / cpu:9.1f}"
            print(f"{name:<20} {speed} {rss / 1024:7.0f} MB {links:8,}{ratio}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size-mb", type=float, default=100.0)
    ap.add_argument("--repeat", type=int, default=1, help="keep the best of this many runs of each")
    ap.add_argument("--python", default=sys.executable, help="the interpreter whose linkguard is timed")
    ap.add_argument("--baseline", help="another interpreter (another linkguard), timed in turn with --python")
    ap.add_argument("--jobs", type=int, default=1, help="scan --jobs (0: scan's default, the usable cores)")
    args = ap.parse_args()
    js, jsonl = generate(args.size_mb)
    pythons = {"this": args.python, **({"baseline": args.baseline} if args.baseline else {})}
    runs: dict[str, dict[str, list[tuple[float, float, int, int]]]] = {who: {} for who in pythons}
    cases = (
        ("tweets.js", js, None),
        ("tweets.js as text", js, "text"),
        ("JSON Lines", jsonl, None),
        ("JSON Lines as text", jsonl, "text"),
    )
    for _ in range(args.repeat):  # interleaved, so that both meet the same load
        for label, path, fmt in cases:
            for who, python in pythons.items():
                runs[who].setdefault(label, []).append(run(python, path, fmt, args.jobs))
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"load average at the end: {load}; --jobs {args.jobs or 'default'}")
    for who in pythons:
        print(f"\n{who}: {pythons[who]}")
        table({label: min(rs, key=lambda r: r[1]) for label, rs in runs[who].items()}, js, jsonl)
    return 0


if __name__ == "__main__":
    sys.exit(main())
