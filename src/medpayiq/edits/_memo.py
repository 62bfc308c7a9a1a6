"""Per-reference memo tables: pricing and PTP look-ups are pure functions of the reference
data and their inputs, and the same few code combinations recur across a practice's claims.

A memo lives as long as its reference object (dropped when that object is collected; the
store hands out a new reference object after a load) and is cleared when it grows past
`LIMIT` entries.
"""

from __future__ import annotations

import weakref
from typing import Any

__all__ = ["memo_for"]

LIMIT = 50_000
_tables: dict[tuple[int, str], dict[Any, Any]] = {}


def memo_for(owner: object, name: str) -> dict[Any, Any]:
    """The memo table `name` of `owner` (a fresh, unshared dict if `owner` cannot be weakly
    referenced, so nothing is ever served for the wrong object)."""
    key = (id(owner), name)
    table = _tables.get(key)
    if table is None:
        try:
            weakref.finalize(owner, _tables.pop, key, None)
        except TypeError:
            return {}
        table = _tables[key] = {}
    elif len(table) > LIMIT:
        table.clear()
    return table
