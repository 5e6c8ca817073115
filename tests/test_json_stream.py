"""JSON documents stream: large arrays and objects are read member by member with the records of
a whole parse, memory stays flat in the size of the input, and broken JSON part-way loses nothing."""

from __future__ import annotations

import io
import json
import tracemalloc
from pathlib import Path

import pytest

from linkguard.cli import main
from linkguard.inputs import jsondump, read_stream
from linkguard.inputs.decoding import text_stream
from linkguard.models import Record, Skipped

EXPORTS = Path(__file__).parent / "data" / "exports"


def _read(data: bytes, whole: int | None = None) -> list[Record | Skipped]:
    stream = text_stream(io.BufferedReader(io.BytesIO(data)), "utf-8")  # type: ignore[arg-type]
    if whole is None:
        return list(jsondump.read_document(stream, "x"))
    return list(jsondump.read_document(stream, "x", whole=whole))


def _tweet(i: int, pad: int = 600) -> dict[str, object]:
    return {
        "tweet": {
            "id_str": str(i),
            "full_text": f"Lest das https://t.co/x{i}",
            "source": '<a href="https://mobile.twitter.com" rel="nofollow">Twitter Web App</a>',
            "entities": {
                "urls": [
                    {
                        "url": f"https://t.co/x{i}",
                        "expanded_url": f"https://welt.ltd/artikel/{i}",
                        "display_url": f"welt.ltd/artikel/{i}",
                    }
                ]
            },
            "note": 'z.B. "zitiert" \\ und ein Backslash' if i % 3 == 0 else "ohne",
            "pad": "x" * pad,
        }
    }


@pytest.mark.parametrize("name", ["tweets.js", "result.json", "outbox.json"])
def test_read_member_by_member_gives_the_records_of_a_whole_parse(name: str) -> None:
    data = (EXPORTS / name).read_bytes()
    whole = _read(data)
    # 1500 characters: each post is still parsed whole, the document around it is not
    assert len(data) > 1500
    assert _read(data, whole=1500) == whole
    assert any(isinstance(r, Record) and r.post is not None for r in whole)


def test_a_streamed_telegram_chat_still_gives_its_messages_permalinks() -> None:
    records = _read((EXPORTS / "result.json").read_bytes(), whole=1500)
    urls = {r.post.url for r in records if isinstance(r, Record) and r.post is not None}
    assert urls and all(url is not None and url.startswith("https://t.me/") for url in urls)


def test_a_large_array_is_read_with_document_positions() -> None:
    doc = "window.YTD.tweets.part0 = [" + ",".join(json.dumps(_tweet(i), indent=2) for i in range(40)) + "]"
    data = doc.encode()
    streamed = _read(data, whole=2000)
    assert streamed == _read(data)
    links = [r for r in streamed if isinstance(r, Record) and r.resolved_by == "expanded_url"]
    assert [r.record for r in links] == [f"/{i}/tweet/entities/urls/0/expanded_url" for i in range(40)]
    last = links[-1]
    line = doc[: doc.index('"https://welt.ltd/artikel/39"')].count("\n") + 1
    assert (last.line, last.text) == (line, "https://welt.ltd/artikel/39")


def test_a_key_written_twice_keeps_both_values() -> None:
    records = _read(b'[{"k": "erst welt.ltd", "k": "dann spiegel.ltd"}, {"k": "faz.news"}]', whole=10)
    assert [(r.text, r.record, r.column) for r in records if isinstance(r, Record)] == [
        ("erst welt.ltd", "/0/k", 9),
        ("dann spiegel.ltd", "/0/k", 31),
        ("faz.news", "/1/k", 58),
    ]


#: Archive elements unlike the common tweet: quiet or not, a key written twice, HTML, an id outside
#: ASCII, a value orjson refuses (NaN, a lone surrogate) or would round, brackets in a string, a
#: wrapper that is more than one, a scalar and a nested array.
_ODD_ELEMENTS = [
    '{"tweet": {"id_str": "1", "full_text": "nur Worte", "entities": {"urls": []}}}',
    '{"tweet": {"id_str": "2", "full_text": "welt.ltd/a", "full_text": "spiegel.ltd/b"}}',
    '{"tweet": {"id_str": "3", "full_text": "<a href=\\"https://faz.ltd/c\\">FAZ</a>"}}',
    '{"tweet": {"id_str": "4é", "full_text": "nur Worte"}}',
    '{"tweet": {"id_str": "5", "full_text": "bild.ltd/d", "score": NaN}}',
    '{"tweet": {"id_str": "6", "full_text": "zeit.ltd/e \\ud800"}}',
    '{"tweet": {"id": 123456789012345678901234, "id_str": "7", "full_text": "taz.ltd/f ] } [\\" {"}}',
    '{"tweet": {"id_str": "8", "full_text": "nur Worte"}, "note": "ard.ltd/g"}',
    '{"status": {"id_str": "9", "full_text": "nur Worte"}}',
    '"ntv.ltd/h"',
    '[{"tweet": {"id_str": "10", "full_text": "n24.ltd/i"}}]',
]


@pytest.mark.parametrize("broken", [False, True])
def test_array_elements_read_in_runs_give_the_records_read_one_by_one(
    monkeypatch: pytest.MonkeyPatch, broken: bool
) -> None:
    odd = [*_ODD_ELEMENTS, *(['{"tweet": {"id_str": "11" "full_text": "rtl.ltd/j"}}'] if broken else [])]
    plain = [json.dumps(_tweet(i, pad=100 * (i % 7)), indent=2) for i in range(1000)]
    elements = [*odd, *plain[:500], *odd, *plain[500:], *odd]  # several windows, odd ones across
    data = ("window.YTD.tweets.part0 = [\n  " + ",\n  ".join(elements) + "\n]\n").encode()
    assert len(data) > 2 * (1 << 18)
    runs = _read(data)
    monkeypatch.setattr(jsondump, "array_spans", lambda *_: [])
    assert runs == _read(data)
    assert any(isinstance(r, Record) and r.text == "https://welt.ltd/artikel/999" for r in runs) != broken


def test_json_that_breaks_part_way_keeps_what_came_before_and_scans_the_rest_as_text() -> None:
    good = ",\n".join(json.dumps(_tweet(i)) for i in range(400))  # more than the first block read
    data = f'[{good},\n{{"oops":\n\n welt-ltd spiegel.ltd/x}}, "faz.news"]'.encode()
    records = _read(data)
    skipped = [r for r in records if isinstance(r, Skipped)]
    assert [(s.reason, s.kept) for s in skipped] == [("malformed-json-scanned-as-text", True)]
    assert skipped[0].detail == "Expecting value at line 403 column 2"
    rest = records[-1]
    assert isinstance(rest, Record) and (rest.line, rest.column) == (401, 1)
    texts = [r.text for r in records if isinstance(r, Record)]
    assert [t for t in texts if t.startswith("https://welt.ltd/")] == [
        f"https://welt.ltd/artikel/{i}" for i in range(400)
    ]
    assert texts[-1].startswith('{"oops":\n\n welt-ltd spiegel.ltd/x}')  # the rest, as text from the break on


@pytest.mark.parametrize("before", [10, 700, 3000])  # characters of the element in the window
@pytest.mark.parametrize("early", [True, False])  # the error in the window, or past its end
def test_a_broken_element_across_a_window_end_is_reported_where_a_whole_parse_finds_it(
    before: int, early: bool
) -> None:
    """An element a window does not close (here the second, read member by member) is read from
    its part of the window: the error and its line and column are what ``json`` finds in the
    whole document, and the text from the element on is scanned."""
    start = 2 * jsondump.JSON_READ_CHARS - before
    head, i = "[\n", 0
    while len(head) + len(element := json.dumps(_tweet(i, pad=50), indent=1) + ",\n") <= start:
        head, i = head + element, i + 1
    head += "\n" * (start - len(head))
    pad = "x" * 2000
    broken = f'{{"id_str": "1" "pad": "{pad}"}}' if early else f'{{"pad": "{pad}",\n "id_str": "1" "n": 2}}'
    text = head + broken + ",\n" + json.dumps(_tweet(i)) + "\n]\n"
    with pytest.raises(json.JSONDecodeError) as whole:
        json.loads(text)
    records = _read(text.encode())
    skipped = [r for r in records if isinstance(r, Skipped)]
    error = whole.value
    assert [s.detail for s in skipped] == [f"{error.msg} at line {error.lineno} column {error.colno}"]
    texts = [r for r in records if isinstance(r, Record)]
    assert len([r for r in texts if r.text.startswith("https://welt.ltd/artikel/")]) == i  # all before it
    rest = next(r for r in texts if r.text.startswith(broken[:20]))
    assert (rest.line, rest.column) == (head.count("\n") + 1, 1)


def test_a_small_document_that_does_not_parse_is_scanned_as_text_whole() -> None:
    records = _read(b'[{"a": "welt.ltd"}, {oops}]')
    assert [(r.reason, r.detail) for r in records if isinstance(r, Skipped)] == [
        (
            "malformed-json-scanned-as-text",
            "Expecting property name enclosed in double quotes at line 1 column 22",
        )
    ]
    assert [r.text for r in records if isinstance(r, Record)] == ['[{"a": "welt.ltd"}, {oops}]']


class _Generated(io.RawIOBase):
    """An X archive (or JSON Lines) of ``posts`` tweets, made as it is read: never in memory whole."""

    def __init__(self, posts: int, lines: bool) -> None:
        self.posts, self.lines, self.made, self.size = posts, lines, 0, 0
        self.pending = b"" if lines else b"window.YTD.tweets.part0 = ["

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        while len(self.pending) < len(buffer) and self.made <= self.posts:
            if self.made == self.posts:
                self.pending += b"" if self.lines else b"\n]\n"
            elif self.lines:
                self.pending += json.dumps(_tweet(self.made, 3000)["tweet"]).encode() + b"\n"
            else:
                self.pending += (b",\n" if self.made else b"\n") + json.dumps(
                    _tweet(self.made, 3000), indent=2
                ).encode()
            self.made += 1
        out, self.pending = self.pending[: len(buffer)], self.pending[len(buffer) :]
        buffer[: len(out)] = out
        self.size += len(out)
        return len(out)


@pytest.mark.parametrize(("input_format", "lines"), [("json", False), ("jsonl", True)])
def test_memory_stays_flat_whatever_the_size_of_the_input(input_format: str, lines: bool) -> None:
    """A 4 MB export made as it is read is scanned holding a fraction of it (the whole document,
    parsed, would take ten times its size)."""
    posts = 1200
    source = _Generated(posts, lines)
    tracemalloc.start()
    try:
        links = sum(
            1
            for r in read_stream(source, "generated", input_format=input_format)
            if isinstance(r, Record) and r.resolved_by == "expanded_url"
        )
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert links == posts  # every post was read
    assert source.size > 3_500_000
    assert peak < 3_000_000, f"peak {peak:,} bytes for {source.size:,} bytes of input"


def test_cli_streams_a_large_archive_and_counts_a_break(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Through the CLI: a document larger than the first block read is read post by post, with the
    same findings and posts; a break part-way is counted and the rest still scanned."""
    good = ",\n".join(json.dumps(_tweet(i), indent=2) for i in range(600))
    archive = tmp_path / "tweets.js"
    archive.write_text(f"window.YTD.tweets.part0 = [{good},\n{{oops}} spiegel.ltd/danach\n", encoding="utf-8")
    assert archive.stat().st_size > 2 * (1 << 18)
    summary = tmp_path / "summary.json"
    code = main(["scan", str(archive), "--format", "jsonl", "-q", "--summary", str(summary)])
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert code == 1
    welt = [r for r in rows if r["host"] == "welt.ltd"]
    assert len(welt) == 600
    assert welt[7]["post"]["id"] == "7" and welt[7]["via"] == ["https://t.co/x7"]
    assert [r["url"] for r in rows if r["host"] == "spiegel.ltd"] == ["http://spiegel.ltd/danach"]
    stats = json.loads(summary.read_text(encoding="utf-8"))
    assert stats["posts"] == 600
    assert stats["repaired"] == {"malformed-json-scanned-as-text": 1}
