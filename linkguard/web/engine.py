"""The library behind the web page and the API: rules in force, scans, checks, investigations.

Routes stay thin: they parse a request, call one method here and render what it returns. Every
scan and check goes through :class:`linkguard.scan.Scanner` and the same ``Detector`` the CLI
builds, so the web and the CLI agree finding for finding. Rules are reloaded when the user's rule
files change (through the page or ``linkguard rules`` in a terminal).
"""

from __future__ import annotations

import os
import pickle
import tempfile
import threading
import uuid
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import AbstractContextManager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from linkguard import limits
from linkguard.models import Finding, ScanStats
from linkguard.rules import RuleSet

if TYPE_CHECKING:
    from linkguard.forensics.clusters import Cluster


class Busy(Exception):
    """Every online-investigation slot is taken; the client should retry later."""


@dataclass(frozen=True, slots=True)
class Spooled:
    """An input saved to disk for a scan and for later report downloads."""

    id: str
    path: Path
    #: What the findings name as their ``source`` (the upload's file name, or "paste").
    source: str
    input_format: str | None
    #: One URL or domain asked about (``check``), not a text to scan.
    single: bool = False
    #: Scanned online: its findings, as investigated and clustered, are kept (``saved``) for the
    #: report downloads, which render them as ``linkguard report`` does, without fetching again.
    online: bool = False
    #: A JSON Lines scan saved by ``linkguard scan``, rendered as ``linkguard report`` renders it.
    saved_scan: bool = False

    @property
    def saved(self) -> Path:
        return self.path.with_suffix(".findings")


@dataclass(slots=True)
class ScanResult:
    """What a page shows: the findings to list (flagged first, capped) and the whole scan's counts."""

    spooled: Spooled
    shown: list[Finding]
    stats: ScanStats
    hidden: int = 0
    #: Infrastructure clusters (online scans and saved ones), largest first.
    clusters: list[Cluster] = field(default_factory=list)


class SavedScan:
    """A saved JSON Lines scan read back as ``linkguard report`` reads it: the findings as saved,
    the counts of reading them, and the clusters ``SavedClusters`` rebuilds (once all are read)."""

    def __init__(self, path: Path, name: str) -> None:
        from linkguard.forensics.clusters import SavedClusters

        self.path, self.name = path, name
        self.stats = ScanStats()
        self._clusters = SavedClusters()

    def findings(self) -> Iterator[tuple[Finding, str | None]]:
        """Each finding and its context; InputError at once when the file is no linkguard scan."""
        from linkguard.report import open_scan, read_scan

        with open_scan(self.path) as stream:
            for finding, context in read_scan(stream, self.name, self.stats):
                self._clusters.add(finding)
                yield finding, context

    def clusters(self) -> list[Cluster]:
        return self._clusters.clusters()


@dataclass(slots=True)
class OnlineScan:
    """An online scan, every investigation done: its findings (each with its ``cluster`` evidence,
    streamed from disk, in input order), its counts and its clusters, as ``scan --online`` has them."""

    findings: Iterator[Finding]
    stats: ScanStats
    clusters: list[Cluster]


def _rules_signature(rules_dir: Path) -> tuple[tuple[str, int, int], ...]:
    """The user's rule files by name, mtime and size: a change means the rules must be reloaded."""
    try:
        entries = sorted(os.scandir(rules_dir), key=lambda e: e.name)
    except OSError:
        return ()
    out = []
    for entry in entries:
        if entry.name.endswith(".toml"):
            with suppress(OSError):
                st = entry.stat()
                out.append((entry.name, st.st_mtime_ns, st.st_size))
    return tuple(out)


class Engine:
    """Rules, detector and optional investigator for one server; safe to share between threads."""

    def __init__(
        self,
        rules_dir: Path,
        *,
        use_blocklist: bool = True,
        investigator_factory: Any = None,
        spool_dir: Path | None = None,
        max_investigations: int = limits.WEB_MAX_INVESTIGATIONS,
        results_kept: int = limits.WEB_RESULTS_KEPT,
    ) -> None:
        self.rules_dir = rules_dir
        self.use_blocklist = use_blocklist
        #: ``callable(detector) -> context manager yielding an Investigator``; None: offline only.
        self._investigator_factory = investigator_factory
        self._investigator: Any = None
        self._investigator_cm: AbstractContextManager[Any] | None = None
        self._retired: list[AbstractContextManager[Any]] = []
        self._lock = threading.RLock()  # the detector's memo tables are not made for parallel writers
        self._slots = threading.BoundedSemaphore(max_investigations)
        self._signature: tuple[tuple[str, int, int], ...] | None = None
        self._detector: Any = None
        self._rules: RuleSet | None = None
        self._own_spool = spool_dir is None
        self.spool_dir = spool_dir or Path(tempfile.mkdtemp(prefix="linkguard-serve-"))
        self._results: OrderedDict[str, Spooled] = OrderedDict()
        self._results_kept = results_kept

    @property
    def online(self) -> bool:
        return self._investigator_factory is not None

    # -- rules -----------------------------------------------------------------------------------
    def detector(self) -> Any:
        """The detector for the rules in force now; rebuilt when the user's rule files changed."""
        with self._lock:
            signature = _rules_signature(self.rules_dir)
            if self._detector is None or signature != self._signature:
                from linkguard.lookalike import Detector
                from linkguard.lookalike.cache import load_cached_rules

                rules = load_cached_rules(user_dir=self.rules_dir)
                self._rules, self._signature = rules, signature
                self._detector = Detector(rules, use_blocklist=self.use_blocklist)
                self._retire_investigator()  # it classifies with the old detector
            return self._detector

    def _retire_investigator(self) -> None:
        """The next online check builds a new one; the old one may still be running a check, so it
        is closed with the server (one per rules change, until then)."""
        if self._investigator_cm is not None:
            self._retired.append(self._investigator_cm)
            self._investigator_cm, self._investigator = None, None

    def _investigator_for(self, detector: Any) -> Any:
        with self._lock:
            if self._investigator is None:
                cm = self._investigator_factory(detector)
                self._investigator = cm.__enter__()
                self._investigator_cm = cm
            return self._investigator

    # -- checks and scans ------------------------------------------------------------------------
    def check(self, target: str, *, online: bool = False) -> Finding | None:
        """One link, as ``linkguard check --format json`` reports it; None when it is not a link.

        Online checks take one of the investigation slots or raise :class:`Busy` at once.
        """
        from linkguard.scan import Scanner

        with self._lock:
            detector = self.detector()
            finding = Scanner(detector=detector).check(target)
        if finding is None or not online:
            return finding
        if not self.online:
            raise PermissionError("this server runs offline; start it with `linkguard serve --online`")
        if not self._slots.acquire(blocking=False):
            raise Busy("all online investigation slots are busy")
        try:
            investigator = self._investigator_for(detector)
            verdict = investigator.investigate(finding.link, finding.verdict)
        finally:
            self._slots.release()
        return Finding(finding.link, verdict, finding.source, finding.line, finding.column)

    def spool(
        self,
        stream: IO[bytes],
        source: str,
        input_format: str | None = None,
        *,
        online: bool = False,
        saved_scan: bool = False,
    ) -> Spooled:
        """Copy ``stream`` to a file in the spool directory (bounded memory) and remember it."""
        path = self.spool_dir / uuid.uuid4().hex
        spooled = Spooled(uuid.uuid4().hex, path, source, input_format, False, online, saved_scan)
        with open(spooled.path, "wb") as out:
            while chunk := stream.read(limits.READ_BLOCK_BYTES):
                out.write(chunk)
        return self._remember(spooled)

    def spool_bytes(
        self,
        data: bytes,
        source: str,
        input_format: str | None = None,
        *,
        single: bool = False,
        online: bool = False,
        saved_scan: bool = False,
    ) -> Spooled:
        path = self.spool_dir / uuid.uuid4().hex
        spooled = Spooled(uuid.uuid4().hex, path, source, input_format, single, online, saved_scan)
        spooled.path.write_bytes(data)
        return self._remember(spooled)

    def _remember(self, spooled: Spooled) -> Spooled:
        with self._lock:
            self._results[spooled.id] = spooled
            while len(self._results) > self._results_kept:
                _, old = self._results.popitem(last=False)
                for path in (old.path, old.saved):
                    with suppress(OSError):
                        path.unlink()
        return spooled

    def spooled(self, result_id: str) -> Spooled | None:
        with self._lock:
            return self._results.get(result_id)

    def scan(self, spooled: Spooled, *, contexts: bool = True) -> tuple[Iterator[Finding], ScanStats]:
        """Findings of a spooled input, streamed, read exactly as ``linkguard scan`` reads a file.

        The caller must exhaust or close the iterator while holding :meth:`scanning`.
        """
        from linkguard.scan import Scanner

        scanner = Scanner(detector=self.detector(), contexts=contexts)
        return scanner.scan_records(_records(spooled, scanner.stats)), scanner.stats

    def scan_online(self, spooled: Spooled, *, contexts: bool = True) -> OnlineScan:
        """``linkguard scan --online`` of a spooled input: flagged and shortened links investigated,
        then clustered; every investigation is done before the first finding is given back.

        The whole scan takes one investigation slot (or raises :class:`Busy` at once) and the
        scan lock, as offline scans do; PermissionError when the server runs offline.
        """
        from linkguard.report.clustered import ClusterSpool
        from linkguard.scan import Scanner

        self._take_slot()
        held = ClusterSpool()
        try:
            with self._lock:
                detector = self.detector()
                investigator = self._investigator_for(detector)
                scanner = Scanner(detector=detector, contexts=contexts, investigator=investigator)
                for finding in scanner.scan_records(_records(spooled, scanner.stats)):
                    held.add(finding)
        except BaseException:
            held.close()
            raise
        finally:
            self._slots.release()
        findings = (finding for finding, _ in held.replay())
        return OnlineScan(findings, scanner.stats, held.clusters)

    def _take_slot(self) -> None:
        if not self.online:
            raise PermissionError("this server runs offline; start it with `linkguard serve --online`")
        if not self._slots.acquire(blocking=False):
            raise Busy("all online investigation slots are busy")

    def saved_findings(self, spooled: Spooled) -> tuple[Iterator[Finding], ScanStats, list[Cluster]]:
        """What an online page scan saved (``Spooled.saved``): its findings, counts and clusters."""
        with open(spooled.saved, "rb") as head:
            stats, clusters = pickle.load(head)  # written by this process (scan_for_page)
            start = head.tell()

        def findings() -> Iterator[Finding]:
            with open(spooled.saved, "rb") as saved:
                saved.seek(start)
                while True:
                    try:
                        finding: Finding = pickle.load(saved)
                    except EOFError:
                        return
                    yield finding

        return findings(), stats, clusters

    def scanning(self) -> threading.RLock:
        """Held for a whole scan: one at a time, so the detector's memo tables see one writer."""
        return self._lock

    def scan_for_page(self, spooled: Spooled, *, shown_max: int = limits.WEB_SHOWN_FINDINGS) -> ScanResult:
        """Flagged findings first (in input order), then the rest, at most ``shown_max`` in all.

        An online scan (``Spooled.online``) also saves all its findings for the report downloads;
        a saved scan (``Spooled.saved_scan``) is read as ``linkguard report`` reads it.
        """
        flagged: list[Finding] = []
        other: list[Finding] = []
        hidden = 0
        clusters: list[Cluster] = []
        findings: Iterator[Finding]
        with self._lock:
            if spooled.saved_scan:
                saved = SavedScan(spooled.path, spooled.source)
                findings, stats = (f for f, _ in saved.findings()), saved.stats
            elif spooled.online:
                online = self.scan_online(spooled)
                findings, stats, clusters = online.findings, online.stats, online.clusters
                findings = _saving(findings, spooled.saved, (stats, clusters))
            else:
                findings, stats = self.scan(spooled)
            for finding in findings:
                if finding.flagged and len(flagged) < shown_max:
                    flagged.append(finding)
                elif not finding.flagged and len(other) < shown_max:
                    other.append(finding)
                else:
                    hidden += 1
            if spooled.saved_scan:
                clusters = saved.clusters()
        shown = (flagged + other)[:shown_max]
        hidden += len(flagged) + len(other) - len(shown)
        return ScanResult(spooled, shown, stats, hidden, clusters)

    def close(self) -> None:
        with self._lock:
            self._retire_investigator()
            for cm in self._retired:
                cm.__exit__(None, None, None)
            self._retired.clear()
            if self._own_spool:
                import shutil

                shutil.rmtree(self.spool_dir, ignore_errors=True)


def _records(spooled: Spooled, stats: ScanStats) -> Iterator[Any]:
    """The spooled input's records, read exactly as ``linkguard scan`` reads a file."""
    from linkguard.inputs import read_stream

    stats.sources += 1
    with open(spooled.path, "rb") as raw:
        counting = _Counting(raw, stats)
        fmt = spooled.input_format
        yield from read_stream(counting, spooled.source, input_format=fmt, name=spooled.source)


def _saving(findings: Iterator[Finding], path: Path, head: tuple[Any, ...]) -> Iterator[Finding]:
    """``findings``, each also pickled to ``path`` after ``head`` (read back by ``saved_findings``)."""
    with open(path, "wb") as out:
        pickle.dump(head, out, protocol=pickle.HIGHEST_PROTOCOL)
        for finding in findings:
            pickle.dump(finding, out, protocol=pickle.HIGHEST_PROTOCOL)
            yield finding


class _Counting:
    """A raw file that counts what is read into the scan's ``bytes_read``, as ``scan`` does."""

    def __init__(self, raw: IO[bytes], stats: ScanStats) -> None:
        self.raw, self.stats = raw, stats

    def read(self, size: int = -1, /) -> bytes:
        data = self.raw.read(size)
        self.stats.bytes_read += len(data)
        return data
