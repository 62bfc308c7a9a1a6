"""What the schedules whose files MedPayIQ does not read yet share (Part B drugs at ASP,
ambulance): they claim the valid codes of their range, never price, and say how the code is
paid and which file is missing. A module gives its `ScheduleInfo`, which codes it claims,
and its two sentences."""

from __future__ import annotations

from collections.abc import Hashable
from datetime import date

from medpayiq.reference import ReferenceData

from ._level2 import describe, level2_on
from ._lines import unpriced
from ._types import Priced, PriceRequest, Route, ScheduleInfo, Terms
from .pfs import fee_or_none, pfs_row

__all__ = ["Unloaded"]


class Unloaded:
    """A schedule without a loaded file. Subclasses set `info` and override `claims`,
    `reason` (why the schedule pays the code) and `how` (how it is paid, what is missing)."""

    info: ScheduleInfo
    by_place = False

    def claims(self, hcpcs: str) -> bool:
        raise NotImplementedError

    def reason(self, hcpcs: str) -> str:
        raise NotImplementedError

    def how(self, hcpcs: str) -> str:
        raise NotImplementedError

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
        if not self.claims(hcpcs):
            return None
        fee = fee_or_none(reference, day)
        row = pfs_row(fee, hcpcs) if fee is not None else None
        if row is None and level2_on(reference, hcpcs, day) is None:
            return None  # not a valid code: the router says so
        return Route(self.info, self.reason(hcpcs), False, describe(reference, hcpcs, day))

    def price(self, reference: ReferenceData, request: PriceRequest, terms: Terms) -> Priced:
        code = request.hcpcs
        return unpriced(
            self.info,
            request,
            route=self.reason(code),
            description=describe(reference, code, request.date_of_service),
            message=self.how(code),
        )
