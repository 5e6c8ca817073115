"""Compatibility name for ``linkguard.rules.store`` (safe edits of the user's rules) and
``linkguard.rules.exchange`` (import and export lists); new code imports from ``linkguard.rules``."""

from linkguard.rules.exchange import ImportRow, export_rules, read_import_file
from linkguard.rules.schema import EDITABLE_TABLES, RuleTable
from linkguard.rules.store import (
    LOCK_FILE,
    LOCK_TIMEOUT,
    USER_FILE,
    InvalidDomainError,
    NormalizedDomain,
    RuleStore,
    atomic_write,
    describe,
    in_force_entries,
    normalize_rule_domain,
)

__all__ = [
    "EDITABLE_TABLES",
    "LOCK_FILE",
    "LOCK_TIMEOUT",
    "USER_FILE",
    "ImportRow",
    "InvalidDomainError",
    "NormalizedDomain",
    "RuleStore",
    "RuleTable",
    "atomic_write",
    "describe",
    "export_rules",
    "in_force_entries",
    "normalize_rule_domain",
    "read_import_file",
]
