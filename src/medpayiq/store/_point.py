"""Keyed indexes answered one key at a time: a question about one code or one ZIP reads the
rows it needs with an indexed query instead of the whole dataset.

`medpayiq price 62323 --zip 77030` needs one PPRRVU row (of 19,000) and one ZIP (of
43,000); reading both datasets whole took most of the command's time (bench/cli.py). A
`PointIndex` answers `index[key]` (and `get`, `in`) with a query on the dataset's lookup
index, keeping each answer; anything that walks the index (search, the batch engine) reads
the dataset whole once, through the same builder, so the answers are the same either way.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import sqlalchemy as sa

from medpayiq.bounded import trim
from medpayiq.releases import Kind
from medpayiq.store._schema import codec, kind_table

__all__ = ["PointIndex"]

_MISSING = object()  # a key the dataset does not have (kept, so it is asked once)
_UNASKED = object()
# Answers kept per index (a full table drops its older half, `bounded.trim`). A server asked
# about every ZIP and diagnosis kept adding keys past its warm-up towards the whole dataset
# (100,000 keys a table, as before: 43,000 ZIPs, 98,000 ICD-10-CM codes): issue 13's memory
# bench counted them. A key asked again after it went is one indexed query.
KEPT = 4_096


class PointIndex(Mapping[Any, Any]):
    """`build(records)` of one dataset, answered key by key until something walks it."""

    def __init__(
        self,
        engine: sa.Engine,
        kind: Kind,
        dataset_ids: Sequence[int],
        fields: Sequence[str],
        build: Callable[[Sequence[Any]], Mapping[Any, Any]],
        whole: Callable[[], Sequence[Any]],
    ) -> None:
        self._engine = engine
        self._kind = kind
        self._dataset_ids = list(dataset_ids)
        self._fields = tuple(fields)
        self._build = build
        self._whole = whole
        self._found: dict[Any, Any] = {}
        self._all: Mapping[Any, Any] | None = None
        self._lock = threading.Lock()

    def _everything(self) -> Mapping[Any, Any]:
        if self._all is None:
            with self._lock:
                if self._all is None:
                    self._all = self._build(self._whole())
        return self._all

    def __getitem__(self, key: Any) -> Any:
        if self._all is not None:
            return self._all[key]
        found = self._found.get(key, _UNASKED)
        if found is _UNASKED:
            found = self._fetch(key)
            trim(self._found, KEPT)
            self._found[key] = found
        if found is _MISSING:
            raise KeyError(key)
        return found

    def _fetch(self, key: Any) -> Any:
        values = key if len(self._fields) > 1 else (key,)
        if not isinstance(values, tuple) or len(values) != len(self._fields):
            return _MISSING
        table, rc = kind_table(self._kind), codec(self._kind)
        columns = [table.c[name] for name in rc.columns]
        where = [table.c.dataset_id.in_(self._dataset_ids)]
        where += [table.c[f] == v for f, v in zip(self._fields, values, strict=True)]
        with self._engine.connect() as conn:
            rows = [rc.decode(row) for row in conn.execute(sa.select(*columns).where(*where))]
        return self._build(rows).get(key, _MISSING)

    def __iter__(self) -> Iterator[Any]:
        return iter(self._everything())

    def __len__(self) -> int:
        return len(self._everything())
