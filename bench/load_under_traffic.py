"""Does a load starve a running server? p99 of steady loopback traffic before and during
`medpayiq data load` of the 2.5-million-row PTP table (a copy in other bytes, so it replaces).

    .venv/bin/python bench/load_under_traffic.py --db postgresql+psycopg://.../test [--rate 100]
        [--seconds 30] [--nice 10] [--data ../shared/data]

The store must hold ../shared/data. Traffic: GET /api/v1/price over 20 codes x 109
localities x 3 dates (mostly answered from the caches after a first pass) and a claim check
every tenth request. Prints requests, errors and p50/p99/max for the window before the
load and the window while it runs, and how long the load took.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import httpx

from api import free_port, wait_healthy  # bench/api.py

ROOT = Path(__file__).resolve().parent.parent
CODES = ("62323", "62321", "64483", "99213", "99214", "20610", "77003", "71046", "93000",
         "97110", "97140", "36415", "11721", "17000", "64493", "G0439", "99215", "99203",
         "64484", "99232")  # fmt: skip
DATES = ("2026-07-15", "2026-04-20", "2025-11-03")
CLAIM = {
    "patient": {"id": "BENCH"},
    "provider": {"npi": "1234567893"},
    "place_of_service": "11",
    "zip": "77030",
    "date_of_service": "2026-07-15",
    "diagnoses": ["M54.16"],
    "lines": [{"hcpcs": "62323"}, {"hcpcs": "77003"}],
}


async def traffic(base: str, rate: float, stop: threading.Event, out: list[tuple[float, float]],
                  errors: list[str], localities: list[str]) -> None:  # fmt: skip
    async with httpx.AsyncClient(base_url=base, timeout=120) as client:
        tasks: set[asyncio.Task[None]] = set()
        start, n = time.monotonic(), 0

        async def one(i: int) -> None:
            began = time.monotonic()
            try:
                if i % 10 == 9:
                    r = await client.post("/api/v1/claims/check", json=CLAIM)
                else:
                    code, loc = CODES[i % len(CODES)], localities[(i // 7) % len(localities)]
                    day = DATES[(i // 3) % len(DATES)]
                    r = await client.get(f"/api/v1/price?code={code}&locality={loc}&date={day}")
                if r.status_code != 200:
                    errors.append(f"{r.status_code}")
            except httpx.HTTPError as exc:
                errors.append(type(exc).__name__)
            out.append((began, time.monotonic() - began))

        while not stop.is_set():
            due = start + n / rate
            if due > time.monotonic():
                await asyncio.sleep(due - time.monotonic())
            task = asyncio.create_task(one(n))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
            n += 1
        await asyncio.gather(*tasks)


def figures(samples: list[tuple[float, float]], since: float, until: float) -> str:
    lat = sorted(d for t, d in samples if since <= t < until)
    if not lat:
        return "no requests"
    p = [lat[min(len(lat) - 1, int(q * len(lat)))] * 1000 for q in (0.5, 0.99)]
    rate = len(lat) / (until - since)
    return f"{len(lat)} req ({rate:.0f}/s answered), p50 {p[0]:.1f} ms, p99 {p[1]:.1f} ms, " \
           f"max {lat[-1] * 1000:.0f} ms"  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", required=True)
    parser.add_argument("--rate", type=float, default=100)
    parser.add_argument("--seconds", type=float, default=30, help="the window before the load")
    parser.add_argument("--nice", type=int, default=10, help="passed to data load --nice")
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    args = parser.parse_args()
    ptp = args.data / "cms/ncci/ptp/2024Q3/ccipra-v302r0-practitioner.from-northstar.partial.csv.gz"
    folder = Path(tempfile.mkdtemp(prefix="medpayiq-bench-"))
    copy = folder / ptp.name.removesuffix(".gz")
    copy.write_bytes(gzip.decompress(ptp.read_bytes()))

    port = free_port()
    server = subprocess.Popen([str(ROOT / ".venv/bin/medpayiq"), "serve", "--port", str(port),
                               "--db", args.db, "--log-level", "warning"])  # fmt: skip
    try:
        wait_healthy(port, server)
        base = f"http://127.0.0.1:{port}"
        found = httpx.get(f"{base}/api/v1/localities").json()["localities"]
        localities = [x["locality"] for x in found]
        samples: list[tuple[float, float]] = []
        errors: list[str] = []
        stop = threading.Event()
        runner = threading.Thread(target=lambda: asyncio.run(
            traffic(base, args.rate, stop, samples, errors, localities)))  # fmt: skip
        runner.start()
        time.sleep(10)  # first pass fills the caches: not measured
        before = time.monotonic()
        time.sleep(args.seconds)
        began = time.monotonic()
        load = [str(ROOT / ".venv/bin/medpayiq"), "data", "load", "--db", args.db,
                "--nice", str(args.nice), str(copy)]  # fmt: skip
        done = subprocess.run(load, capture_output=True, text=True)
        ended = time.monotonic()
        stop.set()
        runner.join()
        print(f"offered {args.rate:g} req/s; data load --nice {args.nice} of {copy.name}: "
              f"{ended - began:.1f} s, exit {done.returncode}")  # fmt: skip
        print(f"  before: {figures(samples, before, began)}")
        print(f"  during: {figures(samples, began, ended)}")
        print(f"  errors: {len(errors)}")
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
