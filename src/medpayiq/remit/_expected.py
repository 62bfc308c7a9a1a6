"""What Medicare should have allowed and paid for each line of a remittance, and the likely
cause when the payer's allowed amount differs (DOMAIN.md sections 1, 4, 5 and 10).

The expected allowed amount is the fee schedule's for the code, modifiers, units, date of
service and locality, with the lines of one claim priced together (`schedules.price_lines`:
multiple procedure ranking needs the whole claim). The expected payment is that amount less
the deductible the payer applied to the line (PR-1), 20% coinsurance (none for clinical lab
tests or waived preventive services), and 2% sequestration of Medicare's share, each rounded
half-up to cents (`pricing.split_cost`).

When the payer's allowed amount differs by more than a cent, the candidates are tried in
order: a non-participating rate (95%), a modifier percentage (50% multiple procedure reduction
on the wrong line, 150% bilateral, 16% assistant, 62.5% co-surgeon, 85% NPP), the professional
or technical component priced instead of the global service, another locality of the state,
an earlier release (the previous quarter's RVUs or the previous year's conversion factor);
else "unexplained".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from medpayiq import pricing
from medpayiq.errors import MedPayIQError
from medpayiq.money import CENT, cents
from medpayiq.pricing import Location
from medpayiq.reference import ReferenceData
from medpayiq.schedules import Priced, PriceRequest, Terms, price_line, price_lines

__all__ = ["NO_REQUEST", "Cause", "Expected", "expected_paid", "find_cause", "price_claim_lines"]

TOLERANCE = CENT


@dataclass(frozen=True, slots=True)
class Cause:
    """Why the payer's allowed amount differs from the fee schedule's: a stable `code`
    (`non_participating`, `multiple_procedure`, `bilateral`, `assistant_surgeon`,
    `co_surgeon`, `npp`, `professional_component`, `technical_component`, `locality`,
    `release`, `unexplained`) and the words."""

    code: str
    text: str
    amount: Decimal | None = None  # the candidate amount that equals the payer's allowed

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "text": self.text,
            "amount": None if self.amount is None else f"{self.amount:.2f}",
        }


@dataclass(frozen=True, slots=True)
class Expected:
    """A line priced for the remittance: the `priced` answer (None with `note` saying why)."""

    priced: Priced | None
    note: str = ""

    @property
    def allowed(self) -> Decimal | None:
        return self.priced.allowed if self.priced is not None else None


# a line without a code or a date (frozen: one object for them all)
NO_REQUEST = Expected(None, "no procedure code or date of service")


def price_claim_lines(
    reference: ReferenceData, requests: Sequence[PriceRequest | None], terms: Terms
) -> list[Expected]:
    """The lines of one claim priced together; a line without a request (no code, no date)
    or that the schedules refuse is priced on its own or left unpriced with the reason."""
    at = [i for i, r in enumerate(requests) if r is not None]
    out = [NO_REQUEST] * len(requests)
    if not at:
        return out
    try:
        priced = price_lines(reference, [requests[i] for i in at], terms)  # type: ignore[misc]
    except MedPayIQError:
        for i in at:
            request = requests[i]
            assert request is not None
            try:
                out[i] = Expected(price_line(reference, request, terms))
            except MedPayIQError as exc:
                out[i] = Expected(None, str(exc))
        return out
    for i, p in zip(at, priced, strict=True):
        out[i] = Expected(p, "" if p.allowed is not None else p.message)
    return out


def expected_paid(priced: Priced, allowed: Decimal, *, deductible: Decimal, day: date) -> Decimal:
    """Medicare's payment of `allowed`: less the deductible applied (PR-1), coinsurance
    (waived for lab tests and preventive services) and sequestration."""
    waived = priced.cost_share_waived  # the schedule's own rule (labs, preventive services)
    share = pricing.split_cost(allowed, day, max(deductible, Decimal(0)), waived=waived)
    return share.medicare_pays


_PERCENTAGES = (
    (Decimal("0.95"), "non_participating", "a non-participating provider's rate (95%)"),
    (
        Decimal("0.50"),
        "multiple_procedure",
        "a 50% multiple procedure reduction applied to this line, which ranks first by fee "
        "on the claim (modifier 51 reduction on the wrong line)",
    ),
    (Decimal("1.50"), "bilateral", "the bilateral 150% adjustment (modifier 50)"),
    (Decimal("0.16"), "assistant_surgeon", "the assistant at surgery rate (16%, 80/81/82)"),
    (Decimal("0.625"), "co_surgeon", "the co-surgeon rate (62.5%, modifier 62)"),
    (Decimal("0.85"), "npp", "the nurse practitioner / physician assistant rate (85%)"),
)


def _single(reference: ReferenceData, request: PriceRequest, terms: Terms) -> Decimal | None:
    try:
        return price_line(reference, request, terms).allowed
    except MedPayIQError:
        return None


def find_cause(
    reference: ReferenceData,
    request: PriceRequest,
    expected: Priced,
    payer_allowed: Decimal,
    terms: Terms,
) -> Cause:
    """The likely reason the payer allowed `payer_allowed` instead of `expected.allowed`
    (the module docstring lists the candidates, in the order tried)."""
    assert expected.allowed is not None
    base = expected.allowed

    def same(amount: Decimal | None) -> bool:
        return amount is not None and abs(amount - payer_allowed) <= TOLERANCE

    single = _single(reference, request, terms)
    if single is not None and single != base and same(single):
        return Cause(
            "multiple_procedure",
            f"paid at the full {single:.2f} where the fee schedule reduces this line to "
            f"{base:.2f} (multiple procedure ranking: the reduction belongs on this line)",
            single,
        )
    for rate, code, words in _PERCENTAGES:
        if same(cents(base * rate)):
            return Cause(code, f"allowed at {words}", cents(base * rate))
    for modifier, code, words in (
        ("26", "professional_component", "the professional component (modifier 26)"),
        ("TC", "technical_component", "the technical component (modifier TC)"),
    ):
        if modifier in request.modifiers:
            continue
        amount = _single(
            reference, replace(request, modifiers=(*request.modifiers, modifier)), terms
        )
        if amount is not None and same(amount):
            return Cause(code, f"priced as {words} instead of the global service", amount)
    cause = _other_locality(reference, request, expected, terms, same)
    if cause is not None:
        return cause
    cause = _earlier_release(reference, request, expected, terms, same)
    if cause is not None:
        return cause
    return Cause("unexplained", "no fee schedule rule explains the payer's amount")


def _other_locality(
    reference: ReferenceData, request: PriceRequest, expected: Priced, terms: Terms, same: Any
) -> Cause | None:
    detail = expected.detail
    if detail is None or detail.location.locality is None:
        return None
    ours = detail.location.locality
    state = detail.location.state
    try:
        gpcis = reference.fee_schedule(request.date_of_service, qp=terms.qp).gpcis
    except MedPayIQError:
        return None
    for gpci in sorted(gpcis.values(), key=lambda g: str(g.locality)):
        if gpci.state != state or gpci.locality == ours:
            continue
        there = replace(request, location=Location(locality=str(gpci.locality)))
        amount = _single(reference, there, terms)
        if same(amount):
            return Cause(
                "locality",
                f"priced for locality {gpci.locality} ({gpci.name}) instead of {ours} "
                f"({detail.location.name})",
                amount,
            )
    return None


def _earlier_release(
    reference: ReferenceData, request: PriceRequest, expected: Priced, terms: Terms, same: Any
) -> Cause | None:
    """The previous quarters' releases, back into the previous year (its conversion factor)."""
    day = request.date_of_service
    seen = {expected.release}
    for months in (3, 6, 9, 12, 15):
        back = _quarter_start(day, months)
        try:
            priced = price_line(reference, replace(request, date_of_service=back), terms)
        except MedPayIQError:
            continue
        if priced.release in seen or priced.allowed is None:
            continue
        seen.add(priced.release)
        if same(priced.allowed):
            cf = priced.detail.conversion_factor if priced.detail else None
            ours = expected.detail.conversion_factor if expected.detail else None
            words = f"priced under release {priced.release} instead of {expected.release}"
            if cf is not None and ours is not None and cf != ours:
                words += f" (conversion factor {cf} instead of {ours})"
            return Cause("release", words, priced.allowed)
    return None


def _quarter_start(day: date, months: int) -> date:
    """The first day of the quarter `months` before `day`'s quarter began."""
    start_month = 3 * ((day.month - 1) // 3) + 1
    index = day.year * 12 + (start_month - 1) - months
    return date(index // 12, index % 12 + 1, 1) + timedelta(days=0)
