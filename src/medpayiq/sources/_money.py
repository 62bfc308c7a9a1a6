"""Money cells of CMS's fee schedule spreadsheets and CSVs, read to the cent.

CSV cells are text ("00010.56", "51.94"). Excel stores the same amounts as binary floating
point numbers (10.56, 720, 503.4): the float's shortest repr is the figure CMS typed, so it
is read back from that text; a float that is not a whole number of cents to within a
millionth is refused rather than rounded silently.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from medpayiq.sources._csvutil import bad_value
from medpayiq.sources._registry import SourceFile
from medpayiq.sources._text import parse_decimal

CENT = Decimal("0.01")
_TOLERANCE = Decimal("0.000001")


def money_cell(value: Any, file: SourceFile, line: int, field: str) -> Decimal:
    """An amount in dollars and cents from a CSV or Excel cell (ParseError otherwise)."""
    if isinstance(value, bool):
        raise bad_value(file, line, field, f'"{value}" is not an amount')
    if isinstance(value, int):
        return Decimal(value).quantize(CENT)
    if isinstance(value, float):
        exact = Decimal(repr(value))
        cents = exact.quantize(CENT)
        if abs(exact - cents) > _TOLERANCE:
            raise bad_value(file, line, field, f"{value!r} is not an amount in cents")
        return cents
    text = "" if value is None else str(value).strip()
    amount = parse_decimal(text)
    if amount is None:
        raise bad_value(file, line, field, f'"{text}" is not an amount')
    if amount != amount.quantize(CENT):
        raise bad_value(file, line, field, f'"{text}" has more than two decimals')
    return amount.quantize(CENT)
