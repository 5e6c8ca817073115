"""Rebuild the feed snapshot in the wheel (``rules/feeds/``) from a local git mirror of a feed's repository.

Only feeds whose licence allows redistribution are bundled (``FeedSource.bundled``). The same parser
and checks as ``linkguard rules update-feeds`` run; the files come from ``git show`` instead of HTTP,
and the snapshot is dated by the mirror's last commit::

    python tools/build_bundled_feeds.py meta-threat-research /path/to/facebook/threat-research.git
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote, urlsplit

from linkguard.feeds.sources import FEEDS
from linkguard.feeds.store import MANIFEST
from linkguard.feeds.update import _trusted_domains, prepare

OUT = Path(__file__).resolve().parent.parent / "rules" / "feeds"


def git(repo: str, *args: str) -> bytes:
    return subprocess.run(["git", "-C", repo, *args], check=True, capture_output=True).stdout


def main(name: str, repo: str) -> None:
    feed = FEEDS[name]
    if not feed.bundled:
        sys.exit(f"{name}: its licence ({feed.licence}) does not allow bundling")
    commit, date = git(repo, "log", "-1", "--format=%H %cs").decode().split()

    def get(url: str) -> bytes:
        path = unquote(urlsplit(url).path)
        if "/git/trees/" in path:
            names = git(repo, "ls-tree", "-r", "--name-only", "-z", "HEAD").decode().split("\0")
            return json.dumps({"tree": [{"path": n, "type": "blob"} for n in names if n]}).encode()
        return git(repo, "show", f"HEAD:{path.split('/main/', 1)[1]}")

    update = prepare(feed, get, api="", raw="", date=date, trusted=_trusted_domains(), origin="bundled")
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / f"{name}.toml").write_text(update.text, encoding="utf-8")
    manifest_path = OUT / MANIFEST
    manifest = json.loads(manifest_path.read_text(encoding="utf-8")) if manifest_path.exists() else {}
    manifest[name] = {"date": date, "commit": commit, "domains": update.total, "source": feed.homepage}
    manifest_path.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    print(
        f"{name}: {update.total} domains ({len(update.trusted)} trusted by the bundled rules left out: "
        f"{', '.join(update.trusted) or '-'}) from {commit[:12]} ({date})"
    )


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
