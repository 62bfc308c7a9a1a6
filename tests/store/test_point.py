"""One code, one ZIP: the store answers keyed indexes by indexed queries (store/_point.py),
and a one-question reference answers like the long-lived one."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

from medpayiq import pricing
from medpayiq.edits import check_claim, parse_claim
from medpayiq.store import open_store

JULY = date(2026, 7, 15)
EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"


def test_point_lookups_equal_the_whole_dataset(store_db: Path) -> None:
    store = open_store(str(store_db))
    one = store.question_reference()
    whole = store.question_reference()
    fee = one.fee_schedule(JULY)
    # RVU26C PPRRVU: 62323 work 1.76, PE non-facility 6.25, facility 0.74, MP 0.17.
    row = fee.rvus[("62323", "")]
    assert (row.work, row.pe_nonfacility, row.pe_facility, row.mp) == (
        Decimal("1.76"),
        Decimal("6.25"),
        Decimal("0.74"),
        Decimal("0.17"),
    )
    assert ("99999", "") not in fee.rvus and fee.rvus.get(("62323", "XX")) is None
    # Walking the index reads the dataset whole, through the same builder.
    every = dict(whole.fee_schedule(JULY).rvus.items())
    assert every[("62323", "")] == row and len(every) > 19_000
    zips = one.geography(JULY).zips
    assert [z.locality for z in zips["77030"]] == [
        z.locality for z in dict(whole.geography(JULY).zips.items())["77030"]
    ]


def test_one_question_prices_like_the_long_lived_reference(store_db: Path) -> None:
    store = open_store(str(store_db))
    request = pricing.LineRequest("62323", JULY, location=pricing.Location(zip="77030"))
    a = pricing.price_line(store.question_reference(), request)
    b = pricing.price_line(store.reference(), request)
    assert a.allowed == b.allowed is not None
    # A one-question reference gives each date its own NCCI epoch (no scan of every date).
    ncci = store.question_reference().ncci(JULY)
    assert ncci.epoch is ncci.epoch


def test_one_question_checks_like_the_long_lived_reference(store_db: Path) -> None:
    # The one-question reference makes the claim's period without its memo key (which reads
    # the HCPCS Level II list whole): the findings and amounts are the same.
    store = open_store(str(store_db))
    for name in ("esi-clean.json", "esi-with-fluoroscopy.json"):
        claim = parse_claim(json.loads((EXAMPLES / name).read_text(encoding="utf-8")))
        one = check_claim(store.question_reference(), claim).as_dict()
        assert one == check_claim(store.reference(), claim).as_dict()
    # NCCI practitioner PTP: 77003 (fluoroscopic guidance) is column 2 of 62323, modifier
    # indicator 1.
    assert [(f["rule"], f["lines"]) for f in one["findings"]] == [("ncci.ptp", [2])]
    assert "62323/77003" in one["findings"][0]["message"]


def test_a_key_the_dataset_lacks_is_asked_once(store_db: Path) -> None:
    # A global code's 26 row that does not exist (93000 has none: its parts are 93005 and
    # 93010) is looked up on every claim that prices it; the store is asked the first time.
    rvus = open_store(str(store_db)).question_reference().fee_schedule(JULY).rvus
    asked: list[object] = []
    real = rvus._fetch  # type: ignore[attr-defined]

    def counted(key: object) -> object:
        asked.append(key)
        return real(key)

    rvus._fetch = counted  # type: ignore[attr-defined]
    assert rvus.get(("93000", "26")) is None and rvus.get(("93000", "26")) is None
    assert ("93000", "26") not in rvus
    assert asked == [("93000", "26")]


def test_dmepos_is_read_a_code_at_a_time_across_its_two_files(store_db: Path, catalog) -> None:
    """The DMEPOS release is two files (DMEPOS26_JAN and DMEPEN26_JAN, 189,000 rows): routing
    a drug past it and pricing a few DME codes reads those codes' rows (every file of the
    release), with the answers of the whole file read in memory."""
    from medpayiq.releases import Kind
    from medpayiq.schedules import PriceRequest, dmepos, price_line, route
    from medpayiq.store._point import PointIndex

    reference = open_store(str(store_db)).reference()
    day = date(2026, 2, 10)
    assert route(reference, "J1040", day).schedule.name == "asp"
    where = pricing.Location(state="TX")
    for code, modifiers in (("E0601", ("RR",)), ("B4034", ()), ("K0001", ("RR",))):
        request = PriceRequest(code, day, modifiers, location=where)
        got = price_line(reference, request).as_dict()
        assert got == price_line(catalog, request).as_dict()
        assert got["schedule"]["name"] == "dmepos" and got["allowed"] is not None
    assert "E0601" in dmepos.dmepos_codes(reference, day)
    assert "J1040" not in dmepos.dmepos_codes(reference, day)
    rates, _ = reference.snapshot(Kind.DMEPOS, day, dmepos._by_code, label="DMEPOS")
    assert isinstance(rates, PointIndex) and rates._all is None  # never read whole
    # Walking it reads both files whole: the same codes as the file read in memory.
    whole, _ = catalog.snapshot(Kind.DMEPOS, day, dmepos._by_code, label="DMEPOS")
    assert dict(rates.items()) == dict(whole.items())


def test_a_point_index_keeps_a_bounded_number_of_answers(store_db: Path, monkeypatch) -> None:
    """A server asked about every ZIP kept each answer (up to 100,000 a table): the answers
    kept are bounded (`_point.KEPT`, older half dropped), and one asked again after it went
    is read again, the same."""
    from medpayiq.store import _point

    monkeypatch.setattr(_point, "KEPT", 4)
    zips = open_store(str(store_db)).reference().geography(JULY).zips
    asked = ["77030", "10001", "60611", "94110", "02115", "98101", "33101", "77030"]
    first = {z: [row.locality for row in zips[z]] for z in asked}
    assert isinstance(zips, _point.PointIndex) and len(zips._found) <= 4
    assert [row.locality for row in zips["10001"]] == first["10001"]  # dropped, read again
    assert first["77030"] and first["10001"] != first["77030"]
