"""MCP benchmark: tool calls per second and p50/p99 latency over stdio, against a real
`medpayiq mcp` started and spoken to by the MCP SDK's own client.

    .venv/bin/python bench/mcp.py --db PATH [--calls 5000] [--warmup 300]

One client, sequential calls (what an assistant does: the next call waits for the answer),
after a warm-up. Targets:

- price 62323, ZIP 77030, 2026-07-15           (goal: >= 500 calls/s)
- price, 8 codes x 5 localities in turn
- code_page 62323, ZIP 77030 (about 100 kB of JSON per answer)

Every answer is checked (no tool error and, for the first target, the Houston amount 274.36),
so a fast error does not count as a fast answer. Client and server share the machine: the
figures are a floor.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import anyio

if TYPE_CHECKING:
    from mcp import Client

ROOT = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent


def _sdk_importable() -> None:
    """This script is bench/mcp.py: run as a script, its folder comes first on sys.path and
    `import mcp` would import this file instead of the SDK."""
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
    sys.modules.pop("mcp", None)


GOAL = 500.0


@dataclass
class Figures:
    name: str
    seconds: float
    latencies_ms: list[float]
    errors: int
    client_cpu_s: float
    server_cpu_s: float

    @property
    def rate(self) -> float:
        return len(self.latencies_ms) / self.seconds

    def pct(self, p: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]

    def cpu_ms(self) -> tuple[float, float]:
        """CPU per call, client and server: unlike the rate, the machine's other load does
        not change it much, and one call at a time cannot beat 1 / (client + server)."""
        calls = len(self.latencies_ms)
        return self.client_cpu_s * 1000 / calls, self.server_cpu_s * 1000 / calls

    def line(self) -> str:
        client, server = self.cpu_ms()
        return (
            f"{self.name:<31} {len(self.latencies_ms):>6,} calls {self.rate:>6,.0f} calls/s  "
            f"p50 {self.pct(50):5.2f} ms  p99 {self.pct(99):6.2f} ms  "
            f"mean {statistics.fmean(self.latencies_ms):5.2f} ms  "
            f"CPU/call client {client:4.2f} + server {server:4.2f} ms  errors {self.errors}"
        )


def _children_cpu() -> float:
    """CPU seconds (user + system) of this process's children: the server (Linux /proc)."""
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    for children in Path("/proc/self/task").glob("*/children"):
        for pid in children.read_text().split():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
    return total


def _price(code: str, **place: str) -> tuple[str, dict[str, Any]]:
    return "price", {"code": code, "date": "2026-07-15", **place}


MIXED = [
    _price(code, locality=loc)
    for code in ("62323", "62321", "99213", "99214", "77003", "20610", "64483", "71046")
    for loc in ("04412-18", "01112-05", "10112-00", "13202-01", "national")
]


async def _run(
    client: Client,
    name: str,
    calls: list[tuple[str, dict[str, Any]]],
    total: int,
    warmup: int,
    expect: str | None,
) -> Figures:
    for i in range(warmup):
        tool, arguments = calls[i % len(calls)]
        await client.call_tool(tool, arguments)
    latencies: list[float] = []
    errors = 0
    client_cpu, server_cpu = time.process_time(), _children_cpu()
    start = time.perf_counter()
    for i in range(total):
        tool, arguments = calls[i % len(calls)]
        began = time.perf_counter()
        result = await client.call_tool(tool, arguments)
        latencies.append((time.perf_counter() - began) * 1000)
        content = result.structured_content or {}
        if result.is_error or (expect is not None and content.get("allowed") != expect):
            errors += 1
    seconds = time.perf_counter() - start
    client_cpu, server_cpu = time.process_time() - client_cpu, _children_cpu() - server_cpu
    return Figures(name, seconds, latencies, errors, client_cpu, server_cpu)


async def bench(db: str | None, calls: int, warmup: int, page_calls: int) -> list[Figures]:
    _sdk_importable()
    from mcp import Client
    from mcp.client.stdio import StdioServerParameters

    args = ["mcp", "--log-level", "warning"] + (["--db", db] if db else [])
    params = StdioServerParameters(command=str(ROOT / ".venv/bin/medpayiq"), args=args)
    targets = [
        ("price 62323, ZIP 77030", [_price("62323", zip="77030")], calls, "274.36"),
        ("price, 8 codes x 5 localities", MIXED, calls, None),
        ("code_page 62323, ZIP 77030", [("code_page", _price("62323", zip="77030")[1])],
         page_calls, None),
    ]  # fmt: skip
    results = []
    started = time.perf_counter()
    async with Client(params, read_timeout_seconds=300) as client:
        load = " ".join(f"{x:.1f}" for x in os.getloadavg())
        print(f"medpayiq mcp (stdio) ready in {time.perf_counter() - started:.1f} s; "
              f"{os.cpu_count()} CPUs shared by client and server; load average {load}",
              flush=True)  # fmt: skip
        for name, target, total, expect in targets:
            figures = await _run(client, name, target, total, min(warmup, total), expect)
            print(figures.line(), flush=True)
            results.append(figures)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--db", default=os.environ.get("MEDPAYIQ_DB"), help="store (SQLite file or URL) with data"
    )
    parser.add_argument("--calls", type=int, default=5_000, help="timed calls per price target")
    parser.add_argument("--page-calls", type=int, default=500, help="timed code_page calls")
    parser.add_argument("--warmup", type=int, default=300, help="untimed calls before each")
    args = parser.parse_args()
    results = anyio.run(bench, args.db, args.calls, args.warmup, args.page_calls)
    goal = results[0]
    verdict = "met" if goal.rate >= GOAL and goal.errors == 0 else "NOT met"
    bound = 1000 / sum(goal.cpu_ms())
    print(
        f"goal for price over stdio (>= {GOAL:,.0f} calls/s): {verdict} "
        f"(CPU bound on an idle machine: {bound:,.0f} calls/s)"
    )
    sys.stdout.flush()


if __name__ == "__main__":
    main()
