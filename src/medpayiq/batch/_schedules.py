"""The lines of a file that another fee schedule than the physician fee schedule pays
(clinical lab, DMEPOS; drugs, anesthesia and ambulance, which answer why they have no
amount), priced the batch engine's way: every distinct question answered once, every line
by joins, gathers and one multiplication.

1. Each distinct (date, code, routing modifier) is routed once (`schedules.route`; the
   routing modifier is the one whose own PPRRVU row prices the line: 85576-26 is the
   physician fee schedule's, 85576 the clinical lab schedule's); a line is another
   schedule's when it routes elsewhere than "pfs" (`mark`).
2. What a line's price depends on is reduced to a key: the schedule, its `period` for the
   date (the same snapshot, release and confidence), the code, the modifiers and the
   schedule's `place_key` (nothing for the clinical lab schedule, the beneficiary's state for
   DMEPOS), found once per distinct place and period.
3. Each key is priced once for one unit by the schedule itself (`Schedule.price`, the line
   path's own answer). These schedules pay one fee times the units (`UNIT_LINEAR`), so a
   line's amount is its key's one-unit amount times its units, in exact integer cents.
   Lines whose units the engine would reject keep the line path's error (the units text is
   part of their key).

Every answer is the one `schedules.price_line` gives for the line (tests/batch holds the two
paths equal).
"""

from __future__ import annotations

from collections.abc import Hashable
from datetime import date
from typing import TYPE_CHECKING, Any, cast

import polars as pl

from medpayiq import schedules
from medpayiq.errors import DataError, InputError, MedPayIQError
from medpayiq.pricing import Location

from ._fallback import modifier_tuple, units_value

if TYPE_CHECKING:
    from ._vector import Batch

__all__ = ["COLUMNS", "UNIT_LINEAR", "OtherSchedules", "mark", "price_rows"]

# Schedules whose amount for n units is n times the amount for one unit.
UNIT_LINEAR = frozenset({"clfs", "dmepos", "asp", "anesthesia", "ambulance", "none"})
_PFS = "pfs"
# The columns of the vectorised path's frame `price_rows` reads.
COLUMNS = [
    "day", "units", "carrier", "locality", "hcpcs_p", "modifier_p", "pos_p", "zip_p", "units_p",
]  # fmt: skip


class OtherSchedules:
    """What one run keeps across chunks: routes, periods, place keys and answers. Routes and
    periods are dense tables gathered by id (a day x code grid, a schedule x day grid)."""

    def __init__(self) -> None:
        # Days that route alike share a class (`schedules.route_period`); routes are kept
        # per (class, code text), for every code text seen, so no row is looked at in Python.
        self.day_class: list[int] = []  # day id -> class id
        self._class_ids: dict[Hashable, int] = {}
        self.class_days: list[date] = []  # class id -> a day of the class
        # (class, code text x 4 + routing modifier) -> schedule id
        self.routes: dict[tuple[int, int], int] = {}
        self.ways: list[int] = []  # modifier text -> its routing modifier's index
        self.names: list[str] = [_PFS]  # schedule id -> name (0: the physician fee schedule)
        self.periods: dict[tuple[int, int], int] = {}  # (schedule, day) -> period id
        self._period_ids: dict[tuple[int, Hashable], int] = {}
        # (schedule, period, place texts) -> place id ("pl")
        self.place_table = pl.DataFrame(schema={**{k: pl.Int32 for k in _PLACE}, "pl": pl.Int32})
        self._place_ids: dict[Hashable, int] = {}
        self.answers: dict[tuple[Any, ...], tuple[Any, ...]] = {}
        self._answer_table: pl.DataFrame | None = None
        self.grids: dict[tuple[int, int, int], pl.Series] = {}  # see `_grid`

    def schedule_id(self, name: str) -> int:
        if name not in self.names:
            self.names.append(name)
        return self.names.index(name)

    def period_id(self, schedule: int, period: Hashable) -> int:
        return self._period_ids.setdefault((schedule, period), len(self._period_ids))

    def place_id(self, key: Hashable) -> int:
        return self._place_ids.setdefault(key, len(self._place_ids))

    def answer_table(self) -> pl.DataFrame:
        """The answers as a frame (rebuilt only when answers were added)."""
        if self._answer_table is None or self._answer_table.height != len(self.answers):
            self._answer_table = pl.DataFrame(
                [(*k, *v) for k, v in self.answers.items()],
                schema={**{k: pl.Int32 for k in _KEY}, **_ANSWER},
                orient="row",
            )
        return self._answer_table


# What a place is made of: a schedule's period and the texts of the line's location.
_PLACE = ["schedule", "period", "zip", "carrier", "locality", "pos"]
_KEY = ["schedule", "period", "code", "mod", "place", "bad_units"]
# The texts as the run's ids (`_tables.Tables`: releases, confidences, messages).
_ANSWER = {
    "unit_cents": pl.Int64,
    "release": pl.Int32,
    "confidence": pl.Int32,
    "message": pl.Int32,
}


def _text_ids(batch: Batch, name: str) -> pl.Expr:
    ids = pl.Series(batch.columns[name].ids or [0], dtype=pl.Int32)
    return pl.lit(ids).gather(pl.col(f"{name}_p")).fill_null(0)


def _grid(
    state: OtherSchedules,
    values: dict[tuple[int, int], int],
    width: int,
    first: pl.Expr,
    second: pl.Expr,
) -> pl.Expr:
    """`values[(first, second)]` for each row, by a gather from a dense grid (null where
    `values` has no entry or `first` is null). Entries are only ever added, so a grid is
    built again only when `values` grew or the width changed."""
    key = (id(values), len(values), width)
    table = state.grids.get(key)
    if table is None:
        height = max((a for a, _ in values), default=-1) + 1
        dense: list[int | None] = [None] * (height * width)
        for (a, b), v in values.items():
            dense[a * width + b] = v
        table = pl.Series(dense or [None], dtype=pl.Int32)
        state.grids = {k: v for k, v in state.grids.items() if k[0] != id(values)}
        state.grids[key] = table
    return pl.lit(table).gather(first * width + second)


def _schedule_of(batch: Batch) -> pl.Expr:
    """Each row's schedule id from its `day`, `code` and `mod` columns: the routes of every
    class, code text and routing modifier seen so far are worked out first (few: classes x
    codes x 4)."""
    state = batch.others
    days = batch.tables.days
    for day in days[len(state.day_class) :]:
        key = _route_class(schedules.route_period(batch.reference, day.day))
        if key not in state._class_ids:
            state._class_ids[key] = len(state.class_days)
            state.class_days.append(day.day)
        state.day_class.append(state._class_ids[key])
    codes = batch.columns["hcpcs"].texts.values
    for klass, first in enumerate(state.class_days):
        for code in range(len(codes)):
            if (klass, code * _WAYS) in state.routes:
                continue
            for way, modifier in enumerate(schedules.ROUTING_MODIFIERS):
                name = _route(batch, codes[code], first, (modifier,) if modifier else ())
                state.routes[(klass, code * _WAYS + way)] = state.schedule_id(name)
    classes = pl.Series(state.day_class or [0], dtype=pl.Int32)
    return _grid(
        state,
        state.routes,
        len(codes) * _WAYS,
        pl.lit(classes).gather(pl.col("day")),
        pl.col("code") * _WAYS + _ways(batch),
    )


_WAYS = len(schedules.ROUTING_MODIFIERS)


def _ways(batch: Batch) -> pl.Expr:
    """Each row's routing modifier (its index in `schedules.ROUTING_MODIFIERS`) from its
    `mod` column, worked out once per modifier text."""
    state = batch.others
    texts = batch.columns["modifier"].texts.values
    for text in texts[len(state.ways) :]:
        modifier = schedules.routing_modifier(modifier_tuple(text))
        state.ways.append(schedules.ROUTING_MODIFIERS.index(modifier))
    return pl.lit(pl.Series(state.ways or [0], dtype=pl.Int32)).gather(pl.col("mod"))


# Schedules whose `period` is `schedules.snapshot_period`: ("day", day) exactly when no
# release is loaded for the date, and then their `route` raises ReleaseNotLoaded.
_SNAPSHOT_PERIODS = frozenset({"clfs", "dmepos"})


def _route_class(key: Hashable) -> Hashable:
    """`schedules.route_period`'s key without the date of a snapshot schedule that has no
    release on it. Its period is ("day", day), so that its answers' messages name the date,
    but its `route` fails alike on every such date, and a route class keeps only which
    schedule answers (`_route`): without this, each such date (every 2025 date when only
    2026 lab and DME files are loaded) was a class of its own, each routing every code."""
    periods, span = cast(tuple[tuple[Hashable, ...], Hashable], key)
    names = [s.info.name for s in schedules.registered()]
    return (
        tuple(
            ("day",)
            if name in _SNAPSHOT_PERIODS and isinstance(p, tuple) and p[:1] == ("day",)
            else p
            for name, p in zip(names, periods, strict=True)
        ),
        span,
    )


def mark(batch: Batch, rows: pl.DataFrame) -> pl.Series:
    """True for each row whose code another schedule pays on its date."""
    keyed = rows.select(
        day=pl.col("day"), code=_text_ids(batch, "hcpcs"), mod=_text_ids(batch, "modifier")
    )
    found = keyed.select(_schedule_of(batch).alias("s")).get_column("s")
    return (found.fill_null(0) != 0).alias("other")


def _route(batch: Batch, code: str, day: date, modifiers: tuple[str, ...]) -> str:
    try:
        return schedules.route(batch.reference, code, day, modifiers).schedule.name
    except (InputError, DataError):
        return _PFS  # the physician fee schedule path gives the line its message


def price_rows(batch: Batch, rows: pl.DataFrame) -> dict[str, pl.Series]:
    """The output columns of `rows`, every one another schedule's, in order: the allowed
    amount in cents, and the ids of setting, locality, release, confidence and message
    among the run's texts (`_tables.Tables`)."""
    state = batch.others
    keyed = rows.select(
        "day", "units", "carrier", "locality",
        code=_text_ids(batch, "hcpcs"), mod=_text_ids(batch, "modifier"),
        pos=_text_ids(batch, "pos"), zip=_text_ids(batch, "zip"),
        # A units text the engine rejects is part of the key: its error names it.
        bad_units=pl.when(~pl.col("units").is_between(1, 9999).fill_null(False)).then(
            _text_ids(batch, "units")
        ),
    )  # fmt: skip
    keyed = keyed.with_columns(schedule=_schedule_of(batch))
    keyed = keyed.with_columns(period=_periods(batch, keyed))
    keyed = keyed.with_columns(place=_places(batch, keyed))
    firsts = keyed.unique(subset=_KEY, keep="first", maintain_order=True)
    for row in firsts.iter_rows(named=True):
        k = tuple(row[name] for name in _KEY)
        if k not in state.answers:
            state.answers[k] = _answer_ids(batch, _answer(batch, row))
    joined = keyed.join(
        state.answer_table(), on=_KEY, how="left", nulls_equal=True, maintain_order="left"
    )
    out = joined.select(
        (pl.col("unit_cents") * pl.col("units")).alias("cents"), "release", "confidence", "message"
    )
    national = batch.tables.localities.id("")
    return {
        "allowed": out.get_column("cents"),  # cents: `_vector` formats them with the rest
        "setting": pl.repeat(None, rows.height, dtype=pl.Int32, eager=True),
        "locality": pl.repeat(national, rows.height, dtype=pl.Int32, eager=True),
        "release": out.get_column("release"),
        "confidence": out.get_column("confidence"),
        "message": out.get_column("message"),
    }


def _periods(batch: Batch, keyed: pl.DataFrame) -> pl.Expr:
    """Each row's period id: its schedule's `period` for its date, asked once per pair."""
    state = batch.others
    days = batch.tables.days
    for schedule, day in keyed.select("schedule", "day").unique().iter_rows():
        if (schedule, day) not in state.periods:
            plug = schedules.schedule_named(state.names[schedule])
            period = plug.period(batch.reference, days[day].day)
            state.periods[(schedule, day)] = state.period_id(schedule, period)
    return _grid(state, state.periods, len(days), pl.col("schedule"), pl.col("day"))


def _places(batch: Batch, keyed: pl.DataFrame) -> pl.Series:
    """Each row's place id: 0 for a schedule whose price does not depend on the place, else
    its `place_key`, asked once per distinct place (ZIP, carrier, locality, place of
    service) in a period."""
    state = batch.others
    placed = [i for i, name in enumerate(state.names) if schedules.schedule_named(name).by_place]
    out = pl.repeat(0, keyed.height, dtype=pl.Int32, eager=True)
    where = keyed.select(pl.arg_where(pl.col("schedule").is_in(placed))).to_series()
    if not where.len():
        return out
    sub = keyed.select(*_PLACE, "code", "day", "mod")[where]
    # Only the places no earlier chunk had are looked at in Python (the first line of each
    # stands for it, as the line path's answer may name its code or date).
    new = sub.unique(subset=_PLACE, keep="first", maintain_order=True).join(
        state.place_table, on=_PLACE, how="anti", nulls_equal=True
    )
    if new.height:
        ids = []
        for row in new.iter_rows(named=True):
            plug = schedules.schedule_named(state.names[row["schedule"]])
            key = (row["schedule"], plug.place_key(batch.reference, _request(batch, row, 1)))
            ids.append(1 + state.place_id(key))
        state.place_table = pl.concat(
            [
                state.place_table,
                new.select(_PLACE).with_columns(pl.Series("pl", ids, dtype=pl.Int32)),
            ]
        )
    table = state.place_table
    found = sub.select(_PLACE).join(
        table, on=_PLACE, how="left", nulls_equal=True, maintain_order="left"
    )
    return out.scatter(where, found.get_column("pl"))


def _request(batch: Batch, row: dict[str, Any], units: Any) -> schedules.PriceRequest:
    cols = batch.columns
    carriers, localities = cols["carrier"].texts.values, cols["locality"].texts.values
    c, lo = row["carrier"], row["locality"]
    lockey = f"{carriers[c]}-{localities[lo]}" if c or lo else None
    return schedules.PriceRequest(
        cols["hcpcs"].texts.values[row["code"]],
        batch.tables.days[row["day"]].day,
        modifier_tuple(cols["modifier"].texts.values[row["mod"]]),
        units,
        Location(zip=cols["zip"].texts.values[row["zip"]] or None, locality=lockey),
        pos=cols["pos"].texts.values[row["pos"]] or None,
    )


def _answer_ids(
    batch: Batch, answer: tuple[int | None, str | None, str | None, str]
) -> tuple[int | None, int | None, int | None, int]:
    """An answer with its texts as the run's ids (the output is gathered by id)."""
    tables = batch.tables
    cents, release, confidence, message = answer
    return (
        cents,
        None if release is None else tables.releases.id(release),
        None if confidence is None else tables.confidences.id(confidence),
        tables.messages.id(message),
    )


def _answer(batch: Batch, row: dict[str, Any]) -> tuple[int | None, str | None, str | None, str]:
    """(one-unit cents, release, confidence, message) of a key, from the line path."""
    bad = row["bad_units"]
    units: Any = 1 if bad is None else units_value(batch.columns["units"].texts.values[bad])
    try:
        priced = schedules.price_line(batch.reference, _request(batch, row, units))
    except MedPayIQError as exc:
        return None, None, None, str(exc)
    if priced.schedule.name not in UNIT_LINEAR:
        raise AssertionError(f"{priced.schedule.name} is not priced per unit")
    cents = None if priced.allowed is None else int(priced.allowed * 100)
    message = "priced" if priced.payable else priced.message
    return cents, priced.release or None, priced.confidence.value, message
