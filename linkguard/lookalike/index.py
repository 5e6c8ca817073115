"""The lookup structures built once from a RuleSet, so that classifying is a few hash lookups.

Brand labels come from every outlet domain's registrable label ("welt" for welt.de, "bbc" for
bbc.co.uk) and from the outlet's ``brands``. Labels that are news words themselves ("news",
"heute", "24") are never used as brands: they would turn every news site into a lookalike.
Typos are found through a SymSpell index of the names (a dozen entries per name, kept in the cache)
rather than a table of every typo. The CLI loads the rest of the index from an on-disk cache
(``linkguard.lookalike.cache``) through ``to_payload``/``from_payload``, the same plain data a
pickled index carries to another process.
"""

from __future__ import annotations

import re
from array import array
from bisect import bisect_left
from collections.abc import Callable, Collection
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Literal, NamedTuple

from linkguard.lookalike.confusables import skeleton
from linkguard.lookalike.government import Government
from linkguard.lookalike.permutations import edits, kinds_for_length, permutations, valid
from linkguard.lookalike.profile import WebProfile, load_profile, name_at, name_map
from linkguard.lookalike.wordlists import (
    ARTICLES,
    COMBO_WORDS,
    COUNTRY_TOKENS,
    CYRILLIC_COUNTRIES,
    GENERIC_NAMES,
    NON_BRAND_SUBDOMAINS,
    TRANSLITERATIONS,
)
from linkguard.models import Outlet
from linkguard.normalize import HostParts, split_host, suffix_extractor
from linkguard.rules import BlockedRule, LegitRule, RatingRule, RuleSet, ShortenerRule
from linkguard.rules.model import from_rows

#: Shortest label the one-edit fuzzy fallback considers; shorter ones rely on the typo kinds.
FUZZY_MIN_LENGTH = 6
#: A glued combo (welttv, derspiegel): the shortest name, and the shortest word glued to it.
GLUED_NAME_MIN = 3
GLUED_WORD_MIN = 2
_CLEAN = re.compile(r"[^a-z0-9-]+")
#: ``Index.press_ratio``: endings with this many local outlets show where a country's press lives;
#: at least this many such endings are needed; the quantile of their sites-per-outlet ratio taken.
PRESS_ENDING_MIN_OUTLETS = 10
PRESS_ENDING_MIN_COUNT = 5
PRESS_RATIO_QUANTILE = 0.9


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


def _deletion_hits_py(key: str, index: dict[str, Any]) -> Collection[str]:
    return deletes(key, 1) & index.keys()


_deletion_hits_c: Callable[[str, dict[str, Any]], Collection[str]] | None
try:  # built from linkguard/_blocks.c when a C compiler was there at install time
    from linkguard._blocks import deletion_hits as _deletion_hits_c
except ImportError:  # pragma: no cover - depends on the install
    _deletion_hits_c = None
#: ``deletes(key, 1) & index.keys()``: the variants of ``key`` a SymSpell index holds. The C version
#: does not build the variants as a set first; it takes a tenth of the time, and was a fifth of
#: classifying a never-seen domain (typo and fuzzy lookups both make one).
deletion_hits: Callable[[str, dict[str, Any]], Collection[str]] = _deletion_hits_c or _deletion_hits_py


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


def _pack_profile(profile: WebProfile) -> tuple[str, bytes, str, dict[str, int], str, bytes]:
    """The popular list as joined names and packed numbers: a dict of 100k names takes marshal
    ~50 ms to rebuild, a split string and an array ~10 ms."""
    ranks = array("I", profile.ranks.values()).tobytes()
    labels = profile.label_counts
    counts = array("I", labels.values()).tobytes()
    return "\n".join(profile.ranks), ranks, profile.source, profile.tld_counts, "\n".join(labels), counts


def _unpack_profile(packed: tuple[str, bytes, str, dict[str, int], str, bytes]) -> WebProfile:
    names, ranks, source, tld_counts, labels, counts = packed
    profile = WebProfile(name_map(names, ranks), source)
    profile.__dict__.update(tld_counts=tld_counts, label_counts=name_map(labels, counts))  # its cached counts
    return profile


#: How an ``Index`` came to be: built from its rules here, or restored from a payload (the disk
#: cache, or a pickle sent to a worker process). Tests and callers read ``Index.origin``.
IndexOrigin = Literal["built", "cache", "payload"]


class Index:
    """Hash maps from names, typos and skeletons to outlets, plus the rule lookups.

    Built from a ``RuleSet`` (``Index(rules)``) or restored from ``to_payload()``'s plain data
    (``Index.from_payload``), which is what the disk cache stores and what a pickle carries.
    """

    def __init__(self, rules: RuleSet) -> None:
        self.rules = rules
        self.origin: IndexOrigin = "built"
        self._stored()
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
        self._set_rule_maps()
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
        self._popular_brands: dict[str, Brand | None] = {}
        self._names_of: WebProfile | None = None
        self._order_of: WebProfile | None = None
        self._name_at: Callable[[int], str] = [].__getitem__

    # -- plain data: the disk cache's payload and the pickle ---------------------------------------

    def to_payload(self) -> dict[str, Any]:
        """Everything ``__init__`` computes, as plain data (str, int, tuple, list, dict, frozenset,
        bytes) that ``marshal`` and ``pickle`` both carry. Brands and outlets are stored once and
        referred to by position. The typo index is stored too: every scan asks it of nearly every
        new domain (``may_be_typo``), and reading it costs ~1.5 ms where building it cost ~8 ms,
        before ``scan --jobs`` forks its workers."""
        outlets = self.rules.outlets
        outlet_pos = {id(o): i for i, o in enumerate(outlets)}
        brands: list[Brand] = [b for same in self.brands.values() for b in same]
        brand_pos = {id(b): i for i, b in enumerate(brands)}
        return {
            "rules": self.rules.to_rows(),
            "brands": [(b.label, outlet_pos[id(b.outlet)], b.domain, b.suffixes, b.generic) for b in brands],
            "brand_map": {label: [brand_pos[id(b)] for b in same] for label, same in self.brands.items()},
            "skeletons": {s: [brand_pos[id(b)] for b in same] for s, same in self.skeletons.items()},
            "dotless": {s: brand_pos[id(b)] for s, b in self.dotless.items()},
            "outlet_by_domain": {d: outlet_pos[id(o)] for d, o in self.outlet_by_domain.items()},
            "outlet_by_name": {n: outlet_pos[id(o)] for n, o in self.outlet_by_name.items()},
            "legit_labels": self.legit_labels,
            "max_domain_labels": self.max_domain_labels,
            "fuzzy_brands": [brand_pos[id(b)] for b in self.fuzzy_brands],
            "fuzzy_keys": self.fuzzy_keys,
            "fuzzy": self.fuzzy_choices,
            "typo": self.typo_choices,
            "transliterations": {v: brand_pos[id(b)] for v, b in self.transliterations.items()},
            "government": self.government.to_payload(outlet_pos),
            # the popular list and its counts: parsing the gzip list costs ~0.2 s, this ~0.03 s
            "popular": _pack_profile(self.profile),
            "popular_order": self.popular_order.tobytes(),
        }

    @classmethod
    def from_payload(cls, payload: dict[str, Any], origin: IndexOrigin = "payload") -> Index:
        """The index ``to_payload`` describes, without recomputing it; a malformed payload raises
        (ValueError, TypeError, KeyError, IndexError or AttributeError)."""
        rules = RuleSet.from_rows(payload["rules"])
        outlets = rules.outlets
        brands = from_rows(
            Brand,
            [
                (label, outlets[o], domain, tuple(suffixes), bool(generic))
                for label, o, domain, suffixes, generic in payload["brands"]
            ],
        )
        idx = cls.__new__(cls)
        idx.rules = rules
        idx.origin = origin
        idx._stored()
        idx.outlet_by_domain = {d: outlets[i] for d, i in payload["outlet_by_domain"].items()}
        idx.outlet_by_name = {n: outlets[i] for n, i in payload["outlet_by_name"].items()}
        idx.brands = {label: [brands[i] for i in same] for label, same in payload["brand_map"].items()}
        idx.skeletons = {s: [brands[i] for i in same] for s, same in payload["skeletons"].items()}
        idx.dotless = {s: brands[i] for s, i in payload["dotless"].items()}
        idx._set_rule_maps()
        idx.legit_labels = frozenset(payload["legit_labels"])
        idx.max_domain_labels = int(payload["max_domain_labels"])
        idx.transliterations = {v: brands[i] for v, i in payload["transliterations"].items()}
        idx._families = {}
        idx._crowds = {}
        # cached properties, restored instead of computed
        idx.__dict__["fuzzy_brands"] = [brands[i] for i in payload["fuzzy_brands"]]
        idx.__dict__["fuzzy_keys"] = list(payload["fuzzy_keys"])
        idx.__dict__["fuzzy_choices"] = payload["fuzzy"]
        idx.__dict__["typo_choices"] = payload["typo"]
        idx.__dict__["profile"] = _unpack_profile(payload["popular"])
        idx.__dict__["government"] = Government.from_payload(payload["government"], outlets)
        order = array("I")
        order.frombytes(payload["popular_order"])
        idx.__dict__["popular_order"] = order
        idx._order_of = idx.__dict__["profile"]
        idx._popular_brands = {}
        idx._names_of = None
        idx._name_at = [].__getitem__
        return idx

    def __reduce__(self) -> tuple[Any, ...]:
        return (Index.from_payload, (self.to_payload(),))

    def _stored(self, key: str = "", sources: tuple[tuple[str, str], ...] = ()) -> None:
        """Record that the disk cache holds this index under ``key``, built from ``sources`` (rule
        files and their origins): a pickled Detector then travels as the key alone."""
        self.cache_key = key
        self.sources = sources

    def _set_rule_maps(self) -> None:
        self.legit: dict[str, LegitRule] = {r.domain: r for r in self.rules.legit}
        self.blocked: dict[str, BlockedRule] = {r.domain: r for r in self.rules.blocked}
        self.ratings: dict[str, RatingRule] = {r.domain: r for r in self.rules.ratings}
        self.shorteners: dict[str, ShortenerRule] = {r.domain: r for r in self.rules.shorteners}

    @cached_property
    def ruled_hosts(self) -> frozenset[str]:
        """Every domain an outlet, legit or shortener rule names: a host none of whose parents is
        here is decided by resemblance (one set test instead of three lookups per parent)."""
        return frozenset(self.outlet_by_domain.keys() | self.legit.keys() | self.shorteners.keys())

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
    def glue_edges(self) -> tuple[frozenset[str], frozenset[str], frozenset[str], frozenset[str]]:
        """How a word glued of a curated name and a combo word can start and end, for the combo
        technique's prefilter: (how a name starts, how a combo word ends, how a combo word or
        article starts, how a name ends), each as its first or last ``GLUED_NAME_MIN`` or
        ``GLUED_WORD_MIN`` letters, the shortest a glued split takes. A token whose ends match
        neither pairing has no split that is a name glued to a word."""
        names, n, w = self.curated_brands, GLUED_NAME_MIN, GLUED_WORD_MIN
        return (
            frozenset(name[:n] for name in names if len(name) >= n),
            frozenset(word[-w:] for word in COMBO_WORDS if len(word) >= w),
            frozenset(word[:w] for word in COMBO_WORDS | ARTICLES if len(word) >= w),
            frozenset(name[-n:] for name in names if len(name) >= n),
        )

    def may_glue(self, token: str) -> bool:
        """False when no split of the letters ``token`` is a curated name glued to a combo word
        (or an article), either way round (``glue_edges``); True means the splits must be tried."""
        name_heads, word_tails, word_heads, name_tails = self.glue_edges
        n, w = GLUED_NAME_MIN, GLUED_WORD_MIN
        return (token[:n] in name_heads and token[-w:] in word_tails) or (
            token[:w] in word_heads and token[-n:] in name_tails
        )

    @cached_property
    def government(self) -> Government:
        """Countries' government namespaces and the labels that read as them (``government``);
        built on first use from the Public Suffix List and the rules, a few milliseconds."""
        return Government(self.rules)

    @cached_property
    def profile(self) -> WebProfile:
        """The popular web (``linkguard.popular``), shared by every index in the process."""
        return load_profile()

    @cached_property
    def popular_order(self) -> array[int]:
        """The popular domains' positions in the list, in name order: the sites of one name are a
        run there (``eatingwell.`` is a prefix of each), found by bisection instead of a map of
        90k names, which cost start-up more than it saves (the cached index stores this array)."""
        self._order_of = self.profile
        names = list(self.profile.ranks)
        return array("I", sorted(range(len(names)), key=names.__getitem__))

    def _popular_sorted(self) -> tuple[Callable[[int], str], array[int]]:
        """The popular domain at a position of the list, and ``popular_order``, both for the profile
        in force (made again if someone replaced it, as tests do)."""
        profile = self.profile
        if self._order_of is not profile:
            self.__dict__.pop("popular_order", None)
        order = self.popular_order
        if self._names_of is not profile:
            self._name_at = name_at(profile.ranks)
            self._names_of = profile
        return self._name_at, order

    def may_be_popular_name(self, label: str) -> bool:
        """False when ``label`` is no popular site's name: ``popular_brand`` then finds nothing."""
        return label in self.profile.label_counts

    def popular_brand(self, label: str) -> Brand | None:
        """The popular tier of targets: a synthetic outlet (``tier = "popular"``) whose domains are
        the popular sites named ``label``, best first (``eatingwell`` → eatingwell.com); None when
        no popular site has the name or a more specific tier answers for it.

        A popular site that no outlet rule names can still be imitated by its exact name on an
        ending it does not use (Chromium's lookalike check uses top domains as targets the same
        way). Left out: names an outlet, a legitimate look-alike or a transliteration already
        answers for, news words and numbers (never brands).
        """
        if not self.may_be_popular_name(label):
            return None  # not remembered: the memo holds popular names only
        if label in self._popular_brands:
            return self._popular_brands[label]
        found: Brand | None = None
        if (
            label not in self.brands
            and label not in self.legit_labels
            and label not in self.transliterations
            and label not in COMBO_WORDS
            and not label.isdigit()
        ):
            (name, order), ranks, head = self._popular_sorted(), self.profile.ranks, f"{label}."
            named: list[str] = []
            at = bisect_left(order, head, key=name)
            while at < len(order) and (domain := name(order[at])).startswith(head):
                named.append(domain)
                at += 1
            domains = tuple(sorted(named, key=lambda d: (ranks[d], d)))
            if domains:
                outlet = Outlet(
                    f"popular site {domains[0]}", domains, (label,), "", "online", "popular", "popular"
                )
                suffixes = tuple(d.partition(".")[2] for d in domains)
                generic = len(label.replace("-", "")) <= 2 or label in GENERIC_NAMES
                found = Brand(label, outlet, domains[0], suffixes, generic)
        self._popular_brands[label] = found
        return found

    def crowd(self, label: str) -> int:
        """Popular sites whose name is one typo away from ``label`` (apnews: adnews, mapnews …).

        A name that lives among many real lookalike names proves little when a domain is one typo
        away from it; a name with no popular neighbours (spiegel) is worth copying exactly.
        """
        found = self._crowds.get(label)
        if found is None:
            found = sum(1 for _ in permutations(label, among=self.profile.label_counts))
            self._crowds[label] = found
        return found

    @cached_property
    def local_press(self) -> dict[str, int]:
        """Per country ending (``si``, ``mx``), how many outlets of that country publish on it.

        Measured from the outlets in the rules, not kept by hand: where a country's own press lives
        on its ending (.si, .mx, .gr), an outlet's name there may be a local paper of that name;
        a country ending that no local outlet uses (.cc, .bz, .li) or only a handful do (.me, .co)
        is sold as a generic ending, and a famous name on it is rarely a namesake.
        """
        counts: dict[str, int] = {}
        for outlet in self.rules.outlets:
            if not outlet.country:
                continue
            for tld in {d.rpartition(".")[2] for d in outlet.domains}:
                if len(tld) == 2 and COUNTRY_TOKENS.get(tld) == outlet.country:
                    counts[tld] = counts.get(tld, 0) + 1
        return counts

    @cached_property
    def press_ratio(self) -> float | None:
        """Popular sites per local outlet on the endings where a country's press demonstrably lives
        (``PRESS_ENDING_MIN_OUTLETS`` or more local outlets): the ``PRESS_RATIO_QUANTILE`` of that
        ratio (bundled data: 18.8, between .it and .ru), so that it scales with whatever popular
        list is in force. None when too few endings qualify to tell."""
        ratios = sorted(
            self.profile.tld_count(tld) / (n + 1)
            for tld, n in self.local_press.items()
            if n >= PRESS_ENDING_MIN_OUTLETS
        )
        if len(ratios) < PRESS_ENDING_MIN_COUNT:
            return None
        return ratios[min(len(ratios) - 1, int(PRESS_RATIO_QUANTILE * len(ratios)))]

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
        100,000 user outlets cost memory in proportion; the disk cache stores it (``to_payload``).
        """
        out: dict[str, list[int]] = {}
        for pos, brand in enumerate(self.typo_brands):
            for variant in deletes(brand.label, 1):
                out.setdefault(variant, []).append(pos)
            if brand.label.count("-") > 1:  # dehyphenation drops every hyphen at once
                out.setdefault(brand.label.replace("-", ""), []).append(pos)
        return out

    @cached_property
    def _symspell_keys(self) -> dict[str, None]:
        """Every deletion variant the typo and fuzzy indexes hold, for ``may_be_typo``."""
        return dict.fromkeys([*self.typo_choices, *self.fuzzy_choices])

    def may_be_typo(self, key: str) -> bool:
        """False when neither ``typo_of`` nor ``fuzzy_match`` can find a name for ``key``: both look
        up its one-deletion variants first, and none is indexed (so for ~96 % of domains one
        lookup instead of two). True means they must be asked."""
        if allowed_edits(len(key)) > 1:  # pragma: no cover - the fuzzy fallback allows one edit
            return True
        return bool(deletion_hits(key, self._symspell_keys))

    def typo_of(self, key: str) -> tuple[Brand, str] | None:
        """The first name (in index order) of which ``key`` is a dnstwist-style typo, and its kind.

        A typo that is itself a name or a legitimate domain's label is nobody's typo.
        """
        if key in self.brands or key in self.legit_labels or ("-" in key and not valid(key)):
            return None
        index = self.typo_choices
        shared = deletion_hits(key, index)
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
        shared = deletion_hits(key, index) if limit == 1 else deletes(key, limit) & index.keys()
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
