"""Reference data as Polars tables for the vectorised path, built as dates appear.

Each date of service is asked of the pricing engine once (`pricing.day_terms`): which
release, GPCI file, work GPCI column and CF apply. Dates that price alike share a *group*,
and each group has one RVU table (PPRRVU rows by code and 26/TC) and one GPCI table
(localities with the work column in effect). ZIP tables are per ZIP5 release.

Amounts are computed in integers: RVUs in units of 10^-a, GPCIs of 10^-b and the CF of
10^-c, where a, b, c are the most decimals the group's figures have (2, 3 and 4 in CMS's
files). Then sum(RVU x GPCI) x CF is an exact integer in units of 10^-(a+b+c), the same
number the engine's Decimal arithmetic gives, and rounding it half-up to cents is one
integer division (`div` = 10^(a+b+c-2)).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import polars as pl

from medpayiq.errors import DataError, InputError, ReleaseNotLoaded
from medpayiq.pricing import DayTerms, Setting, day_terms
from medpayiq.records import RvuRow
from medpayiq.reference import ReferenceData
from medpayiq.releases import Kind

__all__ = ["Tables"]

# Row modifiers the vectorised path prices (other modifiers go to the line engine).
ROW_MODIFIERS = ("", "26", "TC")
_INT64_LIMIT = 2**62  # headroom below 2^63 for the sums and the rounding offset


def decimals(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    assert isinstance(exponent, int)
    return max(0, -exponent)


def scaled(value: Decimal, places: int) -> int:
    out = value.scaleb(places)
    as_int = int(out)
    if out != as_int:  # cannot happen: places is the most decimals seen
        raise DataError(f"{value} has more than {places} decimals")
    return as_int


@dataclass(frozen=True, slots=True)
class _Day:
    day: date
    group: int | None
    geo: int | None
    release: str | None
    error: str | None
    geo_error: str | None


class Tables:
    """The tables for the dates seen so far. `add_days` extends them; the frames are
    rebuilt only when a new group or ZIP release appears."""

    def __init__(self, reference: ReferenceData) -> None:
        self.reference = reference
        self._days: dict[date, _Day] = {}
        self._groups: dict[tuple[object, ...], int] = {}
        self._geos: dict[str, int] = {}
        self._rvu_parts: list[pl.DataFrame] = []
        self._gpci_parts: list[pl.DataFrame] = []
        self._zip_parts: list[pl.DataFrame] = []
        self._conf_rows: list[tuple[date, int, str]] = []
        self._cf_rows: dict[str, tuple[RvuRow, ...]] = {}
        self.rvu = pl.DataFrame()
        self.gpci = pl.DataFrame()
        self.zips = pl.DataFrame()
        self.days = pl.DataFrame()
        self.confidence = pl.DataFrame()
        self.pos: pl.DataFrame | None = None
        self.status_messages = pl.DataFrame()
        self._terms: dict[str, DayTerms] = {}
        self._modifiers: dict[str, str | None] = {"": ""}

    def row_modifiers(self, texts: list[str]) -> pl.DataFrame:
        """_mod (the modifier column, stripped and upper-cased) -> _rmod, the PPRRVU row
        modifier, or null when the modifiers may change the amount (see DayTerms)."""
        terms = next(iter(self._terms.values()), None)
        out: list[str | None] = []
        for text in texts:
            if text not in self._modifiers:
                self._modifiers[text] = terms.row_modifier(text) if terms else None
            out.append(self._modifiers[text])
        return pl.DataFrame(
            {"_mod": texts, "_rmod": out}, schema={"_mod": pl.String, "_rmod": pl.String}
        )

    def na_message(self, hcpcs: str, facility: bool, release: str) -> str:
        """price_line's message for a code whose setting is NA in `release`."""
        setting = Setting.FACILITY if facility else Setting.NON_FACILITY
        return self._terms[release].na_message(hcpcs, setting)

    # -- dates

    def add_days(self, days: Iterable[date]) -> None:
        new = [d for d in days if d not in self._days]
        if not new:
            return
        for day in sorted(new):
            self._days[day] = self._day(day)
        self._rebuild()

    def _day(self, day: date) -> _Day:
        try:
            terms = day_terms(self.reference, day)
        except ReleaseNotLoaded as exc:
            return _Day(day, None, None, None, str(exc), None)
        self._terms.setdefault(terms.release, terms)
        group = self._group(terms)
        geo, geo_error = self._geo(terms)
        for index in range(8):
            opps, anes, zip_given = bool(index & 4), bool(index & 2), bool(index & 1)
            if zip_given and geo is None:
                continue
            level = terms.confidence(opps=opps, anes=anes, zip_given=zip_given)
            self._conf_rows.append((day, index, level.value))
        if self.pos is None:
            self.pos = _pos_table(terms)
            self.status_messages = _status_table(terms)
        return _Day(day, group, geo, terms.release, None, geo_error)

    def _group(self, terms: DayTerms) -> int:
        fee = terms.fee
        gpci_vintage = fee.component_vintages.get(Kind.GPCI)
        # One row per distinct CONV FACTOR of the release (all rows share one in CMS's
        # files); the CF price_line applies to it can change by date (published.yaml).
        representatives = self._cf_rows.get(terms.release)
        if representatives is None:
            seen: dict[Decimal, RvuRow] = {}
            for row in fee.rvus.values():
                seen.setdefault(row.conversion_factor, row)
            representatives = self._cf_rows[terms.release] = tuple(seen.values())
        cfs = tuple(
            (row.conversion_factor, terms.conversion_factor(row)) for row in representatives
        )
        key = (
            terms.release,
            gpci_vintage.used.id if gpci_vintage else "",
            terms.with_floor,
            cfs,
        )
        group = self._groups.get(key)
        if group is None:
            group = self._groups[key] = len(self._groups)
            rvu, gpci = _group_tables(terms, group, dict(cfs))
            self._rvu_parts.append(rvu)
            self._gpci_parts.append(gpci)
        return group

    def _geo(self, terms: DayTerms) -> tuple[int | None, str | None]:
        try:
            geography = terms.geography()
        except ReleaseNotLoaded as exc:
            return None, str(exc)
        release = geography.vintage.used.id
        geo = self._geos.get(release)
        if geo is None:
            geo = self._geos[release] = len(self._geos)
            rows = []
            for zip5, entries in geography.zips.items():
                localities = {str(e.locality) for e in entries}
                ok = len(localities) == 1 and not any(e.plus_four for e in entries)
                rows.append((zip5, localities.pop() if ok else None))
            self._zip_parts.append(
                pl.DataFrame(
                    {
                        "zg": [geo] * len(rows),
                        "zip5": [r[0] for r in rows],
                        "zip_locality": [r[1] for r in rows],
                    },
                    schema={"zg": pl.Int32, "zip5": pl.String, "zip_locality": pl.String},
                )
            )
        return geo, None

    def _rebuild(self) -> None:
        days = sorted(self._days.values(), key=lambda d: d.day)
        self.days = pl.DataFrame(
            {
                "date": [d.day for d in days],
                "g": [d.group for d in days],
                "zg": [d.geo for d in days],
                "release": [d.release for d in days],
                "day_error": [d.error for d in days],
                "geo_error": [d.geo_error for d in days],
            },
            schema={
                "date": pl.Date,
                "g": pl.Int32,
                "zg": pl.Int32,
                "release": pl.String,
                "day_error": pl.String,
                "geo_error": pl.String,
            },
        )
        self.confidence = pl.DataFrame(
            self._conf_rows,
            schema={"date": pl.Date, "ci": pl.Int32, "confidence": pl.String},
            orient="row",
        )
        if self._rvu_parts:
            self.rvu = pl.concat(self._rvu_parts)
            self.gpci = pl.concat(self._gpci_parts)
        if self._zip_parts:
            self.zips = pl.concat(self._zip_parts)


def _group_tables(
    terms: DayTerms, group: int, cf_of: dict[Decimal, Decimal]
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The RVU and GPCI tables of one group, in integer units (module docstring)."""
    fee = terms.fee
    rows = [r for r in fee.rvus.values() if r.modifier in ROW_MODIFIERS]
    gpcis = {str(loc): terms.gpcis(g) for loc, g in fee.gpcis.items()}
    rvu_fields = [
        (r.work, r.pe_nonfacility, r.pe_facility, r.mp, r.opps_pe_nonfacility,
         r.opps_pe_facility, r.opps_mp)
        for r in rows
    ]  # fmt: skip
    a = max((decimals(v) for f in rvu_fields for v in f), default=0)
    b = max((decimals(v) for t in gpcis.values() for v in t), default=0)
    c = max((decimals(v) for v in cf_of.values()), default=0)
    if a + b + c < 2:
        a = 2 - b - c  # keep the cents division an integer one
    biggest_rvu = max((f[0] + max(f[1], f[2], f[4], f[5]) + max(f[3], f[6]) for f in rvu_fields),
                      default=Decimal(0))  # fmt: skip
    biggest_gpci = max((max(t) for t in gpcis.values()), default=Decimal(1))
    biggest_cf = max(cf_of.values(), default=Decimal(0))
    bound = biggest_rvu.scaleb(a) * max(biggest_gpci, Decimal(1)).scaleb(b) * biggest_cf.scaleb(c)
    if bound * 2 >= _INT64_LIMIT or any(v < 0 for f in rvu_fields for v in f):
        raise DataError(
            f"{terms.release}: RVUs outside the range the batch engine computes exactly"
        )
    div = 10 ** (a + b + c - 2)
    names = ("w", "pn", "pf", "m", "on", "of", "om")
    columns: dict[str, list[object]] = {name: [] for name in names}
    for f in rvu_fields:
        for name, value in zip(names, f, strict=True):
            columns[name].append(scaled(value, a))
    rvu = pl.DataFrame(
        {
            "g": [group] * len(rows),
            "hcpcs": [r.hcpcs for r in rows],
            "rmod": [r.modifier for r in rows],
            "status": [r.status for r in rows],
            "mult": [r.mult_proc for r in rows],
            "nna": [r.pe_nonfacility_na for r in rows],
            "fna": [r.pe_facility_na for r in rows],
            **columns,
            "cf": [scaled(cf_of[r.conversion_factor], c) for r in rows],
            "div": [div] * len(rows),
        },
        schema={
            "g": pl.Int32, "hcpcs": pl.String, "rmod": pl.String, "status": pl.String,
            "mult": pl.String, "nna": pl.Boolean, "fna": pl.Boolean,
            **{name: pl.Int64 for name in names}, "cf": pl.Int64, "div": pl.Int64,
        },
    )  # fmt: skip
    keys = ["", *gpcis]
    one = 10**b
    triples = [(one, one, one), *((scaled(v, b) for v in t) for t in gpcis.values())]
    values = [tuple(t) for t in triples]
    gpci = pl.DataFrame(
        {
            "g": [group] * len(keys),
            "lk": keys,
            "gw": [v[0] for v in values],
            "gp": [v[1] for v in values],
            "gm": [v[2] for v in values],
        },
        schema={"g": pl.Int32, "lk": pl.String, "gw": pl.Int64, "gp": pl.Int64, "gm": pl.Int64},
    )
    return rvu, gpci


def _pos_table(terms: DayTerms) -> pl.DataFrame:
    """Place of service code -> facility, for the codes price_line accepts ("" = none given)."""
    codes, facility = [""], [False]
    for n in range(100):
        code = f"{n:02d}"
        try:
            setting = terms.setting(code)
        except InputError:
            continue
        codes.append(code)
        facility.append(setting is Setting.FACILITY)
    return pl.DataFrame({"pos_key": codes, "fac": facility})


def _status_table(terms: DayTerms) -> pl.DataFrame:
    statuses = [chr(c) for c in range(ord("A"), ord("Z") + 1)]
    return pl.DataFrame(
        {"status": statuses, "status_message": [terms.status_message(s) for s in statuses]}
    )
