"""The page for people: paste or upload, see each link's verdict and evidence, download reports,
edit the rules. Server-rendered (Jinja2, autoescaped); the only script is ``static/app.js``, for
the per-link online check.

CSRF: double-submit. A random token lives in an HttpOnly, SameSite=Strict cookie and in a hidden
field of every form (or the ``X-CSRF-Token`` header of the script's requests); a POST without the
two matching is refused with 403 before anything runs.
"""

from __future__ import annotations

import hmac
import secrets
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from linkguard import __version__, limits
from linkguard.errors import InputError
from linkguard.models import Finding, ScanStats
from linkguard.report.defang import defang, defang_text
from linkguard.report.sanitize import one_line, visible
from linkguard.report.snippet import make_snippet
from linkguard.web import rulesview
from linkguard.web.api import clean_source, engine_of, input_format_of, run_check
from linkguard.web.engine import Busy, Engine, SavedScan, ScanResult, Spooled
from linkguard.web.problems import Problem

if TYPE_CHECKING:
    from linkguard.forensics.clusters import Cluster

CSRF_COOKIE = "linkguard_csrf"
CSRF_FIELD = "csrf"
CSRF_HEADER = "x-csrf-token"
HERE = Path(__file__).parent
_ENV = Environment(
    loader=FileSystemLoader(HERE / "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)
#: Report downloads: format → (file name, media type).
DOWNLOADS = {
    "html": ("linkguard-report.html", "text/html; charset=utf-8"),
    "csv": ("linkguard-report.csv", "text/csv; charset=utf-8"),
    "jsonl": ("linkguard-report.jsonl", "application/jsonl"),
    "stix": ("linkguard-report.stix.json", "application/json"),
    "xlsx": ("linkguard-report.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}
#: The HTML report styles itself inline; as a download it runs sandboxed and loads nothing.
_REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
#: The page's "Format" choice for a JSON Lines scan saved by ``linkguard scan``, to be rendered.
SAVED_SCAN = "saved-scan"
_VERDICT_WORDS = {
    "malicious": "Malicious",
    "suspicious": "Suspicious",
    "shortened": "Shortened link",
    "trusted": "Trusted outlet",
    "unknown": "Unknown",
}


# -- CSRF ------------------------------------------------------------------------------------------
def csrf_token(request: Request) -> str:
    token = request.cookies.get(CSRF_COOKIE, "")
    if len(token) < 32:
        token = getattr(request.state, "new_csrf", "") or secrets.token_urlsafe(32)
        request.state.new_csrf = token
    return token


def _with_csrf_cookie(request: Request, response: Response) -> Response:
    new = getattr(request.state, "new_csrf", "")
    if new:
        response.set_cookie(CSRF_COOKIE, new, httponly=True, samesite="strict", path="/")
    return response


def check_csrf(request: Request, given: object) -> None:
    cookie = request.cookies.get(CSRF_COOKIE, "")
    if not (isinstance(given, str) and cookie and len(cookie) >= 32 and hmac.compare_digest(given, cookie)):
        raise Problem(403, "the form's CSRF token is missing or wrong; reload the page and try again")


# -- rendering -------------------------------------------------------------------------------------
def render(
    request: Request, name: str, status: int = 200, headers: dict[str, str] | None = None, **context: Any
) -> Response:
    engine = engine_of(request)
    page = _ENV.get_template(name).render(
        csrf=csrf_token(request), online=engine.online, version=__version__, path=request.url.path, **context
    )
    return _with_csrf_cookie(request, HTMLResponse(page, status_code=status, headers=headers))


def render_error(
    request: Request, status: int, title: str, detail: str, headers: dict[str, str] | None = None
) -> Response:
    return render(request, "error.html", status=status, headers=headers, title=title, detail=detail)


def finding_view(finding: Finding) -> dict[str, Any]:
    """What the page shows of a finding: defanged, invisible characters made visible."""
    link, verdict = finding.link, finding.verdict
    snippet = make_snippet(finding, finding.context) if finding.context else None
    outlet = verdict.impersonates
    return {
        "text": one_line(defang(link.text)),
        "url": link.url,
        "link": one_line(defang(link.url)),
        "host": one_line(defang(link.host_unicode if link.host_unicode != link.host else link.host)),
        "punycode": one_line(defang(link.host)) if link.host_unicode != link.host else "",
        "via": [one_line(defang(v)) for v in link.via],
        "status": verdict.status,
        "verdict": _VERDICT_WORDS.get(verdict.status, verdict.status),
        "flagged": verdict.flagged,
        "score": verdict.score,
        "imitates": one_line(outlet.title) if outlet is not None else "",
        "techniques": [one_line(t) for t in verdict.techniques],
        "obfuscation": list(link.obfuscation),
        "evidence": [(one_line(e.kind), one_line(defang_text(e.detail))) for e in verdict.evidence],
        # a link asked about on its own has no place in a text ("argv:1:1" means nothing here)
        "where": "" if finding.source == "argv" else f"{finding.source}:{finding.line}:{finding.column}",
        "before": visible(defang_text(snippet.before)) if snippet else "",
        "match": one_line(defang(snippet.match)) if snippet and snippet.match else "",
        "after": visible(defang_text(snippet.after)) if snippet else "",
    }


# -- routes ----------------------------------------------------------------------------------------
async def index(request: Request) -> Response:
    return render(request, "index.html", result=None, text="")


def _single_target(text: str) -> bool:
    """One word pasted (a URL or a domain): checked like ``linkguard check``, not scanned."""
    stripped = text.strip()
    return bool(stripped) and not any(c.isspace() for c in stripped) and len(stripped) <= limits.MAX_URL_CHARS


async def scan_page(request: Request) -> Response:
    engine = engine_of(request)
    async with request.form(max_part_size=limits.WEB_MAX_PASTE_BYTES) as form:
        check_csrf(request, form.get(CSRF_FIELD))
        text = form.get("text")
        text = text if isinstance(text, str) else ""
        chosen = _field(form, "input_format")
        saved_scan = chosen == SAVED_SCAN  # rendered as `linkguard report` renders it
        fmt = None if saved_scan else input_format_of(chosen)
        online = _field(form, "online") == "on" and not saved_scan  # the "investigate online" box
        if online and not engine.online:
            return render_error(
                request, 400, "Offline server", "Start it with `linkguard serve --online` to scan online."
            )
        upload = form.get("file")
        if isinstance(upload, UploadFile) and upload.filename:
            source = clean_source(upload.filename, "upload")
            spooled = await run_in_threadpool(
                lambda: engine.spool(upload.file, source, fmt, online=online, saved_scan=saved_scan)
            )
        elif not text.strip():
            return render(
                request,
                "index.html",
                status=400,
                result=None,
                text="",
                error="Paste something or choose a file.",
            )
        elif _single_target(text) and fmt is None and not (online or saved_scan):
            return await _single(request, engine, text)
        else:
            data = text.replace("\r\n", "\n").encode("utf-8", "surrogatepass")
            spooled = await run_in_threadpool(
                lambda: engine.spool_bytes(data, "paste", fmt, online=online, saved_scan=saved_scan)
            )
    try:
        result = await run_in_threadpool(engine.scan_for_page, spooled)
    except Busy:
        return render_error(
            request,
            503,
            "Busy",
            "All online investigation slots are busy; try again shortly.",
            headers={"Retry-After": "5"},
        )
    except InputError as exc:
        return render(request, "index.html", status=422, result=None, text="", error=one_line(str(exc)))
    return _results(request, result, text=text)


async def _single(request: Request, engine: Engine, text: str) -> Response:
    finding = await run_in_threadpool(engine.check, text)
    if finding is None:
        return render(
            request,
            "index.html",
            status=422,
            result=None,
            text=text,
            error=f"Not a URL or domain: {one_line(text)[:200]}",
        )
    data = text.strip().encode("utf-8", "surrogatepass")
    spooled = await run_in_threadpool(lambda: engine.spool_bytes(data, "paste", single=True))
    stats = _single_stats(finding)
    return _results(request, ScanResult(spooled, [finding], stats), text=text)


def _single_stats(finding: Finding) -> ScanStats:
    stats = ScanStats(sources=1, records=1, links=1, flagged=int(finding.flagged))
    stats.verdicts[finding.verdict.status] += 1
    return stats


def _field(form: FormData, name: str) -> str | None:
    value = form.get(name)
    return value if isinstance(value, str) else None


def cluster_view(cluster: Cluster) -> dict[str, Any]:
    """What the page shows of an infrastructure cluster: what the HTML report's table says, defanged."""
    from linkguard.forensics.clusters import FACT_LABELS
    from linkguard.report.clusterview import shown_member, shown_value

    def member(domain: str) -> str:
        return one_line(shown_member(domain, True))

    return {
        "id": one_line(cluster.id),
        "members": [member(m) for m in cluster.members],
        "shared": [
            (FACT_LABELS[f.kind], one_line(shown_value(f, True)), [member(m) for m in f.members])
            for f in cluster.shared
        ],
    }


def _results(request: Request, result: ScanResult, *, text: str) -> Response:
    views = [finding_view(f) for f in result.shown]
    clusters = [cluster_view(c) for c in result.clusters]
    stats = result.stats
    return render(
        request,
        "index.html",
        result=result,
        findings=views,
        flagged=sum(1 for v in views if v["flagged"]),
        stats=stats,
        verdict_counts=sorted(stats.verdicts.items()),
        downloads=list(DOWNLOADS),
        clusters=clusters,
        text=text if len(text) <= 100_000 else "",
    )


async def download(request: Request) -> Response:
    engine = engine_of(request)
    fmt = request.path_params["fmt"]
    spooled = engine.spooled(request.path_params["result"])
    if fmt not in DOWNLOADS or spooled is None or (spooled.online and not spooled.saved.exists()):
        raise Problem(404, "no such report (results are kept for the last few scans only)")
    if fmt == "xlsx" and not _has_openpyxl():
        raise Problem(
            501, "XLSX downloads need openpyxl on the server (pip install openpyxl); the other formats work"
        )
    path = await run_in_threadpool(_write_report, engine, spooled, fmt)
    name, media = DOWNLOADS[fmt]
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    if fmt == "html":
        headers["Content-Security-Policy"] = _REPORT_CSP
    return FileResponse(
        path, media_type=media, headers=headers, background=BackgroundTask(path.unlink, missing_ok=True)
    )


def _has_openpyxl() -> bool:
    """Whether the XLSX writer can run here: asked before the scan, so a missing library is a
    clear refusal rather than an error half-way through a report."""
    try:
        import openpyxl  # noqa: F401
    except ImportError:
        return False
    return True


def _write_report(engine: Engine, spooled: Spooled, fmt: str) -> Path:
    """Scan the spooled input again, straight into the format's writer (memory stays bounded)."""
    from linkguard.report import open_writer, reporter_class

    handle, name = tempfile.mkstemp(dir=engine.spool_dir, suffix=f".{fmt}")
    with open(handle, "w", encoding="utf-8", newline="") as out, engine.scanning():
        writer = open_writer(fmt, out, show_all=True)
        if spooled.single:  # what the page showed: the check of one link
            finding = engine.check(spooled.path.read_text("utf-8", "replace"))
            if finding is not None:
                writer.add(finding)
            writer.close(_single_stats(finding) if finding is not None else ScanStats())
        elif spooled.saved_scan:  # `linkguard report`: the findings as saved, the clusters they name
            saved = SavedScan(spooled.path, spooled.source)
            for finding, context in saved.findings():
                writer.add(finding, context)
            writer.set_clusters(saved.clusters())
            writer.close(saved.stats)
        elif spooled.online:  # what the page showed, as investigated then: not fetched again
            findings, stats, clusters = engine.saved_findings(spooled)
            for finding in findings:
                writer.add(finding, finding.context)
            writer.set_clusters(clusters)
            writer.close(stats)
        else:
            findings, stats = engine.scan(spooled, contexts=reporter_class(fmt).uses_context)
            for finding in findings:
                writer.add(finding, finding.context)
            writer.close(stats)
    return Path(name)


async def investigate(request: Request) -> Response:
    """The page's "check online" button: the API's online check, shown defanged."""
    check_csrf(request, request.headers.get(CSRF_HEADER))
    from linkguard.web.api import read_json

    data = await read_json(request)
    target = data.get("url")
    if not isinstance(target, str) or not target.strip():
        raise Problem(400, 'the body needs "url"')
    engine = engine_of(request)
    result = await run_in_threadpool(run_check, engine, target, True)
    from linkguard.report.loader import finding_from_dict

    view = finding_view(finding_from_dict(result))
    return JSONResponse(
        {k: view[k] for k in ("status", "verdict", "score", "imitates", "techniques", "evidence")}
    )


# -- rules -----------------------------------------------------------------------------------------
async def rules_page(request: Request) -> Response:
    return _rules(request)


def _rules(
    request: Request,
    *,
    status: int = 200,
    message: str = "",
    notes: list[str] | None = None,
    error: str = "",
    form: dict[str, str] | None = None,
) -> Response:
    engine = engine_of(request)
    rows = rulesview.user_rules(engine.rules_dir)
    return render(
        request,
        "rules.html",
        status=status,
        rows=rows,
        rules_file=str(engine.rules_dir / "rules.toml"),
        kinds=rulesview.OUTLET_KINDS,
        message=message,
        notes=notes or [],
        error=error,
        form=form or {},
    )


_RULE_ACTIONS = {"outlet", "allow", "block", "remove"}


async def rules_change(request: Request) -> Response:
    action = request.path_params["action"]
    if action not in _RULE_ACTIONS:
        raise Problem(404, "no such rules action")
    engine = engine_of(request)
    async with request.form(max_part_size=64 << 10) as form:
        check_csrf(request, form.get(CSRF_FIELD))
        fields = {k: v for k, v in form.items() if isinstance(v, str) and k != CSRF_FIELD}
    force = fields.get("force") == "on"
    rules_dir = engine.rules_dir
    try:
        if action == "outlet":
            message, notes = await run_in_threadpool(
                lambda: rulesview.add_outlet(
                    rules_dir,
                    domain=fields.get("domain", ""),
                    name=fields.get("name", ""),
                    country=fields.get("country", ""),
                    kind=fields.get("kind", "newspaper"),
                    aliases=fields.get("aliases", ""),
                    brands=fields.get("brands", ""),
                    force=force,
                )
            )
        elif action == "allow":
            message, notes = await run_in_threadpool(
                lambda: rulesview.allow(
                    rules_dir, domain=fields.get("domain", ""), note=fields.get("note", ""), force=force
                )
            )
        elif action == "block":
            message, notes = await run_in_threadpool(
                lambda: rulesview.block(
                    rules_dir,
                    domain=fields.get("domain", ""),
                    source=fields.get("source", ""),
                    imitates=fields.get("imitates", ""),
                    campaign=fields.get("campaign", ""),
                    force=force,
                )
            )
        else:
            message, notes = await run_in_threadpool(
                lambda: rulesview.remove(rules_dir, domain=fields.get("domain", ""))
            )
    except rulesview.RulesError as exc:
        return _rules(request, status=400, error=str(exc), form={"action": action, **fields})
    return _rules(request, message=message, notes=notes)


async def favicon(request: Request) -> Response:
    return RedirectResponse("/static/favicon.svg", status_code=308)


ROUTES = [
    Route("/", index, methods=["GET"]),
    Route("/scan", scan_page, methods=["POST"]),
    Route("/results/{result}/report.{fmt}", download, methods=["GET"]),
    Route("/investigate", investigate, methods=["POST"]),
    Route("/rules", rules_page, methods=["GET"]),
    Route("/rules/{action}", rules_change, methods=["POST"]),
    Route("/favicon.ico", favicon, methods=["GET"]),
]
