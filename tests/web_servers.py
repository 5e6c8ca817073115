"""The real ``linkguard serve`` app under uvicorn, on a free loopback port, in a thread.

Each server gets its own rules directory (``tmp_path``), so a test that adds a rule through the
page never changes what another test sees.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from linkguard.web import Engine, WebConfig, create_app
from linkguard.web.server import bind, make_server


@contextmanager
def running(engine: Engine, config: WebConfig | None = None) -> Iterator[str]:
    """Serve ``engine`` until the block ends; yields the base URL (``http://127.0.0.1:PORT``)."""
    sock = bind("127.0.0.1", 0)
    port = sock.getsockname()[1]
    server = make_server(create_app(engine, config))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        for _ in range(1000):  # a bound on tries, not a time assertion
            if server.started:
                break
            time.sleep(0.01)
        assert server.started, "uvicorn did not start"
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(30)
        sock.close()
        engine.close()


def client(base: str, **kwargs: Any) -> httpx.Client:
    """A client that ignores proxy settings in the environment (only loopback is ever a target)."""
    return httpx.Client(base_url=base, trust_env=False, timeout=60, **kwargs)


def new_engine(rules_dir: Path, **kwargs: Any) -> Engine:
    return Engine(rules_dir, spool_dir=None, **kwargs)


def csrf_of(page: str) -> str:
    marker = 'name="csrf" value="'
    at = page.index(marker) + len(marker)
    return page[at : page.index('"', at)]
