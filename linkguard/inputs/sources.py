"""Open a path, directory or stdin; undo compression; pick the format; hand over to its reader."""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

from linkguard.errors import InputError
from linkguard.inputs import compression, csvtable, htmlpage, jsondump, plaintext
from linkguard.inputs.decoding import encoding_for, invalid_sequences, looks_binary, text_stream
from linkguard.inputs.plaintext import ByteSource
from linkguard.limits import SNIFF_BYTES
from linkguard.models import Record, Skipped

FORMATS = ("auto", "text", "html", "json", "jsonl", "csv", "tsv")
_BY_EXTENSION = {
    ".txt": "text",
    ".log": "text",
    ".md": "text",
    ".text": "text",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".json": "json",
    ".js": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".csv": "csv",
    ".tsv": "tsv",
}


class _Prefixed(io.RawIOBase):
    """A stream whose first bytes were already read for sniffing."""

    def __init__(self, head: bytes, rest: ByteSource) -> None:
        self.head, self.rest = head, rest

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1, /) -> bytes:
        """Bytes as the source gives them, not copied through a buffer (plain text reads 1 MB)."""
        if self.head:
            if size < 0:
                out, self.head = self.head + (self.rest.read() or b""), b""
                return out
            out, self.head = self.head[:size], self.head[size:]
            return out
        return self.rest.read(size) or b""

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


class CountingReader(io.RawIOBase):
    """Counts the bytes read from the underlying file, for progress and throughput."""

    def __init__(self, raw: BinaryIO, on_read: Callable[[int], None] | None) -> None:
        self.raw, self.on_read = raw, on_read

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1, /) -> bytes:
        data = self.raw.read(size)
        if self.on_read and data:
            self.on_read(len(data))
        return data

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def _read_head(stream: ByteSource) -> bytes:
    head = b""
    while len(head) < SNIFF_BYTES:
        chunk = stream.read(SNIFF_BYTES - len(head))
        if not chunk:
            break
        head += chunk
    return head


def sniff_format(name: str, head: bytes) -> str:
    ext = Path(compression.strip_suffix(name)).suffix.lower()
    if ext in _BY_EXTENSION:
        return _BY_EXTENSION[ext]
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    lowered = text[:512].lower()
    if lowered.startswith(b"window.ytd"):
        return "json"
    if text.startswith(b"<") and any(
        t in lowered for t in (b"<html", b"<!doctype", b"<a ", b"<p", b"<div", b"<body")
    ):
        return "html"
    if text.startswith((b"{", b"[")):
        first, _, rest = text.partition(b"\n")
        if text.startswith(b"{") and first.rstrip().endswith(b"}") and rest.lstrip().startswith(b"{"):
            return "jsonl"
        return "json"
    return "text"


def read_stream(
    raw: ByteSource, source: str, *, input_format: str | None = None, name: str | None = None
) -> Iterator[Record | Skipped]:
    """Records of one byte stream; a fault part-way through is a counted ``Skipped``, not an error."""
    head = _read_head(raw)
    kind = compression.detect(head)
    stream: io.RawIOBase = _Prefixed(head, raw)
    decompressed: compression.KeepPartial | None = None
    if kind is not None:
        decompressed = compression.open_decompressed(io.BufferedReader(stream), kind)
        head = _read_head(decompressed)
        stream = _Prefixed(head, decompressed)
    if not head:
        if decompressed is not None and decompressed.error is not None:
            yield Skipped(source, f"corrupt-{kind}", str(decompressed.error))
        return
    if looks_binary(head):
        yield Skipped(source, "binary", "NUL bytes in the first 8 KiB; not a text format")
        return
    fmt = input_format if input_format and input_format != "auto" else sniff_format(name or source, head)
    encoding = encoding_for(head)
    before = invalid_sequences()
    try:
        if fmt == "text" and encoding != "utf-16":
            yield from plaintext.read_bytes(stream, source)  # reads large blocks: no buffer
        else:  # the other readers take decoded text
            text = text_stream(io.BufferedReader(stream), encoding)
            if fmt == "text":
                yield from plaintext.read(text, source)
            elif fmt == "html":
                yield from htmlpage.read(text, source)
            elif fmt == "json":
                yield from jsondump.read_document(text, source)
            elif fmt == "jsonl":
                yield from jsondump.read_lines(text, source)
            elif fmt in ("csv", "tsv"):
                yield from csvtable.read(text, source, "\t" if fmt == "tsv" else None)
            else:
                raise InputError(f"unknown input format {fmt!r}; choose one of {', '.join(FORMATS)}")
    except compression.STREAM_ERRORS as exc:
        yield Skipped(source, f"truncated-{kind}" if kind else "read-error", str(exc) or type(exc).__name__)
    except UnicodeError as exc:
        yield Skipped(source, "undecodable", str(exc))
    if decompressed is not None and decompressed.error is not None:
        yield Skipped(
            source, f"truncated-{kind}", str(decompressed.error) or type(decompressed.error).__name__
        )
    replaced = invalid_sequences() - before
    if replaced:
        yield Skipped(
            source, "invalid-utf-8-replaced", f"{replaced} invalid byte sequence(s) replaced", kept=True
        )


def iter_paths(paths: Iterable[str | Path]) -> Iterator[Path | Skipped]:
    """Files under the given paths (directories recursively, sorted, hidden entries skipped)."""
    for p in paths:
        path = Path(p)
        if str(p) == "-":
            yield path
        elif path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for f in sorted(files):
                    if not f.startswith("."):
                        yield Path(root) / f
        elif path.exists():
            yield path
        else:
            yield Skipped(str(p), "unreadable-path", "no such file or directory")


def read_path(
    path: str | Path, *, input_format: str | None = None, on_read: Callable[[int], None] | None = None
) -> Iterator[Record | Skipped]:
    """Records of one file (or ``-`` for stdin)."""
    source = str(path)
    if source == "-":
        yield from read_stream(CountingReader(sys.stdin.buffer, on_read), "-", input_format=input_format)
        return
    try:
        fh = open(path, "rb")
    except OSError as exc:
        yield Skipped(source, "unreadable-path", exc.strerror or str(exc))
        return
    try:
        yield from read_stream(CountingReader(fh, on_read), source, input_format=input_format, name=source)
    except OSError as exc:
        yield Skipped(source, "read-error", exc.strerror or str(exc))
    finally:
        fh.close()
