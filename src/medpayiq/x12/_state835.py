"""The 835 reader's state: the drafts of the claim and line being read, and the transaction
header (BPR, TRN, DTM*405, the N1*PR and N1*PE loops) read into the `Remittance` that every
claim of the transaction shares; the problem helpers. `Reader835` (`_reader835.py`) reads the
detail on top of it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from medpayiq.x12._envelope import Source, TransactionReader
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
from medpayiq.x12._segments835 import ZERO, Issue, ServiceParts
from medpayiq.x12._tokens import SegmentBatch
from medpayiq.x12._values import ValueCache

Item835 = ClaimPayment | RemittanceEnd
# Where the reader stands in the transaction: what an N4, REF, DTM, AMT or CAS belongs to.
HEADER, PAYER, PAYEE, OTHER_PARTY, DETAIL, CLAIM, LINE, TRAILER = range(8)
NO_PARTY = Party("", None, None)


class PartyDraft:
    """An N1 loop of the header being read."""

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


class LineDraft:
    """A 2110 loop being read."""

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


class ClaimDraft:
    """A 2100 loop being read."""

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
        self.line: LineDraft | None = None
        self.problems: list[X12Problem] = []
        self.unreadable = False


class RemittanceState(TransactionReader[Item835]):
    """The state and the header segments of an 835 reader (see the module docstring)."""

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
        self._payer: PartyDraft | None = None
        self._payee: PartyDraft | None = None
        self._party: PartyDraft | None = None
        self._remittance: Remittance | None = None
        self._header_read = False
        self._header_number: str | None = None
        self._claim: ClaimDraft | None = None
        self._claims = 0
        self._total_paid = ZERO
        self._plb: list[ProviderAdjustment] = []
        self._plb_unreadable = False
        self._paid_unreadable = False  # a CLP04 could not be read: BPR02 is not balanced
        self._txn_problems: list[X12Problem] = []

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

    def _claim_issue(self, claim: ClaimDraft, issue: Issue, index: int, loop: str) -> None:
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
        party = PartyDraft(e)
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
            self._payer.party() if self._payer else NO_PARTY,
            self._payee.party() if self._payee else NO_PARTY,
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


def span_of(start: date | None, end: date | None) -> DateSpan | None:
    """From and through dates as a span (one of them alone: that day); None for neither."""
    if start is None:
        return None if end is None else DateSpan(end, end)
    return DateSpan(start, end or start)
