"""Rule-file linting (``validate_rules``), positions, and the loader's layering of ``[[removed]]``."""

from __future__ import annotations

from pathlib import Path

import pytest

from linkguard.errors import RulesError
from linkguard.rules import Problem, entry_lines, load_rules, validate_rules


def _write(tmp_path: Path, text: str, name: str = "rules.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _errors(problems: list[Problem]) -> list[tuple[int, str]]:
    return [(p.line, p.message) for p in problems if p.severity == "error"]


def test_clean_file_has_no_problems(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        '[[outlet]]\nname = "Example News"\ndomains = ["example-news.org", "exnews.de"]\ncountry = "DE"\n'
        'kind = "online"\n\n[[blocked]]\ndomain = "example-news.ltd"\nsource = "case 1"\n',
    )
    assert validate_rules([path]) == []


def test_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    path = _write(tmp_path, '[[outlet]]\nname = "A"\ndomains = ["a.de",\nkind = "x"\n')
    (problem,) = validate_rules([path])
    assert problem.file == str(path) and problem.severity == "error"
    assert problem.line == 4 and "invalid TOML" in problem.message
    assert str(problem).startswith(f"{path}:4: error: invalid TOML")


def test_unterminated_file_points_at_its_end(tmp_path: Path) -> None:
    path = _write(tmp_path, '[[outlet]]\nname = "A"\ndomains = ["a.de"')
    (problem,) = validate_rules([path])
    assert problem.line == 3


def test_unknown_keys_and_tables_with_suggestions(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        '[[outlet]]\nname = "A"\ndomains = ["a-news.de"]\nbrand = ["a"]\n\n[[remove]]\ndomain = "x.de"\n',
    )
    errors = _errors(validate_rules([path]))
    assert (4, "[[outlet]] unknown key 'brand' (did you mean 'brands'?)") in errors
    assert (6, "unknown table 'remove' (did you mean [[removed]]?)") in errors


@pytest.mark.parametrize(
    ("domain", "fragment"),
    [
        ("not a domain", "invalid domain"),
        ("co.uk", "public suffix"),
        ("www.a-news.de", "not a registrable domain"),
        ("https://a-news.de/x", "is a URL"),
        ("münchen.de", "xn--mnchen-3ya.de"),
        ("a-news.de.", "must be written as 'a-news.de'"),
    ],
)
def test_bad_domains(tmp_path: Path, domain: str, fragment: str) -> None:
    path = _write(tmp_path, f'# note\n[[legit]]\ndomain = "{domain}"\n')
    errors = _errors(validate_rules([path]))
    assert len(errors) == 1 and errors[0][0] == 3 and fragment in errors[0][1]


def test_missing_required_keys(tmp_path: Path) -> None:
    path = _write(tmp_path, '[[outlet]]\ndomains = ["a-news.de"]\n\n[[blocked]]\ndomain = "bad.ltd"\n')
    messages = [m for _, m in _errors(validate_rules([path]))]
    assert any("missing or empty 'name'" in m for m in messages)
    assert any("'source'" in m for m in messages)


def test_duplicate_in_one_file_is_a_warning(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        '[[blocked]]\ndomain = "bad.ltd"\nsource = "a"\n\n[[blocked]]\ndomain = "bad.ltd"\nsource = "b"\n',
    )
    (problem,) = validate_rules([path])
    assert (problem.severity, problem.line) == ("warning", 6)
    assert "also at line 2" in problem.message


def test_trusted_and_blocked_across_files(tmp_path: Path) -> None:
    a = _write(tmp_path, '[[outlet]]\nname = "A"\ndomains = ["a-news.de"]\n', "a.toml")
    b = _write(tmp_path, '[[blocked]]\ndomain = "a-news.de"\nsource = "x"\n', "b.toml")
    (problem,) = validate_rules([tmp_path])
    assert problem.file == str(b) and problem.line == 2 and problem.severity == "error"
    assert "both blocked and trusted" in problem.message and f"{a}:3" in problem.message


def test_legit_and_blocked_conflict(tmp_path: Path) -> None:
    path = _write(
        tmp_path, '[[legit]]\ndomain = "x-news.de"\n\n[[blocked]]\ndomain = "x-news.de"\nsource = "s"\n'
    )
    assert any("both blocked and trusted" in m for _, m in _errors(validate_rules([path])))


def test_alias_that_is_another_outlets_domain(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        '[[outlet]]\nname = "A"\ndomains = ["a-news.de"]\n\n'
        '[[outlet]]\nname = "B"\ndomains = ["b-news.de", "a-news.de"]\n',
    )
    (error,) = _errors(validate_rules([path]))
    assert error[0] == 7 and "already a domain of outlet 'A'" in error[1]


def test_same_outlet_redefined_in_a_later_file_is_an_override(tmp_path: Path) -> None:
    _write(tmp_path, '[[outlet]]\nname = "A"\ndomains = ["a-news.de"]\n', "a.toml")
    _write(tmp_path, '[[outlet]]\nname = "A (new)"\ndomains = ["a-news.de", "a2-news.de"]\n', "b.toml")
    assert validate_rules([tmp_path]) == []


def test_conflict_with_bundled_rules(tmp_path: Path) -> None:
    bundled = load_rules().outlets
    if not bundled:
        pytest.skip("no bundled outlets")
    taken = bundled[0].domain
    path = _write(tmp_path, f'[[outlet]]\nname = "Mine"\ndomains = ["mine-news.de", "{taken}"]\n')
    mine = [p for p in validate_rules([path], with_bundled=True) if p.file == str(path)]
    assert any(p.severity == "error" and "already a domain of outlet" in p.message for p in mine)
    hidden = _write(tmp_path, f'[[removed]]\ndomain = "{taken}"\n', "zz-removed.toml")
    mine = [
        p for p in validate_rules([path, hidden], with_bundled=True) if p.file in (str(path), str(hidden))
    ]
    assert mine == []


def test_missing_path_is_a_problem_not_an_exception(tmp_path: Path) -> None:
    (problem,) = validate_rules([tmp_path / "nope.toml"])
    assert problem.severity == "error" and "no such" in problem.message


def test_entry_lines_survives_multiline_values() -> None:
    text = (
        'x = 1\n[[outlet]]\nname = """multi\n[[outlet]]\nline"""\ndomains = [\n  "a.de",\n]\n'
        "\n[[legit]]\ndomain = 'b.de'\n[[outlet]]\nname = 'c'\n"
    )
    pos = entry_lines(text)
    assert pos[("outlet", 0)].line == 2 and pos[("outlet", 0)].keys == {"name": 3, "domains": 6}
    assert pos[("legit", 0)].line == 10 and pos[("outlet", 1)].line == 12
    assert pos[("", 0)].keys == {"x": 1}


# -- loader behaviour this work relies on ----------------------------------------------------------


def test_loader_errors_name_file_and_line(tmp_path: Path) -> None:
    _write(tmp_path, '[[legit]]\ndomain = "ok.de"\n\n[[outlet]]\ndomains = ["a-news.de"]\n')
    with pytest.raises(RulesError, match=r"rules\.toml:4: \[\[outlet\]\] #1: missing or empty 'name'"):
        load_rules([tmp_path])
    _write(tmp_path, "[[legit]\n")
    with pytest.raises(RulesError, match=r"rules\.toml:1: invalid TOML"):
        load_rules([tmp_path])


def test_removed_hides_bundled_rules_but_not_the_users_own(tmp_path: Path) -> None:
    bundled = load_rules().outlets
    if not bundled:
        pytest.skip("no bundled outlets")
    domain = bundled[0].domain
    _write(tmp_path, f'[[removed]]\ndomain = "{domain}"\n\n[[legit]]\ndomain = "{domain}"\n')
    rules = load_rules(user_dir=tmp_path)
    assert rules.outlet_for(domain) is None
    assert [r.origin for r in rules.legit if r.domain == domain] == ["user"]


def test_tier_and_source(tmp_path: Path) -> None:
    """``tier`` is curated or reference; a reference entry must say where it comes from."""
    path = _write(
        tmp_path,
        '[[outlet]]\nname = "A"\ndomains = ["a-news.de"]\ntier = "reference"\nsource = "wikidata:Q1"\n\n'
        '[[outlet]]\nname = "B"\ndomains = ["b-news.de"]\ntier = "curated"\n\n'
        '[[outlet]]\nname = "C"\ndomains = ["c-news.de"]\ntier = "reference"\n\n'
        '[[outlet]]\nname = "D"\ndomains = ["d-news.de"]\ntier = "bulk"\nsource = "x:1"\n\n'
        '[[outlet]]\nname = "E"\ndomains = ["e-news.de"]\ntier = "reference"\nsource = " "\n',
    )
    assert _errors(validate_rules([path])) == [
        (15, "[[outlet]] 'C': reference entries must name their 'source'"),
        (20, "[[outlet]] 'D': unknown tier 'bulk' (expected one of curated, reference)"),
        (27, "[[outlet]] 'E': 'source' must be a non-empty string"),
    ]
    assert {o.name for o in load_rules([path]).outlets} == {"A", "B", "C", "D", "E"}  # loading stays lean
