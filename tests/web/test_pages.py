"""The pages, read like a user reads them (BeautifulSoup), on the real data."""

from __future__ import annotations

import json

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient

JULY = "2026-07-15"


def soup(client: TestClient, url: str, status: int = 200) -> BeautifulSoup:
    r = client.get(url)
    assert r.status_code == status, r.text[:500]
    assert r.headers["content-type"].startswith("text/html")
    return BeautifulSoup(r.text, "html.parser")


def text_of(page: BeautifulSoup, selector: str) -> str:
    node = page.select_one(selector)
    assert node is not None, selector
    return " ".join(node.get_text(" ").split())


def test_home_has_a_labelled_search(client: TestClient) -> None:
    page = soup(client, "/")
    field = page.select_one("input#q")
    assert field is not None and page.select_one("label[for=q]") is not None
    assert field.find_parent("form")["action"] == "/search"


def test_search_lists_codes_with_national_amounts(client: TestClient) -> None:
    page = soup(client, f"/search?q=epidural&date={JULY}")
    rows = {
        tr.select_one("a.code-link").get_text(): [
            td.get_text(" ", strip=True) for td in tr.select("td")
        ]
        for tr in page.select("table.results tbody tr")
    }
    assert rows["62323"][2:] == ["Medicare Physician Fee Schedule", "$273.22", "$89.18"]
    assert "Njx interlaminar lmbr/sac" in rows["62323"][1]
    link = page.select_one('a.code-link[href^="/codes/62323"]')
    assert link is not None and f"date={JULY}" in link["href"]


def test_an_exact_code_goes_to_its_page(client: TestClient) -> None:
    r = client.get("/search?q=62323&zip=77030", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/codes/62323?zip=77030"


def test_code_page_national(client: TestClient) -> None:
    page = soup(client, f"/codes/62323?date={JULY}")
    assert text_of(page, "#place-label") == "National average"
    assert text_of(page, "#amount-nonfacility .v") == "$273.22"
    assert text_of(page, "#amount-facility .v") == "$89.18"
    assert "American Medical Association" in page.get_text()
    explain = text_of(page, ".explain")
    assert (
        "including imaging guidance" in explain
        and "62322 is the same injection without imaging guidance" in explain
    )
    assert "spinal region is the difference" in explain
    body = page.get_text(" ")
    assert "At most 4 sessions per spinal region in a rolling 12 months" in body
    assert "M48.06 is a header" in body and "M54.5 is a header" in body
    assert "Confidence" in text_of(page, "#confidence")


def test_code_page_houston(client: TestClient) -> None:
    # GPCI2026 Houston (1.008, 0.993, 1.376):
    # NF 8.21425 x 33.4009 = 274.36; F 2.74282 x 33.4009 = 91.61
    page = soup(client, f"/codes/62323?zip=77030&date={JULY}&setting=facility")
    assert text_of(page, "#place-label") == "Houston, TX (04412-18)"
    assert text_of(page, "#amount-nonfacility .v") == "$274.36"
    assert text_of(page, "#amount-facility .v") == "$91.61"
    assert "chosen" in page.select_one("#amount-facility")["class"]
    assert page.select_one("#locality option[selected]")["value"] == "04412-18"
    assert page.select_one("#zip")["value"] == "77030"
    rvu = text_of(page, "table.rvu")
    assert "1.77408" in rvu and "6.20625" in rvu  # 1.76 x 1.008, 6.25 x 0.993


def test_every_page_uses_only_local_assets(client: TestClient) -> None:
    for url in (
        "/",
        "/search?q=epidural",
        f"/codes/62323?zip=77030&date={JULY}",
        f"/codes/80053?date={JULY}",
        "/claims",
        "/data",
        "/api/docs",
    ):
        page = soup(client, url)
        for tag, attr in (("script", "src"), ("link", "href"), ("img", "src")):
            for node in page.find_all(tag):
                if node.get(attr):
                    assert node[attr].startswith("/"), (url, node)
        assert "http://" not in str(page.find("head")) and "https://" not in str(page.find("head"))


def test_picker_fields_have_labels(client: TestClient) -> None:
    page = soup(client, f"/codes/62323?date={JULY}")
    for field in page.select("#picker input, #picker select"):
        assert page.select_one(f'label[for="{field["id"]}"]') is not None, field


def test_bad_zip_shows_an_error_page(client: TestClient) -> None:
    page = soup(client, "/codes/62323?zip=00000", status=400)
    assert "ZIP 00000" in page.get_text()


@pytest.mark.parametrize(
    "url", ["/codes/99999", "/codes/62323?date=2026-02-30", "/codes/62323?setting=x", "/nope"]
)
def test_bad_input_is_4xx_html(client: TestClient, url: str) -> None:
    r = client.get(url)
    assert 400 <= r.status_code < 500 and r.headers["content-type"].startswith("text/html")


def test_claim_checker_page(client: TestClient) -> None:
    form = soup(client, "/claims")
    example = json.loads(form.select_one("textarea#claim").get_text())
    r = client.post("/claims", data={"claim": json.dumps(example)})
    assert r.status_code == 200
    page = BeautifulSoup(r.text, "html.parser")
    assert "ncci.ptp" in text_of(page, "#findings")
    results = text_of(page, "#results")
    assert "expected $274.36" in results  # 62323, Houston, office


def test_claim_checker_page_rejects_bad_json(client: TestClient) -> None:
    r = client.post("/claims", data={"claim": "{not json"})
    assert r.status_code == 400 and "not valid JSON" in r.text


def test_data_page(client: TestClient) -> None:
    assert "RVU26C" in soup(client, "/data").get_text()


def test_a_dmepos_code_page_takes_a_state_alone(client: TestClient) -> None:
    # DMEPOS26_JAN: E0601-RR in Texas, non-rural 50.91; the picker does not refuse a state
    # that names several physician fee schedule localities.
    page = client.get("/codes/E0601?state=TX&modifier=RR&date=2026-02-10")
    assert page.status_code == 200, page.text[:500]
    assert "DMEPOS" in page.text and "50.91" in page.text
