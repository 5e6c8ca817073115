"""Combine technique signals into one 0–100 score.

A domain is **suspicious when its score is ≥ 50** (``SUSPICIOUS_THRESHOLD``). Each technique
yields a signal with its own base score (the constants below); the verdict keeps the outlet whose
signals add up highest:

    score = strongest signal for that outlet
          + 10 for each further, different technique pointing at the same outlet (at most +20)
          + 15 when the post obfuscated the link (bold letters, defanging, zero-width …)

capped at 100. Obfuscation is only added on top of a resemblance: on a domain that resembles no
outlet it is reported as evidence but scores 0, because posts obfuscate links to all kinds of
sites to dodge spam filters, not only to fakes. Signals from 30 (``REPORT_FLOOR``) up to the
threshold stay in the verdict (status ``unknown``) so a reviewer can see a weak resemblance; they
never flag on their own.
A domain on the blocklist is ``malicious`` with score 100 whatever the signals.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from linkguard.models import Outlet

SUSPICIOUS_THRESHOLD = 50
MAX_SCORE = 100
BLOCKED_SCORE = 100

#: Signals weaker than this are dropped rather than reported ("admin.example.com" names no outlet).
REPORT_FLOOR = 30
#: Corroboration: another technique pointing at the same outlet.
EXTRA_TECHNIQUE_BONUS = 10
MAX_EXTRA_TECHNIQUES = 2
#: The post obfuscated the link: only added when the domain already resembles an outlet.
OBFUSCATION_BONUS = 15
#: The domain sits on a suffix campaigns favour (.ltd, .agency, .pm, .top …).
ABUSED_SUFFIX_BONUS = 15
#: A second-level registration that reads like a country TLD (com.de, eu.com).
SECOND_LEVEL_BONUS = 15
#: A typo on the outlet's own suffix (weltt.de): a classic typosquat.
SAME_SUFFIX_BONUS = 10
#: The brand is an ordinary word or ≤ 2 letters: as a combo or subdomain it proves little.
GENERIC_PENALTY = 20

# tld-swap base score by label length: the longer the name, the less likely a coincidence.
TLD_SWAP_BY_LENGTH = ((2, 25), (3, 35), (7, 45))  # (max length, score); longer → TLD_SWAP_LONG
TLD_SWAP_LONG = 55
HOMOGLYPH = 70
HOMOGLYPH_SHORT = 60  # brand of ≤ 3 letters
TYPO_BY_LENGTH = ((5, 45), (7, 50))  # longer → TYPO_LONG
TYPO_LONG = 55
FUZZY_PER_EXTRA_EDIT = 5
COMBO_NEWS_WORD = 55  # brand + news word with a separator ("welt-aktuell")
COMBO_GLUED = 50  # brand + news word without separator ("spiegelnachrichten")
COMBO_OTHER_WORD = 40  # brand + any word with a separator ("welt-reisen")
COMBO_SHORT_PENALTY = 10  # brand of ≤ 3 letters glued or next to an arbitrary word
EMBEDDED = 65
SUBDOMAIN_BRAND = 35
SUBDOMAIN_DISTINCTIVE_BONUS = 10  # brand of ≥ 5 letters that is no ordinary word
SUBDOMAIN_NEWSY_BONUS = 15  # registered domain has a news word or an abused suffix
DISPLAY_OUTLET = 50  # the post showed an outlet's domain or name, the link goes elsewhere
DISPLAY_OTHER = 20  # the post showed some other domain: worth noting, not alarming


def by_length(table: tuple[tuple[int, int], ...], longest: int, n: int) -> int:
    for max_len, score in table:
        if n <= max_len:
            return score
    return longest


@dataclass(frozen=True, slots=True)
class Signal:
    """One technique's finding about one outlet, with the sentence that explains it."""

    technique: str
    outlet: Outlet | None
    score: int
    detail: str
    data: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True, slots=True)
class Combined:
    outlet: Outlet | None
    score: int
    signals: tuple[Signal, ...]


def combine(signals: list[Signal], *, obfuscated: bool) -> Combined:
    """Pick the outlet with the highest combined score; keep only the signals that support it.

    Signals without an outlet (a display mismatch naming some other domain) ride along with the
    winner but add no corroboration bonus.
    """
    groups: dict[str, list[Signal]] = {}
    loose: list[Signal] = []
    for s in signals:
        if s.outlet is None:
            loose.append(s)
        else:
            groups.setdefault(s.outlet.domain, []).append(s)
    best: Combined | None = None
    for group in groups.values():
        strongest = max(group, key=lambda s: s.score)
        others = {s.technique for s in group} - {strongest.technique}
        score = strongest.score + EXTRA_TECHNIQUE_BONUS * min(len(others), MAX_EXTRA_TECHNIQUES)
        if obfuscated:
            score += OBFUSCATION_BONUS
        candidate = Combined(strongest.outlet, min(score, MAX_SCORE), tuple(group))
        if best is None or candidate.score > best.score:
            best = candidate
    if best is None:
        top = max((s.score for s in loose), default=0)
        return Combined(None, min(top, MAX_SCORE), tuple(loose))
    return Combined(best.outlet, best.score, best.signals + tuple(loose))
