"""Anesthesia (DOMAIN.md section 6): codes with PPRRVU status J are paid as
(base units + time units) x the locality's anesthesia conversion factor, time units being
minutes / 15 to one decimal. The conversion factors are loaded (ANESyyyy, with the fee
schedule); the base units come from CMS's anesthesia base unit file, which MedPayIQ does not
read yet, so the answer gives the locality's CF and says what is missing."""

from __future__ import annotations

from collections.abc import Hashable
from datetime import date
from decimal import Decimal

from medpayiq import pricing
from medpayiq.reference import ReferenceData
from medpayiq.releases import Kind

from ._lines import unpriced
from ._types import Priced, PriceRequest, RateAmount, Route, ScheduleInfo, Terms
from .pfs import pfs_row

__all__ = ["ANESTHESIA", "Anesthesia"]

ANESTHESIA = ScheduleInfo(
    name="anesthesia",
    title="Anesthesia (physician fee schedule, anesthesia conversion factors)",
    pays="(base units + time units) x the locality's anesthesia conversion factor; a time "
    "unit is 15 minutes (to one decimal); medical direction (QK, QX, QY) 50%",
    patient="the Part B deductible, then 20% coinsurance",
    kinds=(Kind.ANES,),
    load="the anesthesia conversion factors (ANESyyyy, in the RVUyyX zips: loaded) and CMS's "
    "anesthesia base unit file (not read yet)",
)


class Anesthesia:
    info = ANESTHESIA
    by_place = True

    def place_key(self, reference: ReferenceData, request: PriceRequest) -> Hashable:
        # The engine resolves the place (and checks the place of service) for the CF.
        return (request.location, request.pos, request.setting)

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
        fee = reference.fee_schedule(day)
        row = pfs_row(fee, hcpcs)
        if row is None or row.status != "J":
            return None
        reason = (
            f"{hcpcs} is an anesthesia service (status J in {fee.vintage.used.id}): paid on "
            "base and time units, not RVUs"
        )
        return Route(ANESTHESIA, reason, False, row.description)

    def price(self, reference: ReferenceData, request: PriceRequest, terms: Terms) -> Priced:
        # The engine resolves the place and reads the locality's CF into its trail.
        result = pricing.price_line(
            reference,
            request.line_request(),
            qp=terms.qp,
        )
        cf = next((s for s in result.trail if s.rule == "anesthesia CF"), None)
        amounts: tuple[RateAmount, ...] = ()
        where = "the locality"
        if cf is not None and isinstance(cf.result, Decimal):
            where = f"{result.location.locality}"
            amounts = (RateAmount(f"anesthesia CF, {where}", cf.result),)
        message = (
            f"{request.hcpcs} is paid as (base units + time units) x the anesthesia CF of "
            f"{where}; its base units come from CMS's anesthesia base unit file, which is not "
            "loaded, so no amount can be given"
        )
        return unpriced(
            ANESTHESIA,
            request,
            route=f"{request.hcpcs} is an anesthesia service (status J in {result.release})",
            description=result.description,
            message=message,
            release=result.release,
            amounts=amounts,
            steps=tuple(s for s in result.trail if s.rule in ("release", "anesthesia CF")),
            provenance=result.provenance,
            confidence=result.confidence,
        )


SCHEDULE = Anesthesia()
