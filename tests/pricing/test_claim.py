"""Whole claims worked by hand: multiple procedure reductions by indicator, bilateral before
ranking, status T, the deductible across lines. RVUs are RVU25D's (conftest.py), national
(GPCI 1.000), CF 32.3465; each one-unit amount is (work + PE + MP) x CF rounded half-up."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from medpayiq.errors import InputError
from medpayiq.pricing import LineRequest, price_claim

D = Decimal
DAY = date(2025, 11, 3)


def claim(tiny, *lines: tuple[str, tuple[str, ...], int], pos: str = "11", **kw: object):
    requests = [
        LineRequest(code, DAY, modifiers=mods, units=units, pos=pos, line_id=str(i + 1))
        for i, (code, mods, units) in enumerate(lines)
    ]
    return price_claim(tiny, requests, **kw)  # type: ignore[arg-type]


def allowed(result) -> list[Decimal | None]:
    return [ln.allowed for ln in result.lines]


def test_standard_ranking(tiny):
    # 62323: 7.63 x CF = 246.80 (rank 1, 100%); 20610: (0.79 + 1.04 + 0.13) = 1.96 x CF
    # = 63.39914 -> 63.40 (rank 2, 50% = 31.70). Claim order does not matter.
    result = claim(tiny, ("20610", (), 1), ("62323", (), 1))
    assert allowed(result) == [D("31.70"), D("246.80")]
    assert result.total_allowed == D("278.50")


def test_bilateral_before_ranking(tiny):
    # 64483-50: 236.13 x 150% = 354.20 ranks first; 62323 246.80 x 50% = 123.40
    result = claim(tiny, ("62323", (), 1), ("64483", ("50",), 1))
    assert allowed(result) == [D("123.40"), D("354.20")]
    assert result.total_allowed == D("477.60")


def test_units_of_one_code_rank_too(tiny):
    # 20610 x 2 units: 63.40 + 50% of 63.40 (31.70) = 95.10
    assert claim(tiny, ("20610", (), 2)).total_allowed == D("95.10")


def test_endoscopy_family(tiny):
    # Non-facility, base 43235: (2.09 + 6.18 + 0.27) = 8.54 x CF = 276.23911 -> 276.24
    # 43236: 11.74 x CF = 379.74791 -> 379.75 (highest in the family: in full)
    # 43239: 11.04 x CF = 357.10536 -> 357.11, minus the base: 357.11 - 276.24 = 80.87
    result = claim(tiny, ("43239", (), 1), ("43236", (), 1))
    assert allowed(result) == [D("80.87"), D("379.75")]


def test_endoscopy_base_billed_with_its_family(tiny):
    # The base (43235) is included in 43239: 43239 in full (357.11), 43235 nothing.
    result = claim(tiny, ("43239", (), 1), ("43235", (), 1))
    assert allowed(result) == [D("357.11"), D("0.00")]


def test_two_endoscopy_families_rank_as_procedures(tiny):
    # EGD family (43236 + 43239) = 379.75 + 80.87 = 460.62, ranks first.
    # Colonoscopy 45380 alone: (3.56 + 8.79 + 0.47) = 12.82 x CF = 414.68213 -> 414.68,
    # ranks second: 50% = 207.34.  Total 460.62 + 207.34 = 667.96
    result = claim(tiny, ("45380", (), 1), ("43239", (), 1), ("43236", (), 1))
    assert allowed(result) == [D("207.34"), D("80.87"), D("379.75")]
    assert result.total_allowed == D("667.96")


def test_imaging_same_session(tiny):
    # 70551: 5.98 x CF = 193.43207 -> 193.43; its 26 row 2.08 x CF = 67.28072 -> 67.28,
    #        so TC 193.43 - 67.28 = 126.15 (highest TC and highest PC: in full)
    # 70450: 105.13; 26 row 1.20 x CF = 38.82; TC 66.31
    #        TC 50%: 33.155 -> 33.16; PC 95%: 36.879 -> 36.88; 33.16 + 36.88 = 70.04
    result = claim(tiny, ("70450", (), 1), ("70551", (), 1))
    assert allowed(result) == [D("70.04"), D("193.43")]
    assert result.total_allowed == D("263.47")


def test_imaging_technical_only(tiny):
    # 70551-TC: 3.90 x CF = 126.15135 -> 126.15 (in full); 70450-TC 66.31 x 50% = 33.155 -> 33.16
    result = claim(tiny, ("70551", ("TC",), 1), ("70450", ("TC",), 1))
    assert allowed(result) == [D("126.15"), D("33.16")]


def test_cardiovascular(tiny):
    # 93880: 5.62 x CF = 181.78733 -> 181.79; 26 row 1.12 x CF = 36.22808 -> 36.23; TC 145.56
    # 93306: 5.81 x CF = 187.93317 -> 187.93; 26 row 2.02 x CF = 65.33993 -> 65.34; TC 122.59
    # Highest TC is 93880's: in full.  93306 TC at 75%: 91.9425 -> 91.94, PC in full: 157.28
    result = claim(tiny, ("93306", (), 1), ("93880", (), 1))
    assert allowed(result) == [D("157.28"), D("181.79")]
    assert result.total_allowed == D("339.07")


def test_therapy(tiny):
    # 97530: 1.07 x CF = 34.61; PE 0.62 x CF = 20.05 (highest PE: in full)
    # 97110: 0.89 x CF = 28.79; PE 0.43 x CF = 13.91; with PE halved
    #        (0.45 + 0.215 + 0.01) = 0.675 x CF = 21.8338875 -> 21.83, each of 2 units = 43.66
    result = claim(tiny, ("97110", (), 2), ("97530", (), 1))
    assert allowed(result) == [D("43.66"), D("34.61")]
    assert result.total_allowed == D("78.27")


def test_status_t_with_another_service(tiny):
    result = claim(tiny, ("G0000", (), 1), ("99213", (), 1))
    first = result.lines[0]
    assert first.allowed is None and "status T" in first.message
    # 99213: 2.75 x CF = 88.95
    assert result.total_allowed == D("88.95")


def test_deductible_runs_across_lines(tiny):
    # 99213 88.95 then 62323 246.80 (no multiple procedure rule between them: 99213 is 0).
    # $100 deductible left: line 1 takes 88.95 of it, line 2 the remaining 11.05.
    result = claim(tiny, ("99213", (), 1), ("62323", (), 1), deductible_remaining=D("100"))
    first, second = (ln.cost_share for ln in result.lines)
    assert first is not None and second is not None
    assert first.deductible_applied == D("88.95") and second.deductible_applied == D("11.05")
    assert result.cost_share is not None and result.cost_share.deductible_applied == D("100.00")
    # Line 2: 246.80 - 11.05 = 235.75; 20% = 47.15; patient 58.20
    assert second.patient_pays == D("58.20")


def test_trail_per_line(tiny):
    result = claim(tiny, ("20610", (), 1), ("62323", (), 1))
    reduced = result.lines[0]
    assert any("50%" in s.rule for s in reduced.trail)
    assert result.as_dict()["total_allowed"] == "278.50"


def test_empty_claim(tiny):
    with pytest.raises(InputError):
        price_claim(tiny, [])
