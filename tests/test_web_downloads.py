"""Report downloads from the page as XLSX, against the real server on a loopback port: a real
workbook with the right type and name, or, where openpyxl cannot be imported, a clear refusal."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook
from web_servers import client, csrf_of, new_engine, running

ROOT = Path(__file__).parent.parent
SEED = ROOT / "seeds" / "doppelganger-thread-de.txt"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def base(tmp_path: Path, no_proxy_env: None) -> Iterator[str]:
    with running(new_engine(tmp_path / "rules")) as url:
        yield url


def _scan_page(base: str) -> tuple[str, str]:
    """(the results page, its result id) for the seed thread posted through the form."""
    with client(base) as c:
        token = csrf_of(c.get("/").text)
        page = c.post("/scan", data={"csrf": token, "text": SEED.read_text("utf-8")}).text
    return page, page[page.index("/results/") :].split("/")[2]


def test_page_offers_xlsx_and_serves_a_real_workbook(base: str) -> None:
    page, result = _scan_page(base)
    assert f'href="/results/{result}/report.xlsx" download>XLSX</a>' in page
    with client(base) as c:
        response = c.get(f"/results/{result}/report.xlsx")
    assert response.status_code == 200
    assert response.headers["content-type"] == XLSX_TYPE
    assert response.headers["content-disposition"] == 'attachment; filename="linkguard-report.xlsx"'
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    rows = list(book["findings"].iter_rows(values_only=True))
    book.close()
    header = rows[0]
    domains = {row[header.index("domain")]: row[header.index("verdict")] for row in rows[1:]}
    assert domains["welt.ltd"] == "malicious"  # every link (the page's downloads are --all)
    assert domains["welt.de"] == "trusted"


def test_xlsx_download_without_openpyxl_is_a_problem_not_a_crash(
    base: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, result = _scan_page(base)
    monkeypatch.setitem(__import__("sys").modules, "openpyxl", None)  # `import openpyxl` fails
    with client(base) as c:
        response = c.get(f"/results/{result}/report.xlsx")
        # a page route: the refusal is the server's error page, as for every page error
        assert response.status_code == 501
        assert response.headers["content-type"].startswith("text/html")
        assert "XLSX downloads need openpyxl on the server" in response.text
        assert c.get(f"/results/{result}/report.csv").status_code == 200  # the server goes on
