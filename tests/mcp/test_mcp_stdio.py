"""`medpayiq mcp` over stdio, through the SDK's client: the tools, their answers (the JSON API's
figures, to the cent, with release, file, confidence and the AMA notice) and their errors.

Figures from the official files, by hand (PPRRVU2026_Jul_nonQPP, CF 33.4009; 62323 work
1.76, non-facility PE 6.25, facility PE 0.74, MP 0.17):
  62323 national non-facility: (1.76 + 6.25 + 0.17) x 33.4009 = 8.18 x 33.4009 = 273.22
  62323 national facility:     (1.76 + 0.74 + 0.17) x 33.4009 = 2.67 x 33.4009 =  89.18
  77003 in Houston (GPCI2026 04412-18: work 1.008, PE 0.993, MP 1.376):
      (0.59 x 1.008 + 2.49 x 0.993 + 0.05 x 1.376) x 33.4009 = 104.75 (tests/edits)
  62323 RVU25D national non-facility (1.80 + 5.66 + 0.17) x 32.3465 = 246.80, so +26.42 to
      RVU26C; Houston 250.42 -> 274.36 (+23.94) with the GPCIs of each year (tests/changes).
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from fastapi.testclient import TestClient
from mcp_session import TOOLS, Session, server_command

from medpayiq.store import open_store
from medpayiq.web import create_app
from medpayiq.x12 import to_837p
from x12.builders import RENDERING, SUBSCRIBER_2, claim, line, on, service

ROOT = Path(__file__).resolve().parents[2]
ESI_WITH_FLUOROSCOPY = ROOT / "docs" / "examples" / "esi-with-fluoroscopy.json"
ERA = ROOT / "tests" / "fixtures" / "x12" / "medicare_2026.835"  # its README has the figures
AMA = "American Medical Association"


@pytest.fixture(scope="module")
def api(store_db: Path) -> Iterator[TestClient]:
    """The JSON API over the same store: the MCP answers must be its answers."""
    with TestClient(create_app(open_store(str(store_db)).reference())) as client:
        yield client


def _data(result: Any) -> dict[str, Any]:
    assert not result.is_error, result.content
    data: dict[str, Any] = result.structured_content
    # The text content: a short summary, then the same JSON for clients that read only text.
    summary, text = (block.text for block in result.content)
    assert len(summary) < 600 and json.loads(text) == data
    return data


def test_lists_the_tools_with_their_arguments(stdio: Session) -> None:
    tools = {tool.name: tool for tool in stdio.tools()}
    assert set(tools) == TOOLS
    price = tools["price"].input_schema
    assert price["required"] == ["code"]
    assert set(price["properties"]) == {
        "code", "modifiers", "units", "zip", "locality", "state", "date", "pos", "setting",
        "qp", "participating",
    }  # fmt: skip
    assert set(tools["code_page"].input_schema["properties"]) == {
        "code", "zip", "locality", "state", "date", "pos", "setting", "qp", "dx",
    }  # fmt: skip
    assert tools["search"].input_schema["required"] == ["q"]
    assert set(tools["changes"].input_schema["properties"]) == {
        "from", "to", "codes", "zip", "locality", "setting", "kind", "limit",
    }  # fmt: skip
    assert set(tools["check_claim"].input_schema["properties"]) == {"claim", "x12"}
    assert tools["data_status"].input_schema.get("required", []) == []
    for tool in tools.values():
        assert tool.description and tool.title
        assert tool.annotations is not None and tool.annotations.read_only_hint


def test_check_claim_takes_the_claim_schema(stdio: Session) -> None:
    schema = next(t for t in stdio.tools() if t.name == "check_claim").input_schema
    assert schema.get("required", []) == []  # claim or x12: the tool says when neither
    jsonschema.Draft202012Validator.check_schema(schema)
    example = json.loads(ESI_WITH_FLUOROSCOPY.read_text(encoding="utf-8"))
    jsonschema.validate({"claim": example}, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"claim": {**example, "lines": "62323"}}, schema)


def test_price_62323_nationally(stdio: Session, api: TestClient) -> None:
    result = stdio.call("price", {"code": "62323", "date": "2026-08-03"})
    data = _data(result)
    assert data["allowed"] == "273.22" and data["national_allowed"] == "273.22"
    assert data["facility"]["amount"] == "89.18"
    assert data["setting"] == "non-facility" and data["location"]["locality"] is None
    assert data["release"] == "RVU26C" and data["conversion_factor"] == "33.4009"
    assert data["provenance"][0]["file"] == "PPRRVU2026_Jul_nonQPP.csv"
    assert data["confidence"] == "high"
    assert AMA in data["ama_notice"] and "2026" in data["ama_notice"]
    summary = result.content[0].text
    assert "$273.22" in summary and "RVU26C" in summary and "PPRRVU2026_Jul_nonQPP.csv" in summary
    # Exactly the API's answer, plus the notice.
    from_api = api.get("/api/v1/price", params={"code": "62323", "date": "2026-08-03"}).json()
    assert {k: v for k, v in data.items() if k != "ama_notice"} == from_api


def test_price_arguments_reach_the_engine(stdio: Session, api: TestClient) -> None:
    data = _data(
        stdio.call(
            "price",
            {"code": "77003", "zip": "77030", "pos": "22", "modifiers": ["26"], "units": 2,
             "date": "2026-08-03"},
        )
    )  # fmt: skip
    asked = {"code": "77003", "zip": "77030", "pos": "22", "modifier": "26", "units": "2",
             "date": "2026-08-03"}  # fmt: skip
    from_api = api.get("/api/v1/price", params=asked).json()
    assert {k: v for k, v in data.items() if k != "ama_notice"} == from_api
    assert data["modifiers"] == ["26"] and data["units"] == 2
    as_text = _data(
        stdio.call(
            "price",
            {"code": "77003", "zip": "77030", "pos": "22", "modifiers": "26", "units": "2",
             "date": "2026-08-03"},
        )
    )  # fmt: skip
    assert {k: v for k, v in as_text.items() if k != "ama_notice"} == from_api
    assert data["setting"] == "facility" and data["location"]["locality"] == "04412-18"
    # A non-participating provider: 95% of the participating amount, and a limiting charge.
    par = _data(stdio.call("price", {"code": "62323", "date": "2026-08-03"}))
    asked = {"code": "62323", "date": "2026-08-03", "participating": False}
    non_par = _data(stdio.call("price", asked))
    assert non_par["allowed"] == "259.56"  # 273.22 x 0.95 = 259.559, half-up
    assert non_par["limiting_charge"] == "298.49"  # 259.56 x 1.15 = 298.494
    assert par["limiting_charge"] is None


def test_check_claim_finds_the_ncci_denial_of_77003(stdio: Session) -> None:
    claim = json.loads(ESI_WITH_FLUOROSCOPY.read_text(encoding="utf-8"))
    result = stdio.call("check_claim", {"claim": claim})
    data = _data(result)
    ptp = [f for f in data["findings"] if f["rule"] == "ncci.ptp"]
    assert len(ptp) == 1, data["findings"]
    finding = ptp[0]
    assert finding["severity"] == "deny" and finding["lines"] == [2]
    assert [c["code"] for c in finding["carc"]] == ["97", "236"]
    assert finding["at_risk"] == "104.75" and "62323/77003" in finding["message"]
    assert data["priced"]["total_expected"] == "274.36"
    assert data["priced"]["at_risk"] == "104.75"
    assert data["tenant"] == "local" and data["confidence"] == "low"  # 2024 NCCI for 2026
    assert any("PPRRVU2026_Jul_nonQPP.csv" in source for source in data["sources"])
    assert AMA in data["ama_notice"]
    assert "ncci.ptp on line 2 ($104.75 at risk)" in result.content[0].text


def _esi_837p() -> str:
    """The claim of docs/examples/esi-with-fluoroscopy.json as an 837P (Houston billing
    provider, ZIP 77030-1234, office), and another patient's clean claim of one 62323."""
    day = on(dt.date(2026, 7, 15))
    esi = claim(
        "C-1002",
        [line(1, service("62323", "950.00"), day), line(2, service("77003", "180.00"), day)],
        rendering=RENDERING,
    )
    clean = claim(
        "C-1003",
        [line(1, service("62323", "950.00"), day)],
        subscriber=SUBSCRIBER_2,
        rendering=RENDERING,
    )
    return to_837p([esi, clean])


def test_check_claim_takes_an_837p(stdio: Session, api: TestClient) -> None:
    text = _esi_837p()
    result = stdio.call("check_claim", {"x12": text})
    data = _data(result)
    assert set(data) == {"tenant", "claims", "problems", "unreadable", "summary", "ama_notice"}
    assert data["tenant"] == "local" and AMA in data["ama_notice"]
    esi, clean = data["claims"]
    assert (esi["claim_id"], esi["status"], clean["status"]) == ("C-1002", "deny", "clean")
    [ptp] = [f for f in esi["findings"] if f["rule"] == "ncci.ptp"]
    assert ptp["severity"] == "deny" and ptp["lines"] == [2]
    assert [c["code"] for c in ptp["carc"]] == ["97", "236"]
    assert ptp["at_risk"] == "104.75" and "62323/77003" in ptp["message"]
    assert esi["totals"]["expected_allowed"] == "274.36"  # 62323 in Houston; 77003 denied
    assert clean["totals"]["expected_allowed"] == "274.36"
    summary = data["summary"]
    assert (summary["claims"], summary["deny"], summary["clean"]) == (2, 1, 1)
    assert summary["at_risk"] == "104.75" and summary["charge"] == "2080.00"
    assert result.content[0].text.startswith("2 claim(s) checked (1 deny, 1 clean)")
    assert "ncci.ptp (1 line(s), $104.75)" in result.content[0].text
    # The API's answer for the same file as the body.
    body = api.post(
        "/api/v1/claims/check",
        content=text.encode(),
        headers={"content-type": "application/edi-x12"},
    ).json()
    del body["summary"]["files"], data["summary"]["files"]  # "body" there, "x12" here
    for each in (*body["claims"], *data["claims"]):
        each.pop("file")
    assert {k: v for k, v in data.items() if k != "ama_notice"} == body


@pytest.mark.parametrize(
    ("arguments", "argument", "words"),
    [
        ({}, "claim", "exactly one of claim"),
        ({"x12": "ISA*00", "claim": {"lines": []}}, "x12", "exactly one of claim"),
        ({"x12": "hello, not a claim file"}, "x12", "does not start with an ISA segment"),
        ({"x12": "ISA*00*short~"}, "x12", "cannot be read"),
    ],
)
def test_check_claim_wants_one_readable_input(
    stdio: Session, arguments: dict[str, Any], argument: str, words: str
) -> None:
    result = stdio.call("check_claim", arguments)
    [error] = _errors(result)
    assert error["argument"] == argument and words in error["message"], error
    assert result.content[0].text.startswith(f"argument {argument}: ")


def test_remit_routes_the_denials_and_finds_the_underpayment(
    stdio: Session, api: TestClient
) -> None:
    """Houston, RVU26C: 62323 allows 274.36, Medicare pays 274.36 - 54.87 coinsurance = 219.49
    less 2% sequestration = 215.10; MC1002 was paid 196.00 (19.10 under). 77003 (104.75) is
    denied CO-97: 82.12 at stake; notice 2026-08-12, received 08-17, + 120 days = 2026-12-15."""
    era = ERA.read_text(encoding="utf-8")
    result = stdio.call("remit", {"x12": era})
    data = _data(result)
    assert data["tenant"] == "local" and "redetermination_requests" not in data
    totals = data["totals"]
    assert (totals["claims"], totals["underpaid"], totals["denied_at_stake"]) == (
        5, "19.10", "189.85",
    )  # fmt: skip
    work = {(w["claim_id"], w["line"]): w for w in data["worklist"]}
    bundled, under = work[("MC1003", 2)], work[("MC1002", 2)]
    assert (bundled["hcpcs"], bundled["route"], bundled["deadline"], bundled["at_stake"]) == (
        "77003", "redetermination", "2026-12-15", "82.12",
    )  # fmt: skip
    assert (under["hcpcs"], under["status"], under["at_stake"]) == ("62323", "underpaid", "19.10")
    line = next(c for c in data["claims"] if c["claim_id"] == "MC1002")["lines"][1]
    assert (line["expected_allowed"], line["expected_paid"], line["variance"]) == (
        "274.36", "215.10", "-19.10",
    )  # fmt: skip
    summary = result.content[0].text
    assert summary.startswith("5 claim(s), 7 line(s) in 1 remittance(s): paid $655.89")
    assert "Redetermination for 77003 ($82.12, by 2026-12-15)" in summary
    assert "MC100" not in summary and "POE" not in summary  # no claim id, no name
    # The API's answer for the same file.
    body = api.post(
        "/api/v1/remits", content=era.encode(), headers={"content-type": "application/edi-x12"}
    ).json()
    assert data == body


def test_remit_with_the_837p_and_the_requests(stdio: Session) -> None:
    sent = to_837p(
        [claim("MC1003", [line(1, service("62323", "950.00"), on(dt.date(2026, 8, 3))),
                          line(2, service("77003", "180.00"), on(dt.date(2026, 8, 3)))],
               rendering=RENDERING)]
    )  # fmt: skip
    era = ERA.read_text(encoding="utf-8")
    data = _data(stdio.call("remit", {"x12": era, "claims": [sent], "letters": True}))
    bundled = next(w for w in data["worklist"] if w["hcpcs"] == "77003")
    assert bundled["preventable"] is True and bundled["preventable_rule"] == "ncci.ptp"
    [request] = data["redetermination_requests"]
    assert (request["item_or_service"], request["deadline"]) == (
        "77003, 1 unit(s), charge 180.00", "2026-12-15",
    )  # fmt: skip
    assert request["rule"] == "NCCI PTP edit column 1 62323 / column 2 77003, modifier indicator 1"
    assert request["form"].startswith("CMS-20027")


@pytest.mark.parametrize(
    ("arguments", "argument", "words"),
    [
        ({"x12": "not a remittance"}, "x12", "does not start with an ISA segment"),
        ({"x12": "ISA*00*short~"}, "x12", "cannot be read"),
        ({"x12": "@835", "claims": "not an 837P"}, "claims", "X12 837P"),
        ({"x12": "@835", "claims": ["ISA*00*short~"]}, "claims", "cannot be read"),
        ({}, "x12", "Field required"),
    ],
)
def test_remit_bad_input_is_named(
    stdio: Session, arguments: dict[str, Any], argument: str, words: str
) -> None:
    if arguments.get("x12") == "@835":
        arguments = {**arguments, "x12": ERA.read_text(encoding="utf-8")}
    result = stdio.call("remit", arguments)
    [error] = _errors(result)
    assert error["argument"] == argument and words in error["message"], error
    assert "POE" not in result.content[0].text


def test_changes_62323_rvu25d_to_rvu26c(stdio: Session, api: TestClient) -> None:
    arguments = {"from": "RVU25D", "to": "RVU26C", "codes": ["62323"], "zip": "77030"}
    result = stdio.call("changes", arguments)
    data = _data(result)
    assert (data["before"]["id"], data["after"]["id"]) == ("RVU25D", "RVU26C")
    [row] = data["rows"]
    office = {a["place"]: a for a in row["amounts"] if a["setting"] == "non-facility"}
    national, houston = office["national"], office["04412-18"]
    assert (national["before"], national["after"], national["change"]) == (
        "246.80", "273.22", "26.42",
    )  # fmt: skip
    assert national["causes"]["gpci"] == "0.00"  # GPCI 1.000 nationally
    assert (houston["before"], houston["after"], houston["change"]) == (
        "250.42", "274.36", "23.94",
    )  # fmt: skip
    assert houston["causes"] == {"cf": "8.16", "rvus": "18.41", "gpci": "-2.63"}
    assert data["place"]["label"] == "ZIP 77030: Houston (04412-18)"
    assert data["summary"]["cf_before"] == ["32.3465"]
    assert data["summary"]["cf_after"] == ["33.4009"]
    assert AMA in data["ama_notice"] and "2026" in data["ama_notice"]
    summary = result.content[0].text
    assert summary.startswith("PFS RVU25D -> RVU26C")
    assert "62323 $246.80 -> $273.22 (+$26.42) national, $250.42 -> $274.36 (+$23.94) 04412-18" in (
        summary
    )
    # The API's answer, and the codes as text give the same.
    asked = {"from": "RVU25D", "to": "RVU26C", "codes": "62323", "zip": "77030"}
    from_api = api.get("/api/v1/changes", params=asked).json()
    assert {k: v for k, v in data.items() if k != "ama_notice"} == from_api
    assert _data(stdio.call("changes", asked)) == data


@pytest.mark.parametrize(
    ("arguments", "argument"),
    [
        ({"from": "RVU25D"}, "to"),
        ({"from": "RVU25D", "to": "RVU26C", "codes": "6232"}, "codes"),
        ({"from": "RVU25D", "to": "RVU26C", "zip": "7703"}, "zip"),
        ({"from": "RVU25D", "to": "RVU26C", "limit": 0}, "limit"),
        ({"from": "RVU25D", "to": "RVU26C", "setting": "garage"}, "setting"),
        ({"from": "RVU24A", "to": "RVU26C"}, "from"),
        ({"from": "RVU25D", "to": "RVU19A"}, "to"),
        ({"from": "RVU25D", "to": "2026Q2"}, "from"),
        ({"from": "RVU25D", "to": "RVU26C", "codes": 62323}, "codes"),
    ],
)
def test_changes_bad_arguments_are_named(
    stdio: Session, arguments: dict[str, Any], argument: str
) -> None:
    errors = _errors(stdio.call("changes", arguments))
    assert errors[0]["argument"] == argument, errors


def test_code_page_for_62323(stdio: Session, api: TestClient) -> None:
    args = {"code": "62323", "date": "2026-08-03"}
    data = _data(stdio.call("code_page", args))
    assert data["code"] == "62323" and data["descriptor"] == "Njx interlaminar lmbr/sac"
    assert data["amounts"]["national_nonfacility"] == "273.22"
    assert data["amounts"]["national_facility"] == "89.18"
    assert data["release"] == "RVU26C" and data["confidence"] == "high"
    assert AMA in data["ama_notice"]
    pair = next(p for p in data["ncci_pairs"] if p["column2"] == "77003")
    assert pair["modifier_indicator"] == "1"
    assert data["unit_limit"]["value"] == 1
    assert data == api.get("/api/v1/codes/62323", params={"date": "2026-08-03"}).json()


def test_search_and_data_status(stdio: Session) -> None:
    found = _data(stdio.call("search", {"q": "epidural", "date": "2026-08-03"}))
    hit = next(h for h in found["hits"] if h["code"] == "62323")
    assert hit["nonfacility"] == "273.22" and hit["facility"] == "89.18"
    assert found["release"] == "RVU26C" and AMA in found["ama_notice"]
    status = _data(stdio.call("data_status", {"date": "2026-08-03"}))
    assert status["fee_schedule_today"] == "RVU26C" and status["confidence_today"] == "high"
    files = {d["file"] for d in status["datasets"]}
    assert {"PPRRVU2026_Jul_nonQPP.csv", "GPCI2026.csv"} <= files


def _errors(result: Any) -> list[dict[str, Any]]:
    assert result.is_error
    text = result.content[0].text
    assert "Traceback" not in text
    errors: list[dict[str, Any]] = result.structured_content["errors"]
    return errors


def test_a_four_digit_zip_is_a_tool_error_naming_the_argument(stdio: Session) -> None:
    result = stdio.call("price", {"code": "62323", "zip": "7703"})
    [error] = _errors(result)
    assert error["argument"] == "zip" and error["code"] == "bad-argument"
    assert result.content[0].text == (
        'argument zip: zip "7703" is not a ZIP code (5 digits, or ZIP+4)'
    )  # the API's message for the same parameter


@pytest.mark.parametrize(
    ("tool", "arguments", "argument"),
    [
        ("price", {"code": "6232"}, "code"),
        ("price", {"code": "62323", "modifiers": ["5"]}, "modifiers"),
        ("price", {"code": "62323", "units": 0}, "units"),
        ("price", {"code": "62323", "units": "two"}, "units"),
        ("price", {"code": "62323", "date": "2019-01-01"}, "date"),
        ("price", {"code": "62323", "pos": "22", "setting": "non-facility"}, "setting"),
        ("price", {}, "code"),
        ("code_page", {"code": "99999"}, "code"),
        ("code_page", {"code": "62323", "dx": ["not-a-code"]}, "dx"),
        ("search", {"q": " "}, "q"),
        ("search", {"q": "epidural", "limit": 500}, "limit"),
        ("data_status", {"date": "yesterday"}, "date"),
    ],
)
def test_bad_arguments_are_named(
    stdio: Session, tool: str, arguments: dict[str, Any], argument: str
) -> None:
    errors = _errors(stdio.call(tool, arguments))
    assert errors[0]["argument"] == argument, errors


PATIENT = {"id": "PATIENT-SECRET-4471", "birth_date": "1950-02-03", "sex": "F"}


def test_a_bad_claim_lists_every_field_and_echoes_no_patient_value(stdio: Session) -> None:
    claim = json.loads(ESI_WITH_FLUOROSCOPY.read_text(encoding="utf-8"))
    bad = {**claim, "patient": {**PATIENT, "birth_date": "PATIENT-DOB-SECRET"}, "lines": [{}]}
    result = stdio.call("check_claim", {"claim": bad})
    errors = _errors(result)
    assert {e["argument"] for e in errors} == {"claim.patient.birth_date", "claim.lines[0].hcpcs"}
    assert "SECRET" not in json.dumps(errors) + result.content[0].text
    # Not a JSON object at all, and the SDK's own argument check: still no value repeated.
    for value in ("PATIENT-SECRET-4471", ["PATIENT-SECRET-4471"]):
        result = stdio.call("check_claim", {"claim": value})
        assert _errors(result)[0]["argument"] == "claim"
        assert "SECRET" not in result.content[0].text
    ok = stdio.call("check_claim", {"claim": {**claim, "patient": PATIENT}})
    assert not ok.is_error
    logged = stdio.stderr.read_text(encoding="utf-8")
    for secret in ("PATIENT-SECRET", "1950-02-03", "950.00"):
        assert secret not in logged


def test_stdout_carries_only_the_protocol(store_db: Path) -> None:
    messages = [
        {"jsonrpc": "2.0", "id": 1, "method": "initialize",
         "params": {"protocolVersion": "2025-11-25", "capabilities": {},
                    "clientInfo": {"name": "test", "version": "0"}}},
        {"jsonrpc": "2.0", "method": "notifications/initialized"},
        {"jsonrpc": "2.0", "id": 2, "method": "tools/call",
         "params": {"name": "price", "arguments": {"code": "62323", "zip": "7703"}}},
        {"jsonrpc": "2.0", "id": 3, "method": "tools/call",
         "params": {"name": "price", "arguments": {"code": "62323", "date": "2026-08-03"}}},
    ]  # fmt: skip
    server = subprocess.Popen(
        server_command(store_db),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert server.stdin is not None and server.stdout is not None
    deadline = threading.Timer(120, server.kill)  # a hung server fails the test, not the run
    deadline.start()
    try:
        for message in messages:
            server.stdin.write(json.dumps(message) + "\n")
        server.stdin.flush()
        answers: dict[int, dict[str, Any]] = {}
        while len(answers) < 3:  # every line read must be a JSON-RPC message
            line = server.stdout.readline()
            assert line, f"the server stopped after answering {sorted(answers)}"
            message = json.loads(line)  # a stray print would fail here
            assert message["jsonrpc"] == "2.0"
            answers[message["id"]] = message
    finally:
        server.stdin.close()
        server.wait(timeout=60)
        deadline.cancel()
    assert answers[2]["result"]["isError"] is True
    assert answers[3]["result"]["structuredContent"]["allowed"] == "273.22"
    assert server.stdout.read() == ""  # nothing after the answers either
