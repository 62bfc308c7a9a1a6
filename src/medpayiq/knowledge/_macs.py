"""Which Medicare Administrative Contractor (A/B MAC) a Part B contractor number belongs to.

The GPCI and ZIP files name a locality by its contractor number ("04412") and locality
("18"); billers know the contractor by name. The first two digits of a Part B contractor
number name its jurisdiction. Source: CMS, "Who are the MACs" (A/B MAC jurisdictions), and
the contractor numbers of CMS's GPCI file (Addendum E, "MAC Assignments as of November 22,
2023"). Jurisdictions are re-competed from time to time: when CMS moves one, update this
table (the GPCI file's contractor numbers do not change with the company).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["MAC_SOURCE", "Mac", "mac_for"]

MAC_SOURCE = "CMS, Who are the MACs: A/B MAC jurisdictions (contractor numbers of GPCI Addendum E)"


@dataclass(frozen=True, slots=True)
class Mac:
    """An A/B MAC: its company and jurisdiction, and the contractor number asked about."""

    contractor: str
    name: str
    jurisdiction: str

    @property
    def label(self) -> str:
        """ "Novitas Solutions (jurisdiction JH, contractor 04412)"."""
        return f"{self.name} (jurisdiction {self.jurisdiction}, contractor {self.contractor})"


_BY_PREFIX: dict[str, tuple[str, str]] = {
    "01": ("Noridian Healthcare Solutions", "JE"),
    "02": ("Noridian Healthcare Solutions", "JF"),
    "03": ("Noridian Healthcare Solutions", "JF"),
    "04": ("Novitas Solutions", "JH"),
    "05": ("Wisconsin Physicians Service (WPS)", "J5"),
    "06": ("National Government Services (NGS)", "J6"),
    "07": ("Novitas Solutions", "JH"),
    "08": ("Wisconsin Physicians Service (WPS)", "J8"),
    "09": ("First Coast Service Options", "JN"),
    "10": ("Palmetto GBA", "JJ"),
    "11": ("Palmetto GBA", "JM"),
    "12": ("Novitas Solutions", "JL"),
    "13": ("National Government Services (NGS)", "JK"),
    "14": ("National Government Services (NGS)", "JK"),
    "15": ("CGS Administrators", "J15"),
}


def mac_for(contractor: str) -> Mac | None:
    """The A/B MAC of a five-digit Part B contractor number, or None when the table does
    not know it."""
    number = contractor.strip()
    found = _BY_PREFIX.get(number[:2]) if len(number) == 5 and number.isdigit() else None
    return None if found is None else Mac(number, found[0], found[1])
