"""Reading the YAML files packaged with MedPayIQ (published figures, preventive services,
policy packs, search terms).

libyaml's safe loader when PyYAML has it (its wheels include libyaml): the same data as
`yaml.safe_load` for every packaged file, several times faster, and a command line reads
some of these files on every question (bench/cli.py). Files a user gives (`--catalog`) keep
`yaml.safe_load`, whose error messages are the ones documented.
"""

from __future__ import annotations

from typing import Any

import yaml

__all__ = ["safe_load"]

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def safe_load(text: str) -> Any:
    """The data of a packaged YAML file's `text`."""
    return yaml.load(text, Loader=_LOADER)
