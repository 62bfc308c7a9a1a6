"""Geography parsers (GPCI, LOCCO, ZIP5) on the official CMS files."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from medpayiq import sources
from medpayiq.records import Gpci, LocalityCounties, LocalityId, ZipLocality
from medpayiq.releases import Kind

HOUSTON = LocalityId("04412", "18")


def parse_one(path: Path) -> tuple[sources.ParsedFile, list[Any]]:
    (file,) = list(sources.iter_files(path))
    parsed = sources.parse(file)
    return parsed, list(parsed.records)


# --- GPCI -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["GPCI2025.csv", "GPCI2025.txt"])
def test_gpci_2025(data_dir: Path, name: str) -> None:
    parsed, rows = parse_one(data_dir / "cms/pfs/RVU25D" / name)
    assert (parsed.kind, parsed.release.id) == (Kind.GPCI, "RVU25D")
    assert len(rows) == len({r.locality for r in rows}) == 109
    by_locality = {r.locality: r for r in rows}
    assert by_locality[HOUSTON] == Gpci(
        HOUSTON, "TX", "HOUSTON", Decimal("1.014"), Decimal("1.003"), Decimal("1.409")
    )
    # Alaska's 1.5 work floor; the CSV writes "1.5" and the TXT "1.500": both read 1.500.
    alaska = by_locality[LocalityId("02102", "01")]
    assert (alaska.name, str(alaska.work), alaska.work_no_floor) == ("ALASKA", "1.500", None)
    assert str(by_locality[LocalityId("10112", "00")].work) == "1.000"


def test_gpci_2025_csv_and_txt_agree(data_dir: Path) -> None:
    _, csv_rows = parse_one(data_dir / "cms/pfs/RVU25D/GPCI2025.csv")
    _, txt_rows = parse_one(data_dir / "cms/pfs/RVU25D/GPCI2025.txt")
    assert csv_rows == txt_rows


@pytest.mark.parametrize("name", ["GPCI2026.csv", "GPCI2026.txt"])
def test_gpci_2026_with_and_without_floor(data_dir: Path, name: str) -> None:
    parsed, rows = parse_one(data_dir / "cms/pfs/RVU26A" / name)
    assert (parsed.release.id, len(rows)) == ("RVU26A", 109)
    by_locality = {r.locality: r for r in rows}
    assert by_locality[HOUSTON] == Gpci(
        HOUSTON,
        "TX",
        "HOUSTON",
        work=Decimal("1.008"),
        pe=Decimal("0.993"),
        mp=Decimal("1.376"),
        work_no_floor=Decimal("1.008"),
    )
    alabama = by_locality[LocalityId("10112", "00")]
    assert (alabama.work_no_floor, alabama.work) == (Decimal("0.988"), Decimal("1.000"))
    assert all(r.work_no_floor is not None and r.work >= r.work_no_floor for r in rows)


def test_gpci_2026_tab_txt_equals_csv(data_dir: Path) -> None:
    csv_parsed, csv_rows = parse_one(data_dir / "cms/pfs/RVU26A/GPCI2026.csv")
    txt_parsed, txt_rows = parse_one(data_dir / "cms/pfs/RVU26A/GPCI2026.txt")
    assert (csv_parsed.layout, txt_parsed.layout) == ("gpci-csv", "gpci-tab")
    assert csv_rows == txt_rows


# --- LOCCO ----------------------------------------------------------------------------------


def test_locco_2025_txt_keeps_leading_zeros(data_dir: Path) -> None:
    parsed, rows = parse_one(data_dir / "cms/pfs/RVU25D/25LOCCO.txt")
    assert (parsed.kind, parsed.release.id, parsed.layout) == (Kind.LOCCO, "RVU25D", "locco-txt")
    assert (
        LocalityCounties(LocalityId("02102", "01"), "ALASKA", "STATEWIDE", "ALL COUNTIES") in rows
    )
    assert LocalityCounties(HOUSTON, "TEXAS", "HOUSTON", "HARRIS") in rows
    # State is written once per state; later rows of the group inherit it.
    rest_of_texas = next(r for r in rows if r.locality == LocalityId("04412", "99"))
    assert (rest_of_texas.state, rest_of_texas.counties) == ("TEXAS", "ALL OTHER COUNTIES")


def test_locco_2025_txt_defects_are_reported(data_dir: Path) -> None:
    """25LOCCO.txt omits CALIFORNIA and cuts long county lists at column 201: the parse
    leaves the state empty instead of inheriting ARKANSAS, and says both in its notes."""
    parsed, rows = parse_one(data_dir / "cms/pfs/RVU25D/25LOCCO.txt")
    los_angeles = next(r for r in rows if r.locality == LocalityId("01182", "18"))
    assert los_angeles.state == ""
    assert sum(1 for r in rows if r.state == "") == 29
    dc = next(r for r in rows if r.locality == LocalityId("12202", "01"))
    assert dc.counties == "DISTRICT OF COLUMBIA; ALEXANDRIA CITY, ARLINGTON, FAIRFAX,"
    notes = " ".join(parsed.notes)
    assert "no state given for 01182-18 (line 13)" in notes
    assert "counties may be cut" in notes and "12202-01 (line 49)" in notes


def test_locco_2025_csv_repads_lost_zeros(data_dir: Path) -> None:
    parsed, rows = parse_one(data_dir / "cms/pfs/RVU25D/25LOCCO.csv")
    assert len(rows) == 109  # 110 rows in the file, 05302-99 listed twice
    assert (
        LocalityCounties(LocalityId("02102", "01"), "ALASKA", "STATEWIDE", "ALL COUNTIES") in rows
    )
    assert LocalityCounties(LocalityId("04412", "09"), "TEXAS", "BRAZORIA", "BRAZORIA") in rows
    assert any("re-padded" in note for note in parsed.notes)
    assert "line 97 repeats line 96 (05302-99): kept once" in parsed.notes
    los_angeles = next(r for r in rows if r.locality == LocalityId("01182", "18"))
    assert los_angeles.state == "CALIFORNIA"
    dc = next(r for r in rows if r.locality == LocalityId("12202", "01"))
    assert dc.counties.endswith("MONTGOMERY AND PRINCE GEORGE'S IN MARYLAND")


def test_locco_2025_csv_and_txt_agree_outside_the_txt_defects(data_dir: Path) -> None:
    _, csv_rows = parse_one(data_dir / "cms/pfs/RVU25D/25LOCCO.csv")
    _, txt_rows = parse_one(data_dir / "cms/pfs/RVU25D/25LOCCO.txt")
    assert [r.locality for r in csv_rows] == [r.locality for r in txt_rows]
    differ = {c.locality for c, t in zip(csv_rows, txt_rows, strict=True) if c != t}
    # California (state missing in the TXT) and the 9 county lists cut at column 201.
    assert len(differ) == 29 + 9


@pytest.mark.parametrize("name", ["26LOCCO.csv", "26LOCCO.txt"])
def test_locco_2026(data_dir: Path, name: str) -> None:
    parsed, rows = parse_one(data_dir / "cms/pfs/RVU26A" / name)
    assert (parsed.release.id, len(rows)) == ("RVU26A", 109)
    assert parsed.notes == ("line 97 repeats line 96 (05302-99): kept once",)
    assert LocalityCounties(HOUSTON, "TEXAS", "HOUSTON", "HARRIS") in rows
    missouri = [r for r in rows if r.locality == LocalityId("05302", "99")]
    assert missouri == [
        LocalityCounties(
            LocalityId("05302", "99"), "MISSOURI", "REST OF STATE", "ALL OTHER COUNTIES"
        )
    ]
    kansas_city = next(r for r in rows if r.locality == LocalityId("05302", "02"))
    assert kansas_city.counties == "CLAY, JACKSON AND PLATTE"


def test_locco_2026_csv_and_tab_txt_agree(data_dir: Path) -> None:
    _, csv_rows = parse_one(data_dir / "cms/pfs/RVU26A/26LOCCO.csv")
    _, txt_rows = parse_one(data_dir / "cms/pfs/RVU26A/26LOCCO.txt")
    assert csv_rows == txt_rows


def test_locco_continuation_lines_join_the_row_above(tmp_path: Path, data_dir: Path) -> None:
    """CMS wraps long county lists onto lines with blank carrier and locality in some years.
    Built from the real 2026 rows for Georgia with the county list split over two lines."""
    lines = (data_dir / "cms/pfs/RVU26A/26LOCCO.csv").read_text().splitlines()
    header = lines[:4]
    atlanta = next(line for line in lines if line.startswith("10212,01,"))
    cut = atlanta.index("FORSYTH")
    wrapped = [atlanta[:cut].rstrip() + '",', ',,,,"' + atlanta[cut:]]
    path = tmp_path / "RVU26A" / "26LOCCO.csv"
    path.parent.mkdir()
    path.write_text("\r\n".join([*header, *wrapped, ""]))
    _, rows = parse_one(path)
    assert len(rows) == 1
    assert rows[0].counties.startswith("BUTTS, CHEROKEE")
    assert rows[0].counties.endswith("ROCKDALE AND WALTON")
    _, real = parse_one(data_dir / "cms/pfs/RVU26A/26LOCCO.csv")
    assert rows[0] == next(r for r in real if r.locality == LocalityId("10212", "01"))


# --- ZIP5 -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def zip_oct2025(data_dir: Path) -> tuple[sources.ParsedFile, list[ZipLocality]]:
    return parse_one(data_dir / "cms/zip-locality/ZIP-OCT2025/ZIP5_OCT2025.txt")


@pytest.fixture(scope="module")
def zip_jan2026(data_dir: Path) -> tuple[sources.ParsedFile, list[ZipLocality]]:
    return parse_one(data_dir / "cms/zip-locality/ZIP-JAN2026/ZIP5_JAN2026.xlsx")


def test_zip5_txt(zip_oct2025: tuple[sources.ParsedFile, list[ZipLocality]]) -> None:
    parsed, rows = zip_oct2025
    assert (parsed.kind, parsed.layout, parsed.release.id) == (Kind.ZIP5, "zip5-txt", "20254")
    assert str(parsed.release.effective_from) == "2025-10-01"
    assert len(rows) == len({r.zip5 for r in rows}) == 42_956
    by_zip = {r.zip5: r for r in rows}
    assert by_zip["77030"] == ZipLocality("77030", "TX", HOUSTON, "", False, "20254")
    assert by_zip["99501"].locality == LocalityId("02102", "01")
    assert by_zip["83128"].rural == "B"  # WY, super rural
    assert sum(1 for r in rows if r.plus_four) == 580


def test_zip5_xlsx(zip_jan2026: tuple[sources.ParsedFile, list[ZipLocality]]) -> None:
    parsed, rows = zip_jan2026
    assert (parsed.layout, parsed.release.id) == ("zip5-xlsx", "20261")
    assert str(parsed.release.effective_from) == "2026-01-01"
    assert len(rows) == 42_956
    by_zip = {r.zip5: r for r in rows}
    assert by_zip["77030"] == ZipLocality("77030", "TX", HOUSTON, "", False, "20261")
    assert sum(1 for r in rows if r.plus_four) == 581


def test_zip5_quarters_map_the_same_zips(
    zip_oct2025: tuple[sources.ParsedFile, list[ZipLocality]],
    zip_jan2026: tuple[sources.ParsedFile, list[ZipLocality]],
) -> None:
    october = {r.zip5: r.locality for r in zip_oct2025[1]}
    january = {r.zip5: r.locality for r in zip_jan2026[1]}
    assert october == january
