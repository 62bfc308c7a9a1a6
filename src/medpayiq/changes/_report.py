"""One comparison of two loaded releases, whatever their family: `compare`.

    report = compare(reference, "RVU25D", "RVU26C", codes={"62323"}, zip_code="77030")

The family comes from the release ids: "RVU26C" is a physician fee schedule release,
"20261" a ZIP file, and "2026Q2" a quarter of whichever quarterly family (CLFS, DMEPOS,
NCCI) has both quarters loaded (`family` settles it when several have).

- Fee schedule (PFS): the rows of the codes asked (or the largest movers up and down) with
  their amounts nationally and at the place asked, in both settings, and what drove each
  change; the rows added, deleted, newly paid or no longer paid; the GPCIs and counties of
  the two releases' localities; the ZIP codes whose locality changed between the ZIP files in
  effect on the two releases' first days; a volume's impact.
- CLFS and DMEPOS: the rows added, deleted or changed (and a volume's impact on the CLFS).
- NCCI: add-on code edits, PTP pairs and MUEs, each table that is loaded for both quarters.
- ZIP: the ZIP codes that moved.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field, replace
from datetime import date
from typing import cast

from medpayiq.errors import DataError, InputError, ReleaseNotLoaded
from medpayiq.pricing import Setting
from medpayiq.records import LabFee
from medpayiq.reference import Confidence, Geography, ReferenceData
from medpayiq.releases import Family, Kind, Release, parse_release

from ._edits import EditChanges, addon_changes, mue_changes, ptp_changes
from ._fees import (
    NATIONAL,
    FeeRowChange,
    GridCount,
    PfsSide,
    Place,
    RowStatus,
    fee_grid,
    grid_count,
    keys_of,
    pfs_side,
    place_of,
)
from ._geography import LocalityChanges, ZipChanges, gpci_changes, zip_changes
from ._impact import VolumeImpact, pfs_impact
from ._schedules import DmeChanges, LabChanges, dme_changes, lab_changes, lab_impact
from ._volume import Volume

__all__ = ["ChangeReport", "FeeSummary", "ReleaseInfo", "compare", "family_of", "loaded"]

_KINDS = {
    Family.PFS: (Kind.PPRRVU,),
    Family.CLFS: (Kind.CLFS,),
    Family.DMEPOS: (Kind.DMEPOS,),
    Family.NCCI: (Kind.ADDON, Kind.PTP, Kind.MUE),
    Family.ZIP: (Kind.ZIP5,),
}
_QUARTER = re.compile(r"^\d{4}Q[1-4]$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class ReleaseInfo:
    """A release compared: its id and dates, and the files the comparison read."""

    id: str
    effective_from: date
    effective_to: date | None
    files: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class FeeSummary:
    """The fee schedule rows (code and 26/TC) of two releases counted by how they differ,
    the CFs applied, and how the amounts moved at each place asked."""

    rows_before: int
    rows_after: int
    counts: dict[str, int]  # RowStatus value -> rows
    cf_before: tuple[str, ...]
    cf_after: tuple[str, ...]
    gpci_before: str
    gpci_after: str
    amounts: tuple[GridCount, ...]


@dataclass(frozen=True)
class ChangeReport:
    """Everything `compare` found (module docstring); sections that do not apply to the
    family are None or empty. `notes` say what was not compared and why."""

    family: Family
    before: ReleaseInfo
    after: ReleaseInfo
    codes: tuple[str, ...]
    place: Place | None
    setting: Setting
    summary: FeeSummary | None
    rows: tuple[FeeRowChange, ...]
    increases: tuple[FeeRowChange, ...]
    decreases: tuple[FeeRowChange, ...]
    added: tuple[FeeRowChange, ...]
    deleted: tuple[FeeRowChange, ...]
    newly_non_payable: tuple[FeeRowChange, ...]
    newly_payable: tuple[FeeRowChange, ...]
    localities: LocalityChanges | None
    zips: ZipChanges | None
    edits: tuple[EditChanges, ...]
    labs: LabChanges | None
    dme: DmeChanges | None
    volume: VolumeImpact | None
    by_locality: tuple[GridCount, ...]
    notes: tuple[str, ...]
    locality_names: dict[str, str] = field(default_factory=dict)  # "04412-18" -> "HOUSTON"


def loaded(reference: ReferenceData, family: Family) -> list[str]:
    """The release ids of `family` that are loaded, oldest first."""
    kinds = _KINDS.get(family, ())
    found = {p.release for p in reference.datasets() if p.kind in kinds}
    return [r.id for r in sorted(found)]


def family_of(
    reference: ReferenceData, before: str, after: str, family: Family | None = None
) -> Family:
    """Which family two release ids belong to (module docstring). Raises InputError."""
    if family is not None:
        if family not in _KINDS:
            raise InputError(
                f"{family.value} releases cannot be compared: give pfs, clfs, dmepos, ncci or zip",
                parameter="kind",
            )
        return family
    ids = (before.strip().upper(), after.strip().upper())
    if all(i.startswith("RVU") for i in ids):
        return Family.PFS
    if all(i.isdigit() and len(i) == 5 for i in ids):
        return Family.ZIP
    if all(_QUARTER.match(i) for i in ids):
        both = [
            f
            for f in (Family.CLFS, Family.DMEPOS, Family.NCCI)
            if set(ids) <= set(loaded(reference, f))
        ]
        if len(both) == 1:
            return both[0]
        if not both:
            have = "; ".join(
                f"{f.value}: {', '.join(loaded(reference, f)) or 'none'}"
                for f in (Family.CLFS, Family.DMEPOS, Family.NCCI)
            )
            raise ReleaseNotLoaded(
                f"no quarterly family has both {ids[0]} and {ids[1]} loaded ({have})"
            )
        names = ", ".join(f.value for f in both)
        raise InputError(
            f"{ids[0]} and {ids[1]} are loaded for {names}: say which with kind",
            parameter="kind",
        )
    raise InputError(
        f'"{before}" and "{after}" are not two releases of one family: give fee schedule '
        "releases (RVU25D, RVU26C), quarters (2026Q1, 2026Q2) or ZIP files (20254, 20261)",
        parameter="from",
    )


def _release(family: Family, text: str, parameter: str) -> Release:
    try:
        return parse_release(family, text.strip().upper())
    except ValueError as exc:
        raise InputError(str(exc), parameter=parameter) from None


def _records(reference: ReferenceData, kind: Kind, release: str) -> list[object]:
    """A whole release's rows (the store reads them on first use)."""
    getter = getattr(reference, "release_records", None)
    if getter is None:
        raise DataError("this reference data cannot list a release's rows")
    rows: list[object] = getter(kind, release)
    return rows


def compare(
    reference: ReferenceData,
    before: str,
    after: str,
    *,
    family: Family | None = None,
    codes: Collection[str] | None = None,
    zip_code: str | None = None,
    locality: str | None = None,
    setting: Setting = Setting.NON_FACILITY,
    volume: Volume | None = None,
    limit: int = 25,
    all_localities: bool = False,
) -> ChangeReport:
    """Compare two loaded releases (module docstring). `limit` caps each list of movers and
    the volume lines listed. Raises InputError or ReleaseNotLoaded."""
    family = family_of(reference, before, after, family)
    first, second = _release(family, before, "from"), _release(family, after, "to")
    wanted = tuple(sorted({c.strip().upper() for c in codes})) if codes else ()
    if volume is not None and family not in (Family.PFS, Family.CLFS):
        raise InputError(
            "a volume file can be weighed against fee schedule releases (PFS or CLFS) only",
            parameter="volume",
        )
    if family is Family.PFS:
        return _pfs(reference, first.id, second.id, wanted, zip_code, locality, setting,
                    volume, limit, all_localities)  # fmt: skip
    if zip_code or locality:
        raise InputError(
            f"a ZIP or locality applies to fee schedule releases, not to {family.value}",
            parameter="zip" if zip_code else "locality",
        )
    empty = _empty(family, first, second, wanted, setting)
    if family is Family.ZIP:
        geo = (_geography(reference, first), _geography(reference, second))
        return _with(empty, zips=zip_changes(*geo), before=_info(first, geo[0]),
                     after=_info(second, geo[1]))  # fmt: skip
    if family is Family.CLFS:
        rows = (_records(reference, Kind.CLFS, first.id), _records(reference, Kind.CLFS, second.id))
        ids = (first.id, second.id)
        labs = lab_changes(ids, *rows, codes=wanted or None)  # type: ignore[arg-type]
        impact = None
        if volume is not None:
            impact = lab_impact(*rows, volume, releases=ids, limit=limit)  # type: ignore[arg-type]
        return _with(empty, labs=labs, volume=impact, before=_files(reference, first, Kind.CLFS),
                     after=_files(reference, second, Kind.CLFS))  # fmt: skip
    if family is Family.DMEPOS:
        rows = (_records(reference, Kind.DMEPOS, first.id),
                _records(reference, Kind.DMEPOS, second.id))  # fmt: skip
        dme = dme_changes((first.id, second.id), *rows, codes=wanted or None)  # type: ignore[arg-type]
        return _with(empty, dme=dme, before=_files(reference, first, Kind.DMEPOS),
                     after=_files(reference, second, Kind.DMEPOS))  # fmt: skip
    return _ncci(reference, empty, first, second, wanted)


def _empty(
    family: Family, first: Release, second: Release, codes: tuple[str, ...], setting: Setting
) -> ChangeReport:
    return ChangeReport(
        family, _bare(first), _bare(second), codes, None, setting, None, (), (), (), (), (), (),
        (), None, None, (), None, None, None, (), (),
    )  # fmt: skip


def _with(report: ChangeReport, **changes: object) -> ChangeReport:
    return replace(report, **changes)  # type: ignore[arg-type]


def _bare(release: Release) -> ReleaseInfo:
    return ReleaseInfo(release.id, release.effective_from, release.effective_to, ())


def _files(reference: ReferenceData, release: Release, *kinds: Kind) -> ReleaseInfo:
    files = tuple(
        p.file for p in reference.datasets() if p.kind in kinds and p.release.id == release.id
    )
    return ReleaseInfo(release.id, release.effective_from, release.effective_to, files)


def _info(release: Release, geography: Geography) -> ReleaseInfo:
    files = tuple(p.file for p in geography.vintage.provenance)
    return ReleaseInfo(release.id, release.effective_from, release.effective_to, files)


def _geography(reference: ReferenceData, release: Release) -> Geography:
    geography = reference.geography(release.effective_from)
    if geography.vintage.used.id != release.id:
        names = ", ".join(loaded(reference, Family.ZIP)) or "none"
        raise ReleaseNotLoaded(f"ZIP file {release.id} is not loaded; loaded: {names}")
    return geography


def _ncci(
    reference: ReferenceData,
    empty: ChangeReport,
    first: Release,
    second: Release,
    codes: tuple[str, ...],
) -> ChangeReport:
    ids, days = (first.id, second.id), (first.effective_from, second.effective_from)
    tables: list[EditChanges] = []
    notes: list[str] = []
    files: tuple[list[str], list[str]] = ([], [])
    for kind, label in ((Kind.ADDON, "add-on"), (Kind.PTP, "PTP"), (Kind.MUE, "MUE")):
        have = {p.release.id for p in reference.datasets() if p.kind is kind}
        if not set(ids) <= have:
            notes.append(
                f"{label}: not compared, {' and '.join(i for i in ids if i not in have)} "
                f"not loaded (loaded: {', '.join(sorted(have)) or 'none'})"
            )
            continue
        try:
            rows = (_records(reference, kind, ids[0]), _records(reference, kind, ids[1]))
        except DataError as exc:
            notes.append(f"{label}: not compared ({exc})")
            continue
        for side, release in enumerate(ids):
            files[side].extend(
                p.file for p in reference.datasets() if p.kind is kind and p.release.id == release
            )
        wanted = codes or None
        if kind is Kind.ADDON:
            tables.append(addon_changes(ids, days, *rows, codes=wanted))  # type: ignore[arg-type]
        elif kind is Kind.PTP:
            tables.append(ptp_changes(ids, days, *rows, codes=wanted))  # type: ignore[arg-type]
        else:
            tables.append(mue_changes(ids, *rows, codes=wanted))  # type: ignore[arg-type]
    for side, release in enumerate(ids):
        partial = [f for f in files[side] if "partial" in f.lower()]
        if partial:
            notes.append(
                f"{release}: {', '.join(partial)} is a partial file: edits missing from it "
                "show as added (their effective date says so)"
            )
    return _with(
        empty,
        edits=tuple(tables),
        notes=tuple(notes),
        before=ReleaseInfo(first.id, first.effective_from, first.effective_to, tuple(files[0])),
        after=ReleaseInfo(second.id, second.effective_from, second.effective_to, tuple(files[1])),
    )


def _pfs(
    reference: ReferenceData,
    first: str,
    second: str,
    codes: tuple[str, ...],
    zip_code: str | None,
    locality: str | None,
    setting: Setting,
    volume: Volume | None,
    limit: int,
    all_localities: bool,
) -> ChangeReport:
    before, after = pfs_side(reference, first), pfs_side(reference, second)
    place = place_of(before, after, zip_code=zip_code, locality=locality)
    places = [NATIONAL] if place.national else [NATIONAL, place]
    notes = [f"{side.release.id}: {note}" for side in (before, after) for note in _lowered(side)]
    if codes:
        unknown = [c for c in codes if not any(k[0] == c for k in (*before.rows, *after.rows))]
        if unknown:
            notes.append(f"not in either release: {', '.join(unknown)}")
    localities = None if all_localities else {p for p in (place.before, place.after) if p}
    grid = fee_grid(before, after, codes=set(codes) if codes else None, localities=localities)
    statuses = keys_of(grid, [RowStatus.ADDED, RowStatus.DELETED, RowStatus.NEWLY_NON_PAYABLE,
                              RowStatus.NEWLY_PAYABLE, RowStatus.CHANGED,
                              RowStatus.UNCHANGED])  # fmt: skip
    rows: tuple[FeeRowChange, ...] = ()
    ups: tuple[FeeRowChange, ...] = ()
    downs: tuple[FeeRowChange, ...] = ()
    if codes:
        rows = tuple(grid.row_changes(grid.keys, places))
    else:
        up, down = grid.movers(setting, place, limit=limit)
        ups = tuple(grid.row_changes(up, places))
        downs = tuple(grid.row_changes(down, places))
    listed = {
        status: tuple(grid.row_changes(statuses[status], [NATIONAL]))
        for status in (RowStatus.ADDED, RowStatus.DELETED, RowStatus.NEWLY_NON_PAYABLE,
                       RowStatus.NEWLY_PAYABLE)
    }  # fmt: skip
    summary = FeeSummary(
        len(before.rows),
        len(after.rows),
        {status: len(keys) for status, keys in statuses.items()},
        tuple(str(cf) for cf in before.conversion_factors()),
        tuple(str(cf) for cf in after.conversion_factors()),
        before.gpci_release,
        after.gpci_release,
        tuple(grid_count(grid, s, p) for p in places for s in Setting),
    )
    geo = _geographies(reference, before, after, notes)
    localities_changed = gpci_changes(before, after, geography_before=geo[0],
                                      geography_after=geo[1])  # fmt: skip
    zips = zip_changes(geo[0], geo[1]) if geo[0] and geo[1] else None
    impact = None
    if volume is not None:
        impact = _lab_hints(reference, pfs_impact(before, after, volume, limit=limit * 4,
                                                  grid=grid))  # fmt: skip
    by_locality: tuple[GridCount, ...] = ()
    if all_localities:
        by_locality = tuple(
            grid_count(grid, s, Place(loc, loc)) for loc in grid.places if loc for s in Setting
        )
    return ChangeReport(
        Family.PFS, _side_info(before), _side_info(after), codes, place, setting, summary, rows,
        ups, downs, listed[RowStatus.ADDED], listed[RowStatus.DELETED],
        listed[RowStatus.NEWLY_NON_PAYABLE], listed[RowStatus.NEWLY_PAYABLE],
        localities_changed, zips, (), None, None, impact, by_locality, tuple(notes),
        {**{k: g.name for k, g in before.localities.items()},
         **{k: g.name for k, g in after.localities.items()}},
    )  # fmt: skip


def _lab_hints(reference: ReferenceData, impact: VolumeImpact) -> VolumeImpact:
    """Lines not on the physician fee schedule whose code is on the newest loaded CLFS say
    so, and how to compare them."""
    quarters = loaded(reference, Family.CLFS)
    if not quarters or not impact.not_compared:
        return impact
    rows = cast(list[LabFee], _records(reference, Kind.CLFS, quarters[-1]))
    labs = {row.hcpcs for row in rows}
    how = f"compare CLFS quarters ({quarters[-2]} to {quarters[-1]})" if len(quarters) > 1 else (
        "on the CLFS, not the physician fee schedule")  # fmt: skip
    lines = tuple(
        replace(line, note=f"{line.note}: a clinical laboratory code, {how}")
        if line.hcpcs in labs and line.before is None and line.after is None
        else line
        for line in impact.not_compared
    )
    return replace(impact, not_compared=lines)


def _lowered(side: PfsSide) -> list[str]:
    fee = side.terms.fee
    return [
        v.note
        for v in (fee.vintage, *fee.component_vintages.values())
        if v.confidence is not Confidence.HIGH
    ]


def _geographies(
    reference: ReferenceData, before: PfsSide, after: PfsSide, notes: list[str]
) -> tuple[Geography | None, Geography | None]:
    found: list[Geography | None] = []
    for side in (before, after):
        try:
            geography = reference.geography(side.day)
        except ReleaseNotLoaded as exc:
            notes.append(f"ZIP codes not compared: {exc}")
            found.append(None)
            continue
        if geography.vintage.confidence is not Confidence.HIGH:
            notes.append(f"{side.release.id}: {geography.vintage.note}")
        found.append(geography)
    return found[0], found[1]


def _side_info(side: PfsSide) -> ReleaseInfo:
    return ReleaseInfo(side.release.id, side.release.effective_from, side.release.effective_to,
                       side.files)  # fmt: skip
