"""Remittances analysed into one report: the claims (reversals paired with their
corrections), the worklist sorted by dollars at stake and deadline, the analytics, totals,
the redetermination requests and the provenance.

    analysis = RemitAnalysis(reference, claims837)
    for item in read_835(source):            # ClaimPayment or RemittanceEnd
        analysis.add(item, file="era.835")
    report = analysis.report()
    report.as_dict(), report.json_chunks(), report.csv_rows(), report.letters()

Memory stays flat in the file's size: each claim is written as JSON (`_json.ClaimEncoder`) to a
spooled temporary file as soon as it is analysed and its analysis (the pricing answers with
their trails) is let go; what the totals, analytics and provenance need is summed as it goes,
and the worklist keeps only each item's sort key and the place of its JSON in a second spool.
A reversal's `pair`, known only when its correction comes later, is a one-character slot in
the spool filled when the claims are read back.
"""

from __future__ import annotations

import codecs
import json
import pickle
import tempfile
from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import IO, Any

from medpayiq.claims import problem_dict
from medpayiq.json_text import money_text as _money
from medpayiq.reference import ReferenceData
from medpayiq.schedules import Priced
from medpayiq.x12 import Claim837, ClaimPayment, RemittanceEnd, X12Problem

from ._analysis import Analyzer, ClaimAnalysis, LineAnalysis, code_text
from ._json import PAIR_SLOT, ClaimEncoder, dumps
from ._letters import RedeterminationRequest
from ._routes import OVERPAID_SEND, ROUTES, RouteKind

__all__ = ["CSV_COLUMNS", "RemitAnalysis", "RemitReport"]

ZERO = Decimal("0.00")
_SPOOL_MEMORY = 8 << 20  # bytes a spool keeps in memory before it moves to a temporary file
_READ = 1 << 20


class _Spool:
    """Bytes appended in order to a spooled temporary file (in pieces of about a megabyte)
    and read back."""

    def __init__(self) -> None:
        self.file: IO[bytes] = tempfile.SpooledTemporaryFile(_SPOOL_MEMORY, mode="w+b")  # noqa: SIM115
        self.size = 0
        self._pending: list[bytes] = []
        self._pending_size = 0

    def append(self, data: bytes) -> int:
        """Appends `data`; its offset."""
        offset = self.size
        self._pending.append(data)
        self.size += len(data)
        self._pending_size += len(data)
        if self._pending_size >= _READ:
            self._flush()
        return offset

    def _flush(self) -> None:
        if self._pending:
            self.file.seek(self.size - self._pending_size)
            self.file.write(b"".join(self._pending))
            self._pending.clear()
            self._pending_size = 0

    def read(self, offset: int, length: int) -> bytes:
        self._flush()
        self.file.seek(offset)
        return self.file.read(length)

    def rewind(self) -> IO[bytes]:
        self._flush()
        self.file.seek(0)
        return self.file

    def lines(self) -> Iterator[bytes]:
        self.rewind()
        read = 0
        while read < self.size:
            line = self.file.readline()
            if not line:
                break
            read += len(line)
            yield line

    def close(self) -> None:
        self.file.close()


@dataclass(slots=True)
class _Reversal:
    """A reversal waiting for its correction: what pairing needs, and its `pair` slot."""

    payer_claim_number: str | None
    paid: Decimal
    patient_responsibility: Decimal | None
    slot: int


class _Totals:
    """The sums of `RemitReport.totals`, kept as the claims go by."""

    def __init__(self) -> None:
        self.claims = 0
        self.lines = 0
        self.statuses: dict[str, int] = defaultdict(int)
        self.charge = self.paid = self.patient = self.expected = ZERO
        self.underpaid = self.overpaid = self.denied = ZERO
        self.underpaid_lines = self.overpaid_lines = 0

    def add(self, claim: ClaimAnalysis) -> None:
        c = claim.payment
        self.claims += 1
        self.charge += c.charge
        self.paid += c.paid
        self.patient += c.patient_responsibility or ZERO
        for line in claim.lines:
            self.lines += 1
            status = line.status
            self.statuses[status] += 1
            if status != "denied":
                self.expected += line.expected_paid or ZERO
            if status == "underpaid":
                self.underpaid += line.at_stake
                self.underpaid_lines += 1
            elif status == "overpaid":
                self.overpaid += line.variance or ZERO
                self.overpaid_lines += 1
            elif status == "denied":
                self.denied += line.at_stake


class _Analytics:
    """The tables of `RemitReport.analytics`, kept as the lines go by."""

    def __init__(self) -> None:
        self.by_carc: dict[str, dict[str, Any]] = {}
        self.by_code: dict[str, dict[str, Any]] = {}
        self.by_payer: dict[str, dict[str, Any]] = {}
        self.by_route: dict[str, dict[str, Any]] = {}
        self.causes: dict[str, dict[str, Any]] = {}
        self.denied = self.preventable = self.checked = 0

    # (a row is looked up before it is made: setdefault would build a new dict every line)
    @staticmethod
    def _bump(table: dict[str, dict[str, Any]], key: str, dollars: Decimal) -> None:
        row = table.get(key)
        if row is None:
            row = table[key] = {"count": 0, "at_stake": ZERO}
        row["count"] += 1
        row["at_stake"] += dollars

    def add(self, claim: ClaimAnalysis, line: LineAnalysis) -> None:
        bump = self._bump
        if line.route is not None:
            kind = line.route.kind.value
            row = self.by_route.get(kind)
            if row is None:
                row = self.by_route[kind] = {
                    "count": 0, "at_stake": ZERO, "amount": ZERO, "earliest_deadline": None,
                }  # fmt: skip
            row["count"] += 1
            row["at_stake"] += line.at_stake
            row["amount"] += line.route.amount
            if line.route.deadline and (
                row["earliest_deadline"] is None or line.route.deadline < row["earliest_deadline"]
            ):
                row["earliest_deadline"] = line.route.deadline
        if line.status == "underpaid" and line.cause is not None:
            bump(self.causes, line.cause.code, line.at_stake)
        if not line.denial_carcs:
            return
        self.denied += 1
        for carc in dict.fromkeys(line.denial_carcs):
            bump(self.by_carc, carc, line.at_stake)
        bump(self.by_code, line.hcpcs or "(none)", line.at_stake)
        bump(self.by_payer, claim.payment.remittance.payer.name, line.at_stake)
        if line.preventable is not None:
            self.checked += 1
            self.preventable += line.preventable


_CONFIDENCE = {"high": 0, "medium": 1, "low": 2}


class _Provenance:
    """The releases, confidence and notes of the lines priced, kept as the lines go by."""

    def __init__(self) -> None:
        self.releases: dict[str, set[str]] = defaultdict(set)
        self.confidence = "high"
        self.notes: set[str] = set()
        # the answers already counted: one answer prices every line with the same key (the
        # analysis's memo), so most lines are seen before; each is kept with its id, so that
        # the id is not reused while it is here
        self._seen: dict[int, Priced] = {}

    def add(self, line: LineAnalysis) -> None:
        priced = line.expected.priced if line.expected else None
        if priced is None or id(priced) in self._seen:
            return
        self._seen[id(priced)] = priced
        self.releases[priced.schedule.name].add(priced.release)
        level = priced.confidence.value
        if _CONFIDENCE.get(level, 0) > _CONFIDENCE[self.confidence]:
            self.confidence = level
        if priced.confidence_reason:
            self.notes.add(priced.confidence_reason)


class RemitAnalysis:
    """Collects the analysed claims of one or many remittance files, in order; each claim
    is written out and let go as it is added (module docstring)."""

    def __init__(
        self, reference: ReferenceData, claims837: Mapping[str, Claim837] | None = None
    ) -> None:
        self.analyzer = Analyzer(reference, claims837)
        self.ends: list[RemittanceEnd] = []
        self.problems: list[dict[str, Any]] = []
        self.files: list[str] = []
        self._encoder = ClaimEncoder(self.analyzer.codes)
        self._claims = _Spool()  # the claims' JSON, one a line (",\n" between them)
        self._count = 0
        self._pairs: list[dict[str, Any] | None] = []  # each reversal's pair, by slot
        self._reversals: dict[str, list[_Reversal]] = {}
        self._worklist = _Spool()  # the worklist items' JSON
        self._work: list[tuple[Decimal, date, int, int]] = []  # -at stake, deadline, JSON
        self._letters = _Spool()  # the redetermination requests, pickled
        self._letter_at: list[tuple[int, int]] = []  # each request's claim and line position
        self._totals = _Totals()
        self._analytics = _Analytics()
        self._provenance = _Provenance()

    def add(self, item: ClaimPayment | RemittanceEnd, *, file: str = "") -> None:
        if isinstance(item, RemittanceEnd):
            self.ends.append(item)
            self.problems.extend({"file": file, **problem_dict(p)} for p in item.problems)
            return
        analysed = self.analyzer.claim(item)
        analysed.problems = [{"file": file, **problem_dict(p)} for p in item.problems]
        self.problems.extend(analysed.problems)
        slot = self._pair(analysed)
        self._keep(analysed, slot)

    def problem(self, file: str, problem: X12Problem) -> None:
        self.problems.append({"file": file, **problem_dict(problem)})

    def _pair(self, analysed: ClaimAnalysis) -> bool:
        """Pairs a correction with the reversal waiting for it; True for a reversal (its
        pair is filled in later)."""
        c = analysed.payment
        if c.reversal:
            self._reversals.setdefault(c.claim_id, []).append(
                _Reversal(c.payer_claim_number, c.paid, c.patient_responsibility, len(self._pairs))
            )
            self._pairs.append(None)
            return True
        waiting = self._reversals.get(c.claim_id)
        if not waiting:
            return False
        # the reversal of the same contractor claim number first, else the oldest one
        pick = next(
            (
                r
                for r in waiting
                if r.payer_claim_number and r.payer_claim_number == c.payer_claim_number
            ),
            waiting[0],
        )
        waiting.remove(pick)
        if not waiting:
            del self._reversals[c.claim_id]
        net = pick.paid + c.paid
        net_patient = (pick.patient_responsibility or ZERO) + (c.patient_responsibility or ZERO)
        self._pairs[pick.slot] = {
            "role": "reversal",
            "with_payer_claim_number": c.payer_claim_number,
            "net_paid": _money(net),
            "net_patient_responsibility": _money(net_patient),
        }
        analysed.pair = {
            "role": "correction",
            "with_payer_claim_number": pick.payer_claim_number,
            "net_paid": _money(net),
            "net_patient_responsibility": _money(net_patient),
        }
        return False

    def _keep(self, claim: ClaimAnalysis, reversal: bool) -> None:
        """What the report needs of one claim: its JSON, its worklist items and letters,
        its share of the totals, analytics and provenance."""
        text = self._encoder.claim(claim, pair=PAIR_SLOT if reversal else None)
        self._claims.append(((",\n" if self._count else "") + text).encode())
        self._count += 1
        self._totals.add(claim)
        for position, line in enumerate(claim.lines):
            self._analytics.add(claim, line)
            self._provenance.add(line)
            item = self._encoder.work_item(claim, line)  # the JSON of _work_item
            if item is not None:
                data = item.encode()
                offset = self._worklist.append(data)
                deadline = line.route.deadline if line.route else None
                self._work.append((-line.at_stake, deadline or date.max, offset, len(data)))
            if line.letter is not None:
                self._letters.append(pickle.dumps(line.letter, pickle.HIGHEST_PROTOCOL))
                self._letter_at.append((self._count - 1, position))

    def report(self) -> RemitReport:
        return RemitReport(self)


def _work_item(
    codes: Mapping[str, Any], claim: ClaimAnalysis, line: LineAnalysis
) -> dict[str, Any] | None:
    """The line's worklist item: a denial with something to send or a mispaid line. (The
    report writes its JSON directly, `ClaimEncoder.work_item`; this is the reference.)"""
    route = line.route
    if line.status not in ("underpaid", "overpaid") and not (
        route is not None and route.kind.actionable
    ):
        return None
    deadline = route.deadline if route else None
    reason = (
        line.cause.text
        if line.cause is not None
        else "; ".join(
            f"{r}: {code_text(codes, r.split('-', 1)[1])['text']}"
            for r in (route.reasons if route else ())
        )
    )
    return {
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
    }


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


class RemitReport:
    """The answer (module docstring). Money in `as_dict` is strings, dates ISO. The claims
    are read back from the analysis's spool each time they are asked for."""

    def __init__(self, analysis: RemitAnalysis) -> None:
        self._analysis = analysis
        self.ends = analysis.ends
        self.problems = analysis.problems
        self.files = analysis.files
        self.codes: Mapping[str, Any] = analysis.analyzer.codes
        self.unreadable: list[dict[str, Any]] = []

    # --- the claims ----------------------------------------------------------------------

    def _claim_texts(self) -> Iterator[str]:
        """Each claim's JSON text, in file order, with its reversal pair filled in."""
        a = self._analysis
        slot = 0
        for raw in a._claims.lines():
            text = raw.decode()
            if text.endswith(",\n"):
                text = text[:-2]
            if PAIR_SLOT in text:
                pair = a._pairs[slot]
                slot += 1
                text = text.replace(PAIR_SLOT, "null" if pair is None else dumps(pair), 1)
            yield text

    def _claims_json(self) -> Iterator[str]:
        """The claims' texts joined by ",\n" with the reversal pairs filled in, as the
        spool holds them (each text but the first was written after its separator), read
        back about a megabyte at a time: splitting the spool into claims to decode and scan
        each one was about 5% of a whole run (bench/remit.py)."""
        a = self._analysis
        decoder = codecs.getincrementaldecoder("utf-8")()  # a piece may end inside a character
        file = a._claims.rewind()
        left = a._claims.size
        slot = 0
        while left > 0:
            data = file.read(min(_READ, left))
            if not data:
                break
            left -= len(data)
            text = decoder.decode(data, final=left <= 0)
            if PAIR_SLOT in text:
                pieces = text.split(PAIR_SLOT)
                out = [pieces[0]]
                for piece in pieces[1:]:
                    pair = a._pairs[slot]
                    slot += 1
                    out.append("null" if pair is None else dumps(pair))
                    out.append(piece)
                text = "".join(out)
            if text:
                yield text

    def claims(self) -> Iterator[dict[str, Any]]:
        """The claims of `as_dict()`, one at a time."""
        for text in self._claim_texts():
            yield json.loads(text)

    # --- the worklist --------------------------------------------------------------------

    def _worklist_texts(self) -> Iterator[str]:
        a = self._analysis
        # dollars at stake (most first), deadline, then the order of the lines (the offset)
        for _, _, offset, length in sorted(a._work):
            yield a._worklist.read(offset, length).decode()

    def worklist(self) -> list[dict[str, Any]]:
        """Denials with something to send and mispaid lines, by dollars at stake (most
        first) then deadline (soonest first)."""
        return [json.loads(text) for text in self._worklist_texts()]

    # --- analytics and totals ------------------------------------------------------------

    def analytics(self) -> dict[str, Any]:
        t = self._analysis._analytics
        by_carc = {
            carc: {**row, "text": code_text(self.codes, carc)["text"]}
            for carc, row in t.by_carc.items()
        }
        checked, preventable = t.checked, t.preventable
        return {
            "denials_by_carc": _money_rows(by_carc),
            "denials_by_code": _money_rows(t.by_code),
            "denials_by_payer": _money_rows(t.by_payer),
            "by_route": {
                k: {
                    **v,
                    "at_stake": _money(v["at_stake"]),
                    "amount": _money(v["amount"]),
                    "earliest_deadline": _iso(v["earliest_deadline"]),
                    "name": ROUTES[RouteKind(k)].name,
                }
                for k, v in sorted(t.by_route.items(), key=lambda kv: RouteKind(kv[0]).rank)
            },
            "underpayments_by_cause": _money_rows(t.causes),
            "denied_lines": t.denied,
            "preventable": {
                "checked": checked,
                "preventable": preventable,
                "rate": None if not checked else f"{Decimal(preventable) / checked:.4f}",
            },
        }

    def totals(self) -> dict[str, Any]:
        t = self._analysis._totals
        plb = sum((a.amount for e in self.ends for a in e.provider_adjustments), ZERO)
        payments = sum((e.remittance.amount for e in self.ends if e.remittance is not None), ZERO)
        return {
            "remittances": len(self.ends),
            "claims": t.claims,
            "lines": t.lines,
            "lines_by_status": dict(sorted(t.statuses.items())),
            "charge": _money(t.charge),
            "paid": _money(t.paid),
            "patient_responsibility": _money(t.patient),
            "expected_paid": _money(t.expected),
            "underpaid": _money(t.underpaid),
            "underpaid_lines": t.underpaid_lines,
            "overpaid": _money(t.overpaid),
            "overpaid_lines": t.overpaid_lines,
            "denied_at_stake": _money(t.denied),
            "provider_adjustments": _money(plb),
            "payments": _money(payments),
        }

    def provenance(self) -> dict[str, Any]:
        p = self._analysis._provenance
        return {
            "files": list(self.files),
            "releases": {k: sorted(v) for k, v in sorted(p.releases.items())},
            "confidence": p.confidence,
            "notes": sorted(p.notes),
            "adjustment_codes": "X12 CARC/RARC lists loaded in the store",
        }

    # --- renderings ----------------------------------------------------------------------

    def letters(self) -> list[RedeterminationRequest]:
        spool = self._analysis._letters
        file = spool.rewind()
        out: list[RedeterminationRequest] = []
        while file.tell() < spool.size:
            out.append(pickle.load(file))  # our own spool
        return out

    def letters_by_line(self) -> dict[tuple[int, int], RedeterminationRequest]:
        """The requests by (claim, line): the positions, from 0, of the claim in `claims()`
        and of the line in its `lines`."""
        return dict(zip(self._analysis._letter_at, self.letters(), strict=True))

    def as_dict(self) -> dict[str, Any]:
        return {
            "claims": list(self.claims()),
            "problems": self.problems,
            "unreadable": self.unreadable,
            "totals": self.totals(),
            "worklist": self.worklist(),
            "analytics": self.analytics(),
            "provenance": self.provenance(),
        }

    def json_chunks(self) -> Iterator[str]:
        """`as_dict()` as JSON text in pieces of about a megabyte: a 100,000-claim answer is
        never held as one document (the CLI's --json and --out report.json). The first piece
        is '{"claims": [' (the API puts the tenant in front of the claims)."""
        yield '{"claims": ['
        yield from self._claims_json()
        yield (
            f'],\n"problems": {dumps(self.problems)}, "unreadable": {dumps(self.unreadable)}, '
            f'"totals": {dumps(self.totals())}, "worklist": ['
        )
        batch: list[str] = []
        for n, text in enumerate(self._worklist_texts()):
            batch.append(text if n == 0 else ", " + text)
            if len(batch) >= 256:
                yield "".join(batch)
                batch.clear()
        yield "".join(batch)
        yield (
            f'], "analytics": {dumps(self.analytics())}, "provenance": {dumps(self.provenance())}}}'
        )

    def csv_rows(self) -> Iterator[dict[str, str]]:
        """One row per service line (CSV_COLUMNS), money as strings."""
        for claim in self.claims():
            for d in claim["lines"]:
                route = d["route"]
                cause = d["cause"]
                yield {
                    "claim_id": claim["claim_id"],
                    "payer_claim_number": claim["payer_claim_number"] or "",
                    "claim_status": claim["status"],
                    "payer": claim["payer"],
                    "remittance_date": claim["remittance_date"] or "",
                    "line": str(d["line"]),
                    "hcpcs": d["hcpcs"] or "",
                    "modifiers": " ".join(d["modifiers"]),
                    "units": d["units"],
                    "date_of_service": d["date_of_service"] or "",
                    "charge": d["charge"] or "",
                    "allowed": d["allowed"] or "",
                    "paid": d["paid"] or "",
                    "expected_allowed": d["expected_allowed"] or "",
                    "expected_paid": d["expected_paid"] or "",
                    "variance": d["variance"] or "",
                    "status": d["status"],
                    "cause": cause["code"] if cause else "",
                    "adjustments": " ".join(
                        f"{a['group']}-{a['reason']}:{a['amount']}" for a in d["adjustments"]
                    ),
                    "remarks": " ".join(r["code"] for r in d["remarks"]),
                    "route": route["route"] if route else "",
                    "deadline": (route["deadline"] if route else None) or "",
                    "at_stake": d["at_stake"] or "",
                    "preventable": ""
                    if d["preventable"] is None
                    else str(d["preventable"]).lower(),
                    "preventable_rule": d["preventable_rule"] or "",
                }


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _money_rows(table: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    rows = sorted(table.items(), key=lambda kv: (-kv[1]["at_stake"], kv[0]))
    return {k: {**v, "at_stake": _money(v["at_stake"])} for k, v in rows}
