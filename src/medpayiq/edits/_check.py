"""`check_claim`: run every check, price what is at risk, and price the claim as it would be
paid once the findings are applied.

Order: codes, diagnoses, NCCI PTP, MUE, add-on, modifiers, global surgery, policy packs.
A finding's `at_risk` is the expected allowed amount of its lines (for MUE and an invalid
modifier: the corrected line, which is what a fixed claim would earn). The expected claim drops
the lines that a `deny` finding removes and is priced again, since multiple procedure ranking
depends on which lines remain.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from decimal import Decimal

from medpayiq.money import ZERO
from medpayiq.reference import ReferenceData

from ._claim import Claim, ClaimLine
from ._codes import check_diagnoses, check_place_of_service, check_procedure_codes
from ._context import CheckContext, Draft
from ._day import lowest, remember
from ._global import check_global_surgery
from ._modifiers import check_modifiers
from ._ncci import check_addons, check_mue, check_ptp
from ._policy import check_policies
from ._pricing import LinePrices, price_lines
from ._results import (
    AdjustmentRef,
    CheckResult,
    Finding,
    PricedClaim,
    PricedLine,
    Severity,
)

__all__ = ["check_claim"]

CHECKS = (
    "codes", "diagnoses", "ncci.ptp", "ncci.mue", "ncci.addon", "modifiers", "global_surgery",
    "policy_packs",
)  # fmt: skip


def check_claim(reference: ReferenceData, claim: Claim) -> CheckResult:
    """Check one claim against the reference data for its date of service."""
    ctx = CheckContext(reference, claim)
    tables = ctx.tables
    codes, ptp_drafts, ptp_pairs, mue, modifiers = _line_checks(ctx)
    drafts = [*check_place_of_service(ctx), *codes, *check_diagnoses(ctx), *ptp_drafts, *mue]
    drafts += check_addons(ctx)
    drafts += modifiers
    drafts += check_global_surgery(ctx, ptp_pairs)
    ptp_denied = {n for d in ptp_drafts if d.rule == "ncci.ptp" for n in d.lines}
    policy_drafts, guidance = check_policies(ctx, ptp_denied)
    drafts = _fold_bundled_imaging(drafts, policy_drafts)

    as_billed = price_lines(reference, tables, claim, ctx.price_lines)
    denied = {n for d in drafts if d.severity is Severity.DENY and d.denies for n in d.lines}
    expected = as_billed
    if any(as_billed.allowed.get(n) is not None for n in denied):
        # A line the engine gives no amount takes no part in the claim rules (ranking,
        # status T), so dropping only such lines leaves the others as billed
        # (tests/edits/test_pricing_glue.py holds the engine to that).
        kept = [(n, line) for n, line in ctx.price_lines if n not in denied]
        expected = price_lines(reference, tables, claim, kept)
    risks = [_line_risks(ctx, d, as_billed) for d in drafts]
    refs = tables.memo("adjustments")
    findings = [_finding(ctx, refs, d, r) for d, r in zip(drafts, risks, strict=True)]
    findings.sort(key=_finding_order)
    priced = _priced_claim(ctx.lines, as_billed, expected, denied, drafts, risks)
    confidences = [f.confidence for f in findings]
    confidences.append(priced.confidence)
    confidences.extend(tables.confidences)
    notes = (*tables.load_notes, *ctx.notes, *tables.vintage_notes)
    return CheckResult(
        claim_id=claim.claim_id,
        date_of_service=claim.date_of_service.isoformat(),
        findings=tuple(findings),
        guidance=tuple(guidance),
        priced=priced,
        notes=tuple(dict.fromkeys(notes)) if len(notes) > 1 else notes,
        sources=tables.sources,
        confidence=lowest(confidences),
        checks_run=CHECKS,
    )


_LineChecks = tuple[list[Draft], list[Draft], set[tuple[str, str]], list[Draft], list[Draft]]


def _line_checks(ctx: CheckContext) -> _LineChecks:
    """The checks that read only the lines' codes, modifiers and units and the date's
    tables (codes, NCCI PTP and MUE, modifiers), kept for the date by the lines: a practice
    sends the same few line sets all day. The lists are shared: never changed."""
    memo = ctx.memo("line-checks")
    key = tuple(ctx.price_lines)
    found: _LineChecks | None = memo.get(key)
    if found is None:
        ptp, pairs = check_ptp(ctx)
        found = (check_procedure_codes(ctx), ptp, pairs, check_mue(ctx), check_modifiers(ctx))
        remember(memo, key, found)
    return found


def _finding_order(finding: Finding) -> tuple[int, tuple[int, ...], str]:
    return (-finding.severity.rank, finding.lines, finding.rule)


def _fold_bundled_imaging(drafts: list[Draft], policy: list[Draft]) -> list[Draft]:
    """A policy "imaging is part of the code" finding on a line that an NCCI PTP edit already
    denies becomes part of that finding: one finding, with the policy's fix (no modifier
    applies) and both sources."""
    out = list(drafts)
    for draft in policy:
        if not draft.rule.endswith(".imaging-bundled"):
            out.append(draft)
            continue
        hits = [i for i, d in enumerate(out) if d.rule == "ncci.ptp" and d.lines == draft.lines]
        if not hits:
            out.append(draft)
            continue
        for i in hits:
            ptp = out[i]
            message = ptp.message.split(" A modifier would be accepted")[0]
            out[i] = replace(
                ptp,
                message=f"{message} {draft.message.split(': ', 1)[-1]}",
                fix=draft.fix,
                appeal=draft.appeal,
                source=f"{ptp.source}; {draft.source}",
            )
    return out


def _line_risks(
    ctx: CheckContext, draft: Draft, as_billed: LinePrices
) -> dict[int, Decimal | None]:
    """What each of the draft's lines would earn if the finding were fixed."""
    if draft.severity is Severity.INFO:
        return {}
    risks: dict[int, Decimal | None] = {n: as_billed.allowed.get(n) for n in draft.lines}
    if draft.fixed:
        fixed = dict(draft.fixed)
        lines = [(n, fixed.get(n, line)) for n, line in ctx.price_lines]
        repriced = price_lines(ctx.reference, ctx.tables, ctx.claim, lines)
        for n in draft.lines:
            risks[n] = repriced.allowed.get(n) if n in fixed else ZERO
    return risks


def _sum(values: Iterable[Decimal | None]) -> Decimal | None:
    known = [v for v in values if v is not None]
    return sum(known, ZERO) if known else None


def _finding(
    ctx: CheckContext,
    refs: dict[tuple[str, ...], tuple[AdjustmentRef, ...]],
    draft: Draft,
    risks: dict[int, Decimal | None],
) -> Finding:
    carc = refs.get(draft.carc)
    if carc is None:
        carc = refs[draft.carc] = _refs(ctx, draft.carc)
    rarc = refs.get(draft.rarc)
    if rarc is None:
        rarc = refs[draft.rarc] = _refs(ctx, draft.rarc)
    return Finding(
        rule=draft.rule,
        severity=draft.severity,
        lines=draft.lines,
        message=draft.message,
        carc=carc,
        rarc=rarc,
        at_risk=_sum(risks.values()) if draft.severity is not Severity.INFO else None,
        fix=draft.fix,
        appeal=draft.appeal,
        source=draft.source,
        confidence=draft.confidence,
    )


def _refs(ctx: CheckContext, codes: tuple[str, ...]) -> tuple[AdjustmentRef, ...]:
    """CARCs or RARCs with their titles from the X12 code set ("" if the set lacks one)."""
    adjustments = ctx.code_sets.adjustments
    return tuple(
        AdjustmentRef(c, a.description if (a := adjustments.get(c)) is not None else "")
        for c in codes
    )


def _priced_claim(
    numbered: list[tuple[int, ClaimLine]],
    as_billed: LinePrices,
    expected: LinePrices,
    denied: set[int],
    drafts: list[Draft],
    risks: list[dict[int, Decimal | None]],
) -> PricedClaim:
    line_risk: dict[int, Decimal] = {}
    for draft, risk in zip(drafts, risks, strict=True):
        if draft.severity is Severity.DENY and draft.denies:
            for n, amount in risk.items():
                if amount is not None:
                    line_risk[n] = max(line_risk.get(n, ZERO), amount)
    lines = []
    for n, line in numbered:
        billed = as_billed.allowed.get(n)
        if n in denied:
            status, amount, note = "denied", ZERO, "a deny finding applies"
        else:
            amount = expected.allowed.get(n)
            note = expected.notes.get(n, as_billed.notes.get(n, ""))
            status = "paid" if amount is not None else "unpriced"
        lines.append(
            PricedLine(
                n,
                line.hcpcs,
                tuple(line.modifiers),
                line.units,
                line.charge,
                billed,
                amount,
                status,
                note,
            )
        )
    notes = tuple(p for p in (as_billed.problem,) if p)
    return PricedClaim(
        locality=as_billed.locality or expected.locality,
        facility=as_billed.facility if as_billed.facility is not None else expected.facility,
        lines=tuple(lines),
        total_as_billed=_sum(as_billed.allowed.values()),
        total_expected=_sum(line.expected_allowed for line in lines),
        at_risk=sum(line_risk.values(), ZERO) if line_risk else ZERO,
        source=as_billed.source or expected.source,
        confidence=as_billed.confidence,
        notes=notes,
    )
