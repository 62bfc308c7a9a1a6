"""price_line and price_claim: a request in, a result with its trail out.

Each line is prepared once (release, location, setting, row, GPCIs, CF, modifiers) into a
`_Line` holding two views, local and national, which differ only in their GPCIs. What lines
share (per fee schedule snapshot and date) comes from a `_context.DayContext`, worked out
once. The claim
rules (_mppr) then run on each view, and the provider's rate, units and cost share finish
the line. Nothing here reads a file, a clock or the environment.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from medpayiq.errors import InputError, ReleaseNotLoaded
from medpayiq.money import ZERO, cents
from medpayiq.records import RvuRow
from medpayiq.reference import Confidence, FeeSchedule, ReferenceData

from . import _cost_share, _fee, _modifiers, _rules
from ._context import (
    DAY_TABLE,
    SHARED_LINES,
    DayContext,
    Head,
    HeadKey,
    Place,
    context_for,
    head_key,
    lowest,
    sources,
    trim,
)
from ._fee import NATIONAL_GPCI, GpciTriple
from ._mppr import Procedure, reduce_claim
from ._types import (
    ClaimResult,
    CostShare,
    LineRequest,
    LineResult,
    Setting,
    SettingAmount,
    Step,
)

__all__ = ["price_claim", "price_line"]

NPP_RATE = Decimal("0.85")
NON_PAR_RATE = Decimal("0.95")
LIMITING_CHARGE = Decimal("1.15")


@dataclass(frozen=True, slots=True)
class _Prepared:
    """Everything about a line that follows from its code, modifiers, place of service and
    location on one date: worked out once per fee schedule snapshot and kept in the
    DayContext. `local`/`national` are (non-facility, facility, one-unit amount after the
    modifier percentages) at the locality's GPCIs and at 1.000."""

    hcpcs: str
    modifiers: tuple[str, ...]
    row: RvuRow
    plan: _modifiers.ModifierPlan | None
    place: Place
    setting: Setting
    setting_reason: str
    cf: Decimal
    head: Head
    head_key: HeadKey
    steps: tuple[Step, ...]
    payable: bool
    message: str
    review: tuple[str, ...]
    local: tuple[SettingAmount | None, SettingAmount | None, Decimal | None]
    national: tuple[SettingAmount | None, SettingAmount | None, Decimal | None]


class _Line:
    """One request on its way through the claim rules: what changes per claim."""

    __slots__ = (
        "ctx", "fee", "local_total", "message", "national_total", "payable", "prep", "request",
        "review", "steps",
    )  # fmt: skip

    def __init__(
        self, request: LineRequest, ctx: DayContext, fee: FeeSchedule, prep: _Prepared
    ) -> None:
        self.request = request
        self.ctx = ctx
        self.fee = fee
        self.prep = prep
        self.payable = prep.payable
        self.message = prep.message
        self.steps = list(prep.steps)
        self.review = list(prep.review)
        self.local_total: Decimal | None = None
        self.national_total: Decimal | None = None


# --- Public API -----------------------------------------------------------------------------


def price_line(
    reference: ReferenceData,
    request: LineRequest,
    *,
    qp: bool = False,
    non_participating: bool = False,
    npp: bool = False,
    deductible_remaining: Decimal | None = None,
) -> LineResult:
    """Price one line on its own (units of the same code are still reduced among
    themselves where the multiple procedure indicator says so).

    Raises InputError subclasses (UnknownCode, UnknownLocation, InvalidModifier) for a
    wrong request and ReleaseNotLoaded when no release covers the date. A code that is
    valid but has no fee schedule amount returns a result with `allowed` None."""
    line = _prepare(reference, request, qp)
    remaining = _cost_share.check_deductible(deductible_remaining, request.date_of_service)
    _claim_rules([line])
    given = deductible_remaining is not None
    return _finish(line, non_participating, npp, remaining, given)[0]


def price_claim(
    reference: ReferenceData,
    lines: Sequence[LineRequest],
    *,
    qp: bool = False,
    non_participating: bool = False,
    npp: bool = False,
    deductible_remaining: Decimal | None = None,
) -> ClaimResult:
    """Price the lines of one claim (one patient, provider and date of service) with the
    claim-level rules: multiple procedure reductions (after the bilateral adjustment),
    status T, and the deductible consumed line by line in claim order."""
    if not lines:
        raise InputError("a claim needs at least one line", parameter="lines")
    days = {line.date_of_service for line in lines}
    prepared = [_prepare(reference, line, qp) for line in lines]
    remaining = _cost_share.check_deductible(deductible_remaining, min(days))
    for day in sorted(days):
        _claim_rules([p for p in prepared if p.request.date_of_service == day])
    results: list[LineResult] = []
    for p in prepared:
        given = deductible_remaining is not None
        result, remaining = _finish(p, non_participating, npp, remaining, given)
        results.append(result)
    return _claim_result(results, prepared)


# --- Preparing one line ---------------------------------------------------------------------

_codes: dict[str, str] = {}
# Codes as asked ("99213", " j1100 "): about 20,000 are real, and an entry is some 150 bytes,
# so 32,768 of them are under 5 MiB; a server asked for made-up codes drops its older half.
_CODES = 32_768


def _code(text: str) -> str:
    """The normalised code (kept: codes are few, and checking one costs a regex)."""
    code = _codes.get(text)
    if code is None:
        code = _modifiers.normalise_code(text)
        trim(_codes, _CODES)
        _codes[text] = code
    return code


def check_units(units: object) -> None:
    """Raise InputError unless `units` is a whole number from 1 to 9999."""
    if not isinstance(units, int) or not 1 <= units <= 9999:
        raise InputError(
            f"units must be a whole number from 1 to 9999, not {units!r}", parameter="units"
        )


def code(text: str) -> str:
    """The normalised code price_line prices; raises InputError for a malformed one."""
    return _code(text)


def _prepare(
    reference: ReferenceData, request: LineRequest, qp: bool, shared: bool = False
) -> _Line:
    """The line with its `_Prepared` from the date's context (`shared`: from the table of
    every date that prices alike, whose trail steps and head may be another date's)."""
    day = request.date_of_service
    hcpcs = _code(request.hcpcs)
    check_units(request.units)
    raw_modifiers = request.modifiers
    if type(raw_modifiers) is not tuple:
        raw_modifiers = tuple(raw_modifiers)
    try:
        fee = reference.fee_schedule(day, qp=qp)
    except ReleaseNotLoaded:
        # A malformed modifier is reported before a missing release, as it always was.
        _modifiers.normalise_modifiers(raw_modifiers, reference.code_sets().modifiers)
        raise
    ctx = context_for(reference, fee, day, qp)
    key = (hcpcs, raw_modifiers, request.pos, request.setting, request.location)
    table = ctx.shared(reference, fee).prepared if shared else ctx.prepared
    prep = table.get(key)
    if prep is None:
        prep = _prepare_fresh(reference, fee, ctx, request, hcpcs, raw_modifiers)
        trim(table, SHARED_LINES if shared else DAY_TABLE)
        table[key] = prep
    return _Line(request, ctx, fee, prep)


def _prepare_fresh(
    reference: ReferenceData,
    fee: FeeSchedule,
    ctx: DayContext,
    request: LineRequest,
    hcpcs: str,
    raw_modifiers: tuple[str, ...],
) -> _Prepared:
    modifiers = ctx.modifiers(raw_modifiers)
    row, row_modifier = ctx.row(fee, hcpcs, modifiers)
    setting, setting_reason, setting_step = ctx.setting(request.pos, request.setting)
    place = ctx.place(reference, fee, request.location)
    cf, cf_step = ctx.cf(row, fee)
    key = head_key(row, request, place)
    head = ctx.head_by(reference, fee, key)
    located = place.steps
    steps = [ctx.release_step, located[0], setting_step, *located[1:], cf_step]
    payable = row.status in _modifiers.PAID_STATUSES
    message = _modifiers.status_reason(row.status)
    no_amount: tuple[None, None, None] = (None, None, None)

    na_review: tuple[str, ...] = ()

    def done(
        plan: _modifiers.ModifierPlan | None,
        local: tuple[SettingAmount | None, SettingAmount | None, Decimal | None] = no_amount,
        national: tuple[SettingAmount | None, SettingAmount | None, Decimal | None] = no_amount,
    ) -> _Prepared:
        review = (*na_review, *(plan.review if plan is not None else ()))
        return _Prepared(
            hcpcs, modifiers, row, plan, place, setting, setting_reason, cf, head, key,
            tuple(steps), payable, message, review, local, national,
        )  # fmt: skip

    if not payable:
        locality = place.location.locality
        if row.status == "J" and locality in fee.anesthesia:
            anes = fee.anesthesia[locality]  # type: ignore[index]
            cf_anes = anes.cf_qp if ctx.qp and anes.cf_qp else anes.cf
            steps.append(Step("anesthesia CF", (("locality", locality),), cf_anes))
        steps.append(Step("status", (("status", row.status),), None, message))
        return done(None)
    plan = ctx.plan(row, row_modifier, modifiers)
    local = ctx.local(row, place, setting, cf, hcpcs)
    national_nf, national_f = ctx.national(row, cf)
    steps.extend(local.steps)
    na_review = () if local.na_message is None else (local.na_message,)
    # Modifier percentages on each view's one-unit amount.
    for mod, note in plan.notes:
        steps.append(Step(f"modifier {mod}", (), None, note))
    if plan.no_amount is not None:
        payable, message = False, plan.no_amount
        steps.append(Step("no fee schedule amount", (), None, plan.no_amount))
    if not payable:
        return done(
            plan, (local.nonfacility, local.facility, None), (national_nf, national_f, None)
        )
    facility = setting is Setting.FACILITY
    units: list[Decimal] = []
    for view, chosen in (("local", local.facility if facility else local.nonfacility),
                         ("national", national_f if facility else national_nf)):  # fmt: skip
        assert chosen.amount is not None
        amount = chosen.amount
        for factor in plan.factors:
            before, amount = amount, cents(amount * factor.factor)
            if view == "local":
                steps.append(
                    Step(
                        f"modifier {factor.modifier}",
                        (("amount", before), ("factor", factor.factor)),
                        amount,
                        factor.rule,
                    )
                )
        units.append(amount)
    return done(
        plan, (local.nonfacility, local.facility, units[0]), (national_nf, national_f, units[1])
    )


def _procedure(line: _Line, gpci: GpciTriple, amount: Decimal) -> Procedure:
    prep, fee = line.prep, line.fee
    row, setting, cf = prep.row, prep.setting, prep.cf
    proc = Procedure(
        0, prep.hcpcs, row.mult_proc, row.endo_base.strip(), line.request.units, amount
    )
    if row.mult_proc in ("4", "6", "7"):
        if prep.plan is not None and prep.plan.row_modifier == "26":
            proc.pc_unit, proc.tc_unit = amount, Decimal(0)
        elif prep.plan is not None and prep.plan.row_modifier == "TC":
            proc.pc_unit, proc.tc_unit = Decimal(0), amount
        else:
            pc_row = fee.rvus.get((row.hcpcs, "26"))
            pc = _component(pc_row, setting, gpci, cf) if pc_row else Decimal(0)
            proc.pc_unit, proc.tc_unit = min(pc, amount), max(amount - pc, Decimal(0))
    elif row.mult_proc == "5":
        pe = row.pe_facility if setting is Setting.FACILITY else row.pe_nonfacility
        proc.pe_unit = cents(pe * gpci.pe * cf)
        reduced = cents(_fee.rvu_sum(row.work, pe * Decimal("0.5"), row.mp, gpci) * cf)
        proc.pe_reduced_unit = min(reduced, amount)
    elif row.mult_proc == "3" and proc.endo_base:
        base_row = fee.rvus.get((proc.endo_base, ""))
        if base_row is not None:
            proc.base_amount = _component(base_row, setting, gpci, cf)
    return proc


def _component(row: RvuRow, setting: Setting, g: GpciTriple, cf: Decimal) -> Decimal:
    amount = _fee.setting_amount(row, setting, g, cf)
    return amount.amount if amount.amount is not None else amount.fee_schedule


# --- Claim rules ----------------------------------------------------------------------------


def untouched_alone(row: RvuRow, units: int) -> bool:
    """Whether the claim rules leave a line alone on its claim as it is: one unit changes
    nothing and adds no step (indicator 3 still records "highest endoscopy in full")."""
    return units == 1 and row.mult_proc != "3"


def _claim_rules(lines: list[_Line], full: bool = True) -> None:
    """Status T and the multiple procedure reductions: each payable line's `local_total`,
    and with `full` its `national_total` and the steps that explain them (without, the
    local amounts only, for price_amounts)."""
    payable = [ln for ln in lines if ln.payable]
    if not payable:
        return
    if len(payable) == 1 and untouched_alone(payable[0].prep.row, payable[0].request.units):
        only = payable[0]
        only.local_total, only.national_total = only.prep.local[2], only.prep.national[2]
        return
    # Status T: paid only when no other fee schedule service is billed that day.
    others = [ln for ln in payable if ln.prep.row.status in ("A", "R")]
    for ln in payable:
        if ln.prep.row.status == "T" and others:
            ln.payable = False
            ln.message = (
                f"status T: {ln.prep.hcpcs} is paid only when no other fee schedule service is "
                f"billed the same day; {others[0].prep.hcpcs} is on this claim"
            )
            ln.steps.append(
                Step("status T", (("other service", others[0].prep.hcpcs),), None, ln.message)
            )
    payable = [ln for ln in payable if ln.payable]
    for local in (True, False) if full else (True,):
        procs = []
        for i, ln in enumerate(payable):
            gpci = ln.prep.place.gpci if local else NATIONAL_GPCI
            unit = ln.prep.local[2] if local else ln.prep.national[2]
            assert unit is not None
            proc = _procedure(ln, gpci, unit)
            proc.index = i
            proc.record = full
            procs.append(proc)
        reduce_claim(procs)
        for ln, proc in zip(payable, procs, strict=True):
            if local:
                ln.local_total = proc.total
                ln.steps.extend(proc.steps)
                ln.review.extend(r for r in proc.review if r not in ln.review)
            else:
                ln.national_total = proc.total


# --- Finishing ------------------------------------------------------------------------------


def cost_share_waiver(hcpcs: str, modifiers: tuple[str, ...], day: date) -> str:
    """Why the patient pays no deductible or coinsurance for this line ("" when they do):
    a preventive service in preventive.yaml, or modifier 33 (DOMAIN.md section 5)."""
    service = _rules.preventive(hcpcs, day)
    if service is not None:
        return (
            f"preventive service ({service.service}): no deductible or coinsurance "
            "(CMS MLN Medicare Preventive Services chart)"
        )
    if "33" in modifiers:
        return "modifier 33 (preventive service): no deductible or coinsurance"
    return ""


def _provider_amount(
    plan: _modifiers.ModifierPlan, total: Decimal, non_participating: bool, npp: bool
) -> Decimal:
    """`_provider`'s amount, without the steps or the limiting charge."""
    if npp and not plan.includes_npp_rate:
        total = cents(total * NPP_RATE)
    if non_participating:
        total = cents(total * NON_PAR_RATE)
    return total


def _provider(
    line: _Line, total: Decimal | None, non_participating: bool, npp: bool, record: bool
) -> tuple[Decimal, Decimal | None]:
    total = total if total is not None else ZERO
    if record and line.request.units > 1:
        line.steps.append(
            Step(
                "units",
                (("units", line.request.units),),
                total,
                "sum of the units after any reduction",
            )
        )
    plan = line.prep.plan
    assert plan is not None
    if npp and not plan.includes_npp_rate:
        before, total = total, cents(total * NPP_RATE)
        if record:
            line.steps.append(
                Step(
                    "NP/PA/CNS rate",
                    (("amount", before), ("rate", NPP_RATE)),
                    total,
                    "non-physician practitioner billing under their own number: 85%",
                )
            )
    limiting: Decimal | None = None
    if non_participating:
        before, total = total, cents(total * NON_PAR_RATE)
        limiting = cents(total * LIMITING_CHARGE)
        if record:
            line.steps.append(
                Step(
                    "non-participating provider",
                    (("amount", before), ("rate", NON_PAR_RATE)),
                    total,
                    "95% of the fee schedule amount",
                )
            )
            line.steps.append(
                Step(
                    "limiting charge",
                    (("non-participating amount", total), ("rate", LIMITING_CHARGE)),
                    limiting,
                    "the most a non-participating provider may charge (unassigned claims)",
                )
            )
    return total, limiting


def _finish(
    line: _Line, non_participating: bool, npp: bool, remaining: Decimal, deductible_given: bool
) -> tuple[LineResult, Decimal]:
    allowed = national = limiting = difference = percent = None
    share: CostShare | None = None
    steps = line.steps
    if line.payable:
        allowed, limiting = _provider(line, line.local_total, non_participating, npp, True)
        national, _ = _provider(line, line.national_total, non_participating, npp, False)
        comparison = line.ctx.comparison(allowed, national)
        difference, percent = comparison.difference, comparison.percent
        steps.extend(comparison.steps)
        waiver = cost_share_waiver(line.prep.hcpcs, line.prep.modifiers, line.ctx.day)
        share, share_step = line.ctx.share(allowed, remaining, deductible_given, waiver)
        remaining = share.deductible_remaining_after
        steps.append(share_step)
    request, prep = line.request, line.prep
    row, head = prep.row, prep.head
    result = LineResult(
        request.line_id,
        prep.hcpcs,
        prep.modifiers,
        request.units,
        request.date_of_service,
        row.description,
        row.status,
        line.payable,
        line.message if not line.payable else "priced",
        prep.place.location,
        prep.setting,
        prep.setting_reason,
        prep.local[0],
        prep.local[1],
        prep.national[0],
        prep.national[1],
        allowed,
        national,
        difference,
        percent,
        limiting,
        share,
        tuple(line.review),
        line.ctx.release,
        prep.cf,
        line.ctx.work_column,
        tuple(steps),
        head.sources,
        head.confidence,
        head.reason,
    )
    return result, remaining


def _claim_result(results: list[LineResult], lines: list[_Line]) -> ClaimResult:
    total = sum((r.allowed for r in results if r.allowed is not None), ZERO)
    national = sum((r.national_allowed for r in results if r.national_allowed is not None), ZERO)
    shares = [r.cost_share for r in results if r.cost_share is not None]
    share = None
    if shares:
        share = CostShare(
            allowed=total,
            deductible_applied=sum((s.deductible_applied for s in shares), ZERO),
            coinsurance=sum((s.coinsurance for s in shares), ZERO),
            patient_pays=sum((s.patient_pays for s in shares), ZERO),
            medicare_before_sequestration=sum(
                (s.medicare_before_sequestration for s in shares), ZERO
            ),
            sequestration=sum((s.sequestration for s in shares), ZERO),
            medicare_pays=sum((s.medicare_pays for s in shares), ZERO),
            write_off=sum((s.write_off for s in shares), ZERO),
            deductible_remaining_after=shares[-1].deductible_remaining_after,
        )
    confidence = Confidence.HIGH
    for r in results:
        confidence = lowest(confidence, r.confidence)
    reasons = [r.confidence_reason for r in results if r.confidence is confidence]
    trail = (
        Step(
            "claim total",
            tuple((r.line_id or f"line {i + 1}", r.allowed) for i, r in enumerate(results)),
            total,
        ),
        Step("national total", (), national),
    )
    review = tuple(dict.fromkeys(x for r in results for x in r.review))
    provenance = sources([p for ln in lines for p in ln.prep.head.provenance])
    return ClaimResult(
        tuple(results), total, national, share, trail, provenance, confidence, reasons[0], review
    )
