"""Golden files for every format on the hostile fixture. Regenerate: LINKGUARD_UPDATE_GOLDEN=1."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from report_fixtures import produce

GOLDEN = Path(__file__).parent / "data" / "golden"

CASES: dict[str, tuple[str, dict[str, Any]]] = {
    "table.txt": ("table", {}),
    "table_all.txt": ("table", {"show_all": True}),
    "table_by_outlet.txt": ("table", {"group_by": "outlet"}),
    "report.jsonl": ("jsonl", {"show_all": True}),
    "report.json": ("json", {}),
    "report.csv": ("csv", {"show_all": True}),
    "report.md": ("markdown", {"show_all": True}),
    "report_by_source.md": ("markdown", {"group_by": "source", "defang": False}),
    "report.html": ("html", {"show_all": True}),
    "report.stix.json": ("stix", {"show_all": True}),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_golden(name: str) -> None:
    fmt, options = CASES[name]
    actual = produce(fmt, **options)
    path = GOLDEN / name
    if os.environ.get("LINKGUARD_UPDATE_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8", newline="")
    assert path.exists(), f"missing {path}; run with LINKGUARD_UPDATE_GOLDEN=1 to create it"
    with path.open(encoding="utf-8", newline="") as stream:
        expected = stream.read()
    assert actual == expected, f"{name} differs from its golden file; LINKGUARD_UPDATE_GOLDEN=1 to accept"


def test_output_is_deterministic() -> None:
    for fmt, options in CASES.values():
        assert produce(fmt, **options) == produce(fmt, **options)
