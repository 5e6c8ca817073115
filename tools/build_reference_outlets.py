"""Build ``rules/reference/outlets-reference.toml`` from a Wikidata query result (its refresh path).

Input is the JSON a SPARQL endpoint returns for ``tools/reference_outlets.rq`` (variables ``item``,
``itemLabel``, ``country``/``countryLabel`` or ``iso``, ``offurl`` and optionally ``class``). Optional
extras, used for the bundled snapshot: ``--entities DIR`` (one Wikidata entity JSON per item, as
``wikidata-dl`` writes them: dissolved/discontinued items are dropped, further official websites and
P495 are read) and ``--drop FILE`` (QIDs to leave out, one per line).

Cleaning is mechanical and every rule is here: registrable domains only (linkguard's own split, the
tldextract snapshot), no platform or hosting domains, no site on a private suffix (``*.blogspot.com``),
no section of someone else's site, no domain two items claim unless exactly one has it as its home page,
no item that lists a domain the curated ``rules/*.toml`` files already list (that item *is* the curated
outlet, or a platform: its other domains are printed for a person to review), and no item without a
label. Brands are the registrable labels of the remaining domains (ASCII, 3+ characters).

    python tools/build_reference_outlets.py --sparql result.json --out rules/reference/outlets-reference.toml
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from linkguard.normalize import split_host
from linkguard.rules import InvalidDomainError, bundled_rule_files, load_sources, normalize_rule_domain

REFERENCE_FILE = "outlets-reference.toml"

#: Sites on which anyone can publish, link hubs and archives: never an outlet's own domain.
PLATFORMS = frozenset(
    """
    angelfire.com archive.org blogger.com blogspot.com calameo.com facebook.com fb.com flickr.com
    geocities.com geocities.ws github.io google.com instagram.com issuu.com jimdo.com jimdofree.com
    linkedin.com linktr.ee livejournal.com medium.com myspace.com netlify.app ok.ru pinterest.com
    pressreader.com scribd.com sites.google.com soundcloud.com squarespace.com substack.com t.me
    telegram.me tiktok.com tripod.com tumblr.com twitter.com vk.com webnode.com webs.com weebly.com
    wikia.com wikimedia.org wikipedia.org wix.com wixsite.com wordpress.com wp.com x.com yola.com
    yolasite.com youtu.be youtube.com yumpu.com ucoz.ru narod.ru over-blog.com canalblog.com
    hatena.ne.jp ameblo.jp naver.com daum.net free.fr virtualave.net sapo.pt sapo.ao ig.com.br
    newsbank.com loc.gov proquest.com umi.com serialssolutions.com lexis-nexis.com lexisnexis.com
    ebscohost.com epnet.com oclc.org crl.edu galegroup.com gale.com pressdisplay.com factiva.com
    newsmemory.com revealdigital.com newspapers.com newspaperarchive.com trove.nla.gov.au
    """.split()
)

#: Sub-domains that are still the outlet's own site (language editions, mobile, e-paper). Any other
#: sub-domain (``bangaloremirror.indiatimes.com``, ``news.cornell.edu``) is a section of a larger site.
OWN_SUBDOMAINS = frozenset(
    """
    m mobile amp e ep epaper e-paper digital edition
    en fr de es it pt ru ar zh cn ja jp ko kr tr ua pl fa ur hi bn id vi th he nl sv fi el ro hu cs sk
    bg sr hr sl lt lv et ka hy az kk uz eng rus english german french spanish russian arabic chinese
    japanese urdu hindi bangla persian turkish
    """.split()
)

#: Wikidata class → linkguard kind (``class`` in the query result), first match wins; else newspaper.
CLASS_KIND = {
    "Q192283": "agency",
    "Q15265344": "broadcaster",
    "Q11032": "newspaper",
    "Q1153191": "online",
}

#: Country names pycountry does not resolve by itself (only needed when the result has no ``iso``).
COUNTRY_NAMES = {
    "Turkey": "TR",
    "Russia": "RU",
    "Iran": "IR",
    "South Korea": "KR",
    "North Korea": "KP",
    "Taiwan": "TW",
    "People's Republic of China": "CN",
    "Kingdom of the Netherlands": "NL",
    "Democratic Republic of the Congo": "CD",
    "Republic of the Congo": "CG",
    "Ivory Coast": "CI",
    "The Gambia": "GM",
    "Vietnam": "VN",
    "Laos": "LA",
    "Syria": "SY",
    "Venezuela": "VE",
    "Bolivia": "BO",
    "Tanzania": "TZ",
    "Moldova": "MD",
    "Czech Republic": "CZ",
    "State of Palestine": "PS",
    "Palestine": "PS",
    "Kosovo": "XK",
    "Federated States of Micronesia": "FM",
    "Brunei": "BN",
    "Cape Verde": "CV",
    "East Timor": "TL",
    "Eswatini": "SZ",
    "Hong Kong": "HK",
    "Macau": "MO",
    "Vatican City": "VA",
    "Georgia": "GE",
}


@dataclass
class Item:
    qid: str
    label: str = ""
    countries: list[str] = field(default_factory=list)
    classes: set[str] = field(default_factory=set)
    urls: list[str] = field(default_factory=list)


def _qid(uri: str) -> str:
    return uri.rsplit("/", 1)[-1]


def country_code(label: str, iso: str = "") -> str:
    if re.fullmatch(r"[A-Za-z]{2}", iso or ""):
        return iso.upper()
    if label in COUNTRY_NAMES:
        return COUNTRY_NAMES[label]
    try:
        import pycountry
    except ImportError:
        return ""
    try:
        return str(pycountry.countries.lookup(label).alpha_2)
    except LookupError:
        return ""


def read_sparql(path: Path) -> dict[str, Item]:
    data = json.loads(path.read_text(encoding="utf-8"))
    items: dict[str, Item] = {}
    for row in data["results"]["bindings"]:
        qid = _qid(row["item"]["value"])
        item = items.setdefault(qid, Item(qid))
        label = row.get("itemLabel", {}).get("value", "").strip()
        if label and not item.label:
            item.label = label
        url = row.get("offurl", {}).get("value", "").strip()
        if url and url not in item.urls:
            item.urls.append(url)
        if "class" in row:
            item.classes.add(_qid(row["class"]["value"]))
        code = country_code(row.get("countryLabel", {}).get("value", ""), row.get("iso", {}).get("value", ""))
        if code and code not in item.countries:
            item.countries.append(code)
    return items


def apply_entities(items: dict[str, Item], directory: Path) -> Counter[str]:
    """Drop dissolved/defunct items, add further official websites, fall back to P495 for the country."""
    dropped: Counter[str] = Counter()
    for qid in list(items):
        path = directory / f"{qid}.json"
        if not path.is_file():
            continue
        try:
            entity = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        claims = entity.get("claims", {})
        described = str(entity.get("description") or "").lower()
        if any(p in claims for p in ("P576", "P2669", "P582")) or "defunct" in described:
            del items[qid]
            dropped["dissolved or defunct (P576/P2669/P582 or 'defunct')"] += 1
            continue
        item = items[qid]
        for url in claims.get("P856", []):
            if isinstance(url, str) and url not in item.urls:
                item.urls.append(url)
        if not item.countries:
            for key, value in entity.get("wikidata", {}).items():
                if key.startswith("country of origin") and isinstance(value, str):
                    code = country_code(value.rsplit(" (", 1)[0])
                    if code:
                        item.countries.append(code)
    return dropped


def curated_domains(rules_dir: Path | None) -> set[str]:
    """Every domain the other bundled rule files list (outlets, legit, blocked, shorteners)."""
    files = bundled_rule_files() if rules_dir is None else sorted(rules_dir.glob("*.toml"))
    rules = load_sources((p, "bundled") for p in files if p.name != REFERENCE_FILE)
    out = {d for o in rules.outlets for d in o.domains}
    out |= {r.domain for r in rules.legit} | {r.domain for r in rules.blocked}
    return out | {r.domain for r in rules.shorteners}


_WWW = re.compile(r"www\d*")
_EDITION = re.compile(r"[a-z]{2}(?:[-_][a-z]{2})?|[a-z]{2,3}|index\.[a-z]+|home|news|web|www", re.I)


def site_of(url: str) -> tuple[str, bool] | None:
    """(registrable domain, is the home page) for an official-website URL, or None to leave it out."""
    text = url.strip()
    if "://" not in text:
        text = "http://" + text
    try:
        parts = urlsplit(text)
        host = parts.hostname or ""
    except ValueError:
        return None
    split = split_host(host)
    if split is None or split.is_ip or split.is_private_suffix:
        return None  # unknown suffix, an IP, or a site on a hosting suffix (*.blogspot.com, *.github.io)
    try:
        domain = normalize_rule_domain(split.registered_domain).domain
    except InvalidDomainError:
        return None
    if domain in PLATFORMS or domain != split.registered_domain or _WWW.fullmatch(split.domain_label):
        return None  # ``www.altoadige.it`` is registrable (``altoadige.it`` is a suffix) but no outlet's name
    labels = [label for label in split.subdomain.split(".") if label]
    while labels and _WWW.fullmatch(labels[0]):
        labels.pop(0)
    if len(labels) > 1 or (labels and labels[0] not in OWN_SUBDOMAINS):
        return None  # a sub-domain of a larger site: the domain belongs to whoever runs that site
    segments = [s for s in parts.path.split("/") if s]
    if len(segments) > 1 or (segments and not _EDITION.fullmatch(segments[0])) or parts.query:
        return None  # a section of a site: the domain belongs to whoever runs the site
    return domain, not segments and not labels


def brand_of(domain: str) -> str | None:
    split = split_host(domain)
    label = split.domain_label if split else ""
    if len(label) < 3 or label.startswith("xn--") or not re.fullmatch(r"[a-z0-9-]+", label):
        return None
    return label


def clean_name(label: str) -> str:
    return " ".join(unicodedata.normalize("NFC", label).split())


def build(items: dict[str, Item], curated: set[str]) -> tuple[list[dict[str, object]], Counter[str]]:
    stats: Counter[str] = Counter()
    claims: dict[str, list[tuple[str, bool]]] = defaultdict(list)
    sites: dict[str, list[str]] = {}
    for qid, item in items.items():
        if not item.label or re.fullmatch(r"Q\d+", item.label):
            stats["no label"] += 1
            continue
        found: list[tuple[str, bool]] = []
        for url in item.urls:
            site = site_of(url)
            if site is None:
                stats["website left out (platform, hosting suffix, section of a site, bad URL)"] += 1
            elif site[0] not in [d for d, _ in found]:
                found.append(site)
        known = [d for d, _ in found if d in curated]
        if known:  # the curated outlet itself: its other domains are for a person to add there, not here
            stats["item is a curated outlet (left out; other domains printed for review)"] += 1
            others = [d for d, _ in found if d not in curated]
            if others:
                note = f"review: {item.label} ({qid}) is curated as {known}; also lists {others}"
                print(note, file=sys.stderr)
            continue
        for domain, home in found:
            claims[domain].append((qid, home))
        sites[qid] = [d for d, _ in found]
    owner: dict[str, str | None] = {}
    for domain, who in claims.items():
        if len(who) == 1:
            owner[domain] = who[0][0]
            continue
        homes = sorted({q for q, home in who if home}, key=lambda q: int(q[1:]))
        labels = {clean_name(items[q].label).casefold() for q in homes}
        # one home page claim wins; several items with the same name are one outlet (the oldest item)
        owner[domain] = homes[0] if len(homes) == 1 or (homes and len(labels) == 1) else None
        stats["domain claimed by several items"] += 1
    entries: list[dict[str, object]] = []
    for qid, domains in sites.items():
        mine = [d for d in domains if owner.get(d) == qid]
        if not mine:
            stats["item left with no domain"] += 1 if items[qid].label else 0
            continue
        item = items[qid]
        kind = next((k for c, k in CLASS_KIND.items() if c in item.classes), "newspaper")
        brands = list(dict.fromkeys(b for b in map(brand_of, mine) if b))
        entry: dict[str, object] = {"name": clean_name(item.label), "domains": mine}
        if brands:
            entry["brands"] = brands
        if item.countries:
            entry["country"] = item.countries[0]
        entry["kind"] = kind
        entry["tier"] = "reference"
        entry["source"] = f"wikidata:{qid}"
        entries.append(entry)
    entries.sort(key=lambda e: (str(e.get("country", "~")), str(e["name"]).casefold(), str(e["source"])))
    return entries, stats


def _toml_value(value: object) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return json.dumps(str(value), ensure_ascii=False)


def render(entries: list[dict[str, object]], header: str) -> str:
    lines = [f"# {line}".rstrip() for line in header.strip().splitlines()]
    for entry in entries:
        lines.append("")
        lines.append("[[outlet]]")
        lines.extend(f"{key} = {_toml_value(value)}" for key, value in entry.items())
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sparql", type=Path, required=True, help="SPARQL JSON result of reference_outlets.rq"
    )
    parser.add_argument("--entities", type=Path, help="directory of <QID>.json Wikidata entities")
    parser.add_argument("--drop", type=Path, help="file of QIDs to leave out (one per line)")
    parser.add_argument("--rules-dir", type=Path, help="curated rule files (default: the bundled ones)")
    parser.add_argument("--header", default="", help="provenance lines for the file header")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)

    items = read_sparql(args.sparql)
    stats: Counter[str] = Counter({"items in the query result": len(items)})
    if args.drop:
        for line in args.drop.read_text(encoding="utf-8").split():
            qid = line.strip().removesuffix(".json")
            if items.pop(qid, None) is not None:
                stats["dropped by --drop list"] += 1
    if args.entities:
        stats.update(apply_entities(items, args.entities))
    curated = curated_domains(args.rules_dir)
    entries, build_stats = build(items, curated)
    stats.update(build_stats)
    countries = Counter(str(e.get("country", "")) for e in entries)
    stats["entries written"] = len(entries)
    stats["countries"] = len([c for c in countries if c])
    stats["domains written"] = sum(len(str(e["domains"]).split(",")) for e in entries)
    built = "built by tools/build_reference_outlets.py"
    header = f"{args.header}\n{len(entries)} outlets, {stats['countries']} countries; {built}"
    args.out.write_text(render(entries, header), encoding="utf-8")
    for key, value in stats.items():
        print(f"{key}: {value}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
