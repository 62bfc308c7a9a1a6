"""`ReferenceData` answered from the store.

Small datasets (fee schedule, GPCI, ZIP, ICD-10-CM, code sets, coverage) are read into a
`reference.Catalog` the first time a question needs them, one dataset at a time: asking for
the 2026 fee schedule reads RVU26C's rows and nothing else. Release resolution is the
Catalog's own (`reference.resolve`), so the store and the in-memory catalog answer alike.

NCCI is different: 2.5 million PTP rows do not belong in memory. `StoreNcci` answers each
question with an indexed query and caches the rows per column-1 code (bounded), so a claim
checker that sees the same codes again and again runs from memory after warming up. Its
`epoch` comes from the distinct effective and deletion dates of the release, read once per
reference with two scans (about 0.7 s for 2.5M rows on SQLite) the first time it is asked.

A reference made after a load starts from what the one before it had read of the datasets the
load left alone (`StoreReference.inherit`): a dataset id's rows never change, so its records,
the indexes built from them and its NCCI rows per code are the same objects a fresh reference
would build, and a server swapping references reads and indexes only what the load changed.
"""

from __future__ import annotations

import threading
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Collection
from datetime import date
from functools import cached_property
from typing import Any

import sqlalchemy as sa

from medpayiq.errors import DataError
from medpayiq.records import AddonEdit, MueEdit, PtpEdit
from medpayiq.reference import (
    POINT_INDEXES,
    Catalog,
    Dataset,
    Epoch,
    NcciTables,
    Provenance,
    Vintage,
    epoch_index,
)
from medpayiq.releases import Kind, Release
from medpayiq.store import _queries as q
from medpayiq.store._point import PointIndex

__all__ = ["StoreNcci", "StoreReference"]


class _LazyDataset(Dataset):
    """A Catalog dataset whose records are read from the store on first use. A release of
    several files (DMEPOS and PEN; PTP f1-f4) is one, with `parts` and every part's id in
    `dataset_ids` (`dataset_id` is the first's)."""

    def __init__(
        self,
        provenance: Provenance,
        loader: Callable[[], list[Any]],
        dataset_id: int,
        parts: tuple[Provenance, ...] = (),
        dataset_ids: tuple[int, ...] = (),
    ) -> None:
        self.provenance = provenance
        self.dataset_id = dataset_id
        self.dataset_ids = dataset_ids or (dataset_id,)
        self.parts = parts
        self._loader = loader
        self._records: list[Any] | None = None
        self._lock = threading.Lock()

    @property
    def records(self) -> list[Any]:
        if self._records is None:
            with self._lock:
                if self._records is None:
                    self._records = self._loader()
        return self._records

    @records.setter
    def records(self, value: list[Any]) -> None:
        self._records = value


# Rows of the NCCI tables a reference keeps in memory, all its tables together (PTP, MUE and
# add-on, every release). A PTP row decoded (a `PtpEdit` with its codes, dates and texts) holds
# about 380 bytes (tracemalloc, 172,000 rows after 3,000 distinct requests); 400,000 rows per
# table, as before, let one table reach 150 MiB and every release its own. 80,000 rows are
# about 30 MiB: the codes of a practice's claims (a few hundred, 200 edits each on average)
# many times over.
ROWS_BYTES = 32 << 20
ROW_BYTES = 400
MAX_ROWS = ROWS_BYTES // ROW_BYTES


class _Rows:
    """The rows the `_CodeCache`s of one reference hold, least recently used out past
    `max_rows` in all (a table asked often keeps its codes over one asked once)."""

    def __init__(self, max_rows: int = MAX_ROWS) -> None:
        self.max_rows = max_rows
        self.count = 0
        self.by_key: OrderedDict[tuple[int, str], tuple[Any, ...]] = OrderedDict()
        self.lock = threading.Lock()


class _CodeCache:
    """Rows grouped by code, fetched in batches for the codes not seen yet. Bounded by the
    number of rows held with the other tables of its reference (`_Rows`)."""

    def __init__(
        self, fetch: Callable[[Collection[str]], dict[str, list[Any]]], rows: _Rows | None = None
    ) -> None:
        self._fetch = fetch
        self._rows = rows if rows is not None else _Rows()
        self._id = id(self)  # the entries of this table in `rows` (it lives as long as they do)

    def get_many(self, codes: Collection[str]) -> dict[str, tuple[Any, ...]]:
        rows, me = self._rows, self._id
        by_key = rows.by_key
        found: dict[str, tuple[Any, ...]] = {}
        with rows.lock:
            for code in codes:
                got = by_key.get((me, code))
                if got is not None:
                    found[code] = got
                    by_key.move_to_end((me, code))
        missing = [c for c in codes if c not in found]
        if missing:
            fetched = self._fetch(missing)
            with rows.lock:
                for code, group in fetched.items():
                    key = (me, code)
                    old = by_key.pop(key, None)
                    if old is not None:
                        rows.count -= len(old)
                    found[code] = by_key[key] = tuple(group)
                    rows.count += len(group)
                while rows.count > rows.max_rows and len(by_key) > 1:
                    _, dropped = by_key.popitem(last=False)
                    rows.count -= len(dropped)
        return found

    def get(self, code: str) -> tuple[Any, ...]:
        return self.get_many([code])[code]

    def seed(self, other: _CodeCache) -> None:
        """Start with `other`'s rows (the same datasets' rows, read by an older reference), as
        many as this reference's bound holds, in their order of use (the most recent kept)."""
        theirs, mine = other._rows, self._rows
        with theirs.lock:
            held = [(c, group) for (owner, c), group in theirs.by_key.items() if owner == other._id]
        with mine.lock:
            for code, group in held:
                key = (self._id, code)
                if key not in mine.by_key:
                    mine.by_key[key] = group
                    mine.count += len(group)
            while mine.count > mine.max_rows and len(mine.by_key) > 1:
                _, dropped = mine.by_key.popitem(last=False)
                mine.count -= len(dropped)


class StoreNcci:
    """`NcciTables` for one date of service, answered by indexed queries (see module doc)."""

    def __init__(
        self,
        vintage: Vintage,
        day: date,
        ptp: _CodeCache,
        mue: _CodeCache | None,
        addon: _CodeCache | None,
        epoch: Callable[[], Epoch],
    ) -> None:
        self._vintage = vintage
        self._day = day
        self._ptp = ptp
        self._mue = mue
        self._addon = addon
        self._epoch_of = epoch

    @property
    def vintage(self) -> Vintage:
        return self._vintage

    @cached_property
    def epoch(self) -> Epoch:
        # Asked once per date: the first ask per dataset scans the table's distinct dates.
        return self._epoch_of()

    def ptp_for(self, code: str) -> list[PtpEdit]:
        return [e for e in self._ptp.get(code) if q.in_force(e, self._day)]

    def ptp_among(self, codes: Collection[str]) -> list[PtpEdit]:
        wanted = set(codes)
        found = self._ptp.get_many(sorted(wanted))
        return [
            edit
            for code in sorted(wanted)
            for edit in found[code]
            if edit.column2 in wanted and q.in_force(edit, self._day)
        ]

    def mue(self, hcpcs: str) -> MueEdit | None:
        if self._mue is None:
            return None
        rows = self._mue.get(hcpcs)
        return rows[0] if rows else None

    def addon_primaries(self, addon: str) -> list[AddonEdit]:
        if self._addon is None:
            return []
        return [a for a in self._addon.get(addon) if q.in_force(a, self._day)]


_QUERIED = frozenset({Kind.PTP, Kind.MUE, Kind.MUE_OUTPATIENT, Kind.ADDON})


def _concatenated(parts: list[_LazyDataset]) -> Callable[[], list[Any]]:
    """The records of a release's files, one after the other (`Catalog._merged`'s order)."""
    return lambda: [r for part in parts for r in part.records]


def _gone(what: str) -> DataError:
    return DataError(
        f"{what} was replaced by a load and its rows have since been deleted: "
        "ask the store for a new reference"
    )


# The tables `Catalog.code_sets` reads (every release of each).
_CODE_SET_KINDS = (Kind.ADJUSTMENT, Kind.POS, Kind.MODIFIER, Kind.HCPCS)


def _ids(reference: StoreReference, kinds: Collection[Kind]) -> set[int]:
    return {info.id for info in reference._active if info.kind in kinds}


def _parts(reference: StoreReference, kind: Kind, dataset_id: int) -> list[int]:
    """The ids of every part of the release that `dataset_id` belongs to, as its `_CodeCache`
    queries them (empty if it is not one of the reference's datasets)."""
    found = [info for info in reference._active if info.id == dataset_id]
    if not found:
        return []
    return _release_parts(reference._active, kind, found[0].release.id)


def _release_parts(active: list[q.DatasetInfo], kind: Kind, release: str) -> list[int]:
    # CMS ships a quarter's PTP table as f1 to f4, which the parsers tell apart by variant.
    return [d.id for d in active if d.kind is kind and d.release.id == release]


class StoreReference(Catalog):
    """`ReferenceData` over the store's active datasets of one generation. Its datasets are
    read lazily, by id: a load retires the datasets it replaces without deleting their rows
    for a grace period (`Store.retired_grace`), so a reference keeps answering from its own
    generation's data. Once they are purged, every read says so (`DataError`) rather than
    answering from an empty table."""

    def __init__(
        self,
        engine: sa.Engine,
        datasets: list[q.DatasetInfo],
        generation: int = 0,
        *,
        one_question: bool = False,
    ) -> None:
        super().__init__()
        self.generation = generation
        self._engine = engine
        self._active = datasets
        # One question (a command line): each date is its own NCCI epoch, so no scan of every
        # edit's dates is made to share work across dates that a single claim never has; the
        # claim checker does not key its period either (`edits._day._period`).
        self.one_question = one_question
        self._caches: dict[tuple[Kind, int], _CodeCache] = {}
        self._rows = _Rows()  # what every NCCI table of this reference holds in memory
        self._caches_lock = threading.Lock()
        for info in datasets:
            key = (info.kind, info.release.id, info.variant)
            self.datasets_by_key[key] = _LazyDataset(info.provenance, self._loader(info), info.id)

    def inherit(self, previous: StoreReference) -> None:
        """Take over what `previous` (an older generation's reference) has read of the datasets
        this one shares with it: the datasets themselves (records read or not), the indexes
        built from their rows alone, the code sets if none of their tables changed, and the
        NCCI rows read per code. A dataset
        id names rows that never change, so these are what this reference would build itself;
        a server swapping references after a load then rebuilds only what the load replaced
        (issue 13: it re-read and re-indexed everything, and serving stalled meanwhile)."""
        if previous is self:
            return
        old_sets = previous.datasets_by_key
        for key, dataset in list(self.datasets_by_key.items()):
            old = old_sets.get(key)
            if (
                isinstance(dataset, _LazyDataset)
                and isinstance(old, _LazyDataset)
                and old.dataset_id == dataset.dataset_id
            ):
                # The very object: its records (read or not) and every index keyed by it.
                self.datasets_by_key[key] = old
        self._inherit_cache(previous)
        self._inherit_code_caches(previous)

    def _inherit_cache(self, previous: StoreReference) -> None:
        names = {(i.kind, i.release.id, i.variant, i.source_file, i.sha256) for i in self._active}
        shared = {i.id for i in self._active} & {i.id for i in previous._active}
        for key, value in list(previous._cache.items()):
            # ("indexed", build, files): built from those files' rows and nothing else.
            kept = isinstance(key, tuple) and key[0] == "indexed" and set(key[2]) <= names
            # ("boundaries", kind, ids): one scan of those datasets' rows (NCCI epochs).
            kept |= isinstance(key, tuple) and key[0] == "boundaries" and set(key[2]) <= shared
            # ("point", build, ids): keyed rows of one dataset's files (`PointIndex`: the same
            # object is what lets indexes built over it, such as search's, be found again).
            kept |= isinstance(key, tuple) and key[0] == "point" and set(key[2]) <= shared
            if kept and key not in self._cache:
                self._cache[key] = value
        code_sets = previous._cache.get("codesets")
        # Only once its HCPCS list is built: until then it holds `previous`, which must go.
        if (
            code_sets is not None
            and getattr(code_sets.hcpcs_level2, "built", False)
            and _ids(self, _CODE_SET_KINDS) == _ids(previous, _CODE_SET_KINDS)
            and "codesets" not in self._cache
        ):
            self._cache["codesets"] = code_sets

    def _inherit_code_caches(self, previous: StoreReference) -> None:
        with previous._caches_lock:
            held = list(previous._caches.items())
        for (kind, dataset_id), cache in held:
            parts = _parts(previous, kind, dataset_id)
            if parts and parts == _parts(self, kind, dataset_id):
                with self._caches_lock:
                    if (kind, dataset_id) not in self._caches:
                        fresh = _CodeCache(self._fetcher(kind, parts), self._rows)
                        self._caches[(kind, dataset_id)] = fresh
                self._caches[(kind, dataset_id)].seed(cache)

    def _loader(self, info: q.DatasetInfo) -> Callable[[], list[Any]]:
        # Holds the engine, not the reference: a later reference may keep the dataset.
        engine = self._engine

        def load() -> list[Any]:
            if info.kind is Kind.PTP:
                raise DataError("the PTP table is answered by queries, never read whole")
            with engine.connect() as conn:
                found = q.dataset_records(conn, info.kind, info.id)
            if len(found) != info.rows:
                raise _gone(f"{info.kind.value} {info.release.id}")
            return found

        return load

    def _indexed(self, dataset: Dataset, build: Any) -> Any:
        # One code, one ZIP: answered by an indexed query until something walks the index
        # (store/_point.py); the in-memory Catalog builds every index whole.
        fields = POINT_INDEXES.get(build)
        if fields is None or not isinstance(dataset, _LazyDataset):
            return super()._indexed(dataset, build)
        key = ("point", build.__code__, dataset.dataset_ids)
        if key not in self._cache:
            kind = dataset.provenance.kind
            self._cache[key] = PointIndex(
                self._engine,
                kind,
                dataset.dataset_ids,
                fields,
                build,
                lambda: dataset.records,
            )
        return self._cache[key]

    def _merged(self, kind: Kind, variant: str | None) -> dict[Release, Dataset]:
        # The Catalog merges a release's parts (PTP f1-f4) by reading their records; the
        # kinds answered by queries must never be read whole, so their parts stay lazy and
        # the queries cover every part (see `_code_cache`). Kept by `Catalog._releases`, as
        # the other kinds' (every new date of service asks for the NCCI tables' releases).
        grouped: dict[Release, list[_LazyDataset]] = defaultdict(list)
        for (k, _, v), dataset in sorted(self.datasets_by_key.items()):
            if k is kind and (variant is None or v == variant):
                assert isinstance(dataset, _LazyDataset)
                grouped[dataset.provenance.release].append(dataset)
        merged: dict[Release, Dataset] = {}
        for release, parts in grouped.items():
            first = parts[0]
            if len(parts) == 1:
                merged[release] = first
                continue
            # Lazy too: the point indexes (DMEPOS by code) query every part's rows, and the
            # whole release is read, in the Catalog's order, only when something walks it.
            merged[release] = _LazyDataset(
                first.provenance,
                first._loader if kind in _QUERIED else _concatenated(parts),
                first.dataset_id,
                tuple(p.provenance for p in parts),
                tuple(p.dataset_id for p in parts),
            )
        return merged

    def _code_cache(self, kind: Kind, dataset: Dataset) -> _CodeCache:
        assert isinstance(dataset, _LazyDataset)
        dataset_id = dataset.dataset_id
        # Every part of the release (CMS ships a quarter's PTP table as f1 to f4, which the
        # parsers tell apart by variant) answers together.
        release = dataset.provenance.release.id
        parts = _release_parts(self._active, kind, release)
        with self._caches_lock:
            if (kind, dataset_id) not in self._caches:
                self._caches[(kind, dataset_id)] = _CodeCache(
                    self._fetcher(kind, parts), self._rows
                )
            return self._caches[(kind, dataset_id)]

    def _fetcher(
        self, kind: Kind, dataset_ids: list[int]
    ) -> Callable[[Collection[str]], dict[str, list[Any]]]:
        def fetch(codes: Collection[str]) -> dict[str, list[Any]]:
            with self._engine.connect() as conn:
                found: dict[str, list[Any]]
                if kind is Kind.PTP:
                    found = q.ptp_by_column1(conn, dataset_ids, codes)
                elif kind is Kind.ADDON:
                    found = q.addons_by_addon(conn, dataset_ids, codes)
                else:
                    found = q.mues_by_code(conn, kind, dataset_ids, codes)
                # Checked after the rows were read: a purge deletes rows and dataset row in
                # one transaction, so a dataset still there means the rows read were whole
                # (a code without edits and a purged table look alike otherwise).
                if not q.datasets_present(conn, dataset_ids):
                    raise _gone(f"{kind.value} (datasets {sorted(dataset_ids)})")
            return dict(found)

        return fetch

    def ncci(self, day: date) -> NcciTables:
        key = ("ncci", day)
        if key not in self._cache:
            ptp, vintage = self._pick(Kind.PTP, day, "NCCI PTP")
            provenance = list(ptp.sources)
            mue = addon = None
            if (picked := self._pick_optional_any(Kind.MUE, day, "MUE")) is not None:
                mue = self._code_cache(Kind.MUE, picked)
                provenance.extend(picked.sources)
            edited = [(Kind.PTP, ptp)]
            if (picked := self._pick_optional_any(Kind.ADDON, day, "add-on edits")) is not None:
                addon = self._code_cache(Kind.ADDON, picked)
                provenance.extend(picked.sources)
                edited.append((Kind.ADDON, picked))
            vintage = Vintage(
                vintage.wanted, vintage.used, vintage.confidence, vintage.note, tuple(provenance)
            )

            def epoch() -> Epoch:
                names = ("ncci", tuple((p.kind, p.release.id, p.sha256) for p in provenance))
                if self.one_question:
                    return self.epoch(("day", names), vintage, day.toordinal())
                # The boundaries of the same tables, sorted once (not once per date).
                bounds: list[date] | None = self._cache.get(("epoch-bounds", names))
                if bounds is None:
                    bounds = sorted({b for k, d in edited for b in self._boundaries(k, d)})
                    self._cache[("epoch-bounds", names)] = bounds
                return self.epoch(names, vintage, epoch_index(bounds, day))

            ptp_cache = self._code_cache(Kind.PTP, ptp)
            self._cache[key] = StoreNcci(vintage, day, ptp_cache, mue, addon, epoch)
        return self._cache[key]  # type: ignore[no-any-return]

    def _boundaries(self, kind: Kind, dataset: Dataset) -> tuple[date, ...]:
        """`edit_boundaries` of a release's rows (every part), once per reference: as the
        load found them (`dataset_table.edit_dates`), else from the table's date pairs."""
        release = dataset.provenance.release.id
        parts = _release_parts(self._active, kind, release)
        key = ("boundaries", kind, tuple(parts))
        found: tuple[date, ...] | None = self._cache.get(key)
        if found is not None:
            return found
        known = [d.edit_dates for d in self._active if d.id in parts]
        if parts and all(dates is not None for dates in known):
            # Each part's boundaries are its dates' images: their union is the release's.
            found = tuple(sorted({day for dates in known for day in dates or ()}))
        else:
            with self._engine.connect() as conn:
                found = q.edit_boundaries(conn, kind, parts)
                if not q.datasets_present(conn, parts):
                    raise _gone(f"{kind.value} {release}")
        self._cache[key] = found
        return found
