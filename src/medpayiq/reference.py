"""Reference data as the pure layers see it: resolved for a date of service, with provenance.

`pricing`, `edits` and `knowledge` never open a database or a file. They are handed a
`ReferenceData` (the protocol below) and ask it questions named after the domain:
"the fee schedule in effect on 2026-07-15", "the NCCI tables for that date". Two
implementations exist:

- `Catalog` (this module): everything in memory, built from parsed records. Tests and the
  library use it directly; the store builds one from the database for the small datasets.
- the store's adapter, which answers NCCI look-ups from the database (2.5M PTP rows do not
  belong in memory) and hands the rest to a `Catalog`.

Which release answers a date is decided here, once, by `resolve`: the release the calendar
puts in effect if it is loaded; otherwise the closest loaded one (the latest earlier, else the
earliest later) with a lower confidence and a note that names the release that would apply.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Callable, Collection, Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from enum import StrEnum
from functools import cached_property
from types import MappingProxyType
from typing import Any, Protocol, TypeVar

from medpayiq.errors import ReleaseNotLoaded
from medpayiq.records import (
    AddonEdit,
    AdjustmentCode,
    AnesthesiaCf,
    ArticleCode,
    ArticleContractor,
    CoveredDiagnosis,
    Gpci,
    HcpcsLevel2,
    IcdCode,
    LocalityCounties,
    LocalityId,
    Modifier,
    MueEdit,
    OppsCap,
    PlaceOfService,
    PtpEdit,
    RvuRow,
    ZipLocality,
)
from medpayiq.releases import Family, Kind, Release, release_for


class Confidence(StrEnum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"

    def __lt__(self, other: object) -> bool:  # LOW < MEDIUM < HIGH
        if not isinstance(other, Confidence):
            return NotImplemented
        order = [Confidence.LOW, Confidence.MEDIUM, Confidence.HIGH]
        return order.index(self) < order.index(other)


@dataclass(frozen=True)
class Provenance:
    """Where a dataset came from: the file as published and when it was loaded."""

    kind: Kind
    release: Release
    file: str
    sha256: str
    rows: int
    variant: str = ""
    loaded_at: datetime | None = None


@dataclass(frozen=True)
class Vintage:
    """The release used for a date, the release the calendar puts in effect, and why they
    differ when they do. `confidence` is HIGH only when they are the same (or the dataset is
    set for the year and the year matches)."""

    wanted: Release
    used: Release
    confidence: Confidence
    note: str
    provenance: tuple[Provenance, ...] = ()

    @property
    def exact(self) -> bool:
        return self.wanted.id == self.used.id


# Kinds whose content CMS sets once a year and republishes unchanged in later quarters.
ANNUAL_KINDS = frozenset({Kind.GPCI, Kind.LOCCO, Kind.ANES})


def resolve(
    family: Family,
    loaded: Iterable[Release],
    day: date,
    *,
    kind_label: str,
    same_year_only: bool = False,
    annual: bool = False,
) -> tuple[Release, Release, Confidence, str]:
    """Choose the loaded release for `day`. Returns (used, wanted, confidence, note).

    Raises ReleaseNotLoaded when nothing is loaded, or (with `same_year_only`) when nothing
    loaded is of the same calendar year; the message names what to load."""
    wanted = release_for(family, day)
    candidates = sorted(set(loaded))
    if same_year_only:
        candidates = [r for r in candidates if r.effective_from.year == day.year]
    if not candidates:
        raise ReleaseNotLoaded(
            f"no {kind_label} release is loaded for {day.isoformat()}: load {wanted.id} "
            f"(medpayiq data load --source PATH)"
        )
    for release in candidates:
        if release.id == wanted.id:
            return (
                release,
                wanted,
                Confidence.HIGH,
                f"{kind_label} {release.id} is in effect on {day}",
            )
    earlier = [r for r in candidates if r.effective_from <= day]
    used = earlier[-1] if earlier else candidates[0]
    same_year = used.effective_from.year == wanted.effective_from.year
    if annual and same_year and used.effective_from <= day:
        note = f"{kind_label} {used.id} used: it is set for {day.year} and later releases repeat it"
        return used, wanted, Confidence.HIGH, note
    confidence = Confidence.MEDIUM if same_year else Confidence.LOW
    note = (
        f"{kind_label} {wanted.id} applies to {day} but is not loaded; "
        f"{used.id} ({used.effective_from} to {used.effective_to or 'open'}) used instead"
    )
    return used, wanted, confidence, note


# --- Snapshots handed to the pure layers ---------------------------------------------------


@dataclass(frozen=True)
class FeeSchedule:
    """The physician fee schedule for one date of service: PPRRVU rows by (HCPCS, modifier),
    GPCIs and anesthesia CFs by locality, OPPS caps, and the vintage of each component.

    `work_gpci_floor` says which 2026 work GPCI column applies (with the 1.0 floor or not);
    before 2026 the files have one column and it is True."""

    vintage: Vintage  # of the PPRRVU file; the others are in `component_vintages`
    rvus: Mapping[tuple[str, str], RvuRow]
    gpcis: Mapping[LocalityId, Gpci]
    anesthesia: Mapping[LocalityId, AnesthesiaCf]
    opps_caps: Mapping[tuple[str, str, LocalityId], OppsCap]
    component_vintages: Mapping[Kind, Vintage]
    work_gpci_floor: bool = True
    qp: bool = False

    @property
    def confidence(self) -> Confidence:
        return min(
            [self.vintage.confidence, *(v.confidence for v in self.component_vintages.values())]
        )


@dataclass(frozen=True)
class Geography:
    """Where a claim is: ZIP5 rows by ZIP, localities (from GPCI) and LOCCO county lines."""

    vintage: Vintage
    zips: Mapping[str, tuple[ZipLocality, ...]]
    counties: Sequence[LocalityCounties]


class NcciTables(Protocol):
    """NCCI practitioner edits for one date of service."""

    @property
    def vintage(self) -> Vintage: ...

    @property
    def epoch(self) -> Epoch:
        """The same object for every date whose tables answer every question below alike
        (the same rows and release used, the same confidence, the same edits in force), so
        a caller may key what it derives on the epoch instead of the date. Only the
        vintage's note differs: it names the date."""
        ...

    def ptp_among(self, codes: Collection[str]) -> list[PtpEdit]:
        """Every PTP edit whose column 1 and column 2 are both in `codes`, in force on the date."""
        ...

    def ptp_for(self, code: str) -> list[PtpEdit]:
        """Edits with `code` in column 1 (for code pages), in force on the date."""
        ...

    def mue(self, hcpcs: str) -> MueEdit | None: ...

    def addon_primaries(self, addon: str) -> list[AddonEdit]:
        """Add-on edit rows for an add-on code (empty if it is not an add-on code)."""
        ...


@dataclass(frozen=True)
class IcdTable:
    """ICD-10-CM for one fiscal year: codes without dots."""

    vintage: Vintage
    codes: Mapping[str, IcdCode]

    def get(self, code: str) -> IcdCode | None:
        return self.codes.get(code.replace(".", "").strip().upper())

    def billable_children(self, code: str) -> list[IcdCode]:
        prefix = code.replace(".", "").strip().upper()
        return [
            c for k, c in self.codes.items() if k.startswith(prefix) and k != prefix and c.billable
        ]


@dataclass(frozen=True)
class Coverage:
    """Medicare Coverage Database articles: which codes an article covers, with which
    diagnoses, for which contractors. Empty when no export is loaded."""

    vintage: Vintage | None
    article_codes: Sequence[ArticleCode]
    diagnoses: Sequence[CoveredDiagnosis]
    contractors: Sequence[ArticleContractor]


@dataclass(frozen=True)
class CodeSets:
    """Small code sets: CARC/RARC, place of service, modifiers, HCPCS Level II."""

    adjustments: Mapping[str, AdjustmentCode]
    places_of_service: Mapping[str, PlaceOfService]
    modifiers: Mapping[str, Modifier]
    hcpcs_level2: Mapping[str, HcpcsLevel2]
    provenance: tuple[Provenance, ...] = ()


class ReferenceData(Protocol):
    """What the pure layers may ask. Implementations cache; every answer is immutable."""

    def fee_schedule(self, day: date, *, qp: bool = False) -> FeeSchedule: ...

    def geography(self, day: date) -> Geography: ...

    def ncci(self, day: date) -> NcciTables: ...

    def icd10cm(self, day: date) -> IcdTable: ...

    def code_sets(self) -> CodeSets: ...

    def coverage(self) -> Coverage: ...

    def datasets(self) -> list[Provenance]: ...

    def vintage(self, kind: Kind, day: date, *, label: str) -> Vintage:
        """Which release of `kind` `snapshot` would answer `day` from (same calendar year),
        without reading its rows; ReleaseNotLoaded when none is loaded."""
        ...

    def snapshot(
        self, kind: Kind, day: date, build: Callable[[Sequence[Any]], Any], *, label: str
    ) -> tuple[Any, Vintage]:
        """The rows of `kind` in effect on `day` (a release of the same calendar year;
        ReleaseNotLoaded otherwise), indexed by `build` once per dataset, with their vintage.
        Fee schedules other than the PFS build their snapshots with it
        (`medpayiq.schedules`)."""
        ...


@dataclass(frozen=True, eq=False)
class Epoch:
    """A span of dates on which a table answers alike (see `NcciTables.epoch`). Compared by
    identity: the reference hands out one object per span and dataset."""

    label: str


def edit_boundaries(edits: Sequence[PtpEdit | AddonEdit]) -> tuple[date, ...]:
    """The days on which an edit comes into force or stops applying, sorted: two dates with
    no boundary in (first, second] see the same edits in force (`edit_in_force`)."""
    return boundaries_of({e.effective for e in edits}, {e.deletion for e in edits})


def boundaries_of(
    effective: Iterable[date | None], deletion: Iterable[date | None]
) -> tuple[date, ...]:
    """`edit_boundaries` from the distinct effective and deletion dates of some edits."""
    days = {d for d in effective if d is not None}
    days.update(d + timedelta(days=1) for d in deletion if d is not None)
    return tuple(sorted(days))


def epoch_index(boundaries: Sequence[date], day: date) -> int:
    """Which span between `boundaries` (from `edit_boundaries`) `day` falls in."""
    return bisect_right(boundaries, day)


def edit_in_force(edit: PtpEdit | AddonEdit, day: date) -> bool:
    """Whether an NCCI edit applies on `day`. CMS's deletion date is the last day the edit
    applies: deletions fall on quarter ends (Dec 31, Mar 31, ...), the day before the quarterly
    release that drops them. An edit deleted on its effective date never applied."""
    if edit.effective and edit.effective > day:
        return False
    if edit.deletion is None:
        return True
    if edit.effective and edit.deletion <= edit.effective:
        return False
    return day <= edit.deletion


# --- In-memory implementation --------------------------------------------------------------

_NONE: Mapping[Any, Any] = MappingProxyType({})


def _by_zip(rows: Iterable[ZipLocality]) -> dict[str, tuple[ZipLocality, ...]]:
    # Tuples straight away: all but a few dozen of a file's 43,000 ZIPs have one row, so a
    # list per ZIP converted at the end cost six times as much (135 ms -> 20 ms a file).
    zips: dict[str, tuple[ZipLocality, ...]] = {}
    found = zips.get
    for row in rows:
        before = found(row.zip5)
        zips[row.zip5] = (row,) if before is None else (*before, row)
    return zips


def _ptp_by_column1(rows: Iterable[PtpEdit]) -> dict[str, list[PtpEdit]]:
    found: dict[str, list[PtpEdit]] = defaultdict(list)
    for edit in rows:
        found[edit.column1].append(edit)
    return dict(found)


def _mue_by_code(rows: Iterable[MueEdit]) -> dict[str, MueEdit]:
    return {m.hcpcs: m for m in rows}


def _addons_by_addon(rows: Iterable[AddonEdit]) -> dict[str, list[AddonEdit]]:
    found: dict[str, list[AddonEdit]] = defaultdict(list)
    for a in rows:
        found[a.addon].append(a)
    return dict(found)


def _icd_by_code(rows: Iterable[IcdCode]) -> dict[str, IcdCode]:
    return {c.code: c for c in rows}


def rvus_by_key(rows: Iterable[RvuRow]) -> dict[tuple[str, str], RvuRow]:
    """PPRRVU rows by (HCPCS, modifier): `FeeSchedule.rvus`."""
    return {(r.hcpcs, r.modifier): r for r in rows}


# The keyed indexes a store may answer one key at a time instead of reading the whole
# dataset (`medpayiq.store`): the index builder, and the record fields that make its key.
_Build = TypeVar("_Build", bound=Callable[..., Mapping[Any, Any]])
POINT_INDEXES: dict[Any, tuple[str, ...]] = {
    rvus_by_key: ("hcpcs", "modifier"),
    _by_zip: ("zip5",),
    _icd_by_code: ("code",),
}


def point_index(*fields: str) -> Callable[[_Build], _Build]:
    """Register an index builder of a plug-in's snapshot (`ReferenceData.snapshot`) as one a
    store may answer one key at a time (`POINT_INDEXES`): `build(records)` must return a
    mapping whose key is the record `fields` (one field: the value itself), and whose value
    for a key is built from that key's records alone."""

    def register(build: _Build) -> _Build:
        POINT_INDEXES[build] = fields
        return build

    return register


def _built_already() -> Mapping[str, Any]:
    raise AssertionError("built once")


class _OnFirstUse(Mapping[str, Any]):
    """A mapping built on first use: a question that never reads it never pays for it (one
    price does not read the HCPCS Level II list)."""

    def __init__(self, build: Callable[[], Mapping[str, Any]]) -> None:
        self._build = build
        self._built: Mapping[str, Any] | None = None

    def _data(self) -> Mapping[str, Any]:
        if self._built is None:
            self._built = self._build()
            # The builder holds the catalog that made it: let it go with that catalog (a
            # store reference after a load may keep these code sets, `StoreReference.inherit`).
            self._build = _built_already
        return self._built

    def __getitem__(self, key: str) -> Any:
        return self._data()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data())

    def __len__(self) -> int:
        return len(self._data())

    @property
    def built(self) -> bool:
        return self._built is not None


def _dataset_key(dataset: Dataset) -> tuple[tuple[Any, ...], ...]:
    """What names a dataset's rows: each file's kind, release, variant, name and sha256."""
    return tuple((p.kind, p.release.id, p.variant, p.file, p.sha256) for p in dataset.sources)


@dataclass
class Dataset:
    """A dataset's records; `parts` when several files make one release (PTP f1-f4)."""

    provenance: Provenance
    records: list[Any]
    parts: tuple[Provenance, ...] = ()

    @property
    def sources(self) -> tuple[Provenance, ...]:
        return self.parts or (self.provenance,)


@dataclass
class _MemoryNcci:
    vintage: Vintage
    day: date
    ptp: Mapping[str, list[PtpEdit]]
    mues: Mapping[str, MueEdit]
    addons: Mapping[str, list[AddonEdit]]
    epoch_of: Callable[[], Epoch]  # asked once: it reads every edit's dates

    @cached_property
    def epoch(self) -> Epoch:
        return self.epoch_of()

    def ptp_for(self, code: str) -> list[PtpEdit]:
        return [e for e in self.ptp.get(code, ()) if edit_in_force(e, self.day)]

    def ptp_among(self, codes: Collection[str]) -> list[PtpEdit]:
        wanted = set(codes)
        return [e for c in wanted for e in self.ptp_for(c) if e.column2 in wanted]

    def mue(self, hcpcs: str) -> MueEdit | None:
        return self.mues.get(hcpcs)

    def addon_primaries(self, addon: str) -> list[AddonEdit]:
        return list(self.addons.get(addon, ()))


# Dates of service whose answers (a fee schedule, geography, NCCI and ICD-10-CM tables,
# vintages, snapshots: six or more entries a date) are kept at most: a server asked for every
# date of two years held one of each per date, with the memo tables the pricing and edit
# layers hang on them, and grew by hundreds of MiB (issue 13). The indexes they share are kept
# per dataset, so a dropped date is rebuilt cheaply. Counted by date, not by entry: 384
# entries held about 64 dates, and a claim file spanning 90 dates rebuilt its dates' tables
# again and again (6,001 rebuilds for 20,000 claims; the scrub took 60% more CPU).
DAYS_KEPT = 128


class _DayBoundedCache(dict[Any, Any]):
    """A Catalog's cache: entries keyed by a date (the second or third part of the key) are
    dropped a date at a time past `limit` dates, the date first cached longest ago first; the
    others (per dataset, per reference) are few."""

    def __init__(self, limit: int = DAYS_KEPT) -> None:
        super().__init__()
        self.limit = limit
        self._days: dict[date, list[Any]] = {}

    def __setitem__(self, key: Any, value: Any) -> None:
        if key not in self and isinstance(key, tuple) and (day := _day_of(key)) is not None:
            keys = self._days.get(day)
            if keys is None:
                keys = self._days[day] = []
                while len(self._days) > self.limit:
                    for old in self._days.pop(next(iter(self._days))):
                        self.pop(old, None)
            keys.append(key)
        super().__setitem__(key, value)

    def clear(self) -> None:
        super().clear()
        self._days.clear()


def _day_of(key: tuple[Any, ...]) -> date | None:
    return next((part for part in key[1:3] if isinstance(part, date)), None)


@dataclass
class Catalog:
    """ReferenceData held in memory: datasets keyed by (kind, release id, variant)."""

    datasets_by_key: dict[tuple[Kind, str, str], Dataset] = field(default_factory=dict)
    _cache: dict[Any, Any] = field(default_factory=_DayBoundedCache, repr=False)

    def add(self, provenance: Provenance, records: Iterable[Any]) -> None:
        key = (provenance.kind, provenance.release.id, provenance.variant)
        self.datasets_by_key[key] = Dataset(provenance, list(records))
        self._cache.clear()

    @classmethod
    def from_sources(
        cls, paths: Iterable[str], *, kinds: Collection[Kind] | None = None
    ) -> Catalog:
        """Parse files with `medpayiq.sources` and hold them (tests, scripts)."""
        from medpayiq import sources

        catalog = cls()
        for file in (f for p in paths for f in sources.iter_files(p)):
            layout = sources.detect(file)
            if kinds is not None and layout.kind not in kinds:
                continue
            parsed = layout.parse(file)
            records = list(parsed.records)
            catalog.add(
                Provenance(
                    parsed.kind,
                    parsed.release,
                    file.name,
                    file.sha256,
                    len(records),
                    parsed.variant,
                ),
                records,
            )
        return catalog

    # -- resolution

    def _releases(self, kind: Kind, variant: str | None = None) -> dict[Release, Dataset]:
        """Datasets of `kind` by release. Without a `variant`, the files of one release that
        differ by variant (PTP parts f1-f4, payment revision files, DMEPOS and PEN) are
        merged into one: once, kept until a dataset is added (merging copies the rows)."""
        key = ("releases", kind, variant)
        found: dict[Release, Dataset] | None = self._cache.get(key)
        if found is None:
            found = self._cache[key] = self._merged(kind, variant)
        return found

    def _merged(self, kind: Kind, variant: str | None) -> dict[Release, Dataset]:
        grouped: dict[Release, list[Dataset]] = defaultdict(list)
        for (k, _, v), dataset in sorted(self.datasets_by_key.items()):
            if k is kind and (variant is None or v == variant):
                grouped[dataset.provenance.release].append(dataset)
        merged: dict[Release, Dataset] = {}
        for release, parts in grouped.items():
            if len(parts) == 1:
                merged[release] = parts[0]
            else:
                records = [r for part in parts for r in part.records]
                merged[release] = Dataset(
                    parts[0].provenance, records, tuple(p.provenance for p in parts)
                )
        return merged

    def _pick(
        self,
        kind: Kind,
        day: date,
        label: str,
        *,
        variant: str | None = None,
        same_year_only: bool = False,
    ) -> tuple[Dataset, Vintage]:
        by_release = self._releases(kind, variant)
        used, wanted, confidence, note = resolve(
            kind.family,
            by_release,
            day,
            kind_label=label,
            same_year_only=same_year_only,
            annual=kind in ANNUAL_KINDS,
        )
        dataset = by_release[used]
        return dataset, Vintage(wanted, used, confidence, note, dataset.sources)

    def release_records(self, kind: Kind, release_id: str) -> list[Any]:
        """Every record of one loaded release of `kind` (its parts merged, as for a date),
        found by release id rather than by date: for comparing two releases side by side
        (medpayiq.changes). Raises ReleaseNotLoaded naming the loaded releases."""
        by_release = self._releases(kind)
        for release, dataset in by_release.items():
            if release.id == release_id:
                return dataset.records
        loaded = ", ".join(r.id for r in sorted(by_release)) or "none"
        raise ReleaseNotLoaded(
            f"{kind.value} {release_id} is not loaded (loaded: {loaded}): "
            "medpayiq data load --source PATH"
        )

    def _indexed(self, dataset: Dataset, build: Any) -> Any:
        """`build(records)` once per dataset (the same file's rows are indexed once, not
        once per date of service); cleared with the cache when a dataset is added."""
        key = ("indexed", build.__code__, _dataset_key(dataset))
        if key not in self._cache:
            self._cache[key] = build(dataset.records)
        return self._cache[key]

    def _pick_optional(
        self, kind: Kind, day: date, label: str, *, same_year_only: bool = True
    ) -> tuple[Dataset, Vintage] | None:
        """`_pick`, or None when nothing usable is loaded (an optional dataset)."""
        try:
            return self._pick(kind, day, label, same_year_only=same_year_only)
        except ReleaseNotLoaded:
            return None

    # -- ReferenceData

    def fee_schedule(self, day: date, *, qp: bool = False) -> FeeSchedule:
        key = ("pfs", day, qp)
        if key not in self._cache:
            self._cache[key] = self._build_fee_schedule(day, qp)
        return self._cache[key]  # type: ignore[no-any-return]

    def _build_fee_schedule(self, day: date, qp: bool) -> FeeSchedule:
        # The QPP file (2026 on) differs from the standard one only in its CF; without it the
        # pricing layer applies the published QP CF to the standard file's RVUs and says so.
        variant = (
            "qp"
            if qp
            and any(r.effective_from.year == day.year for r in self._releases(Kind.PPRRVU, "qp"))
            else ""
        )
        pprrvu, vintage = self._pick(
            Kind.PPRRVU, day, "fee schedule (PPRRVU)", variant=variant, same_year_only=True
        )
        gpci, gpci_vintage = self._pick(Kind.GPCI, day, "GPCI", same_year_only=True)
        components = {Kind.GPCI: gpci_vintage}
        # A missing optional table is one shared empty mapping, so every date's fee schedule
        # holds the same objects and the pricing engine can tell dates that price alike.
        anes: Mapping[LocalityId, AnesthesiaCf] = _NONE
        if (picked := self._pick_optional(Kind.ANES, day, "anesthesia CF")) is not None:
            anes = self._indexed(picked[0], lambda rs: {r.locality: r for r in rs})
            components[Kind.ANES] = picked[1]
        caps: Mapping[tuple[str, str, LocalityId], OppsCap] = _NONE
        if (picked := self._pick_optional(Kind.OPPSCAP, day, "OPPS cap")) is not None:
            caps = self._indexed(
                picked[0], lambda rs: {(r.hcpcs, r.modifier, r.locality): r for r in rs}
            )
            components[Kind.OPPSCAP] = picked[1]
        return FeeSchedule(
            vintage=vintage,
            rvus=self._indexed(pprrvu, rvus_by_key),
            gpcis=self._indexed(gpci, lambda rs: {r.locality: r for r in rs}),
            anesthesia=anes,
            opps_caps=caps,
            component_vintages=components,
            qp=qp,
        )

    def vintage(self, kind: Kind, day: date, *, label: str) -> Vintage:
        key = ("vintage", kind, day)
        found: Vintage | None = self._cache.get(key)
        if found is None:
            files: dict[Release, list[Provenance]] = defaultdict(list)
            for (k, _, _), dataset in sorted(self.datasets_by_key.items()):
                if k is kind:
                    files[dataset.provenance.release].extend(dataset.sources)
            used, wanted, confidence, note = resolve(
                kind.family, files, day, kind_label=label, same_year_only=True,
                annual=kind in ANNUAL_KINDS,
            )  # fmt: skip
            found = self._cache[key] = Vintage(wanted, used, confidence, note, tuple(files[used]))
        return found

    def snapshot(
        self, kind: Kind, day: date, build: Callable[[Sequence[Any]], Any], *, label: str
    ) -> tuple[Any, Vintage]:
        key = ("snapshot", kind, day, build.__code__)
        found: tuple[Any, Vintage] | None = self._cache.get(key)
        if found is None:
            dataset, vintage = self._pick(kind, day, label, same_year_only=True)
            found = self._cache[key] = (self._indexed(dataset, build), vintage)
        return found

    def geography(self, day: date) -> Geography:
        key = ("geo", day)
        if key not in self._cache:
            zips_ds, vintage = self._pick(Kind.ZIP5, day, "ZIP to locality")
            picked = self._pick_optional(Kind.LOCCO, day, "locality counties")
            counties = picked[0].records if picked else []
            self._cache[key] = Geography(vintage, self._indexed(zips_ds, _by_zip), counties)
        return self._cache[key]  # type: ignore[no-any-return]

    def ncci(self, day: date) -> NcciTables:
        key = ("ncci", day)
        if key not in self._cache:
            # Indexed once per dataset (2.5M PTP rows took ~160 ms per new date).
            ptp_ds, vintage = self._pick(Kind.PTP, day, "NCCI PTP")
            ptp: Mapping[str, list[PtpEdit]] = self._indexed(ptp_ds, _ptp_by_column1)
            mues: Mapping[str, MueEdit] = {}
            if (mue := self._pick_optional_any(Kind.MUE, day, "MUE")) is not None:
                mues = self._indexed(mue, _mue_by_code)
            addons: Mapping[str, list[AddonEdit]] = {}
            if (aoc := self._pick_optional_any(Kind.ADDON, day, "add-on edits")) is not None:
                addons = self._indexed(aoc, _addons_by_addon)
            datasets = [d for d in (ptp_ds, mue, aoc) if d is not None]
            # The vintage names every file the tables answer from, as the store's does.
            files = tuple(p for d in datasets for p in d.sources)
            vintage = replace(vintage, provenance=files)

            def epoch() -> Epoch:
                edited = [d for d in (ptp_ds, aoc) if d is not None]
                bounds = sorted({b for d in edited for b in self._indexed(d, edit_boundaries)})
                names = tuple(_dataset_key(d) for d in datasets)
                return self.epoch(("ncci", names), vintage, epoch_index(bounds, day))

            self._cache[key] = _MemoryNcci(vintage, day, ptp, mues, addons, epoch)
        return self._cache[key]  # type: ignore[no-any-return]

    def epoch(self, datasets: Hashable, vintage: Vintage, index: int) -> Epoch:
        """The one `Epoch` of these datasets, release used and confidence, and span `index`
        of their boundaries (dropped with the cache when a dataset is added)."""
        key = ("epoch", datasets, vintage.used.id, vintage.confidence, index)
        found: Epoch | None = self._cache.get(key)
        if found is None:
            label = f"{vintage.used.id} ({vintage.confidence.value}), span {index}"
            found = self._cache[key] = Epoch(label)
        return found

    def _pick_optional_any(self, kind: Kind, day: date, label: str) -> Dataset | None:
        """An optional NCCI table: any loaded quarter will do (the PTP vintage tells its age)."""
        picked = self._pick_optional(kind, day, label, same_year_only=False)
        return picked[0] if picked else None

    def icd10cm(self, day: date) -> IcdTable:
        key = ("icd", day)
        if key not in self._cache:
            ds, vintage = self._pick(Kind.ICD10CM, day, "ICD-10-CM")
            self._cache[key] = IcdTable(vintage, self._indexed(ds, _icd_by_code))
        return self._cache[key]  # type: ignore[no-any-return]

    def _latest(self, kind: Kind) -> Dataset | None:
        found = self._releases(kind)
        return found[max(found)] if found else None

    def code_sets(self) -> CodeSets:
        if "codesets" not in self._cache:

            def table(kind: Kind, key: str) -> dict[str, Any]:
                ds = self._latest(kind)
                return {getattr(r, key): r for r in ds.records} if ds else {}

            def hcpcs() -> dict[str, HcpcsLevel2]:
                # The newest list may carry codes only (2026 Q3): keep earlier descriptions.
                merged: dict[str, HcpcsLevel2] = {}
                for _, ds in sorted(self._releases(Kind.HCPCS).items()):
                    for row in ds.records:
                        old = merged.get(row.code)
                        if old is not None and not row.long_description:
                            row = replace(
                                row,
                                long_description=old.long_description,
                                short_description=old.short_description,
                            )
                        merged[row.code] = row
                return merged

            provenance = tuple(
                ds.provenance
                for k in (Kind.ADJUSTMENT, Kind.POS, Kind.MODIFIER, Kind.HCPCS)
                if (ds := self._latest(k)) is not None
            )
            self._cache["codesets"] = CodeSets(
                adjustments=table(Kind.ADJUSTMENT, "code"),
                places_of_service=table(Kind.POS, "code"),
                modifiers=table(Kind.MODIFIER, "code"),
                hcpcs_level2=_OnFirstUse(hcpcs),
                provenance=provenance,
            )
        return self._cache["codesets"]  # type: ignore[no-any-return]

    def coverage(self) -> Coverage:
        if "coverage" not in self._cache:
            self._cache["coverage"] = self._build_coverage()
        return self._cache["coverage"]  # type: ignore[no-any-return]

    def _build_coverage(self) -> Coverage:
        codes = self._latest(Kind.MCD_ARTICLE_HCPCS)
        dx = self._latest(Kind.MCD_ARTICLE_ICD10)
        contractors = self._latest(Kind.MCD_ARTICLE_CONTRACTOR)
        if codes is None or dx is None:
            return Coverage(None, (), (), ())
        release = codes.provenance.release
        vintage = Vintage(
            release,
            release,
            Confidence.HIGH,
            "Medicare Coverage Database export",
            (*codes.sources, *dx.sources),
        )
        return Coverage(
            vintage, codes.records, dx.records, contractors.records if contractors else ()
        )

    def datasets(self) -> list[Provenance]:
        return [d.provenance for d in self.datasets_by_key.values()]
