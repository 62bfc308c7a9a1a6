"""The advice on a physician fee schedule code page: billing tips with their dollar impact,
the common denials with their adjustment codes and appeal route, and FAQs answered from the
data for the code, place and date."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from medpayiq import pricing
from medpayiq.errors import MedPayIQError
from medpayiq.knowledge import (
    AppealRoute,
    PolicyPack,
    appeal_advice,
    denial_guidance,
    edit_adjustments,
    is_em_code,
)
from medpayiq.records import RvuRow
from medpayiq.reference import ReferenceData
from medpayiq.services._code_types import (
    Amounts,
    Denial,
    DiagnosisCheck,
    Faq,
    ModifierPay,
    PairEdit,
    Participation,
    RvuBreakdown,
    Tip,
    UnitLimit,
    money,
)
from medpayiq.services._core import Place, Query, title_case
from medpayiq.services._texts import GLOBAL_TEXT, STATUS_TEXT

__all__ = [
    "Ctx",
    "denial_of",
    "denials",
    "edit_denial",
    "faqs",
    "pair_denial",
    "tips",
    "unit_limit_denial",
]


@dataclass(frozen=True)
class Ctx:
    """What the tips, denials and FAQs of one PFS code page are computed from."""

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
    participation: Participation | None = None
    rvus: RvuBreakdown | None = None

    @property
    def where(self) -> str:
        return "nationally" if self.place.locality is None else f"in {title_case(self.place.name)}"

    @property
    def amount(self) -> Decimal | None:
        return self.amounts.chosen


def tips(c: Ctx, modifiers: Sequence[ModifierPay]) -> tuple[Tip, ...]:
    tips: list[Tip] = _em_tips(c)
    a = c.amounts
    if a.nonfacility is not None and a.facility is not None and a.difference:
        tips.append(
            Tip(
                "Bill the place of service where the service was furnished",
                f"In an office (non-facility) Medicare pays {money(a.nonfacility)}; in "
                "a hospital or ASC (facility) it pays "
                f"{money(a.facility)} {c.where}, because the facility bills its own "
                "practice expense. The POS code on the line decides which applies.",
                f"{money(abs(a.difference))} per service ({a.difference_percent}% of "
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
                    f"{money(lost)} denied if billed "
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
                    f"{money(c.amount)} at risk per session ({required.summary})",
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
                    f"{money(c.amount)} denied for each session over the limit (CARC "
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
            f"{p.column2} ({money(p.amount)}, "
            f"{'no modifier bypass' if p.modifier_indicator == '0' else 'modifier may bypass'})"
            for p in top
        )
        tips.append(
            Tip(
                f"Codes not to bill with {c.code}: {len(pairs)} NCCI pairs",
                f"NCCI {c.ncci_release} denies the column-2 code when billed with "
                f"{c.code} by the same provider on the same day. Highest-paid: {names}.",
                f"up to {money(top[0].amount)} per pair denied (CARC 236/97)",
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
                f"{money(c.amount)} denied for each unit over {c.limit.value}",
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
                f"{money(c.amount)} denied without a primary (CARC B15)",
                c.amount,
                "NCCI add-on code edits",
            )
        )
    surgical = [m for m in modifiers if m.modifier in {"50", "51", "62", "80"} and m.applies]
    if surgical:
        paid = [m for m in surgical if m.allowed]
        parts = [
            f"{m.modifier} {m.label.lower()}: "
            + (f"{money(m.amount)} ({m.percent}%)" if m.allowed else "not paid")
            for m in surgical
        ]
        best = max((m.amount for m in paid if m.amount is not None), default=None)
        tips.append(
            Tip(
                f"What modifiers {', '.join(m.modifier for m in surgical)} would pay",
                "; ".join(parts)
                + ". "
                + " ".join(m.plain + "." for m in surgical if not m.allowed),
                f"{money(best)} with {', '.join(m.modifier for m in paid)}"
                if paid
                else "none of them pays",
                best,
                "PPRRVU payment indicators (BILAT SURG, MULT PROC, CO SURG, ASST SURG)",
            )
        )
    return tuple(tips)


_MDM = {"sf": "straightforward", "low": "low", "mod": "moderate", "hi": "high"}
_LEVEL = re.compile(r"\b(sf|low|mod|hi) (\d+) min\b", re.IGNORECASE)
# Medicare's prolonged office visit code and the total time that starts it (CY 2021 PFS
# final rule: 15 minutes past the top of the 99205/99215 time range).
_PROLONGED = {"99205": 89, "99215": 69}
_OFFICE_EM = frozenset({"99202", "99203", "99204", "99205", "99211", "99212", "99213", "99214",
                        "99215"})  # fmt: skip


def _amount_here(c: Ctx, code: str) -> Decimal | None:
    """Another code's one-unit amount at the page's place and setting (pricing engine)."""
    location = (
        pricing.Location(locality=str(c.place.locality)) if c.place.locality else pricing.Location()
    )
    try:
        result = pricing.price_line(
            c.reference,
            pricing.LineRequest(
                code, c.query.day, location=location, setting=c.query.effective_setting
            ),
            qp=c.query.qp,
        )
    except MedPayIQError:
        return None
    return result.allowed if result.payable else None


def _em_tips(c: Ctx) -> list[Tip]:
    """Billing tips for an E/M visit: modifier 25, the G2211 add-on, the time thresholds."""
    if not is_em_code(c.code):
        return []
    out = [
        Tip(
            "Modifier 25 when a procedure is billed the same day",
            f"When {c.code} is billed with a minor procedure (a 0- or 10-day global, such as "
            "20610) by the same provider on the same day, NCCI denies the visit unless it "
            "carries modifier 25 and the record shows a significant, separately identifiable "
            "E/M (57 for the decision for major surgery). RT/LT, 59 or XE/XS/XP/XU on either "
            "line do not make an E/M separately payable.",
            f"{money(c.amount)} denied without 25 (CARC 236 + 97)",
            c.amount,
            "NCCI Policy Manual for Medicare Services, chapter I (E/M and procedures)",
        )
    ]
    if c.code in _OFFICE_EM:
        addon = _amount_here(c, "G2211")
        out.append(
            Tip(
                "Add G2211 for ongoing care of a serious or complex condition",
                "G2211 (visit complexity add-on) goes with 99202-99215 when the practitioner is "
                "the continuing focal point for the patient's care or treats a single serious "
                "or complex condition over time. With modifier 25 on the visit, Medicare pays "
                "it only when the other same-day service is an annual wellness visit, a vaccine "
                "administration or a Part B preventive service.",
                f"{money(addon)} more per visit {c.where}" if addon else "no amount loaded",
                addon,
                "CY 2024 and CY 2025 physician fee schedule final rules (G2211)",
            )
        )
    level = _LEVEL.search(c.row.description)
    if level is not None:
        minutes = int(level.group(2))
        detail = (
            f"{c.code} is chosen on {_MDM[level.group(1).lower()]} medical decision making, or "
            f"on total time on the date of the encounter: {minutes} minutes or more."
        )
        if c.code in _PROLONGED:
            detail += (
                f" From {_PROLONGED[c.code]} minutes, add Medicare's prolonged service code "
                "G2212 for each 15 minutes (not CPT 99417)."
            )
        out.append(
            Tip(
                f"Level by decision making or time: {minutes} minutes",
                detail,
                f"{money(c.amount)} for this level {c.where}",
                c.amount,
                "CPT E/M guidelines for office and other outpatient visits (2021); CMS MLN "
                "Evaluation and Management Services guide",
            )
        )
    return out


def _pair_amounts(c: Ctx, codes: Sequence[str]) -> Decimal | None:
    found = [p.amount for p in c.pairs if p.column2 in codes and p.amount is not None]
    return max(found) if found else None


def _carc_text(reference: ReferenceData, carc: str) -> str:
    entry = reference.code_sets().adjustments.get(carc)
    return entry.description if entry else ""


def _denial(
    c: Ctx,
    carc: str,
    rarc: Sequence[str],
    cause: str,
    prevent: str,
    send: Sequence[str],
    dollars: Decimal | None,
) -> Denial:
    return denial_of(c.reference, carc, rarc, cause, prevent, send, dollars)


def denial_of(
    reference: ReferenceData,
    carc: str,
    rarc: Sequence[str],
    cause: str,
    prevent: str,
    send: Sequence[str],
    dollars: Decimal | None,
    also: Sequence[str] = (),
) -> Denial:
    """A denial with its CARC in words (the X12 code set's title, else our guidance) and the
    usual appeal route."""
    guidance = denial_guidance(carc)
    route = guidance.route if guidance else AppealRoute.REDETERMINATION
    advice = appeal_advice(route, send=tuple(send))
    plain = _carc_text(reference, carc) or (guidance.plain if guidance else "")
    return Denial(carc, plain, tuple(rarc), cause, prevent, advice.as_dict(), dollars, tuple(also))


def edit_denial(
    reference: ReferenceData,
    rule: str,
    cause: str,
    prevent: str,
    send: Sequence[str],
    dollars: Decimal | None,
) -> Denial:
    """A denial by a claim edit, with the adjustment codes the claim checker gives it (one
    table: `knowledge.edit_adjustments`). The last CARC listed names the cause."""
    codes = edit_adjustments(rule)
    return denial_of(
        reference, codes.carc[-1], codes.rarc, cause, prevent, send, dollars, codes.carc[:-1]
    )


def _edit_denial(
    c: Ctx,
    rule: str,
    cause: str,
    prevent: str,
    send: Sequence[str],
    dollars: Decimal | None,
) -> Denial:
    return edit_denial(c.reference, rule, cause, prevent, send, dollars)


def unit_limit_denial(
    reference: ReferenceData, code: str, limit: UnitLimit, dollars: Decimal | None
) -> Denial:
    mai_route = (
        "the MUE's adjudication indicator is 2 (policy): an appeal does not change it"
        if limit.mai == "2"
        else "appeal with records showing the units were medically necessary"
    )
    return edit_denial(
        reference,
        "ncci.mue",
        f"more than {limit.value} unit{'s' if limit.value != 1 else ''} of {code} on one date "
        "of service",
        f"Bill at most {limit.value}; {mai_route}",
        ("the procedure note documenting each unit",),
        dollars,
    )


def pair_denial(
    reference: ReferenceData, code: str, pairs: Sequence[PairEdit], dollars: Decimal | None
) -> Denial:
    return edit_denial(
        reference,
        "ncci.ptp",
        f"{code} was billed with a code NCCI pairs with it "
        f"({', '.join(p.column2 for p in pairs[:5])}{'...' if len(pairs) > 5 else ''}); the "
        "column-2 code is denied",
        "Check the NCCI pairs before billing; use an NCCI-associated modifier only when the "
        "pair's indicator is 1 and the record shows a separate site or session",
        ("the procedure notes showing separate sites, sessions or encounters",),
        dollars,
    )


def denials(c: Ctx) -> tuple[Denial, ...]:
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
        out.append(pair_denial(c.reference, c.code, c.pairs, c.pairs[0].amount))
    if c.limit is not None:
        out.append(unit_limit_denial(c.reference, c.code, c.limit, c.amount))
    if c.primaries or c.row.global_days == "ZZZ":
        out.append(
            _edit_denial(
                c,
                "ncci.addon",
                f"{c.code} was billed without its primary procedure",
                "Bill the primary on the same claim, same date and provider",
                (),
                c.amount,
            )
        )
    return tuple(out)


def faqs(c: Ctx) -> tuple[Faq, ...]:
    faqs: list[Faq] = []
    a, r = c.amounts, c.result
    when = c.query.day.isoformat()
    if r.payable:
        local = (
            ""
            if c.place.locality is None
            else (
                f" The national amounts are {money(a.national_nonfacility)} and "
                f"{money(a.national_facility)}."
            )
        )
        faqs.append(
            Faq(
                f"How much does Medicare pay for {c.code} {c.where} on {when}?",
                f"{money(a.nonfacility)} in an office (non-facility) and "
                f"{money(a.facility)} in a facility, one unit, before "
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
    rv = c.rvus
    assert rv is not None
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


def _em_answer(c: Ctx) -> str:
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


def _diagnosis_answer(c: Ctx) -> str:
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
