"""835 element values: the SVC service composite, CAS triplets and PLB pairs, read from the
split segment with what is wrong with them said as `Issue`s (the reader positions them).

Pure functions over element lists; the reader keeps caches of what a segment text read as,
since most SVC, CAS and DTM texts of a file are written alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from medpayiq.records import positional_maker
from medpayiq.x12._model835 import (
    Adjustment,
    ClaimPayment,
    ProviderAdjustment,
    ServicePayment,
)
from medpayiq.x12._problems import Severity
from medpayiq.x12._values import ValueCache

VERSIONS_835 = ("005010X221A1", "005010X221")
SEGMENTS_835 = frozenset(  # every segment id of the 835, read or passed over
    ("BPR", "NTE", "TRN", "CUR", "REF", "DTM", "N1", "N2", "N3", "N4", "PER", "RDM", "LX", "TS3",
     "TS2", "CLP", "CAS", "NM1", "MIA", "MOA", "AMT", "QTY", "SVC", "LQ", "PLB")
)  # fmt: skip
# SVC01/SVC06-1 product or service id qualifiers: a composite that starts with one of these
# and another separator than ISA16 is read with that separator (a known quirk).
QUALIFIERS = frozenset(("HC", "AD", "ER", "IV", "N4", "NU", "WK", "ZZ", "HP", "N1", "N2"))
# PLB03-13 adjustment reason codes (code list 426), likewise for a PLB composite
PLB_REASONS = frozenset(
    ("50", "51", "72", "90", "AH", "AM", "AP", "B2", "B3", "BD", "BN", "C5", "CR", "CS", "CT",
     "CV", "CW", "DM", "E3", "FB", "FC", "GO", "HM", "IP", "IR", "IS", "J1", "L3", "L6", "LE",
     "LS", "OA", "OB", "PI", "PL", "RA", "RE", "SL", "TL", "WO", "WU")
)  # fmt: skip
ALTERNATIVE_SEPARATORS = ":>^|"
MAX_CAS_TRIPLETS = 6
MAX_PLB_PAIRS = 6

new_adjustment = positional_maker(Adjustment)
new_service = positional_maker(ServicePayment)
new_claim = positional_maker(ClaimPayment)


@dataclass(frozen=True, slots=True)
class Issue:
    """What is wrong with an element, before the reader knows where it stands."""

    code: str
    message: str
    element: int | None = None
    component: int | None = None
    severity: Severity = Severity.CLAIM


def split_composite(
    text: str,
    component: str,
    element: int,
    segment_id: str,
    known: frozenset[str] = QUALIFIERS,
) -> tuple[list[str], Issue | None]:
    """A composite's components, split by ISA16; or by a known alternative separator (`:`,
    `>`, `^`, `|`) when the first component is one of the `known` codes (product qualifiers,
    or PLB reasons) written with it, with a warning."""
    if component in text or len(text) < 3:
        return text.split(component), None
    separator = text[2]
    if text[:2] in known and separator in ALTERNATIVE_SEPARATORS:
        return text.split(separator), Issue(
            "component-separator",
            f"{segment_id}{element:02d} is split by {separator!r}, not by ISA16 {component!r};"
            " read with it",
            element,
            severity=Severity.WARNING,
        )
    return [text], None


ServiceParts = tuple[
    str,  # qualifier
    str | None,  # procedure
    tuple[str, ...],  # modifiers
    Decimal,  # charge
    Decimal,  # paid
    str | None,  # revenue code
    Decimal,  # units
    str | None,  # billed procedure
    tuple[str, ...],  # billed modifiers
    Decimal | None,  # billed units
]
ONE = Decimal(1)
ZERO = Decimal(0)


def parse_svc(
    e: list[str], component: str, values: ValueCache
) -> tuple[ServiceParts, list[Issue], bool]:
    """An SVC's values, its issues, and whether an amount could not be read (then the line
    and its claim are not balanced)."""
    issues: list[Issue] = []
    if len(e) < 8:
        e = e + [""] * (8 - len(e))
    parts, issue = split_composite(e[1], component, 1, "SVC")
    if issue:
        issues.append(issue)
    qualifier = parts[0]
    procedure = parts[1] if len(parts) > 1 and parts[1] else None
    if procedure is None:
        issues.append(
            Issue(
                "missing-element",
                "SVC01-2, the procedure code, is empty: the line is read without it",
                1,
                2,
            )
        )
    modifiers = tuple(m for m in parts[2:6] if m)
    unreadable = False
    amounts: list[Decimal] = []
    for n, what in ((2, "the line charge"), (3, "the line payment")):
        value = values.decimal(e[n])
        if value is None:
            unreadable = True
            issues.append(
                Issue(
                    "bad-number" if e[n] else "missing-element",
                    f"SVC{n:02d}, {what}, is not a number: read as 0"
                    if e[n]
                    else f"SVC{n:02d}, {what}, is empty: read as 0",
                    n,
                )
            )
            value = ZERO
        amounts.append(value)
    units = ONE
    if e[5]:
        read = values.decimal(e[5])
        if read is None:
            issues.append(Issue("bad-number", "SVC05, the units paid, is not a number: read as 1",
                                5))  # fmt: skip
        else:
            units = read
    billed_procedure: str | None = None
    billed_modifiers: tuple[str, ...] = ()
    if e[6]:
        billed, issue = split_composite(e[6], component, 6, "SVC")
        if issue:
            issues.append(issue)
        billed_procedure = billed[1] if len(billed) > 1 and billed[1] else None
        billed_modifiers = tuple(m for m in billed[2:6] if m)
    billed_units: Decimal | None = None
    if e[7]:
        billed_units = values.decimal(e[7])
        if billed_units is None:
            issues.append(Issue("bad-number", "SVC07, the units billed, is not a number", 7))
    parts_read: ServiceParts = (
        qualifier,
        procedure,
        modifiers,
        amounts[0],
        amounts[1],
        e[4] or None,
        units,
        billed_procedure,
        billed_modifiers,
        billed_units,
    )
    return parts_read, issues, unreadable


def parse_cas(e: list[str], values: ValueCache) -> tuple[list[Adjustment], list[Issue], bool]:
    """A CAS's adjustments (up to six reason/amount/quantity triplets), its issues, and
    whether an amount could not be read."""
    group = e[1] if len(e) > 1 else ""
    issues: list[Issue] = []
    unreadable = False
    if not group:
        issues.append(Issue("missing-element", "CAS01, the adjustment group, is empty", 1))
    adjustments: list[Adjustment] = []
    count = len(e)
    if count > 2 + 3 * MAX_CAS_TRIPLETS:
        issues.append(
            Issue(
                "too-many",
                f"CAS has more than {MAX_CAS_TRIPLETS} reason triplets: the rest are not read",
                2 + 3 * MAX_CAS_TRIPLETS,
                severity=Severity.WARNING,
            )
        )
        count = 2 + 3 * MAX_CAS_TRIPLETS
    for at in range(2, count, 3):
        reason = e[at]
        amount_text = e[at + 1] if at + 1 < count else ""
        quantity_text = e[at + 2] if at + 2 < count else ""
        if not reason:
            if amount_text or quantity_text:
                issues.append(
                    Issue("missing-element", f"CAS{at:02d}, the reason code, is empty", at)
                )
                unreadable = True
            continue
        amount = values.decimal(amount_text)
        if amount is None:
            issues.append(
                Issue(
                    "bad-number" if amount_text else "missing-element",
                    f"CAS{at + 1:02d}, the amount of reason {reason[:5]}, is not a number:"
                    " the adjustment is left out",
                    at + 1,
                )
            )
            unreadable = True
            continue
        quantity = None
        if quantity_text:
            quantity = values.decimal(quantity_text)
            if quantity is None:
                issues.append(
                    Issue(
                        "bad-number",
                        f"CAS{at + 2:02d}, the quantity of reason {reason[:5]}, is not a number",
                        at + 2,
                        severity=Severity.WARNING,
                    )
                )
        adjustments.append(new_adjustment(group, reason, amount, quantity))
    if not adjustments and not issues:
        issues.append(Issue("missing-element", "CAS02, the first reason code, is empty", 2))
    return adjustments, issues, unreadable


def parse_plb(
    e: list[str], component: str, values: ValueCache
) -> tuple[list[ProviderAdjustment], list[Issue], bool]:
    """A PLB's adjustments (up to six reason:reference / amount pairs), its issues, and
    whether an amount could not be read."""
    if len(e) < 5:
        e = e + [""] * (5 - len(e))
    issues: list[Issue] = []
    provider = e[1]
    if not provider:
        issues.append(Issue("missing-element", "PLB01, the provider id, is empty", 1))
    period: date | None = None
    if e[2]:
        period = values.date(e[2])
        if period is None:
            issues.append(
                Issue("bad-date", "PLB02, the fiscal period date, is not a valid CCYYMMDD", 2)
            )
    else:
        issues.append(Issue("missing-element", "PLB02, the fiscal period date, is empty", 2))
    unreadable = False
    adjustments: list[ProviderAdjustment] = []
    count = min(len(e), 3 + 2 * MAX_PLB_PAIRS)
    if len(e) > count:
        issues.append(
            Issue(
                "too-many",
                f"PLB has more than {MAX_PLB_PAIRS} adjustment pairs: the rest are not read",
                count,
                severity=Severity.WARNING,
            )
        )
    for at in range(3, count, 2):
        composite = e[at]
        amount_text = e[at + 1] if at + 1 < count else ""
        if not composite and not amount_text:
            continue
        parts, issue = split_composite(composite, component, at, "PLB", PLB_REASONS)
        if issue:
            issues.append(issue)
        reason = parts[0]
        reference = component.join(parts[1:]) or None
        amount = values.decimal(amount_text)
        if not reason or amount is None:
            unreadable = True
            issues.append(
                Issue(
                    "bad-number" if amount_text and reason else "missing-element",
                    f"PLB{at + 1:02d}, the adjustment amount, is not a number"
                    if reason
                    else f"PLB{at:02d}, the adjustment reason, is empty",
                    at + 1 if reason else at,
                )
            )
            continue
        adjustments.append(ProviderAdjustment(provider, period, reason, reference, amount))
    if not adjustments and not issues:
        issues.append(Issue("missing-element", "PLB03, the first adjustment, is empty", 3))
    return adjustments, issues, unreadable
