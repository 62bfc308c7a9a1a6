"""The one eviction rule of the pricing engine's and the claim checker's memo tables.

A memo table is a plain dict (the fastest look-up there is on the hot paths); a full one drops
its older half, the first inserted (a dict keeps insertion order). Half the bound at once, not
one entry per insert, keeps the cost per entry added small; what a practice sends again and
again is soon put back.
"""

from __future__ import annotations

from collections.abc import Hashable
from itertools import islice
from typing import Any, TypeVar

__all__ = ["remember", "trim"]

T = TypeVar("T")


def trim(table: dict[Any, Any], bound: int) -> None:
    """Make room for one more entry in a table of at most `bound` entries."""
    if len(table) >= bound:
        # pop, not del: two server threads may trim the same full table at once, and the
        # second must not fail on a key the first has dropped.
        for old in list(islice(table, len(table) // 2 or 1)):
            table.pop(old, None)


def remember(table: dict[Any, Any], key: Hashable, value: T, bound: int) -> T:
    """Store `value` under `key` in a table of at most `bound` entries; return it."""
    trim(table, bound)
    table[key] = value
    return value
