"""Lookalike detection: does a link's domain imitate a trusted outlet, and how?

``load_detector()`` builds (or reads from the disk cache) the index once and returns a
``Detector``; ``Detector(rules).classify(link)`` returns a ``Verdict`` with a 0–100 score (suspicious at ≥ 50,
see ``scoring``), the imitated ``Outlet``, the techniques found and one quotable evidence line per
technique. README.md in this package documents the techniques and how to read a verdict.
"""

from linkguard.lookalike.cache import load_detector
from linkguard.lookalike.detector import Detector
from linkguard.lookalike.scoring import SUSPICIOUS_THRESHOLD

__all__ = ["SUSPICIOUS_THRESHOLD", "Detector", "load_detector"]
