"""The pipeline: the only module that knows the order of the stages.

input → extract → normalise → classify → (forensics) → Finding. Everything is a generator, so a
scan of any size runs in flat memory; ``Scanner.stats`` is filled in as records stream past.
"""

from __future__ import annotations

import dataclasses
import itertools
import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from linkguard.extract import candidates
from linkguard.inputs import iter_paths, read_path
from linkguard.models import FLAGGED_STATUSES, Finding, Link, Record, ScanStats, Skipped
from linkguard.normalize import normalize, parse_link
from linkguard.rules import RuleSet
from linkguard.whatwg import prepare

if TYPE_CHECKING:
    from linkguard.forensics import Investigator
    from linkguard.lookalike import Detector

_CONTEXT_CHARS = 160
#: One URL with a special scheme and nothing else (no spaces): a value a browser would follow.
_ONE_URL = re.compile(r"(?i:https?|ftp|wss?):\S*\Z")
#: Verdicts worth a network look when forensics are on: what we flag, and what hides a target.
INVESTIGATE = frozenset({"malicious", "suspicious", "shortened"})


def _context(text: str, start: int, end: int) -> str:
    """The line around a link, capped, for human reports."""
    line_start = max(text.rfind("\n", max(0, start - _CONTEXT_CHARS), start) + 1, start - _CONTEXT_CHARS)
    line_end = text.find("\n", end, end + _CONTEXT_CHARS)
    if line_end == -1:
        line_end = min(len(text), end + _CONTEXT_CHARS)
    return text[line_start:line_end]


class Scanner:
    """A reusable scanner: rules and detector index are built once, then any number of inputs."""

    def __init__(
        self,
        rules: RuleSet | None = None,
        *,
        use_blocklist: bool = True,
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
            detector = Detector(rules, use_blocklist=use_blocklist)
        self.detector = detector
        self.investigator = investigator
        self.input_format = input_format
        self.on_read = on_read
        #: Cut the post around each link out for ``Finding.context`` (human reports show it).
        self.contexts = contexts
        self.stats = ScanStats()

    # -- stages --------------------------------------------------------------------------------
    def findings_from_records(self, items: Iterable[Record | Skipped]) -> Iterator[Finding]:
        stats, classify, contexts = self.stats, self.detector.classify, self.contexts
        for item in items:
            if isinstance(item, Skipped):
                stats.skip(item)
                continue
            stats.records += item.count
            text, source, record, display = item.text, item.source, item.record, item.display
            if record is not None and ("\t" in text or "\n" in text or "\r" in text):
                text = _as_browsers_read(text)
            line, line_start, searched = item.line, 0, 0
            # columns of the record's first line continue from where the record starts
            first_line, column_shift = item.line, item.column - 1
            for cand in candidates(text, suspect=item.suspect):
                if display is not None:  # the input format paired a label with the first link
                    cand = dataclasses.replace(cand, display=display)
                    display = None
                link = normalize(cand)
                if link is None:
                    continue
                start = cand.start
                newlines = text.count("\n", searched, start)
                if newlines:
                    line += newlines
                    line_start = text.rfind("\n", searched, start) + 1
                searched = start
                column = start - line_start + 1 + (column_shift if line == first_line else 0)
                stats.links += 1
                yield Finding(
                    link,
                    classify(link),
                    source,
                    line,
                    column,
                    record,
                    _context(text, start, start + len(cand.text)) if contexts else "",
                )

    def _investigate(self, findings: Iterator[Finding]) -> Iterator[Finding]:
        """Network forensics on the findings that need it, in order, with bounded concurrency."""
        assert self.investigator is not None
        feed, keep = itertools.tee(findings)  # ``keep`` trails ``feed`` by the bounded window
        verdicts = self.investigator.investigate_many(((f.link, f.verdict) for f in feed), only=INVESTIGATE)
        for finding, verdict in zip(keep, verdicts, strict=True):
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
        link = parse_target(url)
        if link is None:
            return None
        verdict = self.detector.classify(link)
        if self.investigator is not None:
            verdict = self.investigator.investigate(link, verdict)
        return Finding(link, verdict, "argv", 1, 1)


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
