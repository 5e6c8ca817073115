"""JSON Lines passed a block at a time (``twitter.quiet_lines``, in C): the blank lines and the
lines of quiet posts between two lines that need parsing are one C call, and the scan reads what
judging each line in turn (``jsondump._quiet_lines_py``) reads, wherever the blocks end, whatever
the lines are (quiet, showing a link, blank, over the limit, no JSON) and wherever the stream fails.
"""

from __future__ import annotations

import dataclasses
import io
import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_quiet_raw import PARSED, joined, needs_c, raw_posts
from test_quiet_runs import KINDS

from linkguard.inputs import jsondump, jsontree
from linkguard.inputs.jsontree import QuietLines, quiet_text
from linkguard.inputs.shapes import SHAPES
from linkguard.models import Record, Skipped

pytestmark = needs_c

#: The shapes with quiet posts told line by line (``Walker.quiet_records``, C as well), not a block
#: at a time: the slow way the block pass is held to.
LINE_BY_LINE = tuple(dataclasses.replace(shape, quiet_lines=None) for shape in SHAPES)

#: Lines of every kind read_lines tells apart: blank ones (``str.isspace``, outside ASCII too),
#: ones that are no JSON, and a quiet post long enough to be over a small limit.
_OTHER_LINES = st.sampled_from(
    [
        *["", " ", "\t ", "\xa0", "\u3000 ", "\x1c", "\x0b\x0c"],
        *["{", '{"a": tru}', "not json", "[1, 2", "{}", "[]", "17", '"x"', "null"],
        '{"tweet": {"id_str": "3", "full_text": "' + "Krieg und Frieden " * 12 + '"}}',
    ]
)
LINES = st.lists(
    st.sampled_from(list(KINDS.values())).map(lambda kind: kind.format(i=7))
    | raw_posts().map(lambda raw: raw.replace("\n", " ").replace("\r", " "))
    | _OTHER_LINES,
    min_size=1,
    max_size=24,
)
#: How a line ends (the last may not): "\r" and "\r\n" make the blocks be read line by line.
ENDS = st.lists(st.sampled_from(["\n"] * 12 + ["\r\n", "\r"]), min_size=24, max_size=24)


def _text(lines: list[str], ends: list[str], last: bool) -> str:
    text = "".join(line + end for line, end in zip(lines, ends, strict=False))
    return text if last else text[: len(text) - len(ends[len(lines) - 1])]


def _resolved(walker: jsontree.Walker, text: str, at: int, size: int) -> QuietLines:
    """``Walker.quiet_lines`` with the lines whose ``found`` text :func:`quiet_text` proves quiet
    taken into the run, as ``read_lines`` takes them."""
    passed = walker.quiet_lines(text, at, size)
    assert passed is not None
    stop, end, lines, first, quiet, posts, found = passed
    while found is not None and quiet_text(found):
        first = first if quiet else lines
        more = walker.quiet_lines(text, end, size)
        assert more is not None
        stop, end, more_lines, _first, more_quiet, more_posts, found = more
        lines, quiet, posts = lines + 1 + more_lines, quiet + 1 + more_quiet, posts + 1 + more_posts
    return stop, end, lines, first, quiet, posts, found


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    lines=LINES,
    last=st.booleans(),
    size=st.sampled_from([16, 60, 120, 1 << 20]),
    wide=st.booleans(),
    at=st.integers(0, 2000),
)
def test_the_c_pass_gives_what_judging_each_line_gives(
    lines: list[str], last: bool, size: int, wide: bool, at: int
) -> None:
    text = _text(lines, ["\n"] * len(lines), last) + ("😀\n" if wide else "")  # UCS-4: the line alone is not
    at = at % (len(text) + 1)
    walker = jsontree.Walker(jsontree.Positions(""), "t.jsonl", SHAPES)
    *passed, found = _resolved(walker, text, at, size)
    *slow, none = jsondump._quiet_lines_py(walker, text, at, size)
    assert passed == slow and none is None
    assert found is None or not quiet_text(found)


class _Chunks(io.StringIO):
    """A text read in chunks of ``sizes`` in turn, whatever is asked for (a block may end
    anywhere); failing after ``reads`` reads, if given (a disk error part-way)."""

    def __init__(self, text: str, sizes: list[int], reads: int | None = None) -> None:
        super().__init__(text)
        self.sizes, self.reads = sizes, reads

    def read(self, size: int | None = -1, /) -> str:
        if self.reads is not None:
            if not self.reads:
                raise OSError("read error")
            self.reads -= 1
        self.sizes = self.sizes[1:] + self.sizes[:1]
        return super().read(self.sizes[-1])


def _read(
    text: str,
    sizes: list[int],
    shapes: tuple[jsontree.Shape, ...],
    *,
    first_line: int = 1,
    reads: int | None = None,
) -> tuple[list[Record | Skipped], bool]:
    """What ``read_lines`` gives, and whether the stream failed."""
    items: list[Record | Skipped] = []
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(jsondump, "SHAPES", shapes)
        try:
            for item in jsondump.read_lines(_Chunks(text, sizes, reads), "t.jsonl", first_line=first_line):  # type: ignore[arg-type]
                items.append(item)
        except OSError:
            return items, True
    return items, False


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    lines=LINES,
    ends=ENDS,
    last=st.booleans(),
    sizes=st.lists(st.integers(1, 300), min_size=1, max_size=6),
    limit=st.sampled_from([40, 120, 1 << 20]),
    first_line=st.integers(1, 99),
)
def test_json_lines_read_a_block_at_a_time_read_as_judging_each_line(
    lines: list[str], ends: list[str], last: bool, sizes: list[int], limit: int, first_line: int
) -> None:
    """Read a character at a time, each block is one line: the lines' own way, to the record."""
    text = _text(lines, ends, last)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(jsondump, "MAX_LINE_CHARS", limit)
        blocks, _ = _read(text, sizes, SHAPES, first_line=first_line)
        each, _ = _read(text, [1], LINE_BY_LINE, first_line=first_line)
        parsed, _ = _read(text, [1], PARSED, first_line=first_line)
    assert blocks == each
    assert joined(blocks) == joined(parsed)
    for before, piece in itertools.pairwise(blocks):  # a line over the limit, piece by piece
        if isinstance(piece, Record) and piece.record is None and piece.count == 0:
            assert isinstance(before, Record) and before.record is None
            assert (piece.line, piece.column) == (before.line, before.column + len(before.text))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    lines=LINES,
    ends=ENDS,
    sizes=st.lists(st.integers(1, 300), min_size=1, max_size=6),
    reads=st.integers(0, 12),
)
def test_a_stream_that_fails_part_way_counts_what_judging_each_line_counts(
    lines: list[str], ends: list[str], sizes: list[int], reads: int
) -> None:
    text = _text(lines * 3, ends * 3, True)
    blocks, failed = _read(text, sizes, SHAPES, reads=reads)
    each, failed_too = _read(text, sizes, LINE_BY_LINE, reads=reads)
    assert blocks == each and failed == failed_too


def test_a_run_of_quiet_lines_is_one_record_at_its_first_quiet_line() -> None:
    kinds = ["empty", "quiet", "wide", "link", "quiet", "judged", "empty", "quiet", "judged-link"]
    text = "\n \n" + "".join(KINDS[kind].format(i=i) + "\n" for i, kind in enumerate(kinds))
    walker = jsontree.Walker(jsontree.Positions(""), "t.jsonl", SHAPES)
    # blank, blank, empty, quiet, wide; stop at "link" (line 6), after five lines of which three quiet
    stop, end, *counts, found = walker.quiet_lines(text, 0, 1 << 20) or ()
    assert text[stop:end] == KINDS["link"].format(i=3) + "\n"
    assert (counts, found) == ([5, 2, 3, 2], None)
    # "judged": C leaves its text to Python, which proves it quiet
    stop, end, *counts, found = walker.quiet_lines(text, end, 1 << 20) or ()
    assert (counts, found) == ([1, 0, 1, 1], "Krieg <3 Frieden 5")
    items, _ = _read(text, [4096], SHAPES)
    runs = [
        (r.line, r.count, r.posts) for r in items if isinstance(r, Record) and not r.text and r.post is None
    ]
    assert runs == [(3, 3, 2), (7, 4, 3)]  # at the first quiet post, with text or not
