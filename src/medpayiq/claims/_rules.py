"""The checks only a claim file can show: each proposes findings (`edits.Draft`) on the
claim's 1-based lines, which the checker prices and applies with its own
(`check_claim(..., extra=...)`). Rule ids (docs/claim-checker.md, "837P file rules"):

- `file.timely-filing` (deny, CARC 29, no appeal): a line's from date more than 1 calendar
  year before the claim's creation date (BHT04);
- `file.icd9` (deny, 16/M76/MA130): ICD-9-CM diagnoses (HI BK/BF) on services after
  2015-09-30; `file.icd9-not-checked` (info) on older services;
- `file.no-payer-claim-number` (deny, 16/MA130): a replacement (7) or void (8) without REF*F8;
- `file.replacement`, `file.void` (info): the claim's frequency said; a void is not checked;
- `file.units-decimal` (review): SV104 with decimals, checked at the next whole unit;
- `file.duplicate-claim`, `file.duplicate-line` (deny, CARC 18): lines an earlier claim of the
  input billed already; `file.repeated-line` (review): a line repeated in the claim;
- `file.not-checked` (deny, 16/MA130): the checker cannot take the claim as written.

(The duplicate rules need the input's earlier claims: `_index`.)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date

from medpayiq.edits import AdjustmentRef, Draft, Finding, Problem, Severity
from medpayiq.knowledge import AppealAdvice, AppealRoute, appeal_advice
from medpayiq.records import AdjustmentCode
from medpayiq.reference import Confidence
from medpayiq.x12 import Claim837

from ._convert import Converted

__all__ = [
    "ICD10_FROM",
    "RULES",
    "as_finding",
    "file_drafts",
    "filing_deadline",
    "not_checked",
    "void_drafts",
]

ICD10_FROM = date(2015, 10, 1)  # services from this date take ICD-10-CM only

RULES: dict[str, str] = {
    "file.timely-filing": "a line's from date more than 1 calendar year before BHT04",
    "file.icd9": "ICD-9-CM diagnoses on services after 2015-09-30",
    "file.icd9-not-checked": "ICD-9-CM diagnoses on services before 2015-10-01: not checked",
    "file.no-payer-claim-number": "a replacement (7) or void (8) without REF*F8",
    "file.replacement": "a replacement claim (7)",
    "file.void": "a void claim (8): reported, not checked",
    "file.units-decimal": "units with decimals",
    "file.duplicate-claim": "every line billed already on one earlier claim of the input",
    "file.duplicate-line": "lines billed already on earlier claims of the input",
    "file.repeated-line": "a line repeated on the same claim",
    "file.not-checked": "a claim the checker cannot take as written",
}

TIMELY_SOURCE = (
    "Medicare Claims Processing Manual (Pub. 100-04) chapter 1 section 70; 42 CFR 424.44: "
    "1 calendar year from the line's from date, counted here to the claim's creation date "
    "(BHT04)"
)
_ICD_SOURCE = (
    "HIPAA code sets: ICD-10-CM for services from 2015-10-01 (45 CFR 162.1002); 837P HI "
    "qualifiers ABK/ABF (ICD-10-CM) and BK/BF (ICD-9-CM), 005010X222A1"
)
_X12_SOURCE = "X12 005010X222A1 (837P) implementation guide"
_NO_APPEAL_NOTE = (
    "A claim filed after the time limit is denied without an initial determination, so it "
    "has no appeal rights; only the exceptions of Pub. 100-04 chapter 1 section 70.7 "
    "(an administrative error, retroactive entitlement) extend the limit."
)


def _draft(
    rule: str,
    severity: Severity,
    lines: Iterable[int],
    message: str,
    fix: str,
    *,
    carc: tuple[str, ...] = (),
    rarc: tuple[str, ...] = (),
    appeal: AppealAdvice | None = None,
    source: str = _X12_SOURCE,
    confidence: Confidence = Confidence.HIGH,
) -> Draft:
    return Draft(
        rule=rule,
        severity=severity,
        lines=tuple(lines),
        message=message,
        carc=carc,
        rarc=rarc,
        fix=fix,
        appeal=appeal,
        source=source,
        confidence=confidence,
    )


def _lines(numbers: list[int]) -> str:
    return ("Line " if len(numbers) == 1 else "Lines ") + ", ".join(map(str, numbers))


def filing_deadline(day: date) -> date:
    """The last day a service of `day` is filed in time: the same date a year later
    (a February 29 service by February 28)."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return day.replace(year=day.year + 1, day=28)


def file_drafts(claim: Claim837, converted: Converted) -> list[Draft]:
    """The file rules that read one claim (the duplicates are `_index`'s)."""
    drafts = []
    late = [
        n
        for n, line in enumerate(claim.lines, start=1)
        if claim.created > filing_deadline(line.service_date.start)
    ]
    if late:
        first = min(claim.lines[n - 1].service_date.start for n in late)
        drafts.append(
            _draft(
                "file.timely-filing",
                Severity.DENY,
                late,
                f"{_lines(late)}: filed more than 1 calendar year after the date of service "
                f"(the claim was created {claim.created}; a service of {first} had to be filed "
                f"by {filing_deadline(first)}).",
                f"None: do not expect payment. {_NO_APPEAL_NOTE}",
                carc=("29",),
                source=TIMELY_SOURCE,
            )
        )
    if converted.icd9:
        drafts.append(_icd9(claim, converted.icd9))
    drafts += frequency_drafts(claim)
    if converted.rounded:
        drafts.append(
            _draft(
                "file.units-decimal",
                Severity.REVIEW,
                converted.rounded,
                f"{_lines(list(converted.rounded))}: units with decimals (SV104). Medicare Part "
                "B claims report whole units of service; the line was checked and priced at "
                "the next whole unit.",
                "Report whole units (a drug dose is rounded up to the next billing unit of "
                "the HCPCS descriptor).",
                carc=("16",),
                appeal=appeal_advice(AppealRoute.RESUBMIT),
                confidence=Confidence.MEDIUM,
            )
        )
    return drafts


def _icd9(claim: Claim837, positions: tuple[int, ...]) -> Draft:
    listed = ("Diagnosis " if len(positions) == 1 else "Diagnoses ") + ", ".join(
        map(str, positions)
    )
    verb = "is" if len(positions) == 1 else "are"
    after = [n for n, line in enumerate(claim.lines, start=1) if line.date_of_service >= ICD10_FROM]
    if not after:
        return _draft(
            "file.icd9-not-checked",
            Severity.INFO,
            range(1, len(claim.lines) + 1),
            f"{listed} {verb} ICD-9-CM (HI qualifier BK/BF), valid for services before "
            "2015-10-01: they were not checked.",
            "None.",
            source=_ICD_SOURCE,
        )
    return _draft(
        "file.icd9",
        Severity.DENY,
        after,
        f"{listed} {verb} ICD-9-CM (HI qualifier BK/BF): services from 2015-10-01 take "
        f"ICD-10-CM only (ABK/ABF), so the claim is rejected as unprocessable. "
        f"{_lines(after)} fall on or after that date.",
        "Code the diagnoses in ICD-10-CM (qualifiers ABK for the principal, ABF for the "
        "others) and send the claim again.",
        carc=("16",),
        rarc=("M76", "MA130"),
        appeal=appeal_advice(AppealRoute.RESUBMIT),
        source=_ICD_SOURCE,
    )


def frequency_drafts(claim: Claim837) -> list[Draft]:
    """A replacement or void claim said as such, and one without the payer's claim number."""
    if not (claim.is_replacement or claim.is_void):
        return []
    every = range(1, len(claim.lines) + 1)
    kind = "replacement" if claim.is_replacement else "void"
    drafts = []
    number = claim.payer_claim_number
    if number is None:
        drafts.append(
            _draft(
                "file.no-payer-claim-number",
                Severity.DENY,
                every,
                f"A {kind} claim (CLM05-3 {claim.frequency_code}) must name the claim it "
                f"{'replaces' if claim.is_replacement else 'voids'}: REF*F8 (the payer's claim "
                "control number) is missing, so the payer cannot match it and rejects it.",
                "Add REF*F8 with the payer claim control number (ICN) from the remittance of "
                "the original claim.",
                carc=("16",),
                rarc=("MA130",),
                appeal=appeal_advice(AppealRoute.RESUBMIT),
            )
        )
    if claim.is_replacement:
        drafts.append(
            _draft(
                "file.replacement",
                Severity.INFO,
                every,
                "A replacement claim (CLM05-3 7)"
                + (f" of payer claim {number}" if number else "")
                + ": it takes the place of the original claim, whose lines it must repeat in "
                "full. Checked and priced as billed; not counted as a duplicate.",
                "None.",
            )
        )
    else:
        drafts.append(
            _draft(
                "file.void",
                Severity.INFO,
                every,
                "A void claim (CLM05-3 8)"
                + (f" of payer claim {number}" if number else "")
                + ": it cancels the original claim. Not checked or priced, and its lines are "
                "not counted as the patient's services.",
                "None.",
            )
        )
    return drafts


def void_drafts(claim: Claim837) -> list[Draft]:
    """What a void claim gets (it is not checked)."""
    return frequency_drafts(claim)


def not_checked(claim: Claim837, problems: Iterable[Problem]) -> Draft:
    """The claim the checker cannot take (`Converted.problems` or a checker error)."""
    said = "; ".join(str(p) for p in problems)
    return _draft(
        "file.not-checked",
        Severity.DENY,
        range(1, len(claim.lines) + 1),
        f"The claim was not checked or priced: {said}.",
        "Correct the claim in the practice-management system and write the file again.",
        carc=("16",),
        rarc=("MA130",),
        appeal=appeal_advice(AppealRoute.RESUBMIT),
    )


def as_finding(draft: Draft, adjustments: Mapping[str, AdjustmentCode]) -> Finding:
    """A draft as a finding without the checker (nothing priced: `at_risk` None)."""

    def refs(codes: tuple[str, ...]) -> tuple[AdjustmentRef, ...]:
        return tuple(
            AdjustmentRef(c, a.description if (a := adjustments.get(c)) is not None else "")
            for c in codes
        )

    return Finding(
        rule=draft.rule,
        severity=draft.severity,
        lines=draft.lines,
        message=draft.message,
        carc=refs(draft.carc),
        rarc=refs(draft.rarc),
        at_risk=None,
        fix=draft.fix,
        appeal=draft.appeal,
        source=draft.source,
        confidence=draft.confidence,
    )
