"""Planning by work (``scan --jobs``): a dense text (a list of domains) is cut into ranges as
small as its work asks for, each finding what a sequential scan finds, byte for byte.

The names are invented: lookalikes of bundled outlets' names and random ones, one per line.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import random
import string
import subprocess
import sys
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jobs_runs import scan_with_one_and_two_jobs

from linkguard.limits import DENSE_MIN_UNIT_BYTES, MAX_LINE_CHARS, READ_BLOCK_BYTES, UNIT_BYTES
from linkguard.lookalike import Detector
from linkguard.models import Finding, ScanStats, Skipped
from linkguard.parallel import ParallelScan, _tasks
from linkguard.partition import Totals, Unit, _lines_unit, plan, scan_unit
from linkguard.rules import load_rules
from linkguard.scan import Scanner
from linkguard.workload import MAX_WEIGHT, weight

UNIT = 1 << 20
SUFFIXES = ["com", "de", "ltd", "news", "info", "net", "org", "co.uk", "online"]
OUTLETS = ["welt", "spiegel", "tagesschau", "faz", "zeit", "lemonde", "bbc"]


def _domains(rng: random.Random, n: int) -> list[str]:
    out = []
    for _ in range(n):
        kind = rng.randrange(4)
        if kind == 0:
            out.append(
                f"{rng.choice(OUTLETS)}-{rng.choice(['live', 'aktuell', 'news'])}.{rng.choice(SUFFIXES)}"
            )
        elif kind == 1:
            out.append(f"{rng.choice(OUTLETS)}.{rng.choice(SUFFIXES)}")
        else:
            label = "".join(rng.choices(string.ascii_lowercase, k=rng.randint(4, 12)))
            out.append(f"{label}.{rng.choice(SUFFIXES)}")
    return out


def _domain_list(rng: random.Random, n: int) -> bytes:
    return ("\n".join(_domains(rng, n)) + "\n").encode()


@functools.cache
def _detector() -> Detector:
    return Detector(load_rules())


def _rows(findings: list[Finding]) -> list[tuple[object, ...]]:
    return [(*dataclasses.astuple(x), x.context) for x in findings]


def _sequential(path: Path) -> tuple[list[Finding], ScanStats]:
    scanner = Scanner(detector=_detector())
    return list(scanner.scan_paths([path])), scanner.stats


def _by_units(units: list[Unit | Skipped]) -> tuple[list[Finding], ScanStats]:
    scanner, totals, out = Scanner(detector=_detector()), Totals(), []
    for unit in units:
        assert isinstance(unit, Unit)
        result = scan_unit(scanner, unit)
        out += result.findings
        totals.add(result.counts)
    return out, totals.stats


# -- the estimate ----------------------------------------------------------------------------------
def test_a_list_of_distinct_domains_weighs_far_more_than_prose() -> None:
    rng = random.Random(1)
    listed = _domain_list(rng, 2000)[:8192]
    prose = b"Die Regierung hat heute z.B. in Berlin 3.5 Mrd. beschlossen, siehe welt.de/a. " * 100
    same = b"welt-live.ltd\n" * 600  # one host again and again: memoised, little work
    assert weight(listed) >= 100
    assert weight(prose[:8192]) == 1.0
    assert weight(same) == 1.0
    assert weight(b"") == 1.0
    assert weight(b"a.de\n" * 2000) <= MAX_WEIGHT


# -- planning --------------------------------------------------------------------------------------
def test_a_dense_list_is_cut_into_line_ranges_that_scan_as_one(tmp_path: Path) -> None:
    rng = random.Random(2)
    path = tmp_path / "domains.txt"
    data = _domain_list(rng, 6_000) + b"ends-without.newline"
    path.write_bytes(data)
    assert len(data) < 2 * UNIT  # by bytes alone: one unit
    units = list(plan([path], unit_bytes=UNIT, by_work=True))
    assert [u.kind for u in plan([path], unit_bytes=UNIT)] == ["whole"]
    assert len(units) > 4 and all(isinstance(u, Unit) and u.kind == "lines" for u in units)
    assert sum(u.size for u in units if isinstance(u, Unit)) == len(data)
    assert all(u.size >= DENSE_MIN_UNIT_BYTES // 4 or u.last for u in units if isinstance(u, Unit))
    found, stats = _by_units(units)
    seq, seq_stats = _sequential(path)
    assert _rows(found) == _rows(seq) and len(seq) > 5_000
    assert stats == seq_stats


def test_dense_json_lines_are_cut_by_work_too(tmp_path: Path) -> None:
    rng = random.Random(10)
    path = tmp_path / "posts.jsonl"
    lines = (json.dumps({"id": str(i), "text": f"see {d}"}) for i, d in enumerate(_domains(rng, 6000)))
    path.write_text("\n".join(lines) + "\n")
    units = list(plan([path], unit_bytes=UNIT, by_work=True))
    assert [u.kind for u in plan([path], unit_bytes=UNIT)] == ["whole"]
    assert len(units) > 2 and all(isinstance(u, Unit) and u.kind == "jsonl" for u in units)
    found, stats = _by_units(units)
    seq, seq_stats = _sequential(path)
    assert _rows(found) == _rows(seq) and len(seq) >= 6000
    assert stats == seq_stats


def test_a_dense_file_with_a_line_too_long_is_cut_where_a_whole_read_cuts_blocks(tmp_path: Path) -> None:
    rng = random.Random(3)
    path = tmp_path / "domains.txt"
    long_line = b"x" * (MAX_LINE_CHARS + 10) + b" welt.ltd " + b"y" * 1000
    path.write_bytes(_domain_list(rng, 3_000) + long_line + b"\n" + _domain_list(rng, 3_000))
    units = list(plan([path], unit_bytes=4 * READ_BLOCK_BYTES, by_work=True))
    assert len(units) > 1 and {u.kind for u in units if isinstance(u, Unit)} == {"text"}
    found, stats = _by_units(units)
    seq, seq_stats = _sequential(path)
    assert _rows(found) == _rows(seq)
    assert stats == seq_stats


def test_a_small_dense_file_is_one_unit_and_runs_without_workers(tmp_path: Path) -> None:
    path = tmp_path / "few.txt"
    path.write_bytes(_domain_list(random.Random(4), 300))
    assert [u.kind for u in plan([path], by_work=True)] == ["whole"]
    assert not ParallelScan([path], jobs=2).parallel


def test_small_dense_files_are_batched_by_their_work_not_their_bytes(tmp_path: Path) -> None:
    rng = random.Random(5)
    paths = []
    for i in range(6):
        paths.append(tmp_path / f"list-{i}.txt")
        paths[-1].write_bytes(_domain_list(rng, 2500))  # ~25 KB each: whole, but a lot of work
    units = [u for u in plan(paths, unit_bytes=UNIT_BYTES, by_work=True) if isinstance(u, Unit)]
    assert all(u.kind == "whole" and u.work > 50 * u.size for u in units)
    tasks = [t for t in _tasks(units, UNIT_BYTES) if isinstance(t, list)]
    assert len(tasks) > 1 and all(sum(u.work for u in t[:-1]) < UNIT_BYTES for t in tasks)
    by_bytes = list(_tasks([dataclasses.replace(u, work=0) for u in units], UNIT_BYTES))
    assert len(by_bytes) == 1  # all six for one worker


# -- the property the cuts rely on -----------------------------------------------------------------
LINE_WORDS = st.sampled_from(
    [
        *_domains(random.Random(6), 40),
        "https://www.welt.de/a?b=1",
        "hxxps://faz[.]news/x",
        "welt dot ltd",
        "spiegel . agency",
        "𝐰𝐞𝐥𝐭.𝐥𝐭𝐝",
        "münchen.de",
        "z.B.",
        "Dr.Müller",
        "e.g.",
        "3.5",
        "…",
        "[welt.ltd](https://welt.ltd/x)",
        "t.co/AbC12",
        "\r",
        "\t",
        "",
    ]
)
LINES = st.lists(st.lists(LINE_WORDS, max_size=6).map(" ".join), min_size=1, max_size=60)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(lines=LINES, cuts=st.sets(st.integers(min_value=1, max_value=59), max_size=12), bad=st.booleans())
def test_any_cut_after_a_newline_finds_what_the_whole_text_finds(
    lines: list[str], cuts: set[int], bad: bool
) -> None:
    """A text of lines shorter than ``MAX_LINE_CHARS`` scanned in ranges that start after any
    newline finds what a scan of the whole finds, positions, contexts and counts alike."""
    encoded = [line.encode() + b"\n" for line in lines]
    if bad:
        encoded[len(encoded) // 2] = b"bad \xff\xfe welt.ltd\n"
    encoded[-1] = encoded[-1].rstrip(b"\n")  # no newline at the end
    starts = sorted({0, *(c for c in cuts if c < len(encoded))})
    offsets = [0]
    for line in encoded:
        offsets.append(offsets[-1] + len(line))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "lines.txt"
        path.write_bytes(b"".join(encoded))
        units: list[Unit | Skipped] = []
        for i, first in enumerate(starts):
            stop = starts[i + 1] if i + 1 < len(starts) else len(encoded)
            last = stop == len(encoded)
            units.append(_lines_unit(str(path), offsets[first], offsets[stop], first + 1, last=last))
        found, stats = _by_units(units)
        seq, seq_stats = _sequential(path)
    assert _rows(found) == _rows(seq)
    assert stats == seq_stats


# -- through the CLI -------------------------------------------------------------------------------
def test_jobs_write_the_same_output_for_a_dense_list_cut_into_ranges(tmp_path: Path) -> None:
    path = tmp_path / "domains.txt"
    path.write_bytes(_domain_list(random.Random(7), 4000))
    run = ParallelScan([path], jobs=2, unit_bytes=UNIT)
    assert run.parallel
    assert len([u for t in run._ahead if isinstance(t, list) for u in t if u.kind == "lines"]) >= 2
    for fmt in ("jsonl", None):  # None: the default format, the table
        args = (path, "--no-blocklist", *(["--format", fmt] if fmt else []))
        one, two, summary = scan_with_one_and_two_jobs(*args, unit_bytes=UNIT, tmp_path=tmp_path)
        assert two == one
        assert one.count(b"\n") > 100
        assert "4000 record(s)" in summary


_SELECTING_RUN = """
import dataclasses, json, sys
from linkguard.models import FLAGGED_STATUSES
from linkguard.parallel import ParallelScan
from linkguard.report.base import ReportOptions
from linkguard.scan import Scanner
rows = lambda found: [(*dataclasses.astuple(f), f.context) for f in found]
sequential = Scanner()
seq = list(sequential.scan_paths([sys.argv[1]]))
sent = []
for options in (ReportOptions(), ReportOptions(min_score=30, verdicts=frozenset({"unknown", "suspicious"}))):
    scanner = Scanner(detector=sequential.detector)
    with ParallelScan([sys.argv[1]], jobs=2, unit_bytes=1 << 20) as run:
        assert run.parallel
        got = list(run.findings(scanner, options))
    assert rows(got) == rows([f for f in seq if options.selects(f.verdict)])
    assert scanner.stats == sequential.stats
    sent.append(len(got))
flagged = sum(f.verdict.status in FLAGGED_STATUSES for f in seq)
print(json.dumps({"all": len(seq), "flagged": flagged, "sent": sent}))
"""


def test_workers_send_back_only_what_the_report_writes_and_count_all(tmp_path: Path) -> None:
    path = tmp_path / "domains.txt"
    path.write_bytes(_domain_list(random.Random(8), 4000))
    # in a fresh process: forking the test process (which may run server threads) is not wanted
    proc = subprocess.run([sys.executable, "-c", _SELECTING_RUN, str(path)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    got = json.loads(proc.stdout)
    assert got["sent"][0] == got["flagged"] and 0 < got["flagged"] < got["all"] // 2
    assert 0 < got["sent"][1] < got["all"]
