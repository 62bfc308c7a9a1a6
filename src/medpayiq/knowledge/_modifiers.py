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
    "GLOBAL_EM_MODIFIERS",
    "GLOBAL_PROCEDURE_MODIFIERS",
    "GLOBAL_SURGERY_SOURCE",
    "NCCI_ASSOCIATED_MODIFIERS",
    "NCCI_MODIFIER_SOURCE",
    "REPEAT_MODIFIERS",
    "is_em_code",
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


@lru_cache(maxsize=8192)
def is_em_code(hcpcs: str) -> bool:
    """Evaluation and management codes: CPT 99202-99499."""
    return len(hcpcs) == 5 and hcpcs.isdigit() and 99202 <= int(hcpcs) <= 99499
