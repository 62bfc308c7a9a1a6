"""The pages in a real browser: Playwright driving Debian's Chromium (/usr/bin/chromium).

Never `playwright install`: the browser is the system's. Without /usr/bin/chromium these tests
skip with the reason, except under CI (MEDPAYIQ_REQUIRE_BROWSER=1), where that is a failure.
Screenshots go to the test's tmp folder; with MEDPAYIQ_SAVE_SCREENSHOTS=1 also to
docs/screenshots/ (the ones in the repository were made that way).
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
JULY = "2026-07-15"

if not Path(CHROMIUM).exists():
    if os.environ.get("MEDPAYIQ_REQUIRE_BROWSER"):
        raise RuntimeError(
            f"{CHROMIUM} is missing and MEDPAYIQ_REQUIRE_BROWSER is set (apt-get "
            "install -y chromium)"
        )
    pytest.skip(
        f"{CHROMIUM} is absent: apt-get install -y chromium to run the browser tests",
        allow_module_level=True,
    )

pytestmark = pytest.mark.browser
sync_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    yield pg
    context.close()


def _shoot(pg: Any, tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    pg.screenshot(path=str(path), full_page=True)
    if os.environ.get("MEDPAYIQ_SAVE_SCREENSHOTS"):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, SCREENSHOTS / name)


def test_search_open_pick_zip_switch_setting(page: Any, base_url: str, tmp_path: Path) -> None:
    page.goto(f"{base_url}/")
    page.fill("#q", "epidural")
    page.press("#q", "Enter")
    page.wait_for_url("**/search?q=epidural*")
    page.click('a.code-link:text-is("62323")')
    page.wait_for_url("**/codes/62323*")
    assert page.inner_text("#place-label") == "National average"
    page.fill("#date", JULY)
    page.press("#date", "Enter")
    page.wait_for_url(f"**date={JULY}*")
    # RVU26C national: (1.76 + 6.25 + 0.17) x 33.4009 = 273.2194 -> $273.22
    assert page.inner_text("#amount-nonfacility .v") == "$273.22"
    _shoot(page, tmp_path, "62323-national.png")

    page.fill("#zip", "77030")
    page.press("#zip", "Enter")
    page.wait_for_url("**zip=77030*")
    assert page.inner_text("#place-label") == "Houston, TX (04412-18)"
    # 62323, RVU26C x GPCI2026 Houston (work 1.008, PE 0.993, MP 1.376), CF 33.4009:
    # NF (1.76x1.008 + 6.25x0.993 + 0.17x1.376) = 8.21425 x 33.4009 = 274.3634 -> $274.36
    # F  (1.76x1.008 + 0.74x0.993 + 0.17x1.376) = 2.74282 x 33.4009 = 91.6127  -> $91.61
    assert page.inner_text("#amount-nonfacility .v") == "$274.36"
    assert page.inner_text("#amount-facility .v") == "$91.61"
    _shoot(page, tmp_path, "62323-houston.png")

    page.click('nav.tabs a:text-is("Facility")')
    page.wait_for_url("**setting=facility*")
    assert "chosen" in (page.get_attribute("#amount-facility", "class") or "")
    assert page.inner_text("#amount-facility .v") == "$91.61"
    assert page.inner_text("#place-label") == "Houston, TX (04412-18)"


def test_keyboard_only(page: Any, base_url: str) -> None:
    page.goto(f"{base_url}/codes/62323?date={JULY}")
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement && document.activeElement.id") == "zip":
            break
    else:
        pytest.fail("Tab never reached the ZIP field")
    page.keyboard.type("77030")
    page.keyboard.press("Enter")
    page.wait_for_url("**zip=77030*")
    assert page.inner_text("#amount-nonfacility .v") == "$274.36"
    # The new page starts at the top again: tab to the setting picker, choose facility with
    # the keyboard, submit with Enter.
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement && document.activeElement.id") == "setting":
            break
    else:
        pytest.fail("Tab never reached the setting picker")
    page.keyboard.type("F")  # type-ahead picks "Facility (hospital, ASC)"
    assert page.evaluate("document.activeElement.value") == "facility"
    page.keyboard.press("Tab")  # a <select> does not submit on Enter: on to "Show rates"
    assert page.evaluate("document.activeElement.textContent") == "Show rates"
    page.keyboard.press("Enter")
    page.wait_for_url("**setting=facility*")
    assert "chosen" in (page.get_attribute("#amount-facility", "class") or "")


def test_claim_checker_finds_ncci_pair(page: Any, base_url: str) -> None:
    claim = {
        "patient": {"id": "P-1"},
        "provider": {"npi": "1234567893"},
        "place_of_service": "11",
        "zip": "77030",
        "date_of_service": JULY,
        "diagnoses": ["M54.16"],
        "lines": [{"hcpcs": "62323"}, {"hcpcs": "77003"}],
    }
    page.goto(f"{base_url}/claims")
    page.click("#json-option summary")  # the JSON paste stays, one step away from the form
    page.fill("#claim", json.dumps(claim))
    page.click('#json-option button:text-is("Check claim")')
    page.wait_for_selector("#findings")
    findings = page.inner_text("#findings")
    assert "ncci.ptp" in findings and "62323/77003" in findings


def _fill_claim(page: Any) -> None:
    page.select_option("#pos", "11")
    page.fill("#where", "77030")
    page.fill("#date", JULY)
    page.fill("#npi", "1234567893")
    page.fill("#diagnoses", "M17.11")
    page.fill("#line-0-code", "99214")
    page.fill("#line-1-code", "20610")
    page.fill("#line-1-mod1", "RT")


def test_claim_form_denies_the_em_without_25(page: Any, base_url: str, tmp_path: Path) -> None:
    # NCCI PTP 20610/99214, modifier indicator 1: only 25 or 57 on the E/M bypasses an edit
    # whose column 2 is an E/M; RT on the procedure does not (DOMAIN.md section 7).
    page.goto(f"{base_url}/claims")
    _fill_claim(page)
    page.click("#check")
    page.wait_for_selector("#results")
    line = page.inner_text("#result-line-1")
    assert "99214" in line and "denied" in line
    assert "Add 25 to line 1 (99214)" in line
    assert "expected $0.00" in line
    assert "paid" in page.inner_text("#result-line-2").lower()
    # 99214 in Houston, office: RVU26C (1.92, PE 2.00, MP 0.14) x GPCI2026 (1.008, 0.993,
    # 1.376) x 33.4009 = 4.11404 x 33.4009 = 137.4113 -> $137.41, all of it at risk.
    assert "at risk $137.41" in line.lower()
    _shoot(page, tmp_path, "claim-form-99214-20610.png")

    page.goto(f"{base_url}/claims")
    _fill_claim(page)
    page.fill("#line-0-mod1", "25")
    page.click("#check")
    page.wait_for_selector("#results")
    with_25 = page.inner_text("#result-line-1").lower()
    assert "paid" in with_25 and "expected $137.41" in with_25 and "deny" not in with_25


def test_claim_form_by_keyboard_alone(page: Any, base_url: str) -> None:
    page.goto(f"{base_url}/claims")

    def tab_to(element_id: str) -> None:
        for _ in range(60):
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement && document.activeElement.id") == element_id:
                return
        pytest.fail(f"Tab never reached #{element_id}")

    tab_to("where")
    page.keyboard.type("77030")
    tab_to("npi")
    page.keyboard.type("1234567893")
    tab_to("diagnoses")
    page.keyboard.type("M17.11")
    tab_to("line-0-code")
    page.keyboard.type("99214")
    tab_to("line-1-code")
    page.keyboard.type("20610")
    page.keyboard.press("Tab")
    page.keyboard.type("RT")
    # "Add line" by keyboard: the new line's code field has the focus after the page returns.
    tab_to("add-line")
    page.keyboard.press("Enter")
    page.wait_for_selector("#line-2")
    assert page.evaluate("document.activeElement.id") == "line-2-code"
    assert page.input_value("#line-1-mod1") == "RT"
    # Enter in a field checks the claim.
    page.keyboard.press("Enter")
    page.wait_for_selector("#results")
    assert "Add 25 to line 1 (99214)" in page.inner_text("#result-line-1")


@pytest.mark.parametrize(
    ("q", "first"),
    [
        ("knee replacement", ["27447"]),
        ("annual wellness", ["G0438", "G0439"]),
        ("office visit", ["99202", "99203", "99204", "99205", "99211", "99212", "99213"]),
        ("flu shot", ["G0008"]),
        ("colonoscopy screening", ["G0121", "G0105"]),
    ],
)
def test_search_billers_words(page: Any, base_url: str, q: str, first: list[str]) -> None:
    page.goto(f"{base_url}/")
    page.fill("#q", q)
    page.press("#q", "Enter")
    page.wait_for_selector("table.results")
    codes = page.eval_on_selector_all("a.code-link", "els => els.map(e => e.textContent)")
    assert codes[: len(first)] == first, codes[:12]
    assert "paid on" in page.inner_text("table.results thead").lower()


def test_27447_opens_on_its_amount(page: Any, base_url: str, tmp_path: Path) -> None:
    # 27447 is facility-only (non-facility NA): the page opens on facility without a choice.
    # RVU26C: (19.11 + 11.58 + 4.02) x 33.4009 = 1159.3452 -> $1,159.35 (national).
    page.goto(f"{base_url}/codes/27447?date={JULY}")
    assert "chosen" in (page.get_attribute("#amount-facility", "class") or "")
    assert page.inner_text("#amount-facility .v") == "$1,159.35"
    assert "facility shown" in page.inner_text("#setting-reason")
    assert "Medicare Physician Fee Schedule" in page.inner_text("#schedule")
    _shoot(page, tmp_path, "27447-national.png")


def test_api_docs_work_offline(page: Any, base_url: str) -> None:
    outside: list[str] = []
    page.on(
        "request",
        lambda r: outside.append(r.url) if not r.url.startswith(base_url) else None,
    )
    page.goto(f"{base_url}/api/docs")
    page.wait_for_selector(".opblock", timeout=15000)
    text = page.inner_text("#swagger-ui")
    assert "/api/v1/price" in text and "/api/v1/codes/{code}" in text
    assert outside == []


@pytest.mark.parametrize(
    "path",
    [
        f"/codes/62323?zip=77030&date={JULY}",
        f"/codes/80053?date={JULY}",
        "/search?q=office+visit",
        "/claims",
        "/claims?example=1",
        "/data",
        "/",
    ],
)
def test_phone_width_has_no_horizontal_scroll(browser: Any, base_url: str, path: str) -> None:
    context = browser.new_context(
        viewport={"width": 375, "height": 800}, device_scale_factor=2, is_mobile=True
    )
    pg = context.new_page()
    pg.goto(base_url + path)
    width = pg.evaluate("document.documentElement.scrollWidth")
    context.close()
    assert width <= 375, f"{path}: the page is {width}px wide at 375px"


def test_claim_results_fit_a_phone(browser: Any, base_url: str) -> None:
    context = browser.new_context(
        viewport={"width": 375, "height": 800}, device_scale_factor=2, is_mobile=True
    )
    pg = context.new_page()
    pg.goto(f"{base_url}/claims?example=1")
    pg.click("#check")
    pg.wait_for_selector("#results")
    width = pg.evaluate("document.documentElement.scrollWidth")
    context.close()
    assert width <= 375, f"the claim results are {width}px wide at 375px"
