"""Text → Candidates: URLs, scheme-less links and bare domain mentions. Pure, no I/O.

Speed comes from not running the full URL grammar over prose: one cheap regex finds the few places
where a link can be (a dot before two letters, or ``:/`` or ``:\\``), and the full grammar is searched only in
the space-delimited word around each. Words that carry look-alike letters, invisible characters or
defanging take the slow path through :mod:`linkguard.deobfuscate`. Every pattern here is bounded
(``{m,n}``, no nested unbounded repeats) and every loop moves forward, so work is linear in the input
(a property test counts it).

Where this follows twitter-text's conformance suite, and where it deliberately does not, is listed
in the README.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from linkguard import suffixes
from linkguard.deobfuscate import build_shadow, maybe_defanged, obfuscations_in, shadow_positions
from linkguard.limits import MAX_LABEL_CHARS, MAX_URL_CHARS
from linkguard.models import Candidate
from linkguard.normalize import is_public_suffix
from linkguard.whatwg import ends_in_number, percent_decode_host

#: Combining marks a label may carry (IDNA allows them after a letter): the combining blocks,
#: Hebrew and Arabic points, Cyrillic combining letters, and the Indic blocks whole (their vowel
#: signs are marks; the dandas U+0964/5, which end sentences, are left out).
_MARKS = (
    "\u0300-\u036f\u0483-\u0489\u0591-\u05bd\u05bf\u05c1\u05c2\u05c4\u05c5\u05c7\u0610-\u061a"
    "\u064b-\u065f\u0670\u06d6-\u06dc\u06df-\u06e4\u06e7\u06e8\u06ea-\u06ed\u0900-\u0963\u0966-\u0dff"
    "\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20f0\u2de0-\u2dff\ua66f-\ua672\ua674-\ua67d\ua69e\ua69f"
    "\ufe20-\ufe2f"
)
# Labels of scheme-less hosts: what IDNA (UTS #46, or the IDNA 2003 fallback) maps or allows in the
# scripts written with spaces between words, so a host is never cut at a letter attackers use
# (IPA ɡ, small capitals ᴡ, Cherokee ꮃ, Latin Extended ł, combining marks, letterlike ℊ,
# superscripts). Left out: punctuation inside those blocks (Greek ano teleia, Armenian and Arabic
# full stops), and the scripts written without spaces (CJK, kana, Hangul, Thai, ...), so that
# "日本語example.com" yields "example.com" as twitter-text does.
_BARE = (
    "0-9A-Za-z_\u00aa\u00b2\u00b3\u00b5\u00b9\u00ba\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02c1"
    "\u02c6-\u02d1\u02e0-\u02e4\u02ec\u02ee\u0370-\u0374\u0376\u0377\u037a-\u037d\u037f\u0386"
    "\u0388-\u0481\u048a-\u052f\u0531-\u0556\u0559\u0560-\u0588\u05d0-\u05ea\u05ef-\u05f2"
    "\u0620-\u064a\u0660-\u0669\u066e-\u06d3\u06d5\u06e5\u06e6\u06ee-\u06fc\u06ff"
    "\u10a0-\u10c5\u10c7\u10cd\u10d0-\u10fa\u10fc-\u10ff\u13a0-\u13f5\u13f8-\u13fd"
    "\u1c80-\u1c88\u1c90-\u1cba\u1cbd-\u1cbf\u1d00-\u1dbf\u1e00-\u1fbc\u1fc2-\u1fcc\u1fd0-\u1fdb"
    "\u1fe0-\u1fec\u1ff2-\u1ffc\u2070\u2071\u2074-\u2079\u207f-\u2089\u2090-\u209c\u2102\u2107"
    "\u210a-\u2113\u2115\u2119-\u211d\u2124\u2126\u2128\u212a-\u212d\u212f-\u2139\u213c-\u213f"
    "\u2145-\u2149\u214e\u2160-\u2188\u2c00-\u2ce4\u2ceb-\u2cf3\u2d00-\u2d25\u2d27\u2d2d"
    "\ua4d0-\ua4fd\ua640-\ua66e\ua67f-\ua69d\ua717-\ua71f\ua722-\ua788\ua78b-\ua7ff"
    "\uab30-\uab5a\uab5c-\uab69\uab70-\uabbf\ufb00-\ufb06\ufb13-\ufb17"
    "\U00010780-\U000107ba\U0001df00-\U0001df2a" + _MARKS + "-"
)
#: Labels of hosts after a scheme: any word character of any script, the above (which holds
#: marks, and letters newer than this Python's Unicode tables that IDNA already allows), and the
#: symbols and dingbats IDNA 2003 allowed (``http://✪df.ws``; the normaliser falls back to it).
_HOST = r"\w" + _BARE + "\u2600-\u27bf"
_TLD = r"(?:[A-Za-z]{2,63}(?![0-9A-Za-z_-])|[^\W\d_\x00-\x7f]{2,63})"
_PATH_EXCLUDE = (
    '\\s<>"`{}\u00ab\u00bb\u2018\u2019\u201a\u201b\u201c\u201d\u201e\u201f\u2039\u203a\u2026'
    "\u3000-\u30ff\u3400-\u9fff\uac00-\ud7af\uff00-\uffef\u2600-\u27bf\U0001f000-\U0001faff"
)
#: The link grammar (verbose syntax), searched from a token start as ``_URL_START``.
_URL_PATTERN = rf"""
    (?:
        (?P<scheme>(?i:https?|ftp|wss?):[/\\]{{0,8}})
        (?P<userinfo>[^\s/\\?#]{{0,256}}@)?
        (?P<host>(?:[{_HOST}%]{{1,63}}\.){{0,20}}[{_HOST}%]{{1,63}}|\[[0-9A-Fa-f:.]{{2,45}}\]|[0-9]{{1,3}}(?:\.[0-9]{{1,3}}){{3}})
      |
        (?<!://)(?P<bare>(?:[{_BARE}]{{1,63}}\.){{1,20}}{_TLD})
    )
    (?P<port>:[0-9]{{1,5}}(?![0-9A-Za-z]))?
    (?P<rest>[/?#\\][^{_PATH_EXCLUDE}]{{0,{MAX_URL_CHARS}}})?
    """
#: Where a link may be: a dot before two letters (no TLD is shorter), or a scheme separator.
_HINT_DOT = re.compile(r"\.[^\W\d_]{2}")
_WHITESPACE = re.compile(r"[ \t\n\r\f\v]")
_EMAIL_TAIL = re.compile(r"[\w.+-]{0,64}@")
_NOT_BEFORE_CHARS = "@#$\uff03\uff20"
#: The same grammar, anchored at a token start: not inside a word, nor after ``@ # $``
#: (mentions, hashtags, cashtags, e-mail domains). One ``search`` finds the next link start.
_URL_START = re.compile(rf"(?<![{_NOT_BEFORE_CHARS}{_BARE}])" + _URL_PATTERN, re.VERBOSE)
_TCO_SLUG = re.compile(r"/[A-Za-z0-9]{1,64}")
_TRAILING = ".,;:!?'*\u2013\u2014\u00b7"
#: Bare mentions with these endings are file names far more often than links.
_FILE_LIKE_TLDS = frozenset({"zip", "mov", "py", "sh"})
_CLOSING = {")": "(", "]": "[", "}": "{"}
#: Characters :func:`_trim` may drop from a link's end; most links end in none of them.
_TRIM_CHARS = frozenset(_TRAILING + "".join(_CLOSING))
#: Fullwidth look-alikes of URL delimiters: NFKC makes them real ones, a browser does not.
_LOOKALIKE_DELIMITERS = frozenset("／＼？＃＠")
#: They are kept through de-obfuscation as private-use characters, which NFKC leaves alone.
_PROTECT = {ord(ch): 0xE000 + i for i, ch in enumerate(sorted(_LOOKALIKE_DELIMITERS))}
_RESTORE = {v: k for k, v in _PROTECT.items()}
_TCO_GLUE_SLUG = 10
_TCO_MAX_SLUG = 40
#: Space-delimited words with a capital after a dot (``St.Pauli``) found to hold no link; a
#: bounded set, emptied when full, as the same few recur in prose.
_NO_LINK_WORDS: set[str] = set()
_MAX_NO_LINK_WORDS = 4096


@lru_cache(maxsize=1)
def _url() -> re.Pattern[str]:
    """The grammar unanchored, for a card's domain glued onto a t.co slug (``_tco``): compiled on
    first need, which most scans never have (its Unicode classes cost start-up 6 ms)."""
    return re.compile(_URL_PATTERN, re.VERBOSE)


@lru_cache(maxsize=1)
def _tlds() -> frozenset[str]:
    """Single-label public suffixes in Unicode and punycode form (the TLDs)."""
    out: set[str] = set()
    for suffix in suffixes.top_labels():  # the last label of every suffix on the list
        suffix = suffix.lstrip("*!")
        if not suffix or suffix in out:
            continue
        out.add(suffix)
        if not suffix.isascii():
            # the A-label; the list holds TLDs in their normalised form, so plain Punycode gives
            # what idna.encode would (checked for the whole list), at a tenth of the cost
            out.add("xn--" + suffix.encode("punycode").decode("ascii"))
    return frozenset(out)


def _valid_label(label: str, *, registrable: bool) -> bool:
    if not label or len(label) > MAX_LABEL_CHARS or label[0] in "-_" or label[-1] in "-_":
        return False
    return not (registrable and "_" in label)


def _valid_host(labels: list[str]) -> bool:
    tlds = _tlds()
    if labels[-1].lower() not in tlds:
        return False
    if labels[-1].isdigit():
        return False
    registrable = len(labels) - 2  # _valid_label's checks, inline: this runs once per new host
    for i, lab in enumerate(labels):
        if not lab or len(lab) > MAX_LABEL_CHARS or lab[0] in "-_" or lab[-1] in "-_":
            return False
        if i >= registrable and "_" in lab:
            return False
    return True


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


def _markdown_label(text: str, start: int) -> str | None:
    """The label of ``[label](url)`` when the URL starts at ``start``."""
    if start >= 2 and text[start - 2 : start] == "](":
        line_start = text.rfind("\n", max(0, start - 300), start) + 1  # a label stays on its line
        open_at = text.rfind("[", max(line_start, start - 300), start - 2)
        if open_at != -1:
            return text[open_at + 1 : start - 2]
    return None


def _judge(text: str, m: re.Match[str]) -> list[tuple[int, int, bool, str | None]]:
    """``(start, end, has_scheme, display)`` of the link(s) a grammar match really holds."""
    start, end = m.start(), m.end()
    if end < len(text) and text[end] in "@+-_." and _EMAIL_TAIL.match(text, end):
        return []  # the local part of an e-mail address: name.al+lastname@foo.com
    display = None
    scheme = m.group("scheme")
    if scheme:
        host = m.group("host")
        numeric = host[host.rfind(".") + 1] in "0123456789" and ends_in_number(host)  # 127.1, 0x7f.1
        fixed = host if numeric or host.startswith("[") else None
        if fixed is None and "%" in host:  # %77elt.ltd: only whole, as browsers decode it
            decoded = percent_decode_host(host)
            fixed = host if _fix_host(decoded) == decoded else None
        elif fixed is None:
            fixed = _fix_host(host)
        if fixed is None:
            return []
        host_end = m.start("host") + len(fixed)
        if fixed != host:
            return [(start, host_end, True, None)]
        if len(fixed) == 4 and fixed.lower() == "t.co":
            return _tco(text, start, host_end)
        if text.startswith("](", start - 2):
            display = _markdown_label(text, start)
    else:
        host = m.group("bare")
        fixed = _fix_host(host)
        if fixed is None:
            return []
        tld = fixed.rsplit(".", 1)[-1]
        if tld.istitle() and len(tld) > 1 and not m.group("rest") and not fixed.split(".")[0].isupper():
            return []  # "Krieg.In" is a missing space after a full stop, not a domain
        if tld.lower() in _FILE_LIKE_TLDS and not m.group("rest"):
            return []
        host_end = start + len(fixed)
        if fixed != host:
            return [(start, host_end, False, None)]
        if len(fixed) == 4 and fixed.lower() == "t.co":
            return _tco(text, start, host_end)
    if text[end - 1] in _TRIM_CHARS:
        end = start + len(_trim(text[start:end]))
    return [(start, end, bool(scheme), display)]


def _tco(text: str, start: int, host_end: int) -> list[tuple[int, int, bool, str | None]]:
    """t.co paths are alphanumeric slugs; a slug that runs into a card's domain is split off."""
    has_scheme = text[start].lower() in "hf"
    m = _TCO_SLUG.match(text, host_end)
    if m is None:
        return [(start, host_end, has_scheme, None)]
    slug = m.group()[1:]
    if len(slug) > _TCO_GLUE_SLUG:
        glued_at = host_end + 1 + _TCO_GLUE_SLUG
        card = _url().match(text, glued_at)  # the card's domain, glued on without a space
        if card and card.group("bare") and card.end("bare") > m.end() and _fix_host(card.group("bare")):
            card_end = glued_at + len(_fix_host(card.group("bare")) or "")
            return [(start, glued_at, has_scheme, text[glued_at:card_end]), (glued_at, card_end, False, None)]
    if len(slug) > _TCO_MAX_SLUG:
        return []
    return [(start, m.end(), has_scheme, None)]


def _spans(text: str, lo: int = 0, hi: int | None = None) -> list[tuple[int, int, bool, str | None]]:
    """Link spans in ``text[lo:hi]``, left to right; the text around stays visible as context
    (a Markdown label before ``lo``, the character before a link).

    A link holds a hint (``.`` before two letters, or ``:/`` or ``:\\``) and no space, so only the
    space-delimited word around each hint is searched with the full grammar: prose between links
    costs a few ``str.find`` calls and searches for a hint dot (memchr speed and close to it).
    Every position found here only moves forward, so the scan stays linear.
    """
    out: list[tuple[int, int, bool, str | None]] = []
    pos, n = lo, len(text) if hi is None else hi
    find, hint_search, url_search = text.find, _HINT_DOT.search, _URL_START.search
    hint_end = min(n + 2, len(text))  # a hint dot before ``n`` may look at two letters after it
    # a scheme separator as browsers take it: "https://", and also "https:/" and "https:\\"
    slash, backslash, space = find(":/", lo, n), find(":\\", lo, n), -1
    hint = hint_search(text, lo, hint_end)
    dot = hint.start() if hint is not None and hint.start() < n else -1
    while True:
        if -1 < slash < pos:
            slash = find(":/", pos, n)
        if -1 < backslash < pos:
            backslash = find(":\\", pos, n)
        scheme = slash if backslash == -1 or -1 < slash < backslash else backslash
        if -1 < dot < pos:
            # one search in C past the dots of prose (z.B., 12.30, 1.12.2026): a find per dot
            # and a match at each cost three times as much on German posts
            hint = hint_search(text, pos, hint_end)
            dot = hint.start() if hint is not None and hint.start() < n else -1
        at = dot if dot != -1 and (dot < scheme or scheme == -1) else scheme
        if at == -1:
            break
        word_start = text.rfind(" ", pos, at) + 1 or pos
        if space < at:
            space = find(" ", at, n)
            if space == -1:
                space = n
        word_end = space
        if word_start > pos and at == dot and text[at + 1].isupper():
            # a capital after the dot: a name or a sentence glued on (St.Pauli, Ende.Die,
            # Dr.Müller) far more often than a link, and the same few words over and over.
            # What such a word holds depends on it alone (it follows a space, and no link
            # crosses one), so a word found to hold none is passed over when it comes again.
            word = text[word_start:word_end]
            if word not in _NO_LINK_WORDS:
                spans = _spans(text, word_start, word_end)
                if spans:
                    out += spans
                elif "\n" not in word:  # one that runs across lines is seldom seen again
                    if len(_NO_LINK_WORDS) >= _MAX_NO_LINK_WORDS:
                        _NO_LINK_WORDS.clear()
                    _NO_LINK_WORDS.add(word)
            pos = word_end
            continue
        m = url_search(text, word_start, word_end)
        if m is None:
            pos = word_end  # no link anywhere in this word
            continue
        spans = _judge(text, m)
        if spans:
            out += spans
            pos = spans[-1][1]
        else:  # not a link after all: look again after its host (its path may hold one)
            pos = m.end("host") if m.group("scheme") else m.end("bare")
    return out


#: A line that is only a lowercase host of LDH labels ending in a TLD of letters, within the
#: grammar's bounds (21 labels of at most 63 characters): a line of a domain list. The grammar
#: reads such a line whole, so the checks left are ``_judge``'s on the TLD (``_plain_candidates``).
_HOST_LINE = re.compile(r"(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.){1,20}([a-z]{2,63})")


def _plain_candidates(text: str, lo: int = 0, hi: int | None = None) -> list[Candidate]:
    """The links of ``text[lo:hi]`` (``_grammar_candidates``), with each line that is a plain host
    (``_HOST_LINE``) taken whole without the grammar when the text starts with one: on a domain
    list the grammar's search and ``_judge`` were a tenth of a scan. No link crosses a newline, so
    the lines between are searched on their own with the same result (a property test holds the
    two equal), and so are the lines of a Windows file, each ending in "\\r". Prose whose first whole
    line is no host goes straight to the grammar."""
    n = len(text) if hi is None else hi
    # the first whole line: ``lo`` may be inside one (after an obfuscated word: the newline
    # ending the line of a domain list that holds one), then the grammar reads its tail
    start = lo
    if lo and text[lo - 1] != "\n":
        start = text.find("\n", lo, n) + 1  # 0: no whole line
    if (lo and not start) or not _HOST_LINE.match(text, start, n):
        return _grammar_candidates(text, lo, hi)
    out: list[Candidate] = []
    fullmatch, tlds, size = _HOST_LINE.fullmatch, _tlds(), len(text)
    prev = lo  # where the text the grammar has not searched starts
    for line in text[start:n].split("\n"):
        end = start + len(line)
        host = line[:-1] if line[-1:] == "\r" else line  # a Windows file's line: "\r" ends the host
        m = fullmatch(host)
        if (
            m is not None
            and (end == size or text[end] == "\n")  # not cut at ``hi`` inside the line
            and (tld := m.group(1)) in tlds
            and tld not in _FILE_LIKE_TLDS
            and host != "t.co"  # its slug rules: the grammar's path
        ):
            if start - prev > 1:  # more than the newline between two host lines
                out += _grammar_candidates(text, prev, start)
            out.append(Candidate(host, host, start, (), False, None))
            prev = end
        start = end + 1
    if n - prev > 1:
        out += _grammar_candidates(text, prev, hi)
    return out


#: A text that is one URL and nothing else, as an export's ``expanded_url`` is: a special scheme,
#: a lowercase host (``_one_url_host`` says which) and a path of printable ASCII that the
#: grammar's path takes whole (``_one_url``). The host is the run of its characters up to the
#: path, which starts with none of them.
_ONE_URL = re.compile(rf"(?:https?|ftp|wss?)://([a-z0-9.-]+)(?:[/?#][!#-;=?-_a-z|~]{{0,{MAX_URL_CHARS}}})?")
#: LDH labels ending in a TLD of letters, within the grammar's bounds.
_ONE_URL_HOST = re.compile(r"(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.){1,20}([a-z]{2,63})")


@lru_cache(maxsize=4096)
def _one_url_host(host: str) -> bool:
    """Whether the grammar reads ``host`` whole as the host of a one-URL text: its labels and
    TLD (known, not t.co, whose slug rules are the grammar's) are checked once per host, which
    an export names over and over; the pattern's labels were most of reading such a text."""
    m = _ONE_URL_HOST.fullmatch(host)
    return m is not None and m.group(1) in _tlds() and host != "t.co"


def _one_url(text: str) -> list[Candidate]:
    """``[the whole text]`` when the grammar reads it as one link to its end (``_ONE_URL``, a
    known TLD, not t.co, no trailing punctuation to trim); ``[]`` when the grammar must say.
    Searching a structured value with the grammar cost a tenth of a scan of an X archive; a
    property test holds the two readings equal."""
    m = _ONE_URL.fullmatch(text)
    if m is None or text[-1] in _TRIM_CHARS or not _one_url_host(m.group(1)):
        return []
    return [Candidate(text, text, 0, (), True, None)]


def _grammar_candidates(text: str, lo: int = 0, hi: int | None = None) -> list[Candidate]:
    return [
        Candidate(written, written, start, (), has_scheme, display)
        for start, end, has_scheme, display in _spans(text, lo, hi)
        for written in (text[start:end],)
    ]


#: Public suffixes that are function words: after `` . `` or `` dot `` they start the next clause
#: ("a dot in the middle", "ready . go"), even after an outlet's name ("keine Zeit . in ...").
_FUNCTION_SUFFIXES = frozenset(
    "in is it at to me be by as us so no on or am an do go my we im um da er ja si se tu un et es la "
    "al ist".split()
)
#: Short public suffixes that are everyday words (or the dot word itself); read after a dot word
#: only behind an outlet's name. Longer suffixes ("news", "today", "online") are words far more
#: often, so after a dot word they need an outlet's name in any case.
_PROSE_SUFFIXES = _FUNCTION_SUFFIXES | frozenset(
    "de eu ag tv dot now new one how you app art bar bet bio box buy car cat day eat eco fit fly fun "
    "gov hot ist law lol man men mom dad pay pro pub red run see ski sky soy tax tel tie top toy vet "
    "wed win wtf zip".split()
)
#: Words that end a sentence or stand before "dot" in prose ("the dot com bubble", "polka dot").
_PROSE_WORDS = frozenset(
    "a an the this that these those and or but of to in on at by for with from as is are was were be "
    "it its he she we you they i me my our your his her their polka per no not so if then than "
    "der die das den dem des ein eine einen einem einer und oder aber mit von zu im am um ist sind "
    "war es er sie wir ihr ich auch nur noch schon le la les un une des du de et ou est en au aux "
    "ce cette il elle nous vous ils pas".split()
)


#: Longest suffix label read after a dot word without an outlet's name ("ltd", "xyz", "com").
_SHORT_SUFFIX = 3


@lru_cache(maxsize=4096)
def _public_suffix(name: str) -> bool:
    return is_public_suffix(name)


def _accept_dot(label: str, suffix: str, spaced: bool, known: frozenset[str]) -> bool:
    """Whether ``label`` + a loose dot marker + ``suffix`` is a domain (see ``build_shadow``).

    What follows the marker must be a public suffix, and the label a plausible registrable one.
    The suffix must not be written as the capitalised start of a sentence, nor, after a dot word
    between spaces, be a function word. Then a known outlet's label (``known``, from the scanner's
    rules) is enough unless the suffix is a three-letter everyday word ("Zeit dot ist"); otherwise
    a dot word between spaces also needs a short suffix that is no everyday word and a label that
    is none either.
    """
    low_label, low_suffix = label.lower(), suffix.lower()
    if not _public_suffix(low_suffix) or not _valid_label(low_label, registrable=True):
        return False
    if suffix != low_suffix and not suffix.isupper():
        return False  # "Ende . Com", "Kaffee•Bio": a sentence or a list, not a domain
    if spaced and low_suffix in _FUNCTION_SUFFIXES:
        return False
    if low_label in known:  # an outlet's name, unless the suffix is a short everyday word ("top")
        return not spaced or len(low_suffix) <= 2 or low_suffix not in _PROSE_SUFFIXES
    if len(label) < 2 or label.isdigit():
        return False
    if not spaced:
        return True
    short = all(len(part) <= _SHORT_SUFFIX for part in low_suffix.split("."))
    return short and low_suffix not in _PROSE_SUFFIXES and low_label not in _PROSE_WORDS


@lru_cache(maxsize=4096)
def _shadow_spans(
    word: str, known: frozenset[str] = frozenset()
) -> tuple[tuple[str, str, int, tuple[str, ...], bool, str | None], ...]:
    """The candidates of one obfuscated word, relative to it.

    Memoised: campaigns post the same disguised link over and over, and undoing the disguise
    costs ten times what finding a plain link does.
    """
    shadow = build_shadow(word, lambda label, suffix, spaced: _accept_dot(label, suffix, spaced, known))
    out = []
    for start, end, has_scheme, display in _spans(shadow.text):
        o_start, o_end = shadow.original_span(start, end)
        out.append(
            (
                word[o_start:o_end],
                shadow.text[start:end],
                o_start,
                obfuscations_in(word, shadow, start, end),
                has_scheme,
                display,
            )
        )
    if not _LOOKALIKE_DELIMITERS.isdisjoint(word):
        # NFKC made "／" a slash, "＠" an at sign, …, which a browser given the word never sees:
        # read it again with those kept as they are, and let that reading replace the ones that
        # start inside its links (https://welt.de／@welt.ltd/ goes to welt.ltd, ws:/＼a＼@x.de
        # to x.de)
        kept = build_shadow(word.translate(_PROTECT))
        text = kept.text.translate(_RESTORE)
        for start, end, has_scheme, display in _spans(text):
            o_start, o_end = kept.original_span(start, end)
            out = [c for c in out if not o_start <= c[2] < o_end]  # readings starting inside it
            if any(o_start < c[2] + len(c[0]) for c in out if c[2] < o_start):
                continue  # a link the first reading found starts before and runs into it
            tricks = (*obfuscations_in(word, kept, start, end), "lookalike-delimiter")
            out.append((word[o_start:o_end], text[start:end], o_start, tricks, has_scheme, display))
        out.sort(key=lambda c: c[2])
    return tuple(out)


def _shadow_candidates(word: str, base: int, known: frozenset[str]) -> list[Candidate]:
    return [
        Candidate(text, url, base + start, obfuscation, has_scheme, display)
        for text, url, start, obfuscation, has_scheme, display in _shadow_spans(word, known)
    ]


def _word_around(text: str, pos: int) -> tuple[int, int]:
    """The whitespace-delimited word holding ``pos``: no link spans whitespace, so the slow path
    only needs that word (a few dozen characters, not the whole post)."""
    start = text.rfind(" ", 0, pos) + 1  # then tabs and newlines only after it, never far back
    start = max(text.rfind("\t", start, pos), text.rfind("\n", start, pos)) + 1 or start
    m = _WHITESPACE.search(text, pos)
    return start, m.start() if m else len(text)


#: A word that is only a dot marker, written between spaces: ``.``, ``dot``, ``[.]``, ``(dot)``.
_MARKER_WORD = re.compile(r"\.|dot|DOT|[\[({](?:\.|[dD][oO][tT])[\])}]")


def _window(text: str, pos: int) -> tuple[int, int]:
    """What the slow path searches for the obfuscation at ``pos``: its word, or, for a dot marker
    written between spaces (``welt . ltd``), the marker with the words on both sides."""
    start, end = _word_around(text, pos)
    if text[pos] != " " and not _MARKER_WORD.fullmatch(text, start, end):
        return start, end
    marker = pos + 1 if text[pos] == " " else start
    before = marker - 1
    if before < 1 or text[before] != " ":
        return start, end
    start = _word_around(text, before - 1)[0]
    m = _WHITESPACE.search(text, marker)
    after = m.start() + 1 if m else len(text)
    if after >= len(text) or text[after - 1] != " ":
        return start, max(end, after)
    m = _WHITESPACE.search(text, after)
    return start, m.start() if m else len(text)


def candidates(
    text: str,
    *,
    suspect: Iterable[tuple[int, int]] | None = None,
    known_labels: frozenset[str] = frozenset(),
) -> list[Candidate]:
    """Every link-like span of ``text``, in order, with obfuscation undone.

    Words that carry obfuscation take the slow, de-obfuscating path; the rest the fast one.
    ``suspect`` is the caller's word on where obfuscation can be (see
    :attr:`linkguard.models.Record.suspect`); by default the whole text is searched for it.
    ``known_labels`` are outlet names (``welt``, ``spiegel``) whose dot may be written as a word
    between spaces (``welt dot de``) even before a suffix that is also a word; without them only
    suffixes that are no everyday word are read that way.
    """
    one = _one_url(text) if suspect is None else None
    if suspect is None:
        if one and not maybe_defanged(text):  # ASCII with nothing to undo: no shadow positions
            return one  # what the end of the fast path gives (a property test), found first
        positions = shadow_positions(text)
    else:
        positions = [p for start, end in suspect for p in shadow_positions(text, start, end)]
    slow: list[tuple[int, int]] = []
    for pos in positions:
        if slow and pos < slow[-1][1]:
            continue
        start, end = _window(text, pos)
        if slow and start < slow[-1][1]:  # a spaced marker reaches back into the previous word
            slow[-1] = (slow[-1][0], end)
        else:
            slow.append((start, end))
    if not slow:
        return (_one_url(text) if one is None else one) or _plain_candidates(text)
    out: list[Candidate] = []
    prev = 0
    for word_start, word_end in slow:
        if word_start > prev:
            out += _plain_candidates(text, prev, word_start)
        out += _shadow_candidates(text[word_start:word_end], word_start, known_labels)
        prev = word_end
    if prev < len(text):
        out += _plain_candidates(text, prev)
    return out
