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

A claim whose lines name other dates, places or rendering providers is checked one
encounter at a time (`_parts`). `extra` drafts are findings a caller proposes on the claim's
lines (the 837P file rules in `medpayiq.claims`: timely filing, duplicates ...): they are
priced and applied like the checker's own.
"""

from __future__ import annotations

from collections.abc import Sequence

from medpayiq.records import positional_maker
from medpayiq.reference import ReferenceData

from ._claim import Claim
from ._codes import check_diagnoses
from ._context import CheckContext, Draft
from ._day import DayTables, day_tables, lowest
from ._encounter import PartNames, encounter
from ._global import check_history_surgery
from ._parts import check_parts, claim_parts
from ._policy import check_claim_policies
from ._results import CheckResult

__all__ = ["check_claim"]

CHECKS = (
    "codes", "diagnoses", "ncci.ptp", "ncci.mue", "ncci.addon", "modifiers", "global_surgery",
    "policy_packs",
)  # fmt: skip


def check_claim(
    reference: ReferenceData, claim: Claim, *, extra: Sequence[Draft] = ()
) -> CheckResult:
    """Check one claim against the reference data for its date of service (each line's,
    when lines name their own). `extra`: findings proposed by the caller, on the claim's
    1-based lines, priced and applied with the checker's own."""
    if claim.single_encounter:
        return _check_one(reference, claim, extra)
    return check_parts(
        claim,
        claim_parts(claim),
        extra,
        lambda part, drafts, names: _check_one(reference, part, drafts, names),
    )


def _check_one(
    reference: ReferenceData,
    claim: Claim,
    extra: Sequence[Draft],
    names: PartNames | None = None,
) -> CheckResult:
    """`names`: the claim is a part of another (`_parts`), whose line numbers, date and
    place of service its priced lines take."""
    tables = day_tables(reference, claim.date_of_service)
    found, found_by = encounter(reference, tables, claim)
    ctx = CheckContext(reference, tables, claim, found)
    drafts: list[Draft] = check_diagnoses(ctx)
    if claim.history:
        drafts += check_history_surgery(ctx)
    drafts += check_claim_policies(ctx)
    if extra:
        drafts += extra
    charges = tuple([line.charge for line in claim.lines])
    findings, priced, confidence = found.with_claim(
        drafts, charges if any(c is not None for c in charges) else None, found_by, names
    )
    return _new_result(
        claim.claim_id,
        tables.day_text,
        findings,
        found.guidance,
        priced,
        _notes(tables, ctx.notes),
        tables.sources,
        lowest([confidence, *tables.confidences]),
        CHECKS,
    )


# Every field in order (`records.positional_maker`): a result per encounter of a claim.
_new_result = positional_maker(CheckResult)


def _notes(tables: DayTables, claim: list[str]) -> tuple[str, ...]:
    """The date's notes on loaded tables around the claim's own (coverage)."""
    if not claim:
        return tables.notes
    return tuple(dict.fromkeys((*tables.load_notes, *claim, *tables.vintage_notes)))
