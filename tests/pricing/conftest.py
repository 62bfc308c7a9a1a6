"""Small reference data built by hand for worked examples.

The RVUs below are copied from CMS's RVU25D PPRRVU file (same codes, same figures), the
GPCIs from GPCI2025/GPCI2026, so the hand computations in the tests are real prices. The
oracle tests (test_oracle.py) use the real files through the `catalog` fixture.
"""

# ruff: noqa: E501  (the rows are tables: one CMS row per line reads best)
from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest

from medpayiq.records import Gpci, LocalityCounties, LocalityId, PlaceOfService, RvuRow, ZipLocality
from medpayiq.reference import Catalog, Provenance
from medpayiq.releases import Family, Kind, pfs_release, yearly_release, zip_release

D = Decimal
CF25 = D("32.3465")
CF26 = D("33.4009")


def rvu(
    hcpcs: str,
    modifier: str = "",
    *,
    work: str = "0",
    pe_nf: str = "0",
    pe_f: str = "0",
    mp: str = "0",
    status: str = "A",
    pctc: str = "0",
    glob: str = "000",
    shares: tuple[str, str, str] = ("0", "0", "0"),
    mult: str = "0",
    bilat: str = "0",
    asst: str = "0",
    co: str = "0",
    team: str = "0",
    endo: str = "",
    nf_na: bool = False,
    f_na: bool = False,
    opps: tuple[str, str, str] = ("0", "0", "0"),
    cf: Decimal = CF25,
) -> RvuRow:
    w, pn, pf, m = D(work), D(pe_nf), D(pe_f), D(mp)
    return RvuRow(
        hcpcs=hcpcs, modifier=modifier, description=f"test {hcpcs}", status=status,
        not_used_for_medicare=False, work=w, pe_nonfacility=pn, pe_nonfacility_na=nf_na,
        pe_facility=pf, pe_facility_na=f_na, mp=m, total_nonfacility=w + pn + m,
        total_facility=w + pf + m, pctc=pctc, global_days=glob, pre_op=D(shares[0]),
        intra_op=D(shares[1]), post_op=D(shares[2]), mult_proc=mult, bilat_surg=bilat,
        asst_surg=asst, co_surg=co, team_surg=team, pric_ind=None, endo_base=endo,
        conversion_factor=cf, phys_supervision="09", calc_flag="0", diag_imaging_family="99",
        opps_pe_nonfacility=D(opps[0]), opps_pe_facility=D(opps[1]), opps_mp=D(opps[2]),
    )  # fmt: skip


# Rows as RVU25D has them.
ROWS_2025 = [
    rvu("62323", work="1.80", pe_nf="5.66", pe_f="1.00", mp="0.17", mult="2", bilat="9", asst="1"),
    rvu("62321", work="1.95", pe_nf="5.63", pe_f="1.08", mp="0.18", mult="2", bilat="9", asst="1"),
    rvu("64483", work="1.90", pe_nf="5.24", pe_f="1.27", mp="0.16", mult="2", bilat="1", asst="1"),
    rvu("20610", work="0.79", pe_nf="1.04", pe_f="0.44", mp="0.13", mult="2", bilat="1", asst="1"),
    rvu("11042", work="1.01", pe_nf="2.73", pe_f="0.68", mp="0.13", mult="2", bilat="0", asst="1"),
    rvu("27447", work="19.60", pe_nf="15.30", pe_f="15.30", mp="3.98", glob="090",
        shares=("0.10", "0.69", "0.21"), mult="2", bilat="1", asst="2", co="1", nf_na=True),
    rvu("47562", work="10.47", pe_nf="6.97", pe_f="6.97", mp="2.62", glob="090",
        shares=("0.09", "0.81", "0.10"), mult="2", bilat="0", asst="2", co="1", nf_na=True),
    rvu("33533", work="33.75", pe_nf="13.54", pe_f="13.54", mp="8.02", glob="090",
        shares=("0.09", "0.82", "0.09"), mult="2", asst="2", co="0", nf_na=True),
    rvu("69210", work="0.61", pe_nf="0.76", pe_f="0.28", mp="0.07", mult="2", bilat="2", asst="1"),
    rvu("99213", work="1.30", pe_nf="1.35", pe_f="0.57", mp="0.10", bilat="9", asst="9", co="9",
        team="9"),
    rvu("43235", work="2.09", pe_nf="6.18", pe_f="1.29", mp="0.27", mult="2", asst="1"),
    rvu("43239", work="2.39", pe_nf="8.36", pe_f="1.42", mp="0.29", mult="3", asst="1", endo="43235"),
    rvu("43236", work="2.39", pe_nf="9.06", pe_f="1.42", mp="0.29", mult="3", asst="1", endo="43235"),
    rvu("70496", work="1.75", pe_nf="6.56", pe_f="6.56", mp="0.11", pctc="1", glob="XXX", mult="4",
        f_na=True, opps=("6.11", "6.11", "0.11")),
    rvu("45378", work="3.26", pe_nf="6.44", pe_f="1.79", mp="0.43", mult="2", asst="1"),
    rvu("45378", "53", work="1.63", pe_nf="3.22", pe_f="0.90", mp="0.22", mult="2", asst="1"),
    rvu("45380", work="3.56", pe_nf="8.79", pe_f="1.93", mp="0.47", mult="3", asst="1", endo="45378"),
    rvu("70450", work="0.85", pe_nf="2.35", pe_f="2.35", mp="0.05", pctc="1", glob="XXX", mult="4",
        f_na=True, opps=("3.58", "3.58", "0.06")),
    rvu("70450", "26", work="0.85", pe_nf="0.31", pe_f="0.31", mp="0.04", pctc="1", glob="XXX", mult="4"),
    rvu("70450", "TC", work="0", pe_nf="2.04", pe_f="2.04", mp="0.01", pctc="1", glob="XXX", mult="4",
        f_na=True, opps=("3.27", "3.27", "0.02")),
    rvu("70551", work="1.48", pe_nf="4.41", pe_f="4.41", mp="0.09", pctc="1", glob="XXX", mult="4",
        f_na=True, opps=("7.96", "7.96", "0.11")),
    rvu("70551", "26", work="1.48", pe_nf="0.53", pe_f="0.53", mp="0.07", pctc="1", glob="XXX", mult="4"),
    rvu("70551", "TC", work="0", pe_nf="3.88", pe_f="3.88", mp="0.02", pctc="1", glob="XXX", mult="4",
        f_na=True, opps=("7.43", "7.43", "0.04")),
    rvu("93306", work="1.46", pe_nf="4.28", pe_f="4.28", mp="0.07", pctc="1", glob="XXX", mult="6",
        f_na=True, opps=("17.34", "17.34", "0.17")),
    rvu("93306", "26", work="1.46", pe_nf="0.52", pe_f="0.52", mp="0.04", pctc="1", glob="XXX", mult="6"),
    rvu("93306", "TC", work="0", pe_nf="3.76", pe_f="3.76", mp="0.03", pctc="1", glob="XXX", mult="6",
        f_na=True, opps=("16.82", "16.82", "0.13")),
    rvu("93880", work="0.80", pe_nf="4.73", pe_f="4.73", mp="0.09", pctc="1", glob="XXX", mult="6",
        bilat="2", f_na=True, opps=("7.68", "7.68", "0.11")),
    rvu("93880", "26", work="0.80", pe_nf="0.26", pe_f="0.26", mp="0.06", pctc="1", glob="XXX", mult="6",
        bilat="2"),
    rvu("93880", "TC", work="0", pe_nf="4.47", pe_f="4.47", mp="0.03", pctc="1", glob="XXX", mult="6",
        bilat="2", f_na=True, opps=("7.42", "7.42", "0.05")),
    rvu("97110", work="0.45", pe_nf="0.43", pe_f="0.43", mp="0.01", pctc="7", glob="XXX", mult="5",
        f_na=True),
    rvu("97140", work="0.43", pe_nf="0.40", pe_f="0.40", mp="0.01", pctc="7", glob="XXX", mult="5",
        f_na=True),
    rvu("97530", work="0.44", pe_nf="0.62", pe_f="0.62", mp="0.01", pctc="7", glob="XXX", mult="5",
        f_na=True),
    rvu("96372", work="0.17", pe_nf="0.25", pe_f="0.25", mp="0.01", pctc="5", glob="XXX", f_na=True),
    rvu("36415", status="X", pctc="9", glob="XXX", mult="9", bilat="9", asst="9", co="9", team="9"),
    rvu("00100", status="J", pctc="9", glob="XXX", mult="9", bilat="9", asst="9", co="9", team="9"),
    rvu("G0000", status="T", work="0.10", pe_nf="0.20", pe_f="0.20", mp="0.01", glob="XXX"),
]  # fmt: skip

# Rows as RVU26C has them (CF 33.4009).
ROWS_2026 = [
    rvu("62323", work="1.76", pe_nf="6.25", pe_f="0.74", mp="0.17", mult="2", bilat="9", asst="1",
        cf=CF26),
]  # fmt: skip

HOUSTON = LocalityId("04412", "18")
REST_OF_TEXAS = LocalityId("04412", "99")
MANHATTAN = LocalityId("13202", "01")
ALASKA = LocalityId("02102", "01")

# GPCI2025 (RVU25D) and GPCI2026 (RVU26A) rows as CMS publishes them.
GPCI_2025 = [
    Gpci(HOUSTON, "TX", "HOUSTON", D("1.014"), D("1.003"), D("1.409")),
    Gpci(REST_OF_TEXAS, "TX", "REST OF TEXAS", D("1"), D("0.945"), D("0.934")),
    Gpci(MANHATTAN, "NY", "MANHATTAN", D("1.065"), D("1.166"), D("1.656")),
    Gpci(ALASKA, "AK", "ALASKA*", D("1.5"), D("1.081"), D("0.592")),
]
GPCI_2026 = [
    Gpci(HOUSTON, "TX", "HOUSTON", D("1.008"), D("0.993"), D("1.376"), work_no_floor=D("1.008")),
    Gpci(REST_OF_TEXAS, "TX", "REST OF TEXAS", D("1.000"), D("0.949"), D("0.903"),
         work_no_floor=D("0.991")),
    Gpci(MANHATTAN, "NY", "MANHATTAN", D("1.064"), D("1.162"), D("1.586"), work_no_floor=D("1.064")),
    Gpci(ALASKA, "AK", "ALASKA*", D("1.500"), D("1.065"), D("0.551"), work_no_floor=D("1.500")),
]  # fmt: skip

LOCCO = [
    LocalityCounties(ALASKA, "ALASKA", "STATEWIDE", "ALL COUNTIES"),
    LocalityCounties(MANHATTAN, "NEW YORK", "MANHATTAN", "NEW YORK"),
    LocalityCounties(HOUSTON, "TEXAS", "HOUSTON", "HARRIS"),
    LocalityCounties(REST_OF_TEXAS, "", "REST OF STATE", "ALL OTHER COUNTIES"),
]

ZIPS = [
    ZipLocality("77030", "TX", HOUSTON, "", False, "20254"),
    ZipLocality("79901", "TX", REST_OF_TEXAS, "", False, "20254"),
    ZipLocality("77494", "TX", HOUSTON, "", True, "20254"),
    ZipLocality("99501", "AK", ALASKA, "", False, "20254"),
]

POS = [
    PlaceOfService("02", "Telehealth other than home", True, ""),
    PlaceOfService("10", "Telehealth in home", False, ""),
    PlaceOfService("11", "Office", False, ""),
    PlaceOfService("22", "On campus outpatient hospital", True, ""),
    PlaceOfService("24", "Ambulatory surgical center", True, ""),
    PlaceOfService("99", "Other place of service", False, ""),
    PlaceOfService("30", "Unassigned", None, ""),
]


def _prov(kind: Kind, release: Any, rows: list[Any], variant: str = "") -> Provenance:
    return Provenance(kind, release, f"{kind.value}-{release.id}.txt", "0" * 64, len(rows), variant)


def build_catalog(*, with_2026: bool = True, with_pos: bool = True) -> Catalog:
    catalog = Catalog()
    r25 = pfs_release("RVU25D")
    catalog.add(_prov(Kind.PPRRVU, r25, ROWS_2025), ROWS_2025)
    catalog.add(_prov(Kind.GPCI, r25, GPCI_2025), GPCI_2025)
    catalog.add(_prov(Kind.LOCCO, r25, LOCCO), LOCCO)
    zr = zip_release("20254")
    catalog.add(_prov(Kind.ZIP5, zr, ZIPS), ZIPS)
    if with_2026:
        r26 = pfs_release("RVU26C")
        catalog.add(_prov(Kind.PPRRVU, r26, ROWS_2026), ROWS_2026)
        r26a = pfs_release("RVU26A")
        catalog.add(_prov(Kind.GPCI, r26a, GPCI_2026), GPCI_2026)
    if with_pos:
        catalog.add(_prov(Kind.POS, yearly_release(Family.CODESET, 2024), POS), POS)
    return catalog


@pytest.fixture(scope="module")
def tiny() -> Catalog:
    return build_catalog()


__all__ = ["D", "build_catalog", "replace", "rvu"]
