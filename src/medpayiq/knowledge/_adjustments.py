"""The adjustment codes each claim edit brings: one table for the claim checker's findings and
the code page's "common denials" (DOMAIN.md sections 7 and 9).

    edit_adjustments("ncci.mue")      # EditAdjustments(carc=("96",), rarc=("N362",), ...)

CARC 236 (NCCI procedure-to-procedure) travels with 97 (included in another service) and
RARC N20 (not paid separately); a unit-limit denial is CARC 96 with RARC N362 (units
exceed the MUE; some contractors use 151); an add-on code without its primary is B15.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["EditAdjustments", "edit_adjustments"]


@dataclass(frozen=True, slots=True)
class EditAdjustments:
    """The CARC and RARC codes a denial by one edit carries, with the source of the pairing."""

    rule: str
    carc: tuple[str, ...]
    rarc: tuple[str, ...]
    source: str


_SOURCE_NCCI = "NCCI Policy Manual for Medicare Services, chapter I; X12 CARC/RARC lists"

_TABLE: dict[str, EditAdjustments] = {
    a.rule: a
    for a in (
        EditAdjustments("ncci.ptp", ("97", "236"), ("N20",), _SOURCE_NCCI),
        EditAdjustments("ncci.mue", ("96",), ("N362",), _SOURCE_NCCI),
        EditAdjustments("ncci.addon", ("B15",), (), _SOURCE_NCCI),
    )
}


def edit_adjustments(rule: str) -> EditAdjustments:
    """The adjustment codes of a claim edit's denial (`ncci.ptp`, `ncci.mue`, `ncci.addon`).
    Raises KeyError for a rule the table does not list."""
    return _TABLE[rule]
