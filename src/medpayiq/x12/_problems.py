"""Problems found while reading an X12 file, as data: one frozen record per finding.

A problem is what a 999 acknowledgement would say about it (IK3 segment, IK4 element): the
transaction (ST02), the segment's position counted from ST = 1, its id, the loop, the element
(and component) at fault, plus the byte offset and line in the file. `code` comes from the
closed list `CODES`; `severity` says what the problem takes down with it:

    fatal        the file, or the rest of it, cannot be read at all; nothing after it is read
    transaction  the envelope is broken (counts, control numbers, a truncated file): a
                 clearinghouse rejects the transaction set, or the group or interchange; the
                 claims inside were still read and checked
    claim        one claim is rejected (a bad charge, a missing segment, an HL without its
                 parent); the other claims are unaffected
    warning      worth saying, rejects nothing

Messages name the segment, element and rule, and may quote codes and amounts; they never quote
names, member ids, birth dates or other identifiers of a person.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    """How much a problem takes down: see the module docstring."""

    FATAL = "fatal"
    TRANSACTION = "transaction"
    CLAIM = "claim"
    WARNING = "warning"


# code -> (usual severity, what it means). Readers pass the severity explicitly when the same
# code can take down more or less (a bad date in BHT04 spoils a transaction, in DTP a claim).
CODES: dict[str, tuple[Severity, str]] = {
    # the file as a whole
    "not-x12": (Severity.FATAL, "the input is not X12: it does not start with an ISA segment"),
    "isa-layout": (Severity.FATAL, "the ISA is not the fixed 106-character segment"),
    "delimiters": (Severity.FATAL, "the ISA's delimiters are missing or clash"),
    "no-terminator": (Severity.FATAL, "no segment terminator where one must be"),
    "read-error": (Severity.FATAL, "the input could not be read"),
    # the envelope
    "truncated": (Severity.TRANSACTION, "the file ends before SE, GE or IEA closes what it opened"),
    "envelope-order": (Severity.TRANSACTION, "ISA/GS/ST/SE/GE/IEA out of order"),
    "outside-transaction": (Severity.TRANSACTION, "a segment outside ST ... SE"),
    "se-count": (Severity.TRANSACTION, "SE01 is not the number of segments from ST to SE"),
    "se-control": (Severity.TRANSACTION, "SE02 is not ST02"),
    "ge-count": (Severity.TRANSACTION, "GE01 is not the number of transaction sets in the group"),
    "ge-control": (Severity.TRANSACTION, "GE02 is not GS06"),
    "iea-count": (Severity.TRANSACTION, "IEA01 is not the number of groups in the interchange"),
    "iea-control": (Severity.TRANSACTION, "IEA02 is not ISA13"),
    "transaction-type": (Severity.TRANSACTION, "a transaction set this reader does not read"),
    "unknown-segment": (Severity.TRANSACTION, "a segment id this transaction set does not have"),
    "bad-segment": (Severity.TRANSACTION, "a required header segment is missing or unreadable"),
    # one claim
    "missing-segment": (Severity.CLAIM, "a segment the claim needs is not there"),
    "missing-element": (Severity.CLAIM, "a required element is empty"),
    "unexpected-segment": (Severity.CLAIM, "a segment where it cannot be"),
    "hl-parent": (Severity.CLAIM, "an HL whose parent (HL02) is not the HL it must hang from"),
    "hl-level": (Severity.CLAIM, "an HL level code (HL03) this transaction does not have"),
    "bad-number": (Severity.CLAIM, "an amount or quantity that is not a number"),
    "bad-date": (Severity.CLAIM, "a date that is not a valid date in the stated format"),
    "bad-composite": (Severity.CLAIM, "a composite element not split by the component separator"),
    "bad-code": (Severity.CLAIM, "a code that is not one the element allows"),
    "bad-pointer": (Severity.CLAIM, "a diagnosis pointer to no diagnosis"),
    "bad-npi": (Severity.CLAIM, "an NPI that is not 10 digits with a valid check digit"),
    "charge-mismatch": (Severity.CLAIM, "CLM02 is not the sum of the lines' SV102"),
    "too-many": (Severity.CLAIM, "more repeats than the implementation guide allows"),
    # 835 balancing and quirks (warnings: the figures are read as written)
    "line-balance": (Severity.WARNING, "SVC02 - SVC03 is not the sum of the line's CAS amounts"),
    "claim-balance": (
        Severity.WARNING,
        "CLP03 - CLP04 is not the sum of the claim's CAS amounts, claim and line level",
    ),
    "charge-balance": (Severity.WARNING, "CLP03 is not the sum of the lines' SVC02"),
    "payment-balance": (
        Severity.WARNING,
        "BPR02 is not the sum of CLP04 less the PLB adjustment amounts",
    ),
    "component-separator": (
        Severity.WARNING,
        "a composite split by another separator than ISA16: read with that one",
    ),
    "misplaced-element": (
        Severity.WARNING,
        "a value one element away from its place (BPR15 holding BPR16's date): read from there",
    ),
    # warnings
    "hl-sequence": (Severity.WARNING, "HL01 does not count up by one from 1"),
    "empty-segment": (Severity.WARNING, "two segment terminators with nothing between them"),
    "trailing-data": (Severity.WARNING, "data after the last IEA"),
    "version-label": (Severity.WARNING, "GS08 and ST03 name different versions"),
}


@dataclass(frozen=True, slots=True)
class X12Problem:
    """One finding, positioned like a 999 IK3/IK4. Positions are None where they do not apply
    (a file that is not X12 has no transaction or segment)."""

    code: str
    severity: Severity
    message: str
    transaction: str | None = None  # ST02 control number
    segment_position: int | None = None  # 1-based within the transaction, ST = 1
    segment_id: str | None = None
    loop: str | None = None  # "2300", "2400", ... when known
    element: int | None = None  # 1-based element position (SV102 -> 2)
    component: int | None = None  # 1-based component position within a composite
    offset: int | None = None  # byte offset of the segment in the file
    line: int | None = None  # 1-based line of the segment in the file
    claim_id: str | None = None  # CLM01 of the claim it rejects, when known

    def __post_init__(self) -> None:
        if self.code not in CODES:
            raise ValueError(f"unknown X12 problem code {self.code!r}")
        if not isinstance(self.severity, Severity):
            raise ValueError(f"severity must be a Severity, not {self.severity!r}")

    @property
    def where(self) -> str:
        """The position as a person reads it: 'transaction 0021, segment 31 (CLM02), line 31'."""
        parts = []
        if self.transaction is not None:
            parts.append(f"transaction {self.transaction}")
        if self.segment_id is not None:
            label = self.segment_id
            if self.element is not None:
                label += f"{self.element:02d}"
                if self.component is not None:
                    label += f"-{self.component}"
            if self.segment_position is not None:
                parts.append(f"segment {self.segment_position} ({label})")
            else:
                parts.append(label)
        if self.loop is not None:
            parts.append(f"loop {self.loop}")
        if self.line is not None:
            parts.append(f"line {self.line}")
        if self.offset is not None:
            parts.append(f"byte {self.offset}")
        return ", ".join(parts) or "the file"

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"
