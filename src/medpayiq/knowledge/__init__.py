"""Packaged knowledge with citations: policy packs (YAML), denial and appeal guidance, and
modifier facts the claim checker needs. Pure data and lookups: no I/O beyond reading the
package's own files.

    from medpayiq.knowledge import policy_pack, appeal_advice, AppealRoute
    pack = policy_pack("epidural")
    rule = pack.rule("frequency", day)           # PolicyRule with citation and dates
    appeal_advice(AppealRoute.REDETERMINATION)   # level 1, 120 days, what to send

`medpayiq.knowledge.glossary` (the descriptor glossary) is its own module.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from medpayiq.knowledge._adjustments import EditAdjustments, edit_adjustments
from medpayiq.knowledge._appeals import (
    APPEAL_LEVELS,
    AppealAdvice,
    AppealLevel,
    AppealRoute,
    amount_in_controversy,
    appeal_advice,
)
from medpayiq.knowledge._denials import DenialGuidance, denial_guidance
from medpayiq.knowledge._macs import MAC_SOURCE, Mac, mac_for
from medpayiq.knowledge._modifiers import (
    ANATOMIC_MODIFIERS,
    ASSISTANT_MODIFIERS,
    DISTINCT_MODIFIERS,
    EM_BYPASS_MODIFIERS,
    GLOBAL_EM_MODIFIERS,
    GLOBAL_PROCEDURE_MODIFIERS,
    GLOBAL_SURGERY_SOURCE,
    NCCI_ASSOCIATED_MODIFIERS,
    NCCI_MODIFIER_SOURCE,
    REPEAT_MODIFIERS,
    is_em_code,
    ptp_bypass,
)
from medpayiq.knowledge._packs import (
    PolicyCode,
    PolicyPack,
    PolicyRule,
    PolicySource,
    policy_pack,
    policy_packs,
)

if TYPE_CHECKING:
    from medpayiq.knowledge._search_terms import Phrase, SearchTerms, search_terms


def __getattr__(name: str) -> Any:
    # The search terms serve search only: imported when first asked for, so the claim
    # checker on the command line does not pay for them (bench/cli.py).
    if name in ("Phrase", "SearchTerms", "search_terms"):
        from medpayiq.knowledge import _search_terms

        return getattr(_search_terms, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "ANATOMIC_MODIFIERS",
    "APPEAL_LEVELS",
    "ASSISTANT_MODIFIERS",
    "DISTINCT_MODIFIERS",
    "EM_BYPASS_MODIFIERS",
    "GLOBAL_EM_MODIFIERS",
    "GLOBAL_PROCEDURE_MODIFIERS",
    "GLOBAL_SURGERY_SOURCE",
    "MAC_SOURCE",
    "NCCI_ASSOCIATED_MODIFIERS",
    "NCCI_MODIFIER_SOURCE",
    "REPEAT_MODIFIERS",
    "AppealAdvice",
    "AppealLevel",
    "AppealRoute",
    "DenialGuidance",
    "EditAdjustments",
    "Mac",
    "Phrase",
    "PolicyCode",
    "PolicyPack",
    "PolicyRule",
    "PolicySource",
    "SearchTerms",
    "amount_in_controversy",
    "appeal_advice",
    "denial_guidance",
    "edit_adjustments",
    "is_em_code",
    "mac_for",
    "policy_pack",
    "policy_packs",
    "ptp_bypass",
    "search_terms",
]
