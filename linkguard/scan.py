"""The pipeline: the only module that knows the order of the stages.

input → extract → normalise → classify → (forensics) → Finding. Everything is a generator, so a
scan of any size runs in flat memory; ``Scanner.stats`` is filled in as records stream past.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import operator
import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from linkguard.extract import candidates
from linkguard.inputs import iter_paths, read_path
from linkguard.inputs.decoding import ERRORS
from linkguard.inputs.plaintext import select_lines
from linkguard.limits import POST_CONTEXT_CHARS
from linkguard.models import (
    FLAGGED_STATUSES,
    Evidence,
    Finding,
    Link,
    Post,
    Record,
    ScanStats,
    Skipped,
    Verdict,
)
from linkguard.normalize import normalize, parse_link
from linkguard.rules import RuleSet
from linkguard.whatwg import prepare

if TYPE_CHECKING:
    from linkguard.forensics import Investigation, Investigator
    from linkguard.lookalike import Detector

_CONTEXT_CHARS = 160
#: One URL with a special scheme and nothing else (no spaces): a value a browser would follow.
_ONE_URL = re.compile(r"(?i:https?|ftp|wss?):\S*\Z")
#: A t.co link as an export records it (``entities.urls[].url``): read the same in a post's text.
_TCO = re.compile(r"https?://t\.co/[A-Za-z0-9]+\Z")
#: Verdicts worth a network look when forensics are on: what we flag, and what hides a target.
INVESTIGATE = frozenset({"malicious", "suspicious", "shortened"})


def _context(text: str, start: int, end: int) -> str:
    """The line around a link, capped, for human reports."""
    line_start = max(text.rfind("\n", max(0, start - _CONTEXT_CHARS), start) + 1, start - _CONTEXT_CHARS)
    line_end = text.find("\n", end, end + _CONTEXT_CHARS)
    if line_end == -1:
        line_end = min(len(text), end + _CONTEXT_CHARS)
    return text[line_start:line_end]


def _post_context(text: str, start: int, end: int) -> str:
    """Up to ``POST_CONTEXT_CHARS`` of a post around ``text[start:end]``, whitespace collapsed."""
    if len(text) > POST_CONTEXT_CHARS:
        room = max(0, POST_CONTEXT_CHARS - (end - start)) // 2
        lo = max(0, min(start - room, len(text) - POST_CONTEXT_CHARS))
        text = text[lo : lo + max(POST_CONTEXT_CHARS, end - start)]
    return " ".join(text.split())


def _resolved(link: Link, item: Record) -> Link:
    """``link`` (the destination an export recorded) with what the post showed in ``via``; set on
    ``link`` itself, which ``normalize`` made for this candidate alone (copying it and the
    candidate cost 1.5 % of the instructions of a JSON Lines scan of X posts)."""
    shown, field_name = item.via[-1], item.resolved_by or "export"
    why = Evidence(
        "export-resolution",
        f"the export's {field_name} records that {shown} leads to {link.url}",
        {"field": field_name, "shown": shown},
    )
    link.via, link.resolution = (*item.via, *link.via), (why, *link.resolution)
    return link


_VERDICT_FIELDS = operator.attrgetter(*(f.name for f in dataclasses.fields(Verdict)))


def with_resolution(verdict: Verdict, notes: tuple[Evidence, ...]) -> Verdict:
    """``verdict`` with the evidence of how its link was resolved (``Link.resolution``) appended
    (copied by calling the class, a third of ``dataclasses.replace``: once per resolved link)."""
    if not notes:
        return verdict
    status, score, impersonates, techniques, evidence = _VERDICT_FIELDS(verdict)
    return Verdict(status, score, impersonates, techniques, (*evidence, *notes))


@dataclasses.dataclass(frozen=True, slots=True)
class Examination:
    """What ``Scanner.examine`` learnt of one link, each part by name (it was a pair unpacked by
    position): the finding, and how its investigation ended (None offline)."""

    finding: Finding
    #: Whether the network part completed, and the refused first hop if any.
    investigation: Investigation | None = None


def _same_link(url: str) -> str:
    """A normalised URL without its scheme: ``welt.ltd/a`` in a post's text is its ``https://welt.ltd/a``."""
    return url.partition("://")[2]


def _shown_url(url: str) -> str:
    """A URL the post showed, normalised and without its scheme. A t.co as exports write it is
    already normal (``parse_link`` gives it back unchanged; a property test holds the two to
    it), and is most of them: parsing it cost a third of a resolved link's scan."""
    if _TCO.match(url):
        return _same_link(url)
    shown = parse_link(url)
    return _same_link(url if shown is None else shown.url)


class _Reported:
    """The links reported for one post, each as every form of it the post may show: the
    destination and every URL on the way, normalised (:func:`_shown_url`). A URL on the way to
    one (a t.co, a wrapper) is normalised only when a later link of the post is not found among
    the rest: most posts have no later link, and a wrapper's parse costs ~80 us. Gives the same
    answers as the set of all forms at once (a property test)."""

    __slots__ = ("seen", "unshown")

    def __init__(self) -> None:
        self.seen: set[str] = set()
        self.unshown: list[str] = []

    def first(self, link: Link) -> bool:
        """Whether ``link`` is new to the post (then it is remembered)."""
        same, seen = _same_link(link.url), self.seen
        if same in seen:
            return False
        if self.unshown:
            seen.update(map(_shown_url, self.unshown))
            self.unshown = []
            if same in seen:
                return False
        seen.add(same)
        if link.via:
            self.unshown += link.via
        return True


class Scanner:
    """A reusable scanner: rules and detector index are built once, then any number of inputs."""

    def __init__(
        self,
        rules: RuleSet | None = None,
        *,
        use_blocklist: bool = True,
        use_ratings: bool = True,
        detector: Detector | None = None,
        investigator: Investigator | None = None,
        input_format: str | None = None,
        on_read: Callable[[int], None] | None = None,
        contexts: bool = True,
    ) -> None:
        if detector is None:
            from linkguard.lookalike import Detector

            if rules is None:  # the merged set the CLI uses: bundled plus the user's rules
                from linkguard.lookalike.cache import load_cached_rules
                from linkguard.paths import user_rules_dir

                rules = load_cached_rules(user_dir=user_rules_dir())
            detector = Detector(rules, use_blocklist=use_blocklist, use_ratings=use_ratings)
        self.detector = detector
        self.investigator = investigator
        self.input_format = input_format
        self.on_read = on_read
        #: Cut the post around each link out for ``Finding.context`` (human reports show it).
        self.contexts = contexts
        self.stats = ScanStats()
        from linkguard.feeds.store import feed_dates

        self.stats.feeds = feed_dates(detector.rules.files)  # the feeds these rules were built from

    @functools.cached_property
    def known_labels(self) -> frozenset[str]:
        """The outlets' names (``welt``, ``spiegel``): the extractor reads ``welt dot de`` as a
        domain for these even where the suffix is an everyday word. Every label of an outlet
        domain but its last, without the short ones and generic words ("news", "heute"): a few
        labels too many (``edition`` of edition.cnn.com) cost nothing, and splitting each
        domain with the suffix list would cost a scan 10 ms. Built on first need."""
        from linkguard.lookalike.wordlists import COMBO_WORDS, GENERIC_NAMES

        return frozenset(
            label
            for outlet in self.detector.rules.outlets
            for domain in outlet.domains
            for label in domain.split(".")[:-1]
            if len(label) > 2 and label not in GENERIC_NAMES and label not in COMBO_WORDS
        )

    # -- stages --------------------------------------------------------------------------------
    def findings_from_records(self, items: Iterable[Record | Skipped]) -> Iterator[Finding]:
        stats, classify, contexts = self.stats, self.detector.classify, self.contexts
        current: Post | None = None
        clean_post: Post | None = None  # ``current`` as reports can write it
        reported = _Reported()  # links already reported for ``current``: one finding per link per post
        shown: list[str] = []  # t.co links of ``current`` the export resolved, as the post shows them
        for item in items:
            if isinstance(item, Skipped):
                stats.skip(item)
                continue
            stats.records += item.count
            stats.posts += item.posts
            text, source, record, display = item.text, item.source, item.record, item.display
            post, via = item.post, item.via
            if post is not current:
                current = clean_post = post
                reported, shown = _Reported(), []
                stats.posts += post is not None
                fields = (post.id, post.url, post.author, post.created_at) if post is not None else ()
                if post is not None and _has_lone_surrogate(*fields):  # the platform is our own word
                    clean_post = Post(post.platform, *map(_without_lone_surrogates, fields))
                    stats.skip(_surrogates_replaced(source, item.line))
            post = clean_post
            if not text:  # counted; a structured value or a line without a link candidate
                continue
            if (record is not None or post is not None) and _has_lone_surrogate(
                text, record, display, item.context, *via
            ):  # a JSON "\ud800" escape: no text encoding can write it, so no report could
                text = _LONE_SURROGATE.sub("\ufffd", text)
                record, display = _without_lone_surrogates(record), _without_lone_surrogates(display)
                item = dataclasses.replace(
                    item,
                    context=_without_lone_surrogates(item.context),
                    via=tuple(_LONE_SURROGATE.sub("\ufffd", v) for v in via),
                )
                via = item.via
                stats.skip(_surrogates_replaced(source, item.line))
            if record is not None and ("\t" in text or "\n" in text or "\r" in text):
                text = _as_browsers_read(text)
            if shown and _only_shown(text, shown):  # a tweet's text around its t.co: nothing new
                continue
            line, line_start, searched = item.line, 0, 0
            # columns of the record's first line continue from where the record starts
            first_line, column_shift = item.line, item.column - 1
            # the outlet names matter only where something is de-obfuscated
            known = self.known_labels if item.suspect is None or item.suspect else frozenset()
            for cand in candidates(text, suspect=item.suspect, known_labels=known):
                if display is not None:  # the input format paired a label with the first link
                    cand.display, display = display, None  # ``candidates`` made it for this text alone
                link = normalize(cand)
                if link is None:
                    continue
                resolved = bool(via)
                if via:  # the export resolved the first link: what the post showed goes in ``via``
                    link = _resolved(link, item)
                    via = ()
                if post is not None:
                    if not reported.first(link):
                        continue
                    if resolved:  # a loop, not a generator: runs for every link the export resolved
                        for url in item.via:
                            if _TCO.match(url):
                                shown.append(url)
                start = cand.start
                newlines = text.count("\n", searched, start)
                if newlines:
                    line += newlines
                    line_start = text.rfind("\n", searched, start) + 1
                searched = start
                column = start - line_start + 1 + (column_shift if line == first_line else 0)
                stats.links += 1
                verdict = classify(link)
                if link.resolution:
                    verdict = with_resolution(verdict, link.resolution)
                if item.context is not None:
                    context = self._context_in_post(item.context, link, cand.text)
                elif post is not None:
                    context = _post_context(text, start, start + len(cand.text))
                elif contexts:
                    context = _context(text, start, start + len(cand.text))
                else:
                    context = ""
                yield Finding(link, verdict, source, line, column, record, context, post)

    @staticmethod
    def _context_in_post(post_text: str, link: Link, written: str) -> str:
        """The post around the link as the post shows it (the t.co, the wrapper, the anchor text)."""
        for shown in (*link.via[:1], written, link.display or ""):
            at = post_text.find(shown) if shown else -1
            if at >= 0:
                return _post_context(post_text, at, at + len(shown))
        return _post_context(post_text, 0, 0)

    def _investigate(self, findings: Iterator[Finding]) -> Iterator[Finding]:
        """Network forensics on the findings that need it, in order, with bounded concurrency;
        each investigation's outcome is counted in ``stats.investigations``."""
        assert self.investigator is not None
        feed, keep = itertools.tee(findings)  # ``keep`` trails ``feed`` by the bounded window
        results = self.investigator.examine_many(((f.link, f.verdict) for f in feed), only=INVESTIGATE)
        outcomes = self.stats.investigations
        for finding, result in zip(keep, results, strict=True):
            if result is None:
                yield finding
                continue
            outcomes[result.outcome] += 1
            verdict = result.verdict
            yield finding if verdict is finding.verdict else dataclasses.replace(finding, verdict=verdict)

    def _counted(self, findings: Iterator[Finding]) -> Iterator[Finding]:
        stats, verdicts = self.stats, self.stats.verdicts
        for finding in findings:
            status = finding.verdict.status
            verdicts[status] += 1
            if status in FLAGGED_STATUSES:
                stats.flagged += 1
            yield finding

    # -- entry points ----------------------------------------------------------------------------
    def scan_records(self, items: Iterable[Record | Skipped]) -> Iterator[Finding]:
        findings = self.findings_from_records(items)
        if self.investigator is not None:
            findings = self._investigate(findings)
        return self._counted(findings)

    def scan_text(self, text: str, source: str = "<text>") -> Iterator[Finding]:
        self.stats.sources += 1
        self.stats.bytes_read += len(text.encode("utf-8", "surrogatepass"))
        return self.scan_records([Record(text, source, count=text.count("\n") + 1)])

    def scan_file(self, path: str | Path, *, input_format: str | None = None) -> Iterator[Finding]:
        return self.scan_paths([path], input_format=input_format)

    def scan_paths(
        self, paths: Iterable[str | Path], *, input_format: str | None = None
    ) -> Iterator[Finding]:
        return self.scan_records(self._records(paths, input_format or self.input_format))

    def _records(self, paths: Iterable[str | Path], input_format: str | None) -> Iterator[Record | Skipped]:
        def on_read(n: int) -> None:
            self.stats.bytes_read += n
            if self.on_read is not None:
                self.on_read(n)

        for path in iter_paths(paths):
            if isinstance(path, Skipped):
                yield path
                continue
            self.stats.sources += 1
            yield from read_path(path, input_format=input_format, on_read=on_read)

    def check(self, url: str) -> Finding | None:
        """Classify one URL or domain (offline unless the scanner has an investigator)."""
        examined = self.examine(url)
        return examined.finding if examined is not None else None

    def examine(self, url: str) -> Examination | None:
        """``check``, with the investigation's outcome (None offline); None when ``url`` is no link.

        The outcome says whether the network part completed, and carries a refused first hop.
        """
        link = parse_target(url)
        if link is None:
            return None
        verdict = with_resolution(self.detector.explain(link), link.resolution)
        result = None
        if self.investigator is not None:
            result = self.investigator.examine(link, verdict)
            self.stats.investigations[result.outcome] += 1
            verdict = result.verdict
        return Examination(Finding(link, verdict, "argv", 1, 1), result)


def _only_shown(text: str, shown: list[str]) -> bool:
    """Whether ``text`` can give no finding but the ``shown`` t.co links, which its post has
    reported already: each stands alone between white space, and with them blanked no line is
    left that may hold a link (the plain-text line selection, C when built). Then the extractor
    need not read it; otherwise it reads the text whole, as before."""
    blanked = text
    for url in shown:
        at = blanked.find(url)
        while at >= 0:
            end = at + len(url)
            if (at == 0 or blanked[at - 1] in _SPACES) and (end == len(blanked) or blanked[end] in _SPACES):
                blanked = blanked[:at] + " " * len(url) + blanked[end:]
            at = blanked.find(url, end)
    if blanked is text:
        return False
    return not select_lines(blanked.encode("utf-8", "surrogatepass"), ERRORS)[0]


#: What may stand around a t.co for :func:`_only_shown` to blank it.
_SPACES = " \n"


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _has_lone_surrogate_py(*values: str | None) -> bool:
    """A str holds a surrogate only unpaired (JSON's ``"\\ud800"``): UTF-8 cannot encode it.
    ``_has_lone_surrogate`` is this or its C twin (``_blocks.c``), asked of every record with text."""
    for v in values:  # noqa: SIM110 - a loop, not any() over a generator
        if v and not v.isascii() and _LONE_SURROGATE.search(v):
            return True
    return False


_has_lone_surrogate: Callable[..., bool]
try:  # built from linkguard/_blocks.c when a C compiler was there at install time
    from linkguard._blocks import has_lone_surrogate as _has_lone_surrogate
except ImportError:  # pragma: no cover - depends on the install
    _has_lone_surrogate = _has_lone_surrogate_py


def _without_lone_surrogates(value: str | None) -> str | None:
    return _LONE_SURROGATE.sub("\ufffd", value) if value else value


def _surrogates_replaced(source: str, line: int) -> Skipped:
    return Skipped(
        source, "lone-surrogate-replaced", "an unpaired \\uD800-\\uDFFF escape became U+FFFD", line, kept=True
    )


def _as_browsers_read(value: str) -> str:
    """A structured value (a JSON string, a CSV cell) that is one URL broken by tabs or newlines
    is what a browser follows once it drops them: ``https://welt.de<TAB>@welt.ltd/`` goes to
    welt.ltd, where prose would end the link at the tab."""
    prepared = prepare(value)
    return prepared if _ONE_URL.match(prepared) else value


def parse_target(text: str) -> Link | None:
    """The link a user typed or pasted, even defanged or obfuscated (``hxxps://welt[.]ltd``).

    Tabs and newlines inside it are dropped first, as a browser drops them from a URL.
    """
    text = prepare(text)
    found = candidates(text)
    if found:
        return normalize(found[0])
    return parse_link(text)


def scan_text(text: str, *, rules: RuleSet | None = None, use_blocklist: bool = True) -> list[Finding]:
    """Every link in ``text`` with its verdict (the one-shot form of :class:`Scanner`)."""
    return list(Scanner(rules, use_blocklist=use_blocklist).scan_text(text))


def scan_file(
    path: str | Path,
    *,
    rules: RuleSet | None = None,
    use_blocklist: bool = True,
    input_format: str | None = None,
) -> Iterator[Finding]:
    """Stream the findings of one file or directory."""
    return Scanner(rules, use_blocklist=use_blocklist).scan_file(path, input_format=input_format)


def check_url(url: str, *, rules: RuleSet | None = None, use_blocklist: bool = True) -> Finding | None:
    """Offline verdict for one URL or domain; ``None`` when it is not a link to a real host."""
    return Scanner(rules, use_blocklist=use_blocklist).check(url)
