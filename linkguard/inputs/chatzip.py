"""Zipped WhatsApp exports (``WhatsApp Chat - NAME.zip``, the form "Export chat … attach media"
gives): the chat inside (``_chat.txt`` from iOS, ``WhatsApp Chat with NAME.txt`` from Android) is
read as a chat export (``inputs.whatsapp``), each record naming it; the media beside it are not read.

A zip is read from its end, so a stream is copied to a temporary file first (``inputs.spool``).
A zip with no chat in it is skipped as ``binary``, as any zip was before; one that cannot be read
(or a chat in it that cannot be inflated: a bad checksum, encryption) is ``corrupt-zip``.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from typing import BinaryIO, cast

from linkguard.inputs import whatsapp
from linkguard.inputs.decoding import Repairs, text_stream
from linkguard.inputs.reader import ByteSource, Reader
from linkguard.inputs.spool import spool
from linkguard.models import Record, Skipped

_ZIP = b"PK\x03\x04"
#: What reading a broken zip or entry raises (zipfile's own, a truncated file, encryption,
#: a compression method Python lacks).
_ZIP_FAULTS = (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, RuntimeError)


def is_chat(name: str) -> bool:
    """Whether a zip entry is the chat of a WhatsApp export."""
    base = name.rsplit("/", 1)[-1]
    return base == "_chat.txt" or (base.startswith("WhatsApp Chat") and base.lower().endswith(".txt"))


def read(stream: ByteSource, source: str, repairs: Repairs) -> Iterator[Record | Skipped]:
    with spool(stream) as fh:
        try:
            archive = zipfile.ZipFile(fh)
        except _ZIP_FAULTS as exc:
            yield Skipped(source, "corrupt-zip", f"not a readable zip: {exc}")
            return
        with archive:
            chats = [info for info in archive.infolist() if is_chat(info.filename)]
            if not chats:
                yield Skipped(source, "binary", "a zip with no WhatsApp chat (_chat.txt) in it")
                return
            for info in chats:
                try:
                    with archive.open(info) as raw:
                        text = text_stream(cast(BinaryIO, raw), "utf-8-sig", repairs)
                        yield from whatsapp.read(text, source, entry=info.filename)
                except (*_ZIP_FAULTS, NotImplementedError) as exc:
                    yield Skipped(source, "corrupt-zip", f"{info.filename}: {exc}")


def sniff(head: bytes) -> bool:
    """A zip whose first entry is a chat (iOS writes ``_chat.txt`` first)."""
    if not head.startswith(_ZIP) or len(head) < 30:
        return False
    size = int.from_bytes(head[26:28], "little")
    return is_chat(head[30 : 30 + size].decode("utf-8", "replace"))


#: By its ``.zip`` ending, or by its first entry's name.
READER = Reader("whatsapp-zip", (".zip",), sniff=sniff, read_bytes=read, binary=True)
