"""The lines the vectorised path leaves: priced by the pricing engine itself.

Single lines are priced once per distinct request (a file repeats the same unusual line, or
the same bad code, many times; the answer depends only on the request). Claims that need the
claim-level rules are priced with `price_claim`; a line the engine rejects is reported on
its own row and the rest of the claim is priced without it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

import polars as pl

from medpayiq.errors import MedPayIQError
from medpayiq.pricing import LineRequest, LineResult, Location, price_claim, price_line
from medpayiq.reference import ReferenceData

__all__ = ["RESULT_SCHEMA", "price_rows"]

RESULT_SCHEMA = {
    "allowed": pl.String,
    "setting": pl.String,
    "locality": pl.String,
    "release": pl.String,
    "confidence": pl.String,
    "message": pl.String,
}
_KEY = ["_hcpcs", "_mod", "_pos", "_zip", "_lockey", "_date", "_units_raw"]
_SPLIT = re.compile(r"[\s,;]+")
_UNITS = re.compile(r"^\d{1,9}$")

Outcome = tuple[str | None, str | None, str | None, str | None, str | None, str]


def price_rows(reference: ReferenceData, rows: pl.DataFrame) -> pl.DataFrame:
    """`rows` (normalised input columns, `_i`, `_route`, `_as_claim`) -> `_i` and the output
    columns, as the line engine answers them."""
    parts = []
    singles = rows.filter(~pl.col("_as_claim"))
    if singles.height:
        parts.append(_singles(reference, singles))
    claims = rows.filter(pl.col("_as_claim"))
    if claims.height:
        parts.append(_claims(reference, claims))
    out = pl.concat(parts)
    priced = pl.col("allowed").is_not_null()
    return out.with_columns(
        message=pl.when(priced)
        .then(pl.format("priced by the line engine: {}", pl.col("_route")))
        .otherwise(pl.col("message"))
    ).drop("_route")


def _request(hcpcs: str, mod: str, pos: str, zip_code: str, lockey: str | None, day: date,
             units: str) -> LineRequest:  # fmt: skip
    count: Any = 1 if units == "" else int(units) if _UNITS.match(units) else units
    return LineRequest(
        hcpcs,
        day,
        modifiers=tuple(m for m in _SPLIT.split(mod) if m),
        units=count,  # a malformed count is passed on: the engine says what is wrong
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


def _singles(reference: ReferenceData, rows: pl.DataFrame) -> pl.DataFrame:
    distinct = rows.select([*_KEY, "release"]).unique(subset=_KEY, maintain_order=True)
    outcomes: list[Outcome] = []
    for hcpcs, mod, pos, zip_code, lockey, day, units, release in distinct.iter_rows():
        request = _request(hcpcs, mod, pos, zip_code, lockey, day, units)
        try:
            outcomes.append(_outcome(price_line(reference, request)))
        except MedPayIQError as exc:
            outcomes.append(_failure(exc, release))
    results = pl.DataFrame(outcomes, schema=RESULT_SCHEMA, orient="row")
    keyed = pl.concat([distinct.select(_KEY), results], how="horizontal")
    return (
        rows.select("_i", "_route", *_KEY)
        .join(keyed, on=_KEY, how="left", nulls_equal=True)
        .select("_i", "_route", *RESULT_SCHEMA)
    )


def _claims(reference: ReferenceData, rows: pl.DataFrame) -> pl.DataFrame:
    found: list[tuple[int, Outcome]] = []
    for claim in rows.sort("_i").partition_by("_claim", maintain_order=True):
        indexes = claim.get_column("_i").to_list()
        requests = [
            _request(*values)
            for values in claim.select(
                "_hcpcs", "_mod", "_pos", "_zip", "_lockey", "_date", "_units_raw"
            ).iter_rows()
        ]
        releases = claim.get_column("release").to_list()
        found.extend(zip(indexes, _price_claim(reference, requests, releases), strict=True))
    results = pl.DataFrame([o for _, o in found], schema=RESULT_SCHEMA, orient="row")
    index = pl.DataFrame({"_i": [i for i, _ in found]}, schema={"_i": pl.Int64})
    out = pl.concat([index, results], how="horizontal")
    return rows.select("_i", "_route").join(out, on="_i", how="left")


def _price_claim(
    reference: ReferenceData, requests: Sequence[LineRequest], releases: Sequence[str | None]
) -> list[Outcome]:
    """Each request's outcome when priced as one claim; lines the engine rejects get their
    error and the others are priced together without them (as the claim checker does)."""
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
