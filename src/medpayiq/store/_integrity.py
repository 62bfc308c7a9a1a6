"""What a file must be before it replaces what serves: keys CMS publishes once, and no
silent loss of keys or localities.

- **Unique keys** (`UNIQUE_KEYS`): CMS publishes one row per key (a PPRRVU row per HCPCS and
  modifier, a GPCI row per locality, ...). An exact repeat is dropped and counted (CMS's
  PFREV4 repeats every record); two different rows for one key refuse the file, naming both
  lines, because which one is right cannot be told (62323 twice in a PPRRVU: the last row
  used to win, and the code was priced 519.04 instead of 250.42). Kinds whose keys legitimately
  repeat (PTP pairs and add-on edits over their history, a modifier listed under two
  categories, coverage articles) are not checked.
- **Localities** (`check_localities`): a GPCI or ANES file covers every locality of the LOCCO
  file of its release (or of the latest LOCCO of its year): a GPCI file without Houston would
  leave Houston unpriceable.
- **Shrinking** (`check_shrink`): a file that drops more than `SHRINK_LIMIT` of the keys of
  the dataset it replaces (or, for a new release, of the release before it) is refused unless
  the load allows it (`medpayiq data load --allow-shrink`). Kinds without a unique key compare
  row counts.

Checks run inside the load's transaction, before the dataset is published: a refused file
rolls back and the earlier data keeps serving.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa

from medpayiq import sources
from medpayiq.errors import DataError
from medpayiq.releases import Kind
from medpayiq.store import _queries as q
from medpayiq.store._schema import kind_table

__all__ = [
    "SHRINK_LIMIT",
    "UNIQUE_KEYS",
    "RefusedFile",
    "UniqueRows",
    "check_localities",
    "check_shrink",
]

SHRINK_LIMIT = 0.02  # a year's deleted CPT codes are about 1.2% of the PPRRVU (RVU25D to 26B)

UNIQUE_KEYS: dict[Kind, tuple[str, ...]] = {
    Kind.PPRRVU: ("hcpcs", "modifier"),
    Kind.GPCI: ("locality",),
    Kind.LOCCO: ("locality",),
    Kind.ANES: ("locality",),
    Kind.OPPSCAP: ("hcpcs", "modifier", "locality"),
    Kind.ZIP5: ("zip5",),
    Kind.PAYMENT: ("locality", "hcpcs", "modifier"),
    Kind.MUE: ("hcpcs",),
    Kind.MUE_OUTPATIENT: ("hcpcs",),
    Kind.ICD10CM: ("code",),
    Kind.HCPCS: ("code",),
    Kind.POS: ("code",),
    Kind.ADJUSTMENT: ("kind", "code"),
    Kind.CLFS: ("hcpcs", "modifier"),
    Kind.DMEPOS: ("hcpcs", "modifier", "modifier2", "state"),
}


class RefusedFile(DataError):
    """A file that parsed but may not replace what serves (see the module docstring)."""


def _show(kind: Kind, key: tuple[Any, ...]) -> str:
    names = UNIQUE_KEYS[kind]
    return ", ".join(f'{n} "{v}"' for n, v in zip(names, key, strict=True))


class UniqueRows:
    """Streams records through, dropping exact repeats of a key and refusing two different
    rows for one key. Runs in the loader's parsing thread, right after the parser yields,
    so the parser's `cursor` names the record's line."""

    def __init__(self, parsed: sources.ParsedFile) -> None:
        self.parsed = parsed
        self.names = UNIQUE_KEYS.get(parsed.kind)
        self.duplicates = 0

    def wrap(self, records: Iterator[Any]) -> Iterator[Any]:
        return records if self.names is None else self._unique(records)

    def _unique(self, records: Iterator[Any]) -> Iterator[Any]:
        names = self.names
        assert names is not None
        cursor = self.parsed.cursor
        # key -> (line or record number, hash of the row): rows are not kept, so a
        # 186,000-row DMEPOS file costs a dict of keys.
        seen: dict[tuple[Any, ...], tuple[int, int]] = {}
        for number, record in enumerate(records, start=1):
            key = tuple(getattr(record, n) for n in names)
            where = cursor.line if cursor is not None else number
            digest = hash(record)
            first = seen.get(key)
            if first is None:
                seen[key] = (where, digest)
                yield record
            elif first[1] == digest:
                self.duplicates += 1
            else:
                unit = "lines" if cursor is not None else "records"
                raise RefusedFile(
                    f"{self.parsed.source.name} {unit} {first[0]} and {where}: two different "
                    f"rows for {_show(self.parsed.kind, key)}; CMS publishes one, so the file "
                    "is refused (which row is right cannot be told)"
                )


def _key_columns(kind: Kind) -> list[str]:
    columns = []
    for name in UNIQUE_KEYS[kind]:
        # A LocalityId field is two columns (`_schema`): carrier and locality.
        columns += ["carrier", "locality"] if name == "locality" else [name]
    return columns


def _missing_keys(
    conn: sa.Connection, kind: Kind, old: int, new: int
) -> tuple[int, int, list[tuple[Any, ...]]]:
    """(keys of `old`, how many of them `new` lacks, a few of those)."""
    table = kind_table(kind)
    cols = [table.c[c] for c in _key_columns(kind)]
    before = sa.select(*cols).where(table.c.dataset_id == old)
    after = sa.select(*cols).where(table.c.dataset_id == new)
    gone = before.except_(after).subquery()
    total = conn.execute(
        sa.select(sa.func.count()).select_from(before.distinct().subquery())
    ).scalar_one()
    count = conn.execute(sa.select(sa.func.count()).select_from(gone)).scalar_one()
    examples = [tuple(r) for r in conn.execute(sa.select(gone).limit(5))]
    return int(total), int(count), examples


def _examples(kind: Kind, rows: list[tuple[Any, ...]]) -> str:
    if kind in (Kind.GPCI, Kind.ANES, Kind.LOCCO):
        return ", ".join(f"{c}-{loc}" for c, loc in rows)
    return ", ".join(" ".join(str(v) for v in row if v) for row in rows)


def check_shrink(
    conn: sa.Connection,
    parsed: sources.ParsedFile,
    dataset_id: int,
    rows: int,
    replaced: q.DatasetInfo | None,
) -> None:
    """Refuse a file that loses more than `SHRINK_LIMIT` of what it replaces."""
    before = replaced or q.previous_release(
        conn, parsed.kind, parsed.variant, parsed.release.effective_from
    )
    if before is None or before.rows == 0:
        return
    what = f"{parsed.kind.value} {before.release.id} ({before.source_file})"
    if parsed.kind in UNIQUE_KEYS:
        total, lost, examples = _missing_keys(conn, parsed.kind, before.id, dataset_id)
        if total and lost / total > SHRINK_LIMIT:
            raise RefusedFile(
                f"{parsed.source.name}: lacks {lost:,} of the {total:,} keys of {what} "
                f"({100 * lost / total:.1f}%, more than {100 * SHRINK_LIMIT:g}%), such as "
                f"{_examples(parsed.kind, examples)}; if that is right, load it with "
                "--allow-shrink"
            )
    elif rows < before.rows * (1 - SHRINK_LIMIT):
        raise RefusedFile(
            f"{parsed.source.name}: has {rows:,} rows where {what} has {before.rows:,} "
            f"({100 * (before.rows - rows) / before.rows:.1f}% fewer, more than "
            f"{100 * SHRINK_LIMIT:g}%); if that is right, load it with --allow-shrink"
        )


def check_localities(conn: sa.Connection, parsed: sources.ParsedFile, dataset_id: int) -> None:
    """A GPCI or ANES file covers every locality of its LOCCO file (same release, else the
    latest LOCCO of the same year)."""
    if parsed.kind not in (Kind.GPCI, Kind.ANES):
        return
    locco = q.locco_for(conn, parsed.release)
    if locco is None:
        return  # nothing to check against yet (the folder's LOCCO file is loaded first)
    table, counties = kind_table(parsed.kind), kind_table(Kind.LOCCO)
    wanted = sa.select(counties.c.carrier, counties.c.locality).where(
        counties.c.dataset_id == locco.id
    )
    have = sa.select(table.c.carrier, table.c.locality).where(table.c.dataset_id == dataset_id)
    missing = [tuple(r) for r in conn.execute(wanted.except_(have))]
    if missing:
        shown = _examples(Kind.GPCI, sorted(missing)[:5])
        raise RefusedFile(
            f"{parsed.source.name}: lacks {len(missing)} of the localities of {locco.source_file} "
            f"({locco.release.id}): {shown}{' ...' if len(missing) > 5 else ''}; those places "
            "could not be priced, so the file is refused"
        )
