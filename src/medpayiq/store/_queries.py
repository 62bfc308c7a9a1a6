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
from medpayiq.store._schema import codec, dataset_table, kind_table

__all__ = [
    "DatasetInfo",
    "active_dataset",
    "active_datasets",
    "addons_by_addon",
    "data_version",
    "dataset_records",
    "edit_boundaries",
    "in_force",
    "insert_dataset",
    "mues_by_code",
    "ptp_by_column1",
    "publish_dataset",
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
    )


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


def data_version(conn: sa.Connection) -> tuple[int, int]:
    """Changes whenever a dataset is loaded or replaced (ids only grow)."""
    row = conn.execute(sa.select(sa.func.max(_D.id), sa.func.count()).where(_D.active)).one()
    return (row[0] or 0, row[1])


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
    kind: Kind,
    rows: int,
    billable: int | None,
    replaces: Iterable[int],
) -> None:
    """Remove the datasets this one replaces, then make it the active one (same transaction)."""
    table = kind_table(kind)
    for old in replaces:
        conn.execute(sa.delete(table).where(table.c.dataset_id == old))
        conn.execute(sa.delete(dataset_table).where(_D.id == old))
    conn.execute(
        sa.update(dataset_table)
        .where(_D.id == dataset_id)
        .values(rows=rows, billable=billable, active=True, loaded_at=datetime.now(UTC))
    )


def dataset_records(conn: sa.Connection, kind: Kind, dataset_id: int) -> list[Any]:
    """Every record of a dataset, in load order."""
    table, rc = kind_table(kind), codec(kind)
    columns = [table.c[name] for name in rc.columns]
    query = sa.select(*columns).where(table.c.dataset_id == dataset_id)
    return [rc.decode(row) for row in conn.execute(query)]


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
