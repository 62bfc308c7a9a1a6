"""API-key mode, tenant scoping, and no patient data in logs."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from medpayiq.api import ApiKeys, hash_key, load_keys
from medpayiq.errors import InputError
from medpayiq.reference import Catalog
from medpayiq.web import create_app

CLAIM: dict[str, Any] = {
    "claim_id": "TENANT-A-CLAIM-7731",
    "patient": {"id": "PATIENT-SECRET-4471", "birth_date": "1950-02-03", "sex": "F"},
    "provider": {"npi": "1234567893"},
    "place_of_service": "11",
    "zip": "77030",
    "date_of_service": "2026-07-15",
    "diagnoses": ["M54.16", "M48.06"],
    "lines": [{"hcpcs": "62323", "charge": "950.00"}, {"hcpcs": "77003"}],
}


@pytest.fixture(scope="module")
def keyed(catalog: Catalog) -> Iterator[TestClient]:
    keys = ApiKeys({hash_key("key-of-a"): "practice-a", hash_key("key-of-b"): "practice-b"})
    with TestClient(create_app(catalog, api_keys=keys), raise_server_exceptions=False) as c:
        yield c


def test_keys_off_by_default(client: TestClient) -> None:
    r = client.post("/api/v1/claims/check", json=CLAIM)
    assert r.status_code == 200 and r.json()["tenant"] == "local"


@pytest.mark.parametrize("route", ["/api/v1/claims/check", "/api/v1/claims/price"])
def test_claim_endpoints_need_a_key(keyed: TestClient, route: str) -> None:
    missing = keyed.post(route, json=CLAIM)
    assert missing.status_code == 401
    assert missing.headers["content-type"].startswith("application/problem+json")
    wrong = keyed.post(route, json=CLAIM, headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 403
    ok = keyed.post(route, json=CLAIM, headers={"Authorization": "Bearer key-of-a"})
    assert ok.status_code == 200 and ok.json()["tenant"] == "practice-a"
    also = keyed.post(route, json=CLAIM, headers={"X-API-Key": "key-of-b"})
    assert also.status_code == 200 and also.json()["tenant"] == "practice-b"


def test_reference_routes_stay_open(keyed: TestClient) -> None:
    assert keyed.get("/api/v1/price", params={"code": "62323"}).status_code == 200


def test_one_tenant_sees_nothing_of_another(keyed: TestClient) -> None:
    a = keyed.post("/api/v1/claims/check", json=CLAIM, headers={"Authorization": "Bearer key-of-a"})
    assert a.status_code == 200 and "TENANT-A-CLAIM-7731" in a.text
    other = {**CLAIM, "claim_id": "B-1", "patient": {"id": "B-PATIENT"}, "diagnoses": ["M54.17"]}
    b = keyed.post("/api/v1/claims/check", json=other, headers={"Authorization": "Bearer key-of-b"})
    assert b.status_code == 200
    for secret in ("TENANT-A-CLAIM-7731", "PATIENT-SECRET-4471", "M48.06", "practice-a"):
        assert secret not in b.text


def test_no_patient_data_in_logs(client: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG):
        ok = client.post("/api/v1/claims/check", json=CLAIM)
        bad = client.post(
            "/api/v1/claims/check", json={**CLAIM, "lines": [{"hcpcs": "62323", "units": -1}]}
        )
        page = client.post("/claims", data={"claim": __import__("json").dumps(CLAIM)})
    assert ok.status_code == 200 and bad.status_code == 422 and page.status_code == 200
    assert "/api/v1/claims/check" in caplog.text  # the access log ran
    for secret in ("PATIENT-SECRET-4471", "TENANT-A-CLAIM-7731", "1950-02-03", "M48.06", "950.00"):
        assert secret not in caplog.text


def test_keys_file(tmp_path: Path) -> None:
    good = tmp_path / "keys.txt"
    good.write_text(f"# practice  sha256\nnorthside {hash_key('s3cret')}\n", encoding="utf-8")
    assert load_keys(good).tenant_for("s3cret") == "northside"
    assert load_keys(good).tenant_for("other") is None
    bad = tmp_path / "bad.txt"
    bad.write_text("northside s3cret\n", encoding="utf-8")
    with pytest.raises(InputError, match="line 1"):
        load_keys(bad)
