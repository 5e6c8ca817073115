"""tools/build_reference_outlets.py, the refresh path of the reference tier, on a small query result."""

from __future__ import annotations

import importlib.util
import json
import sys
import tomllib
from pathlib import Path
from types import ModuleType

import pytest

from linkguard.rules import validate_rules

TOOL = Path(__file__).resolve().parent.parent / "tools" / "build_reference_outlets.py"


@pytest.fixture(scope="module")
def builder() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_reference_outlets", TOOL)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _row(qid: str, label: str, url: str, iso: str = "", cls: str = "Q11032") -> dict[str, dict[str, str]]:
    row = {
        "item": {"value": f"http://www.wikidata.org/entity/{qid}"},
        "itemLabel": {"value": label},
        "offurl": {"value": url},
        "class": {"value": f"http://www.wikidata.org/entity/{cls}"},
    }
    if iso:
        row["iso"] = {"value": iso}
    return row


ROWS = [
    _row("Q1", "Example Zeitung", "https://www.example-zeitung.de/", "DE"),
    _row("Q1", "Example Zeitung", "https://en.example-zeitung.com/", "DE"),  # a language edition
    _row("Q2", "Blog Paper", "https://blogpaper.blogspot.com/", "US"),  # hosting suffix
    _row("Q3", "Section Paper", "https://bigportal-news.com/papers/section", "US"),  # section of a site
    _row("Q4", "Campus Paper", "https://paper.university-example.edu/", "US"),  # sub-domain of a larger site
    _row("Q5", "Spiegel", "https://www.spiegel.de/", "DE"),  # the curated outlet itself
    _row("Q5", "Spiegel", "https://spiegel-extra-example.de/", "DE"),
    _row("Q6", "Twin Times", "https://twin-times.co.uk/", "GB"),
    _row("Q7", "Twin Times Online", "https://twin-times.co.uk/", "GB"),  # two items, one home page: nobody
    _row("Q8", "Q8", "https://unlabelled-example.org/"),  # no label
    _row("Q9", "Kurz", "https://kz.de/"),  # a two-letter label is no brand
    _row("Q10", "Agency", "https://agency-example.ua/", "UA", "Q192283"),
    _row("Q11", "Facebook Page", "https://www.facebook.com/somepaper", "FR"),  # platform
]


def test_build_from_a_query_result(
    builder: ModuleType, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    result = tmp_path / "result.json"
    result.write_text(json.dumps({"results": {"bindings": ROWS}}), encoding="utf-8")
    out = tmp_path / "outlets-reference.toml"
    assert builder.main(["--sparql", str(result), "--out", str(out), "--header", "test data"]) == 0
    assert "review: Spiegel (Q5) is curated as ['spiegel.de']" in capsys.readouterr().err
    entries = {e["source"]: e for e in tomllib.loads(out.read_text(encoding="utf-8"))["outlet"]}
    assert set(entries) == {"wikidata:Q1", "wikidata:Q9", "wikidata:Q10"}
    assert entries["wikidata:Q9"]["domains"] == ["kz.de"] and "brands" not in entries["wikidata:Q9"]
    assert entries["wikidata:Q1"] == {
        "name": "Example Zeitung",
        "domains": ["example-zeitung.de", "example-zeitung.com"],
        "brands": ["example-zeitung"],
        "country": "DE",
        "kind": "newspaper",
        "tier": "reference",
        "source": "wikidata:Q1",
    }
    assert entries["wikidata:Q10"]["kind"] == "agency"
    assert validate_rules([out]) == []
