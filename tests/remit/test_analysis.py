"""Remittances analysed against the real 2026 files (the session `catalog`): expected amounts
hand-worked from PPRRVU2026_Jul_nonQPP (RVU26C), GPCI2026 (with the work floor) and the CF
33.4009, the cause of an underpayment, a bundling denial with its deadline and letter, the
deductible, reversal pairing, unknown codes, PR and timely filing routes.

Hand-worked amounts (non-facility, ZIP 77030 = locality 04412-18 Houston: work 1.008,
PE 0.993, MP 1.376; 04412-20 Beaumont: 1.000, 0.910, 0.929):
- 99214 (RVUs 1.92 / 2.00 / 0.14): Houston 4.11400 x 33.4009 = 137.41; Beaumont 3.87006 x
  33.4009 = 129.26; under RVU25D (1.92 / 1.80 / 0.15, GPCI2025 Houston 1.014 / 1.003 / 1.409,
  CF 32.3465) 3.96363 x 32.3465 = 128.21.
- 77003 (0.59 / 2.49 / 0.05): 3.13609 x 33.4009 = 104.75.
- Medicare pays of 137.41: coinsurance 27.48, 109.93 less 2% (2.20) = 107.73.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from medpayiq.errors import InputError
from medpayiq.reference import Catalog
from medpayiq.services import analyze_remittance
from medpayiq.x12 import to_837p
from x12.builders import claim, line, on, service

from .builders import FIXTURE, clp, era, reversal_and_correction, svc


def _claim(report: dict, claim_id: str, nth: int = 0) -> dict:
    return [c for c in report["claims"] if c["claim_id"] == claim_id][nth]


@pytest.fixture(scope="module")
def fixture_report(catalog: Catalog) -> dict:
    return analyze_remittance(catalog, [FIXTURE]).as_dict()


def test_paid_right_line_has_no_variance(fixture_report: dict) -> None:
    line = _claim(fixture_report, "MC1001")["lines"][0]
    assert {k: line[k] for k in ("hcpcs", "allowed", "paid", "expected_allowed",
                                 "expected_paid", "variance", "status", "cause")} == {
        "hcpcs": "99214", "allowed": "137.41", "paid": "107.73", "expected_allowed": "137.41",
        "expected_paid": "107.73", "variance": None, "status": "paid_right", "cause": None,
    }  # fmt: skip
    # the coinsurance goes to the patient (or the secondary payer)
    assert line["route"]["route"] == "bill_patient" and line["route"]["amount"] == "27.48"
    texts = {a["reason"]: a["text"] for a in line["adjustments"]}
    assert texts["253"] == "Sequestration - reduction in federal payment"


def test_deductible_on_the_line_is_taken_before_coinsurance(fixture_report: dict) -> None:
    # 137.41 - 100.00 deductible = 37.41; coinsurance 7.48; 29.93 less 2% (0.60) = 29.33
    line = _claim(fixture_report, "MC1004")["lines"][0]
    assert (line["expected_paid"], line["paid"], line["status"]) == ("29.33", "29.33",
                                                                     "paid_right")  # fmt: skip


def test_bundling_denial_route_deadline_and_letter(catalog: Catalog) -> None:
    report = analyze_remittance(catalog, [FIXTURE])
    claim_ = _claim(report.as_dict(), "MC1003")
    line = claim_["lines"][1]
    assert (line["hcpcs"], line["status"], line["expected_allowed"], line["expected_paid"]) == (
        "77003", "denied", "104.75", "82.12",
    )  # fmt: skip
    # remittance 2026-08-12, received 08-17, + 120 days = 2026-12-15
    assert line["route"]["route"] == "redetermination"
    assert line["route"]["deadline"] == "2026-12-15"
    assert "405.942" in line["route"]["cites"]
    assert claim_["route"]["route"] == "redetermination"
    assert [r["code"] for r in line["remarks"]] == ["M15"]
    (letter,) = report.letters()
    assert (
        letter.beneficiary_name, letter.medicare_number, letter.date_of_service,
        letter.claim_number, letter.patient_control_number, letter.line, letter.notice_date,
        letter.deadline, letter.contractor,
    ) == (
        "ANNA POE", "3EG4TE5MK75", "2026-08-03", "22026220345670", "MC1003", 2, "2026-08-12",
        "2026-12-15", "NOVITAS SOLUTIONS JH",
    )  # fmt: skip
    # the NCCI PTP row 62323 / 77003 has modifier indicator 1 (ccipra-v302r0)
    assert letter.rule == "NCCI PTP edit column 1 62323 / column 2 77003, modifier indicator 1"
    text = letter.as_text()
    assert "2. Medicare number: 3EG4TE5MK75" in text and "File by 2026-12-15" in text
    # the epidural pack bundles the imaging into 62323 by definition: the biller is told
    assert letter.advice.startswith("Imaging guidance is part of 62321, 62323")
    assert "write the line off unless 77003 guided a separate procedure" in letter.advice
    assert text.startswith(f"{letter.form}\n\nBefore sending: Imaging guidance")
    item = next(i for i in report.as_dict()["worklist"] if i["hcpcs"] == "77003")
    assert (item["route"], item["deadline"], item["at_stake"], item["letter"]) == (
        "redetermination", "2026-12-15", "82.12", True,
    )  # fmt: skip


def test_unprocessable_claim_goes_back_as_a_corrected_claim(fixture_report: dict) -> None:
    claim_ = _claim(fixture_report, "MC1005")
    route = claim_["lines"][0]["route"]
    # CO-16 with MA130: no appeal rights; a new claim within 1 year of 2026-07-29
    assert (route["route"], route["deadline"]) == ("corrected_claim", "2027-07-29")
    assert [r["code"] for r in claim_["remarks"]] == ["MA130"]


def test_fixture_totals(fixture_report: dict) -> None:
    totals = fixture_report["totals"]
    assert (totals["claims"], totals["lines"], totals["paid"], totals["payments"],
            totals["provider_adjustments"]) == (5, 7, "655.89", "630.89", "25.00")  # fmt: skip
    # 62323 allowed 250.00 paid 196.00 against 274.36 / 215.10: 19.10 under
    assert (totals["underpaid"], totals["underpaid_lines"]) == ("19.10", 1)
    assert fixture_report["problems"] == []
    assert fixture_report["provenance"]["releases"] == {"pfs": ["RVU26C"]}


def _underpaid(catalog: Catalog, allowed: str, paid: str, coinsurance: str,
               sequestration: str) -> dict:  # fmt: skip
    co45 = Decimal("180") - Decimal(allowed)
    text = era(
        clp("U1", "1", "180", paid, coinsurance, "22026196999990")
        + svc("99214", "180", paid, "20260715", f"CO*45*{co45}**253*{sequestration}",
              f"PR*2*{coinsurance}", allowed=allowed),
        paid=paid,
    )  # fmt: skip
    return analyze_remittance(catalog, [text]).as_dict()["claims"][0]["lines"][0]


def test_underpayment_at_another_locality(catalog: Catalog) -> None:
    # 129.26 (Beaumont): coinsurance 25.85, 103.41 less 2.07 = 101.34; expected 107.73
    line = _underpaid(catalog, "129.26", "101.34", "25.85", "2.07")
    assert (line["expected_allowed"], line["expected_paid"], line["variance"]) == (
        "137.41", "107.73", "-6.39",
    )  # fmt: skip
    assert line["allowed_variance"] == "-8.15" and line["status"] == "underpaid"
    assert line["cause"]["code"] == "locality"
    assert "04412-20 (BEAUMONT)" in line["cause"]["text"]
    assert line["route"]["route"] == "reopening" and line["route"]["deadline"] == "2027-08-12"


def test_underpayment_under_the_previous_conversion_factor(catalog: Catalog) -> None:
    # 128.21 (RVU25D, CF 32.3465): coinsurance 25.64, 102.57 less 2.05 = 100.52
    line = _underpaid(catalog, "128.21", "100.52", "25.64", "2.05")
    assert (line["variance"], line["cause"]["code"]) == ("-7.21", "release")
    assert "RVU25D" in line["cause"]["text"] and "32.3465" in line["cause"]["text"]


def test_non_participating_rate(catalog: Catalog) -> None:
    # 137.41 x 95% = 130.54: coinsurance 26.11, 104.43 less 2.09 = 102.34
    line = _underpaid(catalog, "130.54", "102.34", "26.11", "2.09")
    assert (line["variance"], line["cause"]["code"]) == ("-5.39", "non_participating")


def test_reversal_paired_with_its_correction(catalog: Catalog) -> None:
    report = analyze_remittance(catalog, [reversal_and_correction()]).as_dict()
    reversal, correction = report["claims"]
    assert reversal["pair"] == {
        "role": "reversal",
        "with_payer_claim_number": "22026196123450",
        "net_paid": "2.35",
        "net_patient_responsibility": "0.60",
    }
    assert correction["pair"]["role"] == "correction"
    assert correction["pair"]["net_paid"] == "2.35"
    assert reversal["lines"][0]["status"] == "reversal" and reversal["route"] is None
    # 140.40 is not the fee schedule's 137.41: the correction overpaid (by 110.08 - 107.73)
    assert (correction["lines"][0]["status"], correction["lines"][0]["variance"]) == (
        "overpaid", "2.35",
    )  # fmt: skip
    (item,) = report["worklist"]
    assert (item["status"], item["at_stake"]) == ("overpaid", "0.00")
    assert "42 CFR 401.305" in item["send"]


def test_unknown_codes_are_kept_and_marked(catalog: Catalog) -> None:
    text = era(
        clp("X1", "4", "180", "0", "0", "22026196888880")
        + svc("99214", "180", "0", "20260715", "CO*Z99*180", remarks=["ZZ999"]),
        paid="0",
    )
    line = analyze_remittance(catalog, [text]).as_dict()["claims"][0]["lines"][0]
    assert line["adjustments"][0]["reason"] == "Z99"
    assert line["adjustments"][0]["known"] is False
    assert line["adjustments"][0]["text"] == "unknown code Z99"
    assert line["remarks"] == [{"code": "ZZ999", "text": "unknown code ZZ999", "known": False}]
    assert line["route"]["route"] == "redetermination"


def test_patient_responsibility_and_timely_filing(catalog: Catalog) -> None:
    text = era(
        clp("P1", "1", "180", "0", "180", "22026196777770")
        + svc("99214", "180", "0", "20260715", "PR*204*180"),
        clp("T1", "4", "180", "0", "0", "22026196666660")
        + svc("99214", "180", "0", "20250701", "CO*29*180"),
        paid="0",
    )
    report = analyze_remittance(catalog, [text])
    body = report.as_dict()
    pr = body["claims"][0]["lines"][0]["route"]
    tf = body["claims"][1]["lines"][0]["route"]
    assert (pr["route"], pr["deadline"], pr["amount"]) == ("bill_patient", None, "180.00")
    assert (tf["route"], tf["deadline"]) == ("no_appeal", None)
    assert "424.44" in tf["cites"]
    assert report.letters() == []
    assert body["worklist"] == []  # nothing to send for either
    assert body["analytics"]["by_route"]["no_appeal"]["count"] == 1


def test_preventable_with_the_837(catalog: Catalog) -> None:
    sent = claim(
        "MC1003",
        [
            line(1, service("62323", "950.00"), on(date(2026, 8, 3))),
            line(2, service("77003", "180.00"), on(date(2026, 8, 3))),
        ],
    )
    report = analyze_remittance(catalog, [FIXTURE], [to_837p([sent]).encode("ascii")])
    body = report.as_dict()
    denied = _claim(body, "MC1003")["lines"][1]
    assert (denied["preventable"], denied["preventable_rule"], denied["line_837"]) == (
        True, "ncci.ptp", 2,
    )  # fmt: skip
    assert _claim(body, "MC1003")["checked"] is True
    # claims without an 837 are not judged
    assert _claim(body, "MC1005")["lines"][0]["preventable"] is None
    assert body["analytics"]["preventable"] == {"checked": 1, "preventable": 1, "rate": "1.0000"}


def test_csv_rows_one_per_line(catalog: Catalog) -> None:
    rows = list(analyze_remittance(catalog, [FIXTURE]).csv_rows())
    assert len(rows) == 7
    row = next(r for r in rows if r["hcpcs"] == "77003")
    assert (row["route"], row["deadline"], row["adjustments"], row["at_stake"]) == (
        "redetermination", "2026-12-15", "CO-97:180.00", "82.12",
    )  # fmt: skip


def test_unreadable_input_is_an_input_error(catalog: Catalog) -> None:
    with pytest.raises(InputError) as caught:
        analyze_remittance(catalog, [b"this is not an X12 file"])
    assert caught.value.parameter == "remits"
    with pytest.raises(InputError) as caught:
        analyze_remittance(catalog, [FIXTURE], [b"nor is this"])
    assert caught.value.parameter == "claims"


def test_claim_denied_at_claim_level_only(catalog: Catalog) -> None:
    # no SVC: CO-29 on the claim (timely filing), statement date 2025-07-01
    text = era(
        ["CLP*TF1*4*250*0*0*MB*22026196555550*11*1", "CAS*CO*29*250",
         "NM1*QC*1*DOE*JANE****MI*1EG4TE5MK73", "DTM*232*20250701", "DTM*233*20250701"],
        paid="0",
    )  # fmt: skip
    body = analyze_remittance(catalog, [text]).as_dict()
    (claim_,) = body["claims"]
    (line,) = claim_["lines"]
    assert (line["line"], line["hcpcs"], line["charge"], line["status"]) == (
        0, None, "250.00", "denied",
    )  # fmt: skip
    assert (line["route"]["route"], line["route"]["deadline"]) == ("no_appeal", None)
    assert claim_["route"]["route"] == "no_appeal"
    assert body["analytics"]["denials_by_carc"]["29"]["count"] == 1


def test_medical_necessity_letter_names_the_lcd(catalog: Catalog) -> None:
    text = era(
        clp("N1", "4", "950", "0", "0", "22026196444440")
        + svc("62323", "950", "0", "20260715", "CO*50*950", remarks=["N115"]),
        paid="0",
    )
    (letter,) = analyze_remittance(catalog, [text]).letters()
    # the epidural pack's LCDs (knowledge/packs): Noridian L39240 and L39015
    assert "LCD L39240" in letter.rule and "LCD L39015" in letter.rule
    assert letter.deadline == "2026-12-15" and letter.item_or_service.startswith("62323")


def _two_procedures(catalog: Catalog, first: list[str], second: list[str], paid: str) -> list:
    text = era(clp("M1", "1", "1200", paid, "0", "22026196333330") + first + second, paid=paid)
    return analyze_remittance(catalog, [text]).as_dict()["claims"][0]["lines"]


def test_multiple_procedure_reduction_paid_right(catalog: Catalog) -> None:
    # 62323 and 20610 (MULT PROC 2 both) on one date: 62323 ranks first at 274.36; 20610
    # (0.77 x 1.008 + 1.16 x 0.993 + 0.13 x 1.376 = 2.10692 x 33.4009 = 70.37) at 50% = 35.19:
    # coinsurance 7.04, 28.15 less 0.56 = 27.59. The CO-59 reduction is the schedule's own.
    lines = _two_procedures(
        catalog,
        svc("62323", "950", "215.10", "20260715", "CO*45*675.64**253*4.39", "PR*2*54.87",
            allowed="274.36"),
        svc("20610", "250", "27.59", "20260715", "CO*45*179.63**59*35.18**253*0.56",
            "PR*2*7.04", allowed="35.19"),
        paid="242.69",
    )  # fmt: skip
    assert [(x["expected_allowed"], x["status"], x["variance"]) for x in lines] == [
        ("274.36", "paid_right", None), ("35.19", "paid_right", None),
    ]  # fmt: skip
    assert lines[1]["route"]["route"] == "bill_patient"


def test_multiple_procedure_reduction_on_the_wrong_line(catalog: Catalog) -> None:
    # the payer halved 62323 (137.18: coinsurance 27.44, 109.74 less 2.19 = 107.55) and paid
    # 20610 in full (70.37: coinsurance 14.07, 56.30 less 1.13 = 55.17)
    lines = _two_procedures(
        catalog,
        svc("62323", "950", "107.55", "20260715", "CO*45*812.82**253*2.19", "PR*2*27.44",
            allowed="137.18"),
        svc("20610", "250", "55.17", "20260715", "CO*45*179.63**253*1.13", "PR*2*14.07",
            allowed="70.37"),
        paid="162.72",
    )  # fmt: skip
    assert [(x["status"], x["variance"], x["cause"]["code"]) for x in lines] == [
        ("underpaid", "-107.55", "multiple_procedure"),
        ("overpaid", "27.58", "multiple_procedure"),
    ]
