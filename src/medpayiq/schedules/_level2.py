"""What the code sets say of a HCPCS code, for the schedules whose files are not loaded:
its description and whether it is valid on the date."""

from __future__ import annotations

from datetime import date

from medpayiq.records import HcpcsLevel2
from medpayiq.reference import ReferenceData

from .pfs import fee_or_none, pfs_row

__all__ = ["describe", "level2_on"]


def level2_on(reference: ReferenceData, hcpcs: str, day: date) -> HcpcsLevel2 | None:
    """The HCPCS Level II entry of `hcpcs` if it is valid on `day`."""
    entry = reference.code_sets().hcpcs_level2.get(hcpcs)
    if entry is None:
        return None
    if (entry.added and entry.added > day) or (entry.terminated and entry.terminated < day):
        return None
    return entry


def describe(reference: ReferenceData, hcpcs: str, day: date) -> str:
    """The code's description: the HCPCS Level II long one, else the PPRRVU's short one."""
    entry = reference.code_sets().hcpcs_level2.get(hcpcs)
    if entry is not None and (entry.long_description or entry.short_description):
        return entry.long_description or entry.short_description
    fee = fee_or_none(reference, day)
    row = pfs_row(fee, hcpcs) if fee is not None else None
    return row.description if row is not None else ""
