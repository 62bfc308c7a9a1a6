"""Release comparison speed and memory: the full fee schedule diff and a 100,000-line volume.

    .venv/bin/python bench/changes.py [--from RVU25D] [--to RVU26C] [--lines 100000]
                                      [--data ../shared/data] [--db URL] [--repeat 3]
                                      [--regenerate]

1. Full diff: both releases as the engine prices them (`changes.pfs_side`), then every
   PPRRVU row (code, 26, TC) of either release x national + 109 localities x 2 settings x
   the four amounts of the substitution (before, CF step, RVU step, after:
   `changes.fee_grid`), then the per-locality summary (up, down, median change in both
   settings at every locality: `grid_count`).
2. Volume: generates bench/out/volume-N.csv once (git-ignored; --regenerate to rebuild), a
   practice-like mix (E/M visits, injections, imaging with 26/TC, surgery, therapy in
   units, some 50/80 modifiers the line engine prices, labs and unknown codes that are not
   compared, a few bad rows), one row per line with a ZIP (300 of the file's), a locality or
   neither; reads it (`read_volume_csv`) and weighs it (`pfs_impact`), once on the grid of
   step 1 and once alone (it builds a grid of the file's codes and places).
3. `changes.compare(..., all_localities=True, volume=...)`: everything the CLI and API
   compute for such a request.

Each step is run --repeat times; the best wall time is printed with the peak resident
memory of the process during the step (Linux: /proc/self/status VmHWM, reset before each
step through /proc/self/clear_refs) and the resident memory before it. The reference data
is loaded first (an in-memory Catalog of the fee schedule, ZIP and place of service files,
or the store given by --db) and its load time is printed apart. Asserts nothing about speed.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import random
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from medpayiq import changes
from medpayiq.pricing import Setting
from medpayiq.reference import Catalog, ReferenceData

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
FILES = ["cms/pfs", "cms/zip-locality", "cms/pos"]

# (code, weight, modifiers, places of service, units per line)
MIX: list[tuple[str, float, list[str], list[str], tuple[int, int]]] = [
    ("99213", 16, [""], ["11"], (20, 400)), ("99214", 13, ["", "25"], ["11"], (20, 300)),
    ("99212", 4, [""], ["11", "02"], (5, 80)), ("99215", 4, [""], ["11"], (5, 60)),
    ("99203", 3, [""], ["11"], (5, 60)), ("99232", 3, [""], ["21"], (10, 200)),
    ("99223", 1, [""], ["21"], (5, 40)), ("99284", 1.5, [""], ["23"], (5, 80)),
    ("G2211", 3, [""], ["11"], (10, 300)),
    ("71046", 3, ["", "26", "TC"], ["11", "22"], (5, 200)),
    ("72148", 1, ["", "26", "TC"], ["11", "22"], (2, 40)),
    ("93306", 1, ["", "26"], ["11", "22"], (2, 40)),
    ("20610", 2, ["", "RT", "50"], ["11", "22"], (5, 60)),
    ("62323", 0.7, [""], ["11", "22", "24"], (2, 40)),
    ("64483", 0.7, ["", "50"], ["11", "24"], (2, 40)),
    ("27447", 0.3, ["", "80"], ["21", "22"], (1, 20)),
    ("97110", 3, ["GP"], ["11"], (20, 800)), ("97140", 2, ["GP"], ["11"], (20, 500)),
    ("11042", 0.5, [""], ["11", "22"], (2, 30)), ("45378", 0.5, [""], ["24", "22"], (2, 30)),
    ("36415", 3, [""], ["11"], (50, 900)), ("80053", 2, [""], ["81"], (20, 500)),
    ("J3301", 1, [""], ["11"], (5, 100)), ("99999", 0.05, [""], ["11"], (1, 2)),
]  # fmt: skip


def load(data: str, db: str | None) -> ReferenceData:
    started = time.perf_counter()
    if db:
        from medpayiq.store import open_store

        reference: ReferenceData = open_store(db).reference()
    else:
        reference = Catalog.from_sources([str(Path(data) / f) for f in FILES])
    source = "store" if db else "in-memory Catalog"
    print(f"reference data ready in {time.perf_counter() - started:.1f} s ({source})")
    return reference


def volume_file(reference: ReferenceData, lines: int, regenerate: bool) -> Path:
    """bench/out/volume-N.csv: N practice-like lines (module docstring), made once."""
    path = OUT / f"volume-{lines}.csv"
    if path.exists() and not regenerate:
        return path
    OUT.mkdir(parents=True, exist_ok=True)
    rng = random.Random(14)
    before = changes.pfs_side(reference, "RVU25D")
    zips = sorted(reference.geography(before.day).zips)
    practice_zips = rng.sample(zips, 300)
    localities = sorted(before.gpcis)
    others = sorted(k[0] for k in before.rows if not k[1])
    weights = [w for _, w, *_ in MIX]
    with path.open("w", encoding="utf-8") as out:
        out.write("hcpcs,modifier,pos,units,zip,locality\n")
        for n in range(lines):
            if n % 5000 == 4999:
                out.write("6232,,11,3,,\n")  # a bad code: listed, left out
                continue
            if rng.random() < 0.15:  # the long tail: any code of the fee schedule
                code, mods, places, units = rng.choice(others), [""], ["11", "22"], (1, 20)
            else:
                code, _, mods, places, units = rng.choices(MIX, weights)[0]
            where = rng.random()
            zip5 = rng.choice(practice_zips) if where < 0.7 else ""
            locality = rng.choice(localities) if 0.7 <= where < 0.85 else ""
            out.write(
                f"{code},{rng.choice(mods)},{rng.choice(places)},{rng.randint(*units)},"
                f"{zip5},{locality}\n"
            )
    return path


def _status() -> dict[str, float]:
    found = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            found[key] = int(value.split()[0]) / 1024  # kB -> MB
    return found


def _reset_peak() -> None:
    # Not Linux, or not allowed: the peak then covers the run so far.
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def measure(label: str, repeat: int, run: Callable[[], Any]) -> Any:
    best, peak, result = float("inf"), 0.0, None
    for _ in range(repeat):
        result = None
        gc.collect()
        base = _status()["VmRSS"]
        _reset_peak()
        started = time.perf_counter()
        result = run()
        best = min(best, time.perf_counter() - started)
        peak = max(peak, _status()["VmHWM"])
    print(f"{label:<58} {best:7.2f} s   peak {peak:6.0f} MB (resident before: {base:.0f} MB)")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--from", dest="before", default="RVU25D")
    parser.add_argument("--to", dest="after", default="RVU26C")
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--data", default=str(ROOT.parent / "shared" / "data"))
    parser.add_argument("--db")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--regenerate", action="store_true")
    args = parser.parse_args()

    reference = load(args.data, args.db)
    path = volume_file(reference, args.lines, args.regenerate)
    data = path.read_bytes()
    # Warm what the reference keeps per release (indexes of the rows), as a server would.
    changes.pfs_side(reference, args.before), changes.pfs_side(reference, args.after)

    full_diff(reference, args, data, path.name)
    measure(
        "3. compare(all_localities=True, volume=...) end to end",
        args.repeat,
        lambda: changes.compare(reference, args.before, args.after, all_localities=True,
                                volume=changes.read_volume_csv(data, name=path.name)),
    )  # fmt: skip


def full_diff(reference: ReferenceData, args: argparse.Namespace, data: bytes, name: str) -> None:
    """Steps 1 and 2 (module docstring); the grid is dropped on return."""
    sides = measure(
        "1a. both releases as the engine prices them",
        args.repeat,
        lambda: (changes.pfs_side(reference, args.before), changes.pfs_side(reference, args.after)),
    )
    grid: changes.FeeGrid = measure(
        "1b. full grid: rows x 110 places x 2 settings x 4 steps",
        args.repeat,
        lambda: changes.fee_grid(*sides),
    )
    cells = len(grid.keys) * len(grid.places) * 2
    size = grid.frame.estimated_size() / 1e6
    print(f"    {len(grid.keys):,} rows x {len(grid.places)} places x 2 settings = {cells:,} "
          f"cells, x 4 steps; frame {size:.0f} MB")  # fmt: skip

    def summary() -> int:
        places = [changes.Place(p, p) for p in grid.places]
        return len([changes.grid_count(grid, s, p) for p in places for s in Setting])

    measure("1c. per-locality summary (up, down, median) x 2 settings", args.repeat, summary)
    volume = measure(f"2a. read {name} ({len(data) / 1e6:.1f} MB)", args.repeat,
                     lambda: changes.read_volume_csv(data, name=name))  # fmt: skip
    print(f"    {volume.lines_read:,} lines, {volume.frame.height:,} distinct, "
          f"{volume.problem_count} left out")  # fmt: skip
    impact = measure("2b. weigh it on the full grid", args.repeat,
                     lambda: changes.pfs_impact(*sides, volume, grid=grid))  # fmt: skip
    measure("2c. weigh it alone (its own grid)", args.repeat,
            lambda: changes.pfs_impact(*sides, volume))  # fmt: skip
    causes = impact.causes
    assert causes is not None
    print(f"    {impact.lines_compared:,} lines compared, {len(impact.not_compared):,} distinct "
          f"not; impact {impact.total_change:,} (CF {causes.cf:,}, RVUs {causes.rvus:,}, "
          f"GPCI {causes.gpci:,}, line engine {impact.unattributed:,})")  # fmt: skip


if __name__ == "__main__":
    main()
