"""The source distribution builds the same package as the tree: an sdist that misses a file
(the in-tree build backend, a template, a policy pack) installs a package that fails on the
user's machine, not here. Both are built as pip builds them (isolated, setuptools from the
index), without MEDPAYIQ_COMPILE: the pure wheel. They are built from a copy of the files git
tracks (what a release holds), so the checkout gets no build/ or egg-info of theirs."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _run(*args: str, cwd: Path = ROOT) -> None:
    environment = {k: v for k, v in os.environ.items() if k != "MEDPAYIQ_COMPILE"}
    done = subprocess.run(
        [sys.executable, "-m", *args], cwd=cwd, env=environment, capture_output=True,
        text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]


def _tracked_copy(folder: Path) -> Path:
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True, timeout=60
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, target)
    return folder


def _wheel(source: Path, folder: Path) -> set[str]:
    _run("pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(folder), str(source))
    [wheel] = folder.glob("*.whl")
    assert wheel.name.endswith("-py3-none-any.whl")  # pure Python unless asked to compile
    with zipfile.ZipFile(wheel) as archive:
        return {name for name in archive.namelist() if ".dist-info/" not in name}


def test_the_sdist_builds_the_wheel_the_tree_builds(tmp_path: Path) -> None:
    tree = _tracked_copy(tmp_path / "tree")
    _run("build", "--sdist", "--outdir", str(tmp_path / "sdist"), str(tree))
    [sdist] = (tmp_path / "sdist").glob("medpayiq-*.tar.gz")
    with tarfile.open(sdist) as archive:
        names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    assert {"pyproject.toml", "setup.py", "build_backend/medpayiq_build.py"} <= names
    from_sdist = _wheel(sdist, tmp_path / "from-sdist")
    from_tree = _wheel(tree, tmp_path / "from-tree")
    assert from_sdist == from_tree
    # what the package reads at run time besides its modules
    assert {"medpayiq/py.typed", "medpayiq/web/templates/base.html"} <= from_tree
    assert any(n.startswith("medpayiq/knowledge/") and n.endswith(".yaml") for n in from_tree)
