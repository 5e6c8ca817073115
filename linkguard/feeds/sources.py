"""The feeds linkguard knows: who publishes each, under which licence, and whether the wheel may carry it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

#: Base URLs of GitHub's API and raw file host; ``update-feeds --mirror`` replaces both (tests, proxies).
GITHUB_API = "https://api.github.com"
GITHUB_RAW = "https://raw.githubusercontent.com"


@dataclass(frozen=True, slots=True)
class FeedSource:
    name: str  # the feed file's stem and the --feed name
    title: str
    publisher: str
    licence: str
    homepage: str
    #: May the wheel carry a snapshot? Only when the licence allows redistribution.
    bundled: bool
    table: Literal["blocked", "rating"]


FEEDS: dict[str, FeedSource] = {
    f.name: f
    for f in (
        FeedSource(
            "meta-threat-research",
            "Meta threat-research indicators (influence operations)",
            "Meta Platforms",
            "MIT",
            "https://github.com/facebook/threat-research",
            True,
            "blocked",
        ),
        FeedSource(
            "meta-doppelganger-redirects",
            "Meta threat-research indicators: influence operations' redirect domains",
            "Meta Platforms",
            "MIT (not bundled for size: ~5,400 throwaway 2023 names would slow every uncached start)",
            "https://github.com/facebook/threat-research",
            False,
            "blocked",
        ),
        FeedSource(
            "checkfirst-pravda",
            "CheckFirst Pravda network data collection (hosts)",
            "CheckFirst",
            "research use with citation (no open licence): fetched on request only",
            "https://github.com/CheckFirstHQ/pravda-network",
            False,
            "blocked",
        ),
        FeedSource(
            "lin2023-ratings",
            "Lin et al. 2023 aggregate news-domain quality ratings (pc1)",
            "Lin, Lasser, Lewandowsky, Cole, Gully, Rand, Pennycook (PNAS Nexus 2023)",
            "no licence file ('feel free to reuse'): fetched on request only",
            "https://github.com/hauselin/domain-quality-ratings",
            False,
            "rating",
        ),
    )
}
