"""The homoglyph table: UTS #39 confusables plus Chromium's extra look-alikes, end to end.

Cases adapted from Chromium's IDN spoof checker (``skeleton_generator.cc`` and its unit tests) to
the outlets linkguard knows: each host must be read as the outlet it imitates.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from linkguard.cli import main
from linkguard.lookalike.confusables import TABLE_FILE, _fold, skeleton, skeletons, table


@pytest.mark.parametrize(
    ("label", "reads_as"),
    [
        ("ѕрiеgеl", "spiegel"),  # Cyrillic dze, er, ie (UTS #39)
        ("theɡuardian", "theguardian"),  # IPA script g (UTS #39)
        ("lеmоndе", "lemonde"),  # Cyrillic ie, o
        ("ᴡᴇʟᴛ", "welt"),  # small capitals
        ("ꮃelt", "welt"),  # Cherokee small letter (IDNA maps it to the capital Ꮃ)
        ("wełt", "welt"),  # ł: Chromium's diacritic remover
        ("spiegeł", "spiegel"),
        ("lømonde", "lomonde"),  # ø → o
        ("đw", "dw"),  # đ → d
        ("ħeise", "heise"),  # ħ → h (Chromium ExtraConf)
        ("ƅild", "bild"),  # ƅ → b
        ("ŋzz", "nzz"),  # ŋ → n
        ("ωelt", "welt"),  # Greek omega → w
        ("ıdw", "idw"),  # dotless i
        ("ȷoj", "joj"),  # dotless j
        ("таz", "taz"),  # Cyrillic te → t
        ("𝐰𝐞𝐥𝐭", "welt"),  # mathematical bold, via NFKC
        ("ℊuardian", "guardian"),  # letterlike script g, via NFKC
        ("spiege\u0301l", "spiegel"),  # combining marks dropped
        ("rnonde", "monde"),  # ASCII sequence
    ],
)
def test_lookalikes_read_as_the_letters_they_imitate(label: str, reads_as: str) -> None:
    assert skeleton(label) == reads_as


def test_two_faced_characters_give_both_readings() -> None:
    assert set(skeletons("þild")) == {"pild", "bild"}  # thorn: p or b
    assert set(skeletons("œuvre")) == {"oeuvre", "ceuvre"}
    assert set(skeletons("süddeutsche")) == {"suddeutsche", "sueddeutsche"}


@pytest.mark.parametrize("label", ["spiegel", "welt", "lemonde", "heise", "nzz", "bild", "faz", "taz"])
def test_a_plain_ascii_name_is_its_own_skeleton(label: str) -> None:
    assert skeleton(label) == label


def test_lowercase_i_l_and_5_s_stay_apart() -> None:
    assert skeleton("il") == "il"
    assert skeleton("5s") == "5s"
    assert skeleton("I") == "i"  # hosts are case-folded first, as IDNA does


def test_the_table_covers_the_scripts_a_host_can_mix() -> None:
    # Latin Extended, IPA, small capitals, Greek, Cyrillic, Armenian, Cherokee, Lisu
    for ch in "łøđħþƅŋœıȷɡɑᴀʙᴄᴅᴇᴋᴍɴᴏᴘʀꜱᴛᴜᴠᴡʏᴢωαορνιкмнтвѕрсеоіјһԁօհսᏔꮃꓲ":
        assert skeleton(ch).isascii() and skeleton(ch).isalnum(), ch
    chars = table().chars
    assert all(dst.isascii() for dst in chars.values())
    # every key is in the folded form the skeleton looks characters up in
    assert all(_fold(src) == src for src in chars)


def test_the_table_names_its_sources_and_licences() -> None:
    header = TABLE_FILE.read_text(encoding="utf-8")[:3000]
    assert "UTS #39" in header and "Unicode License v3" in header
    assert "skeleton_generator.cc" in header and "BSD 3-Clause" in header


@pytest.mark.parametrize(
    ("host", "outlet"),
    [
        ("ѕрiеgеl.de", "spiegel.de"),
        ("theɡuardian.com", "theguardian.com"),
        ("wełt.de", "welt.de"),
        ("lеmоndе.fr", "lemonde.fr"),
        ("ħeise.de", "heise.de"),
        ("ωelt.de", "welt.de"),
    ],
)
def test_check_flags_real_homoglyph_hosts(capsys: pytest.CaptureFixture[str], host: str, outlet: str) -> None:
    code = main(["check", host, "--offline", "--no-blocklist", "--format", "json"])
    doc = json.loads(capsys.readouterr().out)
    assert code == 1
    assert doc["flagged"] is True
    assert doc["impersonates"]["domain"] == outlet
    assert "homoglyph" in doc["techniques"]


def test_scan_finds_and_flags_homoglyph_hosts_in_prose(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    post = tmp_path / "post.txt"
    post.write_text(
        "Lest den Bericht auf theɡuardian.com und wełt.de!\n"
        "Auch ѕрiеgеl.de (und lеmоndе.fr) berichten.\n"
        "Normale Seite: spiegel.de\n",
        encoding="utf-8",
    )
    code = main(["scan", str(post), "--all", "--format", "jsonl", "--no-blocklist"])
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.strip()]
    got = {r["text"]: (r["flagged"], (r.get("impersonates") or {}).get("domain")) for r in rows}
    assert got == {
        "theɡuardian.com": (True, "theguardian.com"),
        "wełt.de": (True, "welt.de"),
        "ѕрiеgеl.de": (True, "spiegel.de"),
        "lеmоndе.fr": (True, "lemonde.fr"),
        "spiegel.de": (False, None),  # the real outlet
    }
    assert code == 1
