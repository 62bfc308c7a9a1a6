"""Money in answers as `as_dict()` gives it (`money_text`: a string with two decimals), and
the JSON text of the values a report repeats on every line (amounts, dates ISO), as
`json.dumps` writes `as_dict()`'s values. The claim reports (`claims`) and the remittance
answers (`remit`) write their JSON text directly, without building the dicts (docs/x12.md,
docs/remittances.md); the checker's findings and both answers' dicts and texts take their
amounts from here, so that no two of them can write one amount two ways.

Formatting a Decimal costs several times a dict look-up, and a file's amounts and dates
repeat (a code's fee, its coinsurance, a claim's few dates), so their texts are kept, in
bounded tables (`medpayiq.bounded`: a full table drops its older half).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from medpayiq.bounded import remember

__all__ = ["date_json", "money_json", "money_text"]

_KEPT = 4_096  # texts kept per table: a practice bills the same few amounts, on a few dates
_AMOUNTS: dict[str, str] = {}
_DATES: dict[date, str] = {}


def money_text(amount: Decimal | None) -> str | None:
    """An amount as answers give it: "12.30" (two decimals), None for none."""
    return None if amount is None else f"{amount:.2f}"


def money_json(amount: Decimal | None) -> str:
    """An amount as JSON text: '"12.30"', 'null' for none. Kept by the amount's own text,
    not the Decimal: hashing a Decimal just computed costs several times `str()` of it, and
    0 and -0 are equal Decimals whose texts differ ("0.00", "-0.00": a reversal negates a
    zero amount)."""
    if amount is None:
        return "null"
    key = str(amount)
    found = _AMOUNTS.get(key)
    if found is None:
        found = remember(_AMOUNTS, key, f'"{money_text(amount)}"', _KEPT)
    return found


def date_json(day: date | None) -> str:
    """A date as JSON text: '"2026-03-02"', 'null' for none."""
    if day is None:
        return "null"
    found = _DATES.get(day)
    if found is None:
        found = remember(_DATES, day, f'"{day.isoformat()}"', _KEPT)
    return found
