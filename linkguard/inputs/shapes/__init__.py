"""Platform export shapes inside JSON: one module each, listed here in the order they are tried.

Adding a shape is one module that declares a :class:`~linkguard.inputs.jsontree.Shape` plus one
line in ``SHAPES`` (see ``docs/extending.md``). The first shape whose ``is_post`` accepts an
object reads it; objects no shape claims are walked string by string.
"""

from __future__ import annotations

from linkguard.inputs.jsontree import Shape
from linkguard.inputs.shapes import (
    activitypub,
    bluesky,
    facebook,
    mastodon,
    reddit,
    telegram,
    twitter,
    youtube,
)

SHAPES: tuple[Shape, ...] = (
    twitter.SHAPE,
    telegram.SHAPE,
    activitypub.SHAPE,
    mastodon.SHAPE,
    reddit.SHAPE,
    bluesky.SHAPE,
    facebook.SHAPE,
    youtube.SHAPE,
)

__all__ = ["SHAPES", "Shape"]
