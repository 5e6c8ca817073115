"""How fast a worker process gets a ready Detector from a pickle (prints, never asserts).

    python benchmarks/bench_detector_pickle.py [--runs 7]

Against the bundled rules, in a temporary cache dir. For each way a ``Detector`` can pickle
(``PICKLE_MODE``): "key" sends the rules (as plain rows) and the worker finds the index on disk by
the rules' ``cache_key``; "payload" sends the whole index as plain data. Printed per mode: the
pickle's size, the parent's ``pickle.dumps`` time, the worker's ``pickle.loads`` time up to a first
verdict (the worker is a spawn process that has already imported linkguard, and forgets its
in-process copy before each run, as a fresh worker would), and the round trip the parent sees.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import pickle
import statistics
import tempfile
import time
from pathlib import Path


def _warm() -> None:
    import linkguard.lookalike  # noqa: F401  (imports are not what is measured)


def _worker_load(blob: bytes) -> tuple[float, str, str]:
    from linkguard.lookalike import cache

    cache._LOADED.clear()  # as in a fresh worker
    start = time.perf_counter()
    detector = pickle.loads(blob)
    verdict = detector.classify_domain("welt.ltd")
    return time.perf_counter() - start, detector.index.origin, verdict.status


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["LINKGUARD_CACHE_DIR"] = str(Path(tmp) / "cache")
        from linkguard.lookalike import detector as detector_module
        from linkguard.lookalike import load_detector

        empty = Path(tmp) / "no-user-rules"
        empty.mkdir()
        start = time.perf_counter()
        detector = load_detector(user_dir=empty)
        print(f"load_detector (builds and writes the cache): {time.perf_counter() - start:.2f} s")
        ctx = multiprocessing.get_context("spawn")
        with ctx.Pool(1, initializer=_warm) as pool:
            pool.apply(_warm)
            for mode in ("key", "payload"):
                detector_module.PICKLE_MODE = mode  # type: ignore[assignment]
                dumps, loads, trips = [], [], []
                origin = ""
                for _ in range(args.runs):
                    t0 = time.perf_counter()
                    blob = pickle.dumps(detector, protocol=pickle.HIGHEST_PROTOCOL)
                    t1 = time.perf_counter()
                    seconds, origin, status = pool.apply(_worker_load, (blob,))
                    t2 = time.perf_counter()
                    assert status == "malicious"
                    dumps.append(t1 - t0)
                    loads.append(seconds)
                    trips.append(t2 - t0)
                ms = [(min(x) * 1e3, statistics.median(x) * 1e3) for x in (dumps, loads, trips)]
                print(
                    f"{mode:8} pickle {len(blob) / 1e6:6.2f} MB · dumps {ms[0][0]:6.1f} ms"
                    f" · worker loads {ms[1][0]:6.1f} ms (median {ms[1][1]:.1f})"
                    f" · round trip {ms[2][0]:6.1f} ms (median {ms[2][1]:.1f}) · index from: {origin}"
                )


if __name__ == "__main__":
    main()
