"""STIX 2.1 bundle for threat-intel platforms (OpenCTI, MISP): one indicator per flagged domain.

Objects: the linkguard tool ``identity``; per flagged domain a ``domain-name`` SCO (or
``ipv4-addr``/``ipv6-addr``), ``url`` SCOs for its URLs, an ``indicator`` with the evidence, and
``related-to`` relationships from the indicator to those SCOs and to the impersonated outlet's
``identity``; per infrastructure cluster a ``grouping`` of its domains, their indicators and
what they share (addresses, names, certificates; ``infrastructure`` objects for template and
registrar), with relationships from each domain to each; a ``note`` on the indicators names the
indicator feeds in force and their dates.
Ids are UUIDv5s of their content (plus the report time for per-report objects),
so a fixed ``now`` gives byte-identical output. Machine format: values are never defanged.
"""

from __future__ import annotations

import ipaddress
import uuid
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import stix2

from linkguard.models import Outlet, ScanStats
from linkguard.report.base import FlaggedDomainsReporter
from linkguard.report.grouping import Group

if TYPE_CHECKING:
    from linkguard.forensics.clusters import Cluster, SharedFact

#: Namespace for linkguard's deterministic STIX ids.
NAMESPACE = uuid.UUID("6f1d2c4e-1b0a-5e55-9a4c-6c696e6b6775")
#: Creation time of the long-lived identities, so they are the same object in every report.
EPOCH = datetime(2024, 1, 1, tzinfo=UTC)
TOOL_IDENTITY_ID = f"identity--{uuid.uuid5(NAMESPACE, 'tool:linkguard')}"
_INDICATOR_TYPES = {"malicious": "malicious-activity", "suspicious": "anomalous-activity"}


def _id(kind: str, *parts: str) -> str:
    return f"{kind}--{uuid.uuid5(NAMESPACE, chr(0).join((kind, *parts)))}"


def _quote(value: str) -> str:
    """Quote a value for a STIX pattern string literal."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def tool_identity() -> Any:
    return stix2.v21.Identity(
        id=TOOL_IDENTITY_ID,
        created=EPOCH,
        modified=EPOCH,
        name="linkguard",
        identity_class="system",
        description="Disinformation link-checker: finds links to lookalike news domains.",
    )


def _address_object(value: str) -> tuple[Any, str]:
    """The SCO and pattern object type for a domain or an IP address."""
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return stix2.v21.DomainName(value=value), "domain-name"
    if address.version == 4:
        return stix2.v21.IPv4Address(value=value), "ipv4-addr"
    return stix2.v21.IPv6Address(value=value), "ipv6-addr"


class StixReporter(FlaggedDomainsReporter):
    """Always one indicator per flagged *domain*, whatever ``group_by`` and ``show_all`` say."""

    name = "stix"

    def _outlet(self, outlet: Outlet, objects: dict[str, Any]) -> str:
        outlet_id = _id("identity", "outlet", outlet.domain)
        if outlet_id not in objects:
            objects[outlet_id] = stix2.v21.Identity(
                id=outlet_id,
                created=EPOCH,
                modified=EPOCH,
                created_by_ref=TOOL_IDENTITY_ID,
                name=outlet.name,
                identity_class="organization",
                description=f"News outlet; official domains: {', '.join(outlet.domains)}",
            )
        return outlet_id

    def _relationship(
        self, source: str, target: str, description: str | None = None, kind: str = "related-to"
    ) -> Any:
        return stix2.v21.Relationship(
            id=_id("relationship", source, target, self.now.isoformat()),
            created=self.now,
            modified=self.now,
            created_by_ref=TOOL_IDENTITY_ID,
            relationship_type=kind,
            source_ref=source,
            target_ref=target,
            description=description,
        )

    def _objects_for(self, group: Group, objects: dict[str, Any]) -> None:
        observable, object_type = _address_object(group.key)
        evidence = "\n".join(f"- {e.kind}: {e.detail}" for e in group.evidence)
        impersonates = f" imitating {group.outlet.title}" if group.outlet else ""
        indicator = stix2.v21.Indicator(
            id=_id("indicator", group.key, self.now.isoformat()),
            created=self.now,
            modified=self.now,
            created_by_ref=TOOL_IDENTITY_ID,
            name=f"Lookalike domain {group.key}{impersonates}",
            description=(
                f"linkguard verdict {group.status}, score {group.score}, linked from {group.posts} "
                f"post(s), first seen at {group.first_seen}.\nEvidence:\n{evidence}"
            ).rstrip(),
            indicator_types=[_INDICATOR_TYPES[group.status]],
            labels=list(group.techniques) or None,
            pattern=f"[{object_type}:value = {_quote(group.key)}]",
            pattern_type="stix",
            valid_from=self.now,
        )
        for obj in (indicator, observable, self._relationship(indicator.id, observable.id)):
            objects[obj.id] = obj
        for url in group.urls:
            sco = stix2.v21.URL(value=url)
            relationship = self._relationship(indicator.id, sco.id)
            objects[sco.id], objects[relationship.id] = sco, relationship
        if group.outlet:
            outlet_id = self._outlet(group.outlet, objects)
            outlet = group.outlet.title
            note = f"{group.key} impersonates {outlet}.\nEvidence:\n{evidence}"
            relationship = self._relationship(indicator.id, outlet_id, note.rstrip())
            objects[relationship.id] = relationship

    def _fact_object(self, fact: SharedFact) -> Any:
        """An SCO where STIX has one (address, name, certificate), else an ``infrastructure``."""
        if fact.kind == "ip":
            return _address_object(fact.value)[0]
        if fact.kind in ("nameserver", "redirect-target", "tls-name"):
            return stix2.v21.DomainName(value=fact.value)
        if fact.kind == "tls-certificate":
            return stix2.v21.X509Certificate(hashes={"SHA-256": fact.value})
        from linkguard.forensics.clusters import FACT_LABELS

        return stix2.v21.Infrastructure(
            id=_id("infrastructure", fact.kind, fact.value, self.now.isoformat()),
            created=self.now,
            modified=self.now,
            created_by_ref=TOOL_IDENTITY_ID,
            name=f"{FACT_LABELS[fact.kind]}: {fact.value}",
            infrastructure_types=["unknown"],
        )

    def _grouping(self, cluster: Cluster, objects: dict[str, Any]) -> None:
        """One ``grouping`` per cluster: its domains, their indicators, the infrastructure they
        share, and a relationship from each domain to each shared thing it has."""
        from linkguard.forensics.clusters import FACT_LABELS

        refs: dict[str, None] = {}
        domains: dict[str, str] = {}
        for member in cluster.members:
            observable = _address_object(member)[0]
            objects.setdefault(observable.id, observable)
            domains[member] = observable.id
            refs[observable.id] = None
            indicator = _id("indicator", member, self.now.isoformat())
            if indicator in objects:
                refs[indicator] = None
        for fact in cluster.shared:
            target = self._fact_object(fact)
            objects.setdefault(target.id, target)
            refs[target.id] = None
            for member in fact.members:
                relationship = self._relationship(
                    domains[member],
                    target.id,
                    f"{member} and {len(fact.members) - 1} other domain(s) share {FACT_LABELS[fact.kind]} "
                    f"{fact.value}",
                    "resolves-to" if fact.kind == "ip" else "related-to",
                )
                objects[relationship.id] = relationship
                refs[relationship.id] = None
        grouping = stix2.v21.Grouping(
            id=_id("grouping", cluster.id, self.now.isoformat()),
            created=self.now,
            modified=self.now,
            created_by_ref=TOOL_IDENTITY_ID,
            name=f"Infrastructure cluster {cluster.id}",
            description="\n".join(
                [
                    f"{len(cluster.members)} flagged domains sharing infrastructure: "
                    f"{', '.join(cluster.members)}.",
                    *(f"- {FACT_LABELS[f.kind]} {f.value}: {', '.join(f.members)}" for f in cluster.shared),
                ]
            ),
            context="suspicious-activity",
            object_refs=list(refs),
        )
        objects[grouping.id] = grouping

    def bundle(self) -> Any:
        objects: dict[str, Any] = {TOOL_IDENTITY_ID: tool_identity()}
        for group in self.grouper.groups():
            if group.status in _INDICATOR_TYPES:
                self._objects_for(group, objects)
        for cluster in self.clusters:
            self._grouping(cluster, objects)
        bundle_id = _id("bundle", self.now.isoformat(), *sorted(objects))
        return stix2.v21.Bundle(id=bundle_id, objects=list(objects.values()))

    def _close(self, stats: ScanStats) -> None:
        bundle = self.bundle()
        indicators = [o.id for o in bundle.objects if o.type == "indicator"]
        if stats.feeds and indicators:  # how old the known-bad lists behind these indicators are
            dates = ", ".join(f"{k} {v}" for k, v in sorted(stats.feeds.items()))
            note = stix2.v21.Note(
                id=_id("note", dates, self.now.isoformat()),
                created=self.now,
                modified=self.now,
                created_by_ref=TOOL_IDENTITY_ID,
                content=f"linkguard indicator feeds in force: {dates}",
                object_refs=indicators,
            )
            bundle = stix2.v21.Bundle(id=bundle.id, objects=[*bundle.objects, note])
        self.out.write(bundle.serialize(pretty=True) + "\n")
