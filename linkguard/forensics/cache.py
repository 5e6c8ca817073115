"""SQLite cache of network answers (walks, RDAP/WHOIS, DNS), so re-scanning a dump is polite and fast.

One table keyed by ``(kind, key)`` with a JSON value and the time it was stored; entries older
than the TTL are ignored on read and removed by ``purge``. One connection guarded by a lock makes
it safe to share between the investigator's worker threads; WAL mode lets two processes share it.
"""

from __future__ import annotations

import json
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


def default_cache_path() -> Path:
    return cache_dir() / CACHE_FILE


class ForensicsCache:
    def __init__(
        self,
        path: Path | str | None = None,
        *,
        ttl: float = limits.CACHE_TTL_S,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.path = Path(path) if path is not None else default_cache_path()
        self.ttl = ttl
        self._clock = clock
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None

    def _db(self) -> sqlite3.Connection:
        # opened lazily so that `cache info` on a machine that never cached creates nothing
        if self._conn is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, check_same_thread=False, timeout=10.0, isolation_level=None)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute(_SCHEMA)
            self._conn = conn
        return self._conn

    def get(self, kind: str, key: str) -> Any | None:
        with self._lock:
            row = (
                self._db()
                .execute("SELECT stored, value FROM entries WHERE kind = ? AND key = ?", (kind, key))
                .fetchone()
            )
        if row is None or self._clock() - float(row[0]) > self.ttl:
            return None
        try:
            return json.loads(row[1])
        except ValueError:
            return None

    def set(self, kind: str, key: str, value: Any) -> None:
        text = json.dumps(value, ensure_ascii=False, sort_keys=True)
        with self._lock:
            self._db().execute(
                "INSERT OR REPLACE INTO entries (kind, key, stored, value) VALUES (?, ?, ?, ?)",
                (kind, key, self._clock(), text),
            )

    def clear(self) -> int:
        """Remove every entry; returns how many there were."""
        if self._conn is None and not self.path.exists():
            return 0
        with self._lock:
            cur = self._db().execute("DELETE FROM entries")
            self._db().execute("VACUUM")
            return int(cur.rowcount)

    def purge(self) -> int:
        """Remove expired entries; returns how many."""
        if self._conn is None and not self.path.exists():
            return 0
        with self._lock:
            cur = self._db().execute("DELETE FROM entries WHERE stored < ?", (self._clock() - self.ttl,))
            return int(cur.rowcount)

    def info(self) -> dict[str, Any]:
        """Path, size, and live/expired entry counts per kind (for ``linkguard cache info``)."""
        out: dict[str, Any] = {"path": str(self.path), "exists": self.path.exists(), "ttl_s": self.ttl}
        if not out["exists"] and self._conn is None:
            out.update(bytes=0, entries=0, expired=0, kinds={})
            return out
        cutoff = self._clock() - self.ttl
        with self._lock:
            rows = (
                self._db()
                .execute(
                    "SELECT kind, SUM(stored >= ?), SUM(stored < ?) FROM entries GROUP BY kind",
                    (cutoff, cutoff),
                )
                .fetchall()
            )
        out["bytes"] = self.path.stat().st_size if self.path.exists() else 0
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
