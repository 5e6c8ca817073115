"""The ASGI application: routes, error handlers, static files, and the guard around them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from linkguard import limits
from linkguard.errors import LinkguardError
from linkguard.web import api, pages
from linkguard.web.engine import Engine
from linkguard.web.guard import LOOPBACK_NAMES, BodyTooLarge, Guard, GuardConfig, host_name
from linkguard.web.problems import Problem, error_response


@dataclass(frozen=True, slots=True)
class WebConfig:
    """What ``linkguard serve`` was told: where it listens and what it lets in."""

    host: str = "127.0.0.1"
    token: str | None = None
    #: Names a client may put in ``Host`` besides the bound address (a reverse proxy's name).
    allowed_hosts: tuple[str, ...] = ()
    max_body_bytes: int = limits.WEB_MAX_BODY_BYTES


def allowed_host_names(config: WebConfig) -> frozenset[str]:
    names = {host_name(h) for h in config.allowed_hosts}
    if config.host not in ("0.0.0.0", "::", ""):
        names.add(host_name(config.host if ":" not in config.host else f"[{config.host}]"))
    names.update(LOOPBACK_NAMES)
    return frozenset(names)


async def _problem(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, Problem)
    return error_response(request, exc.status, exc.detail, exc.headers)


async def _http(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    return error_response(request, exc.status_code, str(exc.detail), dict(exc.headers or {}))


async def _too_large(request: Request, exc: Exception) -> Response:
    return error_response(request, 413, str(exc), {"Connection": "close"})


async def _linkguard_error(request: Request, exc: Exception) -> Response:
    """A rule file broken by hand while the server runs: say which, and keep serving."""
    return error_response(request, 500, f"{type(exc).__name__}: {exc}")


async def _internal(request: Request, exc: Exception) -> Response:
    return error_response(request, 500, f"unexpected {type(exc).__name__}; see the server's log")


def create_app(engine: Engine, config: WebConfig | None = None) -> Guard:
    """The whole server as one ASGI callable; ``engine`` does the work, ``config`` the gatekeeping."""
    config = config or WebConfig()
    static = StaticFiles(directory=Path(__file__).parent / "static")
    app = Starlette(
        routes=[*api.ROUTES, *pages.ROUTES, Mount("/static", static, name="static")],
        exception_handlers={
            Problem: _problem,
            HTTPException: _http,
            BodyTooLarge: _too_large,
            LinkguardError: _linkguard_error,
            Exception: _internal,
        },
    )
    app.state.engine = engine
    return Guard(
        app,
        GuardConfig(
            allowed_hosts=allowed_host_names(config),
            token=config.token,
            max_body_bytes=config.max_body_bytes,
        ),
    )
