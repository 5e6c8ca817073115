"""What became of one link's investigation: the verdict, whether it completed, and any refusal.

A verdict alone cannot say "the network failed": a failure is evidence inside it, and a caller
(the CLI's exit code, the summary) would have to find it again by matching strings. The
investigator therefore returns an ``Investigation``: the verdict, an ``outcome`` the caller can
count, and, when the very first hop was refused by the network policy, the refusal itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

from linkguard.errors import BlockedAddressError
from linkguard.models import Verdict

#: ``resolved``: the walk ended where the link leads (a page, a redirect loop, a non-web target);
#: ``failed``: the name did not resolve or a request failed before the destination was reached;
#: ``refused``: the network policy refused a hop (a private, loopback or metadata address);
#: ``budget``: the link's time or byte budget ran out before every step was done;
#: ``registry-failed``: the walk completed, but a registration lookup (RDAP/WHOIS) got no answer
#: (refused, HTTP error, timeout), so the domain's age is unknown for want of an answer.
Outcome = Literal["resolved", "failed", "refused", "budget", "registry-failed"]
OUTCOMES: tuple[Outcome, ...] = get_args(Outcome)


@dataclass(frozen=True, slots=True)
class Refusal:
    """The first hop was refused: nothing at all was learnt from the network."""

    url: str
    address: str
    detail: str

    def to_error(self) -> BlockedAddressError:
        return BlockedAddressError(self.detail, address=self.address)


@dataclass(frozen=True, slots=True)
class Investigation:
    """One link's investigation: the verdict with the network's evidence, and how it ended."""

    verdict: Verdict
    outcome: Outcome = "resolved"
    #: What failed and why, in a sentence (empty when resolved).
    reason: str = ""
    refusal: Refusal | None = None

    @property
    def complete(self) -> bool:
        """Everything asked for was done: what the verdict says is all there was to learn."""
        return self.outcome == "resolved"
