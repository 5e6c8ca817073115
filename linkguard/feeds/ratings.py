"""Lin et al. 2023 (PNAS Nexus): one aggregate quality rating per news domain, from 0 to 1.

``data/domain_pc1.csv`` of github.com/hauselin/domain-quality-ratings has ``domain,pc1``: the first
principal component of six rating sets (NewsGuard, MBFC, Lewandowsky et al., fact-checkers …),
scaled to 0 (lowest quality) … 1 (highest). The repository has no licence file (its README says
"feel free to reuse the data"), so the wheel carries none of it; ``update-feeds --feed
lin2023-ratings`` fetches it. Only domains rated below ``RATING_LOW_THRESHOLD`` are kept: the
others would never change a verdict. Rows naming a section (``rfi.fr/en``) or a sub-domain are
skipped: a rating of a section is not one of the whole domain.
"""

from __future__ import annotations

import csv
import io

from linkguard.errors import FeedError
from linkguard.feeds.entries import FeedEntry
from linkguard.limits import RATING_LOW_THRESHOLD
from linkguard.rules import InvalidDomainError, normalize_rule_domain

REPO = "hauselin/domain-quality-ratings"
PATH = "data/domain_pc1.csv"
SOURCE = "Lin et al. 2023, PNAS Nexus 2(9) pgad286 (github.com/hauselin/domain-quality-ratings)"
SOURCE_URL = "https://doi.org/10.1093/pnasnexus/pgad286"
RATING = "aggregate news-domain quality, pc1"
REPORTED = "2023-09"


def parse_ratings(text: str) -> tuple[list[FeedEntry], int]:
    """(low-rated entries, rows read); ``FeedError`` when this is not the ``domain,pc1`` table."""
    rows = csv.reader(io.StringIO(text))
    header = [c.strip().lower() for c in next(rows, [])]
    if "domain" not in header or "pc1" not in header:
        raise FeedError(f"not the ratings table: expected columns domain,pc1, got {', '.join(header[:4])!r}")
    col_domain, col_value = header.index("domain"), header.index("pc1")
    out: list[FeedEntry] = []
    read = 0
    for n, row in enumerate(rows, 2):
        if not row or len(row) <= max(col_domain, col_value):
            continue
        read += 1
        try:
            value = float(row[col_value])
        except ValueError:
            raise FeedError(f"line {n}: pc1 {row[col_value]!r} is not a number") from None
        if not 0.0 <= value <= 1.0:
            raise FeedError(f"line {n}: pc1 {value} is outside 0..1")
        written = row[col_domain].strip().lower()
        if value >= RATING_LOW_THRESHOLD or "/" in written:
            continue
        try:
            domain = normalize_rule_domain(written).domain
        except InvalidDomainError:
            continue
        if domain != written:  # a sub-domain's rating is not the registrable domain's
            continue
        out.append(FeedEntry(domain, SOURCE, SOURCE_URL, REPORTED, value=value, rating=RATING))
    if not read:
        raise FeedError("the ratings table has no rows")
    return out, read
