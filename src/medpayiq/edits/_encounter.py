"""The encounter part of a check, worked out once per period and kept there.

An encounter is what a claim bills and where: its lines as billed (code, modifiers, units),
the place (ZIP or carrier and locality, place of service), the provider's billing terms
(participation, type) and the codes the history has on the same day (`EncounterKey`). The
checks that read nothing else (codes, NCCI PTP, MUE and add-on edits, modifiers, same-day
E/M and procedure, the policy rules on the lines) give the same drafts on every date of the
period, and so does the pricing of those lines (`_day.Period`). An `Encounter` holds those
drafts priced into findings, the claim priced as billed and as it would be paid once they
apply, and what a claim's own drafts (diagnoses, history) need to join them: the price of
any set of lines, kept by the lines denied.

A practice sends the same encounters all day, so most claims find theirs already worked out
and only run their own checks (see `_check`).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import replace
from decimal import Decimal
from typing import Any

from medpayiq.money import ZERO
from medpayiq.records import positional_maker
from medpayiq.reference import Confidence, ReferenceData

from ._claim import Claim
from ._codes import check_place_of_service, check_procedure_codes
from ._context import Draft, EncounterContext, EncounterKey
from ._day import DayTables, Period, lowest, remember
from ._global import check_same_day
from ._modifiers import check_modifiers
from ._ncci import check_addons, check_mue, check_ptp
from ._policy import ClaimPolicies, check_encounter_policies, claim_policies
from ._pricing import LinePrices, PriceLine, Where, price_lines
from ._renumber import renumber
from ._results import AdjustmentRef, Finding, Guidance, PricedClaim, PricedLine, Severity

__all__ = ["Encounter", "PartNames", "encounter", "finding_order"]

# How a part of a claim on several dates names its lines in the joined claim (`_parts`): the
# claim's number of each of its lines, in order, its date (ISO) and its place of service.
PartNames = tuple[tuple[int, ...], str, str]

_NO_CODES: frozenset[str] = frozenset()
_OWN_BOUND = 64  # an encounter's own tables: its priced claims, its prices by lines denied


def encounter(
    reference: ReferenceData, tables: DayTables, claim: Claim
) -> tuple[Encounter, str | None]:
    """The claim's encounter on its date (kept for the period, worked out if new), and how
    the claim's ZIP found its locality (None: not a ZIP that names one locality)."""
    period = tables.period
    place = period.place(claim.zip, claim.carrier, claim.locality)
    key = _claim_key(claim, place.key)
    memo = period.memo("encounters")
    found: Encounter | None = memo.get(key)
    if found is None:
        _, pos, participating, provider_type, lines, same_day = key
        full = EncounterKey(
            place.key,
            Where(claim.zip, claim.carrier, claim.locality, pos),
            participating,
            provider_type,
            tuple(_named(period, line) for line in lines),
            same_day,
        )
        context = EncounterContext(reference, period, full)
        found = remember(memo, key, Encounter(context, place.found_by))
    return found, place.found_by


def _named(period: Period, line: tuple[str, tuple[str, ...], int]) -> PriceLine:
    """One `PriceLine` per distinct line in the period, shared by its encounters."""
    named = period.memo("lines")
    found: PriceLine | None = named.get(line)
    if found is None:
        found = remember(named, line, PriceLine._make(line))
    return found


def _claim_key(claim: Claim, place: Hashable) -> tuple[Any, ...]:
    """What the encounter checks read of `claim` (an `EncounterKey`'s values, the place as
    `Period.place` shares it), as plain tuples: this is built for every claim, the named
    one only for a new encounter."""
    provider = claim.provider
    same_day = _NO_CODES
    if claim.history:
        day, npi = claim.date_of_service, provider.npi
        same_day = frozenset(
            h.hcpcs
            for h in claim.history
            if h.date_of_service == day and (h.provider_npi is None or h.provider_npi == npi)
        )
    lines = tuple([(ln.hcpcs, tuple(ln.modifiers), ln.units) for ln in claim.lines])
    return (
        place, claim.place_of_service, provider.participating, provider.type, lines, same_day,
    )  # fmt: skip


def finding_order(finding: Finding) -> tuple[int, tuple[int, ...], str]:
    return (-_RANK[finding.severity], finding.lines, finding.rule)


_RANK = {Severity.DENY: 2, Severity.REVIEW: 1, Severity.INFO: 0}


class Encounter:
    """The encounter checks of one encounter in one period, priced. Shared by every claim
    of the encounter in the period: read it, never change it (its memo tables aside)."""

    __slots__ = (
        "_alone", "_ctx", "_line_risk", "_priced", "_prices", "as_billed", "claim_policies",
        "confidence", "denied", "findings", "found_by", "guidance",
    )  # fmt: skip

    def __init__(self, ctx: EncounterContext, found_by: str | None) -> None:
        self._ctx = ctx
        self.found_by = found_by  # how the ZIP it was priced with found its locality
        self._prices: dict[frozenset[int], LinePrices] = {}
        self._priced: dict[Any, PricedClaim] = {}
        drafts, guidance, self.claim_policies = _encounter_drafts(ctx)
        self.guidance = tuple(guidance)
        self.as_billed = self.price(ctx.lines)
        self.denied = _denied(drafts)
        risks = [self.risks(d) for d in drafts]
        found = [self.finding(d, r) for d, r in zip(drafts, risks, strict=True)]
        found.sort(key=finding_order)
        self.findings = tuple(found)
        self._line_risk = _line_risk(drafts, risks)
        # A priced claim's confidence is its lines' as billed (`_priced_claim`).
        self.confidence = lowest([*(f.confidence for f in found), self.as_billed.confidence])
        # What a claim with no drafts of its own and no charges gets (most JSON claims; an
        # 837P line always has a charge): made when first asked.
        self._alone: tuple[tuple[Finding, ...], PricedClaim, Confidence] | None = None

    # -- what a claim's own drafts need

    def price(self, lines: Sequence[tuple[int, PriceLine]]) -> LinePrices:
        key = self._ctx.key
        return price_lines(
            self._ctx.reference,
            self._ctx.period,
            key.where,
            key.place,
            key.participating,
            key.provider_type,
            lines,
        )

    def expected(self, denied: frozenset[int]) -> LinePrices:
        """The lines that remain once `denied` are removed, priced together. When no claim
        rule tied the lines together (`linked`), or only lines without an amount are removed
        (they take no part in the rules), the others keep their amounts as billed
        (tests/edits/test_pricing_glue.py holds the engine to both)."""
        found = self._prices.get(denied)
        if found is None:
            billed = self.as_billed
            if billed.linked and any(billed.allowed.get(n) is not None for n in denied):
                kept = [(n, line) for n, line in self._ctx.lines if n not in denied]
                found = self.price(kept)
            else:
                found = self.as_billed
            remember(self._prices, denied, found, _OWN_BOUND)
        return found

    def risks(self, draft: Draft) -> dict[int, Decimal | None]:
        """What each of the draft's lines would earn if the finding were fixed."""
        if draft.severity is Severity.INFO:
            return {}
        allowed = self.as_billed.allowed
        risks: dict[int, Decimal | None] = {n: allowed.get(n) for n in draft.lines}
        if draft.fixed:
            fixed = dict(draft.fixed)
            lines = [(n, fixed.get(n, line)) for n, line in self._ctx.lines]
            repriced = self.price(lines)
            for n in draft.lines:
                risks[n] = repriced.allowed.get(n) if n in fixed else ZERO
        return risks

    def finding(self, draft: Draft, risks: dict[int, Decimal | None]) -> Finding:
        """The draft with its titles and dollars: one object per draft and amount in the
        period (an info finding, or the same lines priced alike, on many encounters)."""
        at_risk = _sum(risks.values()) if draft.severity is not Severity.INFO else None
        memo = self._ctx.memo("findings")
        key = (id(draft), at_risk)
        found = memo.get(key)
        # The entry holds its draft, so the id in the key cannot be reused while it lives.
        if found is not None and found[0] is draft:
            return found[1]  # type: ignore[no-any-return]
        refs = self._ctx.period.adjustments
        finding = _new_finding(
            draft.rule,
            draft.severity,
            draft.lines,
            draft.message,
            _refs(self._ctx, refs, draft.carc),
            _refs(self._ctx, refs, draft.rarc),
            at_risk,
            draft.fix,
            draft.appeal,
            draft.source,
            draft.confidence,
        )
        remember(memo, key, (draft, finding))
        return finding

    def with_claim(
        self,
        drafts: Sequence[Draft],
        charges: tuple[Decimal | None, ...] | None,
        found_by: str | None,
        names: PartNames | None = None,
    ) -> tuple[tuple[Finding, ...], PricedClaim, Confidence]:
        """The findings, priced claim and confidence once a claim's own `drafts` join the
        encounter's, with the claim's `charges` (None: no line has one) and how its ZIP
        found the locality. `names`: the claim is a part of another, whose numbers, date
        and place its priced lines take (`PartNames`)."""
        if not drafts and charges is None and found_by == self.found_by and names is None:
            if self._alone is None:
                priced = self.priced_claim(self.denied, self._line_risk, None, found_by)
                self._alone = (self.findings, priced, self.confidence)
            return self._alone
        if not drafts:
            priced = self.priced_claim(self.denied, self._line_risk, charges, found_by, names)
            return self.findings, priced, lowest([self.confidence, priced.confidence])
        risks = [self.risks(d) for d in drafts]
        own = [self.finding(d, r) for d, r in zip(drafts, risks, strict=True)]
        findings = sorted([*self.findings, *own], key=finding_order)
        denied = self.denied | _denied(drafts)
        line_risk = _line_risk(drafts, risks, dict(self._line_risk))
        priced = self.priced_claim(denied, line_risk, charges, found_by, names)
        confidence = lowest([self.confidence, priced.confidence, *(f.confidence for f in own)])
        return tuple(findings), priced, confidence

    def priced_claim(
        self,
        denied: frozenset[int],
        line_risk: dict[int, Decimal],
        charges: tuple[Decimal | None, ...] | None,
        found_by: str | None,
        names: PartNames | None = None,
    ) -> PricedClaim:
        """The claim priced as billed and with `denied` removed, its source naming how the
        claim's ZIP found the locality (kept by what it depends on: practices charge the
        same amount for a code on every claim). A part's (`names`) is made each time: its
        lines take the joined claim's numbers, which the next claim numbers otherwise."""
        key = (denied, tuple(line_risk.items()), charges, found_by)
        found = self._priced.get(key) if names is None else None
        if found is None:
            expected = self.expected(denied)
            billed = self.as_billed
            source = billed.source or expected.source
            if found_by is not None and billed.source:
                # The prices may come from another ZIP of the locality: name this one.
                source = billed.source_at(found_by)
            found = _priced_claim(
                self._ctx.lines, charges, billed, expected, denied, line_risk, source, names
            )
            if names is None:
                remember(self._priced, key, found, _OWN_BOUND)
        return found


# Findings and priced lines in field order (`records.positional_maker`): most of what a new
# encounter builds.
_new_finding = positional_maker(Finding)
_new_priced_line = positional_maker(PricedLine)
_new_priced_claim = positional_maker(PricedClaim)

_Drafts = tuple[list[Draft], list[Guidance], ClaimPolicies]


def _encounter_drafts(ctx: EncounterContext) -> _Drafts:
    """The encounter checks' drafts, in the checker's order: place of service, codes, NCCI
    PTP, MUE, add-on, modifiers, same-day global surgery, policy packs; their guidance; the
    pack rules the claim will run. They read the lines, the same-day codes and the place of
    service, never the place or the provider, so they are kept for the period by those
    three (the lists are shared: never changed)."""
    key = (ctx.key.lines, ctx.key.same_day, ctx.key.pos)
    memo = ctx.memo("encounter-drafts")
    found: _Drafts | None = memo.get(key)
    if found is None:
        codes, ptp, pairs, mue, modifiers = _line_checks(ctx)
        drafts = [*check_place_of_service(ctx), *codes, *ptp, *mue]
        drafts += _not_bundled(check_addons(ctx), ptp)
        drafts += modifiers
        drafts += check_same_day(ctx, pairs)
        policy, guidance = check_encounter_policies(ctx)
        drafts = _fold_bundled_imaging(drafts, policy)
        found = remember(memo, key, (drafts, guidance, claim_policies(ctx)))
    return found


_LineChecks = tuple[list[Draft], list[Draft], set[tuple[str, str]], list[Draft], list[Draft]]


def _line_checks(ctx: EncounterContext) -> _LineChecks:
    """The checks that read only the lines' codes, modifiers and units and the period's
    tables (codes, NCCI PTP and MUE, modifiers), kept for the period by the lines: the
    same line set comes from many places. The lists are shared: never changed."""
    memo = ctx.memo("line-checks")
    key = ctx.key.lines
    found: _LineChecks | None = memo.get(key)
    if found is None:
        ptp, pairs = check_ptp(ctx)
        found = (check_procedure_codes(ctx), ptp, pairs, check_mue(ctx), check_modifiers(ctx))
        remember(memo, key, found)
    return found


def _not_bundled(addons: list[Draft], ptp: list[Draft]) -> list[Draft]:
    """The add-on findings on lines no NCCI PTP edit denies. A line an edit bundles into
    another code is denied for that cause; an add-on finding beside it (77003 after 62323:
    the imaging is part of 62323, and 62323 is not one of 77003's primaries) would deny it a
    second time for a consequence of the same fact."""
    bundled = {n for d in ptp if d.rule == "ncci.ptp" for n in d.lines}
    if not bundled:
        return addons
    return [d for d in addons if not bundled.issuperset(d.lines)]


def _fold_bundled_imaging(drafts: list[Draft], policy: list[Draft]) -> list[Draft]:
    """A policy "imaging is part of the code" finding on a line that an NCCI PTP edit already
    denies becomes part of that finding: one finding, with the policy's fix (no modifier
    applies) and both sources."""
    out = list(drafts)
    for draft in policy:
        if not draft.rule.endswith(".imaging-bundled"):
            out.append(draft)
            continue
        hits = [i for i, d in enumerate(out) if d.rule == "ncci.ptp" and d.lines == draft.lines]
        if not hits:
            out.append(draft)
            continue
        for i in hits:
            ptp = out[i]
            message = ptp.message.split(" A modifier would be accepted")[0]
            out[i] = replace(
                ptp,
                message=f"{message} {draft.message.split(': ', 1)[-1]}",
                fix=draft.fix,
                appeal=draft.appeal,
                source=f"{ptp.source}; {draft.source}",
            )
    return out


def _denied(drafts: Iterable[Draft]) -> frozenset[int]:
    return frozenset(n for d in drafts if d.severity is Severity.DENY and d.denies for n in d.lines)


def _line_risk(
    drafts: Sequence[Draft],
    risks: Sequence[dict[int, Decimal | None]],
    into: dict[int, Decimal] | None = None,
) -> dict[int, Decimal]:
    """What the deny findings put at risk, per line (the largest, when several deny it),
    in line order."""
    line_risk = into if into is not None else {}
    for draft, risk in zip(drafts, risks, strict=True):
        if draft.severity is Severity.DENY and draft.denies:
            for n, amount in risk.items():
                if amount is not None:
                    line_risk[n] = max(line_risk.get(n, ZERO), amount)
    return dict(sorted(line_risk.items()))


def _sum(values: Iterable[Decimal | None]) -> Decimal | None:
    known = [v for v in values if v is not None]
    return sum(known, ZERO) if known else None


def _refs(
    ctx: EncounterContext,
    refs: dict[tuple[str, ...], tuple[AdjustmentRef, ...]],
    codes: tuple[str, ...],
) -> tuple[AdjustmentRef, ...]:
    """CARCs or RARCs with their titles from the X12 code set ("" if the set lacks one),
    kept in `refs`."""
    found = refs.get(codes)
    if found is None:
        adjustments = ctx.code_sets.adjustments
        found = refs[codes] = tuple(
            AdjustmentRef(c, a.description if (a := adjustments.get(c)) is not None else "")
            for c in codes
        )
    return found


def _priced_claim(
    numbered: Sequence[tuple[int, PriceLine]],
    charges: tuple[Decimal | None, ...] | None,
    as_billed: LinePrices,
    expected: LinePrices,
    denied: frozenset[int],
    line_risk: dict[int, Decimal],
    source: str,
    names: PartNames | None,
) -> PricedClaim:
    numbers, when, pos = names if names is not None else ((), None, None)
    lines = []
    billed_total = expected_total = None
    for n, line in numbered:
        billed = as_billed.allowed.get(n)
        amount: Decimal | None
        if n in denied:
            status, amount, note = "denied", ZERO, "a deny finding applies"
        else:
            amount = expected.allowed.get(n)
            note = expected.notes.get(n, as_billed.notes.get(n, ""))
            status = "paid" if amount is not None else "unpriced"
        if billed is not None:
            billed_total = billed if billed_total is None else billed_total + billed
        if amount is not None:
            expected_total = amount if expected_total is None else expected_total + amount
        charge = charges[n - 1] if charges is not None else None
        schedule = as_billed.schedules.get(n, "pfs")
        number = n
        if numbers:
            number = numbers[n - 1]
            note = renumber(note, numbers) if note else note
        made = _new_priced_line(
            number, line.hcpcs, line.modifiers, line.units, charge, billed, amount, status,
            note, schedule, when, pos,
        )  # fmt: skip
        lines.append(made)
    return _new_priced_claim(
        as_billed.locality or expected.locality,
        as_billed.facility if as_billed.facility is not None else expected.facility,
        tuple(lines),
        billed_total,
        expected_total,
        sum(line_risk.values(), ZERO) if line_risk else ZERO,
        source,
        as_billed.confidence,
        (as_billed.problem,) if as_billed.problem else (),
    )
