"""Rebuild ``linkguard/data/cldr-countries.json`` from the installed Babel (after upgrading it).

python tools/build_cldr_countries.py
"""

from __future__ import annotations

import json
from pathlib import Path

from linkguard.lookalike.cldr import FILE, from_babel


def main() -> int:
    out = Path(__file__).resolve().parents[1] / "linkguard" / "data" / FILE
    table = from_babel()
    out.write_text(json.dumps(table, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"{len(table['names'])} names, {len(table['languages'])} territories' languages -> {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
