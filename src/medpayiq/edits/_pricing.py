"""The one place the checker calls the pricing engine (`medpayiq.pricing`).

`price_lines` prices a set of claim lines together (the claim-level rules, such as multiple
procedure reductions, need the whole set) and returns each line's expected allowed amount, or
why it has none. A line the engine rejects for its own sake (a code the fee schedule does not
list, such as a drug's J code; an invalid modifier) is left unpriced; the other lines are
still priced together (`price_amounts(skip_invalid=True)`).

Prices are kept per period (`_day.Period`): `price_period` vouches that the engine answers
alike on every date of it, but for the message of a code missing from the fee schedule,
which names the date. That message is replaced here by one that names the release.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import NamedTuple

from medpayiq.errors import DataError, InputError
from medpayiq.pricing import ClaimAmounts, Location, ServiceLine, Setting, price_amounts
from medpayiq.records import positional_maker
from medpayiq.reference import Confidence, ReferenceData
from medpayiq.schedules import Priced, PriceRequest, Terms, route, schedule_named

from ._day import MISSING, Period, remember

__all__ = ["LinePrices", "PriceLine", "Where", "price_lines"]


# What the engine reads of a claim line (a corrected line is one of these too).
PriceLine = ServiceLine


class Where(NamedTuple):
    """Where the claim's services were furnished, as the engine asks it: `zip`, or
    `carrier` and `locality`, and the place of service."""

    zip: str | None
    carrier: str | None
    locality: str | None
    pos: str


@dataclass(frozen=True, slots=True)
class LinePrices:
    """Allowed amounts by 1-based line number (None: not priced, `notes` says why)."""

    allowed: dict[int, Decimal | None]
    notes: dict[int, str] = field(default_factory=dict)
    locality: str | None = None
    facility: bool | None = None
    source: str = ""
    confidence: Confidence = Confidence.LOW
    problem: str = ""
    linked: bool = True  # a claim rule tied lines together: a subset may price otherwise
    terms: str = ""  # "fee schedule RVU26C, CF 33.4009": the source without the place
    # The schedule of each line another schedule than the physician fee schedule answers.
    schedules: dict[int, str] = field(default_factory=dict)

    def source_at(self, found_by: str) -> str:
        """`source` for another ZIP of the same locality ("HOUSTON (ZIP 77002 (...))")."""
        return f"{self.terms}, {found_by}" if self.terms else self.source


def _location(where: Where) -> Location:
    """The claim's place as the engine asks it (one object per place: a file names a few)."""
    found = _LOCATIONS.get(where)
    if found is None:
        if where.zip:
            found = Location(zip=where.zip)
        else:
            found = Location(locality=f"{where.carrier}-{where.locality}")
        remember(_LOCATIONS, where, found)
    return found


_LOCATIONS: dict[Where, Location] = {}


_NPP = frozenset({"np", "pa", "cns"})


def price_lines(
    reference: ReferenceData,
    period: Period,
    where: Where,
    place: Hashable,
    participating: bool,
    provider_type: str,
    lines: Sequence[tuple[int, PriceLine]],
) -> LinePrices:
    """Price `lines` (numbered as on the claim) as one claim on the dates of `period`, at
    `where`. Results are kept for the period by what the amounts depend on: the place as
    `Period.place` shares it (`place`), the setting of the place of service, the provider's
    terms and the lines. The `source` names `where`; `LinePrices.source_at` names another
    ZIP of the same locality."""
    if not lines:
        return LinePrices({})
    setting = period.setting(where.pos)
    key = (place, setting or where.pos, participating, provider_type, tuple(lines))
    memo = period.memo("prices")
    found: LinePrices | None = memo.get(key)
    if found is None:
        found = _price_lines(reference, period, where, setting, participating, provider_type, lines)
        remember(memo, key, found)
    return found


def _price_lines(
    reference: ReferenceData,
    period: Period,
    where: Where,
    setting: Setting | None,
    participating: bool,
    provider_type: str,
    lines: Sequence[tuple[int, PriceLine]],
) -> LinePrices:
    try:
        result = price_amounts(
            reference,
            period.day,
            [line for _, line in lines],
            location=_location(where),
            # The setting is what the amounts read of a place of service; one the engine
            # cannot place is asked as it is, for the engine's own message.
            pos=None if setting is not None else where.pos,
            setting=setting,
            non_participating=not participating,
            npp=provider_type in _NPP,
            skip_invalid=True,
        )
    except (InputError, DataError) as exc:
        # The place, or no release for the date: nothing is priced.
        return LinePrices(
            {n: None for n, _ in lines}, {n: str(exc) for n, _ in lines}, problem=str(exc)
        )
    found = _collect(result, lines)
    other = _other_schedules(reference, period, where, lines, result)
    if not other:
        return found
    allowed, notes, schedules = found.allowed, found.notes, found.schedules  # made here
    for n, priced in other.items():
        allowed[n] = priced.allowed
        schedules[n] = priced.schedule.name
        notes[n] = f"{priced.schedule.title} {priced.release}".strip()
        if not priced.payable:
            notes[n] = f"{notes[n]}: {priced.message}"
    # Every line the physician fee schedule rejected for its code is another schedule's.
    problem = found.problem
    if problem and all(
        n in other for (n, _), why in zip(lines, result.rejected, strict=True) if why
    ):
        return replace(found, problem="")
    return found


def _other_schedules(
    reference: ReferenceData,
    period: Period,
    where: Where,
    lines: Sequence[tuple[int, PriceLine]],
    result: ClaimAmounts,
) -> dict[int, Priced]:
    """The lines the physician fee schedule does not pay (no row, or status X or E), priced
    on the schedule that pays them (clinical lab, DMEPOS; the others say what is missing).
    They take no part in the physician fee schedule's claim rules, which only count the
    lines it prices, so the amounts of the other lines stand as they are. Each is kept for
    the period by the line and `where` (the same lab test or drug at the same place recurs
    across encounters that differ in their other lines)."""
    out: dict[int, Priced] = {}
    memo = period.memo("other-schedules")
    for (n, line), amount, rejected in zip(lines, result.allowed, result.rejected, strict=True):
        if amount is not None or rejected not in (None, "hcpcs"):
            continue
        key = (line, where)
        found = memo.get(key, MISSING)
        if found is MISSING:
            found = remember(memo, key, _other_schedule(reference, period, where, line))
        if found is not None:
            out[n] = found
    return out


def _other_schedule(
    reference: ReferenceData, period: Period, where: Where, line: PriceLine
) -> Priced | None:
    """The line priced on the schedule that pays it; None when that is the physician fee
    schedule (its own status says why there is no amount) or the schedule cannot price it
    (the engine's own message stands)."""
    try:
        found = route(reference, line.hcpcs, period.day, line.modifiers)
        if found.schedule.name == "pfs":
            return None
        schedule = schedule_named(found.schedule.name)
        request = PriceRequest(
            line.hcpcs, period.day, line.modifiers, line.units, _location(where), where.pos
        )
        return schedule.price(reference, request, Terms())
    except (InputError, DataError):
        return None


def _collect(result: ClaimAmounts, lines: Sequence[tuple[int, PriceLine]]) -> LinePrices:
    """The engine's answer by line number (its dicts are new: `_price_lines` may add the
    other schedules' lines to them before anyone reads it)."""
    numbers = [n for n, _ in lines]
    allowed = dict(zip(numbers, result.allowed, strict=True))
    notes = {}
    for (n, line), amount, message, rejected in zip(
        lines, result.allowed, result.messages, result.rejected, strict=True
    ):
        if amount is None:
            notes[n] = message if rejected != "hcpcs" else _not_listed(line.hcpcs, result.release)
    if all(result.rejected):
        return LinePrices(allowed, notes, problem=notes[numbers[0]], linked=False)
    locality, facility, terms, found_by = _where(result)
    return _new_prices(
        allowed, notes, locality, facility, f"{terms}, {found_by}", result.confidence, "",
        result.linked, terms, {},
    )  # fmt: skip


_new_prices = positional_maker(LinePrices)  # every field, in order (`records.positional_maker`)


def _not_listed(hcpcs: str, release: str) -> str:
    return f"{hcpcs} is not in the physician fee schedule release {release}: it has no amount there"


def _where(result: ClaimAmounts) -> tuple[str | None, bool, str, str]:
    """(locality, facility, terms, place) of a priced claim: the last line's locality and
    setting, the first line's release and CF, and its place ("HOUSTON (ZIP 77030 (ZIP5 file
    20261))")."""
    located = [loc for loc in result.locations if loc is not None]
    localities = [loc.locality for loc in located if loc.locality is not None]
    setting = next(s for s in reversed(result.settings) if s is not None)
    cf = next(c for c in result.conversion_factors if c is not None)
    first = located[0]
    return (
        str(localities[-1]) if localities else None,
        setting is Setting.FACILITY,
        f"fee schedule {result.release}, CF {cf}",
        f"{first.name} ({first.how})",
    )
