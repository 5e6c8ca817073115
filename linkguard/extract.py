"""Text → Candidates: URLs, scheme-less links and bare domain mentions. Pure, no I/O.

Speed comes from not running the full URL grammar at every position: one cheap regex finds the few
places where a link can be (a dot before a letter, or ``://``), the token start is found by walking
back, and only there is the full pattern matched. Lines that carry look-alike letters, invisible
characters or defanging take the slow path through :mod:`linkguard.deobfuscate`. Every pattern
here is bounded (``{m,n}`` with no nested unbounded repeats), so no input can make matching slow.

Where this follows twitter-text's conformance suite, and where it deliberately does not, is listed
in the README.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import suppress
from functools import lru_cache

import idna

from linkguard.deobfuscate import build_shadow, obfuscations_in, shadow_positions
from linkguard.limits import MAX_URL_CHARS
from linkguard.models import Candidate
from linkguard.normalize import suffix_extractor

#: Where a link may be: a dot before two letters (no TLD is shorter), or a scheme separator.
_HINT = re.compile(r"\.[^\W\d_]{2}|://")

_SCHEME_RE = re.compile(r"(?:https?|ftp)://", re.IGNORECASE)

# Labels of scheme-less hosts: ASCII, Latin, Greek, Cyrillic and Armenian letters (the scripts
# homoglyph attacks draw on) but not CJK, so "日本語example.com" yields "example.com".
_BARE = (
    "0-9A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u0370-\u03ff\u0400-\u052f\u0531-\u0587\u1e00-\u1eff_-"
)
_TLD = r"(?:[A-Za-z]{2,63}(?![0-9A-Za-z_-])|[^\W\d_\x00-\x7f]{2,63})"
_PATH_EXCLUDE = (
    '\\s<>"`{}\u00ab\u00bb\u2018\u2019\u201a\u201b\u201c\u201d\u201e\u201f\u2039\u203a\u2026'
    "\u3000-\u30ff\u3400-\u9fff\uac00-\ud7af\uff00-\uffef\u2600-\u27bf\U0001f000-\U0001faff"
)
_URL = re.compile(
    rf"""
    (?:
        (?P<scheme>(?:https?|ftp)://)
        (?P<userinfo>[^\s/?#@\[\]]{{1,256}}@)?
        (?P<host>(?:[\w-]{{1,63}}\.){{1,20}}[\w-]{{1,63}}|\[[0-9A-Fa-f:.]{{2,45}}\]|[0-9]{{1,3}}(?:\.[0-9]{{1,3}}){{3}})
      |
        (?P<bare>(?:[{_BARE}]{{1,63}}\.){{1,20}}{_TLD})
    )
    (?P<port>:[0-9]{{1,5}}(?![0-9A-Za-z]))?
    (?P<rest>[/?#][^{_PATH_EXCLUDE}]{{0,{MAX_URL_CHARS}}})?
    """,
    re.VERBOSE,
)
_EMAIL_TAIL = re.compile(r"[\w.+-]{0,64}@")
_TCO_SLUG = re.compile(r"/[A-Za-z0-9]{1,64}")
_TRAILING = ".,;:!?'*\u2013\u2014\u00b7"
_NOT_BEFORE = frozenset("@#$\uff03\uff20")
#: Bare mentions with these endings are file names far more often than links.
_FILE_LIKE_TLDS = frozenset({"zip", "mov", "py", "sh"})
_CLOSING = {")": "(", "]": "[", "}": "{"}
_TCO_GLUE_SLUG = 10
#: How far back from a dot a host may start: 253 characters of host plus a scheme.
_MAX_TOKEN_BACK = 270
_TCO_MAX_SLUG = 40


@lru_cache(maxsize=1)
def _tlds() -> frozenset[str]:
    """Single-label public suffixes in Unicode and punycode form (the TLDs)."""
    out: set[str] = set()
    for suffix in suffix_extractor().tlds:
        suffix = suffix.rsplit(".", 1)[-1].lstrip("*!")
        if not suffix or suffix in out:
            continue
        out.add(suffix)
        with suppress(idna.IDNAError):
            out.add(idna.encode(suffix, uts46=True).decode("ascii"))
    return frozenset(out)


_ASCII_BARE = frozenset("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_.")


def _is_bare_char(ch: str) -> bool:
    if ch.isascii():
        return ch in _ASCII_BARE and ch != "."
    cp = ord(ch)
    return (0xC0 <= cp <= 0x24F and cp not in (0xD7, 0xF7)) or 0x370 <= cp <= 0x587 or 0x1E00 <= cp <= 0x1EFF


def _valid_label(label: str, *, registrable: bool) -> bool:
    if not label or len(label) > 63 or label[0] in "-_" or label[-1] in "-_":
        return False
    return not (registrable and "_" in label)


def _valid_host(labels: list[str]) -> bool:
    tlds = _tlds()
    if labels[-1].lower() not in tlds:
        return False
    if labels[-1].isdigit():
        return False
    return all(_valid_label(lab, registrable=i >= len(labels) - 2) for i, lab in enumerate(labels))


@lru_cache(maxsize=65536)
def _fix_host(host: str) -> str | None:
    """The longest valid host at the start of ``host``.

    twitter-text ends a TLD where a letter of another script starts: ``example.comだよね.comtest``
    holds ``example.com``.
    """
    labels = host.split(".")
    if len(labels) >= 2 and _valid_host(labels):
        return host
    tlds = _tlds()
    last = labels[-1]
    if len(labels) >= 2 and not last.isascii():  # "twitter.みんなです" holds "twitter.みんな"
        for j in range(len(last) - 1, 1, -1):
            if last[:j] in tlds and _valid_host([*labels[:-1], last[:j]]):
                return ".".join([*labels[:-1], last[:j]])
    for i in range(1, len(labels)):
        label = labels[i]
        j = 0
        while j < len(label) and label[j].isascii() and label[j].isalpha():
            j += 1
        if 0 < j < len(label) and not label[j].isascii() and label[:j].lower() in tlds:
            candidate = [*labels[:i], label[:j]]
            if _valid_host(candidate):
                return ".".join(candidate)
    return None


def _trim(url: str) -> str:
    """Drop trailing punctuation and unbalanced closing brackets, as a reader would."""
    while url:
        last = url[-1]
        if last in _TRAILING or (last in _CLOSING and url.count(_CLOSING[last]) < url.count(last)):
            url = url[:-1]
        else:
            break
    return url


def _is_token_char(ch: str) -> bool:
    return ch in _ASCII_BARE or (not ch.isascii() and _is_bare_char(ch))


def _token_start(text: str, pos: int, floor: int) -> int:
    """Walk back from a hint to where the token (scheme or host) begins; -1 to skip the hint.

    The walk never goes below ``floor`` (the end of the last judged token, or as far back as a
    host can reach), so each character is walked over a bounded number of times: linear overall.
    """
    i = pos
    while i > floor and _is_token_char(text[i - 1]):
        i -= 1
    if i == floor and i > 0 and _is_token_char(text[i - 1]):
        return -1  # part of a token already judged, or longer than any host
    while i <= pos and text[i] == ".":  # "です。example.com": the full stop ends a sentence
        i += 1
    # a scheme in front: "https://" + host, or the hint itself was "://"
    if text.startswith("://", i - 3 if text[pos] == "." else pos):
        colon = i - 3 if text[pos] == "." else pos
        j = colon
        while j > 0 and text[j - 1].isascii() and text[j - 1].isalpha() and colon - j < 6:
            j -= 1
        if _SCHEME_RE.match(text, j):
            return j
    return i


def _markdown_label(text: str, start: int) -> str | None:
    """The label of ``[label](url)`` when the URL starts at ``start``."""
    if start >= 2 and text[start - 2 : start] == "](":
        open_at = text.rfind("[", max(0, start - 300), start - 2)
        if open_at != -1:
            return text[open_at + 1 : start - 2]
    return None


def _match_at(text: str, start: int) -> Iterator[tuple[int, int, bool, str | None]]:
    """Yield ``(start, end, has_scheme, display)`` for the link(s) starting at ``start``."""
    if start > 0 and text[start - 1] in _NOT_BEFORE:
        return
    m = _URL.match(text, start)
    if m is None:
        return
    end = m.end()
    if end < len(text) and text[end] in "@+-_." and _EMAIL_TAIL.match(text, end):
        return  # the local part of an e-mail address: name.al+lastname@foo.com
    display = None
    if m.group("scheme"):
        host = m.group("host")
        fixed = (
            host if host.startswith("[") or (host[0].isdigit() and host.replace(".", "").isdigit()) else None
        )
        if fixed is None:
            fixed = _fix_host(host)
        if fixed is None:
            return
        host_end = m.start("host") + len(fixed)
        if fixed != host:
            yield start, host_end, True, None
            return
        if fixed.lower() == "t.co":
            yield from _tco(text, start, host_end)
            return
        display = _markdown_label(text, start)
    else:
        host = m.group("bare")
        fixed = _fix_host(host)
        if fixed is None:
            return
        tld = fixed.rsplit(".", 1)[-1]
        if tld.istitle() and len(tld) > 1 and not m.group("rest") and not fixed.split(".")[0].isupper():
            return  # "Krieg.In" is a missing space after a full stop, not a domain
        if tld.lower() in _FILE_LIKE_TLDS and not m.group("rest"):
            return
        host_end = start + len(fixed)
        if fixed != host:
            yield start, host_end, False, None
            return
        if fixed.lower() == "t.co":
            yield from _tco(text, start, host_end)
            return
    url_end = _trim(text[start:end])
    yield start, start + len(url_end), bool(m.group("scheme")), display


def _tco(text: str, start: int, host_end: int) -> Iterator[tuple[int, int, bool, str | None]]:
    """t.co paths are alphanumeric slugs; a slug that runs into a card's domain is split off."""
    has_scheme = text[start].lower() in "hf"
    m = _TCO_SLUG.match(text, host_end)
    if m is None:
        yield start, host_end, has_scheme, None
        return
    slug = m.group()[1:]
    if len(slug) > _TCO_GLUE_SLUG:
        glued_at = host_end + 1 + _TCO_GLUE_SLUG
        card = _URL.match(text, glued_at)
        if card and card.group("bare") and card.end("bare") > m.end() and _fix_host(card.group("bare")):
            card_end = glued_at + len(_fix_host(card.group("bare")) or "")
            yield start, glued_at, has_scheme, text[glued_at:card_end]
            yield glued_at, card_end, False, None
            return
    if len(slug) > _TCO_MAX_SLUG:
        return
    yield start, m.end(), has_scheme, None


def _spans(text: str) -> Iterator[tuple[int, int, bool, str | None]]:
    last_end = 0
    for hint in _HINT.finditer(text):
        pos = hint.start()
        if pos < last_end:
            continue
        start = _token_start(text, pos, max(last_end, pos - _MAX_TOKEN_BACK))
        if start == -1:  # the rest of a token already judged (a rejected host, an e-mail)
            last_end = pos + 1
            continue
        found = False
        for span in _match_at(text, start):
            found = True
            last_end = max(last_end, span[1])
            yield span
        if not found:
            last_end = max(last_end, pos + 1)


def _plain_candidates(text: str, base: int = 0) -> Iterator[Candidate]:
    for start, end, has_scheme, display in _spans(text):
        raw = text[start:end]
        yield Candidate(raw, raw, base + start, (), has_scheme, display)


def _shadow_candidates(line: str, base: int) -> Iterator[Candidate]:
    shadow = build_shadow(line)
    for start, end, has_scheme, display in _spans(shadow.text):
        o_start, o_end = shadow.original_span(start, end)
        yield Candidate(
            line[o_start:o_end],
            shadow.text[start:end],
            base + o_start,
            obfuscations_in(line, shadow, start, end),
            has_scheme,
            display,
        )


def candidates(text: str) -> Iterator[Candidate]:
    """Every link-like span of ``text``, in order, with obfuscation undone.

    Lines that contain obfuscation take the slow path; the rest of the text the fast one.
    """
    slow: list[tuple[int, int]] = []
    for pos in shadow_positions(text):
        if slow and pos < slow[-1][1]:
            continue
        line_start = text.rfind("\n", 0, pos) + 1
        line_end = text.find("\n", pos)
        slow.append((line_start, len(text) if line_end == -1 else line_end))
    if not slow:
        yield from _plain_candidates(text)
        return
    prev = 0
    for line_start, line_end in slow:
        if line_start > prev:
            yield from _plain_candidates(text[prev:line_start], prev)
        yield from _shadow_candidates(text[line_start:line_end], line_start)
        prev = line_end
    if prev < len(text):
        yield from _plain_candidates(text[prev:], prev)
