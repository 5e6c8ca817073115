"""Read a saved JSONL scan back into :class:`Finding` objects, so ``report`` can re-render it.

The reader is strict per line (unknown or missing keys, wrong types) but lenient per file: a
bad line is skipped and counted in the stats, unless it is the very first line, which means the
file is not a linkguard scan at all.

``Link`` fields absent from the JSONL contract (label, suffix, subdomain, IP-ness) are derived
from ``host`` and ``registered_domain``. ``via``, ``post`` and ``context`` (the post's text around
the link, which the human reports quote) are optional, so scans saved before they existed load.
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO, cast, get_args

from linkguard.errors import InputError
from linkguard.limits import MAX_LINE_CHARS
from linkguard.models import (
    PLATFORMS,
    Evidence,
    Finding,
    Link,
    Outlet,
    Post,
    ScanStats,
    Skipped,
    Technique,
    Verdict,
    VerdictStatus,
)

SKIP_REASON = "invalid-finding"
_STATUSES = frozenset(get_args(VerdictStatus))
_NoneType = type(None)

# key -> accepted JSON types, in Finding.to_dict() order.
_FINDING_KEYS: dict[str, tuple[type, ...]] = {
    "source": (str,),
    "line": (int,),
    "column": (int,),
    "record": (str, _NoneType),
    "text": (str,),
    "url": (str,),
    "host": (str,),
    "host_unicode": (str,),
    "registered_domain": (str,),
    "obfuscation": (list,),
    "verdict": (str,),
    "flagged": (bool,),
    "score": (int,),
    "impersonates": (dict, _NoneType),
    "techniques": (list,),
    "evidence": (list,),
}
_OPTIONAL_KEYS: dict[str, tuple[type, ...]] = {
    "via": (list,),
    "post": (dict, _NoneType),
    "context": (str, _NoneType),
}
_OPTIONAL_STRING = (str, _NoneType)
_POST_KEYS: dict[str, tuple[type, ...]] = {
    "platform": (str,),
    "id": _OPTIONAL_STRING,
    "url": _OPTIONAL_STRING,
    "author": _OPTIONAL_STRING,
    "created_at": _OPTIONAL_STRING,
}
_OUTLET_KEYS: dict[str, tuple[type, ...]] = {"name": (str,), "domain": (str,), "domains": (list,)}


class FindingFormatError(ValueError):
    """One JSONL line does not match the ``Finding.to_dict()`` contract."""


def _keys(keys: list[str]) -> str:
    return f"key{'s' if len(keys) > 1 else ''} {', '.join(map(repr, keys))}"


def _check(
    data: dict[str, Any],
    required: dict[str, tuple[type, ...]],
    optional: dict[str, tuple[type, ...]],
    where: str,
) -> None:
    unknown = sorted(set(data) - set(required) - set(optional))
    if unknown:
        raise FindingFormatError(f"unknown {_keys(unknown)}{where}")
    missing = [key for key in required if key not in data]
    if missing:
        raise FindingFormatError(f"missing {_keys(missing)}{where}")
    for key, value in data.items():
        types = required.get(key) or optional[key]
        # bool is an int in Python but not in the contract
        if not isinstance(value, types) or (isinstance(value, bool) and bool not in types):
            names = " or ".join("null" if t is _NoneType else t.__name__ for t in types)
            raise FindingFormatError(f"{key!r} must be {names}, not {type(value).__name__}{where}")


def _strings(value: list[Any], key: str) -> tuple[str, ...]:
    if not all(isinstance(item, str) for item in value):
        raise FindingFormatError(f"{key!r} must be a list of strings")
    return tuple(value)


def _outlet(data: dict[str, Any]) -> Outlet:
    _check(data, _OUTLET_KEYS, {}, " in 'impersonates'")
    domain = data["domain"]
    domains = _strings(data["domains"], "impersonates.domains")
    return Outlet(name=data["name"], domains=(domain, *(d for d in domains if d != domain)))


def _evidence(item: Any) -> Evidence:
    if not isinstance(item, dict):
        raise FindingFormatError("'evidence' items must be objects")
    _check(item, {"kind": (str,), "detail": (str,)}, {"data": (dict,)}, " in 'evidence'")
    return Evidence(kind=item["kind"], detail=item["detail"], data=item.get("data", {}))


def _post(data: dict[str, Any]) -> Post:
    _check(data, _POST_KEYS, {}, " in 'post'")
    if data["platform"] not in PLATFORMS:
        raise FindingFormatError(f"unknown platform {data['platform']!r} in 'post'")
    return Post(data["platform"], data["id"], data["url"], data["author"], data["created_at"])


def _link(data: dict[str, Any]) -> Link:
    host, registered = data["host"], data["registered_domain"]
    label, _, suffix = registered.partition(".")
    subdomain = host[: -len(registered) - 1] if registered and host.endswith("." + registered) else ""
    try:
        ipaddress.ip_address(host.strip("[]"))
        is_ip = True
    except ValueError:
        is_ip = False
    return Link(
        text=data["text"],
        url=data["url"],
        host=host,
        host_unicode=data["host_unicode"],
        registered_domain=registered,
        domain_label=label,
        suffix=suffix,
        subdomain=subdomain,
        obfuscation=_strings(data["obfuscation"], "obfuscation"),
        is_ip=is_ip,
        via=_strings(data.get("via", []), "via"),
    )


def finding_from_dict(data: dict[str, Any]) -> Finding:
    """Inverse of ``Finding.to_dict()``; raises :class:`FindingFormatError` with a clear message."""
    _check(data, _FINDING_KEYS, _OPTIONAL_KEYS, "")
    status = data["verdict"]
    if status not in _STATUSES:
        raise FindingFormatError(
            f"unknown verdict {status!r} (expected one of {', '.join(sorted(_STATUSES))})"
        )
    verdict = Verdict(
        status=status,
        score=data["score"],
        impersonates=_outlet(data["impersonates"]) if data["impersonates"] is not None else None,
        # names are kept as written, also those of newer or older versions (checked as strings)
        techniques=cast("tuple[Technique, ...]", _strings(data["techniques"], "techniques")),
        evidence=tuple(_evidence(item) for item in data["evidence"]),
    )
    if verdict.flagged != data["flagged"]:
        raise FindingFormatError(f"'flagged' is {data['flagged']} but verdict {status!r} says otherwise")
    return Finding(
        link=_link(data),
        verdict=verdict,
        source=data["source"],
        line=data["line"],
        column=data["column"],
        record=data["record"],
        context=data.get("context") or "",
        post=_post(data["post"]) if data.get("post") is not None else None,
    )


def open_scan(path: str | Path) -> TextIO:
    """Open a saved scan for reading; any failure is an :class:`InputError` (exit code 3)."""
    try:
        return open(path, encoding="utf-8", errors="replace")  # the caller closes it
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None


def _lines(stream: TextIO) -> Iterator[tuple[int, str | None]]:
    """Numbered lines; ``None`` for a line longer than any finding linkguard writes."""
    number = 0
    while True:
        line = stream.readline(MAX_LINE_CHARS + 1)
        if not line:
            return
        number += 1
        if len(line) > MAX_LINE_CHARS and not line.endswith("\n"):
            while (rest := stream.readline(MAX_LINE_CHARS)) and not rest.endswith("\n"):
                pass
            yield number, None
        else:
            yield number, line


def _parse(line: str | None) -> tuple[Finding, str | None]:
    if line is None:
        raise FindingFormatError(f"line longer than {MAX_LINE_CHARS} characters")
    try:
        data = json.loads(line)
    except json.JSONDecodeError as exc:
        raise FindingFormatError(f"invalid JSON ({exc.msg} at column {exc.colno})") from None
    if not isinstance(data, dict):
        raise FindingFormatError(f"expected a JSON object, got {type(data).__name__}")
    finding = finding_from_dict(data)
    return finding, finding.context or None


def read_scan(
    stream: TextIO, name: str = "<scan>", stats: ScanStats | None = None
) -> Iterator[tuple[Finding, str | None]]:
    """Yield ``(finding, context)`` per line and fill ``stats`` as a scan would have.

    ``records`` counts runs of consecutive findings from the same record, which is exact for
    files written by ``scan`` and needs no memory per record.
    """
    stats = stats if stats is not None else ScanStats()
    sources: set[str] = set()
    previous: tuple[str, int, str | None] | None = None
    previous_post: tuple[str, str | None, str | None] | None = None
    valid = False
    for number, line in _lines(stream):
        if line is not None and not line.strip():
            continue
        try:
            finding, context = _parse(line)
        except FindingFormatError as exc:
            if not valid:
                raise InputError(f"{name}:{number}: not a linkguard JSONL scan: {exc}") from None
            stats.skip(Skipped(source=name, reason=SKIP_REASON, detail=str(exc), line=number))
            continue
        valid = True
        if finding.source not in sources:
            sources.add(finding.source)
            stats.sources += 1
        key = (finding.source, finding.line, finding.record)
        if key != previous:
            stats.records += 1
            previous = key
        post = finding.post
        if post is not None and (post.platform, post.id, post.url) != previous_post:
            stats.posts += 1  # posts with a finding: the ones a saved scan still names
            previous_post = (post.platform, post.id, post.url)
        stats.links += 1
        stats.flagged += finding.flagged
        stats.verdicts[finding.verdict.status] += 1
        yield finding, context


def load_findings(path: str | Path, stats: ScanStats | None = None) -> Iterator[Finding]:
    """Findings of a saved JSONL scan, streamed; bad lines are counted in ``stats.skipped``."""
    with open_scan(path) as stream:
        for finding, _context in read_scan(stream, str(path), stats):
            yield finding
