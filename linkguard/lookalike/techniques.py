"""The lookalike techniques: pure functions from a link's parts to scored, explained signals.

Each function looks for one trick and says, in a sentence a fact-checker can quote, which outlet
the domain imitates and how. None of them decides the verdict; ``scoring.combine`` does.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from linkguard.lookalike import scoring as sc
from linkguard.lookalike.confusables import describe_lookalikes, skeleton, skeletons
from linkguard.lookalike.index import Brand, Index, allowed_edits
from linkguard.lookalike.permutations import KIND_PHRASES
from linkguard.lookalike.wordlists import ABUSED_SUFFIXES, COMBO_WORDS, NON_BRAND_SUBDOMAINS
from linkguard.models import Outlet
from linkguard.normalize import parse_link

_TOKENS = re.compile(r"[a-z]+|[0-9]+")
_NEWSY_WORDS = tuple(sorted((w for w in COMBO_WORDS if len(w) >= 4), key=len, reverse=True))
_MAX_WINDOW = 4


class Subject(NamedTuple):
    """What the techniques need to know about one link, prepared once by the detector."""

    host: str
    host_unicode: str
    registered: str
    label: str  # ASCII registrable label (may be punycode)
    label_unicode: str
    suffix: str
    subdomain: str
    private_suffix: bool
    capital_i_label: str | None  # the label with a capital I from the post read as l ("spiegeI")
    userinfo: str  # text before "@" in the link as posted
    display: str | None
    #: The host the link reads as when "\\" is taken for a character ("welt.ltd\\@welt.de"
    #: reads as welt.de); browsers read it as "/" and go to ``host``.
    pretended_host: str = ""


def _pick(brands: list[Brand], suffix: str) -> Brand:
    """Of several outlets sharing a name, prefer the one whose country/TLD the domain echoes."""
    last = suffix.rsplit(".", 1)[-1]
    for b in brands:
        if any(s.rsplit(".", 1)[-1] == last for s in b.suffixes):
            return b
    return brands[0]


def _who(brand: Brand | Outlet) -> str:
    outlet = brand.outlet if isinstance(brand, Brand) else brand
    return f"imitates {outlet.name} ({brand.domain})"


def is_second_level(suffix: str, private: bool) -> bool:
    """A private suffix like com.de or eu.com that reads as a country or generic TLD."""
    head, _, rest = suffix.partition(".")
    return private and bool(rest) and head.isalpha() and len(head) <= 3


def _suffix_note(subj: Subject, brand: Brand) -> str:
    return f" on .{subj.suffix} instead of .{brand.suffix}" if subj.suffix not in brand.suffixes else ""


def _suffix_bonus(subj: Subject, brand: Brand, *, same_suffix: bool = False) -> int:
    if subj.suffix.rsplit(".", 1)[-1] in ABUSED_SUFFIXES:
        return sc.ABUSED_SUFFIX_BONUS
    if is_second_level(subj.suffix, subj.private_suffix):
        return sc.SECOND_LEVEL_BONUS
    if same_suffix and subj.suffix in brand.suffixes:
        return sc.SAME_SUFFIX_BONUS
    return 0


def _signal(technique: str, brand: Brand, score: int, detail: str, **data: object) -> sc.Signal:
    full = f"{_who(brand)}: {detail}"
    return sc.Signal(technique, brand.outlet, score, full, {"brand": brand.label, **data})


def tld_swap(index: Index, subj: Subject) -> list[sc.Signal]:
    """welt.ltd, spiegel.agency, tagesspiegel.com.de: the outlet's own name on another suffix."""
    brands = index.brands.get(subj.label)
    if not brands:
        return []
    brand = _pick(brands, subj.suffix)
    n = len(subj.label.replace("-", ""))
    base = sc.by_length(sc.TLD_SWAP_BY_LENGTH, sc.TLD_SWAP_LONG, n)
    if subj.private_suffix and not is_second_level(subj.suffix, True):
        score = sc.SUBDOMAIN_BRAND + sc.SUBDOMAIN_NEWSY_BONUS
        if not brand.generic and n >= 5:
            score += sc.SUBDOMAIN_DISTINCTIVE_BONUS
        detail = f"the name '{subj.label}' as a site on {subj.suffix}, a platform where anyone can open one"
        return [_signal("subdomain-brand", brand, score, detail)]
    score = base + _suffix_bonus(subj, brand) - (sc.GENERIC_PENALTY // 2 if brand.generic else 0)
    if is_second_level(subj.suffix, subj.private_suffix):
        tld = subj.suffix.rsplit(".", 1)[-1]
        detail = (
            f"same name under {subj.suffix}, a second-level registration that reads like .{tld}, "
            f"instead of .{brand.suffix}"
        )
    else:
        detail = f"same name on .{subj.suffix} instead of .{brand.suffix}"
    return [_signal("tld-swap", brand, score, detail)]


def homoglyph(index: Index, subj: Subject) -> list[sc.Signal]:
    """wеlt.de (Cyrillic е), vvelt.de, we1t.de, spiegeI.de: characters that read as the brand's."""
    readings: list[tuple[str, str]] = [(subj.label_unicode, s) for s in skeletons(subj.label_unicode)]
    if subj.capital_i_label:
        readings.append((subj.capital_i_label, skeleton(subj.capital_i_label)))
    for shown, skel in readings:
        brands = index.skeletons.get(skel)
        if not brands or subj.label in index.brands:
            continue
        plain = subj.label_unicode.isascii() and shown == subj.label_unicode
        if plain and skeleton(subj.label) == subj.label:
            continue  # "tfl" is not a disguised "tf1": nothing in it is a look-alike character
        brand = _pick(brands, subj.suffix)
        if plain and len(brand.label) <= 2:
            continue  # ASCII tricks on a two-letter name ("cli" for "di") match ordinary words
        tricks = ["capital I for l"] if shown is subj.capital_i_label else describe_lookalikes(shown)
        short = len(brand.label) <= 3
        score = (sc.HOMOGLYPH_SHORT if short else sc.HOMOGLYPH) + _suffix_bonus(subj, brand)
        how = f" ({', '.join(tricks)})" if tricks else ""
        where = f"; registered as {subj.label}" if subj.label.startswith("xn--") else ""
        detail = (
            f"'{subj.label_unicode}' is written with look-alike characters{how} to read as "
            f"'{brand.label}'{_suffix_note(subj, brand)}{where}"
        )
        return [_signal("homoglyph", brand, score, detail, tricks=tricks)]
    return []


def _typo_key(subj: Subject) -> str:
    return subj.label if not subj.label.startswith("xn--") else skeleton(subj.label_unicode)


def typo(index: Index, subj: Subject) -> list[sc.Signal]:
    """fox-news.top, washingtonpots.com, spigel.de: one keyboard slip away from the brand."""
    key = _typo_key(subj)
    if key in index.brands or subj.label in index.legit_labels:
        return []
    hit = index.permutations.get(key)
    if hit is not None:
        brand, kind = hit
        base = sc.by_length(sc.TYPO_BY_LENGTH, sc.TYPO_LONG, len(brand.label))
        score = base + _suffix_bonus(subj, brand, same_suffix=True)
        detail = f"'{key}' is '{brand.label}' {KIND_PHRASES[kind]} ({kind}){_suffix_note(subj, brand)}"
        return [_signal("typo", brand, score, detail, kind=kind)]
    limit = allowed_edits(len(key))
    if not limit:
        return []
    from rapidfuzz import process  # ~15 ms of imports that a scan without unknown names never needs
    from rapidfuzz.distance import OSA

    best: tuple[int, Brand] | None = None
    buckets = index.fuzzy_choices
    for length in range(len(key) - limit, len(key) + limit + 1):
        if length not in buckets:
            continue
        keys, brands = buckets[length]
        found = process.extractOne(key, keys, scorer=OSA.distance, score_cutoff=limit)
        if (
            found is not None
            and 1 <= found[1] <= allowed_edits(length)
            and (best is None or found[1] < best[0])
        ):
            best = (int(found[1]), brands[found[2]])
    if best is None:
        return []
    edits, brand = best
    base = sc.by_length(sc.TYPO_BY_LENGTH, sc.TYPO_LONG, len(brand.label))
    score = base - sc.FUZZY_PER_EXTRA_EDIT * (edits - 1) + _suffix_bonus(subj, brand, same_suffix=True)
    plural = "edit" if edits == 1 else "edits"
    detail = f"'{key}' is {edits} {plural} away from '{brand.label}'{_suffix_note(subj, brand)}"
    return [_signal("typo", brand, score, detail, kind="fuzzy", edits=edits)]


def _is_combo_word(token: str) -> bool:
    return token.isdigit() or token in COMBO_WORDS


def _combo_brand(index: Index, joined: str, hyphened: str) -> tuple[Brand, str] | None:
    for name in (joined, hyphened):
        if name in index.brands:
            return index.brands[name][0], ""
    hit = index.permutations.get(joined)
    if hit is not None and len(joined) >= 6:
        return hit[0], hit[1]
    return None


def combo(index: Index, subj: Subject) -> list[sc.Signal]:
    """spiegel-nachrichten.info, welt24.de, foxnewslive.com: the brand plus a word.

    A brand glued to an arbitrary word (weltbild, bildung, spiegelreflex, timesheet) is not a
    combo: without a hyphen or digit boundary the extra part must be a known combo word.
    """
    key = _typo_key(subj)
    if subj.label in index.legit_labels or key in index.brands:
        return []
    tokens = _TOKENS.findall(key)
    best: sc.Signal | None = None

    def consider(brand: Brand, rest: list[str], glued: bool, misspelt: str) -> None:
        nonlocal best
        news = all(_is_combo_word(t) for t in rest)
        short = len(brand.label.replace("-", "")) <= 3
        if glued:
            score = sc.COMBO_GLUED - (sc.COMBO_SHORT_PENALTY if short else 0)
        elif news:
            score = sc.COMBO_NEWS_WORD
        else:
            if len(brand.label) <= 2:
                return
            score = sc.COMBO_OTHER_WORD - (sc.COMBO_SHORT_PENALTY if short else 0)
        if brand.generic:
            score -= sc.GENERIC_PENALTY
        score += _suffix_bonus(subj, brand)
        spelt = f" (misspelt: {misspelt})" if misspelt else ""
        words = "-".join(rest)
        detail = f"the name '{brand.label}'{spelt} combined with '{words}'{_suffix_note(subj, brand)}"
        if best is None or score > best.score:
            best = _signal("combo", brand, score, detail, words=rest)

    n = len(tokens)
    for i in range(n):
        for j in range(i + 1, min(n, i + _MAX_WINDOW) + 1):
            if j - i == n:
                continue
            found = _combo_brand(index, "".join(tokens[i:j]), "-".join(tokens[i:j]))
            if found is not None:
                consider(found[0], tokens[:i] + tokens[j:], False, found[1])
    for t, token in enumerate(tokens):
        if not token.isalpha():
            continue
        for k in range(3, len(token) - 1):
            head, tail = token[:k], token[k:]
            rest_before, rest_after = tokens[:t], tokens[t + 1 :]
            if head in index.brands and tail in COMBO_WORDS:
                consider(index.brands[head][0], [*rest_before, tail, *rest_after], True, "")
            if tail in index.brands and head in COMBO_WORDS:
                consider(index.brands[tail][0], [*rest_before, head, *rest_after], True, "")
    return [best] if best is not None else []


def embedded(index: Index, subj: Subject) -> list[sc.Signal]:
    """welt.de.nachrichten-heute.com, www-tagesschau-de.info, welt.de@evil.com: the real domain inside."""
    signals: list[sc.Signal] = []
    labels = re.split(r"[.-]", subj.host)
    last = len(labels) - 1
    for size in range(2, index.max_domain_labels + 1):
        for start in range(0, last - size + 1):  # the window must end before the real TLD
            name = ".".join(labels[start : start + size])
            outlet = index.outlet_by_domain.get(name)
            if outlet is not None:
                detail = (
                    f"{_who(outlet)}: the real domain {name} is embedded in {subj.host_unicode}, "
                    f"which belongs to {subj.registered}"
                )
                signals.append(sc.Signal("embedded", outlet, sc.EMBEDDED, detail, {"embedded": name}))
    for token in subj.label.split("-"):
        brand = index.dotless.get(token)
        if brand is not None and token != subj.label.replace("-", ""):
            detail = f"{_who(brand)}: '{token}' is the domain {brand.domain} with its dot removed"
            signals.append(sc.Signal("embedded", brand.outlet, sc.EMBEDDED, detail, {"embedded": token}))
    if subj.userinfo:
        found = _named_outlet(index, subj.userinfo)
        if found is not None:
            outlet, name = found
            detail = (
                f"{_who(outlet)}: the link starts with '{subj.userinfo}@', so it seems to lead to "
                f"{name}, but everything before '@' is ignored and it goes to {subj.host_unicode}"
            )
            signals.append(sc.Signal("embedded", outlet, sc.EMBEDDED, detail, {"userinfo": name}))
            return signals
    if subj.pretended_host:
        found = _named_outlet(index, subj.pretended_host)
        if found is not None:
            outlet, name = found
            detail = (
                f"{_who(outlet)}: the link reads as leading to {subj.pretended_host}, but browsers "
                f"read its '\\' as '/' and go to {subj.host_unicode}"
            )
            signals.append(sc.Signal("embedded", outlet, sc.EMBEDDED, detail, {"pretended": name}))
    return signals


def _named_outlet(index: Index, text: str) -> tuple[Outlet, str] | None:
    """The outlet whose domain (or, failing that, bare brand) ``text`` names, and that name."""
    parts = re.split(r"[.:@-]", text.lower())
    for size in range(index.max_domain_labels, 0, -1):  # the whole domain before a bare brand
        for start in range(0, len(parts) - size + 1):
            name = ".".join(parts[start : start + size])
            outlet = index.outlet_by_domain.get(name)
            if outlet is None and size == 1 and name in index.brands:
                outlet = index.brands[name][0].outlet
            if outlet is not None:
                return outlet, name
    return None


def _newsy(subj: Subject) -> bool:
    if subj.suffix.rsplit(".", 1)[-1] in ABUSED_SUFFIXES:
        return True
    return any(w in subj.label for w in _NEWSY_WORDS)


def subdomain_brand(index: Index, subj: Subject) -> list[sc.Signal]:
    """welt.newsupdate.com, spiegel.example.top: the outlet's name as a subdomain of a stranger's domain."""
    if not subj.subdomain:
        return []
    best: sc.Signal | None = None
    for label in subj.subdomain.split("."):
        if label in NON_BRAND_SUBDOMAINS:
            continue
        names = [label, *label.split("-")] if "-" in label else [label]
        for name in names:
            brands = index.brands.get(name)
            if not brands:
                continue
            brand = _pick(brands, subj.suffix)
            score = sc.SUBDOMAIN_BRAND
            if not brand.generic and len(name) >= 5:
                score += sc.SUBDOMAIN_DISTINCTIVE_BONUS
            if _newsy(subj):
                score += sc.SUBDOMAIN_NEWSY_BONUS
            if brand.generic:
                score -= sc.GENERIC_PENALTY
            detail = f"'{name}' is used as a subdomain of the unrelated domain {subj.registered}"
            if best is None or score > best.score:
                best = _signal("subdomain-brand", brand, score, detail)
    return [best] if best is not None else []


def display_target(index: Index, display: str) -> tuple[str, Outlet | None, str] | None:
    """What a link card or anchor text named: (registered domain or "", outlet, as shown)."""
    shown = display.strip()
    if not shown:
        return None
    link = parse_link(shown.split()[0])
    if link is not None and (link.registered_domain or link.is_ip):
        outlet = None
        host = link.host
        while host and outlet is None:
            outlet = index.outlet_by_domain.get(host)
            if host == link.registered_domain:
                break
            host = host.partition(".")[2]
        return link.registered_domain or link.host, outlet, link.host_unicode
    # A label that is not a domain names an outlet only as its name ("Die Welt") or as a masthead-
    # styled, distinctive brand ("WELT", "Spiegel"): anchor text such as "state" or "focus" in
    # documentation is ordinary words, not a claim to be State or FOCUS.
    if shown.islower() and " " not in shown:
        return None
    key = shown.casefold()
    if key in index.outlet_by_name:
        return "", index.outlet_by_name[key], shown
    found = index.brands.get(key)
    if found and not found[0].generic:
        return "", found[0].outlet, shown
    return None


def display_mismatch(index: Index, subj: Subject) -> list[sc.Signal]:
    """The post showed welt.de (or "WELT") while the link goes to another domain."""
    if not subj.display:
        return []
    target = display_target(index, subj.display)
    if target is None:
        return []
    domain, outlet, shown = target
    if domain and domain in (subj.registered, subj.host):
        return []
    if outlet is not None and subj.registered in outlet.domains:
        return []
    if outlet is not None:
        detail = f"{_who(outlet)}: the post showed '{shown}', but the link goes to {subj.host_unicode}"
        return [sc.Signal("display-mismatch", outlet, sc.DISPLAY_OUTLET, detail, {"shown": shown})]
    detail = f"the post showed '{shown}', but the link goes to {subj.host_unicode}"
    return [sc.Signal("display-mismatch", None, sc.DISPLAY_OTHER, detail, {"shown": shown})]


#: Run in this order; the detector keeps, per outlet, the strongest signal of each technique.
TECHNIQUES = (tld_swap, homoglyph, typo, combo, embedded, subdomain_brand, display_mismatch)
