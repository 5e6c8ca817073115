"""The orchestrator: walk a link, read the final page, look up the domain, compare visitors.

It only *adds* to the offline verdict: evidence with quotable sentences, techniques, and a
status raised when the network shows what the name alone could not (a clone claiming to be an
outlet, a shortener leading to a flagged domain). Network failures become evidence, never
exceptions, so one dead link cannot stop a scan.
"""

from __future__ import annotations

import dataclasses
import itertools
import threading
from collections import deque
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import httpx

from linkguard import limits as caps
from linkguard.errors import LinkguardError
from linkguard.forensics import cloaking, dnsinfo, similarity
from linkguard.forensics.archive import EvidenceArchive
from linkguard.forensics.budget import Budget
from linkguard.forensics.cache import ForensicsCache
from linkguard.forensics.fetch import BROWSER, ClientProfile, Fetcher, FetchLimits, HostPacer
from linkguard.forensics.netpolicy import NetworkPolicy, parse_ip_literal
from linkguard.forensics.outcome import Investigation, Outcome, Refusal
from linkguard.forensics.page import OutletMatch, PageClaims, analyse, host_of, match_outlets, on_domain
from linkguard.forensics.redirects import Hop, walk
from linkguard.forensics.registration import Registration, RegistrationLookup, describe
from linkguard.forensics.similarity import Fingerprint
from linkguard.forensics.tlsinfo import TlsFacts
from linkguard.models import STATUS_RANK, Evidence, Link, Outlet, Verdict
from linkguard.policy import (
    CLONE_SIMILARITY,
    SCORE_CLOAKING,
    SCORE_CLONE_CONFIRMED,
    SCORE_PAGE_CLAIM,
    SCORE_YOUNG_DOMAIN,
    VerdictBuilder,
    copy_score,
)

if TYPE_CHECKING:
    from linkguard.forensics.screenshot import Renderer


@dataclass(frozen=True, slots=True)
class Walk:
    """A finished walk as cached: the hops, why it stopped, and the final page's claims."""

    hops: tuple[Hop, ...]
    stopped: str | None
    claims: PageClaims | None = None
    #: The final page's fuzzy hashes (``similarity``), when the run compares pages with outlets.
    fingerprint: Fingerprint | None = None

    @property
    def final(self) -> Hop:
        return self.hops[-1]

    def destination(self, profile: str) -> cloaking.Destination:
        return cloaking.Destination(profile, self.final.url, self.final.status, self.stopped)

    def to_dict(self) -> dict[str, Any]:
        return {
            "hops": [h.to_dict() for h in self.hops],
            "stopped": self.stopped,
            "claims": self.claims.to_dict() if self.claims else None,
            "fingerprint": self.fingerprint.to_dict() if self.fingerprint else None,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Walk:
        claims = data.get("claims")
        fingerprint = data.get("fingerprint")
        return cls(
            tuple(Hop(**h) for h in data["hops"]),
            data.get("stopped"),
            PageClaims.from_dict(claims) if claims else None,
            Fingerprint.from_dict(fingerprint) if fingerprint else None,
        )


@dataclass(frozen=True, slots=True)
class Reference:
    """An outlet's real page as fetched once per run, to compare clones with."""

    outlet: Outlet
    url: str
    final_url: str | None = None
    fingerprint: Fingerprint | None = None
    error: str | None = None
    #: The archive's records of the fetch (``--evidence``), cited by every comparison with it.
    records: tuple[dict[str, Any], ...] = ()


def _parse_link(url: str) -> Link | None:
    from linkguard.normalize import parse_link  # late: keeps forensics importable on its own

    return parse_link(url)


def _chain_text(hops: Sequence[Hop]) -> str:
    parts = [hops[0].url]
    for hop in hops:
        if hop.location:
            how = {"http": f"HTTP {hop.status}", "meta": "meta refresh", "js": "JavaScript"}.get(
                hop.kind or "", ""
            )
            parts.append(f"({how}) {hop.location}")
    return " → ".join(parts)


def _observed_destination(result: Walk) -> str | None:
    """The URL the walk saw the link lead to; None when nothing was observed (the first request
    failed) or the policy refused the way there."""
    if result.stopped == "blocked":
        return None
    if result.final.status is None and len(result.hops) == 1:
        return None
    return result.final.url


def _reference_url(outlet: Outlet, canonical: str | None) -> str:
    """The outlet page a clone is compared with: the front page of the site its canonical/og:url
    names (``www.welt.de``), else of the outlet's first domain."""
    if canonical and on_domain(host_of(canonical), outlet.domains):
        parts = urlsplit(canonical)
        try:
            port = f":{parts.port}" if parts.port else ""
        except ValueError:  # not a port a browser would use either
            port = None
        if parts.scheme in ("http", "https") and parts.hostname and port is not None:
            return f"{parts.scheme}://{parts.hostname}{port}/"
    return f"https://{outlet.domain}/"


def _walk_outcome(result: Walk) -> tuple[Outcome, str, Refusal | None]:
    """How the walk ended, what failed, and the refusal when its very first hop was refused."""
    final = result.final
    if result.stopped == "blocked":
        detail = final.error or "refused by the network policy"
        first = len(result.hops) == 1
        return "refused", detail, Refusal(final.url, final.address or "", detail) if first else None
    if result.stopped == "error":
        return "failed", final.error or "the request failed", None
    if result.stopped == "budget":
        return "budget", final.error or "the link's budget ran out", None
    return "resolved", "", None


class Investigator:
    """Network forensics for links; thread-safe, so one instance serves a whole scan."""

    def __init__(
        self,
        *,
        classify: Callable[[Link], Verdict] | None = None,
        outlets: Sequence[Outlet] = (),
        policy: NetworkPolicy | None = None,
        limits: FetchLimits | None = None,
        cache: ForensicsCache | None = None,
        transport: httpx.BaseTransport | None = None,
        rdap_bootstrap: dict[str, Any] | None = None,
        rdap_base: str | None = None,
        whois_server: tuple[str, int] | None = None,
        proxy: str | None = None,
        young_domain_days: int = caps.YOUNG_DOMAIN_DAYS,
        now: Callable[[], datetime] | None = None,
        registration: bool = True,
        cloaking: bool = True,
        archive: EvidenceArchive | None = None,
        compare_outlets: bool = False,
        screenshot: str | None = None,
    ) -> None:
        self.policy = policy or NetworkPolicy()
        #: Where every exchange is kept as WARC (``--evidence``); then the cache is not read, so
        #: each finding's evidence is what this run saw.
        self.archive = archive
        lim = limits or FetchLimits()
        # the library clamps the budget as the CLI does: no caller lifts it past the hard bound
        self.limits = dataclasses.replace(
            lim, budget=min(lim.budget, caps.MAX_LINK_BUDGET_S), max_concurrency=max(1, lim.max_concurrency)
        )
        self._classify = classify
        self._outlets = tuple(outlets)
        self._cache = cache
        self._max_redirects = self.limits.max_redirects
        self._young_days = young_domain_days
        self._max_concurrency = self.limits.max_concurrency
        self._budget_s = self.limits.budget
        self._budget_bytes = self.limits.budget_bytes
        self._now = now or (lambda: datetime.now(UTC))
        self._do_registration = registration
        self._do_cloaking = cloaking
        #: Fetch the real page of an outlet a page claims or a name imitates, and compare (one fetch
        #: per outlet per run: ``_references``).
        self._compare = compare_outlets
        self._references: dict[str, Future[Reference]] = {}
        self._references_lock = threading.Lock()
        self._fetcher = Fetcher(
            self.policy,
            limits=self.limits,
            transport=transport,
            proxy=proxy,
            pacer=HostPacer(self.limits.per_host_interval),
            recorder=archive,
        )
        self._registry = RegistrationLookup(
            self._fetcher,
            self.policy,
            bootstrap=rdap_bootstrap,
            rdap_base=rdap_base,
            whois_server=whois_server,
            whois_timeout=self.limits.whois_timeout,
            whois_max_bytes=self.limits.whois_max_bytes,
        )
        self._registry_key = f"{rdap_base or ''}|{whois_server or ''}|{self.policy.fingerprint()}"
        self._pool: ThreadPoolExecutor | None = None
        self._pool_lock = threading.Lock()
        #: Renders final pages with headless Chromium (``--screenshot``; Chromium at this path),
        #: every browser request through this investigator's guarded fetcher.
        self._renderer: Renderer | None = None
        if screenshot is not None:
            from linkguard.forensics.screenshot import Renderer  # late: Playwright is an extra

            self._renderer = Renderer(self._fetcher, screenshot)

    # --- cached network steps ----------------------------------------------------------------

    def _cached(self, kind: str, key: str, load: Callable[[dict[str, Any]], Any]) -> Any | None:
        if self._cache is None or self.archive is not None:
            return None
        data = self._cache.get(kind, key)
        if data is None:
            return None
        try:
            return load(data)
        except (KeyError, TypeError, ValueError):
            return None  # an entry from an older format: refetch

    def new_budget(self) -> Budget:
        """A fresh budget for one link (``investigate`` makes one per call)."""
        return Budget(self._budget_s, self._budget_bytes)

    def walk(self, url: str, profile: ClientProfile = BROWSER, budget: Budget | None = None) -> Walk:
        key = f"{profile.name}|{url}|{self._max_redirects}|{self.policy.fingerprint()}"
        hashed = self._compare and profile is BROWSER  # the page compared with an outlet's
        cached = self._cached("walk", key, Walk.from_dict)
        if isinstance(cached, Walk) and (not hashed or cached.fingerprint or cached.claims is None):
            return cached
        chain = walk(self._fetcher, url, profile, self._max_redirects, budget)
        claims = None
        shape = None
        if chain.page is not None and chain.final is not None and chain.stopped is None:
            claims = analyse(chain.page, chain.final.url)
            shape = similarity.fingerprint(chain.page) if hashed else None
        result = Walk(chain.hops, chain.stopped, claims, shape)
        partial = any(h.note for h in result.hops) or (claims is not None and claims.cut)
        # failures may be transient, and a walk cut short by this run's budget is not the whole story
        if self._cache is not None and chain.stopped not in ("error", "budget") and not partial:
            self._cache.set("walk", key, result.to_dict())
        return result

    def registration(self, domain: str, budget: Budget | None = None) -> Registration:
        key = f"{domain}|{self._registry_key}"
        cached = self._cached("registration", key, Registration.from_dict)
        if isinstance(cached, Registration):
            return cached
        result = self._registry.lookup(domain, budget)
        if self._cache is not None and result.source != "none":
            self._cache.set("registration", key, result.to_dict())
        return result

    def dns(self, host: str, budget: Budget | None = None) -> dnsinfo.DnsInfo:
        key = f"{host}|{self.policy.fingerprint()}"
        cached = self._cached("dns", key, dnsinfo.DnsInfo.from_dict)
        if isinstance(cached, dnsinfo.DnsInfo):
            return cached
        result = dnsinfo.lookup(self.policy, host, budget.left() if budget is not None else None)
        if self._cache is not None and result.resolves:
            self._cache.set("dns", key, result.to_dict())
        return result

    # --- the investigation -------------------------------------------------------------------

    def investigate(self, link: Link, verdict: Verdict) -> Verdict:
        """A new Verdict with the network's evidence added; network failures become evidence."""
        return self.examine(link, verdict).verdict

    def examine(self, link: Link, verdict: Verdict) -> Investigation:
        """``investigate``, with how it ended: resolved, failed, refused or out of budget."""
        if self.archive is None:
            return self._examine(link, verdict)
        with self.archive.collect(link.url) as exchanges:
            result = self._examine(link, verdict)
        cited = self.archive.evidence(exchanges)
        if cited is None:
            return result
        evidence = (*result.verdict.evidence, cited)
        return dataclasses.replace(result, verdict=dataclasses.replace(result.verdict, evidence=evidence))

    def _examine(self, link: Link, verdict: Verdict) -> Investigation:
        try:
            return self._investigate(link, verdict)
        except Exception as exc:  # a fault here must not cost the scan its other findings
            known = isinstance(exc, (LinkguardError, OSError, httpx.HTTPError))
            what = "forensics failed" if known else "forensics failed on an internal error"
            detail = f"{what}: {type(exc).__name__}: {exc}"[:1000]
            failure = Evidence("fetch-error", detail, {"url": link.url})
            return Investigation(
                Verdict(
                    verdict.status,
                    verdict.score,
                    verdict.impersonates,
                    verdict.techniques,
                    (*verdict.evidence, failure),
                ),
                "failed",
                detail,
            )

    def _investigate(self, link: Link, verdict: Verdict) -> Investigation:
        out = VerdictBuilder(verdict)
        budget = self.new_budget()
        start_domain = link.registered_domain or link.host
        final_domain = ""
        baseline: Walk | None = None
        outcome: Outcome = "resolved"
        reason = ""
        refused: Refusal | None = None
        skipped: list[str] = []
        info = None if link.is_ip else self.dns(link.host, budget)
        if info is not None:
            out.add(Evidence("dns", info.describe(), info.to_dict()))
            if not info.resolves:
                outcome, reason = "failed", info.describe()
        if info is None or info.resolves:  # a name that does not resolve cannot be walked
            baseline = self.walk(link.url, BROWSER, budget)
            self._report_walk(link, baseline, out)
            outcome, reason, refused = _walk_outcome(baseline)
            reached = _observed_destination(baseline)
            final_link = _parse_link(reached) if reached is not None else None
            final_domain = (final_link.registered_domain or final_link.host) if final_link else ""
            if final_link is not None and final_domain and final_domain != start_domain:
                out.technique("redirect")
                self._judge_destination(link, final_link, verdict, out)
            match = None
            # what the name(s) alone imitate, before the page adds its own claim
            named = out.impersonates if STATUS_RANK[out.status] >= STATUS_RANK["suspicious"] else None
            if baseline.claims is not None and final_domain:
                match = self._judge_page(baseline.claims, final_domain, out)
            # a site the rules trust (an outlet's sister domain) may share its template
            if self._compare and outcome == "resolved" and final_domain and out.status != "trusted":
                outlet = match.outlet if match is not None else out.impersonates
                if outlet is not None and not on_domain(final_domain, outlet.domains):
                    canonical = match.canonical if match is not None else None
                    self._judge_similarity(outlet, canonical, named, baseline, out, budget, skipped)
            if self._renderer is not None and outcome == "resolved" and baseline.stopped is None:
                self._shoot(link, baseline, out, budget, skipped)
        if verdict.status == "shortened" and final_domain in ("", start_domain):
            self._report_unresolved(link, outcome, reason, out)  # no destination was seen
        if self._do_registration:
            failed = self._judge_registration(link, verdict, start_domain, final_domain, out, budget, skipped)
            if failed and outcome == "resolved":  # the registry was asked and never answered
                outcome, reason = "registry-failed", failed
        cloak = baseline is not None and baseline.stopped not in ("blocked", "error", "budget")
        if self._do_cloaking and baseline is not None and baseline.stopped == "budget":
            skipped.append("the comparison of visitor profiles (cloaking)")
        if self._do_cloaking and cloak and baseline is not None:
            if budget.exhausted:
                skipped.append("the comparison of visitor profiles (cloaking)")
            else:
                self._judge_cloaking(link, baseline, out, budget)
        if budget.ran_out is not None or skipped:
            self._report_budget(budget, skipped, out)
            if outcome == "resolved":
                outcome, reason = "budget", budget.describe(budget.ran_out or "the investigation")
        return Investigation(out.build(), outcome, reason, refused)

    def _report_unresolved(self, link: Link, outcome: Outcome, reason: str, out: VerdictBuilder) -> None:
        """A shortener whose target was never seen: say so, and conclude nothing from the post's claim."""
        if outcome == "resolved":
            why = "the shortener answered itself, with no redirect linkguard could follow"
        else:
            what = {
                "failed": "failed",
                "refused": "was refused",
                "budget": "ran out of budget",
                "registry-failed": "got no answer from the registry",
            }[outcome]
            why = f"the investigation {what}" + (f" ({reason})" if reason else "")
        detail = f"where this shortened link leads is unknown: {why}"
        if link.display:
            detail += f"; the post's claim '{link.display}' was not checked"
        out.add(Evidence("unresolved", detail, {"outcome": outcome, "reason": reason}))

    def _report_budget(self, budget: Budget, skipped: list[str], out: VerdictBuilder) -> None:
        """Say that the budget ran out, where, and what was therefore not done."""
        where = budget.ran_out or "the investigation"
        detail = f"the investigation stopped early: {budget.describe(where)}"
        if skipped:
            detail += "; not done: " + ", ".join(skipped)
        detail += "; the evidence above is what was learnt before"
        out.add(
            Evidence(
                "fetch-error",
                detail,
                {
                    "budget_exhausted": True,
                    "budget_s": budget.seconds,
                    "budget_bytes": budget.max_bytes,
                    "where": where,
                    "skipped": skipped,
                },
            )
        )

    def _judge_cloaking(self, link: Link, baseline: Walk, out: VerdictBuilder, budget: Budget) -> None:
        report = cloaking.check(
            lambda u, p: self.walk(u, p, budget).destination(p.name),
            link.url,
            baseline.destination(BROWSER.name),
        )
        if not report.differs:
            return
        out.technique("cloaking")
        out.raise_score(out.score + SCORE_CLOAKING)
        if report.differs_host:  # a different site for some visitors: suspicious on its own
            out.at_least("suspicious")
        destinations = [d.to_dict() for d in report.destinations]
        out.add(Evidence("cloaking", report.describe(), {"destinations": destinations}))

    def _report_walk(self, link: Link, result: Walk, out: VerdictBuilder) -> None:
        hops = [h.to_dict() for h in result.hops]
        if len(result.hops) > 1:
            kinds = ", ".join(h.kind for h in result.hops if h.kind)
            out.add(
                Evidence(
                    "redirect-chain",
                    f"{len(result.hops) - 1} redirect(s) ({kinds}): {_chain_text(result.hops)}",
                    {"hops": hops},
                )
            )
        certificates: set[str] = set()
        for hop in result.hops:  # each HTTPS host's certificate once, valid or not
            if hop.tls is not None and hop.tls.get("sha256") not in certificates:
                certificates.add(hop.tls.get("sha256") or "")
                facts = TlsFacts.from_dict(hop.tls)
                out.add(Evidence("tls", facts.describe(self._now()), hop.tls))
        for index, hop in enumerate(result.hops):
            if hop.blocked:
                out.add(
                    Evidence(
                        "blocked-address",
                        hop.error or "refused by the network policy",
                        {"hop": index, "url": hop.url, "address": hop.address},
                    )
                )
            elif hop.error:
                out.add(Evidence("fetch-error", hop.error, {"hop": index, "url": hop.url}))
        if result.stopped in ("loop", "too-many-redirects", "scheme"):
            why = {
                "loop": "the redirects loop",
                "too-many-redirects": f"more than {self._max_redirects} redirects",
                "scheme": f"a redirect to a non-web address ({result.final.location})",
            }[result.stopped]
            out.add(Evidence("fetch-error", f"stopped following {link.url}: {why}", {"hops": hops}))
        if result.stopped is None:
            final = result.final
            template = result.claims.template if result.claims is not None else None
            out.add(
                Evidence(
                    "final-url",
                    f"the link ends at {final.url} (HTTP {final.status}, address {final.address})"
                    + (f"; the page was read only in part: {final.note}" if final.note else ""),
                    {"url": final.url, "status": final.status, "address": final.address}
                    | ({"note": final.note} if final.note else {})
                    | ({"template": template} if template else {}),
                )
            )

    def _judge_destination(self, link: Link, final_link: Link, verdict: Verdict, out: VerdictBuilder) -> None:
        """Judge where the link was seen to lead, as the detector judges any link, with what the post
        showed: a card claiming welt.de over a link that leads elsewhere is the detector's
        ``display-mismatch``, scored as offline."""
        if self._classify is None:
            return
        shown = dataclasses.replace(final_link, display=link.display) if link.display else final_link
        dest = self._classify(shown)
        if not dest.flagged:
            return
        who = f", imitating {dest.impersonates.name}" if dest.impersonates else ""
        out.add(
            Evidence(
                "destination",
                f"the link leads to {final_link.host}, which is {dest.status}{who}",
                {"url": final_link.url, "status": dest.status},
            )
        )
        if not verdict.flagged or STATUS_RANK[dest.status] > STATUS_RANK[verdict.status]:
            out.adopt(dest)

    def _judge_page(self, claims: PageClaims, final_domain: str, out: VerdictBuilder) -> OutletMatch | None:
        """Judge what the page claims to be; the outlet it claims, if any."""
        if any(on_domain(final_domain, o.domains) for o in self._outlets):
            return None  # an outlet's own page may call itself by its name
        matches = [m for m in match_outlets(claims, self._outlets) if m.claims]
        if not matches:
            return None
        match = matches[0]
        outlet = match.outlet
        reasons = "; ".join((*match.strong, *match.weak))
        # the name already imitates this outlet and the page copies it: two independent signals
        confirmed = (
            out.impersonates is not None
            and out.impersonates.domain == outlet.domain
            and STATUS_RANK[out.status] >= STATUS_RANK["suspicious"]
        )
        out.technique("page-claims-outlet")
        out.add(
            Evidence(
                "page-claim",
                f"the page on {final_domain} presents itself as {outlet.name}: {reasons}",
                {
                    "outlet": outlet.name,
                    "domain": outlet.domain,
                    "title": claims.title,
                    "site_name": claims.site_name,
                    "strong": list(match.strong),
                    "weak": list(match.weak),
                    "copyright": list(claims.copyright),
                    "icons": list(claims.icons),
                },
            )
        )
        if match.canonical:
            out.add(
                Evidence(
                    "canonical",
                    f"its canonical/og:url names the real outlet's site: {match.canonical}",
                    {"canonical": claims.canonical, "og_url": claims.og_url},
                )
            )
        if match.asset_share > 0:
            on_outlet = [(h, n) for h, n in claims.hosts if on_domain(h, outlet.domains)]
            count = sum(n for _, n in on_outlet)
            out.add(
                Evidence(
                    "outlet-assets",
                    f"{count} of {claims.links} links and assets on the page point to {outlet.domain} "
                    f"({match.asset_share:.0%})",
                    {
                        "share": match.asset_share,
                        "hosts": [list(p) for p in on_outlet],
                        "links": claims.links,
                    },
                )
            )
        out.at_least("suspicious")
        out.impersonate(outlet)
        out.raise_score(SCORE_PAGE_CLAIM)
        if confirmed:  # name and page agree; "malicious" stays reserved for published known-bad lists
            out.raise_score(SCORE_CLONE_CONFIRMED)
        return match

    def _judge_similarity(
        self,
        outlet: Outlet,
        canonical: str | None,
        named: Outlet | None,
        baseline: Walk,
        out: VerdictBuilder,
        budget: Budget,
        skipped: list[str],
    ) -> None:
        """Compare the final page with the outlet's real page; a copy raises the verdict, an unlike
        page changes nothing (``policy.copy_score``)."""
        page = baseline.fingerprint
        if page is None:
            return  # no HTML page was read
        if budget.exhausted:
            skipped.append(f"the comparison with {outlet.name}'s real page")
            return
        ref = self._reference(outlet, _reference_url(outlet, canonical))
        data: dict[str, Any] = {
            "outlet": outlet.name,
            "domain": outlet.domain,
            "page_url": baseline.final.url,
            "reference_url": ref.url,
            "method": similarity.METHOD,
        }
        if ref.records:
            data["reference_records"] = list(ref.records)
        if ref.fingerprint is None:
            detail = f"could not compare the page with {outlet.name}'s real page ({ref.url}): {ref.error}"
            out.add(Evidence("similarity", detail, data | {"error": ref.error}))
            return
        likeness = similarity.compare(page, ref.fingerprint)
        score = copy_score(likeness.best, named is not None and named.domain == outlet.domain)

        def percent(value: int | None) -> str:
            return "nothing to compare" if value is None else f"{value} %"

        front = f"{outlet.domain}'s front page ({ref.final_url})"
        detail = (
            f"page structure {percent(likeness.structure)} like {front}, "
            f"text {percent(likeness.text)} ({similarity.METHOD})"
        )
        detail += (
            f": a copy of {outlet.name}'s page"
            if score
            else f"; below {CLONE_SIMILARITY} % is no copy, and proves nothing either way"
        )
        data |= {
            "reference_final_url": ref.final_url,
            "structure": likeness.structure,
            "text": likeness.text,
            "threshold": CLONE_SIMILARITY,
            "copy": bool(score),
            "page_fingerprint": page.to_dict(),
            "reference_fingerprint": ref.fingerprint.to_dict(),
        }
        out.add(Evidence("similarity", detail, data))
        if score:
            out.technique("page-claims-outlet")
            out.at_least("suspicious")
            out.impersonate(outlet)
            out.raise_score(score)

    def _reference(self, outlet: Outlet, url: str) -> Reference:
        """The outlet's real page, fetched once per run (the first request for it decides the URL);
        concurrent investigations wait for that one fetch."""
        with self._references_lock:
            future = self._references.get(outlet.domain)
            mine = future is None
            if future is None:
                future = self._references[outlet.domain] = Future()
        if mine:
            try:
                future.set_result(self._fetch_reference(outlet, url))
            except Exception as exc:  # a fault here must not leave other investigations waiting
                future.set_result(Reference(outlet, url, error=f"{type(exc).__name__}: {exc}"[:1000]))
        return future.result()

    def _fetch_reference(self, outlet: Outlet, url: str) -> Reference:
        """Walk to the outlet's page with the same guard, limits and archive as any link."""
        budget = self.new_budget()
        if self.archive is None:
            chain = walk(self._fetcher, url, BROWSER, self._max_redirects, budget)
            records: tuple[dict[str, Any], ...] = ()
        else:
            with self.archive.collect(url) as exchanges:
                chain = walk(self._fetcher, url, BROWSER, self._max_redirects, budget)
            records = tuple(self.archive.records(exchanges))
        final = chain.final
        if chain.stopped is not None or final is None or chain.page is None:
            last = chain.hops[-1]
            error = last.error or (
                f"the walk stopped ({chain.stopped})"
                if chain.stopped
                else f"no HTML page to compare (HTTP {last.status})"
            )
            return Reference(outlet, url, error=error, records=records)
        return Reference(outlet, url, final.url, similarity.fingerprint(chain.page), records=records)

    def _shoot(
        self, link: Link, baseline: Walk, out: VerdictBuilder, budget: Budget, skipped: list[str]
    ) -> None:
        """Render the final page in headless Chromium and keep the PNG in the evidence directory."""
        if self._renderer is None or self.archive is None:
            return
        if budget.exhausted:
            skipped.append("the screenshot")
            return
        url = baseline.final.url
        shot_budget = Budget(
            min(budget.left(), caps.SCREENSHOT_BUDGET_S), min(budget.bytes_left, caps.SCREENSHOT_BUDGET_BYTES)
        )
        shot = self._renderer.render(url, shot_budget)
        if shot.png is None:
            out.add(Evidence("fetch-error", f"no screenshot of {url}: {shot.error}", shot.details()))
            return
        entry = self.archive.screenshot(link.url, url, shot.png, shot.details())
        refused = len(shot.refused)
        detail = (
            f"the page as headless Chromium rendered it: {self.archive.directory / entry['file']} "
            f"(SHA-256 {entry['sha256']}); {len(shot.requests)} request(s) through linkguard's guard"
            + (f", {refused} refused" if refused else "")
        )
        out.add(Evidence("screenshot", detail, entry))

    def _judge_registration(
        self,
        link: Link,
        verdict: Verdict,
        start_domain: str,
        final_domain: str,
        out: VerdictBuilder,
        budget: Budget,
        skipped: list[str],
    ) -> str:
        """Look up each domain's registration; returns what failed ("" when every lookup got an
        answer, even "no such domain" or "no date"), so the investigation counts as not complete."""
        failures: list[str] = []
        domains: list[str] = []
        if link.registered_domain and verdict.status not in ("shortened", "trusted"):
            domains.append(link.registered_domain)
        if final_domain and final_domain != start_domain:
            domains.append(final_domain)
        now = self._now()
        for domain in dict.fromkeys(domains):
            if (
                any(domain in o.domains for o in self._outlets)
                or parse_ip_literal(domain)
                or "." not in domain
            ):
                continue
            if budget.exhausted:
                skipped.append(f"the registration lookup of {domain}")
                continue
            reg = self.registration(domain, budget)
            if reg.source == "none":
                failures.append(f"the registration lookup of {domain} failed ({reg.error})")
            age = reg.age_days(now)
            data = {**reg.to_dict(), "age_days": age}
            out.add(Evidence("registration", describe(reg, now, self._young_days), data))
            if age is not None and age < self._young_days:
                out.technique("young-domain")
                out.raise_score(out.score + SCORE_YOUNG_DOMAIN)
        return "; ".join(failures)

    # --- many links --------------------------------------------------------------------------

    def _executor(self) -> ThreadPoolExecutor:
        with self._pool_lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(
                    self._max_concurrency, thread_name_prefix="linkguard-forensics"
                )
            return self._pool

    def investigate_many(
        self, items: Iterable[tuple[Link, Verdict]], *, only: Collection[str] | None = None
    ) -> Iterator[Verdict]:
        """Investigate concurrently, yield in input order; reads the input lazily (bounded in flight).

        With ``only``, verdicts whose status is not in it pass through untouched, with no network.
        """
        for (_, verdict), result in zip(*self._tee_many(items, only), strict=True):
            yield verdict if result is None else result.verdict

    def examine_many(
        self, items: Iterable[tuple[Link, Verdict]], *, only: Collection[str] | None = None
    ) -> Iterator[Investigation | None]:
        """``examine`` each item concurrently, in input order; None for an item passed through
        untouched (its status is not in ``only``)."""
        pool = self._executor()
        window = self._max_concurrency * caps.IN_FLIGHT_PER_WORKER
        pending: deque[Future[Investigation | None]] = deque()
        for link, verdict in items:
            future: Future[Investigation | None]
            if only is None or verdict.status in only:
                future = pool.submit(self.examine, link, verdict)
            else:
                future = Future()
                future.set_result(None)
            pending.append(future)
            while pending and (len(pending) >= window or pending[0].done()):
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()

    def _tee_many(
        self, items: Iterable[tuple[Link, Verdict]], only: Collection[str] | None
    ) -> tuple[Iterator[tuple[Link, Verdict]], Iterator[Investigation | None]]:
        feed, keep = itertools.tee(items)  # ``keep`` trails ``feed`` by the bounded window
        return keep, self.examine_many(feed, only=only)

    def close(self) -> None:
        with self._pool_lock:
            if self._pool is not None:
                self._pool.shutdown(wait=True, cancel_futures=True)
                self._pool = None
        if self._cache is not None:
            self._cache.close()
        if self.archive is not None:
            self.archive.close()

    def __enter__(self) -> Investigator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
