"""One analysed claim as JSON text, the same bytes as `json.dumps(claim.as_dict(codes),
ensure_ascii=False)`, written without building the dicts: the texts that repeat on every line
(a route's send, deadline rule and cites, an adjustment's CARC text, a remark's text, a
schedule name) are encoded once and reused (docs/remittances.md, "Speed and memory").

`ClaimEncoder(codes).claim(analysis, pair=PAIR_SLOT)` leaves the claim's `pair` as the
`PAIR_SLOT` character (never in JSON text: `json.dumps` escapes every control character),
for a reversal whose correction comes later in the file.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal
from json.encoder import encode_basestring
from typing import Any

from medpayiq.bounded import remember
from medpayiq.json_text import date_json, money_json
from medpayiq.records import AdjustmentCode
from medpayiq.x12 import ADJUSTMENT_GROUPS, Adjustment

from ._analysis import ClaimAnalysis, LineAnalysis, code_text
from ._expected import Cause
from ._routes import OVERPAID_SEND, ROUTES, LineRoute, RouteKind

__all__ = ["PAIR_SLOT", "ClaimEncoder", "dumps"]

PAIR_SLOT = "\x00"
# texts kept per table; a full table drops its older half (`medpayiq.bounded`: memory stays flat)
_CACHE_LIMIT = 20_000


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, check_circular=False)


def _int(value: int | None) -> str:
    return "null" if value is None else str(int(value))


def _bool(value: bool | None) -> str:
    return "null" if value is None else ("true" if value else "false")


class ClaimEncoder:
    """Encodes claims one at a time; keeps the encoded repeated texts (module docstring)."""

    def __init__(self, codes: Mapping[str, AdjustmentCode]) -> None:
        self.codes = codes
        self._strings: dict[str, str] = {}
        self._adjustments: dict[tuple[str, str], str] = {}
        self._adjustment_texts: dict[tuple[str, str, Decimal], str] = {}
        self._remarks: dict[str, str] = {}
        self._lists: dict[tuple[str, ...], str] = {}
        self._reasons: dict[tuple[str, ...], str] = {}
        self._causes: dict[int, tuple[Cause, str]] = {}
        self._routes: dict[RouteKind, tuple[str, str]] = {
            kind: (
                f'{{"route": {encode_basestring(kind.value)}, '
                f'"name": {encode_basestring(rule.name)}, "deadline": ',
                f', "deadline_rule": {encode_basestring(rule.deadline_rule)}, '
                f'"send": {encode_basestring(rule.send)}, '
                f'"cites": {encode_basestring(rule.cites)}, "reasons": ',
            )
            for kind, rule in ROUTES.items()
        }

    # --- repeated texts ------------------------------------------------------------------

    def _str(self, value: str | None) -> str:
        """A repeated string (a code, a status, a payer, a note) encoded once."""
        if value is None:
            return "null"
        found = self._strings.get(value)
        if found is None:
            found = remember(self._strings, value, encode_basestring(value), _CACHE_LIMIT)
        return found

    def _list(self, values: tuple[str, ...]) -> str:
        found = self._lists.get(values)
        if found is None:
            found = remember(self._lists, values, dumps(list(values)), _CACHE_LIMIT)
        return found

    def _adjustment(self, a: Adjustment) -> str:
        """An adjustment's JSON. The whole text of a non-zero amount without a quantity is
        kept too: amounts repeat with a code's fee (CO-45, CO-253, PR-2 of one allowed)."""
        kept = a.quantity is None and bool(a.amount)
        if kept:
            found = self._adjustment_texts.get((a.group, a.reason, a.amount))
            if found is not None:
                return found
        key = (a.group, a.reason)
        head = self._adjustments.get(key)
        if head is None:
            text = code_text(self.codes, a.reason)
            head = remember(
                self._adjustments,
                key,
                f'{{"group": {encode_basestring(a.group)}, "group_text": '
                f"{encode_basestring(ADJUSTMENT_GROUPS.get(a.group, f'unknown group {a.group}'))}, "
                f'"reason": {encode_basestring(a.reason)}, '
                f'"text": {encode_basestring(text["text"])}, '
                f'"known": {_bool(text["known"])}, "amount": ',
                _CACHE_LIMIT,
            )
        quantity = "null" if a.quantity is None else encode_basestring(str(a.quantity))
        out = f'{head}{money_json(a.amount)}, "quantity": {quantity}}}'
        if kept:
            remember(self._adjustment_texts, (a.group, a.reason, a.amount), out, _CACHE_LIMIT)
        return out

    def _adjustment_list(self, adjustments: tuple[Adjustment, ...]) -> str:
        if not adjustments:
            return "[]"
        return "[" + ", ".join([self._adjustment(a) for a in adjustments]) + "]"

    def _remark_list(self, remarks: tuple[str, ...]) -> str:
        if not remarks:
            return "[]"
        out = []
        for code in remarks:
            found = self._remarks.get(code)
            if found is None:
                found = remember(
                    self._remarks, code, dumps(code_text(self.codes, code)), _CACHE_LIMIT
                )
            out.append(found)
        return "[" + ", ".join(out) + "]"

    def _route(self, route: LineRoute | None) -> str:
        if route is None:
            return "null"
        head, middle = self._routes[route.kind]
        return (
            f"{head}{date_json(route.deadline)}{middle}{self._list(route.reasons)}, "
            f'"amount": {money_json(route.amount)}, "note": {self._str(route.note)}}}'
        )

    def _cause(self, cause: Cause | None) -> str:
        """A cause's JSON, kept by the object (the analysis keeps one per distinct cause);
        the cause is kept with its text, so that its id is not reused while it is here."""
        if cause is None:
            return "null"
        found = self._causes.get(id(cause))
        if found is None:
            found = remember(self._causes, id(cause), (cause, dumps(cause.as_dict())), _CACHE_LIMIT)
        return found[1]

    def _reason(self, reasons: tuple[str, ...]) -> str:
        """A worklist item's reason from its route's adjustments ("CO-97: text; ...")."""
        found = self._reasons.get(reasons)
        if found is None:
            text = "; ".join(
                f"{r}: {code_text(self.codes, r.split('-', 1)[1])['text']}" for r in reasons
            )
            found = remember(self._reasons, reasons, encode_basestring(text), _CACHE_LIMIT)
        return found

    # --- a line, a claim -----------------------------------------------------------------

    def line(self, line: LineAnalysis) -> str:
        p = line.payment
        expected = line.expected
        priced = expected.priced if expected is not None else None
        s = self._str
        money = money_json
        allowed = line.allowed
        expected_allowed = priced.allowed if priced is not None else None
        expected_paid = line.expected_paid
        variance = line.variance
        allowed_variance = line.allowed_variance
        day = line.date_of_service
        return (
            f'{{"line": {line.line}, "hcpcs": {s(line.hcpcs)}, '
            f'"modifiers": {self._list(p.modifiers)}, "billed_hcpcs": {s(p.billed_procedure)}, '
            f'"units": {encode_basestring(str(p.units))}, '
            f'"date_of_service": {date_json(day)}, '
            f'"charge": {money(p.charge)}, '
            f'"allowed": {money(allowed)}, '
            f'"allowed_source": {s(line.allowed_source)}, "paid": {money(p.paid)}, '
            f'"expected_allowed": {money(expected_allowed)}, '
            f'"expected_paid": {money(expected_paid)}, "variance": {money(variance)}, '
            f'"allowed_variance": {money(allowed_variance)}, "status": {s(line.status)}, '
            f'"cause": {self._cause(line.cause)}, '
            f'"schedule": {s(priced.schedule.name) if priced else "null"}, '
            f'"release": {s(priced.release) if priced else "null"}, '
            f'"pricing_note": {s(expected.note) if expected else chr(34) * 2}, '
            f'"adjustments": {self._adjustment_list(p.adjustments)}, '
            f'"remarks": {self._remark_list(p.remarks) if p.remarks else "[]"}, '
            f'"route": {self._route(line.route)}, '
            f'"preventable": {_bool(line.preventable)}, '
            f'"preventable_rule": {s(line.preventable_rule)}, '
            f'"at_stake": {money(line.at_stake)}, "line_837": {_int(line.line_837)}}}'
        )

    def claim(self, claim: ClaimAnalysis, *, pair: str | None = None) -> str:
        """The claim's JSON; `pair` replaces the encoded `claim.pair` (PAIR_SLOT)."""
        c = claim.payment
        r = c.remittance
        s = self._str
        money = money_json
        number = c.payer_claim_number
        if pair is None:
            pair = "null" if claim.pair is None else dumps(claim.pair)
        return (
            f'{{"claim_id": {encode_basestring(c.claim_id)}, '
            f'"payer_claim_number": {"null" if number is None else encode_basestring(number)}, '
            f'"status": {s(c.status)}, "status_text": {s(c.status_text)}, '
            f'"charge": {money(c.charge)}, "paid": {money(c.paid)}, '
            f'"patient_responsibility": {money(c.patient_responsibility)}, '
            f'"payer": {s(r.payer.name)}, "remittance_date": {date_json(claim.notice)}, '
            f'"trace_number": {s(r.trace_number)}, '
            f'"adjustments": {self._adjustment_list(c.adjustments)}, '
            f'"remarks": {self._remark_list(c.remarks)}, "route": {self._route(claim.route)}, '
            f'"checked": {_bool(claim.checked is not None)}, '
            f'"pair": {pair}, '
            f'"lines": [{", ".join([self.line(line) for line in claim.lines])}], '
            f'"problems": {dumps(claim.problems) if claim.problems else "[]"}}}'
        )

    def work_item(self, claim: ClaimAnalysis, line: LineAnalysis) -> str | None:
        """The JSON of the line's worklist item (`_report._work_item`), None when the line
        has none: a denial with something to send or a mispaid line."""
        route = line.route
        status = line.status
        mispaid = status in ("underpaid", "overpaid")
        if not mispaid and not (route is not None and route.kind.actionable):
            return None
        c = claim.payment
        s = self._str
        number = c.payer_claim_number
        if route is None:
            routed = '"route": null, "route_name": null, "deadline": null'
            send = "null"
        else:
            rule = ROUTES[route.kind]
            routed = (
                f'"route": {s(route.kind.value)}, "route_name": {s(rule.name)}, '
                f'"deadline": {date_json(route.deadline)}'
            )
            send = s(rule.send)
        if status == "overpaid":
            send = s(OVERPAID_SEND)
        if line.cause is not None:
            reason = s(line.cause.text)
        else:
            reason = self._reason(route.reasons) if route is not None else '""'
        return (
            f'{{"claim_id": {encode_basestring(c.claim_id)}, '
            f'"payer_claim_number": {"null" if number is None else encode_basestring(number)}, '
            f'"line": {line.line}, "hcpcs": {s(line.hcpcs)}, '
            f'"date_of_service": {date_json(line.date_of_service)}, '
            f'"payer": {s(c.remittance.payer.name)}, "status": {s(status)}, {routed}, '
            f'"at_stake": {money_json(line.at_stake)}, "reason": {reason}, "send": {send}, '
            f'"preventable": {_bool(line.preventable)}, '
            f'"preventable_rule": {s(line.preventable_rule)}, '
            f'"letter": {_bool(line.letter is not None)}}}'
        )
