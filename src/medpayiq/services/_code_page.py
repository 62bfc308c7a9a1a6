"""The code page: everything `/codes/{code}` and `GET /api/v1/codes/{code}` show, built from
the pricing engine, the NCCI tables, ICD-10-CM, the policy packs and the glossary."""

from __future__ import annotations

__all__ = ["CodeReport", "Standing", "code_report"]

import weakref
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any

from medpayiq import pricing
from medpayiq.errors import (
    MedPayIQError,
    ReleaseNotLoaded,
)
from medpayiq.knowledge import (
    AppealRoute,
    PolicyPack,
    appeal_advice,
    denial_guidance,
    policy_packs,
)
from medpayiq.knowledge.glossary import Explanation, explain
from medpayiq.money import cents
from medpayiq.records import LocalityId, RvuRow
from medpayiq.reference import Confidence, FeeSchedule, ReferenceData
from medpayiq.services._core import (
    DISCLAIMER,
    Place,
    Query,
    _AsDict,
    _fee_schedule,
    _line_request,
    _national_amounts,
    _price_line,
    _require_code,
    ama_notice,
    category_of,
    jsonable,
    parse_code,
    place_label,
    resolve_place,
    title_case,
)
from medpayiq.services._texts import (
    _HEADERS_OFTEN_OFFERED,
    ASST_TEXT,
    BILAT_TEXT,
    CO_SURG_TEXT,
    GLOBAL_TEXT,
    MAI_TEXT,
    MOD_IND_TEXT,
    MULT_PROC_TEXT,
    PCTC_TEXT,
    STATUS_TEXT,
    TEAM_TEXT,
)


@dataclass(frozen=True, slots=True)
class RvuBreakdown(_AsDict):
    """RVUs from the PPRRVU row, and (at a locality) each multiplied by its GPCI."""

    work: Decimal
    pe_nonfacility: Decimal
    pe_facility: Decimal
    mp: Decimal
    total_nonfacility: Decimal
    total_facility: Decimal
    pe_nonfacility_na: bool
    pe_facility_na: bool
    gpci_work: Decimal
    gpci_pe: Decimal
    gpci_mp: Decimal
    gpci_work_column: str
    adjusted_work: Decimal
    adjusted_pe_nonfacility: Decimal
    adjusted_pe_facility: Decimal
    adjusted_mp: Decimal
    adjusted_total_nonfacility: Decimal
    adjusted_total_facility: Decimal
    conversion_factor: Decimal | None
    conversion_factor_reason: str
    localized: bool


@dataclass(frozen=True, slots=True)
class Amounts(_AsDict):
    """One-unit amounts here and nationally. `difference` is non-facility minus facility, its
    percent of the facility amount; `versus_national` the local minus the national amount for
    the chosen setting."""

    setting: str
    setting_reason: str
    nonfacility: Decimal | None
    facility: Decimal | None
    national_nonfacility: Decimal | None
    national_facility: Decimal | None
    chosen: Decimal | None
    national_chosen: Decimal | None
    difference: Decimal | None
    difference_percent: Decimal | None
    versus_national: Decimal | None
    versus_national_percent: Decimal | None
    opps_capped: bool


@dataclass(frozen=True, slots=True)
class YearChange(_AsDict):
    previous_day: date
    previous_release: str | None
    previous: Decimal | None
    current: Decimal | None
    change: Decimal | None
    change_percent: Decimal | None
    note: str


@dataclass(frozen=True, slots=True)
class LocalityAmount(_AsDict):
    locality: LocalityId
    name: str
    state: str
    amount: Decimal


@dataclass(frozen=True, slots=True)
class Standing(_AsDict):
    """Where the chosen locality's amount stands among all localities (rank 1 = highest)."""

    setting: str
    count: int
    rank: int | None
    lowest: Decimal
    highest: Decimal
    median: Decimal
    national: Decimal | None
    here: Decimal | None
    amounts: tuple[LocalityAmount, ...]


@dataclass(frozen=True, slots=True)
class Indicator(_AsDict):
    name: str
    column: str
    value: str
    plain: str


@dataclass(frozen=True, slots=True)
class ModifierPay(_AsDict):
    modifier: str
    label: str
    allowed: bool
    percent: Decimal | None
    amount: Decimal | None
    plain: str


@dataclass(frozen=True, slots=True)
class PairEdit(_AsDict):
    column1: str
    column2: str
    descriptor: str
    modifier_indicator: str
    plain: str
    rationale: str
    amount: Decimal | None


@dataclass(frozen=True, slots=True)
class UnitLimit(_AsDict):
    value: int
    mai: str
    plain: str
    rationale: str
    release: str


@dataclass(frozen=True, slots=True)
class Tip(_AsDict):
    title: str
    detail: str
    impact: str
    dollars: Decimal | None
    source: str


@dataclass(frozen=True, slots=True)
class Denial(_AsDict):
    carc: str
    carc_text: str
    rarc: tuple[str, ...]
    cause: str
    prevent: str
    appeal: dict[str, Any]
    dollars: Decimal | None


@dataclass(frozen=True, slots=True)
class Faq(_AsDict):
    question: str
    answer: str


@dataclass(frozen=True, slots=True)
class DiagnosisCheck(_AsDict):
    code: str
    found: bool
    billable: bool
    description: str
    use_instead: tuple[str, ...]
    message: str


@dataclass(frozen=True, slots=True)
class FamilyCode(_AsDict):
    code: str
    region: str
    approach: str
    imaging: bool
    addon: bool
    amount: Decimal | None
    current: bool


@dataclass(frozen=True, slots=True)
class PolicyInfo(_AsDict):
    pack: str
    title: str
    region: str
    approach: str
    imaging: bool
    addon: bool
    explanation: str
    sources: tuple[dict[str, str], ...]
    rules: tuple[dict[str, str], ...]
    documentation: tuple[str, ...]
    family: tuple[FamilyCode, ...]


@dataclass(frozen=True, slots=True)
class CodeReport(_AsDict):
    """Everything the code page shows, and GET /api/v1/codes/{code} returns."""

    code: str
    descriptor: str
    ama_notice: str
    category: str
    status: str
    status_text: str
    payable: bool
    message: str
    explanation: str
    explanation_source: str
    glossary_terms: tuple[dict[str, str], ...]
    day: date
    place: Place
    place_label: str
    place_notes: tuple[str, ...]
    rvus: RvuBreakdown
    amounts: Amounts
    year_change: YearChange
    standing: Standing | None
    indicators: tuple[Indicator, ...]
    modifiers: tuple[ModifierPay, ...]
    ncci_pairs: tuple[PairEdit, ...]
    ncci_release: str
    ncci_note: str
    unit_limit: UnitLimit | None
    addon_primaries: tuple[str, ...]
    tips: tuple[Tip, ...]
    denials: tuple[Denial, ...]
    faqs: tuple[Faq, ...]
    diagnoses: tuple[DiagnosisCheck, ...]
    policy: PolicyInfo | None
    release: str
    confidence: str
    confidence_reason: str
    trail: tuple[dict[str, Any], ...]
    sources: tuple[dict[str, Any], ...]
    disclaimer: str


def _pack_for(code: str, day: date) -> PolicyPack | None:
    for pack in policy_packs():
        if code in pack.codes and pack.in_force(day):
            return pack
    return None


def _pct(part: Decimal | None, whole: Decimal | None) -> Decimal | None:
    if part is None or whole is None or whole == 0:
        return None
    return (part / whole * 100).quantize(Decimal("0.1"))


def _money(amount: Decimal | None) -> str:
    return "no amount" if amount is None else f"${amount:,.2f}"


def _amount_of(sa: pricing.SettingAmount | None) -> Decimal | None:
    return None if sa is None else sa.amount


def _chosen(
    result: pricing.LineResult, setting: pricing.Setting, *, national: bool = False
) -> pricing.SettingAmount | None:
    if setting is pricing.Setting.FACILITY:
        return result.national_facility if national else result.facility
    return result.national_nonfacility if national else result.nonfacility


def _rvus(row: RvuRow, result: pricing.LineResult, place: Place) -> RvuBreakdown:
    one = Decimal("1.000")
    gw = gp = gm = one
    if place.gpci is not None:
        # The work GPCI column (with or without the 1.0 floor) is the pricing engine's choice.
        gw = _trail_value(result, "work GPCI column") or place.gpci.work
        gp, gm = place.gpci.pe, place.gpci.mp
    aw, apn, apf, amp = row.work * gw, row.pe_nonfacility * gp, row.pe_facility * gp, row.mp * gm
    return RvuBreakdown(
        work=row.work,
        pe_nonfacility=row.pe_nonfacility,
        pe_facility=row.pe_facility,
        mp=row.mp,
        total_nonfacility=row.work + row.pe_nonfacility + row.mp,
        total_facility=row.work + row.pe_facility + row.mp,
        pe_nonfacility_na=row.pe_nonfacility_na,
        pe_facility_na=row.pe_facility_na,
        gpci_work=gw,
        gpci_pe=gp,
        gpci_mp=gm,
        gpci_work_column=result.gpci_work_column,
        adjusted_work=aw,
        adjusted_pe_nonfacility=apn,
        adjusted_pe_facility=apf,
        adjusted_mp=amp,
        adjusted_total_nonfacility=aw + apn + amp,
        adjusted_total_facility=aw + apf + amp,
        conversion_factor=result.conversion_factor,
        conversion_factor_reason=_trail_note(result, "conversion factor"),
        localized=place.gpci is not None,
    )


def _trail_step(result: pricing.LineResult, rule: str) -> pricing.Step | None:
    return next((s for s in result.trail if s.rule == rule), None)


def _trail_value(result: pricing.LineResult, rule: str) -> Decimal | None:
    step = _trail_step(result, rule)
    if step is None or step.result is None or isinstance(step.result, bool):
        return None
    try:
        return Decimal(str(step.result))
    except ArithmeticError:
        return None


def _trail_note(result: pricing.LineResult, rule: str) -> str:
    step = _trail_step(result, rule)
    return step.note if step else ""


def _amounts(result: pricing.LineResult, setting: pricing.Setting, reason: str) -> Amounts:
    nf, fac = _amount_of(result.nonfacility), _amount_of(result.facility)
    chosen, national = (
        _amount_of(_chosen(result, setting)),
        _amount_of(_chosen(result, setting, national=True)),
    )
    difference = nf - fac if nf is not None and fac is not None else None
    versus = chosen - national if chosen is not None and national is not None else None
    capped = any(
        sa is not None
        and sa.opps_cap is not None
        and sa.amount == sa.opps_cap
        and sa.opps_cap < sa.fee_schedule
        for sa in (result.nonfacility, result.facility)
    )
    return Amounts(
        setting.value,
        reason,
        nf,
        fac,
        _amount_of(result.national_nonfacility),
        _amount_of(result.national_facility),
        chosen,
        national,
        difference,
        _pct(difference, fac),
        versus,
        _pct(versus, national),
        capped,
    )


def _year_change(
    reference: ReferenceData, code: str, query: Query, place: Place, current: Decimal | None
) -> YearChange:
    try:
        previous_day = query.day.replace(year=query.day.year - 1)
    except ValueError:  # Feb 29
        previous_day = query.day.replace(year=query.day.year - 1, day=28)
    try:
        fs = reference.fee_schedule(previous_day, qp=query.qp)
        if (code, "") not in fs.rvus:
            return YearChange(
                previous_day,
                fs.vintage.used.id,
                None,
                current,
                None,
                None,
                f"{code} is not in the {previous_day.year} fee schedule",
            )
        before = _price_line(
            reference,
            _line_request(code, Query(previous_day, setting=query.effective_setting), place),
            qp=query.qp,
        )
    except (ReleaseNotLoaded, MedPayIQError) as exc:
        return YearChange(previous_day, None, None, current, None, None, f"no comparison: {exc}")
    previous = _amount_of(_chosen(before, query.effective_setting))
    change = current - previous if current is not None and previous is not None else None
    note = f"{before.release} on {previous_day}" + (
        "" if before.confidence is Confidence.HIGH else f" ({before.confidence_reason})"
    )
    return YearChange(
        previous_day, before.release, previous, current, change, _pct(change, previous), note
    )


# Keyed on the reference's id, with a weak reference to tell a reused id (a reference made
# after a load may get the id of one collected) from the one the entry was computed on.
_STANDING_CACHE: dict[
    tuple[int, str, date, bool, str],
    tuple[weakref.ref[ReferenceData], tuple[LocalityAmount, ...]],
] = {}


def _locality_amounts(
    reference: ReferenceData, code: str, query: Query, fs: FeeSchedule
) -> tuple[LocalityAmount, ...]:
    key = (id(reference), code, query.day, query.qp, query.effective_setting.value)
    entry = _STANDING_CACHE.get(key)
    if entry is not None and entry[0]() is reference:
        return entry[1]
    out = []
    for gpci in fs.gpcis.values():
        place = pricing.ResolvedLocation(gpci.locality, gpci.name, gpci.state, "locality", gpci)
        result = _price_line(
            reference,
            _line_request(code, Query(query.day, setting=query.effective_setting), place),
            qp=query.qp,
        )
        amount = _amount_of(_chosen(result, query.effective_setting))
        if amount is not None:
            out.append(LocalityAmount(gpci.locality, title_case(gpci.name), gpci.state, amount))
    ranked = tuple(sorted(out, key=lambda a: (-a.amount, str(a.locality))))
    if len(_STANDING_CACHE) > 2048:
        _STANDING_CACHE.clear()
    _STANDING_CACHE[key] = (weakref.ref(reference), ranked)
    return ranked


def _standing(
    reference: ReferenceData,
    code: str,
    query: Query,
    fs: FeeSchedule,
    place: Place,
    amounts: Amounts,
) -> Standing | None:
    ranked = _locality_amounts(reference, code, query, fs)
    if not ranked:
        return None
    values = sorted(a.amount for a in ranked)
    mid = len(values) // 2
    median = values[mid] if len(values) % 2 else cents((values[mid - 1] + values[mid]) / 2)
    rank = next((i for i, a in enumerate(ranked, start=1) if a.locality == place.locality), None)
    return Standing(
        query.effective_setting.value,
        len(ranked),
        rank,
        values[0],
        values[-1],
        median,
        amounts.national_chosen,
        amounts.chosen,
        ranked,
    )


def _indicators(row: RvuRow) -> tuple[Indicator, ...]:
    def one(name: str, column: str, value: str, table: Mapping[str, str]) -> Indicator:
        return Indicator(
            name,
            column,
            value or "blank",
            table.get(value.strip(), "Not described in the file's layout"),
        )

    return (
        one("Global period", "GLOB DAYS", row.global_days, GLOBAL_TEXT),
        one("Multiple procedures", "MULT PROC", row.mult_proc, MULT_PROC_TEXT),
        one("Bilateral surgery", "BILAT SURG", row.bilat_surg, BILAT_TEXT),
        one("Assistant at surgery", "ASST SURG", row.asst_surg, ASST_TEXT),
        one("Co-surgeons", "CO SURG", row.co_surg, CO_SURG_TEXT),
        one("Team surgery", "TEAM SURG", row.team_surg, TEAM_TEXT),
        one("Professional/technical split", "PCTC IND", row.pctc, PCTC_TEXT),
    )


def _modifier_pay(
    reference: ReferenceData,
    code: str,
    query: Query,
    place: Place,
    row: RvuRow,
    base: Decimal | None,
) -> tuple[ModifierPay, ...]:
    out: list[ModifierPay] = []

    def priced(modifier: str, label: str, plain: str) -> None:
        try:
            result = _price_line(
                reference, _line_request(code, query, place, modifiers=(modifier,)), qp=query.qp
            )
        except MedPayIQError as exc:
            out.append(ModifierPay(modifier, label, False, None, None, str(exc)))
            return
        amount = result.allowed
        note = "; ".join(result.review) if result.review else plain
        allowed = amount is not None and amount > 0
        out.append(
            ModifierPay(
                modifier,
                label,
                allowed,
                _pct(amount, base),
                amount,
                note if allowed else (result.message or note),
            )
        )

    priced("50", "Bilateral", BILAT_TEXT.get(row.bilat_surg, ""))
    if row.mult_proc == "2" and base is not None:
        half = cents(base / 2)
        out.append(
            ModifierPay(
                "51",
                "Multiple procedures",
                True,
                Decimal("50.0"),
                half,
                "When another procedure on the claim pays more, this one is paid at 50%",
            )
        )
    else:
        out.append(
            ModifierPay(
                "51",
                "Multiple procedures",
                False,
                None,
                None,
                MULT_PROC_TEXT.get(row.mult_proc, ""),
            )
        )
    priced("62", "Co-surgeons", CO_SURG_TEXT.get(row.co_surg, ""))
    priced("80", "Assistant at surgery", ASST_TEXT.get(row.asst_surg, ""))
    if row.pctc == "1":
        priced("26", "Professional component", PCTC_TEXT["1"])
        priced("TC", "Technical component", PCTC_TEXT["1"])
    return tuple(out)


def _ncci_pairs(
    reference: ReferenceData, code: str, query: Query, fs: FeeSchedule
) -> tuple[tuple[PairEdit, ...], str, UnitLimit | None, tuple[str, ...], str]:
    try:
        tables = reference.ncci(query.day)
    except ReleaseNotLoaded as exc:
        return (), "", None, (), str(exc)
    pairs = []
    for edit in tables.ptp_for(code):
        if edit.modifier_indicator == "9":
            continue
        row = fs.rvus.get((edit.column2, ""))
        amount = (
            _national_amounts(fs, row)[
                0 if query.effective_setting is pricing.Setting.NON_FACILITY else 1
            ]
            if row
            else None
        )
        pairs.append(
            PairEdit(
                edit.column1,
                edit.column2,
                row.description if row else "",
                edit.modifier_indicator,
                MOD_IND_TEXT.get(edit.modifier_indicator, ""),
                edit.rationale,
                amount,
            )
        )
    pairs.sort(key=lambda p: (-(p.amount or Decimal(0)), p.column2))
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


def _setting_national(fs: FeeSchedule, code: str, setting: pricing.Setting) -> Decimal | None:
    """National amount of a code for a setting; in a facility, a code whose global row is NA
    there (imaging such as 77003) is billed as its professional component (modifier 26)."""
    index = 0 if setting is pricing.Setting.NON_FACILITY else 1
    for modifier in ("", "26"):
        row = fs.rvus.get((code, modifier))
        if row is not None and (amount := _national_amounts(fs, row)[index]) is not None:
            return amount
    return None


def _diagnosis_checks(
    reference: ReferenceData, codes: Iterable[str], day: date
) -> tuple[DiagnosisCheck, ...]:
    try:
        table = reference.icd10cm(day)
    except ReleaseNotLoaded:
        return ()
    out = []
    for shown in codes:
        entry = table.get(shown)
        if entry is None:
            out.append(
                DiagnosisCheck(
                    shown,
                    False,
                    False,
                    "",
                    (),
                    f"{shown} is not an ICD-10-CM code in {table.vintage.used.id}",
                )
            )
            continue
        if entry.billable:
            out.append(
                DiagnosisCheck(
                    shown,
                    True,
                    True,
                    entry.description,
                    (),
                    f"{shown} is billable in {table.vintage.used.id}",
                )
            )
            continue
        children = tuple(_dotted(c.code) for c in table.billable_children(shown))
        listed = ", ".join(children[:8]) + (" ..." if len(children) > 8 else "")
        out.append(
            DiagnosisCheck(
                shown,
                True,
                False,
                entry.description,
                children,
                f"{shown} is a header in {table.vintage.used.id}, not billable: a claim "
                f"with it is rejected; code to the billable level ({listed})",
            )
        )
    return tuple(out)


def _dotted(code: str) -> str:
    return code if len(code) <= 3 else f"{code[:3]}.{code[3:]}"


def _policy(
    reference: ReferenceData, pack: PolicyPack, code: str, query: Query, place: Place
) -> PolicyInfo:
    spec = pack.codes[code]
    family = []
    for other in sorted(pack.codes.values(), key=lambda c: c.hcpcs):
        try:
            result = _price_line(reference, _line_request(other.hcpcs, query, place), qp=query.qp)
            amount = _amount_of(_chosen(result, query.effective_setting))
        except MedPayIQError:
            amount = None
        family.append(
            FamilyCode(
                other.hcpcs,
                pack.regions[other.region],
                other.approach,
                other.imaging,
                other.addon,
                amount,
                other.hcpcs == code,
            )
        )
    return PolicyInfo(
        pack=pack.id,
        title=pack.title,
        region=pack.regions[spec.region],
        approach=spec.approach,
        imaging=spec.imaging,
        addon=spec.addon,
        explanation=_pack_explanation(pack, code),
        sources=tuple({"id": s.id, "title": s.title, "url": s.url} for s in pack.sources),
        rules=tuple(
            {"id": r.id, "summary": r.summary, "citation": r.citation}
            for r in pack.rules
            if r.in_force(query.day)
        ),
        documentation=pack.documentation,
        family=tuple(family),
    )


def _pack_explanation(pack: PolicyPack, code: str) -> str:
    """The pack's own account of a code: approach, region, and imaging guidance in or out,
    naming the sibling codes that differ by one of them."""
    spec = pack.codes[code]
    region = pack.regions[spec.region]
    approach = {
        "interlaminar": "between the laminae (interlaminar)",
        "transforaminal": "through the neural foramen (transforaminal)",
    }.get(spec.approach, spec.approach)
    what = "Each additional level of an" if spec.addon else "An"
    text = f"{what} epidural injection {approach} in the {region} spine"
    same = [
        c
        for c in pack.codes.values()
        if c.approach == spec.approach and c.addon == spec.addon and c.hcpcs != code
    ]
    other_imaging = [c.hcpcs for c in same if c.region == spec.region and c.imaging != spec.imaging]
    other_region = [c.hcpcs for c in same if c.region != spec.region and c.imaging == spec.imaging]
    if spec.imaging:
        text += (
            ", including imaging guidance (fluoroscopy or CT): the guidance is "
            "part of the code and is not billed separately (77003, 77012)."
        )
        if other_imaging:
            text += f" {', '.join(other_imaging)} is the same injection without imaging guidance."
    else:
        text += ", without imaging guidance."
        if other_imaging:
            text += f" {', '.join(other_imaging)} is the same injection with imaging guidance."
    if other_region:
        regions = {pack.regions[c.region] for c in same if c.hcpcs in other_region}
        text += (
            f" {', '.join(other_region)} is the same service in the "
            f"{' / '.join(sorted(regions))} spine: the spinal region is the "
            "difference."
        )
    return text


def code_report(
    reference: ReferenceData, code: str, query: Query, *, diagnoses: Sequence[str] = ()
) -> CodeReport:
    """Everything the code page shows, for one code, place and date."""
    code = parse_code(code)
    row = _require_code(reference, code, query)
    place = resolve_place(reference, query)
    fs = _fee_schedule(reference, query)
    result = _price_line(reference, _line_request(code, query, place), qp=query.qp)
    if query.pos:  # the engine read the POS code set: its setting is the one shown
        query = replace(query, setting=result.setting)
    setting = query.effective_setting
    reason = (
        result.setting_reason
        if query.setting
        else "no setting chosen: non-facility (office) shown first"
    )
    amounts = _amounts(result, setting, reason)
    pack = _pack_for(code, query.day)
    policy = _policy(reference, pack, code, query, place) if pack else None
    reading = explain(row.description)
    pairs, ncci_release, limit, primaries, ncci_note = _ncci_pairs(reference, code, query, fs)
    standing = _standing(reference, code, query, fs, place, amounts) if result.payable else None
    modifiers = (
        _modifier_pay(reference, code, query, place, row, amounts.chosen) if result.payable else ()
    )
    headers = _HEADERS_OFTEN_OFFERED.get(pack.codes[code].region, ()) if pack else ()
    checks = _diagnosis_checks(
        reference, [*diagnoses, *(h for h in headers if h not in diagnoses)], query.day
    )
    ctx = _Ctx(
        reference,
        code,
        query,
        place,
        row,
        result,
        amounts,
        pack,
        pairs,
        ncci_release,
        limit,
        primaries,
        checks,
        ncci_note,
    )
    # The amounts' confidence is the pricing engine's; the NCCI tables carry their own note
    # (an older quarter than the date of service), shown with the edits they feed.
    confidence, confidence_reason = result.confidence, result.confidence_reason
    return CodeReport(
        code=code,
        descriptor=row.description,
        ama_notice=ama_notice(fs.vintage.used.effective_from.year),
        category=category_of(code),
        status=row.status,
        status_text=STATUS_TEXT.get(row.status, "Status not described in the file's layout"),
        payable=result.payable,
        message=result.message,
        explanation=policy.explanation if policy else reading.text,
        explanation_source=f"policy pack: {pack.title}"
        if pack
        else "glossary of CMS descriptor abbreviations",
        glossary_terms=tuple(
            {"abbreviation": t.abbreviation, "meaning": t.meaning} for t in reading.terms
        ),
        day=query.day,
        place=place,
        place_label=place_label(place),
        place_notes=(),
        rvus=_rvus(row, result, place),
        amounts=amounts,
        year_change=_year_change(reference, code, query, place, amounts.chosen),
        standing=standing,
        indicators=_indicators(row),
        modifiers=modifiers,
        ncci_pairs=pairs,
        ncci_release=ncci_release,
        ncci_note=ncci_note,
        unit_limit=limit,
        addon_primaries=primaries,
        tips=_tips(ctx, modifiers),
        denials=_denials(ctx),
        faqs=_faqs(ctx, reading),
        diagnoses=checks,
        policy=policy,
        release=result.release,
        confidence=confidence.value,
        confidence_reason=confidence_reason,
        trail=tuple(step.as_dict() for step in result.trail),
        sources=tuple(jsonable(s) for s in result.provenance),
        disclaimer=DISCLAIMER,
    )


@dataclass(frozen=True)
class _Ctx:
    reference: ReferenceData
    code: str
    query: Query
    place: Place
    row: RvuRow
    result: pricing.LineResult
    amounts: Amounts
    pack: PolicyPack | None
    pairs: tuple[PairEdit, ...]
    ncci_release: str
    limit: UnitLimit | None
    primaries: tuple[str, ...]
    diagnoses: tuple[DiagnosisCheck, ...]
    ncci_note: str

    @property
    def where(self) -> str:
        return "nationally" if self.place.locality is None else f"in {title_case(self.place.name)}"

    @property
    def amount(self) -> Decimal | None:
        return self.amounts.chosen


def _tips(c: _Ctx, modifiers: Sequence[ModifierPay]) -> tuple[Tip, ...]:
    tips: list[Tip] = []
    a = c.amounts
    if a.nonfacility is not None and a.facility is not None and a.difference:
        tips.append(
            Tip(
                "Bill the place of service where the service was furnished",
                f"In an office (non-facility) Medicare pays {_money(a.nonfacility)}; in "
                "a hospital or ASC (facility) it pays "
                f"{_money(a.facility)} {c.where}, because the facility bills its own "
                "practice expense. The POS code on the line decides which applies.",
                f"{_money(abs(a.difference))} per service ({a.difference_percent}% of "
                "the facility amount)",
                abs(a.difference),
                f"PPRRVU {c.result.release} PE RVUs",
            )
        )
    if c.pack is not None:
        bundled = c.pack.rule("imaging_bundled", c.query.day)
        spec = c.pack.codes[c.code]
        if bundled is not None and spec.imaging:
            guide_codes = [str(x) for x in bundled.params.get("codes", ())]
            lost = _pair_amounts(c, guide_codes)
            tips.append(
                Tip(
                    f"Do not bill imaging guidance ({', '.join(guide_codes)}) with {c.code}",
                    f"{c.code} includes imaging guidance. {bundled.fix}",
                    f"{_money(lost)} denied if billed "
                    f"({(bundled.carc and 'CARC ' + bundled.carc[0]) or ''})",
                    lost,
                    bundled.citation,
                )
            )
        required = c.pack.rule("imaging_required", c.query.day)
        if required is not None and c.code in [str(x) for x in required.params.get("codes", ())]:
            tips.append(
                Tip(
                    "This code is for injections without imaging guidance",
                    required.fix,
                    f"{_money(c.amount)} at risk per session ({required.summary})",
                    c.amount,
                    required.citation,
                )
            )
        frequency = c.pack.rule("frequency", c.query.day)
        if frequency is not None:
            limit = frequency.params.get("max_sessions")
            months = frequency.params.get("window_months")
            tips.append(
                Tip(
                    f"At most {limit} sessions per spinal region in a rolling {months} months",
                    f"{frequency.summary} {frequency.fix}",
                    f"{_money(c.amount)} denied for each session over the limit (CARC "
                    f"{'/'.join(frequency.carc)}"
                    f"{' + ' + '/'.join(frequency.rarc) if frequency.rarc else ''})",
                    c.amount,
                    frequency.citation,
                )
            )
    pairs = [p for p in c.pairs if p.modifier_indicator in {"0", "1"}]
    if pairs:
        top = pairs[:3]
        names = "; ".join(
            f"{p.column2} ({_money(p.amount)}, "
            f"{'no modifier bypass' if p.modifier_indicator == '0' else 'modifier may bypass'})"
            for p in top
        )
        tips.append(
            Tip(
                f"Codes not to bill with {c.code}: {len(pairs)} NCCI pairs",
                f"NCCI {c.ncci_release} denies the column-2 code when billed with "
                f"{c.code} by the same provider on the same day. Highest-paid: {names}.",
                f"up to {_money(top[0].amount)} per pair denied (CARC 236/97)",
                top[0].amount,
                f"NCCI PTP {c.ncci_release}",
            )
        )
    if c.limit is not None:
        tips.append(
            Tip(
                f"Bill at most {c.limit.value} unit{'s' if c.limit.value != 1 else ''} per day",
                f"The medically unlikely edit for {c.code} is {c.limit.value} (MAI "
                f"{c.limit.mai}: {c.limit.plain}).",
                f"{_money(c.amount)} denied for each unit over {c.limit.value}",
                c.amount,
                f"NCCI MUE {c.limit.release}",
            )
        )
    if c.primaries or c.row.global_days == "ZZZ":
        listed = ", ".join(c.primaries[:12]) if c.primaries else "see the add-on edit table"
        tips.append(
            Tip(
                f"{c.code} is an add-on code: bill it with its primary procedure",
                f"Eligible primaries: {listed}.",
                f"{_money(c.amount)} denied without a primary (CARC B15)",
                c.amount,
                "NCCI add-on code edits",
            )
        )
    surgical = [m for m in modifiers if m.modifier in {"50", "51", "62", "80"}]
    if surgical:
        paid = [m for m in surgical if m.allowed]
        parts = [
            f"{m.modifier} {m.label.lower()}: "
            + (f"{_money(m.amount)} ({m.percent}%)" if m.allowed else "not paid")
            for m in surgical
        ]
        best = max((m.amount for m in paid if m.amount is not None), default=None)
        tips.append(
            Tip(
                f"What modifiers {', '.join(m.modifier for m in surgical)} would pay",
                "; ".join(parts)
                + ". "
                + " ".join(m.plain + "." for m in surgical if not m.allowed),
                f"{_money(best)} with {', '.join(m.modifier for m in paid)}"
                if paid
                else "none of them pays",
                best,
                "PPRRVU payment indicators (BILAT SURG, MULT PROC, CO SURG, ASST SURG)",
            )
        )
    return tuple(tips)


def _pair_amounts(c: _Ctx, codes: Sequence[str]) -> Decimal | None:
    found = [p.amount for p in c.pairs if p.column2 in codes and p.amount is not None]
    return max(found) if found else None


def _carc_text(c: _Ctx, carc: str) -> str:
    entry = c.reference.code_sets().adjustments.get(carc)
    return entry.description if entry else ""


def _denial(
    c: _Ctx,
    carc: str,
    rarc: Sequence[str],
    cause: str,
    prevent: str,
    send: Sequence[str],
    dollars: Decimal | None,
) -> Denial:
    guidance = denial_guidance(carc)
    route = guidance.route if guidance else AppealRoute.REDETERMINATION
    advice = appeal_advice(route, send=tuple(send))
    plain = _carc_text(c, carc) or (guidance.plain if guidance else "")
    return Denial(carc, plain, tuple(rarc), cause, prevent, advice.as_dict(), dollars)


def _denials(c: _Ctx) -> tuple[Denial, ...]:
    out: list[Denial] = []
    if c.pack is not None:
        for rule in c.pack.rules:
            if not rule.in_force(c.query.day) or not rule.carc:
                continue
            if rule.kind == "imaging_required" and c.code not in [
                str(x) for x in rule.params.get("codes", ())
            ]:
                continue
            if rule.kind == "imaging_bundled" and not c.pack.codes[c.code].imaging:
                continue
            if rule.kind == "kx_modifier" and c.code not in [
                str(x) for x in rule.params.get("codes", ())
            ]:
                continue
            dollars = (
                _pair_amounts(c, [str(x) for x in rule.params.get("codes", ())])
                if rule.kind == "imaging_bundled"
                else c.amount
            )
            out.append(
                _denial(
                    c, rule.carc[0], rule.rarc, rule.summary, rule.fix, rule.appeal_send, dollars
                )
            )
    if c.pairs:
        out.append(
            _denial(
                c,
                "236",
                (),
                f"{c.code} was billed with a code NCCI pairs with it "
                f"({', '.join(p.column2 for p in c.pairs[:5])}"
                f"{'...' if len(c.pairs) > 5 else ''}); the column-2 code is denied",
                "Check the NCCI pairs before billing; use an NCCI-associated modifier "
                "only when the pair's indicator is 1 and the record shows a separate "
                "site or session",
                ("the procedure notes showing separate sites, sessions or encounters",),
                c.pairs[0].amount,
            )
        )
    if c.limit is not None:
        mai_route = (
            "the MUE's adjudication indicator is 2 (policy): an appeal does not change it"
            if c.limit.mai == "2"
            else "appeal with records showing the units were medically necessary"
        )
        out.append(
            _denial(
                c,
                "96" if c.limit.mai != "1" else "151",
                ("N362",),
                f"more than {c.limit.value} unit{'s' if c.limit.value != 1 else ''} of "
                f"{c.code} on one date of service",
                f"Bill at most {c.limit.value}; {mai_route}",
                ("the procedure note documenting each unit",),
                c.amount,
            )
        )
    if c.primaries or c.row.global_days == "ZZZ":
        out.append(
            _denial(
                c,
                "B15",
                (),
                f"{c.code} was billed without its primary procedure",
                "Bill the primary on the same claim, same date and provider",
                (),
                c.amount,
            )
        )
    return tuple(out)


def _faqs(c: _Ctx, reading: Explanation) -> tuple[Faq, ...]:
    faqs: list[Faq] = []
    a, r = c.amounts, c.result
    when = c.query.day.isoformat()
    if r.payable:
        local = (
            ""
            if c.place.locality is None
            else (
                f" The national amounts are {_money(a.national_nonfacility)} and "
                f"{_money(a.national_facility)}."
            )
        )
        faqs.append(
            Faq(
                f"How much does Medicare pay for {c.code} {c.where} on {when}?",
                f"{_money(a.nonfacility)} in an office (non-facility) and "
                f"{_money(a.facility)} in a facility, one unit, before "
                "deductible and coinsurance (Medicare pays 80% of the allowed amount, "
                "less 2% sequestration). Computed from "
                f"{r.release} with conversion factor {r.conversion_factor}.{local} "
                f"Confidence: {r.confidence.value}.",
            )
        )
    else:
        faqs.append(
            Faq(
                f"How much does Medicare pay for {c.code}?",
                r.message or STATUS_TEXT.get(c.row.status, ""),
            )
        )
    if c.limit is not None:
        faqs.append(
            Faq(
                f"How many units of {c.code} can be billed on one day?",
                f"{c.limit.value}: the medically unlikely edit (NCCI "
                f"{c.limit.release}); MAI {c.limit.mai}: {c.limit.plain}."
                + (f" {c.ncci_note}." if c.ncci_note else ""),
            )
        )
    faqs.append(Faq(f"Can an E/M visit be billed on the same day as {c.code}?", _em_answer(c)))
    faqs.append(Faq(f"Which diagnoses support {c.code}?", _diagnosis_answer(c)))
    rv = _rvus(c.row, r, c.place)
    faqs.append(
        Faq(
            f"What are the RVUs for {c.code}?",
            f"Work {rv.work}, practice expense {rv.pe_nonfacility} non-facility / "
            f"{rv.pe_facility} facility, malpractice {rv.mp}: "
            f"{rv.total_nonfacility} total non-facility, {rv.total_facility} "
            f"facility ({r.release}). Times the conversion factor "
            f"{r.conversion_factor}"
            + (
                " at GPCI 1.000 (national)."
                if c.place.locality is None
                else (
                    f" after the {title_case(c.place.name)} GPCIs (work {rv.gpci_work}, PE "
                    f"{rv.gpci_pe}, MP {rv.gpci_mp})."
                )
            ),
        )
    )
    never = [p.column2 for p in c.pairs if p.modifier_indicator == "0"]
    bypass = [p.column2 for p in c.pairs if p.modifier_indicator == "1"]
    if c.pairs:
        faqs.append(
            Faq(
                f"What cannot be billed with {c.code}?",
                f"NCCI {c.ncci_release} lists {len(c.pairs)} codes denied when billed "
                f"with {c.code} by the same provider on the same day: "
                f"{len(never)} never "
                f"({', '.join(never[:10])}{'...' if len(never) > 10 else ''}) and "
                f"{len(bypass)} unless an NCCI-associated "
                f"modifier applies ({', '.join(bypass[:10])}{'...' if len(bypass) > 10 else ''})."
                + (f" {c.ncci_note}." if c.ncci_note else ""),
            )
        )
    if c.pack is not None:
        spec = c.pack.codes[c.code]
        siblings = [
            s
            for s in c.pack.codes.values()
            if s.approach == spec.approach and s.addon == spec.addon and s.hcpcs != c.code
        ]
        for s in siblings:
            diff = []
            if s.region != spec.region:
                diff.append(
                    f"the spinal region ({c.pack.regions[spec.region]} for {c.code}, "
                    f"{c.pack.regions[s.region]} for {s.hcpcs})"
                )
            if s.imaging != spec.imaging:
                diff.append(
                    f"imaging guidance ({c.code} "
                    f"{'includes' if spec.imaging else 'excludes'} it, {s.hcpcs} "
                    f"{'includes' if s.imaging else 'excludes'} it)"
                )
            if diff:
                faqs.append(
                    Faq(
                        f"What is the difference between {c.code} and {s.hcpcs}?",
                        "The difference is " + " and ".join(diff) + ".",
                    )
                )
        frequency = c.pack.rule("frequency", c.query.day)
        if frequency is not None:
            faqs.append(
                Faq(
                    f"How often can {c.code} be billed?",
                    f"{frequency.summary} Sessions are counted per spinal region "
                    f"({c.pack.regions[spec.region]} here) over a rolling "
                    f"{frequency.params.get('window_months')} months, across providers. "
                    f"Source: {frequency.citation}.",
                )
            )
    return tuple(faqs)


def _em_answer(c: _Ctx) -> str:
    em_pairs = [p for p in c.pairs if p.column2.startswith("992") or p.column2.startswith("993")]
    days = c.row.global_days
    if days in {"000", "010"}:
        base = (
            f"{c.code} has a {int(days)}-day global period: the decision to do it "
            "and the usual pre-procedure assessment "
            "are part of its payment. A separate E/M on the same day is paid only "
            "when it is significant and separately "
            "identifiable, documented as such, and billed with modifier 25."
        )
    elif days == "090":
        base = (
            f"{c.code} is a major procedure (90-day global). An E/M the day before "
            "or the day of, in which the decision "
            "to operate was made, is billed with modifier 57; other same-day E/M "
            "is part of the surgery."
        )
    else:
        base = f"{c.code}'s global period indicator is {days}: {GLOBAL_TEXT.get(days, '')}."
    if em_pairs:
        base += (
            f" NCCI {c.ncci_release} pairs {c.code} with {len(em_pairs)} E/M codes "
            f"({', '.join(p.column2 for p in em_pairs[:6])}...), bypassed only by "
            "an E/M modifier such as 25 when it applies."
        )
    return base


def _diagnosis_answer(c: _Ctx) -> str:
    coverage = c.reference.coverage()
    parts: list[str] = []
    articles = {a.article_id for a in coverage.article_codes if a.hcpcs == c.code}
    if articles:
        ranges = [d for d in coverage.diagnoses if d.article_id in articles]
        listed = ", ".join(
            sorted(
                {
                    d.icd10_from if d.icd10_from == d.icd10_to else f"{d.icd10_from}-{d.icd10_to}"
                    for d in ranges
                }
            )[:15]
        )
        parts.append(
            f"The billing article{'s' if len(articles) > 1 else ''} "
            f"{', '.join(sorted(articles))} list{'' if len(articles) > 1 else 's'} "
            f"{len(ranges)} covered ICD-10-CM codes or ranges: {listed}."
        )
    elif c.pack is not None:
        cited = "; ".join(s.title for s in c.pack.sources if s.id.startswith("L"))
        parts.append(
            "The covered diagnoses are listed in your MAC's billing article "
            f"({cited}). No Medicare Coverage Database export is loaded, so "
            "MedPayIQ cannot list them here."
        )
    else:
        parts.append(
            "No coverage article for this code is loaded; any diagnosis must "
            "support medical necessity and be billable on the date of service."
        )
    bad = [d for d in c.diagnoses if not d.billable]
    if bad:
        parts.append("Not billable if offered: " + " ".join(d.message + "." for d in bad))
    good = [d for d in c.diagnoses if d.billable]
    if good:
        parts.append("Billable: " + ", ".join(d.code for d in good) + ".")
    return " ".join(parts)
