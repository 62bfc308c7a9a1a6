"""Two physician fee schedule releases side by side: every row's amount at every locality,
in both settings, and what moved it.

Each release is priced as the engine prices a line on the release's first day
(`pricing.day_terms`: its PPRRVU rows, the GPCI file and work GPCI column in effect, the CF
the engine applies). The amounts are the batch engine's (`batch.unit_amounts`: the engine's
own figures, computed in exact integers), so a code at a locality costs one gather, not a
formula, and 19,000 rows x 110 places x 2 settings take well under a second.

What drove a change is found by sequential substitution, in a fixed order:

    A0 = amount(RVUs before, CF before, GPCIs before)          the amount before
    A1 = amount(RVUs before, CF after,  GPCIs before)          cf    = A1 - A0
    A2 = amount(RVUs after,  CF after,  GPCIs before)          rvus  = A2 - A1
    A3 = amount(RVUs after,  CF after,  GPCIs after)           gpci  = A3 - A2

Every A is rounded to cents as CMS rounds an amount, so the three causes are whole cents
and add up to A3 - A0 exactly. "rvus" covers the work, PE and MP RVUs (and the OPPS cap's
RVUs); "gpci" covers the locality's GPCIs and, for a ZIP that moved to another locality
between the ZIP files, the move itself (A3 is read at the ZIP's new locality). Another
order would split the same total differently (the steps interact); this one is the order
CMS announces them in (the CF, then the RVUs, then the GPCIs), and it is fixed so that two
reports always agree.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cached_property
from operator import attrgetter

import polars as pl

from medpayiq import batch, pricing
from medpayiq.errors import InputError, ReleaseNotLoaded
from medpayiq.pricing import DayTerms, Location, Setting
from medpayiq.records import Gpci, RvuRow
from medpayiq.reference import Confidence, ReferenceData
from medpayiq.releases import Kind, Release, pfs_release

__all__ = [
    "AmountChange",
    "Causes",
    "FeeGrid",
    "FeeRowChange",
    "FieldChange",
    "GridCount",
    "PfsSide",
    "Place",
    "RowStatus",
    "fee_grid",
    "grid_count",
    "keys_of",
    "pfs_side",
    "place_of",
]

ONE = Decimal(1)
_NATIONAL = (ONE, ONE, ONE)
# The four amounts of the substitution (module docstring), each in both settings.
STEPS = ("before", "cf", "rvus", "after")
_CHUNK_CELLS = 500_000  # rows x places priced at once by fee_grid


def cents_to_money(value: int | None) -> Decimal | None:
    return None if value is None else Decimal(value).scaleb(-2)


def percent(change: Decimal | None, base: Decimal | None) -> Decimal | None:
    """The change as a percentage of `base`, to one decimal (None without a base)."""
    if change is None or base is None or base == 0:
        return None
    return (change / base * 100).quantize(Decimal("0.1"))


# --- One release ----------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class PfsSide:
    """A fee schedule release as the engine prices it on the release's first day: the
    PPRRVU rows it prices from (global, 26 and TC rows), the GPCIs in effect by locality
    ("04412-18") with the work column the date uses, and the files they came from."""

    release: Release
    terms: DayTerms
    rows: Mapping[tuple[str, str], RvuRow]
    gpcis: Mapping[str, tuple[Decimal, Decimal, Decimal]]
    localities: Mapping[str, Gpci]
    _cfs: dict[Decimal, Decimal] = field(default_factory=dict, repr=False)

    @property
    def day(self) -> date:
        return self.release.effective_from

    @property
    def gpci_release(self) -> str:
        vintage = self.terms.fee.component_vintages.get(Kind.GPCI)
        return vintage.used.id if vintage else ""

    @property
    def files(self) -> tuple[str, ...]:
        fee = self.terms.fee
        vintages = [fee.vintage, *fee.component_vintages.values()]
        return tuple(dict.fromkeys(p.file for v in vintages for p in v.provenance))

    @property
    def confidence(self) -> Confidence:
        return self.terms.fee.confidence

    def cf(self, row: RvuRow) -> Decimal:
        """The CF the engine applies to `row` on the release's first day (it depends on the
        row's CONV FACTOR column only, as the batch engine relies on too)."""
        found = self._cfs.get(row.conversion_factor)
        if found is None:
            found = self._cfs[row.conversion_factor] = self.terms.conversion_factor(row)
        return found

    def conversion_factors(self) -> tuple[Decimal, ...]:
        """The distinct CFs applied to the release's rows (one in CMS's files)."""
        seen = {row.conversion_factor: row for row in self.rows.values()}
        return tuple(sorted({self.cf(row) for row in seen.values()}))


def pfs_side(reference: ReferenceData, release_id: str) -> PfsSide:
    """The release `release_id` ("RVU26C") as the engine prices it on its first day. Raises
    InputError for an id that is not a fee schedule release and ReleaseNotLoaded when its
    PPRRVU file is not loaded (the message lists the loaded ones)."""
    try:
        wanted = pfs_release(release_id)
    except ValueError as exc:
        raise InputError(str(exc), parameter="from") from None
    try:
        terms = pricing.day_terms(reference, wanted.effective_from)
    except ReleaseNotLoaded:
        terms = None
    if terms is None or terms.release != wanted.id:
        loaded = sorted(
            {p.release for p in reference.datasets() if p.kind is Kind.PPRRVU},
        )
        names = ", ".join(r.id for r in loaded) or "none"
        raise ReleaseNotLoaded(
            f"fee schedule {wanted.id} is not loaded (its PPRRVU file); loaded: {names}"
        )
    release = terms.fee.vintage.used
    rows = {k: r for k, r in terms.fee.rvus.items() if r.modifier in batch.ROW_MODIFIERS}
    localities = {str(g.locality): g for g in terms.fee.gpcis.values()}
    gpcis = {loc: terms.gpcis(g) for loc, g in localities.items()}
    return PfsSide(release, terms, rows, gpcis, localities)


# --- Where ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Place:
    """Where amounts are read: the locality before and after ("" = national). They differ
    for a ZIP that moved to another locality between the two ZIP files. `label` is
    "national", "04412-18" or "04412-18 -> 04412-20"."""

    before: str
    after: str
    zip: str | None = None

    @property
    def national(self) -> bool:
        return not self.before and not self.after

    @property
    def moved(self) -> bool:
        return self.before != self.after

    @property
    def label(self) -> str:
        if self.national:
            return "national"
        return self.before if not self.moved else f"{self.before or 'national'} -> {self.after}"


NATIONAL = Place("", "")


def place_of(
    before: PfsSide, after: PfsSide, *, zip_code: str | None, locality: str | None
) -> Place:
    """The locality of a ZIP (each release's own ZIP file, as the engine resolves it) or a
    locality id, on both sides; national without either. Raises UnknownLocation or
    AmbiguousLocation as price_line does."""
    if not zip_code and not locality:
        return NATIONAL
    location = Location(zip=zip_code) if zip_code else Location(locality=locality)
    return Place(before.terms.locality(location), after.terms.locality(location), zip_code)


# --- The grid -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Causes:
    """What moved an amount, in dollars (module docstring): the three add up to the change."""

    cf: Decimal
    rvus: Decimal
    gpci: Decimal


@dataclass(frozen=True, slots=True)
class AmountChange:
    """One amount before and after, in one setting at one place; `causes` when both exist."""

    setting: Setting
    place: str
    before: Decimal | None
    after: Decimal | None
    change: Decimal | None
    percent: Decimal | None
    causes: Causes | None


@dataclass(frozen=True, slots=True)
class FieldChange:
    """A PPRRVU column whose value changed ("work RVU", "global days", ...)."""

    field: str
    before: str
    after: str


class RowStatus:
    """How a row differs between the releases."""

    ADDED = "added"
    DELETED = "deleted"
    NEWLY_NON_PAYABLE = "newly non-payable"
    NEWLY_PAYABLE = "newly payable"
    CHANGED = "changed"
    UNCHANGED = "unchanged"


@dataclass(frozen=True, slots=True)
class FeeRowChange:
    """A PPRRVU row (code and 26/TC) compared: its status, the columns that changed, and
    its amounts before and after at the places asked (national first)."""

    hcpcs: str
    modifier: str
    description: str
    status: str  # a RowStatus value
    status_before: str | None
    status_after: str | None
    fields: tuple[FieldChange, ...]
    amounts: tuple[AmountChange, ...]
    note: str = ""


# The PPRRVU columns compared, with the words a biller knows them by.
_FIELDS: tuple[tuple[str, str], ...] = (
    ("status", "status"),
    ("work", "work RVU"),
    ("pe_nonfacility", "non-facility PE RVU"),
    ("pe_facility", "facility PE RVU"),
    ("mp", "MP RVU"),
    ("pe_nonfacility_na", "non-facility NA"),
    ("pe_facility_na", "facility NA"),
    ("global_days", "global days"),
    ("mult_proc", "multiple procedure"),
    ("bilat_surg", "bilateral surgery"),
    ("asst_surg", "assistant at surgery"),
    ("co_surg", "co-surgeons"),
    ("team_surg", "team surgery"),
    ("pctc", "PC/TC"),
    ("opps_pe_nonfacility", "OPPS non-facility PE RVU"),
    ("opps_pe_facility", "OPPS facility PE RVU"),
    ("opps_mp", "OPPS MP RVU"),
)


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "NA" if value else "priced"
    return str(value)


_COMPARED = attrgetter(*(attr for attr, _ in _FIELDS))


def field_changes(before: RvuRow, after: RvuRow) -> tuple[FieldChange, ...]:
    """The compared PPRRVU columns whose values differ."""
    if _COMPARED(before) == _COMPARED(after):
        return ()
    out = []
    for attr, label in _FIELDS:
        old, new = getattr(before, attr), getattr(after, attr)
        if old != new:
            out.append(FieldChange(label, _text(old), _text(new)))
    return tuple(out)


@dataclass(frozen=True, eq=False)
class FeeGrid:
    """Every compared row x place x setting in dense integer columns: position
    `key * len(places) + place` of each column of `frame` holds the amounts (cents) of
    `keys[key]` at `places[place]` ("" national): `{step}_nf` and `{step}_f` for each step
    of STEPS. Null where a release lacks the row or locality or the row has no amount."""

    before: PfsSide
    after: PfsSide
    keys: tuple[tuple[str, str], ...]
    places: tuple[str, ...]
    frame: pl.DataFrame
    _key_ids: dict[tuple[str, str], int] = field(default_factory=dict, repr=False)
    _place_ids: dict[str, int] = field(default_factory=dict, repr=False)

    def key_id(self, key: tuple[str, str]) -> int | None:
        return self._key_ids.get(key)

    def place_id(self, locality: str) -> int | None:
        return self._place_ids.get(locality)

    def position(self, key: tuple[str, str], locality: str) -> int | None:
        k, p = self._key_ids.get(key), self._place_ids.get(locality)
        return None if k is None or p is None else k * len(self.places) + p

    def row_status(self, key: tuple[str, str]) -> str:
        """How the row differs (RowStatus), payability read from the national amounts."""
        old, new = self.before.rows.get(key), self.after.rows.get(key)
        if old is None:
            return RowStatus.ADDED
        if new is None:
            return RowStatus.DELETED
        paid = self.paid(key)
        if paid[0] and not paid[1]:
            return RowStatus.NEWLY_NON_PAYABLE
        if paid[1] and not paid[0]:
            return RowStatus.NEWLY_PAYABLE
        # CHANGED: a PPRRVU column moved. An UNCHANGED row's amount still moves with the CF
        # and the GPCIs.
        return RowStatus.CHANGED if _COMPARED(old) != _COMPARED(new) else RowStatus.UNCHANGED

    def paid(self, key: tuple[str, str]) -> tuple[bool, bool]:
        """Whether the row has an amount (nationally, non-facility) before and after."""
        k = self._key_ids.get(key)
        return (False, False) if k is None else self._paid[k]

    @cached_property
    def _paid(self) -> list[tuple[bool, bool]]:
        width = len(self.places)
        national = self.frame.select(
            pl.col("before_nf").gather_every(width).is_not_null(),
            pl.col("after_nf").gather_every(width).is_not_null(),
        )
        return list(national.iter_rows())

    def amount(self, key: tuple[str, str], setting: Setting, place: Place) -> AmountChange:
        """The amounts of one row in one setting at one place, with their causes."""
        return self.amounts([(key, setting, place)])[0]

    def amounts(
        self, wanted: Sequence[tuple[tuple[str, str], Setting, Place]]
    ) -> list[AmountChange]:
        """`amount` for many at once (one gather per column)."""
        suffix = {Setting.NON_FACILITY: "nf", Setting.FACILITY: "f"}
        first = [self.position(k, p.before) for k, _, p in wanted]
        last = [self.position(k, p.after) for k, _, p in wanted]
        taken = {
            step: _gather(self.frame, step, first if step != "after" else last) for step in STEPS
        }
        out = []
        for i, (_, setting, place) in enumerate(wanted):
            values = [taken[step][suffix[setting]][i] for step in STEPS]
            out.append(_change(setting, place.label, values))
        return out

    def row_change(self, key: tuple[str, str], places: Sequence[Place]) -> FeeRowChange:
        """One row compared, with its amounts at `places` in both settings."""
        return self.row_changes([key], places)[0]

    def row_changes(
        self, keys: Sequence[tuple[str, str]], places: Sequence[Place]
    ) -> list[FeeRowChange]:
        """`row_change` for many rows (their amounts gathered at once)."""
        wanted = [(k, s, p) for k in keys for p in places for s in Setting]
        amounts = self.amounts(wanted)
        width = len(places) * len(Setting)
        return [
            self._row_change(key, tuple(amounts[i * width : (i + 1) * width]))
            for i, key in enumerate(keys)
        ]

    def _row_change(self, key: tuple[str, str], amounts: tuple[AmountChange, ...]) -> FeeRowChange:
        old, new = self.before.rows.get(key), self.after.rows.get(key)
        either = new or old
        assert either is not None
        fields = field_changes(old, new) if old and new else ()
        if old and new and self.before.cf(old) != self.after.cf(new):
            cfs = FieldChange("CF", str(self.before.cf(old)), str(self.after.cf(new)))
            fields = (cfs, *fields)
        status = self.row_status(key)
        note = ""
        if status == RowStatus.NEWLY_NON_PAYABLE and new is not None:
            note = self.after.terms.status_message(new.status)
        elif status == RowStatus.NEWLY_PAYABLE and old is not None:
            note = f"no amount before: {self.before.terms.status_message(old.status)}"
        elif status == RowStatus.ADDED:
            note = f"new in {self.after.release.id}"
        elif status == RowStatus.DELETED:
            note = f"not in {self.after.release.id}"
        return FeeRowChange(
            key[0],
            key[1],
            either.description,
            status,
            old.status if old else None,
            new.status if new else None,
            fields,
            amounts,
            note,
        )

    def movers(
        self, setting: Setting, place: Place, *, limit: int
    ) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
        """The rows priced in both releases whose amount in `setting` at `place` rose most and
        fell most, in dollars (ties by code), at most `limit` each."""
        s = "nf" if setting is Setting.NON_FACILITY else "f"
        first, last = self.place_id(place.before), self.place_id(place.after)
        if first is None or last is None:
            return [], []
        width = len(self.places)
        frame = pl.DataFrame(
            {
                "k": pl.int_range(len(self.keys), dtype=pl.Int64, eager=True),
                "before": self.frame.get_column(f"before_{s}").gather_every(width, first),
                "after": self.frame.get_column(f"after_{s}").gather_every(width, last),
            }
        )
        changed = frame.drop_nulls().with_columns(change=pl.col("after") - pl.col("before"))
        up = changed.filter(pl.col("change") > 0).sort(["change", "k"], descending=[True, False])
        down = changed.filter(pl.col("change") < 0).sort(["change", "k"])
        keys = self.keys
        return (
            [keys[k] for k in up.get_column("k").head(limit)],
            [keys[k] for k in down.get_column("k").head(limit)],
        )


def _gather(frame: pl.DataFrame, step: str, at: list[int | None]) -> dict[str, list[int | None]]:
    index = pl.Series(at, dtype=pl.Int64)
    picked = frame.select(pl.col(f"{step}_nf"), pl.col(f"{step}_f"))
    return {
        s: picked.get_column(f"{step}_{s}").gather(index).to_list() if len(at) else []
        for s in ("nf", "f")
    }


def _change(setting: Setting, place: str, values: Sequence[int | None]) -> AmountChange:
    before, cf, rvus, after = values
    old, new = cents_to_money(before), cents_to_money(after)
    change = new - old if old is not None and new is not None else None
    causes = None
    if None not in values:
        assert before is not None and cf is not None and rvus is not None and after is not None
        causes = Causes(
            Decimal(cf - before).scaleb(-2),
            Decimal(rvus - cf).scaleb(-2),
            Decimal(after - rvus).scaleb(-2),
        )
    return AmountChange(setting, place, old, new, change, percent(change, old), causes)


def fee_grid(
    before: PfsSide,
    after: PfsSide,
    *,
    codes: Collection[str] | None = None,
    localities: Collection[str] | None = None,
) -> FeeGrid:
    """Every row of either release (only `codes` when given) at the national level and every
    locality of either release (only `localities` when given), both settings, the four steps
    of the substitution (module docstring)."""
    keys = sorted(k for k in set(before.rows) | set(after.rows) if codes is None or k[0] in codes)
    every = sorted(set(before.gpcis) | set(after.gpcis))
    places = ["", *(p for p in every if localities is None or p in localities)]
    key_ids = {k: i for i, k in enumerate(keys)}
    place_ids = {p: i for i, p in enumerate(places)}
    size = len(keys) * len(places)
    common = [k for k in keys if k in before.rows and k in after.rows]
    old_keys = [k for k in keys if k in before.rows]
    new_keys = [k for k in keys if k in after.rows]
    cf_after = {k: after.cf(after.rows[k]) for k in common}
    steps = {
        "before": (old_keys, before.rows, [before.cf(before.rows[k]) for k in old_keys], before),
        "cf": (common, before.rows, [cf_after[k] for k in common], before),
        "rvus": (common, after.rows, [cf_after[k] for k in common], before),
        "after": (new_keys, after.rows, [after.cf(after.rows[k]) for k in new_keys], after),
    }
    columns: dict[str, pl.Series] = {}
    for step, (step_keys, rows, cfs, gpci_side) in steps.items():
        step_places = [p for p in places if p == "" or p in gpci_side.gpcis]
        triples = [_NATIONAL if p == "" else gpci_side.gpcis[p] for p in step_places]
        place_ids_ = pl.Series([place_ids[p] for p in step_places], dtype=pl.Int64)
        dense = {s: pl.Series(dtype=pl.Int64).extend_constant(None, size) for s in ("nf", "f")}
        # Rows in chunks: the batch arithmetic joins every row with every place, and a
        # chunk keeps that intermediate table small (memory), not the answer.
        chunk = max(1, _CHUNK_CELLS // max(len(step_places), 1))
        for start in range(0, len(step_keys), chunk):
            part = step_keys[start : start + chunk]
            grid = batch.unit_amounts([rows[k] for k in part], cfs[start : start + chunk], triples)
            key_ids_ = pl.Series([key_ids[k] for k in part], dtype=pl.Int64)
            at = key_ids_.gather(grid.get_column("row")) * len(places) + place_ids_.gather(
                grid.get_column("gpci")
            )
            for source, suffix in (("nonfacility", "nf"), ("facility", "f")):
                dense[suffix] = dense[suffix].scatter(at, grid.get_column(source))
        for suffix, column in dense.items():
            columns[f"{step}_{suffix}"] = column
    frame = pl.DataFrame(columns)
    return FeeGrid(before, after, tuple(keys), tuple(places), frame, key_ids, place_ids)


def keys_of(grid: FeeGrid, statuses: Iterable[str]) -> dict[str, list[tuple[str, str]]]:
    """The grid's keys by RowStatus (only the statuses asked)."""
    out: dict[str, list[tuple[str, str]]] = {s: [] for s in statuses}
    wanted = set(out)
    for key in grid.keys:
        status = grid.row_status(key)
        if status in wanted:
            out[status].append(key)
    return out


@dataclass(frozen=True, slots=True)
class GridCount:
    """How the amounts of the rows priced in both releases moved, in one setting at one
    place: how many rose, fell or stayed, and the median change in percent."""

    setting: Setting
    place: str
    compared: int
    up: int
    down: int
    same: int
    median_percent: Decimal | None


def grid_count(grid: FeeGrid, setting: Setting, place: Place) -> GridCount:
    """`GridCount` of the grid's rows at `place` (its localities must be in the grid)."""
    s = "nf" if setting is Setting.NON_FACILITY else "f"
    first, last = grid.place_id(place.before), grid.place_id(place.after)
    if first is None or last is None:
        return GridCount(setting, place.label, 0, 0, 0, 0, None)
    width = len(grid.places)
    both = pl.DataFrame(
        {
            "before": grid.frame.get_column(f"before_{s}").gather_every(width, first),
            "after": grid.frame.get_column(f"after_{s}").gather_every(width, last),
        }
    ).drop_nulls()
    change = both.get_column("after") - both.get_column("before")
    priced = both.filter(pl.col("before") > 0)
    median = priced.select(
        ((pl.col("after") - pl.col("before")) * 1000 / pl.col("before")).median()
    ).item()
    return GridCount(
        setting,
        place.label,
        both.height,
        int((change > 0).sum()),
        int((change < 0).sum()),
        int((change == 0).sum()),
        None if median is None else (Decimal(str(median)) / 10).quantize(Decimal("0.1")),
    )
