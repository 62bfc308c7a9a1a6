"""Modifier knowledge the edits need: which modifiers NCCI accepts as a bypass, which ones
mark a global-period exception, and which codes are evaluation and management services.

Sources: NCCI Policy Manual for Medicare Services, chapter I section E (modifiers and
modifier indicators); Medicare Claims Processing Manual (Pub. 100-04) chapter 12 section 40
(global surgery).
"""

from __future__ import annotations

from functools import lru_cache

__all__ = [
    "ANATOMIC_MODIFIERS",
    "ASSISTANT_MODIFIERS",
    "DISTINCT_MODIFIERS",
    "EM_BYPASS_MODIFIERS",
    "GLOBAL_EM_MODIFIERS",
    "GLOBAL_PROCEDURE_MODIFIERS",
    "GLOBAL_SURGERY_SOURCE",
    "NCCI_ASSOCIATED_MODIFIERS",
    "NCCI_MODIFIER_SOURCE",
    "REPEAT_MODIFIERS",
    "is_em_code",
    "ptp_bypass",
]

NCCI_MODIFIER_SOURCE = "NCCI Policy Manual for Medicare Services, chapter I section E"
GLOBAL_SURGERY_SOURCE = "Medicare Claims Processing Manual (Pub. 100-04) chapter 12 section 40"

# Anatomic modifiers: sides, eyelids, fingers, toes, coronary arteries.
ANATOMIC_MODIFIERS = frozenset(
    {"LT", "RT", "E1", "E2", "E3", "E4", "FA", "TA", "LC", "LD", "LM", "RC", "RI"}
    | {f"F{i}" for i in range(1, 10)}
    | {f"T{i}" for i in range(1, 10)}
)

# Modifiers that may bypass a PTP edit with modifier indicator 1 when documentation supports
# them (DOMAIN.md section 7).
NCCI_ASSOCIATED_MODIFIERS = frozenset(
    {"59", "XE", "XS", "XP", "XU", "24", "25", "27", "57", "58", "78", "79", "91"}
    | ANATOMIC_MODIFIERS
)

# Repeat-service modifiers that let MAI 1 line edits count lines separately.
REPEAT_MODIFIERS = frozenset({"76", "77", "91"})

ASSISTANT_MODIFIERS = frozenset({"80", "81", "82", "AS"})

# An E/M inside a global period is paid separately only with one of these.
GLOBAL_EM_MODIFIERS = frozenset({"24", "25", "57"})
# A procedure inside another's global period is paid only with one of these.
GLOBAL_PROCEDURE_MODIFIERS = frozenset({"58", "78", "79"})


# The only modifiers that make an E/M separately payable beside a procedure it is bundled
# into: 25 (significant, separately identifiable E/M) and 57 (decision for surgery), on the
# E/M line. Anatomic modifiers, 59 and XE/XS/XP/XU describe another site or session of a
# procedure; they never bypass an edit whose column 2 is an E/M (DOMAIN.md section 7; NCCI
# Policy Manual for Medicare Services, chapter I section E and chapter XI).
EM_BYPASS_MODIFIERS = frozenset({"25", "57"})
DISTINCT_MODIFIERS = frozenset({"59", "XE", "XS", "XP", "XU"})

# HCPCS Level II visits that NCCI edits as E/M services: the initial preventive physical
# examination and the annual wellness visits.
_EM_G_CODES = frozenset({"G0402", "G0438", "G0439"})


@lru_cache(maxsize=8192)
def is_em_code(hcpcs: str) -> bool:
    """Evaluation and management codes: CPT 99202-99499 and the G-code visits."""
    if hcpcs in _EM_G_CODES:
        return True
    return len(hcpcs) == 5 and hcpcs.isdigit() and 99202 <= int(hcpcs) <= 99499


def ptp_bypass(
    column2: str, column1_modifiers: tuple[str, ...], column2_modifiers: tuple[str, ...]
) -> tuple[str, ...]:
    """The modifiers that bypass a PTP edit of modifier indicator 1, sorted (empty: none).
    An E/M in column 2 is bypassed only by 25 or 57 on its own line; any other column 2 by
    an NCCI-associated modifier on either line."""
    if is_em_code(column2):
        return tuple(sorted(EM_BYPASS_MODIFIERS.intersection(column2_modifiers)))
    if not column1_modifiers and not column2_modifiers:
        return ()
    found = NCCI_ASSOCIATED_MODIFIERS.intersection([*column1_modifiers, *column2_modifiers])
    return tuple(sorted(found))
