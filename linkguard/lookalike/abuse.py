"""How abuse-dense an ending is, from a published per-TLD phishing statistic (bundled, cited).

``ending-rarity`` says that popular sites hardly live on an ending; it cannot tell an ending that
nobody uses (``.barclays``, ``.moscow``) from one that phishers fill (``.cfd``, ``.sbs``, ``.top``).
The Cybercrime Information Center's phishing domain score (reported phishing domains per 10,000
domains delegated in the TLD, ``linkguard/data/tld-abuse.csv``, source in its header and in
``rules/README.md``) measures the second directly, from phishing reports that have nothing to do
with linkguard's own lists or evaluation data. An ending the table does not list is not measured
(0): the table names the 20 TLDs with the most phishing domains, so it is a floor, not a verdict.
"""

from __future__ import annotations

import csv
import io
import math
from functools import cache
from importlib import resources

ABUSE_FILE = "tld-abuse.csv"
#: The score is read against this ending's (the busiest, .com) and log-scaled so that this many
#: times its density counts as fully abuse-dense.
REFERENCE_TLD = "com"
FULL_FACTOR = 100.0


@cache
def abuse_scores() -> dict[str, float]:
    """TLD → phishing domain score (per 10,000 domains) from the bundled table."""
    text = resources.files("linkguard.data").joinpath(ABUSE_FILE).read_text(encoding="utf-8")
    rows = csv.DictReader(io.StringIO("".join(ln for ln in text.splitlines(True) if not ln.startswith("#"))))
    return {row["tld"].strip().lower(): float(row["score"]) for row in rows}


def abuse_density(tld: str, scores: dict[str, float] | None = None) -> float:
    """0..1: how many times the reference ending's phishing density ``tld`` has, log-scaled
    (.cfd 0.70, .top 0.63, .sbs 0.50, .info 0.30; .com, .org and unlisted endings 0)."""
    scores = abuse_scores() if scores is None else scores
    score, reference = scores.get(tld), scores.get(REFERENCE_TLD)
    if not score or not reference or score <= reference:
        return 0.0
    return min(1.0, math.log(score / reference) / math.log(FULL_FACTOR))
