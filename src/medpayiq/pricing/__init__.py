"""The Medicare physician fee schedule pricing engine: pure logic, no I/O.

Give it a `ReferenceData` (the in-memory `Catalog` or the store's) and a request; it
answers what Medicare allows, to the cent, and why.

    from datetime import date
    from medpayiq.pricing import LineRequest, Location, price_line

    result = price_line(
        reference,
        LineRequest("62323", date(2025, 11, 3), location=Location(locality="04412-18"), pos="11"),
    )
    result.allowed            # Decimal('...')
    result.as_dict()          # JSON-ready: money as strings, the trail, provenance

Public API (everything else is private and may change):

- `price_line(reference, request, *, qp=False, non_participating=False, npp=False,
  deductible_remaining=None) -> LineResult`
- `price_claim(reference, lines, *, same options) -> ClaimResult`: one patient, provider
  and date; multiple procedure reductions and status T across the lines; the deductible
  consumed line by line.
- `price_amounts(reference, date_of_service, lines, *, location=Location(), pos=None,
  setting=None, qp=False, non_participating=False, npp=False, skip_invalid=False)
  -> ClaimAmounts`: what price_claim allows each `ServiceLine` of a claim of one date and
  place, without the trail, the national comparison or the cost share; for callers that
  price many claims and read only the money (the claim checker). `skip_invalid` leaves a
  line with a bad code, modifier or units unpriced instead of failing the claim.
- `price_period(reference, date_of_service, *, qp=False) -> Hashable`: the same for two
  dates on which price_amounts answers every claim alike (amounts, messages, confidence),
  so that a caller may keep what it derives per period instead of per date.
- `resolve_location(query, fee_schedule, geography) -> ResolvedLocation`
- `day_terms(reference, day, *, qp=False) -> DayTerms`: what every line of a date is priced
  on (release, work GPCI column, CF, settings, confidence, messages), for callers that price
  many lines at once with their own arithmetic (`medpayiq.batch`).
- Requests: `LineRequest`, `ServiceLine`, `Location`, `Setting`. Results: `LineResult`,
  `ClaimResult`, `ClaimAmounts`, `SettingAmount`, `CostShare`, `ResolvedLocation`, `Step`,
  `Source`; each has `as_dict()`.
- Rules other schedules share: `PAID_STATUSES` and `status_reason(status)` (what a PPRRVU
  status means), `split_cost(allowed, day, deductible_remaining, *, waived=False)` and
  `share_step` (the Part B cost share and its trail step), `cost_share_waiver(hcpcs,
  modifiers, day)` (preventive services), `check_deductible`, `provenance_sources`.
- Errors (from `medpayiq.errors`): `InputError` and its subclasses `UnknownCode`,
  `UnknownLocation` (here `AmbiguousLocation`, with `candidates`), `InvalidModifier`,
  each with `parameter`; `ReleaseNotLoaded` when no release covers the date.

A code that exists but has no fee schedule amount (status B, C, I, ...; an NA setting;
modifier 52/66) is not an error: the result has `payable` False, `allowed` None and a
`message` saying why. See docs/pricing.md for every rule and its source.
"""

from __future__ import annotations

from ._amounts import price_amounts, price_period
from ._context import share_step
from ._context import sources as provenance_sources
from ._cost_share import check_deductible, split_cost
from ._engine import check_units, cost_share_waiver, price_claim, price_line
from ._location import AmbiguousLocation, resolve_location
from ._modifiers import PAID_STATUSES, row_modifier, status_reason
from ._terms import DayTerms, day_terms
from ._types import (
    ClaimAmounts,
    ClaimResult,
    CostShare,
    LineRequest,
    LineResult,
    Location,
    ResolvedLocation,
    ServiceLine,
    Setting,
    SettingAmount,
    Source,
    Step,
    jsonable,
)

__all__ = [
    "PAID_STATUSES",
    "AmbiguousLocation",
    "ClaimAmounts",
    "ClaimResult",
    "CostShare",
    "DayTerms",
    "LineRequest",
    "LineResult",
    "Location",
    "ResolvedLocation",
    "ServiceLine",
    "Setting",
    "SettingAmount",
    "Source",
    "Step",
    "check_deductible",
    "check_units",
    "cost_share_waiver",
    "day_terms",
    "jsonable",
    "price_amounts",
    "price_claim",
    "price_line",
    "price_period",
    "provenance_sources",
    "resolve_location",
    "row_modifier",
    "share_step",
    "split_cost",
    "status_reason",
]
