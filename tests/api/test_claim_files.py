"""POST /api/v1/claims/check with an 837P file: as the body (application/edi-x12) and as a
multipart upload; the answer is the CLI's JSON. Bad bodies are 4xx problems, never 500."""

from __future__ import annotations

import gc
from typing import Any

from fastapi.testclient import TestClient

from claims.files import practice_file

X12 = {"content-type": "application/edi-x12"}


def _claims(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["claim_id"]: c for c in body["claims"]}


def test_an_837p_body(client: TestClient) -> None:
    r = client.post("/api/v1/claims/check", content=practice_file().encode(), headers=X12)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/json")
    body = r.json()
    assert body["tenant"] == "local"
    assert set(body) == {"tenant", "claims", "problems", "unreadable", "summary"}
    claims = _claims(body)
    assert len(claims) == 19 and body["summary"]["claims"] == 19
    a5 = claims["A5"]
    assert a5["status"] == "deny" and a5["totals"]["at_risk"] == "274.36"
    finding = a5["findings"][0]
    assert finding["rule"] == "policy.epidural.frequency" and finding["lines"] == [1]
    assert set(finding) >= {"rule", "severity", "lines", "message", "carc", "at_risk", "fix"}
    line = claims["E1"]["lines"][1]
    assert (line["hcpcs"], line["units"], line["date_of_service"]) == ("J1040", 0.5, "2026-07-01")
    assert claims["G3"]["status"] == "void"
    # No patient identifier comes back: member ids and birth dates stay in the file.
    for secret in ("1EG4TE5MK72", "2EG4TE5MK73", "XYZ123456789", "19510302", "1951-03-02"):
        assert secret not in r.text
    assert gc.get_threshold()[2] < 1 << 20  # the scrub gives full collections back


def test_an_upload(client: TestClient) -> None:
    files = {"file": ("claims.837", practice_file().encode(), "application/octet-stream")}
    r = client.post("/api/v1/claims/check", files=files)
    assert r.status_code == 200, r.text
    assert _claims(r.json())["D2"]["findings"][0]["rule"] == "file.duplicate-claim"


def test_a_body_that_is_not_x12(client: TestClient) -> None:
    r = client.post("/api/v1/claims/check", content=b"hello, not a claim file", headers=X12)
    assert r.status_code == 400
    problem = r.json()
    assert r.headers["content-type"].startswith("application/problem+json")
    assert "does not start with an ISA segment" in problem["detail"]
    assert problem["errors"][0]["where"] == "body"


def test_a_broken_isa(client: TestClient) -> None:
    text = practice_file()
    r = client.post("/api/v1/claims/check", content=b"ISA*00*short~" + text.encode(), headers=X12)
    assert r.status_code == 400, r.text
    assert "cannot be read" in r.json()["detail"]


def test_an_upload_without_the_file_field(client: TestClient) -> None:
    r = client.post("/api/v1/claims/check", data={"other": "x"}, files={"x": ("a", b"ISA")})
    assert r.status_code == 400
    assert r.json()["errors"][0]["where"] == "body.file"


def test_a_structural_problem_is_in_the_answer(client: TestClient) -> None:
    text = practice_file()
    se = next(s for s in text.split("~\n") if s.startswith("SE*"))
    broken = text.replace(se, "SE*1*" + se.split("*")[2])
    r = client.post("/api/v1/claims/check", content=broken.encode(), headers=X12)
    assert r.status_code == 200
    [problem] = r.json()["problems"]
    assert problem["code"] == "se-count" and problem["segment_id"] == "SE"
    assert problem["transaction"] == "0001" and problem["file"] == "body"


def test_the_json_body_is_unchanged(client: TestClient) -> None:
    r = client.post("/api/v1/claims/check", content=b"not json",
                    headers={"content-type": "application/json"})  # fmt: skip
    assert r.status_code == 422 and r.json()["errors"][0]["where"].startswith("body")
    empty = client.post("/api/v1/claims/check", content=b"",
                        headers={"content-type": "application/json"})  # fmt: skip
    assert empty.status_code == 422 and empty.json()["errors"][0]["where"] == "body"
