"""Undo what campaigns do to hide links from filters, keeping a map back to the original text.

Order matters (see NOTES.md A3): strip default-ignorable characters, then NFKC (mathematical bold,
fullwidth and circled letters become ASCII), then map the ideographic full stops that NFKC leaves
alone, then refang (``hxxp``, ``[.]``, ``(dot)``, ``[:]``). The result is a *shadow* string plus,
per shadow character, the span of original characters it came from, so that every link found in
the shadow is reported exactly as it was written.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

#: Characters whose presence means a line needs the slow, de-obfuscating path. The plain
#: extractor never sees these, so ordinary text pays only for cheap searches.
TRIGGER_CHARS = re.compile(
    "[\u00ad\u00b7\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u2022\u2027"
    "\u202a-\u202e\u2024\u2060-\u206f\u2219\u22c5\u2460-\u24ff\u25cf\u26ab\u2981\u2e31\u3002"
    "\u3164\ufe00-\ufe0f\ufe52\ufeff\uff00-\uffef\U0001d400-\U0001d7ff\U0001f100-\U0001f1af"
    "\U0001f536-\U0001f539]"
)
#: Symbols written for the dot between two labels (``welt•ltd``, ``welt🔹ltd``): bullets, middle
#: dots, small circles and diamonds. Undone only where a public suffix follows (see ``accept``).
DOT_SYMBOLS = "\u00b7\u2022\u2027\u2219\u22c5\u25cf\u26ab\u2981\u2e31\U0001f536-\U0001f539"
#: ASCII defanging: ``[.]``, ``(dot)``, ``[:]``, ``\.``, ``hxxp``, and the spaced dot words
#: `` . `` and `` dot `` (lower case or capitals: "Dot" is a word at the start of a sentence);
#: that is ``[\[({][.dD:]|\\\.|[xX*]{2}[pP]| (?:\.|dot|DOT) ``, written to start with one
#: character class so that ``re`` skips ahead to those characters instead of trying every branch
#: everywhere (2.6× faster).
TRIGGER_ASCII = re.compile(
    r"[ \[({\\xX*](?:(?<=[\[({])[.dD:]|(?<=\\)\.|(?<=[xX*])[xX*][pP]|(?<= )(?:\.|dot|DOT) (?=[^\W\d_]))"
)


def maybe_defanged(text: str) -> bool:
    """Cheap pre-check for :data:`TRIGGER_ASCII` (substring tests run at C speed)."""
    return (
        " . " in text
        or " dot " in text
        or " DOT " in text
        or "[" in text
        or "(" in text
        or "{" in text
        or "\\" in text
        or "xp" in text
        or "XP" in text
        or "Xp" in text
        or "xP" in text
        or "*p" in text
        or "*P" in text
    )


_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_IS_TRIGGER: dict[str, bool] = {}


def _is_trigger(ch: str) -> bool:
    hit = _IS_TRIGGER.get(ch)
    if hit is None:
        hit = TRIGGER_CHARS.match(ch) is not None
        if len(_IS_TRIGGER) < 100_000:
            _IS_TRIGGER[ch] = hit
    return hit


def shadow_positions(text: str, start: int = 0, end: int | None = None) -> list[int]:
    """Offsets of characters in ``text[start:end]`` that need de-obfuscation, in order.

    Cheap on clean text: non-ASCII characters are few even in German or Cyrillic posts, and a
    test per character found beats ``TRIGGER_CHARS``' long class tried at every position (3×).
    """
    if end is None:
        end = len(text)
    part = text[start:end] if start or end < len(text) else text
    found: list[int] = []
    if not part.isascii():
        found += [m.start() + start for m in _NON_ASCII.finditer(part) if _is_trigger(m.group())]
    if maybe_defanged(part):
        found += [m.start() + start for m in TRIGGER_ASCII.finditer(part)]
        found.sort()
    return found


_IGNORABLE = frozenset(
    [
        0x00AD,
        0x034F,
        0x061C,
        0x115F,
        0x1160,
        0x17B4,
        0x17B5,
        0x3164,
        0xFEFF,
        0xFFA0,
        *range(0x180B, 0x1810),
        *range(0x200B, 0x2010),
        *range(0x202A, 0x202F),
        *range(0x2060, 0x2070),
        *range(0xFE00, 0xFE10),
    ]
)
_BIDI = frozenset(list(range(0x202A, 0x202F)) + list(range(0x2066, 0x206A)) + [0x200E, 0x200F, 0x061C])
_EXTRA_DOTS = {"\u3002": ".", "\uff61": ".", "\uff0e": "."}

#: Defanging markers and the text they stand for. ``loose`` markers (a dot word between spaces,
#: a symbol for the dot) are common in prose too, so they are undone only where the caller
#: accepts the labels around them.
_REFANG = re.compile(
    r"(?P<loose>(?<=[^\W_])(?: (?:\.|dot|DOT|[\[({](?:\.|[dD][oO][tT])[\])}]) |[" + DOT_SYMBOLS + r"])"
    r"(?=[^\W\d_]))"
    r"|(?P<dot>\[\.\]|\(\.\)|\{\.\}|[\[({][dD][oO][tT][\])}]|\\\.)"
    r"|(?P<colon>\[:\]|\[://\])"
    r"|(?<![A-Za-z])(?P<scheme>[hH](?:[xX]{2}|\*\*)[pP][sS]?)(?=:|\[:)"
)
_HAS_DOT_SYMBOL = re.compile("[" + DOT_SYMBOLS + "]")
#: The label before a loose marker, and the labels after it up to the end of the host.
_LABEL_BEFORE = re.compile(r"[^\W_][\w-]{0,62}\Z")
_LABELS_AFTER = re.compile(r"[^\W\d_][\w-]{0,62}(?:\.[^\W_][\w-]{0,62}){0,4}")

#: ``accept(label, suffix, spaced)``: whether ``label<marker>suffix`` is a link; ``spaced`` for
#: the forms between spaces (`` . ``, `` dot ``, `` [.] ``), False for a symbol (``•``).
AcceptDot = Callable[[str, str, bool], bool]


def obfuscation_of_char(ch: str) -> str | None:
    """Name the trick a single original character stands for, if any."""
    cp = ord(ch)
    if 0x1D400 <= cp <= 0x1D7FF:
        return "math-alphanumeric"
    if ch in _EXTRA_DOTS and ch != "\uff0e":
        return "ideographic-dot"
    if 0xFF01 <= cp <= 0xFF5E:
        return "fullwidth"
    if 0x2460 <= cp <= 0x24FF or 0x1F100 <= cp <= 0x1F1FF:
        return "enclosed-alphanumeric"
    if cp in _BIDI:
        return "bidi-control"
    if cp in _IGNORABLE:
        return "zero-width"
    if not ch.isascii() and unicodedata.normalize("NFKC", ch) != ch:
        return "compatibility-form"
    return None


@dataclass(frozen=True, slots=True)
class Shadow:
    """De-obfuscated text; ``starts[i]``/``ends[i]`` bound the original span of ``text[i]``."""

    text: str
    starts: list[int]
    ends: list[int]
    #: Shadow offsets where a refang replacement was made (to tag candidates as ``defanged``).
    refanged: list[tuple[int, int]]

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        return self.starts[start], self.ends[end - 1]


_NFKC_CACHE: dict[str, str] = {}


def _nfkc(ch: str) -> str:
    out = _NFKC_CACHE.get(ch)
    if out is None:
        out = _EXTRA_DOTS.get(ch) or unicodedata.normalize("NFKC", ch)
        if len(_NFKC_CACHE) < 100_000:
            _NFKC_CACHE[ch] = out
    return out


def build_shadow(text: str, accept: AcceptDot | None = None) -> Shadow:
    """The de-obfuscated shadow of ``text``. Loose dot markers are undone only where ``accept``
    says the labels around them form a domain (without it, never)."""
    chars: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    pos = 0
    for m in _NON_ASCII.finditer(text):  # ASCII runs are copied in bulk; only the rest is mapped
        i = m.start()
        if i > pos:
            chars.append(text[pos:i])
            starts.extend(range(pos, i))
            ends.extend(range(pos + 1, i + 1))
        pos = i + 1
        ch = text[i]
        if ord(ch) in _IGNORABLE:
            continue
        out = _nfkc(ch)
        chars.append(out)
        starts.extend([i] * len(out))
        ends.extend([i + 1] * len(out))
    if pos < len(text):
        chars.append(text[pos:])
        starts.extend(range(pos, len(text)))
        ends.extend(range(pos + 1, len(text) + 1))
    shadow = "".join(chars)
    refanged: list[tuple[int, int]] = []
    if (
        (maybe_defanged(shadow) and TRIGGER_ASCII.search(shadow)) or _HAS_DOT_SYMBOL.search(shadow)
    ) and _REFANG.search(shadow):
        pieces: list[str] = []
        new_starts: list[int] = []
        new_ends: list[int] = []
        pos = 0
        for m in _REFANG.finditer(shadow):  # copied in runs between markers, not per character
            if m.group("loose") and not _loose_accepted(shadow, m, accept):
                continue
            pieces.append(shadow[pos : m.start()])
            new_starts += starts[pos : m.start()]
            new_ends += ends[pos : m.start()]
            if m.group("dot") or m.group("loose"):
                repl = "."
            elif m.group("colon"):
                repl = "://" if "/" in m.group("colon") else ":"
            else:
                repl = "https" if m.group("scheme").lower().endswith("s") else "http"
            span_start, span_end = starts[m.start()], ends[m.end() - 1]
            refanged.append((len(new_starts), len(new_starts) + len(repl)))
            pieces.append(repl)
            new_starts += [span_start] * len(repl)
            new_ends += [span_end] * len(repl)
            pos = m.end()
        pieces.append(shadow[pos:])
        new_starts += starts[pos:]
        new_ends += ends[pos:]
        shadow, starts, ends = "".join(pieces), new_starts, new_ends
    return Shadow(shadow, starts, ends, refanged)


def _loose_accepted(shadow: str, m: re.Match[str], accept: AcceptDot | None) -> bool:
    if accept is None:
        return False
    before = _LABEL_BEFORE.search(shadow, max(0, m.start() - 63), m.start())
    after = _LABELS_AFTER.match(shadow, m.end())
    if before is None or after is None:
        return False
    return accept(before.group(), after.group(), m.group()[0] == " ")


def obfuscations_in(original: str, shadow: Shadow, start: int, end: int) -> tuple[str, ...]:
    """Tricks undone inside one candidate: evidence that the poster hid the link."""
    o_start, o_end = shadow.original_span(start, end)
    found: dict[str, None] = {}
    # every character these tricks use is non-ASCII; defanging is ASCII and checked below
    for m in _NON_ASCII.finditer(original, o_start, o_end):
        name = obfuscation_of_char(m.group())
        if name:
            found[name] = None  # ignorables are dropped from the shadow but lie in this span
    # invisible characters right before the link (a bidi override flipping how it reads)
    i = o_start
    while i > 0 and ord(original[i - 1]) in _IGNORABLE:
        i -= 1
        name = obfuscation_of_char(original[i])
        if name:
            found[name] = None
    # refanged spans are in order: only the first one ending after ``start`` can overlap
    k = bisect.bisect_right(shadow.refanged, (start, start))
    if (k > 0 and shadow.refanged[k - 1][1] > start) or (
        k < len(shadow.refanged) and shadow.refanged[k][0] < end
    ):
        found["defanged"] = None
    return tuple(found)
