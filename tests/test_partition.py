"""A scan cut into units (linkguard.partition) finds what one sequential scan finds, byte for byte.

Files are generated (seeded) a few MB large with units of a few hundred KB, so each is cut into
many ranges; the awkward parts sit where the cuts fall: invalid UTF-8, CRLF and lone CR line
ends, a byte-order mark, a line longer than a read block, no newline at the end.
"""

from __future__ import annotations

import bz2
import dataclasses
import functools
import json
import random
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from linkguard.limits import MAX_LINE_CHARS, READ_BLOCK_BYTES
from linkguard.lookalike import Detector
from linkguard.models import Finding, ScanStats, Skipped
from linkguard.partition import Totals, Unit, UnitCounts, _line_ends, merge_counts, plan, scan_unit
from linkguard.rules import load_rules
from linkguard.scan import Scanner

UNIT = 256 << 10
PROSE = "die der und z.B. Dr.Müller 3.5 12.30 Uhr ä … 🔥 e.g.".split() + "Krieg Regierung nicht".split() * 10
LINKS = "welt.ltd https://www.welt.de/a hxxps://faz[.]news/x t.co/AbC12 𝐰𝐞𝐥𝐭.𝐥𝐭𝐝 spiegel.agency/1".split()
#: Mostly prose, a link in one word of 40: a scan of a few MB stays quick.
WORDS = PROSE * 20 + LINKS


@functools.cache
def _detector() -> Detector:
    return Detector(load_rules())


def _rows(f: list[Finding]) -> list[tuple[object, ...]]:
    return [(*dataclasses.astuple(x), x.context) for x in f]


def _sequential(path: Path) -> tuple[list[Finding], ScanStats]:
    scanner = Scanner(detector=_detector())
    return list(scanner.scan_paths([path])), scanner.stats


def _by_units(paths: list[Path], unit_bytes: int = UNIT) -> tuple[list[Finding], ScanStats, list[Unit]]:
    scanner, totals, out, units = Scanner(detector=_detector()), Totals(), [], []
    for unit in plan(paths, unit_bytes=unit_bytes):
        if isinstance(unit, Skipped):
            totals.add(UnitCounts(skipped=[unit]))
            continue
        units.append(unit)
        result = scan_unit(scanner, unit)
        out += result.findings
        totals.add(result.counts)
    return out, totals.stats, units


def _prose(rng: random.Random, size: int, newline: bytes = b"\n") -> bytes:
    lines = []
    total = 0
    while total < size:
        line = " ".join(rng.choice(WORDS) for _ in range(rng.randint(0, 30))).encode() + newline
        lines.append(line)
        total += len(line)
    return b"".join(lines)


def _assert_same(path: Path) -> list[Unit]:
    seq, seq_stats = _sequential(path)
    par, par_stats, units = _by_units([path])
    assert _rows(par) == _rows(seq)
    assert par_stats == seq_stats
    return units


def test_a_text_file_cut_into_ranges_scans_as_one(tmp_path: Path) -> None:
    rng = random.Random(1)
    path = tmp_path / "dump.txt"
    data = b"\xef\xbb\xbf" + _prose(rng, 1 << 20) + b"bad \xff\xfe bytes welt.ltd\r\n" + _prose(rng, 1 << 20)
    data += _prose(rng, 600 << 10, b"\r\n") + b"ends without newline welt.ltd"
    path.write_bytes(data)
    units = _assert_same(path)
    assert len(units) > 2 and all(u.kind == "text" for u in units)
    assert sum(u.size for u in units) == len(data)


def test_a_line_longer_than_a_read_block_is_cut_as_a_sequential_scan_cuts_it(tmp_path: Path) -> None:
    rng = random.Random(2)
    long_line = _prose(rng, 2 * MAX_LINE_CHARS + (500 << 10), b" ")
    assert len(long_line) > READ_BLOCK_BYTES
    path = tmp_path / "long.txt"
    path.write_bytes(_prose(rng, 600 << 10) + long_line + b"\n" + _prose(rng, 600 << 10))
    units = _assert_same(path)
    assert any(u.column > 1 for u in units)  # a range starts inside the long line


@pytest.mark.parametrize("block_bytes", [7, 64, 1000, READ_BLOCK_BYTES])
def test_planning_finds_the_blocks_a_whole_file_read_cuts(block_bytes: int) -> None:
    import io

    from linkguard.inputs.plaintext import iter_blocks
    from linkguard.partition import block_starts

    rng = random.Random(block_bytes)
    pieces = [_prose(rng, 3000), "ü".encode() * 700, b"\n\n", _prose(rng, 2000, b"\r\n"), b"x" * 5000]
    if block_bytes == READ_BLOCK_BYTES:  # lines longer than MAX_LINE_CHARS: cut at whitespace, or not
        pieces += [b"\n", b"y" * (MAX_LINE_CHARS + 5), b" z" * MAX_LINE_CHARS, "é".encode() * MAX_LINE_CHARS]
    data = b"".join(pieces) + b"no newline at the end"
    for first_read in (None, 3, 50):
        expected, offset = [], 0
        for block, line, column, _last, carry in iter_blocks(
            io.BytesIO(data), block_bytes=block_bytes, first_read=first_read
        ):
            expected.append((offset, line, column, carry))
            offset += len(block)
        got = list(block_starts(io.BytesIO(data), block_bytes=block_bytes, first_read=first_read))
        assert got == expected and len(got) > 3


def test_a_jsonl_file_cut_into_ranges_scans_as_one(tmp_path: Path) -> None:
    rng = random.Random(3)
    out = [b"\xef\xbb\xbf"]
    for i in range(8_000):
        text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(0, 20)))
        line = json.dumps({"id": i, "text": text}, ensure_ascii=False).encode()
        if i % 997 == 5:
            line = line[:-2]  # malformed: scanned as text and counted
        if i % 1999 == 7:
            line = line.replace(b'"text"', b'"te\xffxt"')  # invalid UTF-8
        out.append(line + (b"\r\n" if i % 3 else b"\n") + (b"\r" if i % 5000 == 1 else b""))
    path = tmp_path / "posts.jsonl"
    path.write_bytes(b"".join(out))
    units = _assert_same(path)
    assert len(units) > 2 and all(u.kind == "jsonl" for u in units)
    assert units[0].encoding == "utf-8-sig" and units[1].encoding == "utf-8"


@given(st.binary().map(lambda b: bytes(b"\r\nx"[c % 3] for c in b)), st.booleans())
def test_line_ends_are_counted_as_universal_newlines_read_them(data: bytes, after_cr: bool) -> None:
    """The planner's count (the newlines in C, ``\\r`` only where there is one) is the number of
    ``\\r\\n``, ``\\r`` and ``\\n`` a text read sees, a ``\\n`` right after a counted ``\\r`` not again."""
    before = b"\r" if after_cr else b""
    assert _line_ends(data, after_cr) == len(re.findall(rb"\r\n|\r|\n", before + data)) - after_cr


def test_small_compressed_and_unreadable_inputs_are_whole_units(tmp_path: Path) -> None:
    rng = random.Random(4)
    big = _prose(rng, 2 * UNIT + 1000)
    (tmp_path / "a.txt").write_bytes(b"welt.ltd\n")
    (tmp_path / "b.txt.bz2").write_bytes(bz2.compress(big))
    (tmp_path / "c.txt").write_bytes(big)
    (tmp_path / "d.html").write_bytes(b"<html><p>Nr.1 <a href='https://welt.ltd/'>x</a></p></html>" * 3_000)
    (tmp_path / "e.txt").symlink_to(tmp_path / "missing")
    seq_scanner = Scanner(detector=_detector())
    seq = list(seq_scanner.scan_paths([tmp_path]))
    par, stats, units = _by_units([tmp_path])
    assert _rows(par) == _rows(seq)
    assert stats == seq_scanner.stats
    kinds = [(Path(u.path).name, u.kind) for u in units]
    assert kinds[:2] == [("a.txt", "whole"), ("b.txt.bz2", "whole")]
    assert ("c.txt", "text") in kinds and ("d.html", "whole") in kinds
    assert stats.unread == 1  # the dangling symlink, named in its place


def test_merging_counts_is_associative_and_sums_a_files_repairs() -> None:
    def note(n: str) -> Skipped:
        return Skipped("f", "invalid-utf-8-replaced", n, kept=True)

    a = UnitCounts(sources=1, records=3, open_repairs={"f": 2})
    b = UnitCounts(records=4, open_repairs={"f": 1}, skipped=[Skipped("g", "binary")])
    c = UnitCounts(records=5, skipped=[note("4")])
    left, right = merge_counts(merge_counts(a, b), c), merge_counts(a, merge_counts(b, c))
    assert left == right
    assert left.records == 12 and left.open_repairs == {}
    assert [s.detail for s in left.skipped] == ["", "7"]
    totals = Totals()
    totals.add(left)
    assert totals.stats.messages == [
        "g: skipped (binary)",
        "f: repaired (invalid-utf-8-replaced): 7 invalid byte sequence(s) replaced",
    ]
    # a file whose ranges replaced nothing gets no note
    totals = Totals()
    totals.add(UnitCounts(skipped=[note("0")]))
    assert totals.stats.messages == []


@pytest.mark.parametrize("name", ["-"])
def test_stdin_is_a_unit_only_the_planning_process_reads(name: str) -> None:
    (unit,) = plan([name])
    assert isinstance(unit, Unit) and unit.local and unit.kind == "whole"


def test_the_last_ranges_of_a_file_shrink_so_that_no_worker_waits_long_at_the_end(tmp_path: Path) -> None:
    from linkguard.limits import TAIL_SHRINK

    rng = random.Random(4)
    lines = (
        json.dumps({"id": i, "text": " ".join(rng.choice(WORDS) for _ in range(12))}) for i in range(40_000)
    )
    path = tmp_path / "posts.jsonl"
    path.write_text("\n".join(lines) + "\n")
    units = [u for u in plan([path], unit_bytes=UNIT) if isinstance(u, Unit)]
    sizes = [u.size for u in units]
    assert sum(sizes) == path.stat().st_size
    assert min(sizes[: len(sizes) // 2]) >= UNIT  # full ranges first
    assert UNIT // TAIL_SHRINK <= sizes[-2] < UNIT // 2  # small ones at the end
    first_small = next(i for i, size in enumerate(sizes) if size < UNIT)
    assert all(size < UNIT for size in sizes[first_small:])  # and only there
