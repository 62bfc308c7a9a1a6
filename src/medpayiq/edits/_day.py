"""What every claim of one date of service shares: the reference tables for the date, the
notes and sources they give every result, and memo tables for what the rules derive from them.

`day_tables` keeps one `DayTables` per reference object and date. It asks the reference for
the date's tables on every claim (the reference caches them; a lookup is a dict access) and
starts afresh when any of them is a different object: a `Catalog` that was given another
file, or a store reference after a load, never sees an old answer.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from datetime import date
from typing import Any, TypeVar

from medpayiq.errors import DataError
from medpayiq.reference import (
    CodeSets,
    Confidence,
    FeeSchedule,
    IcdTable,
    NcciTables,
    ReferenceData,
    Vintage,
)

from ._memo import memo_for

__all__ = ["MISSING", "DayTables", "day_tables", "lowest", "remember", "vintage_source"]

T = TypeVar("T")
LIMIT = 50_000  # entries per memo table before it is cleared
MISSING: Any = object()  # not in a memo table (None is a value there)


def remember(table: dict[Any, Any], key: Hashable, value: T) -> T:
    """Store `value` in a memo table, clearing it first when it is full."""
    if len(table) >= LIMIT:
        table.clear()
    table[key] = value
    return value


def vintage_source(label: str, vintage: Vintage) -> str:
    """The `source` of a finding: "NCCI PTP 2024Q3 (file.csv.gz)"."""
    files = ", ".join(p.file for p in vintage.provenance)
    text = f"{label} {vintage.used.id}"
    return f"{text} ({files})" if files else text


class DayTables:
    """The reference tables of one date (None: not loaded, `load_notes` says so), the
    sources, notes and confidences every result of the date carries, and memo tables."""

    def __init__(
        self,
        day: date,
        loaded: tuple[FeeSchedule | None, NcciTables | None, IcdTable | None, CodeSets],
        load_notes: tuple[str, ...],
    ) -> None:
        self.day = day
        self.fee, self.ncci, self.icd, self.code_sets = loaded
        self.identity = loaded
        self.load_notes = load_notes
        self.rvus = self.fee.rvus if self.fee is not None else {}
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
        self.sources = tuple(sources)
        self.confidences = tuple(confidences)
        self.fee_source = vintage_source("fee schedule", self.fee.vintage) if self.fee else ""
        ncci = self.ncci
        self.ptp_source = vintage_source("NCCI practitioner PTP", ncci.vintage) if ncci else ""
        self.mue_source = vintage_source("NCCI practitioner MUE", ncci.vintage) if ncci else ""
        self.addon_source = vintage_source("NCCI add-on code edits", ncci.vintage) if ncci else ""
        self.icd_source = vintage_source("ICD-10-CM", self.icd.vintage) if self.icd else ""
        self._memos: dict[str, dict[Any, Any]] = {}

    def memo(self, name: str) -> dict[Any, Any]:
        """The memo table `name` of this date: look up with `.get(key, MISSING)`, store with
        `remember` (which keeps it under `LIMIT` entries)."""
        table = self._memos.get(name)
        if table is None:
            table = self._memos[name] = {}
        return table


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
    notes: list[str] = []
    fee = _load("fee schedule", lambda: reference.fee_schedule(day), notes)
    icd = _load("ICD-10-CM", lambda: reference.icd10cm(day), notes)
    ncci = _load("NCCI", lambda: reference.ncci(day), notes)
    loaded = (fee, ncci, icd, reference.code_sets())
    memo = memo_for(reference, "days")
    tables: DayTables | None = memo.get(day)
    if tables is None or any(a is not b for a, b in zip(tables.identity, loaded, strict=True)):
        tables = memo[day] = DayTables(day, loaded, tuple(notes))
    return tables


_RANK = {Confidence.LOW: 0, Confidence.MEDIUM: 1, Confidence.HIGH: 2}


def lowest(confidences: list[Confidence]) -> Confidence:
    """The lowest confidence (HIGH for none), without `Confidence.__lt__`'s list look-ups."""
    return min(confidences, key=_RANK.__getitem__, default=Confidence.HIGH)
