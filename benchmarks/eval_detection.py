"""Measure the lookalike detector on real domain lists, judged by name alone (prints, never asserts).

    python benchmarks/eval_detection.py [--eval-dir ../shared/data/eval] [--misses] [--alarms]
                                        [--json FILE]

Lists (see the eval directory's README for provenance):

* ``campaign-*.csv`` (``lookalike,impersonates,…``): real campaign lookalikes. A hit is a flagged
  verdict whose imitated outlet lists the ``impersonates`` domain (or, for a target that is a
  hostname such as bmi.bund.de, its registrable domain) among its domains.
* ``popular-*.txt`` and ``news-*.txt``: one real, legitimate domain per line. Any flag is a false alarm.

Every domain is classified with the bundled rules and ``use_blocklist=False, use_ratings=False``, as
``linkguard check --no-blocklist --no-ratings`` does (``--blocklist``/``--ratings`` turn them on).
Prints recall and false alarms per list and per technique, the campaign misses by cause, then a
score-to-precision table over all lists (precision here is "of the domains scored ≥ s, the share
that were campaign lookalikes", with the legitimate lists weighted as they come).
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from linkguard.lookalike import Detector
from linkguard.lookalike import scoring as sc
from linkguard.models import Outlet, Verdict
from linkguard.normalize import parse_link
from linkguard.rules import load_rules

sys.path.insert(0, str(Path(__file__).parent))
from synthetic import lookalikes

#: Another draw than the fitting one (benchmarks/fit_scoring.py uses seed 1).
SYNTHETIC_SEED = 2
DEFAULT_EVAL_DIR = Path(__file__).resolve().parents[2] / "shared" / "data" / "eval"
SCORE_STEPS = (30, 40, 50, 60, 70, 80, 90, 100)


@dataclass
class ListResult:
    name: str
    kind: str  # "campaign" or "legit"
    total: int = 0
    flagged: int = 0
    hits: int = 0  # campaign only: flagged naming the right outlet
    wrong_outlet: list[tuple[str, str, str]] = field(default_factory=list)
    misses: list[tuple[str, str, Verdict]] = field(default_factory=list)
    alarms: list[tuple[str, Verdict]] = field(default_factory=list)
    by_technique: Counter[str] = field(default_factory=Counter)
    miss_causes: Counter[str] = field(default_factory=Counter)  # campaign only: why a domain was missed
    scores: list[int] = field(default_factory=list)  # every domain's score (0 when not scored)
    seconds: float = 0.0

    def line(self) -> str:
        if self.kind == "campaign":
            pct = 100 * self.hits / self.total if self.total else 0.0
            return (
                f"{self.name}: {self.hits}/{self.total} flagged with the right outlet ({pct:.1f} %); "
                f"{self.flagged - self.hits} flagged naming another outlet"
            )
        per10k = 10_000 * self.flagged / self.total if self.total else 0.0
        return f"{self.name}: {self.flagged}/{self.total} flagged = {per10k:.1f} per 10k"


def targets_of(target: str) -> set[str]:
    """The imitated domain, and its registrable domain when the target is a hostname."""
    out = {target.lower()}
    link = parse_link(target)
    if link is not None and link.registered_domain:
        out.add(link.registered_domain)
    return out


def miss_cause(detector: Detector, targets: set[str], v: Verdict, domain: str = "") -> str:
    """Why a campaign domain was not caught: the victim is unknown, or the resemblance is weak.

    A verdict drops resemblances under the report floor (30), so the signals are re-read without
    it: ``repubblica.in`` scoring 17 against repubblica.it is a weak tld-swap of a known outlet,
    not a victim the rules lack.
    """
    index = detector.index
    if not any(t in index.outlet_by_domain for t in targets):
        if any(index.profile.rank(t) is not None for t in targets):
            return "imitated site only in the popular list (no outlet rule)"
        return "imitated site in no bundled rule or list"
    link = parse_link(domain) if domain else None
    if link is not None and v.impersonates is None:
        combined = sc.combine(detector._signals(link, floor=0), obfuscated=False)
        if combined.outlet is not None:
            techniques = tuple(dict.fromkeys(s.technique for s in combined.signals))
            v = Verdict(v.status, combined.score, combined.outlet, techniques, ())
    if v.impersonates is None:
        return "known outlet, no resemblance found"
    if not set(v.impersonates.domains) & targets:
        return "weak resemblance to another outlet"
    return f"known outlet, weak {'+'.join(v.techniques) or 'signal'} (score {v.score // 10 * 10}s)"


def _classify(detector: Detector, domain: str) -> Verdict:
    return detector.classify_domain(domain)


def eval_campaign(detector: Detector, path: Path) -> ListResult:
    res = ListResult(path.name, "campaign")
    with path.open(newline="", encoding="utf-8") as fh:
        rows = [(r["lookalike"].strip(), r["impersonates"].strip()) for r in csv.DictReader(fh)]
    t0 = time.perf_counter()
    for domain, target in rows:
        v = _classify(detector, domain)
        res.total += 1
        res.scores.append(v.score)
        if not v.flagged:
            res.misses.append((domain, target, v))
            res.miss_causes[miss_cause(detector, targets_of(target), v, domain)] += 1
            continue
        res.flagged += 1
        for t in v.techniques:
            res.by_technique[t] += 1
        named = set(v.impersonates.domains) if v.impersonates else set()
        if named & targets_of(target):
            res.hits += 1
        else:
            res.wrong_outlet.append((domain, target, v.impersonates.domain if v.impersonates else "-"))
    res.seconds = time.perf_counter() - t0
    return res


def eval_legit(detector: Detector, path: Path) -> ListResult:
    res = ListResult(path.name, "legit")
    domains = [d.strip() for d in path.read_text(encoding="utf-8").splitlines() if d.strip()]
    t0 = time.perf_counter()
    for domain in domains:
        v = _classify(detector, domain)
        res.total += 1
        res.scores.append(v.score)
        if v.flagged:
            res.flagged += 1
            res.alarms.append((domain, v))
            for t in v.techniques:
                res.by_technique[t] += 1
    res.seconds = time.perf_counter() - t0
    return res


def eval_synthetic(detector: Detector, outlets: list[Outlet], seed: int, per_kind: int) -> list[ListResult]:
    """Held-out synthetic lookalikes (``benchmarks/synthetic.py``), one result per technique."""
    by_kind: dict[str, ListResult] = {}
    for kind, domain, outlet in lookalikes(outlets, seed, per_kind):
        res = by_kind.setdefault(kind, ListResult(f"synthetic {kind}", "campaign"))
        v = _classify(detector, domain)
        res.total += 1
        res.scores.append(v.score)
        if not v.flagged:
            res.misses.append((domain, outlet.domain, v))
            continue
        res.flagged += 1
        if v.impersonates and set(v.impersonates.domains) & set(outlet.domains):
            res.hits += 1
        else:
            got = v.impersonates.domain if v.impersonates else "-"
            res.wrong_outlet.append((domain, outlet.domain, got))
    return list(by_kind.values())


def precision_table(results: list[ListResult]) -> list[tuple[int, int, int, float]]:
    """(score ≥ s, lookalikes at or above, legitimate at or above, precision)."""
    rows = []
    for step in SCORE_STEPS:
        real = [r for r in results if r.kind == "campaign" and not r.name.startswith("synthetic")]
        bad = sum(sum(1 for s in r.scores if s >= step) for r in real)
        good = sum(sum(1 for s in r.scores if s >= step) for r in results if r.kind == "legit")
        rows.append((step, bad, good, bad / (bad + good) if bad + good else float("nan")))
    return rows


def run(
    eval_dir: Path, synthetic: int = 0, *, blocklist: bool = False, ratings: bool = False
) -> list[ListResult]:
    rules = load_rules()
    detector = Detector(rules, use_blocklist=blocklist, use_ratings=ratings)
    results: list[ListResult] = []
    if synthetic:
        results += eval_synthetic(detector, list(rules.outlets), SYNTHETIC_SEED, synthetic)
    for path in sorted(eval_dir.glob("campaign-*.csv")):
        results.append(eval_campaign(detector, path))
    for pattern in ("popular-*.txt", "news-*.txt"):
        for path in sorted(eval_dir.glob(pattern)):
            results.append(eval_legit(detector, path))
    return results


def _describe(v: Verdict) -> str:
    who = v.impersonates.domain if v.impersonates else "-"
    return f"{v.status} {v.score} {who} {','.join(v.techniques) or '-'}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--eval-dir", type=Path, default=DEFAULT_EVAL_DIR)
    parser.add_argument("--misses", action="store_true", help="list campaign domains not caught")
    parser.add_argument("--alarms", action="store_true", help="list false alarms on legitimate lists")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON")
    parser.add_argument("--blocklist", action="store_true", help="use the known-bad lists and feeds too")
    parser.add_argument(
        "--ratings", action="store_true", help="use the source ratings in force (rules update-feeds)"
    )
    parser.add_argument(
        "--synthetic", type=int, default=100, help="held-out synthetic lookalikes per technique (0: none)"
    )
    args = parser.parse_args(argv)
    if not args.eval_dir.is_dir():
        print(f"no evaluation data at {args.eval_dir}", file=sys.stderr)
        return 2
    results = run(args.eval_dir, args.synthetic, blocklist=args.blocklist, ratings=args.ratings)
    mode = ", ".join(
        ["with the blocklist" if args.blocklist else "by name alone (--no-blocklist)"]
        + (["with source ratings"] if args.ratings else ["--no-ratings"])
    )
    print(f"Detection {mode}, data: {args.eval_dir}")
    for r in results:
        rate = r.total / r.seconds if r.seconds else 0.0
        print(f"  {r.line()}   [{rate:,.0f} domains/s in-process]")
    print("\nFlags by technique (a flag may use several):")
    for r in results:
        if r.by_technique:
            parts = ", ".join(f"{t} {n}" for t, n in r.by_technique.most_common())
            print(f"  {r.name}: {parts}")
    print("\nMisses by cause (campaign lists):")
    for r in results:
        if r.miss_causes:
            print(f"  {r.name}:")
            for cause, n in r.miss_causes.most_common():
                print(f"    {n:4}  {cause}")
    print("\nScore → precision (real campaign lookalikes vs all legitimate domains scored at or above):")
    print("  score  lookalikes  legitimate  precision")
    for step, bad, good, prec in precision_table(results):
        print(f"  ≥{step:<5} {bad:>10}  {good:>10}  {100 * prec:8.1f} %")
    for r in results:
        if args.misses and r.kind == "campaign" and (r.misses or r.wrong_outlet):
            print(f"\nMissed in {r.name} ({len(r.misses)}):")
            for domain, target, v in r.misses:
                print(f"  {domain:40} → {target:28} {_describe(v)}")
            print(f"\nFlagged naming another outlet in {r.name} ({len(r.wrong_outlet)}):")
            for domain, target, got in r.wrong_outlet:
                print(f"  {domain:40} → {target:28} got {got}")
        if args.alarms and r.kind == "legit":
            print(f"\nFalse alarms in {r.name} ({len(r.alarms)}):")
            for domain, v in r.alarms:
                print(f"  {domain:40} {_describe(v)}")
    if args.json:
        doc = {
            r.name: {"total": r.total, "flagged": r.flagged, "hits": r.hits, "techniques": r.by_technique}
            for r in results
        }
        doc["precision"] = precision_table(results)  # type: ignore[assignment]
        args.json.write_text(json.dumps(doc, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
