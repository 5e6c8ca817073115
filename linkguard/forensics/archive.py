"""Evidence that lasts: every exchange of an investigation as WARC 1.1, with a manifest to cite.

A finding is only as good as what a reader can check later. With ``--evidence DIR`` every
request linkguard sent (each hop of each visitor profile, RDAP and WHOIS) is kept as one WARC
``response`` record in ``DIR/linkguard-<time>.warc.gz`` (the web archives' format, read by
``warcio``, pywb, Wayback tools), and ``DIR/manifest.json`` lists each exchange: URL, time,
address, SHA-256 of the body, the WARC record id, the link it was for; plus the tool's version
and the options of the run. Each finding's evidence names its records (kind ``archive``).

The archive keeps what linkguard *read*: bodies after ``Content-Encoding`` was undone, cut at
the caps (``WARC-Truncated: length``); the original coding is kept as ``X-Archive-Orig-*``
headers, as pywb does. A request that got no answer is listed in the manifest with its error
but has no record. Screenshots (``--screenshot``) are PNG files beside the WARC, listed with their
SHA-256 under ``screenshots``.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import io
import json
import os
import threading
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from linkguard.errors import InputError
from linkguard.forensics.fetch import ClientProfile, FetchResult
from linkguard.models import Evidence

MANIFEST = "manifest.json"
#: Headers that describe the wire form of the body, not the body kept: renamed in the record.
_WIRE_HEADERS = frozenset({"content-encoding", "transfer-encoding", "content-length"})


@dataclass(frozen=True, slots=True)
class Exchange:
    """One request and what came of it, as listed in the manifest."""

    url: str
    time: str
    ip: str
    kind: str  # "http" or "whois"
    profile: str | None
    status: int | None
    sha256: str | None
    bytes: int
    truncated: bool
    record_id: str | None
    warc_file: str | None
    link: str | None
    error: str | None = None
    #: The certificate of an HTTPS exchange (``TlsFacts.to_dict``), valid or not.
    tls: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _digest(body: bytes) -> tuple[str, str]:
    """(hex SHA-256 for the manifest, ``sha256:BASE32`` for the WARC header)."""
    raw = hashlib.sha256(body).digest()
    return raw.hex(), "sha256:" + base64.b32encode(raw).decode("ascii")


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class EvidenceArchive:
    """Writes one WARC file and the manifest for one run; thread-safe (investigations run in parallel).

    ``collect(link)`` marks the exchanges made on this thread as belonging to ``link``, so each
    finding can name its own records.
    """

    def __init__(self, directory: Path, *, version: str, options: Mapping[str, Any]) -> None:
        from warcio.warcwriter import WARCWriter  # late: only runs that keep evidence need it

        self.directory = directory
        try:
            directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise InputError(
                f"{directory}: cannot create the evidence directory: {exc.strerror or exc}"
            ) from None
        if (directory / MANIFEST).exists():
            raise InputError(
                f"{directory} already holds evidence ({MANIFEST}); "
                "give a new directory: nothing is overwritten"
            )
        self.created = datetime.now(UTC)
        self.warc_name = f"linkguard-{self.created.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}.warc.gz"
        self.version = version
        self.options = dict(options)
        try:
            self._file = open(directory / self.warc_name, "xb")
        except OSError as exc:
            raise InputError(f"{directory}: cannot write the evidence: {exc.strerror or exc}") from None
        self._writer = WARCWriter(self._file, gzip=True, warc_version="1.1")
        self._lock = threading.Lock()
        self._local = threading.local()
        self._exchanges: list[Exchange] = []
        self._screenshots: list[dict[str, Any]] = []
        self._closed = False
        info = {
            "software": f"linkguard/{version}",
            "format": "WARC File Format 1.1",
            "isPartOf": self.warc_name,
        }
        self._write(self._writer.create_warcinfo_record(self.warc_name, info))

    # --- recording (the Fetcher's ``Recorder``) --------------------------------------------------

    @contextlib.contextmanager
    def collect(self, link: str) -> Iterator[list[Exchange]]:
        """Exchanges made on this thread until the block ends are ``link``'s; yields their list."""
        mine: list[Exchange] = []
        previous = getattr(self._local, "current", None)
        self._local.current = (link, mine)
        try:
            yield mine
        finally:
            self._local.current = previous

    def http(
        self,
        url: str,
        profile: ClientProfile,
        request_headers: Mapping[str, str],
        started: datetime,
        result: FetchResult | None,
        error: str | None = None,
        address: str = "",
    ) -> None:
        from warcio.statusandheaders import StatusAndHeaders

        if result is None:
            self._add(url, started, address, "http", profile.name, None, None, error)
            return
        headers: list[tuple[str, str]] = []
        for name, value in result.raw_headers or tuple(result.headers.items()):
            wire = name.lower() in _WIRE_HEADERS
            headers.append((f"X-Archive-Orig-{name}" if wire else name, value))
        headers.append(("Content-Length", str(len(result.body))))
        status_line = f"{result.status} {result.reason}".strip()
        http_headers = StatusAndHeaders(status_line, headers, protocol=result.http_version)
        extra = {"WARC-Truncated": "length"} if result.truncated else {}
        self._add(
            url,
            started,
            result.address,
            "http",
            profile.name,
            result.status,
            result.body,
            error,
            http_headers,
            extra,
            tls=result.tls.to_dict() if result.tls is not None else None,
        )

    def whois(
        self,
        server: tuple[str, int],
        address: str,
        query: str,
        answer: bytes,
        started: datetime,
        error: str | None = None,
    ) -> None:
        host, port = server
        url = f"whois://{host}:{port}/{query}"
        self._add(url, started, address, "whois", None, None, answer, error, content_type="text/plain")

    def _add(
        self,
        url: str,
        started: datetime,
        address: str,
        kind: str,
        profile: str | None,
        status: int | None,
        body: bytes | None,
        error: str | None,
        http_headers: Any = None,
        extra: Mapping[str, str] | None = None,
        content_type: str = "",
        tls: dict[str, Any] | None = None,
    ) -> None:
        current = getattr(self._local, "current", None)
        link = current[0] if current is not None else None
        record_id = sha = None
        if body is not None and not self._closed:
            sha, warc_digest = _digest(body)
            warc_headers = {
                "WARC-Date": _stamp(started),
                "WARC-Payload-Digest": warc_digest,
                **({"WARC-IP-Address": address} if address else {}),
                **(extra or {}),
            }
            record = self._writer.create_warc_record(
                url,
                "response",
                payload=io.BytesIO(body),
                length=len(body),
                warc_content_type=content_type,
                warc_headers_dict=warc_headers,
                http_headers=http_headers,
            )
            record_id = record.rec_headers.get_header("WARC-Record-ID")
            self._write(record)
        exchange = Exchange(
            url=url,
            time=_stamp(started),
            ip=address,
            kind=kind,
            profile=profile,
            status=status,
            sha256=sha,
            bytes=len(body) if body is not None else 0,
            truncated=bool(extra and "WARC-Truncated" in extra),
            record_id=record_id,
            warc_file=self.warc_name if record_id else None,
            link=link,
            error=error,
            tls=tls,
        )
        with self._lock:
            self._exchanges.append(exchange)
        if current is not None:
            current[1].append(exchange)

    def _write(self, record: Any) -> None:
        with self._lock:
            if not self._closed:
                self._writer.write_record(record)

    # --- what a finding cites ---------------------------------------------------------------------

    def evidence(self, exchanges: list[Exchange]) -> Evidence | None:
        """One ``archive`` evidence item naming the records (and failures) of one link."""
        if not exchanges:
            return None
        kept = [e for e in exchanges if e.record_id]
        detail = (
            f"{len(kept)} exchange(s) archived as WARC 1.1 in {self.directory / self.warc_name}"
            + (f" ({len(exchanges) - len(kept)} without an answer)" if len(kept) < len(exchanges) else "")
            + f"; SHA-256 of each body in {self.directory / MANIFEST}"
        )
        records = self.records(exchanges)
        data = {
            "warc": self.warc_name,
            "manifest": MANIFEST,
            "directory": str(self.directory),
            "records": records,
        }
        return Evidence("archive", detail, data)

    @staticmethod
    def records(exchanges: list[Exchange]) -> list[dict[str, Any]]:
        """What a finding cites of each exchange: URL, time, address, record id, hash, error."""
        keep = ("url", "time", "ip", "profile", "record_id", "sha256", "error")
        return [{k: v for k, v in e.to_dict().items() if k in keep} for e in exchanges]

    def screenshot(self, link: str, url: str, png: bytes, details: Mapping[str, Any]) -> dict[str, Any]:
        """Keep a rendered page as ``DIR/screenshot-<n>-<sha>.png``; listed in the manifest with its hash."""
        sha = hashlib.sha256(png).hexdigest()
        with self._lock:
            name = f"screenshot-{len(self._screenshots) + 1:04d}-{sha[:12]}.png"
            entry = {"file": name, "sha256": sha, "bytes": len(png), "link": link, "url": url}
            entry |= {"time": _stamp(datetime.now(UTC)), **details}
            self._screenshots.append(entry)
        try:
            with open(self.directory / name, "xb") as out:
                out.write(png)
        except OSError as exc:
            raise InputError(
                f"{self.directory}: cannot write the screenshot: {exc.strerror or exc}"
            ) from None
        return entry

    def close(self) -> None:
        """Finish the WARC file and write the manifest (once)."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self._file.close()
            manifest = {
                "tool": "linkguard",
                "version": self.version,
                "created": _stamp(self.created),
                "finished": _stamp(datetime.now(UTC)),
                "warc_version": "WARC/1.1",
                "warc_files": [self.warc_name],
                "options": self.options,
                "exchanges": [e.to_dict() for e in self._exchanges],
                "screenshots": list(self._screenshots),
            }
        path = self.directory / MANIFEST
        tmp = path.with_name(MANIFEST + ".tmp")
        tmp.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        tmp.replace(path)
