"""Remittances analysed into one report: the claims (reversals paired with their
corrections), the worklist sorted by dollars at stake and deadline, the analytics, totals,
the redetermination requests and the provenance.

    analysis = RemitAnalysis(reference, claims837)
    for item in read_835(source):            # ClaimPayment or RemittanceEnd
        analysis.add(item, file="era.835")
    report = analysis.report()
    report.as_dict(), report.json_chunks(), report.csv_rows(), report.letters()
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from medpayiq.claims import problem_dict
from medpayiq.reference import ReferenceData
from medpayiq.x12 import Claim837, ClaimPayment, RemittanceEnd, X12Problem

from ._analysis import Analyzer, ClaimAnalysis, LineAnalysis, code_text
from ._letters import RedeterminationRequest
from ._routes import ROUTES, RouteKind

__all__ = ["CSV_COLUMNS", "RemitAnalysis", "RemitReport"]

ZERO = Decimal("0.00")
OVERPAID_SEND = (
    "report and return the overpayment within 60 days of identifying it (42 CFR 401.305), "
    "or ask the contractor to adjust the claim"
)


def _money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


class RemitAnalysis:
    """Collects the analysed claims of one or many remittance files, in order."""

    def __init__(
        self, reference: ReferenceData, claims837: Mapping[str, Claim837] | None = None
    ) -> None:
        self.analyzer = Analyzer(reference, claims837)
        self.claims: list[ClaimAnalysis] = []
        self.ends: list[RemittanceEnd] = []
        self.problems: list[dict[str, Any]] = []
        self.files: list[str] = []
        self._reversals: dict[str, list[ClaimAnalysis]] = defaultdict(list)

    def add(self, item: ClaimPayment | RemittanceEnd, *, file: str = "") -> None:
        if isinstance(item, RemittanceEnd):
            self.ends.append(item)
            self.problems.extend({"file": file, **problem_dict(p)} for p in item.problems)
            return
        analysed = self.analyzer.claim(item)
        analysed.problems = [{"file": file, **problem_dict(p)} for p in item.problems]
        self.problems.extend(analysed.problems)
        self._pair(analysed)
        self.claims.append(analysed)

    def problem(self, file: str, problem: X12Problem) -> None:
        self.problems.append({"file": file, **problem_dict(problem)})

    def _pair(self, analysed: ClaimAnalysis) -> None:
        c = analysed.payment
        if c.reversal:
            self._reversals[c.claim_id].append(analysed)
            return
        waiting = self._reversals.get(c.claim_id)
        if not waiting:
            return
        # the reversal of the same contractor claim number first, else the oldest one
        pick = next(
            (
                r
                for r in waiting
                if r.payment.payer_claim_number
                and r.payment.payer_claim_number == c.payer_claim_number
            ),
            waiting[0],
        )
        waiting.remove(pick)
        net = pick.payment.paid + c.paid
        net_patient = (pick.payment.patient_responsibility or ZERO) + (
            c.patient_responsibility or ZERO
        )
        pick.pair = {
            "role": "reversal",
            "with_payer_claim_number": c.payer_claim_number,
            "net_paid": _money(net),
            "net_patient_responsibility": _money(net_patient),
        }
        analysed.pair = {
            "role": "correction",
            "with_payer_claim_number": pick.payment.payer_claim_number,
            "net_paid": _money(net),
            "net_patient_responsibility": _money(net_patient),
        }

    def report(self) -> RemitReport:
        return RemitReport(self.claims, self.ends, self.problems, self.files, self.analyzer.codes)


CSV_COLUMNS = (
    "claim_id",
    "payer_claim_number",
    "claim_status",
    "payer",
    "remittance_date",
    "line",
    "hcpcs",
    "modifiers",
    "units",
    "date_of_service",
    "charge",
    "allowed",
    "paid",
    "expected_allowed",
    "expected_paid",
    "variance",
    "status",
    "cause",
    "adjustments",
    "remarks",
    "route",
    "deadline",
    "at_stake",
    "preventable",
    "preventable_rule",
)


@dataclass
class RemitReport:
    """The answer (module docstring). Money in `as_dict` is strings, dates ISO."""

    claims: list[ClaimAnalysis]
    ends: list[RemittanceEnd]
    problems: list[dict[str, Any]]
    files: list[str]
    codes: Mapping[str, Any]
    unreadable: list[dict[str, Any]] = field(default_factory=list)

    def _lines(self) -> Iterator[tuple[ClaimAnalysis, LineAnalysis]]:
        for claim in self.claims:
            for line in claim.lines:
                yield claim, line

    # --- the worklist --------------------------------------------------------------------

    def worklist(self) -> list[dict[str, Any]]:
        """Denials with something to send and mispaid lines, by dollars at stake (most
        first) then deadline (soonest first)."""
        items: list[tuple[Decimal, date, dict[str, Any]]] = []
        for claim, line in self._lines():
            route = line.route
            if line.status not in ("underpaid", "overpaid") and not (
                route is not None and route.kind.actionable
            ):
                continue
            deadline = route.deadline if route else None
            reason = (
                line.cause.text
                if line.cause is not None
                else "; ".join(
                    f"{r}: {code_text(self.codes, r.split('-', 1)[1])['text']}"
                    for r in (route.reasons if route else ())
                )
            )
            items.append(
                (
                    line.at_stake,
                    deadline or date.max,
                    {
                        "claim_id": claim.payment.claim_id,
                        "payer_claim_number": claim.payment.payer_claim_number,
                        "line": line.line,
                        "hcpcs": line.hcpcs,
                        "date_of_service": _iso(line.date_of_service),
                        "payer": claim.payment.remittance.payer.name,
                        "status": line.status,
                        "route": route.kind.value if route else None,
                        "route_name": ROUTES[route.kind].name if route else None,
                        "deadline": _iso(deadline),
                        "at_stake": _money(line.at_stake),
                        "reason": reason,
                        "send": OVERPAID_SEND
                        if line.status == "overpaid"
                        else (ROUTES[route.kind].send if route else None),
                        "preventable": line.preventable,
                        "preventable_rule": line.preventable_rule,
                        "letter": line.letter is not None,
                    },
                )
            )
        items.sort(key=lambda t: (-t[0], t[1]))
        return [item for _, _, item in items]

    # --- analytics and totals ------------------------------------------------------------

    def analytics(self) -> dict[str, Any]:
        by_carc: dict[str, dict[str, Any]] = {}
        by_code: dict[str, dict[str, Any]] = {}
        by_payer: dict[str, dict[str, Any]] = {}
        by_route: dict[str, dict[str, Any]] = {}
        causes: dict[str, dict[str, Any]] = {}
        denied = preventable = checked = 0

        def bump(table: dict[str, dict[str, Any]], key: str, dollars: Decimal) -> None:
            row = table.setdefault(key, {"count": 0, "at_stake": ZERO})
            row["count"] += 1
            row["at_stake"] += dollars

        for claim, line in self._lines():
            if line.route is not None:
                row = by_route.setdefault(
                    line.route.kind.value,
                    {"count": 0, "at_stake": ZERO, "amount": ZERO, "earliest_deadline": None},
                )
                row["count"] += 1
                row["at_stake"] += line.at_stake
                row["amount"] += line.route.amount
                if line.route.deadline and (
                    row["earliest_deadline"] is None
                    or line.route.deadline < row["earliest_deadline"]
                ):
                    row["earliest_deadline"] = line.route.deadline
            if line.status == "underpaid" and line.cause is not None:
                bump(causes, line.cause.code, line.at_stake)
            if not line.denial_carcs:
                continue
            denied += 1
            for carc in dict.fromkeys(line.denial_carcs):
                bump(by_carc, carc, line.at_stake)
            bump(by_code, line.hcpcs or "(none)", line.at_stake)
            bump(by_payer, claim.payment.remittance.payer.name, line.at_stake)
            if line.preventable is not None:
                checked += 1
                preventable += line.preventable
        for carc, row in by_carc.items():
            row["text"] = code_text(self.codes, carc)["text"]
        return {
            "denials_by_carc": _money_rows(by_carc),
            "denials_by_code": _money_rows(by_code),
            "denials_by_payer": _money_rows(by_payer),
            "by_route": {
                k: {
                    **v,
                    "at_stake": _money(v["at_stake"]),
                    "amount": _money(v["amount"]),
                    "earliest_deadline": _iso(v["earliest_deadline"]),
                    "name": ROUTES[RouteKind(k)].name,
                }
                for k, v in sorted(by_route.items(), key=lambda kv: RouteKind(kv[0]).rank)
            },
            "underpayments_by_cause": _money_rows(causes),
            "denied_lines": denied,
            "preventable": {
                "checked": checked,
                "preventable": preventable,
                "rate": None if not checked else f"{Decimal(preventable) / checked:.4f}",
            },
        }

    def totals(self) -> dict[str, Any]:
        lines = [line for _, line in self._lines()]
        under = [line for line in lines if line.status == "underpaid"]
        over = [line for line in lines if line.status == "overpaid"]
        statuses: dict[str, int] = defaultdict(int)
        for line in lines:
            statuses[line.status] += 1
        plb = sum((a.amount for e in self.ends for a in e.provider_adjustments), ZERO)
        payments = sum((e.remittance.amount for e in self.ends if e.remittance is not None), ZERO)
        return {
            "remittances": len(self.ends),
            "claims": len(self.claims),
            "lines": len(lines),
            "lines_by_status": dict(sorted(statuses.items())),
            "charge": _money(sum((c.payment.charge for c in self.claims), ZERO)),
            "paid": _money(sum((c.payment.paid for c in self.claims), ZERO)),
            "patient_responsibility": _money(
                sum((c.payment.patient_responsibility or ZERO for c in self.claims), ZERO)
            ),
            "expected_paid": _money(
                sum((line.expected_paid or ZERO for line in lines if line.status != "denied"), ZERO)
            ),
            "underpaid": _money(sum((line.at_stake for line in under), ZERO)),
            "underpaid_lines": len(under),
            "overpaid": _money(sum((line.variance or ZERO for line in over), ZERO)),
            "overpaid_lines": len(over),
            "denied_at_stake": _money(
                sum((line.at_stake for line in lines if line.status == "denied"), ZERO)
            ),
            "provider_adjustments": _money(plb),
            "payments": _money(payments),
        }

    def provenance(self) -> dict[str, Any]:
        releases: dict[str, set[str]] = defaultdict(set)
        confidence = "high"
        order = {"high": 0, "medium": 1, "low": 2}
        notes: set[str] = set()
        for _, line in self._lines():
            priced = line.expected.priced if line.expected else None
            if priced is None:
                continue
            releases[priced.schedule.name].add(priced.release)
            level = priced.confidence.value
            if order.get(level, 0) > order[confidence]:
                confidence = level
            if priced.confidence_reason:
                notes.add(priced.confidence_reason)
        return {
            "files": list(self.files),
            "releases": {k: sorted(v) for k, v in sorted(releases.items())},
            "confidence": confidence,
            "notes": sorted(notes),
            "adjustment_codes": "X12 CARC/RARC lists loaded in the store",
        }

    # --- renderings ----------------------------------------------------------------------

    def letters(self) -> list[RedeterminationRequest]:
        return [line.letter for _, line in self._lines() if line.letter is not None]

    def as_dict(self) -> dict[str, Any]:
        return {
            "claims": [c.as_dict(self.codes) for c in self.claims],
            "problems": self.problems,
            "unreadable": self.unreadable,
            "totals": self.totals(),
            "worklist": self.worklist(),
            "analytics": self.analytics(),
            "provenance": self.provenance(),
        }

    def json_chunks(self) -> Iterator[str]:
        """`as_dict()` as JSON text, one claim a piece: a 100,000-claim answer is never held
        as one document (the CLI's --json and --out report.json)."""
        yield '{"claims": ['
        for n, claim in enumerate(self.claims):
            text = json.dumps(claim.as_dict(self.codes), ensure_ascii=False, check_circular=False)
            yield ("" if n == 0 else ",\n") + text
        rest = {
            "problems": self.problems,
            "unreadable": self.unreadable,
            "totals": self.totals(),
            "worklist": self.worklist(),
            "analytics": self.analytics(),
            "provenance": self.provenance(),
        }
        yield "],\n" + json.dumps(rest, ensure_ascii=False)[1:]

    def csv_rows(self) -> Iterator[dict[str, str]]:
        """One row per service line (CSV_COLUMNS), money as strings."""
        for claim, line in self._lines():
            d = line.as_dict(self.codes)
            route = line.route
            yield {
                "claim_id": claim.payment.claim_id,
                "payer_claim_number": claim.payment.payer_claim_number or "",
                "claim_status": claim.payment.status,
                "payer": claim.payment.remittance.payer.name,
                "remittance_date": _iso(claim.notice) or "",
                "line": str(line.line),
                "hcpcs": line.hcpcs or "",
                "modifiers": " ".join(line.payment.modifiers),
                "units": str(line.payment.units),
                "date_of_service": _iso(line.date_of_service) or "",
                "charge": d["charge"] or "",
                "allowed": d["allowed"] or "",
                "paid": d["paid"] or "",
                "expected_allowed": d["expected_allowed"] or "",
                "expected_paid": d["expected_paid"] or "",
                "variance": d["variance"] or "",
                "status": line.status,
                "cause": line.cause.code if line.cause else "",
                "adjustments": " ".join(
                    f"{a.group}-{a.reason}:{a.amount:.2f}" for a in line.payment.adjustments
                ),
                "remarks": " ".join(line.payment.remarks),
                "route": route.kind.value if route else "",
                "deadline": _iso(route.deadline if route else None) or "",
                "at_stake": d["at_stake"] or "",
                "preventable": "" if line.preventable is None else str(line.preventable).lower(),
                "preventable_rule": line.preventable_rule or "",
            }


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _money_rows(table: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    rows = sorted(table.items(), key=lambda kv: (-kv[1]["at_stake"], kv[0]))
    return {k: {**v, "at_stake": _money(v["at_stake"])} for k, v in rows}
