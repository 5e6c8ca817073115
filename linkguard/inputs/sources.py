"""Open a path, directory or stdin; undo compression; pick the format; hand over to its reader."""

from __future__ import annotations

import io
import os
import select
import stat
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import suppress
from pathlib import Path
from typing import BinaryIO

from linkguard import limits
from linkguard.errors import InputError
from linkguard.inputs import compression, csvtable, htmlpage, jsondump, parquet, plaintext
from linkguard.inputs.decoding import encoding_for, invalid_sequences, looks_binary, text_stream
from linkguard.inputs.plaintext import ByteSource
from linkguard.limits import BINARY_PROBE_BYTES, READ_BLOCK_BYTES, SNIFF_BYTES
from linkguard.models import Record, Skipped

FORMATS = ("auto", "text", "html", "json", "jsonl", "csv", "tsv", "parquet")
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


def _probe_text(stream: ByteSource) -> tuple[bytes, bool]:
    """After a binary-looking first block: read on (up to ``BINARY_PROBE_BYTES``) for a block of text.

    A log that starts with NUL padding, or an export with a binary preamble, is still read; what
    was probed is returned so that nothing read is lost.
    """
    probed = bytearray()
    while len(probed) < BINARY_PROBE_BYTES:
        block = _read_head(stream)
        if not block:
            break
        probed += block
        if not looks_binary(block):
            return bytes(probed), True
    return bytes(probed), False


def read_stream(
    raw: ByteSource, source: str, *, input_format: str | None = None, name: str | None = None
) -> Iterator[Record | Skipped]:
    """Records of one byte stream; a fault part-way through is a counted ``Skipped``, not an error.

    An ``OSError`` of ``raw`` itself is left to the caller, which knows what the source is.
    """
    head = _read_head(raw)
    kind = compression.detect(head)
    stream: io.RawIOBase = _Prefixed(head, raw)
    decompressed: compression.Decompressed | None = None
    if kind is not None:
        decompressed = compression.open_decompressed(stream, kind)
        head = _read_head(decompressed)
        stream = _Prefixed(head, decompressed)
    if not head:
        if decompressed is not None and decompressed.error is not None:
            yield Skipped(source, f"corrupt-{kind}", decompressed.error)
        return
    if input_format == "parquet" or head.startswith(parquet.MAGIC):  # seeks: read whole first
        yield from parquet.read_file(io.BytesIO(stream.read()), source)
        return
    encoding = encoding_for(head)
    if looks_binary(head):
        probed, found = _probe_text(stream)
        if not found:
            yield Skipped(
                source,
                "binary",
                f"no text in the first {len(head) + len(probed):,} bytes (control bytes, not UTF-8)",
            )
            if decompressed is not None and decompressed.error is not None:
                yield Skipped(source, f"truncated-{kind}", decompressed.error)
            return
        yield Skipped(
            source,
            "binary-start-read-as-text",
            f"the first {len(head):,} bytes look binary, text follows; read as text",
            kept=True,
        )
        stream, encoding = _Prefixed(head + probed, stream), "utf-8"
    fmt = input_format if input_format and input_format != "auto" else sniff_format(name or source, head)
    before = invalid_sequences()
    try:
        if fmt == "text" and encoding.startswith("utf-8"):
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
    except UnicodeError as exc:
        yield Skipped(source, "undecodable", str(exc))
    if decompressed is not None and decompressed.error is not None:
        yield Skipped(source, f"truncated-{kind}", f"{decompressed.error}; the part before it was scanned")
    replaced = invalid_sequences() - before
    if replaced:
        yield Skipped(
            source, "invalid-utf-8-replaced", f"{replaced} invalid byte sequence(s) replaced", kept=True
        )


def _not_a_file(mode: int) -> str | None:
    """What a path is when it is not something to read: a device or socket never ends or never opens."""
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISDIR(mode):
        return "a directory"
    return None


def iter_paths(paths: Iterable[str | Path]) -> Iterator[Path | Skipped]:
    """Files under the given paths (directories recursively, sorted, hidden entries skipped).

    In a directory only regular files are read: a named pipe, socket or device found there is a
    counted skip (reading one could block for ever), as is an entry that cannot be looked at (a
    dangling symlink, a symlink loop, a sub-directory that cannot be listed).
    """
    for p in paths:
        path = Path(p)
        if str(p) == "-":
            yield path
            continue
        try:
            mode = os.stat(path).st_mode
        except OSError as exc:
            yield Skipped(str(p), "unreadable-path", exc.strerror or str(exc))
            continue
        if not stat.S_ISDIR(mode):
            yield path  # named explicitly: read_path decides (a named pipe is read, with a timeout)
            continue
        errors: list[OSError] = []
        for root, dirs, files in os.walk(path, onerror=errors.append):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for d in [d for d in dirs if os.path.islink(os.path.join(root, d))]:
                yield Skipped(
                    os.path.join(root, d),
                    "symlinked-directory",
                    "a symbolic link to a directory; not followed (it could loop); name it to scan it",
                )
            for f in sorted(files):
                if f.startswith("."):
                    continue
                entry = Path(root) / f
                try:
                    mode = os.stat(entry).st_mode
                except OSError as exc:
                    yield Skipped(str(entry), "unreadable-path", exc.strerror or str(exc))
                    continue
                if stat.S_ISREG(mode):
                    yield entry
                else:
                    what = _not_a_file(mode) or "a named pipe"
                    yield Skipped(
                        str(entry), "not-a-file", f"{what}; only regular files are read in a directory"
                    )
            while errors:
                err = errors.pop(0)
                yield Skipped(str(err.filename or path), "unreadable-path", err.strerror or str(err))


class PipeReader(io.RawIOBase):
    """A named pipe read without blocking for ever: no data for ``timeout`` seconds ends the stream
    (``timed_out`` says so), and what came before is kept. A pipe no writer ever opens times out too."""

    def __init__(self, fd: int, timeout: float) -> None:
        self.fd, self.timeout = fd, timeout
        self.timed_out = False

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1, /) -> bytes:
        size = size if size is not None and size >= 0 else READ_BLOCK_BYTES
        while not self.timed_out:
            # select first: on a pipe whose writer has not come yet, read() says end of file
            ready, _, _ = select.select([self.fd], [], [], self.timeout)
            if not ready:
                self.timed_out = True
                break
            try:
                return os.read(self.fd, size)
            except BlockingIOError:
                continue
        return b""

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def _open(path: str | Path) -> tuple[BinaryIO, Callable[[], None]] | str:
    """The file to read and how to close it; or why it is not read.

    Opened without blocking (a named pipe with no writer would otherwise hang the open), then
    checked on the open descriptor, so a path swapped after a check cannot slip through.
    """
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISFIFO(mode):
            return PipeReader(fd, limits.PIPE_IDLE_TIMEOUT_S), lambda: os.close(fd)  # type: ignore[return-value]
        what = _not_a_file(mode)
        if what is not None:
            os.close(fd)
            return f"{what}; only regular files, named pipes and - (stdin) are read"
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        fh = os.fdopen(fd, "rb")
    except BaseException:
        with suppress(OSError):
            os.close(fd)
        raise
    return fh, fh.close


def read_path(
    path: str | Path, *, input_format: str | None = None, on_read: Callable[[int], None] | None = None
) -> Iterator[Record | Skipped]:
    """Records of one file (or ``-`` for stdin); whatever goes wrong is a counted ``Skipped``."""
    source = str(path)
    if source == "-":
        try:
            yield from read_stream(CountingReader(sys.stdin.buffer, on_read), "-", input_format=input_format)
        except OSError as exc:
            yield Skipped(source, "read-error", exc.strerror or str(exc))
        return
    if parquet.is_parquet(source, input_format):  # columnar, read by name (it seeks)
        yield from parquet.read_path(path, on_read)
        return
    try:
        opened = _open(path)
    except OSError as exc:
        yield Skipped(source, "unreadable-path", exc.strerror or str(exc))
        return
    if isinstance(opened, str):
        yield Skipped(source, "not-a-file", opened)
        return
    fh, close = opened
    try:
        yield from read_stream(CountingReader(fh, on_read), source, input_format=input_format, name=source)
        if isinstance(fh, PipeReader) and fh.timed_out:
            yield Skipped(
                source, "read-timeout", f"no data for {fh.timeout:g} s; what came before it was scanned"
            )
    except OSError as exc:
        yield Skipped(source, "read-error", exc.strerror or str(exc))
    except InputError:  # an unknown --input-format: the whole run's fault, not this file's
        raise
    except Exception as exc:  # a reader's bug on hostile input must not lose the rest of the run
        yield Skipped(source, "reader-failed", f"unexpected {type(exc).__name__}: {exc}")
    finally:
        close()
