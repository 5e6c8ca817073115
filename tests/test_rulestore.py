"""The user's rule file: normalisation, round-trip edits, conflicts, locking, import/export."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from filelock import FileLock

from linkguard.errors import RulesError
from linkguard.rules import InvalidDomainError, load_rules, normalize_rule_domain
from linkguard.rulestore import LOCK_FILE, RuleStore, export_rules, in_force_entries, read_import_file


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Never touch the real user config dir."""
    monkeypatch.setenv("LINKGUARD_RULES_DIR", str(tmp_path / "env-rules"))


@pytest.fixture
def store(tmp_path: Path) -> RuleStore:
    return RuleStore(tmp_path / "rules")


def _bundled_outlet_domain() -> str:
    outlets = load_rules().outlets
    if not outlets:
        pytest.skip("no bundled outlets")
    return outlets[0].domain


def _bundled_blocked_domain() -> str:
    blocked = load_rules().blocked
    if not blocked:
        pytest.skip("no bundled blocked domains")
    return blocked[0].domain


# -- normalisation --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "domain", "noted"),
    [
        ("example-news.org", "example-news.org", False),
        ("Example-News.ORG.", "example-news.org", False),
        ("https://www.example-news.org/politik/a?b=1", "example-news.org", True),
        ("news.bbc.co.uk", "bbc.co.uk", True),
        ("münchen.de", "xn--mnchen-3ya.de", True),
        ("  <example-news.org>  ", "example-news.org", False),
    ],
)
def test_normalize_rule_domain(text: str, domain: str, noted: bool) -> None:
    norm = normalize_rule_domain(text)
    assert norm.domain == domain
    assert bool(norm.notes) is noted


@pytest.mark.parametrize(
    "text", ["", "not a domain", "co.uk", "1.2.3.4", "http://[::1]/", "exa_mple.de", "-x.de"]
)
def test_normalize_rejects_non_domains(text: str) -> None:
    with pytest.raises(InvalidDomainError):
        normalize_rule_domain(text)


# -- add / block / allow --------------------------------------------------------------------------


def test_add_outlet_is_loaded_at_once(store: RuleStore) -> None:
    notes = store.add_outlet(
        "https://www.example-news.org/x",
        name="Example News",
        country="de",
        aliases=["exnews.de"],
        brands=["Ex"],
    )
    assert any("reduced the URL" in n for n in notes)
    outlet = load_rules(user_dir=store.rules_dir).outlet_for("exnews.de")
    assert outlet is not None
    assert (outlet.name, outlet.domains, outlet.brands, outlet.country, outlet.origin) == (
        "Example News",
        ("example-news.org", "exnews.de"),
        ("ex",),
        "DE",
        "user",
    )


def test_edit_keeps_comments_and_order(store: RuleStore) -> None:
    store.rules_dir.mkdir()
    original = (
        "# our newsroom's list -- keep this comment\n"
        "[[blocked]]\n"
        'domain = "first-bad.ltd"  # reported by Anna\n'
        'source = "desk"\n'
        "\n"
        "[[outlet]]\n"
        'name = "Regional"\n'
        'domains = ["regional-news.de"]\n'
    )
    store.path.write_text(original, encoding="utf-8")
    store.add_outlet("second-news.de", name="Second")
    text = store.path.read_text(encoding="utf-8")
    assert text.startswith(original)
    assert "# reported by Anna" in text
    assert text.index("Regional") < text.index("Second")


def test_idn_is_stored_as_ascii_with_a_comment(store: RuleStore) -> None:
    store.allow("münchen.de", note="city portal")
    text = store.path.read_text(encoding="utf-8")
    assert 'domain = "xn--mnchen-3ya.de" # münchen.de' in text
    assert [r.domain for r in load_rules(user_dir=store.rules_dir).legit if r.origin == "user"] == [
        "xn--mnchen-3ya.de"
    ]


def test_duplicate_outlet_is_refused_then_replaced_with_force(store: RuleStore) -> None:
    store.add_outlet("example-news.org", name="Example News")
    before = store.path.read_text(encoding="utf-8")
    with pytest.raises(RulesError, match="already outlet 'Example News' in your rules"):
        store.add_outlet("example-news.org", name="Example News 2")
    assert store.path.read_text(encoding="utf-8") == before
    store.add_outlet("example-news.org", name="Example News 2", force=True)
    names = [o.name for o in load_rules(user_dir=store.rules_dir).outlets if o.origin == "user"]
    assert names == ["Example News 2"]


def test_blocking_a_trusted_domain_is_a_conflict(store: RuleStore) -> None:
    store.add_outlet("example-news.org", name="Example News")
    with pytest.raises(RulesError, match=r"cannot add \[\[blocked\]\] example-news\.org: .*--force"):
        store.block("example-news.org", source="report 1")
    notes = store.block("example-news.org", source="report 1", force=True)
    assert any("replaced outlet 'Example News'" in n for n in notes)
    rules = load_rules(user_dir=store.rules_dir)
    assert rules.outlet_for("example-news.org") is None
    assert "example-news.org" in {b.domain for b in rules.blocked}


def test_alias_of_another_outlet_is_a_conflict(store: RuleStore) -> None:
    store.add_outlet("example-news.org", name="Example News", aliases=["exnews.de"])
    with pytest.raises(RulesError, match=r"exnews\.de is outlet 'Example News'"):
        store.add_outlet("other-news.org", name="Other", aliases=["exnews.de"])


def test_allow_over_bundled_block_with_force_hides_the_bundled_rule(store: RuleStore) -> None:
    bad = _bundled_blocked_domain()
    with pytest.raises(RulesError, match="bundled rules"):
        store.allow(bad)
    notes = store.allow(bad, note="cleared by desk", force=True)
    assert any("[[removed]]" in n for n in notes)
    rules = load_rules(user_dir=store.rules_dir)
    assert bad not in {b.domain for b in rules.blocked}
    assert bad in {r.domain for r in rules.legit}  # [[removed]] hides bundled rules only


def test_block_requires_a_source(store: RuleStore) -> None:
    with pytest.raises(RulesError, match="source"):
        store.block("bad.ltd", source="  ")
    assert not store.path.exists()


# -- remove ---------------------------------------------------------------------------------------


def test_remove_user_rule_and_alias(store: RuleStore) -> None:
    store.add_outlet("example-news.org", name="Example News", aliases=["exnews.de"])
    store.remove("exnews.de")
    outlet = load_rules(user_dir=store.rules_dir).outlet_for("example-news.org")
    assert outlet is not None and outlet.domains == ("example-news.org",)
    store.remove("example-news.org")
    assert load_rules(user_dir=store.rules_dir).outlet_for("example-news.org") is None
    with pytest.raises(RulesError, match="no rule mentions it"):
        store.remove("example-news.org")


def test_remove_bundled_rule_writes_removed_entry(store: RuleStore) -> None:
    domain = _bundled_outlet_domain()
    notes = store.remove(domain)
    assert any("[[removed]]" in n and "bundled" in n for n in notes)
    assert "[[removed]]" in store.path.read_text(encoding="utf-8")
    assert load_rules(user_dir=store.rules_dir).outlet_for(domain) is None
    with pytest.raises(RulesError, match="already removed"):
        store.remove(domain)


# -- safety ---------------------------------------------------------------------------------------


def test_corrupted_file_is_reported_and_never_overwritten(store: RuleStore) -> None:
    store.rules_dir.mkdir()
    broken = '# mine\n[[outlet]]\nname = "A"\ndomains = ["a-news.de"\n'
    store.path.write_text(broken, encoding="utf-8")
    with pytest.raises(RulesError, match=r"rules\.toml:\d+: invalid TOML.*nothing was changed"):
        store.add_outlet("b-news.de", name="B")
    assert store.path.read_text(encoding="utf-8") == broken


def test_write_is_atomic_and_keeps_mode(store: RuleStore) -> None:
    store.add_outlet("a-news.de", name="A")
    os.chmod(store.path, 0o640)
    store.add_outlet("b-news.de", name="B")
    assert store.path.stat().st_mode & 0o777 == 0o640
    leftovers = [p.name for p in store.rules_dir.iterdir() if p.name not in ("rules.toml", LOCK_FILE)]
    assert leftovers == []


def test_rules_dir_that_is_a_file_fails_cleanly(tmp_path: Path) -> None:
    target = tmp_path / "rules"
    target.write_text("not a dir", encoding="utf-8")
    with pytest.raises(RulesError, match=r"rules directory|not a directory"):
        RuleStore(target).add_outlet("a-news.de", name="A")


def test_lock_held_elsewhere_times_out(store: RuleStore) -> None:
    store.rules_dir.mkdir()
    with (
        FileLock(str(store.rules_dir / LOCK_FILE)),
        pytest.raises(RulesError, match="another linkguard is editing"),
    ):
        RuleStore(store.rules_dir, lock_timeout=0.2).add_outlet("a-news.de", name="A")


# -- import / export ------------------------------------------------------------------------------


def test_import_csv_with_header_and_skip_duplicates(store: RuleStore, tmp_path: Path) -> None:
    src = tmp_path / "team.csv"
    src.write_text(
        "domain,name,country\n"
        "# regional desk\n"
        "nord-news.de,Nord News,DE\n"
        "https://www.sued-news.de/,Süd News,de\n",
        encoding="utf-8",
    )
    rows = read_import_file(src)
    added, _ = store.import_rows(rows)
    assert added == 2
    added_again, notes = store.import_rows(read_import_file(src))
    assert added_again == 0 and all("skipped" in n for n in notes if "already" in n)
    outlet = load_rules(user_dir=store.rules_dir).outlet_for("sued-news.de")
    assert outlet is not None and outlet.country == "DE"


def test_import_txt_needs_a_kind_and_validates_every_row_first(store: RuleStore, tmp_path: Path) -> None:
    src = tmp_path / "campaign.txt"
    src.write_text("# campaign X\nbad-one.ltd\nnot a domain\nbad-two.ltd  # second\n", encoding="utf-8")
    with pytest.raises(RulesError, match="--as"):
        read_import_file(src)
    rows = read_import_file(src, as_table="blocked", defaults={"source": "case 42"})
    with pytest.raises(RulesError, match=r"(?s)nothing imported.*campaign\.txt:3: error"):
        store.import_rows(rows)
    assert not store.path.exists()
    src.write_text("bad-one.ltd\nbad-two.ltd  # second\n", encoding="utf-8")
    added, _ = store.import_rows(read_import_file(src, as_table="blocked", defaults={"source": "case 42"}))
    assert added == 2
    sources = {b.domain: b.source for b in load_rules(user_dir=store.rules_dir).blocked if b.origin == "user"}
    assert sources == {"bad-one.ltd": "case 42", "bad-two.ltd": "case 42"}


@pytest.mark.parametrize("fmt", ["toml", "csv"])
def test_export_then_import_round_trip(store: RuleStore, tmp_path: Path, fmt: str) -> None:
    store.add_outlet(
        "example-news.org", name="Example News", country="DE", aliases=["exnews.de"], brands=["exn"]
    )
    store.block("bad-news.ltd", source="case 7", imitates="example-news.org", campaign="X")
    store.allow("example-newz.org", note="sister site")
    mine = [e for e, _ in in_force_entries(store.entries()) if e.origin == "user"]
    out = tmp_path / f"shared.{fmt}"
    out.write_text(export_rules(mine, fmt), encoding="utf-8")  # type: ignore[arg-type]
    other = RuleStore(tmp_path / "other-team")
    added, _ = other.import_rows(read_import_file(out))
    assert added == 3
    mine_rules = load_rules(user_dir=store.rules_dir, bundled=False)
    theirs = load_rules(user_dir=other.rules_dir, bundled=False)
    assert theirs.outlets == mine_rules.outlets
    assert theirs.blocked == mine_rules.blocked
    assert theirs.legit == mine_rules.legit


def test_export_txt_lists_domains(store: RuleStore) -> None:
    store.add_outlet("example-news.org", name="Example News", aliases=["exnews.de"])
    mine = [e for e, _ in in_force_entries(store.entries()) if e.origin == "user"]
    assert export_rules(mine, "txt") == "example-news.org\nexnews.de\n"
