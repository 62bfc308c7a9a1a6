"""837P test files: the TR3's first example, and claims built in code for the writer.

The TR3 (005010X222A1) example 1 is a commercial claim for a dependant (HL 23) with four
lines on two dates and ICD-9 codes (BK/BF). Its billing provider NPI, 9876543210, is the
guide's placeholder and fails the NPI check digit; `tr3(npi=VALID_NPI)` swaps in a valid one.
Segment positions in it, counted by hand from ST = 1: NM1*85 8, HL 22 15, HL 23 21, CLM 27,
HI 29, LX 30/33/36/39, SV1 31/34/37/40, DTP*472 32/35/38/41, SE 42.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from medpayiq.x12 import (
    BillingProvider,
    Claim837,
    ClaimDate,
    DateSpan,
    Diagnosis,
    Facility,
    Patient,
    Payer,
    ProviderRef,
    Service,
    ServiceLine,
    Subscriber,
    Transaction837,
    new_transaction,
)

VALID_NPI = "1234567893"  # the NPI check-digit example: valid
TR3_NPI = "9876543210"  # the TR3's placeholder: its check digit is wrong

ISA = (
    "ISA*00*          *00*          *ZZ*123456789012345*ZZ*123456789012346*080503*1705*>*00501"
    "*000010216*0*T*:"
)
GS = "GS*HC*1234567890*1234567890*20080503*1705*20213*X*005010X222A1"
GE = "GE*1*20213"
IEA = "IEA*1*000010216"

TR3_TRANSACTION = [
    "ST*837*0021*005010X222A1",
    "BHT*0019*00*244579*20061015*1023*CH",
    "NM1*41*2*PREMIER BILLING SERVICE*****46*TGJ23",
    "PER*IC*JERRY*TE*3055552222*EX*231",
    "NM1*40*2*KEY INSURANCE COMPANY*****46*66783JJT",
    "HL*1**20*1",
    "PRV*BI*PXC*203BF0100Y",
    "NM1*85*2*BEN KILDARE SERVICE*****XX*9876543210",
    "N3*234 SEAWAY ST",
    "N4*MIAMI*FL*33111",
    "REF*EI*587654321",
    "NM1*87*2",
    "N3*2345 OCEAN BLVD",
    "N4*MAIMI*FL*33111",
    "HL*2*1*22*1",
    "SBR*P**2222-SJ******CI",
    "NM1*IL*1*SMITH*JANE****MI*JS00111223333",
    "DMG*D8*19430501*F",
    "NM1*PR*2*KEY INSURANCE COMPANY*****PI*999996666",
    "REF*G2*KA6663",
    "HL*3*2*23*0",
    "PAT*19",
    "NM1*QC*1*SMITH*TED",
    "N3*236 N MAIN ST",
    "N4*MIAMI*FL*33413",
    "DMG*D8*19730501*M",
    "CLM*26463774*100***11:B:1*Y*A*Y*I",
    "REF*D9*17312345600006351",
    "HI*BK:0340*BF:V7389",
    "LX*1",
    "SV1*HC:99213*40*UN*1***1",
    "DTP*472*D8*20061003",
    "LX*2",
    "SV1*HC:87070*15*UN*1***1",
    "DTP*472*D8*20061003",
    "LX*3",
    "SV1*HC:99214*35*UN*1***2",
    "DTP*472*D8*20061010",
    "LX*4",
    "SV1*HC:86663*10*UN*1***2",
    "DTP*472*D8*20061010",
    "SE*42*0021",
]


def tr3(npi: str = TR3_NPI) -> list[str]:
    """The TR3 example's ST ... SE segments, with `npi` as the billing provider's."""
    return [s.replace(TR3_NPI, npi) for s in TR3_TRANSACTION]


def interchange(
    *transactions: list[str], isa: str = ISA, gs: str = GS, end: str = "~\n", close: bool = True
) -> str:
    """An interchange of one group holding `transactions` (ST ... SE segment lists)."""
    segments = [isa, gs, *(s for t in transactions for s in t)]
    if close:
        segments += [f"GE*{len(transactions)}*20213", IEA]
    return end.join(segments) + end


def position(text: str, prefix: str, *, end: str = "~\n", nth: int = 1) -> int:
    """The 1-based position in its transaction (ST = 1) of the `nth` segment starting with
    `prefix`: an oracle worked out from the text alone."""
    index = 0
    for segment in text.split(end):
        if segment.startswith("ST*"):
            index = 0
        index += 1
        if segment.startswith(prefix):
            nth -= 1
            if nth == 0:
                return index
    raise AssertionError(f"no segment {prefix!r}")


def line_of(text: str, prefix: str) -> int:
    """The 1-based line of the first segment starting with `prefix` (one segment a line)."""
    for number, segment in enumerate(text.splitlines(), 1):
        if segment.startswith(prefix):
            return number
    raise AssertionError(f"no segment {prefix!r}")


# --- claims built in code -------------------------------------------------------------------

CREATED = date(2026, 7, 20)
TXN = new_transaction(CREATED, reference="B-0001")
BILLING = BillingProvider(
    VALID_NPI, "RIVER PAIN CLINIC", "2", "208VP0014X", "741234567", "HOUSTON", "TX", "770301234", ""
)
BILLING_2 = BillingProvider(
    "1245319599", "LAKE ORTHOPAEDICS", "2", "207X00000X", None, "AUSTIN", "TX", "78701", ""
)
MEDICARE = Payer("MEDICARE PART B", "04412")
COMMERCIAL = Payer("BLUE PLAN", "00590")
SUBSCRIBER = Subscriber("1EG4TE5MK72", "P", "18", None, "MB", date(1951, 3, 2), "F", MEDICARE, "")
SUBSCRIBER_2 = Subscriber(
    "2EG4TE5MK73", "P", "18", None, "MB", date(1948, 11, 30), "M", MEDICARE, ""
)
PARENT = Subscriber(
    "XYZ123456789", "P", None, "GRP-77", "CI", date(1980, 6, 1), "M", COMMERCIAL, ""
)
CHILD = Patient("19", date(2012, 4, 5), "F", "")
RENDERING = ProviderRef("1003000126", "1", "208VP0014X")
FACILITY = Facility("RIVER SURGERY CENTER", "1164025631", "HOUSTON", "TX", "77030")


def service(
    code: str,
    charge: str,
    *,
    modifiers: tuple[str, ...] = (),
    units: str = "1",
    pointers: tuple[int, ...] = (1,),
    pos: str = "",
    basis: str = "UN",
) -> Service:
    return Service("HC", code, modifiers, Decimal(charge), basis, Decimal(units), pos, pointers)


def on(day: date, last: date | None = None) -> DateSpan:
    return DateSpan(day, last or day)


def line(
    number: int,
    what: Service,
    when: DateSpan,
    *,
    pos: str = "11",
    rendering: str | None = None,
    facility: Facility | None = None,
    control: str | None = None,
) -> ServiceLine:
    return ServiceLine(number, what, pos, when, rendering, facility, control, 0)


def claim(
    claim_id: str,
    lines: list[ServiceLine],
    *,
    diagnoses: tuple[tuple[str, str], ...] = (("ABK", "M5416"),),
    pos: str = "11",
    frequency: str = "1",
    billing: BillingProvider = BILLING,
    subscriber: Subscriber = SUBSCRIBER,
    patient: Patient | None = None,
    dates: tuple[ClaimDate, ...] = (),
    prior_authorization: str | None = None,
    payer_claim_number: str | None = None,
    rendering: ProviderRef | None = None,
    facility: Facility | None = None,
    transaction: Transaction837 = TXN,
) -> Claim837:
    total = sum((item.service.charge for item in lines), Decimal(0))
    # a line's rendering provider and facility are those in effect: its own or the claim's
    lines = [
        replace(
            item,
            rendering_npi=item.rendering_npi or (rendering.npi if rendering else None),
            facility=item.facility or facility,
        )
        for item in lines
    ]
    return Claim837(
        claim_id,
        total,
        pos,
        frequency,
        True,
        "A",
        "Y",
        "Y",
        tuple(Diagnosis(code, qualifier) for qualifier, code in diagnoses),
        dates,
        prior_authorization,
        payer_claim_number,
        rendering,
        facility,
        tuple(lines),
        billing,
        subscriber,
        patient,
        transaction,
        0,
    )


def comparable(item: Claim837) -> Claim837:
    """A claim read back, with what the writer decides (positions, HL ids, the envelope)
    set as the builders set them, so it compares with the claim that was written."""
    return replace(
        item,
        segment=0,
        lines=tuple(replace(each, segment=0) for each in item.lines),
        billing_provider=replace(item.billing_provider, hl_id=""),
        subscriber=replace(item.subscriber, hl_id=""),
        patient=replace(item.patient, hl_id="") if item.patient else None,
        transaction=TXN,
    )
