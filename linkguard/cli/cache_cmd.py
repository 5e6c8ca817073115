"""`linkguard cache`: inspect or empty the network-results cache."""

from __future__ import annotations

import json

import click

from linkguard.errors import InputError
from linkguard.forensics.cache import ForensicsCache


@click.group("cache")
def cache() -> None:
    """The cache of network results (redirect walks, RDAP/WHOIS answers, DNS)."""


@cache.command("info")
@click.option("--json", "as_json", is_flag=True, help="Print the numbers as JSON.")
def info(as_json: bool) -> None:
    """Where the cache lives, how big it is, and how many answers it holds."""
    with ForensicsCache() as store:
        data = store.info()
    if as_json:
        click.echo(json.dumps(data, indent=2, sort_keys=True))
        return
    click.echo(f"path:    {data['path']}{'' if data['exists'] else ' (not created yet)'}")
    if data.get("error"):
        click.echo(f"status:  unusable ({data['error']}); `linkguard cache clear` removes it")
    click.echo(f"size:    {data['bytes']} bytes")
    click.echo(f"ttl:     {data['ttl_s'] / 3600:g} h")
    click.echo(f"entries: {data['entries']} live, {data['expired']} expired")
    for kind, count in sorted(data["kinds"].items()):
        click.echo(f"  {kind}: {count}")


@cache.command("clear")
def clear() -> None:
    """Delete every cached answer (the next run asks the network again)."""
    with ForensicsCache() as store:
        try:
            removed = store.clear()
        except OSError as exc:
            raise InputError(f"cannot remove the cache {store.path}: {exc.strerror or exc}") from None
        if removed is None:
            click.echo(f"Removed the unreadable cache {store.path}")
        else:
            click.echo(f"Removed {removed} cached entr{'y' if removed == 1 else 'ies'} from {store.path}")


COMMANDS: list[click.Command] = [cache]
