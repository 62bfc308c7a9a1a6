"""An 837P file scrubbed on the real data: each claim through the converter, the file rules
and the checker, with history and duplicates across the input (tests/claims/files.py).

Amounts, RVU26C (PPRRVU2026_Jul_nonQPP), Houston ZIP 77030 (locality 04412-18: GPCI2026 work
1.008 with the floor, PE 0.993, MP 1.376), CF 33.4009, worked by hand:
  62323 non-facility: (1.76 x 1.008 + 6.25 x 0.993 + 0.17 x 1.376) x 33.4009 =  274.36
  99213 non-facility: (1.30 x 1.008 + 1.46 x 0.993 + 0.09 x 1.376) x 33.4009 =   96.33
  20610 non-facility: (0.77 x 1.008 + 1.16 x 0.993 + 0.13 x 1.376) x 33.4009 =   70.37
  27447 facility:    (19.11 x 1.008 + 11.58 x 0.993 + 4.02 x 1.376) x 33.4009 = 1212.23
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest

from medpayiq.claims import ClaimReport
from medpayiq.reference import Catalog
from medpayiq.services import ClaimFiles
from medpayiq.x12 import Severity
from x12.builders import position

from .files import practice_file

FEE_62323 = Decimal("274.36")
FEE_99213 = Decimal("96.33")
FEE_20610 = Decimal("70.37")
FEE_27447_FACILITY = Decimal("1212.23")


@pytest.fixture(scope="module")
def reports(catalog: Catalog) -> dict[str, ClaimReport]:
    files = ClaimFiles(catalog, [("practice.837", practice_file().encode())])
    found = {r.claim_id: r for r in files if r.claim_id}
    assert files.problems == [] and files.unreadable == []
    assert files.summary.claims == len(found) == 19
    return found


def test_the_json_text_is_the_dict(reports: dict[str, ClaimReport]) -> None:
    for report in reports.values():
        assert report.as_json() == json.dumps(report.as_dict(), ensure_ascii=False)


def _rules(report: ClaimReport) -> list[tuple[str, tuple[int, ...], Decimal | None]]:
    return [(f.rule, f.lines, f.at_risk) for f in report.findings if f.severity.value != "info"]


def test_claims_come_in_file_order_with_their_lines(reports: dict[str, ClaimReport]) -> None:
    assert list(reports) == [
        "A1", "A2", "A3", "A4", "A5", "B1", "B2", "C1", "C2", "D1", "D2", "D3", "E1", "F1",
        "G1", "G2", "G3", "H1", "H2",
    ]  # fmt: skip
    e1 = reports["E1"]
    assert [(ln.line, ln.hcpcs, ln.modifiers, ln.units) for ln in e1.lines] == [
        (1, "20610", ("RT", "59", "XS", "KX"), Decimal("1")),
        (2, "J1040", (), Decimal("0.5")),
        (3, "99213", ("25",), Decimal("1")),
        (4, "99213", (), Decimal("1")),
        (5, "E0601", ("RR",), Decimal("1")),
    ]
    assert [ln.date_of_service.day for ln in e1.lines] == [1, 1, 1, 22, 1]
    assert e1.lines[4].date_end == date(2026, 7, 31) and e1.lines[0].date_end is None
    assert [ln.allowed for ln in e1.lines[:4]] == [FEE_20610, None, FEE_99213, FEE_99213]
    assert e1.lines[1].status == "unpriced"  # J1040: the ASP file is not read
    assert e1.charge == Decimal("1385.00")
    as_dict = e1.as_dict()
    assert as_dict["lines"][1]["units"] == 0.5 and as_dict["lines"][0]["units"] == 1
    assert as_dict["lines"][3]["date_of_service"] == "2026-07-22"


def test_a_fifth_epidural_session_from_earlier_claims(reports: dict[str, ClaimReport]) -> None:
    assert [reports[c].status for c in ("A1", "A2", "A3", "A4")] == ["clean"] * 4
    a5 = reports["A5"]
    assert a5.status == "deny"
    assert _rules(a5) == [("policy.epidural.frequency", (1,), FEE_62323)]
    assert "session 5" in a5.findings[0].message
    assert a5.at_risk == FEE_62323 and a5.expected_allowed == Decimal("0.00")


def test_a_visit_in_the_global_period_of_an_earlier_claim(
    reports: dict[str, ClaimReport],
) -> None:
    assert reports["B1"].expected_allowed == FEE_27447_FACILITY
    b2 = reports["B2"]
    # B2's other-subscriber loop (REF*F8, DTP*573) is not read as B2's own.
    assert b2.payer_claim_number is None and b2.frequency == "original"
    assert _rules(b2) == [("global.em-in-period", (1,), FEE_99213)]
    assert "27447" in b2.findings[0].message


def test_a_dependant_and_the_subscriber_are_two_patients(
    reports: dict[str, ClaimReport],
) -> None:
    c1 = reports["C1"]
    assert _rules(c1) == [("ncci.ptp", (1,), FEE_99213)]  # the E/M with 20610, no 25
    assert c1.expected_allowed == FEE_20610
    assert reports["C2"].status == "clean"  # the same visit, another patient


def test_duplicates_across_the_input(reports: dict[str, ClaimReport]) -> None:
    d2 = reports["D2"]
    rules = [f.rule for f in d2.findings]
    assert rules[0] == "file.duplicate-claim"
    duplicate = d2.findings[0]
    assert duplicate.lines == (1,) and "claim D1" in duplicate.message
    assert [c.code for c in duplicate.carc] == ["18"]
    assert duplicate.carc[0].description.startswith("Exact duplicate")
    d3 = reports["D3"]
    line = next(f for f in d3.findings if f.rule == "file.duplicate-line")
    assert line.lines == (1,) and "claim D1" in line.message and line.at_risk == FEE_99213
    # The replacement repeats a claim by design: never a duplicate.
    assert not [f for f in reports["G1"].findings if "duplicate" in f.rule]


def test_one_claim_over_several_dates(reports: dict[str, ClaimReport]) -> None:
    e1 = reports["E1"]
    assert _rules(e1) == [
        ("ncci.mue", (5,), Decimal("50.91")),  # E0601: MUE 0, the DME supplier bills it
        ("file.units-decimal", (2,), None),
    ]
    # 99213-25 on the 1st with 20610: the 25 bypasses the edit; the 22nd is another day.
    bypass = [f for f in e1.findings if f.rule == "ncci.ptp-bypass"]
    assert [f.lines for f in bypass] == [(3,)]
    assert "line 3 (99213) with line 1 (20610)" in bypass[0].message


def test_icd9_codes_in_2026(reports: dict[str, ClaimReport]) -> None:
    f1 = reports["F1"]
    assert _rules(f1) == [("file.icd9", (1,), FEE_99213)]
    finding = f1.findings[0]
    assert [c.code for c in finding.carc] == ["16"]
    assert [r.code for r in finding.rarc] == ["M76", "MA130"]
    assert finding.message.startswith("Diagnosis 1 is ICD-9-CM")


def test_replacements_and_voids(reports: dict[str, ClaimReport]) -> None:
    g1, g2, g3 = reports["G1"], reports["G2"], reports["G3"]
    assert (g1.status, g1.frequency, g1.payer_claim_number) == (
        "clean", "replacement", "22615900001234",
    )  # fmt: skip
    assert [f.rule for f in g1.findings] == ["file.replacement"]
    assert g2.status == "deny"
    assert _rules(g2) == [("file.no-payer-claim-number", (1,), FEE_99213)]
    assert (g3.status, g3.frequency) == ("void", "void")
    assert [f.rule for f in g3.findings] == ["file.void"]
    assert g3.lines[0].status == "not-checked" and g3.expected_allowed is None


def test_timely_filing_at_the_limit(reports: dict[str, ClaimReport]) -> None:
    h1, h2 = reports["H1"], reports["H2"]
    late = h1.findings[0]
    assert (late.rule, late.lines, [c.code for c in late.carc]) == (
        "file.timely-filing", (1,), ["29"],
    )  # fmt: skip
    assert late.appeal is None and late.at_risk == h1.allowed_as_billed
    assert "filed by 2026-07-19" in late.message
    assert h2.status == "clean"


def test_summary_adds_up(catalog: Catalog) -> None:
    files = ClaimFiles(catalog, [("practice.837", practice_file().encode())])
    reports = list(files)
    summary = files.summary.as_dict()
    assert summary["claims"] == len(reports) == 19
    assert summary["void"] == 1 and summary["rejected"] == 0
    assert summary["deny"] == sum(r.status == "deny" for r in reports)
    assert Decimal(str(summary["at_risk"])) == sum((r.at_risk for r in reports), Decimal(0))
    by_rule = {t["rule"]: t for t in summary["by_rule"]}  # type: ignore[union-attr]
    assert by_rule["file.duplicate-claim"]["findings"] == 1
    assert by_rule["global.em-in-period"]["findings"] == 4  # B2, D1, D2, D3


def test_each_file_keeps_its_own_envelope_problems(catalog: Catalog) -> None:
    # An unreadable first file and a second whose SE count is wrong: each is named.
    good = practice_file()
    miscounted = good.replace("SE*", "SE*9", 1)
    files = ClaimFiles(catalog, [("first.837", b"ISA*broken"), ("second.837", miscounted.encode())])
    assert len(list(files)) == 19
    assert [(u.file, u.problem.code) for u in files.unreadable] == [("first.837", "isa-layout")]
    assert [(name, p.code) for name, p in files.problems] == [("second.837", "se-count")]
    assert files.readable


# --- broken copies --------------------------------------------------------------------------


def _scrub(catalog: Catalog, text: str) -> ClaimFiles:
    files = ClaimFiles(catalog, [("broken.837", text.encode())])
    files.reports = list(files)  # type: ignore[attr-defined]
    return files


def test_a_bad_charge_rejects_its_claim_only(catalog: Catalog) -> None:
    text = practice_file()
    broken = text.replace("SV1*HC:27447*4800.00*", "SV1*HC:27447*48O0.00*", 1)
    assert broken != text
    files = _scrub(catalog, broken)
    reports = {r.claim_id: r for r in files.reports}  # type: ignore[attr-defined]
    b1 = reports["B1"]
    assert b1.status == "rejected" and b1.lines == ()
    problem = b1.problems[0]
    assert (problem.code, problem.segment_id, problem.element) == ("bad-number", "SV1", 2)
    assert problem.segment_position == position(broken, "SV1*HC:27447")
    assert problem.transaction == "0001" and problem.claim_id == "B1"
    # Checked without B1: B2 is no longer in a global period; the rest as before.
    assert reports["B2"].status == "clean"
    assert reports["A5"].status == "deny" and len(reports) == 19
    assert [p for _, p in files.problems] == [problem]


def test_a_wrong_se_count_is_a_transaction_problem(catalog: Catalog) -> None:
    text = practice_file()
    se = next(s for s in text.split("~\n") if s.startswith("SE*"))
    count = int(se.split("*")[1])
    broken = text.replace(se, f"SE*{count + 1}*{se.split('*')[2]}")
    files = _scrub(catalog, broken)
    assert files.summary.claims == 19 and files.summary.by_status["rejected"] == 0
    [(name, problem)] = files.problems
    assert (name, problem.code, problem.severity) == (
        "broken.837",
        "se-count",
        Severity.TRANSACTION,
    )
    assert problem.segment_position == count


def test_a_truncated_file_keeps_what_was_read(catalog: Catalog) -> None:
    text = practice_file()
    cut = text[: text.index("CLM*D2*")]
    files = _scrub(catalog, cut)
    ids = [r.claim_id for r in files.reports]  # type: ignore[attr-defined]
    assert ids[:10] == ["A1", "A2", "A3", "A4", "A5", "B1", "B2", "C1", "C2", "D1"]
    assert "truncated" in {p.code for _, p in files.problems}
    assert files.readable


def test_a_file_that_is_not_x12_is_unreadable(catalog: Catalog) -> None:
    files = _scrub(catalog, "this is not a claim file")
    assert files.reports == [] and not files.readable  # type: ignore[attr-defined]
    assert files.unreadable[0].problem.code == "not-x12"
    assert files.unreadable[0].message == (
        "broken.837: the input does not start with an ISA segment"
    )
