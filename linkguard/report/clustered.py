"""Hold an online scan's findings back until it ends, so each can name its infrastructure cluster.

A cluster is known only when every investigation is done, while a report is written finding by
finding. The findings are spooled to a temporary file (pickled: this process's own objects, read
back only by it), the clusters are computed from the facts the collector kept on the way, and the
findings are then replayed, in input order, into the real writer with their ``cluster`` evidence.
Memory stays flat: the collector keeps a few facts per flagged domain, the spool is on disk.
"""

from __future__ import annotations

import pickle
import tempfile
from typing import TextIO

from linkguard.forensics.clusters import ClusterCollector, index, with_cluster
from linkguard.models import Finding, ScanStats
from linkguard.report.base import Reporter

#: The spool stays in memory up to this size, then moves to a temporary file.
_SPOOL_BYTES = 4 << 20


class ClusteringWriter:
    """The writer API (``add``, ``close``) around a ``Reporter``: cluster first, then write."""

    def __init__(self, writer: Reporter) -> None:
        self.writer = writer
        self.collector = ClusterCollector()
        # closed in close(): its life spans add() calls, so no with-block fits
        self._spool = tempfile.SpooledTemporaryFile(max_size=_SPOOL_BYTES)
        self._count = 0

    @property
    def out(self) -> TextIO:
        return self.writer.out

    def add(self, finding: Finding, context: str | None = None) -> None:
        self.collector.add(finding)
        pickle.dump((finding, context), self._spool, protocol=pickle.HIGHEST_PROTOCOL)
        self._count += 1

    def close(self, stats: ScanStats) -> None:
        """Cluster, replay the findings into the writer, close it; calling it twice is harmless."""
        if self._spool.closed:
            return
        clusters = self.collector.clusters()
        by_domain = index(clusters)
        with self._spool as spool:
            spool.seek(0)
            for _ in range(self._count):
                finding, context = pickle.load(spool)  # written by this process, above
                self.writer.add(with_cluster(finding, by_domain), context)
        self.writer.set_clusters(clusters)
        self.writer.close(stats)
