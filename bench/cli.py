"""Wall time of one question on the command line, against importing SQLAlchemy in the same run.

    .venv/bin/python bench/cli.py --db /tmp/cli-bench.sqlite [--runs 7]

`--db` is an SQLite store loaded from the shared data
(`.venv/bin/medpayiq data load --source ../shared/data --db /tmp/cli-bench.sqlite`).

Each command runs as its own process, as a user runs it, `--runs` times, interleaved (one run
of each in turn, so a busy stretch of the machine falls on all of them alike); the baseline
is `python -c "import sqlalchemy"`, the floor of any command that opens the store. Prints the
min and median of each and the median's ratio to the baseline's median. Goals (issue 12):
`medpayiq price` at most 2.5x, `medpayiq check` at most 3x. It asserts nothing.

The package is byte-compiled first, as pip leaves an installed one (and as SQLAlchemy, the
baseline, is): under PYTHONDONTWRITEBYTECODE=1 (as in this development environment) an editable
install never keeps its bytecode, so each process would compile the 45 to 70 modules it
imports, about 0.05 s to 0.1 s that no installed copy pays. `--no-compile` measures that case
(it then depends on which `__pycache__` files are there and current).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent

COMMANDS: dict[str, list[str]] = {
    'python -c "import sqlalchemy"': [sys.executable, "-c", "import sqlalchemy"],
    "medpayiq price 62323 --zip 77030": [
        str(BIN / "medpayiq"), "price", "62323", "--zip", "77030", "--date", "2026-07-15",
    ],
    "medpayiq price 80053 --cost-share": [
        str(BIN / "medpayiq"), "price", "80053", "--date", "2026-07-15", "--cost-share",
    ],
    "medpayiq price 62323 --state TX --facility --json": [
        str(BIN / "medpayiq"), "price", "62323", "--locality", "04412-18", "--facility",
        "--date", "2026-07-15", "--json",
    ],
    "medpayiq check esi-with-fluoroscopy.json": [
        str(BIN / "medpayiq"), "check", str(ROOT / "docs/examples/esi-with-fluoroscopy.json"),
    ],
}  # fmt: skip
GOALS = {"price": 2.5, "check": 3.0}


def run(command: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(command)} failed: {done.stderr.decode()[-500:]}")
    return elapsed


def _compile() -> None:
    """Byte-compile the medpayiq package that `medpayiq` runs (its `__pycache__` folders)."""
    import compileall

    found = subprocess.run(
        [sys.executable, "-c", "import medpayiq; print(medpayiq.__path__[0])"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    package = found.stdout.strip()
    if not compileall.compile_dir(package, quiet=1):
        raise SystemExit(f"could not byte-compile {package}")
    print(f"byte-compiled {package} first (--no-compile: as each process compiles it)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, help="an SQLite store loaded with the shared data")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument(
        "--no-compile", action="store_true", help="do not byte-compile the package first"
    )
    args = parser.parse_args()
    if not args.no_compile:
        _compile()
    env = {**os.environ, "MEDPAYIQ_DB": args.db}
    times: dict[str, list[float]] = {name: [] for name in COMMANDS}
    for command in COMMANDS.values():
        run(command, env)  # warm the file cache once
    for _ in range(args.runs):
        for name, command in COMMANDS.items():
            times[name].append(run(command, env))
    base = statistics.median(times['python -c "import sqlalchemy"'])
    print(f"{args.runs} runs each, interleaved; ratio = median / median of the baseline")
    for name, found in times.items():
        median = statistics.median(found)
        goal = next((g for word, g in GOALS.items() if f"medpayiq {word}" in name), None)
        note = f"  (goal <= {goal}x)" if goal else ""
        print(
            f"{name:52} min {min(found):6.2f} s  median {median:6.2f} s  "
            f"ratio {median / base:5.2f}x{note}"
        )


if __name__ == "__main__":
    main()
