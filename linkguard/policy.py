"""One verdict policy: how evidence becomes a status and a score, offline and online.

The offline detector scores a name's resemblance with a fitted model (``lookalike.scoring``);
the network adds evidence the name cannot show (a page copying an outlet, a young domain,
cloaking). Both end here: a score of ``SUSPICIOUS_THRESHOLD`` or more is ``suspicious`` and
anything below is ``unknown``, whoever raised it; ``malicious`` stays reserved for domains on a
published known-bad list. What the network learns about a link's destination is judged by the
detector itself (the destination, with what the post showed), so a display mismatch scores the
same whether the export or the network resolved the link.
"""

from __future__ import annotations

from linkguard.models import STATUS_RANK, Evidence, Outlet, Technique, Verdict, VerdictStatus

#: The model's odds of a real lookalike are even or better.
SUSPICIOUS_THRESHOLD = 50
MAX_SCORE = 100
#: A domain on a published known-bad list (``[[blocked]]``).
BLOCKED_SCORE = 100

# What the network adds (0-100 scale, capped); each is named by the evidence that earns it.
#: The final page presents itself as an outlet (title, og:site_name, canonical, assets).
SCORE_PAGE_CLAIM = 70
#: … and the name already imitates that same outlet: two independent signals agree.
SCORE_CLONE_CONFIRMED = 90
#: Added when the domain was registered recently (``limits.YOUNG_DOMAIN_DAYS``).
SCORE_YOUNG_DOMAIN = 15
#: Added when visitors are sent to different pages (cloaking).
SCORE_CLOAKING = 20
#: A page whose structure or text is at least this alike (ssdeep, 0-100) to the outlet's real page
#: is a copy of it: unrelated pages score near 0, two articles of one site about 40-70.
CLONE_SIMILARITY = 80
#: A copy of the outlet's real page served off the outlet's domains: impersonation whatever the name.
SCORE_PAGE_COPY = 90
#: … on a name that already imitates that same outlet: the strongest evidence short of a list.
SCORE_COPY_ON_LOOKALIKE = 95


def copy_score(similarity: int, name_imitates: bool) -> int:
    """What a page's likeness to the outlet's real page earns: 0 below ``CLONE_SIMILARITY``.

    Likeness only ever adds: a page unlike the outlet's front page acquits nothing (a clone copies
    one article, changes the text, or shows a different page to the outlet's own visitors).
    """
    if similarity < CLONE_SIMILARITY:
        return 0
    return SCORE_COPY_ON_LOOKALIKE if name_imitates else SCORE_PAGE_COPY


def status_for(score: int) -> VerdictStatus:
    """The status a resemblance score earns on its own (never ``malicious``: that needs a list)."""
    return "suspicious" if score >= SUSPICIOUS_THRESHOLD else "unknown"


class VerdictBuilder:
    """A verdict being added to; status and score only ever go up, and stay in step.

    Raising the score to the threshold makes the verdict ``suspicious``; making it ``suspicious``
    on other grounds (a page claiming an outlet) raises the score to at least the threshold, so
    a ``suspicious`` verdict never carries a score below it.
    """

    def __init__(self, verdict: Verdict) -> None:
        self.status: VerdictStatus = verdict.status
        self.score = verdict.score
        self.impersonates = verdict.impersonates
        self.techniques: list[Technique] = list(verdict.techniques)
        self.evidence = list(verdict.evidence)

    def add(self, evidence: Evidence) -> None:
        self.evidence.append(evidence)

    def technique(self, name: Technique) -> None:
        if name not in self.techniques:
            self.techniques.append(name)

    def at_least(self, status: VerdictStatus) -> None:
        if STATUS_RANK[status] > STATUS_RANK[self.status]:
            self.status = status
        if status == "suspicious":
            self.score = max(self.score, SUSPICIOUS_THRESHOLD)

    def raise_score(self, score: int) -> None:
        self.score = max(self.score, min(MAX_SCORE, score))
        if self.status in ("unknown", "shortened") and self.score >= SUSPICIOUS_THRESHOLD:
            self.status = status_for(self.score)

    def impersonate(self, outlet: Outlet) -> None:
        if self.impersonates is None:
            self.impersonates = outlet

    def adopt(self, other: Verdict) -> None:
        """Take over a destination's verdict (a shortener leading to a flagged domain)."""
        if STATUS_RANK[other.status] > STATUS_RANK[self.status]:
            self.status = other.status
        self.score = max(self.score, other.score)
        if other.impersonates is not None:
            self.impersonates = other.impersonates
        for name in other.techniques:
            self.technique(name)
        self.evidence.extend(other.evidence)

    def build(self) -> Verdict:
        return Verdict(
            self.status, self.score, self.impersonates, tuple(self.techniques), tuple(self.evidence)
        )
