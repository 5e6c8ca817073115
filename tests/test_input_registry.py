"""The reader registry: one table picks each format's reader, binary formats are read as bytes,
platform shapes are their own modules, and repaired bytes are counted per stream."""

from __future__ import annotations

import io
import itertools
import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from linkguard.cli import main
from linkguard.inputs import FORMATS, read_stream
from linkguard.inputs.decoding import Repairs
from linkguard.inputs.reader import ByteSource, Reader
from linkguard.inputs.registry import READERS, REGISTRY, Readers, sniff_format
from linkguard.inputs.shapes import SHAPES
from linkguard.models import Record, Skipped

#: A binary file: NULs and control bytes from the first byte on.
BINARY = b"LGB\x00" + (b"\x00\x01\x02\x03\x04\x05\x06\x0e\x0f\x10\x11\x12welt.ltd") * 50


def _read_records(stream: ByteSource, source: str, repairs: Repairs) -> Iterator[Record | Skipped]:
    """A toy binary format: the text between NULs, one record each."""
    data = stream.read() or b""
    for i, piece in enumerate(data.split(b"\x00")):
        text = bytes(b for b in piece if b >= 0x20).decode("ascii", "replace")
        if "." in text:
            yield Record(text, source, 1, 1, f"cell {i}")


TOY = Reader(
    "toy", (".lgb",), sniff=lambda head: head.startswith(b"LGB\x00"), read_bytes=_read_records, binary=True
)


def test_formats_are_the_registry_in_order() -> None:
    assert FORMATS == (
        "auto",
        "text",
        "html",
        "json",
        "jsonl",
        "csv",
        "tsv",
        "parquet",
        "whatsapp",
        "whatsapp-zip",
        "xlsx",
    )
    assert tuple(r.name for r in READERS) == FORMATS[1:]


@pytest.mark.parametrize(
    ("name", "head", "expected"),
    [
        ("posts.json", b"anything", "json"),
        ("tweets.js.gz", b"", "json"),
        ("dump.ndjson", b"", "jsonl"),
        ("export.tsv", b"a,b", "tsv"),
        ("-", b"window.YTD.tweets.part0 = [", "json"),
        ("-", b'\xef\xbb\xbf  {"a": 1}\n{"b": 2}\n', "jsonl"),
        ("-", b'{"a": 1,\n "b": 2}', "json"),
        ("-", b"[1, 2]", "json"),
        ("-", b"<!DOCTYPE html><p>hi", "html"),
        ("-", b"<b>not a page</b>", "text"),
        ("-", b"plain words welt.ltd", "text"),
    ],
)
def test_format_by_name_ending_or_first_bytes(name: str, head: bytes, expected: str) -> None:
    assert sniff_format(name, head) == expected


def test_a_binary_format_is_read_as_bytes_not_refused() -> None:
    readers = Readers((*READERS, TOY), fallback=REGISTRY.fallback)
    assert readers.formats[-1] == "toy"
    found = list(read_stream(io.BytesIO(BINARY), "-", readers=readers))
    assert found and all(isinstance(r, Record) and r.text == "welt.ltd" for r in found)
    # the same bytes through the text formats are refused as binary: nothing is read
    refused = list(read_stream(io.BytesIO(BINARY), "-"))
    assert [r.reason for r in refused if isinstance(r, Skipped)] == ["binary"]
    assert not [r for r in refused if isinstance(r, Record)]


def test_a_binary_format_needs_a_byte_reader_and_names_are_unique() -> None:
    with pytest.raises(ValueError, match="must read bytes"):
        Reader("bad", binary=True, read_text=lambda stream, source: iter(()))
    with pytest.raises(ValueError, match="claims files by content but has no sniff"):
        Reader("bad", read_text=lambda stream, source: iter(()), claims=(".txt",))
    with pytest.raises(ValueError, match="claim one name or file ending"):
        Readers((*READERS, Reader("html2", (".htm",), read_text=lambda stream, source: iter(()))), READERS[0])


def test_each_shape_is_its_own_module() -> None:
    assert [s.platform for s in SHAPES] == [
        *("x", "telegram", "mastodon", "mastodon", "reddit", "bluesky", "facebook", "youtube")
    ]
    assert len({s.read_post.__module__ for s in SHAPES}) == len(SHAPES)


def _repaired(items: list[Record | Skipped]) -> str | None:
    return next(
        (s.detail for s in items if isinstance(s, Skipped) and s.reason == "invalid-utf-8-replaced"), None
    )


@pytest.mark.parametrize("fmt", ["text", "json", "jsonl", "csv"])
def test_repairs_are_counted_per_stream_when_streams_interleave(fmt: str) -> None:
    """Two streams read in turns on one thread: each reports its own repairs (a process-wide
    counter read before and after each stream counted the other's too)."""
    bad = {
        "text": b"caf\xe9 \xff welt.ltd\n" * 3000,
        "json": b'["caf\xe9 \xff welt.ltd",\n' + b'"x\xe9",\n' * 3000 + b'"end"]',
        "jsonl": b'{"a": "caf\xe9 \xff welt.ltd"}\n' * 3000,
        "csv": b"a,b\ncaf\xe9,\xff welt.ltd\n" * 3000,
    }[fmt]
    one = read_stream(io.BytesIO(bad), "one", input_format=fmt)
    other = read_stream(io.BytesIO(b"clean welt.ltd \xe9\n"), "other", input_format=fmt)
    got_one: list[Record | Skipped] = []
    got_other: list[Record | Skipped] = []
    for a, b in itertools.zip_longest(one, other):
        got_one.extend([a] if a is not None else [])
        got_other.extend([b] if b is not None else [])
    expected = {"text": 6000, "json": 3002, "jsonl": 6000, "csv": 6000}[fmt]
    assert _repaired(got_one) == f"{expected} invalid byte sequence(s) replaced"
    assert _repaired(got_other) == "1 invalid byte sequence(s) replaced"


def test_repairs_are_counted_per_stream_across_threads() -> None:
    results: dict[int, str | None] = {}

    def read(n: int) -> None:
        data = b"\xe9 welt.ltd\n" * (1000 * (n + 1))
        results[n] = _repaired(list(read_stream(io.BytesIO(data), f"t{n}", input_format="text")))

    threads = [threading.Thread(target=read, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == {n: f"{1000 * (n + 1)} invalid byte sequence(s) replaced" for n in range(4)}


def test_cli_reports_each_files_own_repairs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "a.txt").write_bytes(b"caf\xe9 welt.ltd\n" * 3)
    (tmp_path / "b.jsonl").write_bytes(b'{"t": "\xe9\xe9 spiegel.ltd"}\n')
    summary = tmp_path / "summary.json"
    main(["scan", str(tmp_path), "--all", "--format", "jsonl", "-q", "--summary", str(summary)])
    capsys.readouterr()
    stats = json.loads(summary.read_text(encoding="utf-8"))
    assert stats["repaired"] == {"invalid-utf-8-replaced": 2}
    messages = sorted(m for m in stats["messages"] if "invalid-utf-8" in m)
    assert messages == [
        f"{tmp_path / 'a.txt'}: repaired (invalid-utf-8-replaced): 3 invalid byte sequence(s) replaced",
        f"{tmp_path / 'b.jsonl'}: repaired (invalid-utf-8-replaced): 2 invalid byte sequence(s) replaced",
    ]
