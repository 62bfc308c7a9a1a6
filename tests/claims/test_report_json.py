"""`ClaimReport.as_json` writes the JSON text itself: it must be `json.dumps(as_dict())`, byte
for byte, whatever the values (None, quotes, control and non-ASCII characters, decimal units,
date ranges, the reader's problems)."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

from medpayiq.claims import ClaimReport, ReportLine
from medpayiq.edits import AdjustmentRef, Finding
from medpayiq.edits import Severity as FindingSeverity
from medpayiq.knowledge import AppealAdvice, AppealRoute
from medpayiq.reference import Confidence
from medpayiq.x12 import Severity, X12Problem


def _line(n: int, **changes: object) -> ReportLine:
    values: dict[str, object] = {
        "line": n, "hcpcs": "62323", "modifiers": ("25", "RT"), "units": Decimal("1"),
        "date_of_service": date(2026, 7, 15), "date_end": None, "place_of_service": "11",
        "provider_npi": "1003000126", "charge": Decimal("950.00"),
        "allowed_as_billed": Decimal("274.36"), "allowed": Decimal("0.00"), "status": "denied",
        "note": "a deny finding applies", "schedule": "pfs",
    }  # fmt: skip
    values.update(changes)
    return ReportLine(**values)  # type: ignore[arg-type]


def test_odd_values_are_written_as_json_dumps_writes_them() -> None:
    lines = (
        _line(1),
        _line(
            2,
            modifiers=(),
            units=Decimal("0.5"),
            date_end=date(2026, 7, 17),
            provider_npi=None,
            allowed_as_billed=None,
            allowed=None,
            status="unpriced",
            note='not "priced"\n\t\u2028 \u00e9\u4e2d \x7f\x01',
            schedule="",
        ),
        _line(3, units=Decimal("12"), charge=Decimal("-0.00")),
    )
    problem = X12Problem(
        code="se-count", severity=Severity.TRANSACTION, message='SE01 says "12"',
        transaction="0001", segment_position=41, segment_id="SE", element=1, line=41,
        offset=812,
    )  # fmt: skip
    reports = [
        ClaimReport(
            claim_id='A"1\\é',
            status="deny",
            frequency="original",
            lines=lines,
            findings=(),
            charge=Decimal("1900.00"),
            allowed_as_billed=Decimal("1"),
            expected_allowed=Decimal("0"),
            medicare=True,
            file="f\u00e9.837",
            transaction="0001",
            segment=12,
            guidance=('keep "it"', "é"),
            confidence="low",
        ),
        ClaimReport(
            claim_id=None,
            status="rejected",
            frequency="",
            lines=(),
            findings=(),
            problems=(problem,),
            medicare=False,
        ),
        ClaimReport(claim_id="B", status="void", frequency="void", lines=lines[:1], findings=()),
    ]
    for report in reports:
        assert report.as_json() == json.dumps(report.as_dict(), ensure_ascii=False)
    for line in lines:
        assert line.as_json() == json.dumps(line.as_dict(), ensure_ascii=False)


def test_findings_are_written_as_json_dumps_writes_them() -> None:
    appeal = AppealAdvice(
        AppealRoute.REDETERMINATION, 1, "Redetermination", 120, "the date of the notice",
        ("records", 'the "op" note'), "é\n",
    )  # fmt: skip
    refs = (AdjustmentRef("97", 'Benefit "included"'), AdjustmentRef("B15", "é\u2028中"))
    deny, info, review = FindingSeverity.DENY, FindingSeverity.INFO, FindingSeverity.REVIEW
    findings = (
        Finding(
            "ncci.ptp", deny, (6,), 'Line 6 (20611) with "line 1"', refs, (), Decimal("61.20"),
            "fix\tit", appeal, "NCCI PTP 2026Q3 (a.csv)", Confidence.HIGH,
        ),
        Finding(
            "ncci.ptp-bypass", info, (2, 10), "é", (), refs[1:], None, "", None, "",
            Confidence.LOW,
        ),
        Finding(
            "file.units-decimal", review, (), "\x01", refs, refs, Decimal("-0.00"), "\u2028",
            appeal, "s", Confidence.MEDIUM,
        ),
    )  # fmt: skip
    report = ClaimReport(
        claim_id="C", status="deny", frequency="original", lines=(_line(1),), findings=findings
    )
    for _ in range(2):  # written, then read back by object
        assert report.as_json() == json.dumps(report.as_dict(), ensure_ascii=False)
