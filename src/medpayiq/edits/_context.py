"""What every rule needs: the claim, the reference tables for its date, and `Draft`, the
finding a rule proposes before the checker prices it.

The tables come from `_day.day_tables` (shared by every claim of the date). A table that is
not loaded does not stop the check: the rules that need it are skipped and a note says which
and what to load.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from medpayiq.errors import DataError
from medpayiq.knowledge import AppealAdvice
from medpayiq.records import RvuRow
from medpayiq.reference import Confidence, FeeSchedule, ReferenceData

from ._claim import Claim, ClaimLine
from ._day import MISSING, day_tables, remember, vintage_source
from ._pricing import PriceLine
from ._results import Severity

__all__ = ["CheckContext", "Draft", "vintage_source"]


@dataclass(frozen=True)
class Draft:
    """A finding before pricing. `fixed` maps a 1-based line number to the corrected line
    whose price is what the finding puts at risk (MUE: the line cut to the allowed units;
    an invalid modifier: the line without it); other lines are at risk as billed.
    `denies` False: the line is flagged but not removed from the expected payment.

    Drafts are immutable, so a rule may hand out the same one for the same inputs."""

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
    fixed: tuple[tuple[int, PriceLine], ...] = ()
    denies: bool = True


class CheckContext:
    """The claim, its numbered lines, and its date's tables (`tables`, shared)."""

    __slots__ = (
        "_fee_on",
        "claim",
        "code_sets",
        "day",
        "fee",
        "icd",
        "lines",
        "ncci",
        "notes",
        "price_lines",
        "reference",
        "rvus",
        "tables",
    )  # fmt: skip

    def __init__(self, reference: ReferenceData, claim: Claim) -> None:
        self.reference = reference
        self.claim = claim
        self.day: date = claim.date_of_service
        tables = self.tables = day_tables(reference, self.day)
        self.fee = tables.fee
        self.ncci = tables.ncci
        self.icd = tables.icd
        self.code_sets = tables.code_sets
        self.rvus = tables.rvus
        self.lines: list[tuple[int, ClaimLine]] = list(enumerate(claim.lines, start=1))
        self.price_lines: list[tuple[int, PriceLine]] = [
            (n, PriceLine(line.hcpcs, tuple(line.modifiers), line.units)) for n, line in self.lines
        ]
        self.notes: list[str] = []  # this claim's own notes (the date's are in `tables`)
        self._fee_on: dict[date, FeeSchedule | None] | None = None

    def numbered_lines(self) -> list[tuple[int, ClaimLine]]:
        return self.lines

    def rvu(self, hcpcs: str, modifier: str = "") -> RvuRow | None:
        return self.rvus.get((hcpcs, modifier))

    def fee_on(self, day: date) -> FeeSchedule | None:
        """The fee schedule for another date (history); the claim's when none is loaded."""
        if self._fee_on is None:
            self._fee_on = self.tables.memo("fee-on")
        found = self._fee_on.get(day, MISSING)
        if found is MISSING:
            try:
                found = self.reference.fee_schedule(day)
            except DataError:
                found = self.fee
            remember(self._fee_on, day, found)
        return found  # type: ignore[no-any-return]

    def memo(self, name: str) -> dict[Any, Any]:
        """A memo table of the claim's date (see `DayTables.memo`)."""
        return self.tables.memo(name)
