"""What the checker returns: findings, the priced claim, and the whole result.

All frozen dataclasses with `as_dict()` (JSON-ready: money as strings, dates ISO). The CLI,
the JSON API and the web page render these; they hold no rules of their own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from medpayiq.json_text import money_text as _money
from medpayiq.knowledge import AppealAdvice
from medpayiq.reference import Confidence

__all__ = [
    "AdjustmentRef",
    "CheckResult",
    "Finding",
    "Guidance",
    "PricedClaim",
    "PricedLine",
    "Severity",
]


class Severity(StrEnum):
    """`deny`: the line will be denied as billed. `review`: it may be, depending on the record
    or the contractor. `info`: nothing will be denied; worth knowing."""

    DENY = "deny"
    REVIEW = "review"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"deny": 2, "review": 1, "info": 0}[self.value]


@dataclass(frozen=True, slots=True)
class AdjustmentRef:
    """A CARC or RARC with its title from the X12 code set ("" if the set lacks it)."""

    code: str
    description: str

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "description": self.description}


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem on the claim.

    `rule` is a stable id (`ncci.ptp`, `policy.epidural.frequency`, ...); `lines` are 1-based;
    `at_risk` is the expected allowed amount the finding puts at risk (None when it cannot be
    priced); `source` names the file and release or the policy citation."""

    rule: str
    severity: Severity
    lines: tuple[int, ...]
    message: str
    carc: tuple[AdjustmentRef, ...]
    rarc: tuple[AdjustmentRef, ...]
    at_risk: Decimal | None
    fix: str
    appeal: AppealAdvice | None
    source: str
    confidence: Confidence

    def as_dict(self) -> dict[str, object]:
        return {
            "rule": self.rule,
            "severity": self.severity.value,
            "lines": list(self.lines),
            "message": self.message,
            "carc": [c.as_dict() for c in self.carc],
            "rarc": [r.as_dict() for r in self.rarc],
            "at_risk": _money(self.at_risk),
            "fix": self.fix,
            "appeal": self.appeal.as_dict() if self.appeal else None,
            "source": self.source,
            "confidence": self.confidence.value,
        }


@dataclass(frozen=True, slots=True)
class Guidance:
    """Advice that is not a problem: documentation to keep, a modifier to add if it applies."""

    rule: str
    lines: tuple[int, ...]
    message: str
    source: str

    def as_dict(self) -> dict[str, object]:
        return {
            "rule": self.rule,
            "lines": list(self.lines),
            "message": self.message,
            "source": self.source,
        }


@dataclass(frozen=True, slots=True)
class PricedLine:
    """A line's expected allowed amount as billed, and once the findings are applied.
    `status` is `paid`, `denied` (a deny finding) or `unpriced` (with `note` saying why);
    `schedule` names the fee schedule that pays the code ("pfs", "clfs", "dmepos", ...).
    `date_of_service` and `place_of_service` are set on the lines of a claim that spans
    several dates, places or providers (each line was checked on its own; None otherwise)."""

    line: int
    hcpcs: str
    modifiers: tuple[str, ...]
    units: int
    charge: Decimal | None
    allowed_as_billed: Decimal | None
    expected_allowed: Decimal | None
    status: str
    note: str = ""
    schedule: str = "pfs"  # the fee schedule that pays the code (`medpayiq.schedules`)
    date_of_service: str | None = None
    place_of_service: str | None = None

    def as_dict(self) -> dict[str, object]:
        out: dict[str, object] = {
            "line": self.line,
            "hcpcs": self.hcpcs,
            "modifiers": list(self.modifiers),
            "units": self.units,
            "charge": _money(self.charge),
            "allowed_as_billed": _money(self.allowed_as_billed),
            "expected_allowed": _money(self.expected_allowed),
            "status": self.status,
            "note": self.note,
            "schedule": self.schedule,
        }
        if self.date_of_service is not None:
            out["date_of_service"] = self.date_of_service
            out["place_of_service"] = self.place_of_service
        return out


@dataclass(frozen=True, slots=True)
class PricedClaim:
    """The claim priced by the pricing engine: per line and in total. `locality` is the
    Medicare locality used (None if the location could not be resolved)."""

    locality: str | None
    facility: bool | None
    lines: tuple[PricedLine, ...]
    total_as_billed: Decimal | None
    total_expected: Decimal | None
    at_risk: Decimal | None
    source: str
    confidence: Confidence
    notes: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, object]:
        return {
            "locality": self.locality,
            "facility": self.facility,
            "lines": [line.as_dict() for line in self.lines],
            "total_as_billed": _money(self.total_as_billed),
            "total_expected": _money(self.total_expected),
            "at_risk": _money(self.at_risk),
            "source": self.source,
            "confidence": self.confidence.value,
            "notes": list(self.notes),
        }


@dataclass(frozen=True, slots=True)
class CheckResult:
    """Everything the checker says about one claim. `notes` say which data was used and
    what was missing (an NCCI quarter older than the date of service, no coverage export)."""

    claim_id: str | None
    date_of_service: str
    findings: tuple[Finding, ...]
    guidance: tuple[Guidance, ...]
    priced: PricedClaim
    notes: tuple[str, ...]
    sources: tuple[str, ...]
    confidence: Confidence
    checks_run: tuple[str, ...] = field(default=())

    @property
    def worst(self) -> Severity | None:
        if not self.findings:
            return None
        return max((f.severity for f in self.findings), key=lambda s: s.rank)

    def as_dict(self) -> dict[str, object]:
        return {
            "claim_id": self.claim_id,
            "date_of_service": self.date_of_service,
            "findings": [f.as_dict() for f in self.findings],
            "guidance": [g.as_dict() for g in self.guidance],
            "priced": self.priced.as_dict(),
            "notes": list(self.notes),
            "sources": list(self.sources),
            "confidence": self.confidence.value,
            "checks_run": list(self.checks_run),
        }
