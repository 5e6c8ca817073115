"""Property-based tests for the extractor and normaliser (hypothesis).

Growth is measured by counting executed Python lines and function calls (``sys.settrace`` and
``sys.setprofile``), not by timing, so the test is deterministic: doubling adversarial input may
at most double the work. (Regex calls count once each; every pattern is bounded by design.)
"""

from __future__ import annotations

import sys
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from linkguard.extract import candidates
from linkguard.limits import MAX_URL_CHARS
from linkguard.normalize import _LDH, normalize, parse_link

# Characters that matter to URL grammar, obfuscation and the regexes' decision points.
ADVERSARIAL = st.sampled_from(
    [
        *"aZ09.-_/:@#?()[]{}<>'\" \n\thxtpsw",
        *("://", "http", "hxxp", "[.]", "(dot)", "www.", ".de", ".com", "t.co/", "xn--", "@", "..", "--"),
        *("𝐰", "ｗ", "。", "\u200b", "\u202e", "é", "ä", "д", "日", "🔥"),
    ]
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


@pytest.mark.parametrize("text", ["e(dot)t.co", "x(dot)welt.ltd", "a(dot)b(dot)de"])
def test_a_defanged_host_normalises_once(text: str) -> None:
    """Found by the idempotence property with more examples: the text as written must not win
    when its host is no DNS name (parentheses), or the canonical URL extracts to another link."""
    (cand,) = candidates(text)
    link = normalize(cand)
    assert link is not None and "(" not in link.host
    again = [normalize(c) for c in candidates(link.url)]
    assert [a.url for a in again if a is not None] == [link.url]


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
        if event == "c_call":
            count += 1

    def tracer(_frame: object, event: str, _arg: object) -> object:
        nonlocal count
        count += 1  # "call" and every "line" of Python executed
        return tracer

    previous_trace, previous_profile = sys.gettrace(), sys.getprofile()
    sys.setprofile(profiler)
    sys.settrace(tracer)  # type: ignore[arg-type]
    try:
        func()
    finally:  # restore, not clear: a coverage tool's tracer must survive this test
        sys.settrace(previous_trace)
        sys.setprofile(previous_profile)
    return count


@settings(max_examples=20, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.lists(ADVERSARIAL, min_size=1, max_size=12).map("".join))
def test_work_grows_linearly_on_adversarial_text(unit: str) -> None:
    # long enough that the URL length cap (MAX_URL_CHARS) is hit many times in both texts
    reps = max(300, -(-3 * MAX_URL_CHARS // len(unit)))
    texts = [unit * reps, unit * (2 * reps), unit * (4 * reps)]
    for text in texts:  # warm caches so every run is measured alike
        list(candidates(text))
    work = [_calls(lambda t=text: list(candidates(t))) for text in texts]  # type: ignore[misc]
    # Linear work is a + b·n, and a may be negative: the first link is cut at MAX_URL_CHARS and
    # only what follows it costs per character ('at.co/-' repeated). So compare what each
    # doubling adds: linear work adds twice as much the second time, quadratic four times.
    assert work[2] - work[1] <= 2.2 * (work[1] - work[0]) + 200, (unit, work)


def test_work_grows_linearly_on_known_worst_cases() -> None:
    """Inputs that once made the walk back to a token's start quadratic."""
    for unit in ("a.bc", "ab.", "a-b.cd/", "x.de@", "http://a.", "[.]a", "𝐰.𝐝𝐞"):
        small, large = unit * 300, unit * 600
        work_small = _calls(lambda s=small: list(candidates(s)))  # type: ignore[misc]
        work_large = _calls(lambda s=large: list(candidates(s)))  # type: ignore[misc]
        assert work_large <= 2.2 * work_small + 200, unit


def _idna_or_ldh(name: str) -> str | None:
    """The long way: UTS-46, and where IDNA 2008 refuses an LDH name, the name as written."""
    import idna

    try:
        return idna.encode(name, uts46=True, std3_rules=False, transitional=False).decode("ascii")
    except idna.IDNAError:
        return name if _LDH.fullmatch(name) else None


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from([*"abz09-_.", "xn--", "xn--mnchen-3ya", "xn--zz", "--", "a" * 63]),
        min_size=1,
        max_size=12,
    ).map("".join)
)
def test_ldh_hosts_skip_idna_with_the_same_result(name: str) -> None:
    # normalize takes an LDH name as it is, without idna's checks (ten times faster per host)
    if _LDH.fullmatch(name):
        assert _idna_or_ldh(name) == name
        link = parse_link(name + ".de")
        assert link is None or link.host == name + ".de"
