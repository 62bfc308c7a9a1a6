"""The lines of a file that another fee schedule than the physician fee schedule pays
(clinical lab, DMEPOS; drugs, anesthesia and ambulance, which answer why they have no
amount), priced the batch engine's way: every distinct question answered once, every line
by gathers and one multiplication.

1. Each distinct (date, code) is routed once (`schedules.route`); a line is another
   schedule's when its code routes elsewhere than "pfs" (`mark`).
2. Each distinct (date, code, modifiers, place, place of service) is priced once for one
   unit by the schedule itself (`Schedule.price`, the line path's own answer). The clinical
   lab and DMEPOS schedules pay one fee times the units (`UNIT_LINEAR`), so a line's amount
   is its key's one-unit amount times its units, in exact integer cents (`price_rows`).
3. Lines whose units the engine would reject keep the line path's error, asked once per
   distinct key and units text.

Every answer is the one `schedules.price_line` gives for the line (tests/batch holds the two
paths equal).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import polars as pl

from medpayiq import schedules
from medpayiq.errors import DataError, InputError, MedPayIQError
from medpayiq.pricing import Location

from ._fallback import modifier_tuple, units_value

if TYPE_CHECKING:
    from ._vector import Batch

__all__ = ["UNIT_LINEAR", "mark", "price_rows"]

# Schedules whose amount for n units is n times the amount for one unit.
UNIT_LINEAR = frozenset({"clfs", "dmepos", "asp", "anesthesia", "ambulance", "none"})
_PFS = "pfs"


def _text_ids(batch: Batch, rows: pl.DataFrame, name: str) -> pl.Expr:
    ids = pl.Series(batch.columns[name].ids or [0], dtype=pl.Int32)
    return pl.lit(ids).gather(pl.col(f"{name}_p")).fill_null(0)


def mark(batch: Batch, rows: pl.DataFrame) -> pl.Series:
    """True for each row whose code another schedule pays on its date."""
    keyed = rows.select(day=pl.col("day"), code=_text_ids(batch, rows, "hcpcs"))
    pairs = keyed.filter(pl.col("day").is_not_null()).unique()
    known: dict[tuple[int, int], bool] = batch.other_routes
    codes = batch.columns["hcpcs"].texts.values
    days = batch.tables.days
    for day, code in pairs.iter_rows():
        if (day, code) not in known:
            known[(day, code)] = _other(batch, codes[code], days[day].day)
    table = pl.DataFrame(
        [(d, c, v) for (d, c), v in known.items()],
        schema={"day": pl.Int32, "code": pl.Int32, "other": pl.Boolean},
        orient="row",
    )
    joined = keyed.join(table, on=["day", "code"], how="left", maintain_order="left")
    return joined.get_column("other").fill_null(False)


def _other(batch: Batch, code: str, day: Any) -> bool:
    try:
        return schedules.route(batch.reference, code, day).schedule.name != _PFS
    except (InputError, DataError):
        return False  # the physician fee schedule path gives the line its message


def price_rows(batch: Batch, rows: pl.DataFrame) -> dict[str, pl.Series]:
    """The output columns (allowed text, setting, locality, release, confidence, message)
    of `rows`, every one another schedule's, in order."""
    keyed = rows.select(
        "day",
        "units",
        code=_text_ids(batch, rows, "hcpcs"),
        mod=_text_ids(batch, rows, "modifier"),
        pos=_text_ids(batch, rows, "pos"),
        zip=_text_ids(batch, rows, "zip"),
        carrier=pl.col("carrier"),
        locality=pl.col("locality"),
        # A units text the engine rejects is part of the key: its error names it.
        bad_units=pl.when(~pl.col("units").is_between(1, 9999).fill_null(False)).then(
            _text_ids(batch, rows, "units")
        ),
    )
    key = ["day", "code", "mod", "pos", "zip", "carrier", "locality", "bad_units"]
    answers: dict[tuple[Any, ...], tuple[Any, ...]] = batch.other_answers
    for row in keyed.select(key).unique().iter_rows():
        if row not in answers:
            answers[row] = _answer(batch, *row)
    table = pl.DataFrame(
        [(*k, *v) for k, v in answers.items()],
        schema={
            **{k: pl.Int32 for k in key},
            "unit_cents": pl.Int64,
            "release": pl.String,
            "confidence": pl.String,
            "message": pl.String,
        },
        orient="row",
    )
    joined = keyed.join(table, on=key, how="left", nulls_equal=True, maintain_order="left")
    cents = (pl.col("unit_cents") * pl.col("units")).alias("cents")
    out = joined.select(cents, "release", "confidence", "message")
    allowed = batch.labels(out.get_column("cents"))
    empty = pl.repeat(None, rows.height, dtype=pl.String, eager=True)
    return {
        "allowed": allowed,
        "setting": empty,
        "locality": pl.repeat("", rows.height, dtype=pl.String, eager=True),
        "release": out.get_column("release"),
        "confidence": out.get_column("confidence"),
        "message": out.get_column("message"),
    }


def _answer(
    batch: Batch,
    day: int,
    code: int,
    mod: int,
    pos: int,
    zip_text: int,
    carrier: int,
    locality: int,
    bad_units: int | None,
) -> tuple[int | None, str | None, str | None, str]:
    """(one-unit cents, release, confidence, message) of a distinct key, from the line path."""
    cols = batch.columns
    text = {name: cols[name].texts.values for name in ("hcpcs", "modifier", "pos", "zip")}
    where_c, where_l = cols["carrier"].texts.values, cols["locality"].texts.values
    lockey = f"{where_c[carrier]}-{where_l[locality]}" if carrier or locality else None
    units: Any = 1 if bad_units is None else units_value(cols["units"].texts.values[bad_units])
    request = schedules.PriceRequest(
        text["hcpcs"][code],
        batch.tables.days[day].day,
        modifier_tuple(text["modifier"][mod]),
        units,
        Location(zip=text["zip"][zip_text] or None, locality=lockey),
        pos=text["pos"][pos] or None,
    )
    try:
        priced = schedules.price_line(batch.reference, request)
    except MedPayIQError as exc:
        return None, None, None, str(exc)
    if priced.schedule.name not in UNIT_LINEAR:
        raise AssertionError(f"{priced.schedule.name} is not priced per unit")
    cents = None if priced.allowed is None else int(priced.allowed * 100)
    message = "priced" if priced.payable else priced.message
    return cents, priced.release or None, priced.confidence.value, message
