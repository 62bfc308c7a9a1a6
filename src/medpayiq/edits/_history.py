"""Which earlier services the checker's history rules can read: what a caller that gathers a
patient's history from many claims (an 837P file, a folder of them) needs to keep.

- global surgery (`_global`): procedures with a 010 or 090 global period on the fee schedule
  of their own date;
- frequency limits (`_policy`): the codes of the policy packs.

Anything else in a history changes no finding (the same-day add-on primaries of `_encounter`
come from the claim itself, or from a history the caller gives whole).
"""

from __future__ import annotations

from datetime import date

from medpayiq.errors import DataError
from medpayiq.knowledge import policy_packs
from medpayiq.reference import ReferenceData

from ._global import _POSTOP_DAYS
from ._memo import memo_for

__all__ = ["history_codes"]


def history_codes(reference: ReferenceData, day: date) -> frozenset[str]:
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
        codes = {code for pack in policy_packs() for code in pack.codes}
        if rvus is not None:
            codes.update(
                hcpcs
                for (hcpcs, modifier), row in rvus.items()
                if not modifier and row.global_days in _POSTOP_DAYS
            )
        entry = memo[id(rvus)] = (rvus, frozenset(codes))
    return entry[1]
