"""Fee schedule bundle parsers (PPRRVU, ANES, OPPSCAP) on the official CMS files."""

from __future__ import annotations

import zipfile
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from medpayiq import sources
from medpayiq.errors import ParseError
from medpayiq.records import AnesthesiaCf, LocalityId, OppsCap, RvuRow
from medpayiq.releases import Kind

RVU25D = "cms/pfs/RVU25D"
RVU26A = "cms/pfs/RVU26A"
RVU26C = "cms/pfs/RVU26C"


def parse_one(path: Path) -> tuple[sources.ParsedFile, list[Any]]:
    (file,) = list(sources.iter_files(path))
    parsed = sources.parse(file)
    return parsed, list(parsed.records)


@pytest.fixture(scope="module")
def rvu25d_csv(data_dir: Path) -> tuple[sources.ParsedFile, list[RvuRow]]:
    return parse_one(data_dir / RVU25D / "PPRRVU2025_Oct.csv")


@pytest.fixture(scope="module")
def rvu25d_txt(data_dir: Path) -> tuple[sources.ParsedFile, list[RvuRow]]:
    return parse_one(data_dir / RVU25D / "PPRRVU2025_Oct.txt")


@pytest.fixture(scope="module")
def rvu26c_csv(data_dir: Path) -> tuple[sources.ParsedFile, list[RvuRow]]:
    return parse_one(data_dir / RVU26C / "PPRRVU2026_Jul_nonQPP.csv")


def rows_for(records: list[RvuRow], hcpcs: str) -> dict[str, RvuRow]:
    return {r.modifier: r for r in records if r.hcpcs == hcpcs}


# --- PPRRVU ---------------------------------------------------------------------------------


def test_rvu25d_csv_rows_release_and_62323(
    rvu25d_csv: tuple[sources.ParsedFile, list[RvuRow]],
) -> None:
    parsed, records = rvu25d_csv
    assert (parsed.kind, parsed.layout, parsed.variant) == (Kind.PPRRVU, "pprrvu-csv-2025", "")
    assert parsed.release.id == "RVU25D"  # from the title "... October Release"
    assert (parsed.release.effective_from, parsed.release.effective_to) == (
        date(2025, 10, 1),
        date(2025, 12, 31),
    )
    assert len(records) == 19_090
    row = rows_for(records, "62323")[""]
    assert (row.work, row.pe_nonfacility, row.pe_facility, row.mp) == (
        Decimal("1.80"),
        Decimal("5.66"),
        Decimal("1.00"),
        Decimal("0.17"),
    )
    assert row.conversion_factor == Decimal("32.3465")
    assert (row.status, row.global_days, row.mult_proc, row.pric_ind) == ("A", "000", "2", None)
    assert {r.conversion_factor for r in records} == {Decimal("32.3465")}


def test_rvu25d_txt_rows_and_release_from_folder(
    rvu25d_txt: tuple[sources.ParsedFile, list[RvuRow]],
) -> None:
    parsed, records = rvu25d_txt
    assert parsed.layout == "pprrvu-txt-2025"
    assert parsed.release.id == "RVU25D"  # the TXT has no title: the folder name says it
    assert len(records) == 19_090
    row = rows_for(records, "62323")[""]
    assert (row.work, row.pe_nonfacility, row.pe_facility, row.mp, row.conversion_factor) == (
        Decimal("1.80"),
        Decimal("5.66"),
        Decimal("1.00"),
        Decimal("0.17"),
        Decimal("32.3465"),
    )


def test_rvu25d_txt_and_csv_give_identical_records(
    rvu25d_csv: tuple[sources.ParsedFile, list[RvuRow]],
    rvu25d_txt: tuple[sources.ParsedFile, list[RvuRow]],
) -> None:
    csv_records, txt_records = rvu25d_csv[1], rvu25d_txt[1]
    assert len(csv_records) == len(txt_records)
    different = [(c, t) for c, t in zip(csv_records, txt_records, strict=True) if c != t]
    assert different == []


def test_modifier_rows_and_na_indicators(
    rvu25d_csv: tuple[sources.ParsedFile, list[RvuRow]],
) -> None:
    records = rvu25d_csv[1]
    chest = rows_for(records, "71046")
    assert set(chest) == {"", "26", "TC"}
    assert (chest[""].pctc, chest["26"].work, chest["TC"].work) == (
        "1",
        Decimal("0.22"),
        Decimal("0.00"),
    )
    # 71046 global and TC: facility PE marked NA; TC also has OPPS PE/MP amounts.
    assert (chest[""].pe_facility_na, chest["26"].pe_facility_na, chest["TC"].pe_facility_na) == (
        True,
        False,
        True,
    )
    assert (chest["TC"].opps_pe_nonfacility, chest["TC"].opps_mp) == (
        Decimal("2.68"),
        Decimal("0.04"),
    )
    assert set(rows_for(records, "45378")) == {"", "53"}
    assert sum(1 for r in records if r.modifier == "53") == 4
    assert sum(1 for r in records if r.modifier == "26") == 1127
    assert sum(1 for r in records if r.modifier == "TC") == 1108
    idet = rows_for(records, "22526")[""]
    assert (idet.status, idet.not_used_for_medicare) == ("N", True)
    egd = rows_for(records, "43239")[""]
    assert (egd.endo_base, egd.mult_proc) == ("43235", "3")
    # Descriptions keep their commas (quoted in the CSV).
    assert rows_for(records, "80161")[""].description == "Asy carbamazepin 10,11-epxid"


def test_rvu26c_csv_2026_layout(rvu26c_csv: tuple[sources.ParsedFile, list[RvuRow]]) -> None:
    parsed, records = rvu26c_csv
    assert (parsed.layout, parsed.release.id, parsed.variant) == ("pprrvu-csv-2026", "RVU26C", "")
    assert parsed.release.effective_from == date(2026, 7, 1)
    assert len(records) == 19_356
    row = rows_for(records, "62323")[""]
    assert (row.work, row.pe_nonfacility, row.pe_facility, row.mp) == (
        Decimal("1.76"),
        Decimal("6.25"),
        Decimal("0.74"),
        Decimal("0.17"),
    )
    assert row.conversion_factor == Decimal("33.4009")
    assert {r.pric_ind for r in records} == {"9"}


# Three rows of CMS's PPRRVU2026_Jan_nonQPP.txt (rvu26a zip), copied from the file as CMS
# published it. No 2026 TXT is in shared/data; these are the same rows as in the Jul CSV.
HDR_2026 = [
    "HDR CPT CODES AND DESCRIPTIONS ONLY ARE COPYRIGHT ",
    "HDR 2026 AMERICAN MEDICAL ASSOCIATION.  ALL RIGHTS",
    "HDR RESERVED.  APPLICABLE FARS/DFARS APPLY.       ",
]
TXT_2026_ROWS = [
    "43239  Egd biopsy single/multiple                        A   2.33   9.94     1.10    0.27"
    "  12.54  3.700000.00.00.00301009      43235 33.4009 090 99      0.00   0.00   0.00",
    "43288  Esphg thrsc moblj                                 A  64.76  22.49NA  22.49   16.45"
    " 103.70103.700090.09.81.10202209            33.4009 090 99      0.00   0.00   0.00",
    "43289  Unlisted laps px esoph                            C   0.00   0.00     0.00    0.00"
    "   0.00  0.000YYY.00.00.00212119            33.4009 090 99      0.00   0.00   0.00",
]


def test_2026_txt_layout_reads_cms_rows(
    tmp_path: Path, rvu26c_csv: tuple[sources.ParsedFile, list[RvuRow]]
) -> None:
    assert {len(line) for line in TXT_2026_ROWS} == {171}
    folder = tmp_path / "RVU26A"
    folder.mkdir()
    path = folder / "PPRRVU2026_Jan_nonQPP.txt"
    path.write_bytes("\r\n".join([*HDR_2026, *TXT_2026_ROWS, ""]).encode("ascii"))
    parsed, records = parse_one(path)
    assert (parsed.layout, parsed.release.id, parsed.variant) == ("pprrvu-txt-2026", "RVU26A", "")
    by_code = {r.hcpcs: r for r in records}
    assert (by_code["43239"].pric_ind, by_code["43239"].endo_base) == ("9", "43235")
    assert (by_code["43288"].total_nonfacility, by_code["43288"].total_facility) == (
        Decimal("103.70"),
        Decimal("103.70"),
    )
    # The same codes in the Jul 2026 CSV carry the same values in every column.
    july = {r.hcpcs: r for r in rvu26c_csv[1] if r.hcpcs in by_code and r.modifier == ""}
    assert by_code == july


def test_qpp_file_is_the_qp_variant(tmp_path: Path, data_dir: Path) -> None:
    # The first 13 lines of the Jul 2026 CSV under QPP and nonQPP names: the name decides.
    head = (data_dir / RVU26C / "PPRRVU2026_Jul_nonQPP.csv").read_bytes().split(b"\n")[:13]
    for name, variant in [
        ("PPRRVU2026_Jul_QPP.csv", "qp"),
        ("PPRRVU2026_Jul_nonQPP.csv", ""),
        ("PPRRVU2026_Jul_NONQPP.csv", ""),
    ]:
        path = tmp_path / name
        path.write_bytes(b"\n".join(head) + b"\n")
        parsed, records = parse_one(path)
        assert (parsed.variant, parsed.release.id, len(records)) == (variant, "RVU26C", 3)


def test_txt_without_folder_takes_release_from_its_name(tmp_path: Path, data_dir: Path) -> None:
    lines = (data_dir / RVU25D / "PPRRVU2025_Oct.txt").read_bytes().split(b"\r\n")[:12]
    path = tmp_path / "PPRRVU2025_Oct.txt"
    path.write_bytes(b"\r\n".join(lines) + b"\r\n")
    parsed, records = parse_one(path)
    assert (parsed.release.id, len(records)) == ("RVU25D", 5)


# --- release zips ---------------------------------------------------------------------------


def test_release_zip_as_cms_publishes_it(tmp_path: Path, data_dir: Path) -> None:
    """A zip named like CMS's rvu25d.zip: every member parses, the release comes from the
    zip name for the files that do not state it, and the records equal the loose files'."""
    bundle = tmp_path / "rvu25d.zip"
    names = ["PPRRVU2025_Oct.txt", "GPCI2025.txt", "25LOCCO.txt", "ANES2025.txt",
             "OPPSCAP_Oct.txt", "RVUPUF25.pdf"]  # fmt: skip
    with zipfile.ZipFile(bundle, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in names[:-1]:
            archive.write(data_dir / RVU25D / name, name)
        archive.writestr(names[-1], b"%PDF-1.4 documentation is skipped")
    parsed = {p.source.basename: p for p in sources.read([bundle])}
    assert set(parsed) == set(names[:-1])
    assert {p.release.id for p in parsed.values()} == {"RVU25D"}
    assert parsed["PPRRVU2025_Oct.txt"].source.name == "rvu25d.zip!PPRRVU2025_Oct.txt"
    counts = {name: sum(1 for _ in p.records) for name, p in parsed.items()}
    assert counts == {
        "PPRRVU2025_Oct.txt": 19_090,
        "GPCI2025.txt": 109,
        "25LOCCO.txt": 109,
        "ANES2025.txt": 109,
        "OPPSCAP_Oct.txt": 16_100,
    }


def test_zip_inside_a_folder_and_csv_member(tmp_path: Path, data_dir: Path) -> None:
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    with zipfile.ZipFile(downloads / "RVU26C.zip", "w") as archive:
        archive.write(data_dir / RVU26C / "PPRRVU2026_Jul_nonQPP.csv", "PPRRVU2026_Jul_nonQPP.csv")
    (parsed,) = list(sources.read([downloads]))
    records = list(parsed.records)
    assert (parsed.release.id, len(records)) == ("RVU26C", 19_356)


# --- ANES and OPPSCAP -----------------------------------------------------------------------


def test_anes_2025_csv_and_txt(data_dir: Path) -> None:
    csv_parsed, csv_rows = parse_one(data_dir / RVU25D / "ANES2025.csv")
    txt_parsed, txt_rows = parse_one(data_dir / RVU25D / "ANES2025.txt")
    assert (csv_parsed.kind, csv_parsed.release.id, txt_parsed.release.id) == (
        Kind.ANES,
        "RVU25D",
        "RVU25D",
    )
    assert len(csv_rows) == len(txt_rows) == 109
    houston = AnesthesiaCf(LocalityId("04412", "18"), "HOUSTON", Decimal("21.09"))
    assert houston in csv_rows and houston in txt_rows  # TXT stores 2109 (CF x100)
    alaska = next(r for r in csv_rows if r.locality == LocalityId("02102", "01"))
    assert (alaska.name, alaska.cf, alaska.cf_qp) == ("ALASKA", Decimal("27.86"), None)
    # The TXT cuts names at 40 characters; CFs and localities agree row for row.
    assert [(r.locality, r.cf) for r in csv_rows] == [(r.locality, r.cf) for r in txt_rows]
    assert all(c.name.startswith(t.name) for c, t in zip(csv_rows, txt_rows, strict=True))


def test_anes_2026_qp_and_non_qp(data_dir: Path) -> None:
    _, csv_rows = parse_one(data_dir / RVU26A / "ANES2026.csv")
    _, txt_rows = parse_one(data_dir / RVU26A / "ANES2026.txt")
    assert len(csv_rows) == len(txt_rows) == 109
    alaska = AnesthesiaCf(LocalityId("02102", "01"), "ALASKA", Decimal("28.15"), Decimal("28.29"))
    assert alaska in csv_rows and alaska in txt_rows
    assert [(r.locality, r.cf, r.cf_qp) for r in csv_rows] == [
        (r.locality, r.cf, r.cf_qp) for r in txt_rows
    ]


def test_oppscap_csv_and_txt(data_dir: Path) -> None:
    csv_parsed, csv_rows = parse_one(data_dir / RVU25D / "OPPSCAP_Oct.csv")
    txt_parsed, txt_rows = parse_one(data_dir / RVU25D / "OPPSCAP_Oct.txt")
    assert (csv_parsed.kind, csv_parsed.release.id, txt_parsed.release.id) == (
        Kind.OPPSCAP,
        "RVU25D",
        "RVU25D",
    )
    assert len(csv_rows) == 16_100
    assert csv_rows == txt_rows
    first = OppsCap(
        "0633T", "TC", "C", LocalityId("01112", "05"), Decimal("150.69"), Decimal("150.69")
    )
    assert csv_rows[0] == first
    assert (
        OppsCap("93990", "TC", "A", LocalityId("15202", "00"), Decimal("97.07"), Decimal("97.07"))
        in txt_rows
    )


def test_oppscap_without_release_folder_is_refused(tmp_path: Path, data_dir: Path) -> None:
    path = tmp_path / "OPPSCAP_Oct.txt"
    path.write_bytes((data_dir / RVU25D / "OPPSCAP_Oct.txt").read_bytes()[:400])
    (file,) = list(sources.iter_files(path))
    with pytest.raises(ParseError) as err:
        sources.parse(file)
    assert "OPPSCAP_Oct.txt line 1" in str(err.value) and "RVUyyX folder" in str(err.value)


# --- detection over the whole shared data set ---------------------------------------------

EXPECTED_LAYOUTS = {
    "PPRRVU2025_Oct.csv": "pprrvu-csv",
    "PPRRVU2025_Oct.txt": "pprrvu-txt",
    "PPRRVU2026_Jul_nonQPP.csv": "pprrvu-csv",
    "PPRRVU2026_Apr_nonQPP.txt": "pprrvu-txt",
    "CLFS_2026_Q1V1.xlsx": "clfs-xlsx",
    "PUF_CLFS_CY2026_Q2V1.csv": "clfs-csv",
    "DMEPOS26_JAN.xlsx": "dmepos",
    "DMEPEN26_JAN.xlsx": "dmepos",
    "GPCI2025.csv": "gpci",
    "GPCI2025.txt": "gpci",
    "GPCI2026.csv": "gpci",
    "GPCI2026.txt": "gpci",
    "25LOCCO.csv": "locco",
    "25LOCCO.txt": "locco",
    "26LOCCO.csv": "locco",
    "26LOCCO.txt": "locco",
    "ANES2025.csv": "anes",
    "ANES2025.txt": "anes",
    "ANES2026.csv": "anes",
    "ANES2026.txt": "anes",
    "OPPSCAP_Oct.csv": "oppscap",
    "OPPSCAP_Oct.txt": "oppscap",
    "ZIP5_OCT2025.txt": "zip5-txt",
    "ZIP5_JAN2026.xlsx": "zip5-xlsx",
    "PFREV25C.txt": "pfrev",
    "PFREV4.txt": "pfrev",
}
MINE = {
    "pprrvu-csv",
    "pprrvu-txt",
    "gpci",
    "locco",
    "anes",
    "oppscap",
    "zip5-txt",
    "zip5-xlsx",
    "pfrev",
    "clfs-csv",
    "clfs-xlsx",
    "dmepos",
}


def test_detect_picks_the_right_layout_for_every_cms_file(data_dir: Path) -> None:
    found = {}
    # Each file named directly: `iter_files` on the folder would pass over the TXT twins.
    # CMS's documentation beside the data (layouts, the RVU26B README pdf) is not data.
    paths = [p for p in (data_dir / "cms").rglob("*") if p.is_file() and "lyout" not in p.name]
    for file in (
        f for p in paths if p.suffix not in (".md", ".pdf") for f in sources.iter_files(p)
    ):
        layout = sources.detect(file)
        if file.basename in EXPECTED_LAYOUTS or layout.name in MINE:
            found[file.basename] = layout.name
    assert found == EXPECTED_LAYOUTS


def test_a_release_folder_reads_the_csv_of_each_csv_txt_twin(data_dir: Path) -> None:
    # 25LOCCO.txt truncates county lists and loses California's state; the CSV is complete.
    names = {f.basename for f in sources.iter_files(data_dir / "cms" / "pfs" / "RVU25D")}
    assert names == {
        "25LOCCO.csv",
        "ANES2025.csv",
        "GPCI2025.csv",
        "OPPSCAP_Oct.csv",
        "PPRRVU2025_Oct.csv",
    }


def test_layout_docs_are_not_data(data_dir: Path) -> None:
    names = {f.basename for f in sources.iter_files(data_dir / "cms" / "zip-locality")}
    assert names == {"ZIP5_OCT2025.txt", "ZIP5_JAN2026.xlsx"}


def test_records_are_lazy_and_read_once(data_dir: Path) -> None:
    (file,) = list(sources.iter_files(data_dir / RVU25D / "PPRRVU2025_Oct.csv"))
    parsed = sources.parse(file)
    assert next(parsed.records).hcpcs == "0001F"
    assert sum(1 for _ in parsed.records) == 19_089
