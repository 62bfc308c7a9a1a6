"""The claim as the checker reads it: a pydantic model (the JSON Schema in docs/ is generated
from it) and `parse_claim`, which turns a dict into a `Claim` or raises `ClaimInputError`
listing every problem with the field it is in.

A claim is one patient and one rendering provider, place and date of service (the CMS-1500
lines of one encounter), unless a line names its own date, place or rendering provider (an
837P claim may span several dates): the checker then checks each (date, place, provider) as a
claim of its own and maps the findings back to the claim's lines (`_check`). `history` lists
the patient's earlier services, which the global surgery and frequency rules need. Messages
never repeat patient identifiers, only field names and codes.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal, TypeVar

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from medpayiq.errors import InputError
from medpayiq.releases import FIRST_SERVICE_DAY, LAST_SERVICE_DAY

__all__ = [
    "Claim",
    "ClaimInputError",
    "ClaimLine",
    "HistoryService",
    "Patient",
    "Problem",
    "Provider",
    "claim_json_schema",
    "parse_claim",
    "unchecked",
]

_HCPCS = re.compile(r"^[A-Z0-9]\d{3}[A-Z0-9]$")
_ICD = re.compile(r"^[A-Z]\d[0-9A-Z](\.?[0-9A-Z]{1,4})?$")
_MODIFIER = re.compile(r"^[A-Z0-9]{2}$")

HcpcsCode = Annotated[
    str,
    Field(
        description="CPT or HCPCS Level II code, 5 characters (62323, J1040)",
        examples=["62323"],
        min_length=5,
        max_length=5,
        pattern=r"^[A-Za-z0-9]\d{3}[A-Za-z0-9]$",
    ),
]
ModifierCode = Annotated[
    str,
    Field(description="2-character modifier (25, 59, RT)", pattern=r"^[A-Za-z0-9]{2}$"),
]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class Patient(_Model):
    """The patient. Identifiers are passed through, never logged or echoed in messages."""

    id: str = Field(min_length=1, max_length=64, description="the practice's patient identifier")
    birth_date: date | None = Field(default=None, description="YYYY-MM-DD")
    sex: Literal["F", "M", "U"] | None = Field(default=None, description="F, M or U")


class Provider(_Model):
    """The rendering provider."""

    npi: str = Field(description="10-digit National Provider Identifier", pattern=r"^\d{10}$")
    participating: bool = Field(default=True, description="accepts assignment (par)")
    type: Literal["physician", "np", "pa", "cns", "other"] = Field(
        default="physician",
        description="physician, or np/pa/cns billing under their own NPI (paid at 85%)",
    )

    @field_validator("npi")
    @classmethod
    def _luhn(cls, value: str) -> str:
        if not _npi_check_digit_ok(value):
            raise ValueError("is not a valid NPI (check digit does not match)")
        return value


class ClaimLine(_Model):
    """One service line."""

    hcpcs: HcpcsCode
    modifiers: list[ModifierCode] = Field(default_factory=list, max_length=4)
    units: int = Field(default=1, ge=1, le=9999, description="units of service")
    diagnosis_pointers: list[int] = Field(
        default_factory=lambda: [1],
        min_length=1,
        max_length=4,
        description="1-based positions in the claim's diagnoses list",
    )
    charge: Decimal | None = Field(
        default=None, ge=0, max_digits=11, decimal_places=2, description="billed charge"
    )
    date_of_service: date | None = Field(
        default=None,
        ge=FIRST_SERVICE_DAY,
        le=LAST_SERVICE_DAY,
        description="the line's date of service when it is not the claim's (837P DTP*472)",
    )
    place_of_service: str | None = Field(
        default=None,
        pattern=r"^\d{2}$",
        description="the line's 2-digit place of service when it is not the claim's (837P SV105)",
    )
    provider_npi: str | None = Field(
        default=None,
        pattern=r"^\d{10}$",
        description="the line's rendering provider NPI when it is not the claim's (837P 2420A); "
        "billing terms (participation, type) stay the claim provider's",
    )

    @field_validator("hcpcs")
    @classmethod
    def _upper_code(cls, value: str) -> str:
        return value.upper()

    @field_validator("modifiers")
    @classmethod
    def _upper_modifiers(cls, value: list[str]) -> list[str]:
        upper = [m.upper() for m in value]
        if len(set(upper)) != len(upper):
            raise ValueError("lists the same modifier twice")
        return upper

    @field_validator("provider_npi")
    @classmethod
    def _luhn(cls, value: str | None) -> str | None:
        if value is not None and not _npi_check_digit_ok(value):
            raise ValueError("is not a valid NPI (check digit does not match)")
        return value


class HistoryService(_Model):
    """A service the patient had before this claim (for global periods and frequency)."""

    date_of_service: date = Field(ge=FIRST_SERVICE_DAY, le=LAST_SERVICE_DAY)
    hcpcs: HcpcsCode
    modifiers: list[ModifierCode] = Field(default_factory=list, max_length=4)
    units: int = Field(default=1, ge=1, le=9999)
    provider_npi: str | None = Field(
        default=None, pattern=r"^\d{10}$", description="who performed it (same provider or not)"
    )

    @field_validator("hcpcs")
    @classmethod
    def _upper_code(cls, value: str) -> str:
        return value.upper()

    @field_validator("modifiers")
    @classmethod
    def _upper_modifiers(cls, value: list[str]) -> list[str]:
        return [m.upper() for m in value]


class Claim(_Model):
    """A professional (Part B) claim for one date of service. Location is `zip`, or
    `carrier` and `locality` (a Medicare payment locality, as in the GPCI file)."""

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        str_strip_whitespace=True,
        title="MedPayIQ claim",
        json_schema_extra={
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": "https://medpayiq.example/claim.schema.json",
        },
    )

    claim_id: str | None = Field(default=None, max_length=64)
    patient: Patient
    provider: Provider
    place_of_service: str = Field(pattern=r"^\d{2}$", description="2-digit CMS POS code")
    zip: str | None = Field(
        default=None, pattern=r"^\d{5}(-?\d{4})?$", description="ZIP of the service location"
    )
    carrier: str | None = Field(default=None, pattern=r"^\d{5}$", description="MAC carrier number")
    locality: str | None = Field(default=None, pattern=r"^[0-9A-Z]{2}$", description="locality")
    date_of_service: date = Field(
        ge=FIRST_SERVICE_DAY,
        le=LAST_SERVICE_DAY,
        description="YYYY-MM-DD; a line with its own date_of_service is checked on that date",
    )
    diagnoses: list[str] = Field(
        min_length=1, max_length=12, description="ICD-10-CM codes, with or without the dot"
    )
    lines: list[ClaimLine] = Field(min_length=1, max_length=50)
    history: list[HistoryService] = Field(default_factory=list, max_length=500)

    @field_validator("diagnoses")
    @classmethod
    def _icd_format(cls, value: list[str]) -> list[str]:
        codes = [v.strip().upper() for v in value]
        bad = [str(i + 1) for i, c in enumerate(codes) if not _ICD.match(c)]
        if bad:
            which = f"diagnosis {bad[0]} is" if len(bad) == 1 else f"diagnoses {', '.join(bad)} are"
            raise ValueError(f"{which} not written as ICD-10-CM (such as M54.16)")
        return codes

    @model_validator(mode="after")
    def _cross_checks(self) -> Claim:
        if self.zip is None and (self.carrier is None or self.locality is None):
            raise ValueError("give zip, or carrier and locality")
        if self.zip is not None and (self.carrier is not None or self.locality is not None):
            raise ValueError("give zip or carrier/locality, not both")
        for number, line in enumerate(self.lines, start=1):
            wrong = [p for p in line.diagnosis_pointers if not 1 <= p <= len(self.diagnoses)]
            if wrong:
                raise ValueError(
                    f"line {number}: diagnosis pointer {wrong[0]} does not point to one of the "
                    f"{len(self.diagnoses)} diagnoses"
                )
        return self

    @property
    def zip5(self) -> str | None:
        return self.zip[:5] if self.zip else None

    @property
    def single_encounter(self) -> bool:
        """True when no line names a date, place or provider other than the claim's (the
        claim is checked as one encounter)."""
        day, pos, npi = self.date_of_service, self.place_of_service, self.provider.npi
        for line in self.lines:
            if (
                (line.date_of_service is not None and line.date_of_service != day)
                or (line.place_of_service is not None and line.place_of_service != pos)
                or (line.provider_npi is not None and line.provider_npi != npi)
            ):
                return False
        return True

    def line_diagnoses(self, line: ClaimLine) -> list[str]:
        """The ICD-10-CM codes a line points to, without dots."""
        return [self.diagnoses[p - 1].replace(".", "") for p in line.diagnosis_pointers]


def _npi_check_digit_ok(npi: str) -> bool:
    # NPI check digit: Luhn over the 80840 prefix plus the first 9 digits.
    digits = [int(d) for d in "80840" + npi[:9]]
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2 == 0:
            d *= 2
            d = d - 9 if d > 9 else d
        total += d
    return (10 - total % 10) % 10 == int(npi[9])


# --- Errors ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input: `field` is a path such as `lines[2].units`."""

    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}" if self.field else self.message

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "message": self.message}


class ClaimInputError(InputError):
    """The claim is malformed; `problems` lists every fault with its field."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        noun = "problem" if len(problems) == 1 else "problems"
        detail = "; ".join(str(p) for p in problems)
        super().__init__(
            f"the claim has {len(problems)} {noun}: {detail}",
            parameter=problems[0].field if problems else None,
        )


def _path(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


_MESSAGES = {
    "missing": "is required",
    "extra_forbidden": "is not a claim field",
    "string_pattern_mismatch": "has the wrong format",
    "date_from_datetime_parsing": "is not a date (YYYY-MM-DD)",
    "date_parsing": "is not a date (YYYY-MM-DD)",
    "date_type": "is not a date (YYYY-MM-DD)",
    "decimal_parsing": "is not an amount such as 950.00",
    "int_parsing": "is not a whole number",
    "int_from_float": "is not a whole number",
    "bool_parsing": "is not true or false",
}


_LIMITS = frozenset(
    {
        "too_short",
        "too_long",
        "string_too_short",
        "string_too_long",
        "greater_than_equal",
        "less_than_equal",
        "decimal_max_places",
        "decimal_max_digits",
    }
)


def _problem(error: Mapping[str, Any]) -> Problem:
    loc = tuple(p for p in error["loc"] if not (isinstance(p, str) and p.startswith("function-")))
    kind = error["type"]
    message = str(error.get("msg", "is invalid"))
    if kind == "value_error":
        message = message.removeprefix("Value error, ")
    elif kind in _MESSAGES:
        message = _MESSAGES[kind]
    elif kind == "literal_error":
        message = f"must be {error.get('ctx', {}).get('expected', 'one of the listed values')}"
    elif kind in _LIMITS:
        message = message[0].lower() + message[1:]
        if kind.startswith("string_too") and loc and loc[-1] == "hcpcs":
            kind, message = "string_pattern_mismatch", "has the wrong format"
    if kind == "string_pattern_mismatch" and loc:
        message += _FORMAT_HINTS.get(str(loc[-1] if not isinstance(loc[-1], int) else loc[-2]), "")
    # The value given is never repeated: any field can carry patient data (a member id typed
    # into claim_id, a name in an unknown field), so the message names the field and the
    # problem only, here and on the CLI.
    if len(loc) >= 2 and loc[0] in ("lines", "history") and isinstance(loc[1], int):
        noun = "line" if loc[0] == "lines" else "history item"
        message = f"{noun} {loc[1] + 1}: {message}"
    return Problem(_path(loc), message)


def _cross_problems(data: Mapping[str, Any]) -> list[Problem]:
    """The cross-field checks, on the raw input, for when field errors stop the model's own
    validator from running (so that every problem is reported at once)."""
    problems = []
    if not data.get("zip") and not (data.get("carrier") and data.get("locality")):
        problems.append(Problem("zip", "give zip, or carrier and locality"))
    diagnoses = data.get("diagnoses")
    count = len(diagnoses) if isinstance(diagnoses, list) else 0
    lines = data.get("lines")
    for i, line in enumerate(lines if isinstance(lines, list) else []):
        pointers = line.get("diagnosis_pointers") if isinstance(line, Mapping) else None
        for p in pointers if isinstance(pointers, list) else []:
            if isinstance(p, int) and count and not 1 <= p <= count:
                problems.append(
                    Problem(
                        f"lines[{i}].diagnosis_pointers",
                        f"line {i + 1}: diagnosis pointer {p} does not point to one of the {count} "
                        "diagnoses",
                    )
                )
                break
    return problems


_FORMAT_HINTS = {
    "hcpcs": ": expected a 5-character CPT/HCPCS code such as 62323",
    "modifiers": ": expected a 2-character modifier such as 25",
    "npi": ": expected 10 digits",
    "provider_npi": ": expected 10 digits",
    "place_of_service": ": expected a 2-digit code such as 11",
    "zip": ": expected 5 digits (or ZIP+4)",
    "carrier": ": expected a 5-digit MAC carrier number such as 04412",
    "locality": ": expected a 2-character locality such as 18",
}


def parse_claim(data: Mapping[str, Any]) -> Claim:
    """Validate a claim given as parsed JSON. Raises ClaimInputError listing every problem."""
    if not isinstance(data, Mapping):
        raise ClaimInputError([Problem("", "a claim must be a JSON object")])
    try:
        return Claim.model_validate(data)
    except ValidationError as exc:
        problems = [_problem(e) for e in exc.errors(include_url=False)]
        if all(p.field for p in problems):  # the model validator did not run
            seen = {p.field for p in problems}
            problems += [p for p in _cross_problems(data) if p.field not in seen]
        raise ClaimInputError(problems) from None


_M = TypeVar("_M", bound=BaseModel)
_new = object.__new__
_set = object.__setattr__


def unchecked(cls: type[_M], values: dict[str, Any]) -> _M:
    """A model instance from `values` that are already valid and complete (every field,
    in the field types), without validation: for readers that checked the values
    themselves (the 837P converter builds a claim in a tenth of `model_validate`'s time).
    The instance is an ordinary one: equal to the validated one, frozen, copyable
    (tests/edits/test_claim_input.py holds it to that)."""
    obj = _new(cls)
    _set(obj, "__dict__", values)
    _set(obj, "__pydantic_fields_set__", set(values))
    _set(obj, "__pydantic_extra__", None)
    _set(obj, "__pydantic_private__", None)
    return obj


def claim_json_schema() -> dict[str, Any]:
    """The JSON Schema of the claim input (docs/claim.schema.json is this, pretty-printed)."""
    return Claim.model_json_schema(mode="validation")
