"""Reading and checking single 837P elements: SV1, CLM05, HI, DTP, diagnosis pointers.

Pure functions: they take a segment's elements (and the separators) and return values and a
list of issues, `(code, message, element, component)`; the reader turns issues into
positioned problems. The `parse_*` functions are the fast path: a value when all is well,
None otherwise, with no message built; the `*_issues` functions say what is wrong.
"""

from __future__ import annotations

from datetime import date
from typing import Final

from medpayiq.records import positional_maker
from medpayiq.x12._model import (
    ICD9_QUALIFIERS,
    ICD10_QUALIFIERS,
    PRINCIPAL_QUALIFIERS,
    DateSpan,
    Diagnosis,
    Service,
)
from medpayiq.x12._values import ValueCache

Issue = tuple[str, str, "int | None", "int | None"]  # code, message, element, component

MAX_LINES: Final = 50
MAX_DIAGNOSES: Final = 12
MAX_POINTERS: Final = 4
PROCEDURE_QUALIFIERS: Final = frozenset({"HC", "ER", "IV", "WK"})
UNIT_BASES: Final = frozenset({"UN", "MJ"})
FREQUENCY_CODES: Final = frozenset({"1", "7", "8"})
DIAGNOSIS_QUALIFIERS: Final = ICD10_QUALIFIERS | ICD9_QUALIFIERS


def _place(text: str) -> bool:
    return len(text) == 2 and text.isdigit()


def split_composite(
    text: str, co: str, name: str, element: int
) -> tuple[list[str] | None, Issue | None]:
    """A composite's components; an issue when it is empty or written with another separator
    (a lone component of letters and digits is fine: "11", "1")."""
    if co in text:
        return text.split(co), None
    if text.isalnum():
        return [text], None
    if not text:
        return None, ("missing-element", f"{name} is empty", element, None)
    return None, (
        "bad-composite",
        f"{name} is a composite but is not split by the component separator {co!r}",
        element,
        None,
    )


def parse_pointers(text: str, co: str) -> tuple[int, ...] | None:
    """SV107: one to four pointers 1-12, or None."""
    parts = text.split(co) if co in text else [text]
    if not 1 <= len(parts) <= MAX_POINTERS or not all(p.isdigit() for p in parts):
        return None
    pointers = tuple(int(p) for p in parts)
    return pointers if all(1 <= p <= MAX_DIAGNOSES for p in pointers) else None


def parse_service(e: list[str], co: str, values: ValueCache) -> Service | None:
    """SV1's elements as a Service when every one is valid; None otherwise."""
    if len(e) < 8 or co not in e[1]:
        return None
    parts = e[1].split(co)
    qualifier, code = parts[0], parts[1]
    charge = values.decimal(e[2])
    units = values.decimal(e[4])
    pointers = parse_pointers(e[7], co)
    pos = e[5]
    if (
        qualifier not in PROCEDURE_QUALIFIERS
        or not code
        or charge is None
        or units is None
        or units < 0
        or e[3] not in UNIT_BASES
        or (pos and not _place(pos))
        or pointers is None
        or len(parts) > 7
    ):
        return None
    modifiers = tuple(m for m in parts[2:6] if m)
    return Service(qualifier, code, modifiers, charge, e[3], units, pos, pointers)


def service_issues(e: list[str], co: str, values: ValueCache) -> list[Issue]:
    """What is wrong with an SV1 that `parse_service` refused."""
    e = e + [""] * (8 - len(e))
    issues: list[Issue] = []
    parts, issue = split_composite(e[1], co, "SV101 (qualifier:procedure:modifiers)", 1)
    if issue:
        issues.append(issue)
    elif parts is not None:
        parts += ["", ""]
        if parts[0] not in PROCEDURE_QUALIFIERS:
            issues.append(
                ("bad-code", f"SV101-1 {parts[0][:8] or '(empty)'} is not HC, ER, IV or WK", 1, 1)
            )
        if not parts[1]:
            issues.append(("missing-element", "SV101-2, the procedure code, is empty", 1, 2))
    if values.decimal(e[2]) is None:
        issues.append(_number_issue(e[2], "SV102, the line charge", 2))
    if e[3] not in UNIT_BASES:
        issues.append(
            (
                "bad-code",
                f"SV103 {e[3][:8] or '(empty)'} is not UN (units) or MJ (minutes)",
                3,
                None,
            )
        )
    units = values.decimal(e[4])
    if units is None or units < 0:
        issues.append(_number_issue(e[4], "SV104, the units", 4))
    if e[5] and not _place(e[5]):
        issues.append(("bad-code", f"SV105 {e[5][:8]} is not a 2-digit place of service", 5, None))
    pointer_parts, issue = split_composite(e[7], co, "SV107 (diagnosis pointers)", 7)
    if issue:
        issues.append(issue)
    elif pointer_parts is not None and parse_pointers(e[7], co) is None:
        issues.append(("bad-code", "SV107 must be one to four diagnosis pointers 1-12", 7, None))
    return issues


def pointer_issue(pointers: tuple[int, ...], count: int) -> Issue | None:
    """A pointer past the claim's `count` diagnoses."""
    for component, pointer in enumerate(pointers, 1):
        if pointer > count:
            return (
                "bad-pointer",
                f"SV107 points to diagnosis {pointer}; the claim has {count}",
                7,
                component,
            )
    return None


def _number_issue(text: str, name: str, element: int) -> Issue:
    if not text:
        return ("missing-element", f"{name}, is empty", element, None)
    return ("bad-number", f"{name}, {text[:15]!r} is not a number", element, None)


def parse_clm05(text: str, co: str) -> tuple[str, str, list[Issue]]:
    """CLM05 place of service : facility qualifier B : frequency code."""
    parts, issue = split_composite(text, co, "CLM05 (place:B:frequency)", 5)
    if issue:
        return "", "", [issue]
    assert parts is not None
    parts += ["", "", ""]
    pos, frequency = parts[0], parts[2]
    issues: list[Issue] = []
    if not _place(pos):
        issues.append(
            ("bad-code", f"CLM05-1 {pos[:8] or '(empty)'} is not a 2-digit place of service", 5, 1)
        )
    if frequency not in FREQUENCY_CODES:
        issues.append(
            (
                "bad-code",
                f"CLM05-3 {frequency[:8] or '(empty)'} is not a claim frequency code 1 (original),"
                " 7 (replacement) or 8 (void)",
                5,
                3,
            )
        )
    return pos, frequency, issues


_new_diagnosis: Final = positional_maker(Diagnosis)


def parse_hi(
    elements: list[str], co: str, had: int, known: dict[str, Diagnosis]
) -> tuple[list[Diagnosis], list[Issue]]:
    """The diagnoses of one HI segment (elements after the id) for a claim that already has
    `had`; codes with other qualifiers (anesthesia, conditions) are passed over. `known`
    keeps the Diagnosis each composite text read as, across claims."""
    if had == 0 and len(elements) <= MAX_DIAGNOSES:
        # the common case first: every composite read before, the principal alone first
        found: list[Diagnosis] = []
        for text in elements:
            diagnosis = known.get(text)
            if diagnosis is None or (diagnosis.qualifier in PRINCIPAL_QUALIFIERS) == bool(found):
                break
            found.append(diagnosis)
        else:
            return found, []
    found = []  # the general case, from the start
    issues: list[Issue] = []
    unreadable = 0  # composites that cannot be read still hold their place in the order
    for element, text in enumerate(elements, 1):
        diagnosis = known.get(text)
        if diagnosis is None:
            if not text:
                continue
            if co not in text:
                issues.append(
                    (
                        "bad-composite",
                        f"HI{element:02d} is not split by the component separator {co!r}",
                        element,
                        None,
                    )
                )
                unreadable += 1
                continue
            qualifier, code = text.split(co, 2)[:2]
            if qualifier not in DIAGNOSIS_QUALIFIERS:
                continue
            if not code:
                issues.append(
                    ("missing-element", f"HI{element:02d}-2, the code, is empty", element, 2)
                )
                continue
            diagnosis = _new_diagnosis(code, qualifier)
            if len(known) >= 1 << 14:
                known.clear()
            known[text] = diagnosis
        count = had + len(found) + unreadable
        if (diagnosis.qualifier in PRINCIPAL_QUALIFIERS) != (count == 0):
            issues.append(
                (
                    "bad-code",
                    f"HI{element:02d}-1 {diagnosis.qualifier}: the first diagnosis must be the"
                    " principal (ABK or BK), and only the first",
                    element,
                    1,
                )
            )
        elif count >= MAX_DIAGNOSES:
            issues.append(("too-many", f"more than {MAX_DIAGNOSES} diagnosis codes", element, None))
        else:
            found.append(diagnosis)
    return found, issues


def parse_span(e: list[str], values: ValueCache) -> tuple[DateSpan | None, Issue | None]:
    """DTP02/DTP03 as a date (D8) or range (RD8)."""
    qualifier = e[1] if len(e) > 1 else ""
    fmt = e[2] if len(e) > 2 else ""
    text = e[3] if len(e) > 3 else ""
    start: date | None
    end: date | None
    if fmt == "D8":
        start = end = values.date(text)
        expected = "CCYYMMDD"
    elif fmt == "RD8":
        first, _, last = text.partition("-")
        start, end = values.date(first), values.date(last)
        expected = "CCYYMMDD-CCYYMMDD"
    else:
        return None, (
            "bad-code",
            f"DTP02 {fmt[:8] or '(empty)'} is not D8 (a date) or RD8 (a range)",
            2,
            None,
        )
    if start is None or end is None:
        return None, (
            "bad-date",
            f"DTP*{qualifier[:4]}: DTP03 is not a valid {expected} date",
            3,
            None,
        )
    if end < start:
        return None, ("bad-date", f"DTP*{qualifier[:4]}: the range ends before it starts", 3, None)
    return DateSpan(start, end), None
