"""What the earlier claims of an input (a file, a folder of files) tell about a claim: the
patient's earlier services (the checker's `history`) and the lines already billed
(duplicates).

- The patient: the payer, the subscriber's member id and, for a dependant (2000C), the
  patient's birth date and sex (5010 gives a dependant no id of their own). Kept as a 64-bit
  hash, never as the identifiers themselves.
- History: the patient's services from earlier claims that a history rule can read
  (`edits.history_codes`: 010/090 global procedures, policy pack codes), with their date,
  code, modifiers, units and rendering NPI. The checker reads them by their own dates.
- Duplicates: a line is (patient, rendering NPI, from date, code, modifiers in any order);
  the first claim of the input to bill a line owns it. A later claim that bills it again is a
  duplicate (`file.duplicate-line`), or a duplicate claim when all its lines are one earlier
  claim's (`file.duplicate-claim`); a line repeated within one claim is
  `file.repeated-line`. A replacement claim (7) repeats its original by design: its lines
  are not checked for duplicates, but are indexed; a void claim (8) is neither.

Memory: about 24 bytes per distinct line of the input (the duplicate index: the line keys'
64-bit hashes in an open-addressing table of two arrays, where a dict of ints took about 100),
a few bytes per claim (its id, for the duplicate's message) and about 100 bytes per kept
history service (a tuple; the checker's `HistoryService` is made when a later claim of the
patient asks); the claims themselves are not kept.
"""

from __future__ import annotations

from array import array
from datetime import date

from medpayiq.edits import Draft, HistoryCodes, HistoryService, Severity, history_codes, unchecked
from medpayiq.knowledge import AppealRoute, appeal_advice
from medpayiq.reference import Confidence, ReferenceData
from medpayiq.x12 import Claim837

__all__ = ["InputIndex", "patient_key"]

_SOURCE = "this input's earlier claims; CARC 18 (exact duplicate claim/service)"
_LINE_BITS = 6  # a claim has at most 50 lines


def patient_key(claim: Claim837) -> int:
    """The patient as a hash: payer, member id, and a dependant's birth date and sex."""
    patient = claim.patient
    subscriber = claim.subscriber
    if patient is None:
        return hash((subscriber.payer.payer_id, subscriber.member_id))
    return hash((subscriber.payer.payer_id, subscriber.member_id, patient.birth_date, patient.sex))


def _rendering(claim: Claim837) -> str:
    rendering = claim.rendering_provider
    return (rendering.npi if rendering is not None else None) or claim.billing_provider.npi


class LineTable:
    """64-bit keys to values from 0 to 2**32 - 1 in an open-addressing hash table (linear
    probing, at most half full) of two arrays: 12 bytes a slot, about 24 a key, where a dict
    of ints takes about 100. Key 0 is stored as 1 (the keys are hashes)."""

    __slots__ = ("_count", "_keys", "_mask", "_values")

    def __init__(self, slots: int = 1 << 12) -> None:
        self._keys = array("q", bytes(8 * slots))
        self._values = array("I", bytes(4 * slots))
        self._mask = slots - 1
        self._count = 0

    def __len__(self) -> int:
        return self._count

    def get(self, key: int) -> int | None:
        key = key or 1
        keys, mask = self._keys, self._mask
        i = key & mask
        while True:
            found = keys[i]
            if found == key:
                return self._values[i]
            if not found:
                return None
            i = (i + 1) & mask

    def setdefault(self, key: int, value: int) -> int:
        """The value of `key`, stored as `value` if it has none."""
        key = key or 1
        keys, mask = self._keys, self._mask
        i = key & mask
        while True:
            found = keys[i]
            if found == key:
                return self._values[i]
            if not found:
                break
            i = (i + 1) & mask
        keys[i] = key
        self._values[i] = value
        self._count += 1
        if self._count * 2 > mask:
            self._grow()
        return value

    def _grow(self) -> None:
        old_keys, old_values = self._keys, self._values
        slots = len(old_keys) * 2
        self._keys = keys = array("q", bytes(8 * slots))
        self._values = values = array("I", bytes(4 * slots))
        self._mask = mask = slots - 1
        for key, value in zip(old_keys, old_values, strict=True):
            if key:
                i = key & mask
                while keys[i]:
                    i = (i + 1) & mask
                keys[i] = key
                values[i] = value


# A kept history service: date, code, modifiers, units, rendering NPI.
_Kept = tuple[date, str, tuple[str, ...], int, str]


class InputIndex:
    """The input's patients and lines so far (module docstring). Feed every claim in input
    order: `history` and `duplicates` before checking it, `add` after."""

    def __init__(self, reference: ReferenceData) -> None:
        self._reference = reference
        self._history: dict[int, list[_Kept]] = {}
        self._lines = LineTable()  # line key hash -> claim number << 6 | line
        self._ids = bytearray()  # the claim ids, one after another (UTF-8)
        self._ends = array("Q")  # where each claim's id ends in `_ids`
        self._codes: dict[date, HistoryCodes] = {}
        self._keys: tuple[Claim837 | None, list[int]] = (None, [])

    def history(self, patient: int) -> list[HistoryService]:
        """The patient's kept services from earlier claims (a new list)."""
        found = self._history.get(patient)
        if not found:
            return []
        return [
            unchecked(
                HistoryService,
                {
                    "date_of_service": day,
                    "hcpcs": hcpcs,
                    "modifiers": list(modifiers),
                    "units": units,
                    "provider_npi": npi,
                },
            )
            for day, hcpcs, modifiers, units, npi in found
        ]

    def _claim_id(self, number: int) -> str:
        start = self._ends[number - 1] if number else 0
        return self._ids[start : self._ends[number]].decode("utf-8", "surrogatepass")

    def _line_keys(self, claim: Claim837, patient: int) -> list[int]:
        last, keys = self._keys
        if last is claim:
            return keys
        npi = _rendering(claim)
        keys = [
            hash(
                (
                    patient,
                    line.rendering_npi or npi,
                    line.service_date.start,
                    line.hcpcs,
                    tuple(sorted(line.modifiers)) if len(line.modifiers) > 1 else line.modifiers,
                )
            )
            for line in claim.lines
        ]
        self._keys = (claim, keys)
        return keys

    def duplicates(self, claim: Claim837, patient: int) -> list[Draft]:
        """The duplicate findings of a claim against the input so far, and within itself."""
        if claim.is_replacement or claim.is_void:
            return []
        keys = self._line_keys(claim, patient)
        earlier: dict[int, list[tuple[int, int]]] = {}  # claim number -> (line, its line)
        repeated: dict[int, int] = {}
        first_in_claim: dict[int, int] = {}
        for n, key in enumerate(keys, start=1):
            found = self._lines.get(key)
            if found is not None:
                earlier.setdefault(found >> _LINE_BITS, []).append((n, found & 63))
            elif key in first_in_claim:
                repeated[n] = first_in_claim[key]
            else:
                first_in_claim[key] = n
        drafts = []
        for number, pairs in earlier.items():
            drafts.append(self._duplicate(claim, number, pairs))
        if repeated:
            drafts.append(_repeated(repeated))
        return drafts

    def _duplicate(self, claim: Claim837, number: int, pairs: list[tuple[int, int]]) -> Draft:
        other = self._claim_id(number)
        lines = tuple(n for n, _ in pairs)
        whole = len(pairs) == len(claim.lines)
        theirs = ", ".join(str(m) for _, m in pairs)
        if whole:
            rule = "file.duplicate-claim"
            message = (
                f"The claim duplicates claim {other} of this input: every line (same patient, "
                "rendering provider, date, code and modifiers) was billed there "
                f"(its line{'s' if len(pairs) > 1 else ''} {theirs})."
            )
            fix = (
                f"Do not send it again: remove the claim, or send a replacement of {other} "
                "(CLM05-3 7, REF*F8) if that claim was wrong."
            )
        else:
            rule = "file.duplicate-line"
            ours = ", ".join(map(str, lines))
            one = len(lines) == 1
            message = (
                f"{'Line' if one else 'Lines'} {ours} {'repeats' if one else 'repeat'} claim "
                f"{other} of this input (its line{'' if one else 's'} {theirs}): same patient, "
                "rendering provider, date, code and modifiers."
            )
            fix = (
                "Remove the line if it was billed already; if the service was repeated that "
                "day, add 76 or 77 (procedure) or 91 (lab test), with the record."
            )
        return Draft(
            rule=rule,
            severity=Severity.DENY,
            lines=lines,
            message=message,
            carc=("18",),
            rarc=(),
            fix=fix,
            appeal=appeal_advice(AppealRoute.REOPENING),
            source=_SOURCE,
            confidence=Confidence.HIGH,
        )

    def add(self, claim: Claim837, patient: int) -> None:
        """Index a claim that was checked (never a void)."""
        if claim.is_void:
            return
        number = len(self._ends)
        self._ids += claim.claim_id.encode("utf-8", "surrogatepass")
        self._ends.append(len(self._ids))
        lines = self._lines
        for n, key in enumerate(self._line_keys(claim, patient), start=1):
            lines.setdefault(key, number << _LINE_BITS | n)
        self._keys = (None, [])
        npi = _rendering(claim)
        kept = None
        for line in claim.lines:
            day = line.service_date.start
            codes = self._codes.get(day)
            if codes is None:
                codes = self._codes[day] = history_codes(self._reference, day)
            if line.hcpcs not in codes:
                continue
            if kept is None:
                kept = self._history.setdefault(patient, [])
            kept.append(
                (day, line.hcpcs, line.modifiers, max(1, int(line.units)),
                 line.rendering_npi or npi)
            )  # fmt: skip


def _repeated(repeated: dict[int, int]) -> Draft:
    lines = tuple(sorted(repeated))
    said = "; ".join(f"line {n} repeats line {m}" for n, m in sorted(repeated.items()))
    return Draft(
        rule="file.repeated-line",
        severity=Severity.REVIEW,
        lines=lines,
        message=(
            f"The claim bills the same service twice ({said}: same code, modifiers, date and "
            "rendering provider). Payers deny the second line as a duplicate unless it shows "
            "the service was repeated."
        ),
        carc=("18",),
        rarc=(),
        fix=(
            "Bill the units on one line; if the service was repeated that day, add 76 or 77 "
            "(procedure) or 91 (lab test) to the second line, with the record."
        ),
        appeal=appeal_advice(AppealRoute.REOPENING),
        source=_SOURCE,
        confidence=Confidence.MEDIUM,
    )
