"""The lookalike techniques: pure functions from a link's parts to explained signals.

Each function looks for one trick and says, in a sentence a fact-checker can quote, which outlet
the domain imitates and how, together with the features the scoring model weighs (which trick,
how distinctive the name is, how unusual the ending is). None of them decides the verdict;
``scoring.combine`` does.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import replace
from typing import NamedTuple

from linkguard.lookalike import scoring as sc
from linkguard.lookalike.abuse import abuse_density
from linkguard.lookalike.cldr import country_name, languages
from linkguard.lookalike.confusables import describe_lookalikes, skeleton, skeletons
from linkguard.lookalike.government import Namespace
from linkguard.lookalike.index import GLUED_NAME_MIN, GLUED_WORD_MIN, Brand, Index
from linkguard.lookalike.permutations import KIND_PHRASES
from linkguard.lookalike.wordlists import (
    ACCOUNT_WORDS,
    ARTICLES,
    COMBO_WORDS,
    COUNTRY_TOKENS,
    CYRILLIC_TO_LATIN,
    IDN_COUNTRY_ENDINGS,
    NON_BRAND_SUBDOMAINS,
)
from linkguard.models import Outlet, Technique
from linkguard.normalize import parse_link

_TOKENS = re.compile(r"[a-z]+|[0-9]+")
_LABEL_SEPARATORS = re.compile(r"[.-]")
#: A news word of four letters or more anywhere in a label (``newsy``): one search in C instead of
#: a substring test per word, which was a third of ``facts``.
_NEWSY = re.compile("|".join(re.escape(w) for w in sorted(COMBO_WORDS) if len(w) >= 4))
_MAX_WINDOW = 4
#: Namesakes are log-scaled against this many (more count as many).
_MANY_NAMESAKES = 20
#: Popular sites per local outlet where a country's press lives on its ending, when the rules are
#: too few to measure it (``Index.press_ratio``), and how many times that ratio is fully generic.
_SITES_PER_OUTLET = 20
_GENERIC_FACTOR = 20
#: Brand length at which ``brand-length`` saturates.
_LONG_NAME = 12
#: Country endings that Google Search treats as generic rather than tied to their country, because
#: they are marketed and used worldwide (Search Central's list of "generic country code top-level
#: domains"). A published fact about the ending, not a count from our lists: it tells a small ending
#: such as .bz or .ws, whose few dozen popular sites prove little either way, for what it is.
GENERIC_CCTLDS = frozenset("ad as bz cc cd co dj fm io la me ms nu sc sr su tv tk ws".split())


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


def ending_country(tld: str) -> str:
    """The country or territory a two-letter ending belongs to (uk → GB, re → RE); "" if none."""
    if len(tld) != 2:
        return ""
    return COUNTRY_TOKENS.get(tld) or (tld.upper() if languages(tld.upper()) else "")


def _countries(subj: Subject) -> set[str]:
    """Countries the domain points at: a country word in its name ("pravda-ua") or its ending (.ua)."""
    found = {COUNTRY_TOKENS[t] for t in _TOKENS.findall(subj.label) if t in COUNTRY_TOKENS}
    tld = subj.suffix.rsplit(".", 1)[-1]
    tld = IDN_COUNTRY_ENDINGS.get(tld, tld)
    if len(tld) == 2 and tld in COUNTRY_TOKENS:
        found.add(COUNTRY_TOKENS[tld])
    return found


def _pick(index: Index, brands: list[Brand], subj: Subject) -> Brand:
    """Of several outlets sharing a name, the one the domain points at, else all of them as one.

    A country word or ending decides (``pravda-ua.com`` → Ukrainska Pravda, not Pravda SK), then
    an ending an outlet uses; when nothing tells them apart, the brand family is named as a whole
    (``delfi.life`` imitates Delfi in Estonia, Latvia and Lithuania alike).
    """
    if len(brands) == 1:
        return brands[0]
    countries = _countries(subj)
    if countries:
        same_country = [b for b in brands if b.outlet.country in countries]
        if len(same_country) == 1:
            return same_country[0]
        if same_country:
            brands = same_country
    last = subj.suffix.rsplit(".", 1)[-1]
    same_ending = [b for b in brands if any(s.rsplit(".", 1)[-1] == last for s in b.suffixes)]
    if len(same_ending) == 1:
        return same_ending[0]
    return index.family(brands)


def _who(brand: Brand | Outlet) -> str:
    outlet = brand.outlet if isinstance(brand, Brand) else brand
    if outlet.tier == "popular":
        return f"imitates the popular site {brand.domain}"
    return f"imitates {outlet.name} ({brand.domain})"


def is_second_level(suffix: str, private: bool) -> bool:
    """A private suffix like com.de or eu.com that reads as a country or generic TLD."""
    head, _, rest = suffix.partition(".")
    return private and bool(rest) and head.isalpha() and len(head) <= 3


def _suffix_note(subj: Subject, brand: Brand) -> str:
    return f" on .{subj.suffix} instead of .{brand.suffix}" if subj.suffix not in brand.suffixes else ""


def facts(index: Index, subj: Subject, brand: Brand) -> dict[str, float]:
    """The features every technique shares: the brand's distinctiveness and the ending's profile."""
    n = len(brand.label.replace("-", ""))
    profile = index.profile
    # The brand's own family (Delfi in EE, LV and LT) holds the name too: none of them is a namesake.
    # A popular target's other popular sites of that name are its namesakes: nothing ties them together.
    popular = brand.outlet.tier == "popular"
    family = {d for b in index.brands.get(brand.label, ()) for d in b.outlet.domains}
    family.update((brand.domain,) if popular else brand.outlet.domains)
    namesakes = profile.namesakes(subj.label, besides=family) if subj.registered else 0
    tld = subj.suffix.rpartition(".")[2]
    tld = IDN_COUNTRY_ENDINGS.get(tld, tld)  # .рф is judged as .ru
    out = {
        "brand-length": min(n, _LONG_NAME) / _LONG_NAME,
        "ending-rarity": profile.ending_rarity(tld),
    }
    if n <= 3:
        out["brand-short"] = 1.0
    if brand.outlet.tier == "reference":
        out["reference-outlet"] = 1.0
    elif popular:
        out["popular-target"] = 1.0
    abused = abuse_density(tld)
    if abused:
        out["ending-abuse"] = round(abused, 6)
    if brand.generic:
        out["brand-generic"] = 1.0
    if subj.suffix in brand.suffixes:
        out["same-ending"] = 1.0
    elif len(tld) == 2:
        country = ending_country(tld)
        own = brand.outlet.country
        local = round(1.0 - generic_use(index, tld), 3)
        if local:
            out["ending-country"] = local
            # How rare a country's own ending is measures how small its web is, not how unused the
            # ending is: .si is rare, yet Slovenia has its namesakes. The local share of the rarity
            # is weighed apart (``ending-rarity-country``); the generic share stays ``ending-rarity``.
            rarity = out.pop("ending-rarity")
            if rarity * (1 - local):
                out["ending-rarity"] = round(rarity * (1 - local), 6)
            out["ending-rarity-country"] = round(rarity * local, 6)
        if "." in subj.suffix and not subj.private_suffix:
            out["ending-country-registry"] = 1.0
        if country and country == own and local:
            out["ending-own-country"] = local  # as far as the ending is its country's (.co hardly is)
        elif country and languages(country) & languages(own):
            out["ending-shared-language"] = 1.0
    if namesakes:
        out["namesakes"] = min(1.0, math.log1p(namesakes) / math.log1p(_MANY_NAMESAKES))
    if _NEWSY.search(subj.label):
        out["newsy"] = 1.0
    crowd = 0 if popular else index.crowd(brand.label)  # the popular tier: see ``_popular_swap``
    if crowd:
        out["crowded-name"] = min(1.0, math.log1p(crowd) / math.log1p(_MANY_NAMESAKES))
    return out


def foreign_languages(subj: Subject, brand: Brand) -> tuple[str, frozenset[str], frozenset[str]] | None:
    """(the ending's country, its languages, the outlet country's) when the two share no language
    (CLDR); None when they share one, are the same country, or either is unknown."""
    tld = subj.suffix.rpartition(".")[2]
    country, own = ending_country(IDN_COUNTRY_ENDINGS.get(tld, tld)), brand.outlet.country
    if not country or not own or country == own:
        return None
    theirs, ours = languages(country), languages(own)
    return (country, theirs, ours) if theirs and ours and not theirs & ours else None


def _foreign_ending(features: dict[str, float], subj: Subject, brand: Brand) -> None:
    """An exact name abroad is judged apart where the ending's country speaks none of the outlet's
    languages (``ending-country-foreign`` instead of ``ending-country``): a local namesake of an
    Italian masthead needs Italian readers, so ``repubblica.in`` is less likely someone else's
    site than ``lanacion.cl``. Only for the exact name (``tld_swap``): a near miss (a typo, a
    combo) on a foreign ending is mostly a word of that country's own language (``republica.ro``,
    ``opinion.al``), and the fit weighs those as before."""
    if "ending-country" in features and foreign_languages(subj, brand) is not None:
        features["ending-country-foreign"] = features.pop("ending-country")


def generic_use(index: Index, tld: str) -> float:
    """How far a country ending is sold as a generic one, 0..1, measured rather than listed.

    The ending's popular sites per outlet of its country that publishes on it (``Index.local_press``,
    plus one for the outlets the rules lack), against the ratio where a country's press lives on
    its ending (``Index.press_ratio``: .fr 8, .de 16, .it 18, .ru 19), log-scaled so that
    ``_GENERIC_FACTOR`` times that ratio is fully generic: .cc, .tv, .co, .me (hundreds of popular
    sites, hardly a local outlet) come out near 1, .de, .si, .mx, .in at 0, and a small ending
    with no listed outlet (.ec, .li: a few dozen sites prove little) low. An ending on Google's
    list of generic country codes (``GENERIC_CCTLDS``: .bz, .fm, .ws …) is generic whatever the counts.
    """
    if tld in GENERIC_CCTLDS:
        return 1.0
    popular = index.profile.tld_count(tld)
    reference = index.press_ratio or _SITES_PER_OUTLET
    ratio = popular / (index.local_press.get(tld, 0) + 1) / reference
    if ratio <= 1.0:
        return 0.0
    return min(1.0, math.log(ratio) / math.log(_GENERIC_FACTOR))


def _generic_note(index: Index, subj: Subject) -> str:
    """The evidence line for ``generic_use`` on a plain country ending (empty when it is 0)."""
    tld = subj.suffix
    if len(tld) != 2 or not (share := generic_use(index, tld)):
        return ""
    press = index.local_press.get(tld, 0)
    outlets = f"{press} outlet{'s' if press != 1 else ''}"
    if tld in GENERIC_CCTLDS:
        return (
            f"; .{tld} is a generic ending: a country code sold and used worldwide (Google treats "
            f"it as generic), so a local namesake is less likely"
        )
    return (
        f"; .{tld} is {share:.0%} a generic ending ({index.profile.tld_count(tld):,} popular sites for "
        f"{outlets} of its country in the rules), so a local namesake is less likely"
    )


def _language_note(subj: Subject, brand: Brand) -> str:
    """The evidence line for ``ending-country-foreign`` (empty when the languages meet or are unknown)."""
    found = foreign_languages(subj, brand)
    if found is None:
        return ""
    country, theirs, ours = found
    return (
        f"; {country} speaks {', '.join(sorted(theirs))}, {brand.outlet.country} "
        f"{', '.join(sorted(ours))} (CLDR): with no language in common a namesake there is less likely"
    )


def _signal(index: Index, subj: Subject, technique: Technique, feature: str, brand: Brand, detail: str,
            value: float = 1.0, **data: object) -> sc.Signal:  # fmt: skip
    features = facts(index, subj, brand)
    if technique == "tld-swap":
        _foreign_ending(features, subj, brand)
    features[feature] = value
    full = f"{_who(brand)}: {detail}"
    return sc.Signal(technique, brand.outlet, features, full, {"brand": brand.label, **data})


def latin_reading(label: str) -> str | None:
    """A Cyrillic label read in Latin letters ("рбк" → "rbk"); None when it is not all Cyrillic."""
    if label.isascii() or not all(c in CYRILLIC_TO_LATIN or c.isdigit() or c == "-" for c in label):
        return None
    return "".join(CYRILLIC_TO_LATIN.get(c, c) for c in label)


def _transliterated(index: Index, subj: Subject) -> list[sc.Signal]:
    """rbk.media, рбк.media: a Cyrillic-script outlet's name in another transliteration or in Cyrillic."""
    latin = latin_reading(subj.label_unicode)
    if latin is not None:
        same = index.curated_brands.get(latin)
        brand = _pick(index, same, subj) if same else index.transliterations.get(latin)
        if brand is None or brand.generic:
            return []
        detail = (
            f"'{subj.label_unicode}' is '{brand.label}' written in Cyrillic (read as '{latin}')"
            f"{_suffix_note(subj, brand)}"
        )
        return [_signal(index, subj, "transliteration", "transliteration", brand, detail)]
    translit = index.transliterations.get(subj.label)
    if translit is None:
        return []
    detail = (
        f"'{subj.label}' is '{translit.label}' transliterated the other way "
        f"({translit.outlet.name} writes its name in Cyrillic){_suffix_note(subj, translit)}"
    )
    return [_signal(index, subj, "transliteration", "transliteration", translit, detail)]


def tld_swap(index: Index, subj: Subject) -> list[sc.Signal]:
    """welt.ltd, spiegel.agency, tagesspiegel.com.de, rbk.media: the outlet's own name elsewhere."""
    brands = index.brands.get(subj.label)
    if not brands:
        return _transliterated(index, subj) or _popular_swap(index, subj)
    brand = _pick(index, brands, subj)
    if subj.private_suffix and not is_second_level(subj.suffix, True):
        detail = f"the name '{subj.label}' as a site on {subj.suffix}, a platform where anyone can open one"
        return [_signal(index, subj, "subdomain-brand", "hosted-brand", brand, detail)]
    if is_second_level(subj.suffix, subj.private_suffix):
        tld = subj.suffix.rsplit(".", 1)[-1]
        detail = (
            f"same name under {subj.suffix}, a second-level registration that reads like .{tld}, "
            f"instead of .{brand.suffix}"
        )
        return [_signal(index, subj, "tld-swap", "tld-swap-second-level", brand, detail)]
    detail = f"same name on .{subj.suffix} instead of .{brand.suffix}{_generic_note(index, subj)}"
    signal = _signal(index, subj, "tld-swap", "tld-swap", brand, detail)
    if "ending-country-foreign" in signal.features:
        signal = replace(signal, detail=f"{signal.detail}{_language_note(subj, brand)}")
    return [signal]


def _popular_swap(index: Index, subj: Subject) -> list[sc.Signal]:
    """eatingwell.cfd for eatingwell.com: a popular site's exact name on an ending it does not use.

    The popular tier is matched by the exact name only, on a public ending (a site named after a
    popular one on a hosting platform is mostly a fan page or a mirror), and weighed by the fitted
    ``popular-target`` feature: most namesakes of popular sites are someone else's real site, so
    the ending (``ending-abuse``, ``ending-rarity``) and the name's distinctiveness must carry it.
    ``crowded-name`` is not counted for this tier (``facts``): ``namesakes`` asks the tier's own
    question (how many popular sites share the exact name), the typo count is the costliest fact
    (a few hundred candidates per name) and the tier asks it of every popular site's namesake (5 %
    of a popular-domain list); fitted with it, the dev data gave one hit less and two alarms more.
    """
    brand = index.popular_brand(subj.label)
    if brand is None or subj.private_suffix or subj.registered in brand.outlet.domains:
        return []  # the popular site itself is trusted before any technique runs (``explain`` asks)
    others = len(brand.outlet.domains) - 1
    also = f" (and {others} other popular site{'s' if others != 1 else ''} of that name)" if others else ""
    tld = subj.suffix.rpartition(".")[2]
    abused = abuse_density(tld)
    note = (
        f"; .{tld} is {abused:.0%} an abuse-dense ending (phishing domains per registration, "
        f"Cybercrime Information Center)"
        if abused
        else ""
    )
    detail = f"same name on .{subj.suffix}, an ending it does not use{also}{note}"
    return [_signal(index, subj, "tld-swap", "tld-swap", brand, detail, popular=brand.domain)]


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
        brand = _pick(index, brands, subj)
        if plain and len(brand.label) <= 2:
            continue  # ASCII tricks on a two-letter name ("cli" for "di") match ordinary words
        tricks = ["capital I for l"] if shown is subj.capital_i_label else describe_lookalikes(shown)
        if "1" in shown and skel != skeleton(shown):  # the reading of 1 as i matched
            tricks = ["1 for i" if t == "1 for l" else t for t in tricks]
        how = f" ({', '.join(tricks)})" if tricks else ""
        where = f"; registered as {subj.label}" if subj.label.startswith("xn--") else ""
        detail = (
            f"'{subj.label_unicode}' is written with look-alike characters{how} to read as "
            f"'{brand.label}'{_suffix_note(subj, brand)}{where}"
        )
        return [_signal(index, subj, "homoglyph", "homoglyph", brand, detail, tricks=tricks)]
    return _popular_homoglyph(index, subj) if not subj.label_unicode.isascii() else []


def _popular_homoglyph(index: Index, subj: Subject) -> list[sc.Signal]:
    """еatingwell.com (Cyrillic е) for eatingwell.com: a popular site's name in look-alike letters.

    Only a mixed-script label (UTS #39's mixed-script confusable): some letters are the popular
    name's own ASCII ones, the others stand, one for one, where the name has other letters. A
    label wholly in another script that reads as a Latin name is mostly a word of that script,
    ASCII tricks (rn for m, 1 for l) on 90k popular names would mostly find other real names, and
    each other character is read on its own (a whole skeleton folds letter pairs, "rn" → "m", and
    the popular tier has no skeleton index to meet it). The disguise is what namesakes do not do:
    the signal is weighed as an outlet's homoglyph is, without ``popular-target``.
    """
    shown = subj.label_unicode
    if not any(c.isascii() and c.isalpha() for c in shown):
        return []
    # each other character read on its own (not the whole skeleton, which folds "rn" into "m")
    read = [c if c.isascii() else skeleton(c) for c in shown]
    if any(len(r) != 1 or not r.isascii() for r in read):
        return []
    name = "".join(read)
    brand = index.popular_brand(name)
    if brand is None or subj.registered in brand.outlet.domains:
        return []
    tricks = describe_lookalikes(shown)
    how = f" ({', '.join(tricks)})" if tricks else ""
    detail = (
        f"'{shown}' is written with look-alike characters{how} to read as '{name}'"
        f"{_suffix_note(subj, brand)}; registered as {subj.label}"
    )
    signal = _signal(
        index, subj, "homoglyph", "homoglyph", brand, detail, tricks=tricks, popular=brand.domain
    )
    signal.features.pop("popular-target", None)
    return [signal]


def _typo_key(subj: Subject) -> str:
    return subj.label if not subj.label.startswith("xn--") else skeleton(subj.label_unicode)


def typo(index: Index, subj: Subject) -> list[sc.Signal]:
    """fox-news.top, washingtonpots.com, spigel.de: one keyboard slip away from the brand."""
    key = _typo_key(subj)
    if key in index.brands or subj.label in index.legit_labels or not index.may_be_typo(key):
        return []
    hit = index.typo_of(key)
    if hit is not None:
        brand, kind = hit
        brand = _pick(index, index.curated_brands.get(brand.label) or [brand], subj)
        detail = f"'{key}' is '{brand.label}' {KIND_PHRASES[kind]} ({kind}){_suffix_note(subj, brand)}"
        signal = _signal(index, subj, "typo", f"typo-{kind}", brand, detail, kind=kind)
        # mapnews, atimes: a new letter at the edge makes a real word more often than a slip; two
        # letters swapped keep the name's outline (washingtonpots), as hands slip
        if kind != "transposition" and (key[0] != brand.label[0] or key[-1] != brand.label[-1]):
            signal.features["typo-at-edge"] = 1.0
        return [signal]
    found = index.fuzzy_match(key)
    if found is None:
        return []
    edits, brand = found
    plural = "edit" if edits == 1 else "edits"
    detail = f"'{key}' is {edits} {plural} away from '{brand.label}'{_suffix_note(subj, brand)}"
    signal = _signal(index, subj, "typo", "typo-fuzzy", brand, detail, 1.0 / edits, kind="fuzzy", edits=edits)
    if key[0] != brand.label[0] or key[-1] != brand.label[-1]:
        signal.features["typo-at-edge"] = 1.0
    return [signal]


def _is_combo_word(token: str) -> bool:
    return token.isdigit() or token in COMBO_WORDS or token in ARTICLES


#: Shortest brand the glued split considers, and shortest word glued to it ("tv", "my", "der").
_GLUED_BRAND_MIN = GLUED_NAME_MIN
_GLUED_WORD_MIN = GLUED_WORD_MIN


_COMBO_NOTES = {
    "combo-account": "an account word, as phishing combos use",
    "combo-article": "an article, spelling out the masthead",
    "combo-country": "naming the outlet's own country",
}


def _combo_words_features(brand: Brand, rest: list[str]) -> dict[str, float]:
    """What the words next to the brand say: an account word (a phishing combo), an article (the
    masthead spelt out), or the imitated outlet's own country ("pravda-ua" for the Ukrainian
    Pravda): each its own feature, so the fitted model weighs it and the evidence names it."""
    out: dict[str, float] = {}
    if not brand.generic and any(t in ACCOUNT_WORDS for t in rest):  # "securityfocus" is a name
        out["combo-account"] = 1.0
    if any(t in ARTICLES for t in rest):
        out["combo-article"] = 1.0
    country = brand.outlet.country
    if country and any(COUNTRY_TOKENS.get(t) == country for t in rest):
        out["combo-country"] = 1.0
    return out


def _combo_brand(index: Index, joined: str, hyphened: str) -> tuple[Brand, str] | None:
    brands = index.curated_brands
    for name in (joined, hyphened):
        if name in brands:
            return brands[name][0], ""
    translit = index.transliterations.get(joined)
    if translit is not None:
        return translit, f"transliterated as {joined}"
    hit = index.typo_of(joined) if len(joined) >= 6 else None  # a misspelt brand inside a combo
    return (hit[0], hit[1]) if hit is not None else None


def combo(index: Index, subj: Subject) -> list[sc.Signal]:
    """spiegel-nachrichten.info, welt24.de, foxnewslive.com: the brand plus a word.

    A brand glued to an arbitrary word (weltbild, bildung, spiegelreflex, timesheet) is not a
    combo: without a hyphen or digit boundary the extra part must be a known combo word.
    """
    key = _typo_key(subj)
    if subj.label in index.legit_labels or key in index.brands:
        return []
    tokens = _TOKENS.findall(key)
    best: tuple[int, sc.Signal] | None = None

    def consider(brand: Brand, rest: list[str], glued: bool, misspelt: str) -> None:
        nonlocal best
        if glued:
            feature = "combo-glued"
        elif all(t.isdigit() for t in rest):
            feature = "combo-digits"
        elif all(_is_combo_word(t) for t in rest):
            feature = "combo-news"
        else:
            if len(brand.label) <= 2:
                return
            feature = "combo-other"
        brands = index.curated_brands.get(brand.label)
        brand = _pick(index, brands, subj) if brands else brand
        spelt = f" (misspelt: {misspelt})" if misspelt else ""
        words = "-".join(rest)
        extra = _combo_words_features(brand, rest)
        notes = "".join(f" ({_COMBO_NOTES[f]})" for f in extra)
        detail = f"the name '{brand.label}'{spelt} combined with '{words}'{notes}{_suffix_note(subj, brand)}"
        signal = _signal(index, subj, "combo", feature, brand, detail, words=rest)
        signal.features.update(extra)
        rank = len(brand.label)  # the longest brand explains most of the name
        if best is None or (rank, signal.score) > (best[0], best[1].score):
            best = (rank, signal)

    curated = index.curated_brands
    n = len(tokens)
    for i in range(n):
        for j in range(i + 1, min(n, i + _MAX_WINDOW) + 1):
            if j - i == n:
                continue
            found = _combo_brand(index, "".join(tokens[i:j]), "-".join(tokens[i:j]))
            if found is not None:
                consider(found[0], tokens[:i] + tokens[j:], False, found[1])
    for t, token in enumerate(tokens):
        if not token.isalpha() or not index.may_glue(token):  # most tokens: no split can match
            continue
        rest_before, rest_after = tokens[:t], tokens[t + 1 :]
        for k in range(_GLUED_WORD_MIN, len(token) - _GLUED_WORD_MIN + 1):
            head, tail = token[:k], token[k:]
            if tail in COMBO_WORDS and len(head) >= _GLUED_BRAND_MIN and head in curated:
                consider(curated[head][0], [*rest_before, tail, *rest_after], True, "")
            if _is_combo_word(head) and len(tail) >= _GLUED_BRAND_MIN and tail in curated:
                consider(curated[tail][0], [*rest_before, head, *rest_after], True, "")
    return [best[1]] if best is not None else []


def _embedded_domains(index: Index, host: str, suffix: str) -> Iterator[tuple[str, Outlet]]:
    """Each run of two or more of the host's labels (split at dots and hyphens) that is an outlet's
    domain, with the outlet. The run must end before the public suffix: forbes.com.br is Forbes'
    name on com.br (a tld-swap or a namesake), not forbes.com embedded in someone's domain."""
    labels = _LABEL_SEPARATORS.split(host)
    last = len(labels) - suffix.count(".") - 1
    for size in range(2, index.max_domain_labels + 1):
        for start in range(0, last - size + 1):
            name = ".".join(labels[start : start + size])
            outlet = index.outlet_by_domain.get(name)
            if outlet is not None:
                yield name, outlet


def _dotless_domains(index: Index, label: str) -> Iterator[tuple[str, Brand]]:
    """Each part of the label between hyphens that is an outlet's domain with its dot removed
    (not the whole label), with the outlet's brand."""
    for token in label.split("-"):
        brand = index.dotless.get(token)
        if brand is not None and token != label.replace("-", ""):
            yield token, brand


def may_embed(index: Index, host: str, suffix: str, label: str) -> bool:
    """Whether ``embedded`` finds a domain in the host itself (what a post wrote before '@' or a
    '\\' aside): its search, without the signals."""
    return any(_embedded_domains(index, host, suffix)) or any(_dotless_domains(index, label))


def embedded(index: Index, subj: Subject) -> list[sc.Signal]:
    """welt.de.nachrichten-heute.com, www-tagesschau-de.info, welt.de@evil.com: the real domain inside."""
    signals: list[sc.Signal] = []

    def add(outlet: Outlet, detail: str, **data: object) -> None:
        brand = index.primary_brand(outlet)
        features = facts(index, subj, brand) if brand is not None else {}
        features["embedded"] = 1.0
        signals.append(sc.Signal("embedded", outlet, features, detail, dict(data)))

    for name, outlet in _embedded_domains(index, subj.host, subj.suffix):
        detail = (
            f"{_who(outlet)}: the real domain {name} is embedded in {subj.host_unicode}, "
            f"which belongs to {subj.registered}"
        )
        add(outlet, detail, embedded=name)
    for token, brand in _dotless_domains(index, subj.label):
        detail = f"{_who(brand)}: '{token}' is the domain {brand.domain} with its dot removed"
        add(brand.outlet, detail, embedded=token)
    if subj.userinfo:
        found = _named_outlet(index, subj.userinfo)
        if found is not None:
            outlet, name = found
            detail = (
                f"{_who(outlet)}: the link starts with '{subj.userinfo}@', so it seems to lead to "
                f"{name}, but everything before '@' is ignored and it goes to {subj.host_unicode}"
            )
            add(outlet, detail, userinfo=name)
            return signals
    if subj.pretended_host:
        found = _named_outlet(index, subj.pretended_host)
        if found is not None:
            outlet, name = found
            detail = (
                f"{_who(outlet)}: the link reads as leading to {subj.pretended_host}, but browsers "
                f"read its '\\' as '/' and go to {subj.host_unicode}"
            )
            add(outlet, detail, pretended=name)
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
            brands = index.curated_brands.get(name)
            if not brands:
                continue
            brand = _pick(index, brands, subj)
            detail = f"'{name}' is used as a subdomain of the unrelated domain {subj.registered}"
            signal = _signal(index, subj, "subdomain-brand", "subdomain-brand", brand, detail)
            if best is None or signal.score > best.score:
                best = signal
    return [best] if best is not None else []


def _may_be_own(ns: Namespace, subj: Subject, ministry: bool) -> bool:
    """Whether the exact label on this ending could be a real government's own domain, so that
    it proves nothing. On a country's ending: a label used across languages (gov.hu, gov.sk are
    real), or a language's word (gouv, gob, bund) where the country speaks that language
    (gouv.qc.ca), even under a ministry's label. Elsewhere, without a ministry the rules list: a
    label used across languages (gov.wales is real), or a namespace from the rules on a generic
    ending (bund.net is an association). An ending sold worldwide (Google's generic list: .fm,
    .co) is no country's."""
    langs = ns.languages
    tld = subj.suffix.rpartition(".")[2]
    tld = IDN_COUNTRY_ENDINGS.get(tld, tld)
    if len(tld) == 2 and tld not in GENERIC_CCTLDS:
        country = ending_country(tld)
        return not langs or not country or bool(languages(country) & langs)
    if ministry:
        return False
    return not langs or (len(tld) != 2 and ns.rule is not None)


def gov_namespace(index: Index, subj: Subject) -> list[sc.Signal]:
    """gouv.fm, bund.pe, govv.pw, mfa-qov.info, diplomatie.gouv.fm: a government namespace's label
    (gouv of gouv.fr) moved to another ending, misspelt, or joined to a ministry's label."""
    forms = index.government.forms.get(subj.label)
    if not forms:
        return []
    gov = index.government
    tld = subj.suffix.rpartition(".")[2]
    sub = subj.subdomain.rpartition(".")[2]
    sub = "" if sub in NON_BRAND_SUBDOMAINS else sub
    best: sc.Signal | None = None
    for form in forms:
        agency = form.agency or sub
        known = gov.agencies.get((agency, form.label)) if agency else None
        if known:
            outlet, ns = min(known, key=lambda pair: gov.rank(pair[1], tld))
            why = ""
        else:
            ns, why = gov.pick(form.label, tld, form.country)
            outlet = ns.outlet
        if form.how == "exact" and _may_be_own(ns, subj, bool(known)):
            continue
        if form.how == "typo" and not known and not gov.covered(ns):
            continue  # a slip of a label no protected country uses reads as a name (qub.ac.uk)
        where = f"{country_name(ns.country)}'s government namespace {ns.domain} ({ns.source})"
        if form.how == "typo":
            what = f"'{subj.label}' is '{form.label}' {form.change}, the label of {where}"
        elif form.how == "country":
            what = f"'{subj.label}' is '{form.label}' with the country code of {where}"
        elif form.how == "agency":
            spelt = f" ('{form.label}' {form.change})" if form.change else ""
            what = f"'{subj.label}' joins the ministry label '{form.agency}' to the label{spelt} of {where}"
        else:
            what = f"'{subj.label}' is the label of {where}"
        detail = f"imitates {outlet.name} ({outlet.domain}): {what}, on .{subj.suffix} outside it"
        if sub and form.how != "agency":
            real = f"{sub}.{ns.domain}"
            detail += f"; the subdomain '{sub}' copies a ministry's label ({real} would be the real host)"
        if why:
            detail += f"; {why}"
        features = {"gov-namespace-typo" if form.how == "typo" else "gov-namespace": 1.0}
        if known:
            features["gov-namespace-agency"] = 1.0
        data = {"namespace": ns.domain, "label": form.label, "form": form.how, "ministry": agency}
        signal = sc.Signal("gov-namespace", outlet, features, detail, data)
        if best is None or signal.score > best.score:
            best = signal
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
        features = {"display-mismatch": 1.0}
        return [sc.Signal("display-mismatch", outlet, features, detail, {"shown": shown})]
    detail = f"the post showed '{shown}', but the link goes to {subj.host_unicode}"
    return [sc.Signal("display-mismatch", None, {"display-other": 1.0}, detail, {"shown": shown})]


#: Run in this order; the detector keeps, per outlet, the strongest signal of each technique.
TECHNIQUES = (tld_swap, homoglyph, typo, combo, embedded, subdomain_brand, gov_namespace, display_mismatch)
