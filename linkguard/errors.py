"""Exceptions raised by linkguard.

::

    LinkguardError
    ├── RulesError            a rule file or rule is invalid (message names file:line)
    │   └── FeedError         an indicator feed or MISP/STIX file is malformed (nothing was changed)
    ├── InputError            a whole source is unusable (missing path, unknown format)
    └── ForensicsError
        ├── BlockedAddressError   a hop resolved to a private/loopback/link-local/reserved address
        ├── FetchError            timeout, too many redirects, too large (wraps httpx errors)
        ├── RegistrationError     RDAP/WHOIS failure
        └── ScreenshotError       --screenshot without Playwright or Chromium

A fault in one record is never an exception: it becomes a counted ``Skipped``.
"""

from __future__ import annotations


class LinkguardError(Exception):
    """Root of every error linkguard raises on purpose; the CLI prints it as one line."""


class RulesError(LinkguardError):
    pass


class FeedError(RulesError):
    pass


class InputError(LinkguardError):
    pass


class ForensicsError(LinkguardError):
    pass


class BlockedAddressError(ForensicsError):
    def __init__(self, message: str, *, host: str = "", address: str = "") -> None:
        super().__init__(message)
        self.host = host
        self.address = address


class FetchError(ForensicsError):
    pass


class RegistrationError(ForensicsError):
    pass


class ScreenshotError(ForensicsError):
    pass
