"""dnstwist-style typo permutations of a brand label.

The index pre-generates these once per brand so that classifying a domain is one hash lookup
instead of a fuzzy comparison against every outlet. Which kinds are generated depends on the
label's length: a one-letter edit of a four-letter name ("bild" → "bold") hits ordinary words far
too often, so short labels get only the edits that rarely produce real words (a three-letter name
only a doubled letter: "nzz" → "nzzz"; the scoring model weighs how little a short name proves).
"""

from __future__ import annotations

from collections.abc import Container, Iterator

# Neighbouring keys; QWERTZ differs from QWERTY by the swapped y/z, so both are merged per key.
_ROWS_QWERTY = ("1234567890-", "qwertyuiop", "asdfghjkl", "zxcvbnm")
_ROWS_QWERTZ = ("1234567890-", "qwertzuiop", "asdfghjkl", "yxcvbnm")
_ALPHABET = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-")
_VOWELS = "aeiou"

#: Name of each kind, as the evidence sentence words it ("'fox-news' is 'foxnews' <phrase>").
KIND_PHRASES: dict[str, str] = {
    "omission": "with a letter left out",
    "insertion": "with a neighbouring key's letter inserted",
    "repetition": "with a letter doubled",
    "transposition": "with two letters swapped",
    "replacement": "with a letter replaced by its keyboard neighbour",
    "bitsquatting": "with one character a single bit flip away",
    "hyphenation": "with a hyphen inserted",
    "dehyphenation": "with its hyphen removed",
    "vowel-swap": "with a vowel swapped",
    "addition": "with a character added at the end",
    "visual": "with a letter replaced by one that looks alike in lowercase (i, l, 1)",
}

#: Letters a reader mistakes for each other in lowercase sans-serif type. Not homoglyphs: the
#: skeleton does not fold i and l (``weit`` and ``welt`` are both words), so this is a typo kind
#: whose fitted weight says how much it proves ("blld" for "bild", "m1rror" for "mirror").
_VISUAL: dict[str, str] = {"i": "l1", "l": "i1"}
_VOWELS_Y = frozenset("aeiouy")
#: Names this short get only a doubled consonant (``kinds_for_length``).
_SHORT = 3


def _by_vowel(label: str, i: int) -> bool:
    """Whether the letter at ``i`` touches a vowel. Swapping i and l there mostly makes another
    word ("zeit" → "zelt", "welt" → "weit"); where it does not, the result has a syllable without
    a vowel ("bild" → "blld", "delfi" → "delfl"), which is a disguise, not a word."""
    return any(0 <= j < len(label) and label[j] in _VOWELS_Y for j in (i - 1, i + 1))


def _keyboard() -> dict[str, frozenset[str]]:
    """Map each key to its horizontal and diagonal neighbours on QWERTY and QWERTZ."""
    near: dict[str, set[str]] = {}
    for rows in (_ROWS_QWERTY, _ROWS_QWERTZ):
        for r, row in enumerate(rows):
            for c, key in enumerate(row):
                found = near.setdefault(key, set())
                for dr, dc in ((0, -1), (0, 1), (-1, 0), (-1, 1), (1, -1), (1, 0)):
                    rr, cc = r + dr, c + dc
                    if 0 <= rr < len(rows) and 0 <= cc < len(rows[rr]):
                        found.add(rows[rr][cc])
    return {k: frozenset(v - {k}) for k, v in near.items()}


KEYBOARD = _keyboard()
#: Characters one bit flip away that are still valid in a domain label.
_FLIPS: dict[str, tuple[str, ...]] = {
    c: tuple(f for f in (chr(ord(c) ^ (1 << b)) for b in range(8)) if f in _ALPHABET and f != "-")
    for c in _ALPHABET
}
_ADDITIONS = "abcdefghijklmnopqrstuvwxyz0123456789"


def kinds_for_length(n: int) -> tuple[str, ...]:
    """Edit kinds worth generating for a label of ``n`` characters (see the module docstring)."""
    if n <= _SHORT:
        return ("repetition", "dehyphenation")
    if n == 4:
        return ("repetition", "transposition", "hyphenation", "insertion", "dehyphenation", "visual")
    if n == 5:
        return ("repetition", "transposition", "hyphenation", "insertion", "replacement", "dehyphenation",
                "visual")  # fmt: skip
    return _ALL_KINDS


#: Every kind, the most specific first: a typo two kinds produce is named by the first
#: ("nytimess" is a doubled letter, though 's' also neighbours 'e' on the keyboard).
_ALL_KINDS = (
    "repetition",
    "transposition",
    "omission",
    "hyphenation",
    "dehyphenation",
    "visual",
    "vowel-swap",
    "insertion",
    "replacement",
    "bitsquatting",
    "addition",
)


def edits(label: str, kind: str) -> list[str]:
    """All edits of one kind; list comprehensions because the index builds ~250k of these."""
    n = len(label)
    if kind == "omission":
        return [label[:i] + label[i + 1 :] for i in range(n)]
    if kind == "repetition":  # of a 3-letter name only a consonant: "nooz" is a word, "nzzz" a slip
        return [label[: i + 1] + label[i:] for i in range(n) if n > _SHORT or label[i] not in _VOWELS_Y]
    if kind == "transposition":
        return [label[:i] + label[i + 1] + label[i] + label[i + 2 :] for i in range(n - 1)]
    if kind == "replacement":
        return [label[:i] + k + label[i + 1 :] for i, ch in enumerate(label) for k in KEYBOARD.get(ch, ())]
    if kind == "insertion":
        return [
            label[:j] + k + label[j:]
            for i, ch in enumerate(label)
            for k in KEYBOARD.get(ch, ())
            for j in (i, i + 1)
        ]
    if kind == "bitsquatting":
        return [label[:i] + f + label[i + 1 :] for i, ch in enumerate(label) for f in _FLIPS.get(ch, ())]
    if kind == "hyphenation":
        return [label[:i] + "-" + label[i:] for i in range(1, n)]
    if kind == "dehyphenation":
        return [label.replace("-", "")] if "-" in label else []
    if kind == "vowel-swap":
        return [
            label[:i] + v + label[i + 1 :]
            for i, ch in enumerate(label)
            if ch in _VOWELS
            for v in _VOWELS
            if v != ch
        ]
    if kind == "addition":
        return [label + ch for ch in _ADDITIONS]
    if kind == "visual":
        return [
            label[:i] + v + label[i + 1 :]
            for i, ch in enumerate(label)
            for v in _VISUAL.get(ch, "")
            if v.isdigit() or not _by_vowel(label, i)
        ]
    raise ValueError(f"unknown permutation kind {kind!r}")


def valid(candidate: str) -> bool:
    return bool(candidate) and candidate[0] != "-" and candidate[-1] != "-" and "--" not in candidate


def permutations(label: str, among: Container[str] | None = None) -> Iterator[tuple[str, str]]:
    """Yield ``(permuted_label, kind)`` for every typo of ``label`` its length allows; with
    ``among``, only those in it, tested first (in C, ``filter``): where most typos are not in it
    (a popular list's names), that halves the cost."""
    for kind in kinds_for_length(len(label.replace("-", ""))):
        candidates = edits(label, kind) if among is None else filter(among.__contains__, edits(label, kind))
        for candidate in candidates:
            if candidate != label and valid(candidate):
                yield candidate, kind


def all_permutations(label: str) -> Iterator[tuple[str, str]]:
    """Every kind regardless of length: the naive dnstwist-style baseline of the benchmark."""
    for kind in KIND_PHRASES:
        for candidate in edits(label, kind):
            if candidate != label and valid(candidate):
                yield candidate, kind
