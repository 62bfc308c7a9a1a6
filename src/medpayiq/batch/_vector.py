"""One chunk of lines priced with Polars: each distinct input value mapped once to an
integer id (`_keys`), each line's reference rows found by index arithmetic (`_tables`), the
amounts computed in exact integers, the output texts gathered from numbered strings, and
what the vectorised path does not cover sent to the line engine (`_fallback`).

The vectorised path covers a line when its date has a loaded release, its code has a PPRRVU
row for its modifier (none, 26 or TC), its ZIP (one locality, no plus-four flag) or
carrier/locality is in the files as written, its place of service is in the POS code set,
its units are 1-9999, and no multiple procedure rule can change it: a line of its own with
one unit (or a code whose indicator reduces nothing), or a claim whose lines cannot reduce
each other. Everything else goes to the line engine, which says why in `message`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

import polars as pl

from medpayiq.reference import ReferenceData

from . import _fallback, _schedules
from ._keys import KEY_COLUMNS, Column, DType
from ._reference import RunReference
from ._tables import CONF_SLOTS, ROW_MODIFIERS, Tables

__all__ = ["OUTPUT_COLUMNS", "Batch", "CsvChunk", "Route", "csv_chunk", "price_chunk"]

OUTPUT_COLUMNS = ["line_id", "allowed", "setting", "locality", "release", "confidence", "message"]
_DATE = "%Y-%m-%d"
_PAIR_LIMIT = 4_000_000  # carrier x locality texts indexed densely up to this many pairs


class Route:
    """Why a line leaves the vectorised path (0: it does not)."""

    NONE, BOTH, MODIFIER, ROW, LOCATION, POS, UNITS, REDUCES, CLAIM = range(9)


@dataclass
class Batch:
    """What one run keeps across chunks: the reference tables, the key columns, and what
    each distinct date text means."""

    reference: ReferenceData
    date_default: date | None
    tables: Tables = field(init=False)
    columns: dict[str, Column] = field(init=False)
    # Lines other schedules pay (`_schedules`): routes, periods, places and answers, kept
    # across chunks.
    others: _schedules.OtherSchedules = field(init=False, default_factory=_schedules.OtherSchedules)
    # The line engine's answers for the lines the vectorised path leaves, kept across chunks.
    fallback: _fallback.Memo = field(init=False, default_factory=_fallback.Memo)
    _dates: dict[str, tuple[int | None, int | None]] = field(init=False, default_factory=dict)
    _labels: pl.Series = field(init=False)

    def __post_init__(self) -> None:
        # Each date's answers kept for the run (`_reference`): a file's dates come in any order.
        self.reference = RunReference(self.reference)
        self.tables = Tables(self.reference)
        self.columns = {name: Column(name) for name in KEY_COLUMNS}
        self._labels = pl.Series(dtype=pl.String)

    def schema(self, names: list[str]) -> dict[str, DType]:
        """The read types of a file's columns: key columns as this run's categories."""
        return {n: self.columns[n].dtype if n in self.columns else pl.String for n in names}

    def date_of(self, text: str, parsed: date | None) -> tuple[int | None, int | None]:
        """(day id, message id) of a date text (stripped) and its parsed date."""
        found = self._dates.get(text)
        if found is None:
            tables = self.tables
            if text == "":
                found = (
                    (tables.day_id(self.date_default), None)
                    if self.date_default is not None
                    else (None, tables.messages.id(
                        "no date of service: give date_of_service or --date-default"))
                )  # fmt: skip
            elif parsed is None:
                message = f'date_of_service "{text}" is not a date (YYYY-MM-DD)'
                found = (None, tables.messages.id(message))
            else:
                found = (tables.day_id(parsed), None)
            self._dates[text] = found
        return found

    def labels(self, cents: pl.Series) -> pl.Series:
        """Cents as "dollars.cents" text: each distinct amount is formatted once."""
        top = cents.max()
        if top is None:
            return pl.repeat(None, cents.len(), dtype=pl.String, eager=True)
        assert isinstance(top, int)
        if top >= 50_000_000:  # a dense table would be too big: format each row
            return pl.select(_money(pl.lit(cents))).to_series()
        if top >= self._labels.len():
            size = max(top + 1, 2 * self._labels.len())
            self._labels = self._labels.extend_constant(None, size - self._labels.len())
        # Gathered first: the amounts without a text yet are the null texts of non-null
        # amounts, none after the first chunks (no hashing of every amount to find them).
        out = self._labels.gather(cents)
        missing = cents.filter(out.is_null() & cents.is_not_null())
        if not missing.len():
            return out
        distinct = missing.unique()
        self._labels = self._labels.scatter(
            distinct, pl.select(_money(pl.lit(distinct))).to_series()
        )
        return self._labels.gather(cents)


def _money(cents: pl.Expr) -> pl.Expr:
    return pl.concat_str(
        (cents // 100).cast(pl.String), pl.lit("."), (cents % 100).cast(pl.String).str.zfill(2)
    )


def _gather(series: pl.Series, index: pl.Expr) -> pl.Expr:
    return pl.lit(series).gather(index)


def _sparse_gather(series: pl.Series, index: pl.Expr) -> pl.Expr:
    """`_gather`, or a null literal when `series` is all null (the usual case for the
    errors of dates: every date has its release)."""
    if series.null_count() == series.len():
        return pl.lit(None, series.dtype)
    return _gather(series, index)


# --- Distinct values -> ids ---------------------------------------------------------------


def _texts(column: Column) -> pl.Series:
    return pl.Series(column.texts.values, dtype=pl.String)


def _date_lookups(batch: Batch) -> tuple[pl.Series, pl.Series]:
    column = batch.columns["date_of_service"]
    texts = _texts(column)
    parsed = texts.str.to_date(_DATE, strict=False).to_list()
    pairs = [batch.date_of(t, p) for t, p in zip(column.texts.values, parsed, strict=True)]
    days = column.lookup([d for d, _ in pairs], pl.Int32)
    messages = column.lookup([m for _, m in pairs], pl.Int32)
    return days, messages


def _lookups(batch: Batch, claims: bool) -> dict[str, pl.Series]:
    """Per key column, Series by physical id of what the rows need."""
    tables, columns = batch.tables, batch.columns
    out: dict[str, pl.Series] = {}
    out["day"], out["date_msg"] = _date_lookups(batch)
    zips = columns["zip"]
    zip5 = _texts(zips).str.extract(r"^(\d{5})(?:-?\d{4})?$", 1).to_list()
    tables.want_zips(z for z in zip5 if z is not None)
    tables.refresh()
    codes = columns["hcpcs"]
    code_ids = [tables.codes.get(t) for t in codes.texts.values]
    tables.want_codes(c for c in code_ids if c is not None)
    out["code"] = codes.lookup(code_ids, pl.Int32)
    mods = columns["modifier"]
    row_mods = [tables.row_modifier(t) for t in mods.texts.values]
    # Modifier 50 (with modifiers that leave the amount alone): its row, flagged `bil`; in
    # a claims file such lines go to the line engine (the claim rules rank them).
    bilateral = [
        None if m is not None or claims else tables.bilateral_row_modifier(t)
        for t, m in zip(mods.texts.values, row_mods, strict=True)
    ]
    out["rmod"] = mods.lookup(
        [
            None if m is None and b is None else ROW_MODIFIERS.index(m if m is not None else b)
            for m, b in zip(row_mods, bilateral, strict=True)
        ],
        pl.Int32,
    )
    out["bil"] = mods.lookup([b is not None for b in bilateral], pl.Boolean)
    # What the line engine said of these lines when it priced them (kept byte for byte).
    out["bil_msg"] = mods.lookup(
        [
            None if b is None else tables.messages.id(f"priced by the line engine: modifier {t}")
            for t, b in zip(mods.texts.values, bilateral, strict=True)
        ],
        pl.Int32,
    )
    pos = columns["pos"]
    facility = [tables.facility(t) for t in _pos_keys(_texts(pos))]
    out["fac"] = pos.lookup([None if f is None else int(f) for f in facility], pl.Int32)
    out["zip"] = zips.lookup([None if z is None else tables.zips.get(z) for z in zip5],
                             pl.Int32)  # fmt: skip
    out["has_zip"] = zips.lookup([t != "" for t in zips.texts.values], pl.Boolean)
    units = columns["units"]
    text = pl.col("t")
    out["units"] = units.lookup(
        pl.DataFrame({"t": _texts(units)})
        .select(
            pl.when(text == "")
            .then(pl.lit(1, pl.Int64))
            .when(text.str.contains(r"^\d{1,4}$"))
            .then(text.cast(pl.Int64, strict=False))
            .otherwise(pl.lit(None, pl.Int64))
        )
        .to_series()
        .to_list(),
        pl.Int32,
    )
    for name in ("carrier", "locality", "claim_id"):
        column = columns[name]
        out[name] = pl.Series(column.ids, dtype=pl.Int32)
    return out


def _pos_keys(texts: pl.Series) -> list[str]:
    """The place of service texts as price_line keys them ("" stays "", "1" is "01")."""
    return [t if t == "" else t.zfill(2) if _digits(t) else "?" for t in texts.to_list()]


def _digits(text: str) -> bool:
    return 1 <= len(text) <= 2 and all(ch in "0123456789" for ch in text)


def _pair_lookup(batch: Batch) -> tuple[pl.Series | None, int]:
    """Locality id by carrier text id x locality text id ("C-L" as given), or None when
    there are too many pairs to index densely."""
    carriers = batch.columns["carrier"].texts.values
    localities = batch.columns["locality"].texts.values
    width = len(localities)
    if len(carriers) * width > _PAIR_LIMIT:
        return None, width
    known = batch.tables.localities
    values = [known.get(f"{c}-{loc}") for c in carriers for loc in localities]
    return pl.Series(values, dtype=pl.Int32), width


# --- Rows -----------------------------------------------------------------------------------


def _ids(frame: pl.DataFrame, batch: Batch, look: dict[str, pl.Series]) -> pl.DataFrame:
    """Each row's ids: day, date message, code, row modifier, facility, ZIP, carrier and
    locality texts, units, claim."""
    cols = batch.columns

    def by(name: str, column: str, empty: object) -> pl.Expr:
        # An empty cell (null id) or a missing column means what the text "" means: that
        # value is put after the others and an empty cell gathers it (one pass, no branch).
        table = look[name]
        if column not in frame.columns:
            return pl.lit(empty, table.dtype)
        table = table.extend_constant(empty, 1)
        return _gather(table, cols[column].physical(frame).fill_null(table.len() - 1))

    day_empty, msg_empty = batch.date_of("", None)
    fac_empty = batch.tables.facility("")
    return frame.select(
        pl.col("line_id") if "line_id" in frame.columns else pl.lit(None, pl.String),
        day=by("day", "date_of_service", day_empty),
        date_msg=by("date_msg", "date_of_service", msg_empty),
        code=by("code", "hcpcs", None),
        rmod=by("rmod", "modifier", 0),
        bil=by("bil", "modifier", False),
        bil_msg=by("bil_msg", "modifier", None),
        fac=by("fac", "pos", None if fac_empty is None else int(fac_empty)),
        zip=by("zip", "zip", None),
        has_zip=by("has_zip", "zip", False),
        units=by("units", "units", 1),
        carrier=by("carrier", "carrier", 0),
        locality=by("locality", "locality", 0),
        claim=by("claim_id", "claim_id", 0),
        **{f"{name}_p": cols[name].physical(frame) for name in
           ("hcpcs", "modifier", "pos", "date_of_service", "zip", "units")},
    )  # fmt: skip


def _located(ids: pl.DataFrame, batch: Batch) -> pl.DataFrame:
    """Add the day's group, geo, release and errors, the locality and the row indexes."""
    tables = batch.tables
    days = tables.day_frame
    groups, geos = max(tables.group_count, 1), max(tables.geo_count, 1)
    day = pl.col("day")
    ids = ids.with_columns(
        g=_gather(days["g"], day),
        zg=_gather(days["zg"], day),
        release=_gather(days["release"], day),
        day_error=_sparse_gather(days["error"], day),
        geo_error=_sparse_gather(days["geo_error"], day),
        cls=_gather(days["cls"], day),
        has_loc=(pl.col("carrier") != 0) | (pl.col("locality") != 0),
    )
    pairs, width = _pair_lookup(batch)
    if pairs is not None:
        given = _gather(pairs, pl.col("carrier") * width + pl.col("locality"))
    else:
        carriers = _texts(batch.columns["carrier"])
        localities = _texts(batch.columns["locality"])
        given = pl.concat_str(
            _gather(carriers, pl.col("carrier")), pl.lit("-"),
            _gather(localities, pl.col("locality")),
        ).replace_strict(
            dict(zip(tables.localities.values, range(len(tables.localities)), strict=True)),
            default=None, return_dtype=pl.Int32,
        )  # fmt: skip
    hz, hl = pl.col("has_zip"), pl.col("has_loc")
    by_zip = _gather(tables.zip_index, pl.col("zip") * geos + pl.col("zg"))
    ids = ids.with_columns(
        loc=pl.when(hl & ~hz)
        .then(given)
        .when(hz & ~hl)
        .then(by_zip)
        .when(~hz & ~hl)
        .then(pl.lit(0, pl.Int32))
    )
    return ids.with_columns(
        ri=_gather(
            tables.row_index, pl.col("code") * (groups * 3) + pl.col("g") * 3 + pl.col("rmod")
        ),
        gi=_gather(tables.gpci_index, pl.col("loc") * groups + pl.col("g")),
    )


def _priced(ids: pl.DataFrame, batch: Batch, claims: bool) -> pl.DataFrame:
    """Amounts (cents), message and confidence ids, and the route of every row; `other`
    marks the rows another fee schedule pays (`_schedules`: priced apart)."""
    tables = batch.tables
    rvu, by_setting, gpci = tables.rvu, tables.rvu_setting, tables.gpci
    ids = ids.with_columns(other=_schedules.mark(batch, ids))
    if not rvu.height:  # no date of the chunk has a release: every row has a message
        return ids.with_columns(
            cents=pl.lit(None, pl.Int64), clean=pl.lit(False), paid=pl.lit(False),
            msg=pl.coalesce("date_msg", "day_error"), conf=pl.lit(None, pl.Int32),
            route=pl.lit(Route.NONE, pl.Int8), usable=pl.lit(False),
        )  # fmt: skip
    ri, gi = pl.col("ri"), pl.col("gi")
    rs = ri * 2 + pl.col("fac")  # null unless both the row and the setting are known
    units = pl.col("units")
    ids = ids.with_columns(
        kind=_gather(rvu["kind"], ri),
        slot=_gather(rvu["slot"], ri),
        pay=_gather(by_setting["pay"], rs),
        row_msg=_gather(by_setting["msg"], rs),
        # one unit at the row's locality and setting (`_tables.Tables._amount_tables`)
        amount=_gather(
            tables.amounts,
            _gather(rvu["base"], ri) + _gather(gpci["lbase"], gi) + pl.col("fac"),
        ),
        clean=(rs.is_not_null() & gi.is_not_null() & units.is_between(1, 9999)).fill_null(False),
        usable=pl.col("day").is_not_null()
        & pl.col("day_error").is_null()
        & ~(pl.col("has_zip") & pl.col("geo_error").is_not_null()),
    )  # fmt: skip
    paid = pl.col("clean") & pl.col("pay")
    ids = ids.with_columns(
        paid=paid,
        unit=pl.when(paid).then(pl.col("amount")),
        msg=pl.coalesce(
            "date_msg", "day_error", pl.when(pl.col("has_zip")).then(pl.col("geo_error")),
            "row_msg",
        ),
        conf=pl.when(pl.col("clean")).then(
            _gather(
                tables.day_confidence,
                pl.col("day") * CONF_SLOTS + pl.col("slot") + pl.col("has_zip").cast(pl.Int32),
            )
        ),
    )  # fmt: skip
    ids, bilateral_leaves = _bilateral(ids, tables)
    ids = _units(ids, tables)
    # A line leaves the vectorised path when its date is usable but something else is not
    # covered, or several units of it may be reduced; another schedule's line never does.
    reduces = pl.col("paid") & (units > 1) & (pl.col("kind") == 3)
    leaves = pl.col("usable") & (~pl.col("clean") | reduces) & ~pl.col("other")
    leaving = ids.select(pl.arg_where(leaves)).to_series()
    route = pl.repeat(Route.NONE, ids.height, dtype=pl.Int8, eager=True)
    if leaving.len():
        needed = ids.select(
            "has_zip", "has_loc", "rmod", "bil", "ri", "gi", "fac", "units", "paid", "kind"
        )
        route = route.scatter(leaving, needed[leaving].select(_route()).to_series())
    if bilateral_leaves.len():
        route = route.scatter(bilateral_leaves, Route.MODIFIER)
    ids = ids.with_columns(route=route)
    if claims:
        ids = ids.with_columns(status=_gather(rvu["status"], ri), mult=_gather(rvu["mult"], ri))
        return _claim_routes(ids)
    return ids


def _bilateral(ids: pl.DataFrame, tables: Tables) -> tuple[pl.DataFrame, pl.Series]:
    """Paid lines with modifier 50 (`bil`, few): one unit is the row's amount times the
    factor of its bilateral indicator (`_tables.BILATERAL`: 100%, 150% or 200%, half-up
    to cents, as price_line's `cents(amount x factor)`), with the message the line engine
    gave them. Returns the lines that still go to the line engine: several units (the
    multiple procedure rules rank them), or an indicator price_line refuses 50 with."""
    found = ids.select(pl.arg_where(pl.col("bil") & pl.col("paid") & ~pl.col("other")))
    where = found.to_series()
    if not where.len():
        return ids, where
    unit = pl.col("unit")
    part = (
        ids.select("ri", "unit", "units", "bil_msg")[where]
        .with_columns(f=_gather(tables.rvu["bil"], pl.col("ri")))
        .select(
            unit=pl.when(pl.col("f") == 1)
            .then((3 * unit + 1) // 2)
            .when(pl.col("f") == 2)
            .then(2 * unit)
            .otherwise(unit),
            msg=pl.col("bil_msg"),
            leaves=(pl.col("units") != 1) | (pl.col("f") < 0),
        )
    )
    # Taken out of the frame first: a column only it holds is changed in place, where a
    # scatter on a shared one copies all of it (13 MB of Int64 for a chunk).
    unit_column, msg_column = ids.drop_in_place("unit"), ids.drop_in_place("msg")
    ids = ids.with_columns(
        unit_column.scatter(where, part.get_column("unit")),
        msg_column.scatter(where, part.get_column("msg")),
    )
    return ids, where.filter(part.get_column("leaves"))


def _units(ids: pl.DataFrame, tables: Tables) -> pl.DataFrame:
    """`cents`: the line's amount, `unit` x units with the unit reductions of one line:
    indicator 2 (and 1) pays each unit after the first at 50%, half-up to cents; indicator 5
    pays each later unit with its PE at 50% (never more than the unit's amount). Other
    indicators with several units go to the line engine. Worked out only on the lines with
    several units (few)."""
    several = ids.select(pl.arg_where(pl.col("paid") & (pl.col("units") > 1))).to_series()
    needed = ids.select("ri", "gi", "fac", "unit", "units", "kind")[several]
    cents = ids.drop_in_place("unit").alias("cents")  # changed in place (see _bilateral)
    if several.len():
        rvu, gpci = tables.rvu, tables.gpci
        ri, gi, fac = pl.col("ri"), pl.col("gi"), pl.col("fac") == 1
        part = needed.with_columns(
            **{name: _gather(rvu[name], ri) for name in ("w", "m", "cf", "div")},
            pe=pl.when(fac).then(_gather(rvu["pf"], ri)).otherwise(_gather(rvu["pn"], ri)),
            **{name: _gather(gpci[name], gi) for name in ("gw", "gp", "gm")},
        )
        w, m, pe = pl.col("w"), pl.col("m"), pl.col("pe")
        gw, gp, gm = pl.col("gw"), pl.col("gp"), pl.col("gm")
        cf, div, unit, kind = pl.col("cf"), pl.col("div"), pl.col("unit"), pl.col("kind")
        half_pe = ((2 * w * gw + pe * gp + 2 * m * gm) * cf + div) // (2 * div)
        later = (
            pl.when(kind == 1)
            .then((unit + 1) // 2)
            .when(kind == 5)
            .then(pl.min_horizontal(half_pe, unit))
            .otherwise(unit)
        )
        total = part.select(unit + (pl.col("units") - 1) * later).to_series()
        cents = cents.scatter(several, total)
    return ids.with_columns(cents)


def _route() -> pl.Expr:
    reduces = pl.col("paid") & (pl.col("units") > 1) & (pl.col("kind") == 3)
    return (
        pl.when(pl.col("has_zip") & pl.col("has_loc"))
        .then(Route.BOTH)
        .when(pl.col("rmod").is_null() | pl.col("bil"))
        .then(Route.MODIFIER)
        .when(pl.col("ri").is_null())
        .then(Route.ROW)
        .when(pl.col("gi").is_null())
        .then(Route.LOCATION)
        .when(pl.col("fac").is_null())
        .then(Route.POS)
        .when(~pl.col("units").is_between(1, 9999).fill_null(False))
        .then(Route.UNITS)
        .when(reduces)
        .then(Route.REDUCES)
        .otherwise(Route.NONE)
        .cast(pl.Int8)
    )


def _claim_routes(ids: pl.DataFrame) -> pl.DataFrame:
    """Lines of a claim that can reduce each other (or whose claim has a line the engine
    prices) are priced together by the line engine."""
    claim = "claim"
    in_claim = (pl.col(claim) != 0) & (pl.len().over(claim) > 1)
    mult = pl.col("mult")

    def units_of(indicators: list[str]) -> pl.Expr:
        hit = pl.col("paid") & mult.is_in(indicators)
        return pl.when(hit).then(pl.col("units")).otherwise(0).sum().over(claim)

    paid_status = pl.when(pl.col("paid")).then(pl.col("status"))
    interacts = (
        (pl.col("route") != Route.NONE).any().over(claim)
        | (units_of(["1", "2", "3"]) > 1)
        | (units_of(["4"]) > 1)
        | (units_of(["5"]) > 1)
        | (units_of(["6"]) > 1)
        | (units_of(["7"]) > 1)
        | ((paid_status == "T").any().over(claim)
           & paid_status.is_in(["A", "R"]).any().over(claim))
    )  # fmt: skip
    # Another schedule's line takes no part in the physician fee schedule's claim rules.
    as_claim = in_claim & interacts & pl.col("usable").all().over(claim) & ~pl.col("other")
    return ids.with_columns(
        route=pl.when(as_claim).then(pl.lit(Route.CLAIM, pl.Int8)).otherwise(pl.col("route"))
    )


# --- Output ---------------------------------------------------------------------------------


_TEXT_COLUMNS = {
    "setting": "settings",
    "locality": "localities",
    "release": "releases",
    "confidence": "confidences",
    "message": "messages",
}


def _outputs(rows: pl.DataFrame) -> pl.DataFrame:
    """Each row's output text ids (text gathered at the end, see `price_chunk`)."""
    clean = pl.col("clean")
    return rows.select(
        setting=pl.when(clean).then(pl.col("fac")),
        locality=pl.when(clean).then(pl.col("loc")),
        release=pl.col("release"),
        confidence=pl.col("conf"),
        message=pl.col("msg"),
    )


def price_chunk(
    frame: pl.DataFrame,
    batch: Batch,
    *,
    claims: bool,
) -> tuple[pl.DataFrame, int]:
    """Price every line of `frame` (key columns as `batch`'s categories, line_id as text).
    Returns the output columns in input order and how many lines the line engine priced."""
    priced = _price_ids(frame, batch, claims)
    # Amounts as text once, each distinct amount formatted once (`Batch.labels`); the
    # other texts as Enum columns: a gather of small integers, no string copied.
    out = {"line_id": priced.line_id, "allowed": batch.labels(priced.cents)}
    for name, strings in _TEXT_COLUMNS.items():
        values = getattr(batch.tables, strings).values
        texts = pl.Series(values, dtype=pl.String).cast(pl.Enum(values))
        out[name] = texts.gather(priced.ids.get_column(name))
    return pl.DataFrame(out).select(OUTPUT_COLUMNS), priced.line_engine


@dataclass(frozen=True, slots=True)
class CsvChunk:
    """A priced chunk ready for `write_csv`: `frame` and the `write_csv` options that print
    it as the output columns; `priced` lines have an amount."""

    frame: pl.DataFrame
    quote_style: Literal["necessary", "never"]
    lines: int
    line_engine: int
    priced: int


def csv_chunk(frame: pl.DataFrame, batch: Batch, *, claims: bool) -> CsvChunk:
    """`price_chunk` for the CSV writer: the same bytes, written faster. The five text
    columns of a line (setting, locality, release, confidence, message) come in a few
    thousand combinations, so each combination is printed once as CSV (by Polars, with
    its quoting) and a line carries the combination's id: an Enum column `tail` written
    without quoting beside `line_id` and `allowed`, which never need quotes (checked: a
    line_id with a comma, quote or line break, or an empty one, which the writer quotes,
    sends the chunk the usual way)."""
    priced = _price_ids(frame, batch, claims)
    allowed = batch.labels(priced.cents)
    height = priced.line_id.len()
    count = height - allowed.null_count()
    tail = _tails(priced.ids, batch) if _plain(priced.line_id) else None
    if tail is None:
        out = {"line_id": priced.line_id, "allowed": allowed}
        for name, strings in _TEXT_COLUMNS.items():
            values = getattr(batch.tables, strings).values
            texts = pl.Series(values, dtype=pl.String).cast(pl.Enum(values))
            out[name] = texts.gather(priced.ids.get_column(name))
        result = pl.DataFrame(out).select(OUTPUT_COLUMNS)
        return CsvChunk(result, "necessary", height, priced.line_engine, count)
    result = pl.DataFrame({"line_id": priced.line_id, "allowed": allowed, "tail": tail})
    return CsvChunk(result, "never", height, priced.line_engine, count)


_TAIL_DENSE = 8_000_000  # combination keys indexed densely up to this many


def _plain(line_id: pl.Series) -> bool:
    """Whether the writer prints every line_id as it is (no quotes)."""
    # Plain substring search (Aho-Corasick) rather than a regex class: 22 ms instead of
    # 33 ms for a chunk's 1.66 M ids.
    found = line_id.to_frame("t").select(
        pl.col("t").str.contains_any([",", '"', "\r", "\n"]).any()
        | (pl.col("t").str.len_bytes() == 0).any()
    )
    return not found.item()


def _tails(ids: pl.DataFrame, batch: Batch) -> pl.Series | None:
    """Each row's setting, locality, release, confidence and message as one Enum of their
    CSV text ("Facility,01112-05,RVU26A,high,priced"); None when a text has a line break
    (its CSV record would span lines)."""
    tables = batch.tables
    texts = [getattr(tables, strings).values for strings in _TEXT_COLUMNS.values()]
    # key = mixed-radix number of (id + 1) per column, 0 for null; in Int32 when every key
    # fits (a few hundred thousand combinations: half the bytes to compute, hash and gather)
    radices = [len(values) + 1 for values in texts]
    size = math.prod(radices)
    if size >= 2**62:
        return None
    dtype = pl.Int32 if size < 2**31 else pl.Int64
    key: pl.Expr | None = None
    for name, radix in zip(_TEXT_COLUMNS, radices, strict=True):
        term = pl.col(name).cast(dtype).fill_null(-1) + 1
        key = term if key is None else key * radix + term
    assert key is not None
    keys = ids.select(key.alias("k")).to_series()
    if size <= _TAIL_DENSE:  # the keys present, in order, marked in a table of all keys
        seen = pl.repeat(False, size, eager=True).scatter(keys, True)
        distinct = seen.arg_true().cast(dtype)
    else:
        distinct = keys.unique().sort()
    parts, rest = [], distinct
    for values in reversed(texts):
        radix = len(values) + 1
        digit = rest % radix
        parts.append(
            pl.Series(values, dtype=pl.String)
            .gather((digit - 1).clip(0))
            .scatter((digit == 0).arg_true(), None)
            if values
            else pl.repeat(None, rest.len(), dtype=pl.String, eager=True)
        )
        rest = rest // radix
    combos = pl.DataFrame(dict(zip(_TEXT_COLUMNS, reversed(parts), strict=True)))
    if combos.select(pl.any_horizontal(pl.all().str.contains(r"[\r\n]")).any()).item():
        return None
    lines = combos.write_csv(include_header=False).encode().split(b"\n")[:-1]
    strings = [line.decode() for line in lines]
    categories = list(dict.fromkeys(strings))
    kind = pl.Enum(categories)
    by_combo = pl.Series(strings, dtype=kind)
    if size <= _TAIL_DENSE:
        dense = pl.repeat(None, size, dtype=kind, eager=True).scatter(distinct, by_combo)
        return dense.gather(keys)
    position = distinct.search_sorted(keys)
    return by_combo.gather(position)


@dataclass(frozen=True, slots=True)
class _Priced:
    line_id: pl.Series
    cents: pl.Series
    ids: pl.DataFrame  # the text ids of the `_TEXT_COLUMNS`
    line_engine: int


def _price_ids(frame: pl.DataFrame, batch: Batch, claims: bool) -> _Priced:
    for column in batch.columns.values():
        column.update()
    look = _lookups(batch, claims)
    rows = _priced(_located(_ids(frame, batch, look), batch), batch, claims)
    others = rows.select(pl.arg_where(pl.col("other"))).to_series()
    leftover = rows.select(pl.arg_where(pl.col("route") != Route.NONE)).to_series()
    where, replaced = [], []
    for found, module in ((others, _schedules), (leftover, _fallback)):
        if found.len():
            # Only the columns the module reads are gathered (the frame has some forty).
            part = module.price_rows(batch, rows.select(module.COLUMNS)[found])
            part["allowed"] = _cents(part["allowed"])
            for name, values in part.items():
                if name != "allowed":
                    part[name] = _text_ids(values, batch, name)
            where.append(found)
            replaced.append(part)
    line_id = rows.get_column("line_id").cast(pl.String)
    out = {"allowed": rows.get_column("cents"), **_outputs(rows).to_dict()}
    # The two sets of rows are apart (another schedule's line never leaves the vectorised
    # path), so one scatter per column; the frame is let go first so that each column is
    # only held here and changed in place instead of copied (see _bilateral).
    del rows
    if where:
        at = pl.concat(where)
        out = {
            name: column.scatter(at, pl.concat([part[name] for part in replaced]))
            for name, column in out.items()
        }
    cents = out.pop("allowed")
    return _Priced(line_id, cents, pl.DataFrame(out), leftover.len())


def _cents(allowed: pl.Series) -> pl.Series:
    """Cents from the line engine's "dollars.cents" text (always two decimals); cents as
    they are."""
    if allowed.dtype == pl.Int64:
        return allowed
    return allowed.str.replace(".", "", literal=True).cast(pl.Int64)


def _text_ids(values: pl.Series, batch: Batch, name: str) -> pl.Series:
    """The ids of texts the line engine gave (new texts are numbered); ids as they are."""
    if values.dtype == pl.Int32:
        return values
    strings = getattr(batch.tables, _TEXT_COLUMNS[name])
    mapping = {v: strings.id(v) for v in values.drop_nulls().unique().to_list()}
    return values.replace_strict(mapping, default=None, return_dtype=pl.Int32)
