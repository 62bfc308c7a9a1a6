"""A claim whose lines name several dates, places or rendering providers, checked as a
contractor does: one encounter per (date of service, place of service, rendering provider),
each through the one-encounter check, the answers joined back on the claim's own lines.

- A part is the lines of one (date, place, provider), in claim order, numbered from 1 within
  the part for the check. Every other line of the claim is the part's history (its date, code,
  modifiers, units and provider), beside the claim's own history: the history rules read it by
  their own dates (frequency counts earlier days only; global periods include the day of, and
  the day before a 090 procedure; add-on primaries the same day by the same provider).
- Places of service are their own parts: an office visit and a hospital procedure on one day
  are priced in their own settings, and NCCI edits are not run between them (the encounter
  checks read one place); docs/claim-checker.md says so.
- The joined result: findings and guidance with the claim's line numbers (their words too:
  "Line 2" of a part is renamed to the claim's number), sorted as the checker sorts; the
  priced lines in claim order, each with its date and place (a part's check prices them so,
  `PartNames`: they are made once, not made and renamed); totals summed; notes, sources
  and the confidence of every part. A finding the caller added (`extra`) is split by part and
  joined again into one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from datetime import date
from decimal import Decimal

from medpayiq.money import ZERO
from medpayiq.records import positional_maker

from ._claim import Claim, HistoryService, Provider, unchecked
from ._context import Draft
from ._day import lowest
from ._encounter import PartNames, finding_order
from ._memo import remember
from ._renumber import renumber
from ._results import CheckResult, Finding, Guidance, PricedClaim

__all__ = ["Part", "check_parts", "claim_parts"]

PartKey = tuple[date, str, str]  # date of service, place of service, rendering NPI
Part = tuple[PartKey, tuple[int, ...]]  # the key and the claim's 1-based line numbers


def claim_parts(claim: Claim) -> list[Part]:
    """The claim's encounters in date order (then first line), each with its lines."""
    day, pos, npi = claim.date_of_service, claim.place_of_service, claim.provider.npi
    groups: dict[PartKey, list[int]] = {}
    for n, line in enumerate(claim.lines, start=1):
        key = (
            line.date_of_service or day,
            line.place_of_service or pos,
            line.provider_npi or npi,
        )
        groups.setdefault(key, []).append(n)
    return sorted(((k, tuple(v)) for k, v in groups.items()), key=lambda p: (p[0][0], p[1][0]))


def part_claim(claim: Claim, part: Part, others: Sequence[HistoryService] | None = None) -> Claim:
    """The claim of one part: its lines, its date, place and provider, and the claim's other
    lines added to the history. Built from the claim's own (valid) values, unvalidated.
    `others`: every line of the claim as a history item (`as_history`), made once for all
    the parts."""
    (day, pos, npi), numbers = part
    inside = set(numbers)
    lines = claim.lines
    if others is None:
        others = as_history(claim)
    history = [item for n, item in enumerate(others, start=1) if n not in inside]
    provider = claim.provider
    if provider.npi != npi:
        provider = unchecked(Provider, {**provider.__dict__, "npi": npi})
    values = dict(claim.__dict__)
    values.update(
        date_of_service=day,
        place_of_service=pos,
        provider=provider,
        lines=[lines[n - 1] for n in numbers],
        history=[*claim.history, *history] if history else claim.history,
    )
    return unchecked(Claim, values)


def as_history(claim: Claim) -> list[HistoryService]:
    """Each line of the claim as the history of the parts it is not in."""
    default_day, default_npi = claim.date_of_service, claim.provider.npi
    return [
        unchecked(
            HistoryService,
            {
                "date_of_service": line.date_of_service or default_day,
                "hcpcs": line.hcpcs,
                "modifiers": line.modifiers,
                "units": line.units,
                "provider_npi": line.provider_npi or default_npi,
            },
        )
        for line in claim.lines
    ]


# A part's check: its claim, the caller's drafts on its lines, and how the joined claim names
# them (its priced lines come out with the claim's numbers, date and place).
Check = Callable[[Claim, Sequence[Draft], PartNames], CheckResult]


def check_parts(
    claim: Claim, parts: list[Part], extra: Sequence[Draft], check: Check
) -> CheckResult:
    """Check each part with `check` and join the answers on the claim's lines."""
    results = []
    others = as_history(claim)
    for part in parts:
        (day, pos, _), numbers = part
        position = {n: i for i, n in enumerate(numbers, start=1)}
        drafts = [d for d in (_within(d, position) for d in extra) if d is not None]
        names = (numbers, day.isoformat(), pos)
        results.append((numbers, check(part_claim(claim, part, others), drafts, names)))
    return _joined(claim, results, extra)


def _within(draft: Draft, position: dict[int, int]) -> Draft | None:
    """The draft on the part's lines (numbered within the part), None if it has none."""
    lines = tuple(position[n] for n in draft.lines if n in position)
    if not lines:
        return None
    fixed = tuple((position[n], line) for n, line in draft.fixed if n in position)
    if lines == draft.lines and fixed == draft.fixed:
        return draft  # the part numbers these lines as the claim does
    return replace(draft, lines=lines, fixed=fixed)


def _joined(
    claim: Claim,
    results: list[tuple[tuple[int, ...], CheckResult]],
    extra: Sequence[Draft],
) -> CheckResult:
    own = {(d.rule, d.message) for d in extra}
    findings: list[Finding] = []
    added: dict[tuple[str, str, str], Finding] = {}
    guidance: dict[tuple[str, str, tuple[int, ...]], Guidance] = {}
    for numbers, result in results:
        # The words may name lines other than the finding's (a PTP finding names the line it
        # is bundled with): renumbered unless the part numbers every line as the claim does.
        words = any(n != i for i, n in enumerate(numbers, start=1))
        for f in result.findings:
            if (f.rule, f.message) in own:
                lines = tuple(numbers[i - 1] for i in f.lines)
                key = (f.rule, f.message, f.fix)
                added[key] = _merged(added.get(key), f, lines)
            else:
                findings.append(_renumbered(f, numbers, words))
        for g in result.guidance:
            lines = tuple(numbers[i - 1] for i in g.lines)
            message = renumber(g.message, numbers)
            said = (g.rule, message, lines)
            if said not in guidance:
                guidance[said] = _new_guidance(g.rule, lines, message, g.source)
    findings += added.values()
    findings.sort(key=finding_order)
    return CheckResult(
        claim_id=claim.claim_id,
        date_of_service=claim.date_of_service.isoformat(),
        findings=tuple(findings),
        guidance=tuple(guidance.values()),
        priced=_priced(results),
        notes=_dates_union(r.notes for _, r in results),
        sources=_dates_union(r.sources for _, r in results),
        confidence=lowest([r.confidence for _, r in results]),
        checks_run=results[0][1].checks_run,
    )


# The joined claim's findings and guidance, in field order (`records.positional_maker`).
_new_finding = positional_maker(Finding)
_new_guidance = positional_maker(Guidance)

_RENUMBERED: dict[tuple[int, tuple[int, ...]], tuple[Finding, Finding]] = {}


def _renumbered(finding: Finding, numbers: tuple[int, ...], words: bool) -> Finding:
    """The finding on the claim's line numbers (`words`: in its words too). The checker
    shares its findings between the claims of an encounter, so the renumbered one is kept
    too (by the finding and the numbering; the entry holds the finding, so its id cannot be
    reused while it lives)."""
    key = (id(finding), numbers)
    found = _RENUMBERED.get(key)
    if found is not None and found[0] is finding:
        return found[1]
    made = finding
    if words:
        # Every field given in order (`dataclasses.replace` takes several times as long, and
        # this runs for most findings of a claim on several dates).
        made = _new_finding(
            finding.rule,
            finding.severity,
            tuple([numbers[i - 1] for i in finding.lines]),
            renumber(finding.message, numbers),
            finding.carc,
            finding.rarc,
            finding.at_risk,
            renumber(finding.fix, numbers),
            finding.appeal,
            finding.source,
            finding.confidence,
        )
    remember(_RENUMBERED, key, (finding, made))
    return made


def _merged(before: Finding | None, finding: Finding, lines: tuple[int, ...]) -> Finding:
    """A caller's finding (`extra`) joined again: its lines and amounts over the parts."""
    if before is None:
        at_risk, confidence = finding.at_risk, finding.confidence
    else:
        lines = tuple(sorted({*before.lines, *lines}))
        at_risk = finding.at_risk
        if before.at_risk is not None:
            at_risk = before.at_risk + (at_risk or ZERO)
        confidence = lowest([before.confidence, finding.confidence])
        finding = before
    f = finding
    return _new_finding(
        f.rule, f.severity, lines, f.message, f.carc, f.rarc, at_risk, f.fix, f.appeal,
        f.source, confidence,
    )  # fmt: skip


def _priced(results: list[tuple[tuple[int, ...], CheckResult]]) -> PricedClaim:
    """The parts' priced claims joined (their lines already carry the claim's numbers, each
    with its date and place: `PartNames`)."""
    priced = [r.priced for _, r in results]
    by_line = {p.line: p for part in priced for p in part.lines}
    facilities = {p.facility for p in priced}
    localities = [p.locality for p in priced if p.locality is not None]
    return PricedClaim(
        locality=localities[0] if localities else None,
        facility=facilities.pop() if len(facilities) == 1 else None,
        lines=tuple(by_line[n] for n in sorted(by_line)),
        total_as_billed=_total(p.total_as_billed for p in priced),
        total_expected=_total(p.total_expected for p in priced),
        at_risk=_total(p.at_risk for p in priced),
        source="; ".join(_union((p.source,) for p in priced if p.source)),
        confidence=lowest([p.confidence for p in priced]),
        notes=_union(p.notes for p in priced),
    )


def _total(amounts: Iterable[Decimal | None]) -> Decimal | None:
    known = [a for a in amounts if a is not None]
    return sum(known, ZERO) if known else None


def _union(groups: Iterable[tuple[str, ...]]) -> tuple[str, ...]:
    """The items of `groups` in order, each once (the parts of a claim mostly give equal
    groups: the sources and notes of dates of one period)."""
    listed = list(groups)
    first = listed[0] if listed else ()
    if all(group == first for group in listed):
        return tuple(dict.fromkeys(first)) if len(first) > 1 else first
    return tuple(dict.fromkeys(item for group in listed for item in group))


def _dates_union(groups: Iterable[tuple[str, ...]]) -> tuple[str, ...]:
    """`_union` of the parts' notes or sources. A part gives its date's own tuple (one
    object per date), so the answer is kept by the groups' identities (the entry holds
    them, so their ids cannot be reused while it lives)."""
    listed = list(groups)
    key = tuple([id(group) for group in listed])
    found = _UNIONS.get(key)
    if found is not None and found[0] == listed:
        return found[1]
    return remember(_UNIONS, key, (listed, _union(listed)), _UNIONS_KEPT)[1]


_UNIONS: dict[tuple[int, ...], tuple[list[tuple[str, ...]], tuple[str, ...]]] = {}
_UNIONS_KEPT = 1_024  # a file's dates, taken one, two or three at a time, as its claims do
