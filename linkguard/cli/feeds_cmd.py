"""``linkguard rules update-feeds``: refresh the indicator feeds and source ratings on request."""

from __future__ import annotations

import click

from linkguard.cli.common import EXIT_CLEAN
from linkguard.feeds.sources import FEEDS

#: Domains listed per change before "… and N more".
_SHOWN = 20


def _listing(label: str, domains: list[str]) -> str:
    more = f" … and {len(domains) - _SHOWN:,} more" if len(domains) > _SHOWN else ""
    return f"  {label}: {', '.join(domains[:_SHOWN])}{more}"


@click.command("update-feeds")
@click.option(
    "--feed",
    "names",
    multiple=True,
    type=click.Choice(sorted(FEEDS)),
    help="Refresh only this feed (repeatable; default: all).",
)
@click.option(
    "--mirror",
    default=None,
    metavar="URL",
    help="Fetch from this base URL instead of api.github.com and raw.githubusercontent.com (same paths).",
)
def update_feeds_cmd(names: tuple[str, ...], mirror: str | None) -> int:
    """Download the indicator feeds and source ratings into your data dir (never done implicitly).

    Meta's influence-operation indicators (MIT) replace the snapshot in the wheel; CheckFirst's Pravda
    network hosts and the Lin et al. 2023 ratings, whose licences do not allow bundling, exist only
    once fetched. Every feed is checked before anything is written: a malformed one is refused and
    the rules in force stay as they were. Prints what was added and removed.
    """
    from linkguard.feeds.update import update_feeds

    for u in update_feeds(names, mirror=mirror):
        click.echo(
            f"{u.feed.name}: {u.total:,} domains (+{len(u.added):,} added, -{len(u.removed):,} removed) "
            f"saved to {u.path}"
        )
        if u.added:
            click.echo(_listing("added", u.added))
        if u.removed:
            click.echo(_listing("removed", u.removed))
        if u.trusted:
            click.echo(_listing("left out, trusted by the bundled rules", u.trusted))
    click.echo("The feeds are used from the next run on.", err=True)
    return EXIT_CLEAN
