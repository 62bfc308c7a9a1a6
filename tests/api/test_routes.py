"""Every /api/v1 route against the real data: amounts checked against CMS's own files."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from fastapi.testclient import TestClient

from medpayiq.reference import Catalog

JULY = "2026-07-15"  # RVU26C is the release in effect: confidence high for the fee schedule


def get(client: TestClient, url: str, **params: str) -> dict[str, Any]:
    r = client.get(url, params=params)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/json")
    body: dict[str, Any] = r.json()
    return body


def test_health(client: TestClient, catalog: Catalog) -> None:
    body = get(client, "/api/v1/health")
    assert body == {"status": "ok", "datasets": len(catalog.datasets()), "generation": 0}


def test_price_national_matches_the_rvu_file(client: TestClient) -> None:
    # PPRRVU2026_Jul_nonQPP.csv, 62323: work 1.76, PE 6.25 NF / 0.74 F, MP 0.17, CF 33.4009.
    # NF (1.76 + 6.25 + 0.17) x 33.4009 = 8.18 x 33.4009 = 273.2194 -> 273.22
    # F  (1.76 + 0.74 + 0.17) x 33.4009 = 2.67 x 33.4009 = 89.1804 -> 89.18
    body = get(client, "/api/v1/price", code="62323", date=JULY)
    assert body["nonfacility"]["amount"] == "273.22"
    assert body["facility"]["amount"] == "89.18"
    assert body["release"] == "RVU26C"
    assert body["conversion_factor"] == "33.4009"


def test_price_houston_by_zip(client: TestClient) -> None:
    # ZIP 77030 -> 04412-18 HOUSTON (ZIP5 file); GPCI2026: work 1.008, PE 0.993, MP 1.376.
    # NF 1.76x1.008 + 6.25x0.993 + 0.17x1.376 = 8.21425; x 33.4009 = 274.3633 -> 274.36
    # F  1.76x1.008 + 0.74x0.993 + 0.17x1.376 = 2.74282; x 33.4009 = 91.6127 -> 91.61
    body = get(client, "/api/v1/price", code="62323", zip="77030", date=JULY, setting="facility")
    assert body["location"]["locality"] == "04412-18"
    assert body["nonfacility"]["amount"] == "274.36"
    assert body["facility"]["amount"] == "91.61"
    assert body["allowed"] == "91.61"
    assert body["setting"] == "facility"


def test_price_reproduces_cms_payment_file(client: TestClient) -> None:
    # PFREV4.txt: "2025","04412","18","76813"," ","0000111.25" (CMS's own Houston amount).
    body = get(client, "/api/v1/price", code="76813", locality="04412-18", date="2025-11-03")
    assert body["nonfacility"]["amount"] == "111.25"
    # and the TC row: "2025","04412","18","76813","TC","0000056.58"
    body = get(
        client, "/api/v1/price", code="76813", modifier="TC", locality="04412-18", date="2025-11-03"
    )
    assert body["allowed"] == "56.58"


def test_price_pos_picks_the_setting(client: TestClient) -> None:
    body = get(client, "/api/v1/price", code="62323", pos="22", date=JULY)
    assert body["setting"] == "facility"
    assert body["allowed"] == "89.18"


def test_search_by_words_range_and_code(client: TestClient) -> None:
    words = get(client, "/api/v1/search", q="interlaminar lumbar", date=JULY)
    codes = [h["code"] for h in words["hits"]]
    # Every match of the descriptor; the commonly billed 62323 first (search ranks by it).
    assert sorted(codes) == ["62322", "62323", "62326", "62327"] and codes[0] == "62323"
    epidural = get(client, "/api/v1/search", q="epidural", date=JULY)
    hit = next(h for h in epidural["hits"] if h["code"] == "62323")
    assert (hit["nonfacility"], hit["facility"]) == ("273.22", "89.18")
    ranged = get(client, "/api/v1/search", q="62320-62327", date=JULY)
    assert [h["code"] for h in ranged["hits"]] == [f"6232{i}" for i in range(8)]
    assert (
        get(client, "/api/v1/search", q="62323")["hits"][0]["descriptor"]
        == "Njx interlaminar lmbr/sac"
    )


def test_localities(client: TestClient) -> None:
    body = get(client, "/api/v1/localities", date=JULY)
    assert len(body["localities"]) == 109
    houston = next(x for x in body["localities"] if x["locality"] == "04412-18")
    assert (houston["work"], houston["pe"], houston["mp"]) == ("1.008", "0.993", "1.376")


def test_data_status(client: TestClient) -> None:
    body = get(client, "/api/v1/data/status", date=JULY)
    assert body["fee_schedule_today"] == "RVU26C"
    pprrvu = next(d for d in body["datasets"] if d["kind"] == "pprrvu" and d["release"] == "RVU26C")
    assert pprrvu["rows"] == 19356  # SOURCES.md: 19,356 data rows
    later = get(client, "/api/v1/data/status", date="2026-11-25")
    assert later["confidence_today"] != "high" and "RVU26D" in later["note_today"]


def test_code_report_has_the_page(client: TestClient) -> None:
    body = get(client, "/api/v1/codes/62323", zip="77030", date=JULY)
    assert body["amounts"]["nonfacility"] == "274.36"
    assert body["amounts"]["national_nonfacility"] == "273.22"
    assert body["rvus"]["work"] == "1.76"
    assert body["category"] == "Surgery: nervous system"
    assert "American Medical Association" in body["ama_notice"]
    assert body["standing"]["count"] == 109
    # 2025 (RVU25D, GPCI2025 Houston 1.014/1.003/1.409):
    # (1.80x1.014 + 5.66x1.003 + 0.17x1.409) x 32.3465 = 7.74171 x 32.3465 = 250.4172 -> 250.42
    assert body["year_change"]["previous"] == "250.42"
    assert body["unit_limit"]["value"] == 1  # MUE 62323 = 1, MAI 3
    assert any(
        p["column2"] == "77003" and p["modifier_indicator"] == "1" for p in body["ncci_pairs"]
    )


def test_code_report_does_not_repeat_the_seed_errors(client: TestClient) -> None:
    body = get(client, "/api/v1/codes/62323", date=JULY)
    text = body["explanation"]
    assert (
        "including imaging guidance" in text
        and "62322 is the same injection without imaging" in text
    )
    faqs = {f["question"]: f["answer"] for f in body["faqs"]}
    assert "spinal region" in faqs["What is the difference between 62323 and 62321?"]
    assert "imaging" not in faqs["What is the difference between 62323 and 62321?"]
    assert (
        "At most 4 epidural sessions per spinal region in a rolling 12 months"
        in faqs["How often can 62323 be billed?"]
    )
    dx = faqs["Which diagnoses support 62323?"]
    assert (
        "M48.06 is a header" in dx
        and "M54.5 is a header" in dx
        and "M48.061" in dx
        and "M54.50" in dx
    )
    flagged = {d["code"]: d["billable"] for d in body["diagnoses"]}
    assert flagged == {"M48.06": False, "M54.5": False}


def test_code_report_checks_offered_diagnoses(client: TestClient) -> None:
    body = get(client, "/api/v1/codes/62323", date=JULY, dx="M54.16, M48.06")
    flagged = {d["code"]: d["billable"] for d in body["diagnoses"]}
    assert flagged["M54.16"] is True and flagged["M48.06"] is False


CLAIM: dict[str, Any] = {
    "claim_id": "T-1",
    "patient": {"id": "P-1"},
    "provider": {"npi": "1234567893"},
    "place_of_service": "11",
    "zip": "77030",
    "date_of_service": JULY,
    "diagnoses": ["M54.16"],
    "lines": [{"hcpcs": "62323"}, {"hcpcs": "77003"}],
}


def test_claims_check_finds_the_ncci_pair(client: TestClient) -> None:
    r = client.post("/api/v1/claims/check", json=CLAIM)
    assert r.status_code == 200, r.text
    ptp = next(f for f in r.json()["findings"] if f["rule"] == "ncci.ptp")
    assert ptp["lines"] == [2]
    assert {c["code"] for c in ptp["carc"]} >= {"236"}


def test_claims_price(client: TestClient) -> None:
    one_line = {**CLAIM, "lines": [{"hcpcs": "62323"}]}
    r = client.post("/api/v1/claims/price", json=one_line)
    assert r.status_code == 200, r.text
    assert r.json()["total_allowed"] == "274.36"  # Houston, office (POS 11): see above


def test_openapi_lists_every_route(client: TestClient) -> None:
    paths = set(get(client, "/openapi.json")["paths"])
    assert paths >= {
        "/api/v1/codes/{code}",
        "/api/v1/price",
        "/api/v1/claims/price",
        "/api/v1/claims/check",
        "/api/v1/search",
        "/api/v1/localities",
        "/api/v1/data/status",
        "/api/v1/health",
    }


def test_money_is_text(client: TestClient) -> None:
    body = get(client, "/api/v1/price", code="62323", date=JULY)
    assert isinstance(body["allowed"], str) and Decimal(body["allowed"]) == Decimal("273.22")
