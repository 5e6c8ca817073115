"""Transparent decompression chosen by magic bytes, not by file name."""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
from typing import Any

MAGIC = {
    b"\x1f\x8b": "gzip",
    b"BZh": "bz2",
    b"\xfd7zXZ\x00": "xz",
    b"\x28\xb5\x2f\xfd": "zstd",
}
#: Errors a truncated or corrupt compressed stream raises part-way through.
STREAM_ERRORS: tuple[type[BaseException], ...] = (EOFError, OSError, lzma.LZMAError, ValueError)


def detect(head: bytes) -> str | None:
    for magic, name in MAGIC.items():
        if head.startswith(magic):
            return name
    return None


class KeepPartial(io.RawIOBase):
    """Hands out what was decompressed before a truncated stream fails, then ends the stream.

    The decompressors' ``read(n)`` (and every buffered layer above them) drop a partly filled
    buffer when a cut-off stream raises; so the failure is kept in ``error`` for the caller to
    report, and the bytes before it still reach the reader.
    """

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.error: BaseException | None = None

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self.error is not None:
            return 0
        view = memoryview(buffer)
        filled = 0
        while filled < len(view):
            try:
                data = self.inner.read1(len(view) - filled)
            except STREAM_ERRORS as exc:
                self.error = exc
                break
            if not data:
                break
            view[filled : filled + len(data)] = data
            filled += len(data)
        return filled


def open_decompressed(stream: io.BufferedReader, kind: str) -> KeepPartial:
    inner: Any
    if kind == "gzip":
        inner = gzip.GzipFile(fileobj=stream, mode="rb")
    elif kind == "bz2":
        inner = bz2.BZ2File(stream, mode="rb")
    elif kind == "xz":
        inner = lzma.LZMAFile(stream, mode="rb")
    elif kind == "zstd":
        import zstandard

        inner = zstandard.ZstdDecompressor().stream_reader(stream, read_across_frames=True)
    else:
        raise ValueError(f"unknown compression {kind}")
    return KeepPartial(inner)


def strip_suffix(name: str) -> str:
    """``dump.jsonl.gz`` → ``dump.jsonl`` so the inner format can still be told by extension."""
    for ext in (".gz", ".gzip", ".bz2", ".xz", ".zst", ".zstd"):
        if name.lower().endswith(ext):
            return name[: -len(ext)]
    return name
