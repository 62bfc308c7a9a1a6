"""The code page: everything `/codes/{code}` and `GET /api/v1/codes/{code}` show.

Every code in any loaded schedule or HCPCS file has a page. The router
(`medpayiq.schedules.route`) says which fee schedule pays it: a physician fee schedule code
gets the full report (`CodeReport`: amounts by setting and locality, RVUs, indicators,
modifiers, NCCI edits, tips, denials, FAQs), any other code the lighter one
(`ScheduleCodeReport`, `_code_other.py`). Every amount comes from a schedule's own engine:
the page never recomputes one.
"""

from __future__ import annotations

__all__ = ["CodeReport", "ScheduleCodeReport", "Standing", "code_report"]

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import date
from decimal import Decimal

from medpayiq import pricing, schedules
from medpayiq.errors import InputError, MedPayIQError, ReleaseNotLoaded
from medpayiq.knowledge import (
    PolicyPack,
    mac_for,
)
from medpayiq.knowledge.glossary import explain
from medpayiq.money import cents
from medpayiq.records import RvuRow
from medpayiq.reference import Confidence, FeeSchedule, ReferenceData
from medpayiq.schedules.pfs import ROUTED_ELSEWHERE, pfs_row
from medpayiq.services._code_advice import Ctx, denials, faqs, tips
from medpayiq.services._code_edits import ncci_edits
from medpayiq.services._code_other import described, schedule_line, schedule_report
from medpayiq.services._code_policy import policy_info
from medpayiq.services._code_types import (
    Amounts,
    CodeReport,
    DiagnosisCheck,
    Indicator,
    LocalityAmount,
    ModifierPay,
    Participation,
    PolicyInfo,
    RvuBreakdown,
    ScheduleCodeReport,
    Standing,
    YearChange,
    amount_of,
    chosen_amount,
    pack_for,
    pct,
)
from medpayiq.services._core import (
    DISCLAIMER,
    Place,
    Query,
    _fee_schedule,
    _line_request,
    _price_line,
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
    MODIFIER_CHOICES,
    MULT_PROC_TEXT,
    PCTC_TEXT,
    STATUS_TEXT,
    TEAM_TEXT,
)


def code_report(
    reference: ReferenceData,
    code: str,
    query: Query,
    *,
    diagnoses: Sequence[str] = (),
    modifiers: Sequence[str] = (),
) -> CodeReport | ScheduleCodeReport:
    """Everything the code page shows for one code, place, date and (optionally) modifiers.
    Raises UnknownCode for a code no loaded file knows, ReleaseNotLoaded (as InputError on
    `date`) for a date no loaded fee schedule covers."""
    code = parse_code(code)
    _fee_schedule(reference, query)  # a date no release covers is the date's error
    try:
        found = schedules.route(reference, code, query.day, modifiers)
    except ReleaseNotLoaded as exc:
        raise InputError(str(exc), parameter="date") from None
    if found.schedule.name != "pfs":
        return schedule_report(reference, code, query, found, modifiers=modifiers)
    return _pfs_report(reference, code, query, found, diagnoses=diagnoses, modifiers=modifiers)


def _pfs_report(
    reference: ReferenceData,
    code: str,
    query: Query,
    found: schedules.Route,
    *,
    diagnoses: Sequence[str],
    modifiers: Sequence[str],
) -> CodeReport:
    fs = _fee_schedule(reference, query)
    row = _pfs_row(fs, code, modifiers)
    place = resolve_place(reference, query)
    query, reason = _opening_setting(code, query, row)
    notices: list[str] = []
    mods = tuple(modifiers)
    try:
        result = _price_line(
            reference, _line_request(code, query, place, modifiers=mods), qp=query.qp
        )
    except InputError as exc:
        if not mods:
            raise
        notices.append(f"Modifier {'-'.join(mods)}: {exc}. Shown without it.")
        mods = ()
        result = _price_line(reference, _line_request(code, query, place), qp=query.qp)
    if query.pos:  # the engine read the POS code set: its setting is the one shown
        query = replace(query, setting=result.setting)
        reason = result.setting_reason
    setting = query.effective_setting
    amounts = _amounts(result, setting, reason or result.setting_reason, mods)
    pack = pack_for(code, query.day)
    policy = policy_info(reference, pack, code, query, place) if pack else None
    reading = explain(row.description)
    pairs, ncci_release, limit, primaries, ncci_note = ncci_edits(reference, code, query)
    standing = _standing(reference, code, query, place, amounts, mods) if result.payable else None
    pays = (
        _modifier_pay(reference, code, query, place, row, amounts.chosen) if result.payable else ()
    )
    headers = _HEADERS_OFTEN_OFFERED.get(pack.codes[code].region, ()) if pack else ()
    checks = _diagnosis_checks(
        reference, [*diagnoses, *(h for h in headers if h not in diagnoses)], query.day
    )
    participation = _participation(reference, code, query, place, mods) if result.payable else None
    rvus = _rvus(row, result, place)
    ctx = Ctx(
        reference, code, query, place, row, result, amounts, pack, pairs, ncci_release, limit,
        primaries, checks, ncci_note, participation, rvus,
    )  # fmt: skip
    long_text, long_source = described(reference, code, query.day)
    explanation, source = _explanation(policy, pack, reading.text, long_text, long_source)
    mac = mac_for(str(place.locality.carrier)) if place.locality else None
    return CodeReport(
        code=code,
        descriptor=row.description,
        ama_notice=ama_notice(fs.vintage.used.effective_from.year),
        category=category_of(code),
        status=row.status,
        status_text=STATUS_TEXT.get(row.status, "Status not described in the file's layout"),
        payable=result.payable,
        message=result.message,
        explanation=explanation,
        explanation_source=source,
        glossary_terms=tuple(
            {"abbreviation": t.abbreviation, "meaning": t.meaning} for t in reading.terms
        ),
        day=query.day,
        place=place,
        place_label=place_label(place),
        place_notes=(),
        rvus=rvus,
        amounts=amounts,
        year_change=_year_change(reference, code, query, place, amounts.chosen),
        standing=standing,
        indicators=_indicators(row),
        modifiers=pays,
        ncci_pairs=pairs,
        ncci_release=ncci_release,
        ncci_note=ncci_note,
        unit_limit=limit,
        addon_primaries=primaries,
        tips=tips(ctx, pays),
        denials=denials(ctx),
        faqs=faqs(ctx),
        diagnoses=checks,
        policy=policy,
        release=result.release,
        confidence=result.confidence.value,
        confidence_reason=result.confidence_reason,
        trail=tuple(step.as_dict() for step in result.trail),
        sources=tuple(jsonable(s) for s in result.provenance),
        disclaimer=DISCLAIMER,
        schedule=schedule_line(found),
        participation=participation,
        mac=mac.label if mac else "",
        global_split=_global_split(row),
        notices=tuple(notices),
        modifier_choices=MODIFIER_CHOICES,
    )


def _pfs_row(fs: FeeSchedule, code: str, modifiers: Sequence[str]) -> RvuRow:
    row = pfs_row(fs, code)
    assert row is not None  # the router sent the code here because it has a row
    if row.status in ROUTED_ELSEWHERE:
        # The router sent it here by its modifier's row (85576-26, status A, where 85576 is
        # X): the page shows the row the line is priced from.
        row = pfs_row(fs, code, tuple(modifiers)) or row
    return row


def _explanation(
    policy: PolicyInfo | None,
    pack: PolicyPack | None,
    reading: str,
    long_text: str,
    long_source: str,
) -> tuple[str, str]:
    """The plain-English account of a code and where it came from: a policy pack's facts,
    else a long descriptor from a CMS file, else the glossary's reading of the short one
    (generated: said so)."""
    if policy is not None and pack is not None:
        return policy.explanation, f"policy pack: {pack.title}"
    if long_text:
        return long_text, long_source
    return reading, "generated from the CMS short descriptor by the abbreviation glossary"


def _opening_setting(code: str, query: Query, row: RvuRow) -> tuple[Query, str]:
    """The setting the page opens on when none was chosen: the one the code is priced in
    when the file marks the other NA (27447 opens on facility), else non-facility."""
    if query.setting is not None or query.pos is not None:
        return query, ""
    if row.pe_nonfacility_na and not row.pe_facility_na:
        return replace(query, setting=pricing.Setting.FACILITY), (
            f"no setting chosen: facility shown, because {code} is rarely or never done in an "
            "office (the file marks non-facility NA)"
        )
    return query, "no setting chosen: non-facility (office) shown first"


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


def _amounts(
    result: pricing.LineResult,
    setting: pricing.Setting,
    reason: str,
    modifiers: tuple[str, ...],
) -> Amounts:
    nf, fac = amount_of(result.nonfacility), amount_of(result.facility)
    chosen_sa = chosen_amount(result, setting)
    chosen = amount_of(chosen_sa)
    national = amount_of(chosen_amount(result, setting, national=True))
    difference = nf - fac if nf is not None and fac is not None else None
    versus = chosen - national if chosen is not None and national is not None else None
    capped = any(
        sa is not None
        and sa.opps_cap is not None
        and sa.amount == sa.opps_cap
        and sa.opps_cap < sa.fee_schedule
        for sa in (result.nonfacility, result.facility)
    )
    na_note = ""
    if chosen_sa is not None and chosen_sa.na:
        na_note = (
            f"The file marks {setting.value} NA for {result.hcpcs}: rarely or never performed "
            "there; CMS prices it at the same practice expense as the other setting"
        )
    return Amounts(
        setting.value,
        reason,
        nf,
        fac,
        amount_of(result.national_nonfacility),
        amount_of(result.national_facility),
        chosen,
        national,
        difference,
        pct(difference, fac),
        versus,
        pct(versus, national),
        capped,
        modifiers,
        result.allowed if modifiers else None,
        na_note,
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
        if pfs_row(fs, code) is None:
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
    except MedPayIQError as exc:
        return YearChange(previous_day, None, None, current, None, None, f"no comparison: {exc}")
    previous = amount_of(chosen_amount(before, query.effective_setting))
    change = current - previous if current is not None and previous is not None else None
    note = f"{before.release} on {previous_day}" + (
        "" if before.confidence is Confidence.HIGH else f" ({before.confidence_reason})"
    )
    return YearChange(
        previous_day, before.release, previous, current, change, pct(change, previous), note
    )


def _locality_amounts(
    reference: ReferenceData, code: str, query: Query, modifiers: tuple[str, ...]
) -> tuple[LocalityAmount, ...]:
    """Every locality's one-unit amount for the chosen setting, from the pricing engine (which
    keeps what it derives per fee schedule snapshot: no cache of its own here)."""
    fs = _fee_schedule(reference, query)
    setting = query.effective_setting
    out = []
    for gpci in fs.gpcis.values():
        place = pricing.ResolvedLocation(gpci.locality, gpci.name, gpci.state, "locality", gpci)
        try:
            result = _price_line(
                reference,
                _line_request(code, Query(query.day, setting=setting), place, modifiers=modifiers),
                qp=query.qp,
            )
        except MedPayIQError:
            continue
        amount = amount_of(chosen_amount(result, setting))
        if amount is not None:
            out.append(LocalityAmount(gpci.locality, title_case(gpci.name), gpci.state, amount))
    return tuple(sorted(out, key=lambda a: (-a.amount, str(a.locality))))


def _standing(
    reference: ReferenceData,
    code: str,
    query: Query,
    place: Place,
    amounts: Amounts,
    modifiers: tuple[str, ...],
) -> Standing | None:
    ranked = _locality_amounts(reference, code, query, modifiers)
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


def _is_surgery(code: str, row: RvuRow) -> bool:
    """A surgical procedure (CPT surgery section, a global surgery period): the codes the
    surgical modifiers (assistant, co-surgeon, split care) are for. An E/M, an imaging
    service or a test is not, whatever its indicator columns say."""
    return category_of(code).startswith("Surgery") and row.global_days in {
        "000",
        "010",
        "090",
        "ZZZ",
    }


def _modifier_pay(
    reference: ReferenceData,
    code: str,
    query: Query,
    place: Place,
    row: RvuRow,
    base: Decimal | None,
) -> tuple[ModifierPay, ...]:
    """What each pricing modifier would pay, only where the code's indicators allow it; the
    others say why not, with no amount (99214 shows no assistant, bilateral or co-surgeon
    amount)."""
    out: list[ModifierPay] = []
    surgery = _is_surgery(code, row)

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
                pct(amount, base),
                amount,
                note if allowed else (result.message or note),
            )
        )

    def not_here(modifier: str, label: str, plain: str) -> None:
        out.append(ModifierPay(modifier, label, False, None, None, plain, applies=False))

    if row.pctc == "1":
        priced("26", "Professional component", PCTC_TEXT["1"])
        priced("TC", "Technical component", PCTC_TEXT["1"])
    if row.bilat_surg in {"1", "3"}:
        priced("50", "Bilateral", BILAT_TEXT[row.bilat_surg])
    else:
        not_here("50", "Bilateral", BILAT_TEXT.get(row.bilat_surg, "Not a bilateral procedure"))
    if row.mult_proc == "2" and base is not None:
        out.append(
            ModifierPay(
                "51",
                "Multiple procedures",
                True,
                Decimal("50.0"),
                cents(base / 2),
                "When another procedure on the claim pays more, this one is paid at 50%",
            )
        )
    else:
        not_here("51", "Multiple procedures", MULT_PROC_TEXT.get(row.mult_proc, ""))
    if surgery and row.co_surg in {"1", "2"}:
        priced("62", "Co-surgeons", CO_SURG_TEXT[row.co_surg])
    else:
        not_here("62", "Co-surgeons", _not_surgical(surgery, CO_SURG_TEXT.get(row.co_surg, "")))
    if surgery and row.asst_surg in {"0", "2"}:
        priced("80", "Assistant at surgery", ASST_TEXT[row.asst_surg])
        priced("AS", "Non-physician assistant at surgery", ASST_TEXT[row.asst_surg])
    else:
        why = _not_surgical(surgery, ASST_TEXT.get(row.asst_surg, ""))
        not_here("80", "Assistant at surgery", why)
        not_here("AS", "Non-physician assistant at surgery", why)
    if row.global_days in {"010", "090"} and (row.pre_op or row.intra_op or row.post_op):
        priced("54", "Surgical care only", "pre-operative and intra-operative shares")
        priced("55", "Post-operative care only", "post-operative share")
    out.append(
        ModifierPay(
            "52",
            "Reduced services",
            False,
            None,
            None,
            "No fee schedule amount: your MAC sets the reduction (review)",
        )
    )
    return tuple(out)


def _not_surgical(surgery: bool, plain: str) -> str:
    if surgery:
        return plain
    return "Does not apply: not a surgical procedure (surgical modifiers are for surgery codes)"


def _participation(
    reference: ReferenceData, code: str, query: Query, place: Place, modifiers: tuple[str, ...]
) -> Participation | None:
    """Participating, non-participating (95%) and limiting charge, from the pricing engine."""
    request = _line_request(code, query, place, modifiers=modifiers)
    try:
        par = pricing.price_line(reference, request, qp=query.qp)
        non = pricing.price_line(reference, request, qp=query.qp, non_participating=True)
    except MedPayIQError:
        return None
    return Participation(par.allowed, non.allowed, non.limiting_charge)


def _global_split(row: RvuRow) -> tuple[dict[str, object], ...]:
    """The pre-, intra- and post-operative shares of a global surgery package (010/090)."""
    if row.global_days not in {"010", "090"} or not (row.pre_op or row.intra_op or row.post_op):
        return ()
    return tuple(
        {"part": part, "share": share, "percent": (share * 100).quantize(Decimal("0.1"))}
        for part, share in (
            ("pre-operative", row.pre_op),
            ("intra-operative", row.intra_op),
            ("post-operative", row.post_op),
        )
    )


def _diagnosis_checks(
    reference: ReferenceData, codes: Iterable[str], day: date
) -> tuple[DiagnosisCheck, ...]:
    # The checker's index of codes under a header (built once per ICD-10-CM release): the
    # table's own scan of ~98,000 codes per header was most of a code page after a reload.
    from medpayiq.edits import billable_children

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
        children = tuple(_dotted(c.code) for c in billable_children(reference, table, shown))
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
