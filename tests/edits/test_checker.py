"""The claim checker on the real data: NCCI 2024 Q3, PPRRVU RVU26C, GPCI 2026, ICD-10-CM
FY2026, X12 CARC/RARC 2024.

Dollar amounts are the fee schedule amounts from the official files, worked out by hand for
Houston (carrier 04412, locality 18; ZIP 77030), 2026 GPCIs (GPCI2026: work 1.008 with the
floor, PE 0.993, MP 1.376), non-facility, CF 33.4009 (PPRRVU2026_Jul_nonQPP):
  62323: (1.76 x 1.008 + 6.25 x 0.993 + 0.17 x 1.376) x 33.4009 = 274.36
  77003: (0.59 x 1.008 + 2.49 x 0.993 + 0.05 x 1.376) x 33.4009 = 104.75
  64484: (0.98 x 1.008 + 2.46 x 0.993 + 0.08 x 1.376) x 33.4009 = 118.26
  99213: (1.30 x 1.008 + 1.46 x 0.993 + 0.09 x 1.376) x 33.4009 =  96.33
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from medpayiq.edits import CheckResult, Finding, Severity, check_claim, parse_claim
from medpayiq.reference import Catalog, Confidence

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "claims"

FEE_62323 = Decimal("274.36")
FEE_77003 = Decimal("104.75")
FEE_64484 = Decimal("118.26")
FEE_99213 = Decimal("96.33")


def _claim(
    *lines: dict[str, Any],
    diagnoses: tuple[str, ...] = ("M54.16",),
    history: tuple[dict[str, Any], ...] = (),
    day: str = "2026-07-15",
) -> dict[str, Any]:
    return {
        "claim_id": "T-1",
        "patient": {"id": "P-1", "birth_date": "1950-01-01", "sex": "F"},
        "provider": {"npi": "1234567893"},
        "place_of_service": "11",
        "zip": "77030",
        "date_of_service": day,
        "diagnoses": list(diagnoses),
        "lines": list(lines),
        "history": list(history),
    }


def _line(code: str, *modifiers: str, units: int = 1) -> dict[str, Any]:
    return {"hcpcs": code, "modifiers": list(modifiers), "units": units}


def _check(catalog: Catalog, data: dict[str, Any]) -> CheckResult:
    return check_claim(catalog, parse_claim(data))


def _only(result: CheckResult, rule: str) -> Finding:
    found = [f for f in result.findings if f.rule == rule]
    assert len(found) == 1, [f.as_dict() for f in result.findings]
    return found[0]


def _carcs(finding: Finding) -> list[str]:
    return [c.code for c in finding.carc]


def test_clean_claim_has_no_findings(catalog: Catalog) -> None:
    data = json.loads((FIXTURES / "esi-clean.json").read_text(encoding="utf-8"))
    result = _check(catalog, data)
    assert result.findings == ()
    assert result.priced.lines[0].expected_allowed == FEE_62323
    assert result.priced.total_expected == FEE_62323
    assert result.priced.locality == "04412-18"
    # The NCCI tables are 2024 Q3: the check ran and says so, with low confidence.
    assert any("2024Q3" in note and "2026Q3" in note for note in result.notes)
    assert result.confidence is Confidence.LOW
    # No coverage export in the shared data: the list is not available, never invented.
    assert any("covered-diagnosis list is not available" in note for note in result.notes)


def test_fluoroscopy_with_62323_is_denied(catalog: Catalog) -> None:
    result = _check(catalog, _claim(_line("62323"), _line("77003")))
    ptp = _only(result, "ncci.ptp")
    assert ptp.severity is Severity.DENY and ptp.lines == (2,)
    assert "97" in _carcs(ptp) and "236" in _carcs(ptp)
    assert ptp.carc[0].description.startswith("The benefit for this service is included")
    assert ptp.at_risk == FEE_77003
    assert "62323/77003" in ptp.message and "modifier indicator 1" in ptp.message
    assert "L39240" in ptp.source and "2024Q3" in ptp.source
    assert ptp.confidence is Confidence.LOW  # 2024 edits for a 2026 date
    # 77003 is also a Type I add-on whose listed primaries do not include 62323, but the line
    # is denied once, for its cause: the imaging is part of 62323 (issue 12).
    assert [f.rule for f in result.findings if f.severity is Severity.DENY] == ["ncci.ptp"]
    assert result.priced.total_expected == FEE_62323
    assert result.priced.at_risk == FEE_77003


def test_62323_with_two_units_exceeds_mue(catalog: Catalog) -> None:
    result = _check(catalog, _claim(_line("62323", units=2)))
    mue = _only(result, "ncci.mue")
    assert mue.severity is Severity.DENY and mue.lines == (1,)
    assert _carcs(mue) == ["96"] and [r.code for r in mue.rarc] == ["N362"]
    assert "MUE of 1" in mue.message and "MAI 3" in mue.message
    assert mue.appeal is not None and mue.appeal.level == 1 and mue.appeal.deadline_days == 120
    # What a corrected line (1 unit) earns is what the denial costs.
    assert mue.at_risk == FEE_62323
    levels = _only(result, "policy.epidural.levels")
    assert levels.lines == (1,) and _carcs(levels) == ["151"]
    assert result.priced.lines[0].status == "denied"


def test_64484_without_64483(catalog: Catalog) -> None:
    result = _check(catalog, _claim(_line("64484")))
    addon = _only(result, "ncci.addon")
    assert addon.severity is Severity.DENY and addon.lines == (1,)
    assert _carcs(addon) == ["B15"]
    assert "64483" in addon.message
    assert addon.at_risk == FEE_64484


def _sessions(*days: str) -> tuple[dict[str, Any], ...]:
    return tuple({"date_of_service": d, "hcpcs": "62323"} for d in days)


def test_fifth_lumbar_session_in_12_months_is_denied(catalog: Catalog) -> None:
    history = _sessions("2025-08-01", "2025-10-01", "2026-01-05", "2026-04-01")
    result = _check(catalog, _claim(_line("62323"), history=history))
    frequency = _only(result, "policy.epidural.frequency")
    assert frequency.severity is Severity.DENY and frequency.lines == (1,)
    assert _carcs(frequency) == ["151"] and [r.code for r in frequency.rarc] == ["N115"]
    assert "session 5" in frequency.message and "lumbar/sacral" in frequency.message
    assert frequency.at_risk == FEE_62323
    assert "effective" in frequency.source or "in force from 2021-12-05" in frequency.source


def test_fifth_session_13_months_after_the_first_passes(catalog: Catalog) -> None:
    history = _sessions("2025-06-15", "2025-10-01", "2026-01-05", "2026-04-01")
    result = _check(catalog, _claim(_line("62323"), history=history))
    assert result.findings == ()


def test_cervical_sessions_do_not_count_against_lumbar(catalog: Catalog) -> None:
    history = tuple(
        {"date_of_service": d, "hcpcs": "62321"}
        for d in ("2025-08-01", "2025-10-01", "2026-01-05", "2026-04-01")
    )
    result = _check(catalog, _claim(_line("62323"), history=history))
    assert result.findings == ()


def test_header_diagnosis_lists_its_billable_children(catalog: Catalog) -> None:
    result = _check(catalog, _claim(_line("62323"), diagnoses=("M48.06",)))
    header = _only(result, "code.icd-header")
    assert header.severity is Severity.DENY and header.lines == (1,)
    assert _carcs(header) == ["16"] and [r.code for r in header.rarc] == ["M76", "MA130"]
    assert "M48.061" in header.message and "M48.062" in header.message
    assert header.at_risk == FEE_62323
    assert header.appeal is not None and header.appeal.route.value == "resubmit"


@pytest.mark.parametrize(("code", "child"), [("M54.5", "M54.50"), ("M50.12", "M50.120")])
def test_other_seed_header_codes(catalog: Catalog, code: str, child: str) -> None:
    result = _check(catalog, _claim(_line("62323"), diagnoses=(code,)))
    assert child in _only(result, "code.icd-header").message


def test_em_on_the_day_of_62323_without_25(catalog: Catalog) -> None:
    result = _check(catalog, _claim(_line("62323"), _line("99213")))
    ptp = _only(result, "ncci.ptp")
    assert ptp.lines == (2,) and ptp.severity is Severity.DENY
    assert "25" in ptp.message
    assert ptp.at_risk == FEE_99213
    assert result.priced.total_expected == FEE_62323


def test_em_on_the_day_of_62323_with_25(catalog: Catalog) -> None:
    result = _check(catalog, _claim(_line("62323"), _line("99213", "25")))
    assert [f.severity for f in result.findings] == [Severity.INFO]
    bypass = _only(result, "ncci.ptp-bypass")
    assert bypass.lines == (2,) and "25" in bypass.message and bypass.at_risk is None
    assert result.priced.total_expected == FEE_62323 + FEE_99213


def test_26_on_a_pctc_0_code(catalog: Catalog) -> None:
    result = _check(catalog, _claim(_line("62323", "26")))
    pctc = _only(result, "modifier.pctc")
    assert pctc.severity is Severity.DENY and pctc.lines == (1,)
    assert _carcs(pctc) == ["4"]
    assert "PCTC indicator 0" in pctc.message
    assert pctc.at_risk == FEE_62323  # the line billed without 26


def test_62320_without_imaging_is_not_covered(catalog: Catalog) -> None:
    result = _check(catalog, _claim(_line("62320")))
    finding = _only(result, "policy.epidural.imaging-required")
    assert finding.lines == (1,) and _carcs(finding) == ["50"]
    assert "62321" in finding.fix


def test_em_in_a_90_day_global_period(catalog: Catalog) -> None:
    history = ({"date_of_service": "2026-06-01", "hcpcs": "27447", "provider_npi": "1234567893"},)
    result = _check(catalog, _claim(_line("99213"), history=history))
    finding = _only(result, "global.em-in-period")
    assert finding.lines == (1,) and _carcs(finding) == ["97"]
    assert finding.at_risk == FEE_99213
    with_24 = _check(catalog, _claim(_line("99213", "24"), history=history))
    assert with_24.findings == ()


def test_result_is_json_ready(catalog: Catalog) -> None:
    result = _check(catalog, _claim(_line("62323"), _line("77003")))
    data = json.loads(json.dumps(result.as_dict()))
    finding = next(f for f in data["findings"] if f["rule"] == "ncci.ptp")
    assert finding["at_risk"] == "104.75"
    assert finding["appeal"]["deadline_days"] == 120
    assert data["priced"]["total_expected"] == "274.36"


def test_ptp_findings_on_one_line_come_in_claim_line_order(catalog: Catalog) -> None:
    # 99213 (line 4) is column 2 of edits with each of the other four codes; the findings
    # follow the claim's lines, whatever the process's hash seed.
    result = _check(
        catalog,
        _claim(_line("99215"), _line("11721"), _line("G0127"), _line("99213"), _line("17000")),
    )
    on_line_4 = [f.message for f in result.findings if f.rule == "ncci.ptp" and f.lines == (4,)]
    assert [m.split(": NCCI")[0].split("with ")[1] for m in on_line_4] == [
        "line 1 (99215)",
        "line 2 (11721)",
        "line 3 (G0127)",
        "line 5 (17000)",
    ]


# --- E/M beside a procedure: only 25 or 57 bypass the edit (DOMAIN.md section 7) -----------


def _em_claim(*lines: dict[str, Any]) -> dict[str, Any]:
    return _claim(*lines, diagnoses=("M17.11",))


def test_em_with_a_joint_injection_and_no_25_is_denied(catalog: Catalog) -> None:
    # NCCI PTP 20610/99214, modifier indicator 1. RT on the injection does not make the visit
    # separately payable: the E/M is denied and the fix is 25, if documented.
    result = _check(catalog, _em_claim(_line("99214"), _line("20610", "RT")))
    ptp = _only(result, "ncci.ptp")
    assert ptp.severity is Severity.DENY and ptp.lines == (1,)
    assert "20610/99214" in ptp.message
    assert ptp.fix.startswith("Add 25 to line 1 (99214) if the record documents")
    assert ptp.at_risk is not None and ptp.at_risk > 0
    assert result.priced.at_risk == ptp.at_risk


def test_em_with_25_passes_the_edit(catalog: Catalog) -> None:
    result = _check(catalog, _em_claim(_line("99214", "25"), _line("20610", "RT")))
    assert [f.severity for f in result.findings] == [Severity.INFO]
    assert (
        result.findings[0].rule == "ncci.ptp-bypass" and "modifier 25" in result.findings[0].message
    )


def test_59_on_the_em_is_flagged_and_does_not_bypass(catalog: Catalog) -> None:
    result = _check(catalog, _em_claim(_line("99214", "59"), _line("20610")))
    assert _only(result, "ncci.ptp").lines == (1,)
    flagged = _only(result, "modifier.distinct-on-em")
    assert flagged.severity is Severity.REVIEW and "Replace 59 with 25" in flagged.fix


# --- Every line on the schedule that pays it (issue 10) -------------------------------------


def test_a_visit_with_labs_and_equipment_prices_every_line(catalog: Catalog) -> None:
    claim = _claim(
        _line("99214", "25"), _line("36415"), _line("80053"), _line("E0601", "RR"),
        diagnoses=("E11.9",), day="2026-05-04",
    )  # fmt: skip
    result = _check(catalog, claim)
    lines = result.priced.lines
    assert [(x.hcpcs, x.schedule) for x in lines] == [
        ("99214", "pfs"), ("36415", "clfs"), ("80053", "clfs"), ("E0601", "dmepos"),
    ]  # fmt: skip
    # CLFS 2026Q2: 36415 = 9.34, 80053 = 10.56; DMEPOS26_JAN E0601-RR TX (NR) = 50.91.
    assert [x.allowed_as_billed for x in lines[1:]] == [
        Decimal("9.34"), Decimal("10.56"), Decimal("50.91"),
    ]  # fmt: skip
    labs = [f for f in result.findings if f.rule == "code.other-fee-schedule"]
    assert [f.lines for f in labs] == [(2,), (3,), (4,)]
    assert all(f.severity is Severity.INFO for f in labs)
    assert "clinical laboratory fee schedule 2026Q2" in labs[0].message
    # The practitioner MUE table gives E0601 a value of 0: the supplier bills it to the DME MAC.
    mue = _only(result, "ncci.mue")
    assert mue.lines == (4,) and "practitioner MUE of 0" in mue.message
    assert "DME MAC" in mue.message
    assert result.priced.total_expected == lines[0].allowed_as_billed + Decimal("19.90")


def test_a_lab_codes_interpretation_is_the_physician_fee_schedules(catalog: Catalog) -> None:
    # 85576 is status X in RVU26B (the CLFS pays the test: 24.91 in 2026 Q2) and 85576-26
    # status A (the interpretation), in Houston (04412-18 GPCIs 1.008, 0.993, 1.376):
    # (0.36 x 1.008 + 0.16 x 0.993 + 0.01 x 1.376) x 33.4009 = 0.53552 x 33.4009 = 17.8868.
    claim = _claim(_line("85576", "26"), _line("85576"), diagnoses=("D69.1",), day="2026-05-04")
    result = _check(catalog, claim)
    lines = result.priced.lines
    assert [(x.hcpcs, x.schedule, x.allowed_as_billed) for x in lines] == [
        ("85576", "pfs", Decimal("17.89")),
        ("85576", "clfs", Decimal("24.91")),
    ]
    labs = [f for f in result.findings if f.rule == "code.other-fee-schedule"]
    assert [f.lines for f in labs] == [(2,)]  # line 1 is not called a CLFS line
