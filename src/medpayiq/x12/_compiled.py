"""The 837P reader's modules that an opt-in build compiles with mypyc (`MEDPAYIQ_COMPILE=1 pip
install .`; docs/x12.md, "The compiled reader"), and what they need from mypy's extensions.

This module itself is never compiled. `setup.py` reads `COMPILED` from its text (it does not
import the package), so the list lives here once.
"""

from __future__ import annotations

import importlib
import importlib.machinery
from typing import TYPE_CHECKING

COMPILED = (  # the hot path of `read_837p`: tokenizer, envelope, values, the 837P reader
    "medpayiq.x12._tokens",
    "medpayiq.x12._values",
    "medpayiq.x12._envelope",
    "medpayiq.x12._checks837",
    "medpayiq.x12._parties837",
    "medpayiq.x12._state837",
    "medpayiq.x12._segments837",
    "medpayiq.x12._claims837",
    "medpayiq.x12._reader837",
)

if TYPE_CHECKING:  # what mypy, and so mypyc when it compiles, reads
    from mypy_extensions import mypyc_attr
else:
    # at run time mypy_extensions' own decorator does nothing, and mypy_extensions is not a
    # dependency: this one does the same nothing, compiled or not

    def mypyc_attr(*attrs, **kwattrs):
        return lambda cls: cls


def compiled_modules() -> list[str]:
    """Those of `COMPILED` that this installation runs as extension modules: all of them after
    a compiled install, none after a pure (or editable) one."""
    suffixes = tuple(importlib.machinery.EXTENSION_SUFFIXES)
    return [
        name
        for name in COMPILED
        if (importlib.import_module(name).__file__ or "").endswith(suffixes)
    ]


__all__ = ["COMPILED", "compiled_modules", "mypyc_attr"]
