"""The one place the checker calls the pricing engine (`medpayiq.pricing`).

`price_lines` prices a set of claim lines together (the claim-level rules, such as multiple
procedure reductions, need the whole set) and returns each line's expected allowed amount, or
why it has none. A line the engine rejects (an invalid modifier, an unknown code) is left
unpriced with the engine's message; the other lines are still priced together.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from medpayiq.errors import DataError, InputError
from medpayiq.pricing import ClaimResult, LineRequest, Location, price_claim, price_line
from medpayiq.reference import Confidence, ReferenceData

from ._claim import Claim, ClaimLine
from ._memo import memo_for

__all__ = ["LinePrices", "price_lines"]


@dataclass(frozen=True)
class LinePrices:
    """Allowed amounts by 1-based line number (None: not priced, `notes` says why)."""

    allowed: dict[int, Decimal | None]
    notes: dict[int, str] = field(default_factory=dict)
    locality: str | None = None
    facility: bool | None = None
    source: str = ""
    confidence: Confidence = Confidence.LOW
    problem: str = ""


def _location(claim: Claim) -> Location:
    if claim.zip:
        return Location(zip=claim.zip)
    return Location(locality=f"{claim.carrier}-{claim.locality}")


def _request(claim: Claim, number: int, line: ClaimLine) -> LineRequest:
    return LineRequest(
        hcpcs=line.hcpcs,
        date_of_service=claim.date_of_service,
        modifiers=tuple(line.modifiers),
        units=line.units,
        location=_location(claim),
        pos=claim.place_of_service,
        line_id=str(number),
    )


def _claim_price(
    reference: ReferenceData, claim: Claim, requests: Sequence[LineRequest]
) -> ClaimResult:
    return price_claim(
        reference,
        requests,
        non_participating=not claim.provider.participating,
        npp=claim.provider.type in _NPP,
    )


_NPP = frozenset({"np", "pa", "cns"})


def price_lines(
    reference: ReferenceData, claim: Claim, lines: Sequence[tuple[int, ClaimLine]]
) -> LinePrices:
    """Price `lines` (numbered as on the claim) as one claim. Results are memoised per
    reference object by everything the engine reads: date, place, provider and lines (the
    date itself, not its quarter: a CF or GPCI rule can change mid-quarter)."""
    if not lines:
        return LinePrices({})
    key = (
        claim.date_of_service, claim.zip5, claim.carrier, claim.locality,
        claim.place_of_service, claim.provider.participating, claim.provider.type,
        tuple((n, line.hcpcs, tuple(line.modifiers), line.units) for n, line in lines),
    )  # fmt: skip
    memo = memo_for(reference, "prices")
    found = memo.get(key)
    if found is None:
        found = memo[key] = _price_lines(reference, claim, lines)
    return found


def _price_lines(
    reference: ReferenceData, claim: Claim, lines: Sequence[tuple[int, ClaimLine]]
) -> LinePrices:
    requests = [_request(claim, n, line) for n, line in lines]
    notes: dict[int, str] = {}
    try:
        result = _claim_price(reference, claim, requests)
    except DataError as exc:
        return LinePrices(
            {n: None for n, _ in lines}, {n: str(exc) for n, _ in lines}, problem=str(exc)
        )
    except InputError:
        # Find the lines the engine rejects, then price the rest together.
        good = []
        for (n, _), request in zip(lines, requests, strict=True):
            try:
                price_line(reference, request)
                good.append(request)
            except InputError as exc:
                notes[n] = str(exc)
        if not good:
            problem = next(iter(notes.values()), "")
            return LinePrices({n: None for n, _ in lines}, notes, problem=problem)
        result = _claim_price(reference, claim, good)
    return _collect(result, lines, notes)


def _collect(
    result: ClaimResult, lines: Sequence[tuple[int, ClaimLine]], notes: dict[int, str]
) -> LinePrices:
    allowed: dict[int, Decimal | None] = {n: None for n, _ in lines}
    locality = facility = None
    for line in result.lines:
        number = int(line.line_id or 0)
        allowed[number] = line.allowed
        if not line.payable:
            notes[number] = line.message
        if line.location.locality is not None:
            locality = str(line.location.locality)
        facility = line.setting.value == "facility"
    first = result.lines[0] if result.lines else None
    source = (
        (
            f"fee schedule {first.release}, CF {first.conversion_factor}, "
            f"{first.location.name} ({first.location.how})"
        )
        if first
        else ""
    )
    return LinePrices(allowed, notes, locality, facility, source, result.confidence)
