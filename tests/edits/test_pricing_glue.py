"""How the checker uses the pricing engine.

The checker prices a claim as billed, and again without the lines a deny finding removes,
unless every removed line has no amount: the engine's claim rules (multiple procedure
ranking, status T) only count the lines it prices, so dropping unpriced lines leaves the
others as they were. These tests hold the engine to that on real codes (RVU26C, Houston), and
check the expected claim the checker reports against the fee schedule amounts.
"""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal

import pytest

from medpayiq.edits import Severity, check_claim, parse_claim
from medpayiq.pricing import (
    ClaimAmounts,
    LineRequest,
    Location,
    ServiceLine,
    price_amounts,
    price_claim,
)
from medpayiq.reference import Catalog

DAY = date(2026, 7, 15)
# Priced lines whose amounts depend on each other: two multiple procedure indicator 2 codes
# (20610, 17000, 64483 ranked by amount), an E/M, and a status T code (94760, unpaid beside
# them).
PRICED = [("20610", ("RT",)), ("17000", ()), ("64483", ("LT",)), ("99213", ()), ("94760", ())]
# Lines the engine gives no amount: status N (48160), status B (A4550), reduced services by
# report (20611-52).
UNPRICED = [("48160", ()), ("A4550", ()), ("20611", ("52",))]


def _requests(lines: list[tuple[str, tuple[str, ...]]], first: int = 1) -> list[LineRequest]:
    return [
        LineRequest(
            code,
            DAY,
            modifiers=modifiers,
            location=Location(zip="77030"),
            pos="11",
            line_id=str(n),
        )
        for n, (code, modifiers) in enumerate(lines, start=first)
    ]


@pytest.mark.parametrize("unpriced", [[line] for line in UNPRICED] + [UNPRICED])
@pytest.mark.parametrize("npp", [False, True])
def test_unpriced_lines_do_not_change_the_other_lines(
    catalog: Catalog, unpriced: list[tuple[str, tuple[str, ...]]], npp: bool
) -> None:
    alone = price_claim(catalog, _requests(PRICED), npp=npp)
    both = price_claim(
        catalog, _requests(PRICED) + _requests(unpriced, first=len(PRICED) + 1), npp=npp
    )
    extra = both.lines[len(PRICED) :]
    assert [line.allowed for line in extra] == [None] * len(unpriced)
    # The claim rules did act on the priced lines (status T unpaid, reductions) ...
    assert alone.lines[4].allowed is None and "status T" in alone.lines[4].message
    one_by_one = [price_claim(catalog, [r], npp=npp).lines[0] for r in _requests(PRICED[:3])]
    reduced = [x.allowed for x in alone.lines[:3]] != [x.allowed for x in one_by_one]
    assert reduced
    # ... and act the same with the unpriced lines beside them.
    assert [(x.allowed, x.payable, x.message) for x in both.lines[: len(PRICED)]] == [
        (x.allowed, x.payable, x.message) for x in alone.lines
    ]


def _amounts(catalog: Catalog, lines: list[ServiceLine], npp: bool) -> ClaimAmounts:
    return price_amounts(
        catalog, DAY, lines, location=Location(zip="77030"), pos="11", npp=npp,
        skip_invalid=True,
    )  # fmt: skip


@pytest.mark.parametrize("npp", [False, True])
def test_unlinked_lines_price_alike_in_every_subset(catalog: Catalog, npp: bool) -> None:
    # An E/M (indicator 0), one procedure of each reduction family alone (20610: 2, 73562:
    # 4, 97110: 5), a lab (status X) and a drug the fee schedule lacks: no rule ties them.
    lines = [
        ServiceLine("99213"), ServiceLine("20610", ("RT",)), ServiceLine("73562", ("RT",)),
        ServiceLine("97110", ("GP",)), ServiceLine("80053"), ServiceLine("J1040"),
    ]  # fmt: skip
    whole = _amounts(catalog, lines, npp)
    assert not whole.linked
    assert sum(a is not None for a in whole.allowed) == 4
    billed = dict(zip(lines, whole.allowed, strict=True))
    for size in range(1, len(lines)):
        for subset in itertools.combinations(lines, size):
            part = _amounts(catalog, list(subset), npp)
            assert list(part.allowed) == [billed[line] for line in subset]


def test_reduced_lines_are_linked(catalog: Catalog) -> None:
    lines = [ServiceLine(code, mods) for code, mods in PRICED]
    result = price_amounts(catalog, DAY, lines, location=Location(zip="77030"), pos="11")
    assert result.linked
    alone = price_amounts(catalog, DAY, lines[:1], location=Location(zip="77030"), pos="11")
    assert not alone.linked and alone.allowed[0] != result.allowed[0]  # 20610 ranks second


def _claim(*lines: tuple[str, tuple[str, ...]]) -> dict[str, object]:
    return {
        "patient": {"id": "P-1"},
        "provider": {"npi": "1234567893"},
        "place_of_service": "11",
        "zip": "77030",
        "date_of_service": DAY.isoformat(),
        "diagnoses": ["M54.16"],
        "lines": [{"hcpcs": code, "modifiers": list(mods)} for code, mods in lines],
    }


def test_expected_claim_without_an_unpriced_denied_line(catalog: Catalog) -> None:
    # 48160 is status N (non-covered: denied, no amount; no PTP edit with 99213);
    # 99213 is paid its fee schedule amount
    # ((1.30 x 1.008 + 1.46 x 0.993 + 0.09 x 1.376) x 33.4009 = 96.33).
    result = check_claim(catalog, parse_claim(_claim(("99213", ()), ("48160", ()))))
    denied = [f for f in result.findings if f.severity is Severity.DENY]
    assert "code.hcpcs-status" in [f.rule for f in denied]
    assert {f.lines for f in denied} == {(2,)}  # every denial is of the non-covered line
    first, second = result.priced.lines
    assert (first.status, first.expected_allowed) == ("paid", Decimal("96.33"))
    assert (second.status, second.allowed_as_billed, second.expected_allowed) == (
        "denied",
        None,
        Decimal("0"),
    )
    assert result.priced.total_expected == Decimal("96.33")


def test_expected_claim_reprices_when_a_denied_line_had_an_amount(catalog: Catalog) -> None:
    # 77003 is denied with 62323 (NCCI PTP and the epidural pack); 62323 keeps its full
    # amount, (1.76 x 1.008 + 6.25 x 0.993 + 0.17 x 1.376) x 33.4009 = 274.36, and the
    # status N line changes nothing.
    result = check_claim(catalog, parse_claim(_claim(("62323", ()), ("77003", ()), ("48160", ()))))
    first, second, third = result.priced.lines
    assert second.status == "denied" and second.allowed_as_billed == Decimal("104.75")
    assert third.status == "denied"
    assert (first.status, first.expected_allowed) == ("paid", Decimal("274.36"))
    assert result.priced.total_expected == Decimal("274.36")
    assert result.priced.total_as_billed == Decimal("379.11")


def test_a_date_without_a_fee_schedule_and_an_unknown_modifier(catalog: Catalog) -> None:
    # No 2024 PPRRVU is loaded. The engine meets the bad modifier on line 1 first and the
    # missing release on line 2; the check still answers, with nothing priced.
    data = _claim(("99213", ("ZZ",)), ("62323", ()))
    data["date_of_service"] = "2024-06-03"
    result = check_claim(catalog, parse_claim(data))
    assert "modifier.unknown" in [f.rule for f in result.findings]
    assert [line.allowed_as_billed for line in result.priced.lines] == [None, None]
    assert "RVU24B" in result.priced.lines[1].note
    assert any(n.startswith("fee schedule checks skipped") for n in result.notes)


def test_lab_and_drug_lines_are_not_denied_for_their_status(catalog: Catalog) -> None:
    # RVU26C: 36415 and 80053 are status X (paid on the Clinical Laboratory Fee Schedule),
    # J3301 is status E (a drug paid at ASP). Not physician fee schedule services, not denials.
    claim = _claim(("99213", ()), ("36415", ()), ("80053", ()), ("J3301", ()))
    result = check_claim(catalog, parse_claim(claim))
    status = [f for f in result.findings if f.rule.startswith("code.")]
    assert [(f.rule, f.lines, f.severity) for f in status] == [
        ("code.other-fee-schedule", (2,), Severity.INFO),
        ("code.other-fee-schedule", (3,), Severity.INFO),
        ("code.other-fee-schedule", (4,), Severity.INFO),
    ]
    assert all(not f.carc for f in status)
