"""A line that is only a plain lowercase host (a domain list's line) is taken whole without the
URL grammar (``extract._plain_candidates``); what is found must be what the grammar finds, for any
mix of such lines, lines that only look like them and prose, and any bounds."""

from __future__ import annotations

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from pytest import MonkeyPatch

from linkguard import extract
from linkguard.models import Candidate

LABEL = st.text("abcdefghijklmnopqrstuvwxyz0123456789-", min_size=1, max_size=8)
#: Plain hosts and their near misses: an unknown, file-like or numeric last label, t.co, a
#: capital, an underscore, a hyphen at a label's end, a label or a TLD at the grammar's bounds.
ODD = st.sampled_from(
    [
        *("welt.de", "t.co", "example.zip", "example.py", "a.b", "x.y1", "welt.ltd", "Welt.de", "welt.De"),
        *("a_b.de", "-a.de", "a-.de", "a.-de", "127.0.0.1", "xn--mnchen-3ya.de", "münchen.de", "a..de"),
        *("a" * 63 + ".de", "a" * 64 + ".de", "a." + "b" * 63, "x." + "b" * 64, "a.co.uk", "e.g"),
        *(".".join(["a"] * 20) + ".de", ".".join(["a"] * 21) + ".de", ".".join(["a"] * 22) + ".de"),
        *("welt.de\r", "welt.de ", " welt.de", "welt.de.", "welt.de/x", "name@welt.de", "welt.de@x"),
        *("https://welt.de", "hxxp://welt[.]ltd", "z.B. um 12.30", "St.Pauli", "welt dot ltd", "#a.de"),
        *("](https://a.de)", "[label", "𝐰𝐞𝐥𝐭.𝐥𝐭𝐝", "welt.de\u200b", "", "https://t.co/abcDEF1234welt.ltd"),
    ]
)
HOST = (
    st.lists(LABEL, min_size=1, max_size=4)
    .map(".".join)
    .flatmap(
        lambda name: st.sampled_from(["de", "com", "ltd", "news", "zip", "qq", "co.uk", "xyz1"]).map(
            lambda suffix: f"{name}.{suffix}"
        )
    )
)
LINES = st.lists(st.one_of(HOST, HOST, ODD), min_size=1, max_size=25)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(LINES, st.integers(0, 400), st.integers(0, 400))
@example(["welt.de", "t.co", "x.zip", "Welt.de", "a-.de", "spiegel.de"], 0, 400)
@example(["welt.de", "welt.de"], 3, 400)  # from inside the first line
@example(["x y", "welt.de", "t.co", "a.de"], 3, 400)  # from a newline
@example(["x y", "welt.de", "t.co", "a.de"], 4, 400)  # from the start of a later line
@example(["welt.de", "welt.de"], 0, 5)  # to inside the first host
@example(["welt.de", "spiegel.de"], 0, 8)  # to just after a CRLF line's "\r"
@example(["welt.de@x.de"], 0, 7)  # to a host that goes on: an e-mail address
@example([".".join(["a"] * 22) + ".de", "welt.de"], 0, 400)
def test_host_lines_are_read_as_the_grammar_reads_them(lines: list[str], lo: int, hi: int) -> None:
    for newline in ("\n", "\r\n"):  # a Windows file's lines end in "\r\n"
        text = newline.join(lines)
        at, to = min(lo, len(text)), min(max(lo, hi), len(text))
        assert extract._plain_candidates(text, at, to) == extract._grammar_candidates(text, at, to)
        assert extract._plain_candidates(text, at) == extract._grammar_candidates(text, at)


def _read_watching_the_grammar(monkeypatch: MonkeyPatch, text: str) -> tuple[list[Candidate], list[str]]:
    """``_plain_candidates(text)``, checked equal to the grammar's reading, and the stretches it
    left to the grammar."""
    expected = extract._grammar_candidates(text)
    searched: list[str] = []
    grammar = extract._spans

    def spans(text: str, lo: int = 0, hi: int | None = None) -> list[tuple[int, int, bool, str | None]]:
        searched.append(text[lo:hi])
        return grammar(text, lo, hi)

    monkeypatch.setattr(extract, "_spans", spans)
    found = extract._plain_candidates(text)
    assert found == expected
    return found, searched


def test_a_domain_list_takes_the_line_path_and_its_odd_lines_the_grammar(monkeypatch: MonkeyPatch) -> None:
    text = "welt.de\nt.co\nWelt.de\nexample.zip\nhttps://spiegel.de/x welt[.]ltd\nnews.co.uk\nbild.de"
    found, searched = _read_watching_the_grammar(monkeypatch, text)
    assert [c.text for c in found][-3:] == ["https://spiegel.de/x", "news.co.uk", "bild.de"]
    assert searched == ["\nt.co\nWelt.de\nexample.zip\nhttps://spiegel.de/x welt[.]ltd\n"]


def test_a_windows_domain_list_takes_the_line_path(monkeypatch: MonkeyPatch) -> None:
    found, searched = _read_watching_the_grammar(
        monkeypatch, "welt.de\r\nt.co\r\nbild.de\r\n\r\nnews.co.uk\r\n"
    )
    assert [c.text for c in found] == ["welt.de", "t.co", "bild.de", "news.co.uk"]
    assert searched == ["\nt.co\r\n", "\n\r\n"]
