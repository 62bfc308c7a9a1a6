"""The batch engine and the line engine agree: random lines drawn from the real codes (with
their 26/TC rows), ZIPs, localities, places of service, units and dates of RVU25D/RVU26C are
priced both ways and every output column compared. The draws include what leaves the
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
from medpayiq.pricing import LineRequest, Location, price_line
from medpayiq.reference import Catalog

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
    lockey = f"{row['carrier']}-{row['locality']}" if row["carrier"] else None
    units: Any = row["units"]
    units = 1 if units == "" else int(units) if units.isdigit() else units
    request = LineRequest(
        row["hcpcs"].strip().upper(), date.fromisoformat(row["date_of_service"]),
        modifiers=tuple(m for m in row["modifier"].split(",") if m), units=units,
        location=Location(zip=row["zip"] or None, locality=lockey),
        pos=row["pos"] or None,
    )  # fmt: skip
    try:
        r = price_line(catalog, request)
    except MedPayIQError as exc:
        return {"allowed": None, "message": str(exc)}
    return {
        "allowed": None if r.allowed is None else f"{r.allowed:.2f}",
        "setting": r.setting.value,
        "locality": str(r.location.locality),
        "release": r.release,
        "confidence": r.confidence.value,
        "message": r.message,
    }


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
