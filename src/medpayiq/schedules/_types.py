"""The value types every fee schedule shares: what a schedule is (`ScheduleInfo`), where a
code is routed (`Route`), what a caller asks (`PriceRequest`, `Terms`) and what it gets back
(`Priced`). Frozen dataclasses; `as_dict()` gives JSON-ready values (money as strings)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from medpayiq.pricing import (
    CostShare,
    LineRequest,
    LineResult,
    Location,
    Setting,
    Source,
    Step,
)
from medpayiq.reference import Confidence
from medpayiq.releases import Kind

__all__ = ["PriceRequest", "Priced", "RateAmount", "Route", "ScheduleInfo", "Terms"]


def _money(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


@dataclass(frozen=True, slots=True)
class ScheduleInfo:
    """A Medicare Part B fee schedule as a user needs to know it: its name, how it pays, what
    the patient owes, which file kinds it reads and which files to load for it."""

    name: str  # "pfs", "clfs", "dmepos", "asp", "anesthesia", "ambulance"
    title: str
    pays: str  # plain words: how the amount is set
    patient: str  # plain words: the deductible and coinsurance
    kinds: tuple[Kind, ...]  # the file kinds it reads; () when none is supported yet
    load: str  # which files a user loads for it

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "title": self.title,
            "pays": self.pays,
            "patient": self.patient,
            "kinds": [k.value for k in self.kinds],
            "load": self.load,
        }


@dataclass(frozen=True, slots=True)
class Route:
    """Which schedule pays a code on a date, and why. `priced` False: the schedule's file is
    not loaded (or not supported), so no amount can be given; `reason` says what is missing."""

    schedule: ScheduleInfo
    reason: str
    priced: bool
    description: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "schedule": self.schedule.as_dict(),
            "reason": self.reason,
            "priced": self.priced,
            "description": self.description,
        }


@dataclass(frozen=True, slots=True)
class PriceRequest:
    """One service line to price on whichever schedule pays it.

    Place: `location` (national, ZIP, locality or state) and `pos` or `setting`, as the
    physician fee schedule reads them; DMEPOS reads the state (its fees are set by state) and
    `rural` (True/False when the user knows whether the beneficiary's ZIP is on CMS's DMEPOS
    rural ZIP list; None: unknown). `charge`: what was billed, when known (the lab and
    DMEPOS schedules pay the lesser of the charge and the fee)."""

    hcpcs: str
    date_of_service: date
    modifiers: tuple[str, ...] = ()
    units: int = 1
    location: Location = field(default_factory=Location)
    pos: str | None = None
    setting: Setting | None = None
    line_id: str | None = None
    charge: Decimal | None = None
    rural: bool | None = None

    def line_request(self) -> LineRequest:
        """The line as the physician fee schedule's engine takes it."""
        return LineRequest(
            self.hcpcs,
            self.date_of_service,
            self.modifiers,
            self.units,
            self.location,
            self.pos,
            self.setting,
            self.line_id,
        )


@dataclass(frozen=True, slots=True)
class Terms:
    """The provider's and patient's terms: QP status and participation (physician fee
    schedule), NP/PA/CNS billing, and the Part B deductible still owed (None: met)."""

    qp: bool = False
    non_participating: bool = False
    npp: bool = False
    deductible_remaining: Decimal | None = None


@dataclass(frozen=True, slots=True)
class RateAmount:
    """One published figure behind a price ("non-rural, TX": 50.91), one unit."""

    label: str
    amount: Decimal | None
    note: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"label": self.label, "amount": _money(self.amount), "note": self.note}


@dataclass(frozen=True, slots=True)
class Priced:
    """A line priced by the schedule that pays it.

    `allowed` is the whole line's amount (units, modifiers, the lesser of charge and fee) or
    None when there is none (`message` says why); `amounts` lists the published one-unit
    figures it came from; `detail` is the physician fee schedule engine's own full answer
    (RVUs, settings, national comparison) for codes that schedule pays. `cost_share_waived`
    says the schedule's rule lifts the deductible and coinsurance (lab tests, preventive
    services), so a caller that splits another allowed amount applies the same rule."""

    schedule: ScheduleInfo
    route: str
    hcpcs: str
    modifiers: tuple[str, ...]
    units: int
    date_of_service: date
    description: str
    payable: bool
    message: str
    allowed: Decimal | None
    amounts: tuple[RateAmount, ...]
    cost_share: CostShare | None
    review: tuple[str, ...]
    release: str
    trail: tuple[Step, ...]
    provenance: tuple[Source, ...]
    confidence: Confidence
    confidence_reason: str
    line_id: str | None = None
    detail: LineResult | None = None
    cost_share_waived: bool = False

    def as_dict(self) -> dict[str, Any]:
        """The physician fee schedule's answer keeps its shape (every `LineResult` key); every
        answer adds `schedule`, `route` and `amounts`."""
        head = {"schedule": self.schedule.as_dict(), "route": self.route}
        amounts = [a.as_dict() for a in self.amounts]
        if self.detail is not None:
            return {**self.detail.as_dict(), **head, "amounts": amounts}
        return {
            **head,
            "line_id": self.line_id,
            "hcpcs": self.hcpcs,
            "modifiers": list(self.modifiers),
            "units": self.units,
            "date_of_service": self.date_of_service.isoformat(),
            "description": self.description,
            "payable": self.payable,
            "message": self.message,
            "allowed": _money(self.allowed),
            "amounts": amounts,
            "cost_share": None if self.cost_share is None else self.cost_share.as_dict(),
            "review": list(self.review),
            "release": self.release,
            "trail": [step.as_dict() for step in self.trail],
            "provenance": [source.as_dict() for source in self.provenance],
            "confidence": self.confidence.value,
            "confidence_reason": self.confidence_reason,
        }
