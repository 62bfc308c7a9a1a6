"""Element values read from X12 text: numbers, dates, NPIs. Each reader keeps a `ValueCache`:
the same charge, unit count or date comes back thousands of times in a claim file, and a dict
look-up costs a fraction of parsing it again."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Final

# X12 type R (decimal): optional minus, digits with an optional decimal point; no exponent,
# no sign on the right, no grouping. Decimal() alone would also take "1e3", "NaN", " 5".
_NUMBER: Final = re.compile(r"-?(?:\d+\.?\d*|\.\d+)\Z")


def _is_number(text: str) -> bool:
    # the common case (digits with at most one point) without the regex; the rest by it
    plain = text.replace(".", "", 1)
    if plain.isdigit() and plain.isascii():
        return True
    return bool(_NUMBER.match(text))


_LIMIT: Final = 1 << 16  # entries per cache before it starts afresh: memory stays flat
# The readers' own caches (segment texts to what they parse into: payers, services, spans
# ...) start afresh at this many entries: the 837P and 835 readers share it.
CACHE_LIMIT: Final = 1 << 14


def quoted_id(text: str) -> str:
    """An HL id as a message may quote it: digits only. Anything else in its place could be
    data that belongs to a person, so it is not repeated."""
    if not text:
        return "(empty)"
    return text if text.isdigit() and len(text) <= 12 else "(not a number)"


def npi_valid(npi: str) -> bool:
    """10 digits whose last is the Luhn check digit over 80840 + the first nine."""
    if len(npi) != 10 or not npi.isdigit():
        return False
    total = 24  # the 80840 prefix's contribution to the Luhn sum
    for position, char in enumerate(reversed(npi[:9])):
        digit = int(char)
        if position % 2 == 0:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return (10 - total % 10) % 10 == int(npi[9])


def date8(text: str) -> date | None:
    """CCYYMMDD as a date, or None when it is not a valid date in that format."""
    if len(text) != 8 or not text.isdigit() or not text.isascii():
        return None
    try:
        return date.fromisoformat(text)  # takes the basic form CCYYMMDD since Python 3.11
    except ValueError:
        return None


class ValueCache:
    """Parsed values by their text: decimals, CCYYMMDD dates, valid NPIs."""

    __slots__ = ("_dates", "_npis", "decimals")

    def __init__(self) -> None:
        self.decimals: dict[str, Decimal | None] = {}  # read directly on hot paths
        self._dates: dict[str, date | None] = {}
        self._npis: dict[str, bool] = {}

    def decimal(self, text: str) -> Decimal | None:
        """The number `text` writes (X12 type R), or None when it is not one."""
        try:
            return self.decimals[text]
        except KeyError:
            pass
        value = Decimal(text) if _is_number(text) else None
        if len(self.decimals) >= _LIMIT:
            self.decimals.clear()
        self.decimals[text] = value
        return value

    def date(self, text: str) -> date | None:
        try:
            return self._dates[text]
        except KeyError:
            pass
        value = date8(text)
        if len(self._dates) >= _LIMIT:
            self._dates.clear()
        self._dates[text] = value
        return value

    def npi(self, text: str) -> bool:
        try:
            return self._npis[text]
        except KeyError:
            pass
        value = npi_valid(text)
        if len(self._npis) >= _LIMIT:
            self._npis.clear()
        self._npis[text] = value
        return value
