"""``linkguard permute`` on ten outlets, next to dnstwist when it is installed (prints, never asserts).

    python benchmarks/bench_permute.py [--dnstwist PATH] [DOMAIN ...]

For each outlet: the names linkguard generates, how many it keeps (those ``check --offline
--no-blocklist`` flags as that outlet) and the time, best of three with the detector already
built. With dnstwist (``pip install dnstwist`` in any environment; ``--dnstwist`` names its
command): the names ``dnstwist --format list`` prints (offline, no DNS), its time (one process,
start-up included: it is how it runs), and how many of its names linkguard's detector flags as
that outlet, the same filter linkguard applies to its own.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import time

from linkguard.lookalike import Detector
from linkguard.lookalike.cache import load_cached_rules
from linkguard.permute import find_outlet, generate, imitates, permutations
from linkguard.scan import Scanner

OUTLETS = (
    "welt.de",
    "spiegel.de",
    "bild.de",
    "tagesschau.de",
    "faz.net",
    "sueddeutsche.de",
    "zeit.de",
    "nytimes.com",
    "bbc.co.uk",
    "lemonde.fr",
)


def _dnstwist(command: str, domain: str) -> tuple[list[str], float]:
    start = time.perf_counter()
    out = subprocess.run([command, "--format", "list", domain], capture_output=True, text=True, check=True)
    elapsed = time.perf_counter() - start
    return [line.strip() for line in out.stdout.splitlines() if line.strip()], elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("domains", nargs="*", default=list(OUTLETS))
    parser.add_argument("--dnstwist", default=shutil.which("dnstwist"), help="the dnstwist command")
    args = parser.parse_args()
    start = time.perf_counter()
    detector = Detector(load_cached_rules(user_dir=None), use_blocklist=False)
    print(f"detector ready in {time.perf_counter() - start:.2f} s")
    header = f"{'outlet':<18}{'generated':>10}{'kept':>7}{'time s':>8}"
    if args.dnstwist:
        header += f"{'dnstwist':>10}{'time s':>8}{'flagged':>9}{'overlap':>9}"
    print(header)
    totals = [0, 0, 0.0, 0, 0.0, 0]
    for domain in args.domains:
        generated = sum(1 for _ in generate(domain))
        best = float("inf")
        kept: list[str] = []
        for _ in range(3):
            fresh = Detector(detector.rules, use_blocklist=False, index=detector.index)  # an empty memo
            t = time.perf_counter()
            kept = [f.link.host for f in permutations(domain, detector=fresh)]
            best = min(best, time.perf_counter() - t)
        row = f"{domain:<18}{generated:>10}{len(kept):>7}{best:>8.2f}"
        totals[0] += generated
        totals[1] += len(kept)
        totals[2] += best
        if args.dnstwist:
            names, took = _dnstwist(args.dnstwist, domain)
            outlet = find_outlet(detector, domain)
            scanner = Scanner(detector=detector)
            flagged = set()
            for name in names:
                examined = scanner.examine(name)
                if examined is not None and imitates(examined.finding.verdict, outlet):
                    flagged.add(examined.finding.link.host)
            overlap = len(flagged & set(kept))
            row += f"{len(names):>10}{took:>8.2f}{len(flagged):>9}{overlap:>9}"
            totals[3] += len(names)
            totals[4] += took
            totals[5] += len(flagged)
        print(row)
    total = f"{'total':<18}{totals[0]:>10}{totals[1]:>7}{totals[2]:>8.2f}"
    if args.dnstwist:
        total += f"{totals[3]:>10}{totals[4]:>8.2f}{totals[5]:>9}"
    print(total)


if __name__ == "__main__":
    main()
