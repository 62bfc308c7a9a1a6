"""What the claims of one date of service share (`DayTables`), and what the dates of one
period share (`Period`).

A `Period` is the span of dates on which every check that reads only the encounter (the
lines, the place and the provider's billing terms) answers alike: the same fee schedule rows
priced the same way with the same confidence on every fee schedule
(`schedules.price_period`: the physician fee schedule's `pricing.price_period` and the
clinical lab and DMEPOS snapshots), the same NCCI edits in
force (`NcciTables.epoch`), the same HCPCS Level II codes valid, the same policy pack rules in
force and the same code sets. The dates of a calendar quarter, as a rule. The encounter
checks and their memo tables live there (`_encounter`), so a date seen for the first time
reuses its quarter's work. What does differ by date stays in `DayTables`: the notes that name
the date, and the ICD-10-CM fiscal year, which only the claim's own checks read.

`day_tables` keeps one `DayTables` per reference object and date. It asks the reference for
the date's tables on every claim (the reference caches them; a look-up is a dict access) and
starts afresh when any of them is a different object: a `Catalog` that was given another
file, or a store reference after a load, never sees an old answer.
"""

from __future__ import annotations

import weakref
from bisect import bisect_right
from collections.abc import Callable, Collection, Hashable
from contextlib import suppress
from datetime import date, timedelta
from typing import Any, NamedTuple, TypeVar

from medpayiq.errors import DataError, InputError
from medpayiq.knowledge import PolicyPack, PolicyRule, policy_packs
from medpayiq.pricing import Location, Setting, day_terms, resolve_location
from medpayiq.reference import (
    CodeSets,
    Confidence,
    FeeSchedule,
    IcdTable,
    NcciTables,
    ReferenceData,
    Vintage,
)
from medpayiq.releases import Kind
from medpayiq.schedules import dmepos_codes, price_period

from ._memo import DAYS, PERIOD_ENTRIES, PERIODS, SWEEP_EVERY, memo_for, remember

__all__ = [
    "MISSING",
    "DayTables",
    "Period",
    "Place",
    "day_tables",
    "lowest",
    "remember",
    "vintage_source",
]

T = TypeVar("T")
MISSING: Any = object()  # not in a memo table (None is a value there)


def vintage_source(label: str, vintage: Vintage, kind: Kind | None = None) -> str:
    """The `source` of a finding: "NCCI PTP 2024Q3 (file.csv.gz)". With `kind`, the files
    of that kind and their release (the NCCI vintage names the PTP, MUE and add-on files,
    which CMS may publish in different quarters)."""
    provenance = [p for p in vintage.provenance if kind is None or p.kind is kind]
    releases = {p.release.id for p in provenance}
    release = releases.pop() if kind is not None and len(releases) == 1 else vintage.used.id
    files = ", ".join(p.file for p in provenance)
    return f"{label} {release} ({files})" if files else f"{label} {release}"


def _ncci_source(label: str, ncci: NcciTables | None, kind: Kind) -> str:
    return vintage_source(label, ncci.vintage, kind) if ncci is not None else ""


class _Memos:
    def __init__(self) -> None:
        self._memos: dict[str, dict[Any, Any]] = {}

    def memo_entries(self) -> int:
        """Entries in the memo tables (`_keep_memos_within_budget` counts them)."""
        return sum(len(t) for t in list(self._memos.values()))

    def forget_memos(self) -> None:
        """Drop every memo table. Rebound, not cleared: a thread checking a claim with a
        table in hand keeps it whole until it is done."""
        self._memos = {}

    def memo(self, name: str) -> dict[Any, Any]:
        """The memo table `name`: look up with `.get(key, MISSING)`, store with `remember`
        (which keeps it within its bound: `_memo.remember`)."""
        table = self._memos.get(name)
        if table is None:
            table = self._memos[name] = {}
        return table


PolicyInForce = tuple[tuple[PolicyPack, tuple[PolicyRule, ...]], ...]


class Period(_Memos):
    """The tables of a span of dates that answer every encounter check alike, read through
    the first date that asked (`day`), and the memo tables of those checks.

    Never read `day` for a rule: it stands for every date of the period. The rule helpers
    that need a date (`in_force`, `level2_valid`) give answers the period guarantees."""

    def __init__(
        self,
        reference: ReferenceData,
        day: date,
        fee: FeeSchedule | None,
        ncci: NcciTables | None,
        code_sets: CodeSets,
        policies: PolicyInForce,
    ) -> None:
        super().__init__()
        self._reference = weakref.ref(reference) if _weak(reference) else lambda: reference
        self.day = day
        self.fee = fee
        self.ncci = ncci
        self.code_sets = code_sets
        self.policies = policies
        self.rvus = fee.rvus if fee is not None else {}
        self.fee_source = vintage_source("fee schedule", fee.vintage) if fee else ""
        self.ptp_source = _ncci_source("NCCI practitioner PTP", ncci, Kind.PTP)
        self.mue_source = _ncci_source("NCCI practitioner MUE", ncci, Kind.MUE)
        self.addon_source = _ncci_source("NCCI add-on code edits", ncci, Kind.ADDON)
        # CARC/RARC codes with their titles, by the codes a finding gives.
        self.adjustments: dict[tuple[str, ...], Any] = {}
        self._places: dict[tuple[str | None, str | None, str | None], Place] = {}
        self._settings: dict[str, Setting | None] = {}
        self._dme: Collection[str] | None = None  # `dme_codes`, dropped with the memos

    def forget_memos(self) -> None:
        super().forget_memos()
        self._dme = None

    def dme_codes(self) -> Collection[str]:
        """The codes the DMEPOS fee schedule lists in the period (empty when not loaded);
        `code in` it reads that code's rows alone."""
        found = self._dme
        if found is None:
            reference = self._reference()
            found = frozenset()
            if reference is not None:
                with suppress(DataError):
                    found = dmepos_codes(reference, self.day)
            self._dme = found
        return found

    def setting(self, pos: str) -> Setting | None:
        """The setting the pricing engine gives a place of service (None: it does not
        know the code, or no fee schedule is loaded)."""
        found = self._settings.get(pos, MISSING)
        if found is MISSING:
            found = None
            reference = self._reference()
            if self.fee is not None and reference is not None:
                with suppress(InputError, DataError):
                    found = day_terms(reference, self.day).setting(pos)
            self._settings[pos] = found
        return found  # type: ignore[no-any-return]

    def place(self, zip_code: str | None, carrier: str | None, locality: str | None) -> Place:
        """Where a claim prices: a ZIP that names one locality prices like every other ZIP
        of that locality (only the words saying how the locality was found differ), so its
        `key` is the locality; anything else is its own key."""
        asked = (zip_code, carrier, locality)
        found = self._places.get(asked)
        if found is None:
            found = _place(self._reference(), self.fee, self.day, zip_code, asked)
            remember(self._places, asked, found)
        return found


class Place(NamedTuple):
    """A claim's place as the encounter checks share it: `key` (the locality its ZIP names,
    or what was asked) and, for a ZIP, how its locality was found ("HOUSTON (ZIP 77030
    (ZIP5 file 20261))"), which is all that differs between the ZIPs of a locality."""

    key: Hashable
    found_by: str | None


def _place(
    reference: ReferenceData | None,
    fee: FeeSchedule | None,
    day: date,
    zip_code: str | None,
    asked: tuple[str | None, str | None, str | None],
) -> Place:
    if zip_code is None or fee is None or reference is None:
        return Place(asked, None)
    try:
        geography = reference.geography(day)
        resolved = resolve_location(Location(zip=zip_code), fee, geography)
    except (InputError, DataError):
        return Place(asked, None)  # priced (and explained) by the engine, ZIP by ZIP
    return Place(("zip", str(resolved.locality)), f"{resolved.name} ({resolved.how})")


def _weak(reference: object) -> bool:
    try:
        weakref.ref(reference)
    except TypeError:
        return False
    return True


class DayTables(_Memos):
    """The reference tables of one date (None: not loaded, `load_notes` says so), the
    sources, notes and confidences every result of the date carries, its `period`, and
    memo tables for the claim's own checks (diagnoses, history)."""

    def __init__(
        self,
        day: date,
        loaded: tuple[FeeSchedule | None, NcciTables | None, IcdTable | None, CodeSets],
        load_notes: tuple[str, ...],
        period: Period,
    ) -> None:
        super().__init__()
        self.day = day
        self.day_text = day.isoformat()
        self.fee, self.ncci, self.icd, self.code_sets = loaded
        self.identity = loaded
        self.load_notes = load_notes
        self.period = period
        vintages = [
            ("fee", "Fee schedule", "fee schedule", self.fee),
            ("ncci", "NCCI edits", "NCCI practitioner edits", self.ncci),
            ("icd", "ICD-10-CM", "ICD-10-CM", self.icd),
        ]
        notes, sources, confidences = [], [], []
        for key, label, source_label, table in vintages:
            if table is None:
                continue
            vintage = table.vintage
            confidences.append(vintage.confidence)
            sources.append(vintage_source(source_label, vintage))
            if not vintage.exact:
                extra = (
                    " Findings from these tables still ran, with "
                    f"{vintage.confidence.value} confidence."
                    if key == "ncci"
                    else ""
                )
                notes.append(f"{label}: {vintage.note}.{extra}")
        sources += [f"{p.kind.value} {p.release.id} ({p.file})" for p in self.code_sets.provenance]
        self.vintage_notes = tuple(notes)
        self.notes = tuple(dict.fromkeys((*load_notes, *notes)))
        self.sources = tuple(sources)
        self.confidences = tuple(confidences)
        self.icd_source = vintage_source("ICD-10-CM", self.icd.vintage) if self.icd else ""


def _load(label: str, load: Callable[[], T], notes: list[str]) -> T | None:
    try:
        return load()
    except DataError as exc:
        notes.append(f"{label} checks skipped: {exc}")
        return None


def day_tables(reference: ReferenceData, day: date) -> DayTables:
    """The tables of `day`. A table that is not loaded does not stop the check: the rules
    that need it are skipped and a note says which and what to load (in the order the
    checks ask: fee schedule, ICD-10-CM, NCCI)."""
    _keep_memos_within_budget(reference)
    tables: DayTables | None = memo_for(reference, "days").get(day)
    if (
        tables is not None
        and tables.fee is not None
        and tables.ncci is not None
        and tables.icd is not None
        # Asked again on every claim: a `Catalog` given another file answers anew.
        and reference.fee_schedule(day) is tables.fee
        and reference.icd10cm(day) is tables.icd
        and reference.ncci(day) is tables.ncci
        and reference.code_sets() is tables.code_sets
    ):
        return tables
    return _day_tables(reference, day)


def _keep_memos_within_budget(reference: ReferenceData) -> None:
    """Every `SWEEP_EVERY` look-ups of a date, count the entries of the memo tables of the
    periods in use; past `PERIOD_ENTRIES`, drop the tables of the periods asked longest ago
    until half the budget is left.

    Each table has its bound, but a period lives as long as a kept date (`DAYS`) points at
    it, and a server asked about every date of two years held 70 to 80 periods, each filling
    its tables with the claims of its dates: 2,500 entries more every 1,000 requests of the
    memory test, with no plateau in sight (issue 13). A claim file's one or two periods
    reach it too when its encounters are mostly new (bench/x12_837.py's random mix, 20,000
    claims: peak RSS 278 -> 207 MB for the same CPU and report): what it asks again soon
    comes back."""
    state = memo_for(reference, "memo-budget")
    asks = state["asks"] = state.get("asks", 0) + 1
    if asks % SWEEP_EVERY:
        return
    kept = [entry[1] for entry in list(memo_for(reference, "periods").values())]
    held = {id(t.period): t.period for t in list(memo_for(reference, "days").values())}
    for period in kept:
        held.pop(id(period), None)
    oldest_first = [*held.values(), *kept]  # periods no longer kept were asked longest ago
    sizes = [(period, period.memo_entries()) for period in oldest_first]
    total = sum(size for _, size in sizes)
    if total <= PERIOD_ENTRIES:
        return
    for period, size in sizes:
        if total <= PERIOD_ENTRIES // 2:
            break
        if size:
            period.forget_memos()
            total -= size


def _day_tables(reference: ReferenceData, day: date) -> DayTables:
    notes: list[str] = []
    fee = _load("fee schedule", lambda: reference.fee_schedule(day), notes)
    icd = _load("ICD-10-CM", lambda: reference.icd10cm(day), notes)
    ncci = _load("NCCI", lambda: reference.ncci(day), notes)
    loaded = (fee, ncci, icd, reference.code_sets())
    memo = memo_for(reference, "days")
    tables: DayTables | None = memo.get(day)
    if tables is None or any(a is not b for a, b in zip(tables.identity, loaded, strict=True)):
        period = _period(reference, day, fee, ncci, loaded[3])
        tables = remember(memo, day, DayTables(day, loaded, tuple(notes), period), DAYS)
    return tables


def _period(
    reference: ReferenceData,
    day: date,
    fee: FeeSchedule | None,
    ncci: NcciTables | None,
    code_sets: CodeSets,
) -> Period:
    """The period `day` falls in: found by what its encounter checks read (see the module
    doc), or begun with `day`."""
    policies = _policies_in_force(day)
    if getattr(reference, "one_question", False):
        # One question, then exit (the command line: `Store.question_reference`): no other
        # date will look the period up, so its key is not worth making (it reads the HCPCS
        # Level II list whole and every schedule's release).
        return Period(reference, day, fee, ncci, code_sets, policies)
    # Without a fee schedule the pricing messages name the date: a period of one day. The
    # other schedules (clinical lab, DMEPOS) add their own snapshots to the key.
    pricing: Hashable = price_period(reference, day) if fee is not None else ("day", day)
    key = (
        pricing,
        ncci.epoch if ncci is not None else None,
        _level2_span(reference, code_sets, day),
        id(code_sets),
        tuple((pack.id, tuple(r.id for r in rules)) for pack, rules in policies),
    )
    periods = memo_for(reference, "periods")
    entry: tuple[CodeSets, Period] | None = periods.get(key)
    # The entry holds its code sets, so their id in the key cannot be reused while it lives.
    if entry is None or entry[0] is not code_sets:
        period = Period(reference, day, fee, ncci, code_sets, policies)
        entry = remember(periods, key, (code_sets, period), PERIODS)
    else:
        # Most recently used last: a full table drops the periods asked longest ago, not
        # the quarter a practice bills every day.
        periods[key] = periods.pop(key)
    return entry[1]


def _policies_in_force(day: date) -> PolicyInForce:
    return tuple(
        (pack, tuple(rule for rule in pack.rules if rule.in_force(day)))
        for pack in policy_packs()
        if pack.in_force(day)
    )


def _level2_span(reference: ReferenceData, code_sets: CodeSets, day: date) -> int:
    """Which span of the HCPCS Level II termination dates `day` is in: the dates of a span
    see the same codes valid (a code is valid through its termination date)."""
    spans = memo_for(reference, "level2-spans")
    entry = spans.get(id(code_sets))
    if entry is None or entry[0] is not code_sets:
        ends = {e.terminated for e in code_sets.hcpcs_level2.values()}
        days = tuple(sorted(d + timedelta(days=1) for d in ends if d is not None))
        entry = spans[id(code_sets)] = (code_sets, days)
    return bisect_right(entry[1], day)


_LOW, _MEDIUM, _HIGH = Confidence.LOW, Confidence.MEDIUM, Confidence.HIGH


def lowest(confidences: list[Confidence]) -> Confidence:
    """The lowest confidence (HIGH for none), without `Confidence.__lt__`'s list look-ups
    (`in` finds the members by identity first)."""
    if _LOW in confidences:
        return _LOW
    return _MEDIUM if _MEDIUM in confidences else _HIGH
