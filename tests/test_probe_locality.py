"""The locality probe (benchmarks/probe_locality.py): its trigram measures behave as described."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from probe_locality import Models, auc

#: Invented labels: one ending's names end in -ovic/-ic, the other's are built from -berg/-dorf.
DOMAINS = [
    *(f"{stem}ovic.xa" for stem in ("bran", "dren", "grab", "krem", "plan", "sten", "vran", "zlat")),
    *(f"{stem}{tail}.xb" for stem in ("alt", "neu", "ober", "unter") for tail in ("berg", "dorf")),
]


def test_a_name_reads_like_its_own_ending_and_unlike_another() -> None:
    models = Models(DOMAINS)
    assert models.ending_fit("klenovic", "xa") > 0 > models.ending_fit("klenovic", "xb")
    assert models.ending_fit("mittelberg", "xb") > models.ending_fit("mittelberg", "xa")


def test_an_ending_without_sites_says_nothing() -> None:
    assert Models(DOMAINS).ending_fit("klenovic", "xc") == 0.0


def test_auc_counts_ties_as_half_and_is_undefined_without_cases() -> None:
    assert auc([2.0, 3.0], [1.0]) == 1.0
    assert auc([1.0], [1.0]) == 0.5
    assert auc([], [1.0]) != auc([], [1.0])  # NaN
