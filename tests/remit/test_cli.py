"""`medpayiq remit` run as a user runs it (a child process) on the SQLite store of the
shared data: the summary, --json, --out .json/.csv/.html, and exit 2 for input it cannot
read at all."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

from .builders import FIXTURE

ROOT = Path(__file__).resolve().parent.parent.parent
MEDPAYIQ = str(Path(sys.executable).with_name("medpayiq"))


def medpayiq(*args: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("MEDPAYIQ_")}
    return subprocess.run(
        [MEDPAYIQ, *args], capture_output=True, text=True, env=environment, cwd=ROOT,
        timeout=300,
    )  # fmt: skip


def test_remit_summary_json_and_reports(store_db: Path, tmp_path: Path) -> None:
    db = str(store_db)
    done = medpayiq("remit", FIXTURE, "--db", db)
    assert done.returncode == 0, done.stderr
    assert "5 claims, 7 lines in 1 remittance file(s)" in done.stdout
    assert "Redetermination" in done.stdout and "2026-12-15" in done.stdout
    # no patient name or Medicare number on the terminal
    assert "POE" not in done.stdout and "3EG4TE5MK75" not in done.stdout

    done = medpayiq("remit", FIXTURE, "--json", "--db", db)
    assert done.returncode == 0, done.stderr
    body = json.loads(done.stdout)
    assert set(body) == {
        "claims", "problems", "unreadable", "totals", "worklist", "analytics", "provenance",
    }  # fmt: skip
    assert [c["claim_id"] for c in body["claims"]] == ["MC1001", "MC1002", "MC1003", "MC1004",
                                                       "MC1005"]  # fmt: skip
    assert body["totals"]["underpaid"] == "19.10"

    for suffix in ("json", "csv", "html"):
        target = tmp_path / f"report.{suffix}"
        done = medpayiq("remit", FIXTURE, "--out", str(target), "--db", db)
        assert done.returncode == 0, done.stderr
    assert json.loads((tmp_path / "report.json").read_text())["totals"]["claims"] == 5
    with (tmp_path / "report.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 7 and rows[4]["hcpcs"] == "77003"
    assert (rows[4]["route"], rows[4]["deadline"]) == ("redetermination", "2026-12-15")
    html = (tmp_path / "report.html").read_text()
    assert "File by 2026-12-15" in html and "42 CFR 405.942" in html


def test_remit_exit_2_for_input_it_cannot_read(store_db: Path, tmp_path: Path) -> None:
    junk = tmp_path / "junk.835"
    junk.write_text("not an X12 file\n")
    done = medpayiq("remit", str(junk), "--db", str(store_db))
    assert done.returncode == 2
    assert "junk.835 cannot be read as an 835 remittance" in done.stderr
    done = medpayiq("remit", str(tmp_path / "missing.835"), "--db", str(store_db))
    assert (done.returncode, "no such file" in done.stderr) == (2, True)
    done = medpayiq("remit", FIXTURE, "--out", str(tmp_path / "r.pdf"), "--db", str(store_db))
    assert done.returncode == 2
