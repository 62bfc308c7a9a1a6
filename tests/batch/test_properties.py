"""The batch engine and the line engine agree: random lines drawn from the real codes (with
their 26/TC rows), ZIPs, localities, places of service, units and dates of RVU25D/RVU26C are
priced both ways (the line path is `schedules.price_line`, which sends each code to the
schedule that pays it) and every output column compared. The draws include what leaves the
vectorised path (modifiers 50/80, unknown codes, ZIPs that span localities, ZIP+4, the
OPPSCAP carrier, bad units and places of service), where the batch asks the line engine once
per distinct answer."""

from __future__ import annotations

from datetime import date
from typing import Any

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from medpayiq.batch import price_frame
from medpayiq.errors import MedPayIQError
from medpayiq.pricing import Location
from medpayiq.reference import Catalog
from medpayiq.schedules import PriceRequest, price_line

DAYS = [date(2025, 3, 14), date(2025, 11, 3), date(2026, 1, 20), date(2026, 8, 3)]


@pytest.fixture(scope="module")
def pools(catalog: Catalog) -> dict[str, list[str]]:
    fee = catalog.fee_schedule(DAYS[1])
    keys = sorted(k for k in fee.rvus if k[1] in ("", "26", "TC"))
    return {
        "keys": [f"{h},{m}" for h, m in keys],
        "zips": sorted(catalog.geography(DAYS[1]).zips)[::40],
        "localities": sorted(str(k) for k in fee.gpcis),
        # ZIPs that span localities (the line engine's message names them)
        "plus_four": sorted(
            z
            for z, entries in catalog.geography(DAYS[1]).zips.items()
            if any(e.plus_four for e in entries)
        )[::200],
    }


def _line(draw: st.DrawFn, pools: dict[str, list[str]], n: int) -> dict[str, str]:
    code, mod = draw(st.sampled_from(pools["keys"])).split(",")
    code = draw(st.sampled_from([code] * 8 + ["99999", " g0439 "]))
    extra = draw(st.sampled_from(["", "", "", "25", "59", "RT", "50", "80", "ZZ"]))
    by_zip = draw(st.booleans())
    zip_code = draw(st.sampled_from(pools["zips"] + pools["plus_four"] + ["00000"]))
    if draw(st.integers(0, 9)) == 0:
        zip_code += "-1234"
    carrier, locality = draw(st.sampled_from(pools["localities"] + ["01112-18"])).split("-")
    return {
        "line_id": str(n), "hcpcs": code, "modifier": ",".join(m for m in (mod, extra) if m),
        "pos": draw(st.sampled_from(["11", "22", "21", "02", "10", "24", "", "1", "99"])),
        "date_of_service": draw(st.sampled_from(DAYS)).isoformat(),
        "zip": zip_code if by_zip else "",
        "carrier": "" if by_zip else carrier, "locality": "" if by_zip else locality,
        "units": draw(st.sampled_from(["1", "1", "1", "2", "3", "", "0", "abc"])),
    }  # fmt: skip


def _expected(catalog: Catalog, row: dict[str, str]) -> dict[str, str | None]:
    """The line path: `schedules.price_line`, the schedule that pays the code."""
    lockey = f"{row['carrier']}-{row['locality']}" if row["carrier"] else None
    units: Any = row["units"]
    units = 1 if units == "" else int(units) if units.isdigit() else units
    request = PriceRequest(
        row["hcpcs"].strip().upper(), date.fromisoformat(row["date_of_service"]),
        modifiers=tuple(m for m in row["modifier"].split(",") if m), units=units,
        location=Location(zip=row["zip"] or None, locality=lockey),
        pos=row["pos"] or None,
    )  # fmt: skip
    try:
        r = price_line(catalog, request)
    except MedPayIQError as exc:
        return {"allowed": None, "message": str(exc)}
    want = {
        "allowed": None if r.allowed is None else f"{r.allowed:.2f}",
        "release": r.release or None,
        "confidence": r.confidence.value,
        "message": "priced" if r.payable else r.message,
    }
    if r.detail is not None:  # the physician fee schedule: its setting and locality too
        want["setting"] = r.detail.setting.value
        locality = r.detail.location.locality  # None: priced nationally, "" in the output
        want["locality"] = "" if locality is None else str(locality)
    return want


@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(data=st.data())
def test_batch_agrees_with_price_line(catalog: Catalog, pools, data):
    rows = [_line(data.draw, pools, n) for n in range(40)]
    out = price_frame(catalog, pl.DataFrame(rows))
    for row, got in zip(rows, out.iter_rows(named=True), strict=True):
        want = _expected(catalog, row)
        assert got["line_id"] == row["line_id"]
        assert got["allowed"] == want["allowed"], (row, got, want)
        if want["message"] == "priced":
            assert got["message"] == "priced" or got["message"].startswith(
                "priced by the line engine"
            )
        else:
            assert got["message"] == want["message"], (row, got, want)
        for column in ("setting", "locality", "release", "confidence"):
            if column in want:
                assert got[column] == want[column], (column, row, got, want)


# --- Lines other schedules pay: clinical lab and DMEPOS, vectorised (issue 10) --------------

OTHER_DAYS = [date(2026, 2, 10), date(2026, 5, 4), date(2026, 8, 3)]


@pytest.fixture(scope="module")
def other_pools(catalog: Catalog) -> dict[str, list[str]]:
    labs = sorted({code for code, _ in _lab_keys(catalog)})[::7]
    dme = catalog.snapshot
    del dme
    fee = catalog.fee_schedule(OTHER_DAYS[1])
    # Lab codes whose 26 row the physician fee schedule pays (85576: X, 85576-26: A): a line
    # routes by its modifiers (issue 10).
    split = sorted(
        code for (code, mod), row in fee.rvus.items()
        if mod == "26" and row.status == "A"
        and (whole := fee.rvus.get((code, ""))) is not None and whole.status == "X"
    )  # fmt: skip
    assert "85576" in split
    return {
        "labs": labs,
        "split": split,
        "dme": ["E0601,RR", "E0601,RR KJ", "E0601,", "K0001,RR", "E1390,RR", "A4216,", "B4034,",
                "B4035,", "E0776,UE KE", "L3000,", "A4221,"],
        "zips": ["77030", "35004", "99501", "10001", "00601", "96813", ""],
    }  # fmt: skip


def _lab_keys(catalog: Catalog) -> list[tuple[str, str]]:
    from medpayiq.records import LabFee
    from medpayiq.releases import Kind

    def keys(records: list[LabFee]) -> list[tuple[str, str]]:
        return [(r.hcpcs, r.modifier) for r in records]

    found, _ = catalog.snapshot(Kind.CLFS, OTHER_DAYS[1], keys, label="CLFS")
    return list(found)


def _other_line(draw: st.DrawFn, pools: dict[str, list[str]], n: int) -> dict[str, str]:
    kind = draw(st.sampled_from(["labs", "labs", "split", "dme", "dme"]))
    if kind == "labs":
        code = draw(st.sampled_from(pools["labs"]))
        modifier = draw(st.sampled_from(["", "", "QW", "90", "91"]))
    elif kind == "split":
        code = draw(st.sampled_from(pools["split"]))
        modifier = draw(st.sampled_from(["26", "26 59", "59 26", "", "TC", "53", "26 TC", "26 ZZ"]))
    else:
        code, modifier = draw(st.sampled_from(pools["dme"])).split(",")
    return {
        "line_id": str(n), "hcpcs": code, "modifier": modifier.replace(" ", ","),
        "pos": draw(st.sampled_from(["11", "12", "81", ""])),
        "date_of_service": draw(st.sampled_from(OTHER_DAYS)).isoformat(),
        "zip": draw(st.sampled_from(pools["zips"])), "carrier": "", "locality": "",
        "units": draw(st.sampled_from(["1", "1", "2", "3", "12", "", "0"])),
    }  # fmt: skip


@settings(max_examples=10, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(data=st.data())
def test_batch_prices_labs_and_equipment_as_the_line_path(catalog: Catalog, other_pools, data):
    rows = [_other_line(data.draw, other_pools, n) for n in range(40)]
    out = price_frame(catalog, pl.DataFrame(rows))
    for row, got in zip(rows, out.iter_rows(named=True), strict=True):
        want = _expected(catalog, row)
        for column, value in want.items():
            assert got[column] == value, (column, row, got, want)


# --- Modifier 50, vectorised (issue 10) ---------------------------------------------------


@pytest.fixture(scope="module")
def bilateral_pools(catalog: Catalog) -> dict[str, list[str]]:
    """Rows of RVU25D by bilateral indicator (0: 100%, 1: 150%, 2: 100%, 3: 200%, 9: 50 is
    refused), paid and not, with their 26/TC rows; a few of each."""
    fee = catalog.fee_schedule(DAYS[1])
    pools: dict[str, list[str]] = {}
    for (code, mod), row in sorted(fee.rvus.items()):
        if mod in ("", "26", "TC"):
            paid = "paid" if row.status in ("A", "R", "T") else "unpaid"
            pools.setdefault(f"{row.bilat_surg}-{paid}", []).append(f"{code},{mod}")
    return {k: v[:: max(1, len(v) // 60)] for k, v in pools.items()}


def _bilateral_line(draw: st.DrawFn, pools: dict[str, list[str]], n: int) -> dict[str, str]:
    group = draw(st.sampled_from(["1-paid"] * 3 + ["2-paid", "3-paid", "0-paid", "9-paid",
                                                   "1-unpaid"]))  # fmt: skip
    code, mod = draw(st.sampled_from(pools[group])).split(",")
    extra = draw(st.sampled_from(["", "", "LT", "59", "51", "80", "50"]))
    mods = draw(st.permutations(["50", *(m for m in (mod, extra) if m)]))
    carrier, locality = draw(st.sampled_from(["01112-18", "05102-99", "00831-01"])).split("-")
    by_zip = draw(st.booleans())
    return {
        "line_id": str(n), "hcpcs": code,
        "modifier": ",".join(mods).lower() if draw(st.booleans()) else ",".join(mods),
        "pos": draw(st.sampled_from(["11", "22", "21", "19", "", "99"])),
        "date_of_service": draw(st.sampled_from(DAYS)).isoformat(),
        "zip": draw(st.sampled_from(["77030", "10001", "60142", "94110"])) if by_zip else "",
        "carrier": "" if by_zip else carrier, "locality": "" if by_zip else locality,
        "units": draw(st.sampled_from(["1", "1", "1", "", "2", "abc"])),
    }  # fmt: skip


@settings(max_examples=10, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(data=st.data())
def test_bilateral_lines_agree_with_price_line(catalog: Catalog, bilateral_pools, data):
    # Lines with modifier 50 (and 26/TC, LT, 59, 51, 80 beside it), one unit or several, on
    # codes of every bilateral indicator: the batch prices those it can itself and the
    # others with the line engine; every column is the line engine's, and a line the
    # physician fee schedule prices says "priced by the line engine: modifier ..." as it did
    # when the engine priced it. A code another schedule pays keeps that schedule's message
    # whatever its modifiers (85576-26 is a paid PPRRVU row, but the router sends 85576 to
    # the clinical lab schedule, which pays the test: "priced" both ways).
    rows = [_bilateral_line(data.draw, bilateral_pools, n) for n in range(40)]
    out = price_frame(catalog, pl.DataFrame(rows))
    for row, got in zip(rows, out.iter_rows(named=True), strict=True):
        want = _expected(catalog, row)
        assert got["allowed"] == want["allowed"], (row, got, want)
        if want["message"] == "priced" and "setting" in want:
            modifier = row["modifier"].strip().upper()
            assert got["message"] == f"priced by the line engine: modifier {modifier}", row
        else:
            assert got["message"] == want["message"], (row, got, want)
        for column in ("setting", "locality", "release", "confidence"):
            if column in want:
                assert got[column] == want[column], (column, row, got, want)
