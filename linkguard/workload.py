"""How much scanning work a text holds per byte, judged from its first bytes: ``scan --jobs``
plans by work, not bytes.

A byte of prose costs a scan ~25 ns; a host seen for the first time ~60–90 µs (its parsing and
lookalike judgement; later sightings are memoised). A list of domains, a new host every ~15
bytes, is ~100x the work of prose per byte: planned by bytes, a 1 MB list is one unit and
``--jobs`` leaves every core but one idle. :func:`weight` estimates the factor from the distinct
host-like words of a file's head (the bytes sniffed for its format); the planner divides its unit
size by it.
"""

from __future__ import annotations

import re

from linkguard.limits import DENSE_MIN_WEIGHT, HOST_COST_BYTES

#: A dotted name ending in two letters or more, on lowercased bytes (an IDN counts by its ASCII
#: labels): cheaper than extraction, and a count is all that is wanted.
_HOSTISH = re.compile(rb"(?:[a-z0-9-]+\.)+[a-z]{2,}")
#: No text is estimated at more than this: a host is at least this many bytes apart from the next.
MAX_WEIGHT = HOST_COST_BYTES // 4


def weight(head: bytes) -> float:
    """The estimated work per byte of a text that starts with ``head``, in bytes of prose: 1.0 for
    prose (below ``DENSE_MIN_WEIGHT``), up to ``MAX_WEIGHT`` for a list of distinct domains."""
    if not head:
        return 1.0
    hosts = len(set(_HOSTISH.findall(head.lower())))
    estimate = min(float(MAX_WEIGHT), hosts * HOST_COST_BYTES / len(head))
    return estimate if estimate >= DENSE_MIN_WEIGHT else 1.0
