"""Public indicator feeds and source ratings, as rule files with provenance (issue #17).

A feed is one rule file (``<name>.toml``) of ``[[blocked]]`` or ``[[rating]]`` entries, each naming
its campaign, source, source URL and date. The snapshot in the wheel (``rules/feeds/``, only what
the licences allow) is used until ``linkguard rules update-feeds`` writes a refreshed copy into the
user's data dir; a feed whose licence does not allow bundling exists only there. Nothing here runs
on the network unless asked.

Modules: ``sources`` (what each feed is, its licence), ``store`` (where the files are, their dates),
``meta``/``pravda``/``ratings`` (one parser per publisher's format), ``entries`` (an entry, writing a feed
file), ``update`` (the refresh), ``interop`` (MISP and STIX 2.1 indicators as rules).
"""

from __future__ import annotations

from linkguard.feeds.sources import FEEDS, FeedSource
from linkguard.feeds.store import feed_dates, feed_rule_files, feeds_in_force

__all__ = ["FEEDS", "FeedSource", "feed_dates", "feed_rule_files", "feeds_in_force"]
