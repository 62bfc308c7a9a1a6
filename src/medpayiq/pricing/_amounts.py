"""price_amounts: the allowed amount of each line of a one-date claim, without the trail.

For callers that price many claims and read only the money (the claim checker). The rules
are price_claim's, run on the same prepared lines (`_engine._prepare`), on the local view
only. What makes it cheap:

- The claim is asked as it is billed: one date, one place, lines of (code, modifiers,
  units), so nothing is built per line before it is looked up.
- Prepared lines come from the table shared by every date that prices alike
  (`_context.shared_table`): a date seen for the first time reuses its quarter's lines.
- The claim rules' outcome for a set of prepared lines, units and provider is kept there too.
- With `skip_invalid`, a line the engine rejects for its own sake (unknown code, invalid
  modifier, bad units) is left unpriced with the engine's message instead of failing the
  claim, and the rejection is kept for the date (its message names the date).

What differs by date (the confidence of the date's releases) is read from the date's own
context for every answer.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any, NamedTuple

from medpayiq.errors import InputError, ReleaseNotLoaded
from medpayiq.money import ZERO
from medpayiq.reference import Confidence, FeeSchedule, ReferenceData

from ._context import (
    SHARED_CLAIMS,
    SHARED_LINES,
    SHARED_PLACES,
    DayContext,
    HeadKey,
    context_for,
    lowest,
    trim,
)
from ._engine import (
    _claim_rules,
    _Line,
    _prepare,
    _Prepared,
    _provider_amount,
    untouched_alone,
)
from ._types import (
    NATIONAL,
    ClaimAmounts,
    LineRequest,
    Location,
    ResolvedLocation,
    ServiceLine,
    Setting,
)

__all__ = ["price_amounts", "price_period"]

# The request fields a line's own errors name: such a line is skipped, not the claim.
LINE_PARAMETERS = frozenset({"hcpcs", "modifier", "units"})


class _Claim(NamedTuple):
    """What every line of the claim shares."""

    day: date
    location: Location
    pos: str | None
    setting: Setting | None
    qp: bool

    def request(self, line: ServiceLine) -> LineRequest:
        return LineRequest(
            line[0], self.day, line[1], line[2], self.location, self.pos, self.setting
        )


class _Outcome(NamedTuple):
    """What the claim rules answer for some prepared lines (None: rejected), units and
    provider, on any date that prices alike: a `ClaimAmounts` but for the confidence."""

    allowed: tuple[Decimal | None, ...]
    messages: tuple[str, ...]
    total: Decimal
    conversion_factors: tuple[Decimal | None, ...]
    locations: tuple[ResolvedLocation | None, ...]
    settings: tuple[Setting | None, ...]
    rejected: tuple[str | None, ...]
    head_keys: tuple[HeadKey, ...]  # each kind of line once, in claim order
    linked: bool


def price_amounts(
    reference: ReferenceData,
    date_of_service: date,
    lines: Sequence[ServiceLine],
    *,
    location: Location = NATIONAL,
    pos: str | None = None,
    setting: Setting | None = None,
    qp: bool = False,
    non_participating: bool = False,
    npp: bool = False,
    skip_invalid: bool = False,
) -> ClaimAmounts:
    """What price_claim allows each line of a claim of one date and place, by the same
    rules, without the trail, the national comparison or the cost share.

    Raises as price_claim does. With `skip_invalid`, a line rejected for its own code,
    modifiers or units is left out of the claim (`rejected[i]` the field its error names,
    `messages[i]` the error) and the others are priced together."""
    if not lines:
        raise InputError("a claim needs at least one line", parameter="lines")
    claim = _Claim(date_of_service, location, pos, setting, qp)
    try:
        fee = reference.fee_schedule(date_of_service, qp=qp)
    except ReleaseNotLoaded:
        for line in lines:  # the error price_claim would give first
            try:
                _prepare(reference, claim.request(line), qp)
            except InputError as exc:
                if not (skip_invalid and exc.parameter in LINE_PARAMETERS):
                    raise
        raise
    ctx = context_for(reference, fee, date_of_service, qp)
    preps, errors = _prepared(reference, fee, ctx, claim, lines, skip_invalid)
    shared = ctx.shared(reference, fee).claims
    key: tuple[object, ...] = (
        *map(id, preps), *(line[2] for line in lines), non_participating, npp,
        # Rejected lines are all None in `preps`: their errors tell them apart.
        *(errors.items() if errors else ()),
    )  # fmt: skip
    entry = shared.get(key)
    # An entry holds its lines, so the ids in its key cannot be reused while it lives (and
    # the tuples compare by identity first).
    if entry is not None and entry[0] == preps:
        outcome: _Outcome = entry[1]
    else:
        outcome = _outcome(ctx, fee, claim, lines, preps, errors, non_participating, npp, shared)
        trim(shared, SHARED_CLAIMS)
        shared[key] = (preps, outcome)
    return _amounts(reference, ctx, fee, outcome)


def price_period(reference: ReferenceData, date_of_service: date, *, qp: bool = False) -> Hashable:
    """What two dates share when `price_amounts` answers every claim alike on both: the same
    amounts, messages, locations, settings, release and confidence (the dates of a quarter,
    as a rule). Only `confidence_reason` and the message of a code missing from the fee
    schedule name the date. Raises ReleaseNotLoaded as price_amounts does.

    For callers that keep what they derive from the amounts per period, not per date."""
    fee = reference.fee_schedule(date_of_service, qp=qp)
    ctx = context_for(reference, fee, date_of_service, qp)
    try:
        geography: Confidence | None = reference.geography(date_of_service).vintage.confidence
    except ReleaseNotLoaded:
        geography = None
    components = tuple(
        (kind.value, vintage.confidence)
        for kind, vintage in sorted(fee.component_vintages.items(), key=lambda kv: kv[0].value)
    )
    # The shared tables stand for the rows, CF and work GPCI column; the confidences are
    # what a line's head reads of the date's vintages.
    return (
        ctx.price_class(reference, fee), fee.vintage.confidence, components, geography,
        ctx.column_confidence,
    )  # fmt: skip


def _prepared(
    reference: ReferenceData,
    fee: FeeSchedule,
    ctx: DayContext,
    claim: _Claim,
    lines: Sequence[ServiceLine],
    skip_invalid: bool,
) -> tuple[tuple[_Prepared | None, ...], dict[int, tuple[str, str]]]:
    """Each line's `_Prepared` (None: rejected, with the field its error names and the
    message, by position). A line asked as before is one look-up by (code, modifiers, place
    number); any other goes through `_prepare`, which checks and normalises it."""
    shared = ctx.shared(reference, fee)
    place = (claim.pos, claim.setting, claim.location)
    number = shared.places.get(place)
    if number is None:
        # Numbers are handed out by count: the places start again only with the lines
        # keyed by them.
        if len(shared.places) >= SHARED_PLACES:
            shared.places.clear()
            shared.by_place.clear()
        number = shared.places[place] = len(shared.places)
    get = shared.by_place.get
    preps: list[_Prepared | None] = []
    errors: dict[int, tuple[str, str]] = {}
    for i, line in enumerate(lines):
        hcpcs, modifiers, units = line
        prep = None
        fast = type(modifiers) is tuple and type(units) is int and 0 < units < 10_000
        if fast:
            prep = get((hcpcs, modifiers, number))
        if prep is None:
            prep = _slow(reference, ctx, claim, line, skip_invalid, i, errors)
            if prep is not None and fast:
                # Dropping lines keeps the place numbers (the places are kept).
                trim(shared.by_place, SHARED_LINES)
                shared.by_place[(hcpcs, modifiers, number)] = prep
        preps.append(prep)
    return tuple(preps), errors


def _slow(
    reference: ReferenceData,
    ctx: DayContext,
    claim: _Claim,
    line: ServiceLine,
    skip_invalid: bool,
    i: int,
    errors: dict[int, tuple[str, str]],
) -> _Prepared | None:
    """`_prepare` for a line not in the shared table; with `skip_invalid`, a line rejected
    for its own sake gives None and its message (kept for the date: it names the date)."""
    # A line's own errors come before any about its place, and do not depend on it.
    rejected = ctx.table("rejected")
    key = (line[0], tuple(line[1]), line[2])
    if skip_invalid and (error := rejected.get(key)) is not None:
        errors[i] = error
        return None
    try:
        return _prepare(reference, claim.request(line), claim.qp, shared=True).prep
    except InputError as exc:
        if not (skip_invalid and exc.parameter in LINE_PARAMETERS):
            raise
        errors[i] = rejected[key] = (str(exc.parameter), str(exc))
        return None


def _outcome(
    ctx: DayContext,
    fee: FeeSchedule,
    claim: _Claim,
    service_lines: Sequence[ServiceLine],
    preps: tuple[_Prepared | None, ...],
    errors: dict[int, tuple[str, str]],
    non_participating: bool,
    npp: bool,
    shared: dict[Any, Any],
) -> _Outcome:
    totals, linked = _totals(ctx, fee, claim, service_lines, preps, shared)
    allowed: list[Decimal | None] = []
    messages: list[str] = []
    cfs: list[Decimal | None] = []
    locations: list[ResolvedLocation | None] = []
    settings: list[Setting | None] = []
    rejected: list[str | None] = []
    heads: dict[HeadKey, None] = {}
    total = ZERO
    for i, prep in enumerate(preps):
        amount = None
        if prep is None:
            reason, message = errors[i]
            allowed.append(None)
            messages.append(message)
            cfs.append(None)
            locations.append(None)
            settings.append(None)
            rejected.append(reason)
            continue
        if (found := totals[i]) is None or isinstance(found, str):
            message = found or prep.message
        else:
            assert prep.plan is not None
            amount = _provider_amount(prep.plan, found, non_participating, npp)
            total += amount
            message = "priced"
        allowed.append(amount)
        messages.append(message)
        cfs.append(prep.cf)
        locations.append(prep.place.location)
        settings.append(prep.setting)
        rejected.append(None)
        heads[prep.head_key] = None
    return _Outcome(
        tuple(allowed), tuple(messages), total, tuple(cfs), tuple(locations), tuple(settings),
        tuple(rejected), tuple(heads), linked,
    )  # fmt: skip


# Multiple procedure indicators the claim rules act on; 0 and 9 lines are paid as they are.
_REDUCED = frozenset("1234567")


def _totals(
    ctx: DayContext,
    fee: FeeSchedule,
    claim: _Claim,
    service_lines: Sequence[ServiceLine],
    preps: tuple[_Prepared | None, ...],
    shared: dict[Any, Any],
) -> tuple[list[Decimal | str | None], bool]:
    """Each payable line's total after the claim rules (a str: why it is no longer
    payable; None: not payable or rejected), and whether a rule changed any (`linked`).
    Only the lines the rules can act on go through them: with no status T line, an
    indicator 0 or 9 line is its amount times its units, whatever else is billed. Their
    answer is kept in `shared` (the claim outcomes' table) by those lines alone
    (`_ruled_totals`)."""
    payable = [(i, p) for i, p in enumerate(preps) if p is not None and p.payable]
    status_t = any(p.row.status == "T" for _, p in payable)
    totals: list[Decimal | str | None] = [None] * len(preps)
    ruled: list[tuple[int, _Prepared]] = []
    for i, prep in payable:
        if status_t or prep.row.mult_proc in _REDUCED:
            ruled.append((i, prep))
        else:
            unit = prep.local[2]
            assert unit is not None
            totals[i] = unit * service_lines[i][2]
    if len(ruled) == 1 and not status_t:
        i, prep = ruled[0]
        if untouched_alone(prep.row, service_lines[i][2]):
            totals[i] = prep.local[2]
            return totals, False
    billed = [service_lines[i] for i, _ in ruled]
    answers = _ruled_totals(ctx, fee, claim, [p for _, p in ruled], billed, shared)
    linked = False
    for (i, prep), line, (paid, found) in zip(ruled, billed, answers, strict=True):
        totals[i] = found
        if paid:
            unit = prep.local[2]
            linked = linked or unit is None or found != unit * line[2]
        else:
            linked = True
    return totals, linked


# Keys of `_ruled_totals` in the claim outcomes' table start with this (an outcome's key
# starts with an id, a number).
_RULED = "claim rules"


def _ruled_totals(
    ctx: DayContext,
    fee: FeeSchedule,
    claim: _Claim,
    ruled: list[_Prepared],
    billed: list[ServiceLine],
    shared: dict[Any, Any],
) -> tuple[tuple[bool, Decimal | str | None], ...]:
    """The claim rules' answer for the lines they act on (prepared lines and the lines as
    billed, in claim order): each one's (payable, local total), or (False, why not). It
    reads nothing else of the claim than their units (the other lines are paid as they
    are), so the same ruled lines among other codes, which the random line sets of a file
    repeat two times in three, are one look-up. Kept in the claim outcomes' table, as they
    are (an entry holds its prepared lines, so the ids in its key cannot be reused while it
    lives)."""
    key = (_RULED, *map(id, ruled), *[line[2] for line in billed])
    entry = shared.get(key)
    if entry is not None and entry[0] == ruled:
        return entry[1]  # type: ignore[no-any-return]
    lines = [
        _Line(claim.request(line), ctx, fee, prep) for prep, line in zip(ruled, billed, strict=True)
    ]
    _claim_rules(lines, full=False)
    answers = tuple(
        [(True, line.local_total) if line.payable else (False, line.message) for line in lines]
    )
    trim(shared, SHARED_CLAIMS)
    shared[key] = (ruled, answers)
    return answers


def _amounts(
    reference: ReferenceData,
    ctx: DayContext,
    fee: FeeSchedule,
    outcome: _Outcome,
) -> ClaimAmounts:
    """The outcome with the confidence of this date's heads (a shared `_Prepared` holds
    the head of the date that prepared it), asked once per kind of line."""
    table = ctx.table("claim-confidence")
    found = table.get(outcome.head_keys)
    if found is None:
        found = table[outcome.head_keys] = _confidence(reference, ctx, fee, outcome.head_keys)
    confidence, reason = found
    o = outcome
    return ClaimAmounts(
        o.allowed, o.messages, o.total, ctx.release, o.conversion_factors, o.locations,
        o.settings, o.rejected, confidence, reason, o.linked,
    )  # fmt: skip


def _confidence(
    reference: ReferenceData, ctx: DayContext, fee: FeeSchedule, keys: tuple[HeadKey, ...]
) -> tuple[Confidence, str]:
    """The lowest confidence of the lines' heads on this date, and why."""
    heads = [ctx.head_by(reference, fee, key) for key in keys]
    if not heads:
        confidence = ctx.confidence(reference, fee, opps=False, anes=False, zip_given=False)
        return confidence, "no line of the claim could be priced"
    confidence = Confidence.HIGH
    for head in heads:
        confidence = lowest(confidence, head.confidence)
    return confidence, next(h.reason for h in heads if h.confidence is confidence)
