"""Property-based tests for the extractor and normaliser (hypothesis).

Growth is measured by counting function calls (Python and C) with ``sys.setprofile``, not by
timing, so the test is deterministic: doubling adversarial input may at most double the work.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from linkguard.extract import candidates
from linkguard.normalize import normalize, parse_link

# Characters that matter to URL grammar, obfuscation and the regexes' decision points.
ADVERSARIAL = st.sampled_from(
    list("aZ09.-_/:@#?()[]{}<>'\" \n\thxtpsw") + ["://", "http", "hxxp", "[.]", "(dot)", "www.", ".de", ".com",
    "𝐰", "ｗ", "。", "\u200b", "\u202e", "é", "ä", "д", "日", "🔥", "t.co/", "xn--", "@", "..", "--"]
)
TEXTS = st.lists(ADVERSARIAL, max_size=60).map("".join) | st.text(max_size=200)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(TEXTS)
def test_extraction_never_crashes_and_spans_are_exact(text: str) -> None:
    for cand in candidates(text):
        assert text[cand.start : cand.start + len(cand.text)] == cand.text
        assert cand.text.strip() == cand.text
        normalize(cand)  # must not raise


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(TEXTS)
def test_normalisation_is_idempotent(text: str) -> None:
    for cand in candidates(text):
        link = normalize(cand)
        if link is None:
            continue
        again = parse_link(link.url)
        assert again is not None, link.url
        assert again.url == link.url
        assert again.host == link.host
        assert again.registered_domain == link.registered_domain
        # extracting the canonical URL finds that URL again
        found = [normalize(c) for c in candidates(link.url)]
        assert link.url in {f.url for f in found if f is not None}


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-.", min_size=1, max_size=80))
def test_parse_link_host_is_lowercase_ascii(text: str) -> None:
    link = parse_link(text)
    if link is not None:
        assert link.host.isascii()
        assert link.host == link.host.lower()
        assert link.registered_domain == "" or link.host.endswith(link.registered_domain)


def _calls(func: Callable[[], object]) -> int:
    count = 0

    def profiler(_frame: object, event: str, _arg: object) -> None:
        nonlocal count
        if event in ("call", "c_call"):
            count += 1

    sys.setprofile(profiler)
    try:
        func()
    finally:
        sys.setprofile(None)
    return count


@settings(max_examples=40, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.lists(ADVERSARIAL, min_size=1, max_size=12).map("".join))
def test_work_grows_linearly_on_adversarial_text(unit: str) -> None:
    small, large = unit * 200, unit * 400
    list(candidates(small))  # warm caches so both runs are measured alike
    list(candidates(large))
    work_small = _calls(lambda: list(candidates(small)))
    work_large = _calls(lambda: list(candidates(large)))
    assert work_large <= 2.2 * work_small + 200, (unit, work_small, work_large)
