"""What the X12 and remittance benches share: each measurement runs in a fresh interpreter
(so its peak RSS is its own) and answers one JSON line; the parent prints it as claims per
CPU second beside the wall clock (on a shared machine the wall clock also counts other
processes' turns)."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


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


def run_child(
    script: str, name: str, *args: object, path_first: Path | None = None
) -> dict[str, object]:
    """Run `script --child name args...` in a fresh interpreter (with `path_first` first on
    its module path: a compiled build of the package, `build_compiled`); its JSON answer, or
    the error (the last line of its stderr)."""
    env = None
    if path_first is not None:
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(path_first), env.get("PYTHONPATH")]))
    proc = subprocess.run(
        [sys.executable, script, "--child", name, *map(str, args)],
        capture_output=True,
        text=True,
        env=env,
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


def build_compiled(folder: Path) -> Path:
    """The package with the 837P reader's hot modules compiled by mypyc (as
    `MEDPAYIQ_COMPILE=1 pip install .` compiles them), built into `folder`, a copy of it:
    setup.py's `build_compiled`. Raises RuntimeError when it cannot be built."""
    spec = importlib.util.spec_from_file_location("medpayiq_setup", ROOT / "setup.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    built: Path = module.build_compiled(folder)
    return built


def compiled_count() -> int:
    """How many of the compiled build's modules this interpreter runs compiled (0: pure)."""
    try:
        from medpayiq.x12._compiled import compiled_modules
    except ImportError:  # a checkout from before the compiled build
        return 0
    return len(compiled_modules())
