"""Fee schedules as plug-ins, and the router that sends a code to the one that pays it.

A schedule is one module that registers an object with the `Schedule` protocol: its
`info` (name, how it pays, the file kinds it reads, what to load), `route` (whether it pays a
code on a date), `price` (the exact line price with its trail) and, where it has one, a
vectorised batch price (`medpayiq.batch` asks `batch_rates`). The physician fee schedule is
registered first; the router asks each schedule in registration order and the first that
claims a code answers. The last one registered (`other`) claims every valid HCPCS code the
others do not: what it is and that no loaded schedule prices it, never "unknown code".
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Hashable, Sequence
from datetime import date, timedelta
from typing import Protocol

from medpayiq import pricing
from medpayiq.errors import InputError, ReleaseNotLoaded, UnknownCode
from medpayiq.reference import ReferenceData
from medpayiq.releases import Kind

from ._types import Priced, PriceRequest, Route, ScheduleInfo, Terms

__all__ = [
    "ROUTING_MODIFIERS",
    "Schedule",
    "price_period",
    "register",
    "registered",
    "route",
    "route_period",
    "routing_modifier",
    "schedule_named",
]


class Schedule(Protocol):
    """A fee schedule plug-in (see the module docstring and docs/architecture.md)."""

    @property
    def info(self) -> ScheduleInfo: ...

    @property
    def by_place(self) -> bool:
        """Whether the price depends on the line's place at all (`place_key`)."""
        ...

    def route(
        self,
        reference: ReferenceData,
        hcpcs: str,
        day: date,
        modifiers: tuple[str, ...] = (),
    ) -> Route | None:
        """The route when this schedule pays `hcpcs` on `day`, else None. Raises
        ReleaseNotLoaded when it cannot tell because its data for the date is missing.
        `modifiers` is what routing reads of the line's modifiers (`routing_modifier`: the
        one whose own PPRRVU row prices the line, as a 1-tuple, or ()): the physician fee
        schedule pays 85576-26 (status A), the clinical lab schedule 85576 (status X)."""
        ...

    def price(self, reference: ReferenceData, request: PriceRequest, terms: Terms) -> Priced:
        """The exact price of one line this schedule pays, with its trail."""
        ...

    def place_key(self, reference: ReferenceData, request: PriceRequest) -> Hashable:
        """What of the line's place (location, place of service) its price depends on: two
        lines of one code, modifiers and `period` whose keys are equal price alike (the
        batch engine answers each key once)."""
        ...

    def period(self, reference: ReferenceData, day: date) -> Hashable:
        """The same value for two dates on which this schedule routes and prices every line
        alike (same snapshot, release used and confidence, messages that do not name the
        date), so that callers may keep what they derive per period."""
        ...


_SCHEDULES: list[Schedule] = []


def register(schedule: Schedule) -> Schedule:
    """Add a schedule; the router asks schedules in the order they were registered."""
    if any(s.info.name == schedule.info.name for s in _SCHEDULES):
        raise ValueError(f"a schedule named {schedule.info.name!r} is already registered")
    _SCHEDULES.append(schedule)
    return schedule


def registered() -> tuple[Schedule, ...]:
    return tuple(_SCHEDULES)


def schedule_named(name: str) -> Schedule:
    for schedule in _SCHEDULES:
        if schedule.info.name == name:
            return schedule
    raise KeyError(name)


def route(reference: ReferenceData, hcpcs: str, day: date, modifiers: Sequence[str] = ()) -> Route:
    """The schedule that pays `hcpcs` on `day` on a line with `modifiers` (by HCPCS, the
    status of the row and the modifiers: 85576-26 on the physician fee schedule, 85576 on
    the clinical lab schedule). Raises UnknownCode for a code no loaded file and no code set
    knows, and ReleaseNotLoaded when the schedules that could tell have no data for the date
    (the message says what to load)."""
    code = normalise(hcpcs)
    routing = routing_modifier(modifiers)
    mods = (routing,) if routing else ()
    missing: list[str] = []
    for schedule in _SCHEDULES:
        try:
            found = schedule.route(reference, code, day, mods)
        except ReleaseNotLoaded as exc:
            missing.append(str(exc))
            continue
        if found is not None:
            return found
    if missing:
        raise ReleaseNotLoaded("; ".join(dict.fromkeys(missing)))
    raise UnknownCode(
        f"{code} is not on any loaded fee schedule nor in the HCPCS Level II list: check the "
        "code (CPT/HCPCS, 5 characters)",
        parameter="code",
    )


# The values `routing_modifier` takes: a code routes at most four ways.
ROUTING_MODIFIERS = ("", "26", "TC", "53")


def routing_modifier(modifiers: Sequence[str]) -> str:
    """What `route` reads of a line's modifiers: the one whose own PPRRVU row prices the
    line (`pricing.row_modifier`), "" for none. Routes depend on the modifiers only through
    it, so the batch engine routes a code once per value (`ROUTING_MODIFIERS`)."""
    return pricing.row_modifier(tuple(m.strip().upper() for m in modifiers))


def normalise(hcpcs: str) -> str:
    code = hcpcs.strip().upper()
    if len(code) != 5 or not code.isalnum():
        raise InputError(
            f'code "{hcpcs}" is not a CPT/HCPCS code (5 letters or digits)', parameter="code"
        )
    return code


def price_period(reference: ReferenceData, day: date) -> Hashable:
    """The same value for two dates on which every registered schedule routes and prices
    alike (each schedule's `period`)."""
    return tuple(schedule.period(reference, day) for schedule in _SCHEDULES)


def snapshot_period(
    reference: ReferenceData,
    kind: Kind,
    day: date,
    label: str,
) -> Hashable:
    """`Schedule.period` of a schedule priced from one snapshot of `kind`: the files of the
    release used (their sha256) and its confidence, found without reading the rows (a claim
    without a DMEPOS line never builds the DMEPOS index); a date with nothing loaded is a
    period of its own (the message that says so names the date)."""
    try:
        vintage = reference.vintage(kind, day, label=label)
    except ReleaseNotLoaded:
        return ("day", day)
    files = tuple(p.sha256 for p in vintage.provenance)
    return (kind, vintage.used.id, vintage.confidence, files)


def route_period(reference: ReferenceData, day: date) -> Hashable:
    """The same value for two dates on which `route` sends every code to the same schedule
    with the same answer: every schedule's `period` and the span of HCPCS Level II add and
    termination dates the date falls in (the drug, ambulance and "none" routes ask whether a
    code is valid on the date)."""
    return (price_period(reference, day), _level2_span(reference, day))


_SPANS: dict[int, tuple[object, tuple[date, ...]]] = {}


def _level2_span(reference: ReferenceData, day: date) -> int:
    code_sets = reference.code_sets()
    entry = _SPANS.get(id(code_sets))
    if entry is None or entry[0] is not code_sets:
        days: set[date] = set()
        for e in code_sets.hcpcs_level2.values():
            if e.added is not None:
                days.add(e.added)
            if e.terminated is not None:
                days.add(e.terminated + timedelta(days=1))
        if len(_SPANS) >= 4:
            _SPANS.clear()  # a few code sets at a time: never keep old references alive
        entry = _SPANS[id(code_sets)] = (code_sets, tuple(sorted(days)))
    return bisect_right(entry[1], day)
