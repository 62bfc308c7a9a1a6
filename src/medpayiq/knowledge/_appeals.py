"""Part B appeal paths: what to do when a line is denied (DOMAIN.md section 9).

The five levels of appeal, their deadlines and amount-in-controversy thresholds come from
42 CFR 405 subpart I and the Medicare Claims Processing Manual (Pub. 100-04) chapter 29. Not
every denial is appealed: an unprocessable claim (RARC MA130) is corrected and sent again, a
clerical error goes to a reopening, and a policy-absolute limit (MUE MAI 2) is not worth an
appeal. `appeal_advice` turns the kind of denial into the next step with its deadline.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from functools import lru_cache

__all__ = [
    "APPEAL_LEVELS",
    "AppealAdvice",
    "AppealLevel",
    "AppealRoute",
    "amount_in_controversy",
    "appeal_advice",
]

APPEALS_SOURCE = (
    "42 CFR 405.940-405.1136; Medicare Claims Processing Manual (Pub. 100-04) chapter 29"
)


@dataclass(frozen=True)
class AppealLevel:
    """One level of the Part B appeal process. `deadline_days` counts from the notice of the
    previous decision; `minimum` is the amount in controversy by calendar year (None: none)."""

    level: int
    name: str
    decided_by: str
    deadline_days: int
    minimum: dict[int, Decimal] | None = None


APPEAL_LEVELS: tuple[AppealLevel, ...] = (
    AppealLevel(1, "Redetermination", "the Medicare Administrative Contractor (MAC)", 120),
    AppealLevel(2, "Reconsideration", "a Qualified Independent Contractor (QIC)", 180),
    AppealLevel(
        3,
        "Administrative Law Judge hearing",
        "the Office of Medicare Hearings and Appeals (ALJ)",
        60,
        {2025: Decimal("190"), 2026: Decimal("200")},
    ),
    AppealLevel(4, "Medicare Appeals Council review", "the Medicare Appeals Council", 60),
    AppealLevel(
        5,
        "Judicial review",
        "a federal district court",
        60,
        {2025: Decimal("1900"), 2026: Decimal("1960")},
    ),
)


def amount_in_controversy(level: int, year: int) -> Decimal | None:
    """The published minimum for `level` in `year`; the latest known year for later years."""
    thresholds = APPEAL_LEVELS[level - 1].minimum
    if not thresholds:
        return None
    known = [y for y in thresholds if y <= year] or [min(thresholds)]
    return thresholds[max(known)]


class AppealRoute(StrEnum):
    """What a denial of this kind calls for."""

    REDETERMINATION = "redetermination"  # level 1 appeal with records
    REOPENING = "reopening"  # clerical error: ask the MAC to reopen, no appeal needed
    RESUBMIT = "resubmit"  # unprocessable (MA130): correct and send a new claim
    NOT_APPEALABLE = "not_appealable"  # a policy limit that an appeal does not change


@dataclass(frozen=True)
class AppealAdvice:
    """The next step after a denial: where it goes, by when, what to send."""

    route: AppealRoute
    level: int | None
    name: str
    deadline_days: int | None
    deadline_from: str
    send: tuple[str, ...]
    note: str
    source: str = APPEALS_SOURCE

    def as_dict(self) -> dict[str, object]:
        return {
            "route": self.route.value,
            "level": self.level,
            "name": self.name,
            "deadline_days": self.deadline_days,
            "deadline_from": self.deadline_from,
            "send": list(self.send),
            "note": self.note,
            "source": self.source,
        }


@lru_cache(maxsize=512)
def appeal_advice(
    route: AppealRoute, *, send: tuple[str, ...] = (), note: str = ""
) -> AppealAdvice:
    """The advice for a route; `send` lists what supports this particular denial. The same
    arguments give the same (immutable) object: the checker asks for it on most findings."""
    if route is AppealRoute.RESUBMIT:
        return AppealAdvice(
            route,
            None,
            "Correct and resubmit",
            None,
            "",
            send or ("a corrected claim",),
            note
            or "An unprocessable claim (RARC MA130) has no appeal rights: send a corrected new "
            "claim within the timely filing limit (1 calendar year from the date of service).",
        )
    if route is AppealRoute.REOPENING:
        return AppealAdvice(
            route,
            None,
            "Reopening",
            365,
            "the initial determination",
            send or ("the corrected line (by phone, portal or written reopening request)",),
            note
            or "A clerical error (wrong modifier, units or code) is fixed by asking the MAC to "
            "reopen the claim within 1 year; it is not an appeal.",
        )
    level = APPEAL_LEVELS[0]
    if route is AppealRoute.NOT_APPEALABLE:
        return AppealAdvice(
            route,
            level.level,
            level.name,
            level.deadline_days,
            "the initial determination (remittance advice)",
            send,
            note
            or "This limit is set by policy; a redetermination is possible in principle but is "
            "not expected to change the outcome.",
        )
    return AppealAdvice(
        route,
        level.level,
        level.name,
        level.deadline_days,
        "the initial determination (remittance advice)",
        send or ("the medical record for the date of service",),
        note
        or f"Request a redetermination from {level.decided_by} within {level.deadline_days} "
        f"days; if it is upheld, a reconsideration by {APPEAL_LEVELS[1].decided_by} within "
        f"{APPEAL_LEVELS[1].deadline_days} days.",
    )
