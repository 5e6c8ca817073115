"""UTS #39-style skeletons: two labels that look alike get the same skeleton.

``skeleton`` = NFKC + casefold (what IDNA does to a host) → NFD → drop combining marks → map each
character through ``linkguard/data/confusables.txt`` → replace the ASCII sequences (rn → m,
vv → w, cl → d). Dropping combining marks goes beyond UTS #39 on purpose: "spiegél" is a classic
IDN trick and should collapse onto "spiegel".
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

#: The bundled table; read by path because importing importlib.resources costs ~10 ms at start-up.
TABLE_FILE = Path(__file__).resolve().parent.parent / "data" / "confusables.txt"

#: German transliteration, tried as a second reading so "süddeutsche" meets "sueddeutsche".
_TRANSLIT = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})


class Confusables(NamedTuple):
    chars: dict[str, str]
    sequences: tuple[tuple[str, str], ...]


@lru_cache(maxsize=1)
def table() -> Confusables:
    """Parse the bundled table once per process."""
    if TABLE_FILE.is_file():
        text = TABLE_FILE.read_text(encoding="utf-8")
    else:  # installed in a zip or similar: go through the package loader
        from importlib import resources

        text = resources.files("linkguard").joinpath("data/confusables.txt").read_text(encoding="utf-8")
    chars: dict[str, str] = {}
    sequences: list[tuple[str, str]] = []
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        src_field, dst_field, *_ = (f.strip() for f in line.split(";"))
        src = "".join(chr(int(cp, 16)) for cp in src_field.split())
        dst = "".join(chr(int(cp, 16)) for cp in dst_field.split())
        if len(src) == 1:
            chars[src] = dst
        else:
            sequences.append((src, dst))
    return Confusables(chars, tuple(sequences))


def _fold(label: str) -> str:
    decomposed = unicodedata.normalize("NFD", unicodedata.normalize("NFKC", label).casefold())
    return "".join(c for c in decomposed if unicodedata.category(c) != "Mn")


@lru_cache(maxsize=65536)
def skeleton(label: str) -> str:
    """The look-alike class of ``label``; equal skeletons mean the labels can be mistaken."""
    conf = table()
    out = "".join(conf.chars.get(c, c) for c in _fold(label))
    for src, dst in conf.sequences:
        out = out.replace(src, dst)
    return out


def skeletons(label: str) -> tuple[str, ...]:
    """The skeleton plus, for German umlauts/ß, the skeleton of the transliterated spelling."""
    first = skeleton(label)
    lowered = label.casefold()
    if lowered.translate(_TRANSLIT) != lowered:
        second = skeleton(lowered.translate(_TRANSLIT))
        if second != first:
            return (first, second)
    return (first,)


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
