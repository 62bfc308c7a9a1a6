"""Checks 2-4: NCCI procedure-to-procedure edits, medically unlikely edits and add-on code
edits (DOMAIN.md section 7), on the practitioner tables of the claim's date.
"""

from __future__ import annotations

from collections import defaultdict

from medpayiq.knowledge import (
    ANATOMIC_MODIFIERS,
    NCCI_ASSOCIATED_MODIFIERS,
    REPEAT_MODIFIERS,
    AppealRoute,
    appeal_advice,
    is_em_code,
)
from medpayiq.records import MueEdit, PtpEdit
from medpayiq.reference import NcciTables

from ._claim import ClaimLine
from ._context import CheckContext, Draft, vintage_source
from ._memo import memo_for
from ._results import Severity

__all__ = ["check_addons", "check_mue", "check_ptp"]

_DISTINCT = "59 or XE/XS/XP/XU (a distinct encounter, structure, practitioner or unusual service)"
_ANATOMIC = (
    "an anatomic modifier (LT/RT, E1-E4, FA-F9, TA-T9, LC/LD/LM/RC/RI) when the sites differ"
)


def _accepted_modifiers(column2: str) -> str:
    if is_em_code(column2):
        return (
            "25 on the E/M (a significant, separately identifiable E/M), or 57 (decision "
            "for surgery)"
        )
    return f"{_DISTINCT}, or {_ANATOMIC}"


def check_ptp(ctx: CheckContext) -> tuple[list[Draft], set[tuple[str, str]]]:
    """PTP findings, and the (column 1, column 2) pairs of the edits that apply."""
    ncci = ctx.ncci
    if ncci is None:
        return [], set()
    lines = ctx.numbered_lines()
    edits = _edits_among(ncci, {line.hcpcs for _, line in lines})
    source = vintage_source("NCCI practitioner PTP", ncci.vintage)
    drafts: list[Draft] = []
    seen: set[tuple[int, int]] = set()
    by_code: dict[str, list[tuple[int, ClaimLine]]] = defaultdict(list)
    for number, line in lines:
        by_code[line.hcpcs].append((number, line))
    pairs: set[tuple[str, str]] = set()
    for edit in edits:
        if edit.modifier_indicator == "9":
            continue  # the edit does not apply
        pairs.add((edit.column1, edit.column2))
        for n1, line1 in by_code[edit.column1]:
            for n2, line2 in by_code[edit.column2]:
                if (n1, n2) in seen:
                    continue
                seen.add((n1, n2))
                bypass = sorted(NCCI_ASSOCIATED_MODIFIERS & {*line1.modifiers, *line2.modifiers})
                where = (
                    f"line {n2} ({edit.column2}) with line {n1} ({edit.column1}): NCCI PTP "
                    f"edit {edit.column1}/{edit.column2}, modifier indicator "
                    f'{edit.modifier_indicator}, rationale "{edit.rationale}"'
                )
                if edit.modifier_indicator == "1" and bypass:
                    drafts.append(
                        Draft(
                            rule="ncci.ptp-bypass",
                            severity=Severity.INFO,
                            lines=(n2,),
                            message=f"Paid only because of modifier {', '.join(bypass)}: {where}. "
                            "The record must support the modifier.",
                            carc=("97", "236"),
                            rarc=("N20",),
                            fix="Keep the modifier only if the documentation shows the separate "
                            "service it claims.",
                            appeal=None,
                            source=source,
                            confidence=ncci.vintage.confidence,
                            denies=False,
                        )
                    )
                    continue
                drafts.append(
                    _ptp_denial(n1, n2, edit.column2, edit.modifier_indicator, where, source, ctx)
                )
    return drafts, pairs


def _edits_among(ncci: NcciTables, codes: set[str]) -> list[PtpEdit]:
    """`ncci.ptp_among(codes)`, from a per-table index of each code's column 2 edits (a
    code's edits are read once; E/M and common procedures have thousands)."""
    index = memo_for(ncci, "ptp")
    found = []
    for code in codes:
        by_column2 = index.get(code)
        if by_column2 is None:
            by_column2 = defaultdict(list)
            for edit in ncci.ptp_for(code):
                by_column2[edit.column2].append(edit)
            index[code] = by_column2
        for other in codes:
            found.extend(by_column2.get(other, ()))
    return found


def _ptp_denial(
    n1: int, n2: int, column2: str, indicator: str, where: str, source: str, ctx: CheckContext
) -> Draft:
    assert ctx.ncci is not None
    if indicator == "0":
        why = "No modifier can bypass this edit (indicator 0)"
        fix = f"Remove line {n2} ({column2}); it is not paid with line {n1} on the same day."
        appeal = appeal_advice(
            AppealRoute.NOT_APPEALABLE,
            note=(
                "An indicator 0 edit is not bypassed by any modifier; appeal only if the codes "
                "themselves are wrong."
            ),
        )
    else:
        accepted = _accepted_modifiers(column2)
        why = f"A modifier would be accepted if the documentation supports it: {accepted}"
        fix = (
            f"If the record shows a separate service, add {accepted} to line {n2}; "
            f"otherwise remove line {n2} ({column2})."
        )
        appeal = appeal_advice(
            AppealRoute.REOPENING,
            note=(
                "If the modifier was left off by mistake, ask the MAC to reopen the claim and add "
                "it; if the service was distinct, request a redetermination within 120 days with "
                "the record."
            ),
        )
    return Draft(
        rule="ncci.ptp",
        severity=Severity.DENY,
        lines=(n2,),
        message=f"Line {n2} ({column2}) will be denied: {where}. {why}.",
        carc=("97", "236"),
        rarc=("N20",),
        fix=fix,
        appeal=appeal,
        source=source,
        confidence=ctx.ncci.vintage.confidence,
    )


def check_mue(ctx: CheckContext) -> list[Draft]:
    ncci = ctx.ncci
    if ncci is None:
        return []
    source = vintage_source("NCCI practitioner MUE", ncci.vintage)
    by_code: dict[str, list[tuple[int, ClaimLine]]] = defaultdict(list)
    for number, line in ctx.numbered_lines():
        by_code[line.hcpcs].append((number, line))
    drafts: list[Draft] = []
    for code, lines in by_code.items():
        edit = ncci.mue(code)
        if edit is None:
            continue
        if edit.mai == "1":
            drafts.extend(_mue_line_edit(code, lines, edit, source, ctx))
        else:
            drafts.extend(_mue_date_edit(code, lines, edit, source, ctx))
    return drafts


def _mue_line_edit(
    code: str, lines: list[tuple[int, ClaimLine]], edit: MueEdit, source: str, ctx: CheckContext
) -> list[Draft]:
    assert ctx.ncci is not None
    drafts = []
    for number, line in lines:
        if line.units <= edit.value:
            continue
        drafts.append(
            Draft(
                rule="ncci.mue",
                severity=Severity.DENY,
                lines=(number,),
                message=f"Line {number}: {line.units} units of {code} exceed the MUE of "
                f'{edit.value} per line (MAI 1, a line edit; rationale "{edit.rationale}"). The '
                "whole line is denied.",
                carc=("96",),
                rarc=("N362",),
                fix=f"Bill at most {edit.value} unit(s) per line; units for separate services go "
                f"on "
                "separate lines with 76, 77, 91 or an anatomic modifier, as the record supports.",
                appeal=appeal_advice(
                    AppealRoute.REOPENING,
                    note=(
                        "A line edit: correct the claim (split the units onto lines with the right "
                        "modifiers) through a reopening, or appeal with the record within 120 days."
                    ),
                ),
                source=source,
                confidence=ctx.ncci.vintage.confidence,
                fixed=((number, line.model_copy(update={"units": edit.value})),),
            )
        )
    total = sum(line.units for _, line in lines)
    distinguished = all(
        (REPEAT_MODIFIERS | ANATOMIC_MODIFIERS) & set(line.modifiers) for _, line in lines[1:]
    )
    if not drafts and total > edit.value and not distinguished:
        drafts.append(
            Draft(
                rule="ncci.mue",
                severity=Severity.REVIEW,
                lines=tuple(n for n, _ in lines),
                message=f"{total} units of {code} on {len(lines)} lines exceed the MUE of "
                f"{edit.value} (MAI 1, a line edit): lines without 76, 77, 91 or an anatomic "
                "modifier may be combined and denied.",
                carc=("96",),
                rarc=("N362",),
                fix="Put the modifier that shows why each line is a separate service on the extra "
                "lines, or remove the duplicate lines.",
                appeal=appeal_advice(AppealRoute.REOPENING),
                source=source,
                confidence=ctx.ncci.vintage.confidence,
            )
        )
    return drafts


def _mue_date_edit(
    code: str, lines: list[tuple[int, ClaimLine]], edit: MueEdit, source: str, ctx: CheckContext
) -> list[Draft]:
    assert ctx.ncci is not None
    total = sum(line.units for _, line in lines)
    if total <= edit.value:
        return []
    if edit.mai == "2":
        kind = "MAI 2, a date-of-service limit set by policy; it is not appealable in practice"
        appeal = appeal_advice(
            AppealRoute.NOT_APPEALABLE,
            note=(
                "MAI 2 limits come from policy or the code's definition: units above the limit "
                "are not paid on appeal. Correct the units if they were a billing error "
                "(reopening)."
            ),
        )
    else:
        kind = "MAI 3, a date-of-service limit from clinical data; it can be appealed with records"
        appeal = appeal_advice(
            AppealRoute.REDETERMINATION,
            send=("the medical record showing each unit was medically necessary and performed",),
        )
    # The fix keeps the first lines up to the limit: that is what a corrected claim earns.
    fixed, left = [], edit.value
    for number, line in lines:
        keep = min(left, line.units)
        left -= keep
        if keep:
            fixed.append((number, line.model_copy(update={"units": keep})))
    numbers = tuple(n for n, _ in lines)
    return [
        Draft(
            rule="ncci.mue",
            severity=Severity.DENY,
            lines=numbers,
            message=f"{total} units of {code} on the date of service exceed the MUE of "
            f'{edit.value} ({kind}; rationale "{edit.rationale}"). Every line of {code} '
            f"(line{'s' if len(numbers) > 1 else ''} {', '.join(map(str, numbers))}) is denied.",
            carc=("96",),
            rarc=("N362",),
            fix=f"Bill at most {edit.value} unit(s) of {code} for the date of service.",
            appeal=appeal,
            source=source,
            confidence=ctx.ncci.vintage.confidence,
            fixed=tuple(fixed),
        )
    ]


def check_addons(ctx: CheckContext) -> list[Draft]:
    ncci = ctx.ncci
    if ncci is None:
        return []
    source = vintage_source("NCCI add-on code edits", ncci.vintage)
    claim_codes = {line.hcpcs for line in ctx.claim.lines}
    same_day = {
        h.hcpcs
        for h in ctx.claim.history
        if h.date_of_service == ctx.day
        and (h.provider_npi is None or h.provider_npi == ctx.claim.provider.npi)
    }
    drafts: list[Draft] = []
    for number, line in ctx.numbered_lines():
        rows = [
            r
            for r in ncci.addon_primaries(line.hcpcs)
            if (r.effective is None or r.effective <= ctx.day)
            and (r.deletion is None or r.deletion > ctx.day)
        ]
        row = ctx.rvu(line.hcpcs)
        if not rows and (row is None or row.global_days != "ZZZ"):
            continue
        present = (claim_codes - {line.hcpcs}) | same_day
        listed = sorted({r.primary for r in rows if r.primary != "CCCCC"})
        types = {r.edit_type for r in rows}
        if set(listed) & present:
            continue
        if listed and "1" in types and not types - {"1"}:
            severity, rule_note = Severity.DENY, "a Type I add-on: only the listed primaries count"
        elif listed:
            severity, rule_note = (
                Severity.REVIEW,
                ("a Type III add-on: the contractor may accept other primaries"),
            )
        elif present - claim_codes or _other_procedures(ctx, line.hcpcs):
            continue  # Type II / ZZZ without a list: another procedure is there
        else:
            severity, rule_note = Severity.DENY, "an add-on code billed without any primary"
        shown = ", ".join(listed[:10]) + (
            f" and {len(listed) - 10} more" if len(listed) > 10 else ""
        )
        drafts.append(
            Draft(
                rule="ncci.addon",
                severity=severity,
                lines=(number,),
                message=f"Line {number}: {line.hcpcs} is an add-on code ({rule_note}) and no "
                f"eligible primary is billed on the same date by the same provider"
                + (f"; eligible primaries: {shown}." if listed else "."),
                carc=("B15",),
                rarc=(),
                fix=(
                    f"Bill the primary procedure ({shown}) performed in the same session, or "
                    f"remove {line.hcpcs}."
                    if listed
                    else f"Bill the primary procedure performed with {line.hcpcs}, or remove it."
                ),
                appeal=appeal_advice(
                    AppealRoute.REOPENING,
                    note=(
                        "If the primary was performed but left off or denied, correct it first; "
                        "the "
                        "add-on is then reprocessed through a reopening."
                    ),
                ),
                source=source,
                confidence=ncci.vintage.confidence,
            )
        )
    return drafts


def _other_procedures(ctx: CheckContext, addon: str) -> bool:
    for line in ctx.claim.lines:
        if line.hcpcs == addon:
            continue
        row = ctx.rvu(line.hcpcs)
        if row is not None and row.global_days in {"000", "010", "090"}:
            return True
    return False
