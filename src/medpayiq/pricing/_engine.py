"""price_line and price_claim: a request in, a result with its trail out.

Each line is prepared once (release, location, setting, row, GPCIs, CF, modifiers) into a
`_Line` holding two views, local and national, which differ only in their GPCIs. The claim
rules (_mppr) then run on each view, and the provider's rate, units and cost share finish
the line. Nothing here reads a file, a clock or the environment.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from medpayiq.errors import InputError, ReleaseNotLoaded
from medpayiq.money import ZERO, cents
from medpayiq.records import RvuRow
from medpayiq.reference import (
    CodeSets,
    Confidence,
    FeeSchedule,
    Geography,
    Provenance,
    ReferenceData,
    Vintage,
)
from medpayiq.releases import Kind

from . import _cost_share, _fee, _location, _modifiers
from ._fee import NATIONAL_GPCI, GpciTriple
from ._mppr import Procedure, reduce_claim
from ._types import (
    ClaimResult,
    CostShare,
    LineRequest,
    LineResult,
    ResolvedLocation,
    Setting,
    SettingAmount,
    Source,
    Step,
    TrailValue,
)

__all__ = ["price_claim", "price_line"]

NPP_RATE = Decimal("0.85")
NON_PAR_RATE = Decimal("0.95")
LIMITING_CHARGE = Decimal("1.15")
_HUNDRED = Decimal(100)


@dataclass
class _View:
    """One set of GPCIs (the locality's, or national 1.000) and what they give."""

    gpci: GpciTriple
    nonfacility: SettingAmount | None = None
    facility: SettingAmount | None = None
    unit_amount: Decimal | None = None  # after modifier percentages, before claim rules
    steps: list[Step] = field(default_factory=list)
    procedure: Procedure | None = None
    total: Decimal | None = None


@dataclass
class _Line:
    request: LineRequest
    hcpcs: str
    modifiers: tuple[str, ...]
    fee: FeeSchedule
    geography: Geography | None
    row: RvuRow
    plan: _modifiers.ModifierPlan | None
    location: ResolvedLocation
    setting: Setting
    setting_reason: str
    cf: Decimal
    work_column: str
    payable: bool
    message: str
    local: _View
    national: _View
    steps: list[Step]
    review: list[str]
    confidence: Confidence
    confidence_notes: list[str]
    sources: list[Provenance]


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


def _prepare(reference: ReferenceData, request: LineRequest, qp: bool) -> _Line:
    day = request.date_of_service
    hcpcs = _modifiers.normalise_code(request.hcpcs)
    if not isinstance(request.units, int) or not 1 <= request.units <= 9999:
        raise InputError(
            f"units must be a whole number from 1 to 9999, not {request.units!r}", parameter="units"
        )
    code_sets = reference.code_sets()
    modifiers = _modifiers.normalise_modifiers(request.modifiers, code_sets.modifiers)
    fee = reference.fee_schedule(day, qp=qp)
    row, row_modifier = _modifiers.find_row(fee, hcpcs, modifiers, day)
    setting, setting_reason = _fee.choose_setting(
        request.pos, request.setting, code_sets.places_of_service or None
    )
    geography = _geography(reference, request)
    location = _location.resolve_location(request.location, fee, geography)
    with_floor, column_reason, column_confidence = _fee.choose_work_column(fee, day)
    cf, cf_reason = _fee.choose_cf(row, fee, day, qp)
    local_gpci = (
        _fee.gpci_triple(location.gpci, with_floor) if location.gpci is not None else NATIONAL_GPCI
    )
    line = _Line(
        request=request,
        hcpcs=hcpcs,
        modifiers=modifiers,
        fee=fee,
        geography=geography,
        row=row,
        plan=None,
        location=location,
        setting=setting,
        setting_reason=setting_reason,
        cf=cf,
        work_column="with 1.0 floor" if with_floor else "without floor",
        payable=row.status in _modifiers.PAID_STATUSES,
        message=_modifiers.status_reason(row.status),
        local=_View(local_gpci),
        national=_View(NATIONAL_GPCI),
        steps=[],
        review=[],
        confidence=Confidence.HIGH,
        confidence_notes=[],
        sources=[],
    )
    _record_data(line, fee, geography, code_sets, column_confidence, column_reason)
    if request.location.state and location.locality is not None:
        line.sources.extend(_locco_source(reference, day))
    line.steps.append(
        Step(
            "location",
            (("asked", _asked(request)),),
            f"{location.locality or 'national'} {location.name}",
            location.how,
        )
    )
    line.steps.append(
        Step(
            "facility or non-facility",
            (("place of service", request.pos),),
            setting.value,
            setting_reason,
        )
    )
    if location.gpci is not None:
        line.steps.append(
            Step(
                "work GPCI column",
                (
                    ("with floor", location.gpci.work),
                    ("without floor", location.gpci.work_no_floor),
                ),
                local_gpci.work,
                column_reason,
            )
        )
    line.steps.append(Step("conversion factor", (("date of service", day),), cf, cf_reason))
    if not line.payable:
        if row.status == "J" and location.locality in fee.anesthesia:
            anes = fee.anesthesia[location.locality]  # type: ignore[index]
            line.steps.append(
                Step(
                    "anesthesia CF",
                    (("locality", location.locality),),
                    anes.cf_qp if qp and anes.cf_qp else anes.cf,
                )
            )
        line.steps.append(Step("status", (("status", row.status),), None, line.message))
        return line
    line.plan = _modifiers.plan_modifiers(row, row_modifier, modifiers)
    for view in (line.local, line.national):
        view.nonfacility = _fee.setting_amount(row, Setting.NON_FACILITY, view.gpci, cf)
        view.facility = _fee.setting_amount(row, Setting.FACILITY, view.gpci, cf)
    _local_steps(line)
    _unit_amounts(line)
    return line


def _asked(request: LineRequest) -> str:
    loc = request.location
    if loc.is_national:
        return "national"
    parts = [
        f"{k} {v}"
        for k, v in (
            ("ZIP", loc.zip),
            ("locality", loc.locality),
            ("state", loc.state),
            ("county", loc.county),
        )
        if v
    ]
    return ", ".join(parts)


def _geography(reference: ReferenceData, request: LineRequest) -> Geography | None:
    loc = request.location
    if not (loc.zip or loc.state or loc.county):
        return None
    try:
        return reference.geography(request.date_of_service)
    except ReleaseNotLoaded:
        if loc.zip:
            raise
        return None  # a state alone can still be answered from the GPCI file


def _record_data(
    line: _Line,
    fee: FeeSchedule,
    geography: Geography | None,
    code_sets: CodeSets,
    column_confidence: Confidence,
    column_reason: str,
) -> None:
    """Collect the datasets used and lower the confidence where one is not the release in
    effect (the reference says so in each vintage's note)."""
    vintages: list[Vintage] = [fee.vintage]
    for kind in (Kind.GPCI, Kind.OPPSCAP, Kind.ANES):
        vintage = fee.component_vintages.get(kind)
        if vintage is None:
            continue
        if kind is Kind.OPPSCAP and not (line.row.opps_mp and line.row.status in "ART"):
            continue
        if kind is Kind.ANES and line.row.status != "J":
            continue
        vintages.append(vintage)
    if geography is not None and line.request.location.zip:
        vintages.append(geography.vintage)
    for vintage in vintages:
        line.sources.extend(vintage.provenance)
        if vintage.confidence < Confidence.HIGH:
            line.confidence_notes.append(vintage.note)
            line.confidence = min(line.confidence, vintage.confidence)
    if column_confidence < Confidence.HIGH:
        line.confidence_notes.append(column_reason)
        line.confidence = min(line.confidence, column_confidence)
    if line.request.pos is not None:
        line.sources.extend(p for p in code_sets.provenance if p.kind is Kind.POS)
    vintage = fee.vintage
    line.steps.append(
        Step(
            "release in effect",
            (("date of service", line.request.date_of_service), ("in effect", vintage.wanted.id)),
            vintage.used.id,
            vintage.note,
        )
    )


def _locco_source(reference: ReferenceData, day: date) -> list[Provenance]:
    """The LOCCO file a state or county answer came from (Geography does not carry it)."""
    found = [
        p
        for p in reference.datasets()
        if p.kind is Kind.LOCCO
        and p.release.effective_from.year == day.year
        and p.release.effective_from <= day
    ]
    return [max(found, key=lambda p: p.release.effective_from)] if found else []


def _local_steps(line: _Line) -> None:
    row, view = line.row, line.local
    chosen = view.facility if line.setting is Setting.FACILITY else view.nonfacility
    assert chosen is not None
    pe = row.pe_facility if line.setting is Setting.FACILITY else row.pe_nonfacility
    g = view.gpci
    line.steps.append(
        Step(
            "RVU x GPCI",
            (
                ("work RVU", row.work), ("work GPCI", g.work),
                (f"{line.setting.value} PE RVU", pe), ("PE GPCI", g.pe),
                ("MP RVU", row.mp), ("MP GPCI", g.mp),
            ),
            chosen.rvu_sum,
            f"{row.work} x {g.work} + {pe} x {g.pe} + {row.mp} x {g.mp}",
        )
    )  # fmt: skip
    line.steps.append(
        Step(
            "fee schedule amount",
            (("RVU x GPCI", chosen.rvu_sum), ("CF", line.cf)),
            chosen.fee_schedule,
            "(RVU x GPCI) x CF, rounded half-up to cents",
        )
    )
    if chosen.opps_cap is not None:
        opps_pe = (
            row.opps_pe_facility if line.setting is Setting.FACILITY else row.opps_pe_nonfacility
        )
        line.steps.append(
            Step(
                "OPPS cap",
                (("work RVU", row.work), ("OPPS PE RVU", opps_pe), ("OPPS MP RVU", row.opps_mp),
                 ("fee schedule amount", chosen.fee_schedule), ("OPPS amount", chosen.opps_cap)),
                min(chosen.fee_schedule, chosen.opps_cap),
                "the lower of the fee schedule amount and the OPPS-capped amount",
            )
        )  # fmt: skip
    if chosen.na:
        line.payable = False
        line.message = (
            f"the {line.setting.value} rate of {line.hcpcs} is marked NA in "
            f"{line.fee.vintage.used.id}: "
            f"that setting's practice expense is not used for this code, so it has no price there"
        )
        line.steps.append(
            Step("NA indicator", ((f"{line.setting.value} NA", True),), None, line.message)
        )


def _unit_amounts(line: _Line) -> None:
    """Apply modifier percentages to each view's one-unit amount."""
    plan = line.plan
    assert plan is not None
    line.review.extend(plan.review)
    for mod, note in plan.notes:
        line.steps.append(Step(f"modifier {mod}", (), None, note))
    if plan.no_amount is not None:
        line.payable, line.message = False, plan.no_amount
        line.steps.append(Step("no fee schedule amount", (), None, plan.no_amount))
    if not line.payable:
        return
    for name, view in (("local", line.local), ("national", line.national)):
        chosen = view.facility if line.setting is Setting.FACILITY else view.nonfacility
        assert chosen is not None and chosen.amount is not None
        amount = chosen.amount
        for factor in plan.factors:
            before, amount = amount, cents(amount * factor.factor)
            if name == "local":
                line.steps.append(
                    Step(
                        f"modifier {factor.modifier}",
                        (("amount", before), ("factor", factor.factor)),
                        amount,
                        factor.rule,
                    )
                )
        view.unit_amount = amount
        view.procedure = _procedure(line, view, amount)


def _procedure(line: _Line, view: _View, amount: Decimal) -> Procedure:
    row, fee = line.row, line.fee
    proc = Procedure(
        0, line.hcpcs, row.mult_proc, row.endo_base.strip(), line.request.units, amount
    )
    facility = line.setting is Setting.FACILITY
    if row.mult_proc in ("4", "6", "7"):
        if line.plan is not None and line.plan.row_modifier == "26":
            proc.pc_unit, proc.tc_unit = amount, Decimal(0)
        elif line.plan is not None and line.plan.row_modifier == "TC":
            proc.pc_unit, proc.tc_unit = Decimal(0), amount
        else:
            pc_row = fee.rvus.get((row.hcpcs, "26"))
            pc = _component(pc_row, line.setting, view.gpci, line.cf) if pc_row else Decimal(0)
            proc.pc_unit, proc.tc_unit = min(pc, amount), max(amount - pc, Decimal(0))
    elif row.mult_proc == "5":
        pe = row.pe_facility if facility else row.pe_nonfacility
        proc.pe_unit = cents(pe * view.gpci.pe * line.cf)
        reduced = cents(_fee.rvu_sum(row.work, pe * Decimal("0.5"), row.mp, view.gpci) * line.cf)
        proc.pe_reduced_unit = min(reduced, amount)
    elif row.mult_proc == "3" and proc.endo_base:
        base_row = fee.rvus.get((proc.endo_base, ""))
        if base_row is not None:
            proc.base_amount = _component(base_row, line.setting, view.gpci, line.cf)
    return proc


def _component(row: RvuRow, setting: Setting, g: GpciTriple, cf: Decimal) -> Decimal:
    amount = _fee.setting_amount(row, setting, g, cf)
    return amount.amount if amount.amount is not None else amount.fee_schedule


# --- Claim rules ----------------------------------------------------------------------------


def _claim_rules(lines: list[_Line]) -> None:
    payable = [ln for ln in lines if ln.payable]
    # Status T: paid only when no other fee schedule service is billed that day.
    others = [ln for ln in payable if ln.row.status in ("A", "R")]
    for ln in payable:
        if ln.row.status == "T" and others:
            ln.payable = False
            ln.message = (
                f"status T: {ln.hcpcs} is paid only when no other fee schedule service is billed "
                f"the same day; {others[0].hcpcs} is on this claim"
            )
            ln.steps.append(
                Step("status T", (("other service", others[0].hcpcs),), None, ln.message)
            )
    payable = [ln for ln in payable if ln.payable]
    for name in ("local", "national"):
        procs = [getattr(ln, name).procedure for ln in payable]
        for i, proc in enumerate(procs):
            proc.index = i
        reduce_claim(procs)
        for ln, proc in zip(payable, procs, strict=True):
            view: _View = getattr(ln, name)
            view.total = proc.total
            if name == "local":
                ln.steps.extend(proc.steps)
                ln.review.extend(r for r in proc.review if r not in ln.review)


# --- Finishing ------------------------------------------------------------------------------


def _provider(
    line: _Line, view: _View, non_participating: bool, npp: bool, record: bool
) -> tuple[Decimal, Decimal | None]:
    total = view.total if view.total is not None else ZERO
    if record and line.request.units > 1:
        line.steps.append(
            Step(
                "units",
                (("units", line.request.units),),
                total,
                "sum of the units after any reduction",
            )
        )
    assert line.plan is not None
    if npp and not line.plan.includes_npp_rate:
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
    if line.payable:
        allowed, limiting = _provider(line, line.local, non_participating, npp, True)
        national, _ = _provider(line, line.national, non_participating, npp, False)
        difference = allowed - national
        if national:
            percent = (difference * _HUNDRED / national).quantize(Decimal("0.01"), ROUND_HALF_UP)
        line.steps.append(
            Step("national comparison", (("local", allowed), ("national", national)), difference,
                 "local minus national (GPCI 1.000)")
        )  # fmt: skip
        line.steps.append(Step("allowed", (), allowed))
        share = _cost_share.split_cost(allowed, line.request.date_of_service, remaining)
        remaining = share.deductible_remaining_after
        line.steps.append(_share_step(share, line.request.date_of_service, deductible_given))
    result = LineResult(
        line_id=line.request.line_id,
        hcpcs=line.hcpcs,
        modifiers=line.modifiers,
        units=line.request.units,
        date_of_service=line.request.date_of_service,
        description=line.row.description,
        status=line.row.status,
        payable=line.payable,
        message=line.message if not line.payable else "priced",
        location=line.location,
        setting=line.setting,
        setting_reason=line.setting_reason,
        nonfacility=line.local.nonfacility,
        facility=line.local.facility,
        national_nonfacility=line.national.nonfacility,
        national_facility=line.national.facility,
        allowed=allowed,
        national_allowed=national,
        difference=difference,
        difference_percent=percent,
        limiting_charge=limiting,
        cost_share=share,
        review=tuple(line.review),
        release=line.fee.vintage.used.id,
        conversion_factor=line.cf,
        gpci_work_column=line.work_column,
        trail=tuple(line.steps),
        provenance=_sources(line.sources),
        confidence=line.confidence,
        confidence_reason=_confidence_reason(line),
    )
    return result, remaining


def _share_step(share: CostShare, day: date, deductible_given: bool) -> Step:
    inputs: tuple[tuple[str, TrailValue], ...] = (
        ("allowed", share.allowed),
        ("deductible applied", share.deductible_applied),
        ("coinsurance 20%", share.coinsurance),
        ("sequestration", share.sequestration),
    )
    return Step(
        "cost share",
        inputs,
        share.medicare_pays,
        f"Medicare pays {share.medicare_pays}, patient pays {share.patient_pays}, "
        f"write-off {share.write_off} (sequestration of Medicare's 80% on {day})"
        + ("" if deductible_given else "; the deductible is assumed met (none given)"),
    )


def _sources(provenance: Sequence[Provenance]) -> tuple[Source, ...]:
    seen: dict[tuple[str, str, str], Source] = {}
    for p in provenance:
        key = (p.kind.value, p.release.id, p.file)
        if key not in seen:
            seen[key] = Source(
                p.kind.value, p.release.id, p.file, p.sha256,
                p.release.effective_from, p.release.effective_to, p.variant,
            )  # fmt: skip
    return tuple(seen.values())


def _confidence_reason(line: _Line) -> str:
    if line.confidence_notes:
        return "; ".join(dict.fromkeys(line.confidence_notes))
    return f"the releases in effect on {line.request.date_of_service} are loaded"


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
    confidence = min(r.confidence for r in results)
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
    sources = _sources([p for ln in lines for p in ln.sources])
    return ClaimResult(
        tuple(results), total, national, share, trail, sources, confidence, reasons[0], review
    )
