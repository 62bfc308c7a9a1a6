"""A small pair of releases for the comparison tests, built in milliseconds.

The fee schedule rows are copied from CMS's RVU25D and RVU26C PPRRVU files (same codes, same
figures), the GPCIs from GPCI2025 and GPCI2026, so the hand computations in the tests are
real amounts. The ZIP, edit and CLFS rows are made up for the cases they test (a ZIP that
moves, an edit added or deleted) and say so; the figures that must come from the files are
in test_files.py, on the `catalog` fixture.
"""

# ruff: noqa: E501  (the rows are tables: one CMS row per line reads best)
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from medpayiq.records import (
    AddonEdit,
    Gpci,
    LabFee,
    LocalityId,
    MueEdit,
    PlaceOfService,
    PtpEdit,
    RvuRow,
    ZipLocality,
)
from medpayiq.reference import Catalog, Provenance
from medpayiq.releases import (
    Family,
    Kind,
    ncci_release,
    pfs_release,
    quarter_release,
    yearly_release,
    zip_release,
)

D = Decimal
CF25 = D("32.3465")
CF26 = D("33.4009")
HOUSTON = LocalityId("04412", "18")
REST_OF_TEXAS = LocalityId("04412", "99")


def rvu(
    hcpcs: str,
    modifier: str = "",
    *,
    work: str,
    pe_nf: str,
    pe_f: str,
    mp: str,
    cf: Decimal,
    status: str = "A",
    pctc: str = "0",
    glob: str = "XXX",
    mult: str = "0",
    bilat: str = "0",
    nf_na: bool = False,
    f_na: bool = False,
    opps: tuple[str, str, str] = ("0", "0", "0"),
) -> RvuRow:
    w, pn, pf, m = D(work), D(pe_nf), D(pe_f), D(mp)
    return RvuRow(
        hcpcs=hcpcs, modifier=modifier, description=f"test {hcpcs}", status=status,
        not_used_for_medicare=False, work=w, pe_nonfacility=pn, pe_nonfacility_na=nf_na,
        pe_facility=pf, pe_facility_na=f_na, mp=m, total_nonfacility=w + pn + m,
        total_facility=w + pf + m, pctc=pctc, global_days=glob, pre_op=D(0), intra_op=D(0),
        post_op=D(0), mult_proc=mult, bilat_surg=bilat, asst_surg="0", co_surg="0", team_surg="0",
        pric_ind=None, endo_base="", conversion_factor=cf, phys_supervision="09", calc_flag="0",
        diag_imaging_family="99", opps_pe_nonfacility=D(opps[0]), opps_pe_facility=D(opps[1]),
        opps_mp=D(opps[2]),
    )  # fmt: skip


# RVU25D rows (PPRRVU2025_Oct.csv).
ROWS_25 = [
    rvu("62323", work="1.80", pe_nf="5.66", pe_f="1.00", mp="0.17", glob="000", mult="2", cf=CF25),
    rvu("99213", work="1.30", pe_nf="1.35", pe_f="0.57", mp="0.10", cf=CF25),
    rvu("27447", work="19.60", pe_nf="15.30", pe_f="15.30", mp="3.98", glob="090", mult="2", bilat="1", nf_na=True, cf=CF25),
    rvu("71046", work="0.22", pe_nf="0.77", pe_f="0.77", mp="0.02", pctc="1", f_na=True, opps=("2.76", "2.76", "0.05"), cf=CF25),
    rvu("71046", "26", work="0.22", pe_nf="0.08", pe_f="0.08", mp="0.01", pctc="1", cf=CF25),
    rvu("71046", "TC", work="0.00", pe_nf="0.69", pe_f="0.69", mp="0.01", pctc="1", f_na=True, opps=("2.68", "2.68", "0.04"), cf=CF25),
    rvu("77417", work="0.00", pe_nf="0.47", pe_f="0.47", mp="0.02", pctc="3", f_na=True, cf=CF25),
    rvu("0042T", work="0.00", pe_nf="0.00", pe_f="0.00", mp="0.00", status="C", cf=CF25),
]  # fmt: skip

# RVU26C rows (PPRRVU2026_Jul_nonQPP.csv): 77417 became status B, 0042T is gone, 0988T is new.
ROWS_26 = [
    rvu("62323", work="1.76", pe_nf="6.25", pe_f="0.74", mp="0.17", glob="000", mult="2", cf=CF26),
    rvu("99213", work="1.30", pe_nf="1.46", pe_f="0.33", mp="0.09", cf=CF26),
    rvu("27447", work="19.11", pe_nf="11.58", pe_f="11.58", mp="4.02", glob="090", mult="2", bilat="1", nf_na=True, cf=CF26),
    rvu("71046", work="0.21", pe_nf="0.76", pe_f="0.76", mp="0.02", pctc="1", f_na=True, opps=("2.70", "2.70", "0.05"), cf=CF26),
    rvu("71046", "26", work="0.21", pe_nf="0.08", pe_f="0.08", mp="0.01", pctc="1", cf=CF26),
    rvu("71046", "TC", work="0.00", pe_nf="0.68", pe_f="0.68", mp="0.01", pctc="1", f_na=True, opps=("2.62", "2.62", "0.04"), cf=CF26),
    rvu("77417", work="0.00", pe_nf="0.00", pe_f="0.00", mp="0.02", status="B", pctc="9", mult="9", cf=CF26),
    rvu("0988T", work="0.00", pe_nf="0.00", pe_f="0.00", mp="0.00", status="C", glob="YYY", mult="2", cf=CF26),
]  # fmt: skip

# GPCI2025 and GPCI2026 rows (work, PE, MP).
GPCI_25 = [
    Gpci(HOUSTON, "TX", "HOUSTON", D("1.014"), D("1.003"), D("1.409")),
    Gpci(REST_OF_TEXAS, "TX", "REST OF TEXAS", D("1"), D("0.945"), D("0.934")),
]
GPCI_26 = [
    Gpci(HOUSTON, "TX", "HOUSTON", D("1.008"), D("0.993"), D("1.376"), work_no_floor=D("1.008")),
    Gpci(REST_OF_TEXAS, "TX", "REST OF TEXAS", D("1.000"), D("0.949"), D("0.903"), work_no_floor=D("0.991")),
]  # fmt: skip

# Made up: 77001 moves from Houston to the rest of Texas; 77002 is new; 79999 is dropped.
ZIPS_20254 = [
    ZipLocality("77030", "TX", HOUSTON, "", False, "20254"),
    ZipLocality("77001", "TX", HOUSTON, "", False, "20254"),
    ZipLocality("79901", "TX", REST_OF_TEXAS, "", False, "20254"),
    ZipLocality("79999", "TX", REST_OF_TEXAS, "", False, "20254"),
]
ZIPS_20261 = [
    ZipLocality("77030", "TX", HOUSTON, "", False, "20261"),
    ZipLocality("77001", "TX", REST_OF_TEXAS, "", False, "20261"),
    ZipLocality("77002", "TX", HOUSTON, "", False, "20261"),
    ZipLocality("79901", "TX", REST_OF_TEXAS, "", True, "20261"),
]

POS = [
    PlaceOfService("11", "Office", False, ""),
    PlaceOfService("22", "On campus outpatient hospital", True, ""),
    PlaceOfService("99", "Other place of service", False, ""),
]

# Made up edits: the first quarter's file has no dates (as the 2024 add-on file); the second
# has CMS's dates and keeps a deleted edit with its deletion date.
ADDON_A = [
    AddonEdit("64483", "64484", "1"),
    AddonEdit("22551", "22552", "1"),
    AddonEdit("CCCCC", "0054T", "2"),
]
ADDON_B = [
    AddonEdit("64483", "64484", "1", date(2011, 1, 1)),
    AddonEdit("22551", "22552", "1", date(2011, 1, 1), date(2025, 12, 31)),
    AddonEdit("CCCCC", "0054T", "3", date(2013, 4, 1)),
    AddonEdit("55700", "0443T", "1", date(2026, 1, 1)),
    AddonEdit("11042", "11045", "1", date(2014, 1, 1)),  # older than the first file: missing there
]
PTP_A = [
    PtpEdit("62323", "77003", date(2017, 1, 1), None, "0", ""),
    PtpEdit("20610", "99213", date(1996, 1, 1), None, "1", ""),
]
PTP_B = [
    PtpEdit("62323", "77003", date(2017, 1, 1), None, "0", ""),
    PtpEdit("20610", "99213", date(1996, 1, 1), date(2025, 12, 31), "1", ""),
    PtpEdit("64483", "77012", date(2026, 1, 1), None, "1", ""),
]
MUE_A = [MueEdit("62323", 1, "2", ""), MueEdit("99213", 1, "3", ""), MueEdit("J1100", 30, "3", "")]
MUE_B = [MueEdit("62323", 1, "2", ""), MueEdit("99213", 2, "3", ""), MueEdit("0988T", 1, "2", "")]

# CLFS rows: 80053 and 85025 as the 2026 files have them; the others made up.
CLFS_Q1 = [
    LabFee("80053", "", date(2026, 1, 1), "N", D("10.56"), "Comprehen metabolic panel", "", ""),
    LabFee("85025", "", date(2026, 1, 1), "N", D("7.77"), "Complete cbc w/auto diff wbc", "", ""),
    LabFee("87086", "", date(2026, 1, 1), "N", D("8.68"), "Urine culture/colony count", "", ""),
    LabFee("0001U", "", date(2026, 1, 1), "N", D("720.00"), "Rbc dna hea 35 ag 11 bld grp", "", ""),
]
CLFS_Q2 = [
    LabFee("80053", "", date(2026, 1, 1), "N", D("10.56"), "Comprehen metabolic panel", "", ""),
    LabFee("85025", "", date(2026, 1, 1), "N", D("7.77"), "Complete cbc w/auto diff wbc", "", ""),
    LabFee("87086", "", date(2026, 4, 1), "N", D("9.00"), "Urine culture/colony count", "", ""),
    LabFee("0614U", "", date(2026, 4, 1), "L", D("0.00"), "Iem pmd alys 4 nzm cplx page", "", ""),
]


def _prov(kind: Kind, release: Any, rows: list[Any]) -> Provenance:
    return Provenance(kind, release, f"{kind.value}-{release.id}.txt", "0" * 64, len(rows))


def build() -> Catalog:
    catalog = Catalog()
    datasets: list[tuple[Kind, Any, list[Any]]] = [
        (Kind.PPRRVU, pfs_release("RVU25D"), ROWS_25),
        (Kind.GPCI, pfs_release("RVU25D"), GPCI_25),
        (Kind.PPRRVU, pfs_release("RVU26C"), ROWS_26),
        (Kind.GPCI, pfs_release("RVU26A"), GPCI_26),
        (Kind.ZIP5, zip_release("20254"), ZIPS_20254),
        (Kind.ZIP5, zip_release("20261"), ZIPS_20261),
        (Kind.POS, yearly_release(Family.CODESET, 2024), POS),
        (Kind.ADDON, ncci_release("2024Q3"), ADDON_A),
        (Kind.ADDON, ncci_release("2026Q2"), ADDON_B),
        (Kind.PTP, ncci_release("2024Q3"), PTP_A),
        (Kind.PTP, ncci_release("2026Q2"), PTP_B),
        (Kind.MUE, ncci_release("2024Q3"), MUE_A),
        (Kind.MUE, ncci_release("2026Q2"), MUE_B),
        (Kind.CLFS, quarter_release(Family.CLFS, "2026Q1"), CLFS_Q1),
        (Kind.CLFS, quarter_release(Family.CLFS, "2026Q2"), CLFS_Q2),
    ]
    for kind, release, rows in datasets:
        catalog.add(_prov(kind, release, rows), rows)
    return catalog


@pytest.fixture(scope="module")
def pair() -> Catalog:
    return build()
