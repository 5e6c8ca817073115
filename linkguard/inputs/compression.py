"""Transparent decompression chosen by magic bytes, not by file name."""

from __future__ import annotations

import bz2
import gzip
import lzma
from typing import BinaryIO

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


def open_decompressed(stream: BinaryIO, kind: str) -> BinaryIO:
    if kind == "gzip":
        return gzip.GzipFile(fileobj=stream, mode="rb")
    if kind == "bz2":
        return bz2.BZ2File(stream, mode="rb")
    if kind == "xz":
        return lzma.LZMAFile(stream, mode="rb")
    if kind == "zstd":
        import zstandard

        reader: BinaryIO = zstandard.ZstdDecompressor().stream_reader(stream, read_across_frames=True)
        return reader
    raise ValueError(f"unknown compression {kind}")


def strip_suffix(name: str) -> str:
    """``dump.jsonl.gz`` → ``dump.jsonl`` so the inner format can still be told by extension."""
    for ext in (".gz", ".gzip", ".bz2", ".xz", ".zst", ".zstd"):
        if name.lower().endswith(ext):
            return name[: -len(ext)]
    return name
