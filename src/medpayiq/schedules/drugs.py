"""Part B drugs and vaccines, paid from CMS's quarterly ASP pricing file: 106% of the
average sales price per billing unit of the HCPCS descriptor (vaccines at 95% of the
average wholesale price or as CMS lists them). The file is not read yet: the answer says
what the code is, how it is paid and which file to load."""

from __future__ import annotations

from collections.abc import Hashable
from datetime import date

from medpayiq.reference import ReferenceData

from ._level2 import describe, level2_on
from ._lines import unpriced
from ._types import Priced, PriceRequest, Route, ScheduleInfo, Terms
from .pfs import fee_or_none, pfs_row

__all__ = ["ASP", "PartBDrugs", "is_drug_code"]

ASP = ScheduleInfo(
    name="asp",
    title="Part B drugs (ASP pricing file)",
    pays="106% of the drug's average sales price per billing unit of the code's descriptor, "
    "from CMS's quarterly ASP pricing file (vaccines: the file's vaccine limits)",
    patient="the Part B deductible, then 20% coinsurance (none for the influenza, "
    "pneumococcal, hepatitis B and COVID-19 vaccines)",
    kinds=(),
    load="CMS's quarterly ASP pricing file (not read yet)",
)

# Vaccine products (CPT 90476-90759) and the HCPCS drug ranges: J codes, Q5101-Q5199
# biosimilars, Q2035-Q2039 influenza vaccines.
_VACCINES = ("90476", "90759")


def is_drug_code(hcpcs: str) -> bool:
    if hcpcs.startswith("J"):
        return True
    if hcpcs.startswith("Q5") or "Q2035" <= hcpcs <= "Q2039":
        return True
    return hcpcs.isdigit() and _VACCINES[0] <= hcpcs <= _VACCINES[1]


class PartBDrugs:
    info = ASP
    by_place = False

    def place_key(self, reference: ReferenceData, request: PriceRequest) -> Hashable:
        return ""  # the answer does not depend on the place

    def period(self, reference: ReferenceData, day: date) -> Hashable:
        # Routes and answers from the physician fee schedule and the code sets, whose
        # periods callers key on already.
        return self.info.name

    def route(self, reference: ReferenceData, hcpcs: str, day: date) -> Route | None:
        if not is_drug_code(hcpcs):
            return None
        fee = fee_or_none(reference, day)
        row = pfs_row(fee, hcpcs) if fee is not None else None
        if row is None and level2_on(reference, hcpcs, day) is None:
            return None  # not a valid code: the router says so
        reason = f"{hcpcs} is a Part B drug or vaccine, paid from CMS's ASP pricing file"
        return Route(ASP, reason, False, describe(reference, hcpcs, day))

    def price(self, reference: ReferenceData, request: PriceRequest, terms: Terms) -> Priced:
        return unpriced(
            ASP,
            request,
            route=f"{request.hcpcs} is a Part B drug or vaccine (ASP pricing file)",
            description=describe(reference, request.hcpcs, request.date_of_service),
            message=(
                f"{request.hcpcs} is paid at 106% of its average sales price per billing unit, "
                "from CMS's quarterly ASP pricing file, which is not loaded: no amount can be "
                "given"
            ),
        )


SCHEDULE = PartBDrugs()
