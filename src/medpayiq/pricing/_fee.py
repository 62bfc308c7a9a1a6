"""The fee schedule amount (DOMAIN.md sections 1-3):

    amount = (workRVU x workGPCI + peRVU x peGPCI + mpRVU x mpGPCI) x CF, half-up to cents

with the OPPS cap (the same formula with the row's OPPS PE and MP RVUs; the lower wins),
the place of service choosing the PE column, the work GPCI column chosen by date
(gpci_floor.yaml) and the CF chosen by date and QP status (published.yaml).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from medpayiq.errors import InputError, UnknownCode
from medpayiq.money import cents
from medpayiq.records import Gpci, PlaceOfService, RvuRow
from medpayiq.reference import Confidence, FeeSchedule

from . import _rules
from ._types import Setting, SettingAmount

__all__ = [
    "GpciTriple",
    "choose_cf",
    "choose_setting",
    "choose_work_column",
    "fee_amount",
    "setting_amount",
]

ONE = Decimal(1)


@dataclass(frozen=True, slots=True)
class GpciTriple:
    """The three GPCIs used for one computation (national: all 1.000)."""

    work: Decimal
    pe: Decimal
    mp: Decimal


NATIONAL_GPCI = GpciTriple(ONE, ONE, ONE)


# --- GPCI work column -----------------------------------------------------------------------


def choose_work_column(fee: FeeSchedule, day: date) -> tuple[bool, str, Confidence]:
    """(with_floor, reason, confidence) for the work GPCI on `day`."""
    two_columns = any(g.work_no_floor is not None for g in fee.gpcis.values())
    if not two_columns:
        return True, "the GPCI file has one work column (with the 1.0 floor)", Confidence.HIGH
    rule = _rules.floor_rule(day)
    if rule is not None:
        label = "with" if rule.with_floor else "without"
        return rule.with_floor, f"work GPCI {label} the 1.0 floor: {rule.why}", Confidence.HIGH
    label = "with" if fee.work_gpci_floor else "without"
    return (
        fee.work_gpci_floor,
        f"no rule in gpci_floor.yaml covers {day}; the release's default ({label} the floor) "
        "was used",
        Confidence.MEDIUM,
    )


def gpci_triple(gpci: Gpci, with_floor: bool) -> GpciTriple:
    work = gpci.work if with_floor or gpci.work_no_floor is None else gpci.work_no_floor
    return GpciTriple(work, gpci.pe, gpci.mp)


# --- Conversion factor ----------------------------------------------------------------------


def choose_cf(row: RvuRow, fee: FeeSchedule, day: date, qp: bool) -> tuple[Decimal, str]:
    """The CF for `row` on `day` and why. The file's own CF column wins unless the loaded
    file cannot know the CF in effect (QP without the QPP file, a mid-quarter change)."""
    published = _rules.conversion_factors(day)
    variant = fee.vintage.provenance[0].variant if fee.vintage.provenance else ""
    release = fee.vintage.used.id
    if qp:
        if published is None or published.qp is None:
            return row.conversion_factor, (
                f"CF {row.conversion_factor} from {release}: one CF applies to everyone "
                f"before 2026, so QP status does not change it"
            )
        if variant == "qp":
            return (
                row.conversion_factor,
                f"QP CF {row.conversion_factor} from the QPP file of {release}",
            )
        return published.qp, (
            f"QP CF {published.qp} (published) applied to the RVUs of the standard "
            f"{release} file: the QPP file is not loaded and differs only in its CF"
        )
    if published is not None and published.standard != row.conversion_factor:
        return published.standard, (
            f"CF {published.standard} is in effect on {day}; the loaded {release} file "
            f"carries {row.conversion_factor}"
        )
    return row.conversion_factor, f"CF {row.conversion_factor} (CONV FACTOR column of {release})"


# --- Facility or non-facility ---------------------------------------------------------------

# DOMAIN.md section 3; used only when no place of service code set is loaded. POS 02 is
# facility and POS 10 non-facility from 2024 (CMS transmittal 12671, CR 13582).
_FACILITY_POS = frozenset(
    ["02", "19", "21", "22", "23", "24", "26", "31", "34", "41", "42", "51", "52", "53", "56", "61"]
)


def choose_setting(
    pos: str | None,
    setting: Setting | None,
    places: Mapping[str, PlaceOfService] | None,
) -> tuple[Setting, str]:
    """The setting that applies and why: an explicit setting, else the POS, else office."""
    if setting is not None:
        if pos is not None:
            raise InputError("give a place of service or a setting, not both", parameter="pos")
        return setting, f"{setting.value} rate requested"
    if pos is None:
        return Setting.NON_FACILITY, "no place of service given: non-facility (office) rate"
    code = pos.strip()
    if not (code.isdigit() and 1 <= len(code) <= 2):
        raise InputError(
            f'"{pos}" is not a place of service code (two digits, such as 11)', parameter="pos"
        )
    code = code.zfill(2)
    if places:
        place = places.get(code)
        if place is None:
            raise UnknownCode(
                f"place of service {code} is not in the POS code set", parameter="pos"
            )
        if place.facility is None:
            raise InputError(
                f"place of service {code} ({place.name}) has no facility/non-facility "
                "assignment (unassigned code)",
                parameter="pos",
            )
        chosen = Setting.FACILITY if place.facility else Setting.NON_FACILITY
        return chosen, f"POS {code} {place.name}: {chosen.value} rate (POS code set)"
    chosen = Setting.FACILITY if code in _FACILITY_POS else Setting.NON_FACILITY
    return chosen, f"POS {code}: {chosen.value} rate (DOMAIN.md section 3 list; no POS file loaded)"


# --- The amount -----------------------------------------------------------------------------


def rvu_sum(work: Decimal, pe: Decimal, mp: Decimal, g: GpciTriple) -> Decimal:
    return work * g.work + pe * g.pe + mp * g.mp


def fee_amount(row: RvuRow, setting: Setting, g: GpciTriple, cf: Decimal) -> Decimal:
    pe = row.pe_facility if setting is Setting.FACILITY else row.pe_nonfacility
    return cents(rvu_sum(row.work, pe, row.mp, g) * cf)


def setting_amount(row: RvuRow, setting: Setting, g: GpciTriple, cf: Decimal) -> SettingAmount:
    """Fee schedule amount for one setting, with the OPPS cap where the row has one."""
    facility = setting is Setting.FACILITY
    pe = row.pe_facility if facility else row.pe_nonfacility
    total = rvu_sum(row.work, pe, row.mp, g)
    amount = cents(total * cf)
    opps_pe = row.opps_pe_facility if facility else row.opps_pe_nonfacility
    cap = None
    if opps_pe and row.opps_mp:
        cap = cents(rvu_sum(row.work, opps_pe, row.opps_mp, g) * cf)
    # An NA setting is still priced from the PE the file carries there, as CMS's own payment
    # files price it (DOMAIN.md section 1: 11004 in TX-09 office = 539.00); `na` flags it.
    na = row.pe_facility_na if facility else row.pe_nonfacility_na
    lower = amount if cap is None else min(amount, cap)
    return SettingAmount(setting, amount, cap, lower, na, total)
