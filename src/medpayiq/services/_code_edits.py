"""The NCCI edits of a code page: its procedure-to-procedure pairs (the ones that matter
first), its medically unlikely edit and its add-on primaries."""

from __future__ import annotations

from decimal import Decimal

from medpayiq import schedules
from medpayiq.errors import MedPayIQError, ReleaseNotLoaded
from medpayiq.knowledge import PolicyPack, is_em_code, search_terms
from medpayiq.reference import Confidence, ReferenceData
from medpayiq.services._code_types import PairEdit, UnitLimit, amount_of, chosen_amount, pack_for
from medpayiq.services._core import Query, category_of
from medpayiq.services._texts import MAI_TEXT, MOD_IND_TEXT

__all__ = ["ncci_edits"]


_GROUP_ORDER = {"same family": 0, "imaging guidance": 1, "E/M": 2, "common companion": 3}


def _pair_group(code: str, column2: str, pack: PolicyPack | None) -> str:
    if (pack is not None and column2 in pack.codes) or (
        code.isdigit() and column2.isdigit() and code[:3] == column2[:3]
    ):
        return "same family"
    if category_of(column2) == "Radiology":
        return "imaging guidance"
    if is_em_code(column2):
        return "E/M"
    if search_terms().common.get(column2):
        return "common companion"
    return "other"


def _bypass(column2: str, indicator: str) -> str:
    if indicator == "0":
        return "nothing: never paid together"
    if is_em_code(column2):
        return f"modifier 25 or 57 on {column2}, when the record shows a separate E/M"
    return (
        "59, XE, XS, XP or XU or an anatomic modifier (RT/LT, F1-F9, T1-T9...) on either "
        "line, when the record shows a separate site or session"
    )


def ncci_edits(
    reference: ReferenceData, code: str, query: Query
) -> tuple[tuple[PairEdit, ...], str, UnitLimit | None, tuple[str, ...], str]:
    """The NCCI pairs with `code` in column 1 (the ones that matter first: same family,
    imaging guidance, E/M, common companions; then by amount at risk), its MUE and add-on
    primaries. Amounts at risk are the column-2 codes' national amounts from their schedule."""
    try:
        tables = reference.ncci(query.day)
    except ReleaseNotLoaded as exc:
        return (), "", None, (), str(exc)
    pack = pack_for(code, query.day)
    common = search_terms().common
    pairs = []
    for edit in tables.ptp_for(code):
        if edit.modifier_indicator == "9":
            continue
        amount, descriptor = _national(reference, edit.column2, query)
        pairs.append(
            PairEdit(
                edit.column1,
                edit.column2,
                descriptor,
                edit.modifier_indicator,
                MOD_IND_TEXT.get(edit.modifier_indicator, ""),
                edit.rationale,
                amount,
                _pair_group(code, edit.column2, pack),
                _bypass(edit.column2, edit.modifier_indicator),
            )
        )
    pairs.sort(
        key=lambda p: (
            _GROUP_ORDER.get(p.group, 9),
            -common.get(p.column2, 0),
            -(p.amount or Decimal(0)),
            p.column2,
        )
    )
    mue = tables.mue(code)
    limit = (
        UnitLimit(
            mue.value, mue.mai, MAI_TEXT.get(mue.mai, ""), mue.rationale, tables.vintage.used.id
        )
        if mue
        else None
    )
    primaries = tuple(sorted({a.primary for a in tables.addon_primaries(code)}))
    note = "" if tables.vintage.confidence is Confidence.HIGH else tables.vintage.note
    return tuple(pairs), tables.vintage.used.id, limit, primaries, note


def _national(reference: ReferenceData, code: str, query: Query) -> tuple[Decimal | None, str]:
    """A code's national one-unit amount for the query's setting, from the schedule that pays
    it, and its description."""
    try:
        priced = schedules.price_line(
            reference,
            schedules.PriceRequest(
                code,
                query.day,
                setting=query.effective_setting if not query.pos else None,
                pos=query.pos,
            ),
            schedules.Terms(qp=query.qp),
        )
    except MedPayIQError:
        return None, ""
    detail = priced.detail
    if detail is not None:
        sa = chosen_amount(detail, query.effective_setting, national=True)
        return (amount_of(sa) if detail.payable else None), detail.description
    return priced.allowed, priced.description
