"""A replaced generation is freed once the requests that captured it end, and its memory is then
handed back to the system.

A server swaps in a new `Snapshot` (reference and answer caches) after `medpayiq data load`;
requests already running keep the old one (`ReferenceScope`). Nothing else may keep it: not
the answer caches, the pricing and claim checker memos, the code pages, the search index nor
the store's next reference, which takes over the datasets the load left alone. A 30-minute
soak grew 504 -> 822 MiB over five loads although every old reference was freed: glibc kept
the free memory of each generation's answers and reads. `Live.release` (run by each poll)
hands it back once a replaced generation is gone, and only then (docs/web.md, "Reloads").
"""

from __future__ import annotations

import gc
import weakref
from pathlib import Path

from fastapi.testclient import TestClient

from medpayiq import services
from medpayiq.store import open_store
from medpayiq.web import create_app
from medpayiq.web._live import Live

from .test_reload import _same_rows_other_bytes, claims, pages


def _ask(client: TestClient) -> None:
    """Claim checks, code pages (API and HTML), prices, localities and data status: every
    cache and memo a request fills over the snapshot's reference."""
    for claim in claims()[:12]:
        answer = client.post("/api/v1/claims/check", json=claim)
        assert answer.status_code == 200, answer.text
    for path in pages():
        answer = client.get(path)
        assert answer.status_code == 200, (path, answer.text)


def test_a_replaced_generation_is_freed_once_its_requests_end(
    copy_of_store_db: str, data_dir: Path, tmp_path: Path
) -> None:
    with open_store(copy_of_store_db) as store:
        app = create_app(source=store, warm=services.warm)
        live: Live = app.state.live
        client = TestClient(app)  # no lifespan: no poll thread, the test polls
        _ask(client)
        first = live.snapshot.generation
        held = live.snapshot  # what a request still running on the old generation holds
        old_snapshot, old_reference = weakref.ref(held), weakref.ref(held.reference)

        store.load(_same_rows_other_bytes(data_dir, tmp_path / "reload"))
        assert live.refresh()
        assert live.snapshot.generation == first + 3
        _ask(client)  # the new generation's caches and memos, over what the old one left

        gc.collect()
        assert live.release() == 0  # still held by its request: not released
        assert old_reference() is not None
        assert live.released == 0

        del held
        gc.collect()
        assert old_snapshot() is None  # nothing but its requests held the old generation
        assert old_reference() is None
        assert not live.poll(now=0.0)  # nothing new to build; the old generation released
        assert live.released == 1
        assert live.release() == 0  # once
