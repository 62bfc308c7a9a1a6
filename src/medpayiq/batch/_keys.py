"""The input's key columns as integer ids: every value is normalised once, not once per row.

The CSV reader gives each key column (code, modifier, place of service, date, ZIP, carrier,
locality, units, claim) as a Polars Categorical with categories of its own for the run, so
a row holds the physical id of its raw text. A `Column` keeps, per physical id, the
normalised text (stripped, and upper-cased for codes and modifiers, with the very Polars
expressions the line-by-line path used) and its id among the distinct normalised texts.
Everything else (`_tables`, `_vector`) maps distinct values and gathers by id.
"""

from __future__ import annotations

from typing import Any

import polars as pl

__all__ = ["KEY_COLUMNS", "Column", "DType", "Strings"]

DType = pl.DataType | type[pl.DataType]

# Input columns read as categories (line_id is passed through as text).
KEY_COLUMNS = (
    "hcpcs", "modifier", "pos", "date_of_service", "zip", "carrier", "locality", "units",
    "claim_id",
)  # fmt: skip
_UPPER = frozenset({"hcpcs", "modifier"})


class Strings:
    """Distinct strings in order of first appearance, each with its id."""

    def __init__(self, first: tuple[str, ...] = ()) -> None:
        self.values: list[str] = []
        self._ids: dict[str, int] = {}
        self._series: pl.Series | None = None
        for value in first:
            self.id(value)

    def id(self, value: str) -> int:
        found = self._ids.get(value)
        if found is None:
            found = self._ids[value] = len(self.values)
            self.values.append(value)
            self._series = None
        return found

    def get(self, value: str) -> int | None:
        return self._ids.get(value)

    def __len__(self) -> int:
        return len(self.values)

    def series(self) -> pl.Series:
        """The strings as a Series, index = id (gather by id to get the text)."""
        if self._series is None:
            self._series = pl.Series(self.values, dtype=pl.String)
        return self._series


class Column:
    """One key column: physical id (as read) -> normalised text and its id."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.categories = pl.Categories.random()
        self.dtype = pl.Categorical(self.categories)
        self.texts = Strings(("",))  # normalised texts; id 0 is "" (an empty cell)
        self.ids: list[int] = []  # physical id -> id in `texts`
        self._ids: pl.Series | None = None

    def update(self) -> bool:
        """Take in the categories read since the last call; True when there were any."""
        seen = self.categories.to_series()
        if seen.len() == len(self.ids):
            return False
        new = seen.slice(len(self.ids))
        text = new.cast(pl.String).str.strip_chars().fill_null("")
        if self.name in _UPPER:
            text = text.str.to_uppercase()
        self.ids.extend(self.texts.id(t) for t in text.to_list())
        self._ids = None
        return True

    def physical(self, frame: pl.DataFrame) -> pl.Expr:
        """The column's physical ids in `frame` (null for an empty cell or a missing column)."""
        if self.name not in frame.columns:
            return pl.lit(None, pl.UInt32)
        return pl.col(self.name).to_physical()

    def text_ids(self, frame: pl.DataFrame) -> pl.Expr:
        """Each row's normalised-text id (0 for an empty cell or a missing column)."""
        if self.name not in frame.columns:
            return pl.lit(0, pl.Int32)
        if self._ids is None:
            self._ids = pl.Series(self.ids, dtype=pl.Int32)
        return pl.lit(self._ids).gather(pl.col(self.name).to_physical()).fill_null(0)

    def lookup(self, values: list[Any], dtype: DType) -> pl.Series:
        """A Series by physical id from `values`, a list by normalised-text id."""
        by_text = pl.Series(values, dtype=dtype)
        if not self.ids:
            return by_text.clear()
        return by_text.gather(pl.Series(self.ids, dtype=pl.Int32))
