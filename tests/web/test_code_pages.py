"""Code pages for every code a loaded schedule or HCPCS file knows, and the rules the pages
follow (issue 10's code-page items, issue 12's code pages), on the real data."""

from __future__ import annotations

from decimal import Decimal

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient

from medpayiq import services
from medpayiq.knowledge import edit_adjustments
from medpayiq.reference import Catalog

JULY = "2026-07-15"


def report(catalog: Catalog, code: str, **params: str) -> object:
    modifiers = services.parse_modifiers(params.pop("modifier", None))
    query = services.parse_query(catalog, **params)
    return services.code_report(catalog, code, query, modifiers=modifiers)


def test_a_lab_code_has_a_page_saying_which_schedule_pays_it(catalog: Catalog) -> None:
    # CLFS 2026 Q2: 80053 RATE 10.56 (the file), no deductible or coinsurance.
    page = report(catalog, "80053", date=JULY)
    assert isinstance(page, services.ScheduleCodeReport)
    assert page.schedule.title == "Clinical Laboratory Fee Schedule"
    assert page.allowed == Decimal("10.56")
    assert page.cost_share is not None and page.cost_share["patient_pays"] == "0.00"
    # NCCI still applies to lab codes: MUE 2024Q3 practitioner table lists 80053 at 1.
    assert page.unit_limit is not None and page.unit_limit.value == 1
    assert {d.carc for d in page.denials} >= {"96"}


def test_dmepos_by_state_and_drugs_say_what_to_load(catalog: Catalog) -> None:
    dme = report(catalog, "E0601", date=JULY, state="TX", modifier="RR")
    assert isinstance(dme, services.ScheduleCodeReport)
    assert dme.schedule.name == "dmepos" and dme.place_label == "TX (state)"
    assert dme.allowed is not None
    drug = report(catalog, "J3301", date=JULY)
    assert isinstance(drug, services.ScheduleCodeReport)
    assert drug.allowed is None and "ASP" in drug.schedule.load


def test_pfs_pages_name_their_schedule_and_long_descriptors(catalog: Catalog) -> None:
    awv = report(catalog, "G0439", date=JULY)
    assert isinstance(awv, services.CodeReport)
    assert awv.schedule is not None and awv.schedule.name == "pfs"
    assert awv.explanation.startswith("Annual wellness visit")
    assert "HCPCS Level II long descriptor" in awv.explanation_source


def test_27447_opens_on_facility_and_ranks_every_locality(catalog: Catalog) -> None:
    page = report(catalog, "27447", date=JULY)
    assert isinstance(page, services.CodeReport)
    # RVU26C: (19.11 + 11.58 + 4.02) x 33.4009 = 1159.3452 -> 1159.35
    assert page.amounts.setting == "facility" and page.amounts.chosen == Decimal("1159.35")
    assert page.standing is not None and page.standing.count == 109
    # 090-day global: PRE 0.10, INTRA 0.69, POST 0.21 (PPRRVU).
    assert [g["percent"] for g in page.global_split] == [
        Decimal("10.0"),
        Decimal("69.0"),
        Decimal("21.0"),
    ]


def test_no_surgical_modifier_amounts_on_an_em(catalog: Catalog) -> None:
    page = report(catalog, "99214", date=JULY)
    assert isinstance(page, services.CodeReport)
    by = {m.modifier: m for m in page.modifiers}
    for modifier in ("50", "62", "80", "AS"):
        assert by[modifier].amount is None and not by[modifier].applies, modifier
    assert any("G2211" in t.title for t in page.tips)
    assert any("30 minutes" in t.title for t in page.tips)


def test_modifier_26_in_a_facility(catalog: Catalog) -> None:
    # 77003-26, the PPRRVU 26 row of RVU26C, national: (0.59 + 0.22 + 0.04) x 33.4009 =
    # 28.3908 -> 28.39; the page prices with the modifier it was asked for.
    page = report(catalog, "77003", date=JULY, setting="facility", modifier="26")
    assert isinstance(page, services.CodeReport)
    assert page.amounts.modifiers == ("26",)
    assert page.amounts.with_modifiers == Decimal("28.39") == page.amounts.chosen


def test_search_and_page_agree_with_the_qp_conversion_factor(catalog: Catalog) -> None:
    # 62323 on 2026-08-03 for a QP: RVU26C QPP CF 33.5675, (1.76 + 6.25 + 0.17) x 33.5675 =
    # 274.5822 -> 274.58 on both (search used to show 273.22, the non-QP figure).
    query = services.parse_query(catalog, date="2026-08-03", qp="true")
    hit = next(h for h in services.search(catalog, "62323-62323", query).hits if h.code == "62323")
    page = services.code_report(catalog, "62323", query)
    assert isinstance(page, services.CodeReport)
    assert hit.nonfacility == page.amounts.national_nonfacility == Decimal("274.58")


def test_the_page_and_the_checker_give_a_unit_limit_the_same_codes(catalog: Catalog) -> None:
    claim = {
        "patient": {"id": "P-1"},
        "provider": {"npi": "1234567893"},
        "place_of_service": "11",
        "zip": "77030",
        "date_of_service": JULY,
        "diagnoses": ["M54.16"],
        "lines": [{"hcpcs": "62323", "units": 3}],
    }
    found = services.check_claim(catalog, claim)
    mue = next(f for f in found.findings if f.rule == "ncci.mue")
    table = edit_adjustments("ncci.mue")
    assert tuple(c.code for c in mue.carc) == table.carc
    assert tuple(r.code for r in mue.rarc) == table.rarc
    page = report(catalog, "62323", date=JULY)
    assert isinstance(page, services.CodeReport)
    denial = next(d for d in page.denials if d.rarc == table.rarc)
    assert (*denial.also_carc, denial.carc) == table.carc


@pytest.mark.parametrize(
    ("q", "first"),
    [
        ("knee replacement", "27447"),
        ("annual wellness", "G0438"),
        ("office visit", "99202"),
        ("colonoscopy screening", "G0121"),
    ],
)
def test_billers_words(catalog: Catalog, q: str, first: str) -> None:
    result = services.search(catalog, q, services.parse_query(catalog, date=JULY))
    assert result.hits[0].code == first
    assert result.hits[0].schedule == "pfs"


def test_search_covers_labs_and_equipment(catalog: Catalog) -> None:
    query = services.parse_query(catalog, date=JULY)
    lab = services.search(catalog, "80053", query)
    assert lab.hits[0].schedule == "clfs" and lab.hits[0].amount == Decimal("10.56")
    cpap = services.search(catalog, "cpap", query)
    assert cpap.hits[0].code == "E0601" and cpap.hits[0].schedule == "dmepos"


def test_a_date_the_data_cannot_answer_keeps_the_page(client: TestClient) -> None:
    r = client.get("/codes/62323?date=2027-03-01")
    assert 400 <= r.status_code < 500
    page = BeautifulSoup(r.text, "html.parser")
    assert page.select_one("#unanswered") is not None
    assert page.select_one("#picker #date") is not None


def test_a_bad_diagnosis_keeps_the_page(client: TestClient) -> None:
    r = client.get(f"/codes/62323?date={JULY}&dx=notacode")
    assert r.status_code == 200
    assert "is not written as an ICD-10-CM code" in r.text


def test_api_code_route_takes_a_modifier(client: TestClient) -> None:
    body = client.get(f"/api/v1/codes/77003?setting=facility&date={JULY}&modifier=26").json()
    assert body["amounts"]["modifiers"] == ["26"]
    other = client.get(f"/api/v1/codes/80053?date={JULY}").json()
    assert other["kind"] == "schedule" and other["allowed"] == "10.56"


def test_a_lab_codes_interpretation_opens_on_the_physician_fee_schedule(
    client: TestClient,
) -> None:
    # 85576: status X in RVU26C (the CLFS pays the test), 85576-26: status A, 0.53 RVUs
    # (0.36 + 0.16 + 0.01) x CF 33.4009 = 17.70 nationally.
    test = client.get(f"/api/v1/codes/85576?date={JULY}").json()
    assert (test["kind"], test["allowed"]) == ("schedule", "24.91")
    reading = client.get(f"/api/v1/codes/85576?date={JULY}&modifier=26").json()
    assert (reading["status"], reading["payable"]) == ("A", True)
    assert reading["rvus"]["work"] == "0.36"
    assert reading["amounts"]["national_nonfacility"] == "17.70"
    page = client.get(f"/codes/85576?date={JULY}&modifier=26")
    assert page.status_code == 200 and "17.70" in page.text
