"""MedPayIQ's build backend: setuptools' own (`setuptools.build_meta`), with mypy added to the
wheel's build requirements when MEDPAYIQ_COMPILE=1 asks for the compiled 837P reader (setup.py;
docs/x12.md, "The compiled reader"). setuptools documents this thin in-tree wrapper for build
requirements that depend on the build ("Dynamic build dependencies and other build_meta
tweaks"). Without the variable every hook is setuptools' own, unchanged.
"""

from __future__ import annotations

import os

from setuptools import build_meta as _orig
from setuptools.build_meta import *  # noqa: F403 (every hook not redefined here is setuptools')

COMPILER = "mypy>=2.4"  # mypyc comes with mypy; the version the compiled reader was tested with


def _compiling() -> bool:
    return os.environ.get("MEDPAYIQ_COMPILE", "") == "1"


def get_requires_for_build_wheel(config_settings=None):
    requires = list(_orig.get_requires_for_build_wheel(config_settings))
    return [*requires, COMPILER] if _compiling() else requires


def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    if _compiling():
        raise SystemExit(
            "\nMEDPAYIQ_COMPILE=1 is for a regular install or a wheel (`MEDPAYIQ_COMPILE=1 pip"
            " install .`): an editable install would put compiled modules in src/, where they"
            " shadow the .py files being edited. Unset MEDPAYIQ_COMPILE for `pip install -e`.\n"
        )
    return _orig.build_editable(wheel_directory, config_settings, metadata_directory)
