"""What every line priced on one date against one fee schedule shares, worked out once.

Pricing a line is mostly looking things up: the work GPCI column and CF rule for the date,
the location's locality and GPCIs, the setting of a place of service, a code's row and its
amounts at a locality, the datasets used and the confidence. Each of these depends only on
the fee schedule snapshot, the date and a small key, so a `DayContext` (one per snapshot,
date and QP flag) keeps each answer, and its trail steps, the first time it is asked. A
line then costs a few dictionary look-ups and the result's construction.

Errors are never kept: a bad request raises again each time. A context lives as long as its
fee schedule snapshot (a new reference object, or a reloaded Catalog, gives new snapshots),
and at most `CONTEXTS` are kept per reference. Every table has a bound sized for what its
entries hold (below): a full table drops its older half, so memory stays flat under any
number of distinct requests (issue 13) and what is asked again and again is soon back.
"""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from medpayiq.bounded import trim
from medpayiq.errors import ReleaseNotLoaded
from medpayiq.records import Gpci, RvuRow
from medpayiq.reference import (
    DAYS_KEPT,
    Confidence,
    FeeSchedule,
    Geography,
    Provenance,
    ReferenceData,
    Vintage,
)
from medpayiq.releases import Kind

from . import _cost_share, _fee, _location, _modifiers, _rules
from ._fee import NATIONAL_GPCI, GpciTriple
from ._types import (
    CostShare,
    LineRequest,
    Location,
    ResolvedLocation,
    Setting,
    SettingAmount,
    Source,
    Step,
    TrailValue,
)

__all__ = [
    "Amounts",
    "Comparison",
    "DayContext",
    "Head",
    "HeadKey",
    "Place",
    "PriceClass",
    "Shared",
    "context_for",
    "head_key",
    "lowest",
    "na_message",
    "price_class",
    "share_step",
    "shared_table",
    "sources",
    "trim",
]

# Bounds, by what an entry holds (tracemalloc over tests/server/test_memory.py's distinct
# requests; a bound of 100,000 entries a table, as before, let the tables of one quarter
# reach hundreds of MiB). With them a reference's pricing tables stay under about 80 MiB
# whatever is asked.
DAY_TABLE = 2_048  # a date's own tables: rows, places, amounts, heads, shares (0.1-1 KB each)
# Day contexts kept per reference (`context_for`), as many as the dates the reference keeps
# its fee schedules for: a context is found by its fee schedule object, so one whose date the
# reference has dropped is never asked again, and 256 of them behind the reference's 64 dates
# held dead tables that made a server's memory creep past 20,000 distinct requests.
CONTEXTS = DAYS_KEPT
SHARED_LINES = 8_192  # prepared lines of a `Shared` (about 1 KB each, trail steps included)
SHARED_CLAIMS = 4_096  # claim outcomes of a `Shared` (about 1 KB for a 5-line claim)
SHARED_PLACES = 1_024  # the (place of service, setting, location) a `Shared` numbers
# `Shared` kept per reference: one per quarter or so and QP (a 90-day claim file uses two).
# Each fills towards its bounds above (some 20 MiB): with 8, a server asked about every date
# of two years kept eight filling and its memory rose about 4.5 MiB per 1,000 distinct
# requests past 10,000 (tests/server/test_memory.py's mix); with 2, about 1.4 MiB. A dropped
# one is dropped for good: the day contexts and the checker's periods hold its `PriceClass`,
# not the tables (a context asks again; see `DayContext.shared`).
SHARED_KEPT = 2
# `PriceClass` tokens kept per reference (each holds only the objects its key names, which
# the reference keeps anyway): far more than the classes a reference's data makes.
CLASSES_KEPT = 64
_HUNDRED = Decimal(100)
_PERCENT = Decimal("0.01")
_CONF_ORDER = {Confidence.LOW: 0, Confidence.MEDIUM: 1, Confidence.HIGH: 2}


def lowest(a: Confidence, b: Confidence) -> Confidence:
    """min() of two confidences without Confidence.__lt__'s list scans."""
    return a if _CONF_ORDER[a] <= _CONF_ORDER[b] else b


@dataclass(frozen=True, slots=True)
class Place:
    """A resolved location with the GPCIs it prices at and its trail steps."""

    location: ResolvedLocation
    gpci: GpciTriple
    key: str  # "04412-18", or "" for national: keys the amount tables
    steps: tuple[Step, ...]
    locco: tuple[Provenance, ...]  # the LOCCO file, when a state/county answered


@dataclass(frozen=True, slots=True)
class Amounts:
    """A row's one-unit amounts at one place, and (local only) the trail steps of the
    chosen setting and whether that setting is NA."""

    nonfacility: SettingAmount
    facility: SettingAmount
    steps: tuple[Step, ...]
    na_message: str | None


@dataclass(frozen=True, slots=True)
class Head:
    """The datasets a line used, the confidence they give, and why."""

    provenance: tuple[Provenance, ...]
    sources: tuple[Source, ...]
    confidence: Confidence
    notes: tuple[str, ...]
    reason: str


@dataclass(frozen=True, slots=True)
class Comparison:
    difference: Decimal
    percent: Decimal | None
    steps: tuple[Step, ...]


# What a line's head depends on: (OPPS capped, anesthesia, ZIP given, POS given, LOCCO file).
HeadKey = tuple[bool, bool, bool, bool, tuple[Provenance, ...]]


def head_key(row: RvuRow, request: LineRequest, place: Place) -> HeadKey:
    opps = bool(row.opps_mp and row.status in "ART")
    return (opps, row.status == "J", bool(request.location.zip), request.pos is not None,
            place.locco)  # fmt: skip


class DayContext:
    """Shared answers for one fee schedule snapshot, date of service and QP flag."""

    def __init__(self, reference: ReferenceData, fee: FeeSchedule, day: date, qp: bool) -> None:
        self.day = day
        self.qp = qp
        code_sets = reference.code_sets()
        self.code_sets = code_sets
        self.places_of_service = code_sets.places_of_service or None
        self.known_modifiers = code_sets.modifiers
        self.pos_provenance = tuple(p for p in code_sets.provenance if p.kind is Kind.POS)
        with_floor, reason, confidence = _fee.choose_work_column(fee, day)
        self.with_floor = with_floor
        self.column_reason = reason
        self.column_confidence = confidence
        self.work_column = "with 1.0 floor" if with_floor else "without floor"
        self.release = fee.vintage.used.id
        vintage = fee.vintage
        self.release_step = Step(
            "release in effect",
            (("date of service", day), ("in effect", vintage.wanted.id)),
            vintage.used.id,
            vintage.note,
        )
        self.sequestration = _rules.sequestration_rate(day)
        self._geography: Geography | None = None
        self._tables: dict[str, dict[Any, Any]] = {}
        # The engine's prepared lines by (code, modifiers, POS, setting, location).
        self.prepared: dict[Any, Any] = {}
        self._class: PriceClass | None = None
        self._shared: Shared | None = None

    def price_class(self, reference: ReferenceData, fee: FeeSchedule) -> PriceClass:
        """What this date's amounts and messages depend on, as a token (`price_class`)."""
        if self._class is None:
            self._class = price_class(reference, fee, self)
        return self._class

    def shared(self, reference: ReferenceData, fee: FeeSchedule) -> Shared:
        """The tables shared by every date that prices alike (see `shared_table`), for
        callers that read only amounts and messages, never a trail or a head. A table the
        reference has dropped is not filled on: this context asks for its class's again."""
        shared = self._shared
        if shared is None or shared.dropped:
            shared = self._shared = shared_table(reference, self.price_class(reference, fee))
        return shared

    def table(self, name: str) -> dict[Any, Any]:
        table = self._tables.get(name)
        if table is None:
            table = self._tables[name] = {}
        elif len(table) > DAY_TABLE:
            trim(table, DAY_TABLE)
        return table

    # -- inputs

    def modifiers(self, raw: tuple[str, ...]) -> tuple[str, ...]:
        if not raw:
            return ()
        table = self.table("modifiers")
        found = table.get(raw)
        if found is None:
            found = table[raw] = _modifiers.normalise_modifiers(raw, self.known_modifiers)
        return found

    def row(self, fee: FeeSchedule, hcpcs: str, modifiers: tuple[str, ...]) -> tuple[RvuRow, str]:
        table = self.table("rows")
        key = (hcpcs, modifiers)
        found = table.get(key)
        if found is None:
            found = table[key] = _modifiers.find_row(fee, hcpcs, modifiers, self.day)
        return found

    def plan(
        self, row: RvuRow, row_modifier: str, modifiers: tuple[str, ...]
    ) -> _modifiers.ModifierPlan:
        table = self.table("plans")
        key = (row.hcpcs, row_modifier, modifiers)
        found = table.get(key)
        if found is None:
            found = table[key] = _modifiers.plan_modifiers(row, row_modifier, modifiers)
        return found

    def setting(self, pos: str | None, setting: Setting | None) -> tuple[Setting, str, Step]:
        table = self.table("settings")
        key = (pos, setting)
        found = table.get(key)
        if found is None:
            chosen, reason = _fee.choose_setting(pos, setting, self.places_of_service)
            step = Step("facility or non-facility", (("place of service", pos),), chosen.value,
                        reason)  # fmt: skip
            found = table[key] = (chosen, reason, step)
        return found

    def cf(self, row: RvuRow, fee: FeeSchedule) -> tuple[Decimal, Step]:
        table = self.table("cfs")
        found = table.get(row.conversion_factor)
        if found is None:
            cf, reason = _fee.choose_cf(row, fee, self.day, self.qp)
            step = Step("conversion factor", (("date of service", self.day),), cf, reason)
            found = table[row.conversion_factor] = (cf, step)
        return found

    # -- location

    def geography(self, reference: ReferenceData, location: Location) -> Geography | None:
        """The ZIP/LOCCO snapshot when the location needs it (as price_line always did:
        a state alone can still be answered from the GPCI file without it)."""
        if not (location.zip or location.state or location.county):
            return None
        if self._geography is None:
            try:
                self._geography = reference.geography(self.day)
            except ReleaseNotLoaded:
                if location.zip:
                    raise
                return None
        return self._geography

    def place(self, reference: ReferenceData, fee: FeeSchedule, location: Location) -> Place:
        table = self.table("places")
        found = table.get(location)
        if found is None:
            geography = self.geography(reference, location)
            resolved = _location.resolve_location(location, fee, geography)
            found = table[location] = self._place(reference, location, resolved)
        return found

    def _place(
        self, reference: ReferenceData, location: Location, resolved: ResolvedLocation
    ) -> Place:
        steps = [
            Step(
                "location",
                (("asked", _asked(location)),),
                f"{resolved.locality or 'national'} {resolved.name}",
                resolved.how,
            )
        ]
        gpci: Gpci | None = resolved.gpci
        triple = NATIONAL_GPCI if gpci is None else _fee.gpci_triple(gpci, self.with_floor)
        if gpci is not None:
            steps.append(
                Step(
                    "work GPCI column",
                    (("with floor", gpci.work), ("without floor", gpci.work_no_floor)),
                    triple.work,
                    self.column_reason,
                )
            )
        locco: tuple[Provenance, ...] = ()
        if location.state and resolved.locality is not None:
            locco = tuple(_locco_source(reference, self.day))
        key = "" if resolved.locality is None else str(resolved.locality)
        return Place(resolved, triple, key, tuple(steps), locco)

    # -- amounts

    def national(self, row: RvuRow, cf: Decimal) -> tuple[SettingAmount, SettingAmount]:
        table = self.table("national")
        key = (row.hcpcs, row.modifier, cf)
        found = table.get(key)
        if found is None:
            found = table[key] = (
                _fee.setting_amount(row, Setting.NON_FACILITY, NATIONAL_GPCI, cf),
                _fee.setting_amount(row, Setting.FACILITY, NATIONAL_GPCI, cf),
            )
        return found

    def local(
        self, row: RvuRow, place: Place, setting: Setting, cf: Decimal, hcpcs: str
    ) -> Amounts:
        table = self.table("local")
        key = (row.hcpcs, row.modifier, place.key, setting, cf)
        found = table.get(key)
        if found is None:
            found = table[key] = self._local(row, place.gpci, setting, cf, hcpcs)
        return found

    def _local(
        self, row: RvuRow, g: GpciTriple, setting: Setting, cf: Decimal, hcpcs: str
    ) -> Amounts:
        nonfacility = _fee.setting_amount(row, Setting.NON_FACILITY, g, cf)
        facility = _fee.setting_amount(row, Setting.FACILITY, g, cf)
        is_facility = setting is Setting.FACILITY
        chosen = facility if is_facility else nonfacility
        pe = row.pe_facility if is_facility else row.pe_nonfacility
        steps = [
            Step(
                "RVU x GPCI",
                (
                    ("work RVU", row.work), ("work GPCI", g.work),
                    (f"{setting.value} PE RVU", pe), ("PE GPCI", g.pe),
                    ("MP RVU", row.mp), ("MP GPCI", g.mp),
                ),
                chosen.rvu_sum,
                f"{row.work} x {g.work} + {pe} x {g.pe} + {row.mp} x {g.mp}",
            ),
            Step(
                "fee schedule amount",
                (("RVU x GPCI", chosen.rvu_sum), ("CF", cf)),
                chosen.fee_schedule,
                "(RVU x GPCI) x CF, rounded half-up to cents",
            ),
        ]  # fmt: skip
        if chosen.opps_cap is not None:
            opps_pe = row.opps_pe_facility if is_facility else row.opps_pe_nonfacility
            steps.append(
                Step(
                    "OPPS cap",
                    (("work RVU", row.work), ("OPPS PE RVU", opps_pe), ("OPPS MP RVU", row.opps_mp),
                     ("fee schedule amount", chosen.fee_schedule),
                     ("OPPS amount", chosen.opps_cap)),
                    min(chosen.fee_schedule, chosen.opps_cap),
                    "the lower of the fee schedule amount and the OPPS-capped amount",
                )
            )  # fmt: skip
        message = None
        if chosen.na:
            message = na_message(setting, hcpcs, self.release)
            steps.append(Step("NA indicator", ((f"{setting.value} NA", True),), None, message))
        return Amounts(nonfacility, facility, tuple(steps), message)

    # -- datasets and confidence

    def head_by(self, reference: ReferenceData, fee: FeeSchedule, key: HeadKey) -> Head:
        """The head of a line whose `head_key` is `key`, on this date. A line located by
        ZIP names the date's ZIP file even when its prepared line came from another date
        (the shared tables), so the file is read here if the date has not read it yet."""
        table = self.table("heads")
        found = table.get(key)
        if found is None:
            if key[2] and self._geography is None:
                # Without the file a ZIP cannot be priced: no line has this head then.
                with suppress(ReleaseNotLoaded):
                    self._geography = reference.geography(self.day)
            found = table[key] = self._head(fee, *key)
        return found

    def confidence(
        self, reference: ReferenceData, fee: FeeSchedule, *, opps: bool, anes: bool, zip_given: bool
    ) -> Confidence:
        """The confidence price_line gives a line of this date (see `head_by`)."""
        return self.head_by(reference, fee, (opps, anes, zip_given, False, ())).confidence

    def _head(
        self,
        fee: FeeSchedule,
        opps: bool,
        anes: bool,
        zip_given: bool,
        pos_given: bool,
        locco: tuple[Provenance, ...],
    ) -> Head:
        vintages: list[Vintage] = [fee.vintage]
        for kind in (Kind.GPCI, Kind.OPPSCAP, Kind.ANES):
            vintage = fee.component_vintages.get(kind)
            if vintage is None:
                continue
            if (kind is Kind.OPPSCAP and not opps) or (kind is Kind.ANES and not anes):
                continue
            vintages.append(vintage)
        if zip_given and self._geography is not None:
            vintages.append(self._geography.vintage)
        provenance: list[Provenance] = []
        notes: list[str] = []
        confidence = Confidence.HIGH
        for vintage in vintages:
            provenance.extend(vintage.provenance)
            if vintage.confidence is not Confidence.HIGH:
                notes.append(vintage.note)
                confidence = lowest(confidence, vintage.confidence)
        if self.column_confidence is not Confidence.HIGH:
            notes.append(self.column_reason)
            confidence = lowest(confidence, self.column_confidence)
        if pos_given:
            provenance.extend(self.pos_provenance)
        provenance.extend(locco)
        reason = (
            "; ".join(dict.fromkeys(notes))
            if notes
            else f"the releases in effect on {self.day} are loaded"
        )
        return Head(tuple(provenance), sources(provenance), confidence, tuple(notes), reason)

    # -- finishing

    def comparison(self, allowed: Decimal, national: Decimal) -> Comparison:
        table = self.table("comparisons")
        key = (allowed, national)
        found = table.get(key)
        if found is None:
            difference = allowed - national
            percent = None
            if national:
                percent = (difference * _HUNDRED / national).quantize(_PERCENT, ROUND_HALF_UP)
            steps = (
                Step("national comparison", (("local", allowed), ("national", national)),
                     difference, "local minus national (GPCI 1.000)"),
                Step("allowed", (), allowed),
            )  # fmt: skip
            found = table[key] = Comparison(difference, percent, steps)
        return found

    def share(
        self, allowed: Decimal, remaining: Decimal, given: bool, waiver: str = ""
    ) -> tuple[CostShare, Step]:
        """The cost share of `allowed`; `waiver` says why no deductible or coinsurance
        applies ("" when they do)."""
        table = self.table("shares")
        key = (allowed, remaining, given, waiver)
        found = table.get(key)
        if found is None:
            share = _cost_share.split_cost(
                allowed, self.day, remaining, self.sequestration, waived=bool(waiver)
            )
            found = table[key] = (share, share_step(share, self.day, given, waiver))
        return found


# --- Contexts by snapshot -----------------------------------------------------------------

# Kept on the reference object itself (in its `__dict__`), so the contexts and the shared
# tables go with it: a module-level table would hold the reference (a context does) and keep
# every reference a reloading server ever made alive.
_OWN = "_medpayiq_pricing"


def _owned(reference: ReferenceData, name: str) -> dict[Any, Any] | None:
    """The table `name` kept on `reference`, or None if it cannot carry one."""
    try:
        tables: dict[str, dict[Any, Any]] = reference.__dict__.setdefault(_OWN, {})
    except AttributeError:
        return None
    return tables.setdefault(name, {})


def context_for(reference: ReferenceData, fee: FeeSchedule, day: date, qp: bool) -> DayContext:
    """The context of `fee` on `day`; kept with the reference (which caches `fee`)."""
    contexts = _owned(reference, "contexts")
    if contexts is None:
        return DayContext(reference, fee, day, qp)  # nowhere to keep it: nothing is kept
    key = (id(fee), day, qp)
    entry = contexts.get(key)
    # The entry holds `fee`, so its id cannot be reused by another snapshot while it lives.
    if entry is not None and entry[0] is fee:
        return entry[1]  # type: ignore[no-any-return]
    ctx = DayContext(reference, fee, day, qp)
    # Each context memoises the lines priced on its date (up to `DAY_TABLE` a table): a
    # server asked for every date of two years held 4,096 of them and grew by hundreds of
    # MiB (issue 13). The oldest goes first; the tables shared across dates stay (`Shared`).
    while len(contexts) >= CONTEXTS:
        contexts.pop(next(iter(list(contexts))), None)
    contexts[key] = (fee, ctx)
    return ctx


# --- Tables shared across dates -----------------------------------------------------------


class Shared:
    """Tables for every date that prices alike: prepared lines by (code, modifiers, POS,
    setting, location), the same by (code, modifiers, place number) with `places` numbering
    each (POS, setting, location) asked (a claim's lines hash their place once), and claim
    outcomes by (prepared lines, units, provider). `dropped`: the reference no longer keeps
    it (`SHARED_KEPT`), so nothing should fill it further."""

    __slots__ = ("by_place", "claims", "dropped", "places", "prepared")

    def __init__(self) -> None:
        self.prepared: dict[Any, Any] = {}
        self.places: dict[Any, int] = {}
        self.by_place: dict[Any, Any] = {}
        self.claims: dict[Any, Any] = {}
        self.dropped = False


class PriceClass:
    """A token for every date that prices alike (`price_class`), compared by identity. A
    period key holds it rather than the `Shared` tables, so that tables can be dropped
    without being kept alive by the key, and without splitting the dates that share it."""

    __slots__ = ()


def price_class(reference: ReferenceData, fee: FeeSchedule, ctx: DayContext) -> PriceClass:
    """The class of every date whose lines get the same amounts and messages as `ctx`'s:
    the same PPRRVU rows, GPCIs, OPPS caps, anesthesia CFs, ZIP and county tables and code
    sets (by identity: the reference caches them per dataset), release, work GPCI column
    and published CF. The dates of a quarter share it. What differs by date (the trail's
    dates, the vintage notes and the confidence) is not in it: read it from the date's own
    context."""
    try:
        geography: Geography | None = reference.geography(ctx.day)
    except ReleaseNotLoaded:
        geography = None
    objects: tuple[object, ...] = (
        fee.rvus, fee.gpcis, fee.opps_caps, fee.anesthesia, ctx.code_sets,
        geography.zips if geography else None, geography.counties if geography else None,
    )  # fmt: skip
    provenance = fee.vintage.provenance
    values = (
        fee.vintage.used.id,
        provenance[0].variant if provenance else "",
        ctx.qp,
        ctx.with_floor,
        _rules.conversion_factors(ctx.day),
    )
    # Per reference object: the classes by what the amounts of a date depend on.
    classes = _owned(reference, "price-classes")
    if classes is None:
        return PriceClass()  # nowhere to keep them: a class of its own
    key = (*map(id, objects), *values)
    entry = classes.get(key)
    # The entry holds its objects, so an id in the key cannot be reused while it lives.
    if entry is None or any(a is not b for a, b in zip(entry[0], objects, strict=True)):
        trim(classes, CLASSES_KEPT)
        entry = classes[key] = (objects, PriceClass())
    return entry[1]


def shared_table(reference: ReferenceData, price: PriceClass) -> Shared:
    """The tables of a price class (`price_class`): a date seen for the first time prices a
    line of its quarter with one look-up. At most `SHARED_KEPT` are kept per reference; the
    oldest goes first, marked `dropped`."""
    tables = _owned(reference, "shared")
    if tables is None:
        return Shared()  # nowhere to keep them: share nothing
    found: Shared | None = tables.get(price)
    if found is None:
        # pop with a default: two server threads may drop the same oldest entry.
        for old in list(tables)[: max(0, len(tables) - SHARED_KEPT + 1)]:
            oldest = tables.pop(old, None)
            if oldest is not None:
                oldest.dropped = True
        found = tables[price] = Shared()
    return found


# --- Helpers ------------------------------------------------------------------------------


def _asked(loc: Location) -> str:
    if loc.is_national:
        return "national"
    parts = [
        f"{k} {v}"
        for k, v in (
            ("ZIP", loc.zip),
            ("locality", loc.locality),
            ("state", loc.state),
            ("county", loc.county),
        )
        if v
    ]
    return ", ".join(parts)


def _locco_source(reference: ReferenceData, day: date) -> list[Provenance]:
    """The LOCCO file a state or county answer came from (Geography does not carry it)."""
    found = [
        p
        for p in reference.datasets()
        if p.kind is Kind.LOCCO
        and p.release.effective_from.year == day.year
        and p.release.effective_from <= day
    ]
    return [max(found, key=lambda p: p.release.effective_from)] if found else []


def sources(provenance: list[Provenance] | tuple[Provenance, ...]) -> tuple[Source, ...]:
    """The datasets as result `Source`s, each file once, in order of first use."""
    seen: dict[tuple[str, str, str], Source] = {}
    for p in provenance:
        key = (p.kind.value, p.release.id, p.file)
        if key not in seen:
            seen[key] = Source(
                p.kind.value, p.release.id, p.file, p.sha256,
                p.release.effective_from, p.release.effective_to, p.variant,
            )  # fmt: skip
    return tuple(seen.values())


def na_message(setting: Setting, hcpcs: str, release: str) -> str:
    """What the NA indicator of a code's PPRRVU row means for the setting it marks."""
    return (
        f"NA: {hcpcs} is rarely or never performed in the {setting.value} setting ({release} "
        "marks it NA); CMS prices it at the same PE as the other setting"
    )


def share_step(share: CostShare, day: date, deductible_given: bool, waiver: str = "") -> Step:
    inputs: tuple[tuple[str, TrailValue], ...] = (
        ("allowed", share.allowed),
        ("deductible applied", share.deductible_applied),
        ("coinsurance 20%", share.coinsurance),
        ("sequestration", share.sequestration),
    )
    return Step(
        "cost share",
        inputs,
        share.medicare_pays,
        f"Medicare pays {share.medicare_pays}, patient pays {share.patient_pays}, "
        + (
            f"write-off {share.write_off} (sequestration of Medicare's 80% on {day})"
            if not waiver
            else f"write-off {share.write_off} (sequestration on {day}); {waiver}"
        )
        + ("" if deductible_given or waiver else "; the deductible is assumed met (none given)"),
    )
