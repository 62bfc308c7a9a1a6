"""Check 6: global surgery, from the claim and the patient's history (DOMAIN.md section 7;
Pub. 100-04 chapter 12 section 40).

- An E/M by the same provider in the post-operative days of a 010/090 procedure (or the day
  before a 090 one) is part of the surgery unless it carries 24, 25 or 57.
- An E/M on the day of a 000/010 procedure needs 25; on the day of a 090 procedure, 57 (the
  decision for surgery) or 25.
- A 000/010/090 procedure in another procedure's post-operative period needs 58, 78 or 79.

The same-day pairs that an NCCI PTP edit already covers are left to the PTP check.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from medpayiq.knowledge import (
    GLOBAL_EM_MODIFIERS,
    GLOBAL_PROCEDURE_MODIFIERS,
    GLOBAL_SURGERY_SOURCE,
    AppealRoute,
    appeal_advice,
    is_em_code,
)
from medpayiq.reference import Confidence

from ._claim import ClaimLine
from ._context import CheckContext, Draft, EncounterContext
from ._day import remember
from ._results import Severity

__all__ = ["check_history_surgery", "check_same_day"]

_POSTOP_DAYS = {"010": 10, "090": 90}
_SURGICAL = frozenset({"000", "010", "090"})


@dataclass(frozen=True)
class _Surgery:
    hcpcs: str
    day: date
    global_days: str
    same_provider: bool | None  # None: the history does not say who performed it


def check_history_surgery(ctx: CheckContext) -> list[Draft]:
    """The claim's lines in the global period of a procedure in the patient's history."""
    if ctx.fee is None or not ctx.claim.history:
        return []
    surgeries = _history_surgeries(ctx)
    if not surgeries:
        return []
    drafts = []
    for number, line in ctx.lines:
        for surgery in surgeries:
            found = _in_period(ctx, number, line, surgery)
            if found is not None:
                drafts.append(found)
                break
    return drafts


def _history_surgeries(ctx: CheckContext) -> list[_Surgery]:
    found = []
    last = ctx.day + timedelta(days=2)
    npi = ctx.claim.provider.npi
    for item in ctx.claim.history:
        if item.date_of_service >= last:
            continue
        fee = ctx.fee_on(item.date_of_service)
        row = fee.rvus.get((item.hcpcs, "")) if fee else None
        if row is None or row.global_days not in _POSTOP_DAYS:
            continue
        same = None if item.provider_npi is None else item.provider_npi == npi
        if same is False:
            continue
        found.append(_Surgery(item.hcpcs, item.date_of_service, row.global_days, same))
    return found


def _in_period(ctx: CheckContext, number: int, line: ClaimLine, surgery: _Surgery) -> Draft | None:
    days = _POSTOP_DAYS[surgery.global_days]
    end = surgery.day + timedelta(days=days)
    pre_op = surgery.global_days == "090" and ctx.day == surgery.day - timedelta(days=1)
    post_op = surgery.day < ctx.day <= end
    if not (pre_op or post_op):
        return None
    severity = Severity.DENY if surgery.same_provider else Severity.REVIEW
    who = (
        "by the same provider"
        if surgery.same_provider
        else "(the history does not say which provider performed it)"
    )
    period = (
        f"the day before {surgery.hcpcs} ({surgery.global_days}-day global) on {surgery.day}"
        if pre_op
        else f"the {days}-day post-operative period of {surgery.hcpcs} performed on "
        f"{surgery.day} {who} (through {end})"
    )
    if is_em_code(line.hcpcs):
        if GLOBAL_EM_MODIFIERS & set(line.modifiers):
            return None
        return Draft(
            rule="global.em-in-period",
            severity=severity,
            lines=(number,),
            message=f"Line {number}: the E/M {line.hcpcs} falls in {period}; without 24, 25 or "
            "57 it is part of the surgical package.",
            carc=("97",),
            rarc=("M144",),
            fix="If the visit was unrelated to the surgery, add 24 (or 57 for the decision "
            "for surgery the day before); if it was post-operative care, do not bill it.",
            appeal=appeal_advice(
                AppealRoute.REOPENING,
                note=(
                    "If the modifier was omitted, ask for a reopening to add it; if the visit was "
                    "unrelated, request a redetermination within 120 days with the visit note."
                ),
            ),
            source=GLOBAL_SURGERY_SOURCE,
            confidence=_confidence(ctx),
        )
    row = ctx.rvu(line.hcpcs)
    if row is None or row.global_days not in _SURGICAL or not post_op:
        return None
    if GLOBAL_PROCEDURE_MODIFIERS & set(line.modifiers):
        return None
    return Draft(
        rule="global.procedure-in-period",
        severity=severity,
        lines=(number,),
        message=f"Line {number}: the procedure {line.hcpcs} falls in {period}; without 58, 78 "
        "or 79 it is treated as part of that surgery's global package.",
        carc=("97",),
        rarc=("M144",),
        fix="Add 58 (staged or planned), 78 (return to the OR for a complication) or 79 "
        "(unrelated procedure) as the record supports.",
        appeal=appeal_advice(AppealRoute.REOPENING),
        source=GLOBAL_SURGERY_SOURCE,
        confidence=_confidence(ctx),
    )


def _confidence(ctx: CheckContext | EncounterContext) -> Confidence:
    assert ctx.fee is not None
    return ctx.fee.vintage.confidence


def _code_kind(ctx: EncounterContext, code: str) -> tuple[bool, str | None]:
    """Whether `code` is an E/M, and its global days if it is a surgical procedure."""
    if is_em_code(code):
        return True, None
    row = ctx.rvu(code)
    return False, row.global_days if row is not None and row.global_days in _SURGICAL else None


def check_same_day(ctx: EncounterContext, ptp_pairs: set[tuple[str, str]]) -> list[Draft]:
    """An E/M billed with a procedure that has a global period, without the modifier that
    makes it separately payable (the pairs an NCCI PTP edit covers are left to it)."""
    if ctx.fee is None:
        return []
    procedures = []
    visits = []
    kinds = ctx.memo("kind")
    for number, line in ctx.lines:
        kind = kinds.get(line.hcpcs)
        if kind is None:
            kind = remember(kinds, line.hcpcs, _code_kind(ctx, line.hcpcs))
        em, days = kind
        if em:
            visits.append((number, line))
        elif days is not None:
            procedures.append((number, line.hcpcs, days))
    drafts: list[Draft] = []
    if not procedures:
        return drafts
    for number, line in visits:
        for p_number, p_code, days in procedures:
            if (p_code, line.hcpcs) in ptp_pairs:
                continue  # the NCCI edit says it (and which modifiers it accepts)
            needed = _SAME_DAY_090 if days == "090" else _SAME_DAY
            if not needed.isdisjoint(line.modifiers):
                continue
            key = (number, line.hcpcs, p_number, p_code, days)
            memo = ctx.memo("em-same-day")
            found = memo.get(key)
            if found is None:
                found = remember(memo, key, _same_day_draft(ctx, *key))
            drafts.append(found)
            break
    return drafts


_SAME_DAY = frozenset({"25"})
_SAME_DAY_090 = frozenset({"25", "57"})


def _same_day_draft(
    ctx: EncounterContext, number: int, code: str, p_number: int, p_code: str, days: str
) -> Draft:
    wanted = "57 (decision for surgery) or 25" if days == "090" else "25"
    return Draft(
        rule="global.em-same-day",
        severity=Severity.DENY,
        lines=(number,),
        message=f"Line {number}: the E/M {code} is on the same day as "
        f"{p_code} (line {p_number}, {days}-day global); without {wanted} it is "
        "part of the procedure.",
        carc=("97",),
        rarc=("M144",),
        fix=f"If the E/M was significant and separately identifiable, add {wanted} to "
        f"line {number}; otherwise remove it.",
        appeal=appeal_advice(AppealRoute.REOPENING),
        source=GLOBAL_SURGERY_SOURCE,
        confidence=_confidence(ctx),
    )
