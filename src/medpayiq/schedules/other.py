"""The last schedule the router asks: a valid code that no loaded schedule pays (a HCPCS
Level II code outside the loaded files, a PPRRVU row with status X or E found on no other
schedule). It never prices; it says what the code is and why there is no amount, so a valid
HCPCS code is never "unknown"."""

from __future__ import annotations

from collections.abc import Hashable
from datetime import date

from medpayiq import pricing
from medpayiq.reference import ReferenceData

from ._level2 import describe, level2_on
from ._lines import unpriced
from ._types import Priced, PriceRequest, Route, ScheduleInfo, Terms
from .pfs import fee_or_none, pfs_row

__all__ = ["NO_SCHEDULE", "NoLoadedSchedule"]

NO_SCHEDULE = ScheduleInfo(
    name="none",
    title="No loaded fee schedule",
    pays="not on any fee schedule MedPayIQ has loaded: the Medicare contractor prices it, or "
    "it is paid on a schedule whose file is not loaded (OPPS, ASC, ...), or it is not covered",
    patient="depends on how it is paid",
    kinds=(),
    load="the schedule that lists the code, if Medicare covers it",
)


class NoLoadedSchedule:
    info = NO_SCHEDULE
    by_place = False

    def _reason(self, reference: ReferenceData, hcpcs: str, day: date) -> str | None:
        fee = fee_or_none(reference, day)
        row = pfs_row(fee, hcpcs) if fee is not None else None
        if row is not None:
            return f"{hcpcs}: {pricing.status_reason(row.status)}; it is on no loaded fee schedule"
        if level2_on(reference, hcpcs, day) is not None:
            return f"{hcpcs} is a valid HCPCS Level II code on no loaded fee schedule"
        return None

    def place_key(self, reference: ReferenceData, request: PriceRequest) -> Hashable:
        return ""  # the answer does not depend on the place

    def period(self, reference: ReferenceData, day: date) -> Hashable:
        # Routes and answers from the physician fee schedule and the code sets, whose
        # periods callers key on already.
        return self.info.name

    def route(
        self,
        reference: ReferenceData,
        hcpcs: str,
        day: date,
        modifiers: tuple[str, ...] = (),
    ) -> Route | None:
        reason = self._reason(reference, hcpcs, day)
        if reason is None:
            return None
        return Route(NO_SCHEDULE, reason, False, describe(reference, hcpcs, day))

    def price(self, reference: ReferenceData, request: PriceRequest, terms: Terms) -> Priced:
        day = request.date_of_service
        reason = self._reason(reference, request.hcpcs, day) or ""
        return unpriced(
            NO_SCHEDULE,
            request,
            route=reason,
            description=describe(reference, request.hcpcs, day),
            message=f"{reason}: no amount can be given",
        )


SCHEDULE = NoLoadedSchedule()
