"""The Clinical Laboratory Fee Schedule (DOMAIN.md section 5b): one national rate per HCPCS
code and modifier per quarter (PAMA, since 2018). Medicare pays the lesser of the charge and
the rate, times the units, with no deductible and no coinsurance (Social Security Act
section 1833(a)(1)(D) and (b)(3)); sequestration still reduces Medicare's payment.

Modifier QW (a CLIA-waived test) has its own row where CMS lists one; every other modifier
(90 reference laboratory, 91 repeat test, 59, ...) leaves the rate as it is. A row with
INDICATOR "L" has no national rate (RATE 0.00): the local contractor prices it.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from medpayiq import pricing
from medpayiq.records import LabFee
from medpayiq.reference import ReferenceData
from medpayiq.releases import Kind

from ._lines import Line
from ._registry import snapshot_period
from ._types import Priced, PriceRequest, RateAmount, Route, ScheduleInfo, Terms

__all__ = ["CLFS", "ClinicalLabFeeSchedule", "LabRates"]

CLFS = ScheduleInfo(
    name="clfs",
    title="Clinical Laboratory Fee Schedule",
    pays="one national rate per test code (and modifier QW) per quarter; Medicare pays the "
    "lesser of the charge and the rate, times the units",
    patient="nothing: clinical laboratory tests carry no deductible and no coinsurance",
    kinds=(Kind.CLFS,),
    load="CMS's quarterly Clinical Laboratory Fee Schedule file (CLFS_yyyy_Qn, xlsx or csv)",
)
_LABEL = "clinical laboratory fee schedule (CLFS)"
_NO_COST_SHARE = "clinical laboratory test: no deductible or coinsurance (SSA 1833(a)(1)(D))"


@dataclass(frozen=True)
class LabRates:
    """One CLFS quarter: rows by (HCPCS, modifier)."""

    rows: Mapping[tuple[str, str], LabFee]
    codes: frozenset[str]


def _index(records: Sequence[LabFee]) -> LabRates:
    rows = {(r.hcpcs, r.modifier): r for r in records}
    return LabRates(rows, frozenset(r.hcpcs for r in records))


def _row(rates: LabRates, hcpcs: str, modifiers: tuple[str, ...]) -> tuple[LabFee, str]:
    """The row a line is paid from and a note when it is not the plain one."""
    plain = rates.rows.get((hcpcs, ""))
    waived = rates.rows.get((hcpcs, "QW"))
    if "QW" in modifiers and waived is not None:
        return waived, ""
    if plain is not None:
        return plain, ""
    assert waived is not None  # a code is in `codes` only with a row
    return waived, (
        f"{hcpcs} is listed only as a CLIA-waived test (QW): a laboratory with a certificate "
        "of waiver bills it with modifier QW"
    )


class ClinicalLabFeeSchedule:
    info = CLFS
    by_place = False

    def place_key(self, reference: ReferenceData, request: PriceRequest) -> Hashable:
        return ""  # one national rate

    def period(self, reference: ReferenceData, day: date) -> Hashable:
        return snapshot_period(reference, Kind.CLFS, day, _LABEL)

    def route(
        self,
        reference: ReferenceData,
        hcpcs: str,
        day: date,
        modifiers: tuple[str, ...] = (),
    ) -> Route | None:
        rates, vintage = reference.snapshot(Kind.CLFS, day, _index, label=_LABEL)
        if hcpcs not in rates.codes:
            return None
        row = rates.rows.get((hcpcs, "")) or rates.rows[(hcpcs, "QW")]
        reason = f"{hcpcs} is on the clinical laboratory fee schedule {vintage.used.id}"
        return Route(CLFS, reason, row.indicator == "N", row.long_description)

    def price(self, reference: ReferenceData, request: PriceRequest, terms: Terms) -> Priced:
        rates, vintage = reference.snapshot(
            Kind.CLFS, request.date_of_service, _index, label=_LABEL
        )
        row, note = _row(rates, request.hcpcs, request.modifiers)
        release = vintage.used.id
        shown = row.hcpcs + (f"-{row.modifier}" if row.modifier else "")
        step = pricing.Step("release", (("CLFS", release),), release, vintage.note)
        rate_step = pricing.Step(
            "CLFS rate",
            (("row", shown), ("indicator", row.indicator), ("effective", row.effective)),
            row.rate,
            "one national rate per code and modifier (no locality adjustment)",
        )
        line = Line(
            CLFS,
            request,
            f"{request.hcpcs} is on the clinical laboratory fee schedule {release}",
            row.long_description or row.short_description,
            vintage,
            [step, rate_step],
            (RateAmount(f"national rate ({shown})", row.rate if row.indicator == "N" else None),),
            (note,) if note else (),
        )
        if row.indicator != "N":
            return line.unpriced(
                f"{shown} has no national rate on the CLFS {release} (indicator "
                f"{row.indicator}): the local contractor (MAC) prices it"
            )
        return line.priced(row.rate, terms, waived=True, why_waived=_NO_COST_SHARE)


SCHEDULE = ClinicalLabFeeSchedule()
