"""What one link's investigation may spend in total: wall-clock time and bytes read.

Per-request timeouts and caps do not bound a *link*: a redirect chain dripped hop by hop just
under the timeout, or a page that is cheap to send and dear to read, multiplies them by the
hops, the visitor profiles and the registry look-ups. Every step of an investigation (DNS,
each request, each parse, RDAP/WHOIS) draws on one ``Budget``; when it runs out the step stops,
what was learnt before is kept, and the evidence says that the budget ran out.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from linkguard import limits
from linkguard.errors import FetchError


class BudgetExceeded(FetchError):
    """The link's investigation budget ran out; the step that hit it was not finished."""


class Budget:
    """A deadline and a byte allowance for one link; shared by the steps of one investigation."""

    def __init__(
        self,
        seconds: float = limits.LINK_BUDGET_S,
        max_bytes: int = limits.LINK_BUDGET_BYTES,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.seconds = seconds
        self.max_bytes = max_bytes
        self._clock = clock
        self.deadline = clock() + seconds
        self._spent = 0
        self._lock = threading.Lock()
        #: The first step that found the budget empty (for the evidence), or None.
        self.ran_out: str | None = None

    def left(self) -> float:
        """Seconds left (never negative)."""
        return max(0.0, self.deadline - self._clock())

    @property
    def bytes_left(self) -> int:
        with self._lock:
            return max(0, self.max_bytes - self._spent)

    def spend(self, n: int) -> None:
        with self._lock:
            self._spent += n

    @property
    def exhausted(self) -> bool:
        return self.left() <= 0 or self.bytes_left <= 0

    def note(self, what: str) -> None:
        """Remember the first step that ran out of budget."""
        if self.ran_out is None:
            self.ran_out = what

    def check(self, what: str) -> None:
        """Raise ``BudgetExceeded`` if nothing is left for ``what``."""
        if self.exhausted:
            self.note(what)
            raise BudgetExceeded(self.describe(what))

    def describe(self, what: str) -> str:
        if self.bytes_left <= 0:
            return f"the link's budget of {self.max_bytes} bytes read ran out before {what}"
        return f"the link's time budget of {self.seconds:g} s ran out during {what}"
