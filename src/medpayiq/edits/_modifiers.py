"""Check 5: modifiers against the code's fee schedule indicators (DOMAIN.md section 4).

26/TC need the code's own 26/TC row in the PPRRVU file (PCTC indicator 1, or 2/6/8 for 26);
50 needs BILAT SURG 1 or 3; 80/81/82/AS need ASST SURG 2 (0: documentation); 62 needs CO-SURG
2 (1: documentation). Unknown modifiers are not in the modifier code set.
"""

from __future__ import annotations

from collections.abc import Mapping

from medpayiq.knowledge import (
    ASSISTANT_MODIFIERS,
    DISTINCT_MODIFIERS,
    AppealRoute,
    appeal_advice,
    is_em_code,
)
from medpayiq.records import Modifier, RvuRow
from medpayiq.reference import Confidence

from ._context import Draft, EncounterContext
from ._day import remember
from ._pricing import PriceLine
from ._results import Severity

__all__ = ["check_modifiers"]

_PCTC = {
    "0": "PCTC indicator 0: the service has no professional/technical split",
    "1": "PCTC indicator 1",
    "2": "PCTC indicator 2: a professional-component-only code",
    "3": "PCTC indicator 3: a technical-component-only code",
    "4": "PCTC indicator 4: a global test-only code (its components have their own codes)",
    "5": "PCTC indicator 5: an incident-to service",
    "6": "PCTC indicator 6: a laboratory physician interpretation code",
    "7": "PCTC indicator 7: a physical therapy service",
    "8": "PCTC indicator 8: a physician interpretation code",
    "9": "PCTC indicator 9: the concept does not apply",
}
_BILATERAL = {
    "0": "BILAT SURG indicator 0: the 150% bilateral adjustment does not apply; modifier 50 is "
    "not accepted",
    "2": "BILAT SURG indicator 2: the code's RVUs already cover both sides",
    "9": "BILAT SURG indicator 9: the bilateral concept does not apply to this code",
}
_ASSISTANT = {
    "0": (
        "ASST SURG indicator 0: an assistant is paid only with documentation of medical necessity",
        Severity.REVIEW,
    ),
    "1": (
        "ASST SURG indicator 1: an assistant at surgery is never paid for this code",
        Severity.DENY,
    ),
    "9": (
        "ASST SURG indicator 9: the assistant concept does not apply to this code",
        Severity.DENY,
    ),
}
_COSURGERY = {
    "0": ("CO-SURG indicator 0: co-surgeons are not permitted for this code", Severity.DENY),
    "1": ("CO-SURG indicator 1: co-surgeons are paid only with documentation", Severity.REVIEW),
    "9": ("CO-SURG indicator 9: the co-surgery concept does not apply to this code", Severity.DENY),
}


def check_modifiers(ctx: EncounterContext) -> list[Draft]:
    drafts: list[Draft] = []
    memo = ctx.memo("modifiers")
    for key in ctx.lines:
        if not key[1].modifiers:
            continue
        found = memo.get(key)
        if found is None:
            found = remember(memo, key, _line_drafts(ctx, *key))
        drafts.extend(found)
    return drafts


def _line_drafts(ctx: EncounterContext, number: int, line: PriceLine) -> tuple[Draft, ...]:
    """The findings on one line's modifiers (the same for the same line on the date)."""
    drafts: list[Draft] = []
    known = ctx.code_sets.modifiers
    if known:
        drafts.extend(_unknown(number, line, known, ctx))
    row = ctx.rvu(line.hcpcs)
    if row is None or ctx.fee is None:
        return tuple(drafts)
    for modifier in line.modifiers:
        found = _indicator_problem(number, line, modifier, row, ctx, ctx.period.fee_source)
        if found is not None:
            drafts.append(found)
    return tuple(drafts)


def _without(line: PriceLine, modifier: str) -> PriceLine:
    return line._replace(modifiers=tuple(m for m in line.modifiers if m != modifier))


def _unknown(
    number: int, line: PriceLine, known: Mapping[str, Modifier], ctx: EncounterContext
) -> list[Draft]:
    out = []
    for modifier in line.modifiers:
        if modifier in known:
            continue
        provenance = ctx.code_sets.provenance
        files = ", ".join(
            f"{p.file} ({p.release.id})" for p in provenance if p.kind.value == "modifier"
        )
        out.append(
            Draft(
                rule="modifier.unknown",
                severity=Severity.DENY,
                lines=(number,),
                message=f"Line {number}: modifier {modifier} on {line.hcpcs} is not a CPT or HCPCS "
                "modifier in the code set.",
                carc=("4",),
                rarc=(),
                fix=f"Correct or remove modifier {modifier}.",
                appeal=appeal_advice(AppealRoute.REOPENING),
                source=f"modifier code set {files}".strip(),
                confidence=ctx.fee.vintage.confidence if ctx.fee else Confidence.HIGH,
                fixed=((number, _without(line, modifier)),),
            )
        )
    return out


def _indicator_problem(
    number: int, line: PriceLine, modifier: str, row: RvuRow, ctx: EncounterContext, source: str
) -> Draft | None:
    assert ctx.fee is not None
    confidence = ctx.fee.vintage.confidence
    code = line.hcpcs

    def draft(
        rule: str,
        severity: Severity,
        message: str,
        carc: tuple[str, ...],
        fix: str,
        *,
        fixed: bool = True,
    ) -> Draft:
        return Draft(
            rule=rule,
            severity=severity,
            lines=(number,),
            message=f"Line {number}: {message}",
            carc=carc,
            rarc=(),
            fix=fix,
            appeal=appeal_advice(
                AppealRoute.REOPENING if severity is Severity.DENY else AppealRoute.REDETERMINATION
            ),
            source=source,
            confidence=confidence,
            fixed=((number, _without(line, modifier)),) if fixed else (),
        )

    if modifier in {"26", "TC"}:
        if (code, modifier) in ctx.fee.rvus:
            return None
        return draft(
            "modifier.pctc",
            Severity.DENY,
            f"modifier {modifier} is not valid on {code} ({_PCTC.get(row.pctc, 'PCTC ' + row.pctc)}"
            f"); the fee schedule has no {code}-{modifier} row.",
            ("4",),
            f"Remove modifier {modifier} from {code}"
            + ("; bill the global service." if row.pctc == "0" else "."),
        )
    if modifier == "50" and row.bilat_surg in _BILATERAL:
        return draft(
            "modifier.bilateral",
            Severity.DENY,
            f"modifier 50 on {code}: {_BILATERAL[row.bilat_surg]}.",
            ("4",),
            f"Remove modifier 50 from {code}; bill one line"
            + (" (use RT/LT only if the payer asks for sides)." if row.bilat_surg == "0" else "."),
        )
    if modifier in ASSISTANT_MODIFIERS and row.asst_surg in _ASSISTANT:
        text, severity = _ASSISTANT[row.asst_surg]
        return draft(
            "modifier.assistant",
            severity,
            f"modifier {modifier} on {code}: {text}.",
            ("54",),
            "Do not bill the assistant"
            if severity is Severity.DENY
            else "Send the operative report showing why an assistant was needed",
            fixed=False,
        )
    if modifier == "62" and row.co_surg in _COSURGERY:
        text, severity = _COSURGERY[row.co_surg]
        return draft(
            "modifier.cosurgery",
            severity,
            f"modifier 62 on {code}: {text}.",
            ("54",),
            "Bill without 62 (one surgeon)"
            if severity is Severity.DENY
            else "Each surgeon sends the operative note showing the distinct parts done",
            fixed=severity is Severity.DENY,
        )
    if modifier in {"24", "25", "57"} and not is_em_code(code):
        return draft(
            "modifier.em-only",
            Severity.REVIEW,
            f"modifier {modifier} belongs on an evaluation and management code, not on {code}.",
            ("4",),
            f"Move modifier {modifier} to the E/M line, or remove it.",
        )
    if modifier in DISTINCT_MODIFIERS and is_em_code(code):
        return draft(
            "modifier.distinct-on-em",
            Severity.REVIEW,
            f"modifier {modifier} on the E/M {code}: 59 and XE/XS/XP/XU mark a distinct "
            "procedure or session; they never make an E/M separately payable.",
            ("4",),
            f"Replace {modifier} with 25 if the record shows a significant, separately "
            "identifiable E/M (57 for the decision for surgery); otherwise do not bill the E/M.",
        )
    if modifier in {"52", "53", "66"}:
        what = {
            "52": "reduced services (52)",
            "53": "a discontinued procedure (53)",
            "66": "a team surgery (66)",
        }[modifier]
        return draft(
            "modifier.by-report",
            Severity.REVIEW,
            f"{code} billed as {what} is priced by the contractor from the record, "
            "not from the fee schedule.",
            ("4",),
            "Attach the operative or procedure note explaining the service.",
            fixed=False,
        )
    return None
