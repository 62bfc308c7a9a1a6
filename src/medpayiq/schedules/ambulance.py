"""Ambulance services (HCPCS A0021-A0999), paid on the Ambulance Fee Schedule: a base rate
per level of service times relative value units, geographically adjusted by the PE GPCI of
the pick-up point, plus mileage, with urban, rural and super-rural add-ons. Its files are
not read yet: the answer says what the code is, how it is paid and what to load."""

from __future__ import annotations

from ._types import ScheduleInfo
from ._unloaded import Unloaded

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


class AmbulanceFeeSchedule(Unloaded):
    info = AMBULANCE

    def claims(self, hcpcs: str) -> bool:
        return "A0021" <= hcpcs <= "A0999"

    def reason(self, hcpcs: str) -> str:
        return f"{hcpcs} is an ambulance service, paid on the Ambulance Fee Schedule"

    def how(self, hcpcs: str) -> str:
        return (
            f"{hcpcs} is paid on the Ambulance Fee Schedule, which is not loaded: no amount "
            "can be given"
        )


SCHEDULE = AmbulanceFeeSchedule()
