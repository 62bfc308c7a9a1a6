"""The one place the checker calls the pricing engine (`medpayiq.pricing`).

`price_lines` prices a set of claim lines together (the claim-level rules, such as multiple
procedure reductions, need the whole set) and returns each line's expected allowed amount, or
why it has none. A line the engine rejects for its own sake (an unknown code such as a drug's
J code, an invalid modifier) is left unpriced with the engine's message; the other lines are
still priced together (`price_amounts(skip_invalid=True)`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from medpayiq.errors import DataError, InputError
from medpayiq.pricing import ClaimAmounts, Location, ServiceLine, Setting, price_amounts
from medpayiq.reference import Confidence, ReferenceData

from ._claim import Claim
from ._day import DayTables, remember

__all__ = ["LinePrices", "PriceLine", "price_lines"]


# What the engine reads of a claim line (a corrected line is one of these too).
PriceLine = ServiceLine


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


_locations: dict[tuple[str | None, str | None, str | None], Location] = {}


def _location(claim: Claim) -> Location:
    """The claim's place as the engine asks it: one object per place, so the engine's
    tables compare it by identity."""
    key = (claim.zip, claim.carrier, claim.locality)
    found = _locations.get(key)
    if found is None:
        if claim.zip:
            found = Location(zip=claim.zip)
        else:
            found = Location(locality=f"{claim.carrier}-{claim.locality}")
        if len(_locations) > 100_000:
            _locations.clear()
        _locations[key] = found
    return found


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
        found = remember(memo, key, _price_lines(reference, claim, lines))
    return found


def _price_lines(
    reference: ReferenceData, claim: Claim, lines: Sequence[tuple[int, PriceLine]]
) -> LinePrices:
    try:
        result = price_amounts(
            reference,
            claim.date_of_service,
            [line for _, line in lines],
            location=_location(claim),
            pos=claim.place_of_service,
            non_participating=not claim.provider.participating,
            npp=claim.provider.type in _NPP,
            skip_invalid=True,
        )
    except (InputError, DataError) as exc:
        # The place, or no release for the date: nothing is priced.
        return LinePrices(
            {n: None for n, _ in lines}, {n: str(exc) for n, _ in lines}, problem=str(exc)
        )
    return _collect(result, lines)


def _collect(result: ClaimAmounts, lines: Sequence[tuple[int, PriceLine]]) -> LinePrices:
    """The engine's answer by line number."""
    numbers = [n for n, _ in lines]
    allowed = dict(zip(numbers, result.allowed, strict=True))
    notes = {
        n: message
        for n, amount, message in zip(numbers, result.allowed, result.messages, strict=True)
        if amount is None
    }
    if all(result.rejected):
        return LinePrices(allowed, notes, problem=result.messages[0])
    locality, facility, source = _where(result)
    return LinePrices(allowed, notes, locality, facility, source, result.confidence)


_places: dict[int, tuple[ClaimAmounts, tuple[str | None, bool, str]]] = {}


def _where(result: ClaimAmounts) -> tuple[str | None, bool, str]:
    """(locality, facility, source) of a priced claim: the last line's locality and setting,
    the first line's CF and place. Kept by the engine's shared tuple of locations, which
    answers for every claim of those lines on the dates that price alike."""
    found = _places.get(id(result.locations))
    # The entry holds its result, so the id cannot be reused while it lives.
    if found is not None and found[0].locations is result.locations:
        kept = found[0]
        if kept.release == result.release and kept.settings is result.settings:
            return found[1]
    located = [loc for loc in result.locations if loc is not None]
    localities = [loc.locality for loc in located if loc.locality is not None]
    settings = [s for s in result.settings if s is not None]
    first = located[0]
    cf = next(c for c in result.conversion_factors if c is not None)
    where = (
        str(localities[-1]) if localities else None,
        settings[-1] is Setting.FACILITY,
        f"fee schedule {result.release}, CF {cf}, {first.name} ({first.how})",
    )
    if len(_places) > 50_000:
        _places.clear()
    _places[id(result.locations)] = (result, where)
    return where
