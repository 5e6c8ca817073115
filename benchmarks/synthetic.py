"""Synthetic lookalikes of the curated outlets, one trick each, for fitting and measuring the detector.

The real campaign lists are mostly one pattern (an outlet's exact name on an odd ending). Typos,
homoglyphs, combos, embedded domains and brand subdomains are what dnstwist and Chromium's lookalike
checks look for, and what the next campaign may use; this module makes labelled examples of each,
written here from the attack descriptions (not with the detector's own permutation code), with a
seeded generator so that the fitting set and the measuring set are different draws.
"""

from __future__ import annotations

import random
from collections.abc import Iterator

from linkguard.models import Outlet
from linkguard.normalize import parse_link

#: Latin letters and the Cyrillic/Greek letters (and digits) that look like them.
LOOKALIKE_LETTERS: dict[str, str] = {
    "a": "аα",
    "e": "е",
    "o": "оο0",
    "p": "рρ",
    "c": "с",
    "x": "х",
    "i": "іι1",
    "y": "у",
    "l": "1ӏ",
    "s": "ѕ",
    "h": "һ",
    "k": "κ",
    "n": "п",
    "m": "rn",
    "w": "vv",
}
NEIGHBOURS = {
    "q": "wa", "w": "qes", "e": "wrd", "r": "etf", "t": "ryg", "y": "tuh", "u": "yij", "i": "uok",
    "o": "ipl", "p": "ol", "a": "qsz", "s": "adw", "d": "sfe", "f": "dgr", "g": "fht", "h": "gjy",
    "j": "hku", "k": "jli", "l": "ko", "z": "xa", "x": "zcs", "c": "xvd", "v": "cbf", "b": "vng",
    "n": "bmh", "m": "nj",
}  # fmt: skip
WORDS = ("news", "live", "today", "aktuell", "info", "daily", "online", "politik", "24", "actu", "press")
STRANGER = ("update", "portal", "media", "report", "journal", "daily", "global", "world")
ENDINGS = ("com", "net", "org", "info", "online", "site", "top", "news")
#: The "account" kind: Chromium's combo-squatting keywords (and a German one), the article an
#: outlet's name starts with, or the outlet's country code ("pravda-ua"): words that tie a combo to
#: one outlet.
ACCOUNT = ("login", "account", "secure", "signin", "verify", "konto")
#: Articles an outlet's name may start with ("Der Tagesspiegel", "Le Point"), glued back on.
ARTICLES = ("der", "die", "das", "the", "le", "la", "les", "el", "il", "het")
#: New kinds go last: the draws of the earlier kinds stay the same for a given seed.
KINDS = ("typo", "homoglyph", "combo", "embedded", "subdomain", "account")


def _typo(rng: random.Random, label: str) -> str:
    i = rng.randrange(len(label))
    op = rng.choice(("omit", "double", "swap", "neighbour"))
    if op == "omit":
        return label[:i] + label[i + 1 :]
    if op == "double":
        return label[: i + 1] + label[i:]
    if op == "swap" and i < len(label) - 1:
        return label[:i] + label[i + 1] + label[i] + label[i + 2 :]
    near = NEIGHBOURS.get(label[i], "")
    return label[:i] + rng.choice(near) + label[i + 1 :] if near else label[:i] + label[i + 1 :]


def _homoglyph(rng: random.Random, label: str) -> str:
    spots = [i for i, ch in enumerate(label) if ch in LOOKALIKE_LETTERS]
    if not spots:
        return ""
    i = rng.choice(spots)
    return label[:i] + rng.choice(LOOKALIKE_LETTERS[label[i]]) + label[i + 1 :]


def _ending(rng: random.Random, own: str) -> str:
    return own if rng.random() < 0.5 else rng.choice(ENDINGS)


def make(rng: random.Random, outlet: Outlet, kind: str) -> str:
    """One lookalike of ``outlet`` made with ``kind``; "" when the trick does not apply."""
    link = parse_link(outlet.domain)
    if link is None or not link.domain_label:
        return ""
    label, own = link.domain_label, link.suffix
    if kind == "typo":
        return f"{_typo(rng, label)}.{_ending(rng, own)}"
    if kind == "homoglyph":
        fake = _homoglyph(rng, label)
        return f"{fake}.{_ending(rng, own)}" if fake else ""
    if kind == "combo":
        word = rng.choice(WORDS)
        form = rng.choice((f"{label}-{word}", f"{word}-{label}", f"{label}{word}"))
        return f"{form}.{_ending(rng, own)}"
    if kind == "account":
        first = outlet.name.split()[0].lower()
        country = "uk" if outlet.country == "GB" else outlet.country.lower()
        if first in ARTICLES and not label.startswith(first):
            form = rng.choice((f"{first}{label}", f"{first}-{label}"))
        elif len(country) == 2 and rng.random() < 0.25:
            form = rng.choice((f"{label}-{country}", f"{country}-{label}"))
        else:
            word = rng.choice(ACCOUNT)
            form = rng.choice((f"{label}-{word}", f"{word}-{label}", f"{word}{label}", f"{label}{word}"))
        return f"{form}.{_ending(rng, own)}"
    if kind == "embedded":
        return f"{outlet.domain}.{rng.choice(STRANGER)}-{rng.choice(WORDS)}.{rng.choice(ENDINGS)}"
    if kind == "subdomain":
        return f"{label}.{rng.choice(STRANGER)}{rng.choice(WORDS)}.{rng.choice(ENDINGS)}"
    raise ValueError(kind)


def lookalikes(outlets: list[Outlet], seed: int, per_kind: int) -> Iterator[tuple[str, str, Outlet]]:
    """``per_kind`` examples of each kind, as (kind, domain, imitated outlet), names of 3+ letters."""
    rng = random.Random(seed)
    usable = [
        o
        for o in outlets
        if len(o.domain.partition(".")[0]) >= 3 and o.origin == "bundled" and o.tier == "curated"
    ]
    for kind in KINDS:
        made = 0
        for outlet in rng.sample(usable, len(usable)):
            domain = make(rng, outlet, kind)
            if domain and domain.lower() not in outlet.domains:
                yield kind, domain, outlet
                made += 1
                if made == per_kind:
                    break
