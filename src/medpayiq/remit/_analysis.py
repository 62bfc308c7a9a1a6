"""One remittance claim analysed: each line's expected amounts, variance and cause, its
adjustments and remarks in words, its route with the deadline, and (with the 837 claim) whether
the claim checker would have caught the denial before the claim was sent.

`Analyzer.claim(payment)` is called once per `ClaimPayment` in file order; the report
(`_report.py`) pairs reversals with their corrections and sums everything up.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, NamedTuple

from medpayiq.claims import to_claim
from medpayiq.edits import CheckResult, check_claim
from medpayiq.edits import Severity as CheckSeverity
from medpayiq.errors import MedPayIQError
from medpayiq.json_text import money_text as _money
from medpayiq.knowledge import denial_guidance
from medpayiq.pricing import Location
from medpayiq.records import AdjustmentCode
from medpayiq.reference import ReferenceData
from medpayiq.schedules import Priced, PriceRequest, Terms, price_period
from medpayiq.x12 import (
    ADJUSTMENT_GROUPS,
    Adjustment,
    Claim837,
    ClaimPayment,
    ServicePayment,
)

from ._expected import (
    NO_REQUEST,
    TOLERANCE,
    Cause,
    Expected,
    expected_paid,
    find_cause,
    price_claim_lines,
)
from ._letters import RedeterminationRequest, bundling_advice, disagreement
from ._routes import ROUTES, LineRoute, RouteKind, line_route

__all__ = ["Analyzer", "ClaimAnalysis", "LineAnalysis", "code_text"]

_DEFAULT_POS = "11"
_REDUCING = frozenset("234567")  # PPRRVU MULT PROC indicators that reduce across lines
# CLP06 of a Medicare claim (MA Part A, MB Part B); a claim without one is taken as Medicare's.
_MEDICARE = frozenset({None, "MA", "MB"})
_NOT_MEDICARE = (
    "not a Medicare claim (CLP06): the payer's own appeal rules and deadlines apply; "
    "no variance against the Medicare fee schedule"
)


class _Wanted(NamedTuple):
    """What prices a line, as a plain tuple: a frozen dataclass (PriceRequest, Location)
    sets each field through object.__setattr__ and hashes in Python, several microseconds a
    line; a tuple is made and hashed in C. `key` is the line's part of a memo key (its date
    goes in as the pricing period); `request()` is made only when the memo lacks a price or
    a cause is looked for."""

    hcpcs: str
    modifiers: tuple[str, ...]
    units: int
    zip5: str | None  # None: no ZIP, the national amount (Location())
    pos: str
    charge: Decimal
    day: date

    @property
    def key(self) -> tuple[Any, ...]:
        return self[:6]  # every field but the date

    def request(self) -> PriceRequest:
        return PriceRequest(
            self.hcpcs,
            self.day,
            self.modifiers,
            self.units,
            Location(zip=self.zip5) if self.zip5 else Location(),
            self.pos,
            charge=self.charge,
        )


# one object for every such line (the JSON encoder keeps a cause's text by the object)
_SHARE_DIFFERS = Cause(
    "unexplained",
    "the payer allowed the fee schedule amount but paid a different share of it (deductible, "
    "coinsurance or sequestration)",
)


def code_text(codes: Mapping[str, AdjustmentCode], code: str) -> dict[str, Any]:
    """A CARC or RARC with its text from the loaded adjustment code list; a code the list
    does not have is kept and marked unknown."""
    entry = codes.get(code)
    if entry is not None:
        return {"code": code, "text": entry.description, "known": True}
    guidance = denial_guidance(code)
    return {
        "code": code,
        "text": f"unknown code {code}" + (f" ({guidance.plain})" if guidance else ""),
        "known": False,
    }


def adjustment_dict(codes: Mapping[str, AdjustmentCode], a: Adjustment) -> dict[str, Any]:
    text = code_text(codes, a.reason)
    return {
        "group": a.group,
        "group_text": ADJUSTMENT_GROUPS.get(a.group, f"unknown group {a.group}"),
        "reason": a.reason,
        "text": text["text"],
        "known": text["known"],
        "amount": _money(a.amount),
        "quantity": None if a.quantity is None else str(a.quantity),
    }


@dataclass(slots=True)
class LineAnalysis:
    """One service line: what was billed, allowed and paid, what the fee schedule says, and
    the route. `status`: `paid_right`, `underpaid`, `overpaid`, `denied`, `not_priced`,
    `reversal`, `not_medicare` (another payer's claim: not compared). `variance` = paid -
    expected_paid, None when the line is paid right (within a cent), denied or not priced."""

    line: int
    payment: ServicePayment
    hcpcs: str | None
    date_of_service: date | None
    allowed: Decimal | None
    allowed_source: str
    expected: Expected | None = None
    expected_paid: Decimal | None = None
    variance: Decimal | None = None
    allowed_variance: Decimal | None = None
    status: str = "not_priced"
    cause: Cause | None = None
    route: LineRoute | None = None
    preventable: bool | None = None
    preventable_rule: str | None = None
    at_stake: Decimal = Decimal(0)
    line_837: int | None = None
    letter: RedeterminationRequest | None = None
    denial_carcs: tuple[str, ...] = ()

    @property
    def expected_allowed(self) -> Decimal | None:
        return self.expected.allowed if self.expected is not None else None

    def as_dict(self, codes: Mapping[str, AdjustmentCode]) -> dict[str, Any]:
        p = self.payment
        priced = self.expected.priced if self.expected else None
        return {
            "line": self.line,
            "hcpcs": self.hcpcs,
            "modifiers": list(p.modifiers),
            "billed_hcpcs": p.billed_procedure,
            "units": str(p.units),
            "date_of_service": self.date_of_service.isoformat() if self.date_of_service else None,
            "charge": _money(p.charge),
            "allowed": _money(self.allowed),
            "allowed_source": self.allowed_source,
            "paid": _money(p.paid),
            "expected_allowed": _money(self.expected_allowed),
            "expected_paid": _money(self.expected_paid),
            "variance": _money(self.variance),
            "allowed_variance": _money(self.allowed_variance),
            "status": self.status,
            "cause": self.cause.as_dict() if self.cause else None,
            "schedule": priced.schedule.name if priced else None,
            "release": priced.release if priced else None,
            "pricing_note": self.expected.note if self.expected else "",
            "adjustments": [adjustment_dict(codes, a) for a in p.adjustments],
            "remarks": [code_text(codes, r) for r in p.remarks],
            "route": self.route.as_dict() if self.route else None,
            "preventable": self.preventable,
            "preventable_rule": self.preventable_rule,
            "at_stake": _money(self.at_stake),
            "line_837": self.line_837,
        }


@dataclass(slots=True)
class ClaimAnalysis:
    """One CLP loop analysed. `pair` is set on a reversal and its correction."""

    payment: ClaimPayment
    lines: list[LineAnalysis]
    route: LineRoute | None
    notice: date | None
    checked: CheckResult | None = None
    pair: dict[str, Any] | None = None
    problems: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self, codes: Mapping[str, AdjustmentCode]) -> dict[str, Any]:
        c = self.payment
        r = c.remittance
        return {
            "claim_id": c.claim_id,
            "payer_claim_number": c.payer_claim_number,
            "status": c.status,
            "status_text": c.status_text,
            "charge": _money(c.charge),
            "paid": _money(c.paid),
            "patient_responsibility": _money(c.patient_responsibility),
            "payer": r.payer.name,
            "remittance_date": self.notice.isoformat() if self.notice else None,
            "trace_number": r.trace_number,
            "adjustments": [adjustment_dict(codes, a) for a in c.adjustments],
            "remarks": [code_text(codes, m) for m in c.remarks],
            "route": self.route.as_dict() if self.route else None,
            "checked": self.checked is not None,
            "pair": self.pair,
            "lines": [line.as_dict(codes) for line in self.lines],
            "problems": self.problems,
        }


def _notice_date(payment: ClaimPayment) -> date | None:
    """The date of the initial determination notice: the remittance's payment date (BPR16),
    else its production date (DTM*405)."""
    r = payment.remittance
    return r.payment_date or r.production_date


# PR reasons that are the patient's cost share of a paid service, not a denial.
_COST_SHARE = frozenset({"1", "2", "3", "66"})


def _is_denial(a: Adjustment) -> bool:
    """A CO/OA/PI denial, or a PR one that makes the patient liable for a service Medicare
    does not pay (PR-204, PR-96 with an ABN ...); not the deductible or coinsurance."""
    if a.amount == 0 or a.reason in ("45", "253"):
        return False
    if a.group == "PR":
        return a.reason not in _COST_SHARE
    guidance = denial_guidance(a.reason)
    return guidance is None or guidance.is_denial


class Analyzer:
    """Analyses claims one at a time against the reference data (module docstring).
    `claims837` maps CLM01 to the 837 claim sent, when the user gave the 837 files."""

    def __init__(
        self, reference: ReferenceData, claims837: Mapping[str, Claim837] | None = None
    ) -> None:
        self.reference = reference
        self.claims837 = claims837 or {}
        self.codes = reference.code_sets().adjustments
        # What is worked out once per file: the pricing period of a date, a claim's lines
        # priced (by period, not date: `schedules.price_period`), a line's cause.
        # A period (a tuple of every schedule's files and releases) and a Terms are hashed
        # field by field on every lookup; the memo keys carry a small number for each instead.
        self._periods: dict[date, int] = {}
        self._period_ids: dict[Hashable, int] = {}
        self._terms_ids: dict[Terms, int] = {}
        self._priced: dict[Hashable, list[Expected]] = {}
        self._causes: dict[Hashable, Cause] = {}
        self._indicators: dict[Hashable, tuple[str, str]] = {}

    def claim(self, payment: ClaimPayment) -> ClaimAnalysis:
        notice = _notice_date(payment)
        sent = self.claims837.get(payment.claim_id)
        services = payment.lines or (_claim_as_line(payment),)
        lines = [self._line(i, svc, payment) for i, svc in enumerate(services, 1)]
        if not payment.lines:
            lines[0].line = 0  # the claim itself: adjusted at claim level only
        out = ClaimAnalysis(payment, lines, None, notice)
        if payment.reversal:
            for line in lines:
                line.status = "reversal"
            return out
        matched = _match_lines(payment, sent) if sent is not None else {}
        for line in lines:
            line.line_837 = matched.get(line.line)
        self._price(payment, lines, sent)
        if sent is not None:
            out.checked = self._check(sent)
        for line in lines:
            self._route(payment, line, notice, out.checked)
        out.route = self._claim_route(payment, lines, notice)
        return out

    # --- per line ------------------------------------------------------------------------

    def _line(self, index: int, svc: ServicePayment, payment: ClaimPayment) -> LineAnalysis:
        day = (
            svc.dates.start
            if svc.dates
            else (payment.statement.start if payment.statement else None)
        )
        if svc.allowed is not None:
            allowed: Decimal | None = svc.allowed
            source = "AMT*B6"
        else:
            reduced = sum(
                (
                    a.amount
                    for a in svc.adjustments
                    if a.reason != "253" and not (a.group == "PR" and a.reason in _COST_SHARE)
                ),
                Decimal(0),
            )
            allowed = svc.charge - reduced
            source = "charge less the adjustments other than cost share and sequestration"
        denial = tuple(a.reason for a in svc.adjustments if _is_denial(a))
        return LineAnalysis(index, svc, svc.procedure, day, allowed, source, denial_carcs=denial)

    def _request(
        self, payment: ClaimPayment, line: LineAnalysis, sent: Claim837 | None
    ) -> _Wanted | None:
        svc = line.payment
        if not line.hcpcs or line.date_of_service is None or svc.units <= 0:
            return None
        pos = payment.facility_code or _DEFAULT_POS
        zip5 = payment.remittance.payee.zip5
        if sent is not None:
            zip5 = (sent.locality_zip or "")[:5] or zip5
            if line.line_837 is not None:
                pos = sent.lines[line.line_837 - 1].place_of_service or pos
        return _Wanted(
            line.hcpcs,
            svc.modifiers,
            max(1, math.ceil(svc.units)),
            zip5 or None,
            pos,
            svc.charge,
            line.date_of_service,
        )

    def _price(
        self, payment: ClaimPayment, lines: list[LineAnalysis], sent: Claim837 | None
    ) -> None:
        terms = Terms(non_participating=sent is not None and sent.assignment == "C")
        requests = [self._request(payment, line, sent) for line in lines]
        expected = self._expected_lines(requests, terms)
        medicare = payment.filing_indicator in _MEDICARE
        for line, request, exp in zip(lines, requests, expected, strict=True):
            line.expected = exp
            svc = line.payment
            denied = bool(line.denial_carcs) and svc.paid == 0
            if exp.priced is None or exp.allowed is None or line.date_of_service is None:
                line.status = "denied" if denied else "not_priced"
                continue
            if not medicare and not denied:
                line.status = "not_medicare"
                continue
            deductible = sum(
                (a.amount for a in svc.adjustments if a.group == "PR" and a.reason == "1"),
                Decimal(0),
            )
            if denied:
                line.status = "denied"
                line.expected_paid = expected_paid(
                    exp.priced, exp.allowed, deductible=Decimal(0), day=line.date_of_service
                )
                line.at_stake = line.expected_paid
                continue
            line.expected_paid = expected_paid(
                exp.priced, exp.allowed, deductible=deductible, day=line.date_of_service
            )
            variance = svc.paid - line.expected_paid
            if line.allowed is not None:
                line.allowed_variance = line.allowed - exp.allowed
            if abs(variance) <= TOLERANCE and (
                line.allowed_variance is None or abs(line.allowed_variance) <= TOLERANCE
            ):
                line.status = "paid_right"
                line.allowed_variance = None
                line.denial_carcs = ()  # its reductions are the fee schedule's own
                continue
            line.variance = variance
            line.status = "underpaid" if variance < 0 else "overpaid"
            line.at_stake = -variance if variance < 0 else Decimal(0)
            if (
                request is not None
                and line.allowed is not None
                and line.allowed_variance is not None
                and abs(line.allowed_variance) > TOLERANCE
            ):
                line.cause = self._cause(request, exp.priced, line.allowed, terms)
            else:
                line.cause = _SHARE_DIFFERS

    def _period(self, day: date) -> int:
        """The number of `day`'s pricing period (the same for two dates that price alike)."""
        number = self._periods.get(day)
        if number is None:
            period: Hashable
            try:
                period = ("period", price_period(self.reference, day))
            except MedPayIQError:
                period = ("day", day)
            number = self._period_ids.setdefault(period, len(self._period_ids))
            self._periods[day] = number
        return number

    def _terms_id(self, terms: Terms) -> int:
        return self._terms_ids.setdefault(terms, len(self._terms_ids))

    def _expected_lines(self, requests: list[_Wanted | None], terms: Terms) -> list[Expected]:
        """Each line priced. On one date, the lines whose multiple procedure indicator
        reduces across lines (2-7), when there are two or more, are priced together (all of
        the date's lines when one is status T); the others each on its own. Both are kept per
        pricing period (a group by its lines in a fixed order), so a file's repeated lines and
        procedure combinations are priced once."""
        out = [NO_REQUEST] * len(requests)
        terms_id = self._terms_id(terms)
        groups: dict[date, list[int]] = {}
        for i, r in enumerate(requests):
            if r is not None:
                groups.setdefault(r.day, []).append(i)
        for day, at in groups.items():
            period = self._period(day)
            together = self._together(day, period, [requests[i] for i in at]) if len(at) > 1 else []  # type: ignore[misc]
            if len(together) > 1:
                chosen = [at[k] for k in together]
                keys = {i: requests[i].key for i in chosen}  # type: ignore[union-attr]
                chosen.sort(key=lambda i: repr(keys[i]))
                key: Hashable = (terms_id, period, tuple(keys[i] for i in chosen))
                got = self._priced.get(key)
                if got is None:
                    wanted = [requests[i].request() for i in chosen]  # type: ignore[union-attr]
                    got = price_claim_lines(self.reference, wanted, terms)
                    self._priced[key] = got
                for i, e in zip(chosen, got, strict=True):
                    out[i] = e
            for i in at:
                request = requests[i]
                if out[i].priced is not None or request is None:
                    continue
                key = (terms_id, period, request.key)
                found = self._priced.get(key)
                if found is None:
                    found = price_claim_lines(self.reference, [request.request()], terms)
                    self._priced[key] = found
                out[i] = found[0]
        return out

    def _together(self, day: date, period: int, lines: list[_Wanted]) -> list[int]:
        """The positions of the lines of one date to price together: those with a multiple
        procedure indicator that reduces (2-7); every line when one is status T."""
        reducing: list[int] = []
        for k, r in enumerate(lines):
            row = "26" if "26" in r.modifiers else "TC" if "TC" in r.modifiers else ""
            key = (period, r.hcpcs, row)
            found = self._indicators.get(key)
            if found is None:
                try:
                    rvu = self.reference.fee_schedule(day).rvus.get((r.hcpcs, row))
                except MedPayIQError:
                    return list(range(len(lines)))
                found = (rvu.mult_proc, rvu.status) if rvu is not None else ("", "")
                self._indicators[key] = found
            mult_proc, status = found
            if status == "T":
                return list(range(len(lines)))
            if mult_proc in _REDUCING:
                reducing.append(k)
        return reducing

    def _cause(self, request: _Wanted, priced: Priced, allowed: Decimal, terms: Terms) -> Cause:
        key = (
            request.key,
            self._period(request.day),
            priced.allowed,
            allowed,
            self._terms_id(terms),
        )
        cause = self._causes.get(key)
        if cause is None:
            cause = find_cause(self.reference, request.request(), priced, allowed, terms)
            self._causes[key] = cause
        return cause

    def _route(
        self,
        payment: ClaimPayment,
        line: LineAnalysis,
        notice: date | None,
        checked: CheckResult | None,
    ) -> None:
        svc = line.payment
        adjustments = svc.adjustments or (payment.adjustments if len(payment.lines) == 1 else ())
        medicare = payment.filing_indicator in _MEDICARE
        line.route = line_route(
            adjustments,
            (*svc.remarks, *payment.remarks),
            notice=notice if medicare else None,
            service=line.date_of_service if medicare else None,
            underpaid=line.status == "underpaid",
            paid_right=line.status == "paid_right",
            note="" if medicare else _NOT_MEDICARE,
        )
        if line.status == "denied" and line.route is not None:
            if line.route.kind is RouteKind.BILL_PATIENT:
                line.at_stake = Decimal(0)  # the patient owes it: nothing to recover
            elif line.route.kind.actionable and line.at_stake == 0:
                line.at_stake = line.route.amount  # not priced: what the payer adjusted
        if checked is not None and line.denial_carcs:
            line.preventable = False
            if line.line_837 is not None:
                for finding in checked.findings:
                    if line.line_837 in finding.lines and finding.severity in (
                        CheckSeverity.DENY,
                        CheckSeverity.REVIEW,
                    ):
                        line.preventable = True
                        line.preventable_rule = finding.rule
                        break
        if medicare and line.route is not None and line.route.kind is RouteKind.REDETERMINATION:
            line.letter = self._letter(payment, line, notice)

    def _letter(
        self, payment: ClaimPayment, line: LineAnalysis, notice: date | None
    ) -> RedeterminationRequest:
        svc = line.payment
        others = [
            s.procedure
            for s in payment.lines
            if s is not svc
            and s.procedure
            and (s.dates.start if s.dates else None) == (svc.dates.start if svc.dates else None)
        ]
        reason, rule = disagreement(
            self.reference,
            line.hcpcs or "",
            svc.modifiers,
            max(1, math.ceil(svc.units)),
            line.date_of_service,
            line.denial_carcs,
            (*svc.remarks, *payment.remarks),
            others,
        )
        patient = payment.patient
        name = None
        if patient is not None:
            name = " ".join(p for p in (patient.first, patient.last) if p)
        member = payment.corrected_member_id or (patient.member_id if patient else None)
        r = payment.remittance
        route = line.route
        assert route is not None
        item = (
            " ".join([line.hcpcs or "(no code)", *(f"-{m}" for m in svc.modifiers)])
            + f", {svc.units} unit(s), charge {svc.charge:.2f}"
        )
        return RedeterminationRequest(
            beneficiary_name=name,
            medicare_number=member,
            item_or_service=item,
            date_of_service=line.date_of_service.isoformat() if line.date_of_service else None,
            claim_number=payment.payer_claim_number,
            patient_control_number=payment.claim_id,
            line=line.line,
            contractor=r.payer.name + (f" ({r.payer.identifier})" if r.payer.identifier else ""),
            notice_date=notice.isoformat() if notice else None,
            deadline=route.deadline.isoformat() if route.deadline else None,
            reason=reason,
            rule=rule,
            advice=bundling_advice(line.hcpcs or "", line.date_of_service, others)
            if line.date_of_service is not None and set(line.denial_carcs) & {"97", "236"}
            else "",
            send=ROUTES[RouteKind.REDETERMINATION].send,
            requester=r.payee.name,
            requester_npi=r.payee.npi,
        )

    # --- per claim -----------------------------------------------------------------------

    def _claim_route(
        self, payment: ClaimPayment, lines: list[LineAnalysis], notice: date | None
    ) -> LineRoute | None:
        routes = [line.route for line in lines if line.route is not None]
        if payment.lines and payment.adjustments and len(payment.lines) > 1:
            claim_level = line_route(
                payment.adjustments,
                payment.remarks,
                notice=notice,
                service=payment.statement.start if payment.statement else None,
            )
            if claim_level is not None:
                routes.append(claim_level)
        if not routes:
            return None
        return min(routes, key=lambda r: (r.kind.rank, r.deadline or date.max))

    def _check(self, sent: Claim837) -> CheckResult | None:
        try:
            converted = to_claim(sent)
            if converted.claim is None:
                return None
            return check_claim(self.reference, converted.claim)
        except MedPayIQError:
            return None


def _claim_as_line(payment: ClaimPayment) -> ServicePayment:
    """A claim without service lines (denied at claim level, CAS on the CLP) analysed as one
    line 0 with the claim's charge, payment, adjustments, remarks and statement dates."""
    return ServicePayment(
        "", None, (), payment.charge, payment.paid, None, Decimal(1), None, (), None,
        payment.statement, payment.adjustments, None, payment.remarks, None, None,
        payment.position,
    )  # fmt: skip


def _match_lines(payment: ClaimPayment, sent: Claim837) -> dict[int, int]:
    """835 line number -> 837 line number: by the line item control number (REF*6R), else
    the first unmatched 837 line with the code as billed."""
    by_control = {
        line.control_number: n for n, line in enumerate(sent.lines, 1) if line.control_number
    }
    used: set[int] = set()
    out: dict[int, int] = {}
    for i, svc in enumerate(payment.lines, 1):
        n = by_control.get(svc.control_number) if svc.control_number else None
        if n is None:
            code = svc.billed_procedure or svc.procedure
            n = next(
                (k for k, line in enumerate(sent.lines, 1) if k not in used and line.hcpcs == code),
                None,
            )
        if n is not None:
            used.add(n)
            out[i] = n
    return out
