"""A dataset read whole: on SQLite through the sqlite3 cursor and decoded from the stored
text (`RowCodec.decode_text`), the very records SQLAlchemy's typed result gives."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa

from medpayiq.records import DmeFee
from medpayiq.store import _queries as q
from medpayiq.store._schema import codec, kind_table


def _through_sqlalchemy(conn: sa.Connection, info: q.DatasetInfo) -> list[object]:
    table, rc = kind_table(info.kind), codec(info.kind)
    columns = [table.c[name] for name in rc.columns]
    rows = conn.execute(sa.select(*columns).where(table.c.dataset_id == info.id))
    return [rc.decode(row) for row in rows]


def test_every_kind_reads_as_through_sqlalchemy(store_db: Path) -> None:
    engine = sa.create_engine(f"sqlite:///{store_db}")
    with engine.connect() as conn:
        infos = [i for i in q.active_datasets(conn) if i.rows < 60_000]
        assert len({i.kind for i in infos}) >= 15  # decimals, dates, booleans, localities
        for info in infos:
            fast = q.dataset_records(conn, info.kind, info.id)
            typed = _through_sqlalchemy(conn, info)
            assert fast == typed, info.kind
            for a, b in zip(fast, typed, strict=True):
                assert type(a) is type(b)
                assert [type(getattr(a, f)) for f in a.__slots__] == [
                    type(getattr(b, f)) for f in b.__slots__
                ], info.kind
    engine.dispose()


def test_a_dmepos_row_as_published(store_db: Path) -> None:
    engine = sa.create_engine(f"sqlite:///{store_db}")
    with engine.connect() as conn:
        info = next(i for i in q.active_datasets(conn) if i.kind.value == "dmepos")
        rows = q.dataset_records(conn, info.kind, info.id)
    engine.dispose()
    # DMEPOS 2026 Q1, A4216 in Alabama: 0.58 non-rural, 0.00 rural, ceiling 0.63, floor 0.54.
    row = next(r for r in rows if (r.hcpcs, r.modifier, r.state) == ("A4216", "", "AL"))
    assert isinstance(row, DmeFee)
    assert (row.nonrural, row.rural, row.ceiling, row.floor) == (
        Decimal("0.58"), Decimal("0.00"), Decimal("0.63"), Decimal("0.54"),
    )  # fmt: skip
    assert str(row.nonrural) == "0.58" and row.category == "OS"
