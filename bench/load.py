"""Load every shared data file into a fresh SQLite store and print what it took.

    .venv/bin/python bench/load.py [DATA_DIR] [--db URL_OR_PATH]

Prints wall time, peak resident memory of this process (the load runs in it), and the rows
of each dataset. The goal (docs/store.md): everything in ../shared/data in at most 60 s and
2 GB on a 2-core machine.
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from medpayiq.errors import DataError
from medpayiq.store import LoadStatus, Store, open_store

ROOT = Path(__file__).resolve().parent.parent


def _ncci_lookups(store: Store, claims: int = 20_000) -> str:
    """Claim-checker-like NCCI look-ups: 4 codes a claim drawn (seeded) from the codes that
    common services are bundled with; a first pass (each code's first sight is a query),
    then the same claims again (per-code cache)."""
    reference = store.reference()
    try:
        ncci = reference.ncci(date(2024, 8, 1))
    except DataError as exc:
        return f"NCCI look-ups: skipped ({exc})"
    seeds = ("99213", "62323", "27447", "43239", "93000", "20610", "64483", "36415")
    pool = sorted({e.column2 for s in seeds for e in ncci.ptp_for(s)} | set(seeds))
    rng = random.Random(7)
    batches = [rng.sample(pool, 4) for _ in range(claims)]
    figures = []
    for label in ("first pass", "warm"):
        began = time.perf_counter()
        for codes in batches:
            ncci.ptp_among(codes)
            for code in codes:
                ncci.mue(code)
        figures.append(f"{label} {claims / (time.perf_counter() - began):,.0f} claims/s")
    return f"NCCI look-ups ({len(pool)} distinct codes, 4 a claim): " + ", ".join(figures)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("data", nargs="?", default=str(ROOT.parent / "shared" / "data"))
    parser.add_argument(
        "--db", help="a database URL or file (default: a new SQLite file in a temp dir)"
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        db = args.db or str(Path(tmp) / "bench.sqlite")
        start = time.perf_counter()
        with open_store(db) as store:
            results = []
            for item in store.plan([args.data]):
                began = time.perf_counter()
                result = store.load_planned(item)
                results.append((result, time.perf_counter() - began))
            wall = time.perf_counter() - start
            datasets = store.datasets()
            ncci_figures = _ncci_lookups(store)
        size = sum(p.stat().st_size for p in Path(tmp).glob("bench.sqlite*")) if not args.db else 0

    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    print(f"{'kind':<16}{'release':<10}{'rows':>12}{'seconds':>9}  status     file")
    for result, seconds in results:
        if result.status is LoadStatus.SKIPPED and result.kind is None:
            continue
        kind = result.kind.value if result.kind else "-"
        print(
            f"{kind:<16}{result.release:<10}{result.rows:>12,}{seconds:>9.2f}  "
            f"{result.status.value:<10} {result.file}"
        )
    total_rows = sum(d.rows for d in datasets)
    print(f"\ndatasets: {len(datasets)}, rows: {total_rows:,}")
    print(f"wall: {wall:.1f} s (goal 60 s)")
    print(f"peak RSS: {peak_mb:,.0f} MiB (goal 2048 MiB)")
    if size:
        print(f"database size: {size / 1024 / 1024:,.0f} MiB")
    print(ncci_figures)
    failed = [r for r, _ in results if r.status is LoadStatus.FAILED]
    for r in failed:
        print(f"FAILED {r.file}: {r.message}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
