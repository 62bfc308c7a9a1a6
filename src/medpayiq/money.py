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


def display(amount: Decimal | str | None, *, missing: str = "—") -> str:
    """Money as every interface shows it: "$1,211.18", "−$5.00" (a minus sign, not a hyphen),
    `missing` for no amount. The one format of the web pages, the CLI and generated text."""
    if amount is None or amount == "":
        return missing
    value = Decimal(str(amount))
    sign = "−" if value < 0 else ""
    return f"{sign}${abs(value):,.2f}"


def display_signed(amount: Decimal | str | None, *, missing: str = "—") -> str:
    """A change in money: "+$26.42", "−$98.28", "$0.00"."""
    if amount is None or amount == "":
        return missing
    value = Decimal(str(amount))
    return ("+" if value > 0 else "") + display(value)
