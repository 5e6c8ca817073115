"""Every input format in one table: which reader reads a stream, by name, file ending or content.

Adding a format is one module that declares a :class:`~linkguard.inputs.reader.Reader` plus one
line in ``READERS`` (see ``docs/extending.md``). The order of ``READERS`` is the order of
``--input-format`` choices and the order in which content is sniffed; plain text reads whatever no
other format claims.
"""

from __future__ import annotations

from pathlib import Path

from linkguard.errors import InputError
from linkguard.inputs import (
    chatzip,
    compression,
    csvtable,
    htmlpage,
    jsondump,
    parquet,
    plaintext,
    whatsapp,
    xlsxsheet,
)
from linkguard.inputs.reader import Reader

READERS: tuple[Reader, ...] = (
    plaintext.READER,
    htmlpage.READER,
    jsondump.DOCUMENT,
    jsondump.LINES,
    csvtable.CSV,
    csvtable.TSV,
    parquet.READER,
    whatsapp.READER,
    chatzip.READER,
    xlsxsheet.READER,
)


class Readers:
    """A table of readers: by name, by file ending, and in sniffing order; ``fallback`` reads
    whatever no reader claims."""

    def __init__(self, readers: tuple[Reader, ...], fallback: Reader) -> None:
        self.readers = readers
        #: Sniffing order: a format that claims another's files by content (a WhatsApp chat, whose
        #: iOS form starts with "[") is the more specific, so it is asked first.
        self.sniffers = tuple(r for r in readers if r.claims) + tuple(r for r in readers if not r.claims)
        self.fallback = fallback
        self.by_name = {r.name: r for r in readers}
        self.by_extension = {ext: r for r in readers for ext in r.extensions}
        if len(self.by_name) != len(readers) or len(self.by_extension) != sum(
            len(r.extensions) for r in readers
        ):
            raise ValueError("two input formats claim one name or file ending")
        #: ending -> readers that take a file with that ending when their sniff says yes.
        self.claims: dict[str, tuple[Reader, ...]] = {}
        for r in readers:
            for ext in r.claims:
                self.claims[ext] = (*self.claims.get(ext, ()), r)
        #: The ``--input-format`` choices.
        self.formats: tuple[str, ...] = ("auto", *self.by_name)

    def choose(self, input_format: str | None, name: str, head: bytes) -> Reader:
        """The reader for a stream: the one asked for, else by file ending (unless a format that
        claims that ending knows the first bytes as its own), else by its first bytes."""
        if input_format and input_format != "auto":
            try:
                return self.by_name[input_format]
            except KeyError:
                raise InputError(
                    f"unknown input format {input_format!r}; choose one of {', '.join(self.formats)}"
                ) from None
        ending = Path(compression.strip_suffix(name)).suffix.lower()
        by_ending = self.by_extension.get(ending)
        if by_ending is not None:
            claimants = self.claims.get(ending, ())
            return next((r for r in claimants if r.sniff is not None and r.sniff(head)), by_ending)
        return next((r for r in self.sniffers if r.sniff is not None and r.sniff(head)), self.fallback)


#: The formats linkguard reads; plain text is what no other format claims.
REGISTRY = Readers(READERS, fallback=plaintext.READER)
FORMATS: tuple[str, ...] = REGISTRY.formats


def sniff_format(name: str, head: bytes) -> str:
    """The name of the format chosen for a stream without ``--input-format``."""
    return REGISTRY.choose(None, name, head).name
