"""The lines the vectorised path leaves: priced by the pricing engine itself, once per
distinct answer rather than once per line.

A file repeats the same unusual line (a modifier 50, an unknown code, a ZIP that spans
localities) many times with other dates, ZIPs or places of service that do not change the
answer. price_line checks a request in a fixed order: the code, the units, the modifiers,
the PPRRVU row, the place of service, then the location, then the modifiers' rules. So:

1. each distinct code, units, modifier text, place of service and (group, code, modifiers)
   is checked once with the engine's own checks (`pricing.DayTerms`), and a line gets the
   first error in that order;
2. each distinct location the vectorised tables do not resolve is resolved once per
   (group, ZIP release); an error is the line's answer;
3. the rest are priced with price_line once per (date class, code, modifiers, setting,
   locality, units, ZIP given): a date class shares release, CF, GPCIs, ZIP release and
   confidences (`_tables.Day.cls`), so every line of such a key gets the same answer. The
   first line of each key is the one priced.

Claims that need the claim-level rules are priced with `price_claim`; a line the engine
rejects is reported on its own row and the rest of the claim is priced without it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import polars as pl

from medpayiq.errors import MedPayIQError
from medpayiq.pricing import DayTerms, LineRequest, LineResult, Location, price_claim, price_line

from ._keys import DType

if TYPE_CHECKING:
    from ._vector import Batch

__all__ = ["COLUMNS", "RESULT_SCHEMA", "Memo", "modifier_tuple", "price_rows", "units_value"]

RESULT_SCHEMA = {
    "allowed": pl.String,
    "setting": pl.String,
    "locality": pl.String,
    "release": pl.String,
    "confidence": pl.String,
    "message": pl.String,
}
# The columns of the vectorised path's frame `price_rows` reads.
COLUMNS = [
    "route", "day", "g", "cls", "release", "has_zip", "loc", "units", "carrier", "locality",
    "claim", "ri", "hcpcs_p", "modifier_p", "pos_p", "zip_p", "units_p",
]  # fmt: skip
_SPLIT = re.compile(r"[\s,;]+")
_UNITS = re.compile(r"^\d{1,9}$")
_CLAIM = 8  # Route.CLAIM

Outcome = tuple[str | None, str | None, str | None, str | None, str | None, str]


class Memo:
    """What the line engine answered, kept across a run's chunks: every key below is made of
    the run's text, day, group, class and locality ids, which mean the same in every chunk,
    so a chunk asks the engine only about keys no earlier chunk had."""

    def __init__(self) -> None:
        self.codes: dict[tuple[Any, ...], tuple[Any, str | None]] = {}
        self.units: dict[tuple[Any, ...], str | None] = {}
        self.mods: dict[tuple[Any, ...], tuple[Any, str | None]] = {}
        self.settings: dict[tuple[Any, ...], tuple[Any, str | None]] = {}
        self.rows: dict[tuple[Any, ...], str | None] = {}
        self.dated: dict[tuple[Any, ...], str | None] = {}
        self.places: dict[tuple[Any, ...], str | None] = {}
        self.resolved: dict[tuple[Any, ...], int | None] = {}
        self.answers: dict[tuple[Any, ...], Outcome] = {}


class _Outcomes:
    """Distinct outcomes, numbered."""

    def __init__(self) -> None:
        self.ids: dict[Outcome, int] = {}

    def id(self, outcome: Outcome) -> int:
        return self.ids.setdefault(outcome, len(self.ids))

    def frame(self) -> pl.DataFrame:
        return pl.DataFrame(list(self.ids), schema=RESULT_SCHEMA, orient="row")


def price_rows(batch: Batch, rows: pl.DataFrame) -> dict[str, pl.Series]:
    """`rows` (the vectorised path's columns for the lines it leaves) -> the output columns
    as the line engine answers them, in the same order."""
    sub = _texts(batch, rows)
    outcomes = _Outcomes()
    parts = []
    singles = sub.filter(pl.col("route") != _CLAIM)
    if singles.height:
        parts.append(_singles(batch, singles, outcomes))
    claims = sub.filter(pl.col("route") == _CLAIM)
    if claims.height:
        found = _claims(batch, claims)
        parts.append(
            pl.DataFrame(
                {"i": [i for i, _ in found], "outcome": [outcomes.id(o) for _, o in found]},
                schema={"i": pl.Int64, "outcome": pl.Int32},
            )
        )
    order = pl.concat(parts).sort("i").get_column("outcome")
    out = outcomes.frame()[order].with_columns(route=_route_texts(batch, sub))
    out = out.with_columns(
        message=pl.when(pl.col("allowed").is_not_null())
        .then(pl.concat_str(pl.lit("priced by the line engine: "), pl.col("route")))
        .otherwise(pl.col("message"))
    )
    return {name: out.get_column(name) for name in RESULT_SCHEMA}


def _texts(batch: Batch, rows: pl.DataFrame) -> pl.DataFrame:
    """The rows with their text ids and position."""
    cols = batch.columns

    def text_id(name: str) -> pl.Expr:
        ids = pl.Series(cols[name].ids or [0], dtype=pl.Int32)
        return pl.lit(ids).gather(pl.col(f"{name}_p")).fill_null(0)

    return rows.select(
        pl.int_range(pl.len(), dtype=pl.Int64).alias("i"),
        "route", "day", "g", "cls", "release", "has_zip", "loc", "units", "carrier",
        "locality", "claim",
        mult=pl.lit(batch.tables.rvu.get_column("mult")).gather(pl.col("ri")),
        code=text_id("hcpcs"), mod=text_id("modifier"), pos=text_id("pos"),
        zip=text_id("zip"), units_t=text_id("units"),
    )  # fmt: skip


def _route_texts(batch: Batch, sub: pl.DataFrame) -> pl.Series:
    """Why each line left the vectorised path (the text after "priced by the line
    engine: ")."""
    cols = batch.columns

    def text(name: str, column: str) -> pl.Expr:
        return pl.lit(cols[name].texts.series()).gather(pl.col(column))

    route, mod = pl.col("route"), text("modifier", "mod")
    return sub.select(
        pl.when(route == 1)
        .then(pl.lit("ZIP and carrier/locality both given: the locality is used"))
        .when(route == 2)
        .then(pl.concat_str(pl.lit("modifier "), mod))
        .when(route == 3)
        .then(
            pl.concat_str(
                pl.lit("no PPRRVU row for "), text("hcpcs", "code"),
                pl.when(mod != "").then(pl.concat_str(pl.lit("-"), mod)).otherwise(pl.lit("")),
            )
        )
        .when(route == 4)
        .then(pl.lit("location not in the ZIP5/GPCI files as written"))
        .when(route == 5)
        .then(pl.concat_str(pl.lit("place of service "), text("pos", "pos")))
        .when(route == 6)
        .then(pl.lit("units"))
        .when(route == 7)
        .then(pl.format("{} units of a code with multiple procedure indicator {}",
                        pl.col("units"), pl.col("mult")))
        .otherwise(pl.concat_str(pl.lit("claim-level rules, claim "),
                                 text("claim_id", "claim")))
    ).to_series()  # fmt: skip


# --- Single lines ---------------------------------------------------------------------------


def _attempt(check: Callable[..., Any], *args: Any) -> tuple[Any, str | None]:
    """check(*args) and None, or None and the engine's error message."""
    try:
        return check(*args), None
    except MedPayIQError as exc:
        return None, str(exc)


def units_value(text: str) -> Any:
    return 1 if text == "" else int(text) if _UNITS.match(text) else text


def modifier_tuple(text: str) -> tuple[str, ...]:
    return tuple(m for m in _SPLIT.split(text) if m)


def _join(
    frame: pl.DataFrame,
    keys: list[str],
    values: dict[tuple[Any, ...], Any],
    name: str,
    dtype: DType,
) -> pl.DataFrame:
    """Add column `name` to `frame` from `values` keyed by the tuple of `keys` columns."""
    table = pl.DataFrame(
        [[*k, v] for k, v in values.items()],
        schema={**{k: frame.schema[k] for k in keys}, name: dtype},
        orient="row",
    )
    return frame.join(table, on=keys, how="left", nulls_equal=True, maintain_order="left")


def _new(
    frame: pl.DataFrame, keys: list[str], known: dict[tuple[Any, ...], Any]
) -> list[tuple[Any, ...]]:
    """The distinct `keys` tuples of `frame` not yet in `known`."""
    return [k for k in frame.select(keys).unique().iter_rows() if k not in known]


def _singles(batch: Batch, sub: pl.DataFrame, outcomes: _Outcomes) -> pl.DataFrame:
    """(i, outcome id) of each line of `sub`."""
    tables = batch.tables
    cols = batch.columns
    terms = tables.any_terms()
    assert terms is not None  # a line reaches here only with a loaded release
    days = tables.days
    by_group: dict[int, DayTerms] = {}
    for day in days:
        if day.group is not None and day.terms is not None:
            by_group.setdefault(day.group, day.terms)
    code_t, mod_t = cols["hcpcs"].texts.values, cols["modifier"].texts.values
    pos_t, zip_t = cols["pos"].texts.values, cols["zip"].texts.values
    units_t = cols["units"].texts.values
    carrier_t, locality_t = cols["carrier"].texts.values, cols["locality"].texts.values

    # 1. The checks before the location, each once per distinct value.
    memo = batch.fallback
    codes, units, mods, settings = memo.codes, memo.units, memo.mods, memo.settings
    for c in _new(sub, ["code"], codes):
        codes[c] = _attempt(terms.code, code_t[c[0]])
    for u in _new(sub, ["units_t"], units):
        units[u] = _attempt(terms.check_units, units_value(units_t[u[0]]))[1]
    for m in _new(sub, ["mod"], mods):
        mods[m] = _attempt(terms.modifiers, modifier_tuple(mod_t[m[0]]))
    for p in _new(sub, ["pos"], settings):
        settings[p] = _attempt(terms.setting, pos_t[p[0]] or None)
    frame = _join(sub, ["code"], {k: v[1] for k, v in codes.items()}, "e_code", pl.String)
    frame = _join(frame, ["units_t"], units, "e_units", pl.String)
    frame = _join(frame, ["mod"], {k: v[1] for k, v in mods.items()}, "e_mod", pl.String)
    frame = _join(frame, ["pos"], {k: v[1] for k, v in settings.items()}, "e_pos", pl.String)
    frame = _join(frame, ["pos"], {k: v[0].value if v[0] else None for k, v in settings.items()},
                  "setting", pl.String)  # fmt: skip
    # The row: once per (group, code, modifiers); an unknown code's message names the date,
    # so a failing key is asked again per date.
    ok = frame.filter(pl.col("e_code").is_null() & pl.col("e_mod").is_null())
    rows, dated = memo.rows, memo.dated
    for g, c, m in _new(ok, ["g", "code", "mod"], rows):
        rows[(g, c, m)] = _attempt(by_group[g].row, codes[(c,)][0], mods[(m,)][0])[1]
    for d, g, c, m in ok.select("day", "g", "code", "mod").unique().iter_rows():
        if rows[(g, c, m)] is not None and (d, c, m) not in dated:
            day_terms = days[d].terms
            assert day_terms is not None
            dated[(d, c, m)] = _attempt(day_terms.row, codes[(c,)][0], mods[(m,)][0])[1]
    frame = _join(frame, ["day", "code", "mod"], dated, "e_row", pl.String)
    frame = frame.with_columns(error=pl.coalesce("e_code", "e_units", "e_mod", "e_row", "e_pos"))

    # 2. Locations the tables do not resolve: once per (group, ZIP release, location), on
    # any of its dates.
    geo = pl.Series([d.geo for d in days], dtype=pl.Int32)
    frame = frame.with_columns(zg=pl.lit(geo).gather(pl.col("day")))
    place_key = ["g", "zg", "zip", "carrier", "locality"]
    unresolved = frame.filter(pl.col("error").is_null() & pl.col("loc").is_null())
    places, resolved = memo.places, memo.resolved
    for d, g, zg, z, c, lo in (
        unresolved.select("day", *place_key).unique(subset=place_key, keep="any").iter_rows()
    ):
        key = (g, zg, z, c, lo)
        if key in places:
            continue
        lockey = f"{carrier_t[c]}-{locality_t[lo]}" if c or lo else None
        day_terms = days[d].terms
        assert day_terms is not None
        where = Location(zip=zip_t[z] or None, locality=lockey)
        locality, error = _attempt(day_terms.locality, where)
        places[key] = error
        resolved[key] = None if locality is None else tables.localities.id(locality)
    frame = _join(frame, place_key, places, "e_loc", pl.String)
    frame = _join(frame, place_key, resolved, "loc_found", pl.Int32)
    frame = frame.with_columns(
        error=pl.coalesce("error", "e_loc"), loc=pl.coalesce("loc", "loc_found")
    )

    # 3. Price the rest once per key.
    release = tables.releases.values
    failed = frame.filter(pl.col("error").is_not_null())
    errors = {
        (rel, message): outcomes.id(
            (None, None, None, None if rel is None else release[rel], None, message)
        )
        for rel, message in failed.select("release", "error").unique().iter_rows()
    }
    failed = _join(failed, ["release", "error"], errors, "outcome", pl.Int32)
    rest = frame.filter(pl.col("error").is_null())
    price_key = ["cls", "code", "mod", "setting", "loc", "units_t", "has_zip"]
    firsts = rest.unique(subset=price_key, keep="first", maintain_order=True)
    known = memo.answers
    answers: dict[tuple[Any, ...], int] = {}
    for row in firsts.iter_rows(named=True):
        key = tuple(row[k] for k in price_key)
        if key in known:
            answers[key] = outcomes.id(known[key])
            continue
        lockey = (
            f"{carrier_t[row['carrier']]}-{locality_t[row['locality']]}"
            if row["carrier"] or row["locality"] else None
        )  # fmt: skip
        request = _request(
            code_t[row["code"]], mod_t[row["mod"]], pos_t[row["pos"]], zip_t[row["zip"]],
            lockey, days[row["day"]].day, units_t[row["units_t"]],
        )  # fmt: skip
        rel = row["release"]
        answer = known[key] = _price_one(batch, request, None if rel is None else release[rel])
        answers[key] = outcomes.id(answer)
    rest = _join(rest, price_key, answers, "outcome", pl.Int32)
    return pl.concat([failed.select("i", "outcome"), rest.select("i", "outcome")])


def _price_one(batch: Batch, request: LineRequest, release: str | None) -> Outcome:
    try:
        return _outcome(price_line(batch.reference, request))
    except MedPayIQError as exc:
        return _failure(exc, release)


def _request(hcpcs: str, mod: str, pos: str, zip_code: str, lockey: str | None, day: date,
             units: str) -> LineRequest:  # fmt: skip
    return LineRequest(
        hcpcs,
        day,
        modifiers=modifier_tuple(mod),
        units=units_value(units),  # a malformed count is passed on: the engine says why
        location=Location(zip=zip_code or None, locality=lockey),
        pos=pos or None,
    )


def _outcome(result: LineResult) -> Outcome:
    return (
        _money(result.allowed),
        result.setting.value,
        str(result.location.locality) if result.location.locality is not None else "",
        result.release,
        result.confidence.value,
        result.message,
    )


def _money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def _failure(exc: MedPayIQError, release: str | None) -> Outcome:
    return (None, None, None, release, None, str(exc))


# --- Claims ---------------------------------------------------------------------------------


def _claims(batch: Batch, sub: pl.DataFrame) -> list[tuple[int, Outcome]]:
    cols = batch.columns
    code_t, mod_t = cols["hcpcs"].texts.values, cols["modifier"].texts.values
    pos_t, zip_t = cols["pos"].texts.values, cols["zip"].texts.values
    units_t = cols["units"].texts.values
    carrier_t, locality_t = cols["carrier"].texts.values, cols["locality"].texts.values
    release_t = batch.tables.releases.values
    days = batch.tables.days
    found: list[tuple[int, Outcome]] = []
    for claim in sub.partition_by("claim", maintain_order=True):
        indexes, requests, releases = [], [], []
        for i, c, m, p, z, ca, lo, d, u, rel in claim.select(
            "i", "code", "mod", "pos", "zip", "carrier", "locality", "day", "units_t", "release"
        ).iter_rows():
            lockey = f"{carrier_t[ca]}-{locality_t[lo]}" if ca or lo else None
            indexes.append(i)
            requests.append(
                _request(code_t[c], mod_t[m], pos_t[p], zip_t[z], lockey, days[d].day, units_t[u])
            )
            releases.append(None if rel is None else release_t[rel])
        found.extend(zip(indexes, _price_claim(batch, requests, releases), strict=True))
    return found


def _price_claim(
    batch: Batch, requests: Sequence[LineRequest], releases: Sequence[str | None]
) -> list[Outcome]:
    """Each request's outcome when priced as one claim; lines the engine rejects get their
    error and the others are priced together without them (as the claim checker does)."""
    reference = batch.reference
    try:
        return [_outcome(r) for r in price_claim(reference, requests).lines]
    except MedPayIQError:
        pass
    outcomes: list[Outcome | None] = []
    good: list[LineRequest] = []
    for request, release in zip(requests, releases, strict=True):
        try:
            price_line(reference, request)
        except MedPayIQError as exc:
            outcomes.append(_failure(exc, release))
            continue
        outcomes.append(None)
        good.append(request)
    if good:
        priced = iter(price_claim(reference, good).lines)
        outcomes = [o if o is not None else _outcome(next(priced)) for o in outcomes]
    return [o for o in outcomes if o is not None]
