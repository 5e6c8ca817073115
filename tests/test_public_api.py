"""The public API: every name in ``__all__`` resolves, and the one-shot helpers work."""

from __future__ import annotations

import subprocess
import sys

import linkguard


def test_every_public_name_resolves() -> None:
    for name in linkguard.__all__:
        assert getattr(linkguard, name) is not None, name


def test_import_stays_light() -> None:
    heavy = "('httpx', 'bs4', 'stix2', 'rich')"
    code = f"import sys, linkguard; print(sorted(m for m in {heavy} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_scan_text_and_check_url() -> None:
    findings = linkguard.scan_text("Neu auf 𝐰𝐞𝐥𝐭.𝐥𝐭𝐝 und bei tagesschau.de", use_blocklist=False)
    assert [(f.link.host, f.verdict.status) for f in findings] == [
        ("welt.ltd", "suspicious"),
        ("tagesschau.de", "trusted"),
    ]
    finding = linkguard.check_url("https://spiegel.agency/politik")
    assert finding is not None and finding.flagged
    assert finding.verdict.impersonates is not None and finding.verdict.impersonates.domain == "spiegel.de"
    assert linkguard.check_url("not a url") is None


def test_check_accepts_defanged_and_obfuscated_input() -> None:
    finding = linkguard.check_url("hxxps://spiegel[.]agency/politik")
    assert finding is not None and finding.link.host == "spiegel.agency"
    assert finding.link.obfuscation == ("defanged",)
    bold = linkguard.check_url("𝐰𝐞𝐥𝐭.𝐥𝐭𝐝")
    assert bold is not None and bold.link.host == "welt.ltd" and bold.flagged
