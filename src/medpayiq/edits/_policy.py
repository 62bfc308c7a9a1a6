"""Check 7: policy packs (`medpayiq.knowledge` YAML). Each rule `kind` has one function here;
the pack supplies the codes, limits, adjustment codes, fix, citation and dates.

Covered diagnoses come only from the Medicare Coverage Database export (`reference.coverage()`);
without it the checker says the list is not available and checks nothing it cannot know.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import date, timedelta

from medpayiq.knowledge import (
    AppealRoute,
    PolicyCode,
    PolicyPack,
    PolicyRule,
    appeal_advice,
)
from medpayiq.reference import Confidence, Coverage

from ._claim import ClaimLine
from ._context import CheckContext, Draft, EncounterContext
from ._pricing import PriceLine
from ._results import Guidance, Severity

__all__ = ["ClaimPolicies", "check_claim_policies", "check_encounter_policies", "claim_policies"]

_SIDES = {"RT": ("RT",), "LT": ("LT",), "50": ("RT", "LT")}


def check_encounter_policies(ctx: EncounterContext) -> tuple[list[Draft], list[Guidance]]:
    """The pack rules that read only the lines (levels, regions, imaging, KX), and the
    documentation each pack asks for, for the packs and rules in force in the period."""
    drafts: list[Draft] = []
    guidance: list[Guidance] = []
    for pack, rules in ctx.period.policies:
        codes = pack.codes
        lines = [(n, line, codes[line.hcpcs]) for n, line in ctx.lines if line.hcpcs in codes]
        if not lines:
            continue
        for rule in rules:
            check = _ENCOUNTER_CHECKS.get(rule.kind)
            if check is not None:
                drafts.extend(check(ctx, pack, rule, lines, guidance))
        guidance.append(
            Guidance(
                rule=f"policy.{pack.id}.documentation",
                lines=tuple(n for n, _, _ in lines),
                message="Keep in the record: " + " ".join(pack.documentation),
                source=_citation(pack, None),
            )
        )
    return drafts, guidance


ClaimPolicies = tuple[tuple[PolicyPack, tuple[PolicyRule, ...], tuple[int, ...]], ...]


def claim_policies(ctx: EncounterContext) -> ClaimPolicies:
    """The packs with lines on the encounter, their rules in force that read the history or
    the diagnoses, and the pack's line numbers: what `check_claim_policies` runs."""
    found = []
    for pack, rules in ctx.period.policies:
        numbers = tuple(n for n, line in ctx.lines if line.hcpcs in pack.codes)
        own = tuple(rule for rule in rules if rule.kind in _CLAIM_CHECKS)
        if numbers and own:
            found.append((pack, own, numbers))
    return tuple(found)


def check_claim_policies(ctx: CheckContext) -> list[Draft]:
    """The pack rules that read the history or the diagnoses (frequency, covered
    diagnoses), on the lines `claim_policies` found."""
    drafts: list[Draft] = []
    for pack, rules, numbers in ctx.encounter.claim_policies:
        lines = [(n, line, pack.codes[line.hcpcs]) for n, line in ctx.lines if n in numbers]
        for rule in rules:
            drafts.extend(_CLAIM_CHECKS[rule.kind](ctx, pack, rule, lines))
    return drafts


PackLines = list[tuple[int, ClaimLine, PolicyCode]]
EncounterLines = list[tuple[int, PriceLine, PolicyCode]]


def _citation(pack: PolicyPack, rule: PolicyRule | None) -> str:
    dates = (
        f"in force from {rule.effective_from}"
        + (f" to {rule.effective_to}" if rule.effective_to else "")
        if rule
        else f"in force from {pack.effective_from}"
    )
    text = rule.citation if rule else "; ".join(s.title for s in pack.sources)
    return f"{text} ({dates}; policy pack {pack.file})"


def _draft(
    pack: PolicyPack,
    rule: PolicyRule,
    lines: tuple[int, ...],
    message: str,
    *,
    fixed: tuple[tuple[int, PriceLine], ...] = (),
    severity: Severity | None = None,
    route: AppealRoute | None = None,
    source: str | None = None,
) -> Draft:
    chosen = severity or Severity(rule.severity)
    return Draft(
        rule=rule.id,
        severity=chosen,
        lines=lines,
        message=message,
        carc=rule.carc,
        rarc=rule.rarc,
        fix=rule.fix,
        appeal=appeal_advice(route or AppealRoute.REDETERMINATION, send=rule.appeal_send),
        source=source or _citation(pack, rule),
        # LCDs are per contractor and the pack states their shared text: medium, not high.
        confidence=Confidence.MEDIUM,
        fixed=fixed,
    )


def _one_year_before(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # Feb 29
        return day.replace(year=day.year - 1, day=28)


def _frequency(
    ctx: CheckContext, pack: PolicyPack, rule: PolicyRule, lines: PackLines
) -> list[Draft]:
    if not ctx.claim.history:
        return []
    limit = int(rule.params.get("max_sessions", 4))
    start = _one_year_before(ctx.day)
    drafts = []
    by_region: dict[str, list[int]] = defaultdict(list)
    for n, _, code in lines:
        by_region[code.region].append(n)
    for region, numbers in by_region.items():
        earlier = sorted(
            {
                h.date_of_service
                for h in ctx.claim.history
                if h.hcpcs in pack.codes
                and pack.codes[h.hcpcs].region == region
                and start < h.date_of_service < ctx.day
            }
        )
        session = len(earlier) + 1
        if session <= limit:
            continue
        shown = ", ".join(d.isoformat() for d in earlier)
        drafts.append(
            _draft(
                pack,
                rule,
                tuple(numbers),
                f"This is epidural session {session} in the {pack.regions[region]} region within "
                f"the rolling 12 months {start + timedelta(days=1)} to {ctx.day}: "
                f"at most {limit} are covered "
                f"(earlier sessions: {shown}). {_lines_phrase(numbers)} would be denied.",
            )
        )
    return drafts


def _lines_phrase(numbers: tuple[int, ...] | list[int]) -> str:
    return ("Line " if len(numbers) == 1 else "Lines ") + ", ".join(map(str, numbers))


def _one_region(
    ctx: EncounterContext,
    pack: PolicyPack,
    rule: PolicyRule,
    lines: EncounterLines,
    guidance: list[Guidance],
) -> list[Draft]:
    regions: dict[str, list[int]] = {}
    for n, _, code in lines:
        regions.setdefault(code.region, []).append(n)
    if len(regions) < 2:
        return []
    first, *others = regions
    extra = tuple(n for region in others for n in regions[region])
    names = " and ".join(pack.regions[r] for r in regions)
    return [
        _draft(
            pack,
            rule,
            extra,
            f"Epidural injections in two spinal regions ({names}) in one session: one region per "
            f"session is covered. The {pack.regions[first]} lines are kept; "
            f"{_lines_phrase(extra).lower()} would be denied.",
        )
    ]


def _levels(
    ctx: EncounterContext,
    pack: PolicyPack,
    rule: PolicyRule,
    lines: EncounterLines,
    guidance: list[Guidance],
) -> list[Draft]:
    drafts = []
    interlaminar_max = int(rule.params.get("interlaminar", 1))
    for n, line, code in lines:
        if code.approach == "interlaminar" and line.units > interlaminar_max:
            drafts.append(
                _draft(
                    pack,
                    rule,
                    (n,),
                    f"Line {n}: {line.units} units of {line.hcpcs}: an interlaminar epidural "
                    f"injection is covered for {interlaminar_max} level per session.",
                    fixed=((n, PriceLine(line.hcpcs, tuple(line.modifiers), interlaminar_max)),),
                    route=AppealRoute.REOPENING,
                )
            )
    transforaminal_max = int(rule.params.get("transforaminal", 2))
    by_region: dict[str, list[tuple[int, PriceLine, PolicyCode]]] = defaultdict(list)
    for item in lines:
        if item[2].approach == "transforaminal":
            by_region[item[2].region].append(item)
    for region, items in by_region.items():
        per_side: dict[str, int] = defaultdict(int)
        for _, line, _ in items:
            for side in _sides(line):
                per_side[side] += line.units
        levels = max(per_side.values(), default=0)
        if levels <= transforaminal_max:
            continue
        addons = tuple(n for n, _, code in items if code.addon) or tuple(n for n, _, _ in items)
        drafts.append(
            _draft(
                pack,
                rule,
                addons,
                f"{levels} transforaminal levels billed in the {pack.regions[region]} region "
                "(on one "
                f"side): at most {transforaminal_max} levels per session are covered; the "
                f"additional-level line{'s' if len(addons) > 1 else ''} "
                f"{', '.join(map(str, addons))} would be denied.",
                route=AppealRoute.REOPENING,
            )
        )
    return drafts


def _sides(line: PriceLine) -> tuple[str, ...]:
    sides: set[str] = set()
    for modifier in line.modifiers:
        sides.update(_SIDES.get(modifier, ()))
    return tuple(sides) or ("unspecified",)


def _imaging_required(
    ctx: EncounterContext,
    pack: PolicyPack,
    rule: PolicyRule,
    lines: EncounterLines,
    guidance: list[Guidance],
) -> list[Draft]:
    codes = set(rule.params.get("codes", ()))
    return [
        _draft(
            pack,
            rule,
            (n,),
            f"Line {n}: {line.hcpcs} is the epidural injection without imaging guidance; the "
            "MAC LCDs cover epidural injections only with fluoroscopic or CT guidance (62321 "
            "cervical/thoracic, 62323 lumbar/sacral).",
        )
        for n, line, code in lines
        if line.hcpcs in codes or not code.imaging
    ]


def _imaging_bundled(
    ctx: EncounterContext,
    pack: PolicyPack,
    rule: PolicyRule,
    lines: EncounterLines,
    guidance: list[Guidance],
) -> list[Draft]:
    guided = [line.hcpcs for _, line, code in lines if code.imaging]
    if not guided:
        return []
    imaging = set(rule.params.get("codes", ()))
    return [
        _draft(
            pack,
            rule,
            (n,),
            f"Line {n}: {line.hcpcs} (imaging guidance) is billed with "
            f"{', '.join(sorted(set(guided)))}, whose code already includes the imaging "
            "guidance; it is not billed separately, with or without a modifier.",
            route=AppealRoute.NOT_APPEALABLE,
        )
        for n, line in ctx.lines
        if line.hcpcs in imaging
    ]


def _kx(
    ctx: EncounterContext,
    pack: PolicyPack,
    rule: PolicyRule,
    lines: EncounterLines,
    guidance: list[Guidance],
) -> list[Draft]:
    snrb_codes = set(rule.params.get("codes", ()))
    drafts = []
    for n, line, _ in lines:
        if "KX" in line.modifiers and line.hcpcs not in snrb_codes:
            drafts.append(
                _draft(
                    pack,
                    rule,
                    (n,),
                    f"Line {n}: KX on {line.hcpcs}: the billing articles use KX to mark a "
                    "diagnostic selective nerve root block, which is billed with the "
                    "transforaminal "
                    "codes (64479-64484).",
                    route=AppealRoute.REOPENING,
                )
            )
    primaries = tuple(
        n
        for n, line, code in lines
        if line.hcpcs in snrb_codes and not code.addon and "KX" not in line.modifiers
    )
    if primaries:
        guidance.append(
            Guidance(
                rule=rule.id,
                lines=primaries,
                message="If this transforaminal injection was a diagnostic selective nerve root "
                "block, append KX and document the pre- and post-injection pain scores.",
                source=_citation(pack, rule),
            )
        )
    return drafts


def _covered_diagnosis(
    ctx: CheckContext, pack: PolicyPack, rule: PolicyRule, lines: PackLines
) -> list[Draft]:
    coverage = ctx.reference.coverage()
    if coverage.vintage is None or not coverage.diagnoses:
        ctx.notes.append(
            "Covered diagnoses for the epidural codes were not checked: the covered-diagnosis "
            "list is not available (no Medicare Coverage Database export is loaded; load the "
            "MCD article export with `medpayiq data load`)."
        )
        return []
    carrier = _carrier(ctx)
    drafts = []
    for n, line, _ in lines:
        articles = _articles_for(coverage, line.hcpcs, carrier)
        if not articles:
            mac = f" for MAC {carrier}" if carrier else ""
            ctx.notes.append(
                f"No billing article{mac} in the loaded Medicare Coverage Database "
                f"export lists {line.hcpcs}: its diagnoses were not checked."
            )
            continue
        ranges = [d for d in coverage.diagnoses if d.article_id in articles]
        dx = ctx.claim.line_diagnoses(line)
        if any(_in_range(code, r.icd10_from, r.icd10_to) for code in dx for r in ranges):
            continue
        ids = ", ".join(sorted(articles))
        drafts.append(
            _draft(
                pack,
                rule,
                (n,),
                f"Line {n}: none of the line's diagnoses ({', '.join(dx)}) is among the ICD-10-CM "
                f"codes that support medical necessity for {line.hcpcs} in billing article {ids}.",
                source=f"Medicare Coverage Database {coverage.vintage.used.id}, article {ids}; "
                f"{_citation(pack, rule)}",
            )
        )
    return drafts


def _carrier(ctx: CheckContext) -> str | None:
    """The claim's MAC carrier number: given, or from the locality its ZIP resolves to."""
    if ctx.claim.carrier:
        return ctx.claim.carrier
    locality = ctx.encounter.as_billed.locality
    return locality.split("-")[0] if locality else None


def _articles_for(coverage: Coverage, hcpcs: str, carrier: str | None) -> set[str]:
    """The articles for `hcpcs` that the claim's MAC uses. A billing article binds only the
    contractors it lists, so another MAC's article is never applied to this claim."""
    articles = {a.article_id for a in coverage.article_codes if a.hcpcs == hcpcs}
    if carrier and coverage.contractors:
        mine = {
            c.article_id for c in coverage.contractors if c.contractor_number.strip() == carrier
        }
        return articles & mine
    return articles


def _in_range(code: str, low: str, high: str) -> bool:
    low = low.replace(".", "").upper()
    high = (high or low).replace(".", "").upper()
    return low <= code <= high or code.startswith(high)


_ENCOUNTER_CHECKS: dict[
    str,
    Callable[
        [EncounterContext, PolicyPack, PolicyRule, EncounterLines, list[Guidance]], list[Draft]
    ],
] = {
    "one_region": _one_region,
    "levels": _levels,
    "imaging_required": _imaging_required,
    "imaging_bundled": _imaging_bundled,
    "kx_modifier": _kx,
}
_CLAIM_CHECKS: dict[
    str, Callable[[CheckContext, PolicyPack, PolicyRule, PackLines], list[Draft]]
] = {
    "frequency": _frequency,
    "covered_diagnosis": _covered_diagnosis,
}
