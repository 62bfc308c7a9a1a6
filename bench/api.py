"""API benchmark: requests per second and p50/p99 latency against a real `medpayiq serve`.

    .venv/bin/python bench/api.py --db PATH [--workers 2] [--requests 20000] [--connections 16]

Starts `medpayiq serve` on 127.0.0.1 (a free port) with the given store, waits for
/api/v1/health, then for each target sends a bounded number of requests over keep-alive
HTTP/1.1 connections from one asyncio client (raw sockets: an HTTP library would cost more
CPU than the server on a 2-core machine), and prints the figures. Targets:

- GET /api/v1/price?code=62323&zip=77030&date=2026-07-15  (goal: >= 1,000 req/s, p99 <= 20 ms)
- GET /api/v1/price with a rotating set of codes and localities (LRU misses included)
- GET /codes/62323?zip=77030  (the code page)

Every answer is checked (status 200 and, for the price route, the Houston amount 274.36), so a
fast error does not count as a fast answer. The client shares the machine with the server:
the figures are a floor.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Figures:
    name: str
    requests: int
    seconds: float
    latencies_ms: list[float]
    errors: int

    @property
    def rps(self) -> float:
        return self.requests / self.seconds

    def pct(self, p: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]

    def line(self) -> str:
        return (
            f"{self.name:<44} {self.requests:>7,} req  {self.rps:>8,.0f} req/s  "
            f"p50 {self.pct(50):6.2f} ms  p99 {self.pct(99):6.2f} ms  "
            f"mean {statistics.fmean(self.latencies_ms):6.2f} ms  errors {self.errors}"
        )


COMMON_CODES = (
    "62323", "62321", "64483", "99213", "99214", "99203", "99204", "20610", "77003", "71046",
    "93000", "97110", "97140", "36415", "11721", "17000", "99232", "99308", "G0439", "99215",
)  # fmt: skip


def localities(port: int) -> list[str]:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/localities?date=2026-07-15") as r:
        import json

        return [x["locality"] for x in json.load(r)["localities"]]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = 0
    chunked = False
    for line in head.split(b"\r\n")[1:]:
        key, _, value = line.partition(b":")
        key = key.strip().lower()
        if key == b"content-length":
            length = int(value)
        elif key == b"transfer-encoding" and b"chunked" in value.lower():
            chunked = True
    if not chunked:
        return status, await reader.readexactly(length)
    body = b""
    while True:
        size = int((await reader.readuntil(b"\r\n")).strip(), 16)
        chunk = await reader.readexactly(size + 2)
        if size == 0:
            return status, body
        body += chunk[:-2]


async def _worker(
    port: int,
    paths: list[str],
    count: int,
    expect: bytes | None,
    out: list[float],
    errors: list[int],
) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        for i in range(count):
            path = paths[i % len(paths)]
            request = (
                f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n".encode()
            )
            start = time.perf_counter()
            writer.write(request)
            status, body = await _read_response(reader)
            out.append((time.perf_counter() - start) * 1000)
            if status != 200 or (expect is not None and expect not in body):
                errors[0] += 1
    finally:
        writer.close()


async def run(
    name: str,
    port: int,
    paths: list[str],
    total: int,
    connections: int,
    expect: bytes | None,
    *,
    warm: bool = True,
) -> Figures:
    if warm:  # every distinct path once (fills the LRU as a long-running server would be)
        await asyncio.gather(_worker(port, paths, len(paths), None, [], [0]))
    latencies: list[float] = []
    errors = [0]
    per = total // connections
    start = time.perf_counter()
    await asyncio.gather(
        *(
            _worker(port, paths[i * per : (i + 1) * per] or paths, per, expect, latencies, errors)
            for i in range(connections)
        )
    )
    return Figures(name, per * connections, time.perf_counter() - start, latencies, errors[0])


def wait_healthy(port: int, proc: subprocess.Popen[bytes], timeout: float = 300) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"medpayiq serve exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise SystemExit("medpayiq serve did not answer /api/v1/health in time")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--db",
        default=os.environ.get("MEDPAYIQ_DB"),
        help="store (SQLite file or URL) with data loaded",
    )
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--requests", type=int, default=20_000, help="requests per target")
    parser.add_argument(
        "--page-requests", type=int, default=3_000, help="requests for the code page"
    )
    parser.add_argument("--connections", type=int, default=8)
    args = parser.parse_args()
    port = free_port()
    command = [
        str(ROOT / ".venv/bin/medpayiq"),
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(args.workers),
        "--log-level",
        "warning",
    ]
    if args.db:
        command += ["--db", args.db]
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    try:
        wait_healthy(port, proc)
        price = "/api/v1/price?code=62323&zip=77030&date=2026-07-15"
        mixed = [
            f"/api/v1/price?code={code}&locality={loc}&date=2026-07-15"
            for code in ("62323", "62321", "99213", "99214", "77003", "20610", "64483", "71046")
            for loc in ("04412-18", "01112-05", "10112-00", "13202-01", "national")
        ]
        page = "/codes/62323?zip=77030&date=2026-07-15"
        # Every request distinct (code x locality, one date): each one misses both LRUs and
        # runs the pricing engine. Bounded by the number of distinct pairs.
        cold = [
            f"/api/v1/price?code={code}&locality={loc}&date=2026-07-15"
            for code in COMMON_CODES
            for loc in localities(port)
        ]
        print(
            f"medpayiq serve --workers {args.workers} on 127.0.0.1:{port}; "
            f"{args.connections} keep-alive connections; "
            f"{os.cpu_count()} CPUs shared by client and server"
        )
        targets: list[tuple[str, list[str], int, bytes | None, bool]] = [
            (
                "GET /api/v1/price (62323, ZIP 77030)",
                [price],
                args.requests,
                b'"allowed":"274.36"',
                True,
            ),
            ("GET /api/v1/price (40 codes x localities)", mixed, args.requests, None, True),
            (
                "GET /api/v1/price (every request a cache miss)",
                cold,
                min(args.requests, len(cold)),
                None,
                False,
            ),
            ("GET /codes/62323?zip=77030 (page)", [page], args.page_requests, b"274.36", True),
        ]
        results = []
        for name, paths, total, expect, warm in targets:
            figures = asyncio.run(
                run(name, port, paths, total, args.connections, expect, warm=warm)
            )
            print(figures.line(), flush=True)
            results.append(figures)
        goal = results[0]
        verdict = (
            "met" if goal.rps >= 1000 and goal.pct(99) <= 20 and goal.errors == 0 else "NOT met"
        )
        print(f"goal for /api/v1/price (>= 1,000 req/s, p99 <= 20 ms): {verdict}")
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        sys.stdout.flush()


if __name__ == "__main__":
    main()
