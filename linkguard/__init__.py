"""linkguard: find links to lookalike news domains in posts and dumps."""

from linkguard.errors import (
    BlockedAddressError,
    FetchError,
    ForensicsError,
    InputError,
    LinkguardError,
    RegistrationError,
    RulesError,
)
from linkguard.models import Candidate, Evidence, Finding, Link, Outlet, Record, ScanStats, Skipped, Verdict
from linkguard.rules import RuleSet, load_rules

__version__ = "0.1.0"

__all__ = [
    "BlockedAddressError",
    "Candidate",
    "Evidence",
    "FetchError",
    "Finding",
    "ForensicsError",
    "InputError",
    "Link",
    "LinkguardError",
    "Outlet",
    "Record",
    "RegistrationError",
    "RuleSet",
    "RulesError",
    "ScanStats",
    "Skipped",
    "Verdict",
    "__version__",
    "load_rules",
]
