"""Open a path, directory or stdin; undo compression; pick the format (``registry``); hand over."""

from __future__ import annotations

import io
import os
import select
import stat
import sys
from collections.abc import Callable, Generator, Iterable, Iterator
from contextlib import suppress
from pathlib import Path
from typing import BinaryIO

from linkguard import limits
from linkguard.errors import InputError
from linkguard.inputs import compression, parquet
from linkguard.inputs.decoding import Repairs, encoding_for, looks_binary, text_stream
from linkguard.inputs.reader import ByteSource, Reader
from linkguard.inputs.registry import FORMATS, REGISTRY, Readers, sniff_format
from linkguard.limits import BINARY_PROBE_BYTES, READ_BLOCK_BYTES, SNIFF_BYTES
from linkguard.models import Record, Skipped

__all__ = ["FORMATS", "iter_paths", "read_path", "read_stream", "sniff_format"]


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
    raw: ByteSource,
    source: str,
    *,
    input_format: str | None = None,
    name: str | None = None,
    readers: Readers = REGISTRY,
) -> Iterator[Record | Skipped]:
    """Records of one byte stream; a fault part-way through is a counted ``Skipped``, not an error.

    The format is chosen before anything is decoded, so a binary format is read as bytes; a text
    format whose bytes are binary is skipped (or, with text after a binary start, read from there).

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
    reader = readers.choose(input_format, name or source, head)
    repairs = Repairs()
    try:
        if reader.binary:
            assert reader.read_bytes is not None  # a Reader says so when it is made
            yield from reader.read_bytes(stream, source, repairs)
        elif not (yield from _read_text_format(reader, stream, head, source, repairs)):
            if decompressed is not None and decompressed.error is not None:
                yield Skipped(source, f"truncated-{kind}", decompressed.error)
            return
    except UnicodeError as exc:
        yield Skipped(source, "undecodable", str(exc))
    if decompressed is not None and decompressed.error is not None:
        yield Skipped(source, f"truncated-{kind}", f"{decompressed.error}; the part before it was scanned")
    if repairs.invalid:
        yield Skipped(
            source,
            "invalid-utf-8-replaced",
            f"{repairs.invalid} invalid byte sequence(s) replaced",
            kept=True,
        )


def _read_text_format(
    reader: Reader, stream: io.RawIOBase, head: bytes, source: str, repairs: Repairs
) -> Generator[Record | Skipped, None, bool]:
    """A text format: decoded (or read as UTF-8 bytes); ``False`` when the bytes are binary."""
    encoding = encoding_for(head)
    if looks_binary(head):
        probed, found = _probe_text(stream)
        if not found:
            yield Skipped(
                source,
                "binary",
                f"no text in the first {len(head) + len(probed):,} bytes (control bytes, not UTF-8)",
            )
            return False
        yield Skipped(
            source,
            "binary-start-read-as-text",
            f"the first {len(head):,} bytes look binary, text follows; read as text",
            kept=True,
        )
        stream, encoding = _Prefixed(head + probed, stream), "utf-8"
    if reader.read_bytes is not None and encoding.startswith("utf-8"):
        yield from reader.read_bytes(stream, source, repairs)  # reads large blocks: no buffer
    else:
        assert reader.read_text is not None  # a Reader has one way in or the other
        yield from reader.read_text(text_stream(io.BufferedReader(stream), encoding, repairs), source)
    return True


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
    path: str | Path,
    *,
    input_format: str | None = None,
    on_read: Callable[[int], None] | None = None,
    readers: Readers = REGISTRY,
) -> Iterator[Record | Skipped]:
    """Records of one file (or ``-`` for stdin); whatever goes wrong is a counted ``Skipped``."""
    source = str(path)
    if source == "-":
        try:
            yield from read_stream(
                CountingReader(sys.stdin.buffer, on_read), "-", input_format=input_format, readers=readers
            )
        except OSError as exc:
            yield Skipped(source, "read-error", exc.strerror or str(exc))
        return
    if parquet.is_parquet(source, input_format):  # columnar: read by name, so pyarrow can seek
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
        yield from read_stream(
            CountingReader(fh, on_read), source, input_format=input_format, name=source, readers=readers
        )
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
