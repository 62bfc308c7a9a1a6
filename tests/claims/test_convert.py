"""837P claims as the checker's claims (`medpayiq.claims.to_claim`) and the file rules that read
one claim: no reference data needed."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from medpayiq.claims import ICD10_FROM, filing_deadline, to_claim
from medpayiq.claims._rules import file_drafts
from medpayiq.edits import Severity, parse_claim
from medpayiq.x12 import ProviderRef
from x12.builders import (
    BILLING,
    CHILD,
    CREATED,
    FACILITY,
    PARENT,
    RENDERING,
    claim,
    line,
    on,
    service,
)

JUL_1, JUL_9 = date(2026, 7, 1), date(2026, 7, 9)


def test_a_claim_on_two_dates_with_its_own_lines() -> None:
    item = claim(
        "PCN-1",
        [
            line(1, service("99214", "180.00", modifiers=("25",), pointers=(1, 2)), on(JUL_9)),
            line(2, service("62323", "950.00", modifiers=("RT", "59", "XS", "KX")), on(JUL_1)),
            line(3, service("J1040", "35.00", units="0.5"), on(JUL_1, date(2026, 7, 3))),
            line(4, service("20610", "250.00"), on(JUL_1), pos="22", rendering="1245319599"),
        ],
        diagnoses=(("ABK", "M5416"), ("ABF", "M48062")),
        rendering=RENDERING,
        facility=FACILITY,
    )
    converted = to_claim(item)
    checked = converted.claim
    assert checked is not None and converted.problems == ()
    assert checked.claim_id == "PCN-1"
    assert checked.date_of_service == JUL_1  # the earliest line date
    assert checked.place_of_service == "11"
    assert checked.zip == "77030"  # 2310C service facility
    assert checked.provider.npi == RENDERING.npi and checked.provider.participating
    assert checked.diagnoses == ["M54.16", "M48.062"]
    lines = checked.lines
    assert [(ln.hcpcs, ln.modifiers, ln.units) for ln in lines] == [
        ("99214", ["25"], 1),
        ("62323", ["RT", "59", "XS", "KX"], 1),
        ("J1040", [], 1),  # 0.5 units: checked at the next whole unit
        ("20610", [], 1),
    ]
    assert [ln.date_of_service for ln in lines] == [JUL_9, None, None, None]
    assert [ln.place_of_service for ln in lines] == [None, None, None, "22"]
    assert [ln.provider_npi for ln in lines] == [None, None, None, "1245319599"]
    assert lines[0].diagnosis_pointers == [1, 2] and lines[2].charge == Decimal("35.00")
    assert converted.rounded == (3,) and converted.icd9 == ()
    assert not checked.single_encounter
    # What the converter builds without validation is what validation gives.
    assert parse_claim(checked.model_dump()) == checked


def test_the_billing_zip_and_provider_when_the_claim_names_none() -> None:
    item = claim("PCN-2", [line(1, service("99213", "90.00"), on(JUL_1))])
    checked = to_claim(item).claim
    assert checked is not None
    assert checked.zip == "77030"  # 2010AA N403 770301234, five digits
    assert checked.provider.npi == BILLING.npi
    assert checked.single_encounter


def test_provider_terms_from_assignment_and_taxonomy() -> None:
    nurse = ProviderRef("1003000126", "1", "363LF0000X")
    item = replace(
        claim("PCN-3", [line(1, service("99213", "90.00"), on(JUL_1))], rendering=nurse),
        assignment="C",
    )
    checked = to_claim(item).claim
    assert checked is not None
    assert checked.provider.type == "np" and not checked.provider.participating


def test_icd9_codes_are_left_out_and_pointers_follow() -> None:
    item = claim(
        "PCN-4",
        [
            line(1, service("99213", "90.00", pointers=(1, 2)), on(JUL_1)),
            line(2, service("20610", "250.00", pointers=(2,)), on(JUL_1)),
        ],
        diagnoses=(("BK", "7242"), ("BF", "M5416")),
    )
    converted = to_claim(item)
    # BF is ICD-9 too: only ABK/ABF codes are checked (here none); the ICD-9 rule says so.
    assert converted.icd9 == (1, 2)
    checked = converted.claim
    assert checked is not None
    assert checked.diagnoses == [] and checked.lines[0].diagnosis_pointers == []


def test_mixed_qualifiers_keep_the_icd10_codes() -> None:
    item = claim(
        "PCN-5",
        [
            line(1, service("99213", "90.00", pointers=(1, 2)), on(JUL_1)),
            line(2, service("20610", "250.00", pointers=(2,)), on(JUL_1)),
        ],
        diagnoses=(("ABK", "M5416"), ("BF", "7242"), ("ABF", "M1711")),
    )
    converted = to_claim(item)
    checked = converted.claim
    assert checked is not None and converted.icd9 == (2,)
    assert checked.diagnoses == ["M54.16", "M17.11"]
    assert checked.lines[0].diagnosis_pointers == [1]
    assert checked.lines[1].diagnosis_pointers == []


def test_minutes_are_one_service() -> None:
    item = claim("PCN-6", [line(1, service("00630", "900.00", units="95", basis="MJ"), on(JUL_1))])
    converted = to_claim(item)
    assert converted.claim is not None and converted.claim.lines[0].units == 1
    assert converted.minutes == (1,) and converted.rounded == ()


def test_values_the_checker_cannot_take_are_problems_not_crashes() -> None:
    item = claim(
        "PCN-7",
        [
            line(1, service("9921", "90.00"), on(JUL_1)),
            line(2, replace(service("99213", "90.00"), qualifier="ER"), on(JUL_1)),
            line(3, service("99213", "90.005"), on(JUL_1)),
            line(4, service("99213", "90.00", modifiers=("25", "25")), on(JUL_1)),
        ],
    )
    converted = to_claim(item)
    assert converted.claim is None
    assert [p.field for p in converted.problems] == [
        "lines[0].hcpcs",
        "lines[1].hcpcs",
        "lines[2].charge",
        "lines[3].modifiers",
    ]
    assert "9921" not in str(converted.problems[0])  # values are not repeated


def test_timely_filing_counts_a_calendar_year_from_the_line_date() -> None:
    assert filing_deadline(date(2025, 7, 20)) == date(2026, 7, 20)
    assert filing_deadline(date(2024, 2, 29)) == date(2025, 2, 28)
    item = claim(
        "PCN-8",
        [
            line(1, service("99213", "90.00"), on(date(2025, 7, 19))),  # due 2026-07-19
            line(2, service("99213", "90.00"), on(date(2025, 7, 20))),  # due 2026-07-20: in time
            line(3, service("99213", "90.00"), on(date(2025, 7, 1), date(2025, 7, 31))),
        ],
    )
    assert item.created == CREATED == date(2026, 7, 20)
    drafts = file_drafts(item, to_claim(item))
    late = next(d for d in drafts if d.rule == "file.timely-filing")
    # A range counts from its from date (Pub. 100-04 chapter 1 section 70).
    assert late.lines == (1, 3) and late.carc == ("29",) and late.severity is Severity.DENY
    assert late.appeal is None and "no appeal rights" in late.fix


def test_replacement_and_void_need_the_payer_claim_number() -> None:
    one = [line(1, service("99213", "90.00"), on(JUL_1))]
    without = file_drafts(
        claim("PCN-9", one, frequency="7"), to_claim(claim("PCN-9", one, frequency="7"))
    )
    assert [(d.rule, d.severity) for d in without] == [
        ("file.no-payer-claim-number", Severity.DENY),
        ("file.replacement", Severity.INFO),
    ]
    assert without[0].carc == ("16",) and without[0].rarc == ("MA130",)
    named = claim("PCN-9", one, frequency="7", payer_claim_number="22615900001234")
    drafts = file_drafts(named, to_claim(named))
    assert [d.rule for d in drafts] == ["file.replacement"]
    assert "22615900001234" in drafts[0].message


def test_icd9_after_the_switch_is_a_denial_and_before_it_a_note() -> None:
    new = claim("PCN-10", [line(1, service("99213", "90.00"), on(JUL_1))],
                diagnoses=(("BK", "7242"),))  # fmt: skip
    drafts = [d for d in file_drafts(new, to_claim(new)) if d.rule.startswith("file.icd9")]
    assert [(d.rule, d.lines, d.carc, d.rarc) for d in drafts] == [
        ("file.icd9", (1,), ("16",), ("M76", "MA130"))
    ]
    assert date(2015, 10, 1) == ICD10_FROM
    old = claim("PCN-11", [line(1, service("99213", "90.00"), on(date(2015, 9, 30)))],
                diagnoses=(("BK", "7242"),))  # fmt: skip
    rules = [d.rule for d in file_drafts(old, to_claim(old))]
    assert "file.icd9-not-checked" in rules and "file.timely-filing" in rules


def test_a_dependant_is_told_from_the_subscriber() -> None:
    from medpayiq.claims import patient_key

    mine = claim("PCN-12", [line(1, service("99213", "90.00"), on(JUL_1))], subscriber=PARENT)
    child = replace(mine, patient=CHILD)
    assert patient_key(mine) != patient_key(child)
    assert patient_key(child) == patient_key(replace(child, claim_id="PCN-13"))
