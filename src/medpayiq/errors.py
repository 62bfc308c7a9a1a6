"""Every error MedPayIQ raises on purpose.

    MedPayIQError
    ├── DataError                 reference data cannot be read or is not there
    │   ├── ParseError            a source file is malformed (file, line, field)
    │   ├── UnknownFileError      a file is not one of the layouts we know
    │   └── ReleaseNotLoaded      no loaded release covers a date of service
    ├── InputError                a user's request is wrong (unknown code, bad ZIP, ...)
    │   ├── UnknownCode
    │   ├── UnknownLocation
    │   └── InvalidModifier
    ├── PricingError              the request is valid but cannot be priced
    │   └── NotPayable            the code has no fee schedule amount (status, NA)
    └── EditError                 a claim cannot be checked

Messages are for people: they name the thing that is wrong and, where there is one,
the position (file, line, field) and what would fix it. Interfaces turn InputError
and DataError into 4xx answers or exit code 2, never a stack trace.
"""

from __future__ import annotations

from dataclasses import dataclass


class MedPayIQError(Exception):
    """Base of every deliberate MedPayIQ error."""


class DataError(MedPayIQError):
    """Reference data is missing or unusable."""


@dataclass(frozen=True)
class SourcePos:
    """Where a value came from: file name, 1-based line, optional field and byte columns."""

    file: str
    line: int
    field: str | None = None
    columns: tuple[int, int] | None = None

    def __str__(self) -> str:
        where = f"{self.file} line {self.line}"
        if self.field:
            where += f', field "{self.field}"'
        if self.columns:
            where += f" (columns {self.columns[0]}-{self.columns[1]})"
        return where


class ParseError(DataError):
    """A source file does not match its layout. Raised with the position of the fault."""

    def __init__(self, pos: SourcePos, message: str) -> None:
        self.pos = pos
        self.reason = message
        super().__init__(f"{pos}: {message}")


class UnknownFileError(DataError):
    """A file is none of the layouts MedPayIQ reads."""


class ReleaseNotLoaded(DataError):
    """No loaded release covers the date of service; the message says what to load."""


class InputError(MedPayIQError):
    """The request itself is wrong. `parameter` names the input at fault, when there is one."""

    def __init__(self, message: str, *, parameter: str | None = None) -> None:
        self.parameter = parameter
        super().__init__(message)


class UnknownCode(InputError):
    """A HCPCS/CPT, ICD-10-CM, modifier or place-of-service code that the data does not have."""


class UnknownLocation(InputError):
    """A ZIP, locality, state or county that cannot be resolved to a Medicare locality."""


class DateOutOfRange(InputError):
    """A date of service outside the years the data can hold (2000-2099: CMS's release ids
    carry two-digit years). Refused before anything is looked up (422 on the API)."""


class InvalidModifier(InputError):
    """A modifier that the code's indicators do not allow (26 on a PCTC 0 code, ...)."""


class PricingError(MedPayIQError):
    """A valid request that cannot be priced."""


class NotPayable(PricingError):
    """The code has no fee schedule amount; the message says why (status, NA indicator)."""


class EditError(MedPayIQError):
    """A claim cannot be checked."""
