"""Loading parsed files: planning which files to load, and writing each one atomically.

A dataset is written in one transaction: its `dataset` row goes in inactive, its rows are
bulk-inserted, then the dataset it replaces (same kind, release and variant) is deleted and
the new one flipped active, and only then is the transaction committed. A parse error half-way
rolls everything back; a killed process leaves an uncommitted transaction that the database
discards. Either way the previous dataset keeps serving.

Bulk paths: SQLite gets `executemany` in batches of 50,000 plain tuples (text decimals, ISO
dates); PostgreSQL gets psycopg's `COPY ... FROM STDIN`.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from itertools import islice
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from medpayiq import sources
from medpayiq.errors import DataError
from medpayiq.reference import boundaries_of
from medpayiq.releases import Kind
from medpayiq.store import _integrity
from medpayiq.store import _queries as q
from medpayiq.store._config import load_cache
from medpayiq.store._schema import codec, kind_table

__all__ = ["LoadResult", "LoadStatus", "PlannedFile", "load_planned", "plan"]

BATCH = 50_000

RowsCallback = Callable[[int], None]


class LoadStatus(StrEnum):
    LOADED = "loaded"  # a new (kind, release, variant)
    REPLACED = "replaced"  # a different file for a loaded (kind, release, variant)
    UNCHANGED = "unchanged"  # the very file (same sha256) is already loaded
    SKIPPED = "skipped"  # not loaded: not a data file, or a twin of another file in this load
    FAILED = "failed"  # bad file: nothing changed


@dataclass(frozen=True)
class LoadResult:
    file: str
    status: LoadStatus
    kind: Kind | None = None
    release: str = ""
    variant: str = ""
    rows: int = 0
    billable: int | None = None
    sha256: str = ""
    message: str = ""
    duplicates: int = 0  # exact repeats of a row, dropped


@dataclass
class PlannedFile:
    """A file found under a source: parsed lazily (records not read yet), or why not."""

    file: sources.SourceFile
    parsed: sources.ParsedFile | None
    skip: str = ""  # reason it will be skipped
    error: str = ""  # reason it cannot be loaded (a failure)

    @property
    def key(self) -> tuple[Kind, str, str] | None:
        if self.parsed is None:
            return None
        return (self.parsed.kind, self.parsed.release.id, self.parsed.variant)


# `sources.iter_files` already reads one of CMS's .csv/.txt/.xlsx twins of a name. Files of
# different names can still hold one dataset (the ICD-10-CM code table and its tabular XML);
# then one is loaded, in the same order of preference as `iter_files`.
_PREFERENCE = {".csv": 0, ".txt": 1, ".xlsx": 2}


def _preference(item: PlannedFile) -> int:
    return _PREFERENCE.get(Path(item.file.basename).suffix.lower(), 2)


def plan(paths: Iterable[str | Path]) -> list[PlannedFile]:
    """Every file under `paths`, detected and opened (records not read). A file named
    explicitly that is not a known layout is an error; inside a folder or zip it is skipped."""
    planned: list[PlannedFile] = []
    for path in paths:
        explicit = Path(path).is_file()
        try:
            files = list(sources.iter_files(path))
        except DataError as exc:
            planned.append(
                PlannedFile(sources.SourceFile(str(path), Path(path)), None, error=str(exc))
            )
            continue
        for file in files:
            planned.append(_open(file, explicit=explicit and len(files) == 1))
    _mark_twins(planned)
    # A GPCI or ANES file is checked against the LOCCO file of its release: load that first.
    return sorted(planned, key=lambda item: item.key is None or item.key[0] is not Kind.LOCCO)


def _open(file: sources.SourceFile, *, explicit: bool) -> PlannedFile:
    try:
        layout = sources.detect(file)
    except DataError as exc:
        if explicit:
            return PlannedFile(file, None, error=str(exc))
        problem = sources.diagnose(file)
        # Beside the data in a folder or zip, an unknown file is skipped, saying why.
        return PlannedFile(file, None, skip=problem or "not a layout MedPayIQ reads")
    try:
        return PlannedFile(file, layout.parse(file))
    except DataError as exc:
        return PlannedFile(file, None, error=str(exc))


def _mark_twins(planned: list[PlannedFile]) -> None:
    by_key: dict[tuple[Kind, str, str], list[PlannedFile]] = {}
    for item in planned:
        if item.key is not None:
            by_key.setdefault(item.key, []).append(item)
    for (kind, release, variant), twins in by_key.items():
        keep = min(twins, key=_preference)
        suffix = Path(keep.file.basename).suffix.lower()
        for item in twins:
            if item is keep:
                continue
            if Path(item.file.basename).suffix.lower() != suffix:
                item.skip = f"twin of {keep.file.basename}"
            else:
                # Two different files claim one dataset: loading both would keep only the
                # second, silently. Load the first and say so.
                name = f"{kind.value} {release} {variant}".strip()
                item.skip = (
                    f"not loaded: {keep.file.basename} is the same dataset ({name}) and only "
                    "one file per kind, release and variant is kept"
                )


def load_planned(
    engine: sa.Engine,
    item: PlannedFile,
    *,
    on_rows: RowsCallback | None = None,
    allow_shrink: bool = False,
) -> LoadResult:
    """Load one planned file; a bad file gives a FAILED result (and changes nothing)."""
    if item.error:
        return LoadResult(item.file.name, LoadStatus.FAILED, message=item.error)
    if item.parsed is None or item.skip:
        return _result(item, LoadStatus.SKIPPED, message=item.skip)
    try:
        return load_parsed(engine, item.parsed, on_rows=on_rows, allow_shrink=allow_shrink)
    except DataError as exc:
        return _result(item, LoadStatus.FAILED, message=str(exc))
    except Exception as exc:  # a parser bug or a damaged file: one file's failure, no crash
        problem = sources.diagnose(item.file)
        reason = problem or f"could not be read ({type(exc).__name__}: {exc})"
        return _result(item, LoadStatus.FAILED, message=f"{item.file.name}: {reason}")


def _result(item: PlannedFile, status: LoadStatus, *, message: str = "") -> LoadResult:
    p = item.parsed
    if p is None:
        return LoadResult(item.file.name, status, message=message)
    return LoadResult(
        item.file.name,
        status,
        p.kind,
        p.release.id,
        p.variant,
        sha256=p.source.sha256,
        message=message,
    )


def load_parsed(
    engine: sa.Engine,
    parsed: sources.ParsedFile,
    *,
    on_rows: RowsCallback | None = None,
    allow_shrink: bool = False,
) -> LoadResult:
    """Write one parsed file as a dataset, atomically. Raises ParseError, or RefusedFile
    when the file fails a check of `_integrity` (nothing changed either way)."""
    sha = parsed.source.sha256
    with engine.connect() as conn:
        current = q.active_dataset(conn, parsed.kind, parsed.release.id, parsed.variant)
    base = LoadResult(
        parsed.source.name,
        LoadStatus.UNCHANGED,
        parsed.kind,
        parsed.release.id,
        parsed.variant,
        sha256=sha,
    )
    if current is not None and current.sha256 == sha:
        return _replace(
            base,
            rows=current.rows,
            billable=current.billable,
            message=f"already loaded {current.loaded_at:%Y-%m-%d %H:%M}",
        )
    with engine.begin() as conn, load_cache(conn):
        dataset_id = q.insert_dataset(
            conn,
            kind=parsed.kind,
            release=parsed.release,
            variant=parsed.variant,
            layout=parsed.layout,
            source_file=parsed.source.name,
            sha256=sha,
            notes="; ".join(parsed.notes),
        )
        counter = _Counter(parsed.kind)
        unique = _integrity.UniqueRows(parsed)
        records = counter.wrap(unique.wrap(parsed.records))
        rows = _bulk_insert(conn, parsed.kind, dataset_id, records, on_rows)
        # Re-read inside the transaction: another process may have loaded this key meanwhile.
        replaced = q.active_dataset(conn, parsed.kind, parsed.release.id, parsed.variant)
        _integrity.check_localities(conn, parsed, dataset_id)
        if not allow_shrink:
            _integrity.check_shrink(conn, parsed, dataset_id, rows, replaced)
        q.publish_dataset(
            conn,
            dataset_id,
            rows=rows,
            billable=counter.billable,
            replaces=[replaced.id] if replaced else [],
            edit_dates=counter.edit_dates,
        )
    status = LoadStatus.REPLACED if replaced else LoadStatus.LOADED
    notes = [f"replaces {replaced.source_file}"] if replaced else []
    if unique.duplicates:
        notes.append(f"dropped {unique.duplicates:,} exact duplicate rows")
    return _replace(
        base,
        status=status,
        rows=rows,
        billable=counter.billable,
        message="; ".join(notes),
        duplicates=unique.duplicates,
    )


def _replace(result: LoadResult, **changes: Any) -> LoadResult:
    from dataclasses import replace

    return replace(result, **changes)


class _Counter:
    """Counts ICD-10-CM billable codes, and gathers the boundary dates of NCCI PTP and add-on
    edits (`dataset_table.edit_dates`), as the records stream past."""

    def __init__(self, kind: Kind) -> None:
        self.kind = kind
        self.billable: int | None = 0 if kind is Kind.ICD10CM else None
        self.edit_dates: str | None = None

    def wrap(self, records: Iterator[Any]) -> Iterator[Any]:
        if self.kind is Kind.ICD10CM:
            return self._count(records)
        if self.kind in (Kind.PTP, Kind.ADDON):
            return self._dates(records)
        return records

    def _dates(self, records: Iterator[Any]) -> Iterator[Any]:
        effective: set[date | None] = set()
        deletion: set[date | None] = set()
        on, off = effective.add, deletion.add
        for record in records:
            on(record.effective)
            off(record.deletion)
            yield record
        self.edit_dates = q.edit_dates_text(boundaries_of(effective, deletion))

    def _count(self, records: Iterator[Any]) -> Iterator[Any]:
        billable = 0
        for record in records:
            billable += record.billable
            yield record
        self.billable = billable


def _bulk_insert(
    conn: sa.Connection,
    kind: Kind,
    dataset_id: int,
    records: Iterator[Any],
    on_rows: RowsCallback | None,
) -> int:
    if conn.dialect.name == "sqlite":
        return _sqlite_insert(conn, kind, dataset_id, records, on_rows)
    if conn.dialect.name == "postgresql":
        return _copy_insert(conn, kind, dataset_id, records, on_rows)
    return _core_insert(conn, kind, dataset_id, records, on_rows)


def _quoted(names: Iterable[str]) -> str:
    # Quoted: several field names are SQL keywords ("primary", "group", "end").
    return ", ".join(f'"{name}"' for name in names)


def _sqlite_insert(
    conn: sa.Connection,
    kind: Kind,
    dataset_id: int,
    records: Iterator[Any],
    on_rows: RowsCallback | None,
) -> int:
    rc = codec(kind)
    # dataset_id is our own integer, inlined so that each row tuple is the codec's as is.
    sql = (
        f'INSERT INTO "{kind_table(kind).name}" ("dataset_id", {_quoted(rc.columns)}) '
        f"VALUES ({int(dataset_id)}, {', '.join('?' for _ in rc.columns)})"
    )
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    total = 0
    try:
        for batch in _Prefetch(records, rc.encode_text):
            cursor.executemany(sql, batch)
            total += len(batch)
            if on_rows:
                on_rows(total)
    finally:
        cursor.close()
    return total


class _Prefetch:
    """Parses and encodes the next batch in a thread while SQLite writes this one.

    sqlite3 lets go of the GIL while it steps a statement, so on two cores the parser and
    the writer overlap. A parse error in the thread is raised here, in the loader, where it
    rolls the transaction back."""

    _DONE = object()

    def __init__(self, records: Iterator[Any], encode: Callable[[Any], tuple[Any, ...]]) -> None:
        self._queue: queue.Queue[Any] = queue.Queue(maxsize=2)
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._produce, args=(records, encode), name="medpayiq-load", daemon=True
        )

    def _produce(self, records: Iterator[Any], encode: Callable[[Any], tuple[Any, ...]]) -> None:
        try:
            while batch := [encode(r) for r in islice(records, BATCH)]:
                if not self._put(batch):
                    return
            self._put(self._DONE)
        except BaseException as exc:  # handed to the consumer, which raises it
            self._put(exc)

    def _put(self, item: Any) -> bool:
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def __iter__(self) -> Iterator[list[tuple[Any, ...]]]:
        self._thread.start()
        try:
            while (item := self._queue.get()) is not self._DONE:
                if isinstance(item, BaseException):
                    raise item
                yield item
        finally:
            self._stop.set()
            self._thread.join()


def _copy_insert(
    conn: sa.Connection,
    kind: Kind,
    dataset_id: int,
    records: Iterator[Any],
    on_rows: RowsCallback | None,
) -> int:
    rc = codec(kind)
    sql = f'COPY "{kind_table(kind).name}" ("dataset_id", {_quoted(rc.columns)}) FROM STDIN'
    encode, total, head = rc.encode, 0, (dataset_id,)
    raw = conn.connection.driver_connection
    with raw.cursor() as cursor, cursor.copy(sql) as copy:  # type: ignore[union-attr]
        for batch in _Prefetch(records, lambda r: head + encode(r)):
            for row in batch:
                copy.write_row(row)
            total += len(batch)
            if on_rows:
                on_rows(total)
    return total


def _core_insert(
    conn: sa.Connection,
    kind: Kind,
    dataset_id: int,
    records: Iterator[Any],
    on_rows: RowsCallback | None,
) -> int:
    """Any other backend: plain SQLAlchemy executemany."""
    rc, table, total = codec(kind), kind_table(kind), 0
    while batch := list(islice(records, BATCH)):
        rows = [
            {"dataset_id": dataset_id, **dict(zip(rc.columns, rc.encode(r), strict=True))}
            for r in batch
        ]
        conn.execute(sa.insert(table), rows)
        total += len(batch)
        if on_rows:
            on_rows(total)
    return total
