"""Records passed between the pipeline stages.

Every stage takes one of these and yields the next, so each stage can be tested alone and the
JSON Lines output contract (``Finding.to_dict``) lives in exactly one place.

All of them are values: nothing mutates one after it is built. The four made once per block or
per link (``Record``, ``Candidate``, ``Link``, ``Finding``) are not declared ``frozen`` only because
a frozen dataclass's ``__init__`` costs five times as much (1.8 µs against 0.37 µs for six
fields, measured), which at scan speed is a tenth of the whole run; they stay hashable.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

VerdictStatus = Literal["malicious", "suspicious", "shortened", "trusted", "unknown"]
#: How a link imitates an outlet (``Verdict.techniques``): the detector's, then the network's.
Technique = Literal[
    "tld-swap",
    "transliteration",
    "homoglyph",
    "typo",
    "combo",
    "embedded",
    "subdomain-brand",
    "gov-namespace",
    "display-mismatch",
    # found only over the network (``linkguard.forensics``)
    "redirect",
    "page-claims-outlet",
    "young-domain",
    "cloaking",
]
#: What one piece of evidence is (``Evidence.kind``); the JSON Lines value is the same string.
#: Every technique is also the kind of the evidence that found it.
EvidenceKind = (
    Technique
    | Literal[
        # the rules and the detector
        "blocklist",
        "rating",  # a public source rating below the threshold (indicator feeds, issue #17)
        "trusted",
        "legit",
        "popular",
        "resembles",
        "shortener",
        "display",
        "obfuscation",
        # how the input resolved the link
        "export-resolution",
        "wrapper",
        # the network: where the link leads ...
        "dns",
        "redirect-chain",
        "final-url",  # where the walk ended (URL, status, address)
        "destination",  # how the detector judges that destination
        "unresolved",  # a shortener whose destination was never seen, and why
        # ... what the page and the registry say ...
        "page-claim",
        "canonical",
        "outlet-assets",
        "similarity",  # how alike the page is to the outlet's real page (``--compare-outlet``)
        "registration",
        "tls",
        # ... what could not be done ...
        "blocked-address",
        "fetch-error",
        # ... and where every exchange is kept (``--evidence``)
        "archive",
        "screenshot",  # the page rendered by headless Chromium, kept as PNG (``--screenshot``)
        # ``permute``: how a lookalike name was generated, and whether it exists (``--online``)
        "permutation",
        "existence",
        # across a scan: the flagged domains this one shares infrastructure with
        "cluster",
    ]
)
TECHNIQUES: tuple[Technique, ...] = get_args(Technique)
#: Where a post was published; ``csv``/``html``/``text`` when the export does not say.
PLATFORMS: tuple[str, ...] = (
    "x",
    "telegram",
    "mastodon",
    "bluesky",
    "reddit",
    "facebook",
    "whatsapp",
    "youtube",
    "csv",
    "html",
    "text",
)

#: Verdicts that set ``flagged`` and make ``scan`` exit 1.
FLAGGED_STATUSES: frozenset[str] = frozenset({"malicious", "suspicious"})
#: How bad each verdict is, for "the worse of two": a report group, a redirect's destination.
STATUS_RANK: dict[str, int] = {"trusted": 0, "unknown": 1, "shortened": 2, "suspicious": 3, "malicious": 4}


@dataclass(frozen=True, slots=True)
class Post:
    """The post a link was found in, as the export names it, so a finding can be traced back.

    ``id`` is the platform's own id (a tweet's ``id_str``, a Telegram message id, a Mastodon
    status URI), ``url`` its permalink, ``created_at`` ISO 8601; what the export lacks is None.
    Built once per post and shared by all its records, so the scanner tells posts apart by identity.
    """

    platform: str
    id: str | None = None
    url: str | None = None
    author: str | None = None
    created_at: str | None = None

    def to_dict(self) -> dict[str, str | None]:
        return {
            "platform": self.platform,
            "id": self.id,
            "url": self.url,
            "author": self.author,
            "created_at": self.created_at,
        }


@dataclass(slots=True, unsafe_hash=True)
class Record:
    """A unit of text from an input, with where it came from.

    ``line``/``column`` are 1-based and locate ``text[0]`` in the source file, so a link's
    position is found by counting newlines inside ``text``.
    """

    text: str
    source: str
    line: int = 1
    column: int = 1
    record: str | None = None
    #: What the input showed for the link in ``text`` when the format itself pairs them (an
    #: HTML anchor's text, a Telegram ``text_link``, a tweet's ``display_url``): compared with
    #: the target, because a label naming one site over a link to another is evidence.
    display: str | None = None
    #: How many input records this text stands for (plain text is read in blocks of lines).
    count: int = 1
    #: Where in ``text`` something may need de-obfuscating, when the reader already knows
    #: (the plain-text prefilter checks every byte): ``(start, end)`` spans, ``()`` for nowhere.
    #: ``None`` means unknown, and the extractor looks everywhere.
    suspect: tuple[tuple[int, int], ...] | None = None
    #: The post this text belongs to; all records of one post are consecutive and share it, and
    #: the scanner reports each link once per post.
    post: Post | None = None
    #: When the export itself resolved the link in ``text`` (X's ``expanded_url`` behind a t.co,
    #: CrowdTangle's ``Final Link``): the URLs the post showed on the way, in order, and the field
    #: that recorded the resolution. They apply to the first link in ``text``, like ``display``.
    via: tuple[str, ...] = ()
    resolved_by: str | None = None
    #: The post's text when ``text`` is only part of it (a resolved link, one cell or HTML piece):
    #: the finding's ``context`` is cut from here, around the link the post showed.
    context: str | None = None
    #: Posts this record stands for without naming them (``post`` is then ``None``): a reader that
    #: proved a post shows no link gives one empty record for it instead of building its identity,
    #: and the post is still counted.
    posts: int = 0


@dataclass(frozen=True, slots=True)
class Skipped:
    """Something the run could not read, kept so that nothing is lost silently.

    With ``kept=True`` the input was odd but still scanned (a ragged CSV row, invalid UTF-8
    replaced, malformed JSON scanned as text): it is counted as repaired, not as skipped.
    """

    source: str
    reason: str
    detail: str = ""
    line: int | None = None
    kept: bool = False


@dataclass(slots=True, unsafe_hash=True)
class Candidate:
    """A span of a record that looks like a URL or a domain mention."""

    text: str  # exactly as written in the input
    url: str  # de-obfuscated string (scheme may be missing)
    start: int  # offset of ``text`` in the record text
    obfuscation: tuple[str, ...] = ()
    has_scheme: bool = False
    #: Domain a link card, anchor text or Markdown label showed for this link.
    display: str | None = None


@dataclass(slots=True, unsafe_hash=True)
class Link:
    """A normalised link: one canonical form per URL."""

    text: str
    url: str
    host: str  # lowercase ASCII (punycode)
    host_unicode: str
    registered_domain: str  # "" for IP addresses and unknown suffixes
    domain_label: str  # the registrable label without its suffix ("welt" for welt.ltd)
    suffix: str  # public suffix ("ltd", "co.uk")
    subdomain: str
    obfuscation: tuple[str, ...] = ()
    display: str | None = None
    is_ip: bool = False
    is_private_suffix: bool = False
    #: URLs the link passed through before this destination, in order (a t.co the export
    #: resolved, a redirect wrapper unwrapped offline); ``url`` and ``host`` are the destination.
    via: tuple[str, ...] = ()
    #: How the destination was found (``export-resolution``, ``wrapper``), added to the verdict.
    resolution: tuple[Evidence, ...] = ()


@dataclass(frozen=True, slots=True)
class Evidence:
    """One reason behind a verdict; ``detail`` is a sentence a fact-checker can quote."""

    kind: EvidenceKind
    detail: str
    data: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind, "detail": self.detail}
        if self.data:
            out["data"] = self.data
        return out


@dataclass(frozen=True, slots=True)
class Outlet:
    """A trusted outlet as the rules describe it."""

    name: str
    domains: tuple[str, ...]
    brands: tuple[str, ...] = ()
    country: str = ""
    kind: str = "newspaper"
    origin: str = "bundled"
    tier: str = "curated"  # "reference": a bulk list (Wikidata), less certain than the curated rules
    #: "government": the domain is a country's government namespace that the Public Suffix List
    #: lacks (bund.de, admin.ch): ministries sit under it, and its label is imitated like gov.pl's
    namespace: str = ""

    @property
    def domain(self) -> str:
        return self.domains[0]

    @property
    def title(self) -> str:
        """``WELT (welt.de)`` in reports; a name that already holds its domain (``popular site
        etsy.com``, ``Bundesverwaltung (bund.de)``) is not followed by it again."""
        return self.name if self.domain in self.name else f"{self.name} ({self.domain})"

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "domain": self.domain, "domains": list(self.domains)}


@dataclass(frozen=True, slots=True)
class Verdict:
    status: VerdictStatus = "unknown"
    score: int = 0
    impersonates: Outlet | None = None
    techniques: tuple[Technique, ...] = ()
    evidence: tuple[Evidence, ...] = ()

    @property
    def flagged(self) -> bool:
        return self.status in FLAGGED_STATUSES

    def to_dict(self) -> dict[str, Any]:
        """The verdict's keys of the JSON Lines contract."""
        return {
            "verdict": self.status,
            "flagged": self.flagged,
            "score": self.score,
            "impersonates": self.impersonates.to_dict() if self.impersonates else None,
            "techniques": list(self.techniques),
            "evidence": [e.to_dict() for e in self.evidence],
        }


@dataclass(slots=True, unsafe_hash=True)
class Finding:
    """A link where it was found, with its verdict: one line of JSONL output."""

    link: Link
    verdict: Verdict
    source: str
    line: int
    column: int
    record: str | None = None
    #: The post's text around the link (for the quotes of human reports); "" when not cut out.
    context: str = field(default="", compare=False)
    post: Post | None = None

    @property
    def flagged(self) -> bool:
        return self.verdict.flagged

    def to_dict(self) -> dict[str, Any]:
        return {**self.link_dict(), **self.verdict.to_dict()}

    def link_dict(self) -> dict[str, Any]:
        """The keys of the JSON Lines contract that are this finding's own (all but the verdict's)."""
        link = self.link
        return {
            "source": self.source,
            "line": self.line,
            "column": self.column,
            "record": self.record,
            "text": link.text,
            "url": link.url,
            "host": link.host,
            "host_unicode": link.host_unicode,
            "registered_domain": link.registered_domain,
            "obfuscation": list(link.obfuscation),
            "via": list(link.via),
            "post": self.post.to_dict() if self.post is not None else None,
            "context": self.context or None,
        }


#: The JSON Lines contract's keys, in the order ``Finding.to_dict()`` writes them (a test holds the
#: two together): the columns of ``linkguard.dask`` frames and the schema of the web API.
FINDING_KEYS: tuple[str, ...] = (
    "source",
    "line",
    "column",
    "record",
    "text",
    "url",
    "host",
    "host_unicode",
    "registered_domain",
    "obfuscation",
    "via",
    "post",
    "context",
    "verdict",
    "flagged",
    "score",
    "impersonates",
    "techniques",
    "evidence",
)


#: Skip reasons that mean an input could not be read at all (or not on from some point because of a
#: fault of the file or the system, not of its content): ``scan`` exits 3 for them unless it flagged.
UNREAD_REASONS: frozenset[str] = frozenset(
    {"unreadable-path", "not-a-file", "read-error", "read-timeout", "reader-failed", "undecodable"}
)


def is_unread(reason: str) -> bool:
    return reason in UNREAD_REASONS or reason.startswith("corrupt-")


@dataclass(slots=True)
class ScanStats:
    """Counters for the closing summary; mutable because the pipeline fills it as it streams."""

    sources: int = 0
    records: int = 0
    #: Posts read from exports that name them (tweets, messages, statuses, rows of a post table).
    posts: int = 0
    bytes_read: int = 0
    links: int = 0
    flagged: int = 0
    verdicts: Counter[str] = field(default_factory=Counter)
    skipped: Counter[str] = field(default_factory=Counter)
    #: Records read but repaired (for example invalid UTF-8 replaced); nothing was dropped.
    repaired: Counter[str] = field(default_factory=Counter)
    messages: list[str] = field(default_factory=list)
    #: Inputs (files, not records) that were skipped whole or in part, one message each, so that
    #: the summary can always name every one of them, even with ``-q``.
    skipped_inputs: list[str] = field(default_factory=list)
    inputs_skipped: int = 0
    #: Inputs that could not be read (``is_unread``): what makes ``scan`` exit 3.
    unread: int = 0
    #: Network investigations by outcome (``resolved``, ``failed``, ``refused``, ``budget``);
    #: empty for offline runs. Anything but ``resolved`` makes ``scan`` exit 4 unless it flagged.
    investigations: Counter[str] = field(default_factory=Counter)
    #: Indicator feeds in force and their dates (``{"meta-threat-research": "2026-05-19 (bundled)"}``),
    #: so every report says how old the knowledge of known-bad domains is.
    feeds: dict[str, str] = field(default_factory=dict, compare=False)  # metadata, not a count

    @property
    def incomplete(self) -> int:
        """Investigations that could not complete (failed, refused, out of budget)."""
        return sum(n for outcome, n in self.investigations.items() if outcome != "resolved")

    def skip(self, item: Skipped, keep_messages: int = 50, keep_inputs: int = 1000) -> None:
        (self.repaired if item.kept else self.skipped)[item.reason] += 1
        where = f"{item.source}:{item.line}" if item.line else item.source
        what = "repaired" if item.kept else "skipped"
        message = f"{where}: {what} ({item.reason}){': ' + item.detail if item.detail else ''}"
        if len(self.messages) < keep_messages:
            self.messages.append(message)
        if not item.kept and item.line is None:
            self.inputs_skipped += 1
            self.unread += is_unread(item.reason)
            if len(self.skipped_inputs) < keep_inputs:
                self.skipped_inputs.append(message)

    def to_dict(self) -> dict[str, Any]:
        return (
            {
                "sources": self.sources,
                "records": self.records,
                "posts": self.posts,
                "bytes": self.bytes_read,
                "links": self.links,
                "flagged": self.flagged,
                "verdicts": dict(self.verdicts),
                "skipped": dict(self.skipped),
                "repaired": dict(self.repaired),
            }
            | ({"investigations": dict(self.investigations)} if self.investigations else {})
            | ({"feeds": dict(self.feeds)} if self.feeds else {})
        )
