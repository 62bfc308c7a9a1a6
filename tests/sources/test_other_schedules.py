"""The Clinical Laboratory Fee Schedule and the DMEPOS / PEN fee schedules, read from CMS's
files as published (figures from ../shared/data/cms/clfs and cms/dmepos)."""

from __future__ import annotations

import gzip
from decimal import Decimal
from pathlib import Path

import pytest

from medpayiq import sources
from medpayiq.errors import ParseError
from medpayiq.records import DmeFee, LabFee
from medpayiq.releases import Kind


def _parsed(path: Path) -> list[sources.ParsedFile]:
    return [sources.parse(f) for f in sources.iter_files(path)]


def _labs(path: Path) -> tuple[sources.ParsedFile, dict[tuple[str, str], LabFee]]:
    (parsed,) = _parsed(path)
    return parsed, {(r.hcpcs, r.modifier): r for r in parsed.records}


@pytest.mark.parametrize(
    ("folder", "release", "rows"),
    [("2026Q1/CLFS_2026_Q1V1.xlsx", "2026Q1", 2162), ("2026Q2", "2026Q2", 2179)],
)
def test_clfs_quarters(data_dir: Path, folder: str, release: str, rows: int) -> None:
    parsed, rates = _labs(data_dir / "cms" / "clfs" / folder)
    assert (parsed.kind, parsed.release.id, len(rates)) == (Kind.CLFS, release, rows)
    # 80053 = 10.56, 85025 = 7.77, 36415 = 9.34 in both quarters (DOMAIN.md 5b); the xlsx
    # stores 80053 and 36415 as numbers.
    assert rates[("80053", "")].rate == Decimal("10.56")
    assert rates[("80053", "QW")].rate == Decimal("10.56")
    assert rates[("85025", "")].rate == Decimal("7.77")
    assert rates[("36415", "")].rate == Decimal("9.34")
    # 0001U: "2026,0001U,,20260101,N,00720.00,Rbc dna hea 35 ag 11 bld grp,..."
    first = rates[("0001U", "")]
    assert (first.rate, first.indicator, first.short_description) == (
        Decimal("720.00"),
        "N",
        "Rbc dna hea 35 ag 11 bld grp",
    )
    # Every "L" row has no national rate (RATE 0.00): the contractor prices it.
    assert all(r.rate == 0 for r in rates.values() if r.indicator == "L")


def test_clfs_q2_adds_codes_effective_in_april(data_dir: Path) -> None:
    _, q2 = _labs(data_dir / "cms" / "clfs" / "2026Q2")
    april = sorted(code for (code, _), r in q2.items() if r.effective.month == 4)
    assert len(april) == 17 and april[0] == "0614U"


def _dme(data_dir: Path, name: str) -> tuple[sources.ParsedFile, list[DmeFee]]:
    (parsed,) = _parsed(data_dir / "cms" / "dmepos" / "2026Q1" / name)
    return parsed, list(parsed.records)


def test_dmepos_january_2026(data_dir: Path) -> None:
    parsed, rows = _dme(data_dir, "DMEPOS26_JAN.xlsx")
    assert (parsed.kind, parsed.release.id, parsed.variant) == (Kind.DMEPOS, "2026Q1", "")
    by_key = {(r.hcpcs, r.modifier, r.modifier2, r.state): r for r in rows}
    # 3,515 code rows x 53 state columns (the 49 contiguous, AK, HI, PR, VI).
    assert len(rows) == 3515 * 53
    cpap = by_key[("E0601", "RR", "", "AL")]
    assert (cpap.nonrural, cpap.rural, cpap.jurisdiction, cpap.category) == (
        Decimal("51.94"),
        Decimal("97.02"),
        "D",
        "CR",
    )
    tx = by_key[("E0601", "RR", "", "TX")]
    assert (tx.nonrural, tx.rural) == (Decimal("50.91"), Decimal("91.52"))
    # A4216 has a ceiling and floor and no rural amount (0.00 in the file).
    water = by_key[("A4216", "", "", "AL")]
    assert (water.ceiling, water.floor, water.nonrural, water.rural) == (
        Decimal("0.63"),
        Decimal("0.54"),
        Decimal("0.58"),
        Decimal("0.00"),
    )


def test_pen_january_2026(data_dir: Path) -> None:
    parsed, rows = _dme(data_dir, "DMEPEN26_JAN.xlsx")
    assert (parsed.kind, parsed.release.id, parsed.variant) == (Kind.DMEPOS, "2026Q1", "pen")
    by_key = {(r.hcpcs, r.modifier, r.modifier2, r.state): r for r in rows}
    kit = by_key[("B4034", "", "", "AL")]
    assert (kit.nonrural, kit.rural, kit.category, kit.ceiling) == (
        Decimal("3.94"),
        Decimal("6.16"),
        "",
        None,
    )
    assert by_key[("B4034", "", "", "AZ")].nonrural == Decimal("3.87")
    # E0776-UE-KE: the file has no non-rural amount (0.00) but a rural one.
    pole = by_key[("E0776", "UE", "KE", "AL")]
    assert (pole.nonrural, pole.rural) == (Decimal("0.00"), Decimal("84.22"))


# --- bad input ---------------------------------------------------------------------------


def _clfs_copy(data_dir: Path, tmp_path: Path, edit: str, replacement: str) -> Path:
    text = gzip.decompress(
        (data_dir / "cms" / "clfs" / "2026Q2" / "PUF_CLFS_CY2026_Q2V1.csv.gz").read_bytes()
    ).decode("latin-1")
    assert edit in text
    path = tmp_path / "PUF_CLFS_CY2026_Q2V1.csv"
    path.write_text(text.replace(edit, replacement, 1), encoding="latin-1")
    return path


def _error(path: Path) -> str:
    (file,) = list(sources.iter_files(path))
    with pytest.raises(ParseError) as err:
        list(sources.parse(file).records)
    return str(err.value)


def test_clfs_rate_that_is_not_an_amount(data_dir: Path, tmp_path: Path) -> None:
    path = _clfs_copy(data_dir, tmp_path, "80053,,20260101,N,00010.56", "80053,,20260101,N,1O.56")
    message = _error(path)
    assert 'field "RATE": "1O.56" is not an amount' in message
    assert "PUF_CLFS_CY2026_Q2V1.csv line " in message


def test_clfs_code_listed_twice(data_dir: Path, tmp_path: Path) -> None:
    path = _clfs_copy(data_dir, tmp_path, "85025,QW,", "85025,,")
    assert "85025 is listed twice (lines" in _error(path)


def test_clfs_without_its_header(tmp_path: Path) -> None:
    path = tmp_path / "CLFS_2026_Q3.csv"
    path.write_text("2026 Clinical Diagnostic Laboratory Fee Schedule\nYEAR,CODE\n")
    (file,) = list(sources.iter_files(path))
    # The layout claims only files whose header it sees; this one is nobody's.
    with pytest.raises(Exception, match="not a file MedPayIQ knows"):
        sources.parse(file)
