"""JSON Lines: one ``Finding.to_dict()`` per line, written as findings arrive."""

from __future__ import annotations

import errno
import os
import re
from typing import Any, BinaryIO

import orjson

from linkguard.limits import UNIT_ENCODED_BYTES_IN_MEMORY
from linkguard.models import Evidence, Finding, Outlet, ScanStats, Verdict
from linkguard.report.base import Reporter

#: Characters that are valid inside JSON strings but split lines in some readers or reorder text
#: on screen (DEL, C1 controls, ALM, LRM/RLM, line/paragraph separators, bidi embeddings and
#: isolates), by their UTF-8 bytes; written as \\uXXXX escapes, which decode to the same data.
RISKY_UTF8 = re.compile(rb"\x7f|\xc2[\x80-\x9f]|\xd8\x9c|\xe2\x80[\x8e\x8f\xa8-\xae]|\xe2\x81[\xa6-\xa9]")
#: What ``os.sendfile`` says where it cannot copy to that descriptor (macOS: only to sockets).
_NO_SENDFILE = frozenset(
    {errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EBADF, errno.ENOTSOCK}
)
#: Verdict fragments kept at once; the detector memoises verdicts per host, so few are distinct.
_MAX_MEMO = 4096
#: Evidence of how the input resolved a link (``Link.resolution``): made anew for each link.
_PER_LINK = frozenset({"export-resolution", "wrapper"})


def _escape(m: re.Match[bytes]) -> bytes:
    return b"\\u%04x" % ord(m.group().decode("utf-8"))


def dumps_bytes(obj: Any) -> bytes:
    """Compact JSON on one line as UTF-8, with line-breaking/bidi characters escaped.

    orjson, because at scan speed the standard encoder is the largest cost per link; bytes,
    because JSON Lines are UTF-8 and decoding only to encode again costs 5 % of a scan. DEL is
    looked for as a byte value (``0x7F in data``, a memchr): ``b"\x7f" in data`` first tries the
    operand as an integer and raises and clears a TypeError, once per finding (~1 % of a scan).
    """
    data = orjson.dumps(obj)
    if data.isascii() and 0x7F not in data:
        return data
    return RISKY_UTF8.sub(_escape, data)


def dumps_line(obj: Any) -> str:
    """:func:`dumps_bytes` as text."""
    return dumps_bytes(obj).decode("utf-8")


class FindingEncoder:
    """``dumps_bytes(finding.to_dict())``, with each verdict's half encoded once.

    A scan meets the same few verdicts over and over (one per host, memoised by the detector),
    so only the link's own keys are encoded per finding. A link the export resolved has a verdict
    of its own (the detector's, plus the resolution as evidence): that one is put together from
    the encoded head of the detector's verdict and its evidence, each encoded once, and only the
    new evidence is encoded (the verdict's last key is its evidence; each encoded value is whole
    characters, so escaping the pieces is escaping the whole). The output is byte for byte the same.
    Such a verdict is met once, so it is not memoised; what comes before its resolution is, by
    the identity of its pieces (``_shared``).
    """

    def __init__(self, end: bytes = b"") -> None:
        #: Appended to every line (JSON Lines pass b"\n": one concatenation fewer per link).
        self.end = end
        self._memo: dict[int, tuple[Verdict, bytes]] = {}
        #: ``,"verdict":…,"evidence":[`` by the verdict's other keys (the outlet kept, so its id stays unique)
        self._heads: dict[tuple[str, int, int, tuple[str, ...]], tuple[Outlet | None, bytes]] = {}
        self._evidence: dict[int, tuple[Evidence, bytes]] = {}
        #: ``_shared``'s pieces by the verdict's other keys and the ids of the evidence before the link's own
        self._shared_memo: dict[tuple[object, ...], tuple[Outlet | None, tuple[Evidence, ...], bytes]] = {}

    def _tail(self, verdict: Verdict) -> bytes:
        evidence = verdict.evidence
        shared = len(evidence)
        while shared and evidence[shared - 1].kind in _PER_LINK:
            shared -= 1
        if shared < len(evidence):  # a link's own resolution last: that verdict is never met again
            notes = b",".join([dumps_bytes(e.to_dict()) for e in evidence[shared:]])
            return self._shared(verdict, evidence[:shared]) + notes + b"]}" + self.end
        if len(self._memo) >= _MAX_MEMO:
            self._memo.clear()
        tail = self._head(verdict) + b",".join(map(self._one, evidence)) + b"]}" + self.end
        self._memo[id(verdict)] = (verdict, tail)  # the verdict is kept, so its id stays unique
        return tail

    def _shared(self, verdict: Verdict, evidence: tuple[Evidence, ...]) -> bytes:
        """``,"verdict":…,"evidence":[`` and the encoded ``evidence`` before a link's own
        resolution, with a comma after it if any: the detector's verdict of the link's host,
        met for every link there (a new verdict object each, its resolution appended)."""
        outlet = verdict.impersonates
        key = (verdict.status, verdict.score, verdict.techniques, id(outlet), *map(id, evidence))
        hit = self._shared_memo.get(key)
        if hit is not None:  # the objects are kept with it, so the ids in the key stay theirs
            return hit[2]
        if len(self._shared_memo) >= _MAX_MEMO:
            self._shared_memo.clear()
        encoded = self._head(verdict) + b"".join(self._one(e) + b"," for e in evidence)
        self._shared_memo[key] = (outlet, evidence, encoded)
        return encoded

    def _head(self, verdict: Verdict) -> bytes:
        outlet = verdict.impersonates
        key = (verdict.status, verdict.score, id(outlet), verdict.techniques)
        hit = self._heads.get(key)
        if hit is not None and hit[0] is outlet:
            return hit[1]
        if len(self._heads) >= _MAX_MEMO:
            self._heads.clear()
        head = dumps_bytes(Verdict(verdict.status, verdict.score, outlet, verdict.techniques).to_dict())
        self._heads[key] = (outlet, b"," + head[1:-2])  # '{"verdict":…,"evidence":[]}' → ',"verdict":…['
        return self._heads[key][1]

    def _one(self, evidence: Evidence) -> bytes:
        hit = self._evidence.get(id(evidence))
        if hit is not None and hit[0] is evidence:
            return hit[1]
        encoded = dumps_bytes(evidence.to_dict())
        if evidence.kind not in _PER_LINK:  # made for one link: never met again
            if len(self._evidence) >= _MAX_MEMO:
                self._evidence.clear()
            self._evidence[id(evidence)] = (evidence, encoded)
        return encoded

    def encode(self, finding: Finding) -> bytes:
        verdict = finding.verdict
        hit = self._memo.get(id(verdict))
        tail = hit[1] if hit is not None and hit[0] is verdict else self._tail(verdict)
        return dumps_bytes(finding.link_dict())[:-1] + tail


class JsonlReporter(Reporter):
    name = "jsonl"
    uses_context = False

    def _setup(self) -> None:
        self._encode = FindingEncoder(end=b"\n").encode
        # Straight to the bytes under a text stream (a file, or stdout into a pipe); a stream
        # that flushes every line (a terminal) or has no bytes under it gets text.
        buffer: BinaryIO | None = getattr(self.out, "buffer", None)
        self._buffer = None if getattr(self.out, "line_buffering", False) else buffer
        if self._buffer is not None:
            self.out.flush()  # what was written as text goes first

    def _add(self, finding: Finding, context: str | None) -> None:
        if self._buffer is not None:
            self._buffer.write(self._encode(finding))
        else:
            self.out.write(self._encode(finding).decode("utf-8"))

    def add_encoded(self, lines: bytes, written: int, flagged: int) -> None:
        """Lines a writer with the same options wrote elsewhere (``scan --jobs`` workers encode
        their findings themselves), with how many findings they hold and how many are flagged."""
        self.written += written
        self.flagged_written += flagged
        if self._buffer is not None:
            self._buffer.write(lines)
        else:
            self.out.write(lines.decode("utf-8"))

    def add_encoded_file(self, path: str, written: int, flagged: int) -> None:
        """:meth:`add_encoded` for lines in the file ``path`` (a ``scan --jobs`` worker's part),
        copied in the kernel where the output is a file or a pipe, else a block at a time."""
        self.written += written
        self.flagged_written += flagged
        with open(path, "rb") as src:
            if self._buffer is not None:
                self._buffer.flush()
                if _sendfile(src.fileno(), self._buffer):
                    return
            while lines := src.readlines(UNIT_ENCODED_BYTES_IN_MEMORY):  # whole lines: whole characters
                block = b"".join(lines)
                if self._buffer is not None:
                    self._buffer.write(block)
                else:
                    self.out.write(block.decode("utf-8"))

    def _close(self, stats: ScanStats) -> None:
        pass


def _sendfile(src: int, out: BinaryIO) -> bool:
    """All of the file ``src`` onto ``out``'s file descriptor at its position (BufferedWriter
    flushed); False, with nothing written, where the kernel cannot (no descriptor, an old kernel)."""
    if not hasattr(os, "sendfile"):  # Windows
        return False
    try:
        dst = out.fileno()
    except (AttributeError, OSError, ValueError):
        return False
    size, offset = os.fstat(src).st_size, 0
    while offset < size:
        try:
            sent = os.sendfile(dst, src, offset, size - offset)
        except OSError as exc:
            if offset == 0 and exc.errno in _NO_SENDFILE:
                return False
            raise
        if sent == 0:
            break
        offset += sent
    return True
