"""Pricing speed: one line in process, and `price-batch` throughput on a generated file.

    .venv/bin/python bench/pricing.py [--lines 10000000] [--data ../shared/data] [--db URL]
                                      [--skip-line] [--skip-batch] [--regenerate]

1. One line: a pool of realistic requests (codes, ZIPs or localities, places of service and
   dates of 2025 and 2026) is priced once to warm the engine's per-date answers, then each is
   timed again; prints the median and percentiles in microseconds. The first pricing of each
   request (cold per code/location) is reported too.
   Then `as_dict()` alone: the first render of each result, and a new result of a request
   rendered before (what the JSON API pays per request once its parts are cached).
2. Batch: generates bench/out/lines-N.csv once (git-ignored; --regenerate to rebuild) with a
   mix weighted like a practice's claims (E/M visits, imaging with 26/TC, injections, therapy
   in units, labs on the clinical lab fee schedule, DME and supplies on the DMEPOS fee
   schedule, drugs with no loaded schedule, a few bad rows), then runs
   `medpayiq.batch.price_file` on it and prints lines per second (reading and writing the
   CSV included) beside the I/O floor measured in the same run: Polars reading the same CSV
   and writing it back, with nothing computed. The ratio is the figure to watch.

Data: the shared files parsed into an in-memory Catalog (as the tests do), or the store given
by --db. Prints figures; asserts nothing about speed.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import time
from datetime import date, timedelta
from pathlib import Path

from medpayiq.pricing import Location
from medpayiq.reference import Catalog, ReferenceData
from medpayiq.schedules import PriceRequest as LineRequest
from medpayiq.schedules import price_line

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
FILES = ["cms/pfs", "cms/zip-locality", "cms/pos", "cms/hcpcs", "cms/clfs", "cms/dmepos"]

# (code, weight, modifiers to draw from, units to draw from)
MIX: list[tuple[str, float, list[str], list[int]]] = [
    ("99213", 16, ["", "", "", "25"], [1]), ("99214", 13, ["", "", "25"], [1]),
    ("99212", 4, [""], [1]), ("99215", 4, ["", "25"], [1]), ("99203", 3, [""], [1]),
    ("99204", 3, [""], [1]), ("99232", 3, [""], [1]), ("99233", 2, [""], [1]),
    ("99223", 1, [""], [1]), ("99284", 1.5, [""], [1]), ("99285", 1, [""], [1]),
    ("99309", 1, [""], [1]), ("G2211", 3, [""], [1]), ("G0439", 1, [""], [1]),
    ("71046", 3, ["", "26", "26", "TC"], [1]), ("73562", 1.5, ["", "26", "RT", "LT"], [1]),
    ("72148", 1, ["", "26", "TC"], [1]), ("70450", 1, ["", "26", "TC"], [1]),
    ("74177", 1, ["26", "TC"], [1]), ("76700", 0.5, ["", "26"], [1]),
    ("77067", 1, ["", "26"], [1]), ("93000", 2, [""], [1]), ("93306", 1, ["", "26", "TC"], [1]),
    ("96372", 4, [""], [1]), ("96374", 1, [""], [1]), ("20610", 2, ["", "RT", "LT"], [1]),
    ("62323", 0.7, [""], [1]), ("64483", 0.7, ["", "LT", "RT"], [1]),
    ("64493", 0.5, ["", "50"], [1]), ("20553", 0.5, [""], [1]),
    ("97110", 3, ["GP"], [1, 2, 2, 3, 4]), ("97140", 2, ["GP", "GP,59"], [1, 2]),
    ("97530", 1.5, ["GP"], [1, 2, 3]), ("97112", 1, ["GP"], [1, 2]),
    ("11721", 1, [""], [1]), ("17000", 1, [""], [1]), ("11042", 0.5, [""], [1]),
    ("45378", 0.5, [""], [1]), ("66984", 0.5, ["", "RT", "LT"], [1]),
    ("36415", 4, [""], [1]), ("80053", 2, ["", "QW"], [1]), ("85025", 2, [""], [1]),
    ("80061", 1.5, [""], [1]), ("83036", 1.5, ["", "QW"], [1]), ("84443", 1, [""], [1]),
    ("E0601", 0.4, ["RR", "RR,KX", "NU"], [1]), ("E0114", 0.2, ["RR", "NU"], [1]),
    ("A4253", 0.4, [""], [1, 2]), ("A4259", 0.3, [""], [1, 2]), ("L3908", 0.2, [""], [1]),
    ("E1390", 0.2, ["RR"], [1]), ("B4035", 0.1, [""], [30]),
    ("J3301", 1, [""], [1, 2]), ("J1100", 0.5, [""], [1, 4]), ("99396", 0.5, [""], [1]),
    ("A4550", 0.3, [""], [1]), ("99999", 0.05, [""], [1]),
]  # fmt: skip
PLACES = [("11", 60), ("22", 12), ("21", 8), ("23", 4), ("19", 2), ("24", 3), ("31", 3),
          ("02", 2), ("10", 2), ("12", 1), ("", 3)]  # fmt: skip


def load(data: str, db: str | None) -> ReferenceData:
    started = time.perf_counter()
    if db:
        from medpayiq.store import open_store

        reference: ReferenceData = open_store(db).reference()
    else:
        reference = Catalog.from_sources([str(Path(data) / f) for f in FILES])
    print(f"reference data ready in {time.perf_counter() - started:.1f} s")
    return reference


def _places(reference: ReferenceData, rng: random.Random) -> tuple[list[str], list[str]]:
    """ZIPs (weighted toward the populous ones by repeating) and carrier-locality ids."""
    day = date(2025, 11, 3)
    zips = sorted(reference.geography(day).zips)
    localities = sorted(str(k) for k in reference.fee_schedule(day).gpcis)
    return rng.sample(zips, 3000), localities


def _days() -> list[date]:
    start = date(2025, 1, 1)
    return [
        start + timedelta(days=n)
        for n in range(0, 600)
        if (start + timedelta(days=n)).weekday() < 5
    ]


def requests(reference: ReferenceData, count: int, seed: int = 3) -> list[LineRequest]:
    rng = random.Random(seed)
    zips, localities = _places(reference, rng)
    days = _days()
    codes = rng.choices(MIX, weights=[m[1] for m in MIX], k=count)
    out = []
    for code, _, mods, units in codes:
        mod = rng.choice(mods)
        where = (
            Location(zip=rng.choice(zips))
            if rng.random() < 0.7
            else Location(locality=rng.choice(localities))
        )
        place = rng.choices([p for p, _ in PLACES], weights=[w for _, w in PLACES])[0]
        out.append(
            LineRequest(code, rng.choice(days), modifiers=tuple(m for m in mod.split(",") if m),
                        units=rng.choice(units), location=where, pos=place or None)
        )  # fmt: skip
    return out


def bench_line(reference: ReferenceData, count: int) -> None:
    pool = requests(reference, count)
    usable, cold = [], []
    for request in pool:
        started = time.perf_counter()
        try:
            price_line(reference, request)
        except Exception:
            continue
        cold.append(time.perf_counter() - started)
        usable.append(request)
    warm = []
    for request in usable:
        started = time.perf_counter()
        price_line(reference, request)
        warm.append(time.perf_counter() - started)
    us = sorted(t * 1e6 for t in warm)
    print(
        f"price_line, warm: median {statistics.median(us):.1f} us, p90 "
        f"{us[int(len(us) * 0.9)]:.1f} us, p99 {us[int(len(us) * 0.99)]:.1f} us "
        f"over {len(us):,} distinct requests"
    )
    print(f"price_line, first time each request: median {statistics.median(cold) * 1e6:.1f} us")
    bench_as_dict(reference, usable)
    started = time.perf_counter()
    for request in usable:
        price_line(reference, request).as_dict()
    per = (time.perf_counter() - started) / len(usable) * 1e6
    print(f"price_line + as_dict(), warm: mean {per:.1f} us")


def bench_as_dict(reference: ReferenceData, usable: list[LineRequest]) -> None:
    """as_dict() alone: the first render of each request's result (the parts results share,
    such as trail steps and amounts, are turned into text then and kept), then a new result
    of each request (the JSON API's steady state)."""
    results = [price_line(reference, r) for r in usable]
    first = []
    for result in results:
        started = time.perf_counter()
        result.as_dict()
        first.append(time.perf_counter() - started)
    results = [price_line(reference, r) for r in usable]  # new result objects
    again = []
    for result in results:
        started = time.perf_counter()
        result.as_dict()
        again.append(time.perf_counter() - started)
    us = sorted(t * 1e6 for t in again)
    print(
        f"as_dict(): first render of each request median {statistics.median(first) * 1e6:.1f} "
        f"us; a new result of a rendered request median {statistics.median(us):.1f} us, "
        f"p99 {us[int(len(us) * 0.99)]:.1f} us"
    )


def generate(reference: ReferenceData, lines: int, path: Path) -> None:
    """Write `lines` rows; built from a pool of distinct requests, drawn with repetition
    from a generator that repeats the mix (fast enough for 10 million rows)."""
    rng = random.Random(11)
    zips, localities = _places(reference, rng)
    days = [d.isoformat() for d in _days()]
    weights = [m[1] for m in MIX]
    places = [p for p, _ in PLACES]
    place_weights = [w for _, w in PLACES]
    path.parent.mkdir(parents=True, exist_ok=True)
    block = 100_000
    with path.open("w", encoding="utf-8") as out:
        out.write("line_id,hcpcs,modifier,pos,date_of_service,zip,carrier,locality,units\n")
        written = 0
        while written < lines:
            n = min(block, lines - written)
            codes = rng.choices(MIX, weights=weights, k=n)
            chosen_places = rng.choices(places, weights=place_weights, k=n)
            rows = []
            for i, ((code, _, mods, units), place) in enumerate(
                zip(codes, chosen_places, strict=True)
            ):
                mod = rng.choice(mods)
                day = rng.choice(days)
                count = rng.choice(units)
                if rng.random() < 0.7:
                    where = f"{rng.choice(zips)},,"
                else:
                    carrier, locality = rng.choice(localities).split("-")
                    where = f",{carrier},{locality}"
                if rng.random() < 0.0005:  # a malformed date now and then
                    day = day.replace("-0", "-1").replace("-", "/")
                mod_text = f'"{mod}"' if "," in mod else mod
                rows.append(f"L{written + i},{code},{mod_text},{place},{day},{where},{count}\n")
            out.write("".join(rows))
            written += n
    print(f"generated {lines:,} lines in {path}")


def bench_batch(reference: ReferenceData, lines: int, regenerate: bool) -> None:
    from medpayiq.batch import price_file

    source = OUT / f"lines-{lines}.csv"
    if regenerate or not source.exists():
        started = time.perf_counter()
        generate(reference, lines, source)
        print(f"(generation took {time.perf_counter() - started:.1f} s)")
    target = OUT / f"priced-{lines}.csv"
    size = source.stat().st_size
    floor, floor_cpu = _io_floor(source, OUT / f"floor-{lines}.csv")
    started, cpu = time.perf_counter(), time.process_time()
    summary = price_file(reference, source, target)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    print(
        f"price-batch: {summary.lines:,} lines ({size / 1e6:,.0f} MB) in {elapsed:.2f} s = "
        f"{summary.lines / elapsed:,.0f} lines/s (CPU {cpu:.1f} s on {os.cpu_count()} cores); "
        f"{summary.priced:,} with an amount, {summary.line_engine:,} through the line engine"
    )
    rate = summary.lines / elapsed
    print(
        f"I/O floor (Polars reads and writes the same CSV): {floor:,.0f} lines/s "
        f"(CPU {floor_cpu:.1f} s); price-batch / floor = {rate / floor:.2f}"
    )


def _io_floor(source: Path, target: Path) -> tuple[float, float]:
    """Lines per second for reading the file with Polars and writing it back: what any
    engine that reads and writes this CSV pays, measured in the same run; and its CPU
    seconds (on a busy machine the CPU figures compare better than the rates)."""
    import polars as pl

    started, cpu = time.perf_counter(), time.process_time()
    frame = pl.read_csv(source)
    frame.write_csv(target)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    target.unlink()
    return frame.height / elapsed, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=10_000_000)
    parser.add_argument("--pool", type=int, default=20_000, help="requests timed one by one")
    parser.add_argument("--data", default=str(ROOT.parent / "shared" / "data"))
    parser.add_argument("--db", default=None)
    parser.add_argument("--skip-line", action="store_true")
    parser.add_argument("--skip-batch", action="store_true")
    parser.add_argument("--regenerate", action="store_true")
    args = parser.parse_args()
    reference = load(args.data, args.db)
    if not args.skip_line:
        bench_line(reference, args.pool)
    if not args.skip_batch:
        bench_batch(reference, args.lines, args.regenerate)


if __name__ == "__main__":
    main()
