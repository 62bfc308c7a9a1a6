"""Where every denied, reduced or patient-owed line of a remittance goes next: one table
(DOMAIN.md sections 9 and 10).

The route of a CARC comes from `knowledge.denial_guidance` (the table the claim checker and
the code pages use: 4, 11 and B15 a reopening, 16 a corrected claim, 29 no appeal, 50, 96, 97,
151, 236 a redetermination, 45 and 253 not denials); this module adds what the remittance
itself says: the group (PR: the patient or the secondary payer owes it), RARC MA130 (an
unprocessable claim: a new claim, no appeal rights), an underpaid line (a reopening: the
contractor's computational error) and the deadline of each route from the remittance date.

    route = line_route(adjustments, remarks, notice=date(2025, 12, 10), service=date(2025, 11, 3))
    route.kind, route.deadline          # RouteKind.REDETERMINATION, date(2026, 4, 14)
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any

from medpayiq.knowledge import AppealRoute, denial_guidance
from medpayiq.x12 import Adjustment

__all__ = [
    "ROUTES",
    "LineRoute",
    "RouteKind",
    "RouteRule",
    "line_route",
    "redetermination_deadline",
    "reopening_deadline",
    "timely_filing_deadline",
]

RECEIPT_DAYS = 5  # 42 CFR 405.942(a)(1): the notice is presumed received 5 days after its date
REDETERMINATION_DAYS = 120  # 42 CFR 405.942(a)


class RouteKind(StrEnum):
    """The next step for a line, in the order one line's adjustments are ranked: the first
    that applies names the line's route."""

    NO_APPEAL = "no_appeal"
    CORRECTED_CLAIM = "corrected_claim"
    REOPENING = "reopening"
    REDETERMINATION = "redetermination"
    BILL_PATIENT = "bill_patient"
    WRITE_OFF = "write_off"

    @property
    def rank(self) -> int:
        return _RANK[self]

    @property
    def actionable(self) -> bool:
        """A route with something to send to the contractor (the worklist's)."""
        return self in (RouteKind.CORRECTED_CLAIM, RouteKind.REOPENING, RouteKind.REDETERMINATION)


_RANK = {kind: rank for rank, kind in enumerate(RouteKind)}


@dataclass(frozen=True, slots=True)
class RouteRule:
    """One row of the routing table: what the route is, what to send, by when, and the rule."""

    kind: RouteKind
    name: str
    send: str
    deadline_rule: str
    cites: str


ROUTES: dict[RouteKind, RouteRule] = {
    r.kind: r
    for r in (
        RouteRule(
            RouteKind.NO_APPEAL,
            "No appeal",
            "nothing: the claim was filed after the time limit; the amount cannot be billed "
            "to the patient",
            "none",
            "42 CFR 424.44(a)(1) (claims filed more than 1 calendar year after the date of "
            "service are denied); a timely filing denial is not an initial determination with "
            "appeal rights (Pub. 100-04 chapter 1 section 70)",
        ),
        RouteRule(
            RouteKind.CORRECTED_CLAIM,
            "Corrected claim",
            "a new claim with the missing or invalid information completed",
            "the timely filing limit: 1 calendar year after the date of service",
            "RARC MA130: unprocessable, no appeal rights (Pub. 100-04 chapter 1 section "
            "80.3.2); 42 CFR 424.44(a)(1) timely filing",
        ),
        RouteRule(
            RouteKind.REOPENING,
            "Reopening (clerical error)",
            "a clerical error reopening request naming the line and the correction (wrong or "
            "missing modifier, diagnosis, code, units or a computational error), by phone, "
            "portal or in writing",
            "1 year after the date of the initial determination (the remittance date)",
            "42 CFR 405.980(a)(3) (clerical errors are processed as reopenings) and "
            "405.980(b)(1) (within 1 year of the initial determination)",
        ),
        RouteRule(
            RouteKind.REDETERMINATION,
            "Redetermination",
            "a redetermination request (form CMS-20027 or a letter with its elements) and "
            "the medical record for the date of service",
            "120 days after receipt of the remittance, presumed 5 days after its date",
            "42 CFR 405.942(a) (120 days from receipt; receipt presumed 5 days after the "
            "notice date) and 405.944 (the request's content)",
        ),
        RouteRule(
            RouteKind.BILL_PATIENT,
            "Bill the patient or the secondary payer",
            "a statement to the patient, or the claim to the secondary payer (a crossover "
            "claim when the status is 19)",
            "none",
            "42 CFR 410.160 (Part B deductible) and 410.152 (coinsurance); PR group: "
            "patient responsibility (X12 CARC group codes)",
        ),
        RouteRule(
            RouteKind.WRITE_OFF,
            "Contractual write-off",
            "nothing: adjust the balance off",
            "none",
            "42 CFR 424.55 (an assigned claim accepts the allowed amount as the full charge, "
            "CARC 45); sequestration 2% of Medicare's payment (CARC 253, Balanced Budget and "
            "Emergency Deficit Control Act section 251A)",
        ),
    )
}

_GUIDED = {
    AppealRoute.RESUBMIT: RouteKind.CORRECTED_CLAIM,
    AppealRoute.REOPENING: RouteKind.REOPENING,
    AppealRoute.REDETERMINATION: RouteKind.REDETERMINATION,
    AppealRoute.NOT_APPEALABLE: RouteKind.NO_APPEAL,
}
# what to send for a line paid above the fee schedule (the worklist's, not a route)
OVERPAID_SEND = (
    "report and return the overpayment within 60 days of identifying it (42 CFR 401.305), "
    "or ask the contractor to adjust the claim"
)
UNPROCESSABLE = "MA130"
WRITE_OFF_CARCS = frozenset({"45", "253"})


def redetermination_deadline(notice: date) -> date:
    """120 days after the presumed receipt (5 days after the notice date)."""
    return notice + timedelta(days=RECEIPT_DAYS + REDETERMINATION_DAYS)


def _year_after(day: date) -> date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


def reopening_deadline(notice: date) -> date:
    """1 year after the initial determination (the remittance date)."""
    return _year_after(notice)


def timely_filing_deadline(service: date) -> date:
    """1 calendar year after the date of service (42 CFR 424.44(a)(1))."""
    return _year_after(service)


def adjustment_route(
    adjustment: Adjustment, remarks: frozenset[str], *, paid_right: bool = False
) -> RouteKind:
    """The route one adjustment calls for. An unknown CO/OA/PI code is a denial to review
    with the redetermination deadline (the safe one), as the code pages treat it. On a line
    paid as the fee schedule says, a CO/OA/PI reduction (CO-59 multiple procedure ...) is
    the schedule's own: a write-off."""
    reason = adjustment.reason
    if reason in WRITE_OFF_CARCS:
        return RouteKind.WRITE_OFF
    if adjustment.group == "PR":
        return RouteKind.BILL_PATIENT
    if paid_right:
        return RouteKind.WRITE_OFF
    if UNPROCESSABLE in remarks:
        return RouteKind.CORRECTED_CLAIM
    guidance = denial_guidance(reason)
    if guidance is None:
        return RouteKind.REDETERMINATION
    if not guidance.is_denial:
        return RouteKind.WRITE_OFF
    return _GUIDED[guidance.route]


@dataclass(frozen=True, slots=True)
class LineRoute:
    """A line's route: the kind, the deadline (None when there is none), the adjustments that
    decided it and the rule row."""

    kind: RouteKind
    deadline: date | None
    reasons: tuple[str, ...]  # "CO-97", ... the adjustments that call for this route
    amount: Decimal  # the sum of those adjustments
    note: str = ""

    @property
    def rule(self) -> RouteRule:
        return ROUTES[self.kind]

    def as_dict(self) -> dict[str, Any]:
        rule = self.rule
        return {
            "route": self.kind.value,
            "name": rule.name,
            "deadline": self.deadline.isoformat() if self.deadline else None,
            "deadline_rule": rule.deadline_rule,
            "send": rule.send,
            "cites": rule.cites,
            "reasons": list(self.reasons),
            "amount": f"{self.amount:.2f}",
            "note": self.note,
        }


def deadline_of(kind: RouteKind, *, notice: date | None, service: date | None) -> date | None:
    if kind is RouteKind.REDETERMINATION:
        return redetermination_deadline(notice) if notice else None
    if kind is RouteKind.REOPENING:
        return reopening_deadline(notice) if notice else None
    if kind is RouteKind.CORRECTED_CLAIM:
        return timely_filing_deadline(service) if service else None
    return None


def line_route(
    adjustments: Iterable[Adjustment],
    remarks: Iterable[str],
    *,
    notice: date | None,
    service: date | None,
    underpaid: bool = False,
    paid_right: bool = False,
    note: str = "",
) -> LineRoute | None:
    """The route of a line from its adjustments (claim-level ones for a claim without
    lines): the highest ranked route any non-zero adjustment calls for; an underpaid line
    with nothing worse is a reopening (a computational error, 405.980(a)(3)(i)). None when
    nothing is adjusted. `paid_right`: the line was paid as the fee schedule says (its
    reductions are the schedule's). Without `notice` or `service` the deadlines they give are None
    (another payer's claim: `note` says so)."""
    # (called for every line of a file: ranks from a dict, not the enum's property)
    marks = frozenset(remarks)
    found: dict[RouteKind, list[Adjustment]] = {}
    for adjustment in adjustments:
        if not adjustment.amount:  # zero
            continue
        kind = adjustment_route(adjustment, marks, paid_right=paid_right)
        found.setdefault(kind, []).append(adjustment)
    if underpaid and not any(_RANK[k] <= _REDETERMINATION_RANK for k in found):
        kind = RouteKind.REOPENING
        chosen: list[Adjustment] = []
        note = note or "paid below the fee schedule: ask for a reopening of the pricing"
    elif found:
        kind = min(found, key=_RANK.__getitem__)
        chosen = found[kind]
    else:
        return None
    return LineRoute(
        kind,
        deadline_of(kind, notice=notice, service=service),
        tuple([f"{a.group}-{a.reason}" for a in chosen]),
        sum([a.amount for a in chosen], Decimal(0)),
        note,
    )


_REDETERMINATION_RANK = _RANK[RouteKind.REDETERMINATION]
