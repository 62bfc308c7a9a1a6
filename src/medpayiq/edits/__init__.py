"""The claim checker: pure logic over `medpayiq.reference.ReferenceData`.

    from medpayiq.edits import check_claim, parse_claim
    claim = parse_claim(json.loads(text))      # ClaimInputError lists every problem
    result = check_claim(reference, claim)     # CheckResult, frozen
    result.findings[0].rule, result.as_dict()  # JSON-ready (money as strings)

Checks: code validity (HCPCS status, ICD-10-CM billable for the fiscal year), NCCI PTP, MUE,
add-on codes, modifiers against the fee schedule indicators, global surgery from the
patient's history, and the policy packs in `medpayiq.knowledge`. See docs/claim-checker.md.
"""

from __future__ import annotations

from medpayiq.edits._check import check_claim
from medpayiq.edits._claim import (
    Claim,
    ClaimInputError,
    ClaimLine,
    HistoryService,
    Patient,
    Problem,
    Provider,
    claim_json_schema,
    parse_claim,
    unchecked,
)
from medpayiq.edits._context import Draft
from medpayiq.edits._history import HistoryCodes, history_codes
from medpayiq.edits._memo import remember
from medpayiq.edits._results import (
    AdjustmentRef,
    CheckResult,
    Finding,
    Guidance,
    PricedClaim,
    PricedLine,
    Severity,
)
from medpayiq.edits._snapshot import billable_children

__all__ = [
    "AdjustmentRef",
    "CheckResult",
    "Claim",
    "ClaimInputError",
    "ClaimLine",
    "Draft",
    "Finding",
    "Guidance",
    "HistoryCodes",
    "HistoryService",
    "Patient",
    "PricedClaim",
    "PricedLine",
    "Problem",
    "Provider",
    "Severity",
    "billable_children",
    "check_claim",
    "claim_json_schema",
    "history_codes",
    "parse_claim",
    "remember",
    "unchecked",
]
