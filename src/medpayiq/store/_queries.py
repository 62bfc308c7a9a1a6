"""Every SQL statement the store runs, each a function named after its question.

Callers pass an open `Connection`; transactions are the caller's business (`_load` wraps a
whole dataset in one). Nothing outside `medpayiq.store` imports this module.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa

from medpayiq.records import AddonEdit, MueEdit, PtpEdit
from medpayiq.reference import Provenance, boundaries_of, edit_in_force
from medpayiq.releases import Kind, Release
from medpayiq.store._schema import codec, dataset_table, generation_table, kind_table

__all__ = [
    "DatasetInfo",
    "active_dataset",
    "active_datasets",
    "addons_by_addon",
    "bump_generation",
    "dataset_records",
    "datasets_present",
    "edit_boundaries",
    "generation",
    "in_force",
    "insert_dataset",
    "locco_for",
    "mues_by_code",
    "previous_release",
    "ptp_by_column1",
    "publish_dataset",
    "purge_retired",
]

_D = dataset_table.c


@dataclass(frozen=True)
class DatasetInfo:
    """A loaded dataset as `data status` shows it."""

    id: int
    kind: Kind
    release: Release
    variant: str
    layout: str
    source_file: str
    sha256: str
    rows: int
    billable: int | None
    notes: str
    loaded_at: datetime
    # PTP and add-on datasets: their edits' boundary dates (`dataset_table.edit_dates`).
    edit_dates: tuple[date, ...] | None = None

    @property
    def provenance(self) -> Provenance:
        return Provenance(
            self.kind,
            self.release,
            self.source_file,
            self.sha256,
            self.rows,
            self.variant,
            self.loaded_at,
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind.value,
            "family": self.kind.family.value,
            "release": self.release.id,
            "variant": self.variant,
            "effective_from": self.release.effective_from.isoformat(),
            "effective_to": self.release.effective_to.isoformat()
            if self.release.effective_to
            else None,
            "rows": self.rows,
            "billable": self.billable,
            "sha256": self.sha256,
            "loaded_at": self.loaded_at.isoformat(),
            "file": self.source_file,
            "layout": self.layout,
            "notes": self.notes,
        }


def _info(row: sa.Row[Any]) -> DatasetInfo:
    kind = Kind(row.kind)
    loaded_at = row.loaded_at if row.loaded_at.tzinfo else row.loaded_at.replace(tzinfo=UTC)
    release = Release(row.effective_from, kind.family, row.release, row.effective_to)
    return DatasetInfo(
        row.id,
        kind,
        release,
        row.variant,
        row.layout,
        row.source_file,
        row.sha256,
        row.rows,
        row.billable,
        row.notes,
        loaded_at,
        parse_edit_dates(row.edit_dates),
    )


def edit_dates_text(days: Iterable[date]) -> str:
    """`dataset_table.edit_dates` of some boundary dates."""
    return " ".join(d.isoformat() for d in sorted(days))


def parse_edit_dates(text: str | None) -> tuple[date, ...] | None:
    if text is None:
        return None
    return tuple(date.fromisoformat(t) for t in text.split())


def active_datasets(conn: sa.Connection) -> list[DatasetInfo]:
    query = (
        sa.select(dataset_table).where(_D.active).order_by(_D.kind, _D.effective_from, _D.variant)
    )
    return [_info(row) for row in conn.execute(query)]


def active_dataset(
    conn: sa.Connection, kind: Kind, release: str, variant: str
) -> DatasetInfo | None:
    query = sa.select(dataset_table).where(
        _D.active, _D.kind == kind.value, _D.release == release, _D.variant == variant
    )
    row = conn.execute(query).first()
    return _info(row) if row else None


def previous_release(
    conn: sa.Connection, kind: Kind, variant: str, before: date
) -> DatasetInfo | None:
    """The active dataset of `kind` and `variant` whose release starts latest before `before`."""
    query = (
        sa.select(dataset_table)
        .where(_D.active, _D.kind == kind.value, _D.variant == variant, _D.effective_from < before)
        .order_by(_D.effective_from.desc())
        .limit(1)
    )
    row = conn.execute(query).first()
    return _info(row) if row else None


def locco_for(conn: sa.Connection, release: Release) -> DatasetInfo | None:
    """The LOCCO dataset a GPCI or ANES file of `release` must cover: the same release, else
    the latest one of the same year that started by then."""
    query = sa.select(dataset_table).where(_D.active, _D.kind == Kind.LOCCO.value)
    found = [_info(row) for row in conn.execute(query)]
    same = [d for d in found if d.release.id == release.id]
    if same:
        return same[0]
    year = [
        d
        for d in found
        if d.release.effective_from.year == release.effective_from.year
        and d.release.effective_from <= release.effective_from
    ]
    return max(year, key=lambda d: d.release.effective_from) if year else None


def generation(conn: sa.Connection) -> int:
    """The store's generation: bumped by every committed load (`bump_generation`)."""
    found = conn.execute(sa.select(generation_table.c.generation)).scalar()
    return int(found or 0)


def bump_generation(conn: sa.Connection) -> None:
    """Count one more committed change (inside the load's transaction). On PostgreSQL the
    row lock also makes concurrent loads publish one after the other."""
    table = generation_table
    updated = conn.execute(
        sa.update(table).where(table.c.id == 1).values(generation=table.c.generation + 1)
    )
    if updated.rowcount == 0:
        conn.execute(sa.insert(table).values(id=1, generation=1))


def datasets_present(conn: sa.Connection, dataset_ids: Collection[int]) -> bool:
    """Whether every one of these datasets still has its rows (active, or retired and not
    yet purged)."""
    ids = list(set(dataset_ids))
    found = conn.execute(sa.select(sa.func.count()).where(_D.id.in_(ids))).scalar_one()
    return int(found) == len(ids)


def insert_dataset(
    conn: sa.Connection,
    *,
    kind: Kind,
    release: Release,
    variant: str,
    layout: str,
    source_file: str,
    sha256: str,
    notes: str,
) -> int:
    """A new dataset row, inactive until `publish_dataset`."""
    values = {
        "kind": kind.value,
        "release": release.id,
        "variant": variant,
        "family": kind.family.value,
        "effective_from": release.effective_from,
        "effective_to": release.effective_to,
        "layout": layout,
        "source_file": source_file,
        "sha256": sha256,
        "rows": 0,
        "notes": notes,
        "loaded_at": datetime.now(UTC),
        "active": False,
    }
    return int(conn.execute(sa.insert(dataset_table).values(values).returning(_D.id)).scalar_one())


def publish_dataset(
    conn: sa.Connection,
    dataset_id: int,
    *,
    rows: int,
    billable: int | None,
    replaces: Iterable[int],
    edit_dates: str | None = None,
) -> None:
    """Retire the datasets this one replaces, make it the active one and bump the store's
    generation (same transaction). Retired rows stay until `purge_retired` (see
    `dataset_table.retired_at`)."""
    now = datetime.now(UTC)
    old = list(replaces)
    if old:
        conn.execute(
            sa.update(dataset_table).where(_D.id.in_(old)).values(active=False, retired_at=now)
        )
    conn.execute(
        sa.update(dataset_table)
        .where(_D.id == dataset_id)
        .values(rows=rows, billable=billable, active=True, loaded_at=now, edit_dates=edit_dates)
    )
    bump_generation(conn)


def purge_retired(conn: sa.Connection, *, before: datetime) -> int:
    """Delete the datasets retired before `before`, rows and all. Returns how many."""
    query = sa.select(_D.id, _D.kind).where(~_D.active, _D.retired_at < before)
    found = [(row.id, Kind(row.kind)) for row in conn.execute(query)]
    for dataset_id, kind in found:
        table = kind_table(kind)
        conn.execute(sa.delete(table).where(table.c.dataset_id == dataset_id))
        conn.execute(sa.delete(dataset_table).where(_D.id == dataset_id))
    return len(found)


def dataset_records(conn: sa.Connection, kind: Kind, dataset_id: int) -> list[Any]:
    """Every record of a dataset, in load order."""
    table, rc = kind_table(kind), codec(kind)
    columns = [table.c[name] for name in rc.columns]
    query = sa.select(*columns).where(table.c.dataset_id == dataset_id)
    if conn.dialect.name == "sqlite":
        return _sqlite_records(conn, query, rc.decode_text)
    return [rc.decode(row) for row in conn.execute(query)]


def _sqlite_records(conn: sa.Connection, query: sa.Select[Any], decode: Any) -> list[Any]:
    """The rows of `query` read with the sqlite3 cursor and decoded from their stored text
    (`RowCodec.decode_text`): the same records as through SQLAlchemy's result, whose
    per-row and per-value processing was two thirds of reading a table (the 186,000-row
    DMEPOS table a claim file's first DME line reads: 1.08 s, now about 0.5 s)."""
    compiled = query.compile(dialect=conn.dialect)
    params = compiled.construct_params()
    sql = str(compiled)
    values = tuple(params[name] for name in compiled.positiontup or ())
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(sql, values)
        return [decode(row) for row in cursor.fetchall()]
    finally:
        cursor.close()


def _in_codes(column: sa.ColumnElement[Any], codes: Collection[str]) -> sa.ColumnElement[bool]:
    return column.in_(sa.bindparam("codes", list(codes), expanding=True))


def ptp_by_column1(
    conn: sa.Connection, dataset_ids: Collection[int], codes: Collection[str]
) -> dict[str, list[PtpEdit]]:
    """All PTP rows (any date) whose column 1 is one of `codes`, grouped by column 1.
    Several dataset ids: CMS splits a quarter's PTP table into parts (f1 to f4)."""
    return _grouped(conn, Kind.PTP, dataset_ids, "column1", codes)


def mues_by_code(
    conn: sa.Connection, kind: Kind, dataset_ids: Collection[int], codes: Collection[str]
) -> dict[str, list[MueEdit]]:
    return _grouped(conn, kind, dataset_ids, "hcpcs", codes)


def addons_by_addon(
    conn: sa.Connection, dataset_ids: Collection[int], codes: Collection[str]
) -> dict[str, list[AddonEdit]]:
    return _grouped(conn, Kind.ADDON, dataset_ids, "addon", codes)


def _grouped(
    conn: sa.Connection, kind: Kind, dataset_ids: Collection[int], key: str, codes: Collection[str]
) -> dict[str, list[Any]]:
    table, rc = kind_table(kind), codec(kind)
    found: dict[str, list[Any]] = {code: [] for code in codes}
    if not codes:
        return found
    columns = [table.c[name] for name in rc.columns]
    ids = list(dataset_ids)
    owner = table.c.dataset_id == ids[0] if len(ids) == 1 else table.c.dataset_id.in_(ids)
    query = sa.select(*columns).where(owner, _in_codes(table.c[key], codes))
    at = rc.columns.index(key)
    for row in conn.execute(query):
        found[row[at]].append(rc.decode(row))
    return found


def edit_boundaries(
    conn: sa.Connection, kind: Kind, dataset_ids: Collection[int]
) -> tuple[date, ...]:
    """`medpayiq.reference.edit_boundaries` of the PTP or add-on rows of these datasets,
    from their distinct date pairs (one scan; the catalog reads the rows themselves)."""
    table = kind_table(kind)
    owner = table.c.dataset_id.in_(list(dataset_ids))
    pairs = conn.execute(
        sa.select(table.c.effective, table.c.deletion).where(owner).distinct()
    ).all()
    return boundaries_of([p[0] for p in pairs], [p[1] for p in pairs])


def in_force(edit: PtpEdit | AddonEdit, day: date) -> bool:
    """The one rule for dates, shared with the in-memory catalog."""
    return edit_in_force(edit, day)
