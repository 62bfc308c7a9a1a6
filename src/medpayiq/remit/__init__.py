"""Remittance analysis (X12 835): expected amounts, underpayments and their causes, denial
routes with deadlines, reversal pairing, redetermination requests, worklist and analytics.
Pure logic over `ReferenceData` and the 835 reader's records: no I/O (docs/remittances.md).

    analysis = RemitAnalysis(reference, claims837)   # claims837: CLM01 -> x12.Claim837
    for item in read_835(source):                     # ClaimPayment or RemittanceEnd
        analysis.add(item, file="era.835")
    report = analysis.report()                        # RemitReport
    report.as_dict(), list(report.csv_rows()), report.letters()

Routing (`ROUTES`, `line_route`): corrected claim, reopening, redetermination, no appeal,
bill the patient or the secondary payer, contractual write-off; each with its deadline,
what to send and the rule cited.
"""

from __future__ import annotations

from ._analysis import Analyzer, ClaimAnalysis, LineAnalysis, code_text
from ._expected import Cause, Expected, expected_paid, find_cause, price_claim_lines
from ._letters import RedeterminationRequest, disagreement
from ._report import CSV_COLUMNS, RemitAnalysis, RemitReport
from ._routes import (
    ROUTES,
    LineRoute,
    RouteKind,
    RouteRule,
    line_route,
    redetermination_deadline,
    reopening_deadline,
    timely_filing_deadline,
)

__all__ = [
    "CSV_COLUMNS",
    "ROUTES",
    "Analyzer",
    "Cause",
    "ClaimAnalysis",
    "Expected",
    "LineAnalysis",
    "LineRoute",
    "RedeterminationRequest",
    "RemitAnalysis",
    "RemitReport",
    "RouteKind",
    "RouteRule",
    "code_text",
    "disagreement",
    "expected_paid",
    "find_cause",
    "line_route",
    "price_claim_lines",
    "redetermination_deadline",
    "reopening_deadline",
    "timely_filing_deadline",
]
