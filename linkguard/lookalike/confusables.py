"""UTS #39-style skeletons: two labels that look alike get the same skeleton.

``skeleton`` = NFKC + casefold (what IDNA does to a host) → NFD → drop combining marks → map each
character through ``linkguard/data/confusables.txt`` → replace the ASCII sequences (rn → m,
vv → w, cl → d). Dropping combining marks goes beyond UTS #39 on purpose: "spiegél" is a classic
IDN trick and should collapse onto "spiegel". The table is Unicode's UTS #39 confusables folded the
same way, plus Chromium's IDN spoof checker's extra look-alikes (ł, ø, đ, ħ, ŋ, ω, ...); its header
says where each part comes from. Characters that read as two letters (þ as p or b, œ as oe or ce)
give :func:`skeletons` a second reading.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

#: The bundled table; read by path because importing importlib.resources costs ~10 ms at start-up.
TABLE_FILE = Path(__file__).resolve().parent.parent / "data" / "confusables.txt"

#: German transliteration, tried as a second reading so "süddeutsche" meets "sueddeutsche".
_TRANSLIT = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
#: Whether the transliteration changes any ASCII letter (it does not: ``skeletons`` of an ASCII
#: label then has no second reading to look for).
_TRANSLIT_ASCII = any(code < 0x80 for code in _TRANSLIT)


class Confusables(NamedTuple):
    chars: dict[str, str]
    sequences: tuple[tuple[str, str], ...]
    #: Second readings of characters that look like two different letters (þ: p or b).
    alternatives: dict[str, str]


class _Translation(dict[int, "str | None"]):
    """``str.translate`` table: confusables to their ASCII reading, combining marks (Mn) to
    nothing. Filled from the table up front; other characters are classified on first sight
    and remembered, so a label costs one C-level ``translate`` instead of a Python loop."""

    def __missing__(self, cp: int) -> str | None:
        value = None if unicodedata.category(chr(cp)) == "Mn" else chr(cp)
        if len(self) < _TRANSLATION_CAP:
            self[cp] = value
        return value


#: Distinct characters remembered by :class:`_Translation` (hosts use a few thousand at most).
_TRANSLATION_CAP = 100_000


@lru_cache(maxsize=1)
def table() -> Confusables:
    """Parse the bundled table once per process."""
    if TABLE_FILE.is_file():
        text = TABLE_FILE.read_text(encoding="utf-8")
    else:  # installed in a zip or similar: go through the package loader
        from importlib import resources

        text = resources.files("linkguard").joinpath("data/confusables.txt").read_text(encoding="utf-8")
    chars: dict[str, str] = {}
    alternatives: dict[str, str] = {}
    sequences: list[tuple[str, str]] = []
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        src_field, dst_field, *rest = (f.strip() for f in line.split(";"))
        src = "".join(chr(int(cp, 16)) for cp in src_field.split())
        dst = "".join(chr(int(cp, 16)) for cp in dst_field.split())
        if rest and rest[0] == "ALT":
            alternatives[src] = dst
        elif len(src) == 1:
            chars[src] = dst
        else:
            sequences.append((src, dst))
    return Confusables(chars, tuple(sequences), alternatives)


@lru_cache(maxsize=1)
def _translation() -> _Translation:
    return _Translation({ord(src): dst for src, dst in table().chars.items()})


@lru_cache(maxsize=1)
def _ascii_translation() -> dict[int, str]:
    return {ord(src): dst for src, dst in table().chars.items() if src.isascii()}


@lru_cache(maxsize=1)
def _ascii_sources() -> frozenset[str]:
    """The ASCII characters ``_ascii_translation`` changes (0 and 1): most labels hold none, and
    a set test is cheaper than ``str.translate``'s lookup of every character."""
    return frozenset(chr(code) for code in _ascii_translation())


def _fold(label: str) -> str:
    decomposed = unicodedata.normalize("NFD", unicodedata.normalize("NFKC", label).casefold())
    return "".join(c for c in decomposed if unicodedata.category(c) != "Mn")


@lru_cache(maxsize=65536)
def skeleton(label: str) -> str:
    """The look-alike class of ``label``; equal skeletons mean the labels can be mistaken."""
    if label.isascii():  # NFKC and NFD leave ASCII alone; casefold is lower
        out = label.lower()
        if not _ascii_sources().isdisjoint(out):
            out = out.translate(_ascii_translation())
    else:
        folded = unicodedata.normalize("NFKC", label).casefold()
        out = unicodedata.normalize("NFD", folded).translate(_translation())
    for src, dst in table().sequences:
        if src in out:
            out = out.replace(src, dst)
    return out


@lru_cache(maxsize=1)
def _ascii_changes() -> re.Pattern[str]:
    """What ``skeleton`` changes in a lowercase ASCII label: a character the translation maps
    elsewhere (``_ascii_sources``) or a sequence of the table; it changes nothing else."""
    sources = "".join(sorted(_ascii_sources()))
    parts = [f"[{re.escape(sources)}]"] if sources else []
    return re.compile("|".join([*parts, *(re.escape(src) for src, _ in table().sequences)]) or "(?!)")


def is_own_skeleton(label: str) -> bool:
    """``skeleton(label) == label``: for a lowercase ASCII label (most of a domain list) one search
    for what ``skeleton`` would change, without computing the skeleton or caching it."""
    if label.isascii() and label.islower():
        return _ascii_changes().search(label) is None
    return skeleton(label) == label


#: A digit 1 between letters, which reads as i as readily as l ("m1rror", "chron1cle"); at the edge of
#: a name (1tv, tf1) it is part of the name.
_ONE_INSIDE = re.compile(r"(?<=[a-z])1(?=[a-z])")


def skeletons(label: str) -> tuple[str, ...]:
    """The skeleton plus second readings: the German transliteration of umlauts/ß, the other
    letter a two-faced character such as þ (p or b) stands for, and 1 between letters read as i."""
    if label.isascii() and "1" not in label and not _TRANSLIT_ASCII:  # no second reading to find
        return (skeleton(label),)
    found = [skeleton(label)]
    lowered = label.casefold()
    if lowered.translate(_TRANSLIT) != lowered:
        found.append(skeleton(lowered.translate(_TRANSLIT)))
    if "1" in lowered and _ONE_INSIDE.search(lowered):
        found.append(skeleton(_ONE_INSIDE.sub("i", lowered)))
    if not lowered.isascii():
        for src, dst in table().alternatives.items():
            if src in lowered:
                found.append(skeleton(lowered.replace(src, dst)))
    return tuple(dict.fromkeys(found))


def describe_lookalikes(label: str) -> list[str]:
    """Human phrases for the tricks in ``label``: "Cyrillic е (U+0435) for e", "rn for m"."""
    conf = table()
    found: list[str] = []
    for ch in dict.fromkeys(unicodedata.normalize("NFKC", label).casefold()):
        if ch in conf.chars and not ch.isascii():
            script = unicodedata.name(ch, "UNKNOWN").split()[0].title()
            found.append(f"{script} {ch} (U+{ord(ch):04X}) for {conf.chars[ch]}")
        elif ch in conf.chars:
            found.append(f"{ch} for {conf.chars[ch]}")
        elif not ch.isascii() and unicodedata.category(ch).startswith("L"):
            base = _fold(ch)
            if base.isascii() and base:
                found.append(f"{ch} (U+{ord(ch):04X}) for {base}")
    lowered = label.casefold()
    found.extend(f"{src} for {dst}" for src, dst in conf.sequences if src in lowered)
    return found
