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

from medpayiq.store._config import DB_ENV, default_db_path, resolve_url
from medpayiq.store._load import LoadResult, LoadStatus, PlannedFile
from medpayiq.store._queries import DatasetInfo
from medpayiq.store._reference import StoreNcci, StoreReference
from medpayiq.store._store import Store, open_store
from medpayiq.store._sync import CatalogEntry, SyncEvent, default_download_dir, read_catalog, sync

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
