"""A run of quiet tweets in a large array is one record that counts them all
(``twitter.quiet_runs``, in C): the scan counts what reading them one by one counts, wherever the
run is cut (a tweet that shows a link, a text Python judges, a window's end, broken JSON), and a
scan in ranges (``--jobs``), whose way out of a broken range keeps records by position, too.
"""

from __future__ import annotations

import io
import json
import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_json_ranges import FIRST, UNIT, _assert_same, _both, _by_ranges
from test_quiet_raw import PARSED, joined, needs_c, raw_posts

from linkguard.inputs import jsondump, jsontree
from linkguard.inputs.decoding import LINES_BLOCK_CHARS
from linkguard.inputs.jsontree import QuietRuns
from linkguard.inputs.shapes import SHAPES, twitter
from linkguard.models import Record, Skipped

pytestmark = needs_c

#: Tweets of each kind an archive has: quiet with text (C proves it, in ASCII or not), quiet
#: without text, quiet with a "<" in its text (Python proves it), one whose text shows a link,
#: one with an ``entities`` link, one with a "<" and a link, and no tweet at all.
KINDS: dict[str, str] = {
    "quiet": '{{"tweet": {{"id_str": "{i}", "full_text": "Krieg und Frieden {i}", "lang": "de"}}}}',
    "wide": '{{"tweet": {{"id_str": "{i}", "full_text": "Krieg … Frieden 😀 {i}"}}}}',
    "empty": '{{"tweet": {{"id_str": "{i}", "full_text": "", "lang": "de"}}}}',
    "judged": '{{"tweet": {{"id_str": "{i}", "full_text": "Krieg <3 Frieden {i}"}}}}',
    "link": '{{"tweet": {{"id_str": "{i}", "full_text": "siehe welt.ltd/{i} …"}}}}',
    "entities": (
        '{{"tweet": {{"id_str": "{i}", "full_text": "siehe https://t.co/{i}", "entities": {{"urls": '
        '[{{"url": "https://t.co/{i}", "expanded_url": "https://welt.ltd/{i}"}}]}}}}}}'
    ),
    "judged-link": '{{"tweet": {{"id_str": "{i}", "full_text": "Krieg <3 welt.ltd/{i}"}}}}',
    "other": '{{"like": {{"tweetId": "{i}", "fullText": "spiegel.ltd/{i}"}}}}',
}


def _archive(kinds: list[str], *, indent: bool = True) -> str:
    elements = [KINDS[kind].format(i=i) for i, kind in enumerate(kinds)]
    if indent:
        elements = [json.dumps(json.loads(e), indent=2, ensure_ascii=False) for e in elements]
    return "window.YTD.tweets.part0 = [\n  " + (",\n  " if indent else ",").join(elements) + " ]\n"


def _read(
    text: str, *, runs: bool = True, shapes: tuple[jsontree.Shape, ...] = SHAPES
) -> list[Record | Skipped]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(jsondump, "SHAPES", shapes)
        return list(jsondump.read_document(io.StringIO(text), "tweets.js", runs=runs))


def _quiet(item: Record | Skipped) -> bool:
    return isinstance(item, Record) and item.posts > 0 and not item.text and item.post is None


def _runs(items: list[Record | Skipped]) -> list[int]:
    return [item.posts for item in items if _quiet(item)]  # type: ignore[union-attr]


# -- the C pass and its twin -----------------------------------------------------------------------
def _quiet_runs_py(
    text: str, at: int, first: bool, eof: bool, deep: int, longest: int, not_wrappers: tuple[str, ...] | None
) -> QuietRuns:
    """``twitter.quiet_runs`` as ``array_spans`` and ``tweet_quiet`` give it element by element:
    the slow way the C pass is held to."""
    from linkguard._blocks import array_spans  # C, as is tweet_quiet (the module needs C)

    tweet_quiet = twitter.tweet_quiet
    assert tweet_quiet is not None
    items: QuietRuns = []
    run: list[int] = []  # start, end, elements, records of the run being read
    for start, end, count in array_spans(text, at, first, eof, deep):
        found = tweet_quiet(text, start, end, not_wrappers, *twitter._QUIET_TUPLES)
        if found == 0 or found == 1:  # (False and True are no answers of tweet_quiet)
            if not run:
                run = [start, end, 0, 0]
            if found and not run[3]:
                run[0] = start
            run[1], run[2], run[3] = end, run[2] + 1, run[3] + int(found)
            if run[2] < longest:
                continue
        if run:
            items.append((run[0], run[1], run[2], run[3]))
            run = []
        if isinstance(found, str):
            items.append((start, end, count, found))
        elif found is None:
            items.append((start, end, count))
    if run:
        items.append((run[0], run[1], run[2], run[3]))
    return items


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    raws=st.lists(
        raw_posts() | st.sampled_from(list(KINDS.values())).map(lambda k: k.format(i=7)), max_size=8
    ),
    separators=st.lists(st.sampled_from([",", ", ", ",\n  ", " ,", ";", ""]), min_size=8, max_size=8),
    cut=st.integers(0, 400),
    eof=st.booleans(),
    deep=st.sampled_from([2, 512]),
    longest=st.sampled_from([1, 2, 3, 1 << 62]),
    wrapped=st.booleans(),
)
def test_the_c_pass_gives_what_array_spans_and_tweet_quiet_give_element_by_element(
    raws: list[str], separators: list[str], cut: int, eof: bool, deep: int, longest: int, wrapped: bool
) -> None:
    text = "[ " + "".join(raw + sep for raw, sep in zip(raws, separators, strict=False))
    text = text[: len(text) - cut] if cut < len(text) else text  # a window may end anywhere
    not_wrappers = jsontree.Walker(jsontree.Positions(""), "t", SHAPES)._not_wrappers if wrapped else None
    for at in (2, 0, 5):
        args = (text, at, at == 2, eof, deep, longest, not_wrappers)
        assert twitter.quiet_runs(*args) == _quiet_runs_py(*args)


def test_a_run_is_cut_by_what_is_not_quiet_and_by_its_longest() -> None:
    kinds = ["empty", "quiet", "wide", "link", "quiet", "judged", "empty", "empty", "quiet", "other"]
    text = _archive(kinds, indent=False)
    at = text.index("[") + 1
    walker = jsontree.Walker(jsontree.Positions(""), "t", SHAPES)
    runs = twitter.quiet_runs(text, at, True, True, 512, 1 << 62, walker._not_wrappers)
    assert [item[2:] if len(item) == 4 else "parse" for item in runs] == [
        (3, 2),  # empty, quiet, quiet: two records, the first at the first quiet one
        "parse",
        (1, 1),
        (5, "Krieg <3 Frieden 5"),  # Python judges the text
        (3, 1),  # empty, empty, quiet
        "parse",
    ]
    assert runs[0][0] == text.index('{"tweet": {"id_str": "1"')
    assert runs[4][0] == text.index('{"tweet": {"id_str": "8"')
    each = twitter.quiet_runs(text, at, True, True, 512, 2, walker._not_wrappers)
    assert [item[2:] for item in each[:2]] == [(2, 1), (1, 1)]  # at most two elements a run


# -- a document read in runs -----------------------------------------------------------------------
#: Elements enough that the first block read does not hold the archive: it is read element by element.
_FILLER = ["other"] * 3000


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    kinds=st.lists(st.sampled_from(list(KINDS)), min_size=1, max_size=40),
    indent=st.booleans(),
    broken=st.sampled_from(["", '{"tweet": {"id_str": "x" "full_text": "a"}}', '{"a": tru}', "]"]),
)
def test_an_archive_read_in_runs_counts_and_scans_as_reading_each_post(
    kinds: list[str], indent: bool, broken: str
) -> None:
    text = _archive([*_FILLER, *kinds, *kinds], indent=indent)
    if broken:  # malformed JSON right after the runs: the rest is scanned as text
        text = text.replace(" ]\n", ",\n  " + broken + ", " + KINDS["quiet"].format(i=9) + " ]\n")
    runs, each, parsed = _read(text), _read(text, runs=False), _read(text, shapes=PARSED)
    assert each == parsed  # one by one: what parsing every post gives, record for record
    assert joined(runs) == joined(each)
    assert runs == joined(runs)  # no two runs side by side but across a window's end
    if broken:
        assert isinstance(runs[-2], Skipped)


def test_a_window_end_cuts_a_run_and_nothing_is_lost() -> None:
    kinds = ["quiet", "empty", "wide", "quiet", "judged"] * 4000  # over 3 windows of JSON_READ_CHARS
    text = _archive(kinds)
    assert len(text) > 3 * jsondump.JSON_READ_CHARS
    runs, each = _read(text), _read(text, runs=False)
    assert len(_runs(runs)) > 1 and sum(_runs(runs)) == 16000 == len(_runs(each))
    assert joined(runs) == joined(each) and sum(r.count for r in runs if isinstance(r, Record)) == 16000
    # a run is cut at each "judged" tweet, which Python proves quiet after C read it to its end
    assert len(runs) < 0.6 * len(each)  # four records of five elements, or two


# -- in ranges -------------------------------------------------------------------------------------
def _ranged_archive(seed: object, *, indent: bool = True) -> tuple[bytes, int]:
    """Mostly quiet tweets, in runs, some cut by a post that shows a link or one Python judges;
    enough for several ranges. With how many elements."""
    weights = {"quiet": 30, "wide": 10, "empty": 5, "judged": 3, "link": 4, "entities": 4, "other": 2}
    kinds = random.Random(str(seed)).choices(
        list(weights), list(weights.values()), k=(FIRST + 6 * UNIT) // 60
    )
    return _archive(kinds, indent=indent).encode(), len(kinds)


@pytest.mark.parametrize(
    ("indent", "fault"),
    [
        (True, b""),
        (False, b""),
        (True, b'{"tweet": {"id_str": "1" "full_text": "x"}}'),
        (True, b'{"a": tru}'),
        (False, b'{"tweet": {"id_str": "1" "full_text": "x"}}'),
        (False, b'{"a": tru}'),
    ],
)
def test_an_archive_in_ranges_counts_its_quiet_posts_as_a_sequential_scan_does(
    tmp_path: Path, indent: bool, fault: bytes
) -> None:
    """A broken range is read again from the file's start (``partition._json_tail``), keeping the
    records at or after its first comma: a run of quiet posts across that comma must count only
    those after it, exactly (``_assert_same`` compares the counts of posts too). Minified, every
    post starts on the comma's line: a quiet post's record must be where the post starts, not at
    column 1 of its line, or the posts after the comma on its line are dropped."""
    data, elements = _ranged_archive((indent, fault), indent=indent)
    if fault:  # in the fourth range, inside a run of quiet posts
        nl = b"\n  " if indent else b""
        cut = data.index(b"," + nl + b"{" + nl + b'"tweet"', FIRST + 3 * UNIT + UNIT // 2)
        data = data[:cut] + b"," + nl + fault + data[cut:]
    path = tmp_path / "tweets.js"
    path.write_bytes(data)
    units = _assert_same(path, broken=bool(fault))
    assert len(units) > 3
    if not fault:  # (after one, the rest is text)
        assert _by_ranges(path)[1].posts > elements // 2


def test_jobs_write_the_same_for_an_archive_of_quiet_runs(tmp_path: Path) -> None:
    path = tmp_path / "tweets.js"
    data, _ = _ranged_archive(5)
    for broken in (False, True):
        if broken:  # malformed after a run, in a later range: the way out through the CLI
            cut = data.index(b',\n  {\n  "tweet"', FIRST + 4 * UNIT)
            data = data[:cut] + b', {"a": tru}' + data[cut:]
        path.write_bytes(data)
        one, two = _both(path, "--all", "--format", "jsonl", tmp_path=tmp_path)
        assert two == one and b"welt.ltd" in one


# -- JSON Lines ------------------------------------------------------------------------------------
class _Failing(io.StringIO):
    """A stream that fails after its first ``reads`` blocks (a disk error part-way)."""

    def __init__(self, text: str, reads: int) -> None:
        super().__init__(text)
        self.reads = reads

    def read(self, size: int | None = -1, /) -> str:
        if not self.reads:
            raise OSError("read error")
        self.reads -= 1
        return super().read(size)


#: A line that is no JSON: scanned as text, between runs.
_BROKEN = '{{"tweet": {{"id_str": "{i}" "full_text": "a"}}}}'


def _lines(kinds: list[str]) -> str:
    """A line a post (a blank line after some), as JSON Lines."""
    lines = [
        KINDS.get(kind, _BROKEN).format(i=i) + "\n" + ("\n" if i % 7 == 3 else "")
        for i, kind in enumerate(kinds)
    ]
    return "".join(lines)


@settings(max_examples=100, deadline=None)
@given(kinds=st.lists(st.sampled_from([*KINDS, "broken"]), min_size=1, max_size=30))
def test_json_lines_in_runs_count_and_scan_as_reading_each_post(kinds: list[str]) -> None:
    text = _lines(kinds)
    runs = list(jsondump.read_lines(io.StringIO(text), "t.jsonl"))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(jsondump, "SHAPES", PARSED)
        parsed = list(jsondump.read_lines(io.StringIO(text), "t.jsonl"))
    assert joined(runs) == joined(parsed)


def test_json_lines_of_quiet_posts_are_one_record_and_counted_when_the_stream_fails() -> None:
    text = _lines(["quiet", "empty", "wide", "link", "judged"] * 4000)  # over 2 blocks of lines
    runs = [
        r for r in jsondump.read_lines(io.StringIO(text), "t.jsonl") if isinstance(r, Record) and not r.text
    ]
    assert [(r.line, r.count, r.posts) for r in runs][:3] == [
        (1, 3, 2),
        (6, 4, 3),
        (11, 4, 3),
    ]  # blank lines: 5, 13
    assert sum(r.posts for r in runs) == 12000
    with pytest.raises(OSError):
        read = []
        for item in jsondump.read_lines(_Failing(text, 1), "t.jsonl"):
            read.append(item)
    lines = text[:LINES_BLOCK_CHARS].count("\n") - text[:LINES_BLOCK_CHARS].count("\n\n")  # blank: no record
    assert sum(r.count for r in read if isinstance(r, Record)) == lines > 0


# -- texts outside ASCII, judged in C --------------------------------------------------------------
@pytest.mark.parametrize(
    "text",
    [
        *("Krieg und Frieden", "Krieg · Frieden", "Kriegs­ende", "Krieg ‐ Frieden", "welt。ltd", "welt․ltd"),
        *("welt\u200bltd", "welt．ltd", "welt.ěř", "welt.de ist zu", "Grüße 😀", "𝐰𝐞𝐥𝐭 dot ltd", "ﬁn ∙ x"),
        *("Ünïcödé ohne Link", "Ç'est ça", "Україна", "日本語のテキスト", "a\u2028b", "x" * 1100 + "é"),
    ],
)
@pytest.mark.parametrize("wide", ["", "…", "😀"])  # the window's width: one, two or four bytes a character
def test_a_text_outside_ascii_is_judged_in_c_as_python_judges_it(text: str, wide: str) -> None:
    raw = json.dumps({"tweet": {"id_str": "1", "full_text": text, "lang": wide}}, ensure_ascii=False)
    walker = jsontree.Walker(jsontree.Positions(""), "t.json", SHAPES)
    found = twitter.tweet_quiet(raw, 0, len(raw), walker._not_wrappers, *twitter._QUIET_TUPLES)
    assert found == (1 if jsontree.quiet_text(text) else None) or (len(text) > 1024 and found == text)
