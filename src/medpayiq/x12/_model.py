"""What an 837P (005010X222A1) says, as typed frozen records.

One `Claim837` per 2300 loop, carrying what a checker needs without going back to the file:
its service lines (2400), the billing provider (2000A/2010AA), the subscriber (2000B/2010BA)
with the payer (2010BB), the patient when it is a dependant (2000C/2010CA) and the
transaction it came in (envelope, BHT). Records of one provider, subscriber or transaction
are shared by every claim under them.

Data minimisation: names, street addresses and other identifiers of a person (SSN, phone) are
not kept; member ids, birth dates and sex are, because a checker needs them, and are never
written into a message. Organisation names (billing provider, payer, facility) are kept.

Values are as the file writes them, typed: money and units `Decimal`, dates `date`, codes
`str` (diagnosis codes without their period, as X12 carries them; `Diagnosis.dotted` adds it).
A line's place of service, date, rendering provider and facility are the ones in effect for
that line: its own (SV105, DTP*472, 2420A, 2420C) or else the claim's (CLM05-1, the 2300
DTP*472, 2310B, 2310C).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from medpayiq.x12._envelope import TransactionHeader
from medpayiq.x12._problems import X12Problem

ICD10_QUALIFIERS = frozenset({"ABK", "ABF"})
ICD9_QUALIFIERS = frozenset({"BK", "BF"})
PRINCIPAL_QUALIFIERS = frozenset({"ABK", "BK"})


@dataclass(frozen=True, slots=True)
class DateSpan:
    """A DTP date: one day (D8, start == end) or a range (RD8)."""

    start: date
    end: date

    @property
    def is_range(self) -> bool:
        return self.end != self.start


@dataclass(frozen=True, slots=True)
class ClaimDate:
    """A 2300 DTP: its qualifier (431 onset, 454 initial treatment, 304 last seen, 439
    accident, 472 service ...) and the date or range."""

    qualifier: str
    span: DateSpan


@dataclass(frozen=True, slots=True)
class Transaction837:
    """One 837P transaction set: its envelope and BHT, and who submits it to whom (1000A,
    1000B: organisations or billing services, not patients)."""

    header: TransactionHeader
    purpose: str  # BHT02: 00 original, 18 reissue
    reference: str  # BHT03, the originator's batch id
    created: date  # BHT04, the claims' creation date (timely filing counts from it)
    claim_type: str  # BHT06: CH chargeable, RP reporting
    submitter_name: str  # 1000A NM103
    submitter_id: str  # 1000A NM109
    receiver_name: str  # 1000B NM103
    receiver_id: str  # 1000B NM109

    @property
    def control_number(self) -> str:
        return self.header.control_number

    @property
    def version(self) -> str:
        return self.header.version


@dataclass(frozen=True, slots=True)
class BillingProvider:
    """2000A/2010AA: who bills. `name` is the organisation (or "LAST, FIRST" of a person
    billing alone: a provider's name, not a patient's)."""

    npi: str
    name: str
    entity_type: str  # NM102: 1 person, 2 organisation
    taxonomy: str | None  # 2000A PRV*BI*PXC
    tax_id: str | None  # REF*EI (or SY)
    city: str | None
    state: str | None
    zip: str | None  # N403 as written (5 or 9 digits)
    hl_id: str

    @property
    def zip5(self) -> str | None:
        return self.zip[:5] if self.zip else None


@dataclass(frozen=True, slots=True)
class Payer:
    """2010BB: the payer the claim goes to (NM103 name, NM109 payer id)."""

    name: str
    payer_id: str


@dataclass(frozen=True, slots=True)
class Subscriber:
    """2000B/2010BA: the insured. `relationship` is SBR02 (18 when the subscriber is the
    patient); `birth_date` and `sex` come from DMG."""

    member_id: str
    payer_responsibility: str  # SBR01: P primary, S secondary, T tertiary, ...
    relationship: str | None
    group_number: str | None  # SBR03
    claim_filing_indicator: str | None  # SBR09: MB Medicare Part B, CI commercial, ...
    birth_date: date | None
    sex: str | None
    payer: Payer
    hl_id: str


@dataclass(frozen=True, slots=True)
class Patient:
    """2000C/2010CA: a patient who is not the subscriber (a dependant). 5010 gives the patient
    no member id of their own: the subscriber's applies."""

    relationship: str  # PAT01: 01 spouse, 19 child, G8 other, ...
    birth_date: date | None
    sex: str | None
    hl_id: str


@dataclass(frozen=True, slots=True)
class ProviderRef:
    """A provider named on a claim or line (2310B, 2420A rendering): NPI and PRV taxonomy."""

    npi: str | None
    entity_type: str
    taxonomy: str | None


@dataclass(frozen=True, slots=True)
class Facility:
    """2310C/2420C service facility location: where the service was done."""

    name: str
    npi: str | None
    city: str | None
    state: str | None
    zip: str | None

    @property
    def zip5(self) -> str | None:
        return self.zip[:5] if self.zip else None


@dataclass(frozen=True, slots=True)
class Diagnosis:
    """One HI code with its qualifier: ABK principal / ABF other ICD-10-CM, BK / BF ICD-9."""

    code: str
    qualifier: str

    @property
    def icd10(self) -> bool:
        return self.qualifier in ICD10_QUALIFIERS

    @property
    def principal(self) -> bool:
        return self.qualifier in PRINCIPAL_QUALIFIERS

    @classmethod
    def of(cls, code: str, *, principal: bool, icd10: bool = True) -> Diagnosis:
        """A diagnosis from a code as people write it ("M54.16"): X12 carries no period."""
        qualifier = ("AB" if icd10 else "B") + ("K" if principal else "F")
        return cls(code.replace(".", "").strip().upper(), qualifier)

    @property
    def dotted(self) -> str:
        """The code with its period: M5416 -> M54.16; ICD-9 E-codes after four characters."""
        split = 4 if not self.icd10 and self.code.startswith("E") else 3
        return self.code if len(self.code) <= split else f"{self.code[:split]}.{self.code[split:]}"


@dataclass(frozen=True, slots=True)
class Service:
    """What an SV1 segment says, apart from the line's context: the procedure with up to four
    modifiers, charge, units and diagnosis pointers. Readers share one record between lines
    whose SV1 is written alike (most of a file's lines are)."""

    qualifier: str  # SV101-1: HC (HCPCS/CPT), ER, IV, WK
    hcpcs: str  # SV101-2
    modifiers: tuple[str, ...]  # SV101-3 .. SV101-6
    charge: Decimal  # SV102
    unit_basis: str  # SV103: UN units, MJ minutes
    units: Decimal  # SV104
    place_of_service: str  # SV105 as written, "" when the claim's applies
    diagnosis_pointers: tuple[int, ...]  # SV107, 1-based into Claim837.diagnoses


@dataclass(frozen=True, slots=True)
class ServiceLine:
    """A 2400 loop: LX, SV1, DTP*472 and what the line carries. `place_of_service`,
    `service_date`, `rendering_npi` and `facility` are those in effect for the line; the SV1
    values are in `service` and also read as the line's own (`line.hcpcs`, `line.units`)."""

    number: int  # LX01
    service: Service
    place_of_service: str  # SV105, or CLM05-1
    service_date: DateSpan  # DTP*472, or the claim's DTP*472
    rendering_npi: str | None  # 2420A, or 2310B
    facility: Facility | None  # 2420C, or 2310C
    control_number: str | None  # REF*6R, echoed in the 835's SVC loop
    segment: int  # position of SV1 in the transaction

    @property
    def qualifier(self) -> str:
        return self.service.qualifier

    @property
    def hcpcs(self) -> str:
        return self.service.hcpcs

    @property
    def modifiers(self) -> tuple[str, ...]:
        return self.service.modifiers

    @property
    def charge(self) -> Decimal:
        return self.service.charge

    @property
    def unit_basis(self) -> str:
        return self.service.unit_basis

    @property
    def units(self) -> Decimal:
        return self.service.units

    @property
    def diagnosis_pointers(self) -> tuple[int, ...]:
        return self.service.diagnosis_pointers

    @property
    def date_of_service(self) -> date:
        return self.service_date.start


@dataclass(frozen=True, slots=True)
class Claim837:
    """A 2300 loop read whole, with its lines and the parties above it."""

    claim_id: str  # CLM01, the patient control number
    total_charge: Decimal  # CLM02
    place_of_service: str  # CLM05-1
    frequency_code: str  # CLM05-3: 1 original, 7 replacement, 8 void
    provider_signature: bool  # CLM06 = Y
    assignment: str  # CLM07: A assigned, B lab services only, C not assigned
    benefits_assigned: str  # CLM08: Y, N, W
    release_of_information: str  # CLM09: I, Y
    diagnoses: tuple[Diagnosis, ...]
    dates: tuple[ClaimDate, ...]  # every 2300 DTP in file order
    prior_authorization: str | None  # REF*G1
    payer_claim_number: str | None  # REF*F8, the claim a replacement or void acts on
    rendering_provider: ProviderRef | None  # 2310B
    service_facility: Facility | None  # 2310C
    lines: tuple[ServiceLine, ...]
    billing_provider: BillingProvider
    subscriber: Subscriber
    patient: Patient | None  # None when the subscriber is the patient
    transaction: Transaction837
    segment: int  # position of CLM in the transaction

    @property
    def is_replacement(self) -> bool:
        return self.frequency_code == "7"

    @property
    def is_void(self) -> bool:
        return self.frequency_code == "8"

    @property
    def payer(self) -> Payer:
        return self.subscriber.payer

    @property
    def member_id(self) -> str:
        return self.subscriber.member_id

    @property
    def birth_date(self) -> date | None:
        """The patient's: the dependant's, or the subscriber's when they are the patient."""
        return self.patient.birth_date if self.patient else self.subscriber.birth_date

    @property
    def sex(self) -> str | None:
        return self.patient.sex if self.patient else self.subscriber.sex

    @property
    def created(self) -> date:
        """BHT04 of the transaction: the date the claim was created."""
        return self.transaction.created

    @property
    def locality_zip(self) -> str | None:
        """The ZIP that picks the payment locality: the service facility's, else the billing
        provider's (5 digits)."""
        facility = self.service_facility
        return (facility.zip5 if facility else None) or self.billing_provider.zip5

    def date_of(self, qualifier: str) -> DateSpan | None:
        """The first 2300 DTP with `qualifier` (431 onset, 454, 304, 439, 472 ...)."""
        for item in self.dates:
            if item.qualifier == qualifier:
                return item.span
        return None

    @property
    def service_dates(self) -> tuple[date, ...]:
        """The lines' dates of service, first days of ranges, sorted, once each."""
        return tuple(sorted({line.service_date.start for line in self.lines}))


@dataclass(frozen=True, slots=True)
class RejectedClaim:
    """A claim the reader could not take as written: what identifies it and why. A clearing-
    house would reject it; it is not checked or priced. `claim_id` is None when the CLM itself
    is missing or unreadable; `total_charge` when CLM02 is."""

    claim_id: str | None
    total_charge: Decimal | None
    segment: int | None  # position of its CLM (or first segment) in the transaction
    transaction: Transaction837 | None
    problems: tuple[X12Problem, ...]
