"""Price a file of service lines: millions of lines, vectorised with Polars.

    from medpayiq.batch import price_file
    summary = price_file(reference, "lines.csv", "priced.csv", date_default=None)

Input columns (header names are case-insensitive): `line_id`, `hcpcs`, `modifier`, `pos`,
`date_of_service` (YYYY-MM-DD; optional with `date_default`), and either `zip` or
`carrier` + `locality`; optional `units` (default 1) and `claim_id` (lines of one claim, for
the claim-level rules). Output columns: `line_id`, `allowed` (dollars and cents, empty when
the line has no amount), `setting`, `locality`, `release`, `confidence`, `message` ("priced",
or why there is no amount, or which engine priced it).

Every amount is the one `medpayiq.pricing.price_line` / `price_claim` gives. Lines the
vectorised path covers (see `_vector`) are computed in exact integers; the others (modifiers
other than 26/TC, units or claims the multiple procedure rules reduce, locations written
another way) are priced by the line engine and `message` says so. A bad row gets a message on
its own row; a file without a required column is an `InputError` before anything is written.

`unit_amounts(rows, cfs, gpcis)` gives the one-unit amounts of fee schedule rows at GPCI
triples, in cents, with the same arithmetic: for callers that price whole grids
(`medpayiq.changes`).

`open_report(path)` writes the scrub report of 837P claim files (`medpayiq claims scrub
--out report.json|csv|html`) as the claims are checked; `worklist_row` is one claim of the
HTML worklist, which the /claims/file page shows too (`_claims`).

Files with a `claim_id` column are read whole (a claim's lines may be anywhere in the file);
others are read and written in chunks of about `chunk_bytes`.
"""

from __future__ import annotations

# First: sets Polars' allocator up before any module of the package imports Polars.
from . import _allocator  # noqa: F401
from ._claims import (
    REPORT_SUFFIXES,
    WORKLIST_FOOT,
    WORKLIST_HEAD,
    ReportWriter,
    open_report,
    rules_table,
    summary_cards,
    worklist_controls,
    worklist_row,
    worklist_script,
    worklist_style,
)
from ._file import BatchSummary, Progress, check_columns, check_file, price_file, price_frame
from ._tables import ROW_MODIFIERS, unit_amounts

__all__ = [
    "REPORT_SUFFIXES",
    "ROW_MODIFIERS",
    "WORKLIST_FOOT",
    "WORKLIST_HEAD",
    "BatchSummary",
    "Progress",
    "ReportWriter",
    "check_columns",
    "check_file",
    "open_report",
    "price_file",
    "price_frame",
    "rules_table",
    "summary_cards",
    "unit_amounts",
    "worklist_controls",
    "worklist_row",
    "worklist_script",
    "worklist_style",
]
