"""Medicare Part B fee schedules as plug-ins, and the router that sends each code to the one
that pays it (DOMAIN.md section 5b).

    from medpayiq.schedules import PriceRequest, Terms, price_line, route
    route(reference, "80053", day).schedule.title      # "Clinical Laboratory Fee Schedule"
    price_line(reference, PriceRequest("E0601", day, ("RR",), location=Location(state="TX")))

Registered, in the order the router asks them:

| name | schedule | prices with |
|---|---|---|
| `pfs` | Medicare Physician Fee Schedule | `medpayiq.pricing` (RVUs, GPCIs, CF) |
| `clfs` | Clinical Laboratory Fee Schedule | one national rate per code and modifier |
| `dmepos` | DMEPOS and PEN fee schedules | a fee per code, modifiers and state |
| `anesthesia` | anesthesia (status J) | no amount: base units not loaded; the CF is shown |
| `asp` | Part B drugs and vaccines | no amount: the ASP file is not loaded |
| `ambulance` | Ambulance Fee Schedule | no amount: its file is not loaded |
| `none` | a valid code no loaded schedule pays | no amount; says why |

Adding a schedule is one module that builds its snapshot with `ReferenceData.snapshot`,
implements the `Schedule` protocol and calls `register` (docs/architecture.md).

Public API: `route(reference, hcpcs, day) -> Route`, `price_line(reference, request,
terms=Terms()) -> Priced`, `price_lines(reference, requests, terms) -> tuple[Priced, ...]`
(one claim: the physician fee schedule's lines priced together for its claim rules),
`registered()`, `schedule_named(name)`, and the types `PriceRequest`, `Terms`, `Priced`,
`RateAmount`, `Route`, `ScheduleInfo`, `Schedule`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from medpayiq import pricing
from medpayiq.errors import ReleaseNotLoaded, UnknownCode
from medpayiq.reference import ReferenceData

from . import ambulance, anesthesia, clfs, dmepos, drugs, other, pfs
from ._registry import (
    ROUTING_MODIFIERS,
    Schedule,
    normalise,
    price_period,
    register,
    registered,
    route,
    route_period,
    routing_modifier,
    schedule_named,
)
from ._types import Priced, PriceRequest, RateAmount, Route, ScheduleInfo, Terms
from .dmepos import dmepos_codes

# The built-in schedules, in the order the router asks them: the physician fee schedule
# first, `other` (a valid code no loaded schedule pays) last.
for _schedule in (
    pfs.SCHEDULE,
    clfs.SCHEDULE,
    dmepos.SCHEDULE,
    anesthesia.SCHEDULE,
    drugs.SCHEDULE,
    ambulance.SCHEDULE,
    other.SCHEDULE,
):
    register(_schedule)

__all__ = [
    "ROUTING_MODIFIERS",
    "PriceRequest",
    "Priced",
    "RateAmount",
    "Route",
    "Schedule",
    "ScheduleInfo",
    "Terms",
    "dmepos_codes",
    "price_line",
    "price_lines",
    "price_period",
    "register",
    "registered",
    "route",
    "route_period",
    "routing_modifier",
    "schedule_named",
]


def price_line(reference: ReferenceData, request: PriceRequest, terms: Terms = Terms()) -> Priced:
    """Price one line on the schedule that pays its code (`route`). Raises what `route`
    raises, and the schedule's InputError for a bad place, modifier or units."""
    code = normalise(request.hcpcs)
    pricing.check_units(request.units)
    schedule = schedule_named(_route_name(reference, code, request))
    return schedule.price(reference, replace(request, hcpcs=code), terms)


def _route_name(reference: ReferenceData, code: str, request: PriceRequest) -> str:
    """The schedule a line goes to. A code no schedule claims goes to the physician fee
    schedule when one is loaded for the date: its engine gives the error of record (the
    modifiers first, then the code not being in the release), as the batch engine does."""
    try:
        return route(reference, code, request.date_of_service, request.modifiers).schedule.name
    except (UnknownCode, ReleaseNotLoaded):
        if pfs.fee_or_none(reference, request.date_of_service) is None:
            raise
        return pfs.PFS.name


def price_lines(
    reference: ReferenceData, requests: Sequence[PriceRequest], terms: Terms = Terms()
) -> tuple[Priced, ...]:
    """The lines of one claim, each on its schedule. The physician fee schedule's lines are
    priced together (`pricing.price_claim`: multiple procedure reductions, status T), the
    others one by one; the deductible is consumed by the physician fee schedule's lines
    first, then by the others in claim order."""
    codes = [normalise(r.hcpcs) for r in requests]
    for request in requests:
        pricing.check_units(request.units)
    routes = [_route_name(reference, c, r) for c, r in zip(codes, requests, strict=True)]
    at = [i for i, name in enumerate(routes) if name == pfs.PFS.name]
    results: dict[int, Priced] = {}
    remaining = terms.deductible_remaining
    if at:
        claim = pricing.price_claim(
            reference,
            [replace(requests[i], hcpcs=codes[i]).line_request() for i in at],
            qp=terms.qp,
            non_participating=terms.non_participating,
            npp=terms.npp,
            deductible_remaining=remaining,
        )
        for i, line in zip(at, claim.lines, strict=True):
            results[i] = pfs.wrap(line)
        shares = [line.cost_share for line in claim.lines if line.cost_share is not None]
        if remaining is not None and shares:
            remaining = shares[-1].deductible_remaining_after
    for i, name in enumerate(routes):
        if i in results:
            continue
        schedule = schedule_named(name)
        priced = schedule.price(
            reference,
            replace(requests[i], hcpcs=codes[i]),
            replace(terms, deductible_remaining=remaining),
        )
        if remaining is not None and priced.cost_share is not None:
            remaining = priced.cost_share.deductible_remaining_after
        results[i] = priced
    return tuple(results[i] for i in range(len(requests)))
