"""The engine against CMS's own figures, from the real files (the `catalog` fixture).

- PFREV25C + PFREV4 (2025 payment amounts computed by CMS): 1,635 rows, each reproduced to
  the cent in both settings at its carrier/locality with RVU25D.
- OPPSCAP_Oct (RVU25D): CMS's OPPS-capped amount for every status A code and locality.
- The seed documents' figures that are right (62323, 62321), and 2026 (RVU26C).
- Real locations: ZIP5, LOCCO counties (including CMS's own spelling of "ORAGNGE"), states.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from medpayiq import sources
from medpayiq.errors import InvalidModifier, UnknownCode
from medpayiq.pricing import AmbiguousLocation, LineRequest, Location, Setting, price_line
from medpayiq.records import PaymentAmount
from medpayiq.reference import Catalog, Confidence

D = Decimal
RVU25D_DAY = date(2025, 11, 3)
RVU26C_DAY = date(2026, 8, 3)


@pytest.fixture(scope="module")
def payment_rows(data_dir: Path) -> list[PaymentAmount]:
    # Read both files: the catalog keys datasets by (kind, release), so it keeps one of them.
    rows: list[PaymentAmount] = []
    for file in sources.iter_files(data_dir / "cms" / "payment-files" / "2025"):
        rows.extend(sources.parse(file).records)
    return rows


def test_payment_files_row_count(payment_rows):
    assert len(payment_rows) == 1635  # 109 (PFREV25C) + 1,526 (PFREV4)


def test_every_payment_row_to_the_cent(catalog: Catalog, payment_rows):
    misses = []
    for row in payment_rows:
        mods = (row.modifier,) if row.modifier.strip() else ()
        request = LineRequest(row.hcpcs, RVU25D_DAY, modifiers=mods,
                              location=Location(locality=str(row.locality)))  # fmt: skip
        result = price_line(catalog, request)
        assert result.nonfacility is not None and result.facility is not None
        # fee_schedule is the figure CMS prints, whether or not the setting is NA.
        got = (result.nonfacility.fee_schedule, result.facility.fee_schedule)
        if got != (row.nonfacility, row.facility):
            misses.append((str(row.locality), row.hcpcs, row.modifier, got, row))
    assert misses == []


def test_opps_cap_file_reproduced(catalog: Catalog):
    fee = catalog.fee_schedule(RVU25D_DAY)
    capped = [c for c in fee.opps_caps.values() if c.status == "A"]
    assert len(capped) == 6670
    misses = []
    for cap in capped:
        mods = (cap.modifier,) if cap.modifier else ()
        request = LineRequest(cap.hcpcs, RVU25D_DAY, modifiers=mods,
                              location=Location(locality=str(cap.locality)))  # fmt: skip
        result = price_line(catalog, request)
        assert result.nonfacility is not None and result.facility is not None
        got = (result.nonfacility.opps_cap, result.facility.opps_cap)
        if got != (cap.nonfacility, cap.facility):
            misses.append(cap)
    assert misses == []


@pytest.mark.parametrize(
    ("code", "day", "nonfacility", "facility", "release"),
    [("62323", RVU25D_DAY, "246.80", "96.07", "RVU25D"),
     ("62321", RVU25D_DAY, "251.01", "103.83", "RVU25D"),
     ("62323", RVU26C_DAY, "273.22", "89.18", "RVU26C")],
)  # fmt: skip
def test_seed_figures(catalog: Catalog, code, day, nonfacility, facility, release):
    office = price_line(catalog, LineRequest(code, day, pos="11"))
    hospital = price_line(catalog, LineRequest(code, day, pos="22"))
    assert (office.allowed, hospital.allowed) == (D(nonfacility), D(facility))
    assert office.release == release
    assert {s.kind for s in office.provenance} >= {"pprrvu", "gpci", "pos"}


@pytest.mark.parametrize(
    ("code", "day", "locality", "amount", "release"),
    [("11004", RVU25D_DAY, "04412-09", "539.00", "RVU25D"),  # CMS's TX-09 payment amount
     ("27447", RVU25D_DAY, None, "1257.63", "RVU25D"),
     ("27447", RVU26C_DAY, None, "1159.35", "RVU26C")],
)  # fmt: skip
def test_facility_only_codes_are_priced_in_the_office(
    catalog: Catalog, code, day, locality, amount, release
):
    # NA in the office: priced from the PE the file carries there, which equals the facility
    # amount, and flagged (DOMAIN.md section 1).
    where = Location(locality=locality) if locality else Location()
    office = price_line(catalog, LineRequest(code, day, pos="11", location=where))
    hospital = price_line(catalog, LineRequest(code, day, pos="22", location=where))
    assert (office.allowed, hospital.allowed) == (D(amount), D(amount))
    assert office.release == release and office.nonfacility is not None
    assert office.nonfacility.na and any("rarely or never" in r for r in office.review)


def test_2026_qp(catalog: Catalog):
    # No QPP file is loaded: 8.18 RVUs x the published QP CF 33.5675 = 274.58215 -> 274.58
    result = price_line(catalog, LineRequest("62323", RVU26C_DAY), qp=True)
    assert result.allowed == D("274.58")


def test_2026_release_not_loaded_is_said(catalog: Catalog):
    result = price_line(catalog, LineRequest("62323", date(2026, 11, 2)))
    assert result.confidence is Confidence.MEDIUM and "RVU26D" in result.confidence_reason


def test_real_locations(catalog: Catalog):
    def where(day: date, **kw: str) -> str:
        loc = price_line(catalog, LineRequest("62323", day, location=Location(**kw))).location
        return str(loc.locality)

    assert where(RVU25D_DAY, zip="77030") == "04412-18"
    assert where(RVU25D_DAY, state="TX", county="Harris") == "04412-18"
    assert where(RVU25D_DAY, state="CA", county="Orange") == "01182-18"
    # 26LOCCO.txt writes "LOS ANGELES /ORAGNGE CNTY": a close spelling still matches.
    assert where(RVU26C_DAY, state="CA", county="Orange") == "01182-18"
    assert where(RVU26C_DAY, state="MD", county="Montgomery") == "12202-01"
    assert where(RVU26C_DAY, state="VA", county="Roanoke") == "11302-00"
    assert where(RVU25D_DAY, state="AK") == "02102-01"
    with pytest.raises(AmbiguousLocation):
        where(RVU25D_DAY, state="TX")


def test_plus_four_zip_in_the_real_file(catalog: Catalog):
    geography = catalog.geography(RVU25D_DAY)
    flagged = sorted(z for z, rows in geography.zips.items() if any(r.plus_four for r in rows))
    assert flagged  # CMS flags a few hundred ZIPs
    with pytest.raises(AmbiguousLocation, match="ZIP\\+4 is needed"):
        price_line(catalog, LineRequest("62323", RVU25D_DAY, location=Location(zip=flagged[0])))


def test_telehealth_places_of_service(catalog: Catalog):
    # CMS transmittal 12671 (CR 13582): POS 02 facility rate, POS 10 non-facility, from 2024.
    away = price_line(catalog, LineRequest("99213", RVU25D_DAY, pos="02"))
    home = price_line(catalog, LineRequest("99213", RVU25D_DAY, pos="10"))
    assert (away.setting, home.setting) == (Setting.FACILITY, Setting.NON_FACILITY)


def test_bad_input_on_real_data(catalog: Catalog):
    with pytest.raises(UnknownCode):
        price_line(catalog, LineRequest("99999", RVU25D_DAY))
    with pytest.raises(InvalidModifier, match="not a CPT or HCPCS modifier"):
        price_line(catalog, LineRequest("62323", RVU25D_DAY, modifiers=("Z9",)))
    with pytest.raises(InvalidModifier):
        price_line(catalog, LineRequest("62323", RVU25D_DAY, modifiers=("TC",)))
