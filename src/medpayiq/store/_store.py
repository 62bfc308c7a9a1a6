"""`Store`: one database of versioned reference data.

    store = open_store(None)            # ~/.local/share/medpayiq/medpayiq.sqlite
    store.load(["../shared/data"])      # detect, parse, load each file atomically
    ref = store.reference()             # ReferenceData for pricing and the claim checker

Opening a store runs the packaged Alembic migrations (`upgrade head`), so a new file or
an empty PostgreSQL schema is ready at once and an older one is brought up to date.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import TracebackType

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from medpayiq import sources
from medpayiq.errors import DataError
from medpayiq.store import _load
from medpayiq.store import _queries as q
from medpayiq.store._config import create_engine, resolve_url
from medpayiq.store._reference import StoreReference

__all__ = ["RETIRED_GRACE", "Store", "open_store"]

# How long a replaced dataset's rows outlive it: a server polls the generation every second
# and swaps references between requests, so only requests already running when a load
# commits still read them; minutes is ample. The next load after that deletes them.
RETIRED_GRACE = timedelta(minutes=10)


def _alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", "medpayiq.store:migrations")
    return cfg


def _upgrade(engine: sa.Engine) -> None:
    cfg = _alembic_config()
    head = ScriptDirectory.from_config(cfg).get_current_head()
    with engine.connect() as conn:
        if MigrationContext.configure(conn).get_current_revision() == head:
            return
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


class Store:
    """Versioned reference data in SQLite or PostgreSQL (see the module docstring)."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        self._reference: tuple[int, StoreReference] | None = None
        self._lock = threading.Lock()
        self.retired_grace = RETIRED_GRACE

    @property
    def url(self) -> str:
        """The database URL, password hidden."""
        return self.engine.url.render_as_string(hide_password=True)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self.close()

    # -- loading

    def plan(self, paths: Iterable[str | Path]) -> list[_load.PlannedFile]:
        """The files under `paths` and what each is (records not read yet)."""
        return _load.plan(paths)

    def load_planned(
        self,
        item: _load.PlannedFile,
        *,
        on_rows: Callable[[int], None] | None = None,
        allow_shrink: bool = False,
    ) -> _load.LoadResult:
        self.purge_retired()
        return _load.load_planned(self.engine, item, on_rows=on_rows, allow_shrink=allow_shrink)

    def load(
        self, paths: Iterable[str | Path], *, allow_shrink: bool = False
    ) -> list[_load.LoadResult]:
        """Load every file under `paths`. Each dataset is atomic; a bad file (or one refused
        by the integrity checks, `_integrity`) is a FAILED result and leaves what was loaded
        before in place."""
        return [self.load_planned(i, allow_shrink=allow_shrink) for i in self.plan(paths)]

    def load_file(
        self,
        parsed: sources.ParsedFile,
        *,
        on_rows: Callable[[int], None] | None = None,
        allow_shrink: bool = False,
    ) -> _load.LoadResult:
        """Load one parsed file. Raises the parser's ParseError or `RefusedFile` (and nothing
        is changed)."""
        self.purge_retired()
        return _load.load_parsed(self.engine, parsed, on_rows=on_rows, allow_shrink=allow_shrink)

    def purge_retired(self, older_than: timedelta | None = None) -> int:
        """Delete the rows of datasets replaced more than `older_than` (default
        `retired_grace`) ago. Loads call it; returns how many datasets went."""
        grace = self.retired_grace if older_than is None else older_than
        with self.engine.begin() as conn:
            return q.purge_retired(conn, before=datetime.now(UTC) - grace)

    # -- reading

    def datasets(self) -> list[q.DatasetInfo]:
        """The active datasets, by kind and date."""
        with self.engine.connect() as conn:
            return q.active_datasets(conn)

    def generation(self) -> int:
        """The store's generation: every load that commits a change bumps it (one cheap
        query; a server polls it to know when to swap in a new reference)."""
        with self.engine.connect() as conn:
            return q.generation(conn)

    def _snapshot(self) -> tuple[int, list[q.DatasetInfo]]:
        """The generation and the active datasets of that generation (read again if a load
        committed in between: the two reads are separate statements)."""
        while True:
            with self.engine.connect() as conn:
                before = q.generation(conn)
                datasets = q.active_datasets(conn)
                if q.generation(conn) == before:
                    return before, datasets

    def reference(self) -> StoreReference:
        """`ReferenceData` over what is loaded now. The same object is returned until a load
        commits (one cheap query per call), so callers may ask per request. A reference keeps
        answering from the datasets of its own generation: a load retires what it replaces
        without deleting it for `retired_grace`."""
        current = self.generation()
        with self._lock:
            if self._reference is None or self._reference[0] != current:
                generation, datasets = self._snapshot()
                self._reference = (generation, StoreReference(self.engine, datasets, generation))
            return self._reference[1]


def open_store(db: str | None = None) -> Store:
    """Open (creating or migrating as needed) the store at `db`: a file path (SQLite), a
    database URL, or None for MEDPAYIQ_DB or the default file in the user's data directory."""
    engine = create_engine(resolve_url(db))
    try:
        _upgrade(engine)
    except sa.exc.OperationalError as exc:
        engine.dispose()
        reason = " ".join(str(exc.orig).split())  # one line: libpq's messages span several
        raise DataError(
            f"cannot open the database {engine.url.render_as_string()}: {reason}"
        ) from None
    return Store(engine)
