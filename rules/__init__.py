"""Bundled rule files (TOML); installed as the package ``linkguard._rules``."""
