"""Countries' government namespaces (gov.pl, gouv.fr, gob.es, bund.de …) and the labels that copy them.

Ministries live under a country's government second-level namespace (``diplomatie.gouv.fr``,
``mfa.gov.ua``), which is a public suffix: no outlet rule can list it, so a fake that moves the
namespace's label to another ending (``gouv.fm``, ``bund.pe``), typos it (``govv.pw``) or glues a
ministry to it (``mfa-qov.info``) resembles no outlet name. This module builds the target set from
public data and every registrable label that reads as one of them; the ``gov-namespace`` technique
(``techniques.gov_namespace``) judges a domain with it in one dict lookup.

**Selection rule.** From the Public Suffix List's ICANN section in force (tldextract's bundled
snapshot, or the file ``linkguard update-psl`` stored; never fetched here): every two-label rule
``<label>.<cc>`` under a two-letter country ending whose label is one of ``GOVERNMENT_LABELS``, the
abbreviations registries use for their government's namespace, less ``NOT_GOVERNMENT`` (a rule with
such a label that the PSL lists for something else). Plus the outlets the rules mark
``namespace = "government"`` with a cited source: namespaces the PSL does not have (``bund.de``,
``admin.ch``, ``europa.eu``).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import cache
from typing import Any, NamedTuple

from linkguard import suffixes
from linkguard.lookalike.cldr import country_name, languages
from linkguard.models import Outlet
from linkguard.rules import RuleSet

#: Labels of government namespaces, with the language the word belongs to ("" where it is used
#: across languages: gov.pl, gov.ua, go.jp). gov: government; gouv: gouvernement (fr); gob:
#: gobierno (es); gub: gubernamental (Uruguay); govt: New Zealand; go, gv, gc: Japan, Korea,
#: Kenya …, Austria and Angola, Canada.
GOVERNMENT_LABELS: dict[str, str] = {
    "gov": "",
    "govt": "",
    "gouv": "fr",
    "gob": "es",
    "gub": "es",
    "go": "",
    "gv": "",
    "gc": "",
}
#: PSL rules with a government label that name something else.
NOT_GOVERNMENT: dict[str, str] = {"go.it": "the province of Gorizia among the PSL's Italian province codes"}
#: Letters a typo of a label swaps for ones that look alike (q for g, 0 for o, 1 for l or i).
_LOOKALIKE: dict[str, str] = {"g": "q", "o": "0", "l": "1", "i": "1"}
#: A label this short alone is no evidence (go.com, gv.com): it counts only with a known ministry.
_SHORT = 2
PSL_SOURCE = "Public Suffix List, ICANN section"
#: A PSL rule line ``<government label>.<two letters>``.
_RULE = re.compile(rf"^({'|'.join(GOVERNMENT_LABELS)})\.([a-z]{{2}})[ \t]*$", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class Namespace:
    """One country's government namespace and where it is listed."""

    domain: str  # gouv.fr, bund.de
    label: str  # gouv, bund
    country: str  # FR, DE; "INT" for europa.eu
    source: str
    rule: Outlet | None = None  # the rules' outlet for a namespace they list (bund.de)

    @property
    def ending(self) -> str:
        return self.domain.rpartition(".")[2]

    @property
    def outlet(self) -> Outlet:
        """What a verdict names: the rules' own outlet, else one made for the namespace."""
        return (
            self.rule if self.rule is not None else _namespace_outlet(self.domain, self.label, self.country)
        )

    @property
    def languages(self) -> frozenset[str]:
        """The label's language(s) (gouv: fr; bund: its country's); empty for one used across languages."""
        if self.rule is not None:
            return languages(self.country)
        return frozenset({GOVERNMENT_LABELS[self.label]} - {""})


@cache
def _namespace_outlet(domain: str, label: str, country: str) -> Outlet:
    return Outlet(
        f"Government namespace of {country_name(country)}", (domain,), (label,), country, "government", "psl"
    )


class Form(NamedTuple):
    """How a registrable label reads as a namespace label."""

    label: str  # the namespace label it reads as ("gov")
    how: str  # "exact", "typo", "agency" (a ministry joined to it) or "country" ("gov-pl")
    change: str  # what the typo changed ("q for g"), "" when spelt right
    agency: str  # the ministry or agency label joined to it ("mfa"), else ""
    country: str  # the country a "country" form names, else ""


def psl_namespaces(text: str) -> list[tuple[str, str, str]]:
    """(domain, label, country) for each government namespace of the PSL's ICANN section."""
    icann = text.partition("===BEGIN ICANN DOMAINS===")[2].partition("===END ICANN DOMAINS===")[0]
    return [
        (f"{label}.{cc}", label, cc.upper())
        for label, cc in _RULE.findall(icann)
        if f"{label}.{cc}" not in NOT_GOVERNMENT
    ]


def typos(label: str) -> dict[str, str]:
    """The slips of ``label`` a fake uses, with what changed: a letter doubled (govv) or swapped
    for one that looks alike (qov, g0v). Not omissions or other replacements: one edit of a
    three-letter label reaches ordinary words (god, got, gob)."""
    out: dict[str, str] = {}
    for i, ch in enumerate(label):
        out.setdefault(label[: i + 1] + label[i:], f"with '{ch}' doubled")
        for look in _LOOKALIKE.get(ch, ""):
            out.setdefault(label[:i] + look + label[i + 1 :], f"with {look} for {ch}")
    out.pop(label, None)
    return out


def _distinctive(agency: str) -> bool:
    """A ministry label worth matching when glued to a namespace label: not a news word or an
    ordinary one ("documents", "jornal"), three letters or more."""
    from linkguard.lookalike.wordlists import COMBO_WORDS, GENERIC_NAMES

    return len(agency) >= 3 and agency.isalpha() and agency not in COMBO_WORDS and agency not in GENERIC_NAMES


class Government:
    """The namespaces, the labels that read as them, and the rules' ministries under them."""

    def __init__(self, rules: RuleSet, psl: str | None = None) -> None:
        self.namespaces: dict[str, list[Namespace]] = {}
        for domain, label, country in psl_namespaces(suffixes.psl_text() if psl is None else psl):
            self.namespaces.setdefault(label, []).append(Namespace(domain, label, country, PSL_SOURCE))
        for outlet in rules.outlets:
            if outlet.namespace == "government" and "." in outlet.domain:
                label = outlet.domain.partition(".")[0]
                ns = Namespace(outlet.domain, label, outlet.country, f"{outlet.origin} rules", outlet)
                self.namespaces.setdefault(label, []).append(ns)
        by_domain = {ns.domain: ns for same in self.namespaces.values() for ns in same}
        #: (ministry label, namespace label) → the outlets the rules list as <ministry>.<namespace>
        self.agencies: dict[tuple[str, str], list[tuple[Outlet, Namespace]]] = {}
        self.rules_under: Counter[str] = Counter()  # namespace domain → outlets under it
        # curated outlets only: a bulk reference list's gazettes (jornal.gov.tl) say little of what
        # the rules protect, as for typos and combos of its names
        curated = [o for o in rules.outlets if o.tier == "curated"]
        self.country_outlets: Counter[str] = Counter(o.country for o in curated)
        for outlet in curated:
            for domain in outlet.domains:
                agency, _, parent = domain.partition(".")
                under = by_domain.get(parent)
                if under is not None:
                    self.rules_under[under.domain] += 1
                    self.agencies.setdefault((agency, under.label), []).append((outlet, under))
        self.forms: dict[str, list[Form]] = {}
        for label in self.namespaces:
            short = len(label) <= _SHORT
            if not short:
                self._add(label, Form(label, "exact", "", "", ""))
                for typo, change in typos(label).items():
                    if typo not in self.namespaces:
                        self._add(typo, Form(label, "typo", change, "", ""))
                for ns in self.namespaces[label]:
                    cc = ns.ending
                    if len(cc) == 2:
                        for form in (f"{label}-{cc}", f"{cc}-{label}"):
                            self._add(form, Form(label, "country", "", "", ns.country))
        for agency, label in self.agencies:
            if not _distinctive(agency):
                continue  # as a subdomain it still names its outlet (``techniques.gov_namespace``)
            spellings = {label: ""} if len(label) <= _SHORT else {label: "", **typos(label)}
            for spelt, change in spellings.items():
                for form in (
                    f"{agency}-{spelt}",
                    f"{spelt}-{agency}",
                    f"{agency}{spelt}",
                    f"{spelt}{agency}",
                ):
                    self._add(form, Form(label, "agency", change, agency, ""))

    def to_payload(self, outlet_pos: dict[int, int]) -> dict[str, Any]:
        """Plain data for the index's disk cache (``Index.to_payload``); outlets by position."""
        spaces = [ns for same in self.namespaces.values() for ns in same]
        return {
            "namespaces": [
                (
                    ns.domain,
                    ns.label,
                    ns.country,
                    ns.source,
                    -1 if ns.rule is None else outlet_pos[id(ns.rule)],
                )
                for ns in spaces
            ],
            "agencies": {
                k: [(outlet_pos[id(o)], ns.domain) for o, ns in v] for k, v in self.agencies.items()
            },
            "rules_under": dict(self.rules_under),
            "country_outlets": dict(self.country_outlets),
            "forms": {k: [tuple(f) for f in v] for k, v in self.forms.items()},
        }

    @classmethod
    def from_payload(cls, payload: dict[str, Any], outlets: tuple[Outlet, ...]) -> Government:
        """The table ``to_payload`` describes, without reading the suffix list again."""
        gov = cls.__new__(cls)
        gov.namespaces = {}
        by_domain: dict[str, Namespace] = {}
        for domain, label, country, source, pos in payload["namespaces"]:
            ns = Namespace(domain, label, country, source, None if pos < 0 else outlets[pos])
            gov.namespaces.setdefault(label, []).append(ns)
            by_domain[domain] = ns
        gov.agencies = {
            (k[0], k[1]): [(outlets[pos], by_domain[d]) for pos, d in v]
            for k, v in payload["agencies"].items()
        }
        gov.rules_under = Counter(payload["rules_under"])
        gov.country_outlets = Counter(payload["country_outlets"])
        gov.forms = {k: [Form(*f) for f in v] for k, v in payload["forms"].items()}
        return gov

    def _add(self, key: str, form: Form) -> None:
        same = self.forms.setdefault(key, [])
        if form not in same:
            same.append(form)

    def rank(self, ns: Namespace, ending: str) -> tuple[int, int, int, int, str]:
        """Order of likelihood among namespaces sharing a label, for a fake on ``ending``: those of
        countries the rules cover (linkguard protects what its rules list; Palau's gov.pw is not
        what govv.pw copies), by ending (its own, then one letter off: .fm for .fr), then the
        namespaces whose ministries the rules list, then the countries the rules cover most."""
        own = ns.ending
        if ending == own:
            distance = 0
        elif len(ending) == len(own) == 2:
            distance = sum(a != b for a, b in zip(ending, own, strict=True))
        else:
            distance = 3
        under, outlets = self.rules_under[ns.domain], self.country_outlets[ns.country]
        return (0 if under or outlets else 1, distance, -under, -outlets, ns.domain)

    def covered(self, ns: Namespace) -> bool:
        """The rules protect the namespace's country: they list its outlets or its ministries."""
        return bool(self.rules_under[ns.domain] or self.country_outlets[ns.country])

    def pick(self, label: str, ending: str, country: str = "") -> tuple[Namespace, str]:
        """The namespace a fake with ``label`` on ``ending`` most likely copies, and why it was chosen."""
        found = self.namespaces[label]
        if country:
            found = [ns for ns in found if ns.country == country] or found
        best = min(found, key=lambda ns: self.rank(ns, ending))
        if len(found) == 1:
            return best, ""
        distance = self.rank(best, ending)[1]
        if distance == 0:
            why = f"on its own ending .{ending}"
        elif distance == 1:
            why = f".{ending} is one letter from .{best.ending}"
        elif self.rules_under[best.domain]:
            why = "the rules list its ministries"
        else:
            why = "its country has the most outlets in the rules"
        return (
            best,
            f"'{label}' is the government label of {len(found)} countries; {best.domain} named: {why}",
        )
