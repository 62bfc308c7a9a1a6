"""What the rules read, and `Draft`, the finding a rule proposes before the checker prices it.

A check has two parts (see `_check`):

- the encounter checks read an `EncounterContext`: the lines as billed (code, modifiers,
  units), the place, the provider's billing terms and the period's tables. They cannot see
  the date, the diagnoses or the history, so what they find holds for every claim of the
  same encounter in the period, and is kept there (`_encounter`);
- the claim's own checks (diagnoses, global periods and frequency from the history, covered
  diagnoses) read a `CheckContext`: the whole claim, its date's tables and its encounter.

A table that is not loaded does not stop the check: the rules that need it are skipped and a
note says which and what to load.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, NamedTuple

from medpayiq.errors import DataError
from medpayiq.knowledge import AppealAdvice
from medpayiq.records import AddonEdit, HcpcsLevel2, PtpEdit, RvuRow
from medpayiq.reference import Confidence, FeeSchedule, ReferenceData, edit_in_force

from ._claim import Claim, ClaimLine
from ._day import MISSING, DayTables, Period, remember, vintage_source
from ._memo import DAY_BOUND
from ._pricing import PriceLine, Where
from ._results import Severity

if TYPE_CHECKING:
    from ._encounter import Encounter

__all__ = ["CheckContext", "Draft", "EncounterContext", "EncounterKey", "vintage_source"]


@dataclass(frozen=True, slots=True)
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


class EncounterKey(NamedTuple):
    """Everything the encounter checks read of a claim. `place` is where it prices as
    `Period.place` shares it (the locality a ZIP names), `where` the first claim's own.
    `same_day` holds the codes the patient's history has on the date of service by the same
    provider (or by an unnamed one), which count as billed with the lines (add-on
    primaries)."""

    place: Hashable
    where: Where
    participating: bool
    provider_type: str
    lines: tuple[PriceLine, ...]
    same_day: frozenset[str]

    @property
    def pos(self) -> str:
        return self.where.pos


class EncounterContext:
    """The encounter and its period's tables (`period`, shared by every claim of the
    period: never changed). Rules read the date only through `in_force` and
    `level2_valid`, whose answers hold for the whole period."""

    __slots__ = (
        "code_sets", "fee", "key", "lines", "ncci", "period", "reference", "rvus",
    )  # fmt: skip

    def __init__(self, reference: ReferenceData, period: Period, key: EncounterKey) -> None:
        self.reference = reference
        self.period = period
        self.key = key
        self.fee = period.fee
        self.ncci = period.ncci
        self.code_sets = period.code_sets
        self.rvus = period.rvus
        self.lines: list[tuple[int, PriceLine]] = list(enumerate(key.lines, start=1))

    def rvu(self, hcpcs: str, modifier: str = "") -> RvuRow | None:
        return self.rvus.get((hcpcs, modifier))

    def memo(self, name: str) -> dict[Any, Any]:
        """A memo table of the period (see `Period.memo`)."""
        return self.period.memo(name)

    def in_force(self, edit: PtpEdit | AddonEdit) -> bool:
        """Whether an NCCI edit applies on the dates of the period (the NCCI epoch is part
        of what makes the period)."""
        return edit_in_force(edit, self.period.day)

    def level2_valid(self, entry: HcpcsLevel2) -> bool:
        """Whether a HCPCS Level II code is valid on the dates of the period (the span of
        termination dates is part of what makes the period)."""
        return entry.terminated is None or entry.terminated >= self.period.day


class CheckContext:
    """The whole claim, its numbered lines, its date's tables (`tables`, shared by every
    claim of the date) and its `encounter`."""

    __slots__ = (
        "_fee_on", "_lines", "claim", "day", "encounter", "fee", "icd", "notes", "reference",
        "tables",
    )  # fmt: skip

    def __init__(
        self, reference: ReferenceData, tables: DayTables, claim: Claim, encounter: Encounter
    ) -> None:
        self.reference = reference
        self.claim = claim
        self.day: date = claim.date_of_service
        self.tables = tables
        self.fee = tables.fee
        self.icd = tables.icd
        self.encounter = encounter
        self.notes: list[str] = []  # this claim's own notes (the date's are in `tables`)
        self._fee_on: dict[date, FeeSchedule | None] | None = None
        self._lines: list[tuple[int, ClaimLine]] | None = None

    @property
    def lines(self) -> list[tuple[int, ClaimLine]]:
        """The claim's lines numbered from 1 (most claims never ask)."""
        if self._lines is None:
            self._lines = list(enumerate(self.claim.lines, start=1))
        return self._lines

    def rvu(self, hcpcs: str, modifier: str = "") -> RvuRow | None:
        return self.fee.rvus.get((hcpcs, modifier)) if self.fee is not None else None

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
            remember(self._fee_on, day, found, DAY_BOUND)
        return found  # type: ignore[no-any-return]

    def memo(self, name: str) -> dict[Any, Any]:
        """A memo table of the claim's date (see `DayTables.memo`)."""
        return self.tables.memo(name)
