"""`linkguard rules …` end to end, in a temporary rules dir, with exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from linkguard.cli import main
from linkguard.rules import load_rules, reference_rule_files


@pytest.fixture(autouse=True)
def rules_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own config dir via LINKGUARD_RULES_DIR: never the real one."""
    path = tmp_path / "config" / "rules"
    monkeypatch.setenv("LINKGUARD_RULES_DIR", str(path))
    return path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(["rules", *args])
    out, err = capsys.readouterr()
    return code, out, err


def _user_outlets(rules_dir: Path) -> dict[str, str]:
    return {o.domain: o.name for o in load_rules(user_dir=rules_dir).outlets if o.origin == "user"}


def test_add_list_show_remove(capsys: pytest.CaptureFixture[str], rules_dir: Path) -> None:
    code, out, err = run(
        capsys, "add", "https://www.example-news.org/a", "--name", "Example News", "--country", "de",
        "--alias", "exnews.de", "--brand", "examplenews",
    )  # fmt: skip
    assert code == 0, err
    assert "Added outlet 'Example News' (example-news.org)" in out
    assert "note: reduced the URL" in err
    assert _user_outlets(rules_dir) == {"example-news.org": "Example News"}

    code, out, _ = run(capsys, "list", "--kind", "outlet", "--country", "DE", "--format", "json")
    assert code == 0
    mine = [r for r in json.loads(out) if r["origin"] == "user"]
    assert mine == [
        {
            "rule": "outlet",
            "domain": "example-news.org",
            "domains": ["example-news.org", "exnews.de"],
            "name": "Example News",
            "brands": ["examplenews"],
            "country": "DE",
            "kind": "newspaper",
            "origin": "user",
            "file": str(rules_dir / "rules.toml"),
            "line": 3,
        }
    ]
    code, out, err = run(capsys, "list", "--kind", "outlet")
    assert code == 0 and f"{rules_dir / 'rules.toml'}:3" in out and "your rules file" in err

    code, out, _ = run(capsys, "show", "exnews.de")
    assert code == 0 and "outlet 'Example News'" in out and "scan:" in out

    code, out, err = run(capsys, "remove", "example-news.org", "--rules-dir", str(rules_dir))
    assert code == 0 and "removed outlet 'Example News'" in err
    assert _user_outlets(rules_dir) == {}
    code, _, err = run(capsys, "remove", "example-news.org")
    assert code == 3 and "no rule mentions it" in err


def test_block_and_allow(capsys: pytest.CaptureFixture[str], rules_dir: Path) -> None:
    assert run(capsys, "block", "bad-news.ltd", "--source", "case 7", "--campaign", "X")[0] == 0
    assert run(capsys, "allow", "good-newz.org", "--note", "sister site")[0] == 0
    rules = load_rules(user_dir=rules_dir)
    assert [(b.domain, b.source, b.campaign) for b in rules.blocked if b.origin == "user"] == [
        ("bad-news.ltd", "case 7", "X")
    ]
    assert [(r.domain, r.note) for r in rules.legit if r.origin == "user"] == [
        ("good-newz.org", "sister site")
    ]
    code, _, err = run(capsys, "block", "bad-news.ltd", "--source", "again")
    assert code == 3 and "already blocked" in err and "--force" in err
    code, _, err = run(capsys, "allow", "bad-news.ltd")
    assert code == 3 and "is blocked" in err
    code, _, err = run(capsys, "allow", "bad-news.ltd", "--force")
    assert code == 0 and "replaced blocked" in err


@pytest.mark.parametrize(
    "args",
    [
        ("add", "not a domain", "--name", "X"),
        ("add", "co.uk", "--name", "X"),
        ("add", "ok-news.de", "--name", "X", "--alias", "1.2.3.4"),
        ("add", "ok-news.de", "--name", "X", "--country", "Germany"),
        ("add", "ok-news.de"),  # --name missing
        ("block", "http://", "--source", "s"),
        ("allow", "localhost"),
        ("remove", "exa mple.de"),
        ("show", ""),
    ],
)
def test_bad_arguments_are_usage_errors(
    capsys: pytest.CaptureFixture[str], rules_dir: Path, args: tuple[str, ...]
) -> None:
    code, out, err = run(capsys, *args)
    assert code == 2, (out, err)
    assert "Traceback" not in err
    assert not (rules_dir / "rules.toml").exists()


def test_duplicate_and_conflict_exit_3(capsys: pytest.CaptureFixture[str], rules_dir: Path) -> None:
    assert run(capsys, "add", "example-news.org", "--name", "Example News")[0] == 0
    before = (rules_dir / "rules.toml").read_text(encoding="utf-8")
    code, _, err = run(capsys, "add", "example-news.org", "--name", "Again")
    assert code == 3 and err.startswith("Error: cannot add [[outlet]] example-news.org: ")
    assert len(err.strip().splitlines()) == 1
    code, _, err = run(capsys, "block", "example-news.org", "--source", "s")
    assert code == 3 and "is outlet 'Example News'" in err
    assert (rules_dir / "rules.toml").read_text(encoding="utf-8") == before
    assert run(capsys, "add", "example-news.org", "--name", "Again", "--force")[0] == 0
    assert _user_outlets(rules_dir) == {"example-news.org": "Again"}


def test_bundled_rule_removed_and_restored_by_editing(
    capsys: pytest.CaptureFixture[str], rules_dir: Path
) -> None:
    outlets = load_rules().outlets
    if not outlets:
        pytest.skip("no bundled outlets")
    domain = outlets[0].domain
    code, _, err = run(capsys, "add", domain, "--name", "Mine")
    assert code == 3 and "bundled rules" in err
    code, _, err = run(capsys, "remove", domain)
    assert code == 0 and "[[removed]]" in err
    assert load_rules(user_dir=rules_dir).outlet_for(domain) is None
    code, out, _ = run(capsys, "show", domain)
    assert code == 0 and "hidden by [[removed]]" in out


def test_corrupted_file_is_reported_and_kept(capsys: pytest.CaptureFixture[str], rules_dir: Path) -> None:
    rules_dir.mkdir(parents=True)
    broken = '# hand-edited\n[[outlet]]\nname = "A"\ndomains = "a-news.de\n'
    (rules_dir / "rules.toml").write_text(broken, encoding="utf-8")
    code, _, err = run(capsys, "add", "b-news.de", "--name", "B")
    assert code == 3
    assert f"{rules_dir / 'rules.toml'}:4: invalid TOML" in err and "Traceback" not in err
    assert (rules_dir / "rules.toml").read_text(encoding="utf-8") == broken
    code, out, _ = run(capsys, "validate")
    assert code == 3 and f"{rules_dir / 'rules.toml'}:4: error: invalid TOML" in out


def test_rules_dir_that_cannot_be_created(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """Works as root too: a regular file where the directory should be makes mkdir fail."""
    blocker = tmp_path / "blocker"
    blocker.write_text("x", encoding="utf-8")
    code, _, err = run(capsys, "add", "a-news.de", "--name", "A", "--rules-dir", str(blocker))
    assert code == 3 and "Traceback" not in err and str(blocker) in err
    code, _, err = run(capsys, "block", "bad.ltd", "--source", "s", "--rules-dir", str(blocker / "rules"))
    assert code == 3 and "cannot create the rules directory" in err


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root ignores directory permissions")
def test_read_only_rules_dir(capsys: pytest.CaptureFixture[str], rules_dir: Path) -> None:
    assert run(capsys, "add", "a-news.de", "--name", "A")[0] == 0
    rules_dir.chmod(0o500)
    try:
        code, _, err = run(capsys, "add", "b-news.de", "--name", "B")
    finally:
        rules_dir.chmod(0o700)
    assert code == 3 and "Traceback" not in err
    assert _user_outlets(rules_dir) == {"a-news.de": "A"}


def test_validate(capsys: pytest.CaptureFixture[str], rules_dir: Path, tmp_path: Path) -> None:
    good = tmp_path / "good.toml"
    good.write_text('[[outlet]]\nname = "A"\ndomains = ["a-news.de"]\n', encoding="utf-8")
    code, out, err = run(capsys, "validate", str(good))
    assert (code, out) == (0, "") and "no problems" in err
    bad = tmp_path / "bad.toml"
    bad.write_text('[[outlet]]\nname = "A"\ndomains = ["www.a-news.de"]\nbrand = "a"\n', encoding="utf-8")
    code, out, err = run(capsys, "validate", str(bad))
    assert code == 3
    assert f"{bad}:3: error:" in out and f"{bad}:4: error: [[outlet]] unknown key 'brand'" in out
    dup = tmp_path / "dup.toml"
    dup.write_text('[[legit]]\ndomain = "x-news.de"\n[[legit]]\ndomain = "x-news.de"\n', encoding="utf-8")
    assert run(capsys, "validate", str(dup))[0] == 0
    assert run(capsys, "validate", "--strict", str(dup))[0] == 3
    unsourced = tmp_path / "unsourced.toml"
    unsourced.write_text(
        '[[outlet]]\nname = "A"\ndomains = ["a-news.de"]\ntier = "reference"\n', encoding="utf-8"
    )
    code, out, _ = run(capsys, "validate", str(unsourced))
    assert (
        code == 3
        and f"{unsourced}:4: error: [[outlet]] 'A': reference entries must name their 'source'" in out
    )
    (reference,) = reference_rule_files()  # the shipped reference tier passes, layered over the bundled rules
    code, out, err = run(capsys, "validate", "--bundled", str(reference))
    assert (code, out) == (0, "") and "no problems" in err


def test_import_and_export(capsys: pytest.CaptureFixture[str], rules_dir: Path, tmp_path: Path) -> None:
    csv_file = tmp_path / "regional.csv"
    csv_file.write_text("nord-news.de,Nord News,DE\nsued-news.de,Süd News\n", encoding="utf-8")
    code, out, _ = run(capsys, "import", str(csv_file), "--country", "DE")
    assert code == 0 and "Imported 2 rule(s)" in out
    assert load_rules(user_dir=rules_dir).outlet_for("sued-news.de").country == "DE"  # type: ignore[union-attr]

    txt = tmp_path / "campaign.txt"
    txt.write_text("bad-one.ltd\nbad two\n", encoding="utf-8")
    code, _, err = run(capsys, "import", str(txt), "--as", "blocked", "--source", "case 1")
    assert code == 3 and f"{txt}:2" in err and "nothing imported" in err
    code, _, err = run(capsys, "import", str(txt))
    assert code == 3 and "--as" in err

    out_file = tmp_path / "shared.csv"
    code, _, _ = run(capsys, "export", "-o", str(out_file))
    assert code == 0
    assert out_file.read_text(encoding="utf-8").splitlines()[1:] == [
        "outlet,nord-news.de,Nord News,DE,newspaper,,,,,,,,,",  # source_url, reported: the last two
        "outlet,sued-news.de,Süd News,DE,newspaper,,,,,,,,,",
    ]
    header = "rule,domain,name,country,kind,aliases,brands,source,imitates,campaign,note,owner"
    header += ",source_url,reported"
    assert out_file.read_text(encoding="utf-8").splitlines()[0] == header
    code, out, _ = run(capsys, "export", "--format", "txt")
    assert (code, out) == (0, "nord-news.de\nsued-news.de\n")
    other = tmp_path / "other"
    code, out, _ = run(capsys, "import", str(out_file), "--rules-dir", str(other))
    assert code == 0 and "Imported 2" in out
    assert _user_outlets(other) == _user_outlets(rules_dir)


def test_adding_an_outlet_takes_effect_at_once(capsys: pytest.CaptureFixture[str], rules_dir: Path) -> None:
    assert run(capsys, "add", "example-news.org", "--name", "Example News")[0] == 0
    rules = load_rules(user_dir=rules_dir)
    assert rules.outlet_for("example-news.org") is not None
    try:
        from linkguard.lookalike import Detector  # type: ignore[attr-defined,unused-ignore]
    except ImportError:
        pytest.skip("linkguard.lookalike.Detector is not available yet")
    from linkguard.normalize import parse_link

    link = parse_link("example-news.ltd")
    assert link is not None
    verdict = Detector(rules).classify(link)
    assert verdict.status == "suspicious"
    assert verdict.impersonates is not None and verdict.impersonates.name == "Example News"

    capsys.readouterr()
    code = main(["check", "example-news.ltd", "--offline", "--rules-dir", str(rules_dir), "--format", "json"])
    out = capsys.readouterr().out
    assert code == 1
    assert "Example News" in out and "suspicious" in out


def test_parallel_adds_lose_nothing(rules_dir: Path) -> None:
    """Four real processes add four outlets at the same time; the lock keeps every one. Each holds
    the lock for its whole read-modify-write (it reads every rule file first), so without it
    the four writes overlap and some are lost."""
    script = "import sys; from linkguard.cli import main; sys.exit(main(sys.argv[1:]))"
    env = {**os.environ, "LINKGUARD_RULES_DIR": str(rules_dir)}
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                script,
                "rules",
                "add",
                f"regional-news-{i}.de",
                "--name",
                f"Regional {i}",
            ],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(4)
    ]
    results = [(p.wait(timeout=120), p.stderr.read() if p.stderr else "") for p in procs]
    for p in procs:
        for stream in (p.stdout, p.stderr):
            if stream:
                stream.close()
    assert [code for code, _ in results] == [0] * 4, results
    assert _user_outlets(rules_dir) == {f"regional-news-{i}.de": f"Regional {i}" for i in range(4)}
