"""/remits: 835 uploads (with the 837P) worked on one page; /remits/letter: a denial's CMS-20027
request, printable and as text. Bad uploads are answered with the reason, never a 500. The
browser test uploads in Debian's Chromium, opens the denial from the worklist, prints its
request from the page it opens, and downloads the CSV.

Figures (tests/fixtures/x12/medicare_2026.835 and its README, worked by hand in
tests/api/test_remits.py): 99214 denied CO-16 on MC1005, 107.73 at stake, a corrected claim
within a year of 2026-07-29; 77003 denied CO-97 on MC1003, 82.12 at stake, redetermination by
2026-12-15; 62323 on MC1002 paid 196.00 where 215.10 was due (allowed 250.00 for 274.36).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient

from medpayiq.api import ApiKeys, hash_key
from medpayiq.reference import Catalog
from medpayiq.web import create_app
from medpayiq.x12 import to_837p
from x12.builders import RENDERING, claim, line, on, service

ROOT = Path(__file__).resolve().parents[2]
ERA = (ROOT / "tests" / "fixtures" / "x12" / "medicare_2026.835").read_bytes()
DENIALS = (ROOT / "tests" / "fixtures" / "x12" / "medicare_2026_denials.835").read_bytes()
CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = ROOT / "docs" / "screenshots"


def sent_837p() -> bytes:
    day = on(dt.date(2026, 8, 3))
    lines = [line(1, service("62323", "950.00"), day), line(2, service("77003", "180.00"), day)]
    return to_837p([claim("MC1003", lines, rendering=RENDERING)]).encode()


def _worked(client: TestClient) -> BeautifulSoup:
    files = [
        ("remits", ("era.835", ERA, "text/plain")),
        ("claims", ("sent.837", sent_837p(), "text/plain")),
    ]
    r = client.post("/remits", files=files)
    assert r.status_code == 200, r.text
    assert r.headers["cache-control"] == "no-store"
    return BeautifulSoup(r.text, "html.parser")


def _cells(row: Any) -> list[str]:
    return [td.get_text(" ", strip=True) for td in row.find_all("td")]


def test_linked_from_the_navigation(client: TestClient) -> None:
    soup = BeautifulSoup(client.get("/").text, "html.parser")
    assert soup.select_one("nav.top-nav a[href='/remits']") is not None
    form = BeautifulSoup(client.get("/remits").text, "html.parser").select_one("form.claim-form")
    assert form is not None and form.find("input", id="remits").has_attr("multiple")


def test_the_worklist_by_dollars_then_deadline(client: TestClient) -> None:
    soup = _worked(client)
    rows = [_cells(tr) for tr in soup.select("#remit-worklist tbody tr")]
    assert [(r[0], r[1], r[2], r[6], r[7], r[8]) for r in rows] == [
        ("MC1005", "1", "99214", "Corrected claim", "2027-07-29", "$107.73"),
        ("MC1003", "2", "77003", "Redetermination", "2026-12-15", "$82.12"),
        ("MC1002", "2", "62323", "Reopening (clerical error)", "2027-08-12", "$19.10"),
    ]
    assert rows[1][10] == "yes: ncci.ptp"  # the 837P was given: the checker would have caught it
    cards = {c.find("span").get_text(): c.find("b").get_text() for c in soup.select(".wl-card")}
    assert cards["underpaid"] == "$19.10" and cards["paid"] == "$655.89"
    assert cards["denied, at stake"] == "$189.85" and cards["preventable denials"] == "100%"


def test_denials_by_route_carc_code_payer_and_the_underpayments(client: TestClient) -> None:
    soup = _worked(client)
    carc = {r[0]: r for r in map(_cells, soup.select("#by-carc tbody tr"))}
    assert carc["97"][2:] == ["1", "$82.12"] and "included in the payment" in carc["97"][1]
    assert carc["16"][2:] == ["1", "$107.73"]
    routes = {r[0]: r for r in map(_cells, soup.select("#by-route tbody tr"))}
    assert routes["Redetermination"] == ["Redetermination", "1", "$180.00", "$82.12",
                                         "2026-12-15"]  # fmt: skip
    codes = {r[0]: r[1:] for r in map(_cells, soup.select("#by-code tbody tr"))}
    assert codes == {"99214": ["1", "$107.73"], "77003": ["1", "$82.12"]}
    payers = [_cells(r) for r in soup.select("#by-payer tbody tr")]
    assert payers == [["NOVITAS SOLUTIONS JH", "2", "$189.85"]]
    [under] = [_cells(r) for r in soup.select("#underpaid tbody tr")]
    assert under[:9] == ["MC1002", "2", "62323", "2026-07-20", "$250.00", "$274.36", "$196.00",
                         "$215.10", "−$19.10"]  # fmt: skip


def test_charts_are_drawn_on_the_server(client: TestClient) -> None:
    soup = _worked(client)
    titles = [svg.find("title").get_text() for svg in soup.select("svg.chart")]
    captions = [f.get_text() for f in soup.select("figure.remit-chart figcaption")]
    assert captions == titles
    assert titles == [
        "Dollars at stake by route",
        "Denied dollars by adjustment reason (CARC)",
        "Underpaid dollars by likely cause",
    ]
    route = soup.select("svg.chart")[0].find("desc").get_text()
    assert route.startswith("Corrected claim $107.73 (1 line(s)); Redetermination $82.12")
    assert soup.find("script", src=lambda s: s and "chart" in s) is None  # no chart script


def test_a_denial_opens_with_its_route_and_request(client: TestClient) -> None:
    soup = _worked(client)
    link = soup.select("#remit-worklist tbody tr")[1].find("a")
    opened = soup.find(id=link["href"].removeprefix("#"))
    assert opened is not None and opened.name == "article"
    text = opened.get_text(" ", strip=True)
    assert "CO-97 $180.00: The benefit for this service is included" in text
    assert "M15 Separately billed services/tests have been bundled" in text
    assert "Redetermination: by 2026-12-15" in text and "42 CFR 405.942" in text
    form = opened.select_one("form.remit-letter-form")
    assert form["action"] == "/remits/letter" and form["target"] == "_blank"
    letter = form.find("input", attrs={"name": "letter"})["value"]
    page = client.post("/remits/letter", data={"letter": letter, "format": "html"})
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    printable = BeautifulSoup(page.text, "html.parser")
    fields = {
        dt_.get_text(strip=True): dd.get_text(" ", strip=True)
        for dt_, dd in zip(printable.select("#letter dt"), printable.select("#letter dd"),
                           strict=True)
    }  # fmt: skip
    assert fields["3. Item or service appealed"] == "77003, 1 unit(s), charge 180.00"
    assert fields["4. Date of service"] == "2026-08-03"
    assert fields["5. Date of the initial determination notice"] == "2026-08-12"
    assert fields["6. Contractor that made the determination"] == "NOVITAS SOLUTIONS JH"
    assert "modifier indicator 1" in printable.select_one("#letter").get_text()
    assert printable.find("link", href="/static/letter.css") is not None
    assert "File by 2026-12-15" in page.text and "<style" not in page.text  # CSP: style-src self
    assert "@media print" in client.get("/static/letter.css").text
    plain = client.post("/remits/letter", data={"letter": letter, "format": "text"})
    assert plain.headers["content-type"].startswith("text/plain")
    assert plain.headers["content-disposition"].startswith("attachment")
    assert plain.text.startswith("CMS-20027 Medicare Redetermination Request\n")
    assert "Rule: NCCI PTP edit column 1 62323 / column 2 77003, modifier indicator 1" in plain.text
    # Only appealable denials have a request: the corrected claim and the reopening do not.
    assert len(soup.select("form.remit-letter-form")) == 1


def test_two_remittances_one_worklist(client: TestClient) -> None:
    """The second file (paid 2026-09-15, received 09-20 by presumption): 62323 denied CO-50
    with N115 (an LCD): its 215.10 (274.36 - 54.87 coinsurance - 4.39 sequestration) at stake,
    a redetermination due 120 days after 09-20, on 2027-01-18: first in the worklist."""
    files = [("remits", ("a.835", ERA, "text/plain")), ("remits", ("b.835", DENIALS, "text/plain"))]
    r = client.post("/remits", files=files)
    assert r.status_code == 200, r.text
    soup = BeautifulSoup(r.text, "html.parser")
    assert soup.find("h1").get_text() == "10 claims in 2 remittance(s)"
    first = _cells(soup.select_one("#remit-worklist tbody tr"))
    assert (first[0], first[2], first[6], first[7], first[8]) == (
        "MC2002", "62323", "Redetermination", "2027-01-18", "$215.10",
    )  # fmt: skip
    opened = soup.find(id=soup.select_one("#remit-worklist tbody tr a")["href"][1:])
    assert "N115" in opened.get_text() and len(soup.select("form.remit-letter-form")) == 2


def test_the_csv_download_holds_every_line(client: TestClient) -> None:
    href = _worked(client).select_one("#remit-csv")["href"]
    assert href.startswith("data:text/csv;charset=utf-8,")
    rows = list(csv.DictReader(io.StringIO(unquote(href.split(",", 1)[1]))))
    assert len(rows) == 7
    bundled = next(r for r in rows if r["hcpcs"] == "77003")
    assert (bundled["route"], bundled["deadline"], bundled["preventable_rule"]) == (
        "redetermination", "2026-12-15", "ncci.ptp",
    )  # fmt: skip


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"data": {"x12": ""}}, "choose an 835 remittance file"),
        ({"data": {"x12": "hello"}}, "Remittance 1 is not an X12 835 file"),
        ({"data": {"x12": "ISA*00*short~"}}, "the ISA is cut short"),
        ({"files": [("remits", ("a.835", ERA, "text/plain")),
                    ("claims", ("b.837", b"not x12", "text/plain"))]},
         "Claim file 1 is not an X12 837P file"),
    ],
)  # fmt: skip
def test_bad_input_says_why(client: TestClient, kwargs: dict[str, Any], words: str) -> None:
    r = client.post("/remits", **kwargs)
    assert r.status_code == 400
    alert = BeautifulSoup(r.text, "html.parser").find(attrs={"role": "alert"})
    assert alert is not None and words in alert.get_text(), alert


@pytest.mark.parametrize(
    "letter", ["", "not json", "[]", '{"line": 1}', '{"unknown": "x"}', "{" + "x" * 30000 + "}"]
)
def test_a_malformed_request_is_refused(client: TestClient, letter: str) -> None:
    r = client.post("/remits/letter", data={"letter": letter})
    assert r.status_code == 400
    assert "open it from the remittance page" in r.text or "could not be read" in r.text


def test_api_keys_guard_the_upload(catalog: Catalog) -> None:
    keys = ApiKeys({hash_key("key-of-a"): "practice-a"})
    with TestClient(create_app(catalog, api_keys=keys), raise_server_exceptions=False) as keyed:
        soup = BeautifulSoup(keyed.get("/remits").text, "html.parser")
        assert soup.find("input", id="api_key") is not None
        files = [("remits", ("a.835", ERA, "text/plain"))]
        assert keyed.post("/remits", files=files).status_code == 401
        ok = keyed.post("/remits", files=files, data={"api_key": "key-of-a"})
        assert ok.status_code == 200 and "MC1003" in ok.text


# --- in the browser ---------------------------------------------------------------------------


@pytest.mark.browser
def test_work_a_remittance_in_a_browser(base_url: str, tmp_path: Path) -> None:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is absent: apt-get install -y chromium")
    sync_api: Any = pytest.importorskip("playwright.sync_api")
    era, sent = tmp_path / "era.835", tmp_path / "sent.837"
    era.write_bytes(ERA)
    sent.write_bytes(sent_837p())
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox"])
        context = browser.new_context(
            viewport={"width": 1300, "height": 900}, accept_downloads=True
        )
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        context.on(
            "console",
            lambda m: (
                errors.append(m.text)
                if m.type == "error" and "Failed to load resource" not in m.text
                else None
            ),
        )  # a style or script the Content-Security-Policy refuses shows up here
        context.on(
            "response",
            lambda r: (
                errors.append(f"{r.status} {r.url}")
                if r.status >= 400 and not r.url.endswith("/favicon.ico")
                else None
            ),
        )
        page.goto(f"{base_url}/")
        page.click("nav.top-nav a[href='/remits']")
        page.set_input_files("#remits", str(era))
        page.set_input_files("#claims", str(sent))
        page.click("form.claim-form button[type=submit]")
        page.wait_for_selector("#remit-worklist")
        first = page.inner_text("#remit-worklist tbody tr:first-child td:nth-child(9)")
        assert first.strip() == "$107.73"
        # Open the bundling denial from the worklist: its line is the page's target.
        page.click("#remit-worklist tbody tr:nth-child(2) td:first-child a")
        target = page.locator("article.remit-line:target")
        assert target.count() == 1 and "77003" in target.locator("h3").inner_text()
        assert target.is_visible()
        # Print its request: a new tab with the printable page.
        with context.expect_page() as opened:
            target.get_by_role("button", name="Print the redetermination request").click()
        letter = opened.value
        letter.wait_for_load_state()
        assert "File by 2026-12-15" in letter.inner_text("#letter")
        letter.emulate_media(media="print")
        assert not letter.locator("header.top").is_visible()  # print CSS: the letter alone
        assert not letter.locator(".no-print").first.is_visible()
        assert letter.locator("#letter").is_visible()
        pdf = letter.pdf()  # Chromium prints it
        assert pdf.startswith(b"%PDF") and len(pdf) > 1000
        letter.emulate_media(media="screen")
        shot = tmp_path / "remit-letter.png"
        letter.screenshot(path=str(shot), full_page=True)
        letter.close()
        with page.expect_download() as done:
            page.click("#remit-csv")
        lines = Path(done.value.path()).read_text(encoding="utf-8").splitlines()
        assert lines[0].startswith("claim_id,payer_claim_number,claim_status")
        assert len(lines) == 8
        page.set_viewport_size({"width": 375, "height": 800})  # a phone: tables scroll alone
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        page.set_viewport_size({"width": 1300, "height": 900})
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(tmp_path / "remits.png"), full_page=False)
        if os.environ.get("MEDPAYIQ_SAVE_SCREENSHOTS"):
            SCREENSHOTS.mkdir(exist_ok=True)
            page.screenshot(path=str(SCREENSHOTS / "remits.png"), full_page=False)
        assert errors == []
        browser.close()
