"""The DMEPOS and PEN fee schedules (DOMAIN.md sections 5 and 5b): a fee per HCPCS code and
modifier pair (RR rental, NU new, UE used, KU, KE, ...) per state, with a non-rural (NR)
and a rural (R) column. Medicare pays the lesser of the charge and the fee, after the Part B
deductible, at 80% (the patient owes 20%).

- The state is the beneficiary's: given directly, or the state of the ZIP (ZIP5 file) or of
  the locality (GPCI file). No state, no fee: the answer says to give one.
- Rural or not: CMS's DMEPOS rural ZIP list is not loaded (it is not the ZIP5 file's rural
  flag), so unless the caller says, the non-rural fee is the amount, the rural fee is shown
  beside it and the answer says which applies is unknown (confidence medium). Where the
  rural column is 0.00, CMS publishes no separate rural amount and the non-rural fee applies
  to every ZIP.
- The row: the most specific one whose modifiers are all on the line (E0601-RR-KX is paid
  from E0601-RR). Capped rental items (category CR) are paid at 75% of the fee for rental
  months 4 to 13, billed with KJ (42 CFR 414.229(f)); KH and KI (months 1, 2-3) at 100%.
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Mapping, Sequence
from datetime import date
from decimal import Decimal

from medpayiq import pricing
from medpayiq.errors import DataError, InputError, ReleaseNotLoaded, UnknownLocation
from medpayiq.money import cents
from medpayiq.records import DmeFee, LocalityId
from medpayiq.reference import Confidence, ReferenceData, point_index
from medpayiq.releases import Kind

from ._lines import Line
from ._registry import snapshot_period
from ._types import Priced, PriceRequest, RateAmount, Route, ScheduleInfo, Terms

__all__ = ["DMEPOS", "DmeRates", "DmeposFeeSchedule", "beneficiary_state", "dmepos_codes"]

# A code's modifier pairs (modifier, modifier2) and their fees by state.
DmeRates = Mapping[tuple[str, str], Mapping[str, DmeFee]]

DMEPOS = ScheduleInfo(
    name="dmepos",
    title="DMEPOS and PEN fee schedules",
    pays="a fee per code and modifier (RR rental, NU new, UE used, ...) in the beneficiary's "
    "state, non-rural or rural; Medicare pays the lesser of the charge and the fee",
    patient="the Part B deductible, then 20% coinsurance",
    kinds=(Kind.DMEPOS,),
    load="CMS's quarterly DMEPOS fee schedule files (DMEyyX zips: DMEPOS and DMEPEN); for "
    "rural fees, CMS's DMEPOS rural ZIP code file (not yet read)",
)
_LABEL = "DMEPOS fee schedule"
_KJ_RATE = Decimal("0.75")
_RURAL_UNKNOWN = (
    "which column applies is unknown: CMS's DMEPOS rural ZIP list is not loaded; the "
    "non-rural fee is shown as the amount"
)


@point_index("hcpcs")
def _by_code(records: Sequence[DmeFee]) -> Mapping[str, DmeRates]:
    """One DMEPOS/PEN quarter by code. A store answers it one code at a time: routing a drug
    or a lab line past this schedule, or pricing a claim's few DME codes, reads the rows of
    those codes, not the 189,000 of the file (0.7 s of CPU for the first DME line of a
    claim file when it was read whole)."""
    by_code: dict[str, dict[tuple[str, str], dict[str, DmeFee]]] = {}
    for r in records:
        by_code.setdefault(r.hcpcs, {}).setdefault((r.modifier, r.modifier2), {})[r.state] = r
    # In the order of the pairs and states, not of the rows: a code's rows come in the file's
    # order when the file is read whole and in the index's when one code is asked, and the
    # first pair names the code and wins a tie (`_row`).
    return {
        code: {pair: dict(sorted(pairs[pair].items())) for pair in sorted(pairs)}
        for code, pairs in by_code.items()
    }


def dmepos_codes(reference: ReferenceData, day: date) -> Collection[str]:
    """The codes on the DMEPOS/PEN fee schedule in effect on `day` (ReleaseNotLoaded when
    none of the year is loaded). `code in` it asks for that code alone (see `_by_code`)."""
    rates: Mapping[str, DmeRates] = reference.snapshot(Kind.DMEPOS, day, _by_code, label=_LABEL)[0]
    return rates.keys()


def beneficiary_state(reference: ReferenceData, request: PriceRequest) -> tuple[str | None, str]:
    """The state a DMEPOS fee is read for, and how it was found (None: national)."""
    where, day = request.location, request.date_of_service
    if where.state:
        state = where.state.strip().upper()
        if len(state) != 2 or not state.isalpha():
            raise InputError(
                f'state "{where.state}" is not a two-letter state code such as TX',
                parameter="state",
            )
        return state, "state given"
    if where.zip:
        rows = reference.geography(day).zips.get(where.zip[:5])
        if not rows:
            raise UnknownLocation(f"ZIP {where.zip[:5]} is not in the ZIP5 file", parameter="zip")
        return rows[0].state, f"ZIP {where.zip[:5]} (ZIP5 file)"
    if where.locality:
        try:
            locality = LocalityId.parse(where.locality)
        except ValueError as exc:
            raise InputError(str(exc), parameter="locality") from None
        gpci = reference.fee_schedule(day).gpcis.get(locality)
        if gpci is None:
            raise InputError(f"locality {locality} is not in the GPCI file", parameter="locality")
        return gpci.state, f"locality {locality} (GPCI file)"
    return None, "national"


def _row(
    pairs: Mapping[tuple[str, str], Mapping[str, DmeFee]], modifiers: tuple[str, ...]
) -> tuple[tuple[str, str], Mapping[str, DmeFee]] | None:
    """The most specific modifier pair whose modifiers are all on the line."""
    on_line = set(modifiers)
    fitting = [p for p in pairs if {m for m in p if m} <= on_line]
    if not fitting:
        return None
    best = max(fitting, key=lambda p: sum(1 for m in p if m))
    return best, pairs[best]


def _pairs_text(pairs: Mapping[tuple[str, str], object]) -> str:
    return ", ".join("-".join(m for m in pair if m) or "no modifier" for pair in sorted(pairs))


class DmeposFeeSchedule:
    info = DMEPOS
    by_place = True

    def place_key(self, reference: ReferenceData, request: PriceRequest) -> Hashable:
        try:
            return ("state", beneficiary_state(reference, request)[0], request.rural)
        except (InputError, DataError):
            return ("where", request.location)  # its error names the place

    def period(self, reference: ReferenceData, day: date) -> Hashable:
        return snapshot_period(reference, Kind.DMEPOS, day, _LABEL)

    def route(
        self,
        reference: ReferenceData,
        hcpcs: str,
        day: date,
        modifiers: tuple[str, ...] = (),
    ) -> Route | None:
        rates, vintage = reference.snapshot(Kind.DMEPOS, day, _by_code, label=_LABEL)
        pairs = rates.get(hcpcs)
        if pairs is None:
            return None
        first = next(iter(next(iter(pairs.values())).values()))
        reason = f"{hcpcs} is on the DMEPOS fee schedule {vintage.used.id}"
        return Route(DMEPOS, reason, True, first.description)

    def price(self, reference: ReferenceData, request: PriceRequest, terms: Terms) -> Priced:
        day = request.date_of_service
        rates, vintage = reference.snapshot(Kind.DMEPOS, day, _by_code, label=_LABEL)
        pairs = rates[request.hcpcs]
        release = vintage.used.id
        first = next(iter(next(iter(pairs.values())).values()))
        line = Line(
            DMEPOS,
            request,
            f"{request.hcpcs} is on the DMEPOS fee schedule {release}",
            first.description,
            vintage,
            [pricing.Step("release", (("DMEPOS", release),), release, vintage.note)],
        )
        found = _row(pairs, request.modifiers)
        if found is None:
            return line.unpriced(
                f"{request.hcpcs} is priced by modifier on the DMEPOS fee schedule "
                f"({_pairs_text(pairs)}): add the one that applies (RR rental, NU new, UE used)"
            )
        pair, by_state = found
        try:
            state, how = beneficiary_state(reference, request)
        except ReleaseNotLoaded as exc:
            return line.unpriced(f"the beneficiary's state cannot be found: {exc}")
        if state is None:
            return self._national(line, pair, by_state)
        fee = by_state.get(state)
        if fee is None:
            return line.unpriced(f"the DMEPOS fee schedule {release} has no column for {state}")
        return self._in_state(line, fee, how, terms)

    def _national(
        self, line: Line, pair: tuple[str, str], by_state: Mapping[str, DmeFee]
    ) -> Priced:
        fee = next(iter(by_state.values()))
        if fee.ceiling:
            line.amounts = (
                RateAmount("national ceiling", fee.ceiling),
                RateAmount("national floor", fee.floor),
            )
        return line.unpriced(
            "DMEPOS fees are set by state: give the beneficiary's state, ZIP or locality"
        )

    def _in_state(self, line: Line, fee: DmeFee, how: str, terms: Terms) -> Priced:
        request = line.request
        shown = "-".join(m for m in (fee.hcpcs, fee.modifier, fee.modifier2) if m)
        rural_published = fee.rural > 0
        line.amounts = (
            RateAmount(f"non-rural, {fee.state}", fee.nonrural or None),
            RateAmount(
                f"rural, {fee.state}",
                fee.rural if rural_published else fee.nonrural or None,
                "" if rural_published else "no separate rural amount: the non-rural fee applies",
            ),
        )
        rural = bool(request.rural) and rural_published
        column = "rural (R)" if rural else "non-rural (NR)"
        unit = fee.rural if rural else fee.nonrural
        line.steps.append(
            pricing.Step(
                "DMEPOS fee",
                (("row", shown), ("state", fee.state), ("how", how), ("column", column)),
                unit,
                f"category {fee.category}" if fee.category else "PEN fee schedule",
            )
        )
        if rural_published and request.rural is None:
            line.review = (*line.review, f"rural fee {fee.rural}: {_RURAL_UNKNOWN}")
            line.confidence = Confidence.MEDIUM
            line.confidence_reason = _RURAL_UNKNOWN
        if not unit:
            return line.unpriced(
                f"{shown} has no {column} fee in {fee.state} (0.00 in the file): the DME MAC "
                "prices it"
            )
        if fee.category == "CR" and "KJ" in request.modifiers:
            reduced = cents(unit * _KJ_RATE)
            line.steps.append(
                pricing.Step(
                    "capped rental months 4-13 (KJ)",
                    (("fee", unit), ("rate", _KJ_RATE)),
                    reduced,
                    "75% of the rental fee for months 4 to 13 (42 CFR 414.229(f))",
                )
            )
            unit = reduced
        return line.priced(unit, terms, waived=False, why_waived="")


SCHEDULE = DmeposFeeSchedule()
