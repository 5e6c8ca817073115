"""``linkguard update-psl``: refresh the Public Suffix List on purpose (never done implicitly)."""

from __future__ import annotations

import click

from linkguard.cli.common import EXIT_CLEAN


@click.command("update-psl")
@click.option(
    "--url",
    default="https://publicsuffix.org/list/public_suffix_list.dat",
    show_default=True,
    help="Where to download the list from.",
)
def update_psl(url: str) -> int:
    """Download the current Public Suffix List into the user cache.

    Until this is run, linkguard splits domains with the snapshot bundled in tldextract and makes no
    network request for it. Set LINKGUARD_PSL_FILE to use a list file of your own.
    """
    from linkguard.normalize import update_psl as download

    path = download(url)
    click.echo(f"Public Suffix List saved to {path}; it is used from the next run on.")
    return EXIT_CLEAN


COMMANDS: list[click.Command] = [update_psl]
