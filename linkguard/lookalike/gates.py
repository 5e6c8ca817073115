"""Which techniques can find anything for a subject, told cheaply before they run.

Three in four never-seen domains reach the technique pass, and almost none of them resembles an
outlet: running every technique on ``example-shop.com`` was most of the cost of classifying it.
A gate is a necessary condition of its technique returning a signal, read off the few fields and
index lookups the technique itself starts from; a closed gate skips the technique, an open one
runs it unchanged, so verdicts are the same either way (``tests/test_detect_gates.py``
checks every gate against its technique). A technique without a gate always runs: a new one is
safe before anyone writes its gate.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from linkguard.lookalike import scoring as sc
from linkguard.lookalike import techniques as tq
from linkguard.lookalike.confusables import is_own_skeleton, skeleton
from linkguard.lookalike.index import Index, deletion_hits
from linkguard.lookalike.techniques import Subject
from linkguard.lookalike.wordlists import COMBO_WORDS
from linkguard.models import Link

TechniqueFn = Callable[[Index, Subject], list[sc.Signal]]


def _may_combine(index: Index, tokens: list[str]) -> bool:
    """The combo technique's search without its verdicts: False when no window of tokens is a
    curated name, a transliteration or (six letters or more) shares a deletion variant with a
    name that ``Index.typo_of`` starts from, and no token splits into a name and a word."""
    curated, translit, typos = index.curated_brands, index.transliterations, None
    n = len(tokens)
    for i in range(n):
        for j in range(i + 1, min(n, i + tq._MAX_WINDOW) + 1):
            if j - i == n:  # the whole label is no combo
                continue
            joined = "".join(tokens[i:j])
            if joined in curated or joined in translit or (j - i > 1 and "-".join(tokens[i:j]) in curated):
                return True
            if len(joined) >= 6:
                typos = index.typo_choices if typos is None else typos
                if deletion_hits(joined, typos):
                    return True
    return any(token.isalpha() and index.may_glue(token) and _glued(index, token) for token in tokens)


def _glued(index: Index, token: str) -> bool:
    """Some split of ``token`` is a curated name glued to a combo word (or a word or article to
    a name): the test by which the combo technique's glued search considers a split."""
    curated = index.curated_brands
    word_min, name_min = tq._GLUED_WORD_MIN, tq._GLUED_BRAND_MIN
    for k in range(word_min, len(token) - word_min + 1):
        head, tail = token[:k], token[k:]
        if tail in COMBO_WORDS and len(head) >= name_min and head in curated:
            return True
        if len(tail) >= name_min and tail in curated and tq._is_combo_word(head):
            return True
    return False


def _may_embed(index: Index, host: str, suffix: str, label: str, subdomain: str) -> bool:
    """``embedded``'s search of the host itself (``techniques.may_embed``), skipped where it cannot
    find anything: a host with no hyphen and no subdomain holds one label before its suffix, so no
    run of two labels and no dotless part but the whole label."""
    if "-" not in host and not subdomain:
        return False
    return tq.may_embed(index, host, suffix, label)


def closed(index: Index, subj: Subject) -> tuple[TechniqueFn, ...]:
    """The techniques that cannot find anything for ``subj``: each test below is a necessary
    condition of its technique returning a signal, read as the technique reads the subject.
    ``typo``'s is the test it starts with (``Index.may_be_typo``)."""
    label, host = subj.label, subj.host
    shut: list[TechniqueFn] = []
    # tld_swap: the exact name (of an outlet or a popular site), a transliteration of one, or a
    # non-ASCII label (read as Cyrillic)
    plain = label.isascii() and subj.label_unicode == label
    if (
        plain
        and label not in index.brands
        and label not in index.transliterations
        and not index.may_be_popular_name(label)
    ):
        shut.append(tq.tld_swap)
    # homoglyph: every reading of a plain label that is its own skeleton is skipped; only a
    # capital I from the post could still read as l
    if plain and not subj.capital_i_label and is_own_skeleton(label):
        shut.append(tq.homoglyph)
    # typo: its own first test; combo: its search for a name among the label's words
    key = label if not label.startswith("xn--") else skeleton(subj.label_unicode)
    if label in index.legit_labels or key in index.brands:
        shut.append(tq.typo)
        shut.append(tq.combo)
    else:
        if not index.may_be_typo(key):
            shut.append(tq.typo)
        if not _may_combine(index, tq._TOKENS.findall(key)):
            shut.append(tq.combo)
    # embedded: its search of the host, unless the text before '@' or a '\\' is to be read
    subdomain = subj.subdomain
    read_aside = subj.userinfo or subj.pretended_host
    if not read_aside and not _may_embed(index, host, subj.suffix, label, subdomain):
        shut.append(tq.embedded)
    if not subdomain:
        shut.append(tq.subdomain_brand)
    # gov_namespace: its table holds every label it reads as a namespace's (one lookup)
    if label not in index.government.forms:
        shut.append(tq.gov_namespace)
    if not subj.display:
        shut.append(tq.display_mismatch)
    return tuple(shut)


def runnable(techniques: Sequence[TechniqueFn], index: Index, subj: Subject) -> Sequence[TechniqueFn]:
    """``techniques`` in order, without those ``closed`` for ``subj`` (a technique this module
    does not know always runs)."""
    shut = closed(index, subj)
    if not shut:
        return techniques
    return [t for t in techniques if t not in shut]


#: Every technique of the pass has a test in ``closed``: only then may ``plan`` answer for all
#: of them (a technique added without one sends every link to ``closed``).
ALL_GATED = set(tq.TECHNIQUES) <= {
    tq.tld_swap,
    tq.homoglyph,
    tq.typo,
    tq.combo,
    tq.embedded,
    tq.subdomain_brand,
    tq.gov_namespace,
    tq.display_mismatch,
}


def plan(index: Index, link: Link) -> tuple[TechniqueFn, ...] | None:
    """The techniques ``closed`` leaves open for ``link``, in pass order, told from the link without
    building its ``Subject``: a plain ASCII host (no Punycode or subdomain) written plainly (no
    obfuscation, link card or capital I), whose label is no outlet's name, transliteration, legit
    label or form of a government namespace's label and is its own skeleton, has only the label's
    own leads left (a popular site's name, a typo candidate, a name among its words or glued in
    it, an outlet's domain between its hyphens). Most never-seen domains are such and have none
    (``()``: nothing to find); the namesakes of popular sites (5 % of a popular-domain list) open
    only ``tld_swap``. Such links skip ``closed``, which would repeat these tests; None sends the
    link to ``closed``."""
    if not ALL_GATED or link.obfuscation or link.display or link.subdomain or not link.registered_domain:
        return None
    host, label = link.host, link.domain_label
    if "xn--" in host or not host.isascii() or link.host_unicode != host or "I" in link.text:
        return None
    if label in index.brands or label in index.transliterations or label in index.legit_labels:
        return None
    if label in index.government.forms or not is_own_skeleton(label):
        return None
    # what ``closed`` leaves open of such a label: tld_swap (a popular name; no outlet's or
    # transliteration, tested above), typo (``may_be_typo``), combo (``_may_combine``; one
    # token: only a glued split), embedded (its search: no userinfo or pretence without obfuscation)
    popular = index.may_be_popular_name(label)
    typo = index.may_be_typo(label)
    if label.isalpha():  # lowercase ASCII: one token
        combined = index.may_glue(label) and _glued(index, label)
    else:
        combined = _may_combine(index, tq._TOKENS.findall(label))
    embeds = _may_embed(index, host, link.suffix, label, "")
    if not typo and not combined and not embeds:
        return (tq.tld_swap,) if popular else ()
    opened = {tq.tld_swap: popular, tq.typo: typo, tq.combo: combined, tq.embedded: embeds}
    return tuple(t for t in tq.TECHNIQUES if opened.get(t))
