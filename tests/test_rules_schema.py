"""One schema for loading and linting, one layering rule: the loader and the linter agree."""

from __future__ import annotations

from pathlib import Path

import pytest

from linkguard.errors import RulesError
from linkguard.rules import RuleEntry, in_force, layer, load_rules, validate_rules

REFUSED = [
    ('[[outlet]]\ndomains = ["a-news.de"]\n', "missing or empty 'name'"),
    ('[[outlet]]\nname = "A"\ndomains = 5\n', "'domains' must be a string or a list of strings"),
    ('[[outlet]]\nname = "A"\n', "missing or empty 'domains'"),
    ('[[outlet]]\nname = "A"\ndomains = ["a-news.de"]\nbrands = [1]\n', "'brands' must be a string or"),
    ("[[legit]]\nnote = 'x'\n", "missing or empty 'domain'"),
    ('[[blocked]]\ndomain = "a-news.de"\n', "missing or empty 'source'"),
    ("[[shortener]]\ndomain = 5\n", "missing or empty 'domain'"),
]


@pytest.mark.parametrize(("text", "message"), REFUSED, ids=[m for _, m in REFUSED])
def test_what_the_loader_refuses_lint_reports_as_an_error_with_the_same_words(
    tmp_path: Path, text: str, message: str
) -> None:
    path = tmp_path / "rules.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RulesError) as refused:
        load_rules([path])
    assert message in str(refused.value)
    loader_says = str(refused.value).split("#1: ", 1)[1]
    errors = [p.message for p in validate_rules([path]) if p.severity == "error"]
    assert any(loader_says in m for m in errors), (loader_says, errors)


def test_lint_only_findings_do_not_stop_loading(tmp_path: Path) -> None:
    path = tmp_path / "rules.toml"
    path.write_text(
        '[[outlet]]\nname = "A"\ndomains = ["a-news.de"]\n'
        'country = "Germany"\nkind = "blog"\ncolour = "red"\n',
        encoding="utf-8",
    )
    assert [o.name for o in load_rules([path]).outlets] == ["A"]
    messages = [p.message for p in validate_rules([path])]
    assert any("'country' should be a two-letter code" in m for m in messages)
    assert any("unknown kind 'blog'" in m for m in messages)
    assert any("unknown key 'colour'" in m for m in messages)


def _entry(table: str, domain: str, origin: str, index: int) -> RuleEntry:
    key = "domains" if table == "outlet" else "domain"
    return RuleEntry(table, {key: [domain] if table == "outlet" else domain}, "f.toml", 0, origin, index)


def test_layering_removed_hides_bundled_only_and_the_latest_entry_wins() -> None:
    entries = [
        _entry("outlet", "a.de", "bundled", 0),
        _entry("outlet", "b.de", "bundled", 1),
        _entry("legit", "b.de", "bundled", 0),
        _entry("outlet", "a.de", "user", 2),
        _entry("removed", "b.de", "user", 0),
        _entry("legit", "b.de", "user", 1),
    ]
    assert [(e.table, e.origin, d) for e, d in layer(entries)] == [
        ("outlet", "bundled", ("a.de",)),
        ("outlet", "user", ("a.de",)),
        ("legit", "user", ("b.de",)),
    ]
    # the winner takes the first entry's place (the loader's order) or its own (rules list)
    assert [(e.table, e.index) for e, _ in in_force(entries)] == [("outlet", 2), ("legit", 1)]
    reordered = [entries[3], entries[5], entries[0]]
    assert [(e.table, e.index) for e, _ in in_force(reordered)] == [("outlet", 0), ("legit", 1)]
    assert [(e.table, e.index) for e, _ in in_force(reordered, winners_last=True)] == [
        ("legit", 1),
        ("outlet", 0),
    ]


def test_a_number_key_is_checked_by_the_schema(monkeypatch: pytest.MonkeyPatch) -> None:
    """A table with a numeric key (a source rating, say) is declared, not coded: load refuses a bad value."""
    from linkguard.rules.schema import SCHEMA, Key, Table, entry_issues

    table = Table(
        "score", (Key("domain", required=True, domain=True), Key("value", required=True, number=(0, 1)))
    )
    monkeypatch.setitem(SCHEMA, "score", table)
    assert list(entry_issues("score", {"domain": "a.de", "value": 0.5})) == []
    for bad in (2, "0.5", True, None):
        data = {"domain": "a.de"} if bad is None else {"domain": "a.de", "value": bad}
        [issue] = entry_issues("score", data, thorough=False)
        assert issue.load and issue.message == "'value' must be a number from 0 to 1"


def test_cli_scan_and_rules_validate_say_the_same_about_a_bad_rule(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Through the CLI: the rule a scan refuses (exit 3) is the error ``rules validate`` reports."""
    from linkguard.cli import main

    monkeypatch.setenv("LINKGUARD_CACHE_DIR", str(tmp_path / "cache"))
    bad = tmp_path / "team.toml"
    bad.write_text('[[blocked]]\ndomain = "welt-aktuell.ltd"\nimitates = "welt.de"\n', encoding="utf-8")
    text = tmp_path / "post.txt"
    text.write_text("see welt-aktuell.ltd\n", encoding="utf-8")
    assert main(["scan", str(text), "--rules", str(bad), "-q", "--format", "jsonl"]) == 3
    scan_err = capsys.readouterr().err
    assert main(["rules", "validate", str(bad)]) == 3
    validate_out = capsys.readouterr().out
    said = "missing or empty 'source' (say where the report comes from)"
    assert f"{bad}:1: [[blocked]] #1: {said}" in scan_err
    assert f"{bad}:1: error: [[blocked]] welt-aktuell.ltd: {said}" in validate_out
