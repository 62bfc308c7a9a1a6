"""What every rule needs: the claim, the reference tables for its date, and `Draft`, the
finding a rule proposes before the checker prices it.

Reference tables are fetched once per claim. A table that is not loaded does not stop the
check: the rules that need it are skipped and a note says which and what to load.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import TypeVar

from medpayiq.errors import DataError
from medpayiq.knowledge import AppealAdvice
from medpayiq.records import RvuRow
from medpayiq.reference import (
    CodeSets,
    Confidence,
    FeeSchedule,
    IcdTable,
    NcciTables,
    ReferenceData,
    Vintage,
)

from ._claim import Claim, ClaimLine
from ._memo import memo_for
from ._results import Severity

__all__ = ["CheckContext", "Draft", "vintage_source"]

T = TypeVar("T")


@dataclass(frozen=True)
class Draft:
    """A finding before pricing. `fixed` maps a 1-based line number to the corrected line
    whose price is what the finding puts at risk (MUE: the line cut to the allowed units;
    an invalid modifier: the line without it); other lines are at risk as billed.
    `denies` False: the line is flagged but not removed from the expected payment."""

    rule: str
    severity: Severity
    lines: tuple[int, ...]
    message: str
    carc: tuple[str, ...]
    rarc: tuple[str, ...]
    fix: str
    appeal: AppealAdvice | None
    source: str
    confidence: Confidence
    fixed: tuple[tuple[int, ClaimLine], ...] = ()
    denies: bool = True


def vintage_source(label: str, vintage: Vintage) -> str:
    """The `source` of a finding: "NCCI PTP 2024Q3 (file.csv.gz)"."""
    memo = memo_for(vintage, "source")
    text = memo.get(label)
    if text is None:
        text = memo[label] = _vintage_source(label, vintage)
    return text


def _vintage_source(label: str, vintage: Vintage) -> str:
    files = ", ".join(p.file for p in vintage.provenance)
    text = f"{label} {vintage.used.id}"
    return f"{text} ({files})" if files else text


@dataclass
class CheckContext:
    """The claim and its reference tables (looked up once, lazily)."""

    reference: ReferenceData
    claim: Claim
    notes: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    _cache: dict[str, object] = field(default_factory=dict)

    @property
    def day(self) -> date:
        return self.claim.date_of_service

    def _table(self, key: str, label: str, load: Callable[[], T]) -> T | None:
        if key in self._cache:
            return self._cache[key]  # type: ignore[return-value]
        try:
            value: T | None = load()
        except DataError as exc:
            self.notes.append(f"{label} checks skipped: {exc}")
            value = None
        self._cache[key] = value
        return value

    @cached_property
    def fee(self) -> FeeSchedule | None:
        return self._table("fee", "fee schedule", lambda: self.reference.fee_schedule(self.day))

    @cached_property
    def ncci(self) -> NcciTables | None:
        return self._table("ncci", "NCCI", lambda: self.reference.ncci(self.day))

    @cached_property
    def icd(self) -> IcdTable | None:
        return self._table("icd", "ICD-10-CM", lambda: self.reference.icd10cm(self.day))

    @cached_property
    def code_sets(self) -> CodeSets:
        return self.reference.code_sets()

    @cached_property
    def _rvus(self) -> Mapping[tuple[str, str], RvuRow]:
        return self.fee.rvus if self.fee is not None else {}

    def fee_on(self, day: date) -> FeeSchedule | None:
        """The fee schedule for another date (history); the claim's when none is loaded."""
        key = f"fee:{day.isoformat()}"
        if key not in self._cache:
            try:
                self._cache[key] = self.reference.fee_schedule(day)
            except DataError:
                self._cache[key] = self.fee
        return self._cache[key]  # type: ignore[return-value]

    def rvu(self, hcpcs: str, modifier: str = "") -> RvuRow | None:
        return self._rvus.get((hcpcs, modifier))

    @cached_property
    def _numbered(self) -> list[tuple[int, ClaimLine]]:
        return list(enumerate(self.claim.lines, start=1))

    def numbered_lines(self) -> list[tuple[int, ClaimLine]]:
        return self._numbered
