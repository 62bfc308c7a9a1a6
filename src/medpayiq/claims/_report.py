"""What a scrub says about each claim of a file (`ClaimReport`) and about the whole input
(`Summary`): the shapes the CLI, the API and the web page render. Frozen records with
`as_dict()` (JSON-ready: money as strings, dates ISO).

A report names the claim by its CLM01 and says what to act on: its lines (code, modifiers,
units, date, place, charge, expected allowed), findings, totals and, for a claim the reader
rejected, the structural problems with their positions. It carries no name, member id or
birth date.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from medpayiq.edits import AdjustmentRef, Finding, Severity, remember
from medpayiq.json_text import date_json, money_json
from medpayiq.json_text import money_text as _money
from medpayiq.knowledge import AppealAdvice
from medpayiq.money import ZERO
from medpayiq.x12 import X12Problem

__all__ = [
    "STATUSES",
    "ClaimReport",
    "ReportLine",
    "RuleTally",
    "Summary",
    "Tally",
    "problem_dict",
    "tally",
]

# clean: no deny or review finding; review; deny; rejected: the reader could not take the
# claim (structural problems); void: a void claim (8), reported, not checked.
STATUSES = ("clean", "review", "deny", "rejected", "void")
FREQUENCIES = {"1": "original", "7": "replacement", "8": "void"}


def _units(units: Decimal) -> int | float:
    whole = int(units)
    return whole if whole == units else float(units)


def problem_dict(problem: X12Problem) -> dict[str, Any]:
    """An X12 problem as JSON: code, severity, message and its 999-style position."""
    return {
        "code": problem.code,
        "severity": problem.severity.value,
        "message": problem.message,
        "where": problem.where,
        "claim_id": problem.claim_id,
        "transaction": problem.transaction,
        "segment_position": problem.segment_position,
        "segment_id": problem.segment_id,
        "loop": problem.loop,
        "element": problem.element,
        "component": problem.component,
        "line": problem.line,
        "offset": problem.offset,
    }


@dataclass(frozen=True, slots=True)
class ReportLine:
    """One service line as billed (SV1 and its date) and as expected: `allowed` is the
    expected allowed amount once the findings apply (None: not priced, `note` says why)."""

    line: int
    hcpcs: str
    modifiers: tuple[str, ...]
    units: Decimal
    date_of_service: date
    date_end: date | None  # the end of a DTP*472 range (RD8), None for one day
    place_of_service: str
    provider_npi: str | None
    charge: Decimal
    allowed_as_billed: Decimal | None
    allowed: Decimal | None
    status: str  # paid, denied, unpriced, not-checked
    note: str = ""
    schedule: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "line": self.line,
            "hcpcs": self.hcpcs,
            "modifiers": list(self.modifiers),
            "units": _units(self.units),
            "date_of_service": self.date_of_service.isoformat(),
            "date_end": self.date_end.isoformat() if self.date_end else None,
            "place_of_service": self.place_of_service,
            "provider_npi": self.provider_npi,
            "charge": _money(self.charge),
            "allowed_as_billed": _money(self.allowed_as_billed),
            "allowed": _money(self.allowed),
            "status": self.status,
            "note": self.note,
            "schedule": self.schedule,
        }

    def as_json(self) -> str:
        """`json.dumps(self.as_dict(), ensure_ascii=False)`, written directly (the dict and
        the encoder's walk over it cost more than the line's text)."""
        end = date_json(self.date_end)
        modifiers = ", ".join([_string(m) for m in self.modifiers])
        return (
            f'{{"line": {self.line!r}, "hcpcs": {_string(self.hcpcs)}, '
            f'"modifiers": [{modifiers}], "units": {_units(self.units)!r}, '
            f'"date_of_service": {date_json(self.date_of_service)}, '
            f'"date_end": {end}, '
            f'"place_of_service": {_string(self.place_of_service)}, '
            f'"provider_npi": {_optional(self.provider_npi)}, '
            f'"charge": {money_json(self.charge)}, '
            f'"allowed_as_billed": {money_json(self.allowed_as_billed)}, '
            f'"allowed": {money_json(self.allowed)}, "status": {_string(self.status)}, '
            f'"note": {_string(self.note)}, "schedule": {_string(self.schedule)}}}'
        )


# What json.dumps(..., ensure_ascii=False) writes a string as.
_string: Callable[[str], str] = json.encoder.encode_basestring


def _optional(text: str | None) -> str:
    return "null" if text is None else _string(text)


_TEXTS = 4_096  # finding parts (CARCs, RARCs, appeal advice) kept as JSON text


_FINDING_JSON_BY_ID: dict[int, tuple[Finding, str]] = {}
_PARTS_JSON_BY_ID: dict[int, tuple[object, str]] = {}


def _finding_json(finding: Finding) -> str:
    """`finding.as_dict()` as JSON text. The checker shares its finding objects between the
    claims of an encounter, so the text is kept by object (the entry holds the finding: its
    id cannot be reused while it lives). A finding new to the table is written directly
    (`_finding_text`): on a claim on several dates most are (their lines renumbered), and
    hashing one by its eleven fields to find an equal one cost about as much."""
    by_id = _FINDING_JSON_BY_ID.get(id(finding))
    if by_id is not None and by_id[0] is finding:
        return by_id[1]
    found = _finding_text(finding)
    remember(_FINDING_JSON_BY_ID, id(finding), (finding, found))  # about 1 KB each
    return found


def _finding_text(f: Finding) -> str:
    """`json.dumps(f.as_dict(), ensure_ascii=False)`, written directly: the CARCs, RARCs
    and appeal advice come from a few shared objects, whose text is kept by object."""
    lines = ", ".join([repr(n) for n in f.lines])
    return (
        f'{{"rule": {_string(f.rule)}, "severity": {_string(f.severity.value)}, '
        f'"lines": [{lines}], "message": {_string(f.message)}, '
        f'"carc": {_parts_json(f.carc)}, "rarc": {_parts_json(f.rarc)}, '
        f'"at_risk": {money_json(f.at_risk)}, "fix": {_string(f.fix)}, '
        f'"appeal": {_parts_json(f.appeal)}, "source": {_string(f.source)}, '
        f'"confidence": {_string(f.confidence.value)}}}'
    )


def _parts_json(part: tuple[AdjustmentRef, ...] | AppealAdvice | None) -> str:
    """A finding's CARCs or RARCs, or its appeal advice, as `Finding.as_dict` gives them,
    in JSON; kept by object (the entry holds it, so its id cannot be reused while it
    lives)."""
    if part is None:
        return "null"
    found = _PARTS_JSON_BY_ID.get(id(part))
    if found is not None and found[0] is part:
        return found[1]
    value = part.as_dict() if isinstance(part, AppealAdvice) else [r.as_dict() for r in part]
    text = json.dumps(value, ensure_ascii=False)
    remember(_PARTS_JSON_BY_ID, id(part), (part, text), _TEXTS)
    return text


@dataclass(frozen=True, slots=True)
class ClaimReport:
    """One claim of the input: its status (`STATUSES`), lines, findings and totals.
    `at_risk` is what the deny findings put at risk (the expected allowed amount of the
    lines they deny); `problems` are the reader's, for a rejected claim."""

    claim_id: str | None
    status: str
    frequency: str  # original, replacement, void ("" when the reader could not tell)
    lines: tuple[ReportLine, ...]
    findings: tuple[Finding, ...]
    problems: tuple[X12Problem, ...] = ()
    charge: Decimal | None = None  # CLM02
    allowed_as_billed: Decimal | None = None
    expected_allowed: Decimal | None = None
    at_risk: Decimal = ZERO
    payer_claim_number: str | None = None  # REF*F8 (the payer's, not the patient's)
    medicare: bool | None = None  # SBR09 is MB (Medicare Part B)
    confidence: str | None = None
    file: str | None = None
    transaction: str | None = None
    segment: int | None = None  # the CLM's position in its transaction
    guidance: tuple[str, ...] = ()

    @property
    def review_at_risk(self) -> Decimal:
        """What the review findings put at risk (lines a deny finding does not already)."""
        return sum(
            (f.at_risk for f in self.findings if f.severity is Severity.REVIEW and f.at_risk),
            ZERO,
        )

    def as_dict(self) -> dict[str, Any]:
        return {**self._head(), "findings": [f.as_dict() for f in self.findings], **self._tail()}

    def as_json(self) -> str:
        """`json.dumps(self.as_dict(), ensure_ascii=False)`, byte for byte, written directly:
        each finding's text is made once for all the claims that share it (`_finding_json`),
        and the lines and the rest without building their dicts."""
        lines = ", ".join([line.as_json() for line in self.lines])
        findings = ", ".join([_finding_json(f) for f in self.findings])
        guidance = ", ".join([_string(g) for g in self.guidance])
        problems = (
            json.dumps([problem_dict(p) for p in self.problems], ensure_ascii=False)
            if self.problems
            else "[]"
        )
        medicare = self.medicare
        return (
            f'{{"claim_id": {_optional(self.claim_id)}, "status": {_string(self.status)}, '
            f'"frequency": {_string(self.frequency)}, '
            f'"payer_claim_number": {_optional(self.payer_claim_number)}, '
            f'"medicare": {"null" if medicare is None else "true" if medicare else "false"}, '
            f'"file": {_optional(self.file)}, "transaction": {_optional(self.transaction)}, '
            f'"segment": {"null" if self.segment is None else repr(self.segment)}, '
            f'"lines": [{lines}], "findings": [{findings}], "guidance": [{guidance}], '
            f'"problems": {problems}, "totals": {{"charge": {money_json(self.charge)}, '
            f'"allowed_as_billed": {money_json(self.allowed_as_billed)}, '
            f'"expected_allowed": {money_json(self.expected_allowed)}, '
            f'"at_risk": {money_json(self.at_risk)}}}, '
            f'"confidence": {_optional(self.confidence)}}}'
        )

    def _head(self) -> dict[str, Any]:
        return {
            "claim_id": self.claim_id,
            "status": self.status,
            "frequency": self.frequency,
            "payer_claim_number": self.payer_claim_number,
            "medicare": self.medicare,
            "file": self.file,
            "transaction": self.transaction,
            "segment": self.segment,
            "lines": [line.as_dict() for line in self.lines],
        }

    def _tail(self) -> dict[str, Any]:
        return {
            "guidance": list(self.guidance),
            "problems": [problem_dict(p) for p in self.problems],
            "totals": {
                "charge": _money(self.charge),
                "allowed_as_billed": _money(self.allowed_as_billed),
                "expected_allowed": _money(self.expected_allowed),
                "at_risk": _money(self.at_risk),
            },
            "confidence": self.confidence,
        }


@dataclass(slots=True)
class RuleTally:
    """One rule across the input: findings, claims and lines it flags, dollars at risk."""

    rule: str
    severity: str
    findings: int = 0
    lines: int = 0
    at_risk: Decimal = ZERO

    def as_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "severity": self.severity,
            "findings": self.findings,
            "lines": self.lines,
            "at_risk": _money(self.at_risk),
        }


# What the summary reads of a claim: status, lines, charge, allowed as billed, expected
# allowed, at risk (deny), at risk (review), and (rule, severity, lines, at risk) per finding.
Tally = tuple[
    str,
    int,
    Decimal | None,
    Decimal | None,
    Decimal | None,
    Decimal,
    Decimal,
    tuple[tuple[str, str, int, Decimal | None], ...],
]


def tally(report: ClaimReport) -> Tally:
    """What `Summary` adds up of a claim, small enough to pass between processes."""
    return (
        report.status,
        len(report.lines),
        report.charge,
        report.allowed_as_billed,
        report.expected_allowed,
        report.at_risk,
        report.review_at_risk,
        tuple((f.rule, f.severity.value, len(f.lines), f.at_risk) for f in report.findings),
    )


@dataclass(slots=True)
class Summary:
    """The input so far: claims by status, dollars, findings by rule, the reference notes
    (said once for the input, not per claim: at most 1,000, sorted) and the files read."""

    claims: int = 0
    lines: int = 0
    by_status: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STATUSES, 0))
    charge: Decimal = ZERO
    allowed_as_billed: Decimal = ZERO
    expected_allowed: Decimal = ZERO
    at_risk: Decimal = ZERO
    review_at_risk: Decimal = ZERO
    by_rule: dict[str, RuleTally] = field(default_factory=dict)
    notes: dict[str, None] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)
    problems: int = 0

    def add(self, report: ClaimReport, notes: tuple[str, ...] = ()) -> None:
        self.add_tally(tally(report), notes)

    def add_tally(self, counted: Tally, notes: Iterable[str] = ()) -> None:
        """Add a claim's `tally` (what a worker process sends instead of the report)."""
        status, lines, charge, billed, expected, at_risk, review, rules = counted
        self.claims += 1
        self.lines += lines
        self.by_status[status] += 1
        if charge is not None:
            self.charge += charge
        if billed is not None:
            self.allowed_as_billed += billed
        if expected is not None:
            self.expected_allowed += expected
        self.at_risk += at_risk
        self.review_at_risk += review
        for rule, severity, count, risk in rules:
            found = self.by_rule.get(rule)
            if found is None:
                found = self.by_rule[rule] = RuleTally(rule, severity)
            found.findings += 1
            found.lines += count
            if risk is not None and severity != "info":
                found.at_risk += risk
        for note in notes:
            if note not in self.notes and len(self.notes) < 1000:
                self.notes[note] = None

    def rules(self) -> list[RuleTally]:
        """The rules by dollars at risk, then findings."""
        return sorted(self.by_rule.values(), key=lambda t: (-t.at_risk, -t.findings, t.rule))

    def as_dict(self) -> dict[str, Any]:
        return {
            "files": list(self.files),
            "claims": self.claims,
            "lines": self.lines,
            **self.by_status,
            "charge": _money(self.charge),
            "allowed_as_billed": _money(self.allowed_as_billed),
            "expected_allowed": _money(self.expected_allowed),
            "at_risk": _money(self.at_risk),
            "review_at_risk": _money(self.review_at_risk),
            "problems": self.problems,
            "by_rule": [t.as_dict() for t in self.rules()],
            "notes": sorted(self.notes),
        }
