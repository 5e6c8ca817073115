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
from functools import cache

from linkguard.lookalike.government import Government
from linkguard.models import Outlet
from linkguard.normalize import parse_link
from linkguard.rules import load_rules

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
KINDS = ("typo", "homoglyph", "combo", "embedded", "subdomain", "account", "government")
#: The "government" kind: a ministry's label as it appears on its real host, when the rules list none.
MINISTRIES = ("minfin", "health", "interior", "premier", "portal", "tax", "education", "consular")


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


def _near_ending(rng: random.Random, own: str, taken: set[str]) -> str:
    """A country ending one letter from ``own`` (.fm for .fr, .pw for .pl), as the campaigns chose;
    not one at or next to ``taken`` (the endings of the same label's other namespaces of covered
    countries): a fake between two of them names neither."""

    def near(e: str) -> list[str]:
        return [e[:i] + c + e[i + 1 :] for i in range(2) for c in "abcdefghijklmnopqrstuvwxyz" if c != e[i]]

    others = {n for t in taken - {own} for n in near(t)} | taken
    real = [
        e for e in near(own) if e not in others and (x := parse_link(f"x.{e}")) is not None and x.suffix == e
    ]
    return rng.choice(real) if real else ""


@cache
def _government() -> Government:
    """The namespaces of the bundled rules and Public Suffix List (``linkguard.lookalike.government``)."""
    return Government(load_rules())


def government(rng: random.Random, outlets: list[Outlet]) -> tuple[str, Outlet]:
    """A fake of a government namespace (gov.pl, gouv.fr, bund.de) of a country the curated rules
    cover, as the campaigns made them (gouv.fm, bund.pe, govv.pw, diplomatie.gouv.fm, mfa-qov.info):
    the namespace's label moved to another ending, misspelt with a doubled or look-alike letter,
    with a ministry's label as a subdomain or joined to it. A label several countries use is tied
    to one as the campaigns tied it: an ending one letter from the country's, a ministry the rules
    list under it, or the country code ("gov-pl"); a label used across languages (gov) is never
    moved unchanged, as none was (gov.hu and gov.wales are real). The imitated outlet is the
    ministry's, when the rules list it, else the namespace itself."""
    gov = _government()
    spaces = sorted(
        (ns for same in gov.namespaces.values() for ns in same if gov.covered(ns) and len(ns.label) > 2),
        key=lambda n: n.domain,
    )
    ns = rng.choice(spaces)
    label, own = ns.label, ns.ending
    shared = len(gov.namespaces[label]) > 1
    under = [
        o for o in outlets if o.tier == "curated" and any(d.endswith("." + ns.domain) for d in o.domains)
    ]
    ministry = rng.choice(under) if under and rng.random() < 0.5 else None
    i = rng.randrange(len(label))
    slips = [
        label[: i + 1] + label[i:],
        *(label[:i] + c + label[i + 1 :] for c in {"g": "q", "o": "0"}.get(label[i], "")),
    ]
    spelt = rng.choice(slips) if not ns.languages or rng.random() < 0.5 else label
    tie = rng.choice(("ending", "ministry", "code")) if shared else ""
    if tie == "ministry" and ministry is None:
        tie = "ending" if len(own) == 2 else "code"
    taken = {n.ending for n in gov.namespaces[label] if gov.covered(n)}
    ending = _near_ending(rng, own, taken) if tie == "ending" and len(own) == 2 else ""
    if tie == "ending" and not ending:
        tie = "code"  # every ending next to it is next to another country's too
    ending = ending or rng.choice(ENDINGS)
    if tie == "code":
        return f"{label}-{own}.{ending}", ns.outlet
    if ministry is not None and (tie == "ministry" or rng.random() < 0.5):
        agency = ministry.domain.partition(".")[0]
        form = rng.choice((f"{agency}.{spelt}", f"{agency}-{spelt}", f"{spelt}-{agency}"))
        return f"{form}.{ending}", ministry
    if rng.random() < 0.5:
        return f"{rng.choice(MINISTRIES)}.{spelt}.{ending}", ns.outlet
    return f"{spelt}.{ending}", ns.outlet


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
        if kind == "government":
            for _ in range(per_kind):
                domain, target = government(rng, outlets)
                yield kind, domain, target
            continue
        for outlet in rng.sample(usable, len(usable)):
            domain = make(rng, outlet, kind)
            if domain and domain.lower() not in outlet.domains:
                yield kind, domain, outlet
                made += 1
                if made == per_kind:
                    break
