"""Money is Decimal. One rounding rule, used everywhere: half-up to cents (DOMAIN.md section 1)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def cents(amount: Decimal) -> Decimal:
    """Round half-up to cents, as CMS rounds fee schedule amounts."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def to_decimal(text: str) -> Decimal:
    """Parse a money or RVU figure as written in a file ('1.80', '.17', '0000077.78')."""
    return Decimal(text.strip())
