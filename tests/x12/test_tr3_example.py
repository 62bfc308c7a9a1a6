"""The TR3's example 1 read whole, and broken copies of it: every problem where a 999 puts it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from medpayiq.x12 import (
    Claim837,
    Diagnosis,
    RejectedClaim,
    Severity,
    X12Problem,
    read_837p,
)

from .builders import VALID_NPI, interchange, line_of, tr3


def read(text: str, **options: int) -> tuple[list[Claim837 | RejectedClaim], list[X12Problem]]:
    reader = read_837p(text.encode(), **options)
    items = list(reader)
    return items, reader.problems


def one_rejected(items: list[Claim837 | RejectedClaim]) -> RejectedClaim:
    assert len(items) == 1
    assert isinstance(items[0], RejectedClaim), items[0]
    return items[0]


def test_tr3_example_reads_whole_with_a_valid_npi() -> None:
    items, problems = read(interchange(tr3(VALID_NPI)))
    assert problems == []
    [claim] = items
    assert isinstance(claim, Claim837)
    assert claim.claim_id == "26463774"
    assert claim.total_charge == Decimal("100")
    assert (claim.place_of_service, claim.frequency_code) == ("11", "1")
    assert (claim.provider_signature, claim.assignment, claim.benefits_assigned) == (True, "A", "Y")
    assert claim.release_of_information == "I"
    assert claim.segment == 27
    assert claim.diagnoses == (Diagnosis("0340", "BK"), Diagnosis("V7389", "BF"))
    assert [d.dotted for d in claim.diagnoses] == ["034.0", "V73.89"]
    assert not any(d.icd10 for d in claim.diagnoses)
    assert [
        (ln.number, ln.hcpcs, ln.charge, ln.units, ln.diagnosis_pointers) for ln in claim.lines
    ] == [
        (1, "99213", Decimal("40"), Decimal("1"), (1,)),
        (2, "87070", Decimal("15"), Decimal("1"), (1,)),
        (3, "99214", Decimal("35"), Decimal("1"), (2,)),
        (4, "86663", Decimal("10"), Decimal("1"), (2,)),
    ]
    assert [ln.segment for ln in claim.lines] == [31, 34, 37, 40]
    assert [ln.date_of_service for ln in claim.lines] == [date(2006, 10, 3)] * 2 + [
        date(2006, 10, 10)
    ] * 2
    assert claim.service_dates == (date(2006, 10, 3), date(2006, 10, 10))
    assert {ln.place_of_service for ln in claim.lines} == {"11"}
    assert claim.payer_claim_number is None and claim.prior_authorization is None


def test_tr3_example_parties() -> None:
    [claim], _ = read(interchange(tr3(VALID_NPI)))
    assert isinstance(claim, Claim837)
    billing = claim.billing_provider
    assert (billing.npi, billing.name, billing.entity_type) == (
        VALID_NPI,
        "BEN KILDARE SERVICE",
        "2",
    )
    assert (billing.taxonomy, billing.tax_id) == ("203BF0100Y", "587654321")
    assert (billing.city, billing.state, billing.zip, billing.hl_id) == (
        "MIAMI",
        "FL",
        "33111",
        "1",
    )
    subscriber = claim.subscriber
    assert subscriber.member_id == "JS00111223333"
    assert (subscriber.payer_responsibility, subscriber.relationship) == ("P", None)
    assert (subscriber.group_number, subscriber.claim_filing_indicator) == ("2222-SJ", "CI")
    assert (subscriber.birth_date, subscriber.sex) == (date(1943, 5, 1), "F")
    assert (subscriber.payer.name, subscriber.payer.payer_id) == (
        "KEY INSURANCE COMPANY",
        "999996666",
    )
    assert claim.patient is not None
    assert (claim.patient.relationship, claim.patient.birth_date, claim.patient.sex) == (
        "19",
        date(1973, 5, 1),
        "M",
    )
    assert (claim.birth_date, claim.sex, claim.member_id) == (
        date(1973, 5, 1),
        "M",
        "JS00111223333",
    )
    assert claim.locality_zip == "33111"
    transaction = claim.transaction
    assert (transaction.control_number, transaction.version) == ("0021", "005010X222A1")
    assert (transaction.reference, transaction.created, transaction.claim_type) == (
        "244579",
        date(2006, 10, 15),
        "CH",
    )
    assert (transaction.submitter_name, transaction.submitter_id) == (
        "PREMIER BILLING SERVICE",
        "TGJ23",
    )
    assert (transaction.receiver_name, transaction.receiver_id) == (
        "KEY INSURANCE COMPANY",
        "66783JJT",
    )
    assert transaction.header.interchange.control_number == "000010216"
    assert transaction.header.group.control_number == "20213"


def test_tr3_example_as_published_fails_the_npi_check_digit() -> None:
    text = interchange(tr3())
    items, problems = read(text)
    assert problems == []
    rejected = one_rejected(items)
    assert (rejected.claim_id, rejected.total_charge, rejected.segment) == (
        "26463774",
        Decimal("100"),
        27,
    )
    [problem] = rejected.problems
    assert (problem.code, problem.severity) == ("bad-npi", Severity.CLAIM)
    assert (problem.transaction, problem.segment_position, problem.segment_id) == ("0021", 8, "NM1")
    assert (problem.loop, problem.element, problem.claim_id) == ("2010AA", 9, "26463774")
    assert problem.line == line_of(text, "NM1*85") == 10
    assert problem.offset == text.index("NM1*85")


@pytest.mark.parametrize("end", ["~", "~\n", "~\r\n"])
@pytest.mark.parametrize("chunk_size", [7, 100, 1 << 20])
def test_line_breaks_and_chunks_do_not_change_what_is_read(end: str, chunk_size: int) -> None:
    expected, _ = read(interchange(tr3(VALID_NPI)))
    items, problems = read(interchange(tr3(VALID_NPI), end=end), chunk_size=chunk_size)
    assert problems == []
    assert items == expected


def broken(old: str, new: str) -> str:
    """The example with its first segment `old` written as `new`."""
    segments = tr3(VALID_NPI)
    segments[segments.index(old)] = new
    return interchange(segments)


def only_problem(text: str) -> tuple[RejectedClaim, X12Problem]:
    items, problems = read(text)
    assert problems == []
    rejected = one_rejected(items)
    assert rejected.claim_id == "26463774"
    [problem] = rejected.problems
    assert problem.severity is Severity.CLAIM and problem.claim_id == "26463774"
    assert problem.transaction == "0021"
    return rejected, problem


def test_composite_with_the_wrong_separator() -> None:
    text = broken("SV1*HC:87070*15*UN*1***1", "SV1*HC>87070*15*UN*1***1")
    _, problem = only_problem(text)
    assert (problem.code, problem.segment_position, problem.segment_id) == (
        "bad-composite",
        34,
        "SV1",
    )
    assert (problem.loop, problem.element, problem.component) == ("2400", 1, None)
    assert problem.line == line_of(text, "SV1*HC>87070")
    assert "component separator ':'" in problem.message


def test_clm05_with_the_wrong_separator() -> None:
    _, problem = only_problem(
        broken("CLM*26463774*100***11:B:1*Y*A*Y*I", "CLM*26463774*100***11>B>1*Y*A*Y*I")
    )
    assert (problem.code, problem.segment_position, problem.segment_id, problem.element) == (
        "bad-composite",
        27,
        "CLM",
        5,
    )


def test_non_numeric_line_charge() -> None:
    _, problem = only_problem(broken("SV1*HC:99214*35*UN*1***2", "SV1*HC:99214*3S*UN*1***2"))
    assert (problem.code, problem.segment_position, problem.segment_id, problem.element) == (
        "bad-number",
        37,
        "SV1",
        2,
    )
    assert problem.message == "SV102, the line charge, '3S' is not a number"


def test_non_numeric_total_charge() -> None:
    rejected, problem = only_problem(
        broken("CLM*26463774*100***11:B:1*Y*A*Y*I", "CLM*26463774*1OO***11:B:1*Y*A*Y*I")
    )
    assert rejected.total_charge is None
    assert (problem.code, problem.segment_position, problem.element) == ("bad-number", 27, 2)


def test_total_charge_not_the_sum_of_the_lines() -> None:
    rejected, problem = only_problem(
        broken("CLM*26463774*100***11:B:1*Y*A*Y*I", "CLM*26463774*110***11:B:1*Y*A*Y*I")
    )
    assert rejected.total_charge == Decimal("110")
    assert (problem.code, problem.segment_position, problem.segment_id) == (
        "charge-mismatch",
        27,
        "CLM",
    )
    assert (problem.loop, problem.element) == ("2300", 2)
    assert problem.message == "CLM02 110 is not the sum of the lines' SV102 (100)"


def test_hl_whose_parent_does_not_exist() -> None:
    _, problem = only_problem(broken("HL*3*2*23*0", "HL*3*5*23*0"))
    assert (problem.code, problem.segment_position, problem.segment_id) == ("hl-parent", 21, "HL")
    assert (problem.loop, problem.element) == ("2000C", 2)
    assert "HL02 5 is not the subscriber HL in effect (2)" in problem.message


def test_bad_service_date() -> None:
    _, problem = only_problem(broken("DTP*472*D8*20061010", "DTP*472*D8*20061310"))
    assert (problem.code, problem.segment_position, problem.segment_id, problem.element) == (
        "bad-date",
        38,
        "DTP",
        3,
    )


def test_bad_birth_date_says_nothing_of_it() -> None:
    _, problem = only_problem(broken("DMG*D8*19730501*M", "DMG*D8*19731501*M"))
    assert (problem.code, problem.segment_position, problem.loop, problem.element) == (
        "bad-date",
        26,
        "2010CA",
        2,
    )
    assert "1973" not in problem.message and "1501" not in problem.message


def test_missing_procedure_code() -> None:
    _, problem = only_problem(broken("SV1*HC:86663*10*UN*1***2", "SV1*HC:*10*UN*1***2"))
    assert (problem.code, problem.segment_position, problem.element, problem.component) == (
        "missing-element",
        40,
        1,
        2,
    )


def test_pointer_to_no_diagnosis() -> None:
    _, problem = only_problem(broken("SV1*HC:86663*10*UN*1***2", "SV1*HC:86663*10*UN*1***1:3"))
    assert (problem.code, problem.segment_position, problem.element, problem.component) == (
        "bad-pointer",
        40,
        7,
        2,
    )
    assert problem.message == "SV107 points to diagnosis 3; the claim has 2"


def test_missing_sv1() -> None:
    segments = [s for s in tr3(VALID_NPI) if s != "SV1*HC:87070*15*UN*1***1"]
    segments[-1] = "SE*41*0021"
    _, problem = only_problem(interchange(segments))
    assert (problem.code, problem.segment_position, problem.segment_id) == (
        "missing-segment",
        33,
        "LX",
    )
    assert problem.message == "service line 2 has no SV1"


def test_missing_clm_rejects_the_lines_that_have_no_claim() -> None:
    segments = [s for s in tr3(VALID_NPI) if not s.startswith("CLM*")]
    segments[-1] = "SE*41*0021"
    items, problems = read(interchange(segments))
    assert problems == []
    rejected = one_rejected(items)
    assert rejected.claim_id is None
    [problem] = rejected.problems
    assert (problem.code, problem.segment_position, problem.segment_id, problem.loop) == (
        "missing-segment",
        29,
        "LX",
        "2300",
    )


def test_wrong_se_count_is_a_transaction_problem_and_the_claim_is_still_read() -> None:
    segments = tr3(VALID_NPI)
    segments[-1] = "SE*41*0021"
    text = interchange(segments)
    items, problems = read(text)
    assert [type(item) for item in items] == [Claim837]
    [problem] = problems
    assert (problem.code, problem.severity) == ("se-count", Severity.TRANSACTION)
    assert (problem.transaction, problem.segment_position, problem.segment_id, problem.element) == (
        "0021",
        42,
        "SE",
        1,
    )
    assert problem.message == "SE01 says 41 segments; ST to SE holds 42"
    assert problem.line == line_of(text, "SE*") == 44
    assert str(problem) == (
        "transaction 0021, segment 42 (SE01), line 44, byte "
        f"{text.index('SE*')}: SE01 says 41 segments; ST to SE holds 42"
    )


def test_truncated_file() -> None:
    text = interchange(tr3(VALID_NPI))
    cut = text[: text.index("SV1*HC:87070") + len("SV1*HC:870")]
    items, problems = read(cut)
    rejected = one_rejected(items)
    assert [(p.code, p.severity, p.segment_position) for p in rejected.problems] == [
        ("truncated", Severity.CLAIM, 27)
    ]
    [problem] = problems
    assert (problem.code, problem.severity, problem.transaction) == (
        "truncated",
        Severity.TRANSACTION,
        "0021",
    )
    assert problem.offset == text.index("SV1*HC:87070")
    assert problem.message == "the file ends inside a segment, before SE, GE, IEA: it was cut short"


def test_file_cut_at_a_segment_boundary() -> None:
    text = interchange(tr3(VALID_NPI))
    cut = text[: text.index("SE*42")]
    items, problems = read(cut)
    rejected = one_rejected(items)
    assert [p.code for p in rejected.problems] == ["truncated"]
    assert [(p.code, p.message) for p in problems] == [
        ("truncated", "the file ends before SE, GE, IEA: it was cut short")
    ]
