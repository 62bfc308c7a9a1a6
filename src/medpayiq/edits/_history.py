"""Which earlier services the checker's history rules can read: what a caller that gathers a
patient's history from many claims (an 837P file, a folder of them) needs to keep.

- global surgery (`_global`): procedures with a 010 or 090 global period on the fee schedule
  of their own date;
- frequency limits (`_policy`): the codes of the policy packs.

Anything else in a history changes no finding (the same-day add-on primaries of `_encounter`
come from the claim itself, or from a history the caller gives whole).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from medpayiq.errors import DataError
from medpayiq.knowledge import policy_packs
from medpayiq.records import RvuRow
from medpayiq.reference import ReferenceData

from ._global import _POSTOP_DAYS
from ._memo import BOUND, memo_for, remember

__all__ = ["HistoryCodes", "history_codes"]


class HistoryCodes:
    """The codes a history rule can read on the dates of one RVU table, asked one code at a
    time (`code in codes`): a policy pack code, or a code whose own row (no modifier) has a
    010 or 090 global period. A store answers a code's row with an indexed query
    (`store/_point.py`); building the whole set walked the table, which read all ~19,000
    PPRRVU rows from the store on the first claim of every file (0.2-0.3 s)."""

    __slots__ = ("_answers", "_packs", "_rvus")

    def __init__(self, rvus: Mapping[tuple[str, str], RvuRow] | None, packs: frozenset[str]):
        self._rvus = rvus
        self._packs = packs
        self._answers: dict[Any, bool] = {}

    def __contains__(self, code: object) -> bool:
        found = self._answers.get(code)
        if found is None:
            found = code in self._packs or self._global_surgery(code)
            remember(self._answers, code, found, BOUND)
        return found

    def _global_surgery(self, code: object) -> bool:
        if self._rvus is None or not isinstance(code, str):
            return False
        row = self._rvus.get((code, ""))
        return row is not None and row.global_days in _POSTOP_DAYS


def history_codes(reference: ReferenceData, day: date) -> HistoryCodes:
    """The codes whose services on `day` a later claim's history rules can read."""
    try:
        fee = reference.fee_schedule(day)
    except DataError:
        fee = None
    # Keyed by the release's RVU table, not by the day's fee schedule: every day of a quarter
    # has its own FeeSchedule but they share one table, and a file spanning 90 days built the
    # same set 90 times (the scan of ~19,000 rows cost 20-80 ms each).
    rvus = fee.rvus if fee is not None else None
    memo = memo_for(reference, "history-codes")
    entry = memo.get(id(rvus))
    # The entry holds its table, so the id in the key cannot be reused while it lives.
    if entry is None or entry[0] is not rvus:
        packs = frozenset(code for pack in policy_packs() for code in pack.codes)
        entry = memo[id(rvus)] = (rvus, HistoryCodes(rvus, packs))
    return entry[1]
