"""Part B drugs and vaccines, paid from CMS's quarterly ASP pricing file: 106% of the
average sales price per billing unit of the HCPCS descriptor (vaccines at 95% of the
average wholesale price or as CMS lists them). The file is not read yet: the answer says
what the code is, how it is paid and which file to load."""

from __future__ import annotations

from ._types import ScheduleInfo
from ._unloaded import Unloaded

__all__ = ["ASP", "PartBDrugs", "is_drug_code"]

ASP = ScheduleInfo(
    name="asp",
    title="Part B drugs (ASP pricing file)",
    pays="106% of the drug's average sales price per billing unit of the code's descriptor, "
    "from CMS's quarterly ASP pricing file (vaccines: the file's vaccine limits)",
    patient="the Part B deductible, then 20% coinsurance (none for the influenza, "
    "pneumococcal, hepatitis B and COVID-19 vaccines)",
    kinds=(),
    load="CMS's quarterly ASP pricing file (not read yet)",
)

# Vaccine products (CPT 90476-90759) and the HCPCS drug ranges: J codes, Q5101-Q5199
# biosimilars, Q2035-Q2039 influenza vaccines.
_VACCINES = ("90476", "90759")


def is_drug_code(hcpcs: str) -> bool:
    if hcpcs.startswith("J"):
        return True
    if hcpcs.startswith("Q5") or "Q2035" <= hcpcs <= "Q2039":
        return True
    return hcpcs.isdigit() and _VACCINES[0] <= hcpcs <= _VACCINES[1]


class PartBDrugs(Unloaded):
    info = ASP

    def claims(self, hcpcs: str) -> bool:
        return is_drug_code(hcpcs)

    def reason(self, hcpcs: str) -> str:
        return f"{hcpcs} is a Part B drug or vaccine, paid from CMS's ASP pricing file"

    def how(self, hcpcs: str) -> str:
        return (
            f"{hcpcs} is paid at 106% of its average sales price per billing unit, from CMS's "
            "quarterly ASP pricing file, which is not loaded: no amount can be given"
        )


SCHEDULE = PartBDrugs()
