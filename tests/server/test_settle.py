"""A server builds one snapshot per `medpayiq data load`, not one per file it commits.

A load commits each file in its own transaction, and each commit bumps the store's
generation. `Live.poll` (the reload thread's step, given the clock here) builds only once the
generation has stayed put for `Settle.quiet` seconds, or `Settle.longest` seconds after it
first moved, and then serves the store's generation as a whole (issue 13: the soaked server
built two or three snapshots per load, and serving stalled meanwhile).
"""

from __future__ import annotations

import gzip
from pathlib import Path

from medpayiq.store import open_store
from medpayiq.web._live import Live, Settle

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "ncci"
PTP = FIXTURES / "ccipra-v302r0-f1.TXT"
AOC = FIXTURES / "AOC_V2024Q3-MCR.xlsx"


def _gzipped(path: Path, folder: Path, n: int = 0) -> Path:
    """The same file gzipped (the same rows in other bytes: a load replaces the dataset);
    `n` names a different copy (each gzip header holds its mtime)."""
    target = folder / str(n) / (path.name + ".gz")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(gzip.compress(path.read_bytes(), mtime=n))
    return target


def test_the_commits_of_one_load_are_built_once(tmp_path: Path) -> None:
    with open_store(str(tmp_path / "s.sqlite")) as store:
        store.load([PTP])
        live = Live(store, settle=Settle(quiet=2.0, longest=30.0))
        start = live.snapshot.generation
        store.load([AOC])  # a load's first file commits
        assert not live.poll(now=100.0)  # moved: wait for the load's other files
        store.load([_gzipped(PTP, tmp_path)])  # its second file
        assert not live.poll(now=101.5)  # moved again: the quiet time starts over
        assert not live.poll(now=103.0)
        assert live.poll(now=103.5)  # 2 s without a commit: built, once
        assert live.swaps == 1
        assert live.snapshot.generation == store.generation() == start + 2
        assert live.snapshot.reference is store.reference()
        assert not live.poll(now=104.0)  # nothing new


def test_a_stream_of_commits_is_still_served(tmp_path: Path) -> None:
    with open_store(str(tmp_path / "s.sqlite")) as store:
        store.load([AOC])
        live = Live(store, settle=Settle(quiet=2.0, longest=5.0))
        start = live.snapshot.generation
        swapped = []
        for n, now in enumerate((200.0, 201.0, 202.0, 203.0, 204.0, 205.0), start=1):
            store.load([_gzipped(AOC, tmp_path, n)])  # never quiet for 2 s
            swapped.append(live.poll(now=now))
        # Served 5 s after the generation first moved, at the generation it had then.
        assert swapped == [False] * 5 + [True]
        assert live.snapshot.generation == store.generation() == start + 6
