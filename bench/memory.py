"""Memory under tens of thousands of distinct requests: tests/server/test_memory.py with more
requests than the test suite sends (3,000), against a real `medpayiq serve` on the full-data
store, printing the server's resident memory after the warm-up, at its peak and at the end.

    .venv/bin/python bench/memory.py [--requests 50000]

The test's ceiling (CEILING_MIB over the RSS after the warm-up) holds for any number of
requests if every cache is bounded; the run fails (or, while the test is marked xfail, is
reported as XFAIL) if it does not. About 40 requests a second on two shared cores: 50,000
take some twenty minutes.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=50_000)
    args = parser.parse_args()
    env = {**os.environ, "MEDPAYIQ_TEST_MEMORY_REQUESTS": str(args.requests)}
    test = "tests/server/test_memory.py"
    command = [
        sys.executable,
        "-m",
        "pytest",
        test,
        "-q",
        "-n",
        "0",
        "-s",
        "-p",
        "no:cacheprovider",
    ]
    sys.exit(subprocess.run(command, cwd=ROOT, env=env).returncode)


if __name__ == "__main__":
    main()
