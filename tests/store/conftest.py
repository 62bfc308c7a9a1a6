"""Store fixtures: fresh SQLite files, and PostgreSQL schemas made per test and dropped after."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

PG_DEFAULT = "postgresql+psycopg://127.0.0.1:5432/test"


def _pg_base() -> str:
    return os.environ.get("MEDPAYIQ_TEST_PG", PG_DEFAULT)


@pytest.fixture(scope="session")
def pg_server() -> str:
    """The PostgreSQL URL to test against; skips (with the reason) when no server answers."""
    import psycopg
    from sqlalchemy.engine import make_url

    url = make_url(_pg_base())
    try:
        psycopg.connect(
            host=url.host,
            port=url.port,
            dbname=url.database,
            user=url.username,
            password=url.password,
            connect_timeout=3,
        ).close()
    except psycopg.Error as exc:
        pytest.skip(f"no PostgreSQL at {url.render_as_string()} ({exc}); set MEDPAYIQ_TEST_PG")
    return _pg_base()


@pytest.fixture
def pg_url(pg_server: str) -> Iterator[str]:
    """A database URL whose search_path is a new, empty schema (dropped after the test)."""
    import psycopg
    from sqlalchemy.engine import make_url

    base = make_url(pg_server)
    schema = f"medpayiq_test_{uuid.uuid4().hex[:12]}"
    params = {
        "host": base.host,
        "port": base.port,
        "dbname": base.database,
        "user": base.username,
        "password": base.password,
    }
    with psycopg.connect(**params, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    url = base.update_query_dict({"options": f"-csearch_path={schema}"})
    yield url.render_as_string(hide_password=False)
    with psycopg.connect(**params, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture(params=["sqlite", "postgresql"])
def any_db(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty store location on each backend."""
    if request.param == "sqlite":
        return str(tmp_path / "store.sqlite")
    return str(request.getfixturevalue("pg_url"))
