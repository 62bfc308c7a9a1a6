"""X12 5010 files: a shared tokenizer and envelope, the 837P claim reader and writer.

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
    ServiceLine,
    Subscriber,
    Transaction837,
)
from medpayiq.x12._problems import CODES, Severity, X12Problem
from medpayiq.x12._reader837 import VERSIONS_837P, Reader837, read_837p
from medpayiq.x12._tokens import Delimiters, SegmentBatch, read_batches, read_isa

__all__ = [
    "CODES",
    "VERSIONS_837P",
    "BillingProvider",
    "Claim837",
    "ClaimDate",
    "DateSpan",
    "Delimiters",
    "Diagnosis",
    "Facility",
    "FunctionalGroup",
    "Interchange",
    "Patient",
    "Payer",
    "ProviderRef",
    "Reader837",
    "RejectedClaim",
    "SegmentBatch",
    "ServiceLine",
    "Severity",
    "Source",
    "Subscriber",
    "Transaction837",
    "TransactionHeader",
    "TransactionReader",
    "X12Problem",
    "read_837p",
    "read_batches",
    "read_isa",
]
