"""linkguard: find links to lookalike news domains in posts and dumps.

::

    import linkguard
    for finding in linkguard.scan_file("dump.jsonl.gz"):
        if finding.flagged:
            print(finding.link.host, finding.verdict.impersonates, finding.verdict.evidence)

The scanning names are loaded on first use (PEP 562), so ``import linkguard`` stays cheap and the
network stack (httpx, beautifulsoup4) is imported only by code that investigates.
"""

from typing import TYPE_CHECKING, Any

from linkguard.errors import (
    BlockedAddressError,
    FetchError,
    ForensicsError,
    InputError,
    LinkguardError,
    RegistrationError,
    RulesError,
)
from linkguard.models import (
    Candidate,
    Evidence,
    Finding,
    Link,
    Outlet,
    Post,
    Record,
    ScanStats,
    Skipped,
    Verdict,
)
from linkguard.rules import RuleSet, load_rules

__version__ = "0.1.0"

#: Public name → module that defines it, imported on first access.
_LAZY = {
    "Scanner": "linkguard.scan",
    "scan_text": "linkguard.scan",
    "scan_file": "linkguard.scan",
    "check_url": "linkguard.scan",
    "Detector": "linkguard.lookalike",
    "load_detector": "linkguard.lookalike",
    "Investigator": "linkguard.forensics",
    "NetworkPolicy": "linkguard.forensics",
    "render": "linkguard.report",
    "open_writer": "linkguard.report",
    "parse_link": "linkguard.normalize",
    "candidates": "linkguard.extract",
}

if TYPE_CHECKING:
    from linkguard.extract import candidates
    from linkguard.forensics import Investigator, NetworkPolicy
    from linkguard.lookalike import Detector, load_detector
    from linkguard.normalize import parse_link
    from linkguard.report import open_writer, render
    from linkguard.scan import Scanner, check_url, scan_file, scan_text


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'linkguard' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


__all__ = [
    "BlockedAddressError",
    "Candidate",
    "Detector",
    "Evidence",
    "FetchError",
    "Finding",
    "ForensicsError",
    "InputError",
    "Investigator",
    "Link",
    "LinkguardError",
    "NetworkPolicy",
    "Outlet",
    "Post",
    "Record",
    "RegistrationError",
    "RuleSet",
    "RulesError",
    "ScanStats",
    "Scanner",
    "Skipped",
    "Verdict",
    "__version__",
    "candidates",
    "check_url",
    "load_detector",
    "load_rules",
    "open_writer",
    "parse_link",
    "render",
    "scan_file",
    "scan_text",
]
