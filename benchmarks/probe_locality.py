"""Probe: does "the name reads like names under that ending" separate lookalikes from namesakes?

    python benchmarks/probe_locality.py [--eval-dir ../shared/data/eval]

An outlet's exact name on another country's ending (``repubblica.in``) is scored low because it may
be a local namesake (``merkur.si``). This measures, before anyone builds it into the detector,
whether character-trigram models made from the bundled popular-domain list tell the two apart.
The cases are the ones the model weighs that way: a domain resembling an outlet, on a two-letter
country ending that is neither the outlet's own nor its country's (campaign lookalikes against
popular and news domains). Two candidate signals, each printed as an AUC (0.5 = no better than
chance; each oriented so that higher should mean foreign) over all legitimate cases and over the
ones the current model scores 20 or more:

* **ending** — the name's average log-ratio per trigram under its ending's model (smoothed towards
  the model of all popular labels) against all labels': lower reads less like names on the ending;
* **language** — how much better the name reads in the outlet's country's languages than in the
  ending's, with one model per language pooled from the country endings of the countries that
  speak it (CLDR via Babel): higher reads more like the outlet's home.

Prints only; the detector does not use either signal (both were tried as fitted features and did
not pay, see docs/detection.md).
"""

from __future__ import annotations

import argparse
import csv
import math
import sys
import time
from collections import Counter
from pathlib import Path

from linkguard.lookalike import Detector
from linkguard.lookalike import scoring as sc
from linkguard.lookalike.techniques import languages
from linkguard.lookalike.wordlists import COUNTRY_TOKENS
from linkguard.models import Outlet
from linkguard.normalize import parse_link
from linkguard.popular import popular_list
from linkguard.rules import load_rules

sys.path.insert(0, str(Path(__file__).parent))
from eval_detection import DEFAULT_EVAL_DIR, targets_of

#: Pseudo-count of global trigrams in each ending's model; add-k and vocabulary of the language models.
PRIOR_TRIGRAMS = 200
ADD_K = 0.1
VOCABULARY = 20_000
#: Legitimate cases the current model scores at least this high are the hard ones.
HARD_SCORE = 20

Case = tuple[int, str, Outlet, int]  # label (1 = lookalike), domain, outlet it resembles, current score


def grams(label: str) -> list[str]:
    s = f"^{label.replace('-', '')}$"
    return [s[i : i + 3] for i in range(len(s) - 2)]


def ending_languages(ending: str) -> frozenset[str]:
    country = COUNTRY_TOKENS.get(ending, "")
    return languages(country) if country and len(ending) == 2 else frozenset()


class Models:
    def __init__(self, domains: list[str]) -> None:
        self.labels: dict[str, list[str]] = {}
        for domain in domains:
            label, _, suffix = domain.partition(".")
            self.labels.setdefault(suffix.rpartition(".")[2], []).append(label)
        self.endings = {e: Counter(g for label in ls for g in grams(label)) for e, ls in self.labels.items()}
        self.all: Counter[str] = Counter()
        for counts in self.endings.values():
            self.all.update(counts)
        self.total = sum(self.all.values())
        self.langs: dict[str, tuple[Counter[str], int]] = {}

    def ending_fit(self, label: str, ending: str) -> float:
        counts = self.endings.get(ending, Counter())
        size = sum(counts.values())
        out = 0.0
        for g in grams(label):
            p_all = (self.all[g] + 0.5) / (self.total + 0.5 * len(self.all))
            out += math.log((counts[g] + PRIOR_TRIGRAMS * p_all) / (size + PRIOR_TRIGRAMS) / p_all)
        return out / len(grams(label))

    def _lang_fit(self, label: str, lang: str) -> float:
        if lang not in self.langs:
            counts: Counter[str] = Counter()
            for ending, more in self.endings.items():
                if lang in ending_languages(ending):
                    counts.update(more)
            self.langs[lang] = (counts, sum(counts.values()))
        counts, size = self.langs[lang]
        if not size:
            return -math.inf
        return sum(math.log((counts[g] + ADD_K) / (size + ADD_K * VOCABULARY)) for g in grams(label)) / len(
            grams(label)
        )

    def language_lead(self, label: str, home: frozenset[str], there: frozenset[str]) -> float | None:
        if not home or not there:
            return None
        lead = max(self._lang_fit(label, h) for h in home) - max(self._lang_fit(label, t) for t in there)
        return None if math.isinf(lead) or math.isnan(lead) else lead


def cases(eval_dir: Path) -> list[Case]:
    detector = Detector(load_rules(), use_blocklist=False)
    out: list[Case] = []

    def add(domain: str, targets: set[str] | None) -> None:
        link = parse_link(domain)
        if link is None or not link.registered_domain or detector._by_rules(link, ()) is not None:
            return
        groups: dict[Outlet, list[sc.Signal]] = {}
        for s in detector._signals(link, floor=0):
            if s.outlet is not None:
                groups.setdefault(s.outlet, []).append(s)
        for outlet, group in groups.items():
            x = sc.pool(group, obfuscated=False)
            if "ending-country" not in x or "ending-own-country" in x or "same-ending" in x:
                continue
            if targets is None or set(outlet.domains) & targets:
                out.append((0 if targets is None else 1, domain, outlet, sc.model().score(x)))

    for path in sorted(eval_dir.glob("campaign-*.csv")):
        with path.open(newline="", encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                add(row["lookalike"].strip(), targets_of(row["impersonates"]))
    for path in sorted(eval_dir.glob("popular-*.txt")) + sorted(eval_dir.glob("news-*.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                add(line.strip(), None)
    return out


def auc(pos: list[float], neg: list[float]) -> float:
    """The chance that a lookalike scores above a legitimate case (ties count half)."""
    if not pos or not neg:
        return float("nan")
    return sum((p > n) + 0.5 * (p == n) for p in pos for n in neg) / (len(pos) * len(neg))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--eval-dir", type=Path, default=DEFAULT_EVAL_DIR)
    args = parser.parse_args(argv)
    if not args.eval_dir.is_dir():
        print(f"no evaluation data at {args.eval_dir}", file=sys.stderr)
        return 2
    found = cases(args.eval_dir)
    started = time.process_time()
    models = Models(list(popular_list().ranks))
    cpu = time.process_time() - started
    print(f"trigram models of {len(models.labels)} endings built in {cpu:.2f} s CPU")
    signals = {
        "ending (negated)": lambda d, o: -models.ending_fit(d.partition(".")[0], d.rpartition(".")[2]),
        "language": lambda d, o: models.language_lead(
            d.partition(".")[0], languages(o.country), ending_languages(d.rpartition(".")[2])
        ),
    }
    print(f"{sum(y for y, *_ in found)} lookalikes, {sum(1 - y for y, *_ in found)} legitimate cases "
          f"({sum(1 for y, *_, s in found if not y and s >= HARD_SCORE)} scored ≥ {HARD_SCORE})")  # fmt: skip
    for name, signal in signals.items():
        scored = [(y, v, s) for y, d, o, s in found if (v := signal(d, o)) is not None]
        pos = [v for y, v, _ in scored if y]
        print(f"  {name:28} AUC {auc(pos, [v for y, v, _ in scored if not y]):.3f} against all, "
              f"{auc(pos, [v for y, v, s in scored if not y and s >= HARD_SCORE]):.3f} against the hard ones "
              f"({len(scored)} of {len(found)} cases measurable)")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
