"""Word lists the techniques consult: combo words, generic names, abused and second-level suffixes.

Kept apart from the logic so that reviewers can extend them without reading the matching code.
"""

from __future__ import annotations


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


#: Words that campaigns glue to a brand ("spiegel-nachrichten", "welt24", "foxnews-live"). A brand
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
    """
    )
)

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

#: Suffixes cheap to register and common in influence and phishing operations (Doppelgänger used
#: .ltd, .agency, .pm, .top, .life, .today, .cfd …). Seeing one raises a lookalike's score.
ABUSED_SUFFIXES: frozenset[str] = frozenset(
    _words(
        """
    ltd agency pm top news online life live today site website xyz icu cfd sbs click link buzz fun
    space club info ws me cc tk ml ga cf gq pw press media world report global work rest bond lol
    quest store shop best cyou monster host su fyi pics vip llc expert asia foundation group ink
    """
    )
)

#: Labels that are never a brand by themselves when found as a subdomain.
NON_BRAND_SUBDOMAINS: frozenset[str] = frozenset({"www", "m", "amp", "mobile", "en", "de", "fr", "es", "it"})
