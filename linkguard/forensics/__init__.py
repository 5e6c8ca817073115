"""Network forensics: where a link really leads, what the page claims to be, how old the domain is.

Opt-in and safe by construction: every address is checked by ``NetworkPolicy`` before a
connection, connections go to the checked address only, and every request is capped in time
and size. See ``Investigator`` for the one entry point.
"""

from linkguard.forensics.archive import EvidenceArchive
from linkguard.forensics.cache import ForensicsCache
from linkguard.forensics.fetch import (
    BROWSER,
    CRAWLER,
    SOCIAL,
    ClientProfile,
    Fetcher,
    FetchLimits,
    FetchResult,
)
from linkguard.forensics.investigator import Investigator, Walk
from linkguard.forensics.netpolicy import (
    NetworkPolicy,
    address_problem,
    parse_ip_literal,
    parse_resolve_overrides,
)
from linkguard.forensics.outcome import OUTCOMES, Investigation, Outcome, Refusal
from linkguard.forensics.page import PageClaims
from linkguard.forensics.redirects import Chain, Hop
from linkguard.forensics.registration import Registration
from linkguard.forensics.tlsinfo import TlsFacts

__all__ = [
    "BROWSER",
    "CRAWLER",
    "OUTCOMES",
    "SOCIAL",
    "Chain",
    "ClientProfile",
    "EvidenceArchive",
    "FetchLimits",
    "FetchResult",
    "Fetcher",
    "ForensicsCache",
    "Hop",
    "Investigation",
    "Investigator",
    "NetworkPolicy",
    "Outcome",
    "PageClaims",
    "Refusal",
    "Registration",
    "TlsFacts",
    "Walk",
    "address_problem",
    "parse_ip_literal",
    "parse_resolve_overrides",
]
