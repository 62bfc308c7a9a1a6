"""What the patient and Medicare pay of an allowed amount (DOMAIN.md section 5):
the Part B deductible first, then 20% coinsurance; Medicare's 80% is reduced by
sequestration (2%, CARC 253), which neither party pays (the write-off)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from medpayiq.errors import InputError
from medpayiq.money import ZERO, cents

from . import _rules
from ._types import CostShare

__all__ = ["annual_deductible", "check_deductible", "split_cost"]

COINSURANCE = Decimal("0.20")


def annual_deductible(day: date) -> Decimal | None:
    return _rules.part_b_deductible(day.year)


def check_deductible(remaining: Decimal | None, day: date) -> Decimal:
    """The deductible still owed. None means met. Raises InputError when impossible."""
    if remaining is None:
        return ZERO
    annual = annual_deductible(day)
    if remaining < 0 or (annual is not None and remaining > annual):
        limit = f"0 to {annual}" if annual is not None else "at least 0"
        raise InputError(
            f"deductible remaining {remaining} is not possible for {day.year} ({limit})",
            parameter="deductible_remaining",
        )
    return cents(remaining)


def split_cost(
    allowed: Decimal,
    day: date,
    deductible_remaining: Decimal,
    sequestration_rate: Decimal | None = None,
    *,
    waived: bool = False,
) -> CostShare:
    """Split `allowed` between patient and Medicare, consuming the remaining deductible.
    `sequestration_rate` is the rate in effect on `day` when the caller already has it.
    `waived`: no deductible and no coinsurance (preventive services, clinical laboratory
    tests): Medicare pays the whole allowed amount, less sequestration."""
    applied = ZERO if waived else min(deductible_remaining, allowed)
    rest = allowed - applied
    coinsurance = ZERO if waived else cents(rest * COINSURANCE)
    medicare_before = rest - coinsurance  # 80%, the remainder so the cents add up
    rate = _rules.sequestration_rate(day) if sequestration_rate is None else sequestration_rate
    sequestration = cents(medicare_before * rate)
    medicare = medicare_before - sequestration
    patient = applied + coinsurance
    return CostShare(
        allowed=allowed,
        deductible_applied=applied,
        coinsurance=coinsurance,
        patient_pays=patient,
        medicare_before_sequestration=medicare_before,
        sequestration=sequestration,
        medicare_pays=medicare,
        write_off=allowed - medicare - patient,
        deductible_remaining_after=deductible_remaining - applied,
    )
