"""Writer API: filters, streaming, bounded aggregation, format lookup, STIX validity."""

from __future__ import annotations

import io
import json
from dataclasses import replace

import pytest
import stix2
from report_fixtures import NOW, findings, produce, stats

from linkguard.models import ScanStats
from linkguard.report import BINARY_FORMATS, FORMATS, format_for_path, open_writer, render
from linkguard.report.grouping import MAX_CONTEXTS, Grouper
from linkguard.report.snippet import make_snippet


def test_formats_tuple_is_the_contract() -> None:
    assert FORMATS == ("table", "jsonl", "json", "csv", "markdown", "html", "stix", "misp", "xlsx")
    assert {"xlsx"} == BINARY_FORMATS


@pytest.mark.parametrize(
    ("path", "fmt"),
    [
        ("out.html", "html"),
        ("OUT.HTM", "html"),
        ("a/b.jsonl", "jsonl"),
        ("x.ndjson", "jsonl"),
        ("x.json", "json"),
        ("x.stix.json", "stix"),
        ("x.stix", "stix"),
        ("x.csv", "csv"),
        ("x.md", "markdown"),
        ("x.txt", "table"),
        ("x.XLSX", "xlsx"),
        ("x.xls", None),
        ("x.pdf", None),
        ("noext", None),
    ],
)
def test_format_for_path(path: str, fmt: str | None) -> None:
    assert format_for_path(path) == fmt


def test_unknown_format_and_group_by_are_errors() -> None:
    with pytest.raises(ValueError, match="unknown format"):
        open_writer("pdf", io.StringIO())
    with pytest.raises(ValueError, match="group_by"):
        open_writer("jsonl", io.StringIO(), group_by="planet")


def _lines(fmt: str, **options: object) -> list[dict[str, object]]:
    return [json.loads(line) for line in produce(fmt, **options).splitlines()]


def test_flagged_only_by_default_and_all_with_show_all() -> None:
    assert {row["verdict"] for row in _lines("jsonl")} == {"malicious", "suspicious"}
    assert len(_lines("jsonl", show_all=True)) == len(findings())


def test_min_score_and_verdict_filters() -> None:
    assert {row["score"] for row in _lines("jsonl", min_score=90)} == {92}
    assert [row["verdict"] for row in _lines("jsonl", verdicts=frozenset({"trusted"}))] == ["trusted"]
    assert not _lines("jsonl", show_all=True, min_score=100)


def test_jsonl_lines_are_the_to_dict_contract() -> None:
    expected = [finding.to_dict() for finding, _ in findings()]
    assert _lines("jsonl", show_all=True) == expected


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_streaming_formats_write_in_add(fmt: str) -> None:
    out = io.StringIO()
    writer = open_writer(fmt, out)
    before = out.getvalue()
    finding, context = findings()[0]
    writer.add(finding, context)
    assert len(out.getvalue()) > len(before)
    assert "welt.ltd" in out.getvalue()


def test_json_document() -> None:
    doc = json.loads(produce("json", show_all=True))
    assert list(doc) == ["summary", "findings"]
    assert doc["summary"]["written"] == len(findings()) and doc["summary"]["flagged_written"] == 3
    assert doc["findings"] == [finding.to_dict() for finding, _ in findings()]
    empty = io.StringIO()
    render([], ScanStats(), "json", empty)
    assert json.loads(empty.getvalue())["findings"] == []


def test_writer_counts_flagged_for_exit_code() -> None:
    writer = open_writer("table", io.StringIO(), verdicts=frozenset({"trusted", "unknown"}))
    for finding, context in findings():
        writer.add(finding, context)
    writer.close(stats())
    writer.close(stats())  # idempotent
    assert (writer.written, writer.flagged_written) == (2, 0)


TEXT_FORMATS = [fmt for fmt in FORMATS if fmt not in BINARY_FORMATS]  # XLSX: test_report_xlsx.py


def test_render_every_format_without_contexts() -> None:
    for fmt in TEXT_FORMATS:
        out = io.StringIO()
        render((f for f, _ in findings()), stats(), fmt, out, now=NOW, contexts=False)
        assert "welt" in out.getvalue(), fmt


def test_report_options_passed_whole_equal_the_same_keywords() -> None:
    from linkguard.report import ReportOptions

    options = ReportOptions(show_all=True, min_score=10, now=NOW, contexts=False)
    for fmt in TEXT_FORMATS:
        whole, keywords = io.StringIO(), io.StringIO()
        render((f for f, _ in findings()), stats(), fmt, whole, options)
        render(
            (f for f, _ in findings()),
            stats(),
            fmt,
            keywords,
            show_all=True,
            min_score=10,
            now=NOW,
            contexts=False,
        )
        assert whole.getvalue() == keywords.getvalue(), fmt
    # a keyword changes one field of the options it is given, and nothing else
    writer = open_writer("jsonl", io.StringIO(), options, min_score=90)
    assert (writer.min_score, writer.show_all, writer.now) == (90, True, NOW)
    with pytest.raises(ValueError, match="group_by"):
        ReportOptions(group_by="planet")


def test_no_flagged_message() -> None:
    out = io.StringIO()
    render([], ScanStats(), "table", out)
    assert "No flagged domains." in out.getvalue()


def test_grouping_memory_is_bounded_by_domains() -> None:
    finding, context = findings()[0]
    grouper = Grouper("domain")
    for line in range(1, 5001):
        grouper.add(
            replace(finding, line=line, link=replace(finding.link, url=f"https://welt.ltd/{line}")), context
        )
    (group,) = grouper.groups()
    assert group.posts == 5000 and group.first_seen == "posts.jsonl:1"
    assert len(group.contexts) == MAX_CONTEXTS and len(group.urls) <= 10 and len(group.evidence) == 2


def test_grouping_by_outlet_and_source() -> None:
    by_outlet = Grouper("outlet")
    by_source = Grouper("source")
    for finding, context in findings():
        by_outlet.add(finding, context)
        by_source.add(finding, context)
    assert [g.key for g in by_outlet.groups()] == ["Die Welt", "Der Spiegel", ""]
    assert [g.key for g in by_source.groups()] == ["posts.jsonl", "chat <export>.html"]
    assert by_outlet.groups()[0].domains == ["welt.ltd"]


def test_snippet_highlights_link_and_falls_back() -> None:
    finding, _ = findings()[0]
    snippet = make_snippet(finding, "x " + finding.link.text + " y")
    assert (snippet.before, snippet.match, snippet.after) == ("x ", finding.link.text, " y")
    missing = make_snippet(finding, "z" * 1000)
    assert missing.match == "" and len(missing.before) == 301


def test_stix_bundle_is_valid_and_complete() -> None:
    bundle = stix2.parse(produce("stix"), allow_custom=False)
    by_type: dict[str, list[object]] = {}
    for obj in bundle.objects:
        by_type.setdefault(obj.type, []).append(obj)
    assert {"indicator", "domain-name", "identity", "url", "relationship"} <= set(by_type)
    indicators = {i.pattern: i for i in by_type["indicator"]}
    welt = indicators["[domain-name:value = 'welt.ltd']"]
    assert welt.indicator_types == ["malicious-activity"] and welt.pattern_type == "stix"
    assert indicators["[domain-name:value = 'spiegel.ltd']"].indicator_types == ["anomalous-activity"]
    tool = next(i for i in by_type["identity"] if i.name == "linkguard")
    assert welt.created_by_ref == tool.id
    outlets = {i.name for i in by_type["identity"] if i.identity_class == "organization"}
    assert outlets == {"Die Welt", "Der Spiegel"}
    notes = [r.description for r in by_type["relationship"] if "description" in r]
    assert any("welt.ltd impersonates Die Welt (welt.de)" in note for note in notes)
    assert {o.value for o in by_type["domain-name"]} == {"welt.ltd", "spiegel.ltd"}


def test_stix_ip_address_indicator() -> None:
    finding, _ = findings()[0]
    ip_link = replace(finding.link, url="http://203.0.113.9/x", host="203.0.113.9", registered_domain="")
    out = io.StringIO()
    render([replace(finding, link=ip_link)], ScanStats(), "stix", out, now=NOW)
    bundle = stix2.parse(out.getvalue(), allow_custom=False)
    patterns = [o.pattern for o in bundle.objects if o.type == "indicator"]
    assert patterns == ["[ipv4-addr:value = '203.0.113.9']"]


def test_context_defaults_to_finding_context_and_empty_means_none() -> None:
    finding, context = findings()[0]
    assert context is not None
    with_context = io.StringIO()
    writer = open_writer("html", with_context, now=NOW)
    writer.add(replace(finding, context=context), "")
    writer.close(ScanStats())
    assert "<mark>" in with_context.getvalue()
    without = io.StringIO()
    writer = open_writer("html", without, now=NOW)
    writer.add(finding, "")
    writer.close(ScanStats())
    assert "<mark>" not in without.getvalue() and "Posts (" not in without.getvalue()


def test_stix_and_misp_carry_the_destination_never_the_display_text() -> None:
    """X shows ``spiegel.ltd/politik/deutsch…`` for a t.co whose ``expanded_url`` is the article:
    the indicator's URL is the article, never the truncated text (a URL that never existed)."""
    finding, _ = findings()[2]
    full = "https://spiegel.ltd/politik/deutschland/migration-a-1234.html"
    link = replace(
        finding.link,
        text="spiegel.ltd/politik/deutsch…",
        url=full,
        host="spiegel.ltd",
        display="spiegel.ltd/politik/deutsch…",
        via=("https://t.co/AbCdEfGh12",),
    )
    shown = replace(finding, link=link)
    stix_out, misp_out = io.StringIO(), io.StringIO()
    render([shown], ScanStats(), "stix", stix_out, now=NOW)
    render([shown], ScanStats(), "misp", misp_out, now=NOW)
    bundle = stix2.parse(stix_out.getvalue(), allow_custom=False)
    assert [o.value for o in bundle.objects if o.type == "url"] == [full]
    misp = json.loads(misp_out.getvalue())
    attributes = misp["Event"]["Attribute"] if "Event" in misp else misp["Attribute"]
    assert [a["value"] for a in attributes if a["type"] == "url"] == [full]
    for text in (stix_out.getvalue(), misp_out.getvalue()):
        assert "deutsch…" not in text and "deutsch\\u2026" not in text


def test_markdown_by_source_names_every_outlet_a_file_imitates() -> None:
    """A file whose links imitate two outlets is not titled after one of them."""
    out = produce("markdown", group_by="source", defang=False, show_all=True)
    spiegel_verdict = findings()[2][0].verdict
    welt, _ = findings()[0]
    mixed = [(f, c) for f, c in findings()] + [(replace(welt, verdict=spiegel_verdict, line=20), None)]
    text = io.StringIO()
    writer = open_writer("markdown", text, now=NOW, group_by="source", defang=False)
    for finding, context in mixed:
        writer.add(finding, context)
    writer.close(stats())
    section = text.getvalue().split("### posts.jsonl", 1)[1].split("###", 1)[0]
    assert "Impersonates" not in section
    assert (
        "Imitates 2 outlets: **Die Welt \\(welt.de\\)** (2 links), **Der Spiegel \\(spiegel.de\\)** (1 link)."
        in section
    )
    assert "Impersonates **Die Welt \\(welt.de\\)**." in out  # one outlet: named as before
