"""The campaign, not the link: which flagged domains of one scan share infrastructure.

Clone networks are registered in same-week batches, parked on the same servers and name
servers, built from one page kit and reached through the same traffic-routing hops; each link
judged alone hides that. This module reads what the investigations already observed (the
evidence of ``dns``, ``final-url``, ``tls``, ``registration``, ``redirect-chain`` and ``cloaking``)
and joins flagged domains that share a fact, with a union-find: no network, no I/O, no graph
library (the graphs are small and the only operations are "join" and "which set").

Pure: findings in, clusters out. The report package draws them; ``ClusterCollector`` keeps only
the facts of flagged domains, so its memory is bounded by their number, not by the scan's size.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any, Literal, get_args
from urllib.parse import urlsplit

from linkguard.models import Evidence, Finding

#: What two domains can share. ``registrar-week``: one registrar, registered in the same ISO week;
#: ``tls-issuer-day``: certificates from one issuer, issued the same day; ``tls-name``: a name a
#: certificate is valid for (a certificate for A naming B joins A and B); ``template``: the hash
#: of the page's tag skeleton; ``redirect-target``: a host the links pass through or end at.
FactKind = Literal[
    "ip",
    "nameserver",
    "registrar-week",
    "tls-certificate",
    "tls-issuer-day",
    "tls-name",
    "template",
    "redirect-target",
]
FACT_KINDS: tuple[FactKind, ...] = get_args(FactKind)
#: How each kind is named in reports.
FACT_LABELS: dict[FactKind, str] = {
    "ip": "IP address",
    "nameserver": "name server",
    "registrar-week": "registrar and week",
    "tls-certificate": "TLS certificate (SHA-256)",
    "tls-issuer-day": "TLS issuer and day",
    "tls-name": "name in a TLS certificate",
    "template": "page template",
    "redirect-target": "redirect target",
}
#: Facts kept per domain (a hostile site can list hundreds of names in one certificate).
MAX_FACTS_PER_DOMAIN = 64
#: Facts whose value names a host: a member named there shares the fact with whoever names it.
_NAMES_A_DOMAIN = frozenset({"redirect-target", "tls-name"})
#: Members and facts named in one finding's evidence sentence (``data`` has them all).
_SENTENCE_ITEMS = 5


@dataclass(frozen=True, slots=True, order=True)
class Fact:
    kind: FactKind
    value: str

    def label(self) -> str:
        return f"{FACT_LABELS[self.kind]} {self.value}"


@dataclass(frozen=True, slots=True)
class SharedFact:
    """One piece of infrastructure and the cluster's domains that share it (two or more)."""

    kind: FactKind
    value: str
    members: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "value": self.value, "members": list(self.members)}


@dataclass(frozen=True, slots=True)
class Edge:
    """A domain and one piece of infrastructure it shares with another member."""

    domain: str
    kind: FactKind
    value: str


@dataclass(frozen=True, slots=True)
class Cluster:
    """Flagged domains joined by shared infrastructure; ``id`` depends on the members only, so the
    same network gets the same id in every report and every run that finds it."""

    id: str
    members: tuple[str, ...]
    shared: tuple[SharedFact, ...]

    @property
    def edges(self) -> tuple[Edge, ...]:
        return tuple(Edge(m, f.kind, f.value) for f in self.shared for m in f.members)

    def facts_of(self, domain: str) -> tuple[SharedFact, ...]:
        return tuple(f for f in self.shared if domain in f.members)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "members": list(self.members),
            "shared": [f.to_dict() for f in self.shared],
        }

    def evidence_for(self, domain: str) -> Evidence:
        """The ``cluster`` evidence of one member: whom it shares what with, and the cluster's id."""
        others = [m for m in self.members if m != domain]
        facts = self.facts_of(domain)
        names = ", ".join(others[:_SENTENCE_ITEMS]) + (
            f" and {len(others) - _SENTENCE_ITEMS} more" if len(others) > _SENTENCE_ITEMS else ""
        )
        what = "; ".join(Fact(f.kind, f.value).label() for f in facts[:_SENTENCE_ITEMS])
        if len(facts) > _SENTENCE_ITEMS:
            what += f"; {len(facts) - _SENTENCE_ITEMS} more"
        via = f" ({what})" if what else " (through other members)"
        return Evidence(
            "cluster",
            f"{domain} shares infrastructure with {names}{via}: {self.id}, {len(self.members)} domains",
            {
                "cluster": self.id,
                "domain": domain,
                "members": list(self.members),
                # each fact with the members holding it: a saved scan re-rendered (``SavedClusters``)
                # can draw the cluster from these lines even when some members' findings are not saved
                "shared": [f.to_dict() for f in facts],
            },
        )


def cluster_id(members: Iterable[str]) -> str:
    """``cluster-`` and 12 hex digits of the SHA-256 of the sorted member names."""
    digest = hashlib.sha256("\n".join(sorted(members)).encode("utf-8")).hexdigest()
    return f"cluster-{digest[:12]}"


@lru_cache(maxsize=4096)
def domain_of_host(host: str) -> str:
    """The registrable domain of a host (the host itself for addresses and unknown suffixes)."""
    from linkguard.normalize import split_host  # late: keeps forensics importable on its own

    host = host.rstrip(".").lower()
    parts = split_host(host) if host else None
    return (parts.registered_domain or parts.host) if parts is not None else host


def _host(url: Any) -> str:
    if not isinstance(url, str):
        return ""
    try:
        return (urlsplit(url).hostname or "").rstrip(".").lower()
    except ValueError:
        return ""


def _day(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def _strings(value: Any) -> list[str]:
    return [v for v in value if isinstance(v, str) and v] if isinstance(value, list) else []


def observed_facts(evidence: Iterable[Evidence], origin: str = "") -> Iterator[tuple[str, Fact]]:
    """``(domain, fact)`` for every piece of infrastructure the evidence shows, attributed to the
    domain it was seen on (a shortener's address is the shortener's, not its destination's);
    ``origin`` is the link's own domain, where the visitor profiles of ``cloaking`` started."""
    for item in evidence:
        data = item.data
        if item.kind == "dns":
            domain = domain_of_host(str(data.get("host") or ""))
            for address in (*_strings(data.get("a")), *_strings(data.get("aaaa"))):
                yield domain, Fact("ip", address)
        elif item.kind == "final-url":
            domain = domain_of_host(_host(data.get("url")))
            if isinstance(data.get("address"), str) and data["address"]:
                yield domain, Fact("ip", data["address"])
            if isinstance(data.get("template"), str) and data["template"]:
                yield domain, Fact("template", data["template"])
        elif item.kind == "tls":
            yield from _tls_facts(data)
        elif item.kind == "registration":
            yield from _registration_facts(data)
        elif item.kind == "redirect-chain":
            hops = [h for h in data.get("hops", ()) if isinstance(h, dict)]
            yield from _redirect_facts([_host(h.get("url")) for h in hops])
        elif item.kind == "cloaking":
            urls = [d.get("url") for d in data.get("destinations", ()) if isinstance(d, dict)]
            yield from _redirect_facts([origin, *(_host(u) for u in urls)])  # each visitor's end


def _tls_facts(data: Mapping[str, Any]) -> Iterator[tuple[str, Fact]]:
    domain = domain_of_host(str(data.get("host") or ""))
    if isinstance(data.get("sha256"), str) and data["sha256"]:
        yield domain, Fact("tls-certificate", data["sha256"])
    issued = _day(data.get("not_before"))
    if isinstance(data.get("issuer"), str) and data["issuer"] and issued is not None:
        yield domain, Fact("tls-issuer-day", f"{data['issuer']}, {issued.date().isoformat()}")
    for name in _strings(data.get("names"))[:MAX_FACTS_PER_DOMAIN]:
        yield domain, Fact("tls-name", domain_of_host(name.removeprefix("*.")))


def _registration_facts(data: Mapping[str, Any]) -> Iterator[tuple[str, Fact]]:
    domain = str(data.get("domain") or "").lower()
    for server in _strings(data.get("nameservers")):
        yield domain, Fact("nameserver", server.rstrip(".").lower())
    registered = _day(data.get("registered"))
    registrar = data.get("registrar")
    if isinstance(registrar, str) and registrar and registered is not None:
        year, week, _ = registered.isocalendar()
        yield domain, Fact("registrar-week", f"{registrar}, {year}-W{week:02d}")


def _redirect_facts(hosts: Sequence[str]) -> Iterator[tuple[str, Fact]]:
    """Every host after the first on another domain is a redirect target of the first's domain."""
    if not hosts or not hosts[0]:
        return
    start = domain_of_host(hosts[0])
    for host in hosts[1:]:
        if host and domain_of_host(host) != start:
            yield start, Fact("redirect-target", host)


def members_of(finding: Finding) -> tuple[str, ...]:
    """The flagged domains a finding speaks for: its own (unless it is a shortener, which is only
    the way there) and the flagged destination the investigation saw it lead to."""
    if not finding.flagged:
        return ()
    evidence = finding.verdict.evidence
    out: list[str] = []
    if not any(e.kind == "shortener" for e in evidence):
        out.append(finding.link.registered_domain or finding.link.host)
    for item in evidence:
        if item.kind == "destination":
            host = _host(item.data.get("url"))
            if host:
                out.append(domain_of_host(host))
    return tuple(dict.fromkeys(d for d in out if d))


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, item: str) -> str:
        root = self.parent.setdefault(item, item)
        while root != self.parent[root]:
            root = self.parent[root]
        while item != root:  # path compression
            parent = self.parent[item]
            self.parent[item] = root
            item = parent
        return root

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)  # deterministic: the smaller name is the root


def build_clusters(facts: Mapping[str, Iterable[Fact]]) -> list[Cluster]:
    """Domains (the keys: flagged domains) joined wherever they share a fact; clusters of two or
    more, largest first. A redirect target or certificate name on a member's domain also joins that
    member: the domain sent to, or named, is part of what the two share."""
    by_domain = {d: set(fs) for d, fs in facts.items() if d}
    for domain, fs in list(by_domain.items()):
        for fact in fs:
            if fact.kind in _NAMES_A_DOMAIN:
                target = domain_of_host(fact.value)
                if target != domain and target in by_domain:
                    by_domain[target].add(fact)
    holders: dict[Fact, list[str]] = {}
    for domain in sorted(by_domain):
        for fact in by_domain[domain]:
            holders.setdefault(fact, []).append(domain)
    sets = _UnionFind()
    for domain in by_domain:
        sets.find(domain)
    for members in holders.values():
        for other in members[1:]:
            sets.union(members[0], other)
    groups: dict[str, list[str]] = {}
    for domain in sorted(by_domain):
        groups.setdefault(sets.find(domain), []).append(domain)
    clusters = []
    for members in groups.values():
        if len(members) < 2:
            continue
        inside = set(members)
        shared = sorted(
            (
                SharedFact(fact.kind, fact.value, tuple(held))
                for fact, held in holders.items()
                if len(held) >= 2 and held[0] in inside
            ),
            key=lambda f: (FACT_KINDS.index(f.kind), f.value),
        )
        clusters.append(Cluster(cluster_id(members), tuple(members), tuple(shared)))
    return sorted(clusters, key=lambda c: (-len(c.members), c.id))


class ClusterCollector:
    """Feed it a scan's findings; it keeps the infrastructure facts of flagged domains only."""

    def __init__(self) -> None:
        self._facts: dict[str, set[Fact]] = {}

    def add(self, finding: Finding) -> None:
        members = members_of(finding)
        if not members:
            return
        for member in members:
            self._facts.setdefault(member, set())
        origin = finding.link.registered_domain or finding.link.host
        for domain, fact in observed_facts(finding.verdict.evidence, origin):
            held = self._facts.get(domain)
            if held is not None and len(held) < MAX_FACTS_PER_DOMAIN:
                held.add(fact)

    def clusters(self) -> list[Cluster]:
        return build_clusters(self._facts)


def index(clusters: Iterable[Cluster]) -> dict[str, Cluster]:
    """Each member domain → its cluster (a domain is in at most one)."""
    return {member: c for c in clusters for member in c.members}


def with_cluster(finding: Finding, by_domain: Mapping[str, Cluster]) -> Finding:
    """``finding`` with a ``cluster`` evidence line first (reports that keep a few evidence items
    per domain keep it) for each cluster its domains belong to; lines of an earlier clustering, as
    in a saved scan read back, are replaced."""
    evidence = finding.verdict.evidence
    kept = tuple(e for e in evidence if e.kind != "cluster")
    added = tuple(
        by_domain[member].evidence_for(member) for member in members_of(finding) if member in by_domain
    )
    if not added and len(kept) == len(evidence):
        return finding
    verdict = dataclasses.replace(finding.verdict, evidence=(*added, *kept))
    return dataclasses.replace(finding, verdict=verdict)


class SavedClusters:
    """The clusters of a saved scan read back (``linkguard report``): rebuilt from the facts its
    findings carry, as the scan built them; a cluster its ``cluster`` lines name but the facts no
    longer make (members' findings left out of the file) is drawn from those lines instead."""

    def __init__(self) -> None:
        self.collector = ClusterCollector()
        #: cluster id → its members, and each fact the lines name → the members holding it
        self._named: dict[str, tuple[tuple[str, ...], dict[Fact, set[str]]]] = {}

    def add(self, finding: Finding) -> None:
        self.collector.add(finding)
        for item in finding.verdict.evidence:
            if item.kind == "cluster":
                self._read_line(item.data, members_of(finding))

    def _read_line(self, data: Mapping[str, Any], speaks_for: tuple[str, ...]) -> None:
        cid, members = data.get("cluster"), _strings(data.get("members"))
        if not isinstance(cid, str) or len(members) < 2:
            return
        _, facts = self._named.setdefault(cid, (tuple(members), {}))
        domain = data.get("domain")  # lines written before it was kept: the finding's own domains
        holders_of_line = {domain} if isinstance(domain, str) else set(speaks_for) & set(members)
        for shared in data.get("shared", ()) if isinstance(data.get("shared"), list) else ():
            kind, value = (
                (shared.get("kind"), shared.get("value")) if isinstance(shared, dict) else (None, None)
            )
            if kind in FACT_KINDS and isinstance(value, str):
                held = facts.setdefault(Fact(kind, value), set())
                held.update(holders_of_line, (m for m in _strings(shared.get("members")) if m in members))

    def clusters(self) -> list[Cluster]:
        rebuilt = {c.id: c for c in self.collector.clusters()}
        for cid, (members, facts) in self._named.items():
            if cid not in rebuilt:
                shared = sorted(
                    (SharedFact(f.kind, f.value, tuple(sorted(held))) for f, held in facts.items()),
                    key=lambda f: (FACT_KINDS.index(f.kind), f.value),
                )
                rebuilt[cid] = Cluster(cid, members, tuple(shared))
        return sorted(rebuilt.values(), key=lambda c: (-len(c.members), c.id))
