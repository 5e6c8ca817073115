"""The rules as linkguard uses them (``RuleSet``) and as they are written (``RuleEntry``).

A ``RuleSet`` is the merged set in force for one run: outlets (``linkguard.models.Outlet``),
legitimate look-alikes, known-bad domains and shorteners. Each rule class has one field per key
of its table in ``schema`` (plus ``origin``), so a new optional key (a blocked domain's
``reported`` date, say) is a ``Key`` there and a defaulted field here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, fields
from typing import Any, Literal, TypeVar

from linkguard.models import Outlet

_slotted: Callable[[type, tuple[str, ...], Sequence[tuple[Any, ...]]], list[Any]] | None
try:  # built from linkguard/_blocks.c when a C compiler was there at install time
    from linkguard._blocks import slotted as _slotted
except ImportError:  # pragma: no cover - depends on the install
    _slotted = None

_T = TypeVar("_T")

#: Where a rule comes from: the bundled files, or the user's (``--rules`` files count as the user's).
Origin = Literal["bundled", "user"]


@dataclass(frozen=True, slots=True)
class LegitRule:
    domain: str
    note: str = ""
    origin: str = "bundled"


@dataclass(frozen=True, slots=True)
class BlockedRule:
    domain: str
    source: str
    imitates: str = ""
    campaign: str = ""
    origin: str = "bundled"
    # provenance (indicator feeds, issue #17)
    source_url: str = ""
    reported: str = ""


@dataclass(frozen=True, slots=True)
class RatingRule:
    """What a public rating of news-domain quality says about a domain (issue #17): ``value`` from 0
    (lowest) to 1 (highest) on the rating ``rating`` that ``source`` publishes. Evidence quotes it."""

    domain: str
    value: float
    rating: str
    source: str
    source_url: str = ""
    reported: str = ""
    origin: str = "bundled"


@dataclass(frozen=True, slots=True)
class ShortenerRule:
    domain: str
    owner: str = ""
    origin: str = "bundled"


#: Each table a rule is built from: the ``RuleSet`` field that holds its rules, and their class.
#: A new table is a line here, a field on ``RuleSet`` and its keys in ``schema.SCHEMA``.
RULE_CLASSES: dict[str, tuple[str, type[Any]]] = {
    "outlet": ("outlets", Outlet),
    "legit": ("legit", LegitRule),
    "blocked": ("blocked", BlockedRule),
    "shortener": ("shorteners", ShortenerRule),
    "rating": ("ratings", RatingRule),
}


def as_row(rule: Any) -> tuple[Any, ...]:
    """A rule (or an ``Outlet``) as plain values in field order: cheap to marshal or pickle."""
    return tuple(getattr(rule, f.name) for f in fields(rule))


def _slot_fields(cls: type) -> tuple[str, ...] | None:
    """The fields ``cls(*row)`` stores, in order, when that is all its ``__init__`` does (a
    slotted dataclass with no ``__post_init__`` and every field an argument); None otherwise."""
    if "__slots__" not in cls.__dict__ or hasattr(cls, "__post_init__"):
        return None
    found = fields(cls)
    return tuple(f.name for f in found) if all(f.init for f in found) else None


def from_rows(cls: type[_T], rows: Sequence[tuple[Any, ...]]) -> list[_T]:
    """``[cls(*row) for row in rows]`` for rows of every field (``as_row``'s). For a slotted
    dataclass, the C ``slotted`` fills the objects' slots directly: a frozen one's ``__init__``
    stores each field through ``object.__setattr__``, which made rebuilding the index's ~11,000
    outlets, rules and brands ~0.1 G instructions of every start-up."""
    names = _slot_fields(cls)
    if names is None or _slotted is None:
        return [cls(*row) for row in rows]
    built: list[_T] = _slotted(cls, names, rows)
    return built


@dataclass(frozen=True, slots=True)
class RuleSet:
    """The merged rules in force for one run.

    ``cache_key`` names the on-disk detector index built for exactly these rules (set by
    ``linkguard.lookalike.load_detector`` and the cached loaders; not part of equality), so that a
    copy in another process finds that index instead of rebuilding it.
    """

    outlets: tuple[Outlet, ...] = ()
    legit: tuple[LegitRule, ...] = ()
    blocked: tuple[BlockedRule, ...] = ()
    shorteners: tuple[ShortenerRule, ...] = ()
    ratings: tuple[RatingRule, ...] = ()  # source ratings (issue #17)
    files: tuple[str, ...] = field(default=(), compare=False)
    cache_key: str = field(default="", compare=False, repr=False)
    #: The detector index built from exactly this (immutable) object, so that each further
    #: ``Detector(rules)`` reuses it; never copied by ``dataclasses.replace`` or a pickle.
    built_index: Any = field(default=None, init=False, compare=False, repr=False)

    def outlet_for(self, registered_domain: str) -> Outlet | None:
        for outlet in self.outlets:
            if registered_domain in outlet.domains:
                return outlet
        return None

    # -- plain form: what the index cache stores and what a pickle carries --------------------------

    def to_rows(self) -> dict[str, Any]:
        """Plain data (tuples of str): marshal-able, and ~5× faster to pickle than the objects."""
        rows: dict[str, Any] = {
            name: [as_row(r) for r in getattr(self, name)] for name, _ in RULE_CLASSES.values()
        }
        return rows | {"files": tuple(self.files), "cache_key": self.cache_key}

    @classmethod
    def from_rows(cls, rows: dict[str, Any]) -> RuleSet:
        built = {name: tuple(from_rows(rule, rows[name])) for name, rule in RULE_CLASSES.values()}
        return cls(**built, files=tuple(rows["files"]), cache_key=str(rows.get("cache_key", "")))

    def __reduce__(self) -> tuple[Any, ...]:
        return (RuleSet.from_rows, (self.to_rows(),))


@dataclass(frozen=True, slots=True)
class RuleEntry:
    """One ``[[table]]`` entry as written, with where it is: what ``rules list/show`` print.

    ``line`` is 0 when positions were not looked up (the load path, until an error needs one);
    ``index`` is the entry's position in its table in its file (negative: added in this session).
    """

    table: str
    data: dict[str, Any]
    file: str
    line: int
    origin: str
    index: int

    @property
    def domains(self) -> tuple[str, ...]:
        value = (
            self.data.get("domains", self.data.get("domain"))
            if self.table == "outlet"
            else self.data.get("domain")
        )
        values = [value] if isinstance(value, str) else value if isinstance(value, list) else []
        return tuple(v.strip().lower() for v in values if isinstance(v, str) and v.strip())

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}" if self.line else self.file
