"""Claims whose lines carry their own date, place of service or rendering provider: one
check per (date, place, provider), the answers joined on the claim's own line numbers.

Amounts from RVU26C (PPRRVU2026_Jul_nonQPP), Houston ZIP 77030 (locality 04412-18, GPCI2026
work 1.008 with the floor, PE 0.993, MP 1.376), CF 33.4009, worked by hand:
  62323 non-facility: (1.76 x 1.008 + 6.25 x 0.993 + 0.17 x 1.376) x 33.4009 = 274.36
  77003 non-facility: (0.59 x 1.008 + 2.49 x 0.993 + 0.05 x 1.376) x 33.4009 = 104.75
  99213 non-facility: (1.30 x 1.008 + 1.46 x 0.993 + 0.09 x 1.376) x 33.4009 =  96.33
  99213 facility:     (1.30 x 1.008 + 0.33 x 0.993 + 0.09 x 1.376) x 33.4009 =  58.85
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from medpayiq.edits import (
    CheckResult,
    Draft,
    Severity,
    check_claim,
    parse_claim,
)
from medpayiq.reference import Catalog, Confidence

FEE_62323 = Decimal("274.36")
FEE_77003 = Decimal("104.75")
FEE_99213 = Decimal("96.33")
FEE_99213_FACILITY = Decimal("58.85")
OTHER_NPI = "1245319599"  # a second valid NPI (check digit over 80840 + 124531959)


def _claim(*lines: dict[str, Any], day: str = "2026-07-15") -> dict[str, Any]:
    return {
        "claim_id": "T-2",
        "patient": {"id": "P-1", "sex": "F"},
        "provider": {"npi": "1234567893"},
        "place_of_service": "11",
        "zip": "77030",
        "date_of_service": day,
        "diagnoses": ["M54.16"],
        "lines": list(lines),
    }


def _line(code: str, *modifiers: str, **extra: Any) -> dict[str, Any]:
    return {"hcpcs": code, "modifiers": list(modifiers), **extra}


def _check(catalog: Catalog, data: dict[str, Any], **options: Any) -> CheckResult:
    return check_claim(catalog, parse_claim(data), **options)


def test_lines_on_two_dates_are_two_encounters(catalog: Catalog) -> None:
    # 62323 with 77003 on one day is an NCCI PTP pair (see test_checker); on two days it is not.
    same_day = _check(catalog, _claim(_line("62323"), _line("77003")))
    assert [f.rule for f in same_day.findings if f.severity is Severity.DENY] == ["ncci.ptp"]
    two_days = _check(catalog, _claim(_line("62323"), _line("77003", date_of_service="2026-07-20")))
    # Alone on its day, 77003 is a Type I add-on without its primary.
    assert [(f.rule, f.lines) for f in two_days.findings if f.rule.startswith("ncci")] == [
        ("ncci.addon", (2,))
    ]
    lines = two_days.priced.lines
    assert [(ln.line, ln.date_of_service, ln.allowed_as_billed, ln.status) for ln in lines] == [
        (1, "2026-07-15", FEE_62323, "paid"),
        (2, "2026-07-20", FEE_77003, "denied"),
    ]
    assert two_days.priced.total_expected == FEE_62323
    assert two_days.date_of_service == "2026-07-15"
    assert two_days.as_dict()["priced"]["lines"][1]["date_of_service"] == "2026-07-20"  # type: ignore[index]


def test_findings_name_the_claims_own_line_numbers(catalog: Catalog) -> None:
    # Line 1 is alone on the 20th; lines 2 and 3 are the PTP pair of the 15th, checked as
    # lines 1 and 2 of their encounter: the finding and its words must say line 3.
    result = _check(
        catalog,
        _claim(
            _line("99213", date_of_service="2026-07-20"),
            _line("62323"),
            _line("77003"),
        ),
    )
    ptp = next(f for f in result.findings if f.rule == "ncci.ptp")
    assert ptp.lines == (3,)
    assert "Line 3 (77003)" in ptp.message and "line 2 (62323)" in ptp.message
    assert ptp.at_risk == FEE_77003
    assert [ln.status for ln in result.priced.lines] == ["paid", "paid", "denied"]
    assert result.priced.lines[0].expected_allowed == FEE_99213
    assert result.priced.total_expected == FEE_99213 + FEE_62323
    assert result.priced.at_risk == FEE_77003
    assert result.confidence is Confidence.LOW  # the 2024 NCCI tables, as for any 2026 claim


def test_a_finding_on_a_line_numbered_alike_still_names_the_others_by_the_claim(
    catalog: Catalog,
) -> None:
    # Lines 1 and 3 are the PTP pair of the 15th, checked as lines 1 and 2 of their
    # encounter: the finding is on line 1 either way, but the line it names beside it is the
    # claim's line 3, not the encounter's line 2 (99213 on the 20th).
    result = _check(
        catalog,
        _claim(
            _line("77003"),
            _line("99213", date_of_service="2026-07-20"),
            _line("62323"),
        ),
    )
    ptp = next(f for f in result.findings if f.rule == "ncci.ptp")
    assert ptp.lines == (1,)
    assert "Line 1 (77003)" in ptp.message and "line 3 (62323)" in ptp.message
    assert "line 2" not in ptp.message


def test_a_line_in_a_facility_is_priced_at_the_facility_rate(catalog: Catalog) -> None:
    result = _check(
        catalog,
        _claim(
            _line("99213"),
            _line("99213", date_of_service="2026-07-16", place_of_service="22"),
        ),
    )
    assert [(ln.place_of_service, ln.expected_allowed) for ln in result.priced.lines] == [
        ("11", FEE_99213),
        ("22", FEE_99213_FACILITY),
    ]
    assert result.priced.facility is None  # two settings


def test_the_claims_earlier_surgery_opens_a_global_period(catalog: Catalog) -> None:
    # 27447 (090-day global) on the 6th, an office visit on the 15th by the same surgeon.
    surgery = _line("27447", date_of_service="2026-07-06", place_of_service="21")
    result = _check(catalog, _claim(surgery, _line("99213")))
    found = next(f for f in result.findings if f.rule == "global.em-in-period")
    assert found.lines == (2,) and found.severity is Severity.DENY
    assert found.message.startswith("Line 2:")
    # Another surgeon's visit is not in this surgeon's global period.
    other = _check(catalog, _claim(surgery, _line("99213", provider_npi=OTHER_NPI)))
    assert not [f for f in other.findings if f.rule.startswith("global.")]


def test_extra_findings_split_by_date_come_back_as_one(catalog: Catalog) -> None:
    draft = Draft(
        rule="file.test",
        severity=Severity.DENY,
        lines=(1, 2),
        message="Lines 1, 2: a caller's finding.",
        carc=("29",),
        rarc=(),
        fix="None.",
        appeal=None,
        source="test",
        confidence=Confidence.HIGH,
    )
    result = _check(
        catalog,
        _claim(_line("62323"), _line("99213", date_of_service="2026-07-20")),
        extra=[draft],
    )
    found = [f for f in result.findings if f.rule == "file.test"]
    assert len(found) == 1
    assert found[0].lines == (1, 2) and found[0].message == "Lines 1, 2: a caller's finding."
    assert found[0].at_risk == FEE_62323 + FEE_99213
    assert found[0].carc[0].code == "29" and found[0].carc[0].description
    assert result.priced.total_expected == Decimal("0.00")
    assert result.priced.at_risk == FEE_62323 + FEE_99213


def test_same_values_as_the_claim_are_one_encounter(catalog: Catalog) -> None:
    plain = _check(catalog, _claim(_line("62323"), _line("77003")))
    spelled = _check(
        catalog,
        _claim(
            _line("62323", date_of_service="2026-07-15", place_of_service="11"),
            _line("77003", provider_npi="1234567893"),
        ),
    )
    assert spelled.as_dict() == plain.as_dict()


def test_renumber_names_the_claims_lines_as_a_regex_substitution_does() -> None:
    """`renumber` keeps each text's pieces between its line numbers (`_parts._template`);
    its answers are those of the plain substitution it replaced, on texts built at random."""
    import random
    import re

    from medpayiq.edits._parts import renumber

    lines = re.compile(r"\b([Ll]ines?) (\d+(?:(?:, | and |, and )\d+)*)")

    def substituted(text: str, numbers: tuple[int, ...]) -> str:
        def number(m: re.Match[str]) -> str:
            i = int(m.group())
            return str(numbers[i - 1]) if 0 < i <= len(numbers) else m.group()

        return lines.sub(lambda m: f"{m.group(1)} {re.sub(r'[0-9]+', number, m.group(2))}", text)

    words = ["line", "Line", "lines", "Lines", "pipeline", " ", ", ", " and ", ", and ", "1",
             "2", "3", "12", "0", "07", "(62323)", ": ", "lines 1, 2 and 3", "Line 4"]  # fmt: skip
    rng = random.Random(5)
    changed = 0
    for _ in range(5000):
        text = "".join(rng.choice(words) for _ in range(rng.randint(1, 12)))
        numbers = tuple(rng.sample(range(1, 15), rng.randint(1, 6)))
        assert renumber(text, numbers) == renumber(text, numbers) == substituted(text, numbers)
        changed += renumber(text, numbers) != text
    assert changed > 500
