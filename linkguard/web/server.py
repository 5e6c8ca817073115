"""Run the app under uvicorn on a socket bound here, so the real port is known before serving."""

from __future__ import annotations

import socket
from collections.abc import Callable
from typing import Any


def bind(host: str, port: int) -> socket.socket:
    """A listening socket; ``port`` 0 picks a free one (read it back with ``getsockname``)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    return socket.create_server((host.strip("[]"), port), family=family, reuse_port=False)


def make_server(app: Any) -> Any:
    """A uvicorn server for ``app``: HTTP/1.1 over h11, no websockets, no lifespan, quiet logs."""
    import uvicorn

    config = uvicorn.Config(
        app,
        http="h11",
        ws="none",
        lifespan="off",
        log_level="warning",
        access_log=False,
        server_header=False,
        date_header=False,
    )
    return uvicorn.Server(config)


def serve(app: Any, sock: socket.socket, on_ready: Callable[[], None] | None = None) -> None:
    """Serve until interrupted (Ctrl-C, SIGTERM)."""
    server = make_server(app)
    if on_ready is not None:
        on_ready()
    server.run(sockets=[sock])
