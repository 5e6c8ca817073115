"""``linkguard update-popular``: refresh the popular-domains list on purpose (never done implicitly)."""

from __future__ import annotations

import click

from linkguard.cli.common import EXIT_CLEAN
from linkguard.limits import POPULAR_MAX_ENTRIES
from linkguard.popular import DEFAULT_POPULAR_URL


@click.command("update-popular")
@click.option(
    "--url", default=DEFAULT_POPULAR_URL, show_default=True, help="Where to download the list from."
)
@click.option(
    "--limit",
    type=click.IntRange(min=1),
    default=POPULAR_MAX_ENTRIES,
    show_default=True,
    help="Registrable domains kept, best-ranked first.",
)
def update_popular(url: str, limit: int) -> int:
    """Download a top-sites ranking (CrUX, Tranco, Majestic, Cloudflare Radar CSV) into the user cache.

    Until this is run, linkguard uses the snapshot in the wheel and makes no network request for it.
    A download that is not such a list is refused and the list in use stays. Set
    LINKGUARD_POPULAR_FILE to use a list file of your own.
    """
    from linkguard.popular import update_popular as download

    path, count = download(url, limit=limit)
    click.echo(f"{count} popular domains saved to {path}; they are used from the next run on.")
    return EXIT_CLEAN


COMMANDS: list[click.Command] = [update_popular]
