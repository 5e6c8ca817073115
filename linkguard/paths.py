"""Where linkguard keeps the user's files: one place, so every module and test agrees.

``LINKGUARD_RULES_DIR`` and ``LINKGUARD_CACHE_DIR`` override the platform defaults (tests point them
at temporary directories; sandboxes at writable ones).
"""

from __future__ import annotations

import os
from pathlib import Path

RULES_ENV = "LINKGUARD_RULES_DIR"
CACHE_ENV = "LINKGUARD_CACHE_DIR"


def user_rules_dir() -> Path:
    """``$LINKGUARD_RULES_DIR``, else the platform's config dir (``~/.config/linkguard/rules`` on Linux)."""
    env = os.environ.get(RULES_ENV)
    if env:
        return Path(env)
    import platformdirs

    return Path(platformdirs.user_config_dir("linkguard")) / "rules"


def cache_dir() -> Path:
    """``$LINKGUARD_CACHE_DIR``, else the platform's cache dir (``~/.cache/linkguard`` on Linux)."""
    env = os.environ.get(CACHE_ENV)
    if env:
        return Path(env)
    import platformdirs

    return Path(platformdirs.user_cache_dir("linkguard"))
