"""What the popular web looks like, as evidence for and against a resemblance.

Built from a list of popular registrable domains (``linkguard.popular``: a bundled, refreshable
snapshot). Three facts come out of it, each used by the scoring model and quoted in evidence:

* **membership** — a popular domain is somebody's real site: it is never flagged by name alone
  (``huffingtonpost.de``, ``interfax.ru``, ``lanacion.cl``);
* **how established an ending is** — how many popular sites use the suffix. An outlet's exact name
  on an ending real sites hardly use (``.beauty``, ``.cfd``, ``.wf``) is the campaigns' main pattern;
  the same name on ``.com`` or a busy country ending is more often a namesake;
* **how shared a name is** — how many popular sites carry the same label on other endings. A label
  that many unrelated sites use (``abc``, ``news``, ``metro``) proves less than a unique one.

Domain lists are split without the suffix list: a registrable domain is ``label.suffix``.
"""

from __future__ import annotations

import math
from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from functools import cache, cached_property


class WebProfile:
    """Counts over the popular-domain list; empty when no list is available (then nothing is known).

    The counts are made on first use: a scan whose hosts are all outlets, shorteners or popular
    sites only needs the membership test.
    """

    def __init__(self, ranks: Mapping[str, int] | None = None, source: str = "") -> None:
        self.ranks: Mapping[str, int] = ranks if ranks is not None else {}  # domain → rank (1 = best)
        self.source = source

    @classmethod
    def from_domains(cls, domains: Iterable[str] | Mapping[str, int], source: str = "") -> WebProfile:
        """From domains best first, or a mapping of domain → rank (kept as it is, not copied)."""
        if isinstance(domains, Mapping):
            return cls(domains, source)
        ranks: dict[str, int] = {}
        for domain in domains:
            if domain not in ranks and "." in domain:
                ranks[domain] = len(ranks) + 1
        return cls(ranks, source)

    @cached_property
    def tld_counts(self) -> dict[str, int]:
        """Popular sites by top-level domain: com.br counts as br."""
        return dict(Counter(d.rpartition(".")[2] for d in self.ranks))

    @cached_property
    def label_counts(self) -> Mapping[str, int]:
        return dict(Counter(d.partition(".")[0] for d in self.ranks))

    @cached_property
    def _busiest(self) -> int:
        return max(self.tld_counts.values(), default=0)

    @property
    def size(self) -> int:
        return len(self.ranks)

    def rank(self, domain: str) -> int | None:
        return self.ranks.get(domain)

    def tld_count(self, suffix: str) -> int:
        """Popular sites under the suffix's top-level domain (com.py and gov.py count as .py)."""
        return self.tld_counts.get(suffix.rpartition(".")[2], 0)

    def ending_rarity(self, suffix: str) -> float:
        """1.0 for an ending no popular site uses, falling towards 0 for ``.com``; 0 without data.

        Log-scaled against the busiest top-level domain, so .de (thousands of sites) and .ru stay
        low while a new gTLD with a handful of sites scores near 1. Judged by the top-level domain,
        because a country's second-level endings (com.py, org.cn) are that country's web.
        """
        if not self._busiest:
            return 0.0
        return 1.0 - math.log1p(self.tld_count(suffix)) / math.log1p(self._busiest)

    def namesakes(self, label: str, *, besides: Iterable[str] = ()) -> int:
        """Popular sites named ``label`` on any ending, not counting the domains in ``besides``."""
        count = self.label_counts.get(label, 0)
        if count:
            count -= sum(1 for d in besides if d.partition(".")[0] == label and d in self.ranks)
        return max(count, 0)


def _name_dict(text: str, numbers: bytes) -> dict[str, int]:
    values = array("I")
    values.frombytes(numbers)
    return dict(zip(text.split("\n"), values, strict=True)) if text else {}


_NameMap: type[Mapping[str, int]] | None
try:  # built from linkguard/_blocks.c when a C compiler was there at install time
    from linkguard._blocks import Names
except ImportError:  # pragma: no cover - depends on the install
    _NameMap = None
else:

    class _Names(Names, Mapping[str, int]):
        """``Names`` with the rest of a mapping (keys, items, values, ==), for what reads it whole
        (a payload made again, to pickle an index for a spawned worker)."""

        __slots__ = ()

    _NameMap = _Names


def name_map(text: str, numbers: bytes) -> Mapping[str, int]:
    """``dict(zip(text.split("\n"), array("I", numbers)))`` for names listed once each (a
    ``ValueError`` else): in C, one block of memory. For the popular list's ~100k domains and ~90k
    names that is 35M instructions instead of the dicts' 223M (~60 ms, ~15% of a scan's start-up)."""
    if _NameMap is not None:
        return _NameMap(text, numbers)  # type: ignore[call-arg]
    return _name_dict(text, numbers)


def name_at(names: Mapping[str, int]) -> Callable[[int], str]:
    """The name at a position of ``names`` in iteration order (0: the first)."""
    if _NameMap is not None and isinstance(names, _NameMap):
        at: Callable[[int], str] = names.name  # type: ignore[attr-defined]
        return at
    return list(names).__getitem__


def load_profile() -> WebProfile:
    """The profile of the popular-domain list in force (the user's refreshed copy, else the bundled one)."""
    return _load_profile()


@cache
def _load_profile() -> WebProfile:
    from linkguard.popular import popular_list

    found = popular_list()
    source = found.meta.get("source", "the popular-domains list").split(",")[0].split("(")[0].strip()
    return WebProfile.from_domains(found.ranks, source=source)
