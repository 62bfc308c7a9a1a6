"""The compiled 837P reader (`MEDPAYIQ_COMPILE=1 pip install .`, setup.py) reads every input as
the pure Python one does: the same claims, rejected claims and problems, item by item.

The modules `_compiled.COMPILED` names are built with mypyc into a temporary copy of the
package (`setup.build_compiled`, the build a compiled wheel makes); a fresh interpreter with
that copy first on its path reads the inputs, and another with the pure package reads them
too. Inputs: claims written by the package's writer (with other-subscriber loops, notes and
drug loops), the TR3's example as published and with a valid NPI, an interchange with other
delimiters after a first one, damaged copies (as test_robustness damages them), cut and
empty files, read in several chunk sizes, some segment by segment (a Python subclass of the
compiled reader); and the 835 fixtures and damaged copies, whose reader runs on the compiled
tokenizer and envelope. Skipped, with the reason, where there is no C compiler.
"""

from __future__ import annotations

import importlib.util
import json
import os
import random
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path
from typing import Any

import pytest

from medpayiq.x12 import to_837p
from medpayiq.x12._compiled import COMPILED

from .builders import VALID_NPI, interchange, tr3
from .test_generated import claims, cob, line_extras
from .test_robustness import damaged

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "x12"

# Run in a fresh interpreter: read every input of the manifest, answer one JSON line with
# which modules are compiled and each input's items and problems (their reprs).
READ_ALL = """
import importlib, json, pickle, sys
from medpayiq.x12 import read_835
from medpayiq.x12._compiled import COMPILED, compiled_modules
from medpayiq.x12._reader837 import Reader837

class SegmentBySegment(Reader837):
    fast_lines = False  # every line through the handlers

def read(kind, path, chunk_size):
    data = open(path, "rb").read()
    if kind == "835":
        reader = read_835(data, chunk_size=chunk_size)
    else:
        reader = (Reader837 if kind == "837" else SegmentBySegment)(data, chunk_size=chunk_size)
    items = list(reader)
    counts = (reader.claims_read, getattr(reader, "claims_rejected", None))
    # the records pickle and copy back equal, as the pure ones do
    same = pickle.loads(pickle.dumps(items)) == items
    return [*map(repr, items), *map(repr, reader.problems), repr(counts), repr(same)]

manifest = json.load(open(sys.argv[1]))
print(json.dumps({
    "compiled": compiled_modules(),
    "loaders": sorted({type(importlib.import_module(n).__loader__).__name__ for n in COMPILED}),
    "answers": [read(kind, path, chunk) for kind, path, chunk in manifest],
}))
"""


def _c_compiler() -> str | None:
    command = (sysconfig.get_config_var("CC") or "cc").split()
    return shutil.which(command[0]) if command else None


def _setup_module() -> Any:  # setup.py, loaded as a module (its setup() does not run)
    spec = importlib.util.spec_from_file_location("medpayiq_setup", ROOT / "setup.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _inputs(folder: Path) -> list[tuple[str, str, int]]:
    """(kind, path, chunk size): kind 837, 837-slow (segment by segment) or 835."""
    rng = random.Random(20261207)
    good = to_837p(claims(), extra_2300=cob, extra_2400=line_extras)
    example = interchange(tr3(VALID_NPI))
    other = example.translate(str.maketrans({"*": "|", ":": "^", "~": "!"}))
    texts = {
        "generated": good,
        "tr3-valid-npi": example,
        "tr3-as-published": interchange(tr3()),
        "other-delimiters-after-one": good + other,
        "cut-in-a-claim": good[: len(good) * 2 // 3],
        "cut-in-the-isa": good[:60],
        "not-x12": '{"claims": []}',
        "empty": "",
    }
    sources = [good, example, good + other]
    for n in range(60):
        texts[f"damaged-{n}"] = damaged(rng.choice(sources), rng)
    remits = [p.read_text(encoding="ascii") for p in sorted(FIXTURES.glob("*.835"))]
    texts835 = {f"remit-{n}": text for n, text in enumerate(remits)}
    for n in range(20):
        texts835[f"remit-damaged-{n}"] = damaged(rng.choice(remits), rng)
    manifest: list[tuple[str, str, int]] = []
    for kind, group in (("837", texts), ("835", texts835)):
        for name, text in group.items():
            path = folder / f"{name}.{kind}"
            path.write_text(text, encoding="latin-1")
            for chunk_size in (1 << 20, rng.choice([13, 64, 300])):
                manifest.append((kind, str(path), chunk_size))
            if kind == "837" and (not name.startswith("damaged") or rng.random() < 0.2):
                manifest.append(("837-slow", str(path), 1 << 20))
    return manifest


def _read_all(manifest: Path, path_first: Path | None) -> dict[str, object]:
    env = dict(os.environ)
    if path_first is not None:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(path_first), env.get("PYTHONPATH")]))
    proc = subprocess.run(
        [sys.executable, "-c", READ_ALL, str(manifest)],
        capture_output=True,
        text=True,
        env=env,
        cwd=manifest.parent,  # not the repository: `src` must come from the path given
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    answer: dict[str, object] = json.loads(proc.stdout.strip().splitlines()[-1])
    return answer


@pytest.mark.skipif(_c_compiler() is None, reason="no C compiler: mypyc's C cannot be built")
def test_compiled_reader_reads_as_the_pure_one(tmp_path: Path) -> None:
    pytest.importorskip("mypyc", reason="mypy (mypyc) is not installed")
    built = _setup_module().build_compiled(tmp_path / "compiled")
    manifest = tmp_path / "inputs" / "manifest.json"
    manifest.parent.mkdir()
    inputs = _inputs(manifest.parent)
    manifest.write_text(json.dumps(inputs), encoding="utf-8")

    compiled = _read_all(manifest, built)
    pure = _read_all(manifest, None)

    assert compiled["compiled"] == list(COMPILED)  # every module named, an extension module
    assert compiled["loaders"] == ["ExtensionFileLoader"]
    assert pure["compiled"] == []
    assert pure["loaders"] == ["SourceFileLoader"]
    answers, expected = compiled["answers"], pure["answers"]
    assert isinstance(answers, list) and isinstance(expected, list)
    for (kind, path, chunk_size), mine, theirs in zip(inputs, answers, expected, strict=True):
        assert mine == theirs, f"{Path(path).name} ({kind}, chunks of {chunk_size})"
    # the inputs do what they are there for: claims read, claims rejected, files refused
    joined = "\n".join(line for answer in answers for line in answer)
    for what in ("Claim837(", "RejectedClaim(", "ClaimPayment(", "'not-x12'", "'truncated'"):
        assert what in joined
