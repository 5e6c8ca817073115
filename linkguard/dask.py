"""``linkguard.dask``: scan Dask Bags and DataFrames of posts, or whole dumps on a Dask cluster.

The code lives in :mod:`linkguard.dask_scan`; this module only names it, and imports nothing
called ``dask`` itself, so it can never stand in for the ``dask`` package (absolute imports in
``linkguard.dask_scan`` always reach the real one). Needs ``pip install 'linkguard[dask]'``.
"""

from linkguard.dask_scan import (
    COLUMNS,
    ClusterScan,
    RulesPayload,
    ScanOptions,
    merge_stats,
    plan,
    scan_bag,
    scan_dataframe,
)

__all__ = [
    "COLUMNS",
    "ClusterScan",
    "RulesPayload",
    "ScanOptions",
    "merge_stats",
    "plan",
    "scan_bag",
    "scan_dataframe",
]
