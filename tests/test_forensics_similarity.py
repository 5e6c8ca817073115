"""`--compare-outlet`: a page is compared with the outlet's real page, fetched once per run.

One loopback server plays the real outlet (``welt.de``, its front page at ``/``) and the sites
that imitate it: a clone of that front page, and an unrelated page that claims to be WELT. Host
names are pinned to 127.0.0.1 with ``--resolve``; the canonical links carry the server's port,
so the outlet's "real page" is this server's front page.
"""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from forensics_servers import WELT

from linkguard.cli import main
from linkguard.forensics.investigator import _reference_url
from linkguard.forensics.page import parse_html
from linkguard.forensics.similarity import compare, fingerprint
from linkguard.policy import CLONE_SIMILARITY, SCORE_COPY_ON_LOOKALIKE, SCORE_PAGE_COPY, copy_score

SECTIONS = ["Politik", "Wirtschaft", "Sport", "Kultur", "Wissen", "Reise", "Gesundheit", "Regional"]
TEASERS = [
    (
        "Bundestag beschließt Haushalt",
        "Nach langer Debatte stimmte die Koalition dem Etat für das kommende Jahr zu.",
    ),
    ("Inflation sinkt weiter", "Die Verbraucherpreise stiegen im Oktober nur noch um zwei Prozent."),
    (
        "Bayern gewinnt Spitzenspiel",
        "Mit einem späten Tor sicherte sich der Rekordmeister die Tabellenführung.",
    ),
    ("Neue Ausstellung in Berlin", "Das Museum zeigt Werke der Moderne aus privaten Sammlungen."),
    (
        "Forscher entdecken Exoplaneten",
        "Das Teleskop fand einen Planeten in der habitablen Zone eines Sterns.",
    ),
    ("Bahn kündigt Streik an", "Reisende müssen sich ab Montag auf Ausfälle im Fernverkehr einstellen."),
    ("Winter kommt früh", "Meteorologen erwarten Schnee bis in tiefe Lagen schon Ende November."),
    ("Wahl in Brandenburg", "Die Parteien ringen um Stimmen in den ländlichen Regionen des Landes."),
]


def outlet_page(port: int, headline: str = "Die wichtigsten Nachrichten des Tages") -> str:
    """A news front page: header, section nav, a lead story and teasers, footer."""
    nav = "".join(f'<li class="nav-item"><a href="/{s.lower()}/">{s}</a></li>' for s in SECTIONS)
    teasers = "".join(
        f'<article class="teaser"><h2><a href="/{i}.html">{title}</a></h2><p>{text}</p>'
        f'<span class="meta">vor {i + 1} Stunden</span></article>'
        for i, (title, text) in enumerate(TEASERS)
    )
    return (
        f'<!doctype html><html lang="de"><head><meta charset="utf-8"><title>WELT - Nachrichten</title>'
        f'<meta property="og:site_name" content="WELT">'
        f'<link rel="canonical" href="http://welt.de:{port}/"></head><body>'
        f'<header class="site-header"><a href="/"><img class="logo" src="/logo.svg" alt="WELT"></a>'
        f'<nav><ul class="nav">{nav}</ul></nav></header>'
        f'<main><section class="lead"><h1>{headline}</h1>'
        f"<p>Hier lesen Sie die neuesten Meldungen aus Deutschland und der Welt, laufend aktualisiert.</p>"
        f'</section><section class="teasers">{teasers}</section></main>'
        f'<footer><p>© WELT 2024 – Axel Springer</p><a href="/impressum">Impressum</a></footer>'
        f"</body></html>"
    )


def unrelated_page(port: int) -> str:
    """A recipe blog that claims WELT's name and canonical, but is nothing like its page."""
    steps = "".join(f"<li>Schritt {i}: Mehl, Zucker und Eier {i}-mal gut verrühren.</li>" for i in range(12))
    return (
        f'<html><head><title>Omas Kuchen</title><meta property="og:site_name" content="WELT">'
        f'<link rel="canonical" href="http://welt.de:{port}/rezepte"></head>'
        f"<body><div><div><h3>Zutaten</h3><table><tr><td>Mehl</td><td>500 g</td></tr>"
        f"<tr><td>Zucker</td><td>200 g</td></tr></table></div><ol>{steps}</ol>"
        f"<form><input name=q><button>Suchen</button></form></div></body></html>"
    )


@dataclass
class Site:
    port: int
    paths: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def seen(self, path: str) -> int:
        with self.lock:
            return self.paths.count(path)


@contextlib.contextmanager
def serve_site() -> Iterator[Site]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            port = self.server.server_address[1]
            with site.lock:
                site.paths.append(f"{self.headers.get('Host', '').split(':')[0]}{self.path}")
            pages = {
                "/": outlet_page(port),
                # the clone: WELT's front page with another lead story
                "/clone": outlet_page(port, "Skandal: Regierung verschweigt die Wahrheit"),
                "/unrelated": unrelated_page(port),
            }
            body = pages.get(self.path, "")
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body.encode())))
            self.end_headers()
            self.wfile.write(body.encode())

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    site = Site(server.server_address[1])
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield site
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.fixture
def site(no_proxy_env: None) -> Iterator[Site]:
    with serve_site() as served:
        yield served


pytestmark = pytest.mark.usefixtures("private_dirs")  # forensics_servers.private_dirs


def net_args(site: Site, rules_file: Path, host: str) -> list[str]:
    return [
        "--resolve",
        f"{host}:127.0.0.1",
        "--resolve",
        "welt.de:127.0.0.1",
        "--allow-private",
        "--no-cache",
        "--rdap-url",
        f"http://127.0.0.1:{site.port}/rdap/",  # answers 404: no registration, no WHOIS
        "--rules",
        str(rules_file),
        "--no-blocklist",
    ]


def check_json(
    site: Site, rules_file: Path, capsys: pytest.CaptureFixture[str], host: str, path: str, *extra: str
) -> tuple[int, dict[str, Any]]:
    url = f"http://{host}:{site.port}{path}"
    code = main(["check", url, "--format", "json", *net_args(site, rules_file, host), *extra])
    return code, json.loads(capsys.readouterr().out)


def similarity_of(finding: dict[str, Any]) -> dict[str, Any]:
    [item] = [e for e in finding["evidence"] if e["kind"] == "similarity"]
    return item  # type: ignore[no-any-return]


def test_a_clone_of_the_outlets_page_scores_high_and_raises_the_verdict(
    site: Site, rules_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # welt24.info scores 76 by its name alone; its page claiming WELT makes 90 (SCORE_CLONE_CONFIRMED)
    code, finding = check_json(site, rules_file, capsys, "welt24.info", "/clone", "--compare-outlet")
    item = similarity_of(finding)
    assert code == 1
    assert item["data"]["structure"] >= 90 and item["data"]["copy"] is True
    assert item["data"]["reference_url"] == f"http://welt.de:{site.port}/"
    assert f"page structure {item['data']['structure']} % like welt.de's front page" in item["detail"]
    assert "a copy of WELT's page" in item["detail"]
    # a name imitating WELT and a copy of WELT's page: the strongest score short of a list
    assert finding["verdict"] == "suspicious" and finding["score"] == SCORE_COPY_ON_LOOKALIKE
    assert site.seen("welt.de/") == 1


def test_a_copy_on_a_name_that_imitates_nothing_is_still_a_copy(
    site: Site, rules_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, finding = check_json(
        site, rules_file, capsys, "nachrichten-heute.top", "/clone", "--compare-outlet"
    )
    assert code == 1 and similarity_of(finding)["data"]["copy"] is True
    assert finding["score"] == SCORE_PAGE_COPY and finding["impersonates"]["name"] == "WELT"


def test_an_unrelated_page_scores_low_and_acquits_nothing(
    site: Site, rules_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, finding = check_json(site, rules_file, capsys, "welt24.info", "/unrelated", "--compare-outlet")
    item = similarity_of(finding)
    assert item["data"]["structure"] < 30 and item["data"]["text"] < 30 and item["data"]["copy"] is False
    assert "proves nothing either way" in item["detail"]
    _, without = check_json(site, rules_file, capsys, "welt24.info", "/unrelated")
    assert not [e for e in without["evidence"] if e["kind"] == "similarity"]  # opt-in: no outlet fetch
    # the same verdict as without the comparison: unlike is not innocent
    assert code == 1 and (finding["verdict"], finding["score"]) == (without["verdict"], without["score"])


def test_one_outlet_fetch_per_run_recorded_in_the_evidence(
    site: Site, rules_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    posts = tmp_path / "posts.txt"
    posts.write_text(
        f"http://welt.ltd:{site.port}/clone\nhttp://welt.ltd:{site.port}/unrelated\n", encoding="utf-8"
    )
    evidence = tmp_path / "evidence"
    args = [
        "scan",
        str(posts),
        "--online",
        "--compare-outlet",
        "--format",
        "jsonl",
        "--evidence",
        str(evidence),
    ]
    code = main([*args, *net_args(site, rules_file, "welt.ltd")])
    findings = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert code == 1
    scores = {f["url"].rsplit("/", 1)[1]: similarity_of(f)["data"] for f in findings}
    assert scores["clone"]["copy"] and not scores["unrelated"]["copy"]
    assert site.seen("welt.de/") == 1  # the outlet's page is fetched once for both links
    manifest = json.loads((evidence / "manifest.json").read_text(encoding="utf-8"))
    [outlet] = [e for e in manifest["exchanges"] if e["url"] == f"http://welt.de:{site.port}/"]
    assert outlet["record_id"] and outlet["sha256"]
    for data in scores.values():  # each comparison cites the record of the outlet's page
        assert [r["record_id"] for r in data["reference_records"]] == [outlet["record_id"]]


def test_compare_outlet_needs_the_network(rules_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "welt.ltd", "--offline", "--compare-outlet", "--rules", str(rules_file)]) == 2
    assert "--compare-outlet looks at pages over the network" in capsys.readouterr().err


def test_fingerprints_of_copies_and_strangers() -> None:
    real = fingerprint(parse_html(outlet_page(80).encode()))
    clone = fingerprint(parse_html(outlet_page(80, "Eine ganz andere Schlagzeile").encode()))
    other = fingerprint(parse_html(unrelated_page(80).encode()))
    assert compare(real, real).best == 100
    assert compare(real, clone).best >= CLONE_SIMILARITY
    assert compare(real, other).best < 30
    empty = fingerprint(parse_html(b""))
    assert empty.structure is None and compare(real, empty).best == 0


def test_copy_score_only_ever_adds() -> None:
    assert copy_score(CLONE_SIMILARITY - 1, True) == 0
    assert copy_score(CLONE_SIMILARITY, False) == SCORE_PAGE_COPY
    assert copy_score(100, True) == SCORE_COPY_ON_LOOKALIKE


def test_the_reference_is_the_front_page_of_the_claimed_outlet_site() -> None:
    assert _reference_url(WELT, "https://www.welt.de/politik/a1.html") == "https://www.welt.de/"
    assert _reference_url(WELT, "http://welt.de:8080/x") == "http://welt.de:8080/"
    assert _reference_url(WELT, "https://evil.example/welt.de/") == "https://welt.de/"
    assert _reference_url(WELT, "https://www.welt.de:99999/") == "https://welt.de/"
    assert _reference_url(WELT, None) == "https://welt.de/"


def test_the_outlets_own_page_is_not_compared_with_itself(
    site: Site, rules_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, finding = check_json(site, rules_file, capsys, "welt.de", "/", "--compare-outlet")
    assert code == 0 and finding["verdict"] == "trusted"
    assert not [e for e in finding["evidence"] if e["kind"] == "similarity"]
