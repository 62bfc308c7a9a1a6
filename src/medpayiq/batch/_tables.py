"""Reference data as integer-indexed Polars tables for the vectorised path, built as dates
appear.

Each date of service is asked of the pricing engine once (`pricing.day_terms`): which
release, GPCI file, work GPCI column and CF apply. Dates that price alike share a *group*,
and each group has its RVU rows (PPRRVU rows by code and 26/TC) and its GPCI rows
(localities with the work column in effect). ZIP tables are per ZIP5 release (*geo*).

Every table is a column of one Polars frame, and a line finds its row by arithmetic on
small integer ids instead of joins on text: `row_index` is indexed by
code x group x row modifier, `gpci_index` by locality x group, `zip_index` by ZIP x geo.
Codes, localities and ZIPs are numbered in `codes`, `localities` and `zips`; messages,
releases and confidences are numbered in `messages`, `releases` and `confidences`, so a
line carries ids and its text is gathered once at the end.

Amounts are computed in integers: RVUs in units of 10^-a, GPCIs of 10^-b and the CF of
10^-c, where a, b, c are the most decimals the group's figures have (2, 3 and 4 in CMS's
files). Then sum(RVU x GPCI) x CF is an exact integer in units of 10^-(a+b+c), the same
number the engine's Decimal arithmetic gives, and rounding it half-up to cents is one
integer division (`div` = 10^(a+b+c-2)).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from operator import attrgetter

import polars as pl

from medpayiq.errors import DataError, InputError, ReleaseNotLoaded
from medpayiq.pricing import DayTerms, Setting, day_terms
from medpayiq.records import RvuRow, ZipLocality
from medpayiq.reference import ReferenceData
from medpayiq.releases import Kind

from ._fallback import modifier_tuple
from ._keys import Strings

__all__ = ["BILATERAL", "PRICED", "ROW_MODIFIERS", "Tables", "unit_amounts"]

# Row modifiers the vectorised path prices (other modifiers go to the line engine), by id.
ROW_MODIFIERS = ("", "26", "TC")
PRICED = 0  # id of the message "priced"
CONF_SLOTS = 8  # confidence by (OPPS row x 4 + anesthesia x 2 + ZIP given)
_INT64_LIMIT = 2**62  # headroom below 2^63 for the sums and the rounding offset
_MULT_KINDS = {"1": 1, "2": 1, "5": 5, "3": 3, "4": 3, "6": 3, "7": 3}  # 3: reduces units
# Modifier 50 by BILAT SURG indicator (pricing._modifiers): 0 pays 100%, 1 150%, 2 100%
# (the RVUs are already bilateral), 3 200% (each side at 100%); -1: price_line refuses 50.
BILATERAL = {"0": 0, "1": 1, "2": 0, "3": 2}


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
class Day:
    """One date of service: its terms (None when no release is loaded), group, geo,
    release id, error message ids, confidence ids by slot, and class (dates of one class
    give every line the same answer)."""

    day: date
    terms: DayTerms | None
    group: int | None
    geo: int | None
    release: int | None
    error: int | None
    geo_error: int | None
    confidence: tuple[int | None, ...]
    cls: int | None


class Tables:
    """The tables for the dates seen so far. `add_days` extends them; the index Series are
    rebuilt only when a new group or ZIP release appears."""

    def __init__(self, reference: ReferenceData) -> None:
        self.reference = reference
        self.messages = Strings(("priced",))
        self.releases = Strings()
        self.confidences = Strings()
        self.settings = Strings((Setting.NON_FACILITY.value, Setting.FACILITY.value))
        self.codes = Strings()
        self.localities = Strings(("",))  # id 0: national
        self.zips = Strings()
        self.days: list[Day] = []
        self._day_ids: dict[date, int] = {}
        self._groups: dict[tuple[object, ...], int] = {}
        self._geos: dict[str, int] = {}
        self._classes: dict[tuple[object, ...], int] = {}
        self._cf_rows: dict[str, tuple[RvuRow, ...]] = {}
        self._rvu_parts: list[pl.DataFrame] = []
        self._gpci_parts: list[pl.DataFrame] = []
        self._amount_codes: list[set[int]] = []  # per group: the codes whose amounts are in
        self._wanted: set[int] = set()  # the codes of the file so far (code ids)
        self._zip_parts: list[pl.DataFrame] = []
        self._geo_zips: list[Mapping[str, Sequence[ZipLocality]]] = []  # by geo: ZIP5 rows
        self._zips_done: list[int] = []  # by geo: how many of `zips` it has looked up
        self._terms: DayTerms | None = None
        self._modifiers: dict[str, str | None] = {}
        self._bilateral: dict[str, str | None] = {}
        self.pos: dict[str, bool] | None = None
        self.rvu = pl.DataFrame()
        self.rvu_setting = pl.DataFrame()
        self.amounts = pl.Series(dtype=pl.Int64)
        self.gpci = pl.DataFrame()
        self.row_index = pl.Series(dtype=pl.Int32)
        self.gpci_index = pl.Series(dtype=pl.Int32)
        self.zip_index = pl.Series(dtype=pl.Int32)
        self.day_frame = pl.DataFrame()
        self.day_confidence = pl.Series(dtype=pl.Int32)

    @property
    def group_count(self) -> int:
        return len(self._groups)

    @property
    def geo_count(self) -> int:
        return len(self._geos)

    def any_terms(self) -> DayTerms | None:
        """The terms of the first date with a release (for date-independent checks)."""
        return self._terms

    def row_modifier(self, text: str) -> str | None:
        """The PPRRVU row modifier of a modifier text, or None when the modifiers may change
        the amount (see DayTerms.row_modifier)."""
        if text not in self._modifiers:
            terms = self._terms
            self._modifiers[text] = (
                "" if text == "" else terms.row_modifier(text) if terms else None
            )
        return self._modifiers[text]

    def bilateral_row_modifier(self, text: str) -> str | None:
        """The PPRRVU row modifier ("", "26" or "TC") of a line whose modifiers are 50 and
        others that leave the amount alone (LT, 59, 26, ...): such a line is its row's
        amount times the bilateral factor (`BILATERAL`). None for any other text."""
        if text not in self._bilateral:
            terms = self._terms
            found: str | None = None
            if terms is not None and text != "":
                try:
                    normal = terms.modifiers(modifier_tuple(text))
                except InputError:
                    normal = ()
                if "50" in normal:
                    found = terms.row_modifier(" ".join(m for m in normal if m != "50"))
            self._bilateral[text] = found
        return self._bilateral[text]

    def facility(self, pos: str) -> bool | None:
        """Whether price_line prices a place of service code (stripped) at the facility
        rate; None when it rejects the code or no release is loaded yet."""
        if self.pos is None:
            return None
        key = "" if pos == "" else pos.zfill(2) if _is_pos(pos) else None
        return None if key is None else self.pos.get(key)

    # -- dates

    def day_id(self, day: date) -> int:
        """The id of a date of service (its tables are built the first time)."""
        found = self._day_ids.get(day)
        if found is None:
            found = self._day_ids[day] = len(self.days)
            self.days.append(self._day(day))
            self._dirty = True
        return found

    def add_days(self, days: Iterable[date]) -> None:
        for day in sorted(days):
            self.day_id(day)

    def refresh(self) -> None:
        """Rebuild the index Series after new dates (no-op when nothing changed)."""
        if not getattr(self, "_dirty", False):
            return
        self._dirty = False
        days = self.days
        self.day_frame = pl.DataFrame(
            {
                "g": [d.group for d in days],
                "zg": [d.geo for d in days],
                "release": [d.release for d in days],
                "error": [d.error for d in days],
                "geo_error": [d.geo_error for d in days],
                "cls": [d.cls for d in days],
            },
            schema={n: pl.Int32 for n in ("g", "zg", "release", "error", "geo_error", "cls")},
        )
        self.day_confidence = pl.Series([c for d in days for c in d.confidence], dtype=pl.Int32)
        if self._rvu_parts:
            self._amount_tables()
            self.rvu = pl.concat(self._rvu_parts)
            self.rvu_setting = _by_setting(self.rvu)
            self.gpci = pl.concat(self._gpci_parts)
            self.row_index = _index(
                self.rvu.select(
                    key=pl.col("code") * (self.group_count * 3) + pl.col("g") * 3 + pl.col("rmod")
                ).to_series(),
                len(self.codes) * self.group_count * 3,
            )
            self.gpci_index = _index(
                self.gpci.select(key=pl.col("loc") * self.group_count + pl.col("g")).to_series(),
                len(self.localities) * self.group_count,
            )
        if self._zip_parts:
            zips = pl.concat(self._zip_parts)
            size = len(self.zips) * self.geo_count
            keys = zips.select(key=pl.col("zip") * self.geo_count + pl.col("zg")).to_series()
            self.zip_index = (
                pl.Series(values=[None] * size, dtype=pl.Int32)
                .scatter(keys, zips.get_column("loc"))
            )  # fmt: skip

    def _amount_tables(self) -> None:
        """Give each new group's RVU rows a `base` (null until their code is wanted) and its
        GPCI rows an `lbase`: the one-unit amount (cents) of a row at a locality in a
        setting is at `amounts[base + lbase + facility]`, so a line's amount is one gather,
        not a formula. Only the rows of the codes a file has get a place (`want_codes`)."""
        for group in range(len(self._amount_codes), len(self._rvu_parts)):
            self._rvu_parts[group] = self._rvu_parts[group].with_columns(
                base=pl.lit(None, pl.Int64)
            )
            self._gpci_parts[group] = self._gpci_parts[group].with_columns(
                lbase=pl.int_range(pl.len(), dtype=pl.Int64) * 2
            )
            self._amount_codes.append(set())

    def want_codes(self, codes: Iterable[int]) -> None:
        """Work out the amounts of these codes' rows (code ids) in every group, once, and
        give the rows their place in `amounts`: a file has a few hundred codes of the PPRRVU
        file's thousands (a table for every row was 4.2 M slots a group, about 100 MB for
        three groups, written twice when a chunk brought new codes)."""
        self._wanted.update(codes)
        blocks = []
        start = self.amounts.len()
        for group, done in enumerate(self._amount_codes):
            missing = self._wanted - done
            if not missing:
                continue
            done |= missing
            part = self._rvu_parts[group]
            rows = part.select(pl.arg_where(pl.col("code").is_in(list(missing)))).to_series()
            if not rows.len():
                continue
            gpci = self._gpci_parts[group]
            width = 2 * gpci.height
            # _unit_cents is rows major: pair k is row k // localities at locality k % it,
            # so its settings interleaved are row r's block of `width` from r x width.
            cents = _unit_cents(part[rows], gpci)
            blocks.append(cents.select(pl.concat_list("nf", "f").explode()).to_series())
            bases = pl.int_range(rows.len(), dtype=pl.Int64, eager=True) * width + start
            self._rvu_parts[group] = part.with_columns(part.get_column("base").scatter(rows, bases))
            start += rows.len() * width
        if blocks:
            self.amounts = pl.concat([self.amounts, *blocks])
            self.rvu = self.rvu.with_columns(
                pl.concat([part.get_column("base") for part in self._rvu_parts])
            )

    def _day(self, day: date) -> Day:
        try:
            terms = day_terms(self.reference, day)
        except ReleaseNotLoaded as exc:
            return Day(day, None, None, None, None, self.messages.id(str(exc)), None,
                       (None,) * CONF_SLOTS, None)  # fmt: skip
        if self._terms is None:
            self._terms = terms
            self.pos = _pos_table(terms)
        group = self._group(terms)
        geo, geo_error = self._geo(terms)
        confidence: list[int | None] = []
        for index in range(CONF_SLOTS):
            opps, anes, zip_given = bool(index & 4), bool(index & 2), bool(index & 1)
            if zip_given and geo is None:
                confidence.append(None)
                continue
            level = terms.confidence(opps=opps, anes=anes, zip_given=zip_given)
            confidence.append(self.confidences.id(level.value))
        key = (group, geo, tuple(confidence))
        cls = self._classes.setdefault(key, len(self._classes))
        return Day(day, terms, group, geo, self.releases.id(terms.release), None,
                   None if geo_error is None else self.messages.id(geo_error),
                   tuple(confidence), cls)  # fmt: skip

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
            rvu, gpci = self._group_tables(terms, group, dict(cfs))
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
            self._geo_zips.append(geography.zips)
            self._zips_done.append(0)
        return geo, None

    def want_zips(self, zip5s: Iterable[str]) -> None:
        """Number these ZIP5s and find each one's locality in every ZIP release seen (a
        file has a few thousand ZIPs of the files' forty thousand); `refresh` indexes them.
        A ZIP that spans localities or has plus-four rows gets no locality (null)."""
        for zip5 in zip5s:
            self.zips.id(zip5)
        for geo, by_zip in enumerate(self._geo_zips):
            start = self._zips_done[geo]
            if start == len(self.zips):
                continue
            self._zips_done[geo] = len(self.zips)
            zips, localities = [], []
            for zip_id in range(start, len(self.zips)):
                entries = by_zip.get(self.zips.values[zip_id])
                if entries is None:
                    continue
                found = {str(e.locality) for e in entries}
                ok = len(found) == 1 and not any(e.plus_four for e in entries)
                zips.append(zip_id)
                localities.append(self.localities.id(found.pop()) if ok else None)
            self._zip_parts.append(
                pl.DataFrame(
                    {"zg": [geo] * len(zips), "zip": zips, "loc": localities},
                    schema={"zg": pl.Int32, "zip": pl.Int32, "loc": pl.Int32},
                )
            )
            self._dirty = True

    def _group_tables(
        self, terms: DayTerms, group: int, cf_of: dict[Decimal, Decimal]
    ) -> tuple[pl.DataFrame, pl.DataFrame]:
        """The RVU and GPCI rows of one group, in integer units (module docstring), with
        each row's messages by setting and confidence slot."""
        fee = terms.fee
        rows = [r for r in fee.rvus.values() if r.modifier in ROW_MODIFIERS]
        gpcis = {str(loc): terms.gpcis(g) for loc, g in fee.gpcis.items()}
        rvu_fields = [
            (r.work, r.pe_nonfacility, r.pe_facility, r.mp, r.opps_pe_nonfacility,
             r.opps_pe_facility, r.opps_mp)
            for r in rows
        ]  # fmt: skip
        distinct = {v for f in rvu_fields for v in f}  # a few thousand values, not 7 x rows
        a = max((decimals(v) for v in distinct), default=0)
        b = max((decimals(v) for t in gpcis.values() for v in t), default=0)
        c = max((decimals(v) for v in cf_of.values()), default=0)
        if a + b + c < 2:
            a = 2 - b - c  # keep the cents division an integer one
        biggest_rvu = max((f[0] + max(f[1], f[2], f[4], f[5]) + max(f[3], f[6])
                           for f in rvu_fields), default=Decimal(0))  # fmt: skip
        biggest_gpci = max((max(t) for t in gpcis.values()), default=Decimal(1))
        biggest_cf = max(cf_of.values(), default=Decimal(0))
        bound = (biggest_rvu.scaleb(a) * max(biggest_gpci, Decimal(1)).scaleb(b)
                 * biggest_cf.scaleb(c))  # fmt: skip
        if bound * 2 >= _INT64_LIMIT or any(v < 0 for v in distinct):
            raise DataError(
                f"{terms.release}: RVUs outside the range the batch engine computes exactly"
            )
        div = 10 ** (a + b + c - 2)
        names = ("w", "pn", "pf", "m", "on", "of", "om")
        units = {v: scaled(v, a) for v in distinct}
        columns: dict[str, list[int]] = {
            name: [units[f[k]] for f in rvu_fields] for k, name in enumerate(names)
        }
        status_ids = {s: self.messages.id(terms.status_message(s)) for s in
                      {r.status for r in rows if r.status not in "ART"}}  # fmt: skip
        # Status A/R/T pays in both settings (an NA setting is priced from the file's PE,
        # DOMAIN.md section 1); another status has its reason in both.
        msg = [PRICED if r.status in ("A", "R", "T") else status_ids[r.status] for r in rows]
        rvu = pl.DataFrame(
            {
                "g": [group] * len(rows),
                "code": [self.codes.id(r.hcpcs) for r in rows],
                "rmod": [ROW_MODIFIERS.index(r.modifier) for r in rows],
                "paid": [r.status in ("A", "R", "T") for r in rows],
                "status": [r.status for r in rows],
                "mult": [r.mult_proc for r in rows],
                "kind": [_MULT_KINDS.get(r.mult_proc, 0) for r in rows],
                "bil": [BILATERAL.get(r.bilat_surg, -1) for r in rows],
                # confidence slot: OPPS row (status A/R/T) x 4 + anesthesia x 2
                "slot": [4 * bool(r.opps_mp and r.status in "ART") + 2 * (r.status == "J")
                         for r in rows],
                "msg": msg,
                **columns,
                "cf": [scaled(cf_of[r.conversion_factor], c) for r in rows],
                "div": [div] * len(rows),
            },
            schema={
                "g": pl.Int32, "code": pl.Int32, "rmod": pl.Int32, "paid": pl.Boolean,
                "status": pl.String, "mult": pl.String, "kind": pl.Int8, "bil": pl.Int8,
                "slot": pl.Int32, "msg": pl.Int32,
                **{name: pl.Int64 for name in names}, "cf": pl.Int64, "div": pl.Int64,
            },
        )  # fmt: skip
        one = 10**b
        keys = ["", *gpcis]
        triples = [(one, one, one), *(tuple(scaled(v, b) for v in t) for t in gpcis.values())]
        gpci = pl.DataFrame(
            {
                "g": [group] * len(keys),
                "loc": [self.localities.id(k) for k in keys],
                "gw": [t[0] for t in triples],
                "gp": [t[1] for t in triples],
                "gm": [t[2] for t in triples],
            },
            schema={
                "g": pl.Int32,
                "loc": pl.Int32,
                "gw": pl.Int64,
                "gp": pl.Int64,
                "gm": pl.Int64,
            },
        )
        return rvu, gpci


def _unit_cents(rvu: pl.DataFrame, gpci: pl.DataFrame) -> pl.DataFrame:
    """One unit of each row at each locality (rows major), columns `nf` and `f`:
    (RVU x GPCI sums) x CF half-up to cents, and the lower OPPS-capped amount where the row
    has OPPS PE and MP RVUs (the engine's SettingAmount.amount, in integers)."""
    pairs = rvu.select("w", "pn", "pf", "m", "on", "of", "om", "cf", "div").join(
        gpci.select("gw", "gp", "gm"), how="cross", maintain_order="left_right"
    )
    w, m, om = pl.col("w"), pl.col("m"), pl.col("om")
    gw, gp, gm, cf, div = pl.col("gw"), pl.col("gp"), pl.col("gm"), pl.col("cf"), pl.col("div")

    def unit(pe: str, opps_pe: str) -> pl.Expr:
        fee = ((w * gw + pl.col(pe) * gp + m * gm) * cf + div // 2) // div
        cap = ((w * gw + pl.col(opps_pe) * gp + om * gm) * cf + div // 2) // div
        capped = (pl.col(opps_pe) != 0) & (om != 0)
        return pl.when(capped).then(pl.min_horizontal(fee, cap)).otherwise(fee)

    return pairs.select(nf=unit("pn", "on"), f=unit("pf", "of"))


_RVU_FIELDS = attrgetter(
    "work",
    "pe_nonfacility",
    "pe_facility",
    "mp",
    "opps_pe_nonfacility",
    "opps_pe_facility",
    "opps_mp",
)


def unit_amounts(
    rows: Sequence[RvuRow],
    cfs: Sequence[Decimal],
    gpcis: Sequence[tuple[Decimal, Decimal, Decimal]],
) -> pl.DataFrame:
    """One unit of each row, with its CF (`cfs[i]` for `rows[i]`), at each (work, PE, MP)
    GPCI triple, in both settings: the amount `_unit_cents` gives the batch engine (the
    engine's SettingAmount.amount, OPPS cap included), in the same exact integers.

    One frame row per row x triple, rows major: `row` and `gpci` (positions in the inputs),
    `nonfacility` and `facility` in cents (Int64). Rows whose status has no fee schedule
    amount (A, R and T have one) are left out: about half of a PPRRVU file, not worth
    computing. For callers that price whole grids of rows and localities with inputs of
    their choosing (medpayiq.changes mixes two releases' RVUs, CFs and GPCIs to tell what
    moved an amount)."""
    paid = [i for i, r in enumerate(rows) if r.status in ("A", "R", "T")]
    if not paid or not gpcis:
        return pl.DataFrame(
            schema={"row": pl.Int32, "gpci": pl.Int32, "nonfacility": pl.Int64,
                    "facility": pl.Int64}
        )  # fmt: skip
    rows, cfs = [rows[i] for i in paid], [cfs[i] for i in paid]
    fields = list(map(_RVU_FIELDS, rows))
    distinct = {v for f in fields for v in f}
    a = max(decimals(v) for v in distinct)
    b = max(decimals(v) for t in gpcis for v in t)
    c = max(decimals(v) for v in set(cfs))
    if a + b + c < 2:
        a = 2 - b - c  # keep the cents division an integer one
    if any(v < 0 for v in distinct) or min(cfs) < 0:
        raise DataError("negative RVUs or CF: outside what the batch engine computes")
    units = {v: scaled(v, a) for v in distinct}
    cf_units = {v: scaled(v, c) for v in set(cfs)}
    names = ("w", "pn", "pf", "m", "on", "of", "om")
    rvu = pl.DataFrame(
        {
            **{name: [units[f[k]] for f in fields] for k, name in enumerate(names)},
            "cf": [cf_units[cf] for cf in cfs],
            "div": [10 ** (a + b + c - 2)] * len(rows),
        },
        schema={name: pl.Int64 for name in (*names, "cf", "div")},
    )
    biggest_rvu = rvu.select(
        (pl.col("w") + pl.max_horizontal("pn", "pf", "on", "of") + pl.max_horizontal("m", "om"))
        .max()
    ).item()  # fmt: skip
    biggest = (int(biggest_rvu) * scaled(max(max(max(t) for t in gpcis), Decimal(1)), b)
               * scaled(max(cfs), c))  # fmt: skip
    if biggest * 2 >= _INT64_LIMIT:
        raise DataError("RVUs outside the range the batch engine computes exactly")
    gpci = pl.DataFrame(
        [tuple(scaled(v, b) for v in t) for t in gpcis],
        schema={"gw": pl.Int64, "gp": pl.Int64, "gm": pl.Int64},
        orient="row",
    )
    cents = _unit_cents(rvu, gpci)
    index = pl.int_range(len(rows) * len(gpcis), dtype=pl.Int64, eager=True)
    positions = pl.Series(paid, dtype=pl.Int32)
    return pl.DataFrame(
        {
            "row": positions.gather(index // len(gpcis)),
            "gpci": (index % len(gpcis)).cast(pl.Int32),
            "nonfacility": cents.get_column("nf"),
            "facility": cents.get_column("f"),
        }
    )


def _by_setting(rvu: pl.DataFrame) -> pl.DataFrame:
    """What depends on a row and the setting, at index row x 2 + facility: the PE and OPPS
    PE RVUs, whether the row pays there (status A/R/T), whether the OPPS cap
    applies, and the message of a line without an amount."""
    index = pl.int_range(pl.len(), dtype=pl.Int64) * 2
    both = [
        rvu.select(
            k=index + facility,
            pe=pl.col(pe),
            ope=pl.col(ope),
            pay=pl.col("paid"),
            capped=(pl.col(ope) != 0) & (pl.col("om") != 0),
            msg=pl.col("msg"),
        )
        for facility, pe, ope in ((0, "pn", "on"), (1, "pf", "of"))
    ]  # fmt: skip
    return pl.concat(both).sort("k").drop("k")


def _index(keys: pl.Series, size: int) -> pl.Series:
    """A Series of `size` nulls with position keys[i] set to i."""
    out = pl.Series(values=[None] * size, dtype=pl.Int32)
    return out.scatter(keys, pl.int_range(keys.len(), dtype=pl.Int32, eager=True))


def _is_pos(text: str) -> bool:
    return 1 <= len(text) <= 2 and all(ch in "0123456789" for ch in text)


def _pos_table(terms: DayTerms) -> dict[str, bool]:
    """Place of service code -> facility, for the codes price_line accepts ("" = none given)."""
    table = {"": False}
    for n in range(100):
        code = f"{n:02d}"
        try:
            setting = terms.setting(code)
        except InputError:
            continue
        table[code] = setting is Setting.FACILITY
    return table
