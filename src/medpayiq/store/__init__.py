"""The versioned reference store: official datasets in SQLite or PostgreSQL.

    from medpayiq.store import open_store
    store = open_store("medpayiq.sqlite")       # or a URL, or None for the default file
    for result in store.load(["../shared/data"]):
        print(result.kind, result.release, result.rows, result.status)
    reference = store.reference()              # a medpayiq.reference.ReferenceData

Datasets are keyed by (kind, release, variant); many releases live side by side and a
question's date of service picks one (`medpayiq.reference.resolve`). See docs/store.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from medpayiq.store._config import DB_ENV, default_db_path, resolve_url
from medpayiq.store._queries import DatasetInfo
from medpayiq.store._reference import StoreNcci, StoreReference
from medpayiq.store._store import Store, open_store

if TYPE_CHECKING:
    from medpayiq.store._load import LoadResult, LoadStatus, PlannedFile
    from medpayiq.store._sync import (
        CatalogEntry,
        SyncEvent,
        default_download_dir,
        read_catalog,
        sync,
    )

# Loading and syncing import the parsers and an HTTP client: imported when first asked for,
# so a command that only reads the store starts faster (bench/cli.py).
_LATER = {
    "LoadResult": "_load",
    "LoadStatus": "_load",
    "PlannedFile": "_load",
    "CatalogEntry": "_sync",
    "SyncEvent": "_sync",
    "default_download_dir": "_sync",
    "read_catalog": "_sync",
    "sync": "_sync",
}


def __getattr__(name: str) -> Any:
    module = _LATER.get(name)
    if module is None:
        raise AttributeError(f"module 'medpayiq.store' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(f"medpayiq.store.{module}"), name)


__all__ = [
    "DB_ENV",
    "CatalogEntry",
    "DatasetInfo",
    "LoadResult",
    "LoadStatus",
    "PlannedFile",
    "Store",
    "StoreNcci",
    "StoreReference",
    "SyncEvent",
    "default_db_path",
    "default_download_dir",
    "open_store",
    "read_catalog",
    "resolve_url",
    "sync",
]
