"""Reloads: every committed load bumps the store's generation, and a reference made before a
load keeps answering from its own generation's datasets (retired, not deleted) until they are
purged, after which it says so rather than answering from an empty table."""

from __future__ import annotations

import gc
import gzip
import shutil
import weakref
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from medpayiq.errors import DataError
from medpayiq.records import LocalityId
from medpayiq.releases import Kind
from medpayiq.store import LoadStatus, open_store
from medpayiq.store._reference import StoreReference

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "ncci"
PTP = FIXTURES / "ccipra-v302r0-f1.TXT"
AOC = FIXTURES / "AOC_V2024Q3-MCR.xlsx"
DAY = date(2024, 8, 1)


def _gzipped(path: Path, folder: Path) -> Path:
    """The same file gzipped: the same rows, other bytes (so a load replaces the dataset)."""
    target = folder / (path.name + ".gz")
    target.write_bytes(gzip.compress(path.read_bytes(), mtime=0))
    return target


def _pairs(reference: object) -> set[tuple[str, str]]:
    ncci = reference.ncci(DAY)  # type: ignore[attr-defined]
    return {(e.column1, e.column2) for e in ncci.ptp_among(["62323", "77003", "62322"])}


def test_old_reference_answers_from_its_own_generation(any_db: str, tmp_path: Path) -> None:
    with open_store(any_db) as store:
        store.load([PTP, AOC])
        first_generation = store.generation()
        old = store.reference()  # made, never asked: its datasets are not read yet
        results = store.load([_gzipped(PTP, tmp_path), _gzipped(AOC, tmp_path)])
        assert [r.status for r in results] == [LoadStatus.REPLACED, LoadStatus.REPLACED]
        assert store.generation() == first_generation + 2
        fresh = store.reference()
        assert fresh is not old
        # The old reference reads its retired datasets: the same edits as the fresh one.
        assert _pairs(old) == _pairs(fresh) == {("62323", "77003"), ("62323", "62322")}
        old_addon = [a.primary for a in old.ncci(DAY).addon_primaries("64484")]
        assert old_addon == [a.primary for a in fresh.ncci(DAY).addon_primaries("64484")]
        assert "64483" in old_addon
        assert {d.kind for d in store.datasets()} == {Kind.PTP, Kind.ADDON}

        # Once purged, an old reference that still had to read a code refuses to answer.
        assert store.purge_retired(older_than=timedelta(0)) == 2
        with pytest.raises(DataError, match="replaced by a load"):
            old.ncci(DAY).ptp_for("62321")
        assert {(e.column1, e.column2) for e in fresh.ncci(DAY).ptp_for("62321")} == {
            ("62321", "77003")
        }


def test_unchanged_load_keeps_the_generation(tmp_path: Path) -> None:
    with open_store(str(tmp_path / "s.sqlite")) as store:
        store.load([PTP])
        generation = store.generation()
        reference = store.reference()
        assert [r.status for r in store.load([PTP])] == [LoadStatus.UNCHANGED]
        assert store.generation() == generation
        assert store.reference() is reference


def test_a_failed_load_keeps_the_generation(tmp_path: Path) -> None:
    bad = tmp_path / "ccipra-v302r0-f1.TXT"
    shutil.copy(PTP, bad)
    lines = bad.read_bytes().split(b"\r\n")
    lines[6] = lines[6].replace(b"20210101", b"2021x101")  # a bad date in the first data row
    bad.write_bytes(b"\r\n".join(lines))
    with open_store(str(tmp_path / "s.sqlite")) as store:
        store.load([PTP])
        generation = store.generation()
        (result,) = store.load([bad])
        assert result.status is LoadStatus.FAILED, result
        assert store.generation() == generation


def _by_locality(records: object) -> dict[str, object]:
    return {r.locality: r for r in records}  # type: ignore[attr-defined]


def test_a_reference_after_a_load_keeps_what_the_load_left_alone(
    data_dir: Path, tmp_path: Path
) -> None:
    """`Store.reference()` after a load takes over the datasets the load did not replace (the
    same objects: read once), the indexes built from them and their NCCI rows per code, and
    answers as a reference made from nothing; the older reference is then free to go."""
    gpci = data_dir / "cms/pfs/RVU26A/GPCI2026.csv"
    day = date(2026, 7, 1)
    with open_store(str(tmp_path / "s.sqlite")) as store:
        store.load([PTP, AOC, gpci])
        old = store.reference()
        pairs = _pairs(old)
        gpcis, _ = old.snapshot(Kind.GPCI, day, _by_locality, label="GPCI")
        alabama = gpcis[LocalityId("10112", "00")]
        assert (alabama.work, alabama.pe, alabama.mp) == (  # type: ignore[attr-defined]
            Decimal("1.000"),
            Decimal("0.875"),
            Decimal("0.566"),
        )
        (result,) = store.load([_gzipped(AOC, tmp_path)])  # only the add-on edits change
        assert result.status is LoadStatus.REPLACED
        new = store.reference()
        for key, dataset in new.datasets_by_key.items():
            assert (dataset is old.datasets_by_key[key]) == (key[0] is not Kind.ADDON), key
        assert new.snapshot(Kind.GPCI, day, _by_locality, label="GPCI")[0] is gpcis

        # The PTP rows `old` read are in `new` before it asks: seeded into its row bound.
        assert {"62323", "77003", "62322"} <= {code for _, code in new._rows.by_key}
        generation, datasets = store._snapshot()
        cold = StoreReference(store.engine, datasets, generation)
        assert _pairs(new) == _pairs(cold) == pairs
        primaries = [a.primary for a in new.ncci(DAY).addon_primaries("64484")]
        assert primaries == [a.primary for a in cold.ncci(DAY).addon_primaries("64484")]
        assert "64483" in primaries

        gone = weakref.ref(old)
        del old
        gc.collect()
        assert gone() is None  # nothing the new reference took holds the old one
        # The replaced add-on edits are purged; the new reference never needed them.
        assert store.purge_retired(older_than=timedelta(0)) == 1
        assert _pairs(new) == pairs
        assert [a.primary for a in new.ncci(DAY).addon_primaries("64484")] == primaries


def test_the_migration_fills_in_the_boundary_dates_of_stored_ncci_datasets(
    any_db: str,
) -> None:
    """A store loaded before `dataset.edit_dates` existed (revision 0003) gets them from its
    rows when it is opened (migration 0004), equal to what a load writes."""
    import sqlalchemy as sa

    from medpayiq.store import _queries as q

    with open_store(any_db) as store:
        store.load([PTP, AOC])
        written = {d.id: d.edit_dates for d in store.datasets()}
        with store.engine.begin() as conn:  # as revision 0003 left it
            conn.execute(sa.text("ALTER TABLE dataset DROP COLUMN edit_dates"))
            conn.execute(sa.text("UPDATE alembic_version SET version_num = '0003'"))
    with open_store(any_db) as store:
        found = {d.id: d.edit_dates for d in store.datasets()}
        with store.engine.connect() as conn:
            scanned = {
                d.id: q.edit_boundaries(conn, d.kind, [d.id])
                for d in store.datasets()
                if d.kind in (Kind.PTP, Kind.ADDON)
            }
    assert found == written and len(scanned) == 2
    assert {i: found[i] for i in scanned} == scanned and all(scanned.values())
