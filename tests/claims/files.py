"""An 837P input built in code for the scrub tests: the claims of a Houston pain and
orthopaedic practice (billing ZIP 77030, locality 04412-18), written with the package's writer.

Patients: S1 (Medicare, five epidural sessions in 12 months), S2 (Medicare: a knee
replacement then an office visit in its global period; a claim sent twice), a dependant
child under a commercial subscriber and that subscriber; S3 (one claim over several dates,
four modifiers, decimal units, a date range), S4 (ICD-9 codes), S5 (replacement and void
claims), S6 (timely filing at the limit), each written as X12 by `write_837p` with an
other-subscriber loop (2320/2330) on one claim that the reader must pass over.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from medpayiq.x12 import Claim837, Payer, Subscriber, to_837p
from x12.builders import (
    BILLING,
    CHILD,
    PARENT,
    RENDERING,
    SUBSCRIBER,
    SUBSCRIBER_2,
    claim,
    line,
    on,
    service,
)

MEDICARE = Payer("MEDICARE PART B", "04412")


def subscriber(member: str, born: date, sex: str) -> Subscriber:
    return Subscriber(member, "P", "18", None, "MB", born, sex, MEDICARE, "")


S3 = subscriber("3EG4TE5MK74", date(1944, 2, 14), "F")
S4 = subscriber("4EG4TE5MK75", date(1939, 9, 9), "M")
S5 = subscriber("5EG4TE5MK76", date(1950, 5, 5), "F")
S6 = subscriber("6EG4TE5MK77", date(1947, 1, 1), "M")

JUL = {day: date(2026, 7, day) for day in range(1, 32)}
ESI = (("ABK", "M5416"),)
KNEE = (("ABK", "M1711"),)


def esi(claim_id: str, day: date) -> Claim837:
    return claim(claim_id, [line(1, service("62323", "950.00"), on(day))], diagnoses=ESI,
                 rendering=RENDERING)  # fmt: skip


def practice_claims() -> list[Claim837]:
    visit = service("99213", "125.00")
    return [
        # S1: four epidural sessions in the 12 months before the fifth (A5).
        esi("A1", date(2025, 10, 1)),
        esi("A2", date(2026, 1, 5)),
        esi("A3", date(2026, 4, 1)),
        esi("A4", date(2026, 6, 1)),
        esi("A5", JUL[15]),
        # S2: a total knee replacement (090-day global), then a visit 9 days later.
        claim("B1", [line(1, service("27447", "4800.00"), on(JUL[6]), pos="21")],
              diagnoses=KNEE, pos="21", subscriber=SUBSCRIBER_2, rendering=RENDERING),
        claim("B2", [line(1, visit, on(JUL[15]))], diagnoses=KNEE, subscriber=SUBSCRIBER_2,
              rendering=RENDERING),
        # The child of a commercial subscriber, then the subscriber: same visit, same day,
        # two patients (no duplicate). The child's visit with a joint injection and no 25.
        claim("C1", [line(1, visit, on(JUL[15])),
                     line(2, service("20610", "250.00", modifiers=("RT",)), on(JUL[15]))],
              diagnoses=KNEE, subscriber=PARENT, patient=CHILD, rendering=RENDERING),
        claim("C2", [line(1, visit, on(JUL[15]))], diagnoses=KNEE, subscriber=PARENT,
              rendering=RENDERING),
        # S2 again: a visit sent twice, then with a venipuncture.
        claim("D1", [line(1, visit, on(JUL[16]))], diagnoses=KNEE, subscriber=SUBSCRIBER_2,
              rendering=RENDERING),
        claim("D2", [line(1, visit, on(JUL[16]))], diagnoses=KNEE, subscriber=SUBSCRIBER_2,
              rendering=RENDERING),
        claim("D3", [line(1, visit, on(JUL[16])), line(2, service("36415", "15.00"), on(JUL[16]))],
              diagnoses=KNEE, subscriber=SUBSCRIBER_2, rendering=RENDERING),
        # S3: one claim over three dates, four modifiers, half a unit, a rental range.
        claim("E1", [
            line(1, service("20610", "250.00", modifiers=("RT", "59", "XS", "KX")), on(JUL[1])),
            line(2, service("J1040", "35.00", units="0.5"), on(JUL[1])),
            line(3, service("99213", "125.00", modifiers=("25",)), on(JUL[1])),
            line(4, service("99213", "125.00"), on(JUL[22])),
            line(5, service("E0601", "850.00", modifiers=("RR",)), on(JUL[1], JUL[31])),
        ], diagnoses=KNEE, subscriber=S3, rendering=RENDERING),
        # S4: ICD-9 codes in 2026.
        claim("F1", [line(1, visit, on(JUL[15]))], diagnoses=(("BK", "7242"),), subscriber=S4,
              rendering=RENDERING),
        # S5: a replacement of D1's kind of claim, one without REF*F8, and a void.
        claim("G1", [line(1, visit, on(JUL[17]))], diagnoses=KNEE, subscriber=S5,
              frequency="7", payer_claim_number="22615900001234", rendering=RENDERING),
        claim("G2", [line(1, visit, on(JUL[17]))], diagnoses=KNEE, subscriber=S5,
              frequency="7", rendering=RENDERING),
        claim("G3", [line(1, visit, on(JUL[17]))], diagnoses=KNEE, subscriber=S5,
              frequency="8", payer_claim_number="22615900001299", rendering=RENDERING),
        # S6: created 2026-07-20: a service of 2025-07-19 is a day late, 2025-07-20 in time.
        claim("H1", [line(1, visit, on(date(2025, 7, 19)))], diagnoses=KNEE, subscriber=S6,
              rendering=RENDERING),
        claim("H2", [line(1, visit, on(date(2025, 7, 20)))], diagnoses=KNEE, subscriber=S6,
              rendering=RENDERING),
    ]  # fmt: skip


def cob(item: Claim837) -> Sequence[Sequence[str]]:
    """An other-subscriber loop (2320, 2330A, 2330B) on B2: its REF*F8 and DTP are not B2's."""
    if item.claim_id != "B2":
        return []
    return [
        ["SBR", "S", "18", "", "", "", "", "", "", "CI"],
        ["CAS", "CO", "45", "12.00"],
        ["AMT", "D", "0"],
        ["OI", "", "", "Y", "", "", "Y"],
        ["NM1", "IL", "1", "OTHER", "INSURED", "", "", "", "MI", "W1234567"],
        ["N4", "AUSTIN", "TX", "78701"],
        ["NM1", "PR", "2", "OTHER PLAN", "", "", "", "", "PI", "99999"],
        ["DTP", "573", "D8", "20260801"],
        ["REF", "F8", "OTHERCLAIM1"],
    ]


def practice_file() -> str:
    """The claims as one 837P interchange (one segment a line)."""
    return to_837p(practice_claims(), extra_2300=cob)


__all__ = ["BILLING", "S3", "S4", "S5", "S6", "SUBSCRIBER", "practice_claims", "practice_file"]
