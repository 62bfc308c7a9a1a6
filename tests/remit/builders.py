"""835 remittances built in code for the remittance analysis tests: the header of
tests/fixtures/x12/medicare_2026.835 (Novitas JH pays a Houston practice, payee ZIP 77030,
locality 04412-18, remittance date 2026-08-12 unless given) around the claims a test writes,
one segment per string. Made-up patients (MBI-shaped ids after CMS's public example)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

FIXTURE = "tests/fixtures/x12/medicare_2026.835"
ISA = (
    "ISA*00*          *00*          *ZZ*04412          *ZZ*1234567893     *260812*0900*^*00501"
    "*000000835*0*P*:"
)


def clp(
    claim_id: str,
    status: str,
    charge: str,
    paid: str,
    patient: str,
    icn: str,
    *,
    name: str = "DOE*JANE",
    mbi: str = "1EG4TE5MK73",
) -> list[str]:
    return [
        f"CLP*{claim_id}*{status}*{charge}*{paid}*{patient}*MB*{icn}*11*1",
        f"NM1*QC*1*{name}****MI*{mbi}",
    ]


def svc(
    code: str,
    charge: str,
    paid: str,
    day: str,
    *cas: str,
    allowed: str | None = None,
    remarks: Sequence[str] = (),
) -> list[str]:
    out = [f"SVC*HC:{code}*{charge}*{paid}**1", f"DTM*472*{day}"]
    out += [f"CAS*{c}" for c in cas]
    if allowed is not None:
        out.append(f"AMT*B6*{allowed}")
    out += [f"LQ*HE*{r}" for r in remarks]
    return out


def era(*claims: list[str], paid: str, remit_date: str = "20260812") -> bytes:
    """One transaction with `claims` (each a list of segments); `paid` is BPR02."""
    body = [
        "ST*835*0001*005010X221A1",
        f"BPR*I*{Decimal(paid):.2f}*C*ACH*CCP*01*011000015*DA*123456789*1512345678**01"
        f"*021000021*DA*987654321*{remit_date}",
        "TRN*1*EFT0001234*1512345678",
        f"DTM*405*{remit_date}",
        "N1*PR*NOVITAS SOLUTIONS JH",
        "N4*MECHANICSBURG*PA*170551858",
        "N1*PE*HOUSTON SPINE CLINIC*XX*1234567893",
        "N4*HOUSTON*TX*770302707",
        "LX*1",
    ]
    for claim in claims:
        body += claim
    body.append(f"SE*{len(body) + 1}*0001")
    segments = [ISA, "GS*HP*04412*1234567893*20260812*0900*835*X*005010X221A1", *body,
                "GE*1*835", "IEA*1*000000835"]  # fmt: skip
    return ("~\n".join(segments) + "~\n").encode("ascii")


def reversal_and_correction() -> bytes:
    """99214 on 2026-07-15 reversed (CLP02 22, paid -107.73) and paid again by its correction
    (paid 110.08, allowed 140.40): BPR02 2.35, the net of the pair."""
    return era(
        clp("R1", "22", "-180", "-107.73", "-27.48", "22026196123450")
        + svc("99214", "-180", "-107.73", "20260715", "CO*45*-42.59**253*-2.2", "PR*2*-27.48"),
        clp("R1", "1", "180", "110.08", "28.08", "22026196123450")
        + svc("99214", "180", "110.08", "20260715", "CO*45*39.6**253*2.24", "PR*2*28.08",
              allowed="140.40"),
        paid="2.35",
    )  # fmt: skip
