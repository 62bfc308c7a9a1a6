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

from datetime import date
from decimal import Decimal
from typing import ClassVar

from medpayiq.x12._envelope import Handler, Source, TransactionHeader, TransactionReader
from medpayiq.x12._model import DateSpan
from medpayiq.x12._model835 import (
    Adjustment,
    ClaimPayment,
    Party,
    PatientName,
    ProviderAdjustment,
    Remittance,
    RemittanceEnd,
    ServicePayment,
)
from medpayiq.x12._problems import Severity, X12Problem
from medpayiq.x12._segments835 import (
    SEGMENTS_835,
    VERSIONS_835,
    ZERO,
    Issue,
    ServiceParts,
    new_claim,
    new_service,
    parse_cas,
    parse_plb,
    parse_svc,
)
from medpayiq.x12._tokens import Delimiters, SegmentBatch
from medpayiq.x12._values import ValueCache

Item835 = ClaimPayment | RemittanceEnd
_CACHE_LIMIT = 1 << 14
# Where the reader stands in the transaction: what an N4, REF, DTM, AMT or CAS belongs to.
HEADER, PAYER, PAYEE, OTHER_PARTY, DETAIL, CLAIM, LINE, TRAILER = range(8)
_NO_PARTY = Party("", None, None)


class _PartyDraft:
    __slots__ = ("city", "fields", "state", "tax_id", "zip")

    def __init__(self, fields: list[str]) -> None:
        self.fields = fields
        self.city: str | None = None
        self.state: str | None = None
        self.zip: str | None = None
        self.tax_id: str | None = None

    def party(self) -> Party:
        e = self.fields
        qualifier, identifier = e[3] or None, e[4] or None
        return Party(
            e[2],
            qualifier,
            identifier,
            self.city,
            self.state,
            self.zip,
            identifier if qualifier == "XX" else None,
            identifier if qualifier == "FI" else self.tax_id,
        )


class _Line:
    __slots__ = (
        "adjusted",
        "adjustments",
        "allowed",
        "control",
        "difference",
        "end",
        "index",
        "position",
        "remarks",
        "rendering",
        "service",
        "span",
        "start",
        "unreadable",
        "where",
    )

    def __init__(
        self,
        service: ServiceParts,
        difference: Decimal,
        where: SegmentBatch,
        index: int,
        position: int,
    ) -> None:
        self.service = service
        self.difference = difference  # SVC02 - SVC03
        self.where = where
        self.index = index
        self.position = position
        self.adjustments: list[Adjustment] = []
        self.adjusted = ZERO  # the sum of the CAS amounts read
        self.allowed: Decimal | None = None
        self.remarks: list[str] = []
        self.control: str | None = None
        self.rendering: str | None = None
        self.span: DateSpan | None = None  # DTM*472
        self.start: date | None = None  # DTM*150
        self.end: date | None = None  # DTM*151
        self.unreadable = False


class _Claim:
    __slots__ = (
        "adjusted",
        "adjustments",
        "allowed",
        "charges",
        "corrected",
        "end",
        "fields",
        "index",
        "insured",
        "line",
        "lines",
        "patient",
        "position",
        "problems",
        "received",
        "remarks",
        "rendering",
        "start",
        "unreadable",
        "where",
    )

    def __init__(self, fields: list[str], where: SegmentBatch, index: int, position: int) -> None:
        self.fields = fields  # CLP01 ... CLP09 as read (amounts parsed at close)
        self.where = where
        self.index = index
        self.position = position
        self.patient: PatientName | None = None
        self.insured: PatientName | None = None
        self.corrected: str | None = None
        self.rendering: str | None = None
        self.start: date | None = None
        self.end: date | None = None
        self.received: date | None = None
        self.adjustments: list[Adjustment] = []
        self.adjusted = ZERO  # every CAS amount of the claim, claim and line level
        self.charges = ZERO  # the sum of SVC02
        self.remarks: list[str] = []
        self.allowed: Decimal | None = None
        self.lines: list[ServicePayment] = []
        self.line: _Line | None = None
        self.problems: list[X12Problem] = []
        self.unreadable = False


class Reader835(TransactionReader[Item835]):
    """Reads 835 transactions; iterate for `ClaimPayment` and `RemittanceEnd` in file order."""

    transaction_set = "835"
    versions: ClassVar[tuple[str, ...]] = VERSIONS_835
    segment_ids: ClassVar[frozenset[str]] = SEGMENTS_835

    def __init__(self, source: Source, *, chunk_size: int = 1 << 20) -> None:
        super().__init__(source, chunk_size=chunk_size)
        self.claims_read = 0
        self.remittances_read = 0
        self._values = ValueCache()
        self._el, self._co = "*", ":"
        # What a segment text read as, for texts read without a problem
        self._services: dict[str, tuple[ServiceParts, Decimal]] = {}  # SVC: parts, SVC02 - 03
        self._cas: dict[str, tuple[list[Adjustment], Decimal]] = {}  # CAS: adjustments, sum
        self._dtm: dict[str, tuple[str, date | None]] = {}  # DTM: qualifier, date
        self._spans: dict[str, DateSpan] = {}  # DTM*472: its date as a span
        self._reset()

    def _reset(self) -> None:
        self._region = HEADER
        self._bpr: list[str] | None = None
        self._bpr_where: tuple[SegmentBatch, int] | None = None
        self._payment_date: date | None = None
        self._amount: Decimal | None = None
        self._trn: list[str] | None = None
        self._production: date | None = None
        self._payer: _PartyDraft | None = None
        self._payee: _PartyDraft | None = None
        self._party: _PartyDraft | None = None
        self._remittance: Remittance | None = None
        self._header_read = False
        self._header_number: str | None = None
        self._claim: _Claim | None = None
        self._claims = 0
        self._total_paid = ZERO
        self._plb: list[ProviderAdjustment] = []
        self._plb_unreadable = False
        self._paid_unreadable = False  # a CLP04 could not be read: BPR02 is not balanced
        self._txn_problems: list[X12Problem] = []

    # --- dispatch ---------------------------------------------------------------------------

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

    # --- problems ---------------------------------------------------------------------------

    def _position_of(self, index: int) -> int:
        batch = self._batch
        assert batch is not None
        return batch.first + index - self._st_first + 1

    def _txn_issue(self, issue: Issue, index: int, segment: str, loop: str | None = None) -> None:
        severity = issue.severity
        if severity == Severity.CLAIM:
            severity = Severity.TRANSACTION
        self._txn_problems.append(
            self._problem(
                issue.code,
                index,
                issue.message,
                element=issue.element,
                component=issue.component,
                severity=severity,
                loop=loop,
            )
        )

    def _claim_issue(self, claim: _Claim, issue: Issue, index: int, loop: str) -> None:
        claim.problems.append(
            self._problem(
                issue.code,
                index,
                issue.message,
                element=issue.element,
                component=issue.component,
                severity=issue.severity,
                loop=loop,
                claim_id=claim.fields[1] or None,
            )
        )

    def _misplaced(self, what: str, index: int) -> None:
        """A segment of the claim or line loop with no claim open."""
        self._txn_problems.append(
            self._problem(
                "unexpected-segment",
                index,
                f"{what} outside a claim (no CLP before it): it is not read",
                severity=Severity.WARNING,
            )
        )

    # --- header -----------------------------------------------------------------------------

    def _bpr_segment(self, segment: str, i: int) -> None:
        e = segment.split(self._el)
        if len(e) < 17:
            e += [""] * (17 - len(e))
        batch = self._batch
        assert batch is not None
        self._bpr, self._bpr_where = e, (batch, i)
        values = self._values
        amount = values.decimal(e[2])
        if amount is None:
            self._txn_problems.append(
                self._problem(
                    "bad-number",
                    i,
                    "BPR02, the total payment, is not a number: the payment is not balanced",
                    element=2,
                    severity=Severity.TRANSACTION,
                )
            )
        self._amount = amount
        day: date | None = None
        if e[16]:
            day = values.date(e[16])
            if day is None:
                self._txn_problems.append(
                    self._problem(
                        "bad-date",
                        i,
                        "BPR16, the payment date, is not a valid CCYYMMDD date",
                        element=16,
                        severity=Severity.WARNING,
                    )
                )
        elif e[15] and values.date(e[15]) is not None:
            day = values.date(e[15])
            self._txn_problems.append(
                self._problem(
                    "misplaced-element",
                    i,
                    "the payment date stands in BPR15 (an account number's place) and BPR16 is"
                    " empty: read from BPR15",
                    element=15,
                    severity=Severity.WARNING,
                )
            )
        self._payment_date = day

    def _trn_segment(self, segment: str, i: int) -> None:
        if self._region >= DETAIL:
            return  # a TRN inside the detail is not the header's (none is allowed)
        self._trn = [*segment.split(self._el), "", "", ""]

    def _n1(self, segment: str, i: int) -> None:
        e = [*segment.split(self._el), "", "", "", "", ""]
        if self._region >= DETAIL:
            self._misplaced("N1", i)
            return
        party = _PartyDraft(e)
        self._party = party
        if e[1] == "PR":
            self._payer, self._region = party, PAYER
        elif e[1] == "PE":
            self._payee, self._region = party, PAYEE
        else:
            self._region = OTHER_PARTY

    def _n4(self, segment: str, i: int) -> None:
        party = self._party
        if party is None or self._region not in (PAYER, PAYEE):
            return
        e = [*segment.split(self._el), "", "", ""]
        party.city, party.state, party.zip = e[1] or None, e[2] or None, e[3] or None

    def _remit(self, index: int) -> Remittance | None:
        """The transaction's header record, built once, when the first LX, CLP, PLB or the
        SE needs it."""
        if self._header_read:
            return self._remittance
        self._header_read = True
        header = self.header
        if header is None:
            return None
        bpr = self._bpr
        if bpr is None:
            if index >= 0:
                self._txn_problems.append(
                    self._problem(
                        "bad-segment",
                        index,
                        "the transaction has no BPR before its detail: the payment is unknown",
                        severity=Severity.TRANSACTION,
                    )
                )
            bpr = [""] * 17
        trn = self._trn or ["", "", "", ""]
        self._remittance = Remittance(
            header,
            bpr[1],
            self._amount if self._amount is not None else ZERO,
            bpr[3],
            bpr[4],
            self._payment_date,
            trn[2] or None,
            trn[3] or None,
            self._production,
            self._payer.party() if self._payer else _NO_PARTY,
            self._payee.party() if self._payee else _NO_PARTY,
        )
        return self._remittance

    def _check_payment(self, remittance: Remittance) -> None:
        if self._amount is None or self._bpr_where is None:
            return
        expected = self._total_paid - sum((a.amount for a in self._plb), ZERO)
        if expected != self._amount:
            batch, at = self._bpr_where
            plb = sum((a.amount for a in self._plb), ZERO)
            self._txn_problems.append(
                self._problem(
                    "payment-balance",
                    at,
                    f"BPR02 {self._amount} is not the claims' payments {self._total_paid} less"
                    f" the provider adjustments {plb} (= {expected})",
                    element=2,
                    severity=Severity.WARNING,
                    batch=batch,
                )
            )

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
        self._claim = _Claim(e, batch, i, self._position_of(i))
        self._region = CLAIM

    def _close_line(self, claim: _Claim) -> None:
        line = claim.line
        if line is None:
            return
        claim.line = None
        s = line.service
        dates = line.span or _span(line.start, line.end) or _span(claim.start, claim.end)
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
        amounts: list[Decimal] = []
        unreadable = claim.unreadable
        for n, what in ((3, "the claim charge"), (4, "the claim payment")):
            value = values.decimal(e[n])
            if value is None:
                unreadable = True
                claim.problems.append(
                    self._problem(
                        "bad-number" if e[n] else "missing-element",
                        at,
                        f"CLP{n:02d}, {what}, is {'not a number' if e[n] else 'empty'}: read as 0",
                        element=n,
                        loop="2100",
                        claim_id=claim_id or None,
                        batch=where,
                    )
                )
                value = ZERO
                self._paid_unreadable = self._paid_unreadable or n == 4
            amounts.append(value)
        charge, paid = amounts
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
        statement = _span(claim.start, claim.end)
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
                if len(self._services) >= _CACHE_LIMIT:
                    self._services.clear()
                self._services[segment] = found
        line = _Line(found[0], found[1], batch, i, batch.first + i - self._st_first + 1)
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
                if len(self._cas) >= _CACHE_LIMIT:
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
            if len(self._dtm) >= _CACHE_LIMIT:
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
                if len(self._spans) >= _CACHE_LIMIT:
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
        e = [*segment.split(self._el), "", "", "", "", "", "", "", "", "", ""]
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
                    Issue("bad-number", f"AMT02 of AMT*{e[1]} is not a number", 2),
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


def _span(start: date | None, end: date | None) -> DateSpan | None:
    """From and through dates as a span (one of them alone: that day); None for neither."""
    if start is None:
        return None if end is None else DateSpan(end, end)
    return DateSpan(start, end or start)


_CLAIM_DATES = frozenset(("232", "233", "050"))
_LINE_DATES = frozenset(("472", "150", "151"))


def read_835(source: Source, *, chunk_size: int = 1 << 20) -> Reader835:
    """A reader over the 835 remittances in `source` (a path, bytes, or a binary stream).

    Iterate it for `ClaimPayment` (one per CLP) and `RemittanceEnd` (one per transaction, at
    its SE) in file order; afterwards `problems` holds the file's and the envelope's problems,
    `claims_read` and `remittances_read` the counts. Reading streams: memory does not grow
    with the file."""
    return Reader835(source, chunk_size=chunk_size)
