"""Dotted words of prose with a capital after the dot (``St.Pauli``, ``Ende.Die``, ``Dr.Müller``):
the extractor remembers the ones that hold no link and passes over them when they come again.
Remembering must never change what is found, wherever the word stands."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from linkguard import extract
from linkguard.cli import main
from linkguard.extract import candidates

#: Words with a capital after a dot, links among them (``foo.Com/x``), and what may stand around
#: them without a space: mentions, hashtags, e-mail local parts, a scheme, a port, a path, t.co.
TOKENS = st.sampled_from(
    [
        *("St.Pauli", "Ende.Die", "Dr.Müller", "Prof.Dr.Schmidt", "St.Pauli.", "Ende.Die,", "x.Ü"),
        *("foo.Com/x", "a.De", "DE.Die", "ABC.Def", "Üb.Ersicht", "St.PauliDie.de", "wörter.Ünd"),
        *("#St.Pauli", "@Dr.Müller", "x@Ende.Die", "St.Pauli@x.de", "name.al+x@foo.com", "Ende.Die:/x"),
        *("http://St.Pauli", "St.Pauli:8080", "Ende.Die/welt.de", "https://t.co/abcDEF1234welt.ltd"),
        *("](https://a.de)", "[label", "welt.de", "z.B.", "12.30", "𝐰𝐞𝐥𝐭.𝐥𝐭𝐝", "welt dot ltd"),
        "http:localhost",
        *("der", "und", "\n", "\t", " ", ".", ",", "(", ")"),
    ]
)
TEXT = st.lists(st.tuples(TOKENS, st.booleans()), max_size=30).map(
    lambda parts: "".join(token + (" " if spaced else "") for token, spaced in parts)
)


def _fresh(text: str) -> list[extract.Candidate]:
    extract._NO_LINK_WORDS.clear()
    return candidates(text)


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.lists(TEXT, min_size=1, max_size=6))
def test_remembered_words_change_nothing(texts: list[str]) -> None:
    cold = [_fresh(text) for text in texts]
    for text in texts:  # every word any of them holds is now remembered, in whatever context
        candidates(text)
    for text in reversed(texts):
        candidates(text)
    assert [candidates(text) for text in texts] == cold


def test_a_dotted_name_is_remembered_and_a_link_is_not() -> None:
    extract._NO_LINK_WORDS.clear()
    text = "Heute St.Pauli gegen Dr.Müller, dann foo.Com/x und Ende.Die"
    assert [c.text for c in candidates(text)] == ["foo.Com/x"]
    assert {"St.Pauli", "Dr.Müller,", "Ende.Die"} <= extract._NO_LINK_WORDS
    assert "foo.Com/x" not in extract._NO_LINK_WORDS
    assert [c.text for c in candidates(text)] == ["foo.Com/x"]


def test_a_remembered_word_glued_to_a_link_is_still_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Through the CLI: the same word alone (no link) and inside words that hold one."""
    extract._NO_LINK_WORDS.clear()
    lines = ["Heute St.Pauli gegen Ende.Die z.B. um 12.30 Uhr"] * 3
    lines += [
        "Heute https://welt.de/St.Pauli gegen Ende.Die",
        "Heute St.Pauli@welt.ltd gegen x",
        "Heute St.Pauli/welt.ltd gegen x",
        "Heute St.Pauli welt.ltd/Ende.Die",
    ]
    path = tmp_path / "prose.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    main(["scan", str(path), "--all", "--format", "jsonl", "-q"])
    findings = map(json.loads, capsys.readouterr().out.splitlines())
    found = [(f["line"], f["column"], f["text"]) for f in findings]
    assert found == [
        (4, 7, "https://welt.de/St.Pauli"),
        (6, 16, "welt.ltd"),  # a path's start is no host: the link after it is read
        (7, 16, "welt.ltd/Ende.Die"),
    ]
