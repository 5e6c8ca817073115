"""A JSON ``"\\ud800"`` escape decodes to a lone surrogate, which no UTF-8 report can write.

It used to end the whole run with exit 70 in every format; now the character becomes U+FFFD, the
record is counted as repaired, and the links around it are reported as usual.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from linkguard import scan
from linkguard.cli import main
from linkguard.report import FORMATS

EXPORTS = Path(__file__).parent / "data" / "exports"


def _tweets_with_surrogates(tmp_path: Path) -> Path:
    text = (EXPORTS / "tweets.js").read_text("utf-8")
    text = text.replace('"Unglaublich, was', '"Unglaublich \\ud800, was', 1)
    assert "\\ud800" in text
    path = tmp_path / "tweets.js"
    path.write_text(text, "utf-8")
    return path


@pytest.mark.parametrize("fmt", sorted(set(FORMATS) - {"xlsx"}))
def test_every_format_writes_a_post_with_a_lone_surrogate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], fmt: str
) -> None:
    path = _tweets_with_surrogates(tmp_path)
    code = main(["scan", str(path), "-f", fmt, "-o", str(tmp_path / f"out.{fmt}")])
    err = capsys.readouterr().err
    assert code == 1, err  # flagged, not 70
    assert "lone-surrogate-replaced" in err
    assert "spiegel" in (tmp_path / f"out.{fmt}").read_text("utf-8")


def test_the_link_and_its_context_keep_everything_but_the_surrogate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "posts.jsonl"
    lines = [
        {"text": "siehe faz.ltd/a\ud800b und mehr"},
        {"id": "7", "text": "ohne Fehler welt.ltd"},
    ]
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n", "utf-8")
    assert "\\ud800" in path.read_text("utf-8")
    code = main(["scan", str(path), "-f", "jsonl", "--all"])
    out, err = capsys.readouterr()
    assert code == 1
    found = {f["host"]: f for f in map(json.loads, out.splitlines())}
    assert found["faz.ltd"]["text"] == "faz.ltd/a\ufffdb" and found["faz.ltd"]["flagged"]
    assert found["welt.ltd"]["flagged"]
    assert "posts.jsonl:1: repaired (lone-surrogate-replaced)" in err


def test_a_post_author_with_a_lone_surrogate_is_repaired_once_per_post(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (EXPORTS / "result.json").read_text("utf-8").replace('"Wahrheit Kanal"', '"Wahrheit \\udc80Kanal"')
    path = tmp_path / "result.json"
    path.write_text(text, "utf-8")
    code = main(["scan", str(path), "-f", "jsonl", "--all"])
    out, err = capsys.readouterr()
    assert code == 1, err
    authors = {json.loads(line)["post"]["author"] for line in out.splitlines()}
    assert "Wahrheit \ufffdKanal" in authors and not any("\udc80" in (a or "") for a in authors)
    assert "lone-surrogate-replaced" in err


#: Characters of each storage width, surrogates (paired or not) and their neighbours.
_CHARS = st.sampled_from(["a", "\x7f", "é", "…", "\ud7ff", "\ud800", "\udbff", "\udc00", "\udfff", "\ue000"])
_CHARS |= st.sampled_from(["😀", "\U00010000", "\U0010ffff"])


@settings(max_examples=500, deadline=None)
@given(values=st.lists(st.none() | st.lists(_CHARS, max_size=6).map("".join), max_size=5))
def test_the_surrogate_test_in_c_and_python_agree(values: list[str | None]) -> None:
    assert scan._has_lone_surrogate(*values) == scan._has_lone_surrogate_py(*values)
