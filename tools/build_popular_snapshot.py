"""Rebuild ``linkguard/data/popular-domains.txt.gz`` from a downloaded top-sites CSV.

Uses the parser ``linkguard update-popular`` uses, so the bundled snapshot and a refreshed list have
the same form. Example (the bundled snapshot)::

    python tools/build_popular_snapshot.py 100k.csv \\
        --source "Cloudflare Radar top 100,000 domains, 2024-01-22..2024-01-29 (unordered bucket)" \\
        --licence "CC BY-NC 4.0 (Cloudflare Radar)" --date 2024-01-29 --bucket 100000
"""

from __future__ import annotations

import argparse
from pathlib import Path

from linkguard.popular import bundled_file, parse_ranking, render_list


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("csv", type=Path)
    parser.add_argument("--source", required=True)
    parser.add_argument("--licence", required=True)
    parser.add_argument("--date", required=True)
    parser.add_argument(
        "--bucket", type=int, help="rank every entry gets when the list is an unordered bucket"
    )
    parser.add_argument("--limit", type=int, default=200_000)
    parser.add_argument("--out", type=Path, default=bundled_file())
    args = parser.parse_args(argv)
    entries, lines, usable = parse_ranking(args.csv.read_text(encoding="utf-8"), args.limit)
    if args.bucket:
        entries = sorted((d, args.bucket) for d, _ in entries)
    meta = {"source": args.source, "licence": args.licence, "date": args.date}
    if args.bucket:
        meta["ranks"] = f"one unordered bucket, sorted by name: every entry is in the top {args.bucket}"
    args.out.write_bytes(render_list(entries, meta))
    print(f"{len(entries)} registrable domains from {usable} of {lines} lines -> {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
