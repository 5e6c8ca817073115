"""Combine technique signals into one 0–100 score with a logistic model fitted to real domains.

Each technique emits a ``Signal``: the outlet it points at, a sentence for the evidence, and the
**features** it observed — which trick (``tld-swap``, ``combo-glued`` …) and facts about the brand
and the ending (``brand-short``, ``brand-generic``, ``ending-rarity``, ``namesakes`` …). Signals
about the same outlet are pooled (a feature keeps its strongest value) and scored as

    p = sigmoid(bias + Σ weight[f] · value[f]);    score = round(100 · p)

so **score ≥ 50 (suspicious) means the model puts the odds of a real lookalike at even or better**.
The weights live in ``linkguard/data/scoring-model.json``, written by
``benchmarks/fit_scoring.py`` from labelled domain lists (real campaign lookalikes against popular
and news domains); that file also records what it was fitted on. Every feature that raised the
score has its own evidence sentence, so a verdict can still be read line by line.

Signals from 30 (``REPORT_FLOOR``) up to the threshold stay in the verdict (status ``unknown``) so
a reviewer can see a weak resemblance. Obfuscation (``obfuscated``) only counts on top of a
resemblance: posts obfuscate links to all kinds of sites to dodge spam filters.
A domain on the blocklist is ``malicious`` with score 100 whatever the signals.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from linkguard.lookalike.permutations import KIND_PHRASES
from linkguard.models import Outlet, Technique

# The thresholds are the one verdict policy's (``linkguard.policy``), re-exported where they always were.
from linkguard.policy import BLOCKED_SCORE as BLOCKED_SCORE
from linkguard.policy import MAX_SCORE as MAX_SCORE
from linkguard.policy import SUSPICIOUS_THRESHOLD as SUSPICIOUS_THRESHOLD

#: Signals weaker than this are dropped rather than reported ("admin.example.com" names no outlet).
REPORT_FLOOR = 30
#: Corroboration is counted up to this many further techniques.
MAX_EXTRA_TECHNIQUES = 2

#: Every feature the model knows, with what it means; a feature missing from the weights file
#: weighs 0. Technique features are 0/1; the others are scaled to 0..1.
FEATURES: dict[str, str] = {
    "tld-swap": "the outlet's exact name on another ending",
    "tld-swap-second-level": "the exact name under a second-level registration (com.de, eu.com)",
    "homoglyph": "look-alike characters that read as the name",
    "transliteration": "the name transliterated from another script (РБК → rbk/rbc)",
    **{f"typo-{kind}": f"a dnstwist-style typo: {phrase}" for kind, phrase in KIND_PHRASES.items()},
    "typo-at-edge": "the typo changes the first or last letter (real words differ there more than slips do)",
    "typo-fuzzy": "a few edits away from the name",
    "combo-news": "the name plus a news word, with a separator",
    "combo-glued": "the name glued to a news word",
    "combo-other": "the name plus another word, with a separator",
    "combo-digits": "the name plus only digits",
    "combo-account": "… the word is an account or login word (login, account, secure …)",
    "combo-article": "… the word is an article, spelling out the masthead (der, the, le …)",
    "combo-country": "… the word names the outlet's own country (ua, ukraine …)",
    "embedded": "the real domain embedded in another domain or before '@'",
    "subdomain-brand": "the name as a subdomain of a stranger's domain",
    "hosted-brand": "the name as a site on a hosting platform",
    "gov-namespace": "a government namespace's label (gouv of gouv.fr) as the registered name elsewhere",
    "gov-namespace-typo": "… misspelt: a letter doubled or swapped for a look-alike (govv, qov)",
    "gov-namespace-agency": "… with a ministry's label the rules list under it (mfa of mfa.gov.ua)",
    "display-mismatch": "the post showed the outlet, the link goes elsewhere",
    "extra-techniques": "further techniques pointing at the same outlet (0, ½, 1)",
    "brand-short": "the name has 3 letters or fewer",
    "reference-outlet": "the outlet comes from the bulk reference list, not the curated rules",
    "popular-target": "the imitated site is a popular site no outlet rule names (the popular tier)",
    "brand-length": "the name's length (letters, up to 12, scaled)",
    "brand-generic": "the name is an ordinary word",
    "ending-rarity": "how rarely popular sites use the domain's ending",
    "ending-abuse": "how abuse-dense the ending is: its published phishing domains per registration "
    "against .com's, log-scaled (Cybercrime Information Center; 0 where the table has no figure)",
    "ending-rarity-country": "… the part of ``ending-rarity`` owed to a small country's own web (scaled by "
    "``ending-country``): a small country still has its namesakes, an unused ending has none",
    "same-ending": "the lookalike sits on the outlet's own ending",
    "ending-country": "the lookalike sits on a country's ending other than the outlet's own, less the "
    "ending's generic use (its popular sites that its country's press does not explain: .cc, .tv, .me)",
    "ending-country-foreign": "… the same, where the ending's country speaks none of the outlet country's "
    "languages (CLDR): a namesake there is less likely than next door",
    "ending-country-registry": "… under a country's own second level (com.ar, co.za): where local sites live",
    "ending-own-country": "… on the outlet's own country's ending (its own other site, or a local namesake), "
    "scaled as ``ending-country`` is",
    "ending-shared-language": "… on the ending of a country that shares the outlet's language",
    "namesakes": "popular sites with the same name on other endings (log-scaled)",
    "newsy": "the registered domain carries a news word",
    "crowded-name": "popular sites named one typo away from the outlet's name (log-scaled)",
    "obfuscated": "the post obfuscated the link",
}


@dataclass(frozen=True, slots=True)
class Model:
    bias: float
    weights: dict[str, float]
    meta: dict[str, Any]

    def logit(self, features: dict[str, float]) -> float:
        w = self.weights
        return self.bias + sum(w.get(f, 0.0) * v for f, v in features.items())

    def score(self, features: dict[str, float]) -> int:
        z = self.logit(features)
        p = 1.0 / (1.0 + math.exp(-z)) if z > -50 else 0.0
        return min(MAX_SCORE, round(100 * p))


@cache
def model() -> Model:
    """The fitted weights shipped with linkguard (read once)."""
    text = resources.files("linkguard.data").joinpath("scoring-model.json").read_text(encoding="utf-8")
    doc = json.loads(text)
    return Model(
        float(doc["bias"]), {str(k): float(v) for k, v in doc["weights"].items()}, doc.get("meta", {})
    )


@dataclass(frozen=True, slots=True)
class Signal:
    """One technique's finding about one outlet, with the sentence that explains it."""

    technique: Technique
    outlet: Outlet | None
    features: dict[str, float] = field(compare=False, hash=False)
    detail: str = ""
    data: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @property
    def score(self) -> int:
        return model().score(self.features)


@dataclass(frozen=True, slots=True)
class Combined:
    outlet: Outlet | None
    score: int
    signals: tuple[Signal, ...]
    features: dict[str, float] = field(default_factory=dict)


def pool(signals: list[Signal] | tuple[Signal, ...], *, obfuscated: bool) -> dict[str, float]:
    """The features of several signals about one outlet: each feature at its strongest."""
    out: dict[str, float] = {}
    for s in signals:
        for f, v in s.features.items():
            if v > out.get(f, 0.0) or f not in out:
                out[f] = max(v, out.get(f, v))
    techniques = {s.technique for s in signals}
    if len(techniques) > 1:
        out["extra-techniques"] = min(len(techniques) - 1, MAX_EXTRA_TECHNIQUES) / MAX_EXTRA_TECHNIQUES
    if obfuscated:
        out["obfuscated"] = 1.0
    return out


def combine(signals: list[Signal], *, obfuscated: bool) -> Combined:
    """Pick the outlet with the highest pooled score; keep only the signals that support it.

    Signals without an outlet (a display mismatch naming some other domain) ride along with the
    winner but add nothing to its score.
    """
    groups: dict[Outlet, list[Signal]] = {}
    loose: list[Signal] = []
    for s in signals:
        if s.outlet is None:
            loose.append(s)
        else:
            groups.setdefault(s.outlet, []).append(s)
    m = model()
    best: Combined | None = None
    for group in groups.values():
        features = pool(group, obfuscated=obfuscated)
        candidate = Combined(group[0].outlet, m.score(features), tuple(group), features)
        if best is None or candidate.score > best.score:
            best = candidate
    if best is None:
        top = max((s.score for s in loose), default=0)
        return Combined(None, min(top, MAX_SCORE), tuple(loose))
    return Combined(best.outlet, best.score, best.signals + tuple(loose), best.features)
