"""What an input format declares, so that one table (``registry``) can pick its reader."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Protocol

from linkguard.inputs.decoding import Repairs
from linkguard.models import Record, Skipped


class ByteSource(Protocol):
    """What bytes are read from: a file, stdin's buffer, a decompressor."""

    def read(self, size: int = -1, /) -> bytes | None: ...


Records = Iterator[Record | Skipped]
#: Reads decoded text (the stream's decoding counts its own repairs).
TextReader = Callable[[io.TextIOWrapper, str], Records]
#: Reads the bytes itself; the invalid UTF-8 it replaces goes to the stream's :class:`Repairs`.
ByteReader = Callable[[ByteSource, str, Repairs], Records]


@dataclass(frozen=True, slots=True)
class Reader:
    """One input format: its ``--input-format`` name, the file endings that name it, how its first
    bytes look, and how it is read.

    A text format is checked for binary content first and given decoded text (``read_text``); with
    ``read_bytes`` as well, UTF-8 input takes that faster way in. A ``binary`` format (a spreadsheet,
    a columnar file) is given the bytes as they come, with no text check, and needs ``read_bytes``.
    """

    name: str
    extensions: tuple[str, ...] = ()
    #: Whether the first bytes of an input (up to ``SNIFF_BYTES``, decompressed) are this format;
    #: ``None``: never chosen by content, only by name or ending.
    sniff: Callable[[bytes], bool] | None = None
    read_text: TextReader | None = None
    read_bytes: ByteReader | None = None
    binary: bool = False
    #: Endings of another format whose files this one takes when ``sniff`` says yes: a WhatsApp
    #: chat is a ``.txt`` that is still a chat.
    claims: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.read_text is None and self.read_bytes is None:
            raise ValueError(f"input format {self.name!r} has no reader")
        if self.binary and self.read_bytes is None:
            raise ValueError(f"binary input format {self.name!r} must read bytes")
        if self.claims and self.sniff is None:
            raise ValueError(f"input format {self.name!r} claims files by content but has no sniff")


def content_start(head: bytes) -> bytes:
    """The first bytes without a UTF-8 byte-order mark and leading whitespace, for sniffing text."""
    return head.lstrip(b"\xef\xbb\xbf \t\r\n")
