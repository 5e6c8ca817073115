"""``Detector``: one Link in, one Verdict out — the lookalike step of the scan pipeline.

Order of decisions: an outlet's own domain or a legitimate look-alike is ``trusted`` (rules win
over resemblance, so outlets are never flagged as imitations of each other); a shortener is
``shortened`` (or ``trusted`` when an outlet owns it); otherwise the techniques run and their
signals are scored (``scoring``). A blocklisted domain is ``malicious`` and still gets its lookalike
evidence. Verdicts are memoised per (host, obfuscation, display, …): dumps repeat the same links.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from typing import Any, Literal

from linkguard.limits import RATING_LOW_THRESHOLD, RATING_SCORE
from linkguard.lookalike import gates
from linkguard.lookalike import scoring as sc
from linkguard.lookalike.index import Index
from linkguard.lookalike.obfuscation import obfuscation_evidence, post_tricks
from linkguard.lookalike.techniques import TECHNIQUES, Subject, display_target
from linkguard.models import Evidence, Link, Verdict
from linkguard.normalize import parse_link, userinfo_of
from linkguard.policy import status_for
from linkguard.rules import BlockedRule, RatingRule, RuleSet
from linkguard.whatwg import naive_host

#: Distinct links remembered; the memo is dropped and restarted when full.
MEMO_SIZE = 1 << 17

#: A technique that restates a stronger one for the same outlet is dropped, not double-counted:
#: welt.de.x.com is embedded (not also subdomain-brand); wеlt.de is a homoglyph (not also a typo);
#: bund.pe copies the namespace bund.de (not also the name "bund" on another ending).
_SUPERSEDED_BY: dict[str, tuple[str, ...]] = {
    "subdomain-brand": ("embedded", "gov-namespace"),
    "combo": ("embedded", "gov-namespace"),
    "typo": ("homoglyph", "gov-namespace"),
    "tld-swap": ("gov-namespace",),
}

#: How a trusted verdict's first evidence kind reads in a "resembles …, but" note.
_TRUSTED_BECAUSE = {
    "trusted": "an outlet's own domain",
    "legit": "listed as a legitimate look-alike",
    "popular": "a popular site whose name is in real use",
}

#: Tricks whose verdict depends on the whole text of the link, not only on its host.
_PRETENCES = frozenset({"userinfo", "backslash", "lookalike-delimiter"})


#: What ``scoring.combine`` makes of no signal at all (most domains): built once.
_NO_SIGNAL = sc.Combined(None, 0, ())
#: The verdict on a domain with no signal, rating, listing or obfuscation: one shared value.
_NOTHING = Verdict(status_for(0), 0, None, (), ())

_MemoKey = tuple[str, str, tuple[str, ...], str | None, str, str | None]


def _userinfo(link: Link) -> str:
    return userinfo_of(link.text) if "userinfo" in link.obfuscation else ""


def _pretended_host(link: Link) -> str:
    """The host the link reads as to a reader (or a tool) that takes ``\\`` for a character, or
    a look-alike for a slash, when a browser goes elsewhere: ``https://welt.ltd\\@welt.de/``
    and ``https://welt.de／@welt.ltd/`` pretend to be welt.de."""
    if "lookalike-delimiter" in link.obfuscation:
        host = naive_host(unicodedata.normalize("NFKC", link.text))
    elif "backslash" in link.obfuscation:
        host = naive_host(link.text)
    else:
        return ""
    return host if host and host not in (link.host, link.host_unicode) else ""


def _capital_i_label(link: Link) -> str | None:
    """The label as the post wrote it, when a capital I stands among lowercase letters ("weIt")."""
    if "I" not in link.text or not link.host.isascii() or not link.domain_label:
        return None
    pos = link.text.lower().find(link.host)
    if pos < 0:
        return None
    start = pos + len(link.host) - len(link.registered_domain)
    raw = link.text[start : start + len(link.domain_label)]
    if "I" not in raw or raw.isupper():
        return None
    return "".join("l" if c == "I" else c.lower() for c in raw)


def _label_unicode(link: Link) -> str:
    labels = link.host_unicode.split(".")
    position = link.suffix.count(".") + 2
    if len(labels) == link.host.count(".") + 1 and len(labels) >= position:
        return labels[-position]
    return link.domain_label


def blocklist_evidence(blocked: BlockedRule) -> Evidence:
    """Who listed the domain, for which campaign, when and where: the finding names its source."""
    detail = f"listed as known bad by {blocked.source}"
    notes = [f"campaign: {blocked.campaign}"] if blocked.campaign else []
    notes += [f"reported {blocked.reported}"] if blocked.reported else []
    notes += [blocked.source_url] if blocked.source_url else []
    if notes:
        detail += f" ({'; '.join(notes)})"
    data = {"source": blocked.source, "campaign": blocked.campaign}
    data |= {k: v for k, v in (("source_url", blocked.source_url), ("reported", blocked.reported)) if v}
    return Evidence("blocklist", detail, data)


def rating_evidence(rating: RatingRule) -> Evidence:
    """What the rating says, in its own terms: a rating is the source's judgement, not linkguard's."""
    date = f", {rating.reported}" if rating.reported else ""
    detail = (
        f"{rating.source}{date} rates {rating.domain} {rating.value:.2f} on its 0-1 scale "
        f"({rating.rating}; 0 lowest, 1 highest quality): below {RATING_LOW_THRESHOLD}, "
        "the level at which linkguard flags a source rating"
    )
    data: dict[str, object] = {
        "rating": rating.rating,
        "value": rating.value,
        "source": rating.source,
        "threshold": RATING_LOW_THRESHOLD,
    }
    data |= {k: v for k, v in (("source_url", rating.source_url), ("reported", rating.reported)) if v}
    return Evidence("rating", detail, data)


def _ancestors(link: Link) -> list[str]:
    """The host and its parents down to the registered domain, never above it.

    A legit rule for blogspot.com must not vouch for anyone's x.blogspot.com.
    """
    out = [link.host]
    host = link.host
    while host != link.registered_domain and "." in host:
        host = host.partition(".")[2]
        out.append(host)
    return out


#: How a Detector whose index is in the disk cache pickles (for worker processes): "key" sends the
#: cache key (and the rule files, to rebuild from if the file is gone), "payload" the whole index
#: as plain data. Measured in ``Detector.__reduce__``; an index not on disk always goes as payload.
PickleMode = Literal["key", "payload"]
PICKLE_MODE: PickleMode = "key"


def _from_cache(
    key: str, sources: tuple[tuple[str, str], ...], use_blocklist: bool, use_ratings: bool = True
) -> Detector:
    from linkguard.lookalike.cache import index_by_key

    index = index_by_key(key, sources)
    return Detector(index.rules, use_blocklist=use_blocklist, use_ratings=use_ratings, index=index)


def _from_payload(payload: dict[str, Any], use_blocklist: bool, use_ratings: bool = True) -> Detector:
    index = Index.from_payload(payload)
    return Detector(index.rules, use_blocklist=use_blocklist, use_ratings=use_ratings, index=index)


class Detector:
    """Classify links against one RuleSet; build once per run (it indexes every outlet).

    ``index``: the index for ``rules`` when the caller has it (``load_detector`` does); without it,
    the one the rules' ``cache_key`` names is reused (from this process or the disk cache), else
    one is built.
    """

    #: Skip the techniques that cannot find anything (``gates``); verdicts are the same without.
    _gated = True

    def __init__(
        self,
        rules: RuleSet,
        *,
        use_blocklist: bool = True,
        use_ratings: bool = True,
        index: Index | None = None,
    ) -> None:
        if index is None:
            from linkguard.lookalike.cache import index_for

            index = index_for(rules)
        self.rules = rules
        self.use_blocklist = use_blocklist
        self.use_ratings = use_ratings
        self.index = index
        self._memo: dict[_MemoKey, Verdict] = {}

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle as the disk cache's key for the index when it has one, else as the index payload.

        ``benchmarks/bench_detector_pickle.py`` (bundled rules, one spawn worker, best of 9, the
        2-core machine under load 9): as the key, a pickle under 1 KB (the key and the rule files'
        names), 0.0 ms to dump, 422 ms for the worker to read the index file, 459 ms round trip; as
        the payload, 4.3 MB, 264 ms to dump (paid by the parent for every worker), 397 ms to load,
        788 ms round trip. The worker's share is about equal (both restore ``from_payload``); the
        key spares the parent and the pipe, so
        it is the default. The verdict memo is not sent.
        """
        if PICKLE_MODE == "key" and self.index.cache_key:
            return (
                _from_cache,
                (self.index.cache_key, self.index.sources, self.use_blocklist, self.use_ratings),
            )
        return (_from_payload, (self.index.to_payload(), self.use_blocklist, self.use_ratings))

    def classify(self, link: Link) -> Verdict:
        """The verdict for ``link``; microseconds once a host has been seen."""
        key: _MemoKey = (
            link.host,
            link.text if link.obfuscation and not _PRETENCES.isdisjoint(link.obfuscation) else "",
            link.obfuscation,
            link.display,
            link.registered_domain,
            _capital_i_label(link) if "I" in link.text else None,
        )
        verdict = self._memo.get(key)
        if verdict is None:
            verdict = self._classify(link)
            if len(self._memo) >= MEMO_SIZE:
                self._memo.clear()
            self._memo[key] = verdict
        return verdict

    def explain(self, link: Link) -> Verdict:
        """``classify``, and for a trusted domain that resembles an outlet, say so and why it is trusted.

        A bare "trusted 0" for huffingtonpost.de or weltbild.de hides that the name does resemble an
        outlet; a person checking one link wants to read both facts. Scans skip this (it costs a full
        technique pass per trusted host).
        """
        verdict = self.classify(link)
        if verdict.status != "trusted" or not link.registered_domain:
            return verdict
        combined = sc.combine(self._signals(link, floor=0), obfuscated=False)
        if combined.outlet is None or link.registered_domain in combined.outlet.domains:
            return verdict
        how = ", ".join(dict.fromkeys(s.technique for s in combined.signals if s.outlet is not None))
        kind = verdict.evidence[0].kind if verdict.evidence else ""
        why = _TRUSTED_BECAUSE.get(kind, "trusted by the rules")
        note = Evidence(
            "resembles",
            f"resembles {combined.outlet.name} ({combined.outlet.domain}) by {how}, "
            f"but is a known legitimate domain ({why})",
            {"outlet": combined.outlet.domain, "techniques": how},
        )
        return Verdict(verdict.status, verdict.score, None, (), (*verdict.evidence, note))

    def classify_domain(self, domain_or_url: str) -> Verdict:
        """Convenience for one string; ``unknown`` when it is not a URL or domain at all."""
        link = parse_link(domain_or_url)
        return self.classify(link) if link is not None else Verdict()

    # -- the decision -------------------------------------------------------------------------

    def _classify(self, link: Link) -> Verdict:
        obfuscation = obfuscation_evidence(post_tricks(link)) if link.obfuscation else None
        extra = (obfuscation,) if obfuscation else ()
        ancestors = _ancestors(link)
        if link.registered_domain:
            ruled = self._by_rules(link, extra, ancestors)
            if ruled is not None:
                return ruled
        signals = self._signals(link, obfuscated=obfuscation is not None)
        blocked = None
        if self.use_blocklist and link.registered_domain:
            listed = self.index.blocked
            blocked = listed.get(next((h for h in ancestors if h in listed), ""))
        rating = self._low_rating(link)
        if not signals and blocked is None and rating is None and not extra:  # most domains
            return _NOTHING
        combined = sc.combine(signals, obfuscated=obfuscation is not None) if signals else _NO_SIGNAL
        evidence = [Evidence(s.technique, s.detail, s.data) for s in combined.signals]
        techniques = tuple(dict.fromkeys(s.technique for s in combined.signals))
        rated = (rating_evidence(rating),) if rating is not None else ()
        if blocked is not None:
            outlet = combined.outlet or self.index.outlet_by_domain.get(blocked.imitates)
            bad = blocklist_evidence(blocked)
            return Verdict(
                "malicious", sc.BLOCKED_SCORE, outlet, techniques, (bad, *evidence, *rated, *extra)
            )
        score = max(combined.score, RATING_SCORE) if rating is not None else combined.score
        status = status_for(score)
        return Verdict(status, score, combined.outlet, techniques, (*evidence, *rated, *extra))

    def _low_rating(self, link: Link) -> RatingRule | None:
        """The source rating of the link's domain when ratings are on and it is below the threshold."""
        if not self.use_ratings or not link.registered_domain:
            return None
        rating = self.index.ratings.get(link.registered_domain)
        return rating if rating is not None and rating.value < RATING_LOW_THRESHOLD else None

    def _by_rules(
        self, link: Link, extra: tuple[Evidence, ...], ancestors: list[str] | None = None
    ) -> Verdict | None:
        """trusted / shortened when a rule names the host; None when the techniques must decide."""
        idx = self.index
        ancestors = _ancestors(link) if ancestors is None else ancestors
        if idx.ruled_hosts.isdisjoint(ancestors):  # no rule names it: skip to the popular list
            return self._popular(link, extra)
        for host in ancestors:
            outlet = idx.outlet_by_domain.get(host)
            if outlet is not None:
                why = Evidence("trusted", f"{host} is a domain of {outlet.name} ({outlet.origin} rules)")
                return Verdict("trusted", 0, None, (), (why, *extra))
            legit = idx.legit.get(host)
            if legit is not None:
                note = f": {legit.note}" if legit.note else ""
                why = Evidence("legit", f"{host} is listed as a legitimate look-alike{note}")
                return Verdict("trusted", 0, None, (), (why, *extra))
        for host in ancestors:
            short = idx.shorteners.get(host)
            if short is None:
                continue
            owner = idx.outlet_owning(short.owner) if short.owner else None
            if owner is not None:
                why = Evidence("trusted", f"{host} is the link shortener of {owner.name}")
                return Verdict("trusted", 0, None, (), (why, *extra))
            by = f" run by {short.owner}" if short.owner else ""
            what = f"{host} is a link shortener{by}; its target is not resolved offline"
            notes = [Evidence("shortener", what)]
            target = display_target(idx, link.display) if link.display else None
            if target is not None:
                claim = f"the post's link card claimed '{target[2]}'"
                notes.append(Evidence("display", claim, {"shown": target[2]}))
            return Verdict("shortened", 0, None, (), (*notes, *extra))
        return self._popular(link, extra)

    def _popular(self, link: Link, extra: tuple[Evidence, ...]) -> Verdict | None:
        """trusted when the domain is among the popular sites and nothing speaks against it."""
        idx = self.index
        rank = idx.profile.rank(link.registered_domain)
        if (
            rank is not None
            and link.registered_domain not in idx.blocked
            and self._low_rating(link) is None  # a low rating is said even of a popular site
            and not self._link_claims(link)
        ):
            detail = (
                f"{link.registered_domain} is among the {idx.profile.size:,} popular sites of "
                f"{idx.profile.source}: a name in real use, not judged by resemblance"
            )
            why = Evidence("popular", detail, {"domain": link.registered_domain, "rank": rank})
            return Verdict("trusted", 0, None, (), (why, *extra))
        return None

    def _link_claims(self, link: Link) -> bool:
        """The link itself pretends to be an outlet (text before '@', or the post showed an outlet's
        name or domain): that is a trick of the post, which a popular destination does not excuse."""
        if not _PRETENCES.isdisjoint(link.obfuscation):
            return True
        if not link.display:
            return False
        target = display_target(self.index, link.display)
        return (
            target is not None and target[1] is not None and link.registered_domain not in target[1].domains
        )

    def _signals(
        self, link: Link, *, floor: int = sc.REPORT_FLOOR, obfuscated: bool = False
    ) -> list[sc.Signal]:
        """Per outlet, the strongest signal of each technique at or above ``floor``; restated ones dropped.

        ``obfuscated``: the floor is judged on the score the signal has once the post's obfuscation
        is counted, as the verdict will score it; otherwise where the fitted intercept happens to
        sit decides whether 𝐰𝐞𝐥𝐭.𝐜𝐨𝐦 is reported at all.
        """
        planned = gates.plan(self.index, link) if self._gated else None
        if planned is not None and not planned:
            return []
        subj = self._subject(link)
        techniques: Sequence[gates.TechniqueFn] = TECHNIQUES if link.registered_domain else TECHNIQUES[-1:]
        if planned is not None:  # the open gates, told from the link (``gates.plan``)
            techniques = planned
        elif self._gated:
            techniques = gates.runnable(techniques, self.index, subj)
            if not techniques:
                return []
        best: dict[tuple[str, str], sc.Signal] = {}
        for technique in techniques:
            for s in technique(self.index, subj):
                slot = (s.outlet.name if s.outlet else "", s.technique)
                if slot not in best or s.score > best[slot].score:
                    best[slot] = s
        model = sc.model()
        return [
            s
            for (o, t), s in best.items()
            if (model.score({**s.features, "obfuscated": 1.0}) if obfuscated else s.score) >= floor
            and not any((o, k) in best for k in _SUPERSEDED_BY.get(t, ()))
        ]

    def _subject(self, link: Link) -> Subject:
        """What the techniques read of ``link``, prepared once."""
        return Subject(
            host=link.host,
            host_unicode=link.host_unicode,
            registered=link.registered_domain,
            label=link.domain_label,
            label_unicode=_label_unicode(link),
            suffix=link.suffix,
            subdomain=link.subdomain,
            private_suffix=link.is_private_suffix,
            capital_i_label=_capital_i_label(link),
            userinfo=_userinfo(link),
            pretended_host=_pretended_host(link),
            display=link.display,
        )
