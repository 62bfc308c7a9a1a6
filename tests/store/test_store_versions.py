"""Loads are versioned and atomic: reload, replace, fail half-way, get killed half-way."""

from __future__ import annotations

import gzip
import os
import signal
import subprocess
import sys
import textwrap
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from medpayiq import sources
from medpayiq.cli import data as data_cli
from medpayiq.errors import ParseError
from medpayiq.releases import Kind
from medpayiq.store import LoadStatus, Store, open_store

RVU26C = "cms/pfs/RVU26C/PPRRVU2026_Jul_nonQPP.csv"
PPRRVU25_CSV = "cms/pfs/RVU25D/PPRRVU2025_Oct.csv"
PPRRVU25_TXT = "cms/pfs/RVU25D/PPRRVU2025_Oct.txt"
GPCI26 = "cms/pfs/RVU26A/GPCI2026.txt"
ICD26 = "icd10cm/FY2026/icd10cm_codes_April-1-2026.csv.gz"


def _datasets(store: Store, kind: Kind) -> list[tuple[str, str, int, str]]:
    return [
        (d.release.id, d.variant, d.rows, d.source_file) for d in store.datasets() if d.kind is kind
    ]


def _work_62323(store: Store) -> Decimal:
    return store.reference().fee_schedule(date(2026, 7, 15)).rvus[("62323", "")].work


def test_same_file_twice_is_unchanged(any_db: str, data_dir: Path) -> None:
    with open_store(any_db) as store:
        first = store.load([data_dir / RVU26C])
        again = store.load([data_dir / RVU26C])
        assert [(r.status, r.rows) for r in first] == [(LoadStatus.LOADED, 19_356)]
        assert [(r.status, r.rows) for r in again] == [(LoadStatus.UNCHANGED, 19_356)]
        assert _datasets(store, Kind.PPRRVU) == [
            ("RVU26C", "", 19_356, "PPRRVU2026_Jul_nonQPP.csv")
        ]


def test_newer_file_for_the_same_release_replaces_the_older(any_db: str, data_dir: Path) -> None:
    with open_store(any_db) as store:
        (first,) = store.load([data_dir / PPRRVU25_CSV])
        before = store.reference()
        (second,) = store.load([data_dir / PPRRVU25_TXT])
        assert (first.status, second.status) == (LoadStatus.LOADED, LoadStatus.REPLACED)
        assert "PPRRVU2025_Oct.csv" in second.message
        assert _datasets(store, Kind.PPRRVU) == [("RVU25D", "", 19_090, "PPRRVU2025_Oct.txt")]
        (info,) = store.datasets()
        assert info.sha256 == "5e8fad146feaaf2e43a08da78a55f901243fee8f1f83cfdfc1a33c21a7ad24a3"
        assert [p.file for p in store.reference().datasets()] == ["PPRRVU2025_Oct.txt"]
        assert store.reference() is not before  # a load makes the next reference current


def test_folder_load_reads_one_of_each_twin(tmp_path: Path, data_dir: Path) -> None:
    with open_store(str(tmp_path / "s.sqlite")) as store:
        results = {r.file: r for r in store.load([data_dir / "cms/pfs/RVU25D"])}
        loaded = {(d.kind, d.source_file) for d in store.datasets()}
    # CMS's .csv/.txt twins of a name: one is read (`sources.iter_files` picks it).
    assert results["PPRRVU2025_Oct.csv"].status is LoadStatus.LOADED
    assert "PPRRVU2025_Oct.txt" not in results
    assert loaded == {
        (Kind.PPRRVU, "PPRRVU2025_Oct.csv"),
        (Kind.GPCI, "GPCI2025.csv"),
        (Kind.LOCCO, "25LOCCO.csv"),
        (Kind.ANES, "ANES2025.csv"),
        (Kind.OPPSCAP, "OPPSCAP_Oct.csv"),
    }


def test_icd10cm_table_and_its_xml_load_once(tmp_path: Path, data_dir: Path) -> None:
    with open_store(str(tmp_path / "s.sqlite")) as store:
        results = store.load([data_dir / "icd10cm/FY2026"])
        (info,) = store.datasets()
    statuses = sorted((r.file, r.status.value, r.message) for r in results)
    assert info.source_file == "icd10cm_codes_April-1-2026.csv.gz", statuses
    assert (info.rows, info.billable) == (98_186, 74_719)


def _broken_copy(data_dir: Path, folder: Path, line_no: int) -> Path:
    """PPRRVU2026 with one bad WORK RVU far down the file (in a folder named for its release)."""
    target = folder / "RVU26C" / "PPRRVU2026_Jul_nonQPP.csv"
    target.parent.mkdir(parents=True)
    lines = (data_dir / RVU26C).read_bytes().split(b"\n")
    fields = lines[line_no - 1].split(b",")
    fields[5] = b"1.7x6"
    lines[line_no - 1] = b",".join(fields)
    target.write_bytes(b"\n".join(lines))
    return target


def test_parse_error_half_way_keeps_the_previous_data(
    any_db: str, data_dir: Path, tmp_path: Path
) -> None:
    broken = _broken_copy(data_dir, tmp_path, 15_000)
    with open_store(any_db) as store:
        store.load([data_dir / RVU26C, data_dir / GPCI26])
        before = store.datasets()
        parsed = sources.parse(next(sources.iter_files(broken)))
        with pytest.raises(ParseError) as caught:
            store.load_file(parsed)
        assert caught.value.pos.line == 15_000
        assert store.datasets() == before
        assert _work_62323(store) == Decimal("1.76")


def test_cli_reports_a_bad_file_in_one_line_and_exits_2(tmp_path: Path, data_dir: Path) -> None:
    db = str(tmp_path / "s.sqlite")
    broken = _broken_copy(data_dir, tmp_path, 15_000)
    app = typer.Typer()
    data_cli.register(app)
    runner = CliRunner()
    ok = runner.invoke(app, ["data", "load", "--source", str(data_dir / RVU26C), "--db", db])
    assert ok.exit_code == 0, ok.output
    bad = runner.invoke(
        app, ["data", "load", "--source", str(broken), "--db", db], env={"COLUMNS": "200"}
    )
    assert bad.exit_code == 2, bad.output
    errors = [line for line in bad.stderr.splitlines() if line.startswith("error:")]
    assert "PPRRVU2026_Jul_nonQPP.csv line 15000" in errors[0]
    assert "Traceback" not in bad.output
    with open_store(db) as store:
        (info,) = store.datasets()
        assert info.sha256 == "b7d197e73211ef6854c213c267d5fa9dec8df995db8e1ee7d44c0556ad7cee21"


def test_cli_load_summary(tmp_path: Path, data_dir: Path) -> None:
    app = typer.Typer()
    data_cli.register(app)
    db = str(tmp_path / "s.sqlite")
    args = ["data", "load", "--source", str(data_dir / RVU26C), str(data_dir / GPCI26), "--db", db]
    first = CliRunner().invoke(app, args, env={"COLUMNS": "200"})
    second = CliRunner().invoke(app, args, env={"COLUMNS": "200"})
    assert first.exit_code == 0 and second.exit_code == 0, first.output + second.output
    assert "19,356" in first.stdout and "loaded" in first.stdout
    assert second.stdout.count("│ unchanged") == 2 and "│ loaded" not in second.stdout


_KILLED_LOAD = textwrap.dedent(
    """
    import sys, time
    from medpayiq import sources
    from medpayiq.store import open_store

    store = open_store(sys.argv[1])
    parsed = sources.parse(next(sources.iter_files(sys.argv[2])))

    def rows(n):
        print(f"ROWS {n}", flush=True)
        time.sleep(600)  # the test kills us here, mid-transaction

    store.load_file(parsed, on_rows=rows)
    print("FINISHED", flush=True)
    """
)


def _changed_icd_copy(data_dir: Path, folder: Path) -> Path:
    """The FY2026 code table with one description changed near the end (a different sha256)."""
    text = gzip.decompress((data_dir / ICD26).read_bytes()).decode("utf-8")
    last = '"Post COVID-19 condition, unspecified"'  # U09.9, the file's last line
    assert text.rstrip().endswith(last)
    edited = text.rstrip()[: -len(last)] + '"Post COVID-19 condition, unspecified (edited)"\n'
    target = folder / "FY2026" / "icd10cm_codes_April-1-2026.csv.gz"
    target.parent.mkdir(parents=True)
    target.write_bytes(gzip.compress(edited.encode("utf-8")))
    return target


def test_killed_load_keeps_the_previous_data(tmp_path: Path, data_dir: Path) -> None:
    db = str(tmp_path / "s.sqlite")
    with open_store(db) as store:
        (loaded,) = store.load([data_dir / ICD26])
    assert (loaded.rows, loaded.billable) == (98_186, 74_719)
    changed = _changed_icd_copy(data_dir, tmp_path)
    script = tmp_path / "killed_load.py"
    script.write_text(_KILLED_LOAD, encoding="utf-8")
    proc = subprocess.Popen(
        [sys.executable, str(script), db, str(changed)],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.startswith("ROWS "), line  # 50,000 rows written, not committed
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    with open_store(db) as store:
        (info,) = store.datasets()
        assert (info.sha256, info.rows, info.billable) == (loaded.sha256, 98_186, 74_719)
        table = store.reference().icd10cm(date(2026, 3, 1))
        assert len(table.codes) == 98_186
        assert not any(c.description.endswith("(edited)") for c in table.codes.values())
        # and the interrupted file loads cleanly afterwards
        (retry,) = store.load([changed])
        assert (retry.status, retry.rows) == (LoadStatus.REPLACED, 98_186), retry.message
        edited = store.reference().icd10cm(date(2026, 3, 1)).get("U09.9")
        assert edited is not None and edited.description.endswith("(edited)")


def test_cli_bad_db_is_one_line_exit_2(tmp_path: Path) -> None:
    app = typer.Typer()
    data_cli.register(app)
    result = CliRunner().invoke(app, ["data", "status", "--db", str(tmp_path)])
    assert result.exit_code == 2
    assert (
        result.stderr.strip()
        == f"error: --db {tmp_path}: is a folder, expected a database file or URL"
    )
