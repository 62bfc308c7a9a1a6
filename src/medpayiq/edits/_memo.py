"""Memo tables: pricing and PTP look-ups are pure functions of the reference data and their
inputs, and the same few code combinations recur across a practice's claims.

A memo lives on its reference object (in its `__dict__`), so it goes when that object is
collected: the store hands out a new reference object after a load, and a server drops the
old one when the requests using it finish. (Kept in a module-level table keyed by the
object's id, as before, the memo's own values held the reference and it was never freed:
a server leaked a whole reference per reload.) Each table is cleared when it grows past
`LIMIT` entries.

`remember` keeps the checker's other memo tables (per period, per date, per encounter)
within a bound: a full table drops its older half, in insertion order, so memory stays flat
however many claims go through (a scrub of a 1 GB file), and what a practice sends again
and again is soon put back.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any, TypeVar

from medpayiq.bounded import trim
from medpayiq.reference import DAYS_KEPT

__all__ = [
    "BOUND",
    "DAYS",
    "DAY_BOUND",
    "LIMIT",
    "NCCI_CODES",
    "PERIODS",
    "PERIOD_ENTRIES",
    "SWEEP_EVERY",
    "memo_for",
    "remember",
]

LIMIT = 50_000
BOUND = 8_192  # entries a `remember` table keeps (the checker's: about 1.7 KB each)
# A date's own tables (its diagnoses' findings, the fee schedules of other dates): there is
# one per date of an input (a year of dates: 365), so they keep fewer.
DAY_BOUND = 1_024
# The dates (`DayTables`) and periods (`Period`, each with its memo tables) kept per
# reference. Unbounded but for `LIMIT`, a server asked for every date of two years held 341
# dates and 166 periods after 3,800 requests, each period with its own tables, and grew
# without a plateau (issue 13). A practice's claims fall in a few periods (the last 90 days
# of 2026 are two; the year before them 46, cut by HCPCS Level II terminations), which stay:
# the periods least recently used go first. A date's own tables are small; a `DayTables`
# holds the reference's answers for its date, so it keeps no more dates than the reference
# does (`reference.DAYS_KEPT`): past them it would hold dropped dates' tables alive, unused.
DAYS = DAYS_KEPT
PERIODS = 64
# The codes whose NCCI PTP edits a period keeps indexed by column 2 (`_ncci._ptp_among`):
# an E/M code has hundreds of edits, about 14 KB of index with its lists.
NCCI_CODES = 512
# Entries the memo tables of a reference's periods keep together (`_day.
# _keep_memos_within_budget`), counted every SWEEP_EVERY look-ups of a date.
PERIOD_ENTRIES = 32_768
SWEEP_EVERY = 256
_ATTRIBUTE = "_medpayiq_memos"

T = TypeVar("T")


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


def remember(table: dict[Any, Any], key: Hashable, value: T, bound: int = 0) -> T:
    """Store `value` in a memo table of at most `bound` entries (`BOUND` when 0), by the
    eviction rule of `medpayiq.bounded` (its `remember`, inlined: this runs for every memo
    entry the checker adds)."""
    if len(table) >= (bound or BOUND):
        trim(table, bound or BOUND)
    table[key] = value
    return value
