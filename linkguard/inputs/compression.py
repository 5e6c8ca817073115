"""Transparent decompression chosen by magic bytes, not by file name.

Every format goes through one incremental reader (:class:`Decompressed`) over the standard
one-shot decompressor objects, so a corrupt header, a corrupt middle and a cut-off end are
handled the same way for gzip, bz2, xz and zstd: what was decompressed before the fault is
handed out, and the fault is kept in ``error`` for the caller to count. No decompressor
exception ever leaves this module.
"""

from __future__ import annotations

import bz2
import io
import lzma
import zlib
from typing import Any, Protocol

from linkguard.limits import DECOMPRESS_FEED_BYTES, DECOMPRESS_IN_BYTES, DECOMPRESS_OUT_BYTES

MAGIC = {
    b"\x1f\x8b": "gzip",
    b"BZh": "bz2",
    b"\xfd7zXZ\x00": "xz",
    b"\x28\xb5\x2f\xfd": "zstd",
}
#: Errors a source may raise while it is read (the file itself, not the compressed data).
STREAM_ERRORS: tuple[type[BaseException], ...] = (EOFError, OSError, ValueError)


class StreamError(Exception):
    """The compressed data is corrupt (any decompressor's own exception, translated)."""


def detect(head: bytes) -> str | None:
    for magic, name in MAGIC.items():
        if head.startswith(magic):
            return name
    return None


class _Stage(Protocol):
    """One compressed stream (gzip member, bz2/xz stream, zstd frame) being inflated."""

    eof: bool

    def feed(self, data: bytes) -> bytes:
        """Inflate some of ``data`` (kept when not all of it fits) and at most a bounded output."""
        ...

    def wants_input(self) -> bool: ...

    def leftover(self) -> bytes:
        """Input after the end of this stream (the start of the next one, or padding)."""
        ...


class _Zlib:
    def __init__(self) -> None:
        self.d = zlib.decompressobj(16 + zlib.MAX_WBITS)  # gzip header and trailer
        self.eof = False

    def feed(self, data: bytes) -> bytes:
        try:
            out = self.d.decompress(self.d.unconsumed_tail + data, DECOMPRESS_OUT_BYTES)
        except zlib.error as exc:
            raise StreamError(str(exc)) from None
        self.eof = self.d.eof
        return out

    def wants_input(self) -> bool:
        return not self.d.unconsumed_tail

    def leftover(self) -> bytes:
        return self.d.unused_data


class _Lib:
    """bz2 and xz, whose decompressors share one interface (``max_length``, ``needs_input``)."""

    def __init__(self, kind: str) -> None:
        self.d: Any = bz2.BZ2Decompressor() if kind == "bz2" else lzma.LZMADecompressor(lzma.FORMAT_XZ)
        self.eof = False

    def feed(self, data: bytes) -> bytes:
        try:
            out: bytes = self.d.decompress(data, max_length=DECOMPRESS_OUT_BYTES)
        except (OSError, EOFError, ValueError, lzma.LZMAError) as exc:
            raise StreamError(str(exc) or type(exc).__name__) from None
        self.eof = bool(self.d.eof)
        return out

    def wants_input(self) -> bool:
        return bool(self.d.needs_input)

    def leftover(self) -> bytes:
        return bytes(self.d.unused_data)


class _Zstd:
    """zstd's decompressor object takes no output bound, so it is fed a little input at a time:
    a zstd block of at most 128 KiB costs at least a few bytes, which caps one call's output."""

    def __init__(self) -> None:
        import zstandard

        self.error_type: type[Exception] = zstandard.ZstdError
        self.d = zstandard.ZstdDecompressor().decompressobj()
        self.tail = b""
        self.eof = False

    def feed(self, data: bytes) -> bytes:
        data = self.tail + data
        piece, self.tail = data[:DECOMPRESS_FEED_BYTES], data[DECOMPRESS_FEED_BYTES:]
        try:
            out = self.d.decompress(piece)
        except self.error_type as exc:
            raise StreamError(str(exc)) from None
        self.eof = self.d.eof
        return out

    def wants_input(self) -> bool:
        return not self.tail

    def leftover(self) -> bytes:
        return self.d.unused_data + self.tail


def _stage(kind: str) -> _Stage:
    if kind == "gzip":
        return _Zlib()
    if kind in ("bz2", "xz"):
        return _Lib(kind)
    if kind == "zstd":
        return _Zstd()
    raise ValueError(f"unknown compression {kind}")


class Decompressed(io.RawIOBase):
    """The decompressed bytes of ``source``; a fault ends the stream and is kept in ``error``.

    Concatenated streams (``cat a.gz b.gz``) are read one after the other; NUL padding between or
    after them (tape blocks, xz stream padding) is ignored. ``error`` is set when the data is
    corrupt or when the input ends before the end-of-stream marker (a truncated file).
    """

    def __init__(self, source: Any, kind: str) -> None:
        self.source, self.kind = source, kind
        self.stage: _Stage | None = _stage(kind)
        self.error: str | None = None
        self.produced = 0
        self._pending = b""  # input read from ``source`` but not yet given to a stage
        self._out = memoryview(b"")  # output not yet handed out

    def readable(self) -> bool:
        return True

    def _read_source(self) -> bytes:
        if self._pending:
            data, self._pending = self._pending, b""
            return data
        return self.source.read(DECOMPRESS_IN_BYTES) or b""

    def _next_stage(self) -> bool:
        """After a stream's end: start the next concatenated one, if any input follows."""
        assert self.stage is not None
        rest = self.stage.leftover() + self._pending
        self._pending = b""
        while True:
            rest = rest.lstrip(b"\x00")
            if rest:
                break
            rest = self.source.read(DECOMPRESS_IN_BYTES) or b""
            if not rest:
                self.stage = None
                return False
        self._pending = rest
        self.stage = _stage(self.kind)
        return True

    def read(self, size: int = -1, /) -> bytes:
        if size is None or size < 0:
            size = DECOMPRESS_OUT_BYTES
        if self._out:  # a memoryview: handing out a piece copies only that piece
            piece, self._out = bytes(self._out[:size]), self._out[size:]
            return piece
        while self.stage is not None and size > 0:
            stage = self.stage
            if stage.eof:
                if not self._next_stage():
                    break
                continue
            data = self._read_source() if stage.wants_input() else b""
            if not data and stage.wants_input():
                self.error = "the file ends before the end of the compressed stream (truncated)"
                self.stage = None
                break
            try:
                out = stage.feed(data)
            except StreamError as exc:
                self.error = f"corrupt {self.kind} data: {exc}"
                self.stage = None
                break
            if out:
                self.produced += len(out)
                if len(out) <= size:
                    return out
                self._out = memoryview(out)[size:]
                return out[:size]
        return b""

    def readinto(self, buffer: Any) -> int:
        data = self.read(len(buffer))
        view = memoryview(buffer)
        view[: len(data)] = data
        return len(data)


def open_decompressed(source: Any, kind: str) -> Decompressed:
    return Decompressed(source, kind)


def strip_suffix(name: str) -> str:
    """``dump.jsonl.gz`` → ``dump.jsonl`` so the inner format can still be told by extension."""
    for ext in (".gz", ".gzip", ".bz2", ".xz", ".zst", ".zstd"):
        if name.lower().endswith(ext):
            return name[: -len(ext)]
    return name
