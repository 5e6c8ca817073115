"""Render findings: terminal table, JSON Lines, JSON, CSV, Markdown, HTML, STIX 2.1, MISP and XLSX.

Streaming use (what ``scan`` does)::

    writer = open_writer("html", out)
    for finding, post_text in ...:
        writer.add(finding, post_text)
    writer.close(stats)

``render()`` does the same for findings already in hand. ``load_findings()``/``read_scan()``
read a saved JSONL scan back for ``linkguard report``.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from pathlib import PurePath
from typing import TextIO, Unpack

from linkguard.models import Finding, ScanStats
from linkguard.report.base import ReportChanges, Reporter, ReportOptions, report_options
from linkguard.report.defang import defang
from linkguard.report.grouping import GROUP_BY
from linkguard.report.loader import FindingFormatError, finding_from_dict, load_findings, open_scan, read_scan

__all__ = [
    "BINARY_FORMATS",
    "FORMATS",
    "GROUP_BY",
    "FindingFormatError",
    "ReportOptions",
    "Reporter",
    "defang",
    "finding_from_dict",
    "format_for_path",
    "load_findings",
    "open_scan",
    "open_writer",
    "read_scan",
    "render",
]

#: Format → ``module:class``, imported on use: start-up stays fast (stix2 alone takes 0.2 s).
_REPORTERS: dict[str, str] = {
    "table": "linkguard.report.table:TableReporter",
    "jsonl": "linkguard.report.jsonl:JsonlReporter",
    "json": "linkguard.report.jsondoc:JsonDocReporter",
    "csv": "linkguard.report.csvtable:CsvReporter",
    "markdown": "linkguard.report.markdown:MarkdownReporter",
    "html": "linkguard.report.html:HtmlReporter",
    "stix": "linkguard.report.stix:StixReporter",
    "misp": "linkguard.report.misp:MispReporter",
    "xlsx": "linkguard.report.xlsx:XlsxReporter",
}
FORMATS: tuple[str, ...] = tuple(_REPORTERS)
#: Formats written as bytes (to the ``buffer`` under the text stream): never to a terminal, and
#: only to a file named for them.
BINARY_FORMATS: frozenset[str] = frozenset({"xlsx"})


def reporter_class(fmt: str) -> type[Reporter]:
    try:
        module_name, _, class_name = _REPORTERS[fmt].partition(":")
    except KeyError:
        raise ValueError(f"unknown format {fmt!r} (expected one of {', '.join(FORMATS)})") from None
    cls: type[Reporter] = getattr(importlib.import_module(module_name), class_name)
    return cls


# Longest suffix first, so ".stix.json" wins over ".json".
_SUFFIXES: tuple[tuple[str, str], ...] = (
    (".stix.json", "stix"),
    (".misp.json", "misp"),
    (".stix", "stix"),
    (".jsonl", "jsonl"),
    (".ndjson", "jsonl"),
    (".json", "json"),
    (".csv", "csv"),
    (".md", "markdown"),
    (".markdown", "markdown"),
    (".html", "html"),
    (".htm", "html"),
    (".xlsx", "xlsx"),
    (".txt", "table"),
)


def format_for_path(path: str | PurePath) -> str | None:
    """The format an output file name asks for (``out.html`` -> ``html``, ``out.txt`` -> the
    table), or ``None`` for a name whose extension names no format."""
    name = PurePath(path).name.lower()
    return next((fmt for suffix, fmt in _SUFFIXES if name.endswith(suffix)), None)


def output_suffixes() -> tuple[str, ...]:
    """The output file extensions that name a format, for error messages."""
    return tuple(suffix for suffix, _ in _SUFFIXES)


def open_writer(
    fmt: str, out: TextIO, options: ReportOptions | None = None, **changes: Unpack[ReportChanges]
) -> Reporter:
    """A writer for ``fmt`` with ``options`` (a ``ReportOptions``, passed whole) and any field of it
    changed by keyword (``open_writer("html", out, now=NOW)``)."""
    return reporter_class(fmt)(out, report_options(options, **changes))


def render(
    findings: Iterable[Finding],
    stats: ScanStats,
    fmt: str,
    out: TextIO,
    options: ReportOptions | None = None,
    **changes: Unpack[ReportChanges],
) -> None:
    """Write ``findings`` (no post contexts) in ``fmt`` to ``out``."""
    writer = open_writer(fmt, out, options, **changes)
    for finding in findings:
        writer.add(finding)
    writer.close(stats)
