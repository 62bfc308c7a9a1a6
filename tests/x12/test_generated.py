"""Claims built in code, written as 837P by the writer, read back: every case the checker needs
(dependants, lines on several dates, four modifiers, decimal units, date ranges, ICD-9 and
ICD-10, replacements and voids, other-subscriber loops to skip), and broken copies."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

import pytest

from medpayiq.x12 import (
    Claim837,
    ClaimDate,
    DateSpan,
    Diagnosis,
    Reader837,
    RejectedClaim,
    ServiceLine,
    Severity,
    read_837p,
    to_837p,
)

from .builders import (
    BILLING_2,
    CHILD,
    FACILITY,
    PARENT,
    RENDERING,
    SUBSCRIBER,
    SUBSCRIBER_2,
    claim,
    comparable,
    line,
    on,
    position,
    service,
)

JUL_1, JUL_2, JUL_9 = date(2026, 7, 1), date(2026, 7, 2), date(2026, 7, 9)
OTHER_LOCATION = FACILITY.__class__("LAKE IMAGING", "1588667638", "AUSTIN", "TX", "787011234")


def claims() -> list[Claim837]:
    esi = claim(
        "PCN-1",
        [
            line(1, service("99214", "180.00", modifiers=("25",), pointers=(1, 2)), on(JUL_1)),
            line(2, service("62323", "950.00", pointers=(1,)), on(JUL_1), control="L-2"),
            line(3, service("77003", "180.00", modifiers=("26",)), on(JUL_1)),
            line(4, service("J1040", "35.00", units="0.5"), on(JUL_1)),
            line(5, service("62323", "950.00"), on(JUL_9)),  # a second date in the claim
        ],
        diagnoses=(("ABK", "M5416"), ("ABF", "M48062")),
        dates=(ClaimDate("431", on(date(2026, 5, 20))), ClaimDate("454", on(date(2026, 6, 3)))),
        prior_authorization="AUTH-77",
        rendering=RENDERING,
    )
    therapy = claim(
        "PCN-2",
        [
            line(
                1,
                service("97112", "58.00", modifiers=("GP", "CQ", "KX", "59"), units="2"),
                on(JUL_1, JUL_9),  # RD8: a range of days
            ),
            line(2, service("97110", "60.00", modifiers=("GP",), units="1.5"), on(JUL_2)),
        ],
        diagnoses=(("ABK", "M25561"),),
    )
    facility = claim(
        "PCN-3",
        [
            line(
                1,
                service("20610", "250.00", modifiers=("RT",)),
                on(JUL_2),
                pos="22",
                facility=FACILITY,
            ),
            line(
                2,
                service("73562", "120.00", modifiers=("RT", "26"), pos="11"),
                on(JUL_2),
                pos="11",
                rendering="1902809254",  # 2420A: not the claim's rendering provider
                facility=OTHER_LOCATION,  # 2420C
            ),
        ],
        pos="22",
        rendering=RENDERING,
        facility=FACILITY,
        billing=BILLING_2,
        subscriber=SUBSCRIBER_2,
    )
    replacement = claim(
        "PCN-4",
        [line(1, service("99213", "125.00"), on(JUL_9))],
        frequency="7",
        payer_claim_number="22615900001234",
        billing=BILLING_2,
        subscriber=SUBSCRIBER_2,
    )
    void = claim(
        "PCN-5",
        [line(1, service("99213", "125.00"), on(JUL_9))],
        frequency="8",
        payer_claim_number="22615900001299",
        billing=BILLING_2,
        subscriber=SUBSCRIBER_2,
    )
    dependant = claim(
        "PCN-6",
        [
            line(1, service("99203", "210.00"), on(JUL_2)),
            line(2, service("36415", "15.00"), on(JUL_2)),
        ],
        diagnoses=(("ABK", "J069"), ("ABF", "R509")),
        billing=BILLING_2,
        subscriber=PARENT,
        patient=CHILD,
    )
    icd9 = claim(
        "PCN-7",
        [line(1, service("99213", "90.00"), on(date(2015, 9, 15)))],
        diagnoses=(("BK", "7242"), ("BF", "E8889")),
        billing=BILLING_2,
        subscriber=SUBSCRIBER,
    )
    return [esi, therapy, facility, replacement, void, dependant, icd9]


def cob(item: Claim837) -> Sequence[Sequence[str]]:
    """An other-subscriber (2320/2330A/2330B) loop on the replacement claim: its NM1, N4, REF,
    DTP and AMT must not be taken for the claim's."""
    if item.claim_id != "PCN-4":
        return []
    return [
        ["SBR", "S", "01", "GRP-9", "", "", "", "", "", "CI"],
        ["CAS", "CO", "45", "12.00"],
        ["AMT", "D", "0"],
        ["OI", "", "", "Y", "", "", "Y"],
        ["NM1", "IL", "1", "OTHER", "INSURED", "", "", "", "MI", "W1234567"],
        ["N3", "1 OTHER ST"],
        ["N4", "DALLAS", "TX", "75201"],
        ["NM1", "PR", "2", "OTHER PLAN", "", "", "", "", "PI", "99999"],
        ["DTP", "573", "D8", "20260601"],
        ["REF", "F8", "NOT-THIS-ONE"],
        ["NM1", "82", "1", "OTHER", "DOCTOR", "", "", "", "XX", "1245319599"],
        ["NM1", "77", "2", "OTHER PLACE", "", "", "", "", "XX", "1164025631"],
        ["N4", "DALLAS", "TX", "75202"],
    ]


def written(end: str = "\n", **options: object) -> str:
    return to_837p(claims(), line_break=end, extra_2300=cob, **options)


def read(
    text: str, chunk_size: int = 1 << 20
) -> tuple[list[Claim837 | RejectedClaim], list[object]]:
    reader = read_837p(text.encode(), chunk_size=chunk_size)
    return list(reader), list(reader.problems)


def test_what_is_written_reads_back_the_same() -> None:
    items, problems = read(written())
    assert problems == []
    assert all(isinstance(item, Claim837) for item in items)
    assert [comparable(item) for item in items if isinstance(item, Claim837)] == claims()


@pytest.mark.parametrize("end", ["", "\n", "\r\n"])
@pytest.mark.parametrize("chunk_size", [53, 1000, 1 << 20])
def test_chunks_and_line_breaks_read_alike(end: str, chunk_size: int) -> None:
    expected, _ = read(written())
    items, problems = read(written(end), chunk_size)
    assert problems == []
    assert [comparable(i) for i in items if isinstance(i, Claim837)] == [
        comparable(i) for i in expected if isinstance(i, Claim837)
    ]


def by_id(items: list[Claim837 | RejectedClaim]) -> dict[str, Claim837]:
    return {item.claim_id: item for item in items if isinstance(item, Claim837)}


def test_lines_dates_modifiers_units() -> None:
    items, _ = read(written())
    esi, therapy = by_id(items)["PCN-1"], by_id(items)["PCN-2"]
    assert [(ln.hcpcs, ln.modifiers, ln.units, ln.charge) for ln in esi.lines] == [
        ("99214", ("25",), Decimal("1"), Decimal("180.00")),
        ("62323", (), Decimal("1"), Decimal("950.00")),
        ("77003", ("26",), Decimal("1"), Decimal("180.00")),
        ("J1040", (), Decimal("0.5"), Decimal("35.00")),
        ("62323", (), Decimal("1"), Decimal("950.00")),
    ]
    assert [ln.date_of_service for ln in esi.lines] == [JUL_1] * 4 + [JUL_9]
    assert esi.service_dates == (JUL_1, JUL_9)
    assert esi.total_charge == Decimal("2295.00")
    assert [ln.diagnosis_pointers for ln in esi.lines] == [(1, 2), (1,), (1,), (1,), (1,)]
    assert [ln.control_number for ln in esi.lines] == [None, "L-2", None, None, None]
    assert esi.prior_authorization == "AUTH-77"
    assert esi.date_of("431") == DateSpan(date(2026, 5, 20), date(2026, 5, 20))
    assert esi.date_of("454") == on(date(2026, 6, 3)) and esi.date_of("304") is None
    assert therapy.lines[0].modifiers == ("GP", "CQ", "KX", "59")
    assert therapy.lines[0].service_date == DateSpan(JUL_1, JUL_9)
    assert therapy.lines[0].service_date.is_range
    assert therapy.lines[1].units == Decimal("1.5")


def test_places_providers_and_facilities() -> None:
    items, _ = read(written())
    esi, facility = by_id(items)["PCN-1"], by_id(items)["PCN-3"]
    assert esi.rendering_provider == RENDERING
    assert {ln.rendering_npi for ln in esi.lines} == {"1003000126"}
    assert esi.locality_zip == "77030"  # no 2310C: the billing provider's ZIP, 5 digits
    assert facility.place_of_service == "22"
    assert facility.service_facility == FACILITY and facility.locality_zip == "77030"
    first, second = facility.lines
    assert (first.place_of_service, first.rendering_npi, first.facility) == (
        "22",
        "1003000126",
        FACILITY,
    )
    assert (second.place_of_service, second.rendering_npi) == ("11", "1902809254")
    assert second.facility == OTHER_LOCATION and second.facility.zip5 == "78701"


def test_replacement_void_and_the_cob_loop_that_is_skipped() -> None:
    items, _ = read(written())
    replacement, void = by_id(items)["PCN-4"], by_id(items)["PCN-5"]
    assert (replacement.frequency_code, replacement.is_replacement, replacement.is_void) == (
        "7",
        True,
        False,
    )
    assert replacement.payer_claim_number == "22615900001234"  # not the 2330B REF*F8
    assert replacement.rendering_provider is None and replacement.service_facility is None
    assert replacement.dates == ()
    assert replacement.payer.payer_id == "04412"
    assert (void.frequency_code, void.is_void, void.payer_claim_number) == (
        "8",
        True,
        "22615900001299",
    )


def test_dependant_and_subscriber() -> None:
    items, _ = read(written())
    dependant, esi = by_id(items)["PCN-6"], by_id(items)["PCN-1"]
    assert dependant.patient is not None
    assert (dependant.patient.relationship, dependant.birth_date, dependant.sex) == (
        "19",
        date(2012, 4, 5),
        "F",
    )
    assert dependant.member_id == "XYZ123456789"
    assert dependant.subscriber.claim_filing_indicator == "CI"
    assert esi.patient is None and esi.birth_date == date(1951, 3, 2)
    assert esi.subscriber.relationship == "18"


def test_icd9_and_icd10_qualifiers() -> None:
    items, _ = read(written())
    icd9, esi = by_id(items)["PCN-7"], by_id(items)["PCN-1"]
    assert [(d.code, d.qualifier, d.icd10, d.principal, d.dotted) for d in icd9.diagnoses] == [
        ("7242", "BK", False, True, "724.2"),
        ("E8889", "BF", False, False, "E888.9"),
    ]
    assert [(d.qualifier, d.icd10, d.dotted) for d in esi.diagnoses] == [
        ("ABK", True, "M54.16"),
        ("ABF", True, "M48.062"),
    ]


def test_diagnoses_from_codes_as_people_write_them() -> None:
    assert Diagnosis.of("M54.16", principal=True) == Diagnosis("M5416", "ABK")
    assert Diagnosis.of("m48.062", principal=False) == Diagnosis("M48062", "ABF")
    assert Diagnosis.of("724.2", principal=True, icd10=False) == Diagnosis("7242", "BK")
    assert Diagnosis.of("E888.9", principal=False, icd10=False).dotted == "E888.9"


def test_hierarchy_is_shared_by_claims_under_one_hl() -> None:
    items, _ = read(written())
    found = by_id(items)
    assert found["PCN-1"].billing_provider is found["PCN-2"].billing_provider
    assert found["PCN-1"].subscriber is found["PCN-2"].subscriber
    assert found["PCN-4"].subscriber is found["PCN-5"].subscriber
    assert found["PCN-1"].transaction is found["PCN-7"].transaction


def test_several_transactions_when_claims_per_transaction_is_small() -> None:
    text = written(claims_per_transaction=3)
    items, problems = read(text)
    assert problems == []
    assert [item.transaction.control_number for item in items if isinstance(item, Claim837)] == [
        "0001", "0001", "0001", "0002", "0002", "0002", "0003",
    ]  # fmt: skip


def replaced(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, old
    return text.replace(old, new)


def rejected_only(text: str, claim_id: str | None) -> RejectedClaim:
    """The one rejected claim of a broken copy; every other claim still read."""
    items, problems = read(text)
    assert problems == []
    rejected = [item for item in items if isinstance(item, RejectedClaim)]
    assert [item.claim_id for item in rejected] == [claim_id]
    assert len(by_id(items)) == len(claims()) - (1 if claim_id else 0)
    return rejected[0]


def test_broken_copies_reject_one_claim_and_the_rest_is_read() -> None:
    text = written()
    sv1, clm = "SV1*HC:", "CLM*"
    cases = [
        (sv1 + "97112:GP:CQ:KX:59*58.00", "SV1*HC>97112>GP>CQ>KX>59*58.00", "PCN-2",
         "bad-composite", "SV1*HC>97112", 1),
        (sv1 + "J1040*35.00*UN*0.5", sv1 + "J1040*35.OO*UN*0.5", "PCN-1", "bad-number",
         sv1 + "J1040", 2),
        (sv1 + "J1040*35.00*UN*0.5", sv1 + "J1040*35.00*UN*half", "PCN-1", "bad-number",
         sv1 + "J1040", 4),
        (clm + "PCN-6*225.00", clm + "PCN-6*235.00", "PCN-6", "charge-mismatch", clm + "PCN-6", 2),
        ("HI*BK:7242*BF:E8889", "HI*BK>7242*BF:E8889", "PCN-7", "bad-composite", "HI*BK>7242", 1),
        ("DTP*472*RD8*20260701-20260709", "DTP*472*RD8*20260709-20260701", "PCN-2", "bad-date",
         "DTP*472*RD8", 3),
        (clm + "PCN-5*125.00***11:B:8", clm + "PCN-5*125.00***11:B:9", "PCN-5", "bad-code",
         clm + "PCN-5", 5),
    ]  # fmt: skip
    for old, new, claim_id, code, prefix, element in cases:
        copy = replaced(text, old, new)
        rejected = rejected_only(copy, claim_id)
        [problem] = rejected.problems
        assert (problem.code, problem.severity, problem.claim_id) == (
            code,
            Severity.CLAIM,
            claim_id,
        ), new
        assert (problem.segment_position, problem.element) == (position(copy, prefix), element), new
        assert (
            problem.line
            == copy.split("\n").index(next(s for s in copy.split("\n") if s.startswith(prefix))) + 1
        )


def test_an_hl_with_a_missing_parent_rejects_the_claims_under_it() -> None:
    text = written()
    hl = next(s for s in text.split("~\n") if s.startswith("HL*") and s.endswith("*23*0"))
    number = hl.split("*")[1]
    copy = replaced(text, hl + "~", f"HL*{number}*99*23*0~")
    rejected = rejected_only(copy, "PCN-6")
    [problem] = rejected.problems
    assert (problem.code, problem.segment_id, problem.element, problem.loop) == (
        "hl-parent",
        "HL",
        2,
        "2000C",
    )
    assert problem.segment_position == position(copy, f"HL*{number}*99")


def test_a_subscriber_hl_without_its_claim() -> None:
    text = written()
    start = text.index("CLM*PCN-7")
    end = text.index("SE*")
    copy = text[:start] + text[end:]
    copy = copy.replace(copy[copy.index("SE*") : copy.index("~", copy.index("SE*"))], "SE*0*0001")
    items, problems = read(copy)
    rejected = [item for item in items if isinstance(item, RejectedClaim)]
    assert [(r.claim_id, [p.code for p in r.problems]) for r in rejected] == [
        (None, ["missing-segment"])
    ]
    assert rejected[0].problems[0].segment_id == "HL"
    assert [p.code for p in problems] == ["se-count"]


def test_fifty_lines_at_most() -> None:
    many = claim("PCN-BIG", [line(n, service("97110", "10.00"), on(JUL_1)) for n in range(1, 52)])
    items, _ = read(to_837p([many]))
    [rejected] = items
    assert isinstance(rejected, RejectedClaim)
    assert [(p.code, p.segment_id, p.loop) for p in rejected.problems] == [
        ("too-many", "LX", "2400")
    ]


class SegmentBySegment(Reader837):
    fast_lines = False  # every line through the handlers, as the slow path reads them


def line_extras(item: Claim837, each: ServiceLine) -> Sequence[Sequence[str]]:
    """What lines carry besides LX/SV1/DTP: notes, a drug loop whose REF is not the line's,
    an adjudication loop with its own dates, other dates, a second REF*6R in 2410."""
    extras: list[list[str]] = []
    if each.number % 2:
        extras.append(["NTE", "ADD", "LINE NOTE"])
    if each.hcpcs.startswith("J"):
        extras += [
            ["LIN", "", "N4", "00409123401"],
            ["CTP", "", "", "", "1", "UN"],
            ["REF", "6R", "NOT-MINE"],
        ]
    if each.number == 3:
        extras += [
            ["SVD", "04412", "180.00", "HC:77003:26", "", "1"],
            ["CAS", "CO", "45", "20"],
            ["DTP", "573", "D8", "20260720"],
        ]
    if each.number == 2:
        extras.append(["DTP", "471", "D8", "20260601"])
    return extras


@pytest.mark.parametrize("chunk_size", [97, 1 << 20])
def test_the_fast_path_reads_as_the_segment_by_segment_path(chunk_size: int) -> None:
    text = to_837p(claims(), extra_2300=cob, extra_2400=line_extras)
    fast = list(read_837p(text.encode(), chunk_size=chunk_size))
    slow = list(SegmentBySegment(text.encode(), chunk_size=chunk_size))
    assert fast == slow
    assert [comparable(item) for item in fast if isinstance(item, Claim837)] == claims()


def test_the_fast_path_gives_the_same_problems() -> None:
    text = to_837p(claims(), extra_2400=line_extras)
    copies = [
        text.replace("SV1*HC:J1040*35.00", "SV1*HC:J1040*3S.00"),
        text.replace("DTP*472*D8*20260701~", "DTP*472*D8*20260701~\nDTP*472*D8*20260702~", 1),
        text.replace("SV1*HC:99214:25*180.00*UN*1***1:2", "SV1*HC:99214:25*180.00*UN*1***1:3"),
    ]
    for copy in copies:
        assert copy != text
        fast_reader, slow_reader = read_837p(copy.encode()), SegmentBySegment(copy.encode())
        fast, slow = list(fast_reader), list(slow_reader)
        assert fast == slow
        assert any(isinstance(item, RejectedClaim) for item in fast)
        assert fast_reader.problems == slow_reader.problems


@pytest.mark.parametrize(
    ("anchor", "extra"),
    [
        ("PRV*PE*PXC*208VP0014X~", "PRV*PE*PXC*207Q00000X~"),  # a second 2310B PRV
        ("PRV*PE*PXC*208VP0014X~", "NM1*82*1*OTHER*DOCTOR****XX*1245319599~"),  # and NM1
        ("N4*HOUSTON*TX*77030~", "N4*DALLAS*TX*75202~"),  # a second 2310C N4
        ("N4*HOUSTON*TX*77030~", "NM1*77*2*OTHER PLACE*****XX*1588667638~"),  # and NM1
    ],
)
def test_a_claim_reads_alike_after_one_naming_the_same_parties(anchor: str, extra: str) -> None:
    """The reader keeps what the 2310B and 2310C segment texts it has read came to; a claim
    that names the same provider and facility, then changes them, reads as it would with no
    claim before it."""
    lines = [line(1, service("99213", "100.00"), on(JUL_1))]
    before = claim("PCN-A", lines, rendering=RENDERING, facility=FACILITY)
    changed = claim("PCN-B", lines, rendering=RENDERING, facility=FACILITY)

    def last_claim(claims: list[Claim837]) -> Claim837:
        text = to_837p(claims)
        at = text.rindex(anchor) + len(anchor)  # in the last claim's 2310B or 2310C
        items, _ = read(text[:at] + "\n" + extra + text[at:])
        assert isinstance(items[-1], Claim837)
        return comparable(items[-1])

    after, alone = last_claim([before, changed]), last_claim([changed])
    assert after == alone
    assert (after.rendering_provider, after.service_facility) != (RENDERING, FACILITY)
