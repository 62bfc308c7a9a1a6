"""What an 835 (005010X221A1) remittance advice says, as typed frozen records.

The reader streams one `ClaimPayment` per 2100 loop (CLP) with its service lines (2110, SVC),
and one `RemittanceEnd` per transaction set when its SE is read, carrying the provider-level
adjustments (PLB) and the transaction's totals. Every claim points at the `Remittance` (the
header: BPR, TRN, payer 1000A, payee 1000B) it came in, shared by all claims of that set.

Values are as the file writes them, typed: money and units `Decimal` (adjustment amounts may
be negative), dates `date`, codes `str`. A line's date is its own (DTM*472, or DTM*150/151)
or else the claim's statement period (DTM*232/233). The patient's name and Medicare number
are kept because a redetermination request needs them; they are never written into a
message, a log line or a problem.

Problems confined to one claim (a balancing break, an SVC without its procedure code, a bad
amount) are carried by that claim and do not stop the file; envelope and header problems are
the reader's (`reader.problems`) and the transaction's (`RemittanceEnd.problems`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from medpayiq.x12._envelope import TransactionHeader
from medpayiq.x12._model import DateSpan
from medpayiq.x12._problems import X12Problem

# CLP02 claim status codes (X12 code list 1029, as Medicare uses them).
CLAIM_STATUS = {
    "1": "processed as primary",
    "2": "processed as secondary",
    "3": "processed as tertiary",
    "4": "denied",
    "19": "processed as primary, forwarded to additional payer(s)",
    "20": "processed as secondary, forwarded to additional payer(s)",
    "21": "processed as tertiary, forwarded to additional payer(s)",
    "22": "reversal of previous payment",
    "23": "not our claim, forwarded to additional payer(s)",
    "25": "predetermination pricing only, no payment",
}

ADJUSTMENT_GROUPS = {
    "CO": "contractual obligation",
    "CR": "correction and reversal",
    "OA": "other adjustment",
    "PI": "payer initiated reduction",
    "PR": "patient responsibility",
}


@dataclass(frozen=True, slots=True)
class Adjustment:
    """One CAS reason: group (CAS01), CARC (CAS02/05/08/...), amount (may be negative) and
    quantity (units adjusted, when given)."""

    group: str
    reason: str
    amount: Decimal
    quantity: Decimal | None = None


@dataclass(frozen=True, slots=True)
class Party:
    """N1 loop of the payer (PR, 1000A) or the payee (PE, 1000B): organisation name, its id
    (N103 qualifier, N104: XX = NPI, FI = TIN, XV = CMS plan id, ...), address, and the REF
    ids given (TJ tax id, PQ payee id, 2U payer id ...)."""

    name: str
    id_qualifier: str | None
    identifier: str | None
    city: str | None = None
    state: str | None = None
    zip: str | None = None
    npi: str | None = None  # N104 when N103 is XX
    tax_id: str | None = None  # N104 when N103 is FI, or REF*TJ

    @property
    def zip5(self) -> str | None:
        return self.zip[:5] if self.zip else None


@dataclass(frozen=True, slots=True)
class Remittance:
    """One 835 transaction set's header: BPR, TRN, DTM*405 and the two parties."""

    header: TransactionHeader
    handling: str  # BPR01: I remittance only, C payment with advice, H notification, ...
    amount: Decimal  # BPR02, the total actual provider payment
    credit_debit: str  # BPR03: C or D
    method: str  # BPR04: ACH, CHK, BOP, FWT, NON
    payment_date: date | None  # BPR16 (check issue or EFT effective date)
    trace_number: str | None  # TRN02, the check or EFT trace number
    payer_tin: str | None  # TRN03, "1" + the payer's TIN
    production_date: date | None  # DTM*405
    payer: Party
    payee: Party

    @property
    def control_number(self) -> str:
        return self.header.control_number


@dataclass(frozen=True, slots=True)
class PatientName:
    """NM1*QC (patient) or NM1*IL (insured): kept for the redetermination request only."""

    last: str
    first: str | None
    id_qualifier: str | None  # NM108: MI member id (the MBI for Medicare), ...
    member_id: str | None  # NM109


@dataclass(frozen=True, slots=True)
class ServicePayment:
    """One 2110 loop: SVC and what follows it."""

    qualifier: str  # SVC01-1: HC (HCPCS), ...
    procedure: str | None  # SVC01-2, None when the payer left it out (a quirk, reported)
    modifiers: tuple[str, ...]  # SVC01-3..6
    charge: Decimal  # SVC02
    paid: Decimal  # SVC03
    revenue_code: str | None  # SVC04
    units: Decimal  # SVC05 (1 when empty)
    billed_procedure: str | None  # SVC06-2: the code as billed, when the payer changed it
    billed_modifiers: tuple[str, ...]  # SVC06-3..6
    billed_units: Decimal | None  # SVC07
    dates: DateSpan | None  # DTM*472, or DTM*150/151; None when the line has none
    adjustments: tuple[Adjustment, ...]  # line CAS, in file order
    allowed: Decimal | None  # AMT*B6
    remarks: tuple[str, ...]  # LQ*HE remark codes (RARC)
    control_number: str | None  # REF*6R, the 837's line item control number
    rendering_npi: str | None  # REF*HPI
    position: int  # the SVC's segment position in its transaction (ST = 1)

    @property
    def adjusted(self) -> Decimal:
        return sum((a.amount for a in self.adjustments), Decimal(0))


@dataclass(frozen=True, slots=True)
class ClaimPayment:
    """One 2100 loop: CLP, its claim-level segments and its service lines."""

    remittance: Remittance
    claim_id: str  # CLP01, the 837's CLM01 (patient control number)
    status: str  # CLP02: see CLAIM_STATUS
    charge: Decimal  # CLP03
    paid: Decimal  # CLP04
    patient_responsibility: Decimal | None  # CLP05
    filing_indicator: str | None  # CLP06: MB Medicare Part B, ...
    payer_claim_number: str | None  # CLP07, the payer's internal control number (ICN)
    facility_code: str | None  # CLP08, the place of service for professional claims
    frequency: str | None  # CLP09
    patient: PatientName | None  # NM1*QC
    insured: PatientName | None  # NM1*IL, when the insured is not the patient
    corrected_member_id: str | None  # NM1*74 NM109, when the payer corrected it
    rendering_npi: str | None  # NM1*82 NM109
    statement: DateSpan | None  # DTM*232 / DTM*233
    received: date | None  # DTM*050
    adjustments: tuple[Adjustment, ...]  # claim-level CAS
    remarks: tuple[str, ...]  # MOA03..07 (or MIA) remark codes
    allowed: Decimal | None  # AMT*AU coverage amount, when given
    lines: tuple[ServicePayment, ...]
    header_number: str | None  # LX01 of the group the claim is in
    position: int  # the CLP's segment position in its transaction
    problems: tuple[X12Problem, ...]  # problems confined to this claim (balancing included)

    @property
    def denied(self) -> bool:
        return self.status == "4"

    @property
    def reversal(self) -> bool:
        return self.status == "22"

    @property
    def status_text(self) -> str:
        return CLAIM_STATUS.get(self.status, f"status {self.status}")


@dataclass(frozen=True, slots=True)
class ProviderAdjustment:
    """One PLB reason: provider (PLB01), fiscal period end (PLB02), reason code (the part of
    PLB03 before the component separator: WO overpayment recovery, L6 interest, FB forwarding
    balance, 72 authorized return, ...), its reference (the part after), and the amount
    (positive reduces the payment, negative adds to it)."""

    provider: str
    fiscal_period_end: date | None
    reason: str
    reference: str | None
    amount: Decimal


@dataclass(frozen=True, slots=True)
class RemittanceEnd:
    """Emitted after a transaction's last claim, at its SE: the PLB adjustments, the totals
    the reader counted, and the transaction's own problems (the BPR02 balance included)."""

    remittance: Remittance | None  # None when the header could not be read
    provider_adjustments: tuple[ProviderAdjustment, ...]
    claims: int
    total_paid: Decimal  # the sum of CLP04
    problems: tuple[X12Problem, ...]
