"""The shortcuts that make structured input fast give exactly what the plain way gives.

Where JSON string literals open is found in C (``linkguard._blocks.literal_starts``) or with
``str`` methods; JSON Lines are parsed with orjson, and with ``json`` where orjson refuses a
line ``json`` reads. Each is checked against the plain computation.
"""

from __future__ import annotations

import json
import os
import string
from pathlib import Path

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from linkguard import scan
from linkguard.cli import main
from linkguard.extract import candidates
from linkguard.inputs import jsondump, jsontree
from linkguard.inputs.decoding import text_stream
from linkguard.models import Record
from linkguard.normalize import normalize, parse_link

#: JSON values whose strings hold what makes literals hard to find: quotes, backslash runs,
#: escapes, characters outside ASCII (Latin-1, two bytes and four bytes a character in ``str``).
PIECES = ['"', "\\", "\\\\", "a", "/", "é", "…", "😀", "\n", " ", "u"]
STRINGS = st.lists(st.sampled_from(PIECES), max_size=12).map("".join)
NUMBERS = st.integers() | st.integers(-(10**25), 10**25) | st.floats(allow_nan=False, allow_infinity=False)
VALUES = st.recursive(
    st.none() | st.booleans() | NUMBERS | STRINGS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(STRINGS, inner, max_size=4),
    max_leaves=12,
)


def _count(value: object) -> int:
    if isinstance(value, str):
        return 1
    if isinstance(value, dict):
        return sum(1 + _count(item) for item in value.values())
    if isinstance(value, list):
        return sum(_count(item) for item in value)
    return 0


def _wide(value: object) -> bool:
    """A number written with a run of 20 digits, or with a minus and 19: an integer that may not
    fit 64 bits, or a float whose digits the scan cannot tell from one (0.00016060344223684975)."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int | float):
        digits = json.dumps(value).lstrip("-").replace(".", " ").replace("e", " ").split()
        return any(len(run) >= (19 if value < 0 and i == 0 else 20) for i, run in enumerate(digits))
    if isinstance(value, dict):
        return any(_wide(item) for item in value.values())
    if isinstance(value, list):
        return any(_wide(item) for item in value)
    return False


def test_the_c_literal_search_is_built_under_ci() -> None:
    if os.environ.get("CI") and jsontree.literal_starts is jsontree._literal_starts_py:
        pytest.fail("linkguard._blocks was not built (no C compiler?); JSON runs the slower Python path")


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(value=VALUES, ascii_only=st.booleans(), indent=st.sampled_from([None, 2]), pad=st.integers(0, 3))
def test_literal_starts_in_c_and_python_agree_and_open_every_literal(
    value: object, ascii_only: bool, indent: int | None, pad: int
) -> None:
    body = json.dumps(value, ensure_ascii=ascii_only, indent=indent)
    raw = "é" * pad + body + '"x"'  # the window is part of a larger text
    start, end = pad, pad + len(body)
    starts, wide, brackets = jsontree.literal_starts(raw, start, end)
    assert (starts, wide, brackets) == jsontree._literal_starts_py(raw, start, end)
    assert len(starts) == _count(value)
    for at in starts:  # each is an opening quote from which json reads one string
        assert raw[at] == '"'
        assert isinstance(json.JSONDecoder().raw_decode(raw, at)[0], str)
    assert wide == _wide(value)
    assert brackets == body.count("[") + body.count("{") - sum(
        s.count("[") + s.count("{") for s in _strings(value)
    )
    # where the scan says orjson may read the line, it reads what json reads
    assert jsondump._loads(body, wide, brackets) == json.loads(body)
    if not wide:
        assert orjson.loads(body) == json.loads(body)


@pytest.mark.parametrize("filler", ["a", "é", "…", "😀"])  # one, two and four bytes a character
@pytest.mark.parametrize("stop", ['"', '\\"', "\\\\", '\\\\\\"'])
def test_a_literal_is_passed_to_its_closing_quote_at_any_offset(filler: str, stop: str) -> None:
    """A literal's plain runs are passed several characters at a time: a quote or backslash is
    seen wherever it falls, in literal_starts and in array_spans, as the Python twins see it."""
    for at in range(24):
        literal = json.dumps(filler * at + stop + filler * (24 - at), ensure_ascii=False)
        raw = f'[{{"a": {literal}, "b": "{filler}"}}, [{literal}]]'
        assert jsontree.literal_starts(raw, 0, len(raw)) == jsontree._literal_starts_py(raw, 0, len(raw))
        assert jsondump.array_spans(raw, 1, True, True, 4) == jsondump._array_spans_py(raw, 1, True, True, 4)
        assert len(jsondump.array_spans(raw, 1, True, True, 4)) == 2


@settings(max_examples=300, deadline=None)
@given(
    text=st.lists(st.sampled_from(["\n", "a", "é", "…", "😀", "\r", " " * 20]), max_size=60).map("".join),
    start=st.integers(-70, 70),
    end=st.integers(-70, 70),
)
def test_newlines_in_c_and_python_agree(text: str, start: int, end: int) -> None:
    """The lines of a document's records are counted in C (``jsontree.newlines``) as str.count
    counts them, for every width of text and every slice."""
    assert jsontree.newlines(text, start, end) == jsontree._newlines_py(text, start, end)
    assert jsontree.newlines(text * 40, 3, -3) == jsontree._newlines_py(text * 40, 3, -3)


def _strings(value: object) -> list[str]:
    """The text of every literal, escaped as json.dumps writes it (keys included)."""
    if isinstance(value, str):
        return [json.dumps(value)]
    if isinstance(value, dict):
        return [json.dumps(k) for k in value] + [s for item in value.values() for s in _strings(item)]
    if isinstance(value, list):
        return [s for item in value for s in _strings(item)]
    return []


def test_json_lines_orjson_cannot_read_as_json_does_scan_as_before(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # a message id wider than 64 bits (orjson would make it a float), NaN and 1e400 (orjson refuses
    # both), a plain line, and one too deep for json: each is read as json reads it
    lines = [
        '{"id": 123456789012345678901234, "type": "message", "text": "welt.ltd/a", "text_entities": []}',
        '{"id": -1234567890123456789, "type": "message", "text": "welt.ltd/b", "text_entities": []}',
        '{"id": 5, "score": NaN, "text": "spiegel.ltd/c", "text_entities": []}',
        '{"id": 6, "size": 1e400, "text": "faz.ltd/d", "text_entities": []}',
        '{"id": 7, "text": "bild.ltd/e", "text_entities": []}',
        "[" * 1020 + "]" * 1020,  # within orjson's depth limit, beyond json's
    ]
    path = tmp_path / "chat.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    summary = tmp_path / "summary.json"
    code = main(["scan", str(path), "--format", "jsonl", "--all", "--jobs", "1", "--summary", str(summary)])
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.strip()]
    assert code == 1
    assert [(r["post"]["id"], r["url"]) for r in rows] == [
        ("123456789012345678901234", "http://welt.ltd/a"),
        ("-1234567890123456789", "http://welt.ltd/b"),
        ("5", "http://spiegel.ltd/c"),
        ("6", "http://faz.ltd/d"),
        ("7", "http://bild.ltd/e"),
    ]
    repaired = json.loads(summary.read_text())["repaired"]
    try:  # json's own depth limit depends on the Python: 3.11 refuses this line, 3.12+ reads it
        json.loads(lines[-1])
        as_json_says = {}
    except RecursionError:
        as_json_says = {"malformed-json-line-scanned-as-text": 1}
    assert repaired == as_json_says  # the deep line, as json says


@settings(max_examples=200, deadline=None)
@given(
    slug=st.text(alphabet=string.ascii_letters + string.digits, min_size=1, max_size=12),
    scheme=st.sampled_from(["http", "https"]),
    before=st.sampled_from(["", "Lest das ", "Krieg\n", "a b "]),
    after=st.sampled_from(["", " mehr", "\nx", " #Ukraine"]),
)
def test_a_tco_the_export_resolved_reads_the_same_in_the_posts_text(
    slug: str, scheme: str, before: str, after: str
) -> None:
    # what lets the scan skip a tweet's text whose only link is a t.co already reported
    url = f"{scheme}://t.co/{slug}"
    text = before + url + after
    links = [link for link in map(normalize, candidates(text)) if link is not None]
    shown = parse_link(url)
    assert shown is not None
    assert [scan._same_link(link.url) for link in links] == [scan._same_link(shown.url)]
    assert scan._only_shown(text, [url])
    assert not scan._only_shown(text + " welt.ltd", [url])
    assert not scan._only_shown(f"x{url}", [url])


def test_a_tweets_other_tco_links_are_still_reported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def item(short: str, expanded: str) -> dict[str, str]:
        return {"url": short, "expanded_url": expanded, "display_url": expanded[:20]}

    tweets = [
        {  # a t.co whose expanded_url is no link: the t.co itself is reported
            "id_str": "1",
            "full_text": "Lest https://t.co/aaaaaaaaaa",
            "entities": {"urls": [item("https://t.co/aaaaaaaaaa", "nicht verfügbar")]},
        },
        {  # two t.co to one destination: the second t.co, shown in the text, is reported too
            "id_str": "2",
            "full_text": "https://t.co/bbbbbbbbbb und https://t.co/cccccccccc",
            "entities": {
                "urls": [
                    item("https://t.co/bbbbbbbbbb", "https://welt.ltd/x"),
                    item("https://t.co/cccccccccc", "https://welt.ltd/x"),
                ]
            },
        },
        {  # its resolved t.co, and a link the text names besides
            "id_str": "3",
            "full_text": "https://t.co/dddddddddd spiegel.ltd",
            "entities": {"urls": [item("https://t.co/dddddddddd", "https://welt.ltd/y")]},
        },
    ]
    path = tmp_path / "tweets.js"
    path.write_text("window.YTD.tweets.part0 = " + json.dumps([{"tweet": t} for t in tweets], indent=2))
    assert main(["scan", str(path), "--format", "jsonl", "--all", "--jobs", "1"]) == 1
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.strip()]
    assert [(r["post"]["id"], r["url"], r["via"]) for r in rows] == [
        ("1", "https://t.co/aaaaaaaaaa", []),
        ("2", "https://welt.ltd/x", ["https://t.co/bbbbbbbbbb"]),
        ("2", "https://t.co/cccccccccc", []),
        ("3", "https://welt.ltd/y", ["https://t.co/dddddddddd"]),
        ("3", "http://spiegel.ltd/", []),
    ]


#: Parsed values as the walk meets them: ``Pairs`` where an object wrote a key twice.
KEYS = st.sampled_from(["a", "b", "text", "id", "~/"]) | STRINGS
PARSED = st.recursive(
    st.none() | st.booleans() | NUMBERS | STRINGS,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(KEYS, inner, max_size=4)
        | st.lists(st.tuples(KEYS, inner), max_size=4).map(jsontree.Pairs)
    ),
    max_leaves=16,
)
OBJECTS = st.dictionaries(KEYS, PARSED, max_size=6) | st.lists(st.tuples(KEYS, PARSED), max_size=6).map(
    jsontree.Pairs
)
KEY_SETS = st.frozensets(st.sampled_from(["a", "b", "text", "id", "~/", ""]), max_size=4)


def _runs(split_run: object, members: object, own: frozenset[str], skip: frozenset[str]) -> object:
    """Every stop of a post's split (each walked member stepped over by its literals) and ``at``."""
    at: jsontree.Places = {}
    stops, cursor, index = [], 0, 3
    while True:
        cursor, index, key, item = split_run(members, cursor, index, ("p",), own, skip, at)  # type: ignore[operator]
        stops.append((index, key, item))
        if key is None:
            return stops, at
        index += jsontree._literals_py(item)


def _has_pairs(value: object) -> bool:
    if isinstance(value, jsontree.Pairs):
        return True
    if isinstance(value, dict):
        return any(_has_pairs(item) for item in value.values())
    return isinstance(value, list) and any(_has_pairs(item) for item in value)


def _repeats_a_key(value: object) -> bool:
    if isinstance(value, jsontree.Pairs):
        keys = [key for key, _ in value]
        return len(set(keys)) < len(keys) or any(_repeats_a_key(item) for _, item in value)
    if isinstance(value, dict):
        return any(_repeats_a_key(item) for item in value.values())
    return isinstance(value, list) and any(_repeats_a_key(item) for item in value)


def test_the_c_walk_helpers_are_built_under_ci() -> None:
    if os.environ.get("CI") and jsontree.split_run is jsontree._split_run_py:
        pytest.fail("linkguard._blocks was not built (no C compiler?); JSON runs the slower Python path")


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(value=PARSED, members=OBJECTS, own=KEY_SETS, skip=KEY_SETS)
def test_literal_counting_and_locating_in_c_and_python_agree(
    value: object, members: object, own: frozenset[str], skip: frozenset[str]
) -> None:
    n = jsontree.literals(value)
    assert n == jsontree._literals_py(value)
    at_c: jsontree.Places = {}
    at_py: jsontree.Places = {}
    assert jsontree.locate(value, ("p",), at_c, 5) == jsontree._locate_py(value, ("p",), at_py, 5) == 5 + n
    assert at_c == at_py
    if not _repeats_a_key(value):  # else the path keeps the last string, as json reads it
        assert list(at_c.values()) == sorted(at_c.values())  # in document order, each string once
    if not _has_pairs(value):  # as JSON: the literals counted
        assert n == _count(value)
    assert _runs(jsontree.split_run, members, own, skip) == _runs(jsontree._split_run_py, members, own, skip)


#: Pieces of a post's one-line text: prose, what starts a link or an obfuscated one, characters
#: of every width, the invisible and look-alike ones the selection looks for, a lone surrogate.
LINE_PIECES = [" ", "Krieg", "St.Pauli", "welt.ltd", ".de", "https://", "t.co/x", "hxxp", "[.]", " dot "]
LINE_PIECES += ["é", "…", "😀", "\u00ad", "\u200b", "\u2024", "\uff0e", "\ud800", "\t", "\r", "<a href=x>"]


@settings(max_examples=400, deadline=None)
@given(text=st.lists(st.sampled_from(LINE_PIECES), max_size=8).map("".join))
def test_whether_a_line_may_hold_a_link_in_c_and_python_agree(text: str) -> None:
    """A string's one line is tested in C without decoding it again, as the selection keeps it."""
    assert jsontree.line_may_link(text) == jsontree._line_may_link_py(text)


def test_a_long_lists_strings_are_located_by_their_index_in_c_as_in_python() -> None:
    """C keeps the first list indices as ready strings and formats the others: both are placed."""
    value = {"a": [["x", i, {"b": "y"}] for i in range(70)]}
    at_c: jsontree.Places = {}
    at_py: jsontree.Places = {}
    assert jsontree.locate(value, ("p",), at_c, 0) == jsontree._locate_py(value, ("p",), at_py, 0)
    assert at_c == at_py and ("p", "a", "69", "2", "b") in at_c


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(value=VALUES, indent=st.sampled_from([None, 2]), cut=st.integers(0, 200), tail=STRINGS)
def test_where_a_value_closes_in_c_and_python_agree(
    value: object, indent: int | None, cut: int, tail: str
) -> None:
    body = json.dumps(value, indent=indent, ensure_ascii=False)
    text = " " + body + tail
    end = jsondump.value_end(text, 1)
    assert end == jsondump._value_end_py(text, 1)
    assert end == (1 + len(body) if body[0] in "[{" else -1)
    short = text[: 1 + cut]  # cut short: closed only if all of it is there
    assert jsondump.value_end(short, 1) == jsondump._value_end_py(short, 1)
    assert jsondump.value_end(short, 1) in (-1, end)


#: Array elements as a window may hold them: values json writes, and what a run must stop at (a
#: scalar, a wide integer, deep or unclosed brackets, a backslash outside a literal, NaN).
SPAN_ELEMENTS = st.one_of(
    st.one_of(st.lists(VALUES, max_size=3), st.dictionaries(STRINGS, VALUES, max_size=3)).map(
        lambda v: json.dumps(v, ensure_ascii=False)
    ),
    VALUES.map(lambda v: json.dumps(v, ensure_ascii=False)),
    st.sampled_from(
        ['{"a": NaN}', '{"a": 12345678901234567890}', "[[[[1]]]]", '{\\"}', '[1, "\\"]', "[1,", '{"a":"]'],
    ),
)
#: What may come between elements: JSON's white space, a comma or not, something else.
SEPARATORS = st.sampled_from([",", ", ", " ,\n  ", ",\r\n\t"] * 3 + ["", " ", ";", ",,"])


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(
    elements=st.lists(st.tuples(SEPARATORS, SPAN_ELEMENTS), max_size=6),
    head=st.sampled_from(["", " ", "é[", "😀 "]),
    first=st.booleans(),
    eof=st.booleans(),
    deep=st.integers(0, 4),
    cut=st.integers(0, 400),
)
def test_array_spans_in_c_and_python_agree_and_are_what_each_value_would_be_read_as(
    elements: list[tuple[str, str]], head: str, first: bool, eof: bool, deep: int, cut: int
) -> None:
    text = head + "".join(sep + element for sep, element in elements)
    text = text[: len(head) + cut]
    at = len(head)
    spans = jsondump.array_spans(text, at, first, eof, deep)
    assert spans == jsondump._array_spans_py(text, at, first, eof, deep)
    for start, stop, count in spans:  # each a value the window holds whole, for orjson as for json
        assert jsondump.value_end(text, start) == stop and (stop < len(text) or eof)
        starts, wide, brackets = jsontree.literal_starts(text, start, stop)
        assert (len(starts), wide) == (count, False) and brackets <= deep


#: Elements of a JSON document (a Telegram-like message list): ones orjson reads as json does, and
#: ones it would not (a 64-bit overflow, NaN, 1e400, a lone surrogate), a key written twice, and
#: brackets and quotes inside strings.
_ELEMENTS = [
    '{"id": 1, "type": "message", "text": "welt.ltd/a ] } [\\" {", "text_entities": []}',
    '{"id": 123456789012345678901234, "type": "message", "text": "welt.ltd/b", "text_entities": []}',
    '{"id": 3, "score": NaN, "type": "message", "text": "spiegel.ltd/c", "text_entities": []}',
    '{"id": 4, "size": 1e400, "type": "message", "text": "faz.ltd/d", "text_entities": []}',
    '{"id": 5, "type": "message", "text": "bild.ltd/e \\ud800", "text_entities": []}',
    '{"id": 6, "type": "message", "text": "zeit.ltd/f", "text": "taz.ltd/g", "text_entities": []}',
    '{"id": 7, "type": "message", "text": "ard.ltd/h\\\\", "text_entities": []}',
]


#: Messages without a link, enough that the first block read does not hold the document: then
#: its messages are read one by one (``jsondump._container``).
_FILLER = [f'{{"id": {1000 + i}, "type": "message", "text": "kein Link {"x" * 80}"}}' for i in range(3000)]


def _document(tmp_path: Path, elements: list[str]) -> Path:
    """A chat with ``elements`` in the first block read and again after it."""
    path = tmp_path / "result.json"
    body = ",\n  ".join([*elements, *_FILLER, *elements])
    path.write_text('{"name": "Kanal", "messages": [\n  ' + body + "\n]}\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("broken", [False, True])
def test_document_elements_read_by_orjson_or_json_give_the_records_json_gives(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, broken: bool
) -> None:
    elements = [*_ELEMENTS, '{"id": 8 "text": "ntv.ltd/i"}'] if broken else _ELEMENTS
    path = _document(tmp_path, elements)

    def read() -> list[object]:
        with path.open("rb") as raw:
            stream = text_stream(raw, "utf-8")  # type: ignore[arg-type]
            return list(jsondump.read_document(stream, "x"))

    fast = read()
    monkeypatch.setattr(jsondump, "value_end", lambda text, start: -1)  # json reads every value
    monkeypatch.setattr(jsondump, "array_spans", lambda *_: [])
    assert fast == read()
    assert any(isinstance(r, Record) and "welt.ltd/a" in r.text for r in fast)


def test_a_document_with_elements_orjson_refuses_scans_as_json_reads_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _document(tmp_path, _ELEMENTS)
    code = main(["scan", str(path), "--format", "jsonl", "--all", "--jobs", "1"])
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.strip()]
    assert code == 1
    expected = [  # as before the fast path
        ("1", "http://welt.ltd/a"),
        ("123456789012345678901234", "http://welt.ltd/b"),
        ("3", "http://spiegel.ltd/c"),
        ("4", "http://faz.ltd/d"),
        ("5", "http://bild.ltd/e"),
        ("6", "http://taz.ltd/g"),  # the text a Telegram message ends with
        ("7", "http://ard.ltd/h/"),  # a browser reads the backslash as a slash
    ]
    n = len(_ELEMENTS) + len(_FILLER)
    assert [(r["post"]["id"], r["url"], r["record"], r["line"]) for r in rows] == [
        *((id_, url, f"/messages/{i}/text", i + 2) for i, (id_, url) in enumerate(expected)),
        *((id_, url, f"/messages/{n + i}/text", n + i + 2) for i, (id_, url) in enumerate(expected)),
    ]
