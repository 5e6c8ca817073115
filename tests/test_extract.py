"""The extractor: what it finds, what it must not find, and the obfuscations it undoes."""

from __future__ import annotations

import pytest

from linkguard.extract import candidates


def texts(s: str) -> list[str]:
    return [c.text for c in candidates(s)]


def urls(s: str) -> list[str]:
    return [c.url for c in candidates(s)]


@pytest.mark.parametrize(
    ("text", "expected_text", "expected_url", "obfuscation"),
    [
        ("Domain 𝐰𝐞𝐥𝐭.𝐥𝐭𝐝 gehostet", "𝐰𝐞𝐥𝐭.𝐥𝐭𝐝", "welt.ltd", ("math-alphanumeric",)),
        ("sans 𝙬𝙚𝙡𝙩.𝙡𝙩𝙙 ok", "𝙬𝙚𝙡𝙩.𝙡𝙩𝙙", "welt.ltd", ("math-alphanumeric",)),
        ("voll ｗｅｌｔ．ｌｔｄ breit", "ｗｅｌｔ．ｌｔｄ", "welt.ltd", ("fullwidth",)),
        ("punkt welt。ltd hier", "welt。ltd", "welt.ltd", ("ideographic-dot",)),
        ("halb welt｡ltd hier", "welt｡ltd", "welt.ltd", ("ideographic-dot",)),
        ("kreis ⓦⓔⓛⓣ.ⓛⓣⓓ", "ⓦⓔⓛⓣ.ⓛⓣⓓ", "welt.ltd", ("enclosed-alphanumeric",)),
        ("zw we\u200blt.ltd x", "we\u200blt.ltd", "welt.ltd", ("zero-width",)),
        ("shy we\u00adlt.ltd x", "we\u00adlt.ltd", "welt.ltd", ("zero-width",)),
        ("hxxps://welt[.]ltd/a", "hxxps://welt[.]ltd/a", "https://welt.ltd/a", ("defanged",)),
        ("hXXp://welt(.)ltd", "hXXp://welt(.)ltd", "http://welt.ltd", ("defanged",)),
        ("welt[dot]ltd", "welt[dot]ltd", "welt.ltd", ("defanged",)),
        ("hxxps[:]//welt[.]ltd/x", "hxxps[:]//welt[.]ltd/x", "https://welt.ltd/x", ("defanged",)),
        (
            "ｈｘｘｐｓ：／／ｗｅｌｔ［．］ｌｔｄ",
            "ｈｘｘｐｓ：／／ｗｅｌｔ［．］ｌｔｄ",
            "https://welt.ltd",
            None,
        ),
    ],
)
def test_obfuscation_is_undone_and_named(
    text: str, expected_text: str, expected_url: str, obfuscation: tuple[str, ...] | None
) -> None:
    (cand,) = candidates(text)
    assert cand.text == expected_text
    assert cand.url == expected_url
    assert text[cand.start : cand.start + len(cand.text)] == cand.text
    if obfuscation is not None:
        assert cand.obfuscation == obfuscation
    else:
        assert {"fullwidth", "defanged"} <= set(cand.obfuscation)


@pytest.mark.parametrize(
    "prose",
    [
        "laufen Track 2 Verhandlungen über Dritte, z.B. Unternehmer beider Länder.",
        "u.a. vor dem Rekrutierungsbüro, u.A. auch",
        "Dr.Müller sagt um 12.30 Uhr",
        "Version 3.11.2 und v1.2.3 und 14.8 % und 24. 2. 22",
        "Track 1.5-Verhandlungen",
        "Ende des Satzes.Der nächste Satz",
        "Es ist Krieg.In der Ukraine",
        "Email me at name.al-lastname@foo.com",
        "#test.com @test.com $twitter.com",
        "long.test.tar.bz2 test.tar.bz2",
        "bericht.pdf und script.py",
        "strateg. Kreuzungspunkt und russ. Eliten",
    ],
)
def test_prose_yields_nothing(prose: str) -> None:
    assert texts(prose) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("siehe de.wikipedia.org/wiki/Logan_Act", ["de.wikipedia.org/wiki/Logan_Act"]),
        ("(https://en.wikipedia.org/wiki/Primer_(film))", ["https://en.wikipedia.org/wiki/Primer_(film)"]),
        ("[Welt](https://welt.ltd/x).", ["https://welt.ltd/x"]),
        ("„welt.ltd“🔥", ["welt.ltd"]),
        ("«https://welt.ltd/a»", ["https://welt.ltd/a"]),
        ("'https://welt.ltd/a'", ["https://welt.ltd/a"]),
        ("Link: welt.ltd:8080/pfad?x=1.", ["welt.ltd:8080/pfad?x=1"]),
        ("Go to http://example.com/path.........", ["http://example.com/path"]),
        ("http://t.co/pbY2NfTZ's site", ["http://t.co/pbY2NfTZ"]),
        ("中国語t.co/abcde한국twitter.com", ["t.co/abcde", "twitter.com"]),
        ("test ELPAÍS.com", ["ELPAÍS.com"]),
        ("MLB.tv vine.co", ["MLB.tv", "vine.co"]),
        (
            "http://192.0.2.7:8080/x and http://[2001:db8::1]/y",
            ["http://192.0.2.7:8080/x", "http://[2001:db8::1]/y"],
        ),
        ("cyrillic wеlt.de here", ["wеlt.de"]),
        ("puny xn--wlt-rdd.de here", ["xn--wlt-rdd.de"]),
    ],
)
def test_links_found_as_written(text: str, expected: list[str]) -> None:
    assert texts(text) == expected


def test_userinfo_trick_keeps_whole_url() -> None:
    (cand,) = candidates("https://welt.de@evil.ltd/artikel")
    assert cand.text == "https://welt.de@evil.ltd/artikel"


def test_glued_tco_card_is_split_into_link_and_mention() -> None:
    found = list(candidates("2/14 https://t.co/cykVk0lJUJWelt.de"))
    assert [c.text for c in found] == ["https://t.co/cykVk0lJUJ", "Welt.de"]
    assert found[0].display == "Welt.de"


def test_markdown_label_is_kept_as_display() -> None:
    found = list(candidates("[welt.de](https://welt.ltd/a)"))
    assert [(c.text, c.display) for c in found] == [("welt.de", None), ("https://welt.ltd/a", "welt.de")]


def test_markdown_label_survives_a_word_that_looks_defanged() -> None:
    # "[D" and "(d" start defanging patterns ("[dot]", "(dot)"), so those words take the slow path;
    # the links after them must still see the text before them
    found = candidates("(die Quelle) [Der Spiegel](https://spiegel.agency/y)")
    assert [(c.text, c.display) for c in found] == [("https://spiegel.agency/y", "Der Spiegel")]


def test_pathological_input_is_handled() -> None:
    # Long runs that defeat naive backtracking regexes: label-like runs, dots, brackets, schemes.
    hostile = [
        "a" * 200_000 + ".",
        "a." * 100_000,
        "-." * 100_000 + "de",
        "http://" + "a" * 100_000,
        "(" * 50_000 + "http://x.de/" + ")" * 50_000,
        "http://x.de/" + "(" * 100_000,
        "[.]" * 50_000,
        "𝐰" * 50_000 + ".de",
        "x" * 300 + ".com " * 20_000,
    ]
    for text in hostile:
        list(candidates(text))  # completes: the hypothesis test below bounds the growth


def test_tld_a_labels_are_what_idna_gives() -> None:
    # _tlds() writes the A-labels with plain Punycode; for the list's TLDs that is idna's answer
    import idna

    from linkguard.extract import _tlds

    tlds = _tlds()
    unicode_tlds = [t for t in tlds if not t.isascii()]
    assert len(unicode_tlds) > 100
    for tld in unicode_tlds:
        assert idna.encode(tld, uts46=True).decode("ascii") in tlds, tld


def test_the_unanchored_grammar_is_the_anchored_one_without_its_lookbehind() -> None:
    """``_url()`` (compiled on first need) and ``_URL_START`` read the same grammar: where the
    anchored one matches, the unanchored one matches the same span."""
    from linkguard.extract import _URL_START, _url

    text = "see https://welt.de/a?b=1 or welt.ltd and t.co/AbCdEfGhIjKlMn spiegel.de x@y.com"
    for m in _URL_START.finditer(text):
        assert _url().match(text, m.start()).span() == m.span()
