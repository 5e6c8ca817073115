"""End-to-end `linkguard check` (offline) against the small test rules."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from linkguard.cli import main

RULES = str(Path(__file__).parent / "data" / "rules_small")


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["check", *args, "--offline", "--rules", RULES])
    out, err = capsys.readouterr()
    return code, out, err


def test_lookalike_json_is_a_finding(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "welt.ltd", "--format", "json", "--no-blocklist")
    doc = json.loads(out)
    assert code == 1
    assert doc["verdict"] == "suspicious" and doc["flagged"] is True
    assert doc["impersonates"]["domain"] == "welt.de"
    assert doc["techniques"] == ["tld-swap"]
    assert doc["source"] == "argv" and doc["line"] == 1 and doc["column"] == 1
    assert doc["evidence"][0]["detail"] == "imitates WELT (welt.de): same name on .ltd instead of .de"


def test_blocklisted_is_malicious(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "welt.ltd", "--format", "json")
    doc = json.loads(out)
    assert code == 1 and doc["verdict"] == "malicious"
    assert doc["evidence"][0]["kind"] == "blocklist"


def test_trusted_table(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "welt.de")
    assert code == 0
    assert "trusted" in out and "WELT" in out


def test_lookalike_table_shows_evidence(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "spiegel-nachrichten.info")
    assert code == 1
    assert "suspicious" in out and "combo" in out and "DER SPIEGEL" in out


def test_shortener(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "t.co/abc", "--format", "json")
    assert code == 0 and json.loads(out)["verdict"] == "shortened"


def test_not_a_domain_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(capsys, "not a domain")
    assert code == 2 and out == ""
    assert err.strip() == "Error: not a URL or domain: 'not a domain'"


def test_name_on_a_generic_country_ending_is_flagged(capsys: pytest.CaptureFixture[str]) -> None:
    """Regression: sueddeutsche.me scored below 50 because any country ending counted as a country
    the outlet does not serve; .me is mostly generic use, and the evidence says so."""
    code, out, _ = _run(capsys, "sueddeutsche.me", "--format", "json", "--no-blocklist")
    doc = json.loads(out)
    assert code == 1 and doc["verdict"] == "suspicious"
    assert doc["impersonates"]["domain"] == "sueddeutsche.de"
    assert "generic ending" in doc["evidence"][0]["detail"]


def test_missing_rules_path_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`check` has no -q; a missing or unreadable --rules path is one line on stderr, exit 3."""
    (tmp_path / "file").write_text("", encoding="utf-8")
    for path in (tmp_path / "nope.toml", tmp_path / "file" / "rules.toml"):
        code = main(["check", "welt.ltd", "--offline", "--rules", str(path)])
        out, err = capsys.readouterr()
        assert code == 3 and out == ""
        assert err.count("\n") == 1 and str(path) in err and "Traceback" not in err


@pytest.mark.parametrize(
    ("domain", "outlet", "says"),
    [
        ("secure-tagesschau.com", "tagesschau.de", "an account word"),
        ("die-zeit.org", "zeit.de", "an article, spelling out the masthead"),
        ("delfi-latvia.top", "delfi.lv", "naming the outlet's own country"),
        ("wlwo.news", "wiwo.de", "looks alike in lowercase"),
        ("zddf.news", "zdf.de", "with a letter doubled"),
        ("рбк.media", "rbc.ua", "written in Cyrillic"),
        ("sp1egel.info", "spiegel.de", "(1 for i)"),
    ],
)
def test_combo_words_and_short_typos_through_the_cli(
    capsys: pytest.CaptureFixture[str], domain: str, outlet: str, says: str
) -> None:
    """Bundled rules: account words, articles, country words, i/l swaps, a 3-letter name's typo, Cyrillic."""
    code = main(["check", domain, "--offline", "--no-blocklist", "--format", "json"])
    doc = json.loads(capsys.readouterr().out)
    assert code == 1 and doc["flagged"] is True
    assert outlet in doc["impersonates"]["domains"]
    assert any(says in e["detail"] for e in doc["evidence"]), doc["evidence"]


def test_examine_names_the_finding_and_the_investigation(capsys: pytest.CaptureFixture[str]) -> None:
    """``Scanner.examine``, behind ``check``: the finding ``check`` prints, and no investigation
    offline; no result at all for what is no link."""
    from linkguard.rules import load_rules
    from linkguard.scan import Examination, Scanner

    scanner = Scanner(load_rules([Path(RULES)], user=False), use_blocklist=False)
    examined = scanner.examine("welt.ltd")
    assert isinstance(examined, Examination) and examined.investigation is None
    assert scanner.check("welt.ltd") == examined.finding
    _, out, _ = _run(capsys, "welt.ltd", "--format", "json", "--no-blocklist")
    assert json.loads(out) == examined.finding.to_dict()
    assert scanner.examine("no link here") is None
