"""What CLDR says about a country (via Babel), bundled: its English name and official languages.

Babel answers both, but its first answer costs a process ~40 ms: importing it, unpickling the
English locale (which imports ``babel.dates`` and looks up the local time zone) and its global
data. Every ``scan --jobs`` worker paid that again for the first government namespace or country
ending it met. ``linkguard/data/cldr-countries.json`` holds Babel's answers for every territory
it knows (:func:`from_babel`, written by ``tools/build_cldr_countries.py``); a test holds the file
equal to the Babel release it was written from (Babel is a dev dependency now: only rebuilding
the file and those tests need it).
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

FILE = "cldr-countries.json"


@cache
def _table() -> dict[str, Any]:
    text = resources.files("linkguard.data").joinpath(FILE).read_text(encoding="utf-8")
    table: dict[str, Any] = json.loads(text)
    return table


@cache
def country_name(code: str) -> str:
    """The English name of a country, else its code."""
    key = code.upper()
    return str(_table()["names"].get(key, key))


@cache
def languages(country: str) -> frozenset[str]:
    """The official and de-facto languages of a country; empty when unknown.

    A namesake abroad is common where people share the language (lanacion.cl next to
    lanacion.com.ar); the same name on the ending of a country with another language is not.
    """
    if len(country) != 2:
        return frozenset()
    return frozenset(_table()["languages"].get(country.upper(), ()))


def from_babel() -> dict[str, Any]:
    """The table as the installed Babel gives it (the slow way the bundled file replaces; needs the
    dev extra)."""
    import babel
    from babel import Locale
    from babel.core import get_global
    from babel.languages import get_official_languages

    names = {code: str(name) for code, name in sorted(Locale("en").territories.items())}
    spoken = {
        code: sorted({lang.split("_")[0] for lang in get_official_languages(code, de_facto=True)})
        for code in sorted(get_global("territory_languages"))
    }
    return {"babel": babel.__version__, "names": names, "languages": {k: v for k, v in spoken.items() if v}}
