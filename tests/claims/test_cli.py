"""`medpayiq check FILE.837` and `medpayiq claims scrub`: exit codes, the JSON shape, the
reports, and history across the files of a folder. On the SQLite store of the shared data."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from typer.testing import CliRunner

from medpayiq.cli import _register, app
from medpayiq.services._claim_workers import AUTO_BYTES, auto_workers, start_method
from medpayiq.x12 import to_837p

from .files import cob, practice_claims, practice_file

runner = CliRunner()


@pytest.fixture(scope="module")
def db(store_db: Path) -> str:
    _register()
    return str(store_db)


@pytest.fixture
def practice(tmp_path: Path) -> Path:
    path = tmp_path / "practice.837"
    path.write_text(practice_file(), encoding="ascii")
    return path


def test_check_an_837p_as_json(db: str, practice: Path) -> None:
    result = runner.invoke(app, ["check", str(practice), "--json", "--db", db])
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert set(body) == {"claims", "problems", "unreadable", "summary"}
    assert body["problems"] == [] and body["summary"]["claims"] == 19
    e1 = next(c for c in body["claims"] if c["claim_id"] == "E1")
    assert set(e1) >= {"claim_id", "status", "lines", "findings", "totals"}
    first = e1["lines"][0]
    assert {
        k: first[k]
        for k in (
            "hcpcs",
            "modifiers",
            "units",
            "date_of_service",
            "place_of_service",
            "charge",
            "allowed",
        )
    } == {
        "hcpcs": "20610",
        "modifiers": ["RT", "59", "XS", "KX"],
        "units": 1,
        "date_of_service": "2026-07-01",
        "place_of_service": "11",
        "charge": "250.00",
        "allowed": "70.37",
    }
    mue = next(f for f in e1["findings"] if f["rule"] == "ncci.mue")
    assert mue["lines"] == [5] and mue["severity"] == "deny"
    assert e1["totals"] == {
        "charge": "1385.00",
        "allowed_as_billed": "313.94",
        "expected_allowed": "263.03",
        "at_risk": "50.91",
    }


def test_check_an_837p_readable(db: str, practice: Path) -> None:
    result = runner.invoke(app, ["check", str(practice), "--db", db])
    assert result.exit_code == 0, result.output
    assert "A5 2026-07-15 deny" in result.stdout and "policy.epidural.frequency" in result.stdout
    assert "19 claim(s)" in result.stdout
    denied = runner.invoke(app, ["check", str(practice), "--db", db, "--fail-on", "deny"])
    assert denied.exit_code == 1


def test_a_file_that_cannot_be_read_exits_2(db: str, tmp_path: Path) -> None:
    broken = tmp_path / "broken.837"
    broken.write_text("ISA*00*short~GS*HC~", encoding="ascii")
    result = runner.invoke(app, ["check", str(broken), "--json", "--db", db])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "the ISA is cut short" in result.stderr and "Traceback" not in result.output
    other = tmp_path / "notes.txt"
    other.write_text("hello", encoding="ascii")
    neither = runner.invoke(app, ["check", str(other), "--db", db])
    assert neither.exit_code == 2
    assert "neither a claim (JSON) nor an X12 837P file" in neither.stderr


def test_a_structural_problem_is_reported_not_fatal(db: str, tmp_path: Path) -> None:
    text = practice_file().replace("SV1*HC:27447*4800.00*", "SV1*HC:27447*48O0.00*", 1)
    path = tmp_path / "bad-charge.837"
    path.write_text(text, encoding="ascii")
    result = runner.invoke(app, ["check", str(path), "--json", "--db", db])
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    [problem] = body["problems"]
    assert (problem["code"], problem["segment_id"], problem["element"]) == ("bad-number", "SV1", 2)
    assert problem["claim_id"] == "B1" and problem["segment_position"] > 0
    b1 = next(c for c in body["claims"] if c["claim_id"] == "B1")
    assert b1["status"] == "rejected" and b1["problems"][0]["code"] == "bad-number"


def test_scrub_a_folder_with_history_across_files(db: str, tmp_path: Path) -> None:
    claims = practice_claims()
    folder = tmp_path / "inbox"
    folder.mkdir()
    # A1-A4 in the first file, the rest in the second: A5 is the fifth session in 12 months.
    (folder / "1-early.837").write_text(to_837p(claims[:4]), encoding="ascii")
    (folder / "2-later.837").write_text(to_837p(claims[4:], extra_2300=cob), encoding="ascii")
    (folder / "readme.txt").write_text("not a claim file", encoding="ascii")
    out = tmp_path / "report.json"
    result = runner.invoke(app, ["claims", "scrub", str(folder), "--out", str(out), "--db", db])
    assert result.exit_code == 0, result.output
    assert "1 file(s) that are not X12 passed over" in result.stderr
    assert "19 claims in 2 file(s)" in result.stdout
    body = json.loads(out.read_text(encoding="utf-8"))
    a5 = next(c for c in body["claims"] if c["claim_id"] == "A5")
    assert a5["status"] == "deny" and a5["file"].endswith("2-later.837")
    assert [f["rule"] for f in a5["findings"]] == ["policy.epidural.frequency"]
    assert body["summary"]["files"][0].endswith("1-early.837")
    said = result.stderr.index
    assert said(f"read {folder / '1-early.837'}") < said(f"read {folder / '2-later.837'}")
    # in two processes: the same report, and the same lines as each file is read
    two = tmp_path / "two.json"
    result = runner.invoke(app, ["claims", "scrub", str(folder), "--out", str(two), "--db", db,
                                 "--workers", "2"])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert json.loads(two.read_text(encoding="utf-8")) == body
    said = result.stderr.index
    assert said(f"read {folder / '1-early.837'}") < said(f"read {folder / '2-later.837'}")


def test_workers_by_default_one_per_core_for_big_inputs() -> None:
    # 4 MiB of 837P is 4,000-6,000 claims: a forked worker's warm-up (2-4 s) pays from there
    assert auto_workers(0, 2) == 1
    assert auto_workers(AUTO_BYTES - 1, 8) == 1
    assert auto_workers(AUTO_BYTES, 2) == 2
    assert auto_workers(AUTO_BYTES, 1) == 1
    assert auto_workers(1 << 30, 16) == 4  # each holds its own reference data


def test_scrub_reports(db: str, practice: Path, tmp_path: Path) -> None:
    out_csv, out_html = tmp_path / "r.csv", tmp_path / "r.html"
    for out in (out_csv, out_html):
        result = runner.invoke(app, ["claims", "scrub", str(practice), "-o", str(out), "--db",
                                     db, "--quiet"])  # fmt: skip
        assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(out_csv.open(encoding="utf-8")))
    assert len(rows) == 25  # one per line of the 19 claims
    e1 = [r for r in rows if r["claim_id"] == "E1"]
    assert [r["line"] for r in e1] == ["1", "2", "3", "4", "5"]
    assert e1[4]["line_rules"] == "ncci.mue" and e1[4]["date_end"] == "2026-07-31"
    assert e1[1]["units"] == "0.5" and e1[0]["claim_status"] == "deny"
    html = out_html.read_text(encoding="utf-8")
    assert html.count('<tr data-status="') == 19
    assert "<script>" in html and "src=" not in html.split("<body>")[1]  # self-contained
    assert "http" not in html.split("<body>")[1].replace("https://", "").replace("http://", "")
    bad = runner.invoke(app, ["claims", "scrub", str(practice), "-o", str(tmp_path / "r.xlsx")])
    assert bad.exit_code == 2 and "a report is .json, .csv or .html" in bad.stderr


def test_scrub_with_nothing_to_read(db: str, tmp_path: Path) -> None:
    result = runner.invoke(app, ["claims", "scrub", str(tmp_path / "missing"), "--db", db])
    assert result.exit_code == 2
    assert "no such file or folder" in result.stderr and "no X12 837P file" in result.stderr


def test_scrub_in_two_workers_gives_the_same_report(
    db: str, practice: Path, tmp_path: Path
) -> None:
    # Claims are shared out by patient, so history and duplicates come out as in one process.
    one, two = tmp_path / "one.json", tmp_path / "two.json"
    for out, workers in ((one, "1"), (two, "2")):
        result = runner.invoke(app, ["claims", "scrub", str(practice), "-o", str(out), "--db",
                                     db, "-q", "--workers", workers])  # fmt: skip
        assert result.exit_code == 0, result.output
    assert json.loads(two.read_text(encoding="utf-8")) == json.loads(
        one.read_text(encoding="utf-8")
    )


def test_workers_forked_by_a_command_give_the_same_report(
    db: str, practice: Path, tmp_path: Path
) -> None:
    # A command runs no other thread when it starts its workers (before the progress bar):
    # they are forked, beginning with the modules it imported; the report is one process's.
    command = str(Path(sys.executable).with_name("medpayiq"))
    environment = {k: v for k, v in os.environ.items() if not k.startswith("MEDPAYIQ_")}
    one, two = tmp_path / "one.json", tmp_path / "two.json"
    for out, workers in ((one, "1"), (two, "2")):
        done = subprocess.run(
            [command, "claims", "scrub", str(practice), "-o", str(out), "--db", db,
             "--workers", workers],
            capture_output=True, text=True, env=environment, timeout=300,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        assert "19 claims in 1 file(s)" in done.stdout
    assert two.read_bytes() == one.read_bytes()
    said = subprocess.run(
        [sys.executable, "-c",
         "from medpayiq.services._claim_workers import start_method; print(start_method())"],
        capture_output=True, text=True, env=environment, timeout=60, check=True,
    )  # fmt: skip
    assert said.stdout.strip() == "fork"


def test_workers_are_spawned_beside_other_threads() -> None:
    # Forking copies the locks other threads hold, never their release.
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert start_method() == "spawn"
    finally:
        stop.set()
        other.join()
