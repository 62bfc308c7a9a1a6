"""The reference data as one batch run sees it: what the reference answers for a date is
kept for the whole run.

A `Catalog` keeps the answers of its last `reference.DAYS_KEPT` (128) dates, so that a
server asked about every date does not grow without end. A file's dates come in any order,
and a chunk works through all of its dates several times over (the date's tables, then its
routes, then each schedule's period, then the places and the line engine), so a file of
more dates than that rebuilt the dates each turn had pushed out: bench/pricing.py's 10 M
lines over 428 dates built 2,670 fee schedules. Kept here for the run, each is built once
(the run's `_tables.Day` terms hold each date's fee schedule anyway; the answers share the
files' indexes, which the reference keeps per file).

Everything else is the reference's own answer. The pricing layer keeps its per-date
contexts on the object it is given (`pricing._context._owned`), so they are the run's too
and go with it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from medpayiq.reference import (
    CodeSets,
    Coverage,
    FeeSchedule,
    Geography,
    IcdTable,
    NcciTables,
    Provenance,
    ReferenceData,
    Vintage,
)
from medpayiq.releases import Kind

__all__ = ["RunReference"]


class RunReference:
    """`reference` with its fee schedules, geographies, snapshots and vintages kept by date
    for as long as this object lives (one run). A failure (ReleaseNotLoaded) is not kept:
    it is raised again, as the reference does."""

    def __init__(self, reference: ReferenceData) -> None:
        self.reference = reference
        self._fees: dict[tuple[date, bool], FeeSchedule] = {}
        self._geographies: dict[date, Geography] = {}
        self._snapshots: dict[tuple[Kind, date, Any], tuple[Any, Vintage]] = {}
        self._vintages: dict[tuple[Kind, date, str], Vintage] = {}

    def fee_schedule(self, day: date, *, qp: bool = False) -> FeeSchedule:
        found = self._fees.get((day, qp))
        if found is None:
            found = self._fees[(day, qp)] = self.reference.fee_schedule(day, qp=qp)
        return found

    def geography(self, day: date) -> Geography:
        found = self._geographies.get(day)
        if found is None:
            found = self._geographies[day] = self.reference.geography(day)
        return found

    def snapshot(
        self, kind: Kind, day: date, build: Callable[[Sequence[Any]], Any], *, label: str
    ) -> tuple[Any, Vintage]:
        key = (kind, day, build.__code__)  # as the Catalog keys it
        found = self._snapshots.get(key)
        if found is None:
            found = self._snapshots[key] = self.reference.snapshot(kind, day, build, label=label)
        return found

    def vintage(self, kind: Kind, day: date, *, label: str) -> Vintage:
        found = self._vintages.get((kind, day, label))
        if found is None:
            found = self._vintages[(kind, day, label)] = self.reference.vintage(
                kind, day, label=label
            )
        return found

    def ncci(self, day: date) -> NcciTables:
        return self.reference.ncci(day)

    def icd10cm(self, day: date) -> IcdTable:
        return self.reference.icd10cm(day)

    def code_sets(self) -> CodeSets:
        return self.reference.code_sets()

    def coverage(self) -> Coverage:
        return self.reference.coverage()

    def datasets(self) -> list[Provenance]:
        return self.reference.datasets()
