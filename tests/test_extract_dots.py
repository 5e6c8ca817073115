"""The dot written as a word or a symbol (``welt dot ltd``, ``welt•ltd``): read as a domain only
where a real public suffix follows, so prose stays clean."""

from __future__ import annotations

import functools
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from linkguard.cli import main
from linkguard.extract import candidates
from linkguard.rules import load_rules
from linkguard.scan import Scanner


@functools.cache
def known() -> frozenset[str]:
    """The outlet names the scanner hands the extractor (bundled rules)."""
    return Scanner(load_rules()).known_labels


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("Neu: welt dot ltd heute", "welt dot ltd"),
        ("Neu: welt DOT ltd heute", "welt DOT ltd"),
        ("Neu: welt[dot]ltd heute", "welt[dot]ltd"),
        ("Neu: welt(dot)ltd heute", "welt(dot)ltd"),
        ("Neu: welt{.}ltd heute", "welt{.}ltd"),
        ("Neu: welt . ltd heute", "welt . ltd"),
        ("Neu: welt [.] ltd heute", "welt [.] ltd"),
        ("Neu: welt (dot) ltd heute", "welt (dot) ltd"),
        ("Neu: welt•ltd heute", "welt•ltd"),
        ("Neu: welt·ltd heute", "welt·ltd"),
        ("Neu: welt🔹ltd heute", "welt🔹ltd"),
        ("Neu: welt∙ltd.", "welt∙ltd"),
        ("(welt dot ltd)", "welt dot ltd"),
        ("WELT DOT LTD!", "WELT DOT LTD"),
        ("lies welt . co . uk jetzt", "welt . co . uk"),
    ],
)
def test_the_dot_written_otherwise_is_read_and_named(text: str, written: str) -> None:
    (cand,) = candidates(text)
    assert cand.text == written
    assert text[cand.start : cand.start + len(cand.text)] == written
    assert cand.url.lower() in {"welt.ltd", "welt.co.uk"}
    assert cand.obfuscation == ("defanged",)


def test_an_outlet_name_allows_a_suffix_that_is_also_a_word() -> None:
    assert [c.url for c in candidates("Quelle: welt dot de und spiegel . de")] == []
    found = candidates("Quelle: welt dot de und spiegel . de", known_labels=known())
    assert [(c.text, c.url) for c in found] == [("welt dot de", "welt.de"), ("spiegel . de", "spiegel.de")]


@pytest.mark.parametrize(
    "prose",
    [
        "the dot com bubble burst",
        "a polka dot dress",
        "connect the dots . Now we know",
        "there is a dot in the middle",
        "Es ist spät . Das war es",
        "Ende . Com ist kein Wort",
        "Er wartet . in der Zeit . in Berlin",
        "keine Zeit . in Berlin",
        "Der Zeit Dot ist.",
        "die Welt dot app",
        "Punkt 12.30 Uhr . Danach z.B. u.a. Kaffee",
        "Kaffee•Kuchen•Bio",
        "Berlin · Hamburg · München",
        "Tee🔹Kaffee",
        "Das ist der Punkt . Punkt",
        "Seite 3 . de facto",
        "Teil 2 . com",
    ],
)
def test_prose_with_dots_and_dot_words_yields_nothing(prose: str) -> None:
    assert [c.text for c in candidates(prose)] == []
    assert [c.text for c in candidates(prose, known_labels=known())] == []


WORDS_DE = "der die das und ist nicht Regierung Krieg Zeit Welt heute Bericht Ende Uhr Seite".split()
WORDS_EN = "the and of is not report news today world point end time page".split()
WORDS_FR = "le la les et de est pas monde point fin heure page".split()
WORDS = st.sampled_from(WORDS_DE + WORDS_EN + WORDS_FR)
#: What prose puts between words and sentences: ends of sentences before a capital, ". Com",
#: "Dot", "Punkt", the word "dot" in its phrases, times, abbreviations, bullets in lists.
JOINERS = st.sampled_from(
    [
        *(" ", " ", " ", ". ", ". Com ", ". Dot ", ". Punkt ", " Punkt für Punkt ", " . Die ", " . The "),
        *(" the dot com bubble ", " a polka dot ", " a dot on the map ", " dot-com ", " Dot "),
        *(" um 12.30 Uhr ", " z.B. ", " u.a. ", " e.g. ", " i.e. ", ", ", " – ", " • ", " · ", "!\n"),
    ]
)


@st.composite
def prose(draw: st.DrawFn) -> str:
    parts = [draw(WORDS).capitalize()]
    for _ in range(draw(st.integers(1, 25))):
        parts.append(draw(JOINERS))
        parts.append(draw(WORDS))
    return "".join(parts) + "."


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(text=prose())
def test_ordinary_prose_yields_no_links(text: str) -> None:
    assert [c.text for c in candidates(text)] == []
    assert [c.text for c in candidates(text, known_labels=known())] == []


def test_scan_reports_the_dot_obfuscation_as_evidence(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    post = tmp_path / "post.txt"
    post.write_text(
        "Die ganze Wahrheit auf welt dot ltd!\n"
        "Oder hier: spiegel🔹ltd und welt . de\n"
        "Der Punkt ist: um 12.30 Uhr . Dann z.B. der dot com Boom.\n",
        encoding="utf-8",
    )
    code = main(["scan", str(post), "--all", "--format", "jsonl", "--no-blocklist"])
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.strip()]
    assert [(r["text"], r["host"], r["line"], r["obfuscation"]) for r in rows] == [
        ("welt dot ltd", "welt.ltd", 1, ["defanged"]),
        ("spiegel🔹ltd", "spiegel.ltd", 2, ["defanged"]),
        ("welt . de", "welt.de", 2, ["defanged"]),
    ]
    welt_ltd = rows[0]
    assert welt_ltd["flagged"] is True
    kinds = {e["kind"]: e for e in welt_ltd["evidence"]}
    assert kinds["obfuscation"]["data"]["tricks"] == ["defanged"]
    assert code == 1


def test_check_reads_a_dot_word() -> None:
    assert main(["check", "welt dot ltd", "--offline", "--no-blocklist", "--format", "json"]) == 1
