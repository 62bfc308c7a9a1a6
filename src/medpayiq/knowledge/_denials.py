"""What a claim adjustment reason code means for a biller, and what it usually calls for.

The code titles themselves come from the X12 code set (`CodeSets.adjustments`); this table adds
the plain-words reading and the usual route after the denial (DOMAIN.md section 9).
"""

from __future__ import annotations

from dataclasses import dataclass

from medpayiq.knowledge._appeals import AppealRoute

__all__ = ["DenialGuidance", "denial_guidance"]


@dataclass(frozen=True)
class DenialGuidance:
    """A CARC in plain words, whether it is a denial at all, and the usual next step."""

    carc: str
    plain: str
    route: AppealRoute
    is_denial: bool = True


_GUIDANCE: dict[str, DenialGuidance] = {
    g.carc: g
    for g in (
        DenialGuidance(
            "4",
            "a modifier is wrong for this code or a required one is missing",
            AppealRoute.REOPENING,
        ),
        DenialGuidance(
            # A diagnosis billed in error is clerical: a reopening (DOMAIN.md section 10).
            "11",
            "the diagnosis does not support this procedure",
            AppealRoute.REOPENING,
        ),
        DenialGuidance(
            "16", "the claim lacks information or has a billing error", AppealRoute.RESUBMIT
        ),
        DenialGuidance(
            "29",
            "the time limit for filing (1 calendar year) has passed",
            AppealRoute.NOT_APPEALABLE,
        ),
        DenialGuidance(
            "50",
            "not medically necessary under the payer's coverage policy",
            AppealRoute.REDETERMINATION,
        ),
        DenialGuidance(
            "54",
            "an assistant or second surgeon is not paid for this procedure",
            AppealRoute.REDETERMINATION,
        ),
        DenialGuidance(
            "96", "not covered (units or a non-covered service)", AppealRoute.REDETERMINATION
        ),
        DenialGuidance(
            "97",
            "paid as part of another service on the claim or in a global period",
            AppealRoute.REDETERMINATION,
        ),
        DenialGuidance(
            "119", "a benefit maximum for the period has been reached", AppealRoute.REDETERMINATION
        ),
        DenialGuidance(
            "151", "more services or more often than the payer accepts", AppealRoute.REDETERMINATION
        ),
        DenialGuidance(
            "181", "the procedure code was not valid on the date of service", AppealRoute.RESUBMIT
        ),
        DenialGuidance(
            "204", "not covered under the patient's benefit", AppealRoute.REDETERMINATION
        ),
        DenialGuidance(
            "236",
            "an NCCI procedure-to-procedure edit: not paid with the other code",
            AppealRoute.REDETERMINATION,
        ),
        DenialGuidance(
            "B15", "an add-on code without its primary procedure", AppealRoute.REOPENING
        ),
        DenialGuidance(
            "45",
            "charge above the fee schedule amount (an adjustment, not a denial)",
            AppealRoute.NOT_APPEALABLE,
            is_denial=False,
        ),
        DenialGuidance(
            "253",
            "sequestration reduction (an adjustment, not a denial)",
            AppealRoute.NOT_APPEALABLE,
            is_denial=False,
        ),
    )
}


def denial_guidance(carc: str) -> DenialGuidance | None:
    """Plain-words guidance for a CARC, or None when we have none for it."""
    return _GUIDANCE.get(carc.strip().upper())
