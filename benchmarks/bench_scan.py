#!/usr/bin/env python3
"""Throughput of a whole ``linkguard scan --all`` run (start-up included) next to urlextract.

Prints, never asserts. Generates a synthetic dump of social-media posts (seeded, so every run
scans the same bytes): German and English prose, ~10 % of posts carrying a link (real outlets,
Doppelgänger-style lookalikes, t.co short links, bold-letter and defanged obfuscation).

    python benchmarks/bench_scan.py                 # 100 MB dumps of both corpora, full comparison
    python benchmarks/bench_scan.py --size-mb 20    # quicker
    python benchmarks/bench_scan.py --corpus de-dotted --urlextract-mb 0

Two corpora, printed side by side: ``mixed`` (German and English prose) and ``de-dotted``
(German prose with a dotted non-link every few words: ``z.B.``, ``Dr.Müller``, ``12.30 Uhr``,
``1.12.2026``), with the same share of posts carrying a link.

Peak memory is measured for the full dump and for a quarter of it: a streaming scan uses the same.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"

WORDS_DE = (
    "die der und in zu den das nicht von sie ist des sich mit dem dass er es ein ich auf so eine auch als "
    "an nach wie im für man aber aus durch wenn nur war noch werden bei hat wir was wird sein einen "
    "welche sind Regierung Verhandlungen Russland Ukraine Krieg Kreml Propaganda Bundesregierung "
    "Außenministerin Öffentlichkeit"
).split()
WORDS_EN = (
    "the of and to in is that for it as was with be by on not he this are or his from at which but have "
    "an they you were their one all we can her has there been if more when will would who so no election "
    "campaign news report officials said Kremlin network fake accounts"
).split()
#: Prose that looks like a link to a naive extractor; one in ten posts carries one.
TRAPS = (
    "z.B.",
    "u.a.",
    "bzw.",
    "Dr.Müller",
    "12.30 Uhr",
    "1.5-Verhandlungen",
    "14.8 %",
    "e.g.",
    "i.e.",
    "v2.0.1",
    "Ende.Das",
    "„Zitat“",
    "🧵",
    "🇺🇦",
    "…",
)
#: German prose as posts are written: abbreviations, names, numbers, times and dates with dots
#: that are not links. The ``--corpus de-dotted`` dump puts several in every post (same links).
DOTTED_DE = (
    "z.B.",
    "u.a.",
    "d.h.",
    "bzw.",
    "usw.",
    "ca.",
    "Mio.",
    "Mrd.",
    "Dr.Müller",
    "Prof.Dr.Schmidt",
    "Nr.1",
    "Nr.{d}",
    "S.{d}",
    "Abs.2",
    "Art.{d}",
    "3.5",
    "{d}.{d}",
    "{h}.{m} Uhr",
    "{day}.{mon}.2026",
    "{day}.{mon}.",
    "v.a.",
    "o.ä.",
    "z.T.",
    "ggf.",
    "St.Pauli",
    "Ende.Die",
    "Hrsg.",
    "etc.",
)
LINKS = (
    "https://www.welt.de/politik/ausland/article{n}.html",
    "https://www.spiegel.de/politik/deutschland/a-{n}.html",
    "welt.ltd/politik/{n}",
    "https://spiegel.agency/artikel/{n}",
    "https://t.co/{slug}",
    "𝐰𝐞𝐥𝐭.𝐥𝐭𝐝",
    "hxxps://faz[.]news/wirtschaft/{n}",
    "tagesschau.de/inland/{n}",
    "https://www.bbc.co.uk/news/world-{n}",
    "https://washingtonpost.pm/politics/{n}",
    "de.wikipedia.org/wiki/Logan_Act",
    "https://example-news-{k}.com/story/{n}",
)


def _dotted(rng: random.Random) -> str:
    return rng.choice(DOTTED_DE).format(
        d=rng.randint(1, 999), h=rng.randint(0, 23), m=f"{rng.randint(0, 59):02d}",
        day=rng.randint(1, 31), mon=rng.randint(1, 12),
    )  # fmt: skip


def generate(path: Path, size_mb: int, seed: int = 7, corpus: str = "mixed") -> None:
    """A dump of ``size_mb`` MB: ``mixed`` German and English posts, or ``de-dotted`` German posts
    with a dotted non-link every few words; both with the same share of posts carrying a link."""
    rng = random.Random(seed)
    target = size_mb * 1_000_000
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
    written = 0
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as fh:
        while written < target:
            if corpus == "de-dotted":
                words = WORDS_DE
                post = " ".join(
                    _dotted(rng) if rng.random() < 0.15 else rng.choice(words)
                    for _ in range(rng.randint(12, 45))
                ) + "."  # fmt: skip
            else:
                words = WORDS_DE if rng.random() < 0.6 else WORDS_EN
                post = " ".join(rng.choice(words) for _ in range(rng.randint(12, 45))) + "."
            if rng.random() < 0.10:
                post += " " + rng.choice(TRAPS)
            if rng.random() < 0.10:
                link = rng.choice(LINKS).format(
                    n=rng.randint(1, 10**8), k=rng.randint(1, 500), slug="".join(rng.choices(alphabet, k=10))
                )
                post += f" {link} {rng.choice(words)}"
            line = post + "\n"
            fh.write(line)
            written += len(line.encode("utf-8"))


def run_linkguard(path: Path, repeat: int = 1, jobs: int = 1) -> tuple[float, int, int]:
    """Seconds, links found and peak RSS (KiB) of a full CLI run in a fresh process.

    The best of ``repeat`` runs, as timeit does: noise on a shared machine only ever adds time.
    """
    runs = [_run_linkguard_once(path, jobs) for _ in range(repeat)]
    return min(runs)


def _run_linkguard_once(path: Path, jobs: int) -> tuple[float, int, int]:
    code = (
        "import resource, sys, time\n"
        "t = time.perf_counter()\n"
        "from linkguard.cli import main\n"
        f"rc = main(['scan', {str(path)!r}, '--all', '--format', 'jsonl', '-o', {os.devnull!r}, '-q',"
        f" '--jobs', '{jobs}',"
        f" '--summary', {str(path) + '.summary.json'!r}])\n"
        "print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    summary = json.loads(Path(str(path) + ".summary.json").read_text())
    return float(out[0]), int(summary["links"]), int(out[1])


def run_urlextract(path: Path, sample_bytes: int, repeat: int = 1) -> tuple[float, int, int] | None:
    """Seconds (best of ``repeat``, like linkguard's), URLs found and bytes, on a prefix."""
    try:
        from urlextract import URLExtract
    except ImportError:
        return None
    with path.open(encoding="utf-8") as fh:
        text = fh.read(sample_bytes)
    extractor = URLExtract(cache_dns=False)
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        found = 0
        for line in text.splitlines():
            found += len(extractor.find_urls(line))
        best = min(best, time.perf_counter() - t)
    return best, found, len(text.encode("utf-8"))


def dump_path(corpus: str, size_mb: int) -> Path:
    """The generated dump of ``corpus`` (made on first use; seeded, so the same bytes every time)."""
    path = DATA / (f"dump-{size_mb}mb.txt" if corpus == "mixed" else f"dump-{corpus}-{size_mb}mb.txt")
    if not path.exists():
        print(f"generating {path} ({size_mb} MB)…", file=sys.stderr)
        generate(path, size_mb, corpus=corpus)
    return path


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size-mb", type=int, default=100)
    ap.add_argument(
        "--urlextract-mb", type=float, default=2.0, help="urlextract is slow: time it on a prefix"
    )
    ap.add_argument("--repeat", type=int, default=3, help="report the best of this many linkguard runs")
    ap.add_argument(
        "--corpus",
        choices=("mixed", "de-dotted", "both"),
        default="both",
        help="mixed German/English posts, German prose dense with dotted non-links, or both side by side",
    )
    args = ap.parse_args()
    corpora = ("mixed", "de-dotted") if args.corpus == "both" else (args.corpus,)
    print(f"one core, start-up included, best of {args.repeat}; load average {os.getloadavg()[0]:.1f}")
    for corpus in corpora:
        full, quarter = dump_path(corpus, args.size_mb), dump_path(corpus, max(1, args.size_mb // 4))
        size, q_size = full.stat().st_size, quarter.stat().st_size
        secs, links, rss = run_linkguard(full, args.repeat)
        q_secs, q_links, q_rss = run_linkguard(quarter, args.repeat)
        print(f"[{corpus}] input: {size / 1e6:.1f} MB, {links:,} links")
        print(
            f"  linkguard scan --all : {size / 1e6 / secs:8.1f} MB/s  {links / secs:10,.0f} domains/s  "
            f"{secs:6.2f} s  peak RSS {rss / 1024:.0f} MiB"
        )
        print(
            f"    same on a quarter  : {q_size / 1e6 / q_secs:8.1f} MB/s  "
            f"{q_links / q_secs:10,.0f} domains/s  {q_secs:6.2f} s  peak RSS {q_rss / 1024:.0f} MiB"
        )
        # the two runs on one line: a fixed cost (imports, rules, first use of the suffix list and
        # of each host) plus a cost per MB; the slope is the speed of a scan already under way
        if secs > q_secs and size > q_size:
            per_byte = (secs - q_secs) / (size - q_size)
            print(
                f"    i.e. fixed cost    : {secs - per_byte * size:8.2f} s, then "
                f"{1 / per_byte / 1e6:.1f} MB/s ({(links - q_links) / (secs - q_secs):,.0f} domains/s)"
            )
    if args.urlextract_mb <= 0:
        return 0
    full = dump_path(corpora[0], args.size_mb)
    secs = run_linkguard(full, 1)[0]
    ue = run_urlextract(full, int(args.urlextract_mb * 1_000_000), min(args.repeat, 3))
    if ue is None:
        print("urlextract            : not installed (pip install urlextract)")
    else:
        u_secs, u_found, u_bytes = ue
        mbs = u_bytes / 1e6 / u_secs
        print(
            f"urlextract (prefix of {u_bytes / 1e6:.1f} MB, best of {min(args.repeat, 3)}): {mbs:8.2f} MB/s  "
            f"{u_found / u_secs:10,.0f} urls/s  "
            f"-> linkguard is {full.stat().st_size / 1e6 / secs / mbs:,.0f}x faster"
        )
    _ = resource  # imported for the child's measurement; kept so the script documents it
    return 0


if __name__ == "__main__":
    sys.exit(main())
