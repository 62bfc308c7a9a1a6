"""PostgreSQL round trip (COPY path, NUMERIC decimals) and the schema-vs-migration check."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from medpayiq import sources
from medpayiq.releases import Kind
from medpayiq.store import LoadStatus, open_store
from medpayiq.store._schema import metadata


@pytest.mark.slow
def test_postgres_round_trip(pg_url: str, data_dir: Path) -> None:
    paths = [
        data_dir / "cms/pfs/RVU26C/PPRRVU2026_Jul_nonQPP.csv",
        data_dir / "cms/pfs/RVU26A",
        data_dir / "cms/zip-locality/ZIP-OCT2025",
        data_dir / "cms/ncci",
        data_dir / "icd10cm/FY2026",
    ]
    with open_store(pg_url) as store:
        results = store.load(paths)
        assert not [r.message for r in results if r.status is LoadStatus.FAILED]
        rows = {(d.kind, d.release.id): d.rows for d in store.datasets()}
        assert rows[(Kind.PPRRVU, "RVU26C")] == 19_356
        assert rows[(Kind.GPCI, "RVU26A")] == 109
        assert rows[(Kind.ZIP5, "20254")] == 42_956
        assert rows[(Kind.PTP, "2024Q3")] == 2_546_017
        assert rows[(Kind.MUE, "2024Q3")] == 14_677
        assert [d.billable for d in store.datasets() if d.kind is Kind.ICD10CM] == [74_719]

        reference = store.reference()
        row = reference.fee_schedule(date(2026, 7, 15)).rvus[("62323", "")]
        file = next(sources.iter_files(paths[0]))
        parsed = next(
            r for r in sources.parse(file).records if (r.hcpcs, r.modifier) == ("62323", "")
        )
        assert row == parsed
        assert (row.work, row.conversion_factor) == (Decimal("1.76"), Decimal("33.4009"))

        ncci = reference.ncci(date(2024, 8, 1))
        pairs = {(e.column1, e.column2) for e in ncci.ptp_among(["62323", "64483", "77003"])}
        assert {("62323", "64483"), ("62323", "77003")} <= pairs
        assert "0591T" not in {e.column2 for e in ncci.ptp_for("0001A")}  # deleted 2023-12-31
        assert reference.geography(date(2025, 11, 1)).zips["77030"][0].locality.locality == "18"

        again = store.load([paths[0]])
        assert [r.status for r in again] == [LoadStatus.UNCHANGED]


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_migrations_build_exactly_the_schema(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    db = str(tmp_path / "m.sqlite") if backend == "sqlite" else request.getfixturevalue("pg_url")
    with open_store(db) as store, store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
        version = conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar_one()
    assert diff == []
    assert version == "0004"
