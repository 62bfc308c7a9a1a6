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

Everything is kept by patient, since history and duplicates never cross patients: the
patient's kept services, their line keys (exact: rendering NPI, date, code and modifiers,
each mapped to the claim that owns it) and the ids of their claims that own lines. Memory is
flat in the size of the input: at most `RESIDENT` patients stay in memory, those seen most
recently; when there are more, the older half goes to a private temporary SQLite database
(on disk, deleted when it is closed), and comes back when a later claim of the patient asks.
A file is not sorted by date or patient, so nothing is dropped: what is spilled is exactly
what was kept. A resident patient takes about 1.3 KB (a patient with a few claims); the
claims themselves are not kept.
"""

from __future__ import annotations

import marshal
import sqlite3
from datetime import date
from itertools import islice

from medpayiq.edits import Draft, HistoryCodes, HistoryService, Severity, history_codes, unchecked
from medpayiq.knowledge import AppealRoute, appeal_advice
from medpayiq.reference import Confidence, ReferenceData
from medpayiq.x12 import Claim837

__all__ = ["RESIDENT", "InputIndex", "patient_key"]

_SOURCE = "this input's earlier claims; CARC 18 (exact duplicate claim/service)"
_LINE_BITS = 6  # a claim has at most 50 lines
_LINE_MASK = (1 << _LINE_BITS) - 1
RESIDENT = 4_096  # patients kept in memory (about 1.3 KB each); the older half spilled past it


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


# A kept history service: date (its ordinal), code, modifiers, units, rendering NPI.
_Kept = tuple[int, str, tuple[str, ...], int, str]
# A line key: rendering NPI, from date (its ordinal), code, modifiers (sorted when several).
_LineKey = tuple[str, int, str, tuple[str, ...]]
# What is kept of a patient: kept services, line keys to (claim << 6 | line), and the ids of
# the claims that own lines (a claim is its position there). Plain values only, so that it
# goes to the spill database with `marshal` as it is.
_Patient = tuple[list[_Kept], dict[_LineKey, int], list[str]]


class InputIndex:
    """The input's patients and lines so far (module docstring). Feed every claim in input
    order: `history` and `duplicates` before checking it, `add` after. `resident` is how
    many patients stay in memory (`RESIDENT` when None)."""

    def __init__(self, reference: ReferenceData, *, resident: int | None = None) -> None:
        self._reference = reference
        self._resident = max(2, resident or RESIDENT)
        self._patients: dict[int, _Patient] = {}  # by last use, the most recent last
        self._spill: sqlite3.Connection | None = None
        self.spilled = 0  # patients written to the spill database (again when they return)
        self._absent: int | None = None  # the last patient found nowhere
        self._current: tuple[int, _Patient] | None = None  # the last patient found
        self._codes: dict[date, HistoryCodes] = {}
        self._keys: tuple[Claim837 | None, list[_LineKey]] = (None, [])
        self._closed = False

    def close(self) -> None:
        """Delete the spill database now, not when the index is collected (a server may
        keep a finished scrub's objects a while): the input is done with. An index closed
        refuses to go on (its spilled patients are gone; an answer without them would be
        wrong)."""
        self._closed = True
        self._patients.clear()
        self._current = None
        spill, self._spill = self._spill, None
        if spill is not None:
            spill.close()

    def _patient(self, patient: int, create: bool) -> _Patient | None:
        """The patient's kept values, made the most recently used (loaded back from the
        spill database if they went there); None if there are none and not `create`."""
        current = self._current
        if current is not None and current[0] == patient:
            return current[1]  # the most recently used already: asked again for one claim
        patients = self._patients
        found = patients.pop(patient, None)
        if found is None and self._spill is not None and patient != self._absent:
            row = self._spill.execute(
                "SELECT kept FROM patient WHERE key = ?", (patient,)
            ).fetchone()
            if row is not None:
                found = marshal.loads(row[0])
        if found is None:
            if self._closed:
                raise RuntimeError("the input index is closed: its input was scrubbed")
            if not create:
                self._absent = patient  # asked again for the same claim: not on disk either
                return None
            self._absent = None
            found = ([], {}, [])
        patients[patient] = found
        self._current = (patient, found)
        if len(patients) > self._resident:
            self._spill_older_half()  # never the most recent
        return found

    def _spill_older_half(self) -> None:
        spill = self._spill
        if spill is None:
            # "": a private temporary database, on disk past its page cache, deleted when
            # closed. Used by one claim at a time, though maybe from another thread (a
            # server iterates a streamed answer in a thread pool).
            spill = self._spill = sqlite3.connect("", check_same_thread=False)
            spill.execute("PRAGMA journal_mode = OFF")
            spill.execute("PRAGMA synchronous = OFF")
            spill.execute("CREATE TABLE patient (key INTEGER PRIMARY KEY, kept BLOB NOT NULL)")
        patients = self._patients
        older = list(islice(patients, len(patients) // 2))
        with spill:
            spill.executemany(
                "INSERT OR REPLACE INTO patient VALUES (?, ?)",
                [(key, marshal.dumps(patients.pop(key))) for key in older],
            )
        self.spilled += len(older)

    @property
    def resident(self) -> int:
        """Patients in memory now."""
        return len(self._patients)

    def history(self, patient: int) -> list[HistoryService]:
        """The patient's kept services from earlier claims (a new list)."""
        found = self._patient(patient, False)
        if found is None or not found[0]:
            return []
        fromordinal = date.fromordinal
        return [
            unchecked(
                HistoryService,
                {
                    "date_of_service": fromordinal(day),
                    "hcpcs": hcpcs,
                    "modifiers": list(modifiers),
                    "units": units,
                    "provider_npi": npi,
                },
            )
            for day, hcpcs, modifiers, units, npi in found[0]
        ]

    def _line_keys(self, claim: Claim837) -> list[_LineKey]:
        last, keys = self._keys
        if last is claim:
            return keys
        npi = _rendering(claim)
        keys = [
            (
                line.rendering_npi or npi,
                line.service_date.start.toordinal(),
                line.hcpcs,
                tuple(sorted(line.modifiers)) if len(line.modifiers) > 1 else line.modifiers,
            )
            for line in claim.lines
        ]
        self._keys = (claim, keys)
        return keys

    def duplicates(self, claim: Claim837, patient: int) -> list[Draft]:
        """The duplicate findings of a claim against the input so far, and within itself."""
        if claim.is_replacement or claim.is_void:
            return []
        keys = self._line_keys(claim)
        found_patient = self._patient(patient, False)
        lines = found_patient[1] if found_patient is not None else {}
        earlier: dict[int, list[tuple[int, int]]] = {}  # claim -> (line, its line)
        repeated: dict[int, int] = {}
        first_in_claim: dict[_LineKey, int] = {}
        for n, key in enumerate(keys, start=1):
            found = lines.get(key)
            if found is not None:
                earlier.setdefault(found >> _LINE_BITS, []).append((n, found & _LINE_MASK))
            elif key in first_in_claim:
                repeated[n] = first_in_claim[key]
            else:
                first_in_claim[key] = n
        drafts = []
        if earlier:
            assert found_patient is not None
            ids = found_patient[2]
            for number, pairs in earlier.items():
                drafts.append(self._duplicate(claim, ids[number], pairs))
        if repeated:
            drafts.append(_repeated(repeated))
        return drafts

    def _duplicate(self, claim: Claim837, other: str, pairs: list[tuple[int, int]]) -> Draft:
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
        found = self._patient(patient, True)
        assert found is not None
        kept, lines, ids = found
        number = len(ids)
        owns = False
        for n, key in enumerate(self._line_keys(claim), start=1):
            if key not in lines:
                lines[key] = number << _LINE_BITS | n
                owns = True
        if owns:
            ids.append(claim.claim_id)
        self._keys = (None, [])
        npi = _rendering(claim)
        for line in claim.lines:
            day = line.service_date.start
            codes = self._codes.get(day)
            if codes is None:
                codes = self._codes[day] = history_codes(self._reference, day)
            if line.hcpcs not in codes:
                continue
            kept.append(
                (day.toordinal(), line.hcpcs, line.modifiers, max(1, int(line.units)),
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
