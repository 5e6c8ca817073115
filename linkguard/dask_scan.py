"""Scanning on a Dask cluster: the same scan as ``linkguard scan``, spread over ``dask.distributed``.

Dask schedules, retries and moves data; this module only cuts the inputs into units (a file, or a
byte range of a large plain-text or JSON Lines file cut on line boundaries), scans a unit with the
ordinary :class:`~linkguard.scan.Scanner`, and puts the results back together in input order.

* **Rules.** The client's effective rules (bundled + user + ``--rules``) and the detector index
  built from them travel with the tasks as a :class:`RulesPayload`; each worker process restores the
  detector once per rule set (keyed by the rules' cache key), so a cluster never judges with rules
  the client does not see.
* **Line numbers.** A byte range does not know on which line it starts: each range reports its
  findings relative to its start and the newlines it holds, and a chain of tiny tasks adds up the
  offsets, so every finding carries the line a local run gives it.
* **Faults.** A task lost with its worker is run again by Dask. A part is written whole to a
  temporary name and renamed to a name derived from its input, so a task run twice replaces its
  part rather than appending to it.

Imported as ``linkguard.dask`` (see ``linkguard/dask.py``); needs the ``dask`` extra.
"""

from __future__ import annotations

import dataclasses
import glob
import gzip
import hashlib
import io
import os
import pickle
import re
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from linkguard.inputs import compression, iter_paths, parquet, read_path, read_stream
from linkguard.inputs.decoding import encoding_for, looks_binary
from linkguard.inputs.sources import CountingReader, sniff_format
from linkguard.limits import DASK_BLOCK_BYTES, SNIFF_BYTES
from linkguard.models import FINDING_KEYS, Finding, Record, ScanStats, Skipped
from linkguard.rules import RuleSet

if TYPE_CHECKING:
    import dask.bag
    import dask.dataframe
    import pandas
    from distributed import Client, Future

    from linkguard.lookalike import Detector

#: Formats whose records are lines, so a file of them can be cut at any newline.
SPLITTABLE = frozenset({"text", "jsonl"})
#: The JSON Lines contract's keys, in order: the columns of :func:`scan_bag`/:func:`scan_dataframe`.
COLUMNS = FINDING_KEYS
SUMMARY_NAME = "_summary.json"
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
_GLOB = re.compile(r"[*?\[]")
_JSONL_RECORD = re.compile(r"line (\d+)")
_REPLACED = "invalid-utf-8-replaced"


# -- rules: shipped with the tasks, a detector built once per worker process ---------------------
@dataclasses.dataclass(frozen=True)
class RulesPayload:
    """The client's detector index (``Index.to_payload()``: the rules and everything built from
    them), serialised once; ``key`` names it on the workers (the rules' cache key, which covers
    the rule files' content, the code and the suffix list; else a hash of ``blob``)."""

    key: str
    blob: bytes

    @classmethod
    def build(cls, rules: RuleSet, *, use_blocklist: bool = True) -> RulesPayload:
        from linkguard.lookalike.cache import load_detector

        index = load_detector(rules, use_blocklist=use_blocklist).index
        blob = pickle.dumps((index.to_payload(), use_blocklist), protocol=pickle.HIGHEST_PROTOCOL)
        key = rules.cache_key or hashlib.sha256(blob).hexdigest()
        return cls(f"{key}:{'blocklist' if use_blocklist else 'no-blocklist'}", blob)


_DETECTORS: dict[str, Detector] = {}
_DETECTORS_LOCK = threading.Lock()
#: Detectors this process has built (what a test reads to see they are not built per task).
BUILT = [0]
#: Rule sets whose detector a worker process keeps (a long-lived cluster may see a few).
_DETECTORS_MAX = 2


def detector_for(payload: RulesPayload) -> Detector:
    """The detector for ``payload`` in this process: restored on first use (no index to build), then
    shared by every task."""
    with _DETECTORS_LOCK:
        found = _DETECTORS.get(payload.key)
        if found is None:
            from linkguard.lookalike import Detector
            from linkguard.lookalike.index import Index

            index_payload, use_blocklist = pickle.loads(payload.blob)
            index = Index.from_payload(index_payload)
            found = Detector(index.rules, use_blocklist=use_blocklist, index=index)
            BUILT[0] += 1
            _DETECTORS[payload.key] = found
            while len(_DETECTORS) > _DETECTORS_MAX:
                del _DETECTORS[next(iter(_DETECTORS))]
        return found


# -- units: what one task scans -------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class Unit:
    """A whole input, or the ``index``-th byte range ``[start, start + length)`` of one (cut on
    newlines, as ``dask.bytes.read_bytes`` cuts), with the name its part is written under."""

    target: str  # a local path, or an fsspec URL
    source: str  # the name findings carry (a local run's for a local path)
    part: str
    index: int = 0
    start: int = 0
    length: int | None = None  # None: the whole input
    fmt: str | None = None  # the format of a range, decided on the whole input's first bytes
    size: int = 0  # bytes of input it stands for, as planned (for a progress bar)

    @property
    def is_url(self) -> bool:
        return bool(_URL.match(self.target))


@dataclasses.dataclass(frozen=True)
class ScanOptions:
    """What every task needs to know about the run, besides the rules."""

    input_format: str | None = None
    contexts: bool = True
    text_column: str | None = None
    id_column: str | None = None
    #: The report's filter (``--all``, ``--verdict``, ``--min-score``): applied on the workers, so
    #: links no report shows never travel back to the client.
    show_all: bool = False
    verdicts: frozenset[str] | None = None
    min_score: int = 0
    compress: bool = False
    #: Send findings back as JSON Lines bytes (the report is JSON Lines): a worker encodes them
    #: with its verdicts memoised, cheaper than pickling objects for the client to encode.
    encoded: bool = False

    def shown(self, finding: Finding) -> bool:
        verdict = finding.verdict
        if verdict.score < self.min_score:
            return False
        return (
            verdict.status in self.verdicts if self.verdicts is not None else self.show_all or verdict.flagged
        )


def _part_name(number: int, source: str, start: int) -> str:
    """``000003-dump.txt-33554432-1a2b3c4d``: the unit's place in the run (so the parts sort in input
    order), its input's name, where the range starts, and a hash of the whole source name."""
    base = re.sub(r"[^A-Za-z0-9._-]+", "_", source.rstrip("/").rsplit("/", 1)[-1])[-60:] or "input"
    digest = hashlib.sha1(f"{source}\0{start}".encode("utf-8", "surrogatepass")).hexdigest()[:8]
    return f"{number:06d}-{base}-{start}-{digest}"


def _expand_url(url: str) -> Iterator[tuple[str, int]]:
    """Files behind an fsspec URL (a file, a directory read recursively, or a glob), sorted, hidden
    entries skipped, with their sizes."""
    import fsspec.core

    fs, path = fsspec.core.url_to_fs(url)
    if _GLOB.search(path):
        found = fs.glob(path, detail=True)
    elif fs.isdir(path):
        found = fs.find(path, detail=True)
    else:
        found = {path: fs.info(path)}
    parts = path.split("/")  # hidden entries are looked for below the part that is not a pattern
    root = "/".join(parts[: next((i for i, p in enumerate(parts) if _GLOB.search(p)), len(parts))])
    for name in sorted(found):
        info = found[name]
        rel = name[len(root) :] if name.startswith(root) else name
        if info.get("type") == "directory" or any(p.startswith(".") for p in rel.split("/") if p):
            continue
        yield fs.unstrip_protocol(name), int(info.get("size") or 0)


def _expand_local(path: str) -> Iterator[Path | Skipped]:
    if _GLOB.search(path) and not os.path.exists(path):
        matches = sorted(glob.glob(path, recursive=True))
        if not matches:
            yield Skipped(path, "unreadable-path", "no file matches this pattern")
        yield from iter_paths(matches)
    else:
        yield from iter_paths([path])


def _open_binary(target: str) -> Any:
    import fsspec

    return fsspec.open(target, "rb").open() if _URL.match(target) else open(target, "rb")


def _range_format(target: str, name: str, input_format: str | None) -> str | None:
    """The format of a large input when it may be cut into ranges (plain UTF-8 text or JSON Lines,
    not compressed, not binary at its start), else ``None``: it is read whole."""
    with _open_binary(target) as fh:
        head = fh.read(SNIFF_BYTES)
    if (
        compression.detect(head) is not None
        or looks_binary(head)
        or not encoding_for(head).startswith("utf-8")
    ):
        return None
    if parquet.is_parquet(name, input_format) or head.startswith(parquet.MAGIC):
        return None
    fmt = input_format if input_format and input_format != "auto" else sniff_format(name, head)
    return fmt if fmt in SPLITTABLE else None


def plan(
    inputs: Sequence[str], *, input_format: str | None = None, block_bytes: int = DASK_BLOCK_BYTES
) -> tuple[list[Unit], list[Skipped]]:
    """The units of a run, in input order, and the inputs that could not even be listed.

    Local paths are listed as a local run lists them (directories recursively, sorted, hidden
    entries skipped); quoted globs and fsspec URLs (``s3://…``, ``file://…``) are expanded here.
    Inputs larger than ``block_bytes`` whose format allows it become line-aligned byte ranges.
    """
    files: list[tuple[str, str, int]] = []  # (target, source, size)
    skipped: list[Skipped] = []
    for given in inputs:
        if _URL.match(given):
            try:
                files += [(url, url, size) for url, size in _expand_url(given)]
            except (OSError, ValueError) as exc:
                skipped.append(Skipped(given, "unreadable-path", str(exc) or type(exc).__name__))
            continue
        for item in _expand_local(given):
            if isinstance(item, Skipped):
                skipped.append(item)
                continue
            try:
                size = item.stat().st_size
            except OSError:
                size = 0  # read_path says why, on the worker
            files.append((str(item), str(item), size))
    units: list[Unit] = []
    for target, source, size in files:
        fmt = None
        if size > block_bytes:
            try:
                fmt = _range_format(target, source, input_format)
            except OSError:
                fmt = None  # read whole: the task reports the fault like a local run
        if fmt is None:
            units.append(Unit(target, source, _part_name(len(units), source, 0), size=size))
            continue
        for index, start in enumerate(range(0, size, block_bytes)):
            part = _part_name(len(units), source, start)
            units.append(
                Unit(target, source, part, index, start, block_bytes, fmt, min(block_bytes, size - start))
            )
    return units, skipped


# -- one unit on a worker ---------------------------------------------------------------------------
@dataclasses.dataclass
class UnitResult:
    """What a unit's scan gives: findings (lines relative to the unit's start), the counts, and the
    line-bearing skips kept back until the unit's first line is known."""

    findings: list[Finding]
    stats: ScanStats
    newlines: int = 0
    deferred: list[Skipped] = dataclasses.field(default_factory=list)
    #: Invalid UTF-8 sequences a range replaced: a local run reports them once per input.
    replaced: int = 0


@dataclasses.dataclass
class Part:
    """A unit's final findings (none when its part was written on the worker) and counts."""

    findings: list[Finding]
    stats: ScanStats
    name: str | None = None
    replaced: int = 0
    data: bytes = b""


def _records(
    unit: Unit, options: ScanOptions, stats: ScanStats, newlines: list[int]
) -> Iterator[Record | Skipped]:
    """The unit's records; a range's newline count goes to ``newlines[0]``."""

    def on_read(n: int) -> None:
        stats.bytes_read += n

    if unit.length is None and not unit.is_url:
        yield from read_path(unit.target, input_format=options.input_format, on_read=on_read)
        return
    try:
        with _open_binary(unit.target) as fh:
            if unit.length is None and parquet.is_parquet(unit.source, options.input_format):
                on_read(int(getattr(fh, "size", 0) or 0))
                yield from parquet.read_file(fh, unit.source)
                return
            if unit.length is not None:
                from fsspec.utils import read_block

                data = read_block(fh, unit.start, unit.length, delimiter=b"\n")
                newlines[0] = data.count(b"\n")
                fh = io.BytesIO(data)
            fmt = unit.fmt or options.input_format
            yield from read_stream(
                CountingReader(fh, on_read), unit.source, input_format=fmt, name=unit.source
            )
    except OSError as exc:
        yield Skipped(unit.source, "read-error" if stats.bytes_read else "unreadable-path", str(exc))


def scan_unit(unit: Unit, payload: RulesPayload, options: ScanOptions) -> UnitResult:
    """Scan one unit with the worker's detector for ``payload``.

    The one place a task touches the scanner, so a faster per-unit scan can replace it.
    """
    from linkguard.scan import Scanner

    scanner = Scanner(
        detector=detector_for(payload), input_format=options.input_format, contexts=options.contexts
    )
    stats = scanner.stats
    stats.sources += unit.index == 0
    deferred: list[Skipped] = []
    newlines: list[int] = [0]

    replaced = 0

    def held_back(items: Iterable[Record | Skipped]) -> Iterator[Record | Skipped]:
        nonlocal replaced
        for item in items:
            if isinstance(item, Skipped) and unit.length is not None and item.reason == _REPLACED:
                count = re.match(r"\d+", item.detail)
                if count:  # noted once for the whole input, by the client
                    replaced += int(count.group())
                    continue
            if isinstance(item, Skipped) and unit.index and item.line is not None:
                if len(deferred) < 50:  # its line is known only once the earlier ranges are read
                    deferred.append(item)
                else:
                    stats.skip(item, keep_messages=0)
                continue
            yield item

    records = held_back(_records(unit, options, stats, newlines))
    with parquet.columns(options.text_column, options.id_column):
        findings = [f for f in scanner.scan_records(records) if options.shown(f)]
    return UnitResult(findings, stats, newlines[0], deferred, replaced)


def _same(payload: RulesPayload) -> RulesPayload:
    return payload


def _newlines(result: UnitResult) -> int:
    return result.newlines


def _add(a: int, b: int) -> int:
    return a + b


def _shifted(result: UnitResult, unit: Unit, offset: int) -> tuple[list[Finding], ScanStats]:
    """Findings and counts with the lines a local run gives them (``offset`` lines precede the unit)."""
    stats = result.stats
    findings = result.findings
    if offset:
        jsonl = unit.fmt == "jsonl"
        findings = [
            dataclasses.replace(
                f, line=f.line + offset, record=_shift_record(f.record, offset) if jsonl else f.record
            )
            for f in findings
        ]
    for item in result.deferred:
        stats.skip(dataclasses.replace(item, line=(item.line or 0) + offset))
    return findings, stats


def _shift_record(record: str | None, offset: int) -> str | None:
    if record is None:
        return None
    return _JSONL_RECORD.sub(lambda m: f"line {int(m.group(1)) + offset}", record, count=1)


def finish_unit(
    result: UnitResult, unit: Unit, offset: int, options: ScanOptions, out_dir: str | None
) -> Part:
    """A unit's findings with their final lines; with ``out_dir``, written there as its part
    (atomically) and not sent back."""
    findings, stats = _shifted(result, unit, offset)
    if out_dir is None and options.encoded:
        return Part([], stats, None, result.replaced, encode_jsonl(findings))
    if out_dir is None:
        return Part(findings, stats, None, result.replaced)
    name = unit.part + (".jsonl.gz" if options.compress else ".jsonl")
    _write_atomically(out_dir, name, encode_jsonl(findings, compress=options.compress))
    return Part([], stats, name, result.replaced)


def _replaced_once(units: Sequence[Unit], parts: Sequence[Part]) -> Iterator[ScanStats]:
    """Each part's counts, plus after an input's last range the one note a local run makes of the
    invalid UTF-8 it replaced (the ranges each counted their share)."""
    total = 0
    for i, (unit, part) in enumerate(zip(units, parts, strict=True)):
        yield part.stats
        total += part.replaced
        last = i + 1 == len(units) or units[i + 1].index == 0
        if last and total:
            note = ScanStats()
            note.skip(
                Skipped(unit.source, _REPLACED, f"{total} invalid byte sequence(s) replaced", kept=True)
            )
            yield note
        total = 0 if last else total


def encode_jsonl(findings: Iterable[Finding], *, compress: bool = False) -> bytes:
    from linkguard.report.jsonl import FindingEncoder

    encode = FindingEncoder(end=b"\n").encode
    data = b"".join(encode(f) for f in findings)
    return gzip.compress(data, compresslevel=6, mtime=0) if compress else data


def _write_atomically(out_dir: str, name: str, data: bytes) -> None:
    """``data`` under ``out_dir/name`` whole or not at all: a local file is renamed into place, an
    object store's single put is atomic by itself."""
    if not _URL.match(out_dir) or out_dir.startswith("file://"):
        local = out_dir.removeprefix("file://")
        tmp = os.path.join(local, f".{name}.{uuid.uuid4().hex}.tmp")
        try:
            with open(tmp, "wb") as fh:
                fh.write(data)
            os.replace(tmp, os.path.join(local, name))
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        return
    import fsspec.core

    fs, path = fsspec.core.url_to_fs(out_dir)
    fs.pipe_file(f"{path.rstrip('/')}/{name}", data)


# -- the run, from the client -----------------------------------------------------------------------
def merge_stats(parts: Iterable[ScanStats]) -> ScanStats:
    """The counts of a whole run from its units' counts, in input order (messages capped as a
    local run caps them)."""
    total = ScanStats()
    for s in parts:
        total.sources += s.sources
        total.records += s.records
        total.posts += s.posts
        total.bytes_read += s.bytes_read
        total.links += s.links
        total.flagged += s.flagged
        total.verdicts.update(s.verdicts)
        total.skipped.update(s.skipped)
        total.repaired.update(s.repaired)
        total.investigations.update(s.investigations)
        total.messages += s.messages[: max(0, 50 - len(total.messages))]
        total.skipped_inputs += s.skipped_inputs[: max(0, 1000 - len(total.skipped_inputs))]
        total.inputs_skipped += s.inputs_skipped
        total.unread += s.unread
    return total


class ClusterScan:
    """``Scanner``'s ``scan_paths``/``stats`` on a Dask cluster, for the CLI and for scripts.

    ``client`` is a ``distributed.Client`` (or an address to connect one to). Findings come back in
    input order; with :meth:`write_parts` they stay on the workers, written as JSON Lines parts.
    """

    def __init__(
        self,
        client: Client | str,
        rules: RuleSet,
        *,
        use_blocklist: bool = True,
        options: ScanOptions | None = None,
        block_bytes: int = DASK_BLOCK_BYTES,
        on_progress: Callable[[int, int], None] | None = None,
    ) -> None:
        if isinstance(client, str):
            from distributed import Client

            client = Client(client, set_as_default=False)
            self._owned: Client | None = client
        else:
            self._owned = None
        self.client = client
        self.payload = RulesPayload.build(rules, use_blocklist=use_blocklist)
        self.rule_files = tuple(rules.files)  # for the feeds in force, named in every summary
        self.options = options or ScanOptions()
        self.block_bytes = block_bytes
        #: Called with the input bytes of the units finished so far and of all units: once
        #: planned, as each unit finishes on the cluster (in any order, from Dask's callback
        #: thread), and when the run is complete.
        self.on_progress = on_progress
        self._progress: _Progress | None = None
        self.stats = ScanStats()
        self.parts: list[str] = []

    def close(self) -> None:
        if self._owned is not None:
            self._owned.close()

    def __enter__(self) -> ClusterScan:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _submit(
        self, paths: Iterable[str | Path], out_dir: str | None
    ) -> tuple[list[tuple[Unit, Future[Any]]], list[Skipped]]:
        units, skipped = plan(
            [str(p) for p in paths], input_format=self.options.input_format, block_bytes=self.block_bytes
        )
        client, run = self.client, uuid.uuid4().hex[:12]
        progress = self._progress = _Progress(self.on_progress, units) if self.on_progress else None
        # a task, not scattered data: a worker lost with scattered data loses it for good, while
        # a task's result is computed again (the graph holds the payload)
        payload = client.submit(_same, self.payload, key=f"linkguard-rules-{self.payload.key[:16]}-{run}")
        finished: list[tuple[Unit, Future[Any]]] = []
        offset: Any = 0
        for i, unit in enumerate(units):
            scanned = client.submit(scan_unit, unit, payload, self.options, key=f"linkguard-scan-{run}-{i}")
            if unit.index == 0:
                offset = 0
            done = client.submit(
                finish_unit, scanned, unit, offset, self.options, out_dir, key=f"linkguard-part-{run}-{i}"
            )
            finished.append((unit, done))
            if progress is not None:
                done.add_done_callback(progress.callback(unit.size))
            if unit.length is not None:  # the next range of this input starts this many lines later
                lines = client.submit(_newlines, scanned, key=f"linkguard-lines-{run}-{i}")
                offset = client.submit(_add, offset, lines, key=f"linkguard-offset-{run}-{i}")
        return finished, skipped

    def _prologue(self, skipped: list[Skipped]) -> ScanStats:
        stats = ScanStats()
        for item in skipped:
            stats.skip(item)
        return stats

    def scan_paths(self, paths: Iterable[str | Path]) -> Iterator[Finding]:
        """Findings of every input, in input order, as each unit's turn comes."""
        if self.options.encoded:
            raise ValueError(
                "scan_paths gives Finding objects: use scan_jsonl with ScanOptions(encoded=True)"
            )
        for part in self._parts(paths):
            yield from part.findings

    def scan_jsonl(self, paths: Iterable[str | Path]) -> Iterator[bytes]:
        """The JSON Lines of every input, in input order, a unit's lines at a time."""
        if not self.options.encoded:
            raise ValueError("scan_jsonl needs ScanOptions(encoded=True)")
        for part in self._parts(paths):
            yield part.data

    def _parts(self, paths: Iterable[str | Path]) -> Iterator[Part]:
        finished, skipped = self._submit(paths, None)
        units, parts = [u for u, _f in finished], []
        for _unit, future in finished:
            part = future.result()
            future.release()
            parts.append(Part([], part.stats, None, part.replaced))
            yield part
        self._finished()
        self.stats = merge_stats([self._prologue(skipped), *_replaced_once(units, parts)])

    def _finished(self) -> None:
        progress, self._progress = self._progress, None
        if progress is not None:
            progress.complete()

    def write_parts(self, paths: Iterable[str | Path], out_dir: str) -> ScanStats:
        """Write one JSON Lines part per unit into ``out_dir`` (workers write; nothing is sent back)
        and ``_summary.json`` with the merged counts; returns them."""
        import json

        _make_dir(out_dir)
        finished, skipped = self._submit(paths, out_dir)
        parts: list[Part] = self.client.gather([f for _u, f in finished])
        self._finished()
        units = [u for u, _f in finished]
        self.stats = merge_stats([self._prologue(skipped), *_replaced_once(units, parts)])
        from linkguard.feeds.store import feed_dates

        self.stats.feeds = feed_dates(self.rule_files)
        self.parts = [part.name for part in parts if part.name]
        summary = self.stats.to_dict() | {
            "messages": self.stats.messages,
            "skipped_inputs": self.stats.skipped_inputs,
            "parts": self.parts,
        }
        _write_atomically(out_dir, SUMMARY_NAME, (json.dumps(summary, indent=2) + "\n").encode())
        return self.stats


class _Progress:
    """A run's finished bytes for ``ClusterScan.on_progress``: advanced by futures' callbacks,
    completed by the run (whose last callbacks may come after it has every result)."""

    def __init__(self, report: Callable[[int, int], None], units: Sequence[Unit]) -> None:
        self.report, self.total, self.done = report, sum(u.size for u in units), 0
        self._lock, self._complete = threading.Lock(), False
        report(0, self.total)

    def callback(self, size: int) -> Callable[[Future[Any]], None]:
        def finished(future: Future[Any]) -> None:
            if future.status != "finished":  # an error or a cancellation: the run says so
                return
            with self._lock:
                if not self._complete:
                    self.done += size
                    self.report(self.done, self.total)

        return finished

    def complete(self) -> None:
        with self._lock:
            self._complete = True
            self.done = self.total
            self.report(self.total, self.total)


def _make_dir(out_dir: str) -> None:
    if not _URL.match(out_dir) or out_dir.startswith("file://"):
        os.makedirs(out_dir.removeprefix("file://"), exist_ok=True)
        return
    import fsspec.core

    fs, path = fsspec.core.url_to_fs(out_dir)
    fs.makedirs(path, exist_ok=True)


# -- library: Bags and DataFrames of posts ------------------------------------------------------------
#: Columns whose values are lists or objects in JSON Lines: JSON text in a frame, because Dask
#: turns object columns into Arrow strings (``dataframe.convert-string``) and Parquet wants one type.
NESTED = ("obfuscation", "via", "post", "impersonates", "techniques", "evidence")


def _rows(findings: Iterable[Finding]) -> list[dict[str, Any]]:
    import orjson

    rows = []
    for finding in findings:
        row = finding.to_dict()
        for key in NESTED:
            row[key] = None if row[key] is None else orjson.dumps(row[key]).decode("utf-8")
        rows.append(row)
    return rows


def _empty_frame() -> pandas.DataFrame:
    import pandas as pd

    frame = pd.DataFrame({c: pd.Series(dtype=object) for c in COLUMNS})
    return frame.astype({"line": "int64", "column": "int64", "flagged": "bool", "score": "int64"})


def _frame(rows: list[dict[str, Any]]) -> pandas.DataFrame:
    import pandas as pd

    if not rows:
        return _empty_frame()
    return pd.DataFrame.from_records(rows, columns=list(COLUMNS)).astype(_empty_frame().dtypes.to_dict())


def _scan_texts(items: Iterable[Any], payload: RulesPayload, source: str, contexts: bool) -> pandas.DataFrame:
    """Findings of ``(id, text)`` pairs or bare texts, as a frame with the contract's columns."""
    from linkguard.models import Post
    from linkguard.scan import Scanner

    scanner = Scanner(detector=detector_for(payload), contexts=contexts)

    def records() -> Iterator[Record]:
        for n, item in enumerate(items, 1):
            post_id, text = item if isinstance(item, tuple) else (None, item)
            post = Post("parquet", str(post_id)) if post_id is not None else None
            record = f"item {post_id}" if post_id is not None else f"item {n}"
            yield Record("" if text is None else str(text), source, 1, 1, record, post=post)

    return _frame(_rows(scanner.scan_records(records())))


def _payload_for(rules: RuleSet | None, use_blocklist: bool) -> RulesPayload:
    if rules is None:
        from linkguard.lookalike.cache import load_cached_rules
        from linkguard.paths import user_rules_dir

        rules = load_cached_rules(user_dir=user_rules_dir())
    return RulesPayload.build(rules, use_blocklist=use_blocklist)


def scan_bag(
    bag: dask.bag.Bag,
    *,
    rules: RuleSet | None = None,
    use_blocklist: bool = True,
    source: str = "<bag>",
    contexts: bool = True,
) -> dask.dataframe.DataFrame:
    """Every link in a Bag of texts (or of ``(id, text)`` pairs) as a Dask DataFrame of findings with
    the JSON Lines columns (:data:`COLUMNS`); the lists and objects (:data:`NESTED`: ``post``,
    ``evidence`` …) as JSON text, ``null`` as None.

    Lazy: nothing runs until the frame is computed or written (``.to_parquet``). The rules default
    to what ``linkguard scan`` uses (bundled + the user's); every link is kept, flagged or not.
    """
    import dask.dataframe as dd
    from dask.delayed import delayed

    payload = delayed(_payload_for(rules, use_blocklist), pure=True)
    parts = [delayed(_scan_texts, pure=True)(part, payload, source, contexts) for part in bag.to_delayed()]
    frame: dask.dataframe.DataFrame = dd.from_delayed(parts, meta=_empty_frame(), verify_meta=False)
    return frame


def scan_dataframe(
    ddf: dask.dataframe.DataFrame,
    *,
    text_column: str,
    id_column: str | None = None,
    rules: RuleSet | None = None,
    use_blocklist: bool = True,
    source: str = "<dataframe>",
    contexts: bool = True,
) -> dask.dataframe.DataFrame:
    """:func:`scan_bag` for a Dask DataFrame of posts: the text in ``text_column``; with
    ``id_column``, each row is a post (``post.id``), so a link is counted once per post."""
    import dask.dataframe as dd
    from dask.delayed import delayed

    payload = delayed(_payload_for(rules, use_blocklist), pure=True)
    columns = [text_column] + ([id_column] if id_column else [])
    parts = [
        delayed(_scan_frame, pure=True)(part, payload, text_column, id_column, source, contexts)
        for part in ddf[columns].to_delayed()
    ]
    frame: dask.dataframe.DataFrame = dd.from_delayed(parts, meta=_empty_frame(), verify_meta=False)
    return frame


def _scan_frame(
    frame: pandas.DataFrame,
    payload: RulesPayload,
    text_column: str,
    id_column: str | None,
    source: str,
    contexts: bool,
) -> pandas.DataFrame:
    texts = frame[text_column].tolist()
    items: list[Any] = list(zip(frame[id_column].tolist(), texts, strict=True)) if id_column else texts
    return _scan_texts(items, payload, source, contexts)


__all__ = [
    "COLUMNS",
    "ClusterScan",
    "RulesPayload",
    "ScanOptions",
    "Unit",
    "detector_for",
    "merge_stats",
    "plan",
    "scan_bag",
    "scan_dataframe",
    "scan_unit",
]
