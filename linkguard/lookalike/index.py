"""The lookup structures built once from a RuleSet, so that classifying is a few hash lookups.

Brand labels come from every outlet domain's registrable label ("welt" for welt.de, "bbc" for
bbc.co.uk) and from the outlet's ``brands``. Labels that are news words themselves ("news",
"heute", "24") are never used as brands: they would turn every news site into a lookalike.
Typos are found through a SymSpell index of the names (built on first use, a dozen entries per name)
rather than a table of every typo. The CLI loads the rest of the index from an on-disk cache
(``linkguard.lookalike.cache``): ``Index.for_rules`` returns the index registered for a RuleSet that
came from that cache.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from typing import NamedTuple

from linkguard.lookalike.confusables import skeleton
from linkguard.lookalike.permutations import edits, kinds_for_length, permutations, valid
from linkguard.lookalike.profile import WebProfile, load_profile
from linkguard.lookalike.wordlists import (
    COMBO_WORDS,
    CYRILLIC_COUNTRIES,
    GENERIC_NAMES,
    NON_BRAND_SUBDOMAINS,
    TRANSLITERATIONS,
)
from linkguard.models import Outlet
from linkguard.normalize import HostParts, split_host, suffix_extractor
from linkguard.rules import BlockedRule, LegitRule, RatingRule, RuleSet, ShortenerRule

#: Shortest label the one-edit fuzzy fallback considers; shorter ones rely on the typo kinds.
FUZZY_MIN_LENGTH = 6
_CLEAN = re.compile(r"[^a-z0-9-]+")


@dataclass(frozen=True, slots=True)
class Brand:
    """A name that identifies an outlet, and the outlet domain it stands for."""

    label: str
    outlet: Outlet
    domain: str  # the outlet domain this label belongs to (its primary domain for a ``brands`` entry)
    suffixes: tuple[str, ...]  # the public suffixes the outlet uses this label on ("co.uk", "com")

    @property
    def suffix(self) -> str:
        return self.suffixes[0]

    generic: bool  # an ordinary word or ≤ 2 letters: weak evidence as a combo or subdomain


def transliterations(label: str) -> set[str]:
    """Latin spellings of a Cyrillic name other than the outlet's own (rbc → rbk, rbс)."""
    out = {label.replace(a, b) for a, b in TRANSLITERATIONS if a in label}
    out.discard(label)
    return {v for v in out if valid(v)}


def deletes(key: str, depth: int) -> set[str]:
    """Every string ``depth`` or fewer deletions away from ``key`` (SymSpell's index keys)."""
    if depth == 1:  # the hot case: one pass, no frontier bookkeeping
        found = {key[:i] + key[i + 1 :] for i in range(len(key))}
        found.add(key)
        return found
    found = {key}
    frontier = {key}
    for _ in range(depth):
        frontier = {w[:i] + w[i + 1 :] for w in frontier for i in range(len(w))}
        found |= frontier
    return found


def allowed_edits(n: int) -> int:
    """Edits the fuzzy fallback tolerates for a name of ``n`` characters: one from 6 letters, as
    Chromium's lookalike check does; two edits of a long name mostly reach other real words."""
    return 0 if n < FUZZY_MIN_LENGTH else 1


class _Parts(NamedTuple):
    domain_label: str
    suffix: str
    subdomain: str


def _split(domain: str) -> _Parts | HostParts | None:
    """Split a rule's domain; rule domains are plain ASCII, so skip IDNA (3x faster at startup)."""
    if domain.isascii() and domain.islower():
        parts = suffix_extractor()(domain)
        return _Parts(parts.domain, parts.suffix, parts.subdomain) if parts.domain and parts.suffix else None
    return split_host(domain)


def _brand_labels(outlet: Outlet) -> list[tuple[str, str, str]]:
    """(label, domain, suffix) for each name of ``outlet``; the primary domain comes first."""
    out: list[tuple[str, str, str]] = []
    for domain in outlet.domains:
        parts = _split(domain)
        if parts is None:
            continue
        label = parts.domain_label
        sub = parts.subdomain.split(".")[-1] if parts.subdomain else ""
        if sub and sub not in NON_BRAND_SUBDOMAINS and sub not in COMBO_WORDS:
            label = sub  # abcnews.go.com: the brand is "abcnews", not "go"
        out.append((label, domain, parts.suffix))
    primary = out[0] if out else (outlet.domain, outlet.domain, "")
    for raw in outlet.brands:
        label = _CLEAN.sub("-", raw.lower()).strip("-")
        if label:
            out.append((label, primary[1], primary[2]))
        if " " in raw.strip():  # "der spiegel" is written both derspiegel and der-spiegel
            out.append((label.replace("-", ""), primary[1], primary[2]))
    return out


#: Indexes built alongside a cached RuleSet, by id() of the RuleSet (kept alive here, so the id
#: stays unique); only the latest few, as each holds a full typo map.
_PREBUILT: dict[int, tuple[RuleSet, Index]] = {}
_PREBUILT_MAX = 2


def register_prebuilt(rules: RuleSet, index: Index) -> None:
    """Make ``Index.for_rules(rules)`` return ``index`` (built from, or for, exactly ``rules``)."""
    _PREBUILT.pop(id(rules), None)
    _PREBUILT[id(rules)] = (rules, index)
    while len(_PREBUILT) > _PREBUILT_MAX:
        del _PREBUILT[next(iter(_PREBUILT))]


class Index:
    """Hash maps from names, typos and skeletons to outlets, plus the rule lookups."""

    @classmethod
    def for_rules(cls, rules: RuleSet) -> Index:
        """The index registered for this very RuleSet object (see ``register_prebuilt``), else a new one."""
        found = _PREBUILT.get(id(rules))
        if found is not None and found[0] is rules:
            return found[1]
        return cls(rules)

    def __init__(self, rules: RuleSet) -> None:
        self.outlet_by_domain: dict[str, Outlet] = {}
        self.outlet_by_name: dict[str, Outlet] = {}
        self.brands: dict[str, list[Brand]] = {}
        self.skeletons: dict[str, list[Brand]] = {}
        self.dotless: dict[str, Brand] = {}
        for outlet in rules.outlets:
            self.outlet_by_name.setdefault(outlet.name.casefold(), outlet)
            for domain in outlet.domains:
                self.outlet_by_domain.setdefault(domain, outlet)
            names: dict[str, tuple[str, list[str]]] = {}
            for label, domain, suffix in _brand_labels(outlet):
                names.setdefault(label, (domain, []))[1].append(suffix)
            for label, (domain, suffixes) in names.items():
                self._add_brand(label, outlet, domain, tuple(dict.fromkeys(suffixes)))
        self.legit: dict[str, LegitRule] = {r.domain: r for r in rules.legit}
        self.blocked: dict[str, BlockedRule] = {r.domain: r for r in rules.blocked}
        self.ratings: dict[str, RatingRule] = {r.domain: r for r in rules.ratings}
        self.shorteners: dict[str, ShortenerRule] = {r.domain: r for r in rules.shorteners}
        self.legit_labels: frozenset[str] = frozenset(
            p.domain_label for p in (_split(d) for d in self.legit) if p is not None
        )
        self.max_domain_labels = max((d.count(".") + 1 for d in self.outlet_by_domain), default=2)
        self.transliterations: dict[str, Brand] = {}
        for label, same in self.curated_brands.items():
            brand = same[0]
            if brand.outlet.country in CYRILLIC_COUNTRIES and not brand.generic:
                for variant in transliterations(label):
                    if variant not in self.brands and variant not in self.legit_labels:
                        self.transliterations.setdefault(variant, brand)
        self._families: dict[tuple[Outlet, ...], Brand] = {}
        self._crowds: dict[str, int] = {}

    def _add_brand(self, label: str, outlet: Outlet, domain: str, suffixes: tuple[str, ...]) -> None:
        if not label or label in COMBO_WORDS or label.isdigit():
            return
        same = self.brands.setdefault(label, [])
        if any(b.outlet is outlet for b in same):
            return
        generic = len(label.replace("-", "")) <= 2 or label in GENERIC_NAMES
        brand = Brand(label, outlet, domain, suffixes, generic)
        same.append(brand)
        self.skeletons.setdefault(skeleton(label), []).append(brand)
        dotless = domain.replace(".", "")
        if len(dotless) >= 6:
            self.dotless.setdefault(dotless, brand)
        if "-" in label:  # "t-online" is also written "tonline"
            self.skeletons.setdefault(skeleton(label.replace("-", "")), []).append(brand)

    @cached_property
    def curated_brands(self) -> dict[str, list[Brand]]:
        """The names of curated outlets only. Typos, combos and subdomains of a bulk reference list
        of thousands of local papers (Herald, Express, Post …) would mostly find ordinary sites;
        reference outlets are matched by their exact name, look-alike letters and embedded domain."""
        out: dict[str, list[Brand]] = {}
        for label, same in self.brands.items():
            curated = [b for b in same if b.outlet.tier == "curated"]
            if curated:
                out[label] = curated
        return out

    @cached_property
    def profile(self) -> WebProfile:
        """The popular web (``linkguard.popular``), shared by every index in the process."""
        return load_profile()

    def crowd(self, label: str) -> int:
        """Popular sites whose name is one typo away from ``label`` (apnews: adnews, mapnews …).

        A name that lives among many real lookalike names proves little when a domain is one typo
        away from it; a name with no popular neighbours (spiegel) is worth copying exactly.
        """
        found = self._crowds.get(label)
        if found is None:
            labels = self.profile.label_counts
            found = sum(1 for typo, _ in permutations(label) if typo in labels)
            self._crowds[label] = found
        return found

    def family(self, brands: list[Brand]) -> Brand:
        """One brand standing for several outlets that share a name (Delfi EE/LV/LT).

        Its outlet lists every member's domains, so the verdict names all of them instead of
        guessing one.
        """
        outlets = tuple(dict.fromkeys(b.outlet for b in brands))
        if len(outlets) == 1:
            return brands[0]
        found = self._families.get(outlets)
        if found is None:
            first = outlets[0]
            merged = Outlet(
                " / ".join(o.name for o in outlets),
                tuple(dict.fromkeys(d for o in outlets for d in o.domains)),
                tuple(dict.fromkeys(b for o in outlets for b in o.brands)),
                "",
                first.kind,
                first.origin,
            )
            suffixes = tuple(dict.fromkeys(s for b in brands for s in b.suffixes))
            found = Brand(brands[0].label, merged, brands[0].domain, suffixes, any(b.generic for b in brands))
            self._families[outlets] = found
        return found

    def primary_brand(self, outlet: Outlet) -> Brand | None:
        """The brand of an outlet's primary domain (for facts about an embedded domain)."""
        return self._first_brands.get(id(outlet))

    @cached_property
    def _first_brands(self) -> dict[int, Brand]:
        """Each outlet's first brand, by identity: one pass instead of a scan of every brand per call."""
        out: dict[int, Brand] = {}
        for same in self.brands.values():
            for b in same:
                out.setdefault(id(b.outlet), b)
        return out

    def outlet_owning(self, name: str) -> Outlet | None:
        """An outlet named ``name`` (a shortener's owner, a link card's label), if any."""
        key = name.casefold().strip()
        if key in self.outlet_by_name:
            return self.outlet_by_name[key]
        found = self.brands.get(_CLEAN.sub("-", key).strip("-"))
        return found[0].outlet if found else None

    @cached_property
    def typo_brands(self) -> list[Brand]:
        """The names a typo is looked for against: curated and distinctive, in index order."""
        return [same[0] for same in self.curated_brands.values() if not same[0].generic]

    @cached_property
    def typo_choices(self) -> dict[str, list[int]]:
        """SymSpell index of ``typo_brands``: each name and its one-deletion variants → positions.

        Every dnstwist-style typo is one OSA edit from its name, so a typo and its name share a
        variant; the few names found are then checked for the exact kinds their length allows.
        This holds a dozen entries per name where a table of every typo held a few hundred, so
        100,000 user outlets cost memory in proportion and nothing at start-up.
        """
        out: dict[str, list[int]] = {}
        for pos, brand in enumerate(self.typo_brands):
            for variant in deletes(brand.label, 1):
                out.setdefault(variant, []).append(pos)
            if brand.label.count("-") > 1:  # dehyphenation drops every hyphen at once
                out.setdefault(brand.label.replace("-", ""), []).append(pos)
        return out

    def typo_of(self, key: str) -> tuple[Brand, str] | None:
        """The first name (in index order) of which ``key`` is a dnstwist-style typo, and its kind.

        A typo that is itself a name or a legitimate domain's label is nobody's typo.
        """
        if key in self.brands or key in self.legit_labels or ("-" in key and not valid(key)):
            return None
        index = self.typo_choices
        shared = deletes(key, 1) & index.keys()
        if not shared:
            return None
        for pos in sorted({p for v in shared for p in index[v]}):
            brand = self.typo_brands[pos]
            for kind in kinds_for_length(len(brand.label.replace("-", ""))):
                if key in edits(brand.label, kind):
                    return brand, kind
        return None

    @cached_property
    def fuzzy_choices(self) -> dict[str, list[int]]:
        """SymSpell index for the fuzzy typo fallback: deletion variant → positions in ``fuzzy_keys``.

        Each distinctive name of 6+ letters is indexed with every variant up to its allowed edits
        deleted; a query looks up its own deletion variants and checks the few names found with an
        exact edit distance. That replaces a scan over every name with a handful of hash lookups.
        """
        out: dict[str, list[int]] = {}
        for pos, key in enumerate(self.fuzzy_keys):
            for variant in deletes(key, allowed_edits(len(key))):
                out.setdefault(variant, []).append(pos)
        return out

    @cached_property
    def fuzzy_keys(self) -> list[str]:
        return [skeleton(b.label) for b in self.fuzzy_brands]

    @cached_property
    def fuzzy_brands(self) -> list[Brand]:
        return [
            same[0]
            for label, same in self.curated_brands.items()
            if not same[0].generic and len(label) >= FUZZY_MIN_LENGTH
        ]

    def fuzzy_match(self, key: str) -> tuple[int, Brand] | None:
        """The closest distinctive name within the edits both lengths allow, as (edits, brand)."""
        limit = allowed_edits(len(key))
        if not limit:
            return None
        from rapidfuzz.distance import OSA  # imported only when a name needs the fallback

        keys = self.fuzzy_keys
        index = self.fuzzy_choices
        shared = deletes(key, limit) & index.keys()  # one C-level intersection; usually empty
        if not shared:
            return None
        candidates = sorted({p for v in shared for p in index[v]})
        best: tuple[int, int] | None = None
        for pos in candidates:
            name = keys[pos]
            allowed = min(limit, allowed_edits(len(name)))
            d = OSA.distance(key, name, score_cutoff=allowed)
            if 1 <= d <= allowed and (best is None or (d, pos) < best):
                best = (d, pos)
        if best is None:
            return None
        return best[0], self.fuzzy_brands[best[1]]
