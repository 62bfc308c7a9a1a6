"""Remittance analysis speed and memory, end to end: a generated 835 read, every line priced
against the fee schedule, routed and reported (`services.analyze_remittance`, then the JSON
answer), with reading alone measured in the same run as the peer.

    .venv/bin/python bench/remit.py [--claims 100000] [--seed 7] [--db STORE] [--keep DIR]

The 835 comes from bench/x12_835.py's generator (40 practices in Houston ZIPs, Medicare Part B
and two commercial payers, 1-6 lines a claim, 12% of lines denied, 1% timely filing denials at
claim level, 2% reversed and corrected, PLBs). Each measurement runs in its own interpreter so
that its peak RSS (VmHWM) is its own:
- read: `read_835` over the file, claims counted (the peer);
- analyse: the store opened (`--db`, else MEDPAYIQ_DB or the default store), then
  `analyze_remittance` over the file and its JSON answer (`report.json_chunks()`, as
  `medpayiq remit --json` writes it).
Rates are claims per CPU second (the machine is shared; the wall clock is printed too). Each
claim is spooled as JSON as it is analysed and let go, so memory should stay flat in the
file's size: the peak RSS at two sizes is printed. Nothing here asserts a speed.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _measure import peak_rss_mb, report, run_child
from x12_835 import Counted, generate, write_file


def measure_read(path: str, db: str) -> dict[str, object]:
    from medpayiq.x12 import ClaimPayment, read_835

    start, cpu = time.perf_counter(), time.process_time()
    claims = sum(1 for item in read_835(path) if isinstance(item, ClaimPayment))
    return {
        "claims": claims,
        "cpu_seconds": time.process_time() - cpu,
        "seconds": time.perf_counter() - start,
        "peak_rss_mb": peak_rss_mb(),
    }


def measure_analyse(path: str, db: str) -> dict[str, object]:
    from medpayiq.services import analyze_remittance
    from medpayiq.store import open_store

    start, cpu = time.perf_counter(), time.process_time()
    reference = open_store(db or None).reference()
    opened = time.process_time() - cpu
    cpu_analysis = time.process_time()
    report = analyze_remittance(reference, [path])
    analysed = time.process_time() - cpu_analysis
    cpu_json = time.process_time()
    size = sum(len(chunk) for chunk in report.json_chunks())
    rendered = time.process_time() - cpu_json
    totals = report.totals()
    return {
        "claims": totals["claims"],
        "cpu_seconds": time.process_time() - cpu,
        "seconds": time.perf_counter() - start,
        "peak_rss_mb": peak_rss_mb(),
        "open_cpu": round(opened, 2),
        "analyse_cpu": round(analysed, 2),
        "json_cpu": round(rendered, 2),
        "json_mb": round(size / 1e6, 1),
        "worklist": len(report.worklist()),
        "lines_by_status": totals["lines_by_status"],
    }


MEASURES = {"read": measure_read, "analyse": measure_analyse}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--db", default="", help="the store (default: MEDPAYIQ_DB or default)")
    parser.add_argument("--keep", type=Path, help="write the files here and keep them")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        name, path, db = (*args.child, "")[:3]
        print(json.dumps(MEASURES[name](path, db)))
        return
    folder = args.keep or Path(tempfile.mkdtemp(prefix="remit-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    files = []
    for count in (args.claims // 10, args.claims):
        path = folder / f"bench-{count}.835"
        start = time.perf_counter()
        counted = Counted(generate(count, args.seed))
        write_file(path, counted)
        print(
            f"generated {counted.count:,} claims ({counted.lines / counted.count:.2f} lines a "
            f"claim), {path.stat().st_size / 1e6:,.1f} MB, in {time.perf_counter() - start:.1f} s"
        )
        files.append(path)
    for path in files:
        report("read", run_child(__file__, "read", str(path), args.db), width=9)
        report("analyse", run_child(__file__, "analyse", str(path), args.db), width=9)
    if not args.keep:
        for path in files:
            path.unlink()
        folder.rmdir()


if __name__ == "__main__":
    main()
