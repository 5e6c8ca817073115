"""Benchmark the lookalike detector against the full bundled rules (prints, never asserts).

    python benchmarks/bench_lookalike.py [--domains 50000] [--whole-only] [--list FILE]
                                         [--baseline OTHER/bin/linkguard] [--repeat 3]

Reports index build time, then domains/s for Detector.classify on a mix of generated lookalikes and
random domains, next to a naive dnstwist-style baseline: the permutation set of every outlet
generated up front, and each domain checked against every outlet's set in turn. Last, the speed of
a whole ``linkguard scan`` of a domain list (``../shared/data/eval/popular-dev.txt`` when present,
else 50,000 generated domains): the figure issue #10 asks for (≥ 30,000 domains/s).
"""

from __future__ import annotations

import argparse
import os
import random
import string
import sys
import tempfile
import time
from pathlib import Path

from linkguard.lookalike import Detector
from linkguard.lookalike.permutations import all_permutations
from linkguard.models import Link
from linkguard.normalize import parse_link
from linkguard.rules import load_rules

SUFFIXES = ["com", "de", "ltd", "top", "news", "info", "net", "org", "fr", "co.uk", "online", "pm"]


def generate(outlet_domains: list[str], n: int, rng: random.Random) -> list[str]:
    """Half lookalikes (tld swaps, typos, combos, embeds), half random names."""
    out: list[str] = []
    labels = [d.split(".")[0] for d in outlet_domains]
    while len(out) < n:
        label = rng.choice(labels)
        kind = rng.randrange(6)
        if kind == 0:
            out.append(f"{label}.{rng.choice(SUFFIXES)}")
        elif kind == 1 and len(label) > 3:
            i = rng.randrange(len(label) - 1)
            out.append(f"{label[:i]}{label[i + 1]}{label[i]}{label[i + 2 :]}.{rng.choice(SUFFIXES)}")
        elif kind == 2:
            out.append(
                f"{label}-{rng.choice(['news', 'aktuell', 'live', 'reisen', 'shop'])}.{rng.choice(SUFFIXES)}"
            )
        elif kind == 3:
            word = rng.choice(["nachrichten", "update"])
            out.append(f"{rng.choice(outlet_domains)}.{word}-{rng.randrange(99)}.com")
        else:
            size = rng.randint(4, 14)
            out.append("".join(rng.choices(string.ascii_lowercase, k=size)) + "." + rng.choice(SUFFIXES))
    return out


def detector_figures(args: argparse.Namespace) -> None:
    """Index build, first-sight and memoised classify, and the naive baseline, in this process."""
    rng = random.Random(7)

    t0 = time.perf_counter()
    rules = load_rules()
    t1 = time.perf_counter()
    detector = Detector(rules, use_blocklist=False)
    t2 = time.perf_counter()
    _ = detector.index.typo_choices, detector.index.fuzzy_choices
    t3 = time.perf_counter()
    print(f"bundled rules: {len(rules.outlets)} outlets, loaded in {t1 - t0:.3f} s")
    print(
        f"index build: {t2 - t1:.3f} s (+ {t3 - t2:.3f} s typo and fuzzy indexes, built on first use: "
        f"{len(detector.index.typo_choices):,} + {len(detector.index.fuzzy_choices):,} entries)"
    )

    outlet_domains = [d for o in rules.outlets for d in o.domains]
    texts = generate(outlet_domains, args.domains, rng)
    t = time.perf_counter()
    links: list[Link] = [link for text in texts if (link := parse_link(text)) is not None]
    parse_s = time.perf_counter() - t
    print(
        f"\n{len(links):,} domains ({len({lk.host for lk in links}):,} distinct); parse_link: {parse_s:.2f} s"
    )

    t = time.perf_counter()
    verdicts = [detector.classify(link) for link in links]
    cold = time.perf_counter() - t
    t = time.perf_counter()
    for link in links:
        detector.classify(link)
    warm = time.perf_counter() - t
    flagged = sum(v.flagged for v in verdicts)
    print(
        f"Detector.classify, first pass: {len(links) / cold:,.0f} domains/s"
        f" ({cold:.2f} s, {flagged:,} flagged)"
    )
    print(
        f"Detector.classify, memoised:   {len(links) / warm:,.0f} domains/s"
        f" ({warm * 1e6 / len(links):.2f} µs each)"
    )

    t = time.perf_counter()
    per_outlet = [
        (
            o,
            {p for d in o.domains for p, _ in all_permutations(d.split(".")[0])}
            | {d.split(".")[0] for d in o.domains},
        )
        for o in rules.outlets
    ]
    build = time.perf_counter() - t
    sample = links[: args.baseline_domains]
    t = time.perf_counter()
    hits = 0
    for link in sample:
        for _outlet, perms in per_outlet:  # naive: every outlet's set in turn, no shared index
            if link.domain_label in perms:
                hits += 1
                break
    naive = time.perf_counter() - t
    print(
        f"\nnaive dnstwist-style baseline: permutation sets built in {build:.2f} s "
        f"({sum(len(p) for _, p in per_outlet):,} entries)"
    )
    print(
        f"  membership over every outlet: {len(sample) / naive:,.0f} domains/s on {len(sample):,} domains "
        f"({hits:,} hits; tld-swap/typo only — no homoglyph, combo, embedded or scoring)"
    )
    try:
        import dnstwist  # type: ignore[import-not-found]
    except ImportError:
        print("  (dnstwist not installed: skipping the dnstwist.Fuzzer baseline)")
    else:
        t = time.perf_counter()
        for o in rules.outlets[:50]:
            fuzzer = dnstwist.Fuzzer(o.domain)
            fuzzer.generate()
        print(f"  dnstwist.Fuzzer.generate for 50 outlets: {time.perf_counter() - t:.2f} s")


def whole_scan(domains: list[str], repeat: int, baseline: str | None = None) -> None:
    """domains/s of a whole ``linkguard scan`` of a domain list, start-up and output included, with
    ``--jobs 1`` and the default; with ``baseline`` (another install's ``linkguard``), that one too,
    interleaved run by run so that both see the same load.

    Each run is bench_jobs.py's: byte code cached outside the source trees (one cache per install),
    as an installed package has it (with ``PYTHONDONTWRITEBYTECODE`` set, every run would compile
    linkguard's sources again), and the CPU time of the main process and of its workers. Beside
    the wall time, bench_jobs.py's model gives what the run would take on idle cores: on a shared
    machine that is the figure to compare."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from bench_jobs import Run, modelled_wall, run

    pythons = {"this": sys.executable}
    if baseline:  # an install's linkguard script, or its python
        pythons["baseline"] = str(Path(baseline).with_name("python"))
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    args = ["--no-blocklist", "--format", "jsonl"]
    runs: dict[tuple[str, str], list[Run]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        path, empty = Path(tmp) / "domains.txt", Path(tmp) / "empty.txt"
        path.write_text("\n".join(domains) + "\n", encoding="utf-8")
        empty.touch()
        out = Path(tmp) / "out.jsonl"
        for name, python in pythons.items():  # warm the rules cache, compile the byte code
            run(empty, 1, out, Path(tmp) / f"pycache-{name}", python, args)
        for _ in range(repeat):
            for name, python in pythons.items():
                pycache = Path(tmp) / f"pycache-{name}"
                runs.setdefault((name, "start-up"), []).append(run(empty, 1, out, pycache, python, args))
                for jobs in ("1", "default"):
                    got = run(path, None if jobs == "default" else 1, out, pycache, python, args)
                    runs.setdefault((name, jobs), []).append(got)
    n = len(domains)
    print(f"\nwhole `linkguard scan` of {n:,} domains (best of {repeat}; load {os.getloadavg()[0]:.1f}):")
    for name in pythons:
        startup = min(r.main_cpu for r in runs[name, "start-up"])
        for jobs in ("1", "default"):
            got = runs[name, jobs]
            wall = min(r.wall for r in got)
            main_cpu = min(r.main_cpu for r in got)
            total = min(r.main_cpu + r.workers_cpu for r in got)
            model = modelled_wall(startup, main_cpu, total, 1 if jobs == "1" else cores)
            print(
                f"  {name:8s} --jobs {jobs:7s}: {n / wall:,.0f} domains/s wall ({wall:.2f} s); CPU main "
                f"{main_cpu:.2f} s, all {total:.2f} s (start-up {startup:.2f} s); on idle cores "
                f"{model:.2f} s: {n / model:,.0f} domains/s"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--domains", type=int, default=50_000, help="generated domains to classify")
    parser.add_argument("--baseline-domains", type=int, default=2_000, help="the naive baseline is slow")
    parser.add_argument("--whole-only", action="store_true", help="only the whole-scan figure")
    parser.add_argument("--baseline", help="another install's linkguard, timed side by side")
    parser.add_argument("--repeat", type=int, default=3, help="whole scans: keep the best of this many")
    default_list = Path(__file__).resolve().parents[2] / "shared" / "data" / "eval" / "popular-dev.txt"
    parser.add_argument("--list", type=Path, default=default_list, help="the domain list to scan whole")
    args = parser.parse_args()
    if not args.whole_only:
        detector_figures(args)
    if args.list.is_file():
        print(f"(domain list: {args.list})")
        whole_scan([d for d in args.list.read_text("utf-8").split() if d], args.repeat, args.baseline)
    else:
        domains = generate(["welt.de", "spiegel.de", "lemonde.fr"], 50_000, random.Random(7))
        whole_scan(domains, args.repeat, args.baseline)


if __name__ == "__main__":
    main()
