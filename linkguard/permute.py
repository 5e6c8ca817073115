"""The proactive mode: the lookalike names of an outlet that linkguard itself would flag.

dnstwist's core job done with linkguard's own techniques: names are generated for each technique
the detector knows (tld-swap, homoglyph with IDN forms, typo with dnstwist's kinds, combo, the
domain embedded with hyphens, the name as a site on a hosting platform), then every one is put
through the same check ``linkguard check --offline --no-blocklist`` makes (``Scanner.examine``).
Only names that come out flagged *as imitating that outlet* are returned, so the list never holds
a name the detector would not flag: generation may be generous, the detector decides.

Subdomains of arbitrary domains (welt.newsupdate.com) are not generated: anyone's domain can carry
one, so there is no finite list worth checking; the hyphenated forms (welt-de.com) are.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Collection, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import TYPE_CHECKING

import idna

from linkguard import limits
from linkguard.errors import InputError
from linkguard.lookalike.confusables import table
from linkguard.lookalike.permutations import KIND_PHRASES, edits, valid
from linkguard.models import Evidence, Finding, Outlet, ScanStats, Verdict
from linkguard.normalize import parse_link

if TYPE_CHECKING:
    from linkguard.forensics.existence import ExistenceLookup
    from linkguard.lookalike import Detector

#: Endings a tld-swap is tried on: the common gTLDs, the cheap ones campaigns register
#: (.ltd, .cfd, .top, .online …), European ccTLDs and the second-level registrations that read
#: like a ccTLD (com.de, eu.com). The detector decides which of them count for an outlet.
SWAP_SUFFIXES: tuple[str, ...] = tuple(
    """
    com net org info biz news online site top xyz ltd live today world media press agency club fun
    life pro space website store shop tech blog link click email one network digital global icu cfd
    sbs buzz cyou rest bond lol vip app dev io co me tv cc eu de at ch uk fr it es pl nl be lu dk se
    no fi cz sk hu ro bg gr pt ie lt lv ee ua ru us in
    com.de de.com eu.com us.com uk.com co.uk org.uk com.co com.ua com.pl
    """.split()
)
#: Endings combos and hyphen-embedded names are tried on besides the outlet's own.
COMBO_SUFFIXES: tuple[str, ...] = ("com", "net", "info", "online")
#: Words glued to a brand, each before and after it, with and without a hyphen: the ones campaigns
#: and phishers use most (a subset of the detector's ``COMBO_WORDS``, which it all accepts; all of
#: them on every ending would be ~5,000 names per outlet, mostly noise to look up online).
COMBO_PARTS: tuple[str, ...] = tuple(
    """
    news nachrichten aktuell live today heute online info daily breaking update official
    de eu tv media portal login account secure 24 365
    """.split()
)
#: Hosting platforms where anyone can open a site under the brand's name (welt.blogspot.com).
HOSTING_SUFFIXES: tuple[str, ...] = (
    "blogspot.com",
    "github.io",
    "wordpress.com",
    "netlify.app",
    "pages.dev",
    "vercel.app",
    "web.app",
    "herokuapp.com",
)
#: Generation order; a name two techniques produce is credited to the first.
TECHNIQUE_ORDER: tuple[str, ...] = ("tld-swap", "homoglyph", "typo", "combo", "embedded", "subdomain-brand")


@dataclass(frozen=True, slots=True)
class Lookalike:
    """A generated name and how it was made, before the detector has judged it (not to be
    confused with ``models.Candidate``, a link found in text)."""

    name: str
    technique: str
    kind: str


# -- generation -------------------------------------------------------------------------------


def _idna_ok(label: str) -> bool:
    """A label a registry could accept (IDNA 2008 code points; registries add their own rules)."""
    if label.isascii():
        return valid(label) and len(label) <= 63
    try:
        return len(idna.encode(label, uts46=False).decode("ascii")) <= 63
    except (idna.IDNAError, UnicodeError, ValueError):
        return False


@lru_cache(maxsize=1)
def _lookalikes() -> dict[str, tuple[tuple[str, str], ...]]:
    """Per ASCII letter, the characters that read as it: (character, phrase) pairs.

    From the confusables table (Cyrillic а, Greek ο, 0 for o …) and the accented Latin letters
    whose accent the skeleton drops (é for e); only characters that are valid in a domain name.
    """
    found: dict[str, dict[str, str]] = {}
    for src, dst in table().chars.items():
        if len(dst) == 1 and dst.isascii() and dst.isalnum() and _idna_ok(f"a{src}a"):
            script = unicodedata.name(src, "").split(" ")[0].title() if not src.isascii() else "ASCII"
            found.setdefault(dst, {})[src] = f"{script} {src} (U+{ord(src):04X}) for {dst}"
    for cp in range(0xC0, 0x250):
        ch = chr(cp)
        parts = unicodedata.normalize("NFD", ch)
        base = parts[0]
        if (
            len(parts) > 1
            and base.isascii()
            and base.islower()
            and all(unicodedata.category(c) == "Mn" for c in parts[1:])
            and _idna_ok(f"a{ch}a")
        ):
            found.setdefault(base, {}).setdefault(ch, f"{ch} (U+{cp:04X}) for {base}")
    return {k: tuple(sorted(v.items())) for k, v in found.items()}


def _cyrillic(label: str) -> str:
    """The label with every letter that has a Cyrillic look-alike written in Cyrillic."""
    out = []
    for ch in label:
        cyr = next(
            (src for src, _ in _lookalikes().get(ch, ()) if "CYRILLIC" in unicodedata.name(src, "")), None
        )
        out.append(cyr or ch)
    return "".join(out)


#: ASCII characters that read as another at a glance (c for e, q for g, 1 for i), besides the
#: confusables table's 0 for o and 1 for l; the detector judges them (often as a typo).
ASCII_LOOKALIKES: dict[str, str] = {
    "a": "o", "b": "d", "c": "e", "d": "b", "e": "c", "g": "q", "i": "1l", "l": "1i", "m": "n",
    "n": "mr", "o": "0", "q": "g", "u": "v", "v": "u", "z": "2s",
}  # fmt: skip


def _pair_sources(ch: str) -> tuple[str, ...]:
    """The look-alikes tried in two places at once: ASCII ones and one Cyrillic and one Greek each
    (every accented form in every pair of places would be thousands of names)."""
    found = list(ASCII_LOOKALIKES.get(ch, ""))
    for script in ("CYRILLIC", "GREEK"):
        found += [
            src for src, _ in _lookalikes().get(ch, ()) if unicodedata.name(src, "").startswith(script)
        ][:1]
    return tuple(dict.fromkeys(found))


def _homoglyphs(label: str) -> Iterator[tuple[str, str]]:
    for i, ch in enumerate(label):
        singles = [src for src, _ in _lookalikes().get(ch, ())] + list(ASCII_LOOKALIKES.get(ch, ""))
        for src in dict.fromkeys(singles):
            yield label[:i] + src + label[i + 1 :], "ascii" if src.isascii() else "idn"
    for src, dst in table().sequences:  # rn for m, vv for w, cl for d
        start = label.find(dst)
        while start >= 0:
            yield label[:start] + src + label[start + len(dst) :], "ascii"
            start = label.find(dst, start + 1)
    for i in range(len(label)):
        for j in range(i + 1, len(label)):
            for a in _pair_sources(label[i]):
                for b in _pair_sources(label[j]):
                    name = label[:i] + a + label[i + 1 : j] + b + label[j + 1 :]
                    yield name, "ascii-two" if name.isascii() else "idn-two"
    whole = _cyrillic(label)
    if whole != label:
        yield whole, "idn-cyrillic"


def _combos(label: str) -> Iterator[tuple[str, str]]:
    for word in COMBO_PARTS:
        if word == label:
            continue
        yield f"{label}-{word}", "hyphen"
        yield f"{label}{word}", "glued"
        yield f"{word}-{label}", "hyphen"
        yield f"{word}{label}", "glued"


def generate(domain: str, techniques: Collection[str] | None = None) -> Iterator[Lookalike]:
    """Every name the techniques make from ``domain`` (an outlet's domain), unjudged, unique.

    Homoglyphs and typos keep the outlet's ending (as dnstwist does); combos and the embedded
    domain are also tried on ``COMBO_SUFFIXES``; tld-swaps on ``SWAP_SUFFIXES``. ``techniques``
    (names from ``TECHNIQUE_ORDER``) keeps only those.
    """
    unknown = set(techniques or ()) - set(TECHNIQUE_ORDER)
    if unknown:
        raise ValueError(f"unknown technique(s) {', '.join(sorted(unknown))}")
    wanted = frozenset(techniques) if techniques else frozenset(TECHNIQUE_ORDER)
    link = parse_link(domain)
    if link is None or not link.registered_domain:
        raise InputError(f"{domain!r} is not a registrable domain name")
    label, suffix = link.domain_label, link.suffix
    seen = {link.registered_domain}

    def emit(name_label: str, name_suffix: str, technique: str, kind: str) -> Iterator[Lookalike]:
        name = f"{name_label}.{name_suffix}"
        if technique in wanted and name not in seen and _idna_ok(name_label):
            seen.add(name)
            yield Lookalike(name, technique, kind)

    for other in SWAP_SUFFIXES:
        yield from emit(label, other, "tld-swap", "other-ending")
    for name_label, kind in _homoglyphs(label):
        yield from emit(name_label, suffix, "homoglyph", kind)
    for kind in KIND_PHRASES:
        for typo in edits(label, kind):
            yield from emit(typo, suffix, "typo", kind)
    endings = tuple(dict.fromkeys((suffix, *COMBO_SUFFIXES)))
    for ending in endings:
        for name_label, kind in _combos(label):
            yield from emit(name_label, ending, "combo", kind)
    dashed = f"{label}-{suffix.replace('.', '-')}"
    dotless = f"{label}{suffix.replace('.', '')}"
    embedded = [(dashed, "hyphenated"), (f"www-{dashed}", "hyphenated")]
    embedded += [(f"{dotless}-{w}", "dotless") for w in ("news", "online", "info", "live", "aktuell")]
    embedded += [(f"{dashed}-{w}", "hyphenated") for w in ("news", "online", "info", "live", "aktuell")]
    for ending in endings:
        for name_label, kind in embedded:
            yield from emit(name_label, ending, "embedded", kind)
    for platform in HOSTING_SUFFIXES:
        yield from emit(label, platform, "subdomain-brand", "hosted")


# -- judgement --------------------------------------------------------------------------------


def imitates(verdict: Verdict, outlet: Outlet) -> bool:
    """The verdict is flagged and names ``outlet`` (alone or in a family of namesakes)."""
    return (
        verdict.flagged and verdict.impersonates is not None and outlet.domain in verdict.impersonates.domains
    )


def find_outlet(detector: Detector, domain: str) -> Outlet:
    """The outlet in the detector's rules that owns ``domain`` (or its registered domain)."""
    link = parse_link(domain)
    index = detector.index
    outlet = None
    if link is not None:
        outlet = index.outlet_by_domain.get(link.host) or index.outlet_by_domain.get(link.registered_domain)
    if outlet is None:
        raise InputError(
            f"{domain!r} is not a domain of any outlet in the rules in force "
            "(add it with `linkguard rules add`, or give one of the outlet's domains)"
        )
    return outlet


#: How the evidence words the generators' own kinds (the typo kinds are worded by ``KIND_PHRASES``).
_KIND_WORDS: dict[str, str] = {
    "other-ending": "the same name on another ending",
    "ascii": "an ASCII look-alike",
    "idn": "an international look-alike character",
    "ascii-two": "ASCII look-alikes in two places",
    "idn-two": "look-alike characters in two places",
    "idn-cyrillic": "the name written in Cyrillic",
    "hyphen": "a word joined with a hyphen",
    "glued": "a word glued on",
    "hyphenated": "the domain written with hyphens",
    "dotless": "the domain without its dot",
    "hosted": "a site on a hosting platform",
}


def _generation_evidence(candidate: Lookalike, outlet: Outlet, domain: str) -> Evidence:
    how = KIND_PHRASES.get(candidate.kind) or _KIND_WORDS.get(candidate.kind, candidate.kind)
    detail = f"generated from {domain} ({outlet.name}) by {candidate.technique}: {how}"
    data = {"outlet": outlet.domain, "from": domain, "technique": candidate.technique, "kind": candidate.kind}
    return Evidence("permutation", detail, data)


def permutations(
    domain: str,
    *,
    detector: Detector | None = None,
    techniques: Collection[str] | None = None,
    stats: ScanStats | None = None,
) -> list[Finding]:
    """The names imitating the outlet of ``domain`` that the detector flags as that outlet.

    Each is a ``Finding`` exactly as ``check --offline`` makes it for that name (``detector``
    defaults to the bundled and user rules without the blocklist, i.e. ``--no-blocklist``), with
    its first evidence line saying how the name was generated. Ordered by technique, then score
    (highest first), then name. ``techniques`` limits the generation (see ``generate``);
    ``stats`` counts the candidates judged (``records``) and the names kept (``links``, ``flagged``).
    """
    from linkguard.scan import Scanner

    if detector is None:
        from linkguard.lookalike import Detector
        from linkguard.lookalike.cache import load_cached_rules
        from linkguard.paths import user_rules_dir

        detector = Detector(load_cached_rules(user_dir=user_rules_dir()), use_blocklist=False)
    outlet = find_outlet(detector, domain)
    scanner = Scanner(detector=detector)
    source = f"permute:{domain}"
    kept: list[tuple[int, int, str, Finding]] = []
    judged = 0
    for candidate in generate(domain, techniques):
        judged += 1
        examined = scanner.examine(candidate.name)
        if examined is None or not imitates(examined.finding.verdict, outlet):
            continue
        expected = parse_link(candidate.name)
        if expected is None or examined.finding.link.host != expected.host:
            continue  # check reads another name out of it (a character links do not carry)
        finding = examined.finding
        verdict = finding.verdict
        note = _generation_evidence(candidate, outlet, domain)
        verdict = replace(verdict, evidence=(note, *verdict.evidence))
        finding = replace(finding, verdict=verdict, source=source)
        order = TECHNIQUE_ORDER.index(candidate.technique)
        kept.append((order, -verdict.score, candidate.name, finding))
    kept.sort(key=lambda item: item[:3])
    out = [replace(f, line=i) for i, (*_, f) in enumerate(kept, 1)]
    if stats is not None:
        stats.sources += 1
        stats.records += judged
        stats.links += len(out)
        stats.flagged += len(out)
        for f in out:
            stats.verdicts[f.verdict.status] += 1
    return out


# -- existence (--online) -----------------------------------------------------------------------


def with_existence(
    findings: Sequence[Finding],
    lookup: ExistenceLookup,
    *,
    concurrency: int = limits.PERMUTE_CONCURRENCY,
    stats: ScanStats | None = None,
) -> Iterator[Finding]:
    """Each finding with what the network says about its name (DNS records, RDAP creation date),
    in the same order; at most ``concurrency`` names are looked up at once.

    ``lookup`` never raises: a failed lookup is an ``unknown`` with its reason, never ``absent``;
    names on a hosting platform or a private second-level suffix (welt.blogspot.com, welt.com.de)
    are asked in DNS only, since the registry would answer for the platform's domain.
    ``stats.investigations`` counts the outcomes (resolved: the name exists or is absent; failed:
    unknown), so the CLI exits 4 when some stayed unknown. Stopping early (Ctrl-C) cancels the
    lookups not yet started.
    """
    workers = max(1, min(concurrency, limits.PERMUTE_CONCURRENCY_CAP, len(findings) or 1))
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="linkguard-permute")
    try:
        futures = [
            pool.submit(lookup.lookup, f.link.host, registrable=not f.link.is_private_suffix)
            for f in findings
        ]
        for finding, future in zip(findings, futures, strict=True):
            existence = future.result()
            if stats is not None:
                stats.investigations["failed" if existence.state == "unknown" else "resolved"] += 1
            verdict = finding.verdict
            extra = existence.evidence()
            yield replace(finding, verdict=replace(verdict, evidence=(*verdict.evidence, *extra)))
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
