"""The layering rules of docs/architecture.md, checked on the source itself."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src" / "medpayiq"
PURE = [
    "pricing",
    "schedules",
    "edits",
    "remit",
    "knowledge",
    "changes",
    "claims",
    "reference.py",
    "records.py",
    "releases.py",
    "money.py",
    "bounded.py",
    "json_text.py",
    "packaged_yaml.py",
    "x12",
]
VOCABULARY = {"x12": {"medpayiq.errors", "medpayiq.records"}}  # layer -> what of ours it may use
FORBIDDEN = {"sqlalchemy", "fastapi", "typer", "starlette", "uvicorn", "httpx", "alembic", "rich"}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def _files(entry: str) -> list[Path]:
    target = SRC / entry
    return sorted(target.rglob("*.py")) if target.is_dir() else [target]


@pytest.mark.parametrize("entry", PURE)
def test_pure_layers_do_no_io_imports(entry: str) -> None:
    for path in _files(entry):
        bad = _imports(path) & FORBIDDEN
        assert not bad, (
            f"{path.relative_to(SRC)} imports {sorted(bad)}: pure layers take data, not I/O"
        )


def _our_imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.startswith("medpayiq"))
        elif (
            isinstance(node, ast.ImportFrom)
            and node.module
            and node.level == 0
            and node.module.startswith("medpayiq")
        ):
            found.add(node.module)
    return found


@pytest.mark.parametrize("layer", sorted(VOCABULARY))
def test_vocabulary_layers_import_only_the_vocabulary(layer: str) -> None:
    allowed = VOCABULARY[layer]
    for path in _files(layer):
        bad = {
            name
            for name in _our_imports(path)
            if name not in allowed and not name.startswith(f"medpayiq.{layer}")
        }
        assert not bad, f"{path.relative_to(SRC)} imports {sorted(bad)}: {layer} is vocabulary"


def test_interfaces_do_not_touch_sql() -> None:
    for layer in ("api", "web", "cli", "mcp"):
        for path in _files(layer):
            assert "sqlalchemy" not in _imports(path), f"{path.relative_to(SRC)} imports sqlalchemy"
