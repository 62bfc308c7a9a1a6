"""Shared fixtures. Tests read the official files in place (../shared/data); nothing is copied.

`MEDPAYIQ_SHARED_DATA` overrides where the data is. Without the data the suite cannot say
anything true about Medicare, so it stops with a clear message instead of skipping.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from medpayiq.reference import Catalog

ROOT = Path(__file__).resolve().parent.parent


def _data_dir() -> Path:
    configured = os.environ.get("MEDPAYIQ_SHARED_DATA")
    path = Path(configured) if configured else ROOT.parent / "shared" / "data"
    if not (path / "cms").is_dir():
        pytest.exit(f"official data not found at {path}: set MEDPAYIQ_SHARED_DATA", returncode=2)
    return path


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """../shared/data: the official CMS, CDC and X12 files."""
    return _data_dir()


@pytest.fixture(scope="session")
def catalog(data_dir: Path) -> Catalog:
    """Every shared file parsed into memory (the real data, no store). Loaded once per worker."""
    return Catalog.from_sources([str(data_dir)])


# In CI (.ci/run sets these) a PostgreSQL or browser test that skips is a failure: the
# services are installed there, so a skip would hide a broken setup.
_REQUIRED = {"postgres": "MEDPAYIQ_REQUIRE_PG", "browser": "MEDPAYIQ_REQUIRE_BROWSER"}


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):  # type: ignore[no-untyped-def]
    outcome = yield
    report = outcome.get_result()
    if not report.skipped:
        return
    for marker, variable in _REQUIRED.items():
        if item.get_closest_marker(marker) and os.environ.get(variable):
            report.outcome = "failed"
            report.longrepr = (
                f"{variable} is set but this {marker} test was skipped: {report.longrepr}"
            )


@pytest.fixture(scope="session")
def store_db(tmp_path_factory: pytest.TempPathFactory, data_dir: Path) -> Path:
    """An SQLite store holding every file in ../shared/data (PTP included), built once per test
    run and shared by all xdist workers (a file lock in the run's base temp dir). Read it, do not
    load into it: tests that change data open their own store. Returns the file's path; the
    load's results (one line per file) are beside it in `load-results.txt`."""
    import fcntl

    from medpayiq.store import open_store

    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # shared by the workers of this run
    folder = root / "store_db"
    folder.mkdir(exist_ok=True)
    path = folder / "medpayiq.sqlite"
    with (root / "store_db.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        done = folder / "load-results.txt"
        if not done.exists():
            with open_store(str(path)) as store:
                results = store.load([data_dir])
            lines = [f"{r.status.value}\t{r.file}\t{r.message}" for r in results]
            done.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# --- PostgreSQL: schemas made per test and dropped after -------------------------------

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
