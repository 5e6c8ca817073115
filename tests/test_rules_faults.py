"""Hostile or broken rule files through the CLI: a clear error (exit 3 or 2), never exit 70, and an
edit never leaves behind a file that makes every scan fail."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from linkguard.cli import main
from linkguard.rules import load_rules


@pytest.fixture(autouse=True)
def rules_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "config" / "rules"
    path.mkdir(parents=True)
    monkeypatch.setenv("LINKGUARD_RULES_DIR", str(path))
    return path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def _scan_exit(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> int:
    post = tmp_path / "post.txt"
    post.write_text("nothing to see: tagesschau.de\n", encoding="utf-8")
    return run(capsys, "scan", str(post), "--format", "jsonl", "-q")[0]


# Valid TOML the loader rejects: each makes every scan exit 3.
LOADER_REJECTS = {
    "blocked-without-source": '[[blocked]]\ndomain = "bad-news.ltd"\n',
    "outlet-without-name": '[[outlet]]\ndomains = ["x-news.de"]\n',
    "domains-not-strings": '[[outlet]]\nname = "X"\ndomains = 5\n',
    "unknown-table": 'version = 2\n[[outlet]]\nname = "X"\ndomains = ["x-news.de"]\n',
    "outlet-not-an-array": '[outlet]\nname = "X"\ndomains = ["x-news.de"]\n',
}


@pytest.mark.parametrize("content", LOADER_REJECTS.values(), ids=LOADER_REJECTS.keys())
@pytest.mark.parametrize(
    "command", [["add", "kleinstadtkurier.de", "--name", "N"], ["block", "b-news.ltd", "--source", "s"]]
)
def test_an_edit_refuses_a_file_the_loader_rejects(
    capsys: pytest.CaptureFixture[str], rules_dir: Path, tmp_path: Path, content: str, command: list[str]
) -> None:
    rules = rules_dir / "rules.toml"
    rules.write_text(content, encoding="utf-8")
    assert _scan_exit(capsys, tmp_path) == 3  # broken before the edit
    code, _, err = run(capsys, "rules", *command)
    assert code == 3 and "Traceback" not in err
    assert f"{rules}" in err and "not modifying it" in err and "nothing was changed" in err
    assert rules.read_text(encoding="utf-8") == content


def test_the_error_names_the_line(capsys: pytest.CaptureFixture[str], rules_dir: Path) -> None:
    rules = rules_dir / "rules.toml"
    rules.write_text(
        '[[blocked]]\ndomain = "a.ltd"\nsource = "s"\n\n[[blocked]]\ndomain = "b.ltd"\n', encoding="utf-8"
    )
    code, _, err = run(capsys, "rules", "add", "kleinstadtkurier.de", "--name", "N")
    assert code == 3 and f"{rules}:5: [[blocked]] #2: missing or empty 'source'" in err


def test_edits_keep_a_loadable_file(
    capsys: pytest.CaptureFixture[str], rules_dir: Path, tmp_path: Path
) -> None:
    """Every kind of edit, including on a file written by hand with an inline array, loads afterwards."""
    rules = rules_dir / "rules.toml"
    rules.write_text(
        '# mine\nlegit = [{domain = "spiegel-wissen.de", note = "ok"}]\n\n[[outlet]]\nname = "A"\n'
        'domains = ["a-news.de", "a-news.com"]  # both\n',
        encoding="utf-8",
    )
    steps = [
        ["add", "kleinstadtkurier.de", "--name", "Kleinstadtkurier", "--alias", "kleinstadtkurier.com"],
        ["allow", "welt-wissen.de", "--note", "checked"],
        ["block", "welt-aktuell.ltd", "--source", "report"],
        ["remove", "a-news.com"],
        ["add", "a-news.de", "--name", "A2", "--force"],
        ["remove", "welt.de"],
        ["add", "welt.de", "--name", "Mine"],
    ]
    for step in steps:
        code, _, err = run(capsys, "rules", *step)
        assert code == 0, (step, err)
        load_rules(user_dir=rules_dir)  # raises if the loader rejects the file
    assert _scan_exit(capsys, tmp_path) == 0
    text = rules.read_text(encoding="utf-8")
    assert text.startswith("# mine\n") and "# both" not in text  # the A entry was replaced
    outlets = {o.domain: o.name for o in load_rules(user_dir=rules_dir).outlets if o.origin == "user"}
    assert outlets == {"kleinstadtkurier.de": "Kleinstadtkurier", "a-news.de": "A2", "welt.de": "Mine"}


def test_a_symlinked_rules_file_is_edited_where_it_points(
    capsys: pytest.CaptureFixture[str], rules_dir: Path, tmp_path: Path
) -> None:
    dotfiles = tmp_path / "dotfiles"
    dotfiles.mkdir()
    target = dotfiles / "linkguard-rules.toml"
    target.write_text("# kept in my dotfiles\n", encoding="utf-8")
    target.chmod(0o640)
    link = rules_dir / "rules.toml"
    link.symlink_to(target)
    for step in (
        ["add", "kleinstadtkurier.de", "--name", "N"],
        ["remove", "kleinstadtkurier.de"],
        ["allow", "x-news.de"],
    ):
        code, _, err = run(capsys, "rules", *step)
        assert code == 0, err
        assert link.is_symlink() and link.resolve() == target
    text = target.read_text(encoding="utf-8")
    assert text.startswith("# kept in my dotfiles\n") and 'domain = "x-news.de"' in text
    assert target.stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in dotfiles.iterdir()) == ["linkguard-rules.toml"]  # no temp file left


@pytest.mark.parametrize("option", ["--rules-dir", "--rules"])
@pytest.mark.parametrize(
    "command",
    [
        ["rules", "add", "x-news.de", "--name", "X"],
        ["rules", "list"],
        ["scan", "-"],
        ["check", "welt.ltd", "--offline"],
    ],
)
def test_an_empty_rules_path_is_a_usage_error(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    option: str,
    command: list[str],
) -> None:
    if option == "--rules" and command[:2] == ["rules", "add"]:
        pytest.skip("rules add takes no --rules")
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    code, _, err = run(capsys, *command, option, "")
    assert code == 2 and "an empty path" in err
    assert list(cwd.iterdir()) == []  # nothing written to the current directory


def test_deeply_nested_rules_are_a_rules_error(
    capsys: pytest.CaptureFixture[str], rules_dir: Path, tmp_path: Path
) -> None:
    deep = rules_dir / "deep.toml"
    deep.write_text('[[outlet]]\nname = "A"\ndomains = ' + "[" * 5000 + "]" * 5000 + "\n", encoding="utf-8")
    inline = tmp_path / "inline.toml"
    inline.write_text("outlet = " + "{a = " * 3000 + "1" + "}" * 3000 + "\n", encoding="utf-8")
    post = tmp_path / "post.txt"
    post.write_text("welt.ltd\n", encoding="utf-8")
    for args in (
        ["scan", str(post)],
        ["check", "welt.ltd", "--offline"],
        ["rules", "add", "x-news.de", "--name", "X"],
        ["rules", "list"],
        ["scan", str(post), "--rules", str(inline)],
    ):
        code, _, err = run(capsys, *args)
        assert code == 3, (args, err)
        assert "nested too deeply" in err and "unexpected" not in err
    code, out, _ = run(capsys, "rules", "validate", str(deep), str(inline))
    assert code == 3 and out.count("nested too deeply") == 2


def test_many_user_outlets_are_added_and_found(capsys: pytest.CaptureFixture[str], rules_dir: Path) -> None:
    """An edit of a large file appends (no rewrite); the file stays loadable and a duplicate is found."""
    rules = rules_dir / "rules.toml"
    body = "".join(f'[[outlet]]\nname = "O{i}"\ndomains = ["outlet{i}-news.de"]\n\n' for i in range(12000))
    rules.write_text("# big\n" + body, encoding="utf-8")
    code, _, err = run(capsys, "rules", "add", "kleinstadtkurier.de", "--name", "N")
    assert code == 0, err
    text = rules.read_text(encoding="utf-8")
    assert text.startswith("# big\n" + body) and text.endswith(
        'domains = ["kleinstadtkurier.de"]\nkind = "newspaper"\n\n'
    )
    code, _, err = run(capsys, "rules", "add", "outlet11999-news.de", "--name", "Again")
    assert code == 3 and "already outlet 'O11999'" in err and f"{rules}:" in err
    assert len(load_rules(user_dir=rules_dir).outlets) > 12000


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_a_named_pipe_as_a_rule_file_is_refused_not_read(
    capsys: pytest.CaptureFixture[str], rules_dir: Path, tmp_path: Path
) -> None:
    """Nobody writes to these pipes: reading one would block for ever."""
    fifo = tmp_path / "rules.toml"
    os.mkfifo(fifo)
    post = tmp_path / "post.txt"
    post.write_text("welt.ltd\n", encoding="utf-8")
    for args in (
        ["scan", str(post), "--rules", str(fifo)],
        ["rules", "validate", str(fifo)],
        ["rules", "import", str(fifo), "--as", "legit"],
    ):
        code, out, err = run(capsys, *args)
        assert code == 3, (args, out, err)
        assert f"{fifo}: " in out + err and "not a regular file" in out + err
    os.mkfifo(rules_dir / "extra.toml")  # in the user's rules dir: every command says so
    code, _, err = run(capsys, "scan", str(post))
    assert code == 3 and "extra.toml: not a regular file" in err


def test_removing_a_rule_cuts_only_its_lines(capsys: pytest.CaptureFixture[str], rules_dir: Path) -> None:
    rules = rules_dir / "rules.toml"
    head = '# my list\n[[legit]]\ndomain = "a-news.de"\n\n'
    middle = '[[legit]]\ndomain = "b-news.de"  # checked\nnote = """\n[[not a header]]\n"""\n\n'
    tail = '# the last one, kept with its comment\n[[legit]]\ndomain = "c-news.de"\n'
    rules.write_text(head + middle + tail, encoding="utf-8")
    code, _, err = run(capsys, "rules", "remove", "b-news.de")
    assert code == 0, err
    assert rules.read_text(encoding="utf-8") == head + tail
    # a sub-table under an entry cannot be cut by lines: the entry goes, the file stays sound
    rules.write_text(
        '[[outlet]]\nname = "A"\ndomains = ["a-news.de"]\n[outlet.extra]\nx = 1\n' + tail, encoding="utf-8"
    )
    code, _, err = run(capsys, "rules", "remove", "a-news.de")
    assert code == 0, err
    entries = load_rules(user_dir=rules_dir)
    assert [r.domain for r in entries.legit if r.origin == "user"] == ["c-news.de"]
    assert not [o for o in entries.outlets if o.origin == "user"]
