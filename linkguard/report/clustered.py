"""Hold an online scan's findings back until it ends, so each can name its infrastructure cluster.

A cluster is known only when every investigation is done, while a report is written finding by
finding. The findings are spooled to a temporary file (pickled: this process's own objects, read
back only by it), the clusters are computed from the facts the collector kept on the way, and the
findings are then replayed, in input order, with their ``cluster`` evidence: into the real writer
(``scan --online``) or into the web API's answer and page (``serve --online``).
Memory stays flat: the collector keeps a few facts per flagged domain, the spool is on disk.
"""

from __future__ import annotations

import pickle
import tempfile
from collections.abc import Iterator
from typing import TextIO

from linkguard.forensics.clusters import Cluster, ClusterCollector, index, with_cluster
from linkguard.models import Finding, ScanStats
from linkguard.report.base import Reporter

#: The spool stays in memory up to this size, then moves to a temporary file.
_SPOOL_BYTES = 4 << 20


class ClusterSpool:
    """Findings held (``add``) until ``replay`` gives them back with their clusters, once."""

    def __init__(self) -> None:
        self.collector = ClusterCollector()
        # closed by replay() or close(): its life spans add() calls, so no with-block fits
        self._spool = tempfile.SpooledTemporaryFile(max_size=_SPOOL_BYTES)
        self._count = 0
        #: The scan's clusters, largest first; set by ``replay``.
        self.clusters: list[Cluster] = []

    @property
    def closed(self) -> bool:
        return self._spool.closed

    def add(self, finding: Finding, context: str | None = None) -> None:
        self.collector.add(finding)
        pickle.dump((finding, context), self._spool, protocol=pickle.HIGHEST_PROTOCOL)
        self._count += 1

    def replay(self) -> Iterator[tuple[Finding, str | None]]:
        """Cluster now (``clusters``), then each finding with its ``cluster`` evidence, in input
        order; the spool is closed once they are all read (or by ``close``)."""
        self.clusters = self.collector.clusters()
        by_domain = index(self.clusters)
        spool, count = self._spool, self._count
        spool.seek(0)

        def findings() -> Iterator[tuple[Finding, str | None]]:
            with spool:
                for _ in range(count):
                    finding, context = pickle.load(spool)  # written by this process, above
                    yield with_cluster(finding, by_domain), context

        return findings()

    def close(self) -> None:
        self._spool.close()


class ClusteringWriter:
    """The writer API (``add``, ``close``) around a ``Reporter``: cluster first, then write."""

    def __init__(self, writer: Reporter) -> None:
        self.writer = writer
        self.held = ClusterSpool()

    @property
    def out(self) -> TextIO:
        return self.writer.out

    def add(self, finding: Finding, context: str | None = None) -> None:
        self.held.add(finding, context)

    def close(self, stats: ScanStats) -> None:
        """Cluster, replay the findings into the writer, close it; calling it twice is harmless."""
        if self.held.closed:
            return
        try:
            for finding, context in self.held.replay():
                self.writer.add(finding, context)
        finally:
            self.held.close()
        self.writer.set_clusters(self.held.clusters)
        self.writer.close(stats)
