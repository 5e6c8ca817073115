"""``/api/v1/``: check one link, scan a text or a file, health, and the OpenAPI document.

Findings are the JSON Lines contract (``Finding.to_dict()``), encoded by the same function the
``jsonl`` writer uses, so a tool reading the API and one reading ``linkguard scan`` see the same
objects. Scans run in a worker thread; their JSON is written to a spooled file and streamed back,
so neither the input nor the answer has to fit in memory.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, TYPE_CHECKING, Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from linkguard import __version__, limits
from linkguard.errors import InputError
from linkguard.inputs import FORMATS as INPUT_FORMATS
from linkguard.models import ScanStats
from linkguard.report.jsonl import dumps_bytes
from linkguard.web.engine import Busy, Engine, Spooled
from linkguard.web.openapi import openapi_document
from linkguard.web.problems import Problem

if TYPE_CHECKING:
    from linkguard.forensics.clusters import Cluster

_JSON_TYPES = ("application/json", "application/problem+json")
_STREAM_CHUNK = 64 << 10


def engine_of(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


def summary_dict(stats: ScanStats) -> dict[str, Any]:
    """What ``linkguard scan --summary FILE`` writes."""
    return stats.to_dict() | {"messages": stats.messages, "skipped_inputs": stats.skipped_inputs}


async def health(request: Request) -> Response:
    return JSONResponse({"status": "ok", "version": __version__, "online": engine_of(request).online})


async def openapi(request: Request) -> Response:
    return JSONResponse(openapi_document())


async def read_json(request: Request) -> dict[str, Any]:
    """The body as a JSON object; 415 for another media type, 400 for anything malformed."""
    media = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    if media not in _JSON_TYPES:
        raise Problem(415, "send the request body as application/json")
    raw = await request.body()
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise Problem(400, f"the body is not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise Problem(400, "the body must be a JSON object")
    return data


def run_check(engine: Engine, target: str, online: bool) -> dict[str, Any]:
    """The finding for ``target`` as a dict; Problems for what is not a link or cannot run now."""
    try:
        finding = engine.check(target, online=online)
    except (Busy, PermissionError) as exc:
        raise online_problem(exc) from None
    if finding is None:
        raise Problem(422, f"not a URL or domain: {target[:200]!r}")
    out: dict[str, Any] = finding.to_dict()
    return out


async def check(request: Request) -> Response:
    """``{"url": …, "online": false}`` → one finding, as ``linkguard check --format json`` prints it."""
    data = await read_json(request)
    target, online = data.get("url"), data.get("online", False)
    if not isinstance(target, str) or not target.strip():
        raise Problem(400, 'the body needs "url": a URL or domain as a string')
    if len(target) > limits.MAX_URL_CHARS:
        raise Problem(400, f'"url" is longer than {limits.MAX_URL_CHARS} characters')
    if not isinstance(online, bool):
        raise Problem(400, '"online" must be true or false')
    result = await run_check_async(engine_of(request), target, online)
    return Response(dumps_bytes(result), media_type="application/json")


async def run_check_async(engine: Engine, target: str, online: bool) -> dict[str, Any]:
    return await run_in_threadpool(run_check, engine, target, online)


def input_format_of(value: str | None) -> str | None:
    if value in (None, "", "auto"):
        return None
    if value not in INPUT_FORMATS:
        raise Problem(400, f"unknown input_format {value!r}; choose one of {', '.join(INPUT_FORMATS)}")
    return value


def online_of(value: str | None) -> bool:
    """The ``online`` query parameter or form field: network forensics only when asked for."""
    if value in (None, "", "false"):
        return False
    if value == "true":
        return True
    raise Problem(400, '"online" must be true or false')


def online_problem(exc: Busy | PermissionError) -> Problem:
    """What a client is told when an online check or scan cannot run now (503) or here (400)."""
    if isinstance(exc, Busy):
        return Problem(
            503, "all online investigation slots are busy; try again shortly", headers={"Retry-After": "5"}
        )
    return Problem(400, str(exc))


def clean_source(name: str | None, default: str) -> str:
    """A file name a client sent, as a finding's ``source``: its last path part, printable, short."""
    if not name:
        return default
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if c.isprintable())[:200].strip()
    return name or default


async def scan(request: Request) -> Response:
    """A text body (any input format ``scan`` reads, compressed or not) or a multipart ``file``.

    Query: ``input_format`` (default: sniffed, as ``scan`` does), ``source`` (the name findings
    carry; default the upload's file name, else ``body``), ``online`` (``true``: ``scan --online``,
    with its infrastructure clusters; needs ``serve --online``).
    """
    engine = engine_of(request)
    spooled, online = await _receive(request, engine)
    try:
        answer = await run_in_threadpool(_scan_to_file, engine, spooled, online)
    except (Busy, PermissionError) as exc:
        raise online_problem(exc) from None
    return StreamingResponse(_stream(answer), media_type="application/json")


async def report(request: Request) -> Response:
    """A JSON Lines scan saved by ``linkguard scan`` (the body or a multipart ``file``), rendered as
    ``linkguard report --format json`` renders it: its findings as saved, the counts of reading
    them, and the infrastructure clusters its findings name (``clusters``, when there are any)."""
    engine = engine_of(request)
    spooled, _ = await _receive(request, engine, saved_scan=True)
    try:
        answer = await run_in_threadpool(_report_to_file, spooled)
    except InputError as exc:
        raise Problem(422, str(exc)) from None
    return StreamingResponse(_stream(answer), media_type="application/json")


async def _receive(request: Request, engine: Engine, *, saved_scan: bool = False) -> tuple[Spooled, bool]:
    """The input of a scan (or a saved scan to render), spooled to disk, and whether it is to be
    scanned online; the query's ``input_format``, ``source``, ``online``, or the form's fields."""
    fmt = input_format_of(request.query_params.get("input_format"))
    source = request.query_params.get("source")
    online = online_of(request.query_params.get("online"))
    media = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    if media == "multipart/form-data":
        async with request.form(max_part_size=limits.WEB_MAX_PASTE_BYTES) as form:
            upload = form.get("file")
            if not isinstance(upload, UploadFile):
                raise Problem(400, 'a multipart scan needs the input as a file field named "file"')
            field_format = form.get("input_format")
            if isinstance(field_format, str) and fmt is None:
                fmt = input_format_of(field_format)
            field_online = form.get("online")
            if isinstance(field_online, str) and not online:
                online = online_of(field_online)
            name = clean_source(source or upload.filename, "upload")
            file: IO[bytes] = upload.file
            spooled = await run_in_threadpool(
                lambda: engine.spool(file, name, fmt, online=online, saved_scan=saved_scan)
            )
    else:
        with tempfile.SpooledTemporaryFile(max_size=1 << 20) as buffer:
            async for chunk in request.stream():
                buffer.write(chunk)
            buffer.seek(0)
            name = clean_source(source, "body")
            spooled = await run_in_threadpool(
                lambda: engine.spool(buffer, name, fmt, online=online, saved_scan=saved_scan)
            )
    return spooled, online


def _scan_to_file(engine: Engine, spooled: Spooled, online: bool = False) -> IO[bytes]:
    """``{"findings": [...], "summary": {...}}`` for every link, written to a spooled file; an
    online scan adds ``"clusters": [...]`` when it found any, as ``scan --online --format json``."""
    out: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=4 << 20)
    clusters: list[Cluster] = []
    with engine.scanning(), _closed_on_error(out):
        if online:
            scanned = engine.scan_online(spooled, contexts=False)
            findings, stats, clusters = scanned.findings, scanned.stats, scanned.clusters
        else:
            findings, stats = engine.scan(spooled, contexts=False)  # as `scan --format jsonl` does
        out.write(b'{"findings":[')
        for n, finding in enumerate(findings):
            if n:
                out.write(b",")
            out.write(dumps_bytes(finding.to_dict()))
        out.write(b'],"summary":' + dumps_bytes(summary_dict(stats)))
        if clusters:
            out.write(b',"clusters":' + dumps_bytes([c.to_dict() for c in clusters]))
        out.write(b"}")
    out.seek(0)
    return out


def _report_to_file(spooled: Spooled) -> IO[bytes]:
    """``{"findings": [...], "summary": {...}[, "clusters": [...]]}`` of a saved scan, to a spooled
    file; InputError (before anything is written) when it is not a linkguard scan."""
    from linkguard.web.engine import SavedScan

    out: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=4 << 20)
    saved = SavedScan(spooled.path, spooled.source)
    with _closed_on_error(out):
        findings = saved.findings()
        first = next(findings, None)  # a file that is no linkguard scan fails here
        out.write(b'{"findings":[')
        if first is not None:
            out.write(dumps_bytes(first[0].to_dict()))
            for finding, _ in findings:
                out.write(b"," + dumps_bytes(finding.to_dict()))
        out.write(b'],"summary":' + dumps_bytes(summary_dict(saved.stats)))
        clusters = saved.clusters()
        if clusters:
            out.write(b',"clusters":' + dumps_bytes([c.to_dict() for c in clusters]))
        out.write(b"}")
    out.seek(0)
    return out


@contextmanager
def _closed_on_error(file: IO[bytes]) -> Iterator[None]:
    try:
        yield
    except BaseException:
        file.close()
        raise


def _stream(file: IO[bytes]) -> Iterator[bytes]:
    try:
        while chunk := file.read(_STREAM_CHUNK):
            yield chunk
    finally:
        file.close()


ROUTES = [
    Route("/api/v1/health", health, methods=["GET"]),
    Route("/api/v1/openapi.json", openapi, methods=["GET"]),
    Route("/api/v1/check", check, methods=["POST"]),
    Route("/api/v1/scan", scan, methods=["POST"]),
    Route("/api/v1/report", report, methods=["POST"]),
]
