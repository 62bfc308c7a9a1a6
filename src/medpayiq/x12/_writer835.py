"""A small 835 (005010X221A1) writer: `ClaimPayment` and `RemittanceEnd` records back to X12.

For tests (the reader's round trip, remittances built in code), for generating benchmark
files, and for the remittance analysis's tests. It writes what the reader reads, in TR3
order: one ISA/GS (from the first remittance's envelope), a new ST whenever the claims'
`Remittance` changes, the header (BPR, TRN, DTM*405, N1*PR and N1*PE loops), an LX whenever
the claims' header number changes, each claim (CLP, claim CAS, NM1*QC/IL/74/82, MOA, DTM,
AMT*AU) and its lines (SVC, DTM, CAS, REF, AMT*B6, LQ*HE), and a `RemittanceEnd`'s PLBs
before its SE, with counts and control numbers right.

CAS segments group consecutive adjustments of one group (six triplets at most a segment), so
the reader gives back the same adjustments in the same order. Street addresses and contacts,
which the model does not keep, are placeholders (N3*ADDRESS ON FILE, PER*BL*CUSTOMER SERVICE,
the rendering provider's name NM1*82*1*PROVIDER, the bank numbers of an electronic payment
BPR05-15 999999999).
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from typing import TextIO

from medpayiq.x12._envelope import FunctionalGroup, Interchange, TransactionHeader
from medpayiq.x12._model import DateSpan
from medpayiq.x12._model835 import (
    Adjustment,
    ClaimPayment,
    Party,
    ProviderAdjustment,
    Remittance,
    RemittanceEnd,
    ServicePayment,
)
from medpayiq.x12._tokens import Delimiters
from medpayiq.x12._writer837 import DEFAULT_DELIMITERS

VERSION_835 = "005010X221A1"
_ELECTRONIC = frozenset(("ACH", "BOP", "FWT"))


def new_remittance(
    amount: Decimal,
    payment_date: date,
    *,
    payer: Party,
    payee: Party,
    control_number: str = "0001",
    trace_number: str = "1",
    payer_tin: str | None = None,
    method: str = "ACH",
    handling: str = "I",
    production_date: date | None = None,
    sender: str = "PAYER",
    receiver: str = "PAYEE",
) -> Remittance:
    """A remittance header for claims built in code (BPR02 `amount`: the writer writes it as
    given, so make it the claims' payments less the PLB amounts for a balanced file)."""
    interchange = Interchange(
        "ZZ",
        sender,
        "ZZ",
        receiver,
        payment_date,
        "1200",
        "000000001",
        "00501",
        "T",
        DEFAULT_DELIMITERS,
    )
    group = FunctionalGroup("HP", sender, receiver, payment_date, "1", VERSION_835)
    header = TransactionHeader(interchange, group, "835", control_number, VERSION_835)
    return Remittance(
        header,
        handling,
        amount,
        "C",
        method,
        payment_date,
        trace_number,
        payer_tin,
        production_date,
        payer,
        payee,
    )


def _d8(day: date) -> str:
    return day.strftime("%Y%m%d")


def _n(value: Decimal | None) -> str:
    """An amount as X12 type R: no exponent."""
    return "" if value is None else format(value, "f")


class _Writer:
    """Writes segments and counts them for SE01."""

    def __init__(self, out: TextIO, delimiters: Delimiters, line_break: str) -> None:
        self.out = out
        self.el = delimiters.element
        self.co = delimiters.component
        self.end = delimiters.segment + line_break
        self.count = 0

    def seg(self, *elements: str) -> None:
        self.out.write(self.el.join(elements).rstrip(self.el) + self.end)
        self.count += 1

    def comp(self, *components: str) -> str:
        return self.co.join(components).rstrip(self.co)

    def cas(self, adjustments: Sequence[Adjustment]) -> None:
        """CAS segments for `adjustments`, consecutive ones of a group together (up to six)."""
        run: list[Adjustment] = []
        for adjustment in adjustments:
            if run and (adjustment.group != run[0].group or len(run) == 6):
                self._cas(run)
                run = []
            run.append(adjustment)
        if run:
            self._cas(run)

    def _cas(self, run: list[Adjustment]) -> None:
        elements = ["CAS", run[0].group]
        for a in run:
            elements += [a.reason, _n(a.amount), _n(a.quantity)]
        self.seg(*elements)


def write_835(
    items: Iterable[ClaimPayment | RemittanceEnd],
    out: TextIO,
    *,
    delimiters: Delimiters = DEFAULT_DELIMITERS,
    line_break: str = "\n",
) -> int:
    """Write `items` (claims, and the `RemittanceEnd`s whose PLBs close their transactions)
    as one 835 interchange to `out`; the number of claims written. The ISA and GS are the
    first remittance's envelope (sender, receiver, dates, control numbers, usage)."""
    w = _Writer(out, delimiters, line_break)
    state = _State()
    written = 0
    for item in items:
        if isinstance(item, RemittanceEnd):
            if item.remittance is not None and item.remittance is not state.remittance:
                _open(w, state, item.remittance, delimiters)
            elif state.remittance is None:
                continue  # nothing to close
            _plb(w, item.provider_adjustments)
            _close(w, state)
            continue
        if item.remittance is not state.remittance and item.remittance != state.remittance:
            _open(w, state, item.remittance, delimiters)
        if item.header_number is not None and item.header_number != state.lx:
            w.seg("LX", item.header_number)
            state.lx = item.header_number
        _claim(w, item)
        written += 1
    if state.remittance is not None:
        _close(w, state)
    if state.interchange is not None:
        w.seg("GE", str(state.sets), state.group)
        w.seg("IEA", "1", state.interchange)
    return written


def to_835(items: Iterable[ClaimPayment | RemittanceEnd], **options: object) -> str:
    """The 835 text of `items` (see `write_835` for the options)."""
    out = io.StringIO()
    write_835(items, out, **options)  # type: ignore[arg-type]
    return out.getvalue()


class _State:
    def __init__(self) -> None:
        self.remittance: Remittance | None = None
        self.interchange: str | None = None  # ISA13 once written
        self.group = ""
        self.sets = 0
        self.lx: str | None = None


def _open(w: _Writer, state: _State, remittance: Remittance, delimiters: Delimiters) -> None:
    if state.remittance is not None:
        _close(w, state)
    header = remittance.header
    if state.interchange is None:
        i, g = header.interchange, header.group
        isa = [
            "ISA",
            "00",
            " " * 10,
            "00",
            " " * 10,
            (i.sender_qualifier or "ZZ")[:2].ljust(2),
            i.sender_id[:15].ljust(15),
            (i.receiver_qualifier or "ZZ")[:2].ljust(2),
            i.receiver_id[:15].ljust(15),
            (i.date or date.today()).strftime("%y%m%d"),
            (i.time or "1200")[:4].ljust(4, "0"),
            delimiters.repetition or "^",
            "00501",
            (i.control_number or "1")[:9].rjust(9, "0"),
            "0",
            i.usage or "T",
            delimiters.component,
        ]
        w.out.write(delimiters.element.join(isa) + w.end)
        state.interchange = isa[13]
        state.group = g.control_number or "1"
        w.seg(
            "GS",
            g.functional_id or "HP",
            g.sender,
            g.receiver,
            _d8(g.date or date.today()),
            (i.time or "1200")[:4],
            state.group,
            "X",
            g.version or VERSION_835,
        )
    state.remittance = remittance
    state.sets += 1
    state.lx = None
    w.count = 0
    w.seg("ST", "835", header.control_number, header.version or VERSION_835)
    r = remittance
    bpr = ["BPR", r.handling, _n(r.amount), r.credit_debit, r.method] + [""] * 11
    if r.method in _ELECTRONIC:  # the model keeps no bank accounts: placeholders
        bpr[5:16] = ["CCP", "01", "999999999", "DA", "999999999", r.payer_tin or "1999999999",
                     "", "01", "999999999", "DA", "999999999"]  # fmt: skip
    bpr.append(_d8(r.payment_date) if r.payment_date else "")
    w.seg(*bpr)
    if r.trace_number:
        w.seg("TRN", "1", r.trace_number, r.payer_tin or "")
    if r.production_date:
        w.seg("DTM", "405", _d8(r.production_date))
    _party(w, "PR", r.payer)
    w.seg("PER", "BL", "CUSTOMER SERVICE", "TE", "8005550100")
    _party(w, "PE", r.payee)
    if r.payee.tax_id and r.payee.id_qualifier != "FI":
        w.seg("REF", "TJ", r.payee.tax_id)


def _party(w: _Writer, entity: str, party: Party) -> None:
    w.seg("N1", entity, party.name, party.id_qualifier or "", party.identifier or "")
    w.seg("N3", "ADDRESS ON FILE")
    if party.city or party.state or party.zip:
        w.seg("N4", party.city or "", party.state or "", party.zip or "")


def _close(w: _Writer, state: _State) -> None:
    assert state.remittance is not None
    w.seg("SE", str(w.count + 1), state.remittance.header.control_number)
    state.remittance = None


def _plb(w: _Writer, adjustments: Sequence[ProviderAdjustment]) -> None:
    run: list[ProviderAdjustment] = []
    for a in adjustments:
        if run and (
            (a.provider, a.fiscal_period_end) != (run[0].provider, run[0].fiscal_period_end)
            or len(run) == 6
        ):
            _plb_segment(w, run)
            run = []
        run.append(a)
    if run:
        _plb_segment(w, run)


def _plb_segment(w: _Writer, run: list[ProviderAdjustment]) -> None:
    first = run[0]
    elements = [
        "PLB",
        first.provider,
        _d8(first.fiscal_period_end) if first.fiscal_period_end else "",
    ]
    for a in run:
        elements += [w.comp(a.reason, a.reference or ""), _n(a.amount)]
    w.seg(*elements)


def _claim(w: _Writer, claim: ClaimPayment) -> None:
    w.seg(
        "CLP",
        claim.claim_id,
        claim.status,
        _n(claim.charge),
        _n(claim.paid),
        _n(claim.patient_responsibility),
        claim.filing_indicator or "",
        claim.payer_claim_number or "",
        claim.facility_code or "",
        claim.frequency or "",
    )
    w.cas(claim.adjustments)
    for entity, name in (("QC", claim.patient), ("IL", claim.insured)):
        if name is not None:
            w.seg("NM1", entity, "1", name.last, name.first or "", "", "", "",
                  name.id_qualifier or "", name.member_id or "")  # fmt: skip
    if claim.corrected_member_id:
        w.seg("NM1", "74", "1", "", "", "", "", "", "C", claim.corrected_member_id)
    if claim.rendering_npi:
        w.seg("NM1", "82", "1", "PROVIDER", "", "", "", "", "XX", claim.rendering_npi)
    if claim.remarks:
        w.seg("MOA", "", "", *claim.remarks[:5])
    if claim.statement is not None:
        w.seg("DTM", "232", _d8(claim.statement.start))
        w.seg("DTM", "233", _d8(claim.statement.end))
    if claim.received is not None:
        w.seg("DTM", "050", _d8(claim.received))
    if claim.allowed is not None:
        w.seg("AMT", "AU", _n(claim.allowed))
    for line in claim.lines:
        _line(w, line, claim.statement)


def _line(w: _Writer, line: ServicePayment, statement: DateSpan | None) -> None:
    billed = ""
    if line.billed_procedure:
        billed = w.comp(line.qualifier, line.billed_procedure, *line.billed_modifiers)
    w.seg(
        "SVC",
        w.comp(line.qualifier, line.procedure or "", *line.modifiers),
        _n(line.charge),
        _n(line.paid),
        line.revenue_code or "",
        _n(line.units),
        billed,
        _n(line.billed_units),
    )
    span = line.dates
    if span is not None and span != statement:  # the claim's period is the line's already
        if span.is_range:
            w.seg("DTM", "150", _d8(span.start))
            w.seg("DTM", "151", _d8(span.end))
        else:
            w.seg("DTM", "472", _d8(span.start))
    w.cas(line.adjustments)
    if line.control_number:
        w.seg("REF", "6R", line.control_number)
    if line.rendering_npi:
        w.seg("REF", "HPI", line.rendering_npi)
    if line.allowed is not None:
        w.seg("AMT", "B6", _n(line.allowed))
    for remark in line.remarks:
        w.seg("LQ", "HE", remark)
