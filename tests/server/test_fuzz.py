"""Schemathesis, every check, against a real server and its /openapi.json: no 5xx, every
status and media type documented, every answer matching its schema, schema-violating input
refused, valid input not refused for its shape. A short run (a few seconds of requests);
`scripts/fuzz-api` runs it longer. Project settings: schemathesis.toml."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from .conftest import ROOT, Server


def test_schemathesis_all_checks(store_db: Path, serve: Callable[..., Server]) -> None:
    server = serve(str(store_db), "--log-level", "warning")
    st = str(Path(sys.executable).parent / "st")
    command = [st, "run", f"{server.base}/openapi.json", "--checks", "all",
               "--max-examples", "8", "--seed", "1", "--no-color"]  # fmt: skip
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-2000:]
    assert " passed" in done.stdout
