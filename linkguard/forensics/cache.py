"""SQLite cache of network answers (walks, RDAP/WHOIS, DNS), so re-scanning a dump is polite and fast.

One table keyed by ``(kind, key)`` with a JSON value and the time it was stored; entries older
than the TTL are ignored on read and removed by ``purge``. One connection guarded by a lock makes
it safe to share between the investigator's worker threads; WAL mode lets two processes share it.

The cache is an optimisation, never a reason to fail: a corrupt, truncated or read-only file
(or directory) is reported once through ``on_error`` and the run carries on without it.
``clear`` removes the files themselves, so it works on a cache SQLite cannot open.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from linkguard import limits
from linkguard.paths import cache_dir

CACHE_FILE = "forensics.sqlite3"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS entries (
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    stored REAL NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (kind, key)
)
"""


_log = logging.getLogger(__name__)
#: SQLite's companions of a WAL-mode database file.
_SIDE_FILES = ("-wal", "-shm", "-journal")


def _exists(path: Path) -> bool:
    """``Path.exists`` that says False instead of raising when a directory cannot be searched."""
    try:
        return path.exists()
    except OSError:
        return False


def default_cache_path() -> Path:
    return cache_dir() / CACHE_FILE


class ForensicsCache:
    def __init__(
        self,
        path: Path | str | None = None,
        *,
        ttl: float = limits.CACHE_TTL_S,
        clock: Callable[[], float] = time.time,
        on_error: Callable[[str], None] | None = None,
    ) -> None:
        self.path = Path(path) if path is not None else default_cache_path()
        self.ttl = ttl
        self._clock = clock
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None
        self._on_error = on_error or _log.warning
        #: Why the cache is out of use for this run (None: it works); set on the first fault.
        self.broken: str | None = None

    def _db(self) -> sqlite3.Connection:
        # opened lazily so that `cache info` on a machine that never cached creates nothing
        if self._conn is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, check_same_thread=False, timeout=10.0, isolation_level=None)
            try:
                conn.execute("PRAGMA journal_mode=WAL")
                conn.execute(_SCHEMA)
                conn.execute("SELECT count(*) FROM entries WHERE 0").fetchone()
            except BaseException:
                conn.close()
                raise
            self._conn = conn
        return self._conn

    def _fault(self, exc: BaseException) -> None:
        """Take the cache out of use for this run and say so once (caller holds the lock)."""
        if self.broken is not None:
            return
        reason = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        self.broken = reason
        if self._conn is not None:
            with contextlib.suppress(sqlite3.Error):
                self._conn.close()
            self._conn = None
        self._on_error(
            f"the network-results cache {self.path} is unusable ({reason}); carrying on without it "
            "(`linkguard cache clear` removes it)"
        )

    def get(self, kind: str, key: str) -> Any | None:
        with self._lock:
            if self.broken is not None:
                return None
            try:
                row = (
                    self._db()
                    .execute("SELECT stored, value FROM entries WHERE kind = ? AND key = ?", (kind, key))
                    .fetchone()
                )
            except (sqlite3.Error, OSError) as exc:
                self._fault(exc)
                return None
        try:
            if row is None or self._clock() - float(row[0]) > self.ttl:
                return None
            return json.loads(row[1])
        except (ValueError, TypeError):
            return None

    def set(self, kind: str, key: str, value: Any) -> None:
        text = json.dumps(value, ensure_ascii=False, sort_keys=True)
        with self._lock:
            if self.broken is not None:
                return
            try:
                self._db().execute(
                    "INSERT OR REPLACE INTO entries (kind, key, stored, value) VALUES (?, ?, ?, ?)",
                    (kind, key, self._clock(), text),
                )
            except (sqlite3.Error, OSError) as exc:
                self._fault(exc)

    def clear(self) -> int | None:
        """Remove every entry; returns how many there were (None: the file was unreadable and removed).

        A cache SQLite cannot use is deleted file by file; ``OSError`` if even that is impossible.
        """
        if self._conn is None and not _exists(self.path):
            return 0
        with self._lock:
            try:
                cur = self._db().execute("DELETE FROM entries")
                self._db().execute("VACUUM")
                return int(cur.rowcount)
            except (sqlite3.Error, OSError):
                if self._conn is not None:
                    with contextlib.suppress(sqlite3.Error):
                        self._conn.close()
                    self._conn = None
            for suffix in ("", *_SIDE_FILES):
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(f"{self.path}{suffix}")
            return None

    def purge(self) -> int:
        """Remove expired entries; returns how many (0 when the cache is unusable)."""
        if self._conn is None and not _exists(self.path):
            return 0
        with self._lock:
            if self.broken is not None:
                return 0
            try:
                cur = self._db().execute("DELETE FROM entries WHERE stored < ?", (self._clock() - self.ttl,))
            except (sqlite3.Error, OSError) as exc:
                self._fault(exc)
                return 0
            return int(cur.rowcount)

    def info(self) -> dict[str, Any]:
        """Path, size, and live/expired entry counts per kind (for ``linkguard cache info``)."""
        out: dict[str, Any] = {"path": str(self.path), "exists": _exists(self.path), "ttl_s": self.ttl}
        if not out["exists"] and self._conn is None:
            out.update(bytes=0, entries=0, expired=0, kinds={})
            return out
        cutoff = self._clock() - self.ttl
        try:
            out["bytes"] = self.path.stat().st_size
        except OSError:
            out["bytes"] = 0
        with self._lock:
            try:
                rows = (
                    self._db()
                    .execute(
                        "SELECT kind, SUM(stored >= ?), SUM(stored < ?) FROM entries GROUP BY kind",
                        (cutoff, cutoff),
                    )
                    .fetchall()
                )
            except (sqlite3.Error, OSError) as exc:
                reason = f"{type(exc).__name__}: {exc}"
                out.update(entries=0, expired=0, kinds={}, error=reason)
                return out
        out["kinds"] = {kind: int(live or 0) for kind, live, _ in rows}
        out["entries"] = sum(out["kinds"].values())
        out["expired"] = sum(int(expired or 0) for _, _, expired in rows)
        return out

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def __enter__(self) -> ForensicsCache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
