"""Word lists the techniques consult: combo words, generic names, country words, transliterations.

Kept apart from the logic so that reviewers can extend them without reading the matching code.
"""

from __future__ import annotations


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


#: Words that campaigns and phishers glue to a brand ("spiegel-nachrichten", "welt24", "foxnews-live",
#: "spiegel-login", "nytimes-account"). A brand
#: plus one of these is a combo even without a hyphen; a brand plus any other word needs a separator. A
#: number ("welt24", "bild2023") always counts as a combo word.
COMBO_WORDS: frozenset[str] = frozenset(
    _words(
        """
    news nachrichten aktuell aktuelle aktuelles actu actualite actualites actualidad attualita noticias
    notizie nieuws nyheter uutiset wiadomosci zpravy novosti novini vesti hirek
    live today daily heute jetzt now breaking eilmeldung eil update updates latest top first
    online info web net site portal media press presse zeitung journal magazin magazine mag report
    reports politik politics politique politica world global international europe eu
    de at ch com org uk us en fr es it pl ua ru tv radio blog blogs official offiziell original real
    exklusiv exclusive direct direkt digital plus premium mobile app www the my go
    login signin signup account accounts secure security verify verification auth sso password konto
    anmelden abo abonnement subscribe subscription billing payment pay support help service kundenservice
    mail email newsletter members member profile
    """
    )
)

#: The account and security words of phishing combos (Chromium's combo-squatting keywords and
#: their German forms): "spiegel-login", "nytimes-account", "loginspiegel". A subset of COMBO_WORDS.
ACCOUNT_WORDS: frozenset[str] = _words(
    "login signin signup account accounts secure security verify verification auth sso password konto "
    "anmelden billing payment"
)

#: Articles of outlets' full names ("Der Tagesspiegel", "Le Point", "Het Parool", "Il Foglio"): glued
#: to or hyphened before a brand ("dertagesspiegel", "le-figaro") they spell out the masthead.
#: Single letters are left out: "a" or "o" before a name is as often an ordinary word.
ARTICLES: frozenset[str] = _words("der die das the le la les el il lo los las het een un une una al")

#: Outlet names that are ordinary words or very short: as a subdomain or next to an arbitrary word
#: they prove nothing ("admin.example.com", "mirror.kernel.org", "state-farm.com"), so those
#: techniques count them for less. Exact tld-swaps and homoglyphs still count in full.
GENERIC_NAMES: frozenset[str] = frozenset(
    _words(
        """
    admin apollo babel belgium camera capital censor civil congress congreso debunk defense defence
    detector direkt echo europa express focus fokus forbes fortune france government governo guardian
    heute house index information interieur justice metro mirror money nachrichten panorama parlament
    parliament president profil publico recorder republik royal salon senat senate senato slate
    spectator standard state stern stuff telegraph treasury watson wired time open alfa arte bund
    delo fakt liga zona vox sky who mod mil usa gov un in is la se go news story stories times post
    sun star independent observer economist nation
    """
    )
)

#: Two-letter country codes (ISO 3166-1, with the ccTLD spelling uk for GB) and country words as
#: they appear in domain names, mapped to the code the rules' ``country`` uses. A country word in a
#: lookalike ("pravda-ua", "welt-de") or its ending (.ua) tells which of several namesake outlets
#: it imitates.
COUNTRY_TOKENS: dict[str, str] = {
    **{
        code: code.upper()
        for code in """
    ad ae af ag al am ao ar at au az ba bb bd be bf bg bh bi bj bn bo br bs bt bw by bz ca cd cf cg ch
    ci cl cm cn co cr cu cv cy cz de dj dk dm do dz ec ee eg er es et fi fj fm fr ga gb gd ge gh gm gn
    gq gr gt gw gy hk hn hr ht hu id ie il in iq ir is it jm jo jp ke kg kh ki km kn kp kr kw kz la lb
    lc li lk lr ls lt lu lv ly ma mc md me mg mh mk ml mm mn mo mr mt mu mv mw mx my mz na ne ng ni nl
    no np nr nz om pa pe pg ph pk pl ps pt pw py qa ro rs ru rw sa sb sc sd se sg si sk sl sm sn so sr
    ss st sv sy sz td tg th tj tl tm tn to tr tt tv tw tz ua ug us uy uz va vc ve vn vu ws ye za zm zw
    """.split()
    },
    "uk": "GB",
    "ukraine": "UA",
    "ukr": "UA",
    "germany": "DE",
    "deutschland": "DE",
    "france": "FR",
    "italia": "IT",
    "italy": "IT",
    "espana": "ES",
    "spain": "ES",
    "polska": "PL",
    "poland": "PL",
    "latvia": "LV",
    "lithuania": "LT",
    "estonia": "EE",
    "russia": "RU",
    "usa": "US",
    "america": "US",
    "britain": "GB",
    "israel": "IL",
}

#: Internationalised country endings (as registered, punycode) and the country they stand for:
#: .рф is Russia's ending as .ru is, so a name there may be a local namesake just the same.
IDN_COUNTRY_ENDINGS: dict[str, str] = {
    "xn--p1ai": "ru", "xn--j1amh": "ua", "xn--90ais": "by", "xn--90a3ac": "rs", "xn--d1alf": "mk",
    "xn--80ao21a": "kz", "xn--l1acc": "mn",
}  # fmt: skip

#: Countries whose outlets write their names in Cyrillic: their Latin brand (rbc for РБК) has other
#: common transliterations that campaigns use (rbk).
CYRILLIC_COUNTRIES: frozenset[str] = frozenset("RU UA BY BG RS MK KZ KG MN TJ".split())

#: How a Cyrillic name reads in Latin letters (a plain scientific-style romanisation: РБК → rbk,
#: Вести → vesti); the spelling variants below then reach the outlet's own Latin name (rbk → rbc).
CYRILLIC_TO_LATIN: dict[str, str] = {
    **dict(zip("абвгґдезийклмнопрстуфыэії", "abvggdeziyklmnoprstufyeii", strict=True)),
    "ё": "yo", "є": "ye", "ж": "zh", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch",
    "ю": "yu", "я": "ya", "ъ": "", "ь": "", "ў": "u", "ђ": "dj", "ј": "j", "љ": "lj", "њ": "nj",
    "ћ": "c", "џ": "dz", "ѓ": "g", "ќ": "k", "ѕ": "dz",
}  # fmt: skip

#: Pairs of Latin spellings of one Cyrillic letter or sound, applied both ways (РБК: rbc ↔ rbk).
TRANSLITERATIONS: tuple[tuple[str, str], ...] = (
    ("c", "k"),
    ("k", "c"),
    ("ks", "x"),
    ("x", "ks"),
    ("kh", "h"),
    ("h", "kh"),
    ("ts", "tz"),
    ("zh", "j"),
    ("j", "y"),
    ("y", "j"),
    ("i", "y"),
    ("w", "v"),
    ("v", "w"),
)

#: Labels that are never a brand by themselves when found as a subdomain.
NON_BRAND_SUBDOMAINS: frozenset[str] = frozenset({"www", "m", "amp", "mobile", "en", "de", "fr", "es", "it"})
