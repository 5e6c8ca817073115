"""``scan --jobs``: the units of :mod:`linkguard.partition` on a pool of worker processes.

``concurrent.futures.ProcessPoolExecutor`` runs them; results are taken in plan order, so the
findings come out as one sequential scan gives them, and the counts are merged in the same order
(:class:`linkguard.partition.Totals`). A bounded window of units is in flight, so memory stays
flat in this process; a worker whose unit yields more findings than it should hold (a large
compressed dump is one unit) spools them to a file in the run's temporary directory. For JSON
Lines without forensics the workers write the lines themselves, each task to a part file there,
and this process copies the parts into the output in order (in the kernel: ``os.sendfile``), so
it does almost nothing while they work. Workers judge offline; forensics
(``--online``) and the verdict counts stay here, on the merged stream. Workers ignore SIGINT:
Ctrl-C reaches this process, which cancels what has not started and lets the pool wind down.

A range of a JSON array that turns out not to be JSON (``JsonRangeMalformed``) is replaced by a
sequential read of the rest of its file here, and the file's later ranges are dropped: a broken
file costs time, never exactness.

A run with fewer than two units of work (small inputs, stdin) is scanned here, sequentially:
starting processes would cost more than it saves.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import multiprocessing
import operator
import os
import pickle
import shutil
import signal
import sys
import tempfile
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing.reduction import ForkingPickler
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from linkguard.inputs import compression
from linkguard.limits import (
    UNIT_BYTES,
    UNIT_FINDINGS_IN_MEMORY,
    UNITS_IN_FLIGHT_PER_WORKER,
)
from linkguard.models import Evidence, Finding, Link, ScanStats, Skipped, Verdict
from linkguard.partition import JsonRangeMalformed, Totals, Unit, UnitCounts, iter_unit, plan

if TYPE_CHECKING:
    from linkguard.lookalike import Detector
    from linkguard.report.base import ReportOptions
    from linkguard.report.jsonl import JsonlReporter
    from linkguard.scan import Scanner

#: What a worker sends back for one unit: its findings (or the spool file holding them) and counts.
UnitOutcome = tuple[list[Finding] | str, UnitCounts]
#: Small files batched into one task: at most this many.
_MAX_FILES_PER_TASK = 256
#: The write buffer of a worker's part file: a few large writes instead of many small ones.
_PART_BUFFER_BYTES = 1 << 20


def _by_constructor(cls: type[Any]) -> Callable[[Any], tuple[type[Any], tuple[Any, ...]]]:
    """Pickle ``cls`` as a call of its constructor with its fields: unpickling a finding that way
    takes a third of the time of the dataclass state protocol, and it happens in this process,
    for every finding of every worker."""
    fields = operator.attrgetter(*(f.name for f in dataclasses.fields(cls)))
    return lambda obj: (cls, fields(obj))


for _cls in (Finding, Link, Verdict, Evidence):  # only how results travel from the workers
    ForkingPickler.register(_cls, _by_constructor(_cls))


def usable_cores() -> int:
    """The cores this process may run on (its affinity mask, or a container's CPU set), not the
    machine's: the default of ``--jobs``."""
    count = getattr(os, "process_cpu_count", None)  # Python 3.13
    if count is not None:
        return int(count() or 1)
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0)) or 1
    return os.cpu_count() or 1


@dataclass(frozen=True)
class WorkerSetup:
    """How a worker process gets its detector: sent along when the worker starts empty (spawn;
    a ``Detector`` pickles as the disk cache's key for its index, see ``Detector.__reduce__``);
    ``None`` when the worker inherits the parent's scanner (fork)."""

    detector: Detector
    contexts: bool


#: The worker process's scanner: inherited from the parent under fork, built once under spawn.
_WORKER: Scanner | None = None


def worker_scanner(setup: WorkerSetup | None) -> Scanner:
    """The scanner of this worker process, built at most once per process (never per task).

    The one place that decides how a worker gets its detector index: inherited through fork, or
    unpickled from the setup (read from the disk cache, ``linkguard.load_detector``'s index).
    """
    global _WORKER
    if _WORKER is None:
        from linkguard.scan import Scanner

        assert setup is not None, "a spawned worker needs its setup"
        _WORKER = Scanner(detector=setup.detector, contexts=setup.contexts)
    return _WORKER


#: Set by SIGTERM in a worker; ``_in_task`` says whether the worker is inside one of our tasks.
_stopping = False
_in_task = False


def _stop(signum: int, frame: object) -> None:
    """Unwind the task the worker is in, which removes its spool. Outside a task the worker is
    in the executor's own code, reading the next call or sending a result through a pipe other
    processes share: an exception there would leave half a message in it (the next reader fails
    with ``EOFError`` or the pool hangs), so the stop only takes effect when the next task starts
    (the executor's shutdown sentinel ends an idle worker)."""
    global _stopping
    _stopping = True
    if _in_task:
        raise SystemExit(128 + signum)


@contextlib.contextmanager
def _stoppable() -> Iterator[None]:
    global _in_task
    if _stopping:
        raise SystemExit(128 + signal.SIGTERM)
    _in_task = True
    try:
        yield
    finally:
        _in_task = False


#: Links of every kind the pipeline knows, scanned once before the workers are forked.
_WARM_UP = "welt.de https://www.welt.de/a hxxps://welt[.]ltd/x t.co/AbC12 𝐰𝐞𝐥𝐭.𝐥𝐭𝐝 welt dot de münchen.de"


def _warm(scanner: Scanner) -> None:
    """Build what the pipeline builds on first use (the suffix list's trie, the TLD set, the
    outlet names, compiled patterns) once in the parent, instead of once in every forked worker."""
    _ = scanner.known_labels
    for _finding in scanner.scan_text(_WARM_UP):
        pass
    scanner.stats = ScanStats()


def _init_worker(setup: WorkerSetup | None) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    signal.signal(signal.SIGTERM, _stop)
    worker_scanner(setup)


def _scan_task(
    units: list[Unit],
    parts: str,
    keep: int = UNIT_FINDINGS_IN_MEMORY,
    select: ReportOptions | None = None,
) -> list[UnitOutcome]:
    """Scan a task's units in a worker; a unit's findings past ``keep`` go to a spool file in
    the run's directory ``parts``. With ``select``, only the findings a report with these options
    writes come back (the counts are of all): the rest would cost this process their unpickling."""
    with _stoppable():
        return _scan_units(units, parts, keep, select)


def _scan_units(units: list[Unit], parts: str, keep: int, select: ReportOptions | None) -> list[UnitOutcome]:
    scanner = worker_scanner(None)
    out: list[UnitOutcome] = []
    for unit in units:
        counts = UnitCounts()
        findings: list[Finding] = []
        spool = None
        try:
            for finding in iter_unit(scanner, unit, counts):
                if select is not None and not select.selects(finding.verdict):
                    continue
                findings.append(finding)
                if len(findings) >= keep:
                    if spool is None:
                        spool = tempfile.NamedTemporaryFile(prefix="spool-", dir=parts, delete=False)
                    ForkingPickler(spool, pickle.HIGHEST_PROTOCOL).dump(findings)
                    findings = []
            if spool is not None:
                ForkingPickler(spool, pickle.HIGHEST_PROTOCOL).dump(findings)
                spool.close()
        except BaseException:
            if spool is not None:
                spool.close()
                os.unlink(spool.name)
            raise
        out.append((findings if spool is None else spool.name, counts))
    return out


#: What a worker sends back for a task whose units it wrote as JSON Lines: the part file holding
#: the lines, and per unit how many findings they hold, how many of those are flagged, the counts.
EncodedPart = tuple[str, list[tuple[int, int, UnitCounts]]]


def _encode_task(units: list[Unit], options: ReportOptions, parts: str) -> EncodedPart:
    """Scan a task's units in a worker and write their JSON Lines to a part file in the run's
    directory ``parts``, with the selection and encoder of the writer in the parent: the lines
    are what it would write, byte for byte. The parent copies the part into its output in the
    kernel, so neither encoding nor moving 100 MB of lines through a pipe is left to it."""
    with _stoppable():
        return _encode_units(units, options, parts)


def _encode_units(units: list[Unit], options: ReportOptions, parts: str) -> EncodedPart:
    from linkguard.report.jsonl import JsonlReporter

    scanner = worker_scanner(None)
    out: list[tuple[int, int, UnitCounts]] = []
    fd, path = tempfile.mkstemp(prefix="part-", suffix=".jsonl", dir=parts)
    try:
        with open(fd, "w", encoding="utf-8", newline="", buffering=_PART_BUFFER_BYTES) as text:
            writer = JsonlReporter(text, options)
            for unit in units:
                counts = UnitCounts()
                written, flagged = writer.written, writer.flagged_written
                for finding in iter_unit(scanner, unit, counts):
                    writer.add(finding)
                out.append((writer.written - written, writer.flagged_written - flagged, counts))
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(path)
        raise
    return path, out


def _spooled(path: str) -> Iterator[Finding]:
    try:
        with open(path, "rb") as fh:
            while True:
                try:
                    batch: list[Finding] = pickle.load(fh)
                except EOFError:
                    return
                yield from batch
    finally:
        with contextlib.suppress(OSError):
            os.unlink(path)


Task = list[Unit] | Unit | Skipped  # a batch for a worker, a unit only this process reads, a skip


def _tasks(items: Iterable[Unit | Skipped], unit_bytes: int) -> Iterator[Task]:
    """Units as tasks, in order: small whole files batched up to ``unit_bytes`` of work (a dense
    file's estimate, see ``Unit.work``); ranges alone, and compressed files alone too (their size
    on disk says little about the work in them)."""
    batch: list[Unit] = []
    size = 0
    for item in items:
        if (
            isinstance(item, Unit)
            and item.kind == "whole"
            and not item.local
            and compression.strip_suffix(item.path) == item.path
        ):
            batch.append(item)
            size += item.work or item.size
            if size >= unit_bytes or len(batch) >= _MAX_FILES_PER_TASK:
                yield batch
                batch, size = [], 0
            continue
        if batch:
            yield batch
            batch, size = [], 0
        yield [item] if isinstance(item, Unit) and not item.local else item
    if batch:
        yield batch


class ParallelScan:
    """One run of ``scan --jobs N``: plan, start the pool (:meth:`start`), stream the findings
    (:meth:`findings`), shut down (as a context manager)."""

    def __init__(
        self,
        paths: Iterable[str | Path],
        *,
        jobs: int,
        input_format: str | None = None,
        unit_bytes: int = UNIT_BYTES,
    ) -> None:
        self.paths = list(paths)
        self.jobs = max(1, jobs)
        self.input_format = input_format
        units = (
            plan(self.paths, input_format=input_format, unit_bytes=unit_bytes, json_arrays=True, by_work=True)
            if self.jobs > 1
            else ()
        )
        tasks = _tasks(units, unit_bytes)
        # look ahead until there are two tasks for workers: fewer are scanned here
        self._ahead: list[Task] = []
        for_workers = 0
        for task in tasks:
            self._ahead.append(task)
            for_workers += isinstance(task, list)
            if for_workers >= 2:
                break
        self._tasks = tasks
        #: Whether worker processes run: more than one job and enough work for them.
        self.parallel = self.jobs > 1 and for_workers >= 2
        self._pool: ProcessPoolExecutor | None = None
        #: The run's directory of part files and spools (removed with everything in it by close).
        self._parts: str | None = None
        self._pending: deque[Future[list[UnitOutcome]] | Unit | Skipped] = deque()
        #: The units of each task in flight.
        self._task_units: dict[Future[Any], list[Unit]] = {}
        #: Files whose JSON ranges turned out not to be JSON: read here to their end instead.
        self._abandoned: set[str] = set()
        self._local: Scanner | None = None

    def start(self, detector: Detector, *, contexts: bool = True, start_method: str | None = None) -> None:
        """Start the workers now (before this process starts threads: a progress bar, forensics),
        so that forking copies a process with one thread. ``start_method``: "fork" (the default
        on Linux) or "spawn" (elsewhere)."""
        if not self.parallel or self._pool is not None:
            return
        global _WORKER
        from linkguard.scan import Scanner

        method = start_method or ("fork" if sys.platform == "linux" else "spawn")
        context = multiprocessing.get_context(method)
        setup: WorkerSetup | None = None
        if method == "fork":  # workers inherit the detector and its index
            _WORKER = Scanner(detector=detector, contexts=contexts)
            _warm(_WORKER)
        else:  # spawn (macOS, Windows): each worker reads the detector's index once
            setup = WorkerSetup(detector, contexts)
        self._parts = tempfile.mkdtemp(prefix="linkguard-jobs-")
        frozen = gc.get_freeze_count()
        if setup is None:  # what the workers inherit (the index, the warm-up's tries) lives until
            gc.freeze()  # they exit: their collections need not walk it, nor copy its pages
        try:
            self._pool = ProcessPoolExecutor(
                self.jobs, mp_context=context, initializer=_init_worker, initargs=(setup,)
            )
            # the workers start here, all at once under fork (``submit`` forks them before it
            # starts the executor's thread); nothing waits for them to run ``int``: the first
            # real task reaches them ~10 ms sooner, and a pool that broke says so on that task
            self._pool.submit(int)
        finally:
            if setup is None:
                _WORKER = None  # the parent's copy is not needed after the fork
                if not frozen:  # a library caller's objects are collected as before
                    gc.unfreeze()

    def findings(self, scanner: Scanner, select: ReportOptions | None = None) -> Iterator[Finding]:
        """Every finding in input order; fills ``scanner.stats`` and calls ``scanner.on_read``
        per unit. Forensics (``scanner.investigator``) run here on the merged stream.

        ``select`` (without forensics, which may change a verdict): the workers send back only
        the findings a report with these options writes, and count the verdicts of all; the
        rest may or may not come. A scan without ``--all`` then moves its few flagged findings
        through this process, not the many it would drop."""
        if not self.parallel:
            return scanner.scan_paths(self.paths, input_format=self.input_format)
        if self._pool is None:
            self.start(scanner.detector, contexts=scanner.contexts)
        if select is not None and scanner.investigator is None:
            return self._ordered(scanner, select)
        findings = self._ordered(scanner)
        if scanner.investigator is not None:
            findings = scanner._investigate(findings)
        return scanner._counted(findings)

    def write_jsonl(self, scanner: Scanner, writer: JsonlReporter) -> None:
        """The whole run into ``writer``, the workers writing the lines themselves (only without
        forensics, which judge in this process); ``scanner.stats`` is filled as by :meth:`findings`."""
        assert scanner.investigator is None, "forensics run on the merged stream: use findings()"
        if not self.parallel:
            for finding in scanner.scan_paths(self.paths, input_format=self.input_format):
                writer.add(finding)
            return
        if self._pool is None:
            self.start(scanner.detector, contexts=scanner.contexts)
        totals = Totals(scanner.stats)
        options, parts = writer.options, self._parts  # the parent's writer's options, whole: the same lines
        for item in self._in_order(lambda units: (_encode_task, units, options, parts)):
            if isinstance(item, Skipped):
                totals.add(UnitCounts(skipped=[item]))
                continue
            if isinstance(item, Unit):  # stdin or a named pipe: read here
                per_unit = [(0, 0, _write_local(scanner, item, writer))]
            else:
                try:
                    path, per_unit = item.result()
                except JsonRangeMalformed as exc:  # not JSON from here on: read as a sequential scan
                    self._abandoned.add(exc.unit.path)
                    per_unit = [(0, 0, _write_local(scanner, exc.tail(), writer))]
                else:
                    written, flagged = sum(u[0] for u in per_unit), sum(u[1] for u in per_unit)
                    try:
                        writer.add_encoded_file(path, written, flagged)
                    finally:
                        with contextlib.suppress(OSError):
                            os.unlink(path)
            for _written, _flagged, counts in per_unit:
                totals.add(counts)
                if scanner.on_read is not None and counts.bytes_read:
                    scanner.on_read(counts.bytes_read)

    def _in_order(
        self, call: Callable[[list[Unit]], tuple[Any, ...]]
    ) -> Iterator[Future[Any] | Unit | Skipped]:
        """Submit the tasks (``call`` makes a task's function and arguments) with a bounded window
        in flight, and hand back their futures, the local units and the skips in plan order."""
        assert self._pool is not None
        window = self.jobs * UNITS_IN_FLIGHT_PER_WORKER
        pending = self._pending
        in_flight = 0
        for task in _chain(self._ahead, self._tasks):
            if isinstance(task, list):
                fn, *args = call(task)
                future = self._pool.submit(fn, *args)
                self._task_units[future] = task
                pending.append(future)
                in_flight += 1
            else:
                pending.append(task)
            while in_flight >= window or (pending and not isinstance(pending[0], Future)):
                item = pending.popleft()
                in_flight -= isinstance(item, Future)
                if self._wanted(item):
                    yield item
        while pending:
            item = pending.popleft()
            if self._wanted(item):
                yield item

    def _wanted(self, item: Future[Any] | Unit | Skipped) -> bool:
        """False for the later ranges of a file read here to its end (their parts and spools
        are removed with the run's directory)."""
        if not isinstance(item, Future):
            return True
        units = self._task_units.pop(item, [])
        return not any(u.kind == "json" and u.path in self._abandoned for u in units)

    def _ordered(self, scanner: Scanner, select: ReportOptions | None = None) -> Iterator[Finding]:
        """The findings in order; the verdicts are counted by the caller (after forensics), or,
        with ``select``, from the units' counts (the findings that come are not all)."""
        totals = Totals(scanner.stats)
        parts, keep, verdicts = self._parts, UNIT_FINDINGS_IN_MEMORY, select is not None
        for item in self._in_order(lambda units: (_scan_task, units, parts, keep, select)):
            yield from self._take(item, totals, scanner, verdicts=verdicts)

    def _take(
        self,
        item: Future[list[UnitOutcome]] | Unit | Skipped,
        totals: Totals,
        scanner: Scanner,
        *,
        verdicts: bool = False,
    ) -> Iterator[Finding]:
        if isinstance(item, Skipped):
            totals.add(UnitCounts(skipped=[item]), verdicts=verdicts)
            return
        local: Unit | None = item if isinstance(item, Unit) else None  # stdin or a named pipe
        outcomes: list[UnitOutcome] = []
        if isinstance(item, Future):
            try:
                outcomes = item.result()
            except JsonRangeMalformed as exc:  # not JSON from here on: read as a sequential scan
                self._abandoned.add(exc.unit.path)
                local = exc.tail()
        if local is not None:  # read here
            counts = UnitCounts()
            yield from iter_unit(self._local_scanner(scanner), local, counts)
            outcomes = [([], counts)]
        for findings, counts in outcomes:  # spools not read are removed with the run's directory
            yield from _spooled(findings) if isinstance(findings, str) else findings
            totals.add(counts, verdicts=verdicts)  # else they are counted after forensics
            if scanner.on_read is not None and counts.bytes_read:
                scanner.on_read(counts.bytes_read)

    def _local_scanner(self, scanner: Scanner) -> Scanner:
        if self._local is None:
            self._local = _local_scanner(scanner)
        return self._local

    def close(self, *, abort: bool = False) -> None:
        """Cancel what has not started, wait for what has (or, with ``abort``, stop the workers:
        Ctrl-C should not wait for a large compressed file to be read to its end), and remove
        the run's directory with the parts and spools nobody will read."""
        pool, self._pool = self._pool, None
        if pool is not None:
            if abort:
                _terminate_workers(pool)
            pool.shutdown(wait=True, cancel_futures=True)
        self._pending.clear()
        self._task_units.clear()
        parts, self._parts = self._parts, None
        if parts is not None:
            shutil.rmtree(parts, ignore_errors=True)

    def __enter__(self) -> ParallelScan:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close(abort=exc_type is not None)


def _terminate_workers(pool: ProcessPoolExecutor) -> None:
    """SIGTERM to the pool's workers (``terminate_workers`` from Python 3.14; before it, the
    processes the executor keeps). A worker stopped in a unit removes its spool on the way out."""
    terminate = getattr(pool, "terminate_workers", None)
    if terminate is not None:
        terminate()
        return
    processes: dict[int, multiprocessing.Process] = getattr(pool, "_processes", None) or {}
    for process in list(processes.values()):
        with contextlib.suppress(Exception):
            process.terminate()


def _chain(first: list[Task], rest: Iterator[Task]) -> Iterator[Task]:
    yield from first
    yield from rest


def _local_scanner(scanner: Scanner) -> Scanner:
    """A scanner for units read in this process, sharing the detector (``iter_unit`` swaps its stats)."""
    from linkguard.scan import Scanner

    return Scanner(detector=scanner.detector, input_format=scanner.input_format, contexts=scanner.contexts)


def _write_local(scanner: Scanner, unit: Unit, writer: JsonlReporter) -> UnitCounts:
    """A unit read in this process into ``writer``; its counts."""
    counts = UnitCounts()
    for finding in iter_unit(_local_scanner(scanner), unit, counts):
        writer.add(finding)
    return counts
