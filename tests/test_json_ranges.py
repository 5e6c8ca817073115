"""A large JSON array (an X ``tweets.js``, a JSON export) cut into ranges at its elements scans as one.

The boundary finder (``linkguard._blocks.json_boundary``) is checked against ``json.loads`` on
generated arrays with the strings that could fool it (brackets, commas and quotes inside strings,
escaped backslashes before a closing quote); ranges are checked against a sequential scan in this
process, and ``scan --jobs 2`` against ``--jobs 1`` through the CLI, malformed files included
(a range that is not JSON hands the rest of its file to a sequential read).
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import json
import random
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jobs_runs import scan_with_one_and_two_jobs

from linkguard._blocks import json_boundary
from linkguard.limits import JSON_READ_CHARS, JSON_SPLIT_MAX_DEPTH
from linkguard.lookalike import Detector
from linkguard.models import Finding, ScanStats, Skipped
from linkguard.parallel import ParallelScan
from linkguard.partition import JsonRangeMalformed, Totals, Unit, plan, scan_unit
from linkguard.rules import load_rules
from linkguard.scan import Scanner

UNIT = 32 << 10
#: Bytes a JSON file needs for ranges after its first (which holds the first JSON_READ_CHARS chars).
FIRST = JSON_READ_CHARS + (16 << 10)
TRICKY = [
    'a "quoted" ], [ {"x": 1}, word',
    "ends with a backslash \\",
    '\\", "not": "a key',
    "[[[",
    "}}}",
    ",,,",
    "ü 🔥 \u2028 \t tab",
]
LINKS = ["welt.ltd/politik/{n}", "https://www.welt.de/a/{n}", "hxxps://faz[.]news/x{n}", "spiegel.agency/{n}"]


@functools.cache
def _detector() -> Detector:
    return Detector(load_rules())


def _text(rng: random.Random) -> str:
    words = [rng.choice(TRICKY + ["die", "der", "Krieg"] * 4) for _ in range(rng.randint(1, 8))]
    if rng.random() < 0.4:
        words.insert(rng.randrange(len(words)), rng.choice(LINKS).format(n=rng.randint(1, 999)))
    return " ".join(words)


def _tweet(rng: random.Random, i: int) -> dict[str, Any]:
    n = rng.randint(1, 999)
    text = _text(rng)
    tweet: dict[str, Any] = {
        "id_str": str(10**18 + i),
        "created_at": "Mon Jan 01 12:00:00 +0000 2024",
        "full_text": f"{text} https://t.co/Ab{n}",
        "entities": {
            "urls": [
                {
                    "url": f"https://t.co/Ab{n}",
                    "expanded_url": rng.choice(LINKS).format(n=n).replace("hxxps://", "https://"),
                    "display_url": "welt.de/…",
                }
            ],
            "hashtags": [[["nested", [i, None, True]]]],
        },
    }
    return {"tweet": tweet}


def _array(rng: random.Random, size: int, *, indent: int | None, ensure_ascii: bool) -> bytes:
    items, total = [], 0
    while total < size:
        item = _tweet(rng, len(items)) if rng.random() < 0.7 else [_text(rng), {"text": _text(rng)}, 1.5e3]
        items.append(item)
        total += len(json.dumps(item))
    return json.dumps(items, indent=indent, ensure_ascii=ensure_ascii).encode()


def _rows(findings: list[Finding]) -> list[tuple[object, ...]]:
    return [(*dataclasses.astuple(f), f.context) for f in findings]


def _sequential(path: Path) -> tuple[list[Finding], ScanStats]:
    scanner = Scanner(detector=_detector())
    return list(scanner.scan_paths([path])), scanner.stats


def _by_ranges(path: Path) -> tuple[list[Finding], ScanStats, list[Unit], bool]:
    """The ranges scanned one by one, a malformed one replaced by the rest of its file, as
    ``scan --jobs`` does."""
    scanner, totals, out, units = Scanner(detector=_detector()), Totals(), [], []
    abandoned = False
    for unit in plan([path], unit_bytes=UNIT, json_arrays=True):
        assert not isinstance(unit, Skipped)
        if abandoned:
            continue
        units.append(unit)
        try:
            result = scan_unit(scanner, unit)
        except JsonRangeMalformed as exc:
            abandoned = True
            result = scan_unit(scanner, exc.tail())
        out += result.findings
        totals.add(result.counts)
    return out, totals.stats, units, abandoned


def _assert_same(path: Path, *, broken: bool = False) -> list[Unit]:
    seq, seq_stats = _sequential(path)
    par, par_stats, units, abandoned = _by_ranges(path)
    assert _rows(par) == _rows(seq)
    assert par_stats == seq_stats
    assert broken == (abandoned or any(u.kind == "json-tail" for u in units))  # the way out was taken
    return units


# -- the boundary finder ---------------------------------------------------------------------------
_strings = st.text(alphabet=st.sampled_from('ab"\\[]{},: \n\tü🔥\x00\u2028'), max_size=12)
_scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | _strings
_values = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_strings, inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=200, deadline=None)
@given(
    items=st.lists(_values, min_size=1, max_size=8),
    indent=st.sampled_from([None, 0, 2]),
    ensure_ascii=st.booleans(),
    prefix=st.sampled_from(["", "window.YTD.tweets.part0 = ", "\n  "]),
    chunk=st.integers(min_value=1, max_value=64),
)
def test_the_boundaries_are_the_commas_between_elements(
    items: list[Any], indent: int | None, ensure_ascii: bool, prefix: str, chunk: int
) -> None:
    data = (prefix + json.dumps(items, indent=indent, ensure_ascii=ensure_ascii)).encode()
    commas, depth, flags, deepest = [], 0, 0, 0
    for offset in range(0, len(data), chunk):  # in pieces, the state carried over
        piece, pos = data[offset : offset + chunk], 0
        while True:
            at, depth, flags, deep, _passed = json_boundary(piece, pos, depth, flags, 0)
            deepest = max(deepest, deep)
            if at < 0:
                break
            commas.append(offset + at)
            pos = at + 1
    assert (depth, flags) == (0, 0)
    opening, closing = data.index(b"["), data.rindex(b"]")
    cuts = [opening, *commas, closing]
    elements = [json.loads(data[a + 1 : b]) for a, b in itertools.pairwise(cuts)]
    assert elements == items
    assert deepest >= 1


def _json_boundary_py(
    data: bytes, start: int, depth: int, flags: int, want: int
) -> tuple[int, int, int, int, int]:
    """``json_boundary`` byte by byte, as its docstring says (the C version passes runs of bytes
    without a backslash 64 at a time)."""
    in_string, escaped, deepest, commas = flags & 1, flags & 2, depth, 0
    for i in range(max(start, 0), len(data)):
        c = data[i : i + 1]
        if in_string:
            if escaped:
                escaped = 0
            elif c == b"\\":
                escaped = 2
            elif c == b'"':
                in_string = 0
        elif c == b'"':
            in_string = 1
        elif c in (b"[", b"{"):
            depth += 1
            deepest = max(deepest, depth)
        elif c in (b"]", b"}"):
            depth -= 1
        elif c == b"," and depth == 1:
            if i >= want:
                return i, depth, 0, deepest, commas
            commas += 1
    return -1, depth, in_string | escaped, deepest, commas


#: Runs of the bytes that change the state, and long ones that do not (the blocks passed at once).
_PIECES = [*(bytes([c]) for c in b'"\\[]{}, a'), b"\n  ", b"x" * 70, "ü 🔥".encode(), b" " * 40]


@settings(max_examples=300, deadline=None)
@given(
    data=st.lists(st.sampled_from(_PIECES), max_size=120).map(b"".join),
    start=st.integers(min_value=-1, max_value=400),
    depth=st.integers(min_value=-2, max_value=3),
    flags=st.sampled_from([0, 1, 3]),
    want=st.integers(min_value=0, max_value=600),
)
def test_the_boundary_finder_reads_any_bytes_as_byte_by_byte(
    data: bytes, start: int, depth: int, flags: int, want: int
) -> None:
    """Malformed text and every state included: the result and the state carried on are alike."""
    args = (data, start, depth, flags, want)
    assert json_boundary(*args) == _json_boundary_py(*args)


def test_commas_before_the_wanted_offset_are_counted() -> None:
    data = b'[1, "x,]", [2, 3], {"a": [4, 5]}, 6]'
    at, depth, flags, deepest, passed = json_boundary(data, 0, 0, 0, 10)
    assert data[at : at + 1] == b"," and data[at - 6 : at] == b"[2, 3]"
    assert (depth, flags, deepest, passed) == (1, 0, 2, 2)  # the commas after 1 and after "x,]"


# -- ranges against a sequential scan --------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "indent", "head", "ensure_ascii"),
    [
        ("tweets.js", 2, b"\xef\xbb\xbfwindow.YTD.tweets.part0 = ", False),
        ("minified.json", None, b"", False),  # one line: ranges start inside it
        ("ascii.json", 1, b" \r\n", True),
    ],
)
def test_a_json_array_cut_into_ranges_scans_as_one(
    tmp_path: Path, name: str, indent: int | None, head: bytes, ensure_ascii: bool
) -> None:
    path = tmp_path / name
    data = head + _array(random.Random(name), FIRST + 5 * UNIT, indent=indent, ensure_ascii=ensure_ascii)
    if indent == 1:
        data = data.replace(b"\n", b"\r\n") + b"\r\n"
    data = data.replace(b"Krieg", b"Kr\xffieg")  # invalid UTF-8: replaced, counted, in columns
    path.write_bytes(data)
    units = _assert_same(path)
    assert len(units) > 3 and all(u.kind == "json" for u in units)
    assert units[1].index > 0 and units[-1].last and units[0].first
    if indent is None:
        assert units[1].line == 1 and units[1].column > 1


@pytest.mark.parametrize(
    "fault",
    [
        b'{"text": "welt.ltd/a" "missing comma"}',  # malformed in the middle
        b'{"text": "an unterminated string',  # the array never closes
        b"]",  # the array closes early, more text after it
        b"[" * (JSON_SPLIT_MAX_DEPTH + 5) + b"]" * (JSON_SPLIT_MAX_DEPTH + 5),  # deeper than is split
    ],
)
def test_a_json_array_with_a_fault_scans_as_a_sequential_scan_does(tmp_path: Path, fault: bytes) -> None:
    rng = random.Random(7)
    first = _array(rng, FIRST + 3 * UNIT, indent=2, ensure_ascii=False)
    path = tmp_path / "broken.json"
    data = first[:-1] + b", " + fault + b", " + _array(rng, 2 * UNIT, indent=2, ensure_ascii=False)[1:]
    path.write_bytes(data.replace(b"Krieg", b"Kr\xffieg"))  # ranges before the fault count repairs too
    units = _assert_same(path, broken=True)
    assert any(u.kind == "json" for u in units)


def test_a_fault_in_the_first_block_scans_the_whole_document_as_text_as_a_sequential_scan_does(
    tmp_path: Path,
) -> None:
    rng = random.Random(11)
    head, rest = (_array(rng, n, indent=2, ensure_ascii=False) for n in (UNIT, FIRST + 2 * UNIT))
    path = tmp_path / "broken.json"
    path.write_bytes(head[:-1] + b', {"a": tru}, ' + rest[1:])
    _assert_same(path, broken=True)


def test_text_after_the_array_scans_as_a_sequential_scan_does(tmp_path: Path) -> None:
    path = tmp_path / "tweets.js"
    data = b"window.YTD.tweets.part0 = " + _array(
        random.Random(8), FIRST + 4 * UNIT, indent=2, ensure_ascii=False
    )
    path.write_bytes(data + b";\nwelt.ltd/after-the-array\n")
    units = _assert_same(path, broken=True)
    assert len(units) > 2


def test_a_json_object_is_one_unit_and_so_is_an_array_unless_asked(tmp_path: Path) -> None:
    messages = [{"text": f"welt.ltd/{i}"} for i in range(30_000)]
    (tmp_path / "export.json").write_text(json.dumps({"messages": messages}))
    (tmp_path / "array.json").write_text(json.dumps(messages))
    assert [u.kind for u in plan([tmp_path / "export.json"], unit_bytes=UNIT, json_arrays=True)] == ["whole"]
    assert [u.kind for u in plan([tmp_path / "array.json"], unit_bytes=UNIT)] == ["whole"]  # Dask's plan


# -- through the CLI -------------------------------------------------------------------------------
def _both(*args: str | Path, tmp_path: Path) -> tuple[bytes, bytes]:
    one, two, _ = scan_with_one_and_two_jobs(*args, unit_bytes=UNIT, tmp_path=tmp_path)
    return one, two


def test_jobs_write_the_same_for_a_tweets_js(tmp_path: Path) -> None:
    path = tmp_path / "tweets.js"
    path.write_bytes(
        b"window.YTD.tweets.part0 = "
        + _array(random.Random(9), FIRST + 6 * UNIT, indent=2, ensure_ascii=False)
    )
    run = ParallelScan([path], jobs=2, unit_bytes=UNIT)
    assert run.parallel and {u.kind for t in run._ahead if isinstance(t, list) for u in t} == {"json"}
    one, two = _both(path, "--all", "--format", "jsonl", tmp_path=tmp_path)
    assert two == one and one.count(b"\n") > 100


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])  # workers write the lines; or this process does
def test_jobs_write_the_same_for_a_malformed_json_array(tmp_path: Path, fmt: str) -> None:
    rng = random.Random(10)
    path = tmp_path / "broken.json"
    first, rest = (_array(rng, n, indent=2, ensure_ascii=False) for n in (FIRST + 3 * UNIT, 3 * UNIT))
    path.write_bytes(first[:-1] + b', {"text": "welt.ltd/x" "no comma"}, ' + rest[1:])
    one, two = _both(path, "--all", "--format", fmt, tmp_path=tmp_path)
    assert two == one and b"welt.ltd" in one
