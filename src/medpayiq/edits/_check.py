"""`check_claim`: run every check, price what is at risk, and price the claim as it would be
paid once the findings are applied.

Order: codes, diagnoses, NCCI PTP, MUE, add-on, modifiers, global surgery, policy packs.
A finding's `at_risk` is the expected allowed amount of its lines (for MUE and an invalid
modifier: the corrected line, which is what a fixed claim would earn). The expected claim drops
the lines that a `deny` finding removes and is priced again, since multiple procedure ranking
depends on which lines remain.

The checks that read only the encounter (lines, place, provider terms) are worked out once
per period and encounter (`_encounter`); a claim then runs its own: the diagnoses, the
global periods and frequency limits of its history, the covered diagnoses of its lines.
"""

from __future__ import annotations

from medpayiq.reference import ReferenceData

from ._claim import Claim
from ._codes import check_diagnoses
from ._context import CheckContext, Draft
from ._day import DayTables, day_tables, lowest
from ._encounter import encounter
from ._global import check_history_surgery
from ._policy import check_claim_policies
from ._results import CheckResult

__all__ = ["check_claim"]

CHECKS = (
    "codes", "diagnoses", "ncci.ptp", "ncci.mue", "ncci.addon", "modifiers", "global_surgery",
    "policy_packs",
)  # fmt: skip


def check_claim(reference: ReferenceData, claim: Claim) -> CheckResult:
    """Check one claim against the reference data for its date of service."""
    tables = day_tables(reference, claim.date_of_service)
    found, found_by = encounter(reference, tables, claim)
    ctx = CheckContext(reference, tables, claim, found)
    drafts: list[Draft] = check_diagnoses(ctx)
    if claim.history:
        drafts += check_history_surgery(ctx)
    drafts += check_claim_policies(ctx)
    charges = tuple([line.charge for line in claim.lines])
    findings, priced, confidence = found.with_claim(
        drafts, charges if any(c is not None for c in charges) else None, found_by
    )
    return CheckResult(
        claim_id=claim.claim_id,
        date_of_service=tables.day_text,
        findings=findings,
        guidance=found.guidance,
        priced=priced,
        notes=_notes(tables, ctx.notes),
        sources=tables.sources,
        confidence=lowest([confidence, *tables.confidences]),
        checks_run=CHECKS,
    )


def _notes(tables: DayTables, claim: list[str]) -> tuple[str, ...]:
    """The date's notes on loaded tables around the claim's own (coverage)."""
    if not claim:
        return tables.notes
    return tuple(dict.fromkeys((*tables.load_notes, *claim, *tables.vintage_notes)))
