"""The redetermination request for an appealable denial: the elements of form CMS-20027
(42 CFR 405.944(b): the beneficiary's name, the Medicare number, the service and its date,
the party filing) filled from the remittance and the claim, with the reason for
disagreement citing the rule the denial turns on (the NCCI PTP modifier indicator, the MUE
adjudication indicator, the LCD named by RARC N115).

The request holds the patient's name and Medicare number: it is written for the contractor,
never logged. `as_text()` is the plain text; the web page renders the fields as HTML.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from medpayiq.errors import MedPayIQError
from medpayiq.knowledge import denial_guidance, policy_packs, ptp_bypass
from medpayiq.reference import ReferenceData

__all__ = ["RedeterminationRequest", "disagreement"]

FORM = "CMS-20027 Medicare Redetermination Request"


@dataclass(frozen=True, slots=True)
class RedeterminationRequest:
    """The fields of form CMS-20027 for one denied line (None: not in the remittance)."""

    beneficiary_name: str | None
    medicare_number: str | None
    item_or_service: str
    date_of_service: str | None
    claim_number: str | None  # the contractor's claim number (ICN, CLP07)
    patient_control_number: str  # CLP01
    line: int
    contractor: str
    notice_date: str | None
    deadline: str | None
    reason: str
    rule: str
    send: str
    requester: str
    requester_npi: str | None
    form: str = FORM

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def as_text(self) -> str:
        def show(value: str | None) -> str:
            return value if value else "(not in the remittance: fill in)"

        rows = [
            f"{self.form}",
            "",
            f"1. Beneficiary's name: {show(self.beneficiary_name)}",
            f"2. Medicare number: {show(self.medicare_number)}",
            f"3. Item or service appealed: {self.item_or_service}",
            f"4. Date of service: {show(self.date_of_service)}",
            f"5. Date of the initial determination notice: {show(self.notice_date)}",
            f"   Claim number (ICN): {show(self.claim_number)}; patient control number "
            f"{self.patient_control_number}, line {self.line}",
            f"6. Contractor that made the determination: {self.contractor}",
            "7. I do not agree with the determination of this claim. My reasons are:",
            f"   {self.reason}",
            f"   Rule: {self.rule}",
            f"8. Enclosed: {self.send}",
            f"9. Requester: {self.requester}"
            + (f" (NPI {self.requester_npi})" if self.requester_npi else ""),
            "",
            f"File by {show(self.deadline)} (42 CFR 405.942: 120 days from receipt of the "
            "notice, presumed 5 days after its date).",
        ]
        return "\n".join(rows) + "\n"


def disagreement(
    reference: ReferenceData,
    hcpcs: str,
    modifiers: Sequence[str],
    units: int,
    day: date | None,
    carcs: Sequence[str],
    remarks: Sequence[str],
    others: Sequence[str],
) -> tuple[str, str]:
    """The reason for disagreement and the rule it cites, for a line denied with `carcs`
    (`others`: the other codes billed on the claim that date)."""
    if day is not None and ("97" in carcs or "236" in carcs):
        found = _ptp(reference, hcpcs, day, others)
        if found is not None:
            return _ptp_reason(hcpcs, modifiers, found)
    if day is not None and ("96" in carcs or "151" in carcs) and "N115" not in remarks:
        try:
            mue = reference.ncci(day).mue(hcpcs)
        except MedPayIQError:
            mue = None
        if mue is not None:
            appealable = {
                "1": "a line edit: units on separate lines with 76/77/91 or anatomic "
                "modifiers may be paid",
                "2": "a date-of-service limit set by policy: a redetermination is not "
                "expected to change it",
                "3": "a date-of-service limit from clinical data: appealable with the record "
                "showing the units were medically necessary",
            }.get(mue.mai, "")
            return (
                f"{units} unit(s) of {hcpcs} were furnished and are documented in the medical "
                f"record; the MUE for {hcpcs} is {mue.value} per day with adjudication "
                f"indicator {mue.mai} ({appealable}).",
                f"NCCI MUE {hcpcs}: {mue.value} units, MAI {mue.mai} (practitioner table)",
            )
    lcds, frequency = _policy(hcpcs, day)
    if "151" in carcs and frequency:
        return (
            f"The {hcpcs} session was within the frequency the coverage policy allows, or the "
            "record documents why another session was reasonable and necessary.",
            frequency,
        )
    if "N115" in remarks or "50" in carcs:
        named = "; ".join(lcds) if lcds else "the Local Coverage Determination named in the notice"
        return (
            f"{hcpcs} was reasonable and necessary for this patient: the medical record "
            f"documents the diagnosis and the coverage criteria of {named} (RARC N115).",
            (named if lcds else "the LCD named by RARC N115")
            + "; Social Security Act section 1862(a)(1)(A)",
        )
    words = [g.plain for c in carcs if (g := denial_guidance(c)) is not None]
    said = "; ".join(words) if words else "the denial"
    return (
        f"The notice says {said} (CARC {', '.join(carcs) or 'none'}). The service was "
        "furnished as billed and is documented in the medical record.",
        "CARC " + ", ".join(carcs),
    )


def _policy(hcpcs: str, day: date | None) -> tuple[tuple[str, ...], str]:
    """The LCDs of the policy pack that governs `hcpcs` on `day`, and its frequency rule's
    citation ("" when none)."""
    if day is None:
        return (), ""
    for pack in policy_packs():
        if hcpcs in pack.codes and pack.in_force(day):
            lcds = tuple(
                src.title for src in pack.sources if src.id[:1] == "L" and src.id[1:].isdigit()
            )
            rule = pack.rule("frequency", day)
            return lcds, rule.citation if rule is not None else ""
    return (), ""


def _ptp(reference: ReferenceData, code: str, day: date, others: Sequence[str]) -> Any:
    try:
        edits = reference.ncci(day).ptp_among([code, *others])
    except MedPayIQError:
        return None
    for edit in edits:
        if edit.column2 == code and edit.column1 in others:
            return edit
    return None


def _ptp_reason(code: str, modifiers: Sequence[str], edit: Any) -> tuple[str, str]:
    rule = (
        f"NCCI PTP edit column 1 {edit.column1} / column 2 {edit.column2}, modifier "
        f"indicator {edit.modifier_indicator}"
    )
    if edit.modifier_indicator == "1":
        bypass = ptp_bypass(code, (), tuple(modifiers))
        reason = (
            f"{code} was a distinct service from {edit.column1} (a separate site, session or "
            "encounter, documented in the record); the edit's modifier indicator 1 allows it "
            "to be paid with an NCCI-associated modifier"
            + (f" ({', '.join(modifiers)} was billed)." if bypass else ".")
        )
    else:
        reason = (
            f"{code} was denied as included in {edit.column1}. The edit's modifier indicator "
            f"{edit.modifier_indicator} allows no modifier bypass, so the request must show "
            "the service was not the one the edit bundles (another date, a different "
            "procedure) with the record."
        )
    return reason, rule
