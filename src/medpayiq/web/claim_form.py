"""The claim checker's form: what a biller fills (place of service, ZIP or locality, date,
participation, diagnoses, and lines with code, up to four modifiers, units, diagnosis
pointers and charge), read from the posted fields into the claim checker's JSON schema.

Adding or removing a line is a submit button (`action=add`, `remove=N`) that re-renders the
form as it was filled: it works with the keyboard alone and without JavaScript. The JSON
paste stays as the other way in (`mode=json`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

__all__ = [
    "EXAMPLE_FORM",
    "PLACES",
    "PROVIDER_TYPES",
    "ClaimForm",
    "FormLine",
    "form_from_fields",
    "form_to_claim",
]

MAX_LINES = 50
# The places of service billers use most, with their CMS names (POS code set).
PLACES: tuple[tuple[str, str], ...] = (
    ("11", "11 Office"),
    ("22", "22 On campus outpatient hospital"),
    ("19", "19 Off campus outpatient hospital"),
    ("21", "21 Inpatient hospital"),
    ("23", "23 Emergency room, hospital"),
    ("24", "24 Ambulatory surgical center"),
    ("02", "02 Telehealth other than in the patient's home"),
    ("10", "10 Telehealth in the patient's home"),
    ("12", "12 Home"),
    ("31", "31 Skilled nursing facility"),
    ("32", "32 Nursing facility"),
    ("81", "81 Independent laboratory"),
)
PROVIDER_TYPES: tuple[tuple[str, str], ...] = (
    ("physician", "Physician"),
    ("np", "Nurse practitioner (own NPI, 85%)"),
    ("pa", "Physician assistant (own NPI, 85%)"),
    ("cns", "Clinical nurse specialist (own NPI, 85%)"),
    ("other", "Other"),
)
_LOCALITY = re.compile(r"^\d{5}-[0-9A-Z]{2}$")


@dataclass(frozen=True)
class FormLine:
    """One service line as typed (text: the checker validates it)."""

    code: str = ""
    modifiers: tuple[str, str, str, str] = ("", "", "", "")
    units: str = "1"
    pointers: str = "1"
    charge: str = ""

    @property
    def blank(self) -> bool:
        return not self.code.strip()


@dataclass(frozen=True)
class ClaimForm:
    """The form as the user left it."""

    pos: str = "11"
    where: str = ""
    date: str = ""
    participating: bool = True
    provider_type: str = "physician"
    npi: str = ""
    diagnoses: str = ""
    lines: tuple[FormLine, ...] = field(default_factory=lambda: (FormLine(), FormLine()))
    mode: str = "form"
    json_text: str = ""


EXAMPLE_FORM = ClaimForm(
    pos="11",
    where="77030",
    date="2026-07-15",
    npi="1234567893",
    diagnoses="M17.11",
    lines=(
        FormLine("99214", ("", "", "", ""), "1", "1", ""),
        FormLine("20610", ("RT", "", "", ""), "1", "1", ""),
    ),
)


def _text(fields: Mapping[str, Any], name: str, limit: int = 200) -> str:
    value = fields.get(name)
    return str(value).strip()[:limit] if value is not None else ""


def form_from_fields(fields: Mapping[str, Any]) -> tuple[ClaimForm, str]:
    """The form as posted and what the user asked: "check", "add" or "remove"."""
    count = min(int(n) if (n := _text(fields, "lines")).isdigit() else 0, MAX_LINES)
    lines = []
    for i in range(count):
        mods = tuple(_text(fields, f"line-{i}-mod{k}", 2).upper() for k in range(1, 5))
        lines.append(
            FormLine(
                _text(fields, f"line-{i}-code", 5).upper(),
                (mods[0], mods[1], mods[2], mods[3]),
                _text(fields, f"line-{i}-units", 4) or "1",
                _text(fields, f"line-{i}-pointers", 20) or "1",
                _text(fields, f"line-{i}-charge", 12),
            )
        )
    form = ClaimForm(
        pos=_text(fields, "pos", 2),
        where=_text(fields, "where", 20),
        date=_text(fields, "date", 10),
        participating=_text(fields, "participating") != "no",
        provider_type=_text(fields, "provider_type", 10) or "physician",
        npi=_text(fields, "npi", 10),
        diagnoses=_text(fields, "diagnoses", 200),
        lines=tuple(lines) or (FormLine(),),
        mode="json" if _text(fields, "mode") == "json" else "form",
        json_text=str(fields.get("claim") or "")[:200_001],
    )
    action = _text(fields, "action") or "check"
    if (remove := _text(fields, "remove")).isdigit():
        kept = tuple(line for i, line in enumerate(form.lines) if i != int(remove))
        return replace(form, lines=kept or (FormLine(),)), "remove"
    if action == "add" and len(form.lines) < MAX_LINES:
        return replace(form, lines=(*form.lines, FormLine())), "add"
    return form, "check"


def form_to_claim(form: ClaimForm) -> dict[str, Any]:
    """The claim checker's JSON for the form (the checker validates every field and names
    the one at fault: `lines[1].hcpcs`)."""
    claim: dict[str, Any] = {
        "claim_id": "web-form",
        "patient": {"id": "web-form"},
        "provider": {
            "npi": form.npi,
            "participating": form.participating,
            "type": form.provider_type,
        },
        "place_of_service": form.pos,
        "date_of_service": form.date,
        "diagnoses": [d for d in re.split(r"[,\s]+", form.diagnoses.upper()) if d],
        "lines": [_line(line) for line in form.lines if not line.blank],
    }
    where = form.where.upper()
    if _LOCALITY.match(where):
        claim["carrier"], claim["locality"] = where.split("-")
    else:
        claim["zip"] = where
    return claim


def _line(line: FormLine) -> dict[str, Any]:
    out: dict[str, Any] = {
        "hcpcs": line.code,
        "modifiers": [m for m in line.modifiers if m],
        "units": int(line.units) if line.units.isdigit() else line.units,
        "diagnosis_pointers": [
            int(p) if p.isdigit() else p for p in re.split(r"[,\s]+", line.pointers) if p
        ],
    }
    if line.charge:
        out["charge"] = line.charge.replace("$", "").replace(",", "")
    return out
