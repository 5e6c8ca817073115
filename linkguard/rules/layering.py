"""How rule files combine: the one place that says what ``[[removed]]`` hides and which entry wins.

Files are read in order (the bundled reference tier, the bundled curated files, then the user's
files). ``[[removed]] domain`` hides *bundled* rules for that domain only, so a user can withdraw a
shipped rule and still state their own rule for the same domain. Of the remaining entries, a later
one for the same table and primary domain replaces an earlier one (a curated outlet replaces its
reference entry; a user's outlet replaces the bundled one).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence

from linkguard.rules.model import RuleEntry

Live = tuple[RuleEntry, tuple[str, ...]]


def hidden(domain: str, origin: str, removed: Collection[str]) -> bool:
    """True when a ``[[removed]]`` entry hides this domain of a rule from ``origin``."""
    return origin == "bundled" and domain in removed


def removed_domains(entries: Iterable[RuleEntry]) -> set[str]:
    return {d for e in entries if e.table == "removed" for d in e.domains}


def live_domains(entry: RuleEntry, removed: Collection[str]) -> tuple[str, ...]:
    """The domains of ``entry`` that no ``[[removed]]`` hides."""
    if entry.origin != "bundled" or not removed:
        return entry.domains
    return tuple(d for d in entry.domains if not hidden(d, entry.origin, removed))


def layer(entries: Sequence[RuleEntry], removed: Collection[str] | None = None) -> list[Live]:
    """Entries (``[[removed]]`` ones left out) with the domains they still cover; none left: dropped."""
    if removed is None:
        removed = removed_domains(entries)
    out: list[Live] = []
    for e in entries:
        if e.table == "removed":
            continue
        domains = live_domains(e, removed)
        if domains:
            out.append((e, domains))
    return out


def in_force(entries: Sequence[RuleEntry], *, winners_last: bool = False) -> list[Live]:
    """The entries that win after layering, with their live domains.

    Keyed by (table, primary domain): the latest entry wins. The winner takes the place of the
    first entry for its key (the order the detector indexes outlets in, which decides ties), or with
    ``winners_last`` its own place (the order ``rules list`` prints).
    """
    winners: dict[tuple[str, str], Live] = {}
    for e, domains in layer(entries):
        key = (e.table, domains[0])
        if winners_last:
            winners.pop(key, None)
        winners[key] = (e, domains)
    return list(winners.values())
