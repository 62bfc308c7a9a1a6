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
from typing import NamedTuple

from medpayiq.errors import DataError, InputError
from medpayiq.pricing import ClaimResult, LineRequest, Location, price_claim, price_line
from medpayiq.reference import Confidence, ReferenceData

from ._claim import Claim
from ._day import DayTables, remember

__all__ = ["LinePrices", "PriceLine", "price_lines"]


class PriceLine(NamedTuple):
    """What the engine reads of a claim line (a corrected line is one of these too)."""

    hcpcs: str
    modifiers: tuple[str, ...]
    units: int


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
    reference: ReferenceData,
    tables: DayTables,
    claim: Claim,
    lines: Sequence[tuple[int, PriceLine]],
) -> LinePrices:
    """Price `lines` (numbered as on the claim) as one claim. Results are memoised per date
    (`tables`) by everything else the engine reads: place, provider and lines (the whole ZIP,
    since a ZIP+4 can name another locality than its ZIP5)."""
    if not lines:
        return LinePrices({})
    key = (
        claim.zip, claim.carrier, claim.locality, claim.place_of_service,
        claim.provider.participating, claim.provider.type, tuple(lines),
    )  # fmt: skip
    memo = tables.memo("prices")
    found: LinePrices | None = memo.get(key)
    if found is None:
        found = remember(memo, key, _price_lines(reference, tables, claim, lines))
    return found


def _price_lines(
    reference: ReferenceData,
    tables: DayTables,
    claim: Claim,
    lines: Sequence[tuple[int, PriceLine]],
) -> LinePrices:
    location = _location(claim)
    requests = [
        LineRequest(
            hcpcs=line.hcpcs,
            date_of_service=claim.date_of_service,
            modifiers=line.modifiers,
            units=line.units,
            location=location,
            pos=claim.place_of_service,
            line_id=str(n),
        )
        for n, line in lines
    ]
    # Lines the engine rejected before (an unknown code, such as a drug's J code, or an
    # invalid modifier) are left out at once, so such a claim is priced once, not line by line.
    rejected = tables.memo("rejected")
    place = (claim.zip, claim.carrier, claim.locality, claim.place_of_service)
    notes: dict[int, str] = {}
    good = []
    for (n, line), request in zip(lines, requests, strict=True):
        error = rejected.get((line, place))
        if error:
            notes[n] = error
        else:
            good.append(request)
    try:
        try:
            if not good:
                raise InputError(next(iter(notes.values())))
            result = _claim_price(reference, claim, good)
        except InputError:
            # Find the lines the engine rejects, then price the rest together.
            notes, good = {}, []
            for (n, line), request in zip(lines, requests, strict=True):
                try:
                    price_line(reference, request)
                    good.append(request)
                    remember(rejected, (line, place), "")
                except InputError as exc:
                    notes[n] = remember(rejected, (line, place), str(exc))
            if not good:
                problem = next(iter(notes.values()), "")
                return LinePrices({n: None for n, _ in lines}, notes, problem=problem)
            result = _claim_price(reference, claim, good)
    except DataError as exc:
        # No release for the date (whichever line the engine met it on): nothing is priced.
        return LinePrices(
            {n: None for n, _ in lines}, {n: str(exc) for n, _ in lines}, problem=str(exc)
        )
    return _collect(result, lines, notes)


def _collect(
    result: ClaimResult, lines: Sequence[tuple[int, PriceLine]], notes: dict[int, str]
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
