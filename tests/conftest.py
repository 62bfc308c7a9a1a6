"""Shared fixtures. Tests read the official files in place (../shared/data); nothing is copied.

`MEDPAYIQ_SHARED_DATA` overrides where the data is. Without the data the suite cannot say
anything true about Medicare, so it stops with a clear message instead of skipping.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from medpayiq.reference import Catalog

ROOT = Path(__file__).resolve().parent.parent


def _data_dir() -> Path:
    configured = os.environ.get("MEDPAYIQ_SHARED_DATA")
    path = Path(configured) if configured else ROOT.parent / "shared" / "data"
    if not (path / "cms").is_dir():
        pytest.exit(f"official data not found at {path}: set MEDPAYIQ_SHARED_DATA", returncode=2)
    return path


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """../shared/data: the official CMS, CDC and X12 files."""
    return _data_dir()


@pytest.fixture(scope="session")
def catalog(data_dir: Path) -> Catalog:
    """Every shared file parsed into memory (the real data, no store). Loaded once per worker."""
    return Catalog.from_sources([str(data_dir)])


# In CI (.ci/run sets these) a PostgreSQL or browser test that skips is a failure: the
# services are installed there, so a skip would hide a broken setup.
_REQUIRED = {"postgres": "MEDPAYIQ_REQUIRE_PG", "browser": "MEDPAYIQ_REQUIRE_BROWSER"}


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):  # type: ignore[no-untyped-def]
    outcome = yield
    report = outcome.get_result()
    if not report.skipped:
        return
    for marker, variable in _REQUIRED.items():
        if item.get_closest_marker(marker) and os.environ.get(variable):
            report.outcome = "failed"
            report.longrepr = f"{variable} is set but this {marker} test was skipped: {report.longrepr}"
