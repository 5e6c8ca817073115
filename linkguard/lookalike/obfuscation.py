"""Evidence sentences for the ways a post disguised a link (``Link.obfuscation``).

Obfuscation is how the link was *written*, not what the domain is: it raises the score of a
domain that already resembles an outlet and is otherwise only reported (see ``scoring``).
"""

from __future__ import annotations

from linkguard.models import Evidence, Link

_PHRASES: dict[str, str] = {
    "math-alphanumeric": (
        "written in Unicode bold/italic letters in the post (math-alphanumeric) to slip past filters"
    ),
    "fullwidth": "written in fullwidth characters in the post (fullwidth) to slip past filters",
    "zero-width": "hidden zero-width characters were inserted in the post (zero-width) to break filters",
    "defanged": "written defanged in the post (e.g. [.] or hxxp) so that filters do not see a link",
    "ideographic-dot": "written with an ideographic full stop (。) instead of a dot (ideographic-dot)",
    "idn": "written with non-ASCII look-alike characters that browsers turn into plain letters (idn)",
    "punycode": "written in its punycode form (xn--…) in the post, which hides how it reads (punycode)",
    "mixed-script": "mixes alphabets within one label, e.g. Latin with Cyrillic (mixed-script)",
    "userinfo": "has text before '@' in the link (userinfo), which browsers ignore when following it",
    "backslash": (
        "written with '\\' where a URL has '/' (backslash), which browsers read as '/' but filters and"
        " readers may not, so the link seems to lead elsewhere"
    ),
    "lookalike-delimiter": (
        "written with a look-alike of '/', '\\', '?' or '#' (lookalike-delimiter) that reads as the end"
        " of the host but is not one to a browser, so the link seems to lead elsewhere"
    ),
    "percent-encoded": "its host is written in %-escapes (percent-encoded), which browsers decode",
    "glued-card": "the post glued the link card's domain onto its text (glued-card)",
}
#: Tricks that describe an IDN domain itself; the homoglyph evidence reports those.
_INHERENT_TO_IDN = frozenset({"idn", "mixed-script"})


def post_tricks(link: Link) -> tuple[str, ...]:
    """The obfuscations of how the post wrote the link (not those inherent to an IDN host)."""
    if "xn--" in link.host:
        return tuple(t for t in link.obfuscation if t not in _INHERENT_TO_IDN)
    return link.obfuscation


def obfuscation_evidence(tricks: tuple[str, ...]) -> Evidence | None:
    """One evidence line naming every trick, or None when the post wrote the link plainly."""
    if not tricks:
        return None
    phrases = [_PHRASES.get(t, f"obfuscated in the post ({t})") for t in tricks]
    return Evidence("obfuscation", "; ".join(phrases), {"tricks": list(tricks)})
