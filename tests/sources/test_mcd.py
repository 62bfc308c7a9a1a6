"""Medicare Coverage Database article export, on a fixture in the export's own layout."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from medpayiq import sources
from medpayiq.errors import ParseError
from medpayiq.records import ArticleCode, ArticleContractor
from medpayiq.reference import Catalog
from medpayiq.releases import Kind
from medpayiq.sources import SourceFile

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "mcd"


def test_only_the_three_tables_are_datasets() -> None:
    names = sorted(f.basename for f in sources.iter_files(FIXTURE))
    assert names == [
        "article_x_contractor.csv",
        "article_x_hcpc_code.csv",
        "article_x_icd10_covered.csv",
    ]


def test_article_export_in_the_catalog() -> None:
    coverage = Catalog.from_sources([str(FIXTURE)]).coverage()
    assert coverage.vintage is not None and coverage.vintage.used.id == "2026"
    # Only the latest version (5) of the article: version 4's 62322 and M54.5 are gone.
    assert [c.hcpcs for c in coverage.article_codes] == ["62321", "62323", "64483", "64484"]
    assert coverage.article_codes[1] == ArticleCode(
        "A99901", "62323", "Lumbar or sacral interlaminar epidural injection, with imaging guidance"
    )
    covered = {d.icd10_from for d in coverage.diagnoses}
    assert {"M48062", "M5416", "M5116"} <= covered and "M545" not in covered
    assert all(d.icd10_from == d.icd10_to and d.group == "1" for d in coverage.diagnoses)
    assert coverage.contractors == [
        ArticleContractor("A99901", "01112", "Noridian Healthcare Solutions, LLC", "CA"),
        ArticleContractor("A99901", "01182", "Noridian Healthcare Solutions, LLC", "CA"),
    ]


def test_covered_codes_are_billable_icd10cm(data_dir: Path) -> None:
    icd = sources.parse(
        SourceFile("t", data_dir / "icd10cm/FY2026/icd10cm_codes_April-1-2026.csv.gz")
    )
    billable = {c.code for c in icd.records if c.billable}
    parsed = sources.parse(
        SourceFile("article_x_icd10_covered.csv", FIXTURE / "article_x_icd10_covered.csv")
    )
    assert parsed.kind is Kind.MCD_ARTICLE_ICD10
    assert {d.icd10_from for d in parsed.records} <= billable


def test_export_inside_a_zip(tmp_path: Path) -> None:
    archive = shutil.make_archive(str(tmp_path / "current_article"), "zip", FIXTURE)
    parsed = [sources.parse(f) for f in sources.iter_files(archive)]
    assert sorted(p.kind.value for p in parsed) == [
        "mcd_article_contractor",
        "mcd_article_hcpcs",
        "mcd_article_icd10",
    ]
    contractors = next(p for p in parsed if p.kind is Kind.MCD_ARTICLE_CONTRACTOR)
    assert [c.contractor_number for c in contractors.records] == ["01112", "01182"]


def test_contractor_table_without_its_companion(tmp_path: Path) -> None:
    shutil.copy(FIXTURE / "article_x_contractor.csv", tmp_path)
    parsed = sources.parse(
        SourceFile("article_x_contractor.csv", tmp_path / "article_x_contractor.csv")
    )
    with pytest.raises(ParseError, match=r"contractor\.csv is missing"):
        list(parsed.records)


def test_bad_article_id(tmp_path: Path) -> None:
    path = tmp_path / "article_x_hcpc_code.csv"
    path.write_text(
        "article_id,article_version,hcpc_code_id,hcpc_code_version,hcpc_code_group,long_description,"
        "short_description,range,last_updated\nL39240,1,62323,1,1,x,x,N,10/30/2026\n"
    )
    with pytest.raises(
        ParseError, match=r'line 2, field "article_id": "L39240" is not an article id'
    ):
        sources.parse(SourceFile(path.name, path))
