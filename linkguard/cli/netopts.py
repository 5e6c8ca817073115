"""Network options shared by ``check`` (online by default) and ``scan`` (offline by default).

The decorator collects the flags into one ``net: NetOptions`` argument so commands stay thin;
``build_investigator`` turns them into an ``Investigator``. Every default comes from
``linkguard.limits``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar, cast

import click

from linkguard import limits
from linkguard.cli.common import EXIT_CLEAN, EXIT_FLAGGED, EXIT_NETWORK
from linkguard.models import Link, Outlet, ScanStats, Verdict

F = TypeVar("F", bound=Callable[..., Any])
_KEYS = (
    "online",
    "allow_private",
    "resolve",
    "timeout",
    "max_redirects",
    "max_bytes",
    "concurrency",
    "budget",
    "proxy",
    "no_cache",
    "rdap_url",
    "whois_server",
    "evidence",
    "compare_outlet",
    "screenshot",
)


@dataclass(frozen=True, slots=True)
class NetOptions:
    online: bool
    allow_private: bool = False
    resolve: tuple[str, ...] = ()
    timeout: float | None = None
    max_redirects: int = limits.MAX_REDIRECTS
    max_bytes: int = limits.MAX_BODY_BYTES
    concurrency: int = limits.MAX_CONCURRENCY
    budget: float = limits.LINK_BUDGET_S
    proxy: str | None = None
    no_cache: bool = False
    rdap_url: str | None = None
    whois_server: str | None = None
    #: ``--evidence DIR``: keep every exchange as WARC 1.1 with a manifest.
    evidence: Path | None = None
    #: ``--compare-outlet``: fetch the real page of the outlet a page claims or a name imitates, compare.
    compare_outlet: bool = False
    #: ``--screenshot``: render the final page in headless Chromium into the evidence directory.
    screenshot: bool = False

    def to_dict(self) -> dict[str, Any]:
        """The options as the evidence manifest records them (a proxy's credentials left out)."""
        out = {k: getattr(self, k) for k in self.__dataclass_fields__}
        out["resolve"] = list(self.resolve)
        out["evidence"] = str(self.evidence) if self.evidence is not None else None
        if self.proxy and "@" in self.proxy:
            scheme, _, rest = self.proxy.partition("://")
            out["proxy"] = f"{scheme}://{rest.rpartition('@')[2]}"
        return out


def _check_resolve(ctx: click.Context, param: click.Parameter, value: tuple[str, ...]) -> tuple[str, ...]:
    if not value:
        return value  # no import of the network stack for offline runs
    from linkguard.forensics.netpolicy import parse_resolve_overrides

    try:
        parse_resolve_overrides(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc).removeprefix("--resolve "), ctx, param) from exc
    return value


def _check_whois(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is not None:
        host, sep, port = value.rpartition(":")
        if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise click.BadParameter(f"expected HOST:PORT, got {value!r}", ctx, param)
    return value


def network_options(*, default_online: bool) -> Callable[[F], F]:
    """Add the network flags; the command receives them as ``net: NetOptions``."""
    if default_online:
        switch = click.option(
            "--offline", "offline", is_flag=True, help="Classify by name only: no network access at all."
        )
    else:
        switch = click.option(
            "--online", "online", is_flag=True, help="Also investigate each flagged link over the network."
        )
    options = [
        switch,
        click.option(
            "--allow-private",
            is_flag=True,
            help="Lab use only: allow private/loopback/link-local addresses and any port.",
        ),
        click.option(
            "--resolve",
            multiple=True,
            metavar="HOST:IP",
            callback=_check_resolve,
            help="Pin HOST to IP instead of asking DNS, like curl --resolve (repeatable; still checked).",
        ),
        click.option(
            "--timeout",
            type=click.FloatRange(min=0.1, max=limits.MAX_TIMEOUT_S),
            default=None,
            metavar="SECONDS",
            help=f"Wall-clock limit per request [default: {limits.TOTAL_TIMEOUT_S:g}; "
            f"connect {limits.CONNECT_TIMEOUT_S:g}, read {limits.READ_TIMEOUT_S:g}; "
            f"at most {limits.MAX_TIMEOUT_S:g}].",
        ),
        click.option(
            "--budget",
            type=click.FloatRange(min=0.1, max=limits.MAX_LINK_BUDGET_S),
            default=limits.LINK_BUDGET_S,
            show_default=True,
            metavar="SECONDS",
            help="Wall-clock limit for one link's whole investigation (all hops, visitor profiles, "
            f"parsing, RDAP/WHOIS; at most {limits.MAX_LINK_BUDGET_S:g}).",
        ),
        click.option(
            "--max-redirects",
            type=click.IntRange(min=0, max=limits.MAX_REDIRECTS_CAP),
            default=limits.MAX_REDIRECTS,
            show_default=True,
            help="Hops followed (HTTP, meta refresh, JavaScript) before giving up.",
        ),
        click.option(
            "--max-bytes",
            type=click.IntRange(min=1024, max=limits.MAX_BODY_BYTES_CAP),
            default=limits.MAX_BODY_BYTES,
            show_default=True,
            help="Bytes read per response (decoded bodies may be up to 4x this; "
            f"at most {limits.MAX_BODY_BYTES_CAP}).",
        ),
        click.option(
            "--concurrency",
            type=click.IntRange(min=1, max=limits.MAX_CONCURRENCY_CAP),
            default=limits.MAX_CONCURRENCY,
            show_default=True,
            help="Links investigated in parallel.",
        ),
        click.option(
            "--proxy", metavar="URL", default=None, help="Send requests through this HTTP(S) proxy."
        ),
        click.option("--no-cache", is_flag=True, help="Neither read nor write the network-results cache."),
        click.option("--rdap-url", metavar="URL", default=None, help="Ask only this RDAP server (base URL)."),
        click.option(
            "--whois-server",
            metavar="HOST:PORT",
            default=None,
            callback=_check_whois,
            help="Ask only this WHOIS server.",
        ),
        click.option(
            "--evidence",
            metavar="DIR",
            type=click.Path(file_okay=False, path_type=Path),
            default=None,
            help="Keep every exchange (all hops, visitor profiles, RDAP/WHOIS) as WARC 1.1 in DIR, "
            "with manifest.json (URL, time, address, SHA-256 of each body); the cache is not read.",
        ),
        click.option(
            "--compare-outlet",
            is_flag=True,
            help="When a page claims to be an outlet or the name imitates one, fetch the outlet's real "
            "front page (once per run, same guard and limits) and say how alike they are (ssdeep).",
        ),
        click.option(
            "--screenshot",
            is_flag=True,
            help="Render each investigated page in headless Chromium into the --evidence DIR (PNG and "
            "SHA-256 in manifest.json); every browser request goes through the same guard. Needs the "
            "screenshot extra and a Chromium.",
        ),
    ]

    def decorator(func: F) -> F:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            values = {key: kwargs.pop(key) for key in _KEYS if key in kwargs}
            offline = kwargs.pop("offline", False)
            online = bool(values.pop("online", False)) if not default_online else not offline
            values["resolve"] = tuple(values.get("resolve", ()))
            if values.get("evidence") is not None and not online:
                flag = "--offline" if default_online else "a scan without --online"
                raise click.UsageError(
                    f"--evidence keeps what the network showed: it cannot be used with {flag}"
                )
            for key in ("compare_outlet", "screenshot"):
                if values.get(key) and not online:
                    flag = "--offline" if default_online else "a scan without --online"
                    name = "--" + key.replace("_", "-")
                    raise click.UsageError(
                        f"{name} looks at pages over the network: it cannot be used with {flag}"
                    )
            if values.get("screenshot") and values.get("evidence") is None:
                raise click.UsageError("--screenshot keeps its PNG with the evidence: give --evidence DIR")
            return func(*args, net=NetOptions(online=online, **values), **kwargs)

        for option in reversed(options):
            wrapper = option(wrapper)
        return cast(F, wrapper)

    return decorator


def build_investigator(
    options: NetOptions,
    classify: Callable[[Link], Verdict] | None,
    outlets: Sequence[Outlet],
) -> Any:
    """An ``Investigator`` configured from the flags (returned as Any: forensics is imported late)."""
    from linkguard.forensics import (
        FetchLimits,
        ForensicsCache,
        Investigator,
        NetworkPolicy,
        parse_resolve_overrides,
    )

    if options.allow_private:
        click.secho(
            "WARNING: --allow-private: links may now reach private, loopback and cloud-metadata addresses "
            "and any port. Use only in an isolated lab.",
            fg="red",
            bold=True,
            err=True,
        )
    policy = NetworkPolicy(
        allow_private=options.allow_private, resolve=parse_resolve_overrides(options.resolve)
    )

    def cache_warning(message: str) -> None:  # the cache reports a fault once, then stays out of use
        click.echo(f"Warning: {message}", err=True)

    whois_server = None
    if options.whois_server:
        host, _, port = options.whois_server.rpartition(":")
        whois_server = (host.strip("[]"), int(port))
    fetch_limits = FetchLimits(
        max_redirects=options.max_redirects,
        max_body_bytes=options.max_bytes,
        max_decoded_bytes=max(options.max_bytes * 4, options.max_bytes),
        max_concurrency=options.concurrency,
        budget=options.budget,
    ).with_timeout(options.timeout)
    chromium = None
    if options.screenshot:  # fail before any network work when the browser is missing
        from linkguard.forensics.screenshot import find_chromium

        chromium = find_chromium()
    archive = None
    if options.evidence is not None:
        from linkguard import __version__
        from linkguard.forensics.archive import EvidenceArchive

        archive = EvidenceArchive(options.evidence, version=__version__, options=options.to_dict())
    return Investigator(
        classify=classify,
        outlets=outlets,
        policy=policy,
        limits=fetch_limits,
        archive=archive,
        cache=None if options.no_cache else ForensicsCache(on_error=cache_warning),
        rdap_base=options.rdap_url,
        whois_server=whois_server,
        proxy=options.proxy,
        compare_outlets=options.compare_outlet,
        screenshot=chromium,
    )


def exit_code(flagged: bool, stats: ScanStats) -> int:
    """1 when something is flagged; else 4 when an investigation asked for could not complete."""
    if flagged:
        return EXIT_FLAGGED
    return EXIT_NETWORK if stats.incomplete else EXIT_CLEAN


def warn_unreachable(stats: ScanStats) -> None:
    """Say once, on stderr, when no investigation reached anything and some failed outright."""
    outcomes = stats.investigations
    if outcomes["failed"] and not outcomes["resolved"]:
        total, failed = outcomes.total(), outcomes["failed"]
        click.echo(
            f"linkguard: none of the {total} investigation(s) reached its link ({failed} failed): "
            "the network seems unreachable; each finding's evidence says what failed",
            err=True,
        )
