"""Parquet: one record per row of the text column, for posts already held in a columnar table.

Read in batches of ``PARQUET_BATCH_ROWS`` rows, so memory stays flat. ``line`` is the row
(1-based) and ``record`` names it (``row 7, text``); with an id column each row is a post
(platform ``parquet``), so a link is reported once per post as in the other post exports.
Which columns to read is set for a run with :func:`columns` (``--text-column``/``--id-column``);
without one the first of :data:`TEXT_COLUMNS` the file has is read. Needs ``pyarrow``
(the ``dask`` extra); without it a Parquet file is a counted skip, not an error.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any, BinaryIO

from linkguard.inputs.decoding import Repairs
from linkguard.inputs.reader import ByteSource, Reader
from linkguard.limits import PARQUET_BATCH_ROWS
from linkguard.models import Post, Record, Skipped

#: File name endings read as Parquet (a stream is recognised by its magic bytes).
EXTENSIONS = (".parquet", ".pq")
#: What a Parquet file starts with (a stream is recognised by it).
MAGIC = b"PAR1"
#: Text columns tried in order when the run names none.
TEXT_COLUMNS = ("text", "full_text", "content", "body", "message", "post", "selftext")

#: ``(text_column, id_column)`` for the current run; ``None`` means "guess" / "no id".
_COLUMNS: ContextVar[tuple[str | None, str | None]] = ContextVar("parquet_columns", default=(None, None))


@contextmanager
def columns(text_column: str | None, id_column: str | None) -> Iterator[None]:
    """Read Parquet inputs with these columns inside the ``with`` block (a context variable, so
    concurrent scans in other threads or tasks keep their own)."""
    token = _COLUMNS.set((text_column, id_column))
    try:
        yield
    finally:
        _COLUMNS.reset(token)


def is_parquet(name: str, input_format: str | None) -> bool:
    if input_format and input_format != "auto":
        return input_format == "parquet"
    return name.lower().endswith(EXTENSIONS)


def read_path(path: str | Path, on_read: Callable[[int], None] | None = None) -> Iterator[Record | Skipped]:
    """Records of a Parquet file; ``on_read`` hears its size (pyarrow reads only what it needs)."""
    source = str(path)
    try:
        fh = open(path, "rb")
    except OSError as exc:
        yield Skipped(source, "unreadable-path", exc.strerror or str(exc))
        return
    with fh:
        if on_read is not None:
            on_read(os.fstat(fh.fileno()).st_size)
        yield from read_file(fh, source)


def read_file(fh: BinaryIO, source: str) -> Iterator[Record | Skipped]:
    """Records of a seekable Parquet file; a file pyarrow cannot read is a counted skip."""
    try:
        import pyarrow.parquet as pq
    except ImportError:
        yield Skipped(source, "reader-failed", "Parquet needs pyarrow: pip install 'linkguard[dask]'")
        return
    text_column, id_column = _COLUMNS.get()
    try:
        table = pq.ParquetFile(fh)
        names = table.schema_arrow.names
        if text_column is None:
            text_column = next((c for c in TEXT_COLUMNS if c in names), None)
        missing = [c for c in (text_column, id_column) if c is not None and c not in names]
        if text_column is None or missing:
            what = (
                f"no column {missing[0]!r}"
                if missing
                else f"no text column (tried {', '.join(TEXT_COLUMNS)})"
            )
            yield Skipped(source, "reader-failed", f"{what}; it has {', '.join(names)}")
            return
        wanted = [text_column] + ([id_column] if id_column else [])
        row = 0
        for batch in table.iter_batches(batch_size=PARQUET_BATCH_ROWS, columns=wanted):
            texts = batch.column(0).to_pylist()
            ids = batch.column(1).to_pylist() if id_column else [None] * len(texts)
            for text, post_id in zip(texts, ids, strict=True):
                row += 1
                yield _record(text, post_id, source, row, text_column, id_column)
    except Exception as exc:  # pyarrow raises its own errors for a corrupt or truncated file
        yield Skipped(source, "reader-failed", f"not a readable Parquet file: {type(exc).__name__}: {exc}")


def _record(
    text: Any, post_id: Any, source: str, row: int, text_column: str, id_column: str | None
) -> Record:
    post = Post("parquet", None if post_id is None else str(post_id)) if id_column else None
    return Record(
        "" if text is None else str(text),
        source,
        row,
        1,
        f"row {row}, {text_column}",
        post=post,
        context=None,
    )


def _read_stream(stream: ByteSource, source: str, repairs: Repairs) -> Iterator[Record | Skipped]:
    """From a pipe or a decompressor: Parquet seeks, so the stream is read whole first (a file
    given by name is read in place, by ``read_path``)."""
    yield from read_file(io.BytesIO(stream.read() or b""), source)


READER = Reader(
    "parquet",
    extensions=EXTENSIONS,
    sniff=lambda head: head.startswith(MAGIC),
    read_bytes=_read_stream,
    binary=True,
)
