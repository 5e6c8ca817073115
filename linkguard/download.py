"""Explicit, capped downloads of reference data (the suffix list, the popular-domains list).

Never called implicitly: only ``update-psl`` and ``update-popular`` fetch anything. The body is read
in chunks and refused once it passes its cap; the result replaces the old file atomically.
"""

from __future__ import annotations

from pathlib import Path


def download_capped(url: str, *, cap: int, timeout: float, what: str, kind: str) -> bytes:
    """The body at ``url``, at most ``cap`` bytes; ``FetchError`` naming ``what`` otherwise.

    ``what`` names the data in messages ("the Public Suffix List"), ``kind`` what an oversized answer
    is not ("a suffix list").
    """
    import httpx

    from linkguard.errors import FetchError

    body = bytearray()
    try:
        with httpx.stream("GET", url, timeout=timeout, follow_redirects=True, trust_env=False) as resp:
            resp.raise_for_status()
            for chunk in resp.iter_bytes():
                body += chunk
                if len(body) > cap:
                    raise FetchError(f"{url} sent more than {cap} bytes; not {kind}")
    except httpx.HTTPError as exc:
        raise FetchError(f"could not download {what} from {url}: {exc}") from exc
    return bytes(body)


def replace_file(target: Path, data: bytes) -> None:
    """Write ``data`` next to ``target`` and move it into place, so a reader never sees half a file."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(target)
