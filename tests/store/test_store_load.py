"""The session store (every shared file loaded once into SQLite): counts, values, queries."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from medpayiq import sources
from medpayiq.cli import data as data_cli
from medpayiq.reference import Catalog, Confidence
from medpayiq.releases import Kind
from medpayiq.store import Store, open_store


@pytest.fixture(scope="module")
def store(store_db: Path) -> Store:
    return open_store(str(store_db))


def _rows(store: Store, kind: Kind, release: str, variant: str = "") -> int:
    found = [
        d for d in store.datasets() if (d.kind, d.release.id, d.variant) == (kind, release, variant)
    ]
    loaded = [(d.kind.value, d.release.id) for d in store.datasets()]
    assert found, f"{kind.value} {release} is not loaded: {loaded}"
    return found[0].rows


def test_every_shared_file_loads_without_failure(store_db: Path) -> None:
    results = (store_db.parent / "load-results.txt").read_text(encoding="utf-8")
    failed = [line for line in results.splitlines() if line.startswith("failed")]
    assert not failed, "\n".join(failed)


@pytest.mark.parametrize(
    ("kind", "release", "rows"),
    [
        (Kind.PPRRVU, "RVU25D", 19_090),
        (Kind.PPRRVU, "RVU26C", 19_356),
        (Kind.GPCI, "RVU25D", 109),
        (Kind.GPCI, "RVU26A", 109),
        (Kind.ZIP5, "20254", 42_956),
        (Kind.PTP, "2024Q3", 2_546_017),
        (Kind.MUE, "2024Q3", 14_677),
    ],
)
def test_row_counts_match_the_files(store: Store, kind: Kind, release: str, rows: int) -> None:
    assert _rows(store, kind, release) == rows


def test_icd10cm_fy2026_billable_count(store: Store) -> None:
    fy2026 = [d for d in store.datasets() if d.kind is Kind.ICD10CM and d.release.id == "FY2026"]
    assert [d.billable for d in fy2026] == [74_719]
    assert store.reference().icd10cm(date(2026, 3, 1)).vintage.used.id == "FY2026"


def test_provenance_records_the_file_and_its_sha256(store: Store) -> None:
    (rvu26c,) = [d for d in store.datasets() if d.kind is Kind.PPRRVU and d.release.id == "RVU26C"]
    assert rvu26c.source_file == "PPRRVU2026_Jul_nonQPP.csv"
    assert rvu26c.sha256 == "b7d197e73211ef6854c213c267d5fa9dec8df995db8e1ee7d44c0556ad7cee21"
    assert (rvu26c.release.effective_from, rvu26c.release.effective_to) == (
        date(2026, 7, 1),
        date(2026, 9, 30),
    )


def test_62323_read_back_equals_the_file(store: Store, data_dir: Path) -> None:
    schedule = store.reference().fee_schedule(date(2026, 7, 15))
    row = schedule.rvus[("62323", "")]
    assert schedule.vintage.used.id == "RVU26C"
    # The CSV line: 62323,,Njx interlaminar lmbr/sac,A,,1.76,6.25,,0.74,,0.17,8.18,2.67,0,000,...
    assert (row.work, row.pe_nonfacility, row.pe_facility, row.mp) == (
        Decimal("1.76"),
        Decimal("6.25"),
        Decimal("0.74"),
        Decimal("0.17"),
    )
    assert (row.total_nonfacility, row.total_facility) == (Decimal("8.18"), Decimal("2.67"))
    assert (row.status, row.global_days, row.conversion_factor) == ("A", "000", Decimal("33.4009"))
    # Exactly the record the parser makes from the file, down to the Decimal digits.
    file = next(sources.iter_files(data_dir / "cms/pfs/RVU26C/PPRRVU2026_Jul_nonQPP.csv"))
    parsed = next(r for r in sources.parse(file).records if (r.hcpcs, r.modifier) == ("62323", ""))
    assert row == parsed
    assert str(row.conversion_factor) == "33.4009"


def test_both_fee_schedule_releases_coexist(store: Store) -> None:
    reference = store.reference()
    october_2025 = reference.fee_schedule(date(2025, 11, 3))
    assert october_2025.vintage.used.id == "RVU25D"
    row = october_2025.rvus[("62323", "")]
    # PPRRVU2025_Oct: 62323,,...,A,,1.80,5.66,,1.00,,0.17,7.63,2.97,...,32.3465
    assert (row.work, row.pe_nonfacility, row.conversion_factor) == (
        Decimal("1.80"),
        Decimal("5.66"),
        Decimal("32.3465"),
    )
    # April 2026 prices from RVU26B (PPRRVU2026_Apr_nonQPP.txt.gz) at high confidence; its
    # 62323 row has the RVU26C figures (1.76 / 6.25 / 0.74 / 0.17).
    april = reference.fee_schedule(date(2026, 4, 15))
    assert april.vintage.used.id == "RVU26B"
    assert april.vintage.confidence is Confidence.HIGH
    row = april.rvus[("62323", "")]
    assert (row.work, row.pe_nonfacility, row.pe_facility, row.mp) == (
        Decimal("1.76"),
        Decimal("6.25"),
        Decimal("0.74"),
        Decimal("0.17"),
    )
    # No 2026 Q4 release is loaded: October falls back to RVU26C and says so.
    october = reference.fee_schedule(date(2026, 10, 15))
    assert october.vintage.used.id == "RVU26C"
    assert october.vintage.confidence is Confidence.MEDIUM
    assert "RVU26D" in october.vintage.note


def test_ncci_pairs_come_from_the_database(store: Store) -> None:
    ncci = store.reference().ncci(date(2024, 8, 1))
    assert ncci.vintage.used.id == "2024Q3"
    pairs = {
        (e.column1, e.column2, e.modifier_indicator)
        for e in ncci.ptp_among(["62323", "64483", "77003"])
    }
    assert ("62323", "64483", "1") in pairs
    assert ("62323", "77003", "1") in pairs
    mue = ncci.mue("62323")
    assert mue is not None and (mue.value, mue.mai) == (1, "3")
    assert ncci.mue("NOT-A-CODE") is None


def test_ncci_rows_past_the_bound_are_read_again(store: Store, store_db: Path) -> None:
    """The NCCI rows a reference holds are bounded across its tables (least recently used
    out): with room for one row, every code is read again, and the answers do not change."""
    day = date(2024, 8, 1)
    codes = ["62323", "64483", "77003", "99213"]
    usual = store.reference().ncci(day)
    expected = [sorted(map(repr, usual.ptp_among(codes))), usual.mue("62323")]
    with open_store(str(store_db)) as other:
        fresh = other.reference()
        rows = fresh._rows
        rows.max_rows = 1
        ncci = fresh.ncci(day)
        for _ in range(2):
            assert [sorted(map(repr, ncci.ptp_among(codes))), ncci.mue("62323")] == expected
            # The last code read stays, however many rows it has; nothing else does.
            assert len(rows.by_key) == 1
    assert len(expected[0]) > 4


def test_ptp_respects_deletion_dates(store: Store) -> None:
    # ccipra-v302r0: 0001A,0591T,20231231,1,...: Dec 31 2023 is the last day it applies.
    reference = store.reference()
    after = {e.column2 for e in reference.ncci(date(2024, 8, 1)).ptp_for("0001A")}
    before = {e.column2 for e in reference.ncci(date(2023, 6, 1)).ptp_for("0001A")}
    last_day = {e.column2 for e in reference.ncci(date(2023, 12, 31)).ptp_for("0001A")}
    next_day = {e.column2 for e in reference.ncci(date(2024, 1, 1)).ptp_for("0001A")}
    assert "0591T" in before
    assert "0591T" in last_day
    assert "0591T" not in next_day
    assert "0591T" not in after


# Dates on both sides of real boundaries: 0001A/0591T is deleted 2023-12-31 (so 2024-01-01
# starts a span), the latest deletion is 2024-06-30 (2024-07-01 starts the last span).
EPOCH_DAYS = [
    date(2023, 6, 1), date(2023, 12, 31), date(2024, 1, 1), date(2024, 6, 30),
    date(2024, 7, 1), date(2024, 8, 1), date(2026, 1, 5), date(2026, 4, 6), date(2026, 7, 15),
]  # fmt: skip


def _same_epoch(reference: object, days: list[date]) -> set[tuple[date, date]]:
    epochs = {day: reference.ncci(day).epoch for day in days}  # type: ignore[attr-defined]
    return {(a, b) for a in days for b in days if a < b and epochs[a] is epochs[b]}


def test_ncci_epochs_group_the_dates_that_answer_alike(store: Store, catalog: Catalog) -> None:
    same = _same_epoch(store.reference(), EPOCH_DAYS)
    # The same file read in memory draws the same lines between dates.
    assert same == _same_epoch(catalog, EPOCH_DAYS)
    assert (date(2023, 12, 31), date(2024, 1, 1)) not in same  # 0591T goes
    assert (date(2024, 6, 30), date(2024, 7, 1)) not in same
    # 2024-07-01 on: the same PTP edits; the 2024 Q3 dates use their own quarter (high
    # confidence), the 2026 ones an older one (low). The add-on table splits 2026: January
    # uses the 2024 Q2 file (the latest loaded before it), April on the 2026 Q2 file, whose
    # edits change nothing after 2026-01-01.
    assert (date(2024, 7, 1), date(2024, 8, 1)) in same
    assert (date(2026, 4, 6), date(2026, 7, 15)) in same
    assert (date(2026, 1, 5), date(2026, 4, 6)) not in same
    assert (date(2024, 8, 1), date(2026, 1, 5)) not in same
    reference = store.reference()
    for first, second in same:
        for code in ("0001A", "62323", "99213"):
            assert reference.ncci(first).ptp_for(code) == reference.ncci(second).ptp_for(code)


def test_addon_primaries(store: Store) -> None:
    addons = store.reference().ncci(date(2024, 8, 1)).addon_primaries("64484")
    assert "64483" in {a.primary for a in addons}


def test_reference_is_reused_until_the_data_changes(store: Store) -> None:
    assert store.reference() is store.reference()


def test_status_json(store_db: Path) -> None:
    app = typer.Typer()
    data_cli.register(app)
    result = CliRunner().invoke(app, ["data", "status", "--json", "--db", str(store_db)])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    by_key = {(d["kind"], d["release"], d["variant"]): d for d in payload["datasets"]}
    icd = by_key[("icd10cm", "FY2026", "")]
    assert (icd["billable"], icd["effective_from"], icd["effective_to"]) == (
        74_719,
        "2025-10-01",
        "2026-09-30",
    )
    ptp = by_key[("ptp", "2024Q3", "")]
    assert ptp["rows"] == 2_546_017
    assert ptp["file"] == "ccipra-v302r0-practitioner.from-northstar.partial.csv.gz"
    assert len(ptp["sha256"]) == 64 and ptp["loaded_at"]


def test_status_table(store_db: Path) -> None:
    app = typer.Typer()
    data_cli.register(app)
    result = CliRunner().invoke(
        app, ["data", "status", "--db", str(store_db)], env={"COLUMNS": "200"}
    )
    assert result.exit_code == 0, result.output
    assert "PPRRVU2026_Jul_nonQPP.csv" in result.output
    assert "2,546,017" in result.output


@pytest.mark.parametrize("day", [date(2025, 11, 3), date(2026, 7, 15), date(2024, 8, 1)])
def test_store_answers_like_the_in_memory_catalog(
    store: Store, catalog: Catalog, day: date
) -> None:
    """The same files, read through the database or held in memory, give the same answers."""
    ours = store.reference()
    if day.year >= 2025:
        mine, theirs = ours.fee_schedule(day), catalog.fee_schedule(day)
        assert mine.rvus == theirs.rvus
        assert (mine.gpcis, mine.anesthesia, mine.opps_caps) == (
            theirs.gpcis,
            theirs.anesthesia,
            theirs.opps_caps,
        )
        assert mine.vintage.used == theirs.vintage.used
        assert ours.geography(day).zips == catalog.geography(day).zips
        assert ours.icd10cm(day).codes == catalog.icd10cm(day).codes
    ncci, expected = ours.ncci(day), catalog.ncci(day)
    for code in ("62323", "64483", "99213", "0001A", "27447", "G0121"):
        # (the database returns a code's edits in column 2 order, the file in its own)
        assert sorted(ncci.ptp_for(code), key=repr) == sorted(expected.ptp_for(code), key=repr)
        assert ncci.mue(code) == expected.mue(code)
    codes = ["62323", "64483", "77003", "99213", "20610", "76942"]
    assert sorted(ncci.ptp_among(codes), key=repr) == sorted(expected.ptp_among(codes), key=repr)
    assert ncci.addon_primaries("64484") == expected.addon_primaries("64484")
    assert ours.code_sets().hcpcs_level2 == catalog.code_sets().hcpcs_level2
    assert ours.code_sets().adjustments == catalog.code_sets().adjustments


def test_the_load_keeps_each_ncci_datasets_boundary_dates(store: Store) -> None:
    """A load writes the dates on which an NCCI PTP or add-on edit starts or stops applying
    with its dataset (`dataset.edit_dates`), so that a new reference does not scan the rows
    for them; they equal the scan of the stored rows' distinct date pairs."""
    from medpayiq.store import _queries as q

    ncci = [d for d in store.datasets() if d.kind in (Kind.PTP, Kind.ADDON)]
    assert {d.kind for d in ncci} == {Kind.PTP, Kind.ADDON}
    with store.engine.connect() as conn:
        for dataset in ncci:
            assert dataset.edit_dates == q.edit_boundaries(conn, dataset.kind, [dataset.id])
    ptp = next(d for d in ncci if d.kind is Kind.PTP)
    assert ptp.edit_dates is not None and len(ptp.edit_dates) > 100
    others = [d for d in store.datasets() if d.kind not in (Kind.PTP, Kind.ADDON)]
    assert all(d.edit_dates is None for d in others)
