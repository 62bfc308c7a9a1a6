"""Checks 2-4: NCCI procedure-to-procedure edits, medically unlikely edits and add-on code
edits (DOMAIN.md section 7), on the practitioner tables of the claim's date.
"""

from __future__ import annotations

from typing import NamedTuple

from medpayiq.knowledge import (
    ANATOMIC_MODIFIERS,
    REPEAT_MODIFIERS,
    AppealRoute,
    appeal_advice,
    is_em_code,
    ptp_bypass,
)
from medpayiq.records import MueEdit, PtpEdit

from ._context import Draft, EncounterContext
from ._day import MISSING, remember
from ._memo import NCCI_CODES, memo_for
from ._pricing import PriceLine
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


def check_ptp(ctx: EncounterContext) -> tuple[list[Draft], set[tuple[str, str]]]:
    """PTP findings, and the (column 1, column 2) pairs of the edits that apply."""
    ncci = ctx.ncci
    if ncci is None:
        return [], set()
    by_code: dict[str, list[tuple[int, PriceLine]]] = {}
    for number, line in ctx.lines:
        by_code.setdefault(line.hcpcs, []).append((number, line))
    drafts: list[Draft] = []
    seen: set[tuple[int, int]] = set()
    pairs: set[tuple[str, str]] = set()
    memo = ctx.memo("ptp")
    for edit in _edits_among(ctx, by_code):
        if edit.modifier_indicator == "9":
            continue  # the edit does not apply
        pairs.add((edit.column1, edit.column2))
        for n1, line1 in by_code[edit.column1]:
            for n2, line2 in by_code[edit.column2]:
                if (n1, n2) in seen:
                    continue
                seen.add((n1, n2))
                bypass: tuple[str, ...] = ()
                if edit.modifier_indicator == "1":
                    bypass = ptp_bypass(edit.column2, line1.modifiers, line2.modifiers)
                key = (n1, n2, edit, bypass)
                found = memo.get(key)
                if found is None:
                    found = remember(memo, key, _ptp_draft(ctx, n1, n2, edit, bypass))
                drafts.append(found)
    return drafts, pairs


def _edits_among(
    ctx: EncounterContext, by_code: dict[str, list[tuple[int, PriceLine]]]
) -> list[PtpEdit]:
    """`ncci.ptp_among(codes)`, from an index of each code's column 2 edits (a code's edits
    are read once per epoch; E/M and common procedures have hundreds), in the claim's line
    order."""
    ncci = ctx.ncci
    assert ncci is not None
    # Kept on the epoch, not on the period's tables: every date of an epoch sees the same
    # edits, and the periods of two years of dates share two epochs. Kept per period, 64
    # periods x NCCI_CODES indexes held the rows they list long after the store's bounded
    # row cache let them go, and a server asked for every date grew without a plateau.
    index = memo_for(ncci.epoch, "ptp")
    found: list[PtpEdit] = []
    for code in by_code:
        by_column2 = index.get(code)
        if by_column2 is None:
            grouped: dict[str, list[PtpEdit]] = {}
            for edit in ncci.ptp_for(code):
                grouped.setdefault(edit.column2, []).append(edit)
            by_column2 = remember(index, code, grouped, NCCI_CODES)
        if by_column2:
            for other in by_code:
                if (edits := by_column2.get(other)) is not None:
                    found.extend(edits)
    return found


def _ptp_draft(
    ctx: EncounterContext, n1: int, n2: int, edit: PtpEdit, bypass: tuple[str, ...]
) -> Draft:
    assert ctx.ncci is not None
    source = ctx.period.ptp_source
    where = (
        f"line {n2} ({edit.column2}) with line {n1} ({edit.column1}): NCCI PTP "
        f"edit {edit.column1}/{edit.column2}, modifier indicator "
        f'{edit.modifier_indicator}, rationale "{edit.rationale}"'
    )
    if edit.modifier_indicator == "1" and bypass:
        return Draft(
            rule="ncci.ptp-bypass",
            severity=Severity.INFO,
            lines=(n2,),
            message=f"Paid only because of modifier {', '.join(bypass)}: {where}. "
            "The record must support the modifier.",
            carc=("97", "236"),
            rarc=("N20",),
            fix="Keep the modifier only if the documentation shows the separate service it claims.",
            appeal=None,
            source=source,
            confidence=ctx.ncci.vintage.confidence,
            denies=False,
        )
    return _ptp_denial(n1, n2, edit.column2, edit.modifier_indicator, where, source, ctx)


def _ptp_denial(
    n1: int, n2: int, column2: str, indicator: str, where: str, source: str, ctx: EncounterContext
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
            f"Add 25 to line {n2} ({column2}) if the record documents a significant, separately "
            "identifiable E/M (57 if the visit was the decision for surgery); otherwise do not "
            "bill the E/M."
            if is_em_code(column2)
            else f"If the record shows a separate service, add {accepted} to line {n2}; "
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


def check_mue(ctx: EncounterContext) -> list[Draft]:
    if ctx.ncci is None:
        return []
    by_code: dict[str, list[tuple[int, PriceLine]]] = {}
    for number, line in ctx.lines:
        by_code.setdefault(line.hcpcs, []).append((number, line))
    drafts: list[Draft] = []
    memo = ctx.memo("mue")
    for code, lines in by_code.items():
        key = (code, tuple(lines))
        found = memo.get(key)
        if found is None:
            found = remember(memo, key, _mue_drafts(ctx, code, lines))
        drafts.extend(found)
    return drafts


def _mue_drafts(
    ctx: EncounterContext, code: str, lines: list[tuple[int, PriceLine]]
) -> tuple[Draft, ...]:
    assert ctx.ncci is not None
    edit = ctx.ncci.mue(code)
    if edit is None:
        return ()
    source = ctx.period.mue_source
    if edit.value == 0:
        return (_mue_zero(code, lines, edit, source, ctx),)
    if edit.mai == "1":
        return tuple(_mue_line_edit(code, lines, edit, source, ctx))
    return tuple(_mue_date_edit(code, lines, edit, source, ctx))


def _mue_zero(
    code: str, lines: list[tuple[int, PriceLine]], edit: MueEdit, source: str, ctx: EncounterContext
) -> Draft:
    """An MUE of 0 in the practitioner table: the code is never paid on a practitioner claim
    (equipment and supplies a DMEPOS supplier bills to the DME MAC, for instance)."""
    assert ctx.ncci is not None
    numbers = tuple(n for n, _ in lines)
    supplier = code in ctx.period.dme_codes()
    where = (
        " It is on the DMEPOS fee schedule: the DMEPOS supplier bills it to the DME MAC."
        if supplier
        else ""
    )
    return Draft(
        rule="ncci.mue",
        severity=Severity.DENY,
        lines=numbers,
        message=f"{code} has a practitioner MUE of 0 (MAI {edit.mai}; rationale "
        f'"{edit.rationale}"): it is not paid on a practitioner claim.{where}',
        carc=("96",),
        rarc=("N362",),
        fix=f"Remove {code} from this claim"
        + ("; the supplier bills it to the DME MAC." if supplier else "."),
        appeal=appeal_advice(AppealRoute.NOT_APPEALABLE),
        source=source,
        confidence=ctx.ncci.vintage.confidence,
    )


def _mue_line_edit(
    code: str, lines: list[tuple[int, PriceLine]], edit: MueEdit, source: str, ctx: EncounterContext
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
                fixed=((number, line._replace(units=edit.value)),),
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
    code: str, lines: list[tuple[int, PriceLine]], edit: MueEdit, source: str, ctx: EncounterContext
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
            fixed.append((number, line._replace(units=keep)))
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


class _Addon(NamedTuple):
    """What the add-on edit table says of a code on the date."""

    listed: tuple[str, ...]  # eligible primaries, sorted ("CCCCC", any primary, left out)
    type_one_only: bool  # every row is Type I


def _addon(ctx: EncounterContext, code: str) -> _Addon | None:
    """None: not an add-on code (no add-on edit row in force, and not a ZZZ global)."""
    assert ctx.ncci is not None
    rows = [r for r in ctx.ncci.addon_primaries(code) if ctx.in_force(r)]
    row = ctx.rvu(code)
    if not rows and (row is None or row.global_days != "ZZZ"):
        return None
    types = {r.edit_type for r in rows}
    return _Addon(
        tuple(sorted({r.primary for r in rows if r.primary != "CCCCC"})),
        "1" in types and not types - {"1"},
    )


def check_addons(ctx: EncounterContext) -> list[Draft]:
    if ctx.ncci is None:
        return []
    drafts: list[Draft] = []
    claim_codes: set[str] | None = None
    same_day: frozenset[str] | None = None
    addons = ctx.memo("addon")
    for number, line in ctx.lines:
        addon = addons.get(line.hcpcs, MISSING)
        if addon is MISSING:
            addon = remember(addons, line.hcpcs, _addon(ctx, line.hcpcs))
        if addon is None:
            continue
        if claim_codes is None or same_day is None:
            claim_codes = {line.hcpcs for _, line in ctx.lines}
            same_day = ctx.key.same_day
        present = (claim_codes - {line.hcpcs}) | same_day
        if not present.isdisjoint(addon.listed):
            continue
        if addon.listed and addon.type_one_only:
            kind = "type-1"
        elif addon.listed:
            kind = "type-3"
        elif present - claim_codes or _other_procedures(ctx, line.hcpcs):
            continue  # Type II / ZZZ without a list: another procedure is there
        else:
            kind = "none"
        key = (number, line.hcpcs, kind)
        memo = ctx.memo("addon-draft")
        found = memo.get(key)
        if found is None:
            found = remember(memo, key, _addon_draft(ctx, number, line.hcpcs, addon, kind))
        drafts.append(found)
    return drafts


_ADDON_KINDS = {
    "type-1": (Severity.DENY, "a Type I add-on: only the listed primaries count"),
    "type-3": (Severity.REVIEW, "a Type III add-on: the contractor may accept other primaries"),
    "none": (Severity.DENY, "an add-on code billed without any primary"),
}


def _addon_draft(ctx: EncounterContext, number: int, code: str, addon: _Addon, kind: str) -> Draft:
    assert ctx.ncci is not None
    severity, rule_note = _ADDON_KINDS[kind]
    listed = addon.listed
    shown = ", ".join(listed[:10]) + (f" and {len(listed) - 10} more" if len(listed) > 10 else "")
    return Draft(
        rule="ncci.addon",
        severity=severity,
        lines=(number,),
        message=f"Line {number}: {code} is an add-on code ({rule_note}) and no "
        f"eligible primary is billed on the same date by the same provider"
        + (f"; eligible primaries: {shown}." if listed else "."),
        carc=("B15",),
        rarc=(),
        fix=(
            f"Bill the primary procedure ({shown}) performed in the same session, or remove {code}."
            if listed
            else f"Bill the primary procedure performed with {code}, or remove it."
        ),
        appeal=appeal_advice(
            AppealRoute.REOPENING,
            note=(
                "If the primary was performed but left off or denied, correct it first; the "
                "add-on is then reprocessed through a reopening."
            ),
        ),
        source=ctx.period.addon_source,
        confidence=ctx.ncci.vintage.confidence,
    )


def _other_procedures(ctx: EncounterContext, addon: str) -> bool:
    for _, line in ctx.lines:
        if line.hcpcs == addon:
            continue
        row = ctx.rvu(line.hcpcs)
        if row is not None and row.global_days in {"000", "010", "090"}:
            return True
    return False
