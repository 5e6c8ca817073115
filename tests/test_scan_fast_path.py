"""The shortcuts that make a scan fast give exactly what the plain way gives.

Plain text is prefiltered by bytes (in C, or ``re`` without it), read as one record per
block with the lines that cannot hold a link left empty, and only the spans the prefilter marks
are searched for obfuscation; JSON Lines encode each verdict once. Each shortcut is checked
against the direct computation on generated input.
"""

from __future__ import annotations

import functools
import io
import os
import re

import orjson
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from report_fixtures import findings

from linkguard.deobfuscate import shadow_positions
from linkguard.extract import candidates
from linkguard.inputs import plaintext
from linkguard.inputs.decoding import ERRORS
from linkguard.inputs.plaintext import read_bytes
from linkguard.models import Finding, ScanStats, Verdict
from linkguard.normalize import normalize
from linkguard.prefilter import LinePrefilter
from linkguard.report.jsonl import RISKY_UTF8, FindingEncoder, JsonlReporter, dumps_bytes
from linkguard.rules import RuleSet, load_rules
from linkguard.scan import Scanner

PIECE_LIST = [
    *"aZ09.-_/:@#?()[]{}<>' \t",
    *("\n", "\n", "\n", "://", "https://", "hxxp://", "[.]", "(dot)", "www.", ".de", ".ltd", "t.co/Ab3"),
    *("z.B.", "12.30", "welt", "spiegel", "xn--mnchen-3ya", ".𝐝𝐞", "𝐰𝐞𝐥𝐭", "ｗｅｌｔ", "。", "\u200b"),
    *("\u00ad", "\u202e", "ä", "д", "日", "🔥", "„", "…", "\ufffd", "[Die Welt", "](https://"),
    # every kind of character the prefilter must mark, by its UTF-8 bytes, and ASCII defanging
    *("🄰", "①", "\u3164", "\u2060", "\u180e", "\u17b4", "\u115f", "\u061c", "\u034f", "\ufe0f"),
    *("\\.", "*xp", "XxP", "[:]", "{d", "(D"),
    # dot obfuscation: spaced dot words and symbols for the dot
    *(" . ", " dot ", " DoT ", " [.] ", "•", "·", "🔹", "⸱", "∙", "ltd", "de"),
    # scheme separators as browsers also read them, and a backslash ending the authority
    *(":/", ":\\", "https:\\\\", "https:/", "\\@", "%2e", "@"),
    # dotted prose the line selection drops, and what is close to it but may be a link
    *("St.Pauli", "Ende.Die", "Dr.Müller", "o.ä.", "Prof.Dr.Schmidt", "ZDF.Shop", "x.Deä", ".De", ".Com"),
    *(".In", ".Pauli", ".M", ".ä", "Shop", "ZDF", "-", "_", ",", ")", "!", '"', ".", "..", "ab.Cd."),
]
PIECES = st.sampled_from(PIECE_LIST)
DUMPS = st.lists(PIECES, max_size=120).map("".join)


@functools.cache
def _rules() -> RuleSet:
    return load_rules()


def _expected(text: str, scanner: Scanner) -> list[tuple[int, int, str, str, str | None, str]]:
    """Line by line, the direct way: every line given whole to the extractor."""
    out = []
    for number, line in enumerate(text.split("\n"), 1):
        for cand in candidates(line, known_labels=scanner.known_labels):
            link = normalize(cand)
            if link is not None:
                verdict = scanner.detector.classify(link)
                out.append((number, cand.start + 1, link.text, link.url, link.display, verdict.status))
    return out


SELECTIONS = {"c": plaintext._select_lines_c, "python": plaintext._select_lines_py}


@pytest.mark.parametrize("selection", [name for name, impl in SELECTIONS.items() if impl is not None])
@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(text=DUMPS, block=st.sampled_from([16, 64, 4096]))
def test_block_records_find_what_lines_do(selection: str, text: str, block: int) -> None:
    scanner = Scanner(_rules())
    data = text.encode("utf-8")
    records = read_bytes(io.BytesIO(data), "dump.txt", block_bytes=block, select=SELECTIONS[selection])
    got = [
        (f.line, f.column, f.link.text, f.link.url, f.link.display, f.verdict.status)
        for f in scanner.scan_records(records)
    ]
    assert got == _expected(text, scanner)
    assert scanner.stats.records == text.count("\n") + (0 if text.endswith("\n") or not text else 1)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(text=DUMPS)
def test_prefilter_keeps_every_line_with_a_link_and_marks_obfuscation(text: str) -> None:
    data = text.encode("utf-8")
    kept = {
        data[start:end].decode("utf-8"): obfuscated for start, end, obfuscated in LinePrefilter().lines(data)
    }
    for line in text.split("\n"):
        if candidates(line):
            assert line in kept, line
        if shadow_positions(line):
            assert kept.get(line), line


BYTES = st.lists(
    st.sampled_from([piece.encode() for piece in PIECE_LIST]) | st.binary(max_size=4),
    max_size=80,
).map(b"".join)


def test_the_c_line_selection_is_built_under_ci() -> None:
    if os.environ.get("CI") and plaintext._select_lines_c is None:
        pytest.fail("linkguard._blocks was not built (no C compiler?); scans run the slower Python path")


@pytest.mark.skipif(plaintext._select_lines_c is None, reason="linkguard._blocks is not built")
@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(block=BYTES)
def test_c_and_python_line_selection_agree(block: bytes) -> None:
    # invalid UTF-8 included: both decode with the same counting error handler
    assert plaintext._select_lines_c is not None
    assert plaintext._select_lines_c(block, ERRORS) == plaintext._select_lines_py(block, ERRORS)


@pytest.mark.skipif(plaintext._count_newlines_c is None, reason="linkguard._blocks is not built")
@given(st.binary(max_size=3000), st.integers(min_value=0, max_value=70_000))
@settings(max_examples=50, deadline=None)
def test_c_and_python_newline_counts_agree(data: bytes, newlines: int) -> None:
    assert plaintext._count_newlines_c is not None
    long = data + b"\n" * newlines + data  # past the C loop's 64 KiB slices
    for sample in (data, long, bytearray(long)):
        assert plaintext._count_newlines_c(sample) == bytes(sample).count(b"\n")


@pytest.mark.parametrize(
    "line",
    ["Dr.Müller", "o.ä.", "St.Pauli", "Ende.Die.", "(Prof.Dr.Schmidt)", "laut St.Pauli, Ende.Die! Dr.Müller"],
)
def test_dotted_prose_is_not_selected(line: str) -> None:
    data = f"{line}\nwelt.ltd\n".encode()
    assert LinePrefilter().lines(data) == [(len(line.encode()) + 1, len(data) - 1, False)]
    if plaintext._select_lines_c is not None:
        assert plaintext._select_lines_c(data, ERRORS) == ("welt.ltd", (), 1, False, 2)


@pytest.mark.parametrize(
    "line",
    ["ZDF.Shop", "x.Deä", "St.Pauli/x", "St.Pauli:80", "St.Pauli.de", "ab.Pauli.xy", "Ende.Die.x", "Ünd.Die"],
)
def test_dotted_words_that_may_be_links_are_selected(line: str) -> None:
    data = line.encode()
    assert LinePrefilter().lines(data) == [(0, len(data), False)]
    if plaintext._select_lines_c is not None:
        assert plaintext._select_lines_c(data, ERRORS)[0] == line


def test_a_hint_does_not_hide_an_invisible_character_from_the_re_engine() -> None:
    # ".a" + soft hyphen: a regex that consumed ".a\xc2" as the hint would miss the soft hyphen
    data = "x.a\u00adde und mehr".encode()
    assert LinePrefilter().lines(data) == [(0, len(data), True)]
    # "https:\\" is a hint as browsers read it; it must not swallow the defanging "\\." after it
    data = b"https:\\.welt"
    assert LinePrefilter().lines(data) == [(0, len(data), True)]


def test_finding_encoder_is_dumps_of_to_dict() -> None:
    encode = FindingEncoder().encode
    sample = [finding for finding, _ in findings()]
    # a verdict the investigator replaced is a new object with the same status
    first = sample[0]
    replaced = Verdict(first.verdict.status, 99, first.verdict.impersonates, ("page-clone",), ())
    sample.append(Finding(first.link, replaced, first.source, first.line, first.column))
    for finding in sample + sample:  # the second round is served from the memo
        assert encode(finding) == dumps_bytes(finding.to_dict())


def test_risky_characters_are_matched_by_their_utf8_bytes() -> None:
    risky = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]")
    for cp in [*range(0x3000), *range(0xFE00, 0x10000), *range(0x1F000, 0x1F700)]:
        ch = chr(cp)
        if 0xD800 <= cp < 0xE000:
            continue
        data = f"a{ch}b".encode()
        assert bool(RISKY_UTF8.search(data)) == bool(risky.match(ch)), hex(cp)


@given(st.lists(st.text(), max_size=4))
@example(["a\x7fb", "plain"])
@example(["\u2028", "é"])
def test_dumps_bytes_escapes_as_the_pattern_over_the_whole_line(values: list[str]) -> None:
    """The ASCII shortcut (no DEL, no multi-byte character) gives what the escaping pattern
    run over every line would: DEL is escaped, other ASCII passes as it is."""
    data = orjson.dumps(values)
    assert dumps_bytes(values) == RISKY_UTF8.sub(lambda m: b"\\u%04x" % ord(m.group().decode()), data)
    assert (b"\x7f" in dumps_bytes(values)) is False


@pytest.mark.parametrize("line_buffering", [False, True])
def test_jsonl_writes_the_same_through_bytes_and_text(line_buffering: bool) -> None:
    sample = [finding for finding, _ in findings()]
    as_text = io.StringIO()  # no bytes underneath: written as text
    raw = io.BytesIO()
    as_file = io.TextIOWrapper(raw, encoding="utf-8", line_buffering=line_buffering)
    as_file.write("")  # nothing pending, but the writer must flush first anyway
    for out in (as_text, as_file):
        writer = JsonlReporter(out, show_all=True)
        for finding in sample:
            writer.add(finding)
        writer.close(ScanStats())
    assert raw.getvalue().decode("utf-8") == as_text.getvalue()
    assert as_text.getvalue().count("\n") == len(sample)


def test_a_markdown_label_does_not_reach_back_into_the_previous_line() -> None:
    # lines are scanned together in one record; the label of "](url)" must still be on its line
    data = b"[Die Welt\n](https://welt.ltd/x) und [Der Spiegel](https://spiegel.agency/y)\n"
    found = list(Scanner(_rules()).scan_records(read_bytes(io.BytesIO(data), "dump.md")))
    assert [(f.line, f.link.host, f.link.display) for f in found] == [
        (2, "welt.ltd", None),
        (2, "spiegel.agency", "Der Spiegel"),
    ]
