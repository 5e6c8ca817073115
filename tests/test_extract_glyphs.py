"""Hosts written in the letters homoglyph attacks use are extracted whole, never cut.

IDNA (UTS #46, or the IDNA 2003 fallback the normaliser uses) maps or allows IPA letters, small
capitals, Latin Extended, Greek, Cyrillic, Armenian, Cherokee and combining marks in a label; an
extractor that stops at them reports a different host (``theɡuardian.com`` read as
``uardian.com``) and the look-alike is never seen.
"""

from __future__ import annotations

import functools
import io
import re

import idna
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from linkguard.extract import _BARE, _HOST, candidates
from linkguard.inputs import plaintext
from linkguard.inputs.plaintext import read_bytes
from linkguard.models import Record
from linkguard.normalize import normalize

SELECTIONS = {"c": plaintext._select_lines_c, "python": plaintext._select_lines_py}


def _idna_allows(ch: str) -> bool:
    label = "a" + ch + "b"
    try:
        idna.encode(label, uts46=True, std3_rules=False, transitional=False)
        return True
    except idna.IDNAError:
        pass
    try:
        label.encode("idna")  # IDNA 2003, the normaliser's fallback
        return True
    except UnicodeError:
        return False


@functools.cache
def _alphabet(char_class: str) -> tuple[str, ...]:
    """Every non-ASCII character of a host class that IDNA accepts inside a label."""
    one = re.compile(f"[{char_class}]")
    found = (chr(cp) for cp in range(0x80, 0x20000) if one.fullmatch(chr(cp)))
    return tuple(ch for ch in found if _idna_allows(ch))


def test_the_classes_hold_the_letters_attackers_use() -> None:
    # IPA script g, small capitals, Cherokee, Latin Extended-A/B, a combining acute, letterlike g
    for ch in "ɡɑɩᴀʙᴄᴅᴇᴡʟᴛꮃᏔłđħøþƅŋœωıȷѕрեօ\u0301ℊ":
        assert ch in _alphabet(_BARE), ch
        assert re.fullmatch(f"[{_HOST}]", ch), ch


LETTERS = st.sampled_from("abcdefghijklmnopqrstuvwxyz0123456789")
TLDS = st.sampled_from(["de", "com", "ltd", "fr", "org", "co.uk", "news"])


@st.composite
def hosts(draw: st.DrawFn) -> str:
    glyphs = st.sampled_from(_alphabet(_BARE))
    labels = []
    for _ in range(draw(st.integers(1, 2))):
        first = draw(LETTERS | glyphs.filter(str.isalpha))
        rest = draw(st.lists(LETTERS | glyphs, max_size=12))
        labels.append(first + "".join(rest))
    return ".".join(labels) + "." + draw(TLDS)


BEFORE = st.sampled_from(["", "siehe ", "(", "„", "Link: ", "voir «", "\n"])
AFTER = st.sampled_from(["", " heute", ".", ",", ")", "!", "“", "?", ";", ":", " »", "\n"])


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(host=hosts(), before=BEFORE, after=AFTER)
def test_a_host_of_allowed_characters_is_extracted_whole(host: str, before: str, after: str) -> None:
    text = before + host + after
    assert [(c.text, c.start) for c in candidates(text)] == [(host, len(before))]


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(host=hosts())
def test_a_url_of_allowed_characters_keeps_its_whole_host(host: str) -> None:
    text = f"hier https://{host}/artikel jetzt"
    assert [c.text for c in candidates(text)] == [f"https://{host}/artikel"]


@pytest.mark.parametrize(
    "host",
    [
        "theɡuardian.com",  # U+0261 LATIN SMALL LETTER SCRIPT G
        "ʙild.de",  # U+0299 small capital B
        "ᴡᴇʟᴛ.de",  # small capitals
        "ꮃelt.de",  # Cherokee small letter
        "wełt.de",  # Latin Extended-A
        "spiege\u0301l.de",  # combining acute accent
        "ѕрiеgеl.de",  # Cyrillic
        "lеmоndе.fr",
        "ℊuardian.com",  # letterlike script g, mapped by UTS #46
    ],
)
def test_real_lookalike_hosts_are_extracted_whole(host: str) -> None:
    (cand,) = candidates(f"Lest {host}, jetzt.")
    assert cand.text == host


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("日本語example.com", ["example.com"]),  # scripts written without spaces still end a host
        ("twitter.jp日本語it.so中国語foo.jp", ["twitter.jp", "it.so", "foo.jp"]),
        ("Ελλάδα· welt.de", ["welt.de"]),
        ("Հայաստան։welt.de", ["welt.de"]),  # Armenian full stop ends the word before
    ],
)
def test_scripts_and_punctuation_that_end_a_host(text: str, expected: list[str]) -> None:
    assert [c.text for c in candidates(text)] == expected


@pytest.mark.parametrize("selection", [name for name, impl in SELECTIONS.items() if impl is not None])
def test_the_line_selection_keeps_lines_whose_only_link_is_written_in_glyphs(selection: str) -> None:
    lines = [
        "Prosa ohne Link",
        "theɡuardian.com",
        "noch mehr Prosa",
        "ᴡᴇʟᴛ.de",  # small capitals
        "lies welt dot ltd",
        "oder welt•ltd",
        "und wełt.de",
        "Ende",
    ]
    data = "\n".join(lines).encode("utf-8")
    records = read_bytes(io.BytesIO(data), "dump.txt", select=SELECTIONS[selection])
    found = [
        cand.text
        for record in records
        if isinstance(record, Record)
        for cand in candidates(record.text, suspect=record.suspect)
    ]
    assert found == ["theɡuardian.com", "ᴡᴇʟᴛ.de", "welt dot ltd", "welt•ltd", "wełt.de"]


def test_a_scheme_host_keeps_a_symbol_idna_2003_allowed() -> None:
    # twitter-text's "http://✪df.ws/ejp": IDNA 2008 refuses the symbol, the IDNA 2003 fallback maps it
    (cand,) = candidates("text http://✪df.ws/ejp")
    assert cand.text == "http://✪df.ws/ejp"
    link = normalize(cand)
    assert link is not None and link.host == "xn--df-oiy.ws"
    # an emoji after a host still ends it
    assert [c.text for c in candidates("https://welt.de⚡ und http://welt.de✪")] == [
        "https://welt.de",
        "http://welt.de",
    ]
