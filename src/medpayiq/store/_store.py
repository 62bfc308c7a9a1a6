"""`Store`: one database of versioned reference data.

    store = open_store(None)            # ~/.local/share/medpayiq/medpayiq.sqlite
    store.load(["../shared/data"])      # detect, parse, load each file atomically
    ref = store.reference()             # ReferenceData for pricing and the claim checker

Opening a store runs the packaged Alembic migrations (`upgrade head`), so a new file or
an empty PostgreSQL schema is ready at once and an older one is brought up to date.
"""

from __future__ import annotations

import importlib.util
import re
import sys
import threading
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from importlib import resources
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from medpayiq.errors import DataError
from medpayiq.store import _queries as q
from medpayiq.store._config import create_engine, resolve_url
from medpayiq.store._reference import StoreReference

if TYPE_CHECKING:
    from alembic.config import Config

    from medpayiq import sources
    from medpayiq.store import _load
else:

    def _lazy(name: str) -> Any:
        """A module imported when first used: reading the store never imports the loader
        and its parsers (a question on the command line starts faster, bench/cli.py)."""
        if name in sys.modules:
            return sys.modules[name]
        spec = importlib.util.find_spec(name)
        assert spec is not None and spec.loader is not None
        spec.loader = importlib.util.LazyLoader(spec.loader)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
        return module

    _load = _lazy("medpayiq.store._load")
    sources = _lazy("medpayiq.sources")

__all__ = ["RETIRED_GRACE", "Store", "open_store"]

# How long a replaced dataset's rows outlive it: a server polls the generation every second
# and swaps references between requests, so only requests already running when a load
# commits still read them; minutes is ample. The next load after that deletes them.
RETIRED_GRACE = timedelta(minutes=10)


def _alembic_config() -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", "medpayiq.store:migrations")
    return cfg


_REVISION = re.compile(r'^(down_revision|revision)\s*=\s*["\']?([^"\'\s]+)', re.MULTILINE)


def _head_revision() -> str | None:
    """The newest packaged migration, read from the files' `revision` lines without importing
    Alembic (opening an up-to-date store then costs one query); None if they cannot be read."""
    revisions: set[str] = set()
    replaced: set[str] = set()
    folder = resources.files("medpayiq.store") / "migrations" / "versions"
    for entry in folder.iterdir():
        if not entry.name.endswith(".py"):
            continue
        found = dict((k, v) for k, v in _REVISION.findall(entry.read_text(encoding="utf-8")))
        if "revision" not in found:
            return None
        revisions.add(found["revision"])
        if found.get("down_revision", "None") != "None":
            replaced.add(found["down_revision"])
    heads = revisions - replaced
    return heads.pop() if len(heads) == 1 else None


def _current_revision(engine: sa.Engine) -> str | None:
    with engine.connect() as conn:
        if not sa.inspect(conn).has_table("alembic_version"):
            return None
        return conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()


def _upgrade(engine: sa.Engine) -> None:
    head = _head_revision()
    if head is not None and _current_revision(engine) == head:
        return
    from alembic import command

    cfg = _alembic_config()
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

    def question_reference(self) -> StoreReference:
        """A `ReferenceData` for one question and then exit (a command line): the same answers
        as `reference()`, without the work that only pays off across many questions (NCCI
        epochs spanning dates; bench/cli.py). Not cached: each call reads the store anew."""
        return _one_question(self)

    def reference(self) -> StoreReference:
        """`ReferenceData` over what is loaded now. The same object is returned until a load
        commits (one cheap query per call), so callers may ask per request. A reference keeps
        answering from the datasets of its own generation: a load retires what it replaces
        without deleting it for `retired_grace`."""
        current = self.generation()
        with self._lock:
            if self._reference is None or self._reference[0] != current:
                generation, datasets = self._snapshot()
                fresh = StoreReference(self.engine, datasets, generation)
                if self._reference is not None:
                    # What the load left alone is not read nor indexed again (docs/store.md).
                    fresh.inherit(self._reference[1])
                self._reference = (generation, fresh)
            return self._reference[1]


def _one_question(store: Store) -> StoreReference:
    generation, datasets = store._snapshot()
    return StoreReference(store.engine, datasets, generation, one_question=True)


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
