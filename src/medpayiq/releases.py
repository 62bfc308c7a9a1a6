"""The release calendar: which published release of each kind of data is in effect on a date.

CMS and CDC publish on fixed calendars, so the release *in effect* on a date of service is
known even when it is not loaded; the store then answers with the closest loaded one and
says so (lower confidence, never a silent guess).

- Fee schedule (family "pfs"): RVUyyA Jan 1, B Apr 1, C Jul 1, D Oct 1.
- ZIP to locality ("zip"): quarterly, named by CMS "YYYYQ" (20254 = Oct 2025).
- NCCI PTP / MUE / add-on ("ncci"): quarterly, "2024Q3" = Jul 1 2024.
- ICD-10-CM ("icd10cm"): fiscal year Oct 1 - Sep 30, "FY2026" (Apr 1 updates keep the FY).
- Clinical Laboratory Fee Schedule ("clfs") and DMEPOS/PEN fee schedules ("dmepos"):
  quarterly, "2026Q2" = Apr 1 2026 (CMS names them CLFS_2026_Q2, DMEPOS26_APR).
- Code sets and the rest ("codeset", "payment", "mcd"): dated by year.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

# Dates of service MedPayIQ answers for: CMS's release ids carry two-digit years (RVU26A), so
# no release can cover a date outside these years; every interface refuses such a date.
FIRST_SERVICE_DAY = date(2000, 1, 1)
LAST_SERVICE_DAY = date(2099, 12, 31)


class Family(StrEnum):
    PFS = "pfs"
    ZIP = "zip"
    NCCI = "ncci"
    ICD10CM = "icd10cm"
    CODESET = "codeset"
    PAYMENT = "payment"
    MCD = "mcd"
    CLFS = "clfs"
    DMEPOS = "dmepos"


class Kind(StrEnum):
    """What a dataset is. Each kind belongs to one release family."""

    PPRRVU = "pprrvu"
    GPCI = "gpci"
    LOCCO = "locco"
    ANES = "anes"
    OPPSCAP = "oppscap"
    ZIP5 = "zip5"
    PAYMENT = "payment"
    PTP = "ptp"
    MUE = "mue"
    MUE_OUTPATIENT = "mue_outpatient"
    ADDON = "addon"
    ADJUSTMENT = "adjustment"
    POS = "pos"
    HCPCS = "hcpcs"
    MODIFIER = "modifier"
    ICD10CM = "icd10cm"
    MCD_ARTICLE_HCPCS = "mcd_article_hcpcs"
    MCD_ARTICLE_ICD10 = "mcd_article_icd10"
    MCD_ARTICLE_CONTRACTOR = "mcd_article_contractor"
    CLFS = "clfs"
    DMEPOS = "dmepos"

    @property
    def family(self) -> Family:
        return _FAMILY[self]


_FAMILY = {
    Kind.PPRRVU: Family.PFS,
    Kind.GPCI: Family.PFS,
    Kind.LOCCO: Family.PFS,
    Kind.ANES: Family.PFS,
    Kind.OPPSCAP: Family.PFS,
    Kind.ZIP5: Family.ZIP,
    Kind.PAYMENT: Family.PAYMENT,
    Kind.PTP: Family.NCCI,
    Kind.MUE: Family.NCCI,
    Kind.MUE_OUTPATIENT: Family.NCCI,
    Kind.ADDON: Family.NCCI,
    Kind.ADJUSTMENT: Family.CODESET,
    Kind.POS: Family.CODESET,
    Kind.HCPCS: Family.CODESET,
    Kind.MODIFIER: Family.CODESET,
    Kind.ICD10CM: Family.ICD10CM,
    Kind.MCD_ARTICLE_HCPCS: Family.MCD,
    Kind.MCD_ARTICLE_ICD10: Family.MCD,
    Kind.MCD_ARTICLE_CONTRACTOR: Family.MCD,
    Kind.CLFS: Family.CLFS,
    Kind.DMEPOS: Family.DMEPOS,
}

# Families published quarterly under a "YYYYQn" id.
_QUARTERLY = frozenset({Family.NCCI, Family.CLFS, Family.DMEPOS})


@dataclass(frozen=True, order=True)
class Release:
    """A published release: its family, CMS-style id and the dates it is in effect
    (both inclusive; `effective_to` None = open until the next release)."""

    effective_from: date
    family: Family
    id: str
    effective_to: date | None = None

    def covers(self, day: date) -> bool:
        return self.effective_from <= day and (
            self.effective_to is None or day <= self.effective_to
        )

    def __str__(self) -> str:
        return self.id


_QUARTER_START = {"A": 1, "B": 4, "C": 7, "D": 10}
_PFS_ID = re.compile(r"^RVU(\d{2})([A-D])$", re.IGNORECASE)
_NCCI_ID = re.compile(r"^(\d{4})Q([1-4])$", re.IGNORECASE)
_ZIP_ID = re.compile(r"^(\d{4})([1-4])$")
_FY_ID = re.compile(r"^FY(\d{4})$", re.IGNORECASE)


def _quarter_bounds(year: int, first_month: int) -> tuple[date, date]:
    start = date(year, first_month, 1)
    if first_month == 10:
        return start, date(year, 12, 31)  # not Jan 1 of the next year - 1: 9999 has none
    return start, date(year, first_month + 3, 1) - timedelta(days=1)


def pfs_release(release_id: str) -> Release:
    """`RVU26C` -> the fee schedule release in effect Jul 1 - Sep 30 2026."""
    m = _PFS_ID.match(release_id.strip())
    if not m:
        raise ValueError(f'"{release_id}" is not a fee schedule release id such as RVU26C')
    year, letter = 2000 + int(m.group(1)), m.group(2).upper()
    start, end = _quarter_bounds(year, _QUARTER_START[letter])
    return Release(start, Family.PFS, f"RVU{m.group(1)}{letter}", end)


def pfs_release_for(day: date) -> Release:
    letter = "ABCD"[(day.month - 1) // 3]
    return pfs_release(f"RVU{day.year % 100:02d}{letter}")


def quarter_release(family: Family, release_id: str) -> Release:
    """`2024Q3` -> the quarter Jul 1 - Sep 30 2024 of a quarterly family (NCCI, CLFS,
    DMEPOS)."""
    m = _NCCI_ID.match(release_id.strip())
    if family not in _QUARTERLY or not m:
        raise ValueError(f'"{release_id}" is not a {family.value} quarter such as 2024Q3')
    year, quarter = int(m.group(1)), int(m.group(2))
    start, end = _quarter_bounds(year, 3 * quarter - 2)
    return Release(start, family, f"{year}Q{quarter}", end)


def ncci_release(release_id: str) -> Release:
    """`2024Q3` -> the NCCI quarter Jul 1 - Sep 30 2024."""
    try:
        return quarter_release(Family.NCCI, release_id)
    except ValueError:
        raise ValueError(f'"{release_id}" is not an NCCI quarter such as 2024Q3') from None


def quarter_of(family: Family, day: date) -> Release:
    """The release of a quarterly family that the calendar puts in effect on `day`."""
    return quarter_release(family, f"{day.year}Q{(day.month - 1) // 3 + 1}")


def ncci_release_for(day: date) -> Release:
    return ncci_release(f"{day.year}Q{(day.month - 1) // 3 + 1}")


def zip_release(year_quarter: str) -> Release:
    """CMS's `YYYYQ` (20254) -> the ZIP file in effect Oct 1 - Dec 31 2025."""
    m = _ZIP_ID.match(year_quarter.strip())
    if not m:
        raise ValueError(f'"{year_quarter}" is not a ZIP file quarter such as 20254')
    year, quarter = int(m.group(1)), int(m.group(2))
    start, end = _quarter_bounds(year, 3 * quarter - 2)
    return Release(start, Family.ZIP, f"{year}{quarter}", end)


def zip_release_for(day: date) -> Release:
    return zip_release(f"{day.year}{(day.month - 1) // 3 + 1}")


def icd10cm_release(release_id: str) -> Release:
    """`FY2026` -> Oct 1 2025 - Sep 30 2026."""
    m = _FY_ID.match(release_id.strip())
    if not m:
        raise ValueError(f'"{release_id}" is not an ICD-10-CM fiscal year such as FY2026')
    year = int(m.group(1))
    return Release(date(year - 1, 10, 1), Family.ICD10CM, f"FY{year}", date(year, 9, 30))


def icd10cm_release_for(day: date) -> Release:
    return icd10cm_release(f"FY{day.year + 1 if day.month >= 10 else day.year}")


def yearly_release(family: Family, year: int) -> Release:
    """Code sets, payment files and coverage articles dated by calendar year."""
    return Release(date(year, 1, 1), family, str(year), date(year, 12, 31))


def release_for(family: Family, day: date) -> Release:
    """The release of `family` that the calendar puts in effect on `day`."""
    if family is Family.PFS:
        return pfs_release_for(day)
    if family in _QUARTERLY:
        return quarter_of(family, day)
    if family is Family.ZIP:
        return zip_release_for(day)
    if family is Family.ICD10CM:
        return icd10cm_release_for(day)
    return yearly_release(family, day.year)


def parse_release(family: Family, release_id: str) -> Release:
    """Read a release id of the given family."""
    if family is Family.PFS:
        return pfs_release(release_id)
    if family in _QUARTERLY:
        return quarter_release(family, release_id)
    if family is Family.ZIP:
        return zip_release(release_id)
    if family is Family.ICD10CM:
        return icd10cm_release(release_id)
    if not release_id.isdigit() or len(release_id) != 4:
        raise ValueError(f'"{release_id}" is not a year')
    return yearly_release(family, int(release_id))
