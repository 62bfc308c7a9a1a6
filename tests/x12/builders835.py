"""835 test files written by hand as text: an envelope and header around claim segments.

`remit(*detail)` puts the detail segments (CLP ... PLB) after a fixed header, so positions
are known by hand: ST 1, BPR 2, TRN 3, N1*PR 4, N1*PE 5, LX 6, the first detail segment 7.
"""

from __future__ import annotations

ISA = (
    "ISA*00*          *00*          *ZZ*PAYER          *ZZ*PAYEE          *261201*1200*^*00501"
    "*000000001*0*P*:"
)
GS = "GS*HP*PAYER*PAYEE*20261201*1200*1*X*005010X221A1"
FIRST = 7  # the position of the first detail segment


def bpr(amount: str, date: str = "20261201") -> str:
    return (
        f"BPR*I*{amount}*C*ACH*CCP*01*011000015*DA*123456789*1512345678**01*021000021*DA"
        f"*987654321*{date}"
    )


def transaction(
    *detail: str,
    amount: str = "0",
    header: list[str] | None = None,
    control: str = "0001",
    version: str = "005010X221A1",
    se_count: int | None = None,
) -> list[str]:
    """ST ... SE around `detail`; the header is BPR, TRN, N1*PR, N1*PE, LX*1 unless given."""
    head = (
        header
        if header is not None
        else [bpr(amount), "TRN*1*12345*1512345678", "N1*PR*PAYER", "N1*PE*CLINIC*XX*1234567893",
              "LX*1"]
    )  # fmt: skip
    segments = [f"ST*835*{control}*{version}", *head, *detail]
    count = se_count if se_count is not None else len(segments) + 1
    return [*segments, f"SE*{count}*{control}"]


def remit(*detail: str, close: bool = True, **options: object) -> str:
    """An interchange of one 835 transaction holding `detail` (see `transaction`)."""
    return interchange(transaction(*detail, **options), close=close)  # type: ignore[arg-type]


def interchange(*transactions: list[str], close: bool = True) -> str:
    segments = [ISA, GS, *(s for t in transactions for s in t)]
    if close:
        segments += [f"GE*{len(transactions)}*1", "IEA*1*000000001"]
    return "~\n".join(segments) + "~\n"
