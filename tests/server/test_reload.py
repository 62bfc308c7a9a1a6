"""A running server answers exactly as a freshly started one across `medpayiq data load`.

A server that has not yet read the NCCI or ICD-10-CM tables (health checked, nothing else)
runs while a load replaces the add-on edits, the FY2026 ICD-10-CM table and the 2026 GPCIs
with files of the same rows in other bytes. It must swap in the new generation, and then
answer 56 claim checks, code pages and prices byte for byte as a server started after the
load. Before the fix it lost the NCCI add-on denials (its reference asked for the rows of
datasets the load had deleted, and got none) and answered code pages with 422 "icd10cm FY2026
was replaced while in use".
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable
from itertools import product
from pathlib import Path
from typing import Any

import pytest

from medpayiq.store import open_store

from .conftest import Server, medpayiq

# Encounters that draw NCCI PTP pairs (62323/77003, 64483/77003, 62323/62322), add-on edits
# (64484 with and without its primary 64483, 64494 without 64493), MUEs and modifiers.
ENCOUNTERS: list[list[tuple[str, list[str], int]]] = [
    [("62323", [], 1), ("77003", [], 1)],
    [("62323", [], 1), ("62322", [], 1)],
    [("64483", ["RT"], 1), ("64484", ["RT"], 1), ("77003", [], 1)],
    [("64484", ["LT"], 2)],
    [("64494", ["RT"], 1), ("99213", ["25"], 1)],
    [("20610", ["RT"], 1), ("99214", ["25"], 1), ("77002", [], 1)],
    [("64493", ["LT"], 1), ("64494", ["LT"], 1), ("64495", ["LT"], 1)],
]
PLACES = [("77030", "2026-07-15"), ("10001", "2026-04-20"), ("60601", "2025-11-03")]
DIAGNOSES = [["M54.16", "M48.061"], ["M47.816"], ["M17.11", "M54.5"]]  # M54.5: a header

CODES = ["62323", "64483", "64484", "77003", "99213", "20610"]


def claims() -> list[dict[str, Any]]:
    combos = [(e, p, dx) for e in ENCOUNTERS for p in PLACES for dx in DIAGNOSES[:2]]
    combos += [(e, p, DIAGNOSES[2]) for e in ENCOUNTERS for p in PLACES[:2]]
    return [
        {
            "claim_id": f"reload-{number}",
            "patient": {"id": f"P{number:04d}"},
            "provider": {"npi": "1234567893"},
            "place_of_service": "11",
            "zip": zip5,
            "date_of_service": day,
            "diagnoses": dx,
            "lines": [
                {"hcpcs": c, "modifiers": m, "units": u, "diagnosis_pointers": [1]}
                for c, m, u in lines
            ],
        }
        for number, (lines, (zip5, day), dx) in enumerate(combos)
    ]


def pages() -> list[str]:
    out = []
    for code, (zip5, day) in product(CODES, PLACES):
        out.append(f"/api/v1/codes/{code}?zip={zip5}&date={day}&dx=M54.16,M54.5")
        out.append(f"/api/v1/price?code={code}&zip={zip5}&date={day}")
    out += [f"/codes/{code}?zip=77030&date=2026-07-15" for code in CODES[:2]]
    out.append("/api/v1/localities?date=2026-07-15")
    out.append("/api/v1/data/status?date=2026-07-15")
    return out


def _same_rows_other_bytes(data_dir: Path, folder: Path) -> list[Path]:
    """Files a reload replaces with identical rows: gzipped or un-gzipped copies."""
    aoc = data_dir / "cms/ncci/addon/2024Q2/AOC_2024-06-03.from-northstar.partial.csv"
    icd = data_dir / "icd10cm/FY2026/icd10cm_codes_April-1-2026.csv.gz"
    gpci = data_dir / "cms/pfs/RVU26A/GPCI2026.csv"
    (folder / "RVU26A").mkdir(parents=True)
    out = [folder / (aoc.name + ".gz"), folder / icd.name.removesuffix(".gz")]
    out[0].write_bytes(gzip.compress(aoc.read_bytes(), mtime=0))
    out[1].write_bytes(gzip.decompress(icd.read_bytes()))
    out.append(folder / "RVU26A" / gpci.name)
    out[2].write_bytes(gpci.read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))
    if out[2].read_bytes() == gpci.read_bytes():  # already CRLF: un-CRLF it instead
        out[2].write_bytes(gpci.read_bytes().replace(b"\r\n", b"\n"))
    return out


def _answers(server: Server) -> dict[str, tuple[int, Any]]:
    found: dict[str, tuple[int, Any]] = {}
    for claim in claims():
        status, body = server.post_json("/api/v1/claims/check", claim)
        found[claim["claim_id"]] = (status, json.loads(body))
    for path in pages():
        status, _, body = server.get(path)
        found[path] = (status, json.loads(body) if path.startswith("/api/") else body)
    return found


def _findings(answer: tuple[int, Any]) -> set[str]:
    status, body = answer
    assert status == 200, body
    return {f["rule"] for f in body["findings"]}


def _reload_and_compare(
    db: str, data_dir: Path, tmp_path: Path, serve: Callable[..., Server]
) -> None:
    running = serve(db, "--reload-interval", "0.2")
    before = running.health()["generation"]
    files = _same_rows_other_bytes(data_dir, tmp_path / "reload")
    done = medpayiq("data", "load", "--db", db, *map(str, files))
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.count("replaced") == 3, done.stdout
    with open_store(db) as store:
        after = store.generation()
    assert after == before + 3
    running.wait_for_generation(after)

    fresh = serve(db)
    assert fresh.health()["generation"] == after
    got, want = _answers(running), _answers(fresh)
    assert len(claims()) == 56 and len(want) == 56 + len(pages())
    differ = [key for key in want if got[key] != want[key]]
    assert differ == [], differ[:5]
    # The answers hold what the reload used to lose: NCCI PTP and add-on findings.
    rules = set().union(*(_findings(want[c["claim_id"]]) for c in claims()))
    assert {"ncci.ptp", "ncci.addon"} <= rules, rules


def test_reload_under_a_running_server_sqlite(
    copy_of_store_db: str, data_dir: Path, tmp_path: Path, serve: Callable[..., Server]
) -> None:
    _reload_and_compare(copy_of_store_db, data_dir, tmp_path, serve)


@pytest.mark.postgres
@pytest.mark.slow
def test_reload_under_a_running_server_postgresql(
    pg_url: str, data_dir: Path, tmp_path: Path, serve: Callable[..., Server]
) -> None:
    loaded = medpayiq("data", "load", "--db", pg_url, "--source", str(data_dir))
    assert loaded.returncode == 0, loaded.stdout + loaded.stderr
    _reload_and_compare(pg_url, data_dir, tmp_path, serve)
