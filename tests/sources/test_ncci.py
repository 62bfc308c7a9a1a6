"""NCCI parsers against the shared 2024 Q3 tables and fixtures in CMS's own layouts."""

from __future__ import annotations

import shutil
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from medpayiq import sources
from medpayiq.errors import ParseError
from medpayiq.records import AddonEdit, MueEdit, PtpEdit
from medpayiq.releases import Kind
from medpayiq.sources import SourceFile

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "ncci"


def _parse(path: Path) -> sources.ParsedFile:
    return sources.parse(SourceFile(path.name, path))


def _one(directory: Path, pattern: str) -> Path:
    (found,) = directory.glob(pattern)
    return found


# --- PTP ---------------------------------------------------------------------------------------


@pytest.mark.slow
def test_derived_ptp_table_whole(data_dir: Path) -> None:
    parsed = _parse(_one(data_dir / "cms/ncci/ptp/2024Q3", "*.csv.gz"))
    assert (parsed.kind, parsed.release.id, parsed.variant) == (Kind.PTP, "2024Q3", "")
    rows = 0
    indicators: Counter[str] = Counter()
    pair = []
    for edit in parsed.records:
        rows += 1
        indicators[edit.modifier_indicator] += 1
        if edit.column1 == "62323" and edit.column2 == "77003":
            pair.append(edit)
    assert rows == 2_546_017
    assert indicators == {"0": 739_553, "1": 1_707_611, "9": 98_853}
    assert pair == [
        PtpEdit("62323", "77003", None, None, "1", "CPT Manual or CMS manual coding instruction")
    ]


def test_derived_ptp_deletion_dates(tmp_path: Path) -> None:
    path = tmp_path / "ccipra-v302r0-practitioner.csv"
    path.write_text(
        "column_1,column_2,deletion_date,modifier_indicator,ptp_edit_rationale\n"
        "0001A,0591T,20231231,1,CPT Manual or CMS manual coding instruction\n"
        "62323,62322,,0,HCPCS/CPT procedure code definition\n"
    )
    edits = list(_parse(path).records)
    assert edits[0].deletion == date(2023, 12, 31)
    assert edits[1].deletion is None and edits[1].modifier_indicator == "0"


def test_cms_ptp_txt() -> None:
    parsed = _parse(FIXTURES / "ccipra-v302r0-f1.TXT")
    assert (parsed.layout, parsed.kind, parsed.release.id, parsed.variant) == (
        "ncci-ptp-cms-txt",
        Kind.PTP,
        "2024Q3",
        "f1",
    )
    edits = {(e.column1, e.column2): e for e in parsed.records}
    assert len(edits) == 6
    assert edits[("62323", "77003")] == PtpEdit(
        "62323", "77003", date(2017, 1, 1), None, "1", "CPT Manual or CMS manual coding instruction"
    )
    assert edits[("62323", "62322")].modifier_indicator == "0"
    assert edits[("0001A", "0591T")].deletion == date(2023, 12, 31)


def test_cms_ptp_xlsx_matches_txt() -> None:
    xlsx = _parse(FIXTURES / "ccipra-v302r0-f1.xlsx")
    assert (xlsx.layout, xlsx.release.id, xlsx.variant) == ("ncci-ptp-cms-xlsx", "2024Q3", "f1")
    assert list(xlsx.records) == list(_parse(FIXTURES / "ccipra-v302r0-f1.TXT").records)


@pytest.mark.parametrize(
    ("name", "quarter"),
    [
        ("ccipra-v302r0-f1.TXT", "2024Q3"),
        ("ccipra-v310r0-f4.TXT", "2025Q1"),
        ("ccipra-v313r0-f2.TXT", "2025Q4"),
        ("ccipra-v240r0-f1.TXT", "2018Q1"),
    ],
)
def test_ptp_release_from_version(tmp_path: Path, name: str, quarter: str) -> None:
    # NCCI version 30.x is 2024 (v24.0 = Jan 2018, v31.0 = 2025 Q1); minor digit + 1 = quarter.
    target = tmp_path / name
    shutil.copy(FIXTURES / "ccipra-v302r0-f1.TXT", target)
    assert _parse(target).release.id == quarter


def test_ptp_quarter_from_folder_when_renamed(tmp_path: Path) -> None:
    folder = tmp_path / "2026Q3"
    folder.mkdir()
    shutil.copy(FIXTURES / "ccipra-v302r0-f1.TXT", folder / "practitioner-edits.txt")
    assert _parse(folder / "practitioner-edits.txt").release.id == "2026Q3"


def test_ptp_without_any_quarter_is_refused(tmp_path: Path) -> None:
    shutil.copy(FIXTURES / "ccipra-v302r0-f1.TXT", tmp_path / "edits.txt")
    with pytest.raises(ParseError, match="cannot tell which NCCI quarter"):
        _parse(tmp_path / "edits.txt")


def test_bad_modifier_indicator_in_cms_txt(tmp_path: Path) -> None:
    text = (FIXTURES / "ccipra-v302r0-f1.TXT").read_bytes()
    bad = text.replace(b"62323\t77003\t\t20170101\t*\t1\t", b"62323\t77003\t\t20170101\t*\t2\t")
    assert bad != text
    path = tmp_path / "ccipra-v302r0-f1.TXT"
    path.write_bytes(bad)
    with pytest.raises(ParseError) as caught:
        list(_parse(path).records)
    assert (caught.value.pos.line, caught.value.pos.field) == (10, "Modifier")
    message = str(caught.value)
    assert message == (
        'ccipra-v302r0-f1.TXT line 10, field "Modifier": '
        '"2" is not a modifier indicator (0, 1 or 9)'
    )
    assert "\n" not in message


def test_bad_modifier_indicator_in_derived_csv(tmp_path: Path) -> None:
    path = tmp_path / "ccipra-v302r0-practitioner.csv"
    path.write_text(
        "column_1,column_2,deletion_date,modifier_indicator,ptp_edit_rationale\n"
        "62323,62322,,0,HCPCS/CPT procedure code definition\n"
        "62323,77003,,X,CPT Manual or CMS manual coding instruction\n"
    )
    with pytest.raises(
        ParseError, match=r'line 3, field "modifier_indicator": "X" is not a modifier'
    ):
        list(_parse(path).records)


def test_bad_effective_date_in_cms_txt(tmp_path: Path) -> None:
    text = (FIXTURES / "ccipra-v302r0-f1.TXT").read_bytes().replace(b"20170101", b"2017-01-01", 1)
    path = tmp_path / "ccipra-v302r0-f1.TXT"
    path.write_bytes(text)
    with pytest.raises(
        ParseError, match=r'line 8, field "Effective Date": "2017-01-01" is not a date'
    ):
        list(_parse(path).records)


# --- MUE ---------------------------------------------------------------------------------------


def test_derived_mue_practitioner(data_dir: Path) -> None:
    parsed = _parse(_one(data_dir / "cms/ncci/mue/2024Q3", "MCR_MUE_Practitioner*.csv"))
    assert (parsed.kind, parsed.release.id) == (Kind.MUE, "2024Q3")
    edits = list(parsed.records)
    assert len(edits) == 14_677
    assert Counter(e.mai for e in edits) == {"3": 9_479, "2": 5_157, "1": 41}
    by_code = {e.hcpcs: e for e in edits}
    assert by_code["62323"] == MueEdit("62323", 1, "3", "Clinical: Data")
    assert by_code["64484"] == MueEdit("64484", 4, "3", "Clinical: Data")


def test_derived_mue_outpatient(data_dir: Path) -> None:
    parsed = _parse(_one(data_dir / "cms/ncci/mue/2024Q3", "MCR_MUE_Outpatient*.csv"))
    assert (parsed.kind, parsed.release.id) == (Kind.MUE_OUTPATIENT, "2024Q3")
    assert sum(1 for _ in parsed.records) == 14_628


def test_cms_mue_csv_and_xlsx() -> None:
    csv_file = _parse(FIXTURES / "MCR_MUE_PractitionerServices_Eff_07-01-2024.csv")
    xlsx = _parse(FIXTURES / "MCR_MUE_PractitionerServices_Eff_07-01-2024.xlsx")
    hospital = _parse(FIXTURES / "MCR_MUE_OutpatientHospitalServices_Eff_07-01-2024.csv")
    assert (csv_file.kind, xlsx.kind, hospital.kind) == (Kind.MUE, Kind.MUE, Kind.MUE_OUTPATIENT)
    assert {csv_file.release.id, xlsx.release.id, hospital.release.id} == {"2024Q3"}
    edits = list(csv_file.records)
    assert edits == list(xlsx.records)
    by_code = {e.hcpcs: e for e in edits}
    assert by_code["62323"] == MueEdit("62323", 1, "3", "Clinical: Data")
    assert by_code["64483"] == MueEdit("64483", 1, "2", "CMS Policy")
    assert by_code["99486"].mai == "1"


def test_bad_mue_indicator(tmp_path: Path) -> None:
    name = "MCR_MUE_PractitionerServices_Eff_10-01-2024.csv"
    text = (FIXTURES / "MCR_MUE_PractitionerServices_Eff_07-01-2024.csv").read_text()
    (tmp_path / name).write_text(text.replace('"1 Line Edit"', '"4 Line Edit"'), newline="")
    parsed = _parse(tmp_path / name)
    assert parsed.release.id == "2024Q4"
    with pytest.raises(
        ParseError, match=r'field "MUE Adjudication Indicator": "4 Line Edit" does not'
    ):
        list(parsed.records)


# --- Add-on codes ------------------------------------------------------------------------------


def test_derived_addon_table(data_dir: Path) -> None:
    parsed = _parse(_one(data_dir / "cms/ncci/addon/2024Q2", "AOC_*.csv"))
    # Named for the day CMS posted it (2024-06-03): the file for the quarter starting July 1.
    assert (parsed.kind, parsed.release.id) == (Kind.ADDON, "2024Q3")
    edits = list(parsed.records)
    assert len(edits) == 7_465
    assert [e.primary for e in edits if e.addon == "64484"] == ["64483"]
    contractor_defined = Counter(e.edit_type for e in edits if e.primary == "CCCCC")
    assert contractor_defined == {"2": 36, "3": 8}
    assert all(e.effective is None and e.deletion is None for e in edits)


def test_cms_addon_xlsx() -> None:
    parsed = _parse(FIXTURES / "AOC_V2024Q3-MCR.xlsx")
    assert (parsed.layout, parsed.kind, parsed.release.id) == (
        "ncci-aoc-cms-xlsx",
        Kind.ADDON,
        "2024Q3",
    )
    edits = list(parsed.records)
    assert edits[0] == AddonEdit("CCCCC", "0054T", "2", date(2013, 4, 1), None)
    assert AddonEdit("64483", "64484", "1", date(2013, 4, 1), None) in edits
    # YYYYDDD: 2023365 is December 31, 2023.
    assert AddonEdit("64999", "64484", "1", date(2013, 4, 1), date(2023, 12, 31)) in edits


def test_ncci_tables_in_the_catalog(data_dir: Path) -> None:
    from medpayiq.reference import Catalog

    catalog = Catalog.from_sources(
        [
            str(FIXTURES / "ccipra-v302r0-f1.TXT"),
            str(data_dir / "cms/ncci/mue/2024Q3"),
            str(data_dir / "cms/ncci/addon/2024Q2"),
        ],
    )
    tables = catalog.ncci(date(2024, 8, 15))
    assert tables.vintage.used.id == "2024Q3"
    assert [(e.column2, e.modifier_indicator) for e in tables.ptp_among({"62323", "77003"})] == [
        ("77003", "1")
    ]
    assert tables.mue("62323") == MueEdit("62323", 1, "3", "Clinical: Data")
    assert [a.primary for a in tables.addon_primaries("64484")] == ["64483"]
