"""Per-reference memo tables: pricing and PTP look-ups are pure functions of the reference
data and their inputs, and the same few code combinations recur across a practice's claims.

A memo lives on its reference object (in its `__dict__`), so it goes when that object is
collected: the store hands out a new reference object after a load, and a server drops the
old one when the requests using it finish. (Kept in a module-level table keyed by the
object's id, as before, the memo's own values held the reference and it was never freed:
a server leaked a whole reference per reload.) Each table is cleared when it grows past
`LIMIT` entries.
"""

from __future__ import annotations

from typing import Any

__all__ = ["memo_for"]

LIMIT = 50_000
_ATTRIBUTE = "_medpayiq_memos"


def memo_for(owner: object, name: str) -> dict[Any, Any]:
    """The memo table `name` of `owner` (a fresh, unshared dict if `owner` cannot carry
    attributes, so nothing is ever served for the wrong object)."""
    try:
        tables: dict[str, dict[Any, Any]] = owner.__dict__.setdefault(_ATTRIBUTE, {})
    except AttributeError:
        return {}
    table = tables.get(name)
    if table is None:
        table = tables.setdefault(name, {})
    elif len(table) > LIMIT:
        table.clear()
    return table
