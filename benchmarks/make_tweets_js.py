#!/usr/bin/env python3
"""Write a synthetic X/Twitter archive ``tweets.js`` of about the given size, in the archive's schema.

Seeded, so every run writes the same bytes. About a third of the posts carry a t.co link whose
``expanded_url`` is a real outlet, a lookalike or a Facebook-wrapped lookalike; the rest is prose.
Used to time ``linkguard scan`` on structured input:

    python benchmarks/make_tweets_js.py /tmp/tweets.js --size-mb 20
    time linkguard scan /tmp/tweets.js --format jsonl --all -q > /dev/null
"""

from __future__ import annotations

import argparse
import json
import random
import string
from pathlib import Path

WORDS = (
    "die der und in zu den das nicht von sie ist Regierung Ukraine Krieg Kreml Propaganda the of and to "
    "election campaign news report officials said network fake accounts"
).split()
TARGETS = (
    "https://www.welt.de/politik/ausland/article{n}.html",
    "https://www.spiegel.de/politik/deutschland/a-{n}.html",
    "https://welt.ltd/politik/article{n}.html",
    "https://spiegel.ltd/politik/deutschland/a-{n}.html",
    "https://l.facebook.com/l.php?u=https%3A%2F%2Fwelt.ltd%2Fa{n}&h=AT0",
    "https://www.theguardian.com/world/{n}",
)


def _tco(rng: random.Random) -> str:
    return "https://t.co/" + "".join(rng.choices(string.ascii_letters + string.digits, k=10))


def _display(url: str) -> str:
    shown = url.split("://", 1)[1].removeprefix("www.")
    return shown if len(shown) <= 26 else shown[:25] + "…"


def tweet(rng: random.Random, n: int) -> dict[str, object]:
    text = " ".join(rng.choices(WORDS, k=rng.randint(8, 30)))
    urls = []
    if rng.random() < 0.35:
        target = rng.choice(TARGETS).format(n=n)
        tco = _tco(rng)
        start = len(text) + 1
        text = f"{text} {tco}"
        indices = [str(start), str(len(text))]
        urls.append({"url": tco, "expanded_url": target, "display_url": _display(target), "indices": indices})
    id_str = str(1_000_000_000_000_000_000 + n)
    return {
        "tweet": {
            "edit_info": {"initial": {"editTweetIds": [id_str], "editableUntil": "2024-01-01T12:00:00.000Z"}},
            "retweeted": False,
            "source": '<a href="https://mobile.twitter.com" rel="nofollow">Twitter Web App</a>',
            "entities": {"hashtags": [], "symbols": [], "user_mentions": [], "urls": urls},
            "display_text_range": ["0", str(len(text))],
            "favorite_count": str(rng.randint(0, 50)),
            "id_str": id_str,
            "truncated": False,
            "retweet_count": "0",
            "id": id_str,
            "created_at": "Mon Jan 01 12:00:00 +0000 2024",
            "favorited": False,
            "full_text": text,
            "lang": "de",
        }
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path)
    parser.add_argument("--size-mb", type=float, default=20.0)
    args = parser.parse_args()
    rng = random.Random(11)
    limit = int(args.size_mb * (1 << 20))
    with args.path.open("w", encoding="utf-8") as out:
        out.write("window.YTD.tweets.part0 = [")
        written, n = 0, 0
        while written < limit:
            chunk = ("," if n else "") + "\n  " + json.dumps(tweet(rng, n), indent=2, ensure_ascii=False)
            out.write(chunk)
            written += len(chunk.encode("utf-8"))
            n += 1
        out.write("\n]\n")
    print(f"{args.path}: {n} posts, {written / (1 << 20):.1f} MB")


if __name__ == "__main__":
    main()
