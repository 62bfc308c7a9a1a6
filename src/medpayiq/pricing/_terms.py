"""The terms every line of one date is priced on, for callers that price many lines at once.

`medpayiq.batch` prices millions of lines with vectorised arithmetic. To give the answers
`price_line` gives, it asks the engine here, once per date, for what the engine itself uses:
the fee schedule snapshot and release, the work GPCI column, the CF of a row, the setting of
a place of service, the confidence of a line and the messages of a line without an amount.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from medpayiq.errors import InputError
from medpayiq.records import Gpci, RvuRow
from medpayiq.reference import Confidence, FeeSchedule, Geography, ReferenceData

from . import _engine, _fee, _modifiers
from ._context import DayContext, context_for
from ._types import Location, Setting

__all__ = ["DayTerms", "day_terms"]

_SPLIT = re.compile(r"[\s,;]+")


@dataclass(frozen=True, slots=True)
class DayTerms:
    """What applies to every line of one date of service (non-QP unless asked).

    `fee` is the snapshot price_line reads; `release` its PPRRVU release; `with_floor` which
    2026 work GPCI column applies. The methods answer as price_line does for a line of the
    date."""

    day: date
    qp: bool
    fee: FeeSchedule
    release: str
    with_floor: bool
    reference: ReferenceData
    _ctx: DayContext

    def conversion_factor(self, row: RvuRow) -> Decimal:
        """The CF price_line applies to `row` on this date."""
        return self._ctx.cf(row, self.fee)[0]

    def gpcis(self, gpci: Gpci) -> tuple[Decimal, Decimal, Decimal]:
        """(work, PE, MP) GPCIs of a locality, with the work column in effect."""
        triple = _fee.gpci_triple(gpci, self.with_floor)
        return triple.work, triple.pe, triple.mp

    def setting(self, pos: str | None) -> Setting:
        """The setting of a place of service (None: non-facility). Raises InputError or
        UnknownCode for a code price_line rejects."""
        return self._ctx.setting(pos, None)[0]

    def geography(self) -> Geography:
        """The ZIP/LOCCO snapshot of the date. Raises ReleaseNotLoaded."""
        return self.reference.geography(self.day)

    def confidence(self, *, opps: bool, anes: bool, zip_given: bool) -> Confidence:
        """The confidence of a line whose row has OPPS caps (`opps`, status A/R/T only),
        is anesthesia (`anes`, status J), located by ZIP (`zip_given`)."""
        return self._ctx.confidence(
            self.reference, self.fee, opps=opps, anes=anes, zip_given=zip_given
        )

    def status_message(self, status: str) -> str:
        """Why a row of this status has no fee schedule amount (A, R, T have one)."""
        return _modifiers.status_reason(status)

    def row_modifier(self, text: str) -> str | None:
        """The PPRRVU row modifier ("", "26" or "TC") of a line with these modifiers (split on
        spaces, commas or semicolons) when none of the others changes the amount (25, 59, LT,
        ...: price_line only notes them). None when one may (50, 80, 53, ...) or price_line
        rejects them."""
        mods = tuple(m for m in _SPLIT.split(text.strip().upper()) if m)
        try:
            normal = self._ctx.modifiers(mods)
        except InputError:
            return None
        if any(m in _modifiers.PRICING and m not in ("26", "TC", "51") for m in normal):
            return None
        # The engine's own choice of row (`_modifiers.row_modifier`), whose "" also stands
        # for 26 with TC, which price_line rejects.
        row = _modifiers.row_modifier(normal)
        return None if row == "" and "26" in normal else row

    # The checks price_line makes before it prices, one by one and in its order (code,
    # units, modifiers, row, place of service, location), so that a caller can check each
    # distinct value once and get price_line's own error.

    def code(self, text: str) -> str:
        """The normalised code. Raises InputError for a malformed one."""
        return _engine.code(text)

    def check_units(self, units: object) -> None:
        """Raises InputError unless `units` is a whole number from 1 to 9999."""
        _engine.check_units(units)

    def modifiers(self, raw: tuple[str, ...]) -> tuple[str, ...]:
        """The normalised modifiers. Raises InvalidModifier."""
        return self._ctx.modifiers(raw)

    def row(self, hcpcs: str, modifiers: tuple[str, ...]) -> RvuRow:
        """The PPRRVU row of a normalised code and modifiers. Raises UnknownCode (the
        message names the date) or InvalidModifier."""
        return self._ctx.row(self.fee, hcpcs, modifiers)[0]

    def locality(self, location: Location) -> str:
        """The locality ("04412-18", "" for national) price_line resolves `location` to.
        Raises UnknownLocation, AmbiguousLocation or ReleaseNotLoaded."""
        return self._ctx.place(self.reference, self.fee, location).key


def day_terms(reference: ReferenceData, day: date, *, qp: bool = False) -> DayTerms:
    """The terms of `day`. Raises ReleaseNotLoaded as price_line does."""
    fee = reference.fee_schedule(day, qp=qp)
    ctx = context_for(reference, fee, day, qp)
    return DayTerms(day, qp, fee, ctx.release, ctx.with_floor, reference, ctx)
