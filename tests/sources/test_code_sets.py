"""CARC/RARC, place of service, HCPCS Level II and modifier parsers on the shared files."""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from medpayiq import sources
from medpayiq.errors import ParseError
from medpayiq.releases import Kind
from medpayiq.sources import SourceFile

CODING_KINDS = {
    Kind.PTP,
    Kind.MUE,
    Kind.MUE_OUTPATIENT,
    Kind.ADDON,
    Kind.ADJUSTMENT,
    Kind.POS,
    Kind.HCPCS,
    Kind.MODIFIER,
    Kind.ICD10CM,
    Kind.MCD_ARTICLE_HCPCS,
    Kind.MCD_ARTICLE_ICD10,
    Kind.MCD_ARTICLE_CONTRACTOR,
}


def _records(path: Path) -> tuple[sources.ParsedFile, list]:
    parsed = sources.parse(SourceFile(path.name, path))
    return parsed, list(parsed.records)


def _one(directory: Path, pattern: str) -> Path:
    (found,) = directory.glob(pattern)
    return found


def test_adjustment_codes(data_dir: Path) -> None:
    parsed, codes = _records(_one(data_dir / "x12", "carc_rarc_group_codes_*.csv"))
    assert (parsed.kind, parsed.release.id) == (Kind.ADJUSTMENT, "2024")
    assert Counter(c.kind for c in codes) == {"CARC": 405, "RARC": 1_171, "Group": 5}
    assert sum(1 for c in codes if c.end) == 110
    by_key = {(c.kind, c.code): c for c in codes}
    assert "National Correct Coding Initiative" in by_key[("CARC", "236")].description
    assert by_key[("CARC", "236")].start == date(2011, 1, 30)
    assert by_key[("RARC", "N362")].start == date(2005, 11, 18)
    assert by_key[("Group", "CO")].description == "Contractual Obligations"


def test_places_of_service(data_dir: Path) -> None:
    parsed, places = _records(_one(data_dir / "cms/pos", "*.csv"))
    assert (parsed.kind, parsed.release.id) == (Kind.POS, "2024")
    assert len(places) == 99
    assert Counter(p.facility for p in places) == {False: 34, True: 18, None: 47}
    by_code = {p.code: p for p in places}
    assert (by_code["11"].name, by_code["11"].facility) == ("Office", False)
    assert (by_code["22"].name, by_code["22"].facility) == ("On Campus-Outpatient Hospital", True)
    assert by_code["19"].facility is True


def test_hcpcs_2024_with_descriptions(data_dir: Path) -> None:
    parsed, codes = _records(data_dir / "cms/hcpcs/hcpcs_level2_2024-07.from-northstar.csv")
    assert (parsed.kind, parsed.release.id) == (Kind.HCPCS, "2024")
    assert len(codes) == 8_033
    by_code = {c.code: c for c in codes}
    assert by_code["A0021"].short_description == "Outside state ambulance serv"
    assert by_code["A0021"].added == date(1985, 1, 1)
    assert by_code["A4397"].terminated == date(2021, 12, 31)


def test_hcpcs_2026_codes_only(data_dir: Path) -> None:
    parsed, codes = _records(data_dir / "cms/hcpcs/hcpcs_level2_2026q3.txt.gz")
    assert (parsed.kind, parsed.release.id) == (Kind.HCPCS, "2026")
    assert len(codes) == 8_725
    assert codes[0].code == "A0021" and codes[0].long_description == ""
    assert parsed.notes


def test_modifiers(data_dir: Path) -> None:
    parsed, modifiers = _records(data_dir / "cms/hcpcs/modifiers_2024-06.from-northstar.csv")
    assert (parsed.kind, parsed.release.id) == (Kind.MODIFIER, "2024")
    assert Counter(m.kind for m in modifiers) == {"HCPCS": 384, "CPT": 49}
    assert [m.category for m in modifiers if m.code == "KX"] == ["General", "Therapy"]
    assert next(m for m in modifiers if m.code == "59").description == "Distinct Procedural Service"


def test_bad_place_of_service_setting(tmp_path: Path) -> None:
    path = tmp_path / "place_of_service_codes_2027.csv"
    path.write_text("pos_code,pos_type,pos_name,pos_description\n11,Office-ish,Office,x\n")
    with pytest.raises(ParseError, match=r'line 2, field "pos_type": "Office-ish" is not Facility'):
        _records(path)


@pytest.mark.parametrize("folder", ["cms/pfs", "cms/zip-locality", "cms/payment-files"])
def test_coding_layouts_never_claim_fee_schedule_files(data_dir: Path, folder: str) -> None:
    coding = [layout for layout in sources.layouts() if layout.kind in CODING_KINDS]
    for file in sources.iter_files(data_dir / folder):
        claimed = [layout.name for layout in coding if layout.sniff(file)]
        assert claimed == [], f"{file.name} claimed by {claimed}"


def test_every_shared_coding_file_is_recognised(data_dir: Path) -> None:
    folders = ["cms/ncci", "cms/hcpcs", "cms/pos", "x12", "icd10cm"]
    kinds = Counter(
        sources.detect(f).kind for d in folders for f in sources.iter_files(data_dir / d)
    )
    assert kinds == {
        Kind.PTP: 1,
        Kind.MUE: 1,
        Kind.MUE_OUTPATIENT: 1,
        Kind.ADDON: 2,
        Kind.HCPCS: 2,
        Kind.MODIFIER: 1,
        Kind.POS: 1,
        Kind.ADJUSTMENT: 1,
        Kind.ICD10CM: 3,
    }
