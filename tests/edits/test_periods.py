"""What the checker keeps between claims must never change an answer.

The encounter checks (codes, NCCI, modifiers, same-day global surgery, the policy rules on
the lines) and the prices are kept per period and encounter (src/medpayiq/edits/_day.py and
_encounter.py). These tests check the same claims on two reference objects over the same
files, in opposite orders: every answer must be the same, whichever date of a period, place
or provider came first. The claims mix dates of several periods (RVU25D, RVU26C in and out
of its quarter, a date with no fee schedule), places, providers, histories and charges.
"""

from __future__ import annotations

import itertools
import random
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from medpayiq.edits import Severity, check_claim, parse_claim
from medpayiq.edits._day import day_tables
from medpayiq.edits._memo import memo_for
from medpayiq.reference import Catalog

ENCOUNTERS: list[list[tuple[str, list[str], int]]] = [
    [("62323", [], 1), ("99213", ["25"], 1), ("77003", [], 1), ("J1040", [], 1)],
    [("62323", [], 2), ("64484", ["RT"], 1)],
    [("64483", ["LT"], 1), ("64484", ["LT"], 1), ("99214", [], 1)],
    [("20610", ["RT"], 1), ("17000", [], 1), ("99213", [], 1), ("94760", [], 1)],
    [("97110", ["GP"], 3), ("97140", ["GP", "59"], 1), ("97530", ["GP"], 1)],
    [("62323", ["26"], 1), ("X9999", [], 1), ("80053", [], 1), ("36415", [], 1)],
    [("27447", ["50"], 1), ("99213", ["ZZ"], 1)],
    [("62321", [], 1), ("62323", [], 1), ("62320", [], 1)],
]
PLACES: list[dict[str, str]] = [
    {"zip": "77030", "place_of_service": "11"},
    {"zip": "77002", "place_of_service": "11"},  # Houston too: locality 04412-18
    {"zip": "77030", "place_of_service": "22"},
    {"zip": "10001", "place_of_service": "11"},
    {"zip": "10010-1234", "place_of_service": "11"},  # Manhattan too: 13202-01
    {"zip": "77494", "place_of_service": "11"},  # spans localities: ZIP+4 needed
    {"zip": "00000", "place_of_service": "11"},  # not in the ZIP5 file
    {"carrier": "04412", "locality": "18", "place_of_service": "11"},
    {"carrier": "01112", "locality": "05", "place_of_service": "11"},
    {"zip": "77030", "place_of_service": "00"},
]
PROVIDERS = [
    {"npi": "1234567893"},
    {"npi": "1234567893", "participating": False},
    {"npi": "1245319599", "type": "np"},
]
DAYS = [
    date(2025, 11, 3), date(2025, 12, 19),  # RVU25D in its quarter
    date(2026, 7, 1), date(2026, 7, 15), date(2026, 9, 30),  # RVU26C in its quarter
    date(2026, 10, 1), date(2026, 11, 20),  # RVU26D not loaded
    date(2024, 6, 3),  # no fee schedule
]  # fmt: skip


def _claims(count: int) -> list[dict[str, Any]]:
    rng = random.Random(7)
    claims = []
    for i in range(count):
        day = rng.choice(DAYS)
        history: list[dict[str, str]] = []
        if rng.random() < 0.15:  # four lumbar epidural sessions in the year before
            history += [
                {"date_of_service": (day - timedelta(days=back)).isoformat(), "hcpcs": "62323"}
                for back in (30, 90, 150, 250)
            ]
        if rng.random() < 0.4:
            for _ in range(rng.randint(1, 5)):
                back = rng.choice([0, 0, 3, 40, 100, 200, 400])
                history.append(
                    {
                        "date_of_service": (day - timedelta(days=back)).isoformat(),
                        "hcpcs": rng.choice(["62323", "64483", "27447", "99213", "20610"]),
                        "provider_npi": rng.choice(["1234567893", "1245319599"]),
                    }
                )
        lines = [
            {
                "hcpcs": code,
                "modifiers": mods,
                "units": units,
                "diagnosis_pointers": [1] if n % 2 else [1, 2],
                **({"charge": f"{100 + 10 * n}.00"} if rng.random() < 0.5 else {}),
            }
            for n, (code, mods, units) in enumerate(rng.choice(ENCOUNTERS))
        ]
        claims.append(
            {
                "claim_id": f"P-{i}",
                "patient": {"id": f"patient-{i}"},
                "provider": rng.choice(PROVIDERS),
                **rng.choice(PLACES),
                "date_of_service": day.isoformat(),
                "diagnoses": rng.sample(["M54.16", "M48.062", "M54.5", "M17.11", "I10"], 2),
                "lines": lines,
                "history": history,
            }
        )
    return claims


@pytest.fixture(scope="module")
def twin(catalog: Catalog) -> Catalog:
    """Another reference object over the same records: nothing it keeps is shared."""
    return Catalog(datasets_by_key=dict(catalog.datasets_by_key))


def test_answers_do_not_depend_on_the_order_claims_are_checked(
    catalog: Catalog, twin: Catalog
) -> None:
    claims = [parse_claim(c) for c in _claims(500)]
    # Each period meets its first date, place and provider in a different order.
    early = sorted(claims, key=lambda c: (c.date_of_service, c.claim_id or ""))
    late = sorted(claims, key=lambda c: (c.date_of_service, c.claim_id or ""), reverse=True)
    forward = {c.claim_id: check_claim(catalog, c).as_dict() for c in early}
    backward = {c.claim_id: check_claim(twin, c).as_dict() for c in late}
    for claim in claims:
        assert forward[claim.claim_id] == backward[claim.claim_id]
    # The mix does reach the rules and periods it is meant to.
    rules = {f["rule"] for r in forward.values() for f in r["findings"]}  # type: ignore[attr-defined]
    assert {
        "ncci.ptp", "ncci.mue", "ncci.addon", "modifier.pctc", "code.hcpcs-invalid",
        "code.icd-header", "code.other-fee-schedule", "claim.place-of-service",
        "policy.epidural.frequency",
    } <= rules  # fmt: skip


def test_the_dates_of_a_quarter_share_a_period(catalog: Catalog) -> None:
    def period(day: date) -> object:
        return day_tables(catalog, day).period

    quarter = [date(2026, 7, 1), date(2026, 8, 14), date(2026, 9, 30)]
    assert all(period(a) is period(b) for a, b in itertools.combinations(quarter, 2))
    # RVU26D applies from October: the amounts are RVU26C's, the confidence is not.
    assert period(date(2026, 9, 30)) is not period(date(2026, 10, 1))
    assert period(date(2025, 12, 31)) is not period(date(2026, 1, 2))


def test_a_drug_code_not_on_the_fee_schedule_is_paid_elsewhere(catalog: Catalog) -> None:
    # J1040 (methylprednisolone 80 mg) is a valid 2026 HCPCS Level II code that
    # PPRRVU2026_Jul_nonQPP does not list: no denial, and no amount in the total.
    claim = {
        "patient": {"id": "P-1"},
        "provider": {"npi": "1234567893"},
        "place_of_service": "11",
        "zip": "77030",
        "date_of_service": "2026-07-15",
        "diagnoses": ["M54.16"],
        "lines": [{"hcpcs": "62323"}, {"hcpcs": "J1040"}],
    }
    result = check_claim(catalog, parse_claim(claim))
    [finding] = result.findings
    assert (finding.rule, finding.severity, finding.lines) == (
        "code.other-fee-schedule",
        Severity.INFO,
        (2,),
    )
    assert "J1040 is a Part B drug or vaccine, paid from CMS's ASP pricing file" in finding.message
    drug = result.priced.lines[1]
    assert (drug.status, drug.allowed_as_billed, drug.schedule) == ("unpriced", None, "asp")
    assert "ASP pricing file" in drug.note and "not loaded" in drug.note
    assert "2026-07-15" not in drug.note
    assert str(result.priced.total_expected) == "274.36"  # 62323 alone, Houston


def test_the_zips_of_a_locality_share_the_work_but_not_the_words(catalog: Catalog) -> None:
    def claim(place: dict[str, str]) -> dict[str, Any]:
        return {
            "patient": {"id": "P-1"},
            "provider": {"npi": "1234567893"},
            **place,
            "date_of_service": "2026-07-15",
            "diagnoses": ["M54.16"],
            "lines": [{"hcpcs": "62323"}, {"hcpcs": "77003"}],
        }

    houston = [
        check_claim(catalog, parse_claim(claim({"zip": z, "place_of_service": "11"})))
        for z in ("77030", "77002")
    ]
    by_locality = check_claim(
        catalog,
        parse_claim(claim({"carrier": "04412", "locality": "18", "place_of_service": "11"})),
    )
    amounts = [[line.allowed_as_billed for line in r.priced.lines] for r in houston]
    assert amounts == [[Decimal("274.36"), Decimal("104.75")]] * 2
    assert [r.priced.locality for r in houston] == ["04412-18", "04412-18"]
    assert "ZIP 77030" in houston[0].priced.source and "ZIP 77002" in houston[1].priced.source
    assert houston[0].findings == houston[1].findings
    assert "carrier 04412, locality 18" in by_locality.priced.source


def test_the_periods_of_an_ncci_epoch_share_one_index_of_edits(catalog: Catalog) -> None:
    """Two periods (RVU25D's quarter and RVU26A's) under the same NCCI PTP release and edits
    in force read 62323's edits once: the index is the epoch's, not each period's. Kept per
    period, 64 periods x 512 codes of indexes held rows the store's row cache had let go."""
    first, second = date(2025, 11, 3), date(2026, 2, 10)
    assert day_tables(catalog, first).period is not day_tables(catalog, second).period
    epoch = catalog.ncci(first).epoch
    assert catalog.ncci(second).epoch is epoch
    lines = [{"hcpcs": "62323", "units": 1}, {"hcpcs": "77003", "units": 1}]
    for day in (first, second):
        claim = {"claim_id": f"e-{day}", "patient": {"id": "P1"}, "provider": PROVIDERS[0],
                 "place_of_service": "11", "zip": "77030",
                 "date_of_service": day.isoformat(), "diagnoses": ["M54.16"],
                 "lines": [{**line, "diagnosis_pointers": [1]} for line in lines]}  # fmt: skip
        result = check_claim(catalog, parse_claim(claim))
        assert "ncci.ptp" in {f.rule for f in result.findings}  # 62323/77003, indicator 0
    index = memo_for(epoch, "ptp")
    assert {"62323", "77003"} <= set(index)  # and any other test's codes on this catalog
    assert [e.column2 for e in index["62323"]["77003"]] == ["77003"]


def test_a_diagnosis_answers_alike_in_every_list_it_is_in(catalog: Catalog, twin: Catalog) -> None:
    """Each diagnosis code's billable answer is kept for the date (`_codes._wrong`), apart
    from the lists it comes in: the same codes in other lists and orders, met first in
    opposite orders on two references, give the same findings."""
    codes = ["M54.16", "M54.5", "I10", "M17.11", "M48.062"]
    lists = [list(p) for n in (1, 2, 3) for p in itertools.permutations(codes, n)]
    claims = [
        parse_claim(
            {
                "claim_id": f"D-{i}",
                "patient": {"id": f"patient-{i}"},
                "provider": PROVIDERS[0],
                "zip": "77030",
                "place_of_service": "11",
                "date_of_service": "2026-07-15",
                "diagnoses": diagnoses,
                "lines": [
                    {"hcpcs": "99213", "diagnosis_pointers": [len(diagnoses)]},
                    {"hcpcs": "20610", "modifiers": ["RT"], "diagnosis_pointers": [1]},
                ],
            }
        )
        for i, diagnoses in enumerate(lists)
    ]
    forward = {c.claim_id: check_claim(catalog, c).as_dict() for c in claims}
    backward = {c.claim_id: check_claim(twin, c).as_dict() for c in reversed(claims)}
    assert forward == backward
    rules = {f["rule"] for r in forward.values() for f in r["findings"]}  # type: ignore[attr-defined]
    assert "code.icd-header" in rules  # M54.5 has billable children
