"""The routing table: each adjustment's route, its deadline and the rule it cites
(DOMAIN.md sections 9 and 10; 42 CFR 405.942, 405.980, 424.44). Pure: no data needed."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from medpayiq.remit import (
    ROUTES,
    RouteKind,
    line_route,
    redetermination_deadline,
    reopening_deadline,
    timely_filing_deadline,
)
from medpayiq.x12 import Adjustment

NOTICE = date(2025, 12, 10)
SERVICE = date(2025, 11, 3)


def cas(group: str, reason: str, amount: str) -> Adjustment:
    return Adjustment(group, reason, Decimal(amount))


def test_redetermination_is_due_120_days_after_presumed_receipt() -> None:
    # 2025-12-10 + 5 days = 2025-12-15 (receipt, 405.942(a)(1)); + 120 days: 16 days of
    # December, 31 + 28 + 31 = 106 by March 31, 14 more: 2026-04-14.
    assert redetermination_deadline(NOTICE) == date(2026, 4, 14)
    assert reopening_deadline(NOTICE) == date(2026, 12, 10)
    assert reopening_deadline(date(2028, 2, 29)) == date(2029, 2, 28)
    assert timely_filing_deadline(SERVICE) == date(2026, 11, 3)


@pytest.mark.parametrize(
    ("adjustments", "remarks", "kind", "deadline", "reasons"),
    [
        ([cas("CO", "97", "180")], ["M15"], RouteKind.REDETERMINATION, date(2026, 4, 14),
         ("CO-97",)),
        ([cas("CO", "236", "180")], ["N20"], RouteKind.REDETERMINATION, date(2026, 4, 14),
         ("CO-236",)),
        ([cas("CO", "50", "90")], ["N115"], RouteKind.REDETERMINATION, date(2026, 4, 14),
         ("CO-50",)),
        ([cas("CO", "16", "180")], ["MA130"], RouteKind.CORRECTED_CLAIM, date(2026, 11, 3),
         ("CO-16",)),
        ([cas("CO", "4", "180")], [], RouteKind.REOPENING, date(2026, 12, 10), ("CO-4",)),
        ([cas("CO", "11", "180")], [], RouteKind.REOPENING, date(2026, 12, 10), ("CO-11",)),
        ([cas("CO", "B15", "60")], [], RouteKind.REOPENING, date(2026, 12, 10), ("CO-B15",)),
        ([cas("CO", "29", "180"), cas("PR", "2", "0")], [], RouteKind.NO_APPEAL, None,
         ("CO-29",)),
        ([cas("CO", "45", "42.59"), cas("CO", "253", "2.20"), cas("PR", "2", "27.48")], [],
         RouteKind.BILL_PATIENT, None, ("PR-2",)),
        ([cas("PR", "204", "180")], [], RouteKind.BILL_PATIENT, None, ("PR-204",)),
        ([cas("CO", "45", "42.59"), cas("CO", "253", "2.20")], [], RouteKind.WRITE_OFF, None,
         ("CO-45", "CO-253")),
        # a code no table knows is a denial to review by the redetermination deadline
        ([cas("CO", "Z99", "75")], [], RouteKind.REDETERMINATION, date(2026, 4, 14),
         ("CO-Z99",)),
    ],
)  # fmt: skip
def test_route_of_adjustments(
    adjustments: list[Adjustment],
    remarks: list[str],
    kind: RouteKind,
    deadline: date | None,
    reasons: tuple[str, ...],
) -> None:
    route = line_route(adjustments, remarks, notice=NOTICE, service=SERVICE)
    assert route is not None
    assert (route.kind, route.deadline, route.reasons) == (kind, deadline, reasons)


def test_an_underpaid_line_is_a_reopening_and_nothing_adjusted_has_no_route() -> None:
    route = line_route(
        [cas("CO", "45", "50"), cas("PR", "2", "20")],
        [],
        notice=NOTICE,
        service=SERVICE,
        underpaid=True,
    )
    assert route is not None and route.kind is RouteKind.REOPENING
    assert route.deadline == date(2026, 12, 10)
    assert line_route([], [], notice=NOTICE, service=SERVICE) is None


def test_every_route_cites_its_rule() -> None:
    assert "405.942" in ROUTES[RouteKind.REDETERMINATION].cites
    assert "405.980" in ROUTES[RouteKind.REOPENING].cites
    assert "424.44" in ROUTES[RouteKind.NO_APPEAL].cites
    assert "MA130" in ROUTES[RouteKind.CORRECTED_CLAIM].cites
    assert "410.160" in ROUTES[RouteKind.BILL_PATIENT].cites
    assert "424.55" in ROUTES[RouteKind.WRITE_OFF].cites
    route = line_route([cas("CO", "97", "1")], [], notice=NOTICE, service=SERVICE)
    assert route is not None
    assert route.as_dict() == {
        "route": "redetermination",
        "name": "Redetermination",
        "deadline": "2026-04-14",
        "deadline_rule": ROUTES[RouteKind.REDETERMINATION].deadline_rule,
        "send": ROUTES[RouteKind.REDETERMINATION].send,
        "cites": ROUTES[RouteKind.REDETERMINATION].cites,
        "reasons": ["CO-97"],
        "amount": "1.00",
        "note": "",
    }
