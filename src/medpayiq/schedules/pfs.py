"""The Medicare Physician Fee Schedule as a registered schedule: the first one the router asks.

It pays every code with a PPRRVU row in the release in effect, except status X and E rows
(excluded from this schedule: the clinical lab, DMEPOS, drug and ambulance schedules pay
them) and status J (anesthesia: `anesthesia.py`). The row is the line's: a line with 26, TC
or 53 is routed by that modifier's row where CMS lists one, as the engine prices it
(`pricing.row_modifier`), so the professional component of a clinical lab code (85576-26,
status A, while 85576 itself is status X) is paid here and the test itself on the CLFS.
The price is the pricing engine's own (`medpayiq.pricing.price_line`), wrapped so that
every schedule answers alike; its batch price is `medpayiq.batch`'s vectorised engine.
"""

from __future__ import annotations

from collections.abc import Hashable
from datetime import date

from medpayiq import pricing
from medpayiq.errors import ReleaseNotLoaded
from medpayiq.records import RvuRow
from medpayiq.reference import FeeSchedule, ReferenceData
from medpayiq.releases import Kind

from ._types import Priced, PriceRequest, RateAmount, Route, ScheduleInfo, Terms

__all__ = ["PFS", "PhysicianFeeSchedule", "pfs_row"]

PFS = ScheduleInfo(
    name="pfs",
    title="Medicare Physician Fee Schedule",
    pays="(work RVU x work GPCI + PE RVU x PE GPCI + MP RVU x MP GPCI) x conversion factor, "
    "for the locality and the facility or non-facility setting of the place of service, then "
    "modifiers, multiple procedure reductions and the provider's rate",
    patient="the Part B deductible, then 20% coinsurance (none for the preventive services "
    "Medicare waives)",
    kinds=(Kind.PPRRVU, Kind.GPCI, Kind.LOCCO, Kind.ANES, Kind.OPPSCAP, Kind.ZIP5),
    load="CMS's quarterly physician fee schedule relative value files (RVUyyX zips: PPRRVU, "
    "GPCI, LOCCO, ANES, OPPSCAP) and the ZIP code to carrier locality file",
)

# Rows routed elsewhere: X and E to the other schedules, J to anesthesia.
ROUTED_ELSEWHERE = frozenset({"X", "E", "J"})


# The modifier rows CMS lists in PPRRVU (RVU25D, RVU26B, RVU26C: "", 26, TC and 53 only).
_ROW_MODIFIERS = ("", "26", "TC", "53")


def pfs_row(fee: FeeSchedule, hcpcs: str, modifiers: tuple[str, ...] = ()) -> RvuRow | None:
    """The row a line of `hcpcs` with `modifiers` is paid from: the row of its 26, TC or 53
    where listed (`pricing.row_modifier`: the engine's choice for a valid line); else the code's
    global row, else its first modifier row (a code listed only as 26/TC)."""
    rvus = fee.rvus
    if modifiers:
        row_modifier = pricing.row_modifier(modifiers)
        if row_modifier and (row := rvus.get((hcpcs, row_modifier))) is not None:
            return row
    for modifier in _ROW_MODIFIERS:
        row = rvus.get((hcpcs, modifier))
        if row is not None:
            return row
    return None


class PhysicianFeeSchedule:
    info = PFS
    by_place = True

    def route(
        self,
        reference: ReferenceData,
        hcpcs: str,
        day: date,
        modifiers: tuple[str, ...] = (),
    ) -> Route | None:
        fee = reference.fee_schedule(day)
        row = pfs_row(fee, hcpcs, modifiers)
        if row is None or row.status in ROUTED_ELSEWHERE:
            return None
        release = fee.vintage.used.id
        paid = row.status in pricing.PAID_STATUSES
        shown = hcpcs + (f"-{row.modifier}" if row.modifier in modifiers else "")
        reason = f"{shown} is on the physician fee schedule {release}, status {row.status}" + (
            "" if paid else f": {pricing.status_reason(row.status)}"
        )
        return Route(PFS, reason, paid, row.description)

    def place_key(self, reference: ReferenceData, request: PriceRequest) -> Hashable:
        return (request.location, request.pos, request.setting)

    def period(self, reference: ReferenceData, day: date) -> Hashable:
        try:
            return pricing.price_period(reference, day)
        except ReleaseNotLoaded:
            return ("day", day)

    def price(self, reference: ReferenceData, request: PriceRequest, terms: Terms) -> Priced:
        result = pricing.price_line(
            reference,
            request.line_request(),
            qp=terms.qp,
            non_participating=terms.non_participating,
            npp=terms.npp,
            deductible_remaining=terms.deductible_remaining,
        )
        return wrap(result)


def wrap(result: pricing.LineResult) -> Priced:
    """A pricing engine answer as every schedule answers."""
    amounts = tuple(
        RateAmount(
            f"{amount.setting.value}{' (NA)' if amount.na else ''}",
            amount.amount,
            "one unit, before modifiers",
        )
        for amount in (result.nonfacility, result.facility)
        if amount is not None
    )
    route = (
        f"{result.hcpcs} is on the physician fee schedule {result.release}, status {result.status}"
    )
    return Priced(
        PFS,
        route,
        result.hcpcs,
        result.modifiers,
        result.units,
        result.date_of_service,
        result.description,
        result.payable,
        result.message,
        result.allowed,
        amounts,
        result.cost_share,
        result.review,
        result.release,
        result.trail,
        result.provenance,
        result.confidence,
        result.confidence_reason,
        result.line_id,
        result,
        cost_share_waived=bool(
            pricing.cost_share_waiver(result.hcpcs, result.modifiers, result.date_of_service)
        ),
    )


def fee_or_none(reference: ReferenceData, day: date) -> FeeSchedule | None:
    try:
        return reference.fee_schedule(day)
    except ReleaseNotLoaded:
        return None


SCHEDULE = PhysicianFeeSchedule()
