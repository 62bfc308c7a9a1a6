"""The Medicare 2026 remittance fixture (tests/fixtures/x12/medicare_2026.835), every figure
worked out by hand: see the fixture folder's README. Positions count from ST = 1; the file has
the ISA and GS on its first two lines, so a segment at position p stands on line p + 2."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from medpayiq.x12 import (
    Adjustment,
    ClaimPayment,
    DateSpan,
    Party,
    PatientName,
    ProviderAdjustment,
    RemittanceEnd,
    read_835,
)

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "x12" / "medicare_2026.835"
D = Decimal


@pytest.fixture(scope="module")
def items() -> list[ClaimPayment | RemittanceEnd]:
    reader = read_835(FIXTURE)
    found = list(reader)
    assert reader.problems == []
    assert reader.claims_read == 5
    assert reader.remittances_read == 1
    return found


def claims(items: list[ClaimPayment | RemittanceEnd]) -> dict[str, ClaimPayment]:
    return {c.claim_id: c for c in items if isinstance(c, ClaimPayment)}


def test_header(items: list[ClaimPayment | RemittanceEnd]) -> None:
    end = items[-1]
    assert isinstance(end, RemittanceEnd)
    remittance = end.remittance
    assert remittance is not None
    assert (remittance.handling, remittance.amount, remittance.credit_debit, remittance.method) == (
        "I",
        D("630.89"),
        "C",
        "ACH",
    )
    assert remittance.payment_date == date(2026, 8, 12)
    assert remittance.production_date == date(2026, 8, 10)
    assert (remittance.trace_number, remittance.payer_tin) == ("EFT0001234", "1512345678")
    assert remittance.control_number == "0001"
    assert remittance.header.version == "005010X221A1"
    assert remittance.header.interchange.control_number == "000000835"
    assert remittance.payer == Party(
        "NOVITAS SOLUTIONS JH", None, None, "MECHANICSBURG", "PA", "170551858"
    )
    assert remittance.payee == Party(
        "HOUSTON SPINE CLINIC",
        "XX",
        "1234567893",
        "HOUSTON",
        "TX",
        "770302707",
        npi="1234567893",
        tax_id="741234567",
    )
    assert remittance.payee.zip5 == "77030"
    assert all(c.remittance is remittance for c in claims(items).values())


def test_trailer_balances_with_the_recovery(items: list[ClaimPayment | RemittanceEnd]) -> None:
    end = items[-1]
    assert isinstance(end, RemittanceEnd)
    # 107.73 + 303.73 + 215.10 + 29.33 + 0 = 655.89; less the WO recovery 25.00 = 630.89
    assert (end.claims, end.total_paid) == (5, D("655.89"))
    assert end.provider_adjustments == (
        ProviderAdjustment("1234567893", date(2026, 12, 31), "WO", "22026100111110", D("25")),
    )
    assert end.problems == ()
    assert [type(i).__name__ for i in items] == ["ClaimPayment"] * 5 + ["RemittanceEnd"]


def test_paid_right(items: list[ClaimPayment | RemittanceEnd]) -> None:
    claim = claims(items)["MC1001"]
    assert (claim.status, claim.charge, claim.paid, claim.patient_responsibility) == (
        "1",
        D("180"),
        D("107.73"),
        D("27.48"),
    )
    assert (claim.filing_indicator, claim.payer_claim_number) == ("MB", "22026196123450")
    assert (claim.facility_code, claim.frequency, claim.header_number) == ("11", "1", "1")
    assert claim.patient == PatientName("DOE", "JANE", "MI", "1EG4TE5MK73")
    assert (claim.insured, claim.corrected_member_id) == (None, None)
    assert claim.rendering_npi == "1003000126"
    assert claim.remarks == ("MA01",)
    assert claim.received == date(2026, 7, 20)
    assert (claim.statement, claim.adjustments, claim.allowed) == (None, (), None)
    assert (claim.position, claim.problems) == (15, ())
    assert not claim.denied and not claim.reversal
    (line,) = claim.lines
    assert (line.qualifier, line.procedure, line.modifiers) == ("HC", "99214", ())
    assert (line.charge, line.paid, line.units, line.allowed) == (
        D("180"),
        D("107.73"),
        D("1"),
        D("137.41"),
    )
    assert line.dates == DateSpan(date(2026, 7, 15), date(2026, 7, 15))
    # 180.00 - 137.41 = 42.59; 20% of 137.41 = 27.48; 2% of 109.93 = 2.20
    assert line.adjustments == (
        Adjustment("CO", "45", D("42.59")),
        Adjustment("CO", "253", D("2.2")),
        Adjustment("PR", "2", D("27.48")),
    )
    assert line.adjusted == D("72.27")
    assert (line.position, line.remarks, line.control_number) == (20, (), None)


def test_a_line_paid_below_the_fee_schedule(items: list[ClaimPayment | RemittanceEnd]) -> None:
    claim = claims(items)["MC1002"]
    assert (claim.charge, claim.paid, claim.patient_responsibility) == (
        D("1130"),
        D("303.73"),
        D("77.48"),
    )
    first, second = claim.lines
    assert (first.procedure, first.modifiers, first.paid, first.position) == (
        "99214",
        ("25",),
        D("107.73"),
        30,
    )
    assert (second.procedure, second.allowed, second.paid, second.control_number) == (
        "62323",
        D("250"),
        D("196"),
        "L2",
    )
    assert second.adjustments == (
        Adjustment("CO", "45", D("700")),
        Adjustment("CO", "253", D("4")),
        Adjustment("PR", "2", D("50")),
    )
    assert (second.position, claim.position, claim.problems) == (35, 25, ())


def test_bundling_denial_of_fluoroscopy(items: list[ClaimPayment | RemittanceEnd]) -> None:
    claim = claims(items)["MC1003"]
    assert (claim.status, claim.charge, claim.paid, claim.patient_responsibility) == (
        "1",
        D("1130"),
        D("215.1"),
        D("54.87"),
    )
    injection, fluoroscopy = claim.lines
    assert (injection.procedure, injection.allowed, injection.paid) == (
        "62323",
        D("274.36"),
        D("215.1"),
    )
    assert injection.adjustments == (
        Adjustment("CO", "45", D("675.64")),
        Adjustment("CO", "253", D("4.39")),
        Adjustment("PR", "2", D("54.87")),
    )
    assert (fluoroscopy.procedure, fluoroscopy.charge, fluoroscopy.paid) == (
        "77003",
        D("180"),
        D("0"),
    )
    assert fluoroscopy.adjustments == (Adjustment("CO", "97", D("180")),)
    assert fluoroscopy.remarks == ("M15",)
    assert fluoroscopy.allowed is None
    assert injection.dates == fluoroscopy.dates == DateSpan(date(2026, 8, 3), date(2026, 8, 3))
    assert (claim.position, injection.position, fluoroscopy.position) == (41, 45, 50)
    assert claim.patient is not None and claim.rendering_npi is None


def test_deductible_and_coinsurance_in_one_cas(items: list[ClaimPayment | RemittanceEnd]) -> None:
    claim = claims(items)["MC1004"]
    (line,) = claim.lines
    # 137.41 allowed: 100.00 deductible, 20% of 37.41 = 7.48, 29.93 less 2% (0.60) = 29.33
    assert line.adjustments == (
        Adjustment("CO", "45", D("42.59")),
        Adjustment("CO", "253", D("0.6")),
        Adjustment("PR", "1", D("100")),
        Adjustment("PR", "2", D("7.48")),
    )
    assert (claim.paid, claim.patient_responsibility, line.paid) == (
        D("29.33"),
        D("107.48"),
        D("29.33"),
    )
    assert (claim.position, line.position) == (54, 58)


def test_unprocessable_denial(items: list[ClaimPayment | RemittanceEnd]) -> None:
    claim = claims(items)["MC1005"]
    assert claim.denied
    assert claim.status_text == "denied"
    assert (claim.charge, claim.paid, claim.patient_responsibility) == (D("180"), D("0"), D("0"))
    assert claim.remarks == ("MA130",)
    (line,) = claim.lines
    assert line.adjustments == (Adjustment("CO", "16", D("180")),)
    assert line.remarks == ("MA130", "N290")
    assert line.dates == DateSpan(date(2026, 7, 29), date(2026, 7, 29))
    assert (claim.position, line.position) == (63, 67)


DENIALS = FIXTURE.with_name("medicare_2026_denials.835")


@pytest.fixture(scope="module")
def denials() -> list[ClaimPayment | RemittanceEnd]:
    reader = read_835(DENIALS)
    found = list(reader)
    assert reader.problems == []
    assert all(item.problems == () for item in found)
    return found


def test_denials_file_trailer(denials: list[ClaimPayment | RemittanceEnd]) -> None:
    end = denials[-1]
    assert isinstance(end, RemittanceEnd) and end.remittance is not None
    # -107.73 + 68.53 + 0 + 0 + 107.73 = 68.53; less (-0.84 + 40.00) = 29.37
    assert (end.claims, end.total_paid, end.remittance.amount) == (5, D("68.53"), D("29.37"))
    assert end.remittance.payment_date == date(2026, 9, 15)
    assert end.provider_adjustments == (
        ProviderAdjustment("1234567893", date(2026, 12, 31), "L6", "22026258123451", D("-0.84")),
        ProviderAdjustment("1234567893", date(2026, 12, 31), "WO", "22026010199990", D("40")),
    )


def test_reversal_and_correction(denials: list[ClaimPayment | RemittanceEnd]) -> None:
    reversal, correction = denials[0], denials[1]
    assert isinstance(reversal, ClaimPayment) and isinstance(correction, ClaimPayment)
    assert reversal.claim_id == correction.claim_id == "MC1001"
    assert reversal.reversal and (reversal.charge, reversal.paid) == (D("-180"), D("-107.73"))
    assert reversal.payer_claim_number == "22026196123450"  # the first file's MC1001
    assert reversal.lines[0].adjustments == (
        Adjustment("CO", "45", D("-42.59")),
        Adjustment("CO", "253", D("-2.2")),
        Adjustment("PR", "2", D("-27.48")),
    )
    assert reversal.lines[0].allowed == D("-137.41")
    # 137.41: 50.00 deductible, 20% of 87.41 = 17.48, 69.93 less 2% (1.40) = 68.53
    assert (correction.status, correction.paid, correction.patient_responsibility) == (
        "1",
        D("68.53"),
        D("67.48"),
    )
    assert correction.lines[0].adjustments == (
        Adjustment("CO", "45", D("42.59")),
        Adjustment("CO", "253", D("1.4")),
        Adjustment("PR", "1", D("50")),
        Adjustment("PR", "2", D("17.48")),
    )
    assert (reversal.position, correction.position, correction.lines[0].position) == (15, 23, 26)


def test_medical_necessity_timely_filing_and_abn(
    denials: list[ClaimPayment | RemittanceEnd],
) -> None:
    found = claims(denials)
    necessity = found["MC2002"]
    assert necessity.denied and (necessity.charge, necessity.paid) == (D("950"), D("0"))
    (line,) = necessity.lines
    assert (line.procedure, line.adjustments, line.remarks) == (
        "62323",
        (Adjustment("CO", "50", D("950")),),
        ("N115",),
    )
    assert line.dates == DateSpan(date(2026, 8, 18), date(2026, 8, 18))
    timely = found["MC2003"]
    assert timely.denied and timely.lines == ()
    assert timely.adjustments == (Adjustment("CO", "29", D("180")),)
    assert timely.remarks == ("N211",)
    assert timely.statement == DateSpan(date(2025, 6, 10), date(2025, 6, 10))
    assert (timely.received, timely.position) == (date(2026, 9, 1), 38)
    abn = found["MC2004"]
    assert (abn.charge, abn.paid, abn.patient_responsibility) == (
        D("430"),
        D("107.73"),
        D("277.48"),
    )
    visit, injection = abn.lines
    assert (visit.procedure, visit.modifiers, visit.paid) == ("99214", ("25",), D("107.73"))
    assert (injection.procedure, injection.modifiers, injection.paid) == (
        "20610",
        ("GA",),
        D("0"),
    )
    assert injection.adjustments == (Adjustment("PR", "50", D("250")),)
    assert (injection.remarks, injection.position) == (("M38",), 53)
