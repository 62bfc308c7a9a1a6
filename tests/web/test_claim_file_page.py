"""/claims/file: an 837P upload (or paste) shown as a worklist; the link from /claims; bad
uploads answered with the reason, never a 500. The browser test drives the worklist's
script (filter, sort, CSV export) in Debian's Chromium, as tests/web/test_browser.py does."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient

from claims.files import practice_file

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def _rows(html: str) -> dict[str, dict[str, str]]:
    soup = BeautifulSoup(html, "html.parser")
    table = soup.find("table", id="worklist")
    assert table is not None
    rows = {}
    for tr in table.find("tbody").find_all("tr"):  # type: ignore[union-attr]
        cells = [td.get_text(" ", strip=True) for td in tr.find_all("td")]
        rows[cells[0].split()[0]] = {"status": tr["data-status"], "at_risk": cells[7],
                                     "rules": cells[8], "findings": cells[9]}  # fmt: skip
    return rows


def test_the_claim_checker_links_to_the_file_page(client: TestClient) -> None:
    soup = BeautifulSoup(client.get("/claims").text, "html.parser")
    assert soup.find("a", href="/claims/file") is not None


def test_an_upload_is_a_worklist(client: TestClient) -> None:
    assert client.get("/claims/file").status_code == 200
    files = {"file": ("practice.837", practice_file().encode(), "text/plain")}
    r = client.post("/claims/file", files=files)
    assert r.status_code == 200, r.text
    rows = _rows(r.text)
    assert len(rows) == 19
    assert rows["A5"] == {
        "status": "deny",
        "at_risk": "$274.36",
        "rules": "policy.epidural.frequency",
        "findings": rows["A5"]["findings"],
    }
    assert "session 5" in rows["A5"]["findings"]
    assert rows["G3"]["status"] == "void" and rows["C2"]["status"] == "clean"
    # Claims to act on come first.
    order = list(rows)
    assert order[0] == "A5" and order[-1] in {"G3", "H2"}
    soup = BeautifulSoup(r.text, "html.parser")
    assert soup.find(id="wl-csv") is not None and soup.find(id="wl-q") is not None
    assert soup.find("script", src="/static/worklist.js") is not None
    for secret in ("1EG4TE5MK72", "XYZ123456789", "1951-03-02"):
        assert secret not in r.text


def test_a_paste_is_checked_too(client: TestClient) -> None:
    r = client.post("/claims/file", data={"x12": practice_file()})
    assert r.status_code == 200 and len(_rows(r.text)) == 19


@pytest.mark.parametrize(
    ("data", "status", "words"),
    [
        ({"x12": ""}, 400, "choose an 837P file"),
        ({"x12": "hello"}, 400, "not an X12 837P file"),
        ({"x12": "ISA*00*short~"}, 400, "the ISA is cut short"),
    ],
)
def test_bad_input_says_why(
    client: TestClient, data: dict[str, str], status: int, words: str
) -> None:
    r = client.post("/claims/file", data=data)
    assert r.status_code == status
    alert = BeautifulSoup(r.text, "html.parser").find(attrs={"role": "alert"})
    assert alert is not None and words in alert.get_text(), alert


# --- in the browser ---------------------------------------------------------------------------


@pytest.mark.browser
def test_the_worklist_in_a_browser(base_url: str, tmp_path: Path) -> None:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is absent: apt-get install -y chromium")
    sync_api: Any = pytest.importorskip("playwright.sync_api")
    upload = tmp_path / "practice.837"
    upload.write_text(practice_file(), encoding="ascii")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox"])
        page = browser.new_page(viewport={"width": 1300, "height": 900}, accept_downloads=True)
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(f"{base_url}/claims/file")
        page.set_input_files("#file", str(upload))
        page.click("form.claim-form button[type=submit]")
        # The count is written by the deferred worklist script, after #worklist exists:
        # expect() waits for it where inner_text() would read the empty span (CI saw '').
        count = sync_api.expect(page.locator("#wl-count"))
        count.to_have_text("19 of 19 claims")
        page.select_option("#wl-status", "deny")
        count.to_have_text("10 of 19 claims")
        page.fill("#wl-q", "claim D1")
        count.to_have_text("2 of 19 claims")  # D2 and D3
        page.fill("#wl-q", "")
        page.click("#worklist th:nth-child(8) button")  # at risk, ascending
        page.click("#worklist th:nth-child(8) button")  # descending
        first = page.inner_text("#worklist tbody tr:not([hidden]) td:first-child")
        assert first.strip() == "A5"  # $274.36, the most at risk
        with page.expect_download() as done:
            page.click("#wl-csv")
        csv = Path(done.value.path()).read_text(encoding="utf-8").splitlines()
        assert csv[0].startswith("Claim,Status,Dates of service,Lines,Codes,Billed")
        assert len(csv) == 11 and csv[1].startswith("A5,deny,2026-07-15,1,62323,")
        shot = tmp_path / "claims-file.png"
        page.screenshot(path=str(shot), full_page=False)
        if os.environ.get("MEDPAYIQ_SAVE_SCREENSHOTS"):
            SCREENSHOTS.mkdir(exist_ok=True)
            page.screenshot(path=str(SCREENSHOTS / "claims-file.png"), full_page=False)
        assert errors == []
        browser.close()
