"""``linkguard serve``: the web page and HTTP API (``linkguard.web``), safe by default.

Binds 127.0.0.1; another address only with ``--token`` (then every request must carry it).
Exit 2 for a refused bind or a missing ``web`` extra, 3 for a port that cannot be bound.
"""

from __future__ import annotations

import importlib
from pathlib import Path

import click

from linkguard import limits
from linkguard.cli.common import EXIT_CLEAN, EXIT_INPUT, EXIT_USAGE, rules_dir_option
from linkguard.cli.netopts import NetOptions, build_investigator, network_options
from linkguard.paths import user_rules_dir

#: Modules of the ``web`` extra; ``serve`` names the missing ones instead of failing on import.
WEB_MODULES = ("starlette", "uvicorn", "jinja2", "python_multipart")


def missing_web_modules() -> list[str]:
    """The ``web`` extra's modules that cannot be imported (absent, or broken)."""
    missing = []
    for name in WEB_MODULES:
        try:
            importlib.import_module(name)
        except ImportError:
            missing.append(name)
    return missing


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port", type=click.IntRange(0, 65535), default=8000, show_default=True, help="0 picks a free port."
)
@click.option(
    "--token",
    envvar="LINKGUARD_TOKEN",
    default=None,
    help="Secret every request must carry (Authorization: Bearer, or ?token= once in a browser); "
    "required to listen on anything but loopback. Also $LINKGUARD_TOKEN.",
)
@click.option(
    "--allowed-host",
    "allowed_hosts",
    multiple=True,
    metavar="NAME",
    help="Another name clients may use in the Host header (a reverse proxy's); repeatable.",
)
@click.option(
    "--max-body-bytes",
    type=click.IntRange(min=1024),
    default=limits.WEB_MAX_BODY_BYTES,
    show_default=True,
    help="Largest request body or upload; bigger ones get 413.",
)
@rules_dir_option
@click.option("--no-blocklist", is_flag=True, help="Ignore the known-bad lists.")
@network_options(default_online=False)
@click.pass_context
def serve(
    ctx: click.Context,
    host: str,
    port: int,
    token: str | None,
    allowed_hosts: tuple[str, ...],
    max_body_bytes: int,
    rules_dir: Path | None,
    no_blocklist: bool,
    net: NetOptions,
) -> int:
    """Serve the page and the HTTP API (/api/v1/) for people who do not use a terminal.

    With --online, the page's per-link button and the API's "online": true run the same
    SSRF-guarded forensics as `linkguard check`, a few at a time.
    """
    missing = missing_web_modules()
    if missing:
        click.echo(
            f"Error: `linkguard serve` needs {', '.join(missing)}: pip install 'linkguard[web]'", err=True
        )
        return EXIT_USAGE
    from linkguard.web import Engine, WebConfig, create_app
    from linkguard.web.guard import is_loopback
    from linkguard.web.server import bind
    from linkguard.web.server import serve as run

    if not is_loopback(host) and not token:
        click.echo(
            f"Error: refusing to listen on {host} without --token: anyone who can reach it could use it",
            err=True,
        )
        return EXIT_USAGE
    if token is not None and len(token) < 16:
        click.echo("Error: --token must be at least 16 characters", err=True)
        return EXIT_USAGE
    try:
        sock = bind(host, port)
    except OSError as exc:
        click.echo(f"Error: cannot listen on {host}:{port}: {exc.strerror or exc}", err=True)
        return EXIT_INPUT
    factory = None
    if net.online:

        def factory(detector: object) -> object:
            return build_investigator(net, detector.classify, detector.rules.outlets)  # type: ignore[attr-defined]

    engine = Engine(
        rules_dir or user_rules_dir(), use_blocklist=not no_blocklist, investigator_factory=factory
    )
    engine.detector()  # load the rules now: a broken rule file stops here, before serving
    app = create_app(
        engine, WebConfig(host=host, token=token, allowed_hosts=allowed_hosts, max_body_bytes=max_body_bytes)
    )
    bound_port = sock.getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{bound_port}/"

    def ready() -> None:
        mode = "online checks on" if net.online else "offline"
        click.echo(f"linkguard: serving on {url} ({mode}; Ctrl-C stops)", err=True)
        if token:
            click.echo(f"linkguard: open {url}?token=… (the token you gave) once in a browser", err=True)
        if host in ("0.0.0.0", "::") and not allowed_hosts:
            click.echo(
                "linkguard: only Host: localhost is let in; name this machine with --allowed-host NAME",
                err=True,
            )

    try:
        run(app, sock, on_ready=ready)
    finally:
        engine.close()
        sock.close()
    return EXIT_CLEAN


COMMANDS: list[click.Command] = [serve]
