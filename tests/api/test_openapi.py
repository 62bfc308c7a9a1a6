"""The OpenAPI document states the rules the routes apply (tests/server/test_fuzz.py runs
Schemathesis against it and a real server)."""

from __future__ import annotations

from fastapi import FastAPI


def test_the_document_states_the_rules(app: FastAPI) -> None:
    document = app.openapi()
    price = document["paths"]["/api/v1/price"]["get"]
    params = {p["name"]: p["schema"] for p in price["parameters"]}
    # Query rules take "" too (an empty form field means "not given").
    assert params["zip"]["pattern"] == r"^(?:\d{5}(-?\d{4})?)?$"
    assert params["date"]["anyOf"][0] == {"type": "string", "format": "date"}
    assert params["code"]["pattern"] == r"^(?:[A-Za-z0-9]\d{3}[A-Za-z0-9])?$"
    path = document["paths"]["/api/v1/codes/{code}"]["get"]["parameters"]
    assert path[0]["schema"]["pattern"] == r"^[A-Za-z0-9]\d{3}[A-Za-z0-9]$"
    check = document["paths"]["/api/v1/claims/check"]["post"]
    assert check["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Claim"
    }
    assert set(check["responses"]) == {"200", "400", "401", "403", "413", "422", "429"}
    assert "application/problem+json" in check["responses"]["413"]["content"]
    assert "ClaimLine" in document["components"]["schemas"]
