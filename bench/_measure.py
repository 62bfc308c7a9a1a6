"""What the X12 and remittance benches share: each measurement runs in a fresh interpreter
(so its peak RSS is its own) and answers one JSON line; the parent prints it as claims per
CPU second beside the wall clock (on a shared machine the wall clock also counts other
processes' turns)."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path


def _status(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field):
            return int(line.split()[1]) / 1024
    return float("nan")


def peak_rss_mb() -> float:
    """This process's peak resident memory (VmHWM), in MB."""
    return _status("VmHWM:")


def rss_mb() -> float:
    """This process's resident memory now (VmRSS), in MB."""
    return _status("VmRSS:")


def run_child(script: str, name: str, *args: object) -> dict[str, object]:
    """Run `script --child name args...` in a fresh interpreter; its JSON answer, or the
    error (the last line of its stderr)."""
    proc = subprocess.run(
        [sys.executable, script, "--child", name, *map(str, args)],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        tail = (proc.stderr.strip().splitlines() or ["(no message)"])[-1]
        return {"error": tail}
    result: dict[str, object] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def report(name: str, result: dict[str, object], width: int = 15) -> float | None:
    """Print one measurement (claims, CPU and wall seconds, peak RSS, any other figures it
    gave); its claims per CPU second."""
    if "error" in result:
        print(f"{name:{width + 1}} not measured: {result['error']}")
        return None
    cpu = float(result["cpu_seconds"])  # type: ignore[arg-type]
    wall = float(result["seconds"])  # type: ignore[arg-type]
    claims = int(result["claims"])  # type: ignore[call-overload]
    rate = claims / cpu if cpu else float("inf")
    shown = {"claims", "seconds", "cpu_seconds", "peak_rss_mb"}
    extra = ", ".join(f"{k} {v}" for k, v in result.items() if k not in shown)
    print(
        f"{name:{width}} {claims:>9,} claims: {cpu:7.2f} s CPU = {rate:>8,.0f} claims/s"
        f" ({wall:6.2f} s wall = {claims / wall if wall else 0:>8,.0f}/s),"
        f" peak RSS {float(result['peak_rss_mb']):5.0f} MB ({extra})"  # type: ignore[arg-type]
    )
    return rate


def measure_pyx12_reader(path: str, claim_segment: str) -> dict[str, object]:
    """pyx12's tokenizer (`X12Reader`: segments, no claims) over the whole file, counting the
    segments that open a claim (`CLM` in an 837P, `CLP` in an 835)."""
    import pyx12.x12file

    start, cpu = time.perf_counter(), time.process_time()
    claims = segments = 0
    with open(path, encoding="ascii") as fd:
        reader = pyx12.x12file.X12Reader(fd)
        for seg in reader:
            segments += 1
            if seg.get_seg_id() == claim_segment:
                claims += 1
        errors = len(list(reader.pop_errors())) if hasattr(reader, "pop_errors") else 0
    return {
        "claims": claims,
        "segments": segments,
        "syntax_errors": errors,
        "seconds": time.perf_counter() - start,
        "cpu_seconds": time.process_time() - cpu,
        "peak_rss_mb": peak_rss_mb(),
    }
