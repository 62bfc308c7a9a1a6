"""Check 1: are the codes valid for the date of service?

HCPCS/CPT: present in the fee schedule release in effect (or the HCPCS Level II list for codes
not on the fee schedule), with a status that Medicare pays. ICD-10-CM: present in the fiscal
year's code table and billable (a leaf); a header code is an error that lists its billable
children (DOMAIN.md sections 1 and 7).
"""

from __future__ import annotations

from collections.abc import Mapping

from medpayiq.errors import DataError, InputError
from medpayiq.knowledge import AppealRoute, appeal_advice
from medpayiq.pricing import row_modifier
from medpayiq.records import HcpcsLevel2
from medpayiq.reference import Confidence, IcdTable
from medpayiq.schedules import Route, route

from ._context import CheckContext, Draft, EncounterContext
from ._day import MISSING, remember
from ._memo import DAY_BOUND
from ._pricing import PriceLine
from ._results import Severity
from ._snapshot import billable_children

__all__ = ["check_diagnoses", "check_place_of_service", "check_procedure_codes"]

# Status codes that mean "not paid on the fee schedule", with why and the likely CARC/RARC.
_UNPAID_STATUS: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "I": ("is not valid for Medicare (status I: Medicare uses another code)", ("181",), ("N56",)),
    "N": ("is not covered by Medicare (status N)", ("96",), ()),
    "B": ("is always bundled into another service (status B: never paid separately)", ("97",), ()),
    "P": ("is bundled or excluded (status P: not paid separately)", ("97",), ()),
}
# X and E say "not paid under the *physician* fee schedule", not "not covered": clinical lab
# tests (X) are paid on the Clinical Laboratory Fee Schedule, ambulance (X) on its own schedule,
# many drugs (E) at ASP. The claim is not denied for that; MedPayIQ just has no amount for them.
_OTHER_SCHEDULE = {
    "X": "is not a physician service under the statute (status X): Medicare pays it, when "
    "covered, on another fee schedule (clinical laboratory, ambulance, ...)",
    "E": "is excluded from the physician fee schedule by regulation (status E): Medicare pays "
    "it, when covered, by another method (drugs at ASP, ...)",
}
_REVIEW_STATUS = {
    "R": "has restricted coverage (status R): paid only in special circumstances",
    "T": "is paid only when no other fee schedule service is billed that day (status T)",
}


def check_place_of_service(ctx: EncounterContext) -> list[Draft]:
    places = ctx.code_sets.places_of_service
    pos = ctx.key.pos
    if not places or (pos in places and places[pos].facility is not None):
        return []
    state = "an unassigned code" if pos in places else "not a place of service code"
    files = ", ".join(p.file for p in ctx.code_sets.provenance if p.kind.value == "pos")
    return [
        Draft(
            rule="claim.place-of-service",
            severity=Severity.DENY,
            lines=tuple(n for n, _ in ctx.lines),
            message=f"Place of service {pos} is {state}: the claim cannot be processed.",
            carc=("16",),
            rarc=("M77", "MA130"),
            fix="Enter the CMS place of service code where the service was furnished (11 office, "
            "22 outpatient hospital, ...).",
            appeal=appeal_advice(AppealRoute.RESUBMIT),
            source=f"place of service code set ({files})",
            confidence=Confidence.HIGH,
        )
    ]


# What a code's own row says, whatever else is on the claim: nothing, a finding, or (status
# T) a finding only when no other paid service is billed.
_FINE, _STATUS_T = "fine", "status T"


def check_procedure_codes(ctx: EncounterContext) -> list[Draft]:
    if ctx.fee is None:
        return []
    drafts: list[Draft] = []
    paid_codes: set[str] | None = None
    memo = ctx.memo("code")
    for number, line in ctx.lines:
        key = (number, line.hcpcs, row_modifier(line.modifiers))
        found = memo.get(key, MISSING)
        if found is MISSING:
            found = remember(memo, key, _code_draft(ctx, number, line))
        if found is _FINE:
            continue
        if found is _STATUS_T:
            if paid_codes is None:
                paid_codes = _paid_codes(ctx)
            if len(paid_codes - {line.hcpcs}) == 0:
                continue
            found = _review_draft(ctx, number, line, "T")
        drafts.append(found)
    return drafts


def _paid_codes(ctx: EncounterContext) -> set[str]:
    return {
        line.hcpcs
        for _, line in ctx.lines
        if (row := ctx.rvu(line.hcpcs)) is not None and row.status in {"A", "R", "T"}
    }


def _code_draft(ctx: EncounterContext, number: int, line: PriceLine) -> Draft | str:
    fee = ctx.fee
    assert fee is not None
    source = ctx.period.fee_source
    # The row the line is priced from: 85576-26 is status A where 85576 is X (CLFS).
    mod = row_modifier(line.modifiers)
    row = (mod and ctx.rvu(line.hcpcs, mod)) or ctx.rvu(line.hcpcs)
    if row is None or row.status in _OTHER_SCHEDULE:
        routed = _routed(ctx, line.hcpcs, line.modifiers)
        if routed is not None:
            return _schedule_draft(ctx, number, line.hcpcs, routed, source)
    if row is None:
        if _valid_level2(line.hcpcs, ctx.code_sets.hcpcs_level2, ctx):
            return _level2_draft(ctx, number, line.hcpcs, source)
        return Draft(
            rule="code.hcpcs-invalid",
            severity=Severity.DENY,
            lines=(number,),
            message=f"Line {number}: {line.hcpcs} is not in the fee schedule release "
            f"{fee.vintage.used.id} nor in the HCPCS Level II list: it is not a valid code "
            "on the date of service.",
            carc=("181",),
            rarc=("M51", "MA130"),
            fix="Correct the procedure code (check the CPT/HCPCS book for the date of service).",
            appeal=appeal_advice(AppealRoute.RESUBMIT),
            source=source,
            confidence=fee.vintage.confidence,
        )
    if row.status in _UNPAID_STATUS:
        why, carc, rarc = _UNPAID_STATUS[row.status]
        return Draft(
            rule="code.hcpcs-status",
            severity=Severity.DENY,
            lines=(number,),
            message=f"Line {number}: {line.hcpcs} {why}.",
            carc=carc,
            rarc=rarc,
            fix="Bill the code Medicare pays for this service; a non-covered service is "
            "billable to the patient only with a signed ABN (modifier GA).",
            appeal=appeal_advice(
                AppealRoute.RESUBMIT if row.status == "I" else AppealRoute.NOT_APPEALABLE
            ),
            source=source,
            confidence=fee.vintage.confidence,
        )
    if row.status in _OTHER_SCHEDULE:
        message = (
            f"Line {number}: {line.hcpcs} {_OTHER_SCHEDULE[row.status]}. Its amount is not in "
            "the physician fee schedule files and is not included in the expected total."
        )
        return _other_schedule_draft(ctx, number, message, source)
    if row.status == "T":
        return _STATUS_T
    if row.status in _REVIEW_STATUS:
        return _review_draft(ctx, number, line, row.status)
    return _FINE


def _level2_draft(ctx: EncounterContext, number: int, code: str, source: str) -> Draft:
    """A valid HCPCS Level II code the fee schedule does not list (most drugs, supplies,
    equipment): paid, when covered, by another method, like a status E or X row."""
    assert ctx.fee is not None
    level2 = "; ".join(p.file for p in ctx.code_sets.provenance if p.kind.value == "hcpcs")
    message = (
        f"Line {number}: {code} is a valid HCPCS Level II code that the physician fee "
        f"schedule ({ctx.fee.vintage.used.id}) does not list: Medicare pays it, when covered, "
        "by another method (drugs at ASP, supplies and equipment on the DMEPOS fee schedule, "
        "...). Its amount is not included in the expected total."
    )
    source = f"{source}; HCPCS Level II ({level2})" if level2 else source
    return _other_schedule_draft(ctx, number, message, source)


def _routed(ctx: EncounterContext, code: str, modifiers: tuple[str, ...]) -> Route | None:
    """The schedule other than the physician fee schedule that pays `code` with `modifiers`
    in the period (the periods are cut where a schedule's snapshot changes:
    `schedules.price_period`)."""
    try:
        found = route(ctx.reference, code, ctx.period.day, modifiers)
    except (InputError, DataError):
        return None
    return None if found.schedule.name == "pfs" else found


def _schedule_draft(
    ctx: EncounterContext, number: int, code: str, found: Route, source: str
) -> Draft:
    schedule = found.schedule
    if found.priced:
        tail = (
            f"Its expected amount comes from the {schedule.title} (see the priced lines); "
            f"patient share: {schedule.patient}."
        )
    else:
        tail = f"No amount is given: {schedule.load}."
    message = f"Line {number}: {found.reason}. {tail}"
    return _other_schedule_draft(ctx, number, message, f"{source}; {schedule.title}")


def _other_schedule_draft(ctx: EncounterContext, number: int, message: str, source: str) -> Draft:
    """Paid outside the physician fee schedule: info, never a denial, no amount."""
    assert ctx.fee is not None
    return Draft(
        rule="code.other-fee-schedule",
        severity=Severity.INFO,
        lines=(number,),
        message=message,
        carc=(),
        rarc=(),
        fix="Nothing to change for this reason; check the coverage rules of the schedule that "
        "pays it.",
        appeal=None,
        source=source,
        confidence=ctx.fee.vintage.confidence,
        denies=False,
    )


def _review_draft(ctx: EncounterContext, number: int, line: PriceLine, status: str) -> Draft:
    assert ctx.fee is not None
    return Draft(
        rule="code.hcpcs-status",
        severity=Severity.REVIEW,
        lines=(number,),
        message=f"Line {number}: {line.hcpcs} {_REVIEW_STATUS[status]}.",
        carc=("97",) if status == "T" else ("96",),
        rarc=(),
        fix="Check the coverage condition before sending.",
        appeal=appeal_advice(AppealRoute.REDETERMINATION),
        source=ctx.period.fee_source,
        confidence=ctx.fee.vintage.confidence,
    )


def _valid_level2(code: str, level2: Mapping[str, HcpcsLevel2], ctx: EncounterContext) -> bool:
    entry = level2.get(code)
    return entry is not None and ctx.level2_valid(entry)


def check_diagnoses(ctx: CheckContext) -> list[Draft]:
    icd = ctx.icd
    if icd is None:
        return []
    codes = ctx.claim.diagnoses
    wrong = ctx.memo("diagnoses-wrong")
    positions: tuple[int, ...] | None = wrong.get(tuple(codes))
    if positions is None:
        positions = remember(wrong, tuple(codes), _wrong(icd, codes, ctx), DAY_BOUND)
    if not positions:
        return []
    drafts: list[Draft] = []
    memo = ctx.memo("diagnosis")
    for index in positions:
        code = codes[index - 1]
        pointing = tuple(n for n, line in ctx.lines if index in line.diagnosis_pointers)
        if not pointing:
            pointing = tuple(n for n, _ in ctx.lines)
        key = (index, code, pointing)
        found = memo.get(key, MISSING)
        if found is MISSING:
            found = remember(memo, key, _diagnosis_draft(ctx, index, code, pointing), DAY_BOUND)
        if found is not None:
            drafts.append(found)
    return drafts


def _wrong(icd: IcdTable, codes: list[str], ctx: CheckContext) -> tuple[int, ...]:
    """The 1-based positions of the codes that are not billable ICD-10-CM codes (each
    code's answer kept for the date: the lists of a file are mostly new, their codes not)."""
    billable = ctx.memo("diagnosis-billable")
    positions = []
    for i, code in enumerate(codes, start=1):
        found = billable.get(code)
        if found is None:
            found = remember(billable, code, bool((e := icd.get(code)) and e.billable), DAY_BOUND)
        if not found:
            positions.append(i)
    return tuple(positions)


def _diagnosis_draft(
    ctx: CheckContext, index: int, code: str, pointing: tuple[int, ...]
) -> Draft | None:
    icd = ctx.icd
    assert icd is not None
    source = ctx.tables.icd_source
    entry = icd.get(code)
    if entry is None:
        return Draft(
            rule="code.icd-invalid",
            severity=Severity.DENY,
            lines=pointing,
            message=f"Diagnosis {index} ({code}) is not an ICD-10-CM code in "
            f"{icd.vintage.used.id}, the code set for {ctx.day}.",
            carc=("16",),
            rarc=("M76", "MA130"),
            fix="Correct the diagnosis code to the billable ICD-10-CM code documented in "
            "the record.",
            appeal=appeal_advice(AppealRoute.RESUBMIT),
            source=source,
            confidence=icd.vintage.confidence,
        )
    if not entry.billable:
        return _header_draft(ctx.reference, index, code, pointing, icd, source)
    return None


def _header_draft(
    reference: object, index: int, code: str, lines: tuple[int, ...], icd: IcdTable, source: str
) -> Draft:
    children = billable_children(reference, icd, code)
    shown = ", ".join(_dotted(c.code) for c in children[:12])
    more = f" and {len(children) - 12} more" if len(children) > 12 else ""
    return Draft(
        rule="code.icd-header",
        severity=Severity.DENY,
        lines=lines,
        message=f"Diagnosis {index} ({code}) is a header code in {icd.vintage.used.id}, not "
        f"billable: use one of its billable codes ({shown}{more}).",
        carc=("16",),
        rarc=("M76", "MA130"),
        fix=f"Code the diagnosis to the billable level the record supports ({shown}{more}).",
        appeal=appeal_advice(AppealRoute.RESUBMIT),
        source=source,
        confidence=icd.vintage.confidence,
    )


def _dotted(code: str) -> str:
    return f"{code[:3]}.{code[3:]}" if len(code) > 3 else code
