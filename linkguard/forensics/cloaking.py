"""Does the link lead elsewhere depending on who asks? (traffic-distribution "cloaking")

Campaign redirectors show the clone to people arriving from social networks with a browser and
a harmless page to crawlers and moderators. Walking the same link as different visitors and
comparing where each ends up exposes that. A crawler that is merely refused (403 from a bot
wall) is recorded but not called cloaking: only different *pages* count.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from linkguard.forensics.fetch import CRAWLER, SOCIAL, ClientProfile

#: Visitors compared with the baseline browser walk: a crawler, and a browser coming from t.co.
PROFILES: tuple[ClientProfile, ...] = (CRAWLER, SOCIAL)


@dataclass(frozen=True, slots=True)
class Destination:
    profile: str
    url: str
    status: int | None
    stopped: str | None

    @property
    def reached_page(self) -> bool:
        return self.stopped is None and self.status is not None and 200 <= self.status < 300

    @property
    def place(self) -> tuple[str, str]:
        parts = urlsplit(self.url)
        return (parts.hostname or "").lower(), parts.path.rstrip("/") or "/"

    def to_dict(self) -> dict[str, Any]:
        return {"profile": self.profile, "url": self.url, "status": self.status, "stopped": self.stopped}


@dataclass(frozen=True, slots=True)
class CloakingReport:
    destinations: tuple[Destination, ...]

    @property
    def differs(self) -> bool:
        """Two visitors reached *different pages* (host or path), both successfully."""
        pages = {d.place for d in self.destinations if d.reached_page}
        return len(pages) > 1

    @property
    def differs_host(self) -> bool:
        return len({d.place[0] for d in self.destinations if d.reached_page}) > 1

    def describe(self) -> str:
        shown = "; ".join(
            f"as {d.profile}: {d.url}" + (f" (HTTP {d.status})" if d.status else f" ({d.stopped})")
            for d in self.destinations
        )
        if self.differs:
            return f"the link leads to different pages depending on the visitor — {shown}"
        return f"every visitor profile reached the same destination — {shown}"


def check(
    walk: Callable[[str, ClientProfile], Destination],
    url: str,
    baseline: Destination,
    profiles: Sequence[ClientProfile] = PROFILES,
) -> CloakingReport:
    """Walk ``url`` again as each profile and compare with the baseline walk."""
    return CloakingReport((baseline, *(walk(url, profile) for profile in profiles)))
