"""``linkguard serve``: the scanner as a local web page and an HTTP API.

Needs the ``web`` extra (Starlette, uvicorn, Jinja2, python-multipart); nothing else in linkguard
imports this package, so the command line and the library work without them.
"""

from linkguard.web.app import WebConfig, create_app
from linkguard.web.engine import Engine

__all__ = ["Engine", "WebConfig", "create_app"]
