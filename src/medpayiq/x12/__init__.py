"""X12 5010 files: a shared tokenizer and envelope, the 837P claim reader and writer, the 835
remittance reader and writer.

A vocabulary-level package: it reads bytes into typed records and problems, and imports
nothing of MedPayIQ above `errors` and `records`. See docs/x12.md.
"""

from __future__ import annotations

from medpayiq.x12._envelope import (
    FunctionalGroup,
    Interchange,
    Source,
    TransactionHeader,
    TransactionReader,
)
from medpayiq.x12._model import (
    BillingProvider,
    Claim837,
    ClaimDate,
    DateSpan,
    Diagnosis,
    Facility,
    Patient,
    Payer,
    ProviderRef,
    RejectedClaim,
    Service,
    ServiceLine,
    Subscriber,
    Transaction837,
)
from medpayiq.x12._model835 import (
    ADJUSTMENT_GROUPS,
    CLAIM_STATUS,
    Adjustment,
    ClaimPayment,
    Party,
    PatientName,
    ProviderAdjustment,
    Remittance,
    RemittanceEnd,
    ServicePayment,
)
from medpayiq.x12._problems import CODES, Severity, X12Problem
from medpayiq.x12._reader835 import Reader835, read_835
from medpayiq.x12._reader837 import VERSIONS_837P, Reader837, read_837p
from medpayiq.x12._segments835 import VERSIONS_835
from medpayiq.x12._state835 import Item835
from medpayiq.x12._tokens import Delimiters, SegmentBatch, read_batches, read_isa
from medpayiq.x12._writer835 import new_remittance, to_835, write_835
from medpayiq.x12._writer837 import DEFAULT_DELIMITERS, new_transaction, to_837p, write_837p

__all__ = [
    "ADJUSTMENT_GROUPS",
    "CLAIM_STATUS",
    "CODES",
    "DEFAULT_DELIMITERS",
    "VERSIONS_835",
    "VERSIONS_837P",
    "Adjustment",
    "BillingProvider",
    "Claim837",
    "ClaimDate",
    "ClaimPayment",
    "DateSpan",
    "Delimiters",
    "Diagnosis",
    "Facility",
    "FunctionalGroup",
    "Interchange",
    "Item835",
    "Party",
    "Patient",
    "PatientName",
    "Payer",
    "ProviderAdjustment",
    "ProviderRef",
    "Reader835",
    "Reader837",
    "RejectedClaim",
    "Remittance",
    "RemittanceEnd",
    "SegmentBatch",
    "Service",
    "ServiceLine",
    "ServicePayment",
    "Severity",
    "Source",
    "Subscriber",
    "Transaction837",
    "TransactionHeader",
    "TransactionReader",
    "X12Problem",
    "new_remittance",
    "new_transaction",
    "read_835",
    "read_837p",
    "read_batches",
    "read_isa",
    "to_835",
    "to_837p",
    "write_835",
    "write_837p",
]
