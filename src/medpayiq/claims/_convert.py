"""An 837P claim (`x12.Claim837`) as the checker's claim (`edits.Claim`).

    converted = to_claim(claim837)          # Converted: .claim, .problems, .icd9, ...
    check_claim(reference, converted.claim)

What comes from where:

- `claim_id` CLM01; lines in file order (the checker's line n is the claim's n-th LX), each
  with SV101 code and modifiers, SV104 units, SV102 charge, SV107 pointers, and its own date
  (DTP*472 from date), place (SV105) and rendering NPI (2420A) when they are not the claim's.
- The claim's date is its earliest line date; its place CLM05-1; its rendering provider 2310B,
  else the billing provider (2010AA).
- The ZIP that picks the locality: the 2310C service facility's, else the billing
  provider's (`Claim837.locality_zip`). A 2420C line facility does not move a line to another
  locality (the checker prices a claim at one place).
- Provider terms: not participating when CLM07 is C (not assigned: a participating provider
  always accepts assignment); otherwise participating, since the file does not say. The
  type (NP, PA, CNS at 85%) from the rendering provider's taxonomy (2310B PRV, else 2000A):
  363L nurse practitioner, 363A physician assistant, 364S clinical nurse specialist.
- Diagnoses: the ICD-10-CM ones (ABK/ABF) with their period; ICD-9 ones (BK/BF) are left out
  of the check (`icd9` lists their positions: the ICD-9 rule in `_rules` reports them) and the
  pointers are renumbered onto the codes that remain.
- Units: SV104 with decimals is checked at the next whole unit (`rounded`); units in minutes
  (SV103 MJ, anesthesia) as one service (`minutes`).
- The patient: no name, id or birth date goes into the checker's claim (it reads none); the
  history rules get the patient's earlier services from the caller.

Values the reader accepted but the checker's model would refuse (a procedure code that is not
five letters or digits, SV101-1 other than HC, a ZIP that is not five digits, a charge with
more than two decimals, more than 9,999 units) leave `claim` None and say why in `problems`
(field paths such as `lines[2].hcpcs`, messages without the values). The checker's claim is
built without pydantic's validation (`edits.unchecked`): every value is checked here first.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from medpayiq.edits import (
    Claim,
    ClaimLine,
    HistoryService,
    Patient,
    Problem,
    Provider,
    remember,
    unchecked,
)
from medpayiq.x12 import Claim837, ServiceLine

__all__ = ["Converted", "Converter", "to_claim"]

_HCPCS = re.compile(r"^[A-Z0-9]\d{3}[A-Z0-9]$")
_MODIFIER = re.compile(r"^[A-Z0-9]{2}$")
_ICD10 = re.compile(r"^[A-Z]\d[0-9A-Z](\.[0-9A-Z]{1,4})?$")
_ZIP = re.compile(r"^\d{5}$")
_POS = re.compile(r"^\d{2}$")
_MAX_CHARGE = Decimal("999999999.99")
_CENT = Decimal("0.01")
_NPP_TAXONOMY = (("363L", "np"), ("363A", "pa"), ("364S", "cns"))
_PATIENT = unchecked(Patient, {"id": "837P", "birth_date": None, "sex": None})


@dataclass(frozen=True, slots=True)
class Converted:
    """The checker's claim for an 837P claim (None when it cannot take it: `problems` say
    why), and what the conversion changed: `icd9` the 1-based positions of ICD-9 diagnoses
    left out, `rounded` the lines whose decimal units were rounded up, `minutes` the lines in
    minutes checked as one unit."""

    claim: Claim | None
    problems: tuple[Problem, ...] = ()
    icd9: tuple[int, ...] = ()
    rounded: tuple[int, ...] = ()
    minutes: tuple[int, ...] = ()


class Converter:
    """`to_claim` with caches: the lines and providers of a file repeat (the reader shares
    one SV1 record between lines written alike), so each is converted once."""

    def __init__(self) -> None:
        self._lines: dict[Any, tuple[Any, ClaimLine | Problem, bool]] = {}
        self._providers: dict[tuple[str, bool, str], Provider] = {}

    def convert(self, claim: Claim837, *, history: list[HistoryService] | None = None) -> Converted:
        """The checker's claim for `claim`, with `history` (the patient's earlier services)."""
        lines = claim.lines
        day = min(line.service_date.start for line in lines)
        pos = claim.place_of_service
        rendering = claim.rendering_provider
        npi = (rendering.npi if rendering is not None else None) or claim.billing_provider.npi
        problems: list[Problem] = []
        if len(claim.claim_id) > 64:
            problems.append(Problem("claim_id", "CLM01 is longer than 64 characters"))
        zip5 = claim.locality_zip
        if zip5 is None or not _ZIP.match(zip5):
            problems.append(
                Problem("zip", "the service facility (2310C) or billing provider (2010AA) N403 "
                        "is not a 5-digit ZIP code")
            )  # fmt: skip
        if not _POS.match(pos):
            problems.append(Problem("place_of_service", "CLM05-1 is not a 2-digit code"))
        diagnoses, icd9, renumbered = _diagnoses(claim, problems)
        out: list[ClaimLine] = []
        rounded: list[int] = []
        minutes: list[int] = []
        for index, line in enumerate(lines):
            converted, was_rounded = self._line(line, day, pos, npi, renumbered)
            if isinstance(converted, Problem):
                problems.append(
                    Problem(f"lines[{index}].{converted.field}", f"line {index + 1}: "
                            f"{converted.message}")
                )  # fmt: skip
                continue
            out.append(converted)
            if was_rounded:
                rounded.append(index + 1)
            if line.service.unit_basis == "MJ":
                minutes.append(index + 1)
        if problems:
            return Converted(None, tuple(problems), icd9)
        values = {
            "claim_id": claim.claim_id,
            "patient": _PATIENT,
            "provider": self._provider(npi, claim),
            "place_of_service": pos,
            "zip": zip5,
            "carrier": None,
            "locality": None,
            "date_of_service": day,
            "diagnoses": diagnoses,
            "lines": out,
            "history": history if history is not None else [],
        }
        return Converted(unchecked(Claim, values), (), icd9, tuple(rounded), tuple(minutes))

    def _line(
        self,
        line: ServiceLine,
        day: date,
        pos: str,
        npi: str,
        renumbered: dict[int, int] | None,
    ) -> tuple[ClaimLine | Problem, bool]:
        service = line.service
        start = line.service_date.start
        own_day = start if start != day else None
        own_pos = line.place_of_service if line.place_of_service != pos else None
        own_npi = line.rendering_npi if line.rendering_npi not in (None, npi) else None
        key = (id(service), own_day, own_pos, own_npi, renumbered is None)
        found = self._lines.get(key)
        # The entry holds its service record, so the id in the key cannot be reused while it
        # lives; a claim with ICD-9 codes renumbers its pointers, and is not kept.
        if found is not None and found[0] is service:
            return found[1], found[2]
        converted, was_rounded = _claim_line(line, own_day, own_pos, own_npi, renumbered)
        if renumbered is None:
            remember(self._lines, key, (service, converted, was_rounded))
        return converted, was_rounded

    def _provider(self, npi: str, claim: Claim837) -> Provider:
        rendering = claim.rendering_provider
        taxonomy = (rendering.taxonomy if rendering else None) or claim.billing_provider.taxonomy
        kind = next(
            (k for prefix, k in _NPP_TAXONOMY if taxonomy and taxonomy.startswith(prefix)),
            "physician",
        )
        participating = claim.assignment != "C"
        key = (npi, participating, kind)
        found = self._providers.get(key)
        if found is None:
            values = {"npi": npi, "participating": participating, "type": kind}
            found = remember(self._providers, key, unchecked(Provider, values))
        return found


def to_claim(claim: Claim837, *, history: list[HistoryService] | None = None) -> Converted:
    """The checker's claim for one 837P claim (module docstring). For many claims, keep a
    `Converter` and call its `convert`: it converts each distinct line once."""
    return Converter().convert(claim, history=history)


def _diagnoses(
    claim: Claim837, problems: list[Problem]
) -> tuple[list[str], tuple[int, ...], dict[int, int] | None]:
    """The ICD-10-CM codes (dotted), the positions of ICD-9 ones, and how pointers move
    (None: they do not)."""
    codes: list[str] = []
    icd9: list[int] = []
    moved: dict[int, int] = {}
    for position, diagnosis in enumerate(claim.diagnoses, start=1):
        if not diagnosis.icd10:
            icd9.append(position)
            continue
        dotted = diagnosis.dotted.upper()
        if not _ICD10.match(dotted):
            problems.append(
                Problem(f"diagnoses[{position - 1}]", f"HI diagnosis {position} is not "
                        "written as an ICD-10-CM code")
            )  # fmt: skip
        codes.append(dotted)
        moved[position] = len(codes)
    return codes, tuple(icd9), (moved if icd9 else None)


def _claim_line(
    line: ServiceLine,
    own_day: date | None,
    own_pos: str | None,
    own_npi: str | None,
    renumbered: dict[int, int] | None,
) -> tuple[ClaimLine | Problem, bool]:
    service = line.service
    if service.qualifier != "HC":
        return Problem("hcpcs", f"SV101-1 is {service.qualifier}, not HC: Medicare takes "
                       "CPT/HCPCS codes only"), False  # fmt: skip
    code = service.hcpcs.upper()
    if not _HCPCS.match(code):
        return Problem("hcpcs", "SV101-2 is not a 5-character CPT/HCPCS code"), False
    modifiers = [m.upper() for m in service.modifiers]
    if any(not _MODIFIER.match(m) for m in modifiers) or len(set(modifiers)) != len(modifiers):
        return Problem("modifiers", "SV101-3 to -6 must be distinct 2-character modifiers"), False
    charge = service.charge
    if charge < 0 or charge > _MAX_CHARGE or charge != charge.quantize(_CENT):
        return Problem("charge", "SV102 must be an amount from 0 with at most 2 decimals"), False
    if own_pos is not None and not _POS.match(own_pos):
        return Problem("place_of_service", "SV105 is not a 2-digit code"), False
    units = service.units
    whole = 1 if service.unit_basis == "MJ" else math.ceil(units)
    if not 1 <= whole <= 9999:
        return Problem("units", "SV104 must be from 1 to 9,999 units"), False
    pointers = list(service.diagnosis_pointers)
    if renumbered is not None:
        pointers = [renumbered[p] for p in pointers if p in renumbered]
    values = {
        "hcpcs": code,
        "modifiers": modifiers,
        "units": whole,
        "diagnosis_pointers": pointers,
        "charge": charge,
        "date_of_service": own_day,
        "place_of_service": own_pos,
        "provider_npi": own_npi,
    }
    return unchecked(ClaimLine, values), service.unit_basis != "MJ" and whole != units
