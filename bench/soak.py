"""Soak: mixed traffic at a steady rate against a real `medpayiq serve`, with a reload every
few minutes, compared with freshly started servers.

    .venv/bin/python bench/soak.py --db /tmp/soak.sqlite [--duration 1800] [--rate 40]
        [--reload-every 300] [--data ../shared/data] [--workers 1] [--clients 16]
        [--timeout 10]

The store must hold ../shared/data (`medpayiq data load --source ../shared/data --db ...`).
Traffic: GET /api/v1/price (random code, locality and date), GET /api/v1/codes/{code}
(random ZIP and date), POST /api/v1/claims/check with JSON claims (NCCI pairs and add-on
codes) and with 837P files (`application/edi-x12`: 40 small files of 3-8 claims written by
bench/x12_837.py's generator), and POST /api/v1/remits with 835 remittances (21: the Medicare
2026 test fixture and 20 from bench/x12_835.py's generator). Requests are due on a fixed
schedule (request n at start + n / rate: no drift) and are sent by `--clients` threads,
each with its own keep-alive connection; a request that finds every client busy waits and
its latency counts from when it was due (no coordinated omission). A request that gets no
answer within `--timeout` seconds is an error.
Every `--reload-every` seconds `medpayiq data load` replaces three datasets (the add-on
edits, the FY2026 ICD-10-CM table and the 2026 GPCIs) with files of the same rows in other
bytes, alternating two copies (each time the copy of which no file is loaded: a soak run
after another may find either loaded, and an unchanged file is not a reload). Each reload
line says how many datasets the load replaced and how long after it the soaked server
answered from the new generation.

Wrong answers: every answer carries the store generation it came from
(`x-medpayiq-generation`). Before each reload, and at the end, a server freshly started on
the store (at that generation) answers a sample of the requests the soaked server answered
at that generation; any answer that differs is a wrong answer. (Only the data's file names
and hashes differ between two generations, so the comparison is per generation.)

Prints requests, errors (anything but 200, or no answer), wrong answers, p50/p99 latency,
and the server's resident memory at the start and the end.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import queue
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path
from typing import Any

import httpx

from api import free_port, wait_healthy  # bench/api.py

ROOT = Path(__file__).resolve().parent.parent
JSON = "application/json"
MEDPAYIQ = str(ROOT / ".venv/bin/medpayiq")

CODES = (
    "62323", "62321", "64483", "64484", "99213", "99214", "99203", "20610", "77003", "71046",
    "93000", "97110", "97140", "36415", "11721", "17000", "64493", "64494", "G0439", "99215",
)  # fmt: skip
ZIPS = ("77030", "10001", "60601", "90210", "33101", "98101", "30301", "02108", "85001", "80202")
DATES = ("2026-07-15", "2026-04-20", "2026-08-03", "2025-11-03", "2026-09-30", "2025-12-15")
ENCOUNTERS = (
    [("62323", []), ("77003", [])],
    [("64483", ["RT"]), ("64484", ["RT"])],
    [("64484", ["LT"])],
    [("64493", ["LT"]), ("64494", ["LT"]), ("99213", ["25"])],
    [("20610", ["RT"]), ("99214", ["25"]), ("77002", [])],
    [("62323", []), ("62322", [])],
)
DIAGNOSES = (["M54.16", "M48.061"], ["M47.816"], ["M17.11"], ["M54.5"])


def request_for(rng: random.Random) -> tuple[str, str, Any]:
    """(method, path, body) of one request of the mix: half prices, a quarter each code pages
    and claim checks."""
    roll = rng.random()
    day = rng.choice(DATES)
    if roll < 0.5:
        return (
            "GET",
            f"/api/v1/price?code={rng.choice(CODES)}&zip={rng.choice(ZIPS)}&date={day}",
            None,
        )
    if roll < 0.75:
        return "GET", f"/api/v1/codes/{rng.choice(CODES)}?zip={rng.choice(ZIPS)}&date={day}", None
    lines = rng.choice(ENCOUNTERS)
    claim = {
        "patient": {"id": "SOAK"},
        "provider": {"npi": "1234567893"},
        "place_of_service": rng.choice(["11", "22"]),
        "zip": rng.choice(ZIPS),
        "date_of_service": day,
        "diagnoses": rng.choice(DIAGNOSES),
        "lines": [{"hcpcs": c, "modifiers": m} for c, m in lines],
    }
    return "POST", "/api/v1/claims/check", claim


def reload_files(data: Path, folder: Path) -> list[list[Path]]:
    """Two sets of the same rows in other bytes than the shared files (and than each other)."""
    aoc = data / "cms/ncci/addon/2024Q2/AOC_2024-06-03.from-northstar.partial.csv"
    icd = data / "icd10cm/FY2026/icd10cm_codes_April-1-2026.csv.gz"
    gpci = data / "cms/pfs/RVU26A/GPCI2026.csv"
    sets = []
    for n, ending in enumerate((b"\n", b"\r\n")):
        target = folder / f"set{n}" / "RVU26A"
        target.mkdir(parents=True)
        files = [
            target.parent / (aoc.name + ".gz"),
            target.parent / icd.name.removesuffix(".gz"),
            target / gpci.name,
        ]
        aoc_text = aoc.read_bytes().replace(b"\r\n", b"\n").replace(b"\n", ending)
        files[0].write_bytes(gzip.compress(aoc_text, mtime=0))
        files[1].write_bytes(
            gzip.decompress(icd.read_bytes()).replace(b"\r\n", b"\n").replace(b"\n", ending)
        )
        files[2].write_bytes(gpci.read_bytes().replace(b"\r\n", b"\n").replace(b"\n", ending))
        sets.append(files)
    return sets


class Server:
    def __init__(self, db: str, workers: int, log: Path, *, nice: int = 0) -> None:
        self.port = free_port()
        command = [MEDPAYIQ, "serve", "--port", str(self.port), "--db", db,
                   "--workers", str(workers), "--log-level", "warning"]  # fmt: skip
        if nice:
            command = ["nice", "-n", str(nice), *command]
        env = {k: v for k, v in os.environ.items() if not k.startswith("MEDPAYIQ_")}
        self.proc = subprocess.Popen(
            command, stdout=log.open("ab"), stderr=subprocess.STDOUT, env=env
        )
        wait_healthy(self.port, self.proc)
        self.base = f"http://127.0.0.1:{self.port}"

    def rss_mib(self) -> float:
        """Resident memory of the server and its workers (children), in MiB."""
        pids = [self.proc.pid]
        children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children")
        if children.exists():
            pids += [int(p) for p in children.read_text().split()]
        total = 0
        for pid in pids:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        return total / 1024

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()


class Record:
    def __init__(self) -> None:
        self.sent = 0
        self.latencies: list[float] = []  # seconds from when each request was due
        self.due: list[float] = []  # when each of those was due (time.monotonic())
        self.errors: list[str] = []
        self.late = 0  # requests sent more than a second after they were due
        # generation -> {(method, path, body): answer body}
        self.answers: dict[int, dict[tuple[str, str, bytes], bytes]] = {}
        self.lock = threading.Lock()


Request = tuple[str, str, bytes | None, str]  # method, path, body, content type


def traffic(
    base: str,
    rate: float,
    until: float,
    record: Record,
    seed: int,
    *,
    clients: int = 16,
    timeout: float = 10.0,
    files: list[Request] | None = None,
) -> None:
    """Requests due at start + n / rate until `until`, sent by `clients` threads on keep-alive
    connections; returns when every request is answered (or timed out)."""
    rng = random.Random(seed)
    jobs: queue.Queue[tuple[float, Request] | None] = queue.Queue()
    extra = files or []

    def client() -> None:
        limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
        with httpx.Client(base_url=base, timeout=timeout, limits=limits) as http:
            while (job := jobs.get()) is not None:
                due, request = job
                one(http, due, request, record)

    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    for thread in threads:
        thread.start()
    start = time.monotonic()
    n = 0
    while True:
        due = start + n / rate
        if due >= until:
            break
        if (wait := due - time.monotonic()) > 0:
            time.sleep(wait)
        if extra and rng.random() < 0.05:
            request = rng.choice(extra)
        else:
            method, path, body = request_for(rng)
            payload = json.dumps(body, sort_keys=True).encode() if body is not None else None
            request = (method, path, payload, "application/json")
        jobs.put((due, request))
        n += 1
    for _ in threads:
        jobs.put(None)
    for thread in threads:
        thread.join()


def one(http: httpx.Client, due: float, request: Request, record: Record) -> None:
    method, path, body, media = request
    sent = time.monotonic()
    try:
        if body is None:
            response = http.request(method, path)
        else:
            response = http.request(method, path, content=body, headers={"content-type": media})
        content = response.content
    except httpx.HTTPError as exc:  # timeouts included: an error, never a stall
        with record.lock:
            record.sent += 1
            record.errors.append(f"{method} {path}: {type(exc).__name__}")
        return
    took = time.monotonic() - due
    with record.lock:
        record.sent += 1
        record.late += sent - due > 1.0
        record.latencies.append(took)
        record.due.append(due)
        if response.status_code != 200:
            record.errors.append(f"{method} {path}: {response.status_code} {content[:200]!r}")
            return
        generation = int(response.headers.get("x-medpayiq-generation", "-1"))
        sample = record.answers.setdefault(generation, {})
        key = (method, path, body or b"")
        if len(sample) < 400 or key in sample:
            if key in sample and sample[key] != content:
                record.errors.append(f"{method} {path}: two answers in one generation")
            sample[key] = content


def claim_files(count: int = 40, seed: int = 11) -> list[Request]:
    """`count` small 837P files (3-8 claims each, from bench/x12_837.py's generator), as
    POST /api/v1/claims/check requests with an X12 body."""
    from x12_837 import generate, write_file  # bench/x12_837.py

    rng = random.Random(seed)
    out: list[Request] = []
    with tempfile.TemporaryDirectory() as folder:
        for n in range(count):
            path = Path(folder) / f"claims-{n}.837"
            write_file(path, generate(rng.randint(3, 8), seed + n, date(2026, 10, 15)))
            out.append(("POST", "/api/v1/claims/check", path.read_bytes(), "application/edi-x12"))
    return out


def remittance_requests(count: int = 20, seed: int = 835) -> list[Request]:
    """`count` small 835 remittances (bench/x12_835.py's generator: 3-8 claims each, with
    denials, reversals and PLB) and the Medicare 2026 test fixture, as POST /api/v1/remits
    requests with an X12 body."""
    from x12_835 import generate, write_file  # bench/x12_835.py

    rng = random.Random(seed)
    out: list[Request] = []
    fixture = ROOT / "tests" / "fixtures" / "x12" / "medicare_2026.835"
    out.append(("POST", "/api/v1/remits", fixture.read_bytes(), "application/edi-x12"))
    with tempfile.TemporaryDirectory() as folder:
        for n in range(count):
            path = Path(folder) / f"remit-{n}.835"
            write_file(path, generate(rng.randint(3, 8), seed + n))
            out.append(("POST", "/api/v1/remits", path.read_bytes(), "application/edi-x12"))
    return out


def compare_with_fresh(db: str, generation: int, record: Record, log: Path) -> int:
    """Wrong answers: the sample of `generation` replayed on a freshly started server."""
    sample = dict(record.answers.get(generation, {}))
    # At the lowest priority and paced, so that the comparison does not slow the soaked
    # server (both share the machine).
    fresh = Server(db, 1, log, nice=19)
    try:
        with httpx.Client(base_url=fresh.base, timeout=60) as client:
            health = client.get("/api/v1/health").json()
            if health["generation"] != generation:
                print(f"  (fresh server at generation {health['generation']}, not {generation})")
                return 0
            wrong = 0
            for (method, path, body), answer in sample.items():
                if method == "GET":
                    got = client.get(path).content
                else:
                    media = "application/edi-x12" if body.startswith(b"ISA") else JSON
                    got = client.post(path, content=body, headers={"content-type": media}).content
                time.sleep(0.02)
                if got != answer:
                    wrong += 1
                    print(f"  wrong answer at generation {generation}: {method} {path}")
            print(f"  generation {generation}: {len(sample)} answers compared, {wrong} wrong",
                  flush=True)  # fmt: skip
            return wrong
    finally:
        fresh.stop()


def wait_for_generation(base: str, generation: int, limit: float = 120.0) -> str:
    """Wait until the soaked server answers from `generation` (the load's last), so that the
    comparison before the next reload has that generation's answers to compare; says how
    long the swap took."""
    began = time.monotonic()
    with httpx.Client(base_url=base, timeout=30) as client:
        while time.monotonic() - began < limit:
            try:
                if client.get("/api/v1/health").json().get("generation") == generation:
                    return f"{time.monotonic() - began:.1f} s later"
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
    return f"not within {limit:.0f} s"


def unloaded(db: str, sets: list[list[Path]]) -> list[Path]:
    """The first set of reload files none of which is loaded in the store now."""
    import hashlib

    from medpayiq.store import open_store

    with open_store(db) as store:
        active = {d.sha256 for d in store.datasets()}
    for files in sets:
        if not any(hashlib.sha256(f.read_bytes()).hexdigest() in active for f in files):
            return files
    return sets[0]


def store_generation(db: str) -> int:
    from medpayiq.store import open_store

    with open_store(db) as store:
        return store.generation()


def around_loads(record: Record, loads: list[float], span: float = 60.0) -> str:
    """p99 and max latency of the requests due within `span` seconds of a load's start, and
    of the others: tells a stall of the reload from a machine busy with other work."""
    near: list[float] = []
    other: list[float] = []
    for due, took in zip(record.due, record.latencies, strict=True):
        (near if any(0 <= due - b < span for b in loads) else other).append(took)

    def summary(values: list[float]) -> str:
        if not values:
            return "none"
        ordered = sorted(values)
        p99 = ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))]
        return f"{len(ordered)} requests, p99 {p99 * 1000:.0f} ms, max {ordered[-1] * 1000:.0f} ms"

    return (
        f"due within {span:.0f} s of a load's start: {summary(near)}; "
        f"at other times: {summary(other)}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", required=True, help="store with ../shared/data loaded")
    parser.add_argument("--duration", type=float, default=1800, help="seconds of traffic")
    parser.add_argument("--rate", type=float, default=40, help="requests per second")
    parser.add_argument("--reload-every", type=float, default=300, help="seconds between loads")
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--clients", type=int, default=16, help="client threads (keep-alive)")
    parser.add_argument("--timeout", type=float, default=10, help="seconds: no answer = error")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="medpayiq-soak-"))
    log = work / "serve.log"
    sets = reload_files(args.data, work)
    server = Server(args.db, args.workers, log)
    record = Record()
    files = claim_files() + remittance_requests()
    options: dict[str, Any] = {"clients": args.clients, "timeout": args.timeout, "files": files}
    wrong = 0
    reloads = 0
    loads: list[float] = []  # when each reload's `data load` started
    try:
        # Warm-up pass (not counted), then memory at the start.
        traffic(server.base, args.rate, time.monotonic() + 20, Record(), 1, **options)
        rss_start = server.rss_mib()
        print(f"serve on :{server.port} ({args.workers} worker(s)), RSS after warm-up "
              f"{rss_start:.0f} MiB; {args.rate:g} req/s for {args.duration:g} s, "
              f"a reload every {args.reload_every:g} s", flush=True)  # fmt: skip
        start = time.monotonic()
        end = start + args.duration
        runner = threading.Thread(
            target=traffic, args=(server.base, args.rate, end, record, 2), kwargs=options
        )
        runner.start()
        next_reload = start + args.reload_every
        while time.monotonic() < end:
            if time.monotonic() >= next_reload:
                generation = store_generation(args.db)
                wrong += compare_with_fresh(args.db, generation, record, log)
                reload_set = unloaded(args.db, sets)
                began = time.monotonic()
                loads.append(began)
                command = [MEDPAYIQ, "data", "load", "--db", args.db, *map(str, reload_set)]
                done = subprocess.run(command, capture_output=True, text=True)
                reloads += 1
                took = time.monotonic() - began
                replaced = done.stdout.count("replaced")
                status = (
                    f"ok, {replaced} replaced"
                    if done.returncode == 0
                    else f"FAILED {done.stderr.strip()[:300]}"
                )
                swapped = wait_for_generation(server.base, store_generation(args.db))
                print(f"  reload {reloads} at {began - start:.0f} s: {took:.1f} s, {status}; "
                      f"served {swapped}; server RSS {server.rss_mib():.0f} MiB",
                      flush=True)  # fmt: skip
                next_reload += args.reload_every
            time.sleep(1)
        runner.join()
        rss_end = server.rss_mib()
        time.sleep(3)  # the last reload's swap
        wrong += compare_with_fresh(args.db, store_generation(args.db), record, log)
    finally:
        server.stop()
    lat = sorted(record.latencies)

    def p(q: float) -> float:
        return lat[min(len(lat) - 1, int(q * len(lat)))] * 1000 if lat else float("nan")

    cpu = os.times()
    print(f"requests {record.sent} ({len(files)} distinct X12 files in the mix), errors "
          f"{len(record.errors)}, wrong answers {wrong}, reloads {reloads}, sent over a second "
          f"late {record.late}")  # fmt: skip
    children = cpu.children_user + cpu.children_system
    print(f"CPU: soak client {cpu.user + cpu.system:.0f} s, server, loads and fresh servers "
          f"{children:.0f} s (wall {args.duration:g} s)")  # fmt: skip
    worst = lat[-1] * 1000 if lat else 0.0
    mean = statistics.fmean(lat) * 1000 if lat else 0.0
    print(
        f"latency p50 {p(0.5):.1f} ms, p99 {p(0.99):.1f} ms, max {worst:.0f} ms, mean {mean:.1f} ms"
    )
    print(around_loads(record, loads))
    print(f"server RSS start {rss_start:.0f} MiB, end {rss_end:.0f} MiB")
    seen = {g: len(sample) for g, sample in sorted(record.answers.items())}
    print(f"answers sampled per generation (the soaked server's): {seen}")
    for error in record.errors[:10]:
        print("  error:", error)
    sys.exit(1 if record.errors or wrong else 0)


if __name__ == "__main__":
    main()
