"""A small 837P (005010X222A1) writer: `Claim837` records back to X12 text.

For tests, for generating benchmark files, and for turning claims typed elsewhere (the JSON
claim model) into the file a biller would send. It writes what the reader reads, in TR3
order, with an envelope whose counts and control numbers are right: one ISA/GS, a new ST
whenever the claims' transaction changes or `claims_per_transaction` is reached, and the HL
hierarchy from consecutive claims that share a billing provider, subscriber and patient.

The model keeps no names or addresses of people, so the writer puts placeholders there
(NM1*IL*1*SUBSCRIBER*MEMBER, N3*ADDRESS ON FILE): the file is well formed and carries no PHI.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from typing import TextIO

from medpayiq.x12._envelope import FunctionalGroup, Interchange, TransactionHeader
from medpayiq.x12._model import (
    BillingProvider,
    Claim837,
    DateSpan,
    Facility,
    Patient,
    ServiceLine,
    Subscriber,
    Transaction837,
)
from medpayiq.x12._tokens import Delimiters

DEFAULT_DELIMITERS = Delimiters("*", ":", "^", "~")
_VERSION = "005010X222A1"


def new_transaction(
    created: date,
    *,
    reference: str = "1",
    submitter: tuple[str, str] = ("MEDPAYIQ", "MEDPAYIQ"),
    receiver: tuple[str, str] = ("MEDICARE", "00000"),
    claim_type: str = "CH",
) -> Transaction837:
    """A transaction record for claims built in code (the writer sets the envelope itself)."""
    interchange = Interchange(
        "ZZ",
        submitter[1],
        "ZZ",
        receiver[1],
        created,
        "0000",
        "1",
        "00501",
        "T",
        DEFAULT_DELIMITERS,
    )
    group = FunctionalGroup("HC", submitter[1], receiver[1], created, "1", _VERSION)
    header = TransactionHeader(interchange, group, "837", "0001", _VERSION)
    return Transaction837(header, "00", reference, created, claim_type, *submitter, *receiver)


def _d8(day: date) -> str:
    return day.strftime("%Y%m%d")


def _span(span: DateSpan) -> tuple[str, str]:
    if span.is_range:
        return "RD8", f"{_d8(span.start)}-{_d8(span.end)}"
    return "D8", _d8(span.start)


class _Writer:
    """Writes segments and counts them for SE01."""

    def __init__(self, out: TextIO, delimiters: Delimiters, line_break: str) -> None:
        self.out = out
        self.el = delimiters.element
        self.co = delimiters.component
        self.end = delimiters.segment + line_break
        self.delimiters = delimiters
        self.count = 0  # segments in the open transaction

    def seg(self, *elements: str) -> None:
        self.out.write(self.el.join(elements).rstrip(self.el) + self.end)
        self.count += 1

    def comp(self, *components: str) -> str:
        return self.co.join(components).rstrip(self.co)


def write_837p(
    claims: Iterable[Claim837],
    out: TextIO,
    *,
    delimiters: Delimiters = DEFAULT_DELIMITERS,
    line_break: str = "\n",
    control_number: int = 1,
    claims_per_transaction: int = 5000,
    sender: str = "MEDPAYIQ",
    receiver: str = "MEDICARE",
    usage: str = "T",
    extra_2300: Callable[[Claim837], Iterable[Sequence[str]]] | None = None,
    extra_2400: Callable[[Claim837, ServiceLine], Iterable[Sequence[str]]] | None = None,
) -> int:
    """Write `claims` as one 837P interchange to `out`; the number of claims written.

    `extra_2300(claim)` may give more segments (as element lists, id first) to write at the
    end of the claim's 2300 loop, before its lines: other-subscriber (2320/2330) loops, NTE,
    PWK ... that the model does not carry. `extra_2400(claim, line)` likewise after a line's
    DTP and REF (NTE, or a 2410 drug loop: LIN, CTP)."""
    w = _Writer(out, delimiters, line_break)
    today = date.today()
    isa13 = f"{control_number:09d}"
    isa = [
        "ISA",
        "00",
        " " * 10,
        "00",
        " " * 10,
        "ZZ",
        sender[:15].ljust(15),
        "ZZ",
        receiver[:15].ljust(15),
        today.strftime("%y%m%d"),
        "1200",
        delimiters.repetition or "^",
        "00501",
        isa13,
        "0",
        usage,
        delimiters.component,
    ]
    out.write(delimiters.element.join(isa) + w.end)
    w.seg("GS", "HC", sender, receiver, _d8(today), "1200", str(control_number), "X", _VERSION)
    sets = 0
    written = 0
    in_set = 0
    transaction: Transaction837 | None = None
    hl = 0
    billing: BillingProvider | None = None
    subscriber: Subscriber | None = None
    patient: Patient | None = None
    billing_hl = subscriber_hl = 0
    for claim in claims:
        if (
            transaction is None
            or claim.transaction != transaction
            or in_set >= claims_per_transaction
        ):
            if transaction is not None:
                w.seg("SE", str(w.count + 1), f"{sets:04d}")
            sets += 1
            in_set = 0
            transaction = claim.transaction
            w.count = 0
            _header(w, transaction, f"{sets:04d}")
            hl = 0
            billing = subscriber = patient = None
        if claim.billing_provider != billing:
            billing = claim.billing_provider
            hl += 1
            billing_hl = hl
            _billing(w, billing, hl)
            subscriber = patient = None
        if claim.subscriber != subscriber or (claim.patient is None and patient is not None):
            subscriber = claim.subscriber
            hl += 1
            subscriber_hl = hl
            _subscriber(
                w, subscriber, hl, billing_hl, billing, has_patient=claim.patient is not None
            )
            patient = None
        if claim.patient is not None and claim.patient != patient:
            patient = claim.patient
            hl += 1
            _patient(w, patient, hl, subscriber_hl, billing)
        _claim(w, claim, extra_2300, extra_2400)
        in_set += 1
        written += 1
    if transaction is not None:
        w.seg("SE", str(w.count + 1), f"{sets:04d}")
    w.seg("GE", str(sets), str(control_number))
    w.seg("IEA", "1", isa13)
    return written


def to_837p(claims: Iterable[Claim837], **options: object) -> str:
    """`claims` as 837P text (see `write_837p` for the options)."""
    buffer = io.StringIO()
    write_837p(claims, buffer, **options)  # type: ignore[arg-type]
    return buffer.getvalue()


def _header(w: _Writer, transaction: Transaction837, control: str) -> None:
    w.seg("ST", "837", control, _VERSION)
    w.seg(
        "BHT",
        "0019",
        transaction.purpose or "00",
        transaction.reference or "1",
        _d8(transaction.created),
        "1200",
        transaction.claim_type or "CH",
    )
    w.seg(
        "NM1",
        "41",
        "2",
        transaction.submitter_name or "SUBMITTER",
        "",
        "",
        "",
        "",
        "46",
        transaction.submitter_id or "0",
    )
    w.seg("PER", "IC", "BILLING OFFICE", "TE", "5555550100")
    w.seg(
        "NM1",
        "40",
        "2",
        transaction.receiver_name or "RECEIVER",
        "",
        "",
        "",
        "",
        "46",
        transaction.receiver_id or "0",
    )


def _billing(w: _Writer, billing: BillingProvider, hl: int) -> None:
    w.seg("HL", str(hl), "", "20", "1")
    if billing.taxonomy:
        w.seg("PRV", "BI", "PXC", billing.taxonomy)
    last, _, first = billing.name.partition(", ")
    if billing.entity_type == "1":
        w.seg("NM1", "85", "1", last, first, "", "", "", "XX", billing.npi)
    else:
        w.seg(
            "NM1", "85", billing.entity_type or "2", billing.name, "", "", "", "", "XX", billing.npi
        )
    w.seg("N3", "ADDRESS ON FILE")
    w.seg("N4", billing.city or "", billing.state or "", billing.zip or "")
    if billing.tax_id:
        w.seg("REF", "EI", billing.tax_id)


def _place(billing: BillingProvider) -> tuple[str, str, str]:
    """N4 for a person whose address the model does not keep: the practice's city."""
    return billing.city or "UNKNOWN", billing.state or "TX", (billing.zip or "00000")[:5]


def _subscriber(
    w: _Writer,
    subscriber: Subscriber,
    hl: int,
    parent: int,
    billing: BillingProvider,
    *,
    has_patient: bool,
) -> None:
    w.seg("HL", str(hl), str(parent), "22", "1" if has_patient else "0")
    relationship = "" if has_patient else (subscriber.relationship or "18")
    w.seg(
        "SBR",
        subscriber.payer_responsibility,
        relationship,
        subscriber.group_number or "",
        "",
        "",
        "",
        "",
        "",
        subscriber.claim_filing_indicator or "",
    )
    w.seg("NM1", "IL", "1", "SUBSCRIBER", "MEMBER", "", "", "", "MI", subscriber.member_id)
    if not has_patient:
        w.seg("N3", "ADDRESS ON FILE")
        w.seg("N4", *_place(billing))
    if subscriber.birth_date is not None or subscriber.sex:
        birth = _d8(subscriber.birth_date) if subscriber.birth_date else ""
        w.seg("DMG", "D8", birth, subscriber.sex or "U")
    w.seg("NM1", "PR", "2", subscriber.payer.name, "", "", "", "", "PI", subscriber.payer.payer_id)


def _patient(w: _Writer, patient: Patient, hl: int, parent: int, billing: BillingProvider) -> None:
    w.seg("HL", str(hl), str(parent), "23", "0")
    w.seg("PAT", patient.relationship)
    w.seg("NM1", "QC", "1", "PATIENT", "DEPENDANT")
    w.seg("N3", "ADDRESS ON FILE")
    w.seg("N4", *_place(billing))
    birth = _d8(patient.birth_date) if patient.birth_date else ""
    w.seg("DMG", "D8", birth, patient.sex or "U")


def _facility(w: _Writer, facility: Facility) -> None:
    w.seg(
        "NM1",
        "77",
        "2",
        facility.name,
        "",
        "",
        "",
        "",
        "XX" if facility.npi else "",
        facility.npi or "",
    )
    w.seg("N3", "ADDRESS ON FILE")
    w.seg("N4", facility.city or "", facility.state or "", facility.zip or "")


def _claim(
    w: _Writer,
    claim: Claim837,
    extra: Callable[[Claim837], Iterable[Sequence[str]]] | None,
    extra_line: Callable[[Claim837, ServiceLine], Iterable[Sequence[str]]] | None,
) -> None:
    w.seg(
        "CLM",
        claim.claim_id,
        str(claim.total_charge),
        "",
        "",
        w.comp(claim.place_of_service, "B", claim.frequency_code),
        "Y" if claim.provider_signature else "N",
        claim.assignment,
        claim.benefits_assigned,
        claim.release_of_information,
    )
    for item in claim.dates:
        w.seg("DTP", item.qualifier, *_span(item.span))
    if claim.prior_authorization:
        w.seg("REF", "G1", claim.prior_authorization)
    if claim.payer_claim_number:
        w.seg("REF", "F8", claim.payer_claim_number)
    if claim.diagnoses:
        w.seg("HI", *(w.comp(d.qualifier, d.code) for d in claim.diagnoses))
    rendering = claim.rendering_provider
    if rendering is not None:
        w.seg(
            "NM1",
            "82",
            rendering.entity_type or "1",
            "RENDERING",
            "PROVIDER",
            "",
            "",
            "",
            "XX" if rendering.npi else "",
            rendering.npi or "",
        )
        if rendering.taxonomy:
            w.seg("PRV", "PE", "PXC", rendering.taxonomy)
    if claim.service_facility is not None:
        _facility(w, claim.service_facility)
    for segment in extra(claim) if extra else ():
        w.seg(*segment)
    claim_npi = rendering.npi if rendering else None
    for number, line in enumerate(claim.lines, 1):
        w.seg("LX", str(number))
        w.seg(
            "SV1",
            w.comp(line.qualifier, line.hcpcs, *line.modifiers),
            str(line.charge),
            line.unit_basis,
            str(line.units),
            line.service.place_of_service
            or ("" if line.place_of_service == claim.place_of_service else line.place_of_service),
            "",
            w.comp(*(str(p) for p in line.diagnosis_pointers)),
        )
        w.seg("DTP", "472", *_span(line.service_date))
        if line.control_number:
            w.seg("REF", "6R", line.control_number)
        for segment in extra_line(claim, line) if extra_line else ():
            w.seg(*segment)
        if line.rendering_npi and line.rendering_npi != claim_npi:
            w.seg("NM1", "82", "1", "RENDERING", "PROVIDER", "", "", "", "XX", line.rendering_npi)
        if line.facility is not None and line.facility != claim.service_facility:
            _facility(w, line.facility)
