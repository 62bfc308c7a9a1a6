"""MCP benchmark: tool calls per second and p50/p99 latency over stdio, against a real
`medpayiq mcp` started and spoken to by the MCP SDK's own client.

    .venv/bin/python bench/mcp.py --db PATH [--calls 5000] [--rounds 5] [--warmup 300]

One client, sequential calls (what an assistant does: the next call waits for the answer),
after a warm-up, in rounds (the rate of each round is printed as median, lowest and highest:
other jobs on the machine move it). Targets:

- price 62323, ZIP 77030, 2026-07-15           (goal: >= 500 calls/s, median round)
- price, 8 codes x 5 localities in turn
- code_page 62323, ZIP 77030 (about 100 kB of JSON per answer)
- the SDK's floor: a server of the same SDK whose one tool does nothing, with the same client

Every answer is checked (no tool error and, for the first target, the Houston amount 274.36),
so a fast error does not count as a fast answer. Client and server share the machine; the CPU
per call (client, server) moves less with the machine's other load than the rate does.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import anyio

if TYPE_CHECKING:
    from mcp import Client

ROOT = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent
GOAL = 500.0

# The floor: the SDK with a tool that does nothing (started with the same Python).
NO_OP_SERVER = """
from mcp.server.mcpserver import MCPServer
server = MCPServer("floor", log_level="WARNING")
@server.tool()
def noop(code: str) -> str:
    return code
server.run("stdio")
"""


def _sdk_importable() -> None:
    """This script is bench/mcp.py: run as a script, its folder comes first on sys.path and
    `import mcp` would import this file instead of the SDK."""
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
    sys.modules.pop("mcp", None)


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


@dataclass
class Figures:
    name: str
    rates: list[float] = field(default_factory=list)  # calls/s of each round
    latencies_ms: list[float] = field(default_factory=list)
    errors: int = 0
    client_cpu_s: float = 0.0
    server_cpu_s: float = 0.0

    @property
    def rate(self) -> float:
        return statistics.median(self.rates)

    def pct(self, p: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]

    def line(self) -> str:
        calls = len(self.latencies_ms)
        client, server = (x * 1000 / calls for x in (self.client_cpu_s, self.server_cpu_s))
        return (
            f"{self.name:<30} {calls:>6,} calls {self.rate:>5,.0f}/s "
            f"({min(self.rates):,.0f}-{max(self.rates):,.0f})  "
            f"p50 {self.pct(50):5.2f} ms  p99 {self.pct(99):6.2f} ms  "
            f"CPU/call client {client:4.2f} + server {server:5.2f} ms  errors {self.errors}"
        )


Call = tuple[str, dict[str, Any]]


def _price(code: str, **place: str) -> Call:
    return "price", {"code": code, "date": "2026-07-15", **place}


MIXED = [
    _price(code, locality=loc)
    for code in ("62323", "62321", "99213", "99214", "77003", "20610", "64483", "71046")
    for loc in ("04412-18", "01112-05", "10112-00", "13202-01", "national")
]


async def _warm(client: Client, calls: list[Call], count: int) -> None:
    for i in range(count):
        tool, arguments = calls[i % len(calls)]
        await client.call_tool(tool, arguments)


async def _round(
    client: Client, figures: Figures, calls: list[Call], count: int, expect: str | None
) -> None:
    client_cpu, server_cpu = time.process_time(), _children_cpu()
    start = time.perf_counter()
    for i in range(count):
        tool, arguments = calls[i % len(calls)]
        began = time.perf_counter()
        result = await client.call_tool(tool, arguments)
        figures.latencies_ms.append((time.perf_counter() - began) * 1000)
        content = result.structured_content or {}
        if result.is_error or (expect is not None and content.get("allowed") != expect):
            figures.errors += 1
    figures.rates.append(count / (time.perf_counter() - start))
    figures.client_cpu_s += time.process_time() - client_cpu
    figures.server_cpu_s += _children_cpu() - server_cpu  # the other server idles meanwhile


async def bench(
    db: str | None, calls: int, rounds: int, warmup: int, page_calls: int
) -> list[Figures]:
    _sdk_importable()
    from mcp import Client
    from mcp.client.stdio import StdioServerParameters

    args = ["mcp", "--log-level", "warning"] + (["--db", db] if db else [])
    server = StdioServerParameters(command=str(ROOT / ".venv/bin/medpayiq"), args=args)
    no_op = StdioServerParameters(command=sys.executable, args=["-c", NO_OP_SERVER])
    goal = ("price 62323, ZIP 77030", [_price("62323", zip="77030")], "274.36")
    floor = ("SDK floor: a no-op tool", [("noop", {"code": "62323"})], None)
    others = [
        ("price, 8 codes x 5 localities", MIXED, calls, None),
        ("code_page 62323, ZIP 77030", [("code_page", _price("62323", zip="77030")[1])],
         page_calls, None),
    ]  # fmt: skip
    started = time.perf_counter()
    async with (
        Client(server, read_timeout_seconds=300) as client,
        Client(no_op, read_timeout_seconds=300) as bare,
    ):
        load = " ".join(f"{x:.1f}" for x in os.getloadavg())
        print(f"medpayiq mcp (stdio) ready in {time.perf_counter() - started:.1f} s; "
              f"{os.cpu_count()} CPUs shared by client and server; load average {load}",
              flush=True)  # fmt: skip
        # The goal and the floor in alternate rounds: the same moments, the same other load.
        paired = [(client, Figures(goal[0]), goal), (bare, Figures(floor[0]), floor)]
        for session, _, (_, target, _) in paired:
            await _warm(session, target, warmup)
        for _ in range(rounds):
            for session, figures, (_, target, expect) in paired:
                await _round(session, figures, target, max(1, calls // rounds), expect)
        results = [figures for _, figures, _ in paired]
        for figures in results:
            print(figures.line(), flush=True)
        for name, target, total, expect in others:
            figures = Figures(name)
            await _warm(client, target, min(warmup, total))
            for _ in range(rounds):
                await _round(client, figures, target, max(1, total // rounds), expect)
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
    parser.add_argument("--rounds", type=int, default=5, help="rounds the calls are split into")
    parser.add_argument("--page-calls", type=int, default=500, help="timed code_page calls")
    parser.add_argument("--warmup", type=int, default=300, help="untimed calls before each")
    args = parser.parse_args()
    results = anyio.run(bench, args.db, args.calls, args.rounds, args.warmup, args.page_calls)
    goal, floor = results[0], results[1]
    verdict = "met" if goal.rate >= GOAL and goal.errors == 0 else "NOT met"
    print(
        f"goal for price over stdio (>= {GOAL:,.0f} calls/s, median round): {verdict}; "
        f"{goal.rate / floor.rate:.0%} of the SDK's no-op floor"
    )
    sys.stdout.flush()


if __name__ == "__main__":
    main()
