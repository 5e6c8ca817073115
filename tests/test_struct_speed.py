"""Fast paths of the structured-input scan, each held to the slow way it replaces.

- A post's links are told apart by every form the post may show them in (``_every_form``); the
  scanner normalises the URLs on the way to a reported link only when a later link of the post is
  not found among the rest (``_Reported``). The answers must be those of the whole set at once.
- The scanner sets a label and an export's resolution on the candidate and link it was given,
  not on copies: ``candidates`` and ``normalize`` make new ones on every call.
- The JSON Lines encoder puts a verdict it has not met together from encoded pieces (the
  detector's verdict head, each piece of evidence); the bytes must be ``dumps_bytes(to_dict())``.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from linkguard.cli import main
from linkguard.extract import candidates
from linkguard.inputs.decoding import readblocks
from linkguard.inputs.jsondump import read_lines
from linkguard.inputs.shapes import twitter
from linkguard.models import Evidence, Finding, Link, Outlet, Post, Record, Verdict
from linkguard.normalize import normalize, parse_link
from linkguard.report.jsonl import FindingEncoder, dumps_bytes
from linkguard.scan import _Reported, _resolved, _same_link

#: Links as posts show them: invented lookalikes, a real outlet, wrappers around them, t.cos.
WRITTEN = st.sampled_from(
    [
        "https://welt.ltd/a1",
        "welt.ltd/a1",
        "https://welt.ltd/a2",
        "https://www.welt.de/p/1.html",
        "https://l.facebook.com/l.php?u=https%3A%2F%2Fwelt.ltd%2Fa1&h=AT0",
        "https://l.facebook.com/l.php?u=https%3A%2F%2Fwelt.ltd%2Fa2",
        "https://www.google.com/url?q=https://spiegel.ltd/x",
        "https://spiegel.ltd/x",
        "https://t.co/AbCdEf1234",
        "https://t.co/ZyXwVu9876",
        "http://T.co/AbCdEf1234",
        "bit.ly/3abc",
        "welt[.]ltd",
    ]
)
#: What an export may record as the URL the post showed (``Record.via``).
SHOWN = st.sampled_from(
    ["https://t.co/AbCdEf1234", "https://t.co/ZyXwVu9876", "https://welt.ltd/a1", "t.co/x"]
)


def _link(written: str, via: tuple[str, ...]) -> Link:
    link = normalize(candidates(written)[0])
    assert link is not None
    return _resolved(link, Record(written, "post.json", via=via)) if via else link


def _every_form(link: Link) -> set[str]:
    """The slow way: the destination and every URL on the way, each parsed and normalised."""
    forms = {_same_link(link.url)}
    for url in link.via:
        shown = parse_link(url)
        forms.add(_same_link(url if shown is None else shown.url))
    return forms


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(WRITTEN, st.lists(SHOWN, max_size=2).map(tuple)), max_size=8))
def test_reported_links_are_those_of_every_shown_form_at_once(
    links: list[tuple[str, tuple[str, ...]]],
) -> None:
    reported, seen = _Reported(), set[str]()
    for written, via in links:
        link = _link(written, via)
        first = _same_link(link.url) not in seen
        if first:
            seen.update(_every_form(link))
        assert reported.first(link) == first, (written, via)


def test_a_wrapper_shown_earlier_hides_its_destination_written_later() -> None:
    """The case the lazy set exists for: normalised only when a later link is not found."""
    reported = _Reported()
    wrapped = _link(
        "https://l.facebook.com/l.php?u=https%3A%2F%2Fwelt.ltd%2Fa1", ("https://t.co/AbCdEf1234",)
    )
    assert reported.first(wrapped)
    assert not reported.first(_link("https://t.co/AbCdEf1234", ()))
    assert not reported.first(_link("welt.ltd/a1", ()))
    assert reported.first(_link("https://welt.ltd/a2", ()))


#: Text that JSON Lines write escaped (bidi, line separators, DEL, C1) or as UTF-8, and plain text.
TEXT = st.text(alphabet=st.sampled_from('abc ./:-é\u202e\u2028\x7f\x85\u061c"\\\n'), max_size=12)
OUTLETS = [
    None,
    Outlet("Erfundene Zeitung", ("erfunden.example",)),
    Outlet("Tägliche Post", ("taeglich.example", "tp.example")),
]
EVIDENCE = st.builds(
    Evidence,
    kind=st.sampled_from(["blocklist", "tld-swap", "trusted", "export-resolution", "wrapper", "resembles"]),
    detail=TEXT,
    data=st.dictionaries(
        st.sampled_from(["field", "shown", "brand", "score"]), TEXT | st.integers(-5, 5), max_size=2
    ),
)
VERDICTS = st.builds(
    Verdict,
    status=st.sampled_from(["malicious", "suspicious", "shortened", "trusted", "unknown"]),
    score=st.integers(0, 100),
    impersonates=st.sampled_from(OUTLETS),
    techniques=st.lists(st.sampled_from(["tld-swap", "typo", "combo"]), max_size=2).map(tuple),
    evidence=st.lists(EVIDENCE, max_size=3).map(tuple),
)


def _finding(verdict: Verdict, text: str) -> Finding:
    link = Link(
        text,
        "https://erfunden.example/",
        "erfunden.example",
        "erfunden.example",
        "erfunden.example",
        "erfunden",
        "example",
        "",
    )
    return Finding(link, verdict, "post.json", 1, 2, "/0/full_text", text, Post("x", "1", None, text or None))


@settings(max_examples=150, deadline=None)
@given(st.lists(VERDICTS, min_size=1, max_size=6), st.lists(EVIDENCE, max_size=2), st.data())
def test_encoded_verdicts_put_together_from_pieces_are_dumps_of_to_dict(
    verdicts: list[Verdict], notes: list[Evidence], data: st.DataObject
) -> None:
    # as the scanner makes them: a verdict met again, and one with a link's resolution appended
    # (the same evidence objects in several verdicts, so the pieces are served from the memos)
    met = [
        *verdicts,
        *(Verdict(v.status, v.score, v.impersonates, v.techniques, (*v.evidence, *notes)) for v in verdicts),
    ]
    encode = FindingEncoder(end=b"\n").encode
    for verdict in met + met:
        finding = _finding(verdict, data.draw(TEXT))
        assert encode(finding) == dumps_bytes(finding.to_dict()) + b"\n"


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_scan_of_tweets_showing_links_twice_reports_each_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], jobs: str
) -> None:
    """End to end through the CLI: a tweet that shows its wrapped link as a t.co, the wrapper and
    the destination gives one finding; a second, different link of the post gives its own."""
    wrapper = "https://l.facebook.com/l.php?u=https%3A%2F%2Fwelt.ltd%2Fa1"
    tweet = {
        "id_str": "1700000000000000001",
        "full_text": f"https://t.co/AbCdEf1234 welt.ltd/a1 {wrapper[8:]} spiegel.ltd/x",
        "entities": {"urls": [{"url": "https://t.co/AbCdEf1234", "expanded_url": wrapper}]},
    }
    path = tmp_path / "tweets.jsonl"
    path.write_text(json.dumps(tweet) + "\n" + json.dumps({**tweet, "id_str": "1700000000000000002"}) + "\n")
    code = main(["scan", str(path), "--all", "--format", "jsonl", "--jobs", jobs])
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.strip()]
    assert code == 1
    assert [(row["post"]["id"], row["registered_domain"]) for row in rows] == [
        ("1700000000000000001", "welt.ltd"),
        ("1700000000000000001", "spiegel.ltd"),
        ("1700000000000000002", "welt.ltd"),
        ("1700000000000000002", "spiegel.ltd"),
    ]
    assert rows[0]["via"][0] == "https://t.co/AbCdEf1234"
    assert rows[0]["evidence"][-1]["kind"] == "wrapper"
    assert [e["kind"] for e in rows[0]["evidence"]].count("export-resolution") == 1


#: Pieces of an X date as X writes them, or (one time in four each) otherwise: another spacing,
#: digits of other scripts, a month or zone that is not one.
DATE_PIECES = st.tuples(
    st.sampled_from(["Mon", "Sun", "Mon", "tue", "Mo", "Mön"]),
    st.sampled_from(["Jan", "Dec", "Jul", "jan", "Foo", "Mär", "Feb", "May", "Sep"]),
    st.integers(0, 99).map("{:02d}".format) | st.sampled_from(["1", "007", "٠٣", "xx"]),
    st.tuples(*[st.integers(0, 99)] * 3).map("{0[0]:02d}:{0[1]:02d}:{0[2]:02d}".format)
    | st.sampled_from(["1:2:3", "12:00", "12:00:00.5"]),
    st.tuples(st.sampled_from("+-"), st.integers(0, 9999)).map("{0[0]}{0[1]:04d}".format)
    | st.sampled_from(["+01", "Z0000", "+00:00", "+٠٠٠٠"]),
    st.integers(1000, 9999).map(str) | st.sampled_from(["999", "20245", "٢٠٢٤"]),
)


@settings(max_examples=200, deadline=None)
@given(
    DATE_PIECES,
    st.just([" "] * 5) | st.lists(st.sampled_from([" ", "  ", "\t", "\u2003"]), min_size=5, max_size=5),
)
def test_an_x_date_reads_as_splitting_it_does(pieces: tuple[str, ...], spaces: list[str]) -> None:
    value = pieces[0] + "".join(space + piece for space, piece in zip(spaces, pieces[1:], strict=True))
    assert twitter.twitter_date(value) == twitter._split_date(value)
    assert twitter.twitter_date(value.strip() + " ") == twitter._split_date(value + " ")


def test_an_x_date_as_iso() -> None:
    assert twitter.twitter_date("Mon Jan 01 12:00:00 +0000 2024") == "2024-01-01T12:00:00+00:00"
    assert twitter.twitter_date("Sun Dec 31 23:59:59 -0530 2023") == "2023-12-31T23:59:59-05:30"
    assert twitter.twitter_date("2024-01-01T12:00:00Z") == "2024-01-01T12:00:00Z"
    assert twitter.twitter_date(17) is None


def _readline_all(text: str, size: int) -> list[str]:
    stream = io.TextIOWrapper(io.BytesIO(text.encode("utf-8", "surrogatepass")), encoding="utf-8", newline="")
    return list(iter(lambda: stream.readline(size), ""))


@settings(max_examples=300, deadline=None)
@given(
    st.text(alphabet=st.sampled_from('ab{"é😀 \r\n'), max_size=80)
    | st.sampled_from(["", "\r", "\r\n", "a\r\r\n\n"]),
    st.integers(1, 12),
    st.integers(1, 9),
)
def test_lines_read_a_block_at_a_time_are_readlines(text: str, size: int, block: int) -> None:
    stream = io.TextIOWrapper(io.BytesIO(text.encode()), encoding="utf-8", newline="")
    assert _lines_of(readblocks(stream, size, block)) == _readline_all(text, size)


def _lines_of(texts: Iterable[str]) -> list[str]:
    """The lines of ``readblocks``' texts, each cut after each "\n" (and never empty)."""
    lines: list[str] = []
    for text in texts:
        assert text
        *whole, last = text.split("\n")
        lines += [line + "\n" for line in whole] + ([last] if last else [])
    return lines


def test_json_lines_with_every_line_end_and_a_line_over_the_limit(tmp_path: Path) -> None:
    """CR, CRLF and LF line ends number the lines as ``readline`` did."""
    post = '{"id_str": "%d", "full_text": "siehe welt.ltd/a%d"}'
    text = post % (1, 1) + "\r" + post % (2, 2) + "\r\n" + post % (3, 3) + "\n"
    path = tmp_path / "posts.jsonl"
    path.write_bytes(text.encode())
    with path.open(encoding="utf-8", newline="") as stream:
        records = [r for r in read_lines(stream, str(path)) if isinstance(r, Record) and r.text]
    assert [(r.line, r.column, r.text) for r in records] == [
        (1, 31, "siehe welt.ltd/a1"),
        (2, 31, "siehe welt.ltd/a2"),
        (3, 31, "siehe welt.ltd/a3"),
    ]
    with path.open(encoding="utf-8", newline="") as stream:
        assert _lines_of(readblocks(stream, 20)) == _readline_all(text, 20)


@settings(max_examples=200, deadline=None)
@given(st.lists(WRITTEN | SHOWN | st.sampled_from(["welt dot ltd", "hxxps://welt[.]ltd/a"]), max_size=3))
def test_candidates_and_links_are_made_anew_on_every_call(words: list[str]) -> None:
    text = " ".join(words)
    first, again = candidates(text), candidates(text)
    assert first == again
    assert all(a is not b for a, b in zip(first, again, strict=True))
    for cand in first:
        link = normalize(cand)
        assert link is None or link is not normalize(cand)
