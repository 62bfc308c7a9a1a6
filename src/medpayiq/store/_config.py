"""Which database to use, and how to connect to it.

`--db` (or MEDPAYIQ_DB) is a file path, meaning SQLite, or a SQLAlchemy URL such as
`postgresql+psycopg://user@host/db`. Without either, the store lives in the user's data
directory: $XDG_DATA_HOME/medpayiq/medpayiq.sqlite (~/.local/share/medpayiq/medpayiq.sqlite).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import URL, Engine, make_url

from medpayiq.errors import InputError

__all__ = ["DB_ENV", "create_engine", "default_db_path", "load_cache", "resolve_url"]

# SQLite's page cache, per connection, in KiB. Reading, a small one: the pool keeps five
# connections, each cache fills with the pages its queries touched and is never given back, and
# the operating system caches the file anyway; at 64 MiB each a server asked for thousands of
# distinct codes and dates kept growing (issue 13's memory ceiling). Loading, a large one: bulk
# inserts into indexed tables touch the same index pages again and again.
READ_CACHE_KIB = 8_192
LOAD_CACHE_KIB = 65_536

DB_ENV = "MEDPAYIQ_DB"


def default_db_path() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "medpayiq" / "medpayiq.sqlite"


def resolve_url(db: str | None) -> URL:
    """The database URL for `--db` (a path or a URL), else MEDPAYIQ_DB, else the default file."""
    text = db or os.environ.get(DB_ENV) or str(default_db_path())
    if "://" not in text:
        path = Path(text).expanduser().resolve()
        if path.is_dir():
            raise InputError(
                f"--db {text}: is a folder, expected a database file or URL", parameter="db"
            )
        path.parent.mkdir(parents=True, exist_ok=True)
        return URL.create("sqlite+pysqlite", database=str(path))
    try:
        url = make_url(text)
    except sa.exc.ArgumentError as exc:
        raise InputError(f"--db {text}: not a database URL ({exc})", parameter="db") from None
    if url.drivername in ("postgresql", "postgres"):
        # psycopg (3) is the driver we ship with; plain postgresql:// would ask for psycopg2.
        url = url.set(drivername="postgresql+psycopg")
    if url.get_backend_name() not in ("sqlite", "postgresql"):
        raise InputError(
            f"--db {text}: only SQLite files and PostgreSQL URLs are supported", parameter="db"
        )
    return url


def create_engine(url: URL) -> Engine:
    if url.get_backend_name() == "sqlite":
        return _sqlite_engine(url)
    return sa.create_engine(url, pool_pre_ping=True)


def _sqlite_engine(url: URL) -> Engine:
    engine = sa.create_engine(url, connect_args={"timeout": 60})

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the sqlite3 module, decide where transactions begin, so that
        # DDL and bulk inserts run inside the same explicit transaction (SQLAlchemy's
        # documented recipe for pysqlite).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        # WAL: readers keep reading the previous data while a load writes; a killed load
        # leaves its uncommitted pages behind, never half a dataset.
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA temp_store=MEMORY")
        cursor.execute(f"PRAGMA cache_size=-{READ_CACHE_KIB}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: sa.Connection) -> None:
        connection.exec_driver_sql("BEGIN")

    return engine


@contextmanager
def load_cache(conn: sa.Connection) -> Iterator[None]:
    """A load's transaction on SQLite runs with the large page cache (`LOAD_CACHE_KIB`); the
    pooled connection goes back with the small one."""
    if conn.dialect.name != "sqlite":
        yield
        return
    conn.exec_driver_sql(f"PRAGMA cache_size=-{LOAD_CACHE_KIB}")
    try:
        yield
    finally:
        # Never in place of the load's own error (a connection that failed may fail this too).
        with suppress(sa.exc.SQLAlchemyError):
            conn.exec_driver_sql(f"PRAGMA cache_size=-{READ_CACHE_KIB}")
