"""Shared test configuration; fixture modules register here."""

import atexit
import os
import shutil
import tempfile

from hypothesis import settings

# The rules/index cache (linkguard.lookalike.cache) goes to a throw-away dir, never the user's cache.
_CACHE_DIR = tempfile.mkdtemp(prefix="linkguard-test-cache-")
os.environ["LINKGUARD_CACHE_DIR"] = _CACHE_DIR
atexit.register(shutil.rmtree, _CACHE_DIR, ignore_errors=True)
# Library calls read the user's rules like the CLI does: never the developer's own ones in tests.
_RULES_DIR = tempfile.mkdtemp(prefix="linkguard-test-rules-")
os.environ["LINKGUARD_RULES_DIR"] = _RULES_DIR
atexit.register(shutil.rmtree, _RULES_DIR, ignore_errors=True)
# Refreshed indicator feeds (``rules update-feeds``) likewise: the bundled snapshot unless a test refreshes.
_FEEDS_DIR = tempfile.mkdtemp(prefix="linkguard-test-feeds-")
os.environ["LINKGUARD_FEEDS_DIR"] = _FEEDS_DIR
atexit.register(shutil.rmtree, _FEEDS_DIR, ignore_errors=True)

# CI runs the same examples every time (a red build must be reproducible); locally hypothesis explores.
settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
settings.register_profile("dev", deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")

pytest_plugins = ["forensics_servers"]
