"""The 835 (005010X221A1) remittance reader: claim payments out of an X12 file, in file order.

    reader = read_835(path_or_bytes_or_stream)
    for item in reader:              # ClaimPayment per CLP, RemittanceEnd per SE
        ...
    reader.problems                  # the file's and the envelope's problems, once read

The header (BPR, TRN, CUR, REF, DTM*405, the N1*PR and N1*PE loops) becomes one `Remittance`
shared by every claim of the transaction. Each CLP opens a claim (2100) and each SVC a line
(2110) in it; a CAS before the claim's first SVC is claim level, after it the line's. The
claim is emitted at the next CLP, LX, PLB or SE; the transaction's `RemittanceEnd` (its PLBs,
its totals, its problems) at SE.

Nothing confined to one claim stops the file: an unreadable amount reads as 0 with a problem
(and the balancing it would spoil is not checked), an SVC without its procedure code is kept
with `procedure` None, a composite written with another separator than ISA16 is read with it.
Balancing breaks are warnings, on the claim (line, claim, charges) or on the `RemittanceEnd`
(BPR02 against the claims' payments and the PLBs). Messages never quote names or member ids.
"""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar

from medpayiq.x12._envelope import Handler, Source, TransactionHeader
from medpayiq.x12._model import DateSpan
from medpayiq.x12._model835 import (
    PatientName,
    RemittanceEnd,
)
from medpayiq.x12._problems import Severity
from medpayiq.x12._segments835 import (
    SEGMENTS_835,
    VERSIONS_835,
    ZERO,
    Issue,
    new_claim,
    new_service,
    parse_cas,
    parse_plb,
    parse_svc,
)
from medpayiq.x12._state835 import (
    CLAIM,
    DETAIL,
    LINE,
    PAYEE,
    TRAILER,
    ClaimDraft,
    LineDraft,
    RemittanceState,
    span_of,
)
from medpayiq.x12._tokens import Delimiters
from medpayiq.x12._values import CACHE_LIMIT


class Reader835(RemittanceState):
    """Reads 835 transactions; iterate for `ClaimPayment` and `RemittanceEnd` in file order."""

    transaction_set = "835"
    versions: ClassVar[tuple[str, ...]] = VERSIONS_835
    segment_ids: ClassVar[frozenset[str]] = SEGMENTS_835

    def _handlers(self, delimiters: Delimiters) -> dict[str, Handler | None]:
        self._el = delimiters.element
        self._co = delimiters.component
        self._services.clear()
        self._cas.clear()
        self._dtm.clear()
        self._spans.clear()
        key = delimiters.key
        return {
            key("BPR"): self._bpr_segment,
            key("TRN"): self._trn_segment,
            key("DTM"): self._dtm_segment,
            key("N1"): self._n1,
            key("N4"): self._n4,
            key("REF"): self._ref,
            key("LX"): self._lx,
            key("CLP"): self._clp,
            key("CAS"): self._cas_segment,
            key("NM1"): self._nm1,
            key("MIA"): self._mia,
            key("MOA"): self._moa,
            key("AMT"): self._amt,
            key("SVC"): self._svc,
            key("LQ"): self._lq,
            key("PLB"): self._plb_segment,
        }

    def _begin(self, header: TransactionHeader, index: int) -> None:
        self._reset()

    def _end(self, index: int, *, closed: bool) -> None:
        claim = self._claim
        if claim is not None and not closed:
            claim.problems.append(
                self._problem(
                    "truncated",
                    claim.index,
                    "the transaction is cut short inside this claim: it may be incomplete",
                    severity=Severity.CLAIM,
                    loop="2100",
                    claim_id=claim.fields[1] or None,
                    batch=claim.where,
                )
            )
        self._close_claim()
        remittance = self._remit(index)
        if (
            closed
            and remittance is not None
            and not (self._plb_unreadable or self._paid_unreadable)
        ):
            self._check_payment(remittance)
        self._emit(
            RemittanceEnd(
                remittance if self._bpr is not None else None,
                tuple(self._plb),
                self._claims,
                self._total_paid,
                tuple(self._txn_problems),
            )
        )
        self.remittances_read += 1
        self._reset()

    # --- detail -----------------------------------------------------------------------------

    def _lx(self, segment: str, i: int) -> None:
        self._close_claim()
        self._remit(i)
        self._header_number = segment.split(self._el)[1] if self._el in segment else None
        if self._header_number == "":
            self._header_number = None
        self._region = DETAIL

    def _clp(self, segment: str, i: int) -> None:
        self._close_claim()
        self._remit(i)
        if self._region == TRAILER:
            self._txn_problems.append(
                self._problem(
                    "unexpected-segment",
                    i,
                    "CLP after a PLB: the provider adjustments close the transaction",
                    severity=Severity.WARNING,
                )
            )
        e = segment.split(self._el)
        if len(e) < 10:
            e += [""] * (10 - len(e))
        batch = self._batch
        assert batch is not None
        self._claim = ClaimDraft(e, batch, i, self._position_of(i))
        self._region = CLAIM

    def _close_line(self, claim: ClaimDraft) -> None:
        line = claim.line
        if line is None:
            return
        claim.line = None
        s = line.service
        dates = line.span or span_of(line.start, line.end) or span_of(claim.start, claim.end)
        adjustments = tuple(line.adjustments)
        claim.adjusted += line.adjusted
        claim.charges += s[3]
        if not line.unreadable:
            adjusted = line.adjusted
            if line.difference != adjusted:
                claim.problems.append(
                    self._problem(
                        "line-balance",
                        line.index,
                        f"SVC02 {s[3]} less SVC03 {s[4]} is {s[3] - s[4]}; the line's"
                        f" adjustments (CAS) sum to {adjusted}",
                        element=3,
                        loop="2110",
                        severity=Severity.WARNING,
                        claim_id=claim.fields[1] or None,
                        batch=line.where,
                    )
                )
        else:
            claim.unreadable = True
        claim.lines.append(
            new_service(
                *s,
                dates,
                adjustments,
                line.allowed,
                tuple(line.remarks),
                line.control,
                line.rendering,
                line.position,
            )
        )

    def _close_claim(self) -> None:
        claim = self._claim
        if claim is None:
            return
        self._close_line(claim)
        self._claim = None
        self._region = DETAIL
        e = claim.fields
        claim_id = e[1]
        values = self._values
        where, at = claim.where, claim.index
        if not claim_id:
            claim.problems.append(
                self._problem(
                    "missing-element",
                    at,
                    "CLP01, the patient control number, is empty",
                    element=1,
                    loop="2100",
                    batch=where,
                )
            )
        if not e[2]:
            claim.problems.append(
                self._problem(
                    "missing-element",
                    at,
                    "CLP02, the claim status, is empty",
                    element=2,
                    loop="2100",
                    claim_id=claim_id or None,
                    batch=where,
                )
            )
        unreadable = claim.unreadable
        charge = values.decimal(e[3])
        paid = values.decimal(e[4])
        if charge is None or paid is None:
            unreadable = True
            self._paid_unreadable = self._paid_unreadable or paid is None
            for n, what in ((3, "the claim charge"), (4, "the claim payment")):
                if values.decimal(e[n]) is None:
                    claim.problems.append(
                        self._problem(
                            "bad-number" if e[n] else "missing-element",
                            at,
                            f"CLP{n:02d}, {what}, is {'not a number' if e[n] else 'empty'}:"
                            " read as 0",
                            element=n,
                            loop="2100",
                            claim_id=claim_id or None,
                            batch=where,
                        )
                    )
            charge = ZERO if charge is None else charge
            paid = ZERO if paid is None else paid
        responsibility: Decimal | None = None
        if e[5]:
            responsibility = values.decimal(e[5])
            if responsibility is None:
                claim.problems.append(
                    self._problem(
                        "bad-number",
                        at,
                        "CLP05, the patient responsibility, is not a number",
                        element=5,
                        loop="2100",
                        claim_id=claim_id or None,
                        batch=where,
                    )
                )
        lines = tuple(claim.lines)
        adjustments = tuple(claim.adjustments)
        if not unreadable:
            adjusted = claim.adjusted
            if charge - paid != adjusted:
                claim.problems.append(
                    self._problem(
                        "claim-balance",
                        at,
                        f"CLP03 {charge} less CLP04 {paid} is {charge - paid}; the claim's"
                        f" adjustments (claim and line CAS) sum to {adjusted}",
                        element=4,
                        loop="2100",
                        severity=Severity.WARNING,
                        claim_id=claim_id or None,
                        batch=where,
                    )
                )
            if lines:
                charges = claim.charges
                if charges != charge:
                    claim.problems.append(
                        self._problem(
                            "charge-balance",
                            at,
                            f"CLP03 {charge} is not the sum of the lines' SVC02, {charges}",
                            element=3,
                            loop="2100",
                            severity=Severity.WARNING,
                            claim_id=claim_id or None,
                            batch=where,
                        )
                    )
        statement = span_of(claim.start, claim.end)
        remittance = self._remittance or self._remit(at)
        assert remittance is not None
        self._claims += 1
        self._total_paid += paid
        self.claims_read += 1
        self._emit(
            new_claim(
                remittance,
                claim_id,
                e[2],
                charge,
                paid,
                responsibility,
                e[6] or None,
                e[7] or None,
                e[8] or None,
                e[9] or None,
                claim.patient,
                claim.insured,
                claim.corrected,
                claim.rendering,
                statement,
                claim.received,
                adjustments,
                tuple(claim.remarks),
                claim.allowed,
                lines,
                self._header_number,
                claim.position,
                tuple(claim.problems),
            )
        )

    def _svc(self, segment: str, i: int) -> None:
        claim = self._claim
        if claim is None:
            self._misplaced("SVC", i)
            return
        self._close_line(claim)
        batch = self._batch
        assert batch is not None
        found = self._services.get(segment)
        unreadable = False
        if found is None:
            service, issues, unreadable = parse_svc(segment.split(self._el), self._co, self._values)
            found = (service, service[3] - service[4])
            if issues:
                for issue in issues:
                    self._claim_issue(claim, issue, i, "2110")
            else:
                if len(self._services) >= CACHE_LIMIT:
                    self._services.clear()
                self._services[segment] = found
        line = LineDraft(found[0], found[1], batch, i, batch.first + i - self._st_first + 1)
        if unreadable:
            line.unreadable = True
        claim.line = line
        self._region = LINE

    def _cas_segment(self, segment: str, i: int) -> None:
        claim = self._claim
        if claim is None:
            self._misplaced("CAS", i)
            return
        line = claim.line
        found = self._cas.get(segment)
        if found is None:
            adjustments, issues, unreadable = parse_cas(segment.split(self._el), self._values)
            found = (adjustments, sum((a.amount for a in adjustments), ZERO))
            if issues:
                for issue in issues:
                    self._claim_issue(claim, issue, i, "2110" if line else "2100")
                if unreadable:
                    if line is not None:
                        line.unreadable = True
                    else:
                        claim.unreadable = True
            else:
                if len(self._cas) >= CACHE_LIMIT:
                    self._cas.clear()
                self._cas[segment] = found
        if line is not None:
            line.adjustments.extend(found[0])
            line.adjusted += found[1]
        else:
            claim.adjustments.extend(found[0])
            claim.adjusted += found[1]

    def _dtm_segment(self, segment: str, i: int) -> None:
        span = self._spans.get(segment)
        if span is not None:
            claim = self._claim
            if claim is not None and claim.line is not None:
                claim.line.span = span
                return
        found = self._dtm.get(segment)
        if found is None:
            e = [*segment.split(self._el), "", ""]
            found = (e[1], self._values.date(e[2]))
            if found[1] is None:
                claim = self._claim
                message = f"DTM02 of DTM*{e[1][:3]} is not a valid CCYYMMDD date"
                if claim is not None and e[1] in _CLAIM_DATES | _LINE_DATES:
                    self._claim_issue(
                        claim,
                        Issue("bad-date", message, 2),
                        i,
                        "2110" if claim.line else "2100",
                    )
                elif claim is None and e[1] == "405":
                    self._txn_issue(
                        Issue("bad-date", message, 2, severity=Severity.WARNING), i, segment
                    )
                return
            if len(self._dtm) >= CACHE_LIMIT:
                self._dtm.clear()
            self._dtm[segment] = found
        qualifier, day = found
        claim = self._claim
        if claim is None:
            if qualifier == "405" and self._region < DETAIL:
                self._production = day
            return
        line = claim.line
        if line is not None:
            if qualifier == "472" and day is not None:
                span = line.span = DateSpan(day, day)
                if len(self._spans) >= CACHE_LIMIT:
                    self._spans.clear()
                self._spans[segment] = span
            elif qualifier == "150":
                line.start = day
            elif qualifier == "151":
                line.end = day
        elif qualifier == "232":
            claim.start = day
        elif qualifier == "233":
            claim.end = day
        elif qualifier == "050":
            claim.received = day

    def _nm1(self, segment: str, i: int) -> None:
        claim = self._claim
        if claim is None or claim.line is not None:
            return
        e = segment.split(self._el)
        if len(e) < 10:
            e += [""] * (10 - len(e))
        entity = e[1]
        if entity in ("QC", "IL"):
            name = PatientName(e[3], e[4] or None, e[8] or None, e[9] or None)
            if entity == "QC":
                claim.patient = name
            else:
                claim.insured = name
        elif entity == "74":
            claim.corrected = e[9] or None
        elif entity == "82":
            claim.rendering = e[9] or None

    def _mia(self, segment: str, i: int) -> None:
        claim = self._claim
        if claim is None:
            return
        e = segment.split(self._el)
        claim.remarks.extend(e[n] for n in (5, 20, 21, 22, 23) if n < len(e) and e[n])

    def _moa(self, segment: str, i: int) -> None:
        claim = self._claim
        if claim is None:
            return
        e = segment.split(self._el)
        claim.remarks.extend(code for code in e[3:8] if code)

    def _amt(self, segment: str, i: int) -> None:
        claim = self._claim
        if claim is None:
            return
        e = [*segment.split(self._el), "", ""]
        line = claim.line
        if (line is not None and e[1] == "B6") or (line is None and e[1] == "AU"):
            amount = self._values.decimal(e[2])
            if amount is None:
                self._claim_issue(
                    claim,
                    Issue("bad-number", f"AMT02 of AMT*{e[1][:3]} is not a number", 2),
                    i,
                    "2110" if line else "2100",
                )
            elif line is not None:
                line.allowed = amount
            else:
                claim.allowed = amount

    def _ref(self, segment: str, i: int) -> None:
        region = self._region
        if region == LINE:
            claim = self._claim
            assert claim is not None and claim.line is not None
            e = [*segment.split(self._el), "", ""]
            if e[1] == "6R":
                claim.line.control = e[2] or None
            elif e[1] == "HPI":
                claim.line.rendering = e[2] or None
        elif region == PAYEE:
            e = [*segment.split(self._el), "", ""]
            if e[1] == "TJ" and self._payee is not None:
                self._payee.tax_id = e[2] or None

    def _lq(self, segment: str, i: int) -> None:
        claim = self._claim
        if claim is None or claim.line is None:
            return
        e = [*segment.split(self._el), "", ""]
        if e[1] == "HE" and e[2]:
            claim.line.remarks.append(e[2])

    def _plb_segment(self, segment: str, i: int) -> None:
        self._close_claim()
        self._remit(i)
        self._region = TRAILER
        adjustments, issues, unreadable = parse_plb(segment.split(self._el), self._co, self._values)
        for issue in issues:
            self._txn_issue(issue, i, segment)
        self._plb.extend(adjustments)
        self._plb_unreadable = self._plb_unreadable or unreadable


_CLAIM_DATES = frozenset(("232", "233", "050"))
_LINE_DATES = frozenset(("472", "150", "151"))


def read_835(source: Source, *, chunk_size: int = 1 << 20) -> Reader835:
    """A reader over the 835 remittances in `source` (a path, bytes, or a binary stream).

    Iterate it for `ClaimPayment` (one per CLP) and `RemittanceEnd` (one per transaction, at
    its SE) in file order; afterwards `problems` holds the file's and the envelope's problems,
    `claims_read` and `remittances_read` the counts. Reading streams: memory does not grow
    with the file."""
    return Reader835(source, chunk_size=chunk_size)
