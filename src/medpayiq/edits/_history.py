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
    memo = memo_for(reference, "history-codes")
    entry = memo.get(id(fee))
    # The entry holds its fee schedule, so the id in the key cannot be reused while it lives.
    if entry is None or entry[0] is not fee:
        codes = {code for pack in policy_packs() for code in pack.codes}
        if fee is not None:
            codes.update(
                hcpcs
                for (hcpcs, modifier), row in fee.rvus.items()
                if not modifier and row.global_days in _POSTOP_DAYS
            )
        entry = memo[id(fee)] = (fee, frozenset(codes))
    return entry[1]
