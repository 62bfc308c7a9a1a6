"""POST /api/v1/remits: an 835 as the body or uploads (with the 837P the claims were sent in),
the analysis as JSON or CSV. Bad input is a 4xx problem naming the body part, never a 500.

Figures for tests/fixtures/x12/medicare_2026.835 (its README), worked by hand: Houston
(04412-18), RVU26C, non-facility. 62323 allows 274.36: Medicare pays 274.36 - 54.87
coinsurance = 219.49, less 2% sequestration (4.39) = 215.10. MC1002 was paid 196.00 for it:
19.10 under. 77003 allows 104.75: 83.80 after coinsurance, 82.12 after sequestration, at
stake on its CO-97 denial; the remittance is dated 2026-08-12 (BPR16), received on 08-17 by
presumption, so the redetermination is due 120 days later, on 2026-12-15.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import logging
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from medpayiq.api import ApiKeys, hash_key
from medpayiq.api.guard import Limits
from medpayiq.reference import Catalog
from medpayiq.web import create_app
from medpayiq.x12 import to_837p
from x12.builders import RENDERING, claim, line, on, service

ROOT = Path(__file__).resolve().parents[2]
ERA = (ROOT / "tests" / "fixtures" / "x12" / "medicare_2026.835").read_bytes()
X12 = {"content-type": "application/edi-x12"}
SECRETS = ("POE", "ANNA", "3EG4TE5MK75", "1EG4TE5MK73")


def sent_837p() -> bytes:
    """The claim MC1003 as it was sent: 62323 and 77003 on 2026-08-03."""
    day = on(dt.date(2026, 8, 3))
    lines = [line(1, service("62323", "950.00"), day), line(2, service("77003", "180.00"), day)]
    return to_837p([claim("MC1003", lines, rendering=RENDERING)]).encode()


def _line(body: dict[str, Any], claim_id: str, number: int) -> dict[str, Any]:
    found = next(c for c in body["claims"] if c["claim_id"] == claim_id)
    return next(ln for ln in found["lines"] if ln["line"] == number)  # type: ignore[no-any-return]


def test_an_835_body(client: TestClient) -> None:
    r = client.post("/api/v1/remits", content=ERA, headers=X12)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/json")
    assert r.headers["cache-control"] == "no-store"
    body = r.json()
    assert set(body) == {"tenant", "claims", "problems", "unreadable", "totals", "worklist",
                         "analytics", "provenance"}  # fmt: skip
    assert body["tenant"] == "local" and body["problems"] == [] and body["unreadable"] == []
    totals = body["totals"]
    assert (totals["claims"], totals["lines"]) == (5, 7)
    assert (totals["paid"], totals["payments"], totals["provider_adjustments"]) == (
        "655.89", "630.89", "25.00",
    )  # fmt: skip
    under = _line(body, "MC1002", 2)
    assert (under["hcpcs"], under["status"], under["allowed"]) == ("62323", "underpaid", "250.00")
    assert (under["expected_allowed"], under["expected_paid"], under["paid"]) == (
        "274.36", "215.10", "196.00",
    )  # fmt: skip
    assert under["variance"] == "-19.10" and totals["underpaid"] == "19.10"
    denied = _line(body, "MC1003", 2)
    assert (denied["hcpcs"], denied["status"], denied["expected_paid"]) == (
        "77003", "denied", "82.12",
    )  # fmt: skip
    assert denied["route"]["route"] == "redetermination"
    assert denied["route"]["deadline"] == "2026-12-15"
    assert denied["preventable"] is None  # no 837P sent
    # The worklist: dollars first (107.73 corrected claim, 82.12, 19.10).
    assert [(w["claim_id"], w["line"], w["at_stake"]) for w in body["worklist"]] == [
        ("MC1005", 1, "107.73"), ("MC1003", 2, "82.12"), ("MC1002", 2, "19.10"),
    ]  # fmt: skip
    assert body["analytics"]["denials_by_carc"]["97"]["at_stake"] == "82.12"


def test_uploads_with_the_837p(client: TestClient) -> None:
    files = [
        ("remits", ("era.835", ERA, "application/octet-stream")),
        ("claims", ("claims.837", sent_837p(), "application/octet-stream")),
    ]
    r = client.post("/api/v1/remits", files=files)
    assert r.status_code == 200, r.text
    body = r.json()
    denied = _line(body, "MC1003", 2)
    assert denied["preventable"] is True and denied["preventable_rule"] == "ncci.ptp"
    assert body["analytics"]["preventable"] == {"checked": 1, "preventable": 1, "rate": "1.0000"}
    # Uploads are named generically: a file's name may name a patient.
    assert body["provenance"]["files"] == ["remittance 1"]


def test_two_remittances(client: TestClient) -> None:
    files = [("remits", ("a.835", ERA, "text/plain")), ("remits", ("b.835", ERA, "text/plain"))]
    body = client.post("/api/v1/remits", files=files).json()
    assert body["totals"]["claims"] == 10 and body["totals"]["underpaid"] == "38.20"
    assert body["provenance"]["files"] == ["remittance 1", "remittance 2"]


def test_the_streamed_json_is_the_reports(catalog: Catalog) -> None:
    """The answer is written a claim at a time: the same document as `as_dict()`, key for
    key (a key the report gains and the writer misses fails here)."""
    from medpayiq import services
    from medpayiq.api.remits import csv_chunks, json_chunks

    report = services.analyze_remittance(catalog, [ERA, ERA], [sent_837p()])
    streamed = json.loads("".join(json_chunks(report, "practice-a")))
    assert streamed == {"tenant": "practice-a", **report.as_dict()}
    assert list(streamed) == ["tenant", *report.as_dict()]
    chunks = list(csv_chunks(report, rows=3))
    assert len(chunks) == 5  # 14 lines: 3 + 3 + 3 + 3 + 2, the header with the first
    assert len("".join(chunks).splitlines()) == 15


def test_csv(client: TestClient) -> None:
    r = client.post("/api/v1/remits?format=csv", content=ERA, headers=X12)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/csv")
    assert "attachment" in r.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert len(rows) == 7
    row = next(x for x in rows if x["claim_id"] == "MC1003" and x["line"] == "2")
    assert (row["hcpcs"], row["route"], row["deadline"], row["at_stake"]) == (
        "77003", "redetermination", "2026-12-15", "82.12",
    )  # fmt: skip
    assert row["adjustments"] == "CO-97:180.00"


def test_nothing_of_the_remittance_is_logged(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        r = client.post("/api/v1/remits", content=ERA, headers=X12)
        bad = client.post("/api/v1/remits", content=ERA[:40], headers=X12)
    assert r.status_code == 200 and bad.status_code == 400
    assert "/api/v1/remits" in caplog.text  # the access log ran
    for secret in SECRETS:
        assert secret not in caplog.text and secret not in json.dumps(dict(r.headers))
        assert secret not in bad.text


@pytest.mark.parametrize(
    ("kwargs", "status", "where", "words"),
    [
        ({"content": b"hello, not a remittance", "headers": X12}, 400, "body", "ISA segment"),
        ({"content": b"", "headers": X12}, 400, "body", "ISA segment"),
        ({"content": b"ISA*00*short~", "headers": X12}, 400, "body", "cannot be read"),
        ({"content": ERA[:40], "headers": X12}, 400, "body", "cannot be read"),
        ({"files": {"other": ("a", b"ISA")}}, 400, "body.remits", "no 835 file"),
        ({"files": {"remits": ("a", b"{}")}}, 400, "body.remits[0]", "ISA segment"),
        (
            {"files": [("remits", ("a", ERA)), ("claims", ("b", b"not x12"))]},
            400, "body.claims[0]", "837P",
        ),
        (
            {"files": [("remits", ("a", ERA)), ("claims", ("b", b"ISA*00*short~"))]},
            400, "body.claims", "cannot be read",
        ),
        ({"content": ERA, "headers": X12, "params": {"format": "pdf"}}, 400, "query.format",
         "json or csv"),
    ],
)  # fmt: skip
def test_bad_input_is_a_4xx_problem(
    client: TestClient, kwargs: dict[str, Any], status: int, where: str, words: str
) -> None:
    r = client.post("/api/v1/remits", **kwargs)
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    problem = r.json()
    assert problem["errors"][0]["where"] == where and words in problem["detail"], problem


def test_an_837p_sent_as_the_remittance(client: TestClient) -> None:
    """Readable X12 with no 835 in it: refused with the reader's problem (the set it holds)."""
    r = client.post("/api/v1/remits", content=sent_837p(), headers=X12)
    assert r.status_code == 400, r.text
    body = r.json()
    assert body["errors"][0]["where"] == "body"
    assert body["detail"] == (
        "no 835 remittance in the input: transaction set 837 version 005010X222A1 is not read"
        " here: this reader reads 835 005010X221A1 or 005010X221; its segments are skipped"
    )


def test_documented_in_openapi(client: TestClient) -> None:
    operation = client.get("/openapi.json").json()["paths"]["/api/v1/remits"]["post"]
    content = operation["requestBody"]["content"]
    assert {"application/edi-x12", "multipart/form-data"} <= set(content)
    assert set(operation["responses"]) >= {"200", "400", "401", "403", "413", "429"}
    assert "text/csv" in operation["responses"]["200"]["content"]


def test_api_key_mode(catalog: Catalog) -> None:
    keys = ApiKeys({hash_key("key-of-a"): "practice-a"})
    app = create_app(catalog, api_keys=keys, limits=Limits(max_upload=4096))
    with TestClient(app, raise_server_exceptions=False) as keyed:
        missing = keyed.post("/api/v1/remits", content=ERA, headers=X12)
        assert missing.status_code == 401 and missing.headers["www-authenticate"] == "Bearer"
        wrong = keyed.post("/api/v1/remits", content=ERA, headers={**X12, "X-API-Key": "nope"})
        assert wrong.status_code == 403
        ok = keyed.post("/api/v1/remits", content=ERA, headers={**X12, "X-API-Key": "key-of-a"})
        assert ok.status_code == 200 and ok.json()["tenant"] == "practice-a"
        big = ERA + b"\n" * 4096  # past --max-upload
        too = keyed.post("/api/v1/remits", content=big, headers={**X12, "X-API-Key": "key-of-a"})
        assert too.status_code == 413
        assert too.headers["content-type"].startswith("application/problem+json")
