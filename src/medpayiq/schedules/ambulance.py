"""Ambulance services (HCPCS A0021-A0999), paid on the Ambulance Fee Schedule: a base rate
per level of service times relative value units, geographically adjusted by the PE GPCI of
the pick-up point, plus mileage, with urban, rural and super-rural add-ons. Its files are
not read yet: the answer says what the code is, how it is paid and what to load."""

from __future__ import annotations

from collections.abc import Hashable
from datetime import date

from medpayiq.reference import ReferenceData

from ._level2 import describe, level2_on
from ._lines import unpriced
from ._types import Priced, PriceRequest, Route, ScheduleInfo, Terms

__all__ = ["AMBULANCE", "AmbulanceFeeSchedule"]

AMBULANCE = ScheduleInfo(
    name="ambulance",
    title="Ambulance Fee Schedule",
    pays="a base rate per level of service x its relative value units, adjusted by the PE "
    "GPCI of the point of pick-up, plus mileage, with urban, rural and super-rural add-ons",
    patient="the Part B deductible, then 20% coinsurance",
    kinds=(),
    load="CMS's Ambulance Fee Schedule public use file (not read yet)",
)


class AmbulanceFeeSchedule:
    info = AMBULANCE
    by_place = False

    def place_key(self, reference: ReferenceData, request: PriceRequest) -> Hashable:
        return ""  # the answer does not depend on the place

    def period(self, reference: ReferenceData, day: date) -> Hashable:
        # Routes and answers from the physician fee schedule and the code sets, whose
        # periods callers key on already.
        return self.info.name

    def route(self, reference: ReferenceData, hcpcs: str, day: date) -> Route | None:
        if not ("A0021" <= hcpcs <= "A0999") or level2_on(reference, hcpcs, day) is None:
            return None
        reason = f"{hcpcs} is an ambulance service, paid on the Ambulance Fee Schedule"
        return Route(AMBULANCE, reason, False, describe(reference, hcpcs, day))

    def price(self, reference: ReferenceData, request: PriceRequest, terms: Terms) -> Priced:
        return unpriced(
            AMBULANCE,
            request,
            route=f"{request.hcpcs} is an ambulance service (Ambulance Fee Schedule)",
            description=describe(reference, request.hcpcs, request.date_of_service),
            message=(
                f"{request.hcpcs} is paid on the Ambulance Fee Schedule, which is not loaded: "
                "no amount can be given"
            ),
        )


SCHEDULE = AmbulanceFeeSchedule()
