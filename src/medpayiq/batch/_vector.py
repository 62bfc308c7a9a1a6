"""One chunk of lines priced with Polars: the inputs normalised, joined to the reference
tables (`_tables`), the amounts computed in exact integers, and what the vectorised path does
not cover sent to the line engine (`_fallback`).

The vectorised path covers a line when its date has a loaded release, its code has a PPRRVU
row for its modifier (none, 26 or TC), its ZIP (one locality, no plus-four flag) or
carrier/locality is in the files as written, its place of service is in the POS code set,
its units are 1-9999, and no multiple procedure rule can change it: a line of its own with
one unit (or a code whose indicator reduces nothing), or a claim whose lines cannot reduce
each other. Everything else goes to the line engine, which says why in `message`.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from medpayiq.reference import ReferenceData

from . import _fallback
from ._tables import Tables

__all__ = ["OUTPUT_COLUMNS", "price_chunk"]

OUTPUT_COLUMNS = ["line_id", "allowed", "setting", "locality", "release", "confidence", "message"]
_PAID = ["A", "R", "T"]
_REDUCING = ["3", "4", "6", "7"]  # unit reductions the vectorised path leaves
_DATE = "%Y-%m-%d"


def _text(frame: pl.DataFrame, name: str) -> pl.Expr:
    if name not in frame.columns:
        return pl.lit("", pl.String)
    return pl.col(name).str.strip_chars().fill_null("")


def _normalise(frame: pl.DataFrame, date_default: date | None) -> pl.DataFrame:
    raw_date = _text(frame, "date_of_service")
    parsed = raw_date.str.to_date(_DATE, strict=False)
    if date_default is not None:
        parsed = pl.when(raw_date == "").then(pl.lit(date_default)).otherwise(parsed)
    units = _text(frame, "units")
    carrier, locality = _text(frame, "carrier"), _text(frame, "locality")
    return frame.with_columns(
        _i=pl.int_range(pl.len(), dtype=pl.Int64),
        _hcpcs=_text(frame, "hcpcs").str.to_uppercase(),
        _mod=_text(frame, "modifier").str.to_uppercase(),
        _pos=_text(frame, "pos"),
        _zip=_text(frame, "zip"),
        _lockey=pl.when((carrier != "") | (locality != ""))
        .then(pl.concat_str(carrier, pl.lit("-"), locality))
        .otherwise(pl.lit(None, pl.String)),
        _date_raw=raw_date,
        _date=parsed,
        _units_raw=units,
        _units=pl.when(units == "")
        .then(pl.lit(1, pl.Int64))
        .when(units.str.contains(r"^\d{1,4}$"))
        .then(units.cast(pl.Int64, strict=False))
        .otherwise(pl.lit(None, pl.Int64)),
        _claim=_text(frame, "claim_id") if "claim_id" in frame.columns else pl.lit(""),
    )


def _join_reference(frame: pl.DataFrame, tables: Tables) -> pl.DataFrame:
    frame = frame.join(tables.days, left_on="_date", right_on="date", how="left")
    modifiers = tables.row_modifiers(frame.get_column("_mod").unique().to_list())
    frame = frame.join(modifiers, on="_mod", how="left")
    has_zip = pl.col("_zip") != ""
    has_loc = pl.col("_lockey").is_not_null()
    frame = frame.with_columns(
        _zip5=pl.when(has_zip & ~has_loc).then(
            pl.col("_zip").str.extract(r"^(\d{5})(?:-?\d{4})?$", 1)
        ),
        pos_key=pl.when(pl.col("_pos") == "")
        .then(pl.lit(""))
        .when(pl.col("_pos").str.contains(r"^\d{1,2}$"))
        .then(pl.col("_pos").str.zfill(2)),
    )
    if tables.zips.height:
        frame = frame.join(
            tables.zips, left_on=["zg", "_zip5"], right_on=["zg", "zip5"], how="left"
        )
    else:
        frame = frame.with_columns(zip_locality=pl.lit(None, pl.String))
    frame = frame.with_columns(
        lk=pl.when(has_loc & ~has_zip)
        .then(pl.col("_lockey"))
        .when(has_zip & ~has_loc)
        .then(pl.col("zip_locality"))
        .when(~has_zip & ~has_loc)
        .then(pl.lit(""))
    )
    frame = frame.join(tables.gpci, on=["g", "lk"], how="left")
    assert tables.pos is not None
    frame = frame.join(tables.pos, on="pos_key", how="left")
    return frame.join(
        tables.rvu, left_on=["g", "_hcpcs", "_rmod"], right_on=["g", "hcpcs", "rmod"], how="left"
    )


def _amounts(frame: pl.DataFrame) -> pl.DataFrame:
    fac = pl.col("fac")
    pe = pl.when(fac).then(pl.col("pf")).otherwise(pl.col("pn"))
    opps_pe = pl.when(fac).then(pl.col("of")).otherwise(pl.col("on"))
    na = pl.when(fac).then(pl.col("fna")).otherwise(pl.col("nna"))
    w, m, om = pl.col("w"), pl.col("m"), pl.col("om")
    gw, gp, gm = pl.col("gw"), pl.col("gp"), pl.col("gm")
    cf, div = pl.col("cf"), pl.col("div")
    half = div // 2
    fee = ((w * gw + pe * gp + m * gm) * cf + half) // div
    cap = pl.when((opps_pe != 0) & (om != 0)).then(
        ((w * gw + opps_pe * gp + om * gm) * cf + half) // div
    )
    clean = (
        pl.col("release").is_not_null()
        & pl.col("status").is_not_null()
        & pl.col("gw").is_not_null()
        & fac.is_not_null()
        & pl.col("_units").is_between(1, 9999)
    )
    status_paid = pl.col("status").is_in(_PAID)
    # Units of one line: indicator 2 (and 1) pays each unit after the first at 50%, half-up
    # to cents; indicator 5 pays each later unit with its PE at 50% (never more than the
    # unit's amount). Other indicators with several units go to the line engine.
    unit = pl.min_horizontal(fee, cap)
    later = (
        pl.when(pl.col("mult").is_in(["1", "2"]))
        .then((unit + 1) // 2)
        .when(pl.col("mult") == "5")
        .then(
            pl.min_horizontal(((2 * w * gw + pe * gp + 2 * m * gm) * cf + div) // (2 * div), unit)
        )
        .otherwise(unit)
    )
    units = pl.col("_units")
    return frame.with_columns(
        _clean=clean,
        _na=na,
        _status_paid=status_paid,
        _paid=clean & status_paid & ~na,
        _cents=pl.when(units > 1).then(unit + (units - 1) * later).otherwise(unit),
        _ci=((om != 0) & status_paid).cast(pl.Int32) * 4
        + (pl.col("status") == "J").cast(pl.Int32) * 2
        + (pl.col("_zip") != "").cast(pl.Int32),
    )


def _routes(frame: pl.DataFrame, claims: bool) -> pl.DataFrame:
    """Which lines leave the vectorised path (`_route`: why, or null) and whether as a claim."""
    usable = (
        pl.col("_date").is_not_null()
        & pl.col("day_error").is_null()
        & ~((pl.col("_zip") != "") & pl.col("geo_error").is_not_null())
    )
    reduces = pl.col("_paid") & (pl.col("_units") > 1) & pl.col("mult").is_in(_REDUCING)
    route = (
        pl.when(~usable)
        .then(pl.lit(None, pl.String))
        .when((pl.col("_zip") != "") & pl.col("_lockey").is_not_null())
        .then(pl.lit("ZIP and carrier/locality both given: the locality is used"))
        .when(pl.col("_rmod").is_null())
        .then(pl.format("modifier {}", pl.col("_mod")))
        .when(pl.col("status").is_null())
        .then(
            pl.concat_str(
                pl.lit("no PPRRVU row for "),
                pl.col("_hcpcs"),
                pl.when(pl.col("_mod") != "").then(pl.format("-{}", pl.col("_mod"))),
                ignore_nulls=True,
            )
        )
        .when(pl.col("gw").is_null())
        .then(pl.lit("location not in the ZIP5/GPCI files as written"))
        .when(pl.col("fac").is_null())
        .then(pl.format("place of service {}", pl.col("_pos")))
        .when(~pl.col("_units").is_between(1, 9999))
        .then(pl.lit("units"))
        .when(reduces)
        .then(
            pl.format(
                "{} units of a code with multiple procedure indicator {}",
                pl.col("_units"),
                pl.col("mult"),
            )
        )
    )
    frame = frame.with_columns(_route=route, _as_claim=pl.lit(False))
    if not claims:
        return frame
    claim = pl.col("_claim")
    in_claim = (claim != "") & (pl.len().over("_claim") > 1)

    def units_of(indicators: list[str]) -> pl.Expr:
        hit = pl.col("_paid") & pl.col("mult").is_in(indicators)
        return pl.when(hit).then(pl.col("_units")).otherwise(0).sum().over("_claim")

    paid_status = pl.when(pl.col("_paid")).then(pl.col("status"))
    interacts = (
        pl.col("_route").is_not_null().any().over("_claim")
        | (units_of(["1", "2", "3"]) > 1)
        | (units_of(["4"]) > 1)
        | (units_of(["5"]) > 1)
        | (units_of(["6"]) > 1)
        | (units_of(["7"]) > 1)
        | (
            (paid_status == "T").any().over("_claim")
            & paid_status.is_in(["A", "R"]).any().over("_claim")
        )
    )
    as_claim = in_claim & interacts & usable.all().over("_claim")
    return frame.with_columns(
        _as_claim=as_claim,
        _route=pl.when(as_claim)
        .then(pl.format("claim-level rules, claim {}", claim))
        .otherwise(pl.col("_route")),
    )


def _messages(frame: pl.DataFrame, tables: Tables) -> pl.DataFrame:
    """The vectorised lines' outputs: amount, setting, locality, confidence, message."""
    na_rows = frame.filter(pl.col("_clean") & pl.col("_status_paid") & pl.col("_na"))
    na = (
        na_rows.select("g", "_hcpcs", "fac", "release").unique()
        if na_rows.height
        else pl.DataFrame(
            schema={"g": pl.Int32, "_hcpcs": pl.String, "fac": pl.Boolean, "release": pl.String}
        )
    )
    na = na.with_columns(
        na_message=pl.Series(
            [
                tables.na_message(h, f, r)
                for h, f, r in zip(na["_hcpcs"], na["fac"], na["release"], strict=True)
            ],
            dtype=pl.String,
        )
    ).drop("release")
    frame = frame.join(na, on=["g", "_hcpcs", "fac"], how="left")
    frame = frame.join(tables.status_messages, on="status", how="left")
    frame = frame.join(
        tables.confidence, left_on=["_date", "_ci"], right_on=["date", "ci"], how="left"
    )
    cents = pl.col("_cents")
    allowed = pl.concat_str(
        (cents // 100).cast(pl.String), pl.lit("."), (cents % 100).cast(pl.String).str.zfill(2)
    )
    message = (
        pl.when((pl.col("_date_raw") == "") & pl.col("_date").is_null())
        .then(pl.lit("no date of service: give date_of_service or --date-default"))
        .when(pl.col("_date").is_null())
        .then(pl.format('date_of_service "{}" is not a date (YYYY-MM-DD)', pl.col("_date_raw")))
        .when(pl.col("day_error").is_not_null())
        .then(pl.col("day_error"))
        .when(pl.col("geo_error").is_not_null() & (pl.col("_zip") != ""))
        .then(pl.col("geo_error"))
        .when(~pl.col("_status_paid"))
        .then(pl.col("status_message"))
        .when(pl.col("_na"))
        .then(pl.col("na_message"))
        .otherwise(pl.lit("priced"))
    )
    known = pl.col("_clean")
    return frame.select(
        "_i",
        "_route",
        "_as_claim",
        line_id=pl.col("line_id") if "line_id" in frame.columns else pl.lit(None, pl.String),
        allowed=pl.when(pl.col("_paid")).then(allowed),
        setting=pl.when(known).then(
            pl.when(pl.col("fac")).then(pl.lit("facility")).otherwise(pl.lit("non-facility"))
        ),
        locality=pl.when(known).then(pl.coalesce(pl.col("zip_locality"), pl.col("lk"))),
        release=pl.col("release"),
        confidence=pl.when(known).then(pl.col("confidence")),
        message=message,
    )


def price_chunk(
    frame: pl.DataFrame,
    tables: Tables,
    reference: ReferenceData,
    *,
    date_default: date | None,
    claims: bool,
) -> tuple[pl.DataFrame, int]:
    """Price every line of `frame` (input columns as text). Returns the output columns in
    input order and how many lines the line engine priced."""
    frame = _normalise(frame, date_default)
    days = frame.get_column("_date").drop_nulls().unique().to_list()
    tables.add_days(days)
    priced = _messages(_routes(_amounts(_join_reference(frame, tables)), claims), tables)
    leftover = priced.filter(pl.col("_route").is_not_null()).get_column("_i")
    if leftover.len():
        rows = frame.filter(pl.col("_i").is_in(leftover.implode())).join(
            priced.select("_i", "_route", "_as_claim", "release"), on="_i"
        )
        replaced = _fallback.price_rows(reference, rows)
        priced = priced.update(replaced, on="_i")
    out = priced.sort("_i").select(OUTPUT_COLUMNS)
    return out, leftover.len()
