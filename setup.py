"""The opt-in compiled build: `MEDPAYIQ_COMPILE=1 pip install .` (or `pip wheel .`) compiles the
837P reader's hot modules with mypyc (docs/x12.md, "The compiled reader").

Without MEDPAYIQ_COMPILE=1 this adds nothing to pyproject.toml: a pure Python package, built
as before. With it, the modules named in src/medpayiq/x12/_compiled.py are compiled into
extension modules placed beside their .py files in the wheel; mypy (mypyc) is then a build
requirement, which the in-tree backend (build_backend/medpayiq_build.py) asks for. A build
that was asked to compile and cannot (no mypy, no C compiler, a type error) fails, saying
why: it never hands back a pure package instead. An editable install never compiles (a .so in
src/ would shadow the .py files being edited).

`build_compiled(folder)` builds the same modules into a folder of their own (a copy of the
package, compiled in place there), for the test that compares compiled and pure answers and
for `bench/x12_837.py --compiled`; they load this file as a module (setup() runs only when
it is run as a script, as setuptools' backend runs it).
"""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

ROOT = Path(__file__).resolve().parent
FLAG = "MEDPAYIQ_COMPILE"
GROUP = "medpayiq.x12._native"  # the shared library of the compiled modules
# mypy's settings for the build: none of pyproject.toml's [tool.mypy] (its pydantic plugin is
# not in the build environment, and strictness changes no generated code)
MYPY_OPTIONS = ["--config-file=", "--ignore-missing-imports"]


def compile_requested() -> bool:
    value = os.environ.get(FLAG, "")
    if value not in ("", "0", "1"):
        raise SystemExit(f"{FLAG}={value!r}: set it to 1 to compile the 837P reader, or unset it")
    return value == "1"


def modules_to_compile() -> list[str]:
    """`COMPILED` of src/medpayiq/x12/_compiled.py, read from its text (the package's
    dependencies need not be installed to build it)."""
    tree = ast.parse((ROOT / "src/medpayiq/x12/_compiled.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "COMPILED":
            names: list[str] = ast.literal_eval(node.value)
            return names
    raise SystemExit("src/medpayiq/x12/_compiled.py has no COMPILED list")


def mypyc_extensions(source_root: str, target_dir: str) -> list[Extension]:
    """mypyc's C code for the compiled modules under `source_root` (relative to the working
    folder: "src" here, "." in a copy), written to `target_dir`; the extensions to build it.
    Raises ImportError without mypy, SystemExit on a type error (mypyc's messages printed)."""
    from mypyc.build import mypycify

    paths = [str(Path(source_root, *name.split(".")).with_suffix(".py")) for name in MODULES]
    extensions: list[Extension] = mypycify(
        [*MYPY_OPTIONS, *paths], opt_level="3", group_name=GROUP, target_dir=target_dir
    )
    return extensions


def fail(message: str) -> SystemExit:
    return SystemExit(
        f"\n{FLAG}=1: {message}\nThe compiled 837P reader was asked for and cannot be built;"
        f" unset {FLAG} for the pure Python package (docs/x12.md, 'The compiled reader').\n"
    )


class BuildCompiled(build_ext):
    """build_ext that generates mypyc's C code when the build starts (not when setup.py is read
    for metadata, when mypy may not be installed yet), refuses to build in place, and says
    plainly what went wrong when compiling fails."""

    mypyc_missing = False

    def finalize_options(self) -> None:
        # the real extensions replace the placeholder before setuptools prepares them; egg_info
        # finalizes this command too, for the source list, before mypy is installed: then the
        # placeholder stays, and `run` (which never comes before mypy is there) says so
        if self.inplace or getattr(self, "editable_mode", False):
            raise fail(
                "an editable or in-place build would put compiled modules in src/, where they"
                " shadow the .py files; compile with a regular install or wheel instead"
            )
        if not GENERATED:  # once a process: bdist_wheel finalizes this for egg_info too
            try:
                GENERATED.extend(mypyc_extensions("src", str(Path("build", "mypyc"))))
            except ImportError:
                self.mypyc_missing = True
            except SystemExit as exc:  # mypyc reports type errors by exiting
                raise fail(f"mypyc stopped (status {exc.code}): its messages are above") from exc
        if GENERATED:
            self.distribution.ext_modules = GENERATED
        super().finalize_options()

    def run(self) -> None:
        if self.mypyc_missing:
            raise fail(
                "mypy (which provides mypyc) is not installed in the build environment. pip's"
                " build isolation installs it (build_backend/medpayiq_build.py asks for it);"
                " with --no-build-isolation, install mypy first"
            )
        try:
            super().run()
        except Exception as exc:  # CompileError, LinkError, a missing compiler or header
            raise fail(
                f"compiling the C code failed: {exc}. A C compiler (gcc or clang) and the"
                " Python headers (python3-dev) are needed"
            ) from exc


# Run in a fresh interpreter in `folder`, a copy of the package: mypyc there, then build_ext in
# place (in the copy, not in src/).
_IN_FOLDER = """
import importlib.util, sys
from setuptools import setup
spec = importlib.util.spec_from_file_location("medpayiq_setup", sys.argv[1])
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
extensions = module.mypyc_extensions(".", "build")
setup(name="medpayiq-compiled", ext_modules=extensions, py_modules=[],
      script_args=["build_ext", "--inplace"])
"""


def build_compiled(folder: Path) -> Path:
    """The package copied into `folder` (emptied first) with the compiled modules built beside
    their .py files: put `folder` first on sys.path (PYTHONPATH) to run it. Raises
    RuntimeError with the build's last lines when it fails."""
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    shutil.copytree(
        ROOT / "src" / "medpayiq",
        folder / "medpayiq",
        ignore=shutil.ignore_patterns("__pycache__", "*.so", "*.pyd"),
    )
    proc = subprocess.run(
        [sys.executable, "-c", _IN_FOLDER, str(Path(__file__).resolve())],
        cwd=folder,
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-15:])
        raise RuntimeError(f"building the compiled 837P reader failed:\n{tail}")
    for scratch in ("build", ".mypy_cache"):
        shutil.rmtree(folder / scratch, ignore_errors=True)
    return folder


MODULES = modules_to_compile()
GENERATED: list[Extension] = []

if __name__ == "__main__":  # setuptools' backend runs this file so
    options: dict[str, Any] = {}
    if compile_requested():
        # a placeholder until BuildCompiled generates the real extensions: it makes the wheel
        # a platform wheel and runs build_ext
        options["ext_modules"] = [Extension(GROUP + "__mypyc", sources=[])]
        options["cmdclass"] = {"build_ext": BuildCompiled}
    setup(**options)
