"""Reading a saved JSONL scan back: exact round trip, clear per-line errors, counted skips."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from report_fixtures import findings, produce

from linkguard.errors import InputError
from linkguard.models import ScanStats
from linkguard.report import FindingFormatError, finding_from_dict, load_findings, read_scan


def _good() -> dict[str, Any]:
    return findings()[0][0].to_dict()


def test_round_trip_is_exact(tmp_path: Path) -> None:
    path = tmp_path / "scan.jsonl"
    path.write_text(produce("jsonl", show_all=True), encoding="utf-8")
    stats = ScanStats()
    loaded = list(load_findings(path, stats))
    assert [f.to_dict() for f in loaded] == [f.to_dict() for f, _ in findings()]
    assert (stats.sources, stats.links, stats.flagged, stats.records) == (2, 6, 3, 6)
    assert loaded[2].link.subdomain == "www" and loaded[2].link.suffix == "ltd"
    assert loaded[0].verdict.impersonates is not None and loaded[0].verdict.impersonates.domain == "welt.de"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"colour": "red"}, "unknown key 'colour'"),
        ({"url": None}, "'url' must be str, not NoneType"),
        ({"line": True}, "'line' must be int, not bool"),
        ({"verdict": "evil"}, "unknown verdict 'evil'"),
        ({"flagged": False}, "'flagged' is False"),
        ({"evidence": [{"kind": "x"}]}, "missing key 'detail' in 'evidence'"),
        ({"impersonates": {"name": "X", "domain": "x.de"}}, "missing key 'domains' in 'impersonates'"),
        ({"techniques": [1]}, "'techniques' must be a list of strings"),
    ],
)
def test_bad_finding_has_clear_message(change: dict[str, Any], message: str) -> None:
    with pytest.raises(FindingFormatError, match=message.replace("(", r"\(")):
        finding_from_dict({**_good(), **change})


def test_missing_keys_are_named() -> None:
    data = _good()
    del data["url"], data["score"]
    with pytest.raises(FindingFormatError, match="missing keys 'url', 'score'"):
        finding_from_dict(data)


def test_bad_lines_after_the_first_are_skipped_and_counted() -> None:
    good = json.dumps(_good())
    text = "\n".join([good, "{not json", "", json.dumps({**_good(), "extra": 1}), "[1]", good]) + "\n"
    stats = ScanStats()
    rows = list(read_scan(io.StringIO(text), "saved.jsonl", stats))
    assert len(rows) == 2
    assert stats.skipped["invalid-finding"] == 3
    assert stats.messages[0].startswith("saved.jsonl:2: skipped (invalid-finding): invalid JSON")
    assert "saved.jsonl:4" in stats.messages[1] and "unknown key 'extra'" in stats.messages[1]


def test_garbled_first_line_is_an_input_error() -> None:
    with pytest.raises(InputError, match=r"x\.jsonl:2: not a linkguard JSONL scan"):
        list(read_scan(io.StringIO("\n\x00\x01garbage\n"), "x.jsonl"))


def test_missing_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read"):
        list(load_findings(tmp_path / "nope.jsonl"))


def test_optional_context_is_returned() -> None:
    line = json.dumps({**_good(), "context": "post text"})
    ((finding, context),) = list(read_scan(io.StringIO(line), "x"))
    assert context == finding.context == "post text"
