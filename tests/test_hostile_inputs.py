"""Hostile inputs through the CLI: a fault in one file is a counted skip, never a lost run or exit 70.

Compression faults are made for every format (corrupt header, corrupt middle, cut-off end), next to
a good file, and the run must keep the good file and what was read of the bad one.
"""

from __future__ import annotations

import bz2
import gzip
import json
import lzma
import os
import random
import socket
import sys
import threading
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest
import zstandard

from linkguard import limits
from linkguard.cli import main

COMPRESSORS: dict[str, Callable[[bytes], bytes]] = {
    "gz": gzip.compress,
    "bz2": lambda data: bz2.compress(data, 1),  # 100 kB blocks: a corrupt block loses only that one
    "xz": lambda data: lzma.compress(data, preset=0),
    "zst": lambda data: zstandard.ZstdCompressor().compress(data),
}


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[dict[str, object]], str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, [json.loads(line) for line in out.splitlines() if line.strip()], err


def _text(lines: int = 20000) -> bytes:
    """Incompressible enough that the compressed file is large and a cut lands in the data."""
    r = random.Random(7)
    rows = [" ".join(f"{r.choice('abcdef')}{r.randrange(10**6)}" for _ in range(8)) for _ in range(lines)]
    rows.insert(50, "early link: spiegel.ltd")
    return ("\n".join(rows) + "\n").encode()


def _corruptions(data: bytes) -> dict[str, bytes]:
    middle = bytearray(data)
    for i in range(len(data) // 2, len(data) // 2 + 64):
        middle[i] ^= 0x55
    header = bytearray(data)
    for i in range(6, 30):  # after every format's magic bytes
        header[i] ^= 0xFF
    return {"cut": data[: len(data) // 2], "middle": bytes(middle), "header": bytes(header)}


@pytest.mark.parametrize("suffix", sorted(COMPRESSORS))
def test_every_decompressor_fault_is_a_counted_skip(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], suffix: str
) -> None:
    packed = COMPRESSORS[suffix](_text())
    for name, data in _corruptions(packed).items():
        (tmp_path / f"{name}.txt.{suffix}").write_bytes(data)
    (tmp_path / "good.txt").write_text("see welt.ltd\n", encoding="utf-8")
    summary = tmp_path.parent / f"summary-{suffix}.json"
    code, rows, err = run(capsys, "scan", str(tmp_path), "--format", "jsonl", "--summary", str(summary))
    assert "Traceback" not in err and "unexpected" not in err
    by_source = {Path(str(r["source"])).name: r["host"] for r in rows}
    # the good file, and the link before the fault in the cut and the corrupt-middle files
    assert by_source == {
        "good.txt": "welt.ltd",
        f"cut.txt.{suffix}": "spiegel.ltd",
        f"middle.txt.{suffix}": "spiegel.ltd",
    }
    kind = {"gz": "gzip", "zst": "zstd"}.get(suffix, suffix)
    stats = json.loads(summary.read_text(encoding="utf-8"))
    assert stats["skipped"] == {f"corrupt-{kind}": 1, f"truncated-{kind}": 2}
    assert f"cut.txt.{suffix}: skipped (truncated-{kind})" in err
    assert f"header.txt.{suffix}: skipped (corrupt-{kind})" in err
    assert code == 1  # flagged wins over the unreadable file, which stderr names


def test_a_corrupt_file_alone_exits_3(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.jsonl.zst"
    bad.write_bytes(_corruptions(COMPRESSORS["zst"](_text(200)))["header"])
    code, rows, err = run(capsys, "scan", str(bad), "--format", "jsonl", "-q")
    assert (code, rows) == (3, [])
    assert err.strip().startswith("linkguard: ") and "corrupt-zstd" in err


def test_concatenated_and_padded_streams_are_read_whole(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for suffix, pack in COMPRESSORS.items():
        (tmp_path / f"cat.txt.{suffix}").write_bytes(
            pack(b"one welt.ltd\n") + pack(b"two spiegel.ltd\n") + b"\0" * 8
        )
    code, rows, err = run(capsys, "scan", str(tmp_path), "--format", "jsonl")
    assert sorted((Path(str(r["source"])).suffix, r["host"]) for r in rows) == sorted(
        (f".{s}", h) for s in COMPRESSORS for h in ("welt.ltd", "spiegel.ltd")
    )
    assert "skipped" not in err and code == 1


def test_a_bomb_is_read_in_bounded_pieces(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """64 MiB of zeros from 2 KiB of zstd: never held at once (zstd's one-shot inflate would)."""
    bomb = tmp_path / "bomb.txt.zst"
    bomb.write_bytes(zstandard.ZstdCompressor().compress(b"welt.ltd\n" + b"\0" * (64 << 20)))
    assert bomb.stat().st_size < 8192
    tracemalloc.start()
    try:
        code, rows, err = run(capsys, "scan", str(bomb), "--format", "jsonl")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert [r["host"] for r in rows] == ["welt.ltd"] and code == 1
    assert peak < 40 << 20, peak
    assert "Traceback" not in err


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_special_files_in_a_directory_are_skipped_never_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "a.txt").write_text("see welt.ltd\n", encoding="utf-8")
    os.mkfifo(tmp_path / "pipe")  # nobody ever writes: reading it would block for ever
    (tmp_path / "dangling").symlink_to(tmp_path / "nowhere")
    (tmp_path / "loop").symlink_to(tmp_path / "loop")
    (tmp_path / "up").symlink_to(tmp_path)  # walking into it would never end
    sock = socket.socket(socket.AF_UNIX)
    try:
        sock.bind(str(tmp_path / "sock"))
        code, rows, err = run(capsys, "scan", str(tmp_path), "--format", "jsonl", "-q")
    finally:
        sock.close()
    assert [r["host"] for r in rows] == ["welt.ltd"]
    lines = err.strip().splitlines()
    assert len(lines) == 5 and all(line.startswith("linkguard: ") for line in lines)
    assert "up: skipped (symlinked-directory)" in err
    assert "pipe: skipped (not-a-file): a named pipe" in err
    assert "sock: skipped (not-a-file): a socket" in err
    assert "dangling: skipped (unreadable-path)" in err
    assert "loop: skipped (unreadable-path)" in err
    assert code == 1


@pytest.mark.skipif(sys.platform != "linux", reason="holds a pipe open with O_RDWR, as Linux allows")
def test_named_pipes_given_explicitly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    # a writer (like `scan <(zcat dump.gz)`): read to the end
    writer = threading.Thread(target=lambda: fifo.write_bytes(b"pipe has welt.ltd\n"), daemon=True)
    writer.start()
    code, rows, _ = run(capsys, "scan", str(fifo), "--format", "jsonl")
    writer.join(timeout=30)
    assert [r["host"] for r in rows] == ["welt.ltd"] and code == 1
    monkeypatch.setattr(limits, "PIPE_IDLE_TIMEOUT_S", 0.2)
    # no writer ever: given up after the idle timeout, an input that could not be read
    code, rows, err = run(capsys, "scan", str(fifo), "--format", "jsonl", "-q")
    assert (code, rows) == (3, [])
    assert (
        err
        == f"linkguard: {fifo}: skipped (read-timeout): no data for 0.2 s; what came before it was scanned\n"
    )
    # a writer that stalls (this process holds the pipe open for writing): what came is kept
    held = os.open(fifo, os.O_RDWR | os.O_NONBLOCK)  # Linux: opens at once, and counts as a writer
    try:
        os.write(held, b"before the stall: spiegel.ltd\n")
        code, rows, err = run(capsys, "scan", str(fifo), "--format", "jsonl")
    finally:
        os.close(held)
    assert [r["host"] for r in rows] == ["spiegel.ltd"]
    assert "skipped (read-timeout): no data for 0.2 s" in err
    assert code == 1


def test_devices_given_explicitly_are_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    if not Path("/dev/zero").exists():
        pytest.skip("no /dev/zero")
    code, rows, err = run(capsys, "scan", "/dev/zero", "--format", "jsonl", "-q")
    assert (code, rows) == (3, [])
    assert err == (
        "linkguard: /dev/zero: skipped (not-a-file): "
        "a character device; only regular files, named pipes and - (stdin) are read\n"
    )


def test_an_unreadable_file_exits_3_and_the_rest_is_scanned(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Root-proof unreadable inputs: a dangling symlink, and a file whose open fails (a symlink loop)."""
    good = tmp_path / "good.txt"
    good.write_text("tagesschau.de\n", encoding="utf-8")
    (tmp_path / "dangling.txt").symlink_to(tmp_path / "missing.txt")
    (tmp_path / "loop.txt").symlink_to(tmp_path / "loop.txt")
    for target in ("dangling.txt", "loop.txt"):
        code, rows, err = run(
            capsys, "scan", str(good), str(tmp_path / target), "--format", "jsonl", "--all", "-q"
        )
        assert [r["host"] for r in rows] == ["tagesschau.de"]
        assert code == 3, err
        assert err.count("\n") == 1 and f"{target}: skipped (unreadable-path)" in err
    # the same in a directory walk, and without -q in the summary
    code, _, err = run(capsys, "scan", str(tmp_path), "--format", "jsonl")
    assert code == 3 and "dangling.txt: skipped (unreadable-path)" in err and "loop.txt: skipped" in err


def test_quiet_still_names_a_missing_path(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = tmp_path / "good.txt"
    good.write_text("nothing here\n", encoding="utf-8")
    code, _, err = run(capsys, "scan", str(good), str(tmp_path / "missing.txt"), "-q", "--format", "jsonl")
    assert code == 3
    assert (
        err
        == f"linkguard: {tmp_path / 'missing.txt'}: skipped (unreadable-path): No such file or directory\n"
    )


def test_nul_bytes_early_in_a_log_do_not_hide_its_links(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = tmp_path / "crash.log"
    log.write_bytes(b"\0" * 20000 + b"after the crash: welt.ltd\n")  # NUL padding, as after a crash
    short = tmp_path / "short.log"
    short.write_bytes(b"start\0\0\0 then welt.ltd\n")
    preamble = tmp_path / "export.txt"
    preamble.write_bytes(bytes(range(256)) * 64 + b"\nplanted spiegel.ltd\n" + b"more text\n" * 2000)
    code, rows, err = run(capsys, "scan", str(tmp_path), "--format", "jsonl")
    assert sorted((Path(str(r["source"])).name, r["host"]) for r in rows) == [
        ("crash.log", "welt.ltd"),
        ("export.txt", "spiegel.ltd"),
        ("short.log", "welt.ltd"),
    ]
    assert "binary-start-read-as-text" in err and code == 1


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom_is_decoded(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], encoding: str
) -> None:
    f = tmp_path / "export.txt"
    f.write_bytes("Hallo, der Link: welt.ltd\nund spiegel.ltd\n".encode(encoding))
    code, rows, err = run(capsys, "scan", str(f), "--format", "jsonl")
    assert [(r["host"], r["line"]) for r in rows] == [("welt.ltd", 1), ("spiegel.ltd", 2)]
    assert code == 1 and "skipped" not in err


def test_a_real_binary_is_skipped_and_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    r = random.Random(3)
    blob = tmp_path / "image.png"
    blob.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(r.randrange(256) for _ in range(20000)))
    code, rows, err = run(capsys, "scan", str(blob), "--format", "jsonl", "-q")
    assert rows == [] and "image.png: skipped (binary)" in err
    assert code == 0  # not text is not an input error; stderr names it


def test_8bit_text_without_nuls_is_still_text(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Cyrillic in cp1251 is mostly bytes that are not UTF-8: without NULs it is read (replaced, counted)."""
    f = tmp_path / "ru.txt"
    f.write_bytes(("Новости на сайте welt.ltd, читайте дальше\n" * 50).encode("cp1251"))
    code, rows, err = run(capsys, "scan", str(f), "--format", "jsonl")
    assert len(rows) == 50 and code == 1
    assert "repaired (invalid-utf-8-replaced)" in err and "skipped" not in err
