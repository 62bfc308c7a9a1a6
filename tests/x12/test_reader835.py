"""The 835 reader on files written by hand: every figure, code, date and position worked out
from the text (positions: ST 1, BPR 2, TRN 3, N1*PR 4, N1*PE 5, LX 6, detail from 7)."""

from __future__ import annotations

import dataclasses
import random
from datetime import date
from decimal import Decimal
from pathlib import Path

from medpayiq.x12 import (
    Adjustment,
    ClaimPayment,
    DateSpan,
    Party,
    PatientName,
    ProviderAdjustment,
    RemittanceEnd,
    ServicePayment,
    Severity,
    X12Problem,
    new_remittance,
    read_835,
    to_835,
)

from .builders835 import FIRST, bpr, interchange, remit, transaction

D = Decimal
FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "x12" / "medicare_2026.835"
NAME, MEMBER = "DOE", "1EG4TE5MK73"
PATIENT = f"NM1*QC*1*{NAME}*JANE****MI*{MEMBER}"


def read(text: str) -> tuple[list[ClaimPayment], RemittanceEnd | None, list[X12Problem]]:
    reader = read_835(text.encode())
    items = list(reader)
    claims = [i for i in items if isinstance(i, ClaimPayment)]
    ends = [i for i in items if isinstance(i, RemittanceEnd)]
    assert len(ends) <= 1
    every = [*reader.problems, *(p for i in items for p in i.problems)]
    for problem in every:  # no message names the patient or quotes the member id
        assert NAME not in str(problem) and MEMBER not in str(problem)
    return claims, ends[0] if ends else None, reader.problems


def codes(problems: tuple[X12Problem, ...] | list[X12Problem]) -> list[tuple[str, int | None]]:
    return [(p.code, p.segment_position) for p in problems]


def test_reversal_then_correction_with_a_negative_adjustment() -> None:
    claims, end, problems = read(
        remit(
            "CLP*R1*22*-180*-107.73*-27.48*MB*22026300000001*11*1",  # 7
            PATIENT,
            "SVC*HC:99214*-180*-107.73**1",  # 9
            "DTM*472*20261015",
            "CAS*CO*45*-42.59**253*-2.2",
            "CAS*PR*2*-27.48",
            "CLP*R1*1*180*110*27.48*MB*22026300000002*11*1",  # 13
            PATIENT,
            "SVC*HC:99214*180*110**1",  # 15
            "DTM*472*20261015",
            "CAS*CO*45*42.59",
            "CAS*PR*2*27.48",
            "CAS*OA*94*-0.07",
            amount="2.27",  # -107.73 + 110.00
        )
    )
    assert problems == []
    reversal, correction = claims
    assert reversal.reversal and reversal.status_text == "reversal of previous payment"
    assert (reversal.charge, reversal.paid, reversal.patient_responsibility) == (
        D("-180"),
        D("-107.73"),
        D("-27.48"),
    )
    assert reversal.lines[0].adjustments == (
        Adjustment("CO", "45", D("-42.59")),
        Adjustment("CO", "253", D("-2.2")),
        Adjustment("PR", "2", D("-27.48")),
    )
    assert reversal.lines[0].adjusted == D("-72.27")
    assert (reversal.position, reversal.lines[0].position, correction.position) == (7, 9, 13)
    assert correction.lines[0].adjustments[-1] == Adjustment("OA", "94", D("-0.07"))
    assert (correction.paid, correction.problems, reversal.problems) == (D("110"), (), ())
    assert end is not None and (end.claims, end.total_paid, end.problems) == (2, D("2.27"), ())


PAID = ("CLP*P1*1*100*80**MB", "SVC*HC:99213*100*80", "CAS*CO*45*20")


def test_plb_recovery_and_interest_balance_bpr02() -> None:
    # 80.00 paid, less the WO recovery 25.00, plus 1.25 interest (L6, negative) = 56.25
    text = remit(*PAID, "PLB*1234567893*20261231*WO:ICN9*25*L6*-1.25", amount="56.25")
    claims, end, problems = read(text)
    assert problems == [] and claims[0].problems == ()
    assert end is not None and end.problems == ()
    assert end.provider_adjustments == (
        ProviderAdjustment("1234567893", date(2026, 12, 31), "WO", "ICN9", D("25")),
        ProviderAdjustment("1234567893", date(2026, 12, 31), "L6", None, D("-1.25")),
    )
    assert (end.claims, end.total_paid) == (1, D("80"))


def test_bpr02_without_plb_and_a_payment_that_does_not_balance() -> None:
    _, end, _ = read(remit(*PAID, amount="80"))
    assert end is not None and end.problems == () and end.provider_adjustments == ()
    _, end, problems = read(remit(*PAID, "PLB*1234567893*20261231*WO:ICN9*25", amount="80"))
    assert problems == []
    assert end is not None
    (problem,) = end.problems
    assert (problem.code, problem.severity, problem.segment_position, problem.element) == (
        "payment-balance",
        Severity.WARNING,
        2,
        2,
    )
    assert problem.message == (
        "BPR02 80 is not the claims' payments 80 less the provider adjustments 25 (= 55)"
    )
    assert (problem.transaction, problem.segment_id, problem.line) == ("0001", "BPR", 4)


def test_claim_level_only() -> None:
    claims, _, _ = read(
        remit("CLP*C1*1*200*150*10*MB", "CAS*CO*45*40", "CAS*PR*2*10", amount="150")
    )
    (claim,) = claims
    assert (claim.lines, claim.problems) == ((), ())
    assert claim.adjustments == (Adjustment("CO", "45", D("40")), Adjustment("PR", "2", D("10")))
    claims, _, _ = read(remit("CLP*C1*1*200*150*10*MB", "CAS*CO*45*40", "CAS*PR*2*5", amount="150"))
    (problem,) = claims[0].problems
    assert (problem.code, problem.segment_position, problem.element, problem.claim_id) == (
        "claim-balance",
        FIRST,
        4,
        "C1",
    )
    assert problem.message == (
        "CLP03 200 less CLP04 150 is 50; the claim's adjustments (claim and line CAS) sum to 45"
    )


def test_six_triplets_in_one_cas_and_claim_and_line_level() -> None:
    claims, _, _ = read(
        remit(
            "CLP*S1*1*300*155*12*MB",  # 7: 300 - 155 = 145 = 10 + 25 + 110
            "CAS*OA*23*10",  # claim level: before the first SVC
            "SVC*HC:99213*100*75",  # 9
            "CAS*CO*45*10**253*1**59*2**97*3*1*16*4**18*5*2",
            "SVC*HC:36415*200*90",  # 11
            "CAS*PR*1*100*1*2*10",
            amount="155",
        )
    )
    (claim,) = claims
    assert claim.problems == ()
    assert claim.adjustments == (Adjustment("OA", "23", D("10")),)
    first, second = claim.lines
    assert first.adjustments == (
        Adjustment("CO", "45", D("10")),
        Adjustment("CO", "253", D("1")),
        Adjustment("CO", "59", D("2")),
        Adjustment("CO", "97", D("3"), D("1")),
        Adjustment("CO", "16", D("4")),
        Adjustment("CO", "18", D("5"), D("2")),
    )
    assert second.adjustments == (
        Adjustment("PR", "1", D("100"), D("1")),
        Adjustment("PR", "2", D("10")),
    )


def test_balancing_breaks_are_warnings_with_their_positions() -> None:
    claims, _, _ = read(
        remit(
            "CLP*B1*1*250*150**MB",  # 7: 250 - 150 = 100; CAS 10 + 30 + 50 = 90
            "CAS*OA*23*10",
            "SVC*HC:99213*100*75",  # 9: 100 - 75 = 25; CAS 30
            "CAS*CO*45*30",
            "SVC*HC:36415*140*75",  # 11: 140 - 75 = 65; CAS 50; lines' charges 240, not 250
            "CAS*CO*45*50",
            amount="150",
        )
    )
    (claim,) = claims
    assert [(p.code, p.segment_position, p.element, p.severity) for p in claim.problems] == [
        ("line-balance", 9, 3, Severity.WARNING),
        ("line-balance", 11, 3, Severity.WARNING),
        ("claim-balance", 7, 4, Severity.WARNING),
        ("charge-balance", 7, 3, Severity.WARNING),
    ]
    assert claim.problems[0].message == (
        "SVC02 100 less SVC03 75 is 25; the line's adjustments (CAS) sum to 30"
    )
    assert claim.problems[0].loop == "2110" and claim.problems[2].loop == "2100"
    assert claim.problems[3].message == "CLP03 250 is not the sum of the lines' SVC02, 240"
    assert claim.problems[0].line == FIRST + 2 + 2  # ISA and GS lines before ST


def test_more_than_six_triplets() -> None:
    claims, _, _ = read(
        remit(
            "CLP*T1*1*100*72**MB", "SVC*HC:99213*100*72", "CAS*CO*1*1**2*2**3*3**4*4**5*5**6*6**7*7"
        )
    )
    problems = claims[0].problems
    assert [(p.code, p.segment_position, p.element) for p in problems] == [
        ("too-many", 9, 20),
        ("line-balance", 8, 3),
        ("claim-balance", 7, 4),
    ]
    assert len(claims[0].lines[0].adjustments) == 6


def test_what_a_claim_and_line_carry() -> None:
    claims, _, _ = read(
        remit(
            "CLP*W1*2*500*0*40*12*ICN77*11*7",  # 7
            PATIENT,
            "NM1*IL*1*ROE*RICHARD****MI*9XX9XX9XX99",
            "NM1*74*1******C*8YY8YY8YY88",
            "NM1*82*1*SMITH*ROBERT****XX*1003000126",
            "NM1*TT*2*CROSSOVER PLAN*****PI*12345",
            "MIA*0***0*MA01" + "*" * 15 + "N1*N2",
            "REF*1L*GROUP1",
            "DTM*232*20261001",
            "DTM*233*20261003",
            "DTM*050*20261010",
            "AMT*AU*460",
            "SVC*HC:99213:GT*100*0*0510*2*HC:99214:25*1",  # 19
            "DTM*150*20261001",
            "DTM*151*20261002",
            "CAS*OA*23*100",
            "REF*6R*LINE1",
            "REF*HPI*1234567893",
            "AMT*B6*80",
            "QTY*ZK*1",
            "LQ*HE*N130",
            "LQ*RX*X",
            "SVC*HC:36415*400*0",  # 29: no date of its own: the claim's statement
            "CAS*OA*23*400",
            amount="0",
        )
    )
    (claim,) = claims
    assert (claim.status, claim.status_text) == ("2", "processed as secondary")
    assert (claim.filing_indicator, claim.payer_claim_number, claim.frequency) == (
        "12",
        "ICN77",
        "7",
    )
    assert claim.patient == PatientName(NAME, "JANE", "MI", MEMBER)
    assert claim.insured == PatientName("ROE", "RICHARD", "MI", "9XX9XX9XX99")
    assert (claim.corrected_member_id, claim.rendering_npi) == ("8YY8YY8YY88", "1003000126")
    assert claim.remarks == ("MA01", "N1", "N2")
    assert claim.statement == DateSpan(date(2026, 10, 1), date(2026, 10, 3))
    assert (claim.received, claim.allowed) == (date(2026, 10, 10), D("460"))
    first, second = claim.lines
    assert (first.procedure, first.modifiers, first.revenue_code, first.units) == (
        "99213",
        ("GT",),
        "0510",
        D("2"),
    )
    assert (first.billed_procedure, first.billed_modifiers, first.billed_units) == (
        "99214",
        ("25",),
        D("1"),
    )
    assert first.dates == DateSpan(date(2026, 10, 1), date(2026, 10, 2))
    assert (first.control_number, first.rendering_npi, first.allowed) == (
        "LINE1",
        "1234567893",
        D("80"),
    )
    assert first.remarks == ("N130",)
    assert (second.dates, second.units, second.position) == (claim.statement, D("1"), 29)
    assert claim.problems == ()


def test_component_separator_quirk() -> None:
    claims, _, _ = read(remit("CLP*Q1*1*100*80**MB", "SVC*HC>99213>25*100*80", "CAS*CO*45*20"))
    line = claims[0].lines[0]
    assert (line.qualifier, line.procedure, line.modifiers) == ("HC", "99213", ("25",))
    (problem,) = claims[0].problems
    assert (problem.code, problem.severity, problem.segment_position, problem.element) == (
        "component-separator",
        Severity.WARNING,
        8,
        1,
    )
    assert problem.message == "SVC01 is split by '>', not by ISA16 ':'; read with it"
    claims, _, _ = read(
        remit("CLP*Q1*1*100*80**MB", "SVC*HC:99213*100*80***HC|99214", "CAS*CO*45*20")
    )
    assert claims[0].lines[0].billed_procedure == "99214"
    assert codes(claims[0].problems) == [("component-separator", 8)]
    assert claims[0].problems[0].element == 6


def test_component_separator_quirk_in_a_plb() -> None:
    _, end, _ = read(remit(*PAID, "PLB*1234567893*20261231*WO>ICN9*25", amount="55"))
    assert end is not None
    assert end.provider_adjustments == (
        ProviderAdjustment("1234567893", date(2026, 12, 31), "WO", "ICN9", D("25")),
    )
    assert [(p.code, p.severity, p.segment_position, p.element) for p in end.problems] == [
        ("component-separator", Severity.WARNING, 10, 3)
    ]


def test_payment_date_one_element_early() -> None:
    header = [
        "BPR*I*80*C*ACH*CCP*01*011000015*DA*123456789*1512345678**01*021000021*DA*20261203",
        "N1*PR*PAYER",
        "N1*PE*CLINIC*XX*1234567893",
    ]
    _, end, _ = read(remit(*PAID, header=header))
    assert end is not None and end.remittance is not None
    assert end.remittance.payment_date == date(2026, 12, 3)
    assert [(p.code, p.segment_position, p.element) for p in end.problems] == [
        ("misplaced-element", 2, 15)
    ]


def test_svc_without_its_procedure_code() -> None:
    claims, _, _ = read(remit("CLP*N1*1*100*80**MB", "SVC*HC*100*80", "CAS*CO*45*20"))
    (claim,) = claims
    assert claim.lines[0].procedure is None and claim.lines[0].paid == D("80")
    (problem,) = claim.problems
    assert (problem.code, problem.severity, problem.segment_position) == (
        "missing-element",
        Severity.CLAIM,
        8,
    )
    assert (problem.element, problem.component, problem.claim_id) == (1, 2, "N1")


def test_bad_amounts_keep_the_claim() -> None:
    claims, end, problems = read(
        remit(
            "CLP*A1*1*100*8O**MB",  # 7: CLP04 not a number
            "SVC*HC:99213*100*80",
            "CAS*CO*45*20",
            "CLP*A2*1*100*80**MB",  # 10
            "SVC*HC:99213*1OO*80",  # 11: SVC02 not a number
            "CAS*CO*45*2O",  # 12: CAS03 not a number
            "CLP*A3*1*100*80**MB",  # 13: unaffected
            "SVC*HC:99213*100*80",
            "CAS*CO*45*20",
            amount="240",
        )
    )
    first, second, third = claims
    assert (first.paid, first.lines[0].paid) == (D("0"), D("80"))
    assert [(p.code, p.segment_position, p.element, p.severity) for p in first.problems] == [
        ("bad-number", 7, 4, Severity.CLAIM)
    ]
    assert first.problems[0].message == "CLP04, the claim payment, is not a number: read as 0"
    assert (second.lines[0].charge, second.lines[0].adjustments) == (D("0"), ())
    assert [(p.code, p.segment_position, p.element) for p in second.problems] == [
        ("bad-number", 11, 2),
        ("bad-number", 12, 3),
    ]
    assert third.problems == ()
    # the payments read: 0 + 80 + 80 = 160; BPR02 is not balanced against an unreadable CLP04
    assert end is not None and end.total_paid == D("160") and end.problems == ()
    assert problems == []


def test_broken_envelope_se_count() -> None:
    claims, end, problems = read(remit(*PAID, amount="80", se_count=99))
    assert len(claims) == 1 and claims[0].problems == ()
    assert [(p.code, p.severity, p.segment_position, p.element) for p in problems] == [
        ("se-count", Severity.TRANSACTION, 10, 1)
    ]
    assert end is not None and end.claims == 1


def test_truncated_file() -> None:
    text = remit(*PAID, "CLP*P2*1*50*50**MB", "SVC*HC:36415*50*50", amount="130")
    cut = text[: text.index("SVC*HC:36415")]  # ends after the second CLP
    claims, end, problems = read(cut)
    assert [c.claim_id for c in claims] == ["P1", "P2"]
    assert claims[0].problems == ()
    assert [(p.code, p.severity, p.segment_position) for p in claims[1].problems] == [
        ("truncated", Severity.CLAIM, 10)
    ]
    assert [(p.code, p.severity) for p in problems] == [("truncated", Severity.TRANSACTION)]
    assert end is not None and (end.claims, end.total_paid, end.problems) == (2, D("130"), ())


def test_not_x12_and_not_an_835() -> None:
    reader = read_835(b'{"claims": []}')
    assert list(reader) == []
    assert [(p.code, p.severity) for p in reader.problems] == [("not-x12", Severity.FATAL)]
    text = remit(*PAID, amount="80").replace("ST*835*0001*005010X221A1", "ST*837*0001*005010X222A1")
    claims, end, problems = read(text)
    assert (claims, end) == ([], None)
    assert [(p.code, p.segment_position, p.element) for p in problems] == [
        ("transaction-type", 1, 1)
    ]


def test_version_without_the_addendum_and_no_lx() -> None:
    header = [bpr("80"), "N1*PR*PAYER", "N1*PE*CLINIC*FI*741234567"]
    claims, _, problems = read(remit(*PAID, header=header, version="005010X221"))
    assert [(p.code, p.segment_position, p.element) for p in problems] == [("version-label", 1, 3)]
    assert claims[0].problems == ()
    assert claims[0].header_number is None and claims[0].position == 5
    remittance = claims[0].remittance
    assert (remittance.payee.tax_id, remittance.payee.npi) == ("741234567", None)
    assert (remittance.trace_number, remittance.header.version) == (None, "005010X221")


def test_missing_bpr() -> None:
    claims, end, _ = read(remit(*PAID, header=["N1*PR*PAYER", "N1*PE*CLINIC", "LX*1"]))
    assert end is not None and end.remittance is None
    assert [(p.code, p.severity, p.segment_position) for p in end.problems] == [
        ("bad-segment", Severity.TRANSACTION, 4)
    ]
    assert claims[0].remittance.amount == D("0")


def test_two_transactions_in_a_file() -> None:
    text = interchange(
        transaction(*PAID, amount="80"),
        transaction("CLP*P2*1*50*50**MB", "SVC*HC:36415*50*50", amount="50", control="0002"),
    )
    items = list(read_835(text.encode()))
    assert [type(i).__name__ for i in items] == [
        "ClaimPayment",
        "RemittanceEnd",
        "ClaimPayment",
        "RemittanceEnd",
    ]
    first, _, second, end = items
    assert isinstance(first, ClaimPayment) and isinstance(second, ClaimPayment)
    assert (first.remittance.control_number, second.remittance.control_number) == ("0001", "0002")
    assert isinstance(end, RemittanceEnd) and (end.claims, end.total_paid) == (1, D("50"))
    assert to_835(items).count("ST*835*") == 2


def test_round_trip_of_the_fixture() -> None:
    items = list(read_835(FIXTURE))
    text = to_835(items)
    again = list(read_835(text.encode()))
    assert to_835(again) == text
    assert list(read_835(text.encode())) == again

    def bare(item: ClaimPayment | RemittanceEnd) -> object:  # the writer's placeholders move
        if isinstance(item, RemittanceEnd):  # positions; the values are the same
            return item.provider_adjustments, item.claims, item.total_paid
        lines = tuple(dataclasses.replace(line, position=0) for line in item.lines)
        return dataclasses.replace(item, lines=lines, position=0)

    assert [bare(i) for i in again] == [bare(i) for i in items]


def test_round_trip_of_claims_built_in_code() -> None:
    remittance = new_remittance(
        D("-12.5"),
        date(2026, 12, 4),
        payer=Party("PAYER", "XV", "04412"),
        payee=Party("CLINIC", "XX", "1234567893", "HOUSTON", "TX", "77030", "1234567893"),
        control_number="0042",
        trace_number="T42",
    )
    line = ServicePayment(
        "HC", "99214", ("25", "GT"), D("-180"), D("-107.73"), None, D("1"), None, (), None,
        DateSpan(date(2026, 11, 2), date(2026, 11, 2)),
        (Adjustment("CO", "45", D("-42.59")), Adjustment("CO", "253", D("-2.2")),
         Adjustment("PR", "2", D("-27.48"))),
        D("-137.41"), ("N130",), "L1", None, 0,
    )  # fmt: skip
    claim = ClaimPayment(
        remittance, "RT1", "22", D("-180"), D("-107.73"), D("-27.48"), "MB", "ICN1", "11", "1",
        PatientName("ROE", None, "MI", "9XX9XX9XX99"), None, None, "1003000126", None, None, (),
        (), None, (line,), "1", 0, (),
    )  # fmt: skip
    plb = ProviderAdjustment("1234567893", date(2026, 12, 31), "L6", "INT", D("-95.23"))
    end = RemittanceEnd(remittance, (plb,), 1, D("-107.73"), ())
    text = to_835([claim, end])
    reader = read_835(text.encode())
    read_claim, read_end = list(reader)
    assert reader.problems == []
    assert isinstance(read_claim, ClaimPayment) and isinstance(read_end, RemittanceEnd)
    assert read_claim.problems == () and read_end.problems == ()  # -107.73 + 95.23 = -12.50
    lines = tuple(dataclasses.replace(x, position=0) for x in read_claim.lines)
    assert dataclasses.replace(read_claim, lines=lines, position=0) == claim
    assert read_end == end


def test_segments_passed_over_and_out_of_place() -> None:
    claims, end, problems = read(
        remit(
            "TS3*1234567893*11*20261231*1*100",  # 7: passed over
            "CAS*CO*45*20",  # 8: no claim open
            *PAID,  # 9-11
            amount="80",
        )
    )
    assert problems == []
    assert claims[0].adjustments == () and claims[0].problems == ()
    assert end is not None
    assert [(p.code, p.severity, p.segment_position) for p in end.problems] == [
        ("unexpected-segment", Severity.WARNING, 8)
    ]


def test_chunk_boundaries_do_not_change_what_is_read() -> None:
    text = remit(
        "CLP*B1*1*250*150**MB",
        PATIENT,
        "SVC*HC>99213*100*75",
        "DTM*472*20261001",
        "CAS*CO*45*30",
        "SVC*HC*140*75",
        "CAS*CO*45*50",
        *PAID,
        "PLB*1234567893*20261231*WO:ICN9*25",
        amount="80",
    ).encode()
    whole = list(read_835(text))
    for size in (40, 97, 256):
        assert list(read_835(text, chunk_size=size)) == whole
    assert list(read_835(FIXTURE, chunk_size=100)) == list(read_835(FIXTURE))
    problems = [p for item in whole for p in item.problems]
    assert [(p.code, p.segment_position) for p in problems] == [
        ("component-separator", 9),
        ("line-balance", 9),  # said when the next SVC closes the line
        ("missing-element", 12),
        ("line-balance", 12),
        ("claim-balance", 7),
        ("charge-balance", 7),
        ("payment-balance", 2),
    ]


def test_any_cut_or_damage_is_read_without_an_exception() -> None:
    data = FIXTURE.read_bytes()
    for cut in range(0, len(data), 5):  # every fifth byte: cut there
        reader = read_835(data[:cut])
        items = list(reader)
        if cut < 106:
            assert items == [] and [p.severity for p in reader.problems] == [Severity.FATAL]
    rng = random.Random(835)
    for _ in range(200):  # a byte replaced by a letter, a digit, a separator or a line break
        damaged = bytearray(data)
        damaged[rng.randrange(106, len(data))] = ord(rng.choice("O1*:~\n^>-."))
        reader = read_835(bytes(damaged))
        for item in reader:
            for problem in item.problems:
                assert "DOE" not in str(problem) and "1EG4TE5MK73" not in str(problem)
