"""The public surface: every name a package exports exists, as httpx's
tests/test_exported_members.py checks its own."""

from __future__ import annotations

import importlib

import pytest

PACKAGES = [
    "medpayiq.batch",
    "medpayiq.changes",
    "medpayiq.edits",
    "medpayiq.knowledge",
    "medpayiq.pricing",
    "medpayiq.remit",
    "medpayiq.schedules",
    "medpayiq.services",
    "medpayiq.sources",
    "medpayiq.store",
    "medpayiq.x12",
]


@pytest.mark.parametrize("name", PACKAGES)
def test_every_exported_name_exists(name: str) -> None:
    module = importlib.import_module(name)
    exported = module.__all__
    missing = [item for item in exported if not hasattr(module, item)]
    assert missing == []
    assert len(set(exported)) == len(exported)
