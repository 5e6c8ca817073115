"""The bundled CLDR country table against Babel, the slow way it replaces."""

from __future__ import annotations

import subprocess
import sys

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from linkguard.lookalike import cldr


def _same_babel() -> None:
    """The table is a snapshot of one Babel release: another release may name a territory otherwise
    (2.18 and 2.19 differ on SH, HM and TF), so only that release is the oracle to compare with."""
    import babel

    written = cldr._table()["babel"]
    if babel.__version__ != written:
        pytest.skip(
            f"table written from Babel {written}, {babel.__version__} installed: "
            "run tools/build_cldr_countries.py to compare"
        )


def _babel_name(code: str) -> str:
    from babel import Locale

    return str(Locale("en").territories.get(code.upper(), code.upper()))


def _babel_languages(country: str) -> frozenset[str]:
    if len(country) != 2:
        return frozenset()
    from babel.languages import get_official_languages

    return frozenset(code.split("_")[0] for code in get_official_languages(country, de_facto=True))


def test_bundled_table_is_what_the_installed_babel_says() -> None:
    """Fails if the file was edited by hand or written by another version of the tool."""
    _same_babel()
    assert cldr._table() == cldr.from_babel()


@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789ß", max_size=3))
@example("fr")
@example("CH")
@example("gb")
@example("001")
def test_answers_equal_babel(code: str) -> None:
    _same_babel()
    assert cldr.country_name(code) == _babel_name(code)
    assert cldr.languages(code) == _babel_languages(code)


def test_every_babel_territory_answers_the_same() -> None:
    _same_babel()
    from babel import Locale

    for code in Locale("en").territories:
        assert cldr.country_name(code.lower()) == _babel_name(code.lower())
        assert cldr.languages(code) == _babel_languages(code)


def test_a_scan_of_a_government_namespace_does_not_import_babel() -> None:
    code = (
        "import sys; from linkguard import scan_text; "
        "found = scan_text('gouv.fm bund.pe', use_blocklist=False); "
        "print([f.verdict.impersonates.name for f in found], 'babel' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "['Government namespace of France', 'Bundesverwaltung (bund.de)'] False"
