"""What the schedules other than the physician fee schedule share when they price a line:
the units, the lesser of the charge and the fee, the cost share, and the answer's shape."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from medpayiq import pricing
from medpayiq.money import cents
from medpayiq.reference import Confidence, Vintage

from ._types import Priced, PriceRequest, RateAmount, ScheduleInfo, Terms

__all__ = ["Line", "unpriced"]


@dataclass
class Line:
    """A line on its way to a `Priced`: the steps so far and what the schedule found."""

    info: ScheduleInfo
    request: PriceRequest
    route: str
    description: str
    vintage: Vintage
    steps: list[pricing.Step]
    amounts: tuple[RateAmount, ...] = ()
    review: tuple[str, ...] = ()
    confidence: Confidence | None = None
    confidence_reason: str = ""

    def priced(self, unit: Decimal, terms: Terms, *, waived: bool, why_waived: str) -> Priced:
        """The line at `unit` dollars a unit: units, the lesser of charge and fee, the cost
        share (`waived`: no deductible or coinsurance, `why_waived` says so)."""
        request = self.request
        allowed = cents(unit * request.units)
        if request.units > 1:
            self.steps.append(
                pricing.Step("units", (("rate", unit), ("units", request.units)), allowed)
            )
        if request.charge is not None and request.charge < allowed:
            self.steps.append(
                pricing.Step(
                    "lesser of charge and fee",
                    (("charge", request.charge), ("fee", allowed)),
                    request.charge,
                    "Medicare pays the lesser of the billed charge and the fee schedule amount",
                )
            )
            allowed = request.charge
        day = request.date_of_service
        remaining = pricing.check_deductible(terms.deductible_remaining, day)
        share = pricing.split_cost(allowed, day, remaining, waived=waived)
        given = terms.deductible_remaining is not None
        self.steps.append(pricing.share_step(share, day, given, why_waived))
        self.steps.append(pricing.Step("allowed", (), allowed))
        return self._done(True, "priced", allowed, share, waived)

    def unpriced(self, message: str) -> Priced:
        self.steps.append(pricing.Step("no amount", (), None, message))
        return self._done(False, message, None, None)

    def _done(
        self,
        payable: bool,
        message: str,
        allowed: Decimal | None,
        share: pricing.CostShare | None,
        waived: bool = False,
    ) -> Priced:
        request, vintage = self.request, self.vintage
        confidence = self.confidence or vintage.confidence
        reason = self.confidence_reason or vintage.note
        return Priced(
            self.info,
            self.route,
            request.hcpcs,
            request.modifiers,
            request.units,
            request.date_of_service,
            self.description,
            payable,
            message,
            allowed,
            self.amounts,
            share,
            self.review,
            vintage.used.id,
            tuple(self.steps),
            pricing.provenance_sources(vintage.provenance),
            min(confidence, vintage.confidence),
            reason,
            request.line_id,
            cost_share_waived=waived,
        )


def unpriced(
    info: ScheduleInfo,
    request: PriceRequest,
    *,
    route: str,
    description: str,
    message: str,
    release: str = "",
    amounts: tuple[RateAmount, ...] = (),
    steps: tuple[pricing.Step, ...] = (),
    provenance: tuple[pricing.Source, ...] = (),
    confidence: Confidence = Confidence.LOW,
) -> Priced:
    """The answer for a code whose schedule has no loaded file (drugs at ASP, anesthesia base
    units, ambulance): what it is, which schedule pays it and how, and what to load."""
    return Priced(
        info,
        route,
        request.hcpcs,
        request.modifiers,
        request.units,
        request.date_of_service,
        description,
        False,
        message,
        None,
        amounts,
        None,
        (),
        release,
        (*steps, pricing.Step("no amount", (), None, message)),
        provenance,
        confidence,
        message,
        request.line_id,
    )
