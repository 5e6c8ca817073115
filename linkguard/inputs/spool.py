"""A stream made seekable: zip archives (XLSX workbooks, zipped chat exports) are read from their
end, and a pipe or a decompressor cannot seek."""

from __future__ import annotations

import tempfile
from typing import IO

from linkguard.inputs.reader import ByteSource
from linkguard.limits import READ_BLOCK_BYTES, SPOOL_MEMORY_BYTES


def spool(stream: ByteSource) -> IO[bytes]:
    """``stream`` copied to a temporary file, in memory up to ``SPOOL_MEMORY_BYTES``, on disk past
    it, so memory stays flat whatever its size; the caller closes it."""
    copy = tempfile.SpooledTemporaryFile(max_size=SPOOL_MEMORY_BYTES)
    while chunk := stream.read(READ_BLOCK_BYTES):
        copy.write(chunk)
    copy.seek(0)
    return copy
