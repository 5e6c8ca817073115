"""Defanging: make links unclickable in human-facing output, so a report is never itself a trap.

Refanging (reading ``hxxp://x[.]y`` back) belongs to the input side; this is only the outward way.
Every function here is idempotent, so defanging an already defanged string changes nothing.
"""

from __future__ import annotations

import re

_SCHEMES = {"http": "hxxp", "https": "hxxps", "ftp": "fxp"}
_ALREADY = frozenset(_SCHEMES.values())
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*")
# A dot not already inside "[.]".
_DOT = re.compile(r"(?<!\[)\.(?!\])")
# Links inside free text: only the schemes people click, so "C://dir" stays untouched.
_TEXT_URL = re.compile(r"(?i)\b(?:https?|ftp)://[^\s/?#<>\"'\\]*")


def defang_host(host: str) -> str:
    """``welt.ltd`` -> ``welt[.]ltd``."""
    return _DOT.sub("[.]", host)


def defang(value: str) -> str:
    """Defang a URL or a bare domain: ``https://welt.ltd/a.html`` -> ``hxxps://welt[.]ltd/a.html``.

    Only the scheme and the host are changed: the path cannot be followed without them.
    """
    scheme, sep, rest = value.partition("://")
    if sep and _SCHEME.fullmatch(scheme):
        lowered = scheme.lower()
        if lowered in _SCHEMES:
            prefix = _SCHEMES[lowered] + "://"
        elif lowered in _ALREADY:
            prefix = lowered + "://"
        else:
            prefix = scheme + "[://]"
    elif value.startswith("//"):
        prefix, rest = "//", value[2:]
    else:
        prefix, rest = "", value
    cut = len(rest)
    for stop in "/?#\\":
        at = rest.find(stop)
        if at != -1:
            cut = min(cut, at)
    return prefix + defang_host(rest[:cut]) + rest[cut:]


def defang_text(text: str) -> str:
    """Defang every ``http(s)://host`` inside free text (post contexts), leaving the rest as is."""
    return _TEXT_URL.sub(lambda m: defang(m.group()), text)
