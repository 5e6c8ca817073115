"""Shared test configuration; fixture modules register here."""

pytest_plugins = ["forensics_servers"]
