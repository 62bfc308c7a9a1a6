"""Claim files as billers have them: 837P claims checked, priced and reported.

Pure logic over `medpayiq.reference.ReferenceData` (no I/O): the converter from an 837P claim
(`medpayiq.x12.Claim837`) to the checker's claim, the checks only a file can show (timely
filing, duplicates across the input, replacements without the payer's claim number, ICD-9
codes), the patient's history from earlier claims of the same input, and the per-claim report
and summary the interfaces render. See docs/x12.md ("From 837P to the checker") and
docs/claim-checker.md ("837P file rules").

    from medpayiq.claims import Scrubber, to_claim
    converted = to_claim(claim837)            # .claim (edits.Claim or None), .problems, .icd9
    scrubber = Scrubber(reference)
    report = scrubber.scrub(item)             # ClaimReport: status, lines, findings, totals
"""

from __future__ import annotations

from medpayiq.claims._convert import Converted, Converter, to_claim
from medpayiq.claims._index import InputIndex, patient_key
from medpayiq.claims._report import (
    STATUSES,
    ClaimReport,
    ReportLine,
    RuleTally,
    Summary,
    Tally,
    problem_dict,
    tally,
)
from medpayiq.claims._rules import ICD10_FROM, RULES, filing_deadline
from medpayiq.claims._scrub import Scrubber, scrub

__all__ = [
    "ICD10_FROM",
    "RULES",
    "STATUSES",
    "ClaimReport",
    "Converted",
    "Converter",
    "InputIndex",
    "ReportLine",
    "RuleTally",
    "Scrubber",
    "Summary",
    "Tally",
    "filing_deadline",
    "patient_key",
    "problem_dict",
    "scrub",
    "tally",
    "to_claim",
]
