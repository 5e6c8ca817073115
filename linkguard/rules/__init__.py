"""Rules: trusted outlets, legitimate look-alikes, known-bad domains and shorteners, as TOML files.

One module per job::

    schema      the tables and their keys; the one check of an entry (loader and linter read it)
    model       RuleSet and the rule classes (what the detector uses), RuleEntry (what a file says)
    layering    how files combine: what [[removed]] hides, which entry wins
    positions   file:line of entries, keys and TOML syntax errors
    domains     a typed or pasted domain as rules store it
    load        read files, merge them: load_rules
    lint        linkguard rules validate: every fault, never an exception
    store       safe edits of the user's rules.toml (RuleStore; imported on first use)
    exchange    import and export lists (imported on first use)

The bundled rule *data* is another thing: the TOML files in ``rules/`` at the top of the
repository, shipped in the wheel as ``linkguard._rules``.
"""

from typing import TYPE_CHECKING, Any

from linkguard.rules.domains import (
    InvalidDomainError,
    NormalizedDomain,
    check_domain_value,
    normalize_rule_domain,
    split_registrable_differs,
)
from linkguard.rules.layering import hidden, in_force, layer, live_domains, removed_domains
from linkguard.rules.lint import Problem, validate_rules
from linkguard.rules.load import (
    build,
    bundled_rule_files,
    check_loadable,
    entries_of,
    load_rules,
    load_sources,
    parse_toml_text,
    read_entries,
    read_rule_file,
    read_rule_text,
    reference_rule_files,
    rule_entries,
    rule_sources,
)
from linkguard.rules.model import (
    BlockedRule,
    LegitRule,
    Origin,
    RatingRule,
    RuleEntry,
    RuleSet,
    ShortenerRule,
)
from linkguard.rules.positions import EntryPos, entry_lines, toml_error_line
from linkguard.rules.schema import (
    COUNTRY_CODE,
    EDITABLE_TABLES,
    FEED_PROVENANCE,
    OUTLET_KINDS,
    OUTLET_TIERS,
    REPORTED_DATE,
    RULE_TABLES,
    SCHEMA,
    TABLE_KEYS,
    Key,
    RuleTable,
    Severity,
    Table,
    entry_issues,
)

#: Names of the editing modules (tomlkit, filelock), imported on first use: loading needs neither.
_LAZY = {
    "RuleStore": "linkguard.rules.store",
    "atomic_write": "linkguard.rules.store",
    "describe": "linkguard.rules.store",
    "in_force_entries": "linkguard.rules.store",
    "ImportRow": "linkguard.rules.exchange",
    "export_rules": "linkguard.rules.exchange",
    "read_import_file": "linkguard.rules.exchange",
}

if TYPE_CHECKING:
    from linkguard.rules.exchange import ImportRow, export_rules, read_import_file
    from linkguard.rules.store import RuleStore, atomic_write, describe, in_force_entries


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'linkguard.rules' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


__all__ = [
    "COUNTRY_CODE",
    "EDITABLE_TABLES",
    "FEED_PROVENANCE",
    "OUTLET_KINDS",
    "OUTLET_TIERS",
    "REPORTED_DATE",
    "RULE_TABLES",
    "SCHEMA",
    "TABLE_KEYS",
    "BlockedRule",
    "EntryPos",
    "ImportRow",
    "InvalidDomainError",
    "Key",
    "LegitRule",
    "NormalizedDomain",
    "Origin",
    "Problem",
    "RatingRule",
    "RuleEntry",
    "RuleSet",
    "RuleStore",
    "RuleTable",
    "Severity",
    "ShortenerRule",
    "Table",
    "atomic_write",
    "build",
    "bundled_rule_files",
    "check_domain_value",
    "check_loadable",
    "describe",
    "entries_of",
    "entry_issues",
    "entry_lines",
    "export_rules",
    "hidden",
    "in_force",
    "in_force_entries",
    "layer",
    "live_domains",
    "load_rules",
    "load_sources",
    "normalize_rule_domain",
    "parse_toml_text",
    "read_entries",
    "read_import_file",
    "read_rule_file",
    "read_rule_text",
    "reference_rule_files",
    "removed_domains",
    "rule_entries",
    "rule_sources",
    "split_registrable_differs",
    "toml_error_line",
    "validate_rules",
]
