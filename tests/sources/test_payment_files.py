"""CMS's own payment amount files (PFREV / PFALL layout): the pricing oracle."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from medpayiq import sources
from medpayiq.errors import ParseError
from medpayiq.records import LocalityId, PaymentAmount
from medpayiq.releases import Family, Kind

FOLDER = "cms/payment-files/2025"


def parse_one(path: Path) -> tuple[sources.ParsedFile, list[Any]]:
    (file,) = list(sources.iter_files(path))
    parsed = sources.parse(file)
    return parsed, list(parsed.records)


def test_pfrev25c(data_dir: Path) -> None:
    parsed, rows = parse_one(data_dir / FOLDER / "PFREV25C.txt")
    assert (parsed.kind, parsed.layout) == (Kind.PAYMENT, "pfrev")
    assert (parsed.release.family, parsed.release.id) == (Family.PAYMENT, "2025")
    assert str(parsed.release.effective_from) == "2025-01-01"
    assert len(rows) == 109  # the 4 TRL copyright lines are not rows
    assert rows[0] == PaymentAmount(
        year=2025,
        locality=LocalityId("01112", "05"),
        hcpcs="76145",
        modifier="",
        nonfacility=Decimal("1339.81"),
        facility=Decimal("1339.81"),
        pctc="3",
        status="A",
        mult_surg="0",
        opps_indicator="9",
        opps_nonfacility=Decimal("0.00"),
        opps_facility=Decimal("0.00"),
    )
    houston = [r for r in rows if r.locality == LocalityId("04412", "18")]
    assert [(r.hcpcs, r.nonfacility) for r in houston] == [("76145", Decimal("965.08"))]


def test_pfrev4(data_dir: Path) -> None:
    parsed, rows = parse_one(data_dir / FOLDER / "PFREV4.txt")
    assert parsed.release.id == "2025"
    assert len(rows) == 1_526
    assert Counter(r.hcpcs for r in rows) == {
        "50688": 218,
        "76145": 218,
        "76813": 436,
        "76814": 654,
    }
    tc = next(
        r
        for r in rows
        if (r.locality, r.hcpcs, r.modifier) == (LocalityId("15202", "00"), "76814", "TC")
    )
    assert (tc.nonfacility, tc.facility, tc.pctc, tc.status) == (
        Decimal("23.91"),
        Decimal("23.91"),
        "1",
        "A",
    )
    ureter = next(r for r in rows if (r.locality, r.hcpcs) == (LocalityId("01112", "57"), "50688"))
    assert (ureter.nonfacility, ureter.mult_surg) == (Decimal("77.78"), "2")
    assert {r.modifier for r in rows} == {"", "26", "TC"}
    # PFREV4.txt holds every record twice (once with the blank modifier written " ", once
    # "  "), with the same amounts: the rows are kept and the repeat is noted.
    assert len({(r.locality, r.hcpcs, r.modifier) for r in rows}) == 763
    assert parsed.notes == (
        "763 rows repeat the carrier, locality, HCPCS and modifier of an earlier row "
        "(same amounts)",
    )


def test_pfrev25c_has_no_repeats(data_dir: Path) -> None:
    parsed, rows = parse_one(data_dir / FOLDER / "PFREV25C.txt")
    assert len({(r.locality, r.hcpcs, r.modifier) for r in rows}) == 109
    assert parsed.notes == ()


def test_rows_of_another_year_are_refused(tmp_path: Path, data_dir: Path) -> None:
    lines = (data_dir / FOLDER / "PFREV25C.txt").read_bytes().split(b"\r\n")
    lines[2] = lines[2].replace(b'"2025"', b'"2024"', 1)
    path = tmp_path / "PFREV25C.txt"
    path.write_bytes(b"\r\n".join(lines))
    with pytest.raises(ParseError) as err:
        parse_one(path)
    assert str(err.value) == (
        'PFREV25C.txt line 3, field "YEAR": "2024" differs from the first row\'s year 2025'
    )
