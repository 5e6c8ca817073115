"""CheckFirst's Pravda network collection (github.com/CheckFirstHQ/pravda-network): the network's hosts.

CheckFirst scrapes every site of the Pravda network ("Portal Kombat") hourly into one
``data/<host>.csv.gz`` per site; the file names are the list of sites. Only the directory listing is
read (GitHub's contents API), never the articles. The data is offered for research with a citation,
not under an open licence, so the wheel carries none of it: ``update-feeds --feed checkfirst-pravda``
fetches it into the user's data dir.
"""

from __future__ import annotations

from linkguard.errors import FeedError
from linkguard.feeds.entries import FeedEntry, domains_in

REPO = "CheckFirstHQ/pravda-network"
SOURCE = "CheckFirst, Pravda network data collection (github.com/CheckFirstHQ/pravda-network)"
SOURCE_URL = f"https://github.com/{REPO}"
CAMPAIGN = "Pravda network (Portal Kombat)"
_SUFFIX = ".csv.gz"


def parse_listing(data: object, *, date: str) -> list[FeedEntry]:
    """The registrable domains of the hosts named by ``data/*.csv.gz`` in a contents-API answer."""
    if not isinstance(data, list) or not all(isinstance(e, dict) for e in data):
        raise FeedError("not a GitHub directory listing (expected a JSON array of entries)")
    hosts = sorted(
        str(e["name"])[: -len(_SUFFIX)]
        for e in data
        if isinstance(e.get("name"), str) and str(e["name"]).endswith(_SUFFIX)
    )
    seen: dict[str, FeedEntry] = {}
    for host in hosts:
        for domain in domains_in(host, subdomains=True):  # the network's own hosts
            seen.setdefault(domain, FeedEntry(domain, SOURCE, SOURCE_URL, date, CAMPAIGN))
    if not seen:
        raise FeedError("the listing names no data/<host>.csv.gz file: not the Pravda network collection")
    return list(seen.values())
