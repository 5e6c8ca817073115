"""Infrastructure clusters from constructed investigation evidence, and how each report shows them."""

from __future__ import annotations

import io
import json
from typing import Any

import stix2
from forensics_servers import NOW, WELT

from linkguard.forensics.clusters import (
    ClusterCollector,
    Fact,
    build_clusters,
    cluster_id,
    index,
    members_of,
    with_cluster,
)
from linkguard.forensics.page import analyse, parse_html
from linkguard.forensics.registration import parse_rdap, parse_whois
from linkguard.models import Evidence, Finding, ScanStats, Verdict
from linkguard.report import open_writer
from linkguard.scan import parse_target

TEMPLATE = "0123456789abcdef"


def finding(url: str, *evidence: Evidence, status: str = "suspicious") -> Finding:
    link = parse_target(url)
    assert link is not None
    flagged = status in ("suspicious", "malicious")
    verdict = Verdict(status, 60 if flagged else 0, WELT if flagged else None, (), evidence)  # type: ignore[arg-type]
    return Finding(link, verdict, "posts.txt", 1, 1)


def dns(host: str, *addresses: str) -> Evidence:
    return Evidence("dns", f"{host} resolves", {"host": host, "a": list(addresses), "aaaa": []})


def final(url: str, address: str, template: str | None = None) -> Evidence:
    data: dict[str, Any] = {"url": url, "status": 200, "address": address}
    if template:
        data["template"] = template
    return Evidence("final-url", f"the link ends at {url}", data)


def registration(domain: str, registrar: str, registered: str, *nameservers: str) -> Evidence:
    data = {
        "domain": domain,
        "registrar": registrar,
        "registered": registered,
        "nameservers": list(nameservers),
    }
    return Evidence("registration", f"{domain} was registered", data)


def chain(*urls: str) -> Evidence:
    return Evidence("redirect-chain", "redirects", {"hops": [{"url": u} for u in urls]})


def clusters_of(*findings: Finding) -> list[Any]:
    collector = ClusterCollector()
    for item in findings:
        collector.add(item)
    return collector.clusters()


def test_two_flagged_domains_on_one_address_with_one_template_are_one_cluster() -> None:
    (cluster,) = clusters_of(
        finding(
            "https://welt.ltd/a",
            dns("welt.ltd", "198.51.100.7"),
            final("https://welt.ltd/a", "198.51.100.7", TEMPLATE),
        ),
        finding(
            "https://welt.top/b",
            dns("welt.top", "198.51.100.7"),
            final("https://welt.top/b", "198.51.100.7", TEMPLATE),
        ),
        finding(
            "https://welt.cfd/c", dns("welt.cfd", "203.0.113.9"), final("https://welt.cfd/c", "203.0.113.9")
        ),
        # unflagged: shares the address, but is nobody's campaign
        finding("https://example.org/", dns("example.org", "198.51.100.7"), status="unknown"),
    )
    assert cluster.members == ("welt.ltd", "welt.top")
    assert [(f.kind, f.value, f.members) for f in cluster.shared] == [
        ("ip", "198.51.100.7", ("welt.ltd", "welt.top")),
        ("template", TEMPLATE, ("welt.ltd", "welt.top")),
    ]
    assert cluster.id == cluster_id(["welt.top", "welt.ltd"]) and cluster.id.startswith("cluster-")
    assert {(e.domain, e.kind) for e in cluster.edges} == {
        ("welt.ltd", "ip"),
        ("welt.top", "ip"),
        ("welt.ltd", "template"),
        ("welt.top", "template"),
    }


def test_the_id_depends_on_the_members_only() -> None:
    a = finding("https://welt.ltd/", dns("welt.ltd", "198.51.100.7"))
    b = finding("https://welt.top/", dns("welt.top", "198.51.100.7"), dns("welt.top", "198.51.100.8"))
    (one,) = clusters_of(a, b)
    (two,) = clusters_of(b, a)
    assert one == two
    c = finding("https://welt.cfd/", registration("welt.cfd", "R", "2024-05-01T00:00:00+00:00", "ns1.x.net"))
    d = finding("https://welt.top/", registration("welt.top", "R", "2024-05-01T00:00:00+00:00", "ns1.x.net"))
    (other,) = clusters_of(c, d)
    assert other.id != one.id  # another membership, another id


def test_clusters_join_transitively_and_registrar_counts_only_within_one_week() -> None:
    found = clusters_of(
        finding("https://welt.ltd/", dns("welt.ltd", "198.51.100.7")),
        finding(
            "https://welt.top/",
            dns("welt.top", "198.51.100.7"),
            registration("welt.top", "Cheap Names LLC", "2024-04-29T10:00:00+00:00", "NS1.Bulk.Example."),
        ),
        finding(
            "https://welt.cfd/",
            registration("welt.cfd", "Other Registrar", "2024-05-02T00:00:00+00:00", "ns1.bulk.example"),
        ),
        # same registrar as welt.top, same ISO week (2024-W18) ...
        finding(
            "https://welt.bond/", registration("welt.bond", "Cheap Names LLC", "2024-05-05T23:00:00+00:00")
        ),
        # ... and the week after: not joined
        finding(
            "https://welt.sbs/", registration("welt.sbs", "Cheap Names LLC", "2024-05-06T01:00:00+00:00")
        ),
    )
    (cluster,) = found
    assert cluster.members == ("welt.bond", "welt.cfd", "welt.ltd", "welt.top")
    kinds = {(f.kind, f.value) for f in cluster.shared}
    assert ("nameserver", "ns1.bulk.example") in kinds
    assert ("registrar-week", "Cheap Names LLC, 2024-W18") in kinds


def test_redirect_targets_join_a_traffic_router_and_the_clone_it_sends_to() -> None:
    (cluster,) = clusters_of(
        finding(
            "https://welt.ltd/x",
            chain("https://welt.ltd/x", "https://tds.example.net/go", "https://welt.top/a"),
        ),
        finding("https://welt.top/a", dns("welt.top", "192.0.2.1")),
        finding("https://welt.cfd/y", chain("https://welt.cfd/y", "https://tds.example.net/go?2")),
    )
    assert cluster.members == ("welt.cfd", "welt.ltd", "welt.top")
    shared = {(f.kind, f.value): f.members for f in cluster.shared}
    assert shared[("redirect-target", "tds.example.net")] == ("welt.cfd", "welt.ltd")
    assert shared[("redirect-target", "welt.top")] == ("welt.ltd", "welt.top")


def test_a_shortener_speaks_for_its_destination_not_for_itself() -> None:
    shortened = finding(
        "https://t.co/abcdefghij",
        Evidence("shortener", "t.co is a shortener"),
        dns("t.co", "192.0.2.50"),
        Evidence(
            "destination", "the link leads to welt.ltd", {"url": "https://welt.ltd/a", "status": "suspicious"}
        ),
        final("https://welt.ltd/a", "198.51.100.7", TEMPLATE),
    )
    assert members_of(shortened) == ("welt.ltd",)
    other_short = finding("https://t.co/klmnopqrst", Evidence("shortener", "t.co"), dns("t.co", "192.0.2.50"))
    # the shortener's own address is t.co's: it joins nothing
    assert (
        clusters_of(shortened, other_short, finding("https://welt.cfd/", dns("welt.cfd", "192.0.2.50"))) == []
    )
    (cluster,) = clusters_of(
        shortened, finding("https://welt.top/", final("https://welt.top/", "203.0.113.1", TEMPLATE))
    )
    assert cluster.members == ("welt.ltd", "welt.top")


def test_a_certificate_naming_another_domain_joins_them() -> None:
    tls = {
        "host": "www.welt.ltd",
        "issuer": "Tiny CA",
        "sha256": "aa" * 32,
        "names": ["welt.ltd", "*.welt.top"],
    }
    tls2 = {"host": "welt.top", "issuer": "Tiny CA", "sha256": "bb" * 32, "names": ["welt.top"]}
    (cluster,) = clusters_of(
        finding("https://www.welt.ltd/", Evidence("tls", "certificate", tls)),
        finding("https://welt.top/", Evidence("tls", "certificate", tls2)),
    )
    assert [(f.kind, f.value) for f in cluster.shared] == [("tls-name", "welt.top")]


def test_the_cluster_evidence_names_the_cluster_and_is_replaced_not_repeated() -> None:
    a = finding("https://welt.ltd/", dns("welt.ltd", "198.51.100.7"))
    b = finding("https://welt.top/", dns("welt.top", "198.51.100.7"))
    by_domain = index(clusters_of(a, b))
    marked = with_cluster(a, by_domain)
    (line,) = [e for e in marked.verdict.evidence if e.kind == "cluster"]
    assert line.data["cluster"] == by_domain["welt.ltd"].id
    assert line.data["members"] == ["welt.ltd", "welt.top"]
    assert line.data["domain"] == "welt.ltd"
    assert line.data["shared"] == [
        {"kind": "ip", "value": "198.51.100.7", "members": ["welt.ltd", "welt.top"]}
    ]
    assert "welt.ltd shares infrastructure with welt.top (IP address 198.51.100.7)" in line.detail
    assert with_cluster(marked, by_domain) == marked  # a saved scan read back gets no second line
    assert with_cluster(marked, {}).verdict.evidence == a.verdict.evidence
    alone = finding("https://welt.cfd/")
    assert with_cluster(alone, by_domain) is alone


def test_build_clusters_ignores_lone_domains() -> None:
    assert (
        build_clusters({"a.example": {Fact("ip", "192.0.2.1")}, "b.example": {Fact("ip", "192.0.2.2")}}) == []
    )


def test_the_template_hash_is_the_tag_skeleton_not_the_text() -> None:
    body = (
        "<html><head><title>{t}</title></head><body>"
        + "<div><p>{t}</p><a href='/x'>{t}</a></div>" * 6
        + "</body></html>"
    )
    one = analyse(parse_html(body.format(t="WELT").encode()), "https://welt.ltd/")
    two = analyse(parse_html(body.format(t="Spiegel").encode()), "https://spiegel.ltd/")
    other = analyse(parse_html(body.replace("<p>", "<span>").format(t="WELT").encode()), "https://x.ltd/")
    tiny = analyse(parse_html(b"<html><body><p>moved</p></body></html>"), "https://y.ltd/")
    assert one.template is not None and len(one.template) == 16
    assert one.template == two.template
    assert other.template not in (None, one.template)
    assert tiny.template is None  # a bare page looks the same everywhere: no join on it


def test_registration_reads_the_name_servers() -> None:
    data = {
        "nameservers": [{"ldhName": "NS2.Bulk.Example."}, {"ldhName": "ns1.bulk.example"}, {"x": 1}, "junk"],
        "events": [{"eventAction": "registration", "eventDate": "2024-05-02T09:30:00Z"}],
    }
    assert parse_rdap("welt.ltd", "rdap.test", data).nameservers == ("ns1.bulk.example", "ns2.bulk.example")
    text = (
        "Domain Name: WELT.LTD\r\nRegistrar: Cheap Names LLC\r\nCreation Date: 2024-05-02T09:30:00Z\r\n"
        "Name Server: NS1.BULK.EXAMPLE\r\nName Server: ns2.bulk.example\r\n"
    )
    assert parse_whois("welt.ltd", "whois.test:43", text).nameservers == (
        "ns1.bulk.example",
        "ns2.bulk.example",
    )


def cluster_report(fmt: str, hostile: bool = False) -> str:
    registrar = "<script>alert(1)</script> LLC" if hostile else "Cheap Names LLC"
    findings = [
        finding(
            f"https://{d}/a",
            dns(d, "198.51.100.7"),
            registration(d, registrar, "2024-05-02T00:00:00+00:00", "ns1.bulk.example"),
        )
        for d in ("welt.ltd", "welt.top")
    ]
    clusters = clusters_of(*findings)
    out = io.StringIO()
    writer = open_writer(fmt, out, now=NOW)
    for item in findings:
        writer.add(with_cluster(item, index(clusters)))
    writer.set_clusters(clusters)
    writer.close(ScanStats(links=2, flagged=2))
    return out.getvalue()


def test_the_html_report_draws_each_cluster_as_static_svg_with_a_table() -> None:
    page = cluster_report("html")
    section = page[page.index('<section id="clusters">') :]
    assert "<h2>Infrastructure clusters (1)</h2>" in section
    assert section.count("<svg ") == 1 and 'role="img"' in section
    assert '<title id="cluster1-title">' in section
    assert section.count("<line ") == 6  # two domains × (address, name server, registrar week)
    assert "welt[.]ltd" in section and "welt.ltd" not in section  # defanged like the rest
    assert '<table class="cluster-facts">' in section and "<caption>" in section
    assert "<script" not in page and 'href="http' not in page


def test_hostile_fact_values_are_text_in_the_drawing_and_the_table() -> None:
    page = cluster_report("html", hostile=True)
    assert "<script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; LLC" in page


def test_stix_has_a_grouping_with_relationships_per_cluster() -> None:
    bundle = stix2.parse(cluster_report("stix"), allow_custom=False)
    (grouping,) = [o for o in bundle.objects if o.type == "grouping"]
    by_id = {o.id: o for o in bundle.objects}
    refs = [by_id[r] for r in grouping.object_refs]
    assert grouping.context == "suspicious-activity"
    assert {o.value for o in refs if o.type == "domain-name"} >= {"welt.ltd", "welt.top", "ns1.bulk.example"}
    assert {o.value for o in refs if o.type == "ipv4-addr"} == {"198.51.100.7"}
    assert sum(o.type == "indicator" for o in refs) == 2
    relationships = [o for o in refs if o.type == "relationship"]
    assert len(relationships) == 6
    assert sorted(r.relationship_type for r in relationships).count("resolves-to") == 2
    assert all(r.target_ref in grouping.object_refs for r in relationships)


def test_json_lines_keep_their_keys_and_name_the_cluster_in_the_evidence() -> None:
    from linkguard.models import FINDING_KEYS

    rows = [json.loads(line) for line in cluster_report("jsonl").splitlines()]
    assert all(tuple(r) == FINDING_KEYS for r in rows)
    ids = {e["data"]["cluster"] for r in rows for e in r["evidence"] if e["kind"] == "cluster"}
    assert len(ids) == 1
    document = json.loads(cluster_report("json"))
    assert [c["id"] for c in document["clusters"]] == list(ids)


def test_markdown_and_table_list_the_shared_facts() -> None:
    markdown = cluster_report("markdown")
    assert "## Infrastructure clusters (1)" in markdown
    assert "| IP address | 198\\[.\\]51\\[.\\]100\\[.\\]7 | welt\\[.\\]ltd, welt\\[.\\]top |" in markdown
    table = cluster_report("table")
    assert (
        "Infrastructure cluster cluster-" in table
        and "• name server ns1[.]bulk[.]example: welt[.]ltd, welt[.]top" in table
    )


def test_a_certificate_naming_a_member_joins_it_even_without_its_own_certificate() -> None:
    tls = {"host": "welt.ltd", "issuer": "Tiny CA", "sha256": "aa" * 32, "names": ["welt.ltd", "welt.top"]}
    (cluster,) = clusters_of(
        finding("https://welt.ltd/", Evidence("tls", "certificate", tls)),
        finding("http://welt.top/", dns("welt.top", "192.0.2.1")),  # plain HTTP: no certificate of its own
    )
    assert [(f.kind, f.value, f.members) for f in cluster.shared] == [
        ("tls-name", "welt.top", cluster.members)
    ]


def test_the_cluster_line_comes_first_so_reports_that_cap_evidence_keep_it() -> None:
    many = [Evidence("dns", f"note {i}") for i in range(12)]
    a = finding("https://welt.ltd/", dns("welt.ltd", "198.51.100.7"), *many)
    b = finding("https://welt.top/", dns("welt.top", "198.51.100.7"))
    marked = with_cluster(a, index(clusters_of(a, b)))
    assert marked.verdict.evidence[0].kind == "cluster"
    out = io.StringIO()
    writer = open_writer("markdown", out, now=NOW)
    writer.add(marked)
    writer.close(ScanStats())
    assert "**cluster**: welt.ltd shares infrastructure with welt.top" in out.getvalue()


def test_the_cluster_spool_gives_back_every_finding_in_order_with_its_cluster_once() -> None:
    """``ClusterSpool``, behind ``scan --online`` and ``serve --online``: the findings come back in
    input order, the members' with their ``cluster`` line first, the rest unchanged."""
    from linkguard.report.clustered import ClusterSpool

    held = ClusterSpool()
    items = [
        finding("https://welt.ltd/a", dns("welt.ltd", "192.0.2.7")),
        finding("https://www.welt.de/", status="trusted"),
        finding("https://welt.top/b", dns("welt.top", "192.0.2.7")),
    ]
    for n, item in enumerate(items):
        held.add(item, f"context {n}")
    assert held.clusters == []  # known only once every finding is in
    replayed = list(held.replay())
    assert [c.members for c in held.clusters] == [("welt.ltd", "welt.top")]
    assert [context for _, context in replayed] == ["context 0", "context 1", "context 2"]
    assert replayed[1][0] == items[1]
    for (out, _), item in zip(replayed[::2], items[::2], strict=True):
        assert out.verdict.evidence[0].kind == "cluster" and out.verdict.evidence[1:] == item.verdict.evidence
    assert held.closed  # read once: the spool is gone
