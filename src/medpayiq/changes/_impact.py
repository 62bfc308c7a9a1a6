"""What a fee schedule change is worth to a practice: its volume priced by both releases.

Each distinct volume line (code, modifier, place of service, ZIP or locality) is located
once: its PPRRVU row (the global, 26 or TC row the engine prices it from), its setting (the
engine's own reading of the place of service) and its locality in each release (a ZIP is
looked up in each release's own ZIP file, so a ZIP that moved locality is priced where it
was and where it is). Its one-unit amounts and their causes are then gathered from the
fee grid, all lines at once; the impact is the change of the one-unit amount times the
units, and so are its causes, so they still add up to it.

A line whose modifiers change the amount in other ways (50, 80, 62, ...) is priced by the
line engine in each release instead (`pricing.price_line`, one unit); its change has no
causes and is counted apart (`VolumeImpact.unattributed`). A line priced in only one of the
releases (a new or deleted code, a code no longer paid) is not part of the total: it is
listed with the reason, and the amount billed before on codes no longer paid is summed in
`no_longer_paid`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import polars as pl

from medpayiq import pricing
from medpayiq.errors import InputError
from medpayiq.pricing import LineRequest, Location, Setting

from ._fees import Causes, FeeGrid, PfsSide, Place, cents_to_money, fee_grid, percent, place_of
from ._volume import Volume, VolumeProblem

__all__ = ["CodeImpact", "ImpactLine", "VolumeImpact", "pfs_impact"]

_SETTINGS = {s.value: s for s in Setting}


@dataclass(frozen=True, slots=True)
class ImpactLine:
    """A distinct volume line: one unit before and after, and the change times the units."""

    hcpcs: str
    modifier: str
    setting: Setting | None
    place: str
    units: int
    lines: int
    first_line: int
    before: Decimal | None
    after: Decimal | None
    change: Decimal | None
    impact: Decimal | None
    causes: Causes | None
    note: str = ""


@dataclass(frozen=True, slots=True)
class CodeImpact:
    """A code's lines together (modifiers, settings and places summed)."""

    hcpcs: str
    units: int
    before: Decimal
    after: Decimal
    impact: Decimal
    percent: Decimal | None
    causes: Causes | None  # None on a schedule with one national rate (CLFS)


@dataclass(frozen=True, slots=True)
class VolumeImpact:
    """The volume priced by both releases. `total_change` = `causes` (cf + rvus + gpci) +
    `unattributed` (lines the line engine priced). `lines` holds the largest impacts
    first (at most `limit`), `not_compared` the lines priced in one release only."""

    source: str
    lines_read: int
    lines_compared: int
    units_compared: int
    total_before: Decimal
    total_after: Decimal
    total_change: Decimal
    percent: Decimal | None
    causes: Causes | None  # None on a schedule with one national rate (CLFS)
    unattributed: Decimal
    no_longer_paid: Decimal
    by_code: tuple[CodeImpact, ...]
    lines: tuple[ImpactLine, ...]
    not_compared: tuple[ImpactLine, ...]
    problems: tuple[VolumeProblem, ...]
    problem_count: int


def _money(cents: int | None) -> Decimal:
    found = cents_to_money(cents)
    return found if found is not None else Decimal("0.00")


def pfs_impact(
    before: PfsSide,
    after: PfsSide,
    volume: Volume,
    *,
    limit: int = 100,
    grid: FeeGrid | None = None,
) -> VolumeImpact:
    """Price `volume` in both releases (module docstring). `grid` may be given when it
    already covers the volume's codes and places (every code and locality, say)."""
    frame = volume.frame
    problems = list(volume.problems)
    count = volume.problem_count
    located, places, more = _locate(before, after, frame)
    problems.extend(more)
    count += len(more)
    located = located.filter(pl.col("error").is_null())
    # Only the codes of the fee schedule: the others are listed, not priced.
    known = {k[0] for k in before.rows} | {k[0] for k in after.rows}
    codes = set(located.get_column("hcpcs").unique().to_list()) & known
    localities = {p for place in places for p in (place.before, place.after) if p}
    if grid is None or not _covers(grid, codes, localities):
        grid = fee_grid(before, after, codes=codes, localities=localities)
    vector = located.filter(pl.col("rmod").is_not_null())
    priced = _gather(grid, vector, places)
    engine = _engine_lines(before, after, located.filter(pl.col("rmod").is_null()), places)
    return _summarise(volume, grid, priced, engine, places, problems, count, limit)


def _covers(grid: FeeGrid, codes: set[str], localities: set[str]) -> bool:
    have = {k[0] for k in grid.keys}
    return codes <= have and all(grid.place_id(p) is not None for p in localities)


def _locate(
    before: PfsSide, after: PfsSide, frame: pl.DataFrame
) -> tuple[pl.DataFrame, list[Place], list[VolumeProblem]]:
    """Each line's row modifier (null: the line engine prices it), setting and place index,
    or an error for lines that cannot be priced (bad place of service, unknown ZIP...)."""
    terms = after.terms
    rmods = {m: terms.row_modifier(m) for m in frame.get_column("modifier").unique()}
    settings: dict[str, str] = {}
    errors: dict[str, str] = {}
    for pos in frame.get_column("pos").unique():
        try:
            settings[pos] = terms.setting(pos or None).value
        except InputError as exc:
            errors[f"pos\t{pos}"] = str(exc)
    places: list[Place] = []
    place_ids: dict[str, int] = {}
    for zip5, locality in frame.select("zip", "locality").unique().rows():
        key = f"{zip5}|{locality}"
        try:
            place = place_of(before, after, zip_code=zip5 or None,
                             locality=None if zip5 else locality or None)  # fmt: skip
        except InputError as exc:
            errors[f"place\t{key}"] = str(exc)
            continue
        place_ids[key] = len(places)
        places.append(place)
    located = frame.with_columns(
        rmod=pl.col("modifier").replace_strict(rmods, default=None, return_dtype=pl.String),
        setting=pl.col("pos").replace_strict(settings, default=None, return_dtype=pl.String),
        place=(pl.col("zip") + "|" + pl.col("locality")).replace_strict(
            place_ids, default=None, return_dtype=pl.Int64
        ),
    ).with_columns(
        error=pl.coalesce(
            pl.when(pl.col("setting").is_null()).then(
                ("pos\t" + pl.col("pos")).replace_strict(errors, default=None,
                                                         return_dtype=pl.String)
            ),
            pl.when(pl.col("place").is_null()).then(
                ("place\t" + pl.col("zip") + "|" + pl.col("locality")).replace_strict(
                    errors, default=None, return_dtype=pl.String
                )
            ),
        ),
        error_column=pl.when(pl.col("setting").is_null()).then(pl.lit("pos"))
        .when(pl.col("zip") != "").then(pl.lit("zip"))
        .otherwise(pl.lit("locality")),
    )  # fmt: skip
    bad = located.filter(pl.col("error").is_not_null())
    found = [VolumeProblem(*row) for row in bad.select("line", "error_column", "error").rows()]
    return located, places, found


def _gather(grid: FeeGrid, lines: pl.DataFrame, places: Sequence[Place]) -> pl.DataFrame:
    """Each line's four amounts (cents, one unit) in its setting, from the grid."""
    keys = pl.DataFrame(
        {
            "hcpcs": [k[0] for k in grid.keys],
            "rmod": [k[1] for k in grid.keys],
            "k": pl.int_range(len(grid.keys), dtype=pl.Int64, eager=True),
        }
    )
    width = len(grid.places)
    first = pl.Series([grid.place_id(p.before) for p in places], dtype=pl.Int64)
    last = pl.Series([grid.place_id(p.after) for p in places], dtype=pl.Int64)
    located = lines.join(keys, on=["hcpcs", "rmod"], how="left", maintain_order="left")
    place = located.get_column("place")
    located = located.with_columns(
        first=pl.col("k") * width + first.gather(place),
        last=pl.col("k") * width + last.gather(place),
        facility=pl.col("setting") == Setting.FACILITY.value,
    )
    g = grid.frame
    columns = {}
    for step in ("before", "cf", "rvus", "after"):
        at = located.get_column("last" if step == "after" else "first")
        nf = g.get_column(f"{step}_nf").gather(at)
        f = g.get_column(f"{step}_f").gather(at)
        columns[step] = pl.select(
            pl.when(located.get_column("facility")).then(f).otherwise(nf)
        ).to_series()
    return located.with_columns(**columns)


def _engine_lines(
    before: PfsSide, after: PfsSide, lines: pl.DataFrame, places: Sequence[Place]
) -> pl.DataFrame:
    """Lines whose modifiers change the amount beyond the 26/TC rows: one unit priced by
    the line engine in each release (no causes)."""
    out: dict[str, list[object]] = {"before": [], "after": [], "note": []}
    for hcpcs, modifier, setting, place_id in lines.select(
        "hcpcs", "modifier", "setting", "place"
    ).rows():
        place = places[place_id]
        amounts: list[int | None] = []
        notes: list[str] = []
        for side, locality in ((before, place.before), (after, place.after)):
            request = LineRequest(
                hcpcs,
                side.day,
                tuple(m for m in modifier.split(",") if m),
                location=Location(locality=locality) if locality else Location(),
                setting=_SETTINGS[setting],
            )
            try:
                result = pricing.price_line(side.terms.reference, request)
            except InputError as exc:
                amounts.append(None)
                notes.append(f"{side.release.id}: {exc}")
                continue
            amounts.append(None if result.allowed is None else int(result.allowed * 100))
            if result.allowed is None:
                notes.append(f"{side.release.id}: {result.message}")
        out["before"].append(amounts[0])
        out["after"].append(amounts[1])
        out["note"].append("; ".join(notes) or "priced by the line engine (modifiers)")
    return lines.with_columns(
        before=pl.Series(out["before"], dtype=pl.Int64),
        after=pl.Series(out["after"], dtype=pl.Int64),
        note=pl.Series(out["note"], dtype=pl.String),
    )


def _summarise(
    volume: Volume,
    grid: FeeGrid,
    priced: pl.DataFrame,
    engine: pl.DataFrame,
    places: Sequence[Place],
    problems: list[VolumeProblem],
    problem_count: int,
    limit: int,
) -> VolumeImpact:
    units = pl.col("units")
    both = pl.col("before").is_not_null() & pl.col("after").is_not_null()
    vector = priced.filter(both).with_columns(
        b=pl.col("before") * units,
        a=pl.col("after") * units,
        c_cf=(pl.col("cf") - pl.col("before")) * units,
        c_rvus=(pl.col("rvus") - pl.col("cf")) * units,
        c_gpci=(pl.col("after") - pl.col("rvus")) * units,
    )
    other = engine.filter(both).with_columns(
        b=pl.col("before") * units, a=pl.col("after") * units,
        c_cf=pl.lit(0, pl.Int64), c_rvus=pl.lit(0, pl.Int64), c_gpci=pl.lit(0, pl.Int64),
    )  # fmt: skip
    sums = ["b", "a", "c_cf", "c_rvus", "c_gpci"]
    compared = pl.concat(
        [vector.select("hcpcs", "units", "lines", *sums),
         other.select("hcpcs", "units", "lines", *sums)]
    )  # fmt: skip
    totals = compared.select(pl.col(c).sum() for c in ("units", "lines", *sums)).row(0, named=True)
    unattributed = int(other.select((pl.col("a") - pl.col("b")).sum()).item() or 0)
    by_code = (
        compared.group_by("hcpcs")
        .agg(pl.col(c).sum() for c in ("units", *sums))
        .with_columns(change=pl.col("a") - pl.col("b"))
        .sort([pl.col("change").abs(), "hcpcs"], descending=[True, False])
    )
    code_rows = tuple(
        CodeImpact(
            r["hcpcs"], int(r["units"]), _money(r["b"]), _money(r["a"]), _money(r["change"]),
            percent(_money(r["change"]), _money(r["b"])),
            Causes(_money(r["c_cf"]), _money(r["c_rvus"]), _money(r["c_gpci"])),
        )
        for r in by_code.iter_rows(named=True)
    )  # fmt: skip
    lines = _lines(grid, vector, other, places, limit)
    lost_frame = pl.concat(
        [priced.select("hcpcs", "modifier", "setting", "place", "units", "lines", "line",
                       "before", "after", pl.lit("").alias("note")),
         engine.select("hcpcs", "modifier", "setting", "place", "units", "lines", "line",
                       "before", "after", "note")]
    ).filter(~both)  # fmt: skip
    not_compared = tuple(_missing(grid, r, places) for r in lost_frame.iter_rows(named=True))
    no_longer = lost_frame.filter(pl.col("before").is_not_null()).select(
        (pl.col("before") * pl.col("units")).sum()
    )
    total_b, total_a = _money(totals["b"]), _money(totals["a"])
    change = total_a - total_b
    return VolumeImpact(
        volume.source,
        volume.lines_read,
        int(totals["lines"] or 0),
        int(totals["units"] or 0),
        total_b,
        total_a,
        change,
        percent(change, total_b),
        Causes(_money(totals["c_cf"]), _money(totals["c_rvus"]), _money(totals["c_gpci"])),
        _money(unattributed),
        _money(no_longer.item() or 0),
        code_rows,
        lines,
        not_compared,
        tuple(problems[:200]),
        problem_count,
    )


def _lines(
    grid: FeeGrid,
    vector: pl.DataFrame,
    other: pl.DataFrame,
    places: Sequence[Place],
    limit: int,
) -> tuple[ImpactLine, ...]:
    columns = ["hcpcs", "modifier", "setting", "place", "units", "lines", "line", "before",
               "after", "b", "a", "c_cf", "c_rvus", "c_gpci"]  # fmt: skip
    both = pl.concat(
        [
            vector.select(*columns, has_causes=pl.lit(True), note=pl.lit("")),
            other.select(*columns, has_causes=pl.lit(False), note=pl.col("note")),
        ]
    ).with_columns(impact=pl.col("a") - pl.col("b"))
    top = both.sort([pl.col("impact").abs(), "line"], descending=[True, False]).head(limit)
    out = []
    for r in top.iter_rows(named=True):
        before, after = _money(r["before"]), _money(r["after"])
        causes = (
            Causes(_money(r["c_cf"]), _money(r["c_rvus"]), _money(r["c_gpci"]))
            if r["has_causes"]
            else None
        )
        out.append(
            ImpactLine(
                r["hcpcs"], r["modifier"], _SETTINGS[r["setting"]], places[r["place"]].label,
                int(r["units"]), int(r["lines"]), int(r["line"]), before, after,
                after - before, _money(r["impact"]), causes, r["note"],
            )
        )  # fmt: skip
    return tuple(out)


def _missing(grid: FeeGrid, r: dict[str, Any], places: Sequence[Place]) -> ImpactLine:
    """A line priced in one release only, with the reason."""
    hcpcs, modifier = r["hcpcs"], r["modifier"]
    key = (hcpcs, modifier if modifier in ("26", "TC") else "")
    old, new = grid.before.rows.get(key), grid.after.rows.get(key)
    first, second = grid.before, grid.after
    split = key[1] and any((hcpcs, "") in side.rows for side in (first, second))
    if r["note"]:
        why = r["note"]
    elif old is None and new is None and split:
        why = f"{hcpcs} has no {key[1]} row: modifier {key[1]} does not apply to it (PC/TC)"
    elif old is None and new is None:
        why = "not in either fee schedule release"
    elif old is None:
        why = f"new in {second.release.id}: no amount before"
    elif new is None:
        why = f"not in {second.release.id}"
    elif r["after"] is None:
        why = f"no amount in {second.release.id}: {second.terms.status_message(new.status)}"
    else:
        why = f"no amount in {first.release.id}: {first.terms.status_message(old.status)}"
    place = places[r["place"]].label if r["place"] is not None else ""
    return ImpactLine(
        hcpcs, modifier, _SETTINGS.get(r["setting"]), place, r["units"], r["lines"], r["line"],
        cents_to_money(r["before"]), cents_to_money(r["after"]), None, None, None, why,
    )  # fmt: skip
