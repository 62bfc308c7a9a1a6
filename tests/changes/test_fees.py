"""Two fee schedule releases compared, on rows copied from RVU25D and RVU26C (conftest.py):
amounts worked by hand, what drove them, and the engine's own prices as a check."""

from __future__ import annotations

from decimal import Decimal

import pytest

from medpayiq import changes, pricing
from medpayiq.changes import Causes, RowStatus
from medpayiq.errors import InputError, ReleaseNotLoaded
from medpayiq.pricing import LineRequest, Location, Setting
from medpayiq.reference import Catalog

D = Decimal


def _amount(row: changes.FeeRowChange, setting: Setting, place: str) -> changes.AmountChange:
    found = [a for a in row.amounts if a.setting is setting and a.place == place]
    assert len(found) == 1, row.amounts
    return found[0]


def test_62323_national_office(pair: Catalog) -> None:
    report = changes.compare(pair, "RVU25D", "RVU26C", codes={"62323"})
    (row,) = report.rows
    office = _amount(row, Setting.NON_FACILITY, "national")
    # 2025: (1.80 + 5.66 + 0.17) x 32.3465 = 246.803...; 2026: (1.76 + 6.25 + 0.17) x 33.4009
    assert (office.before, office.after, office.change) == (D("246.80"), D("273.22"), D("26.42"))
    assert office.percent == D("10.7")
    # The CF alone: 7.63 x 33.4009 = 254.849 -> 254.85 (+8.05); then the 2026 RVUs: +18.37.
    assert office.causes == Causes(D("8.05"), D("18.37"), D("0.00"))
    facility = _amount(row, Setting.FACILITY, "national")
    # (1.80 + 1.00 + 0.17) x 32.3465 = 96.07; (1.76 + 0.74 + 0.17) x 33.4009 = 89.18
    assert (facility.before, facility.after) == (D("96.07"), D("89.18"))
    assert row.status == RowStatus.CHANGED
    assert [f.field for f in row.fields] == [
        "CF", "work RVU", "non-facility PE RVU", "facility PE RVU",
    ]  # fmt: skip


def test_a_locality_adds_the_gpci_step(pair: Catalog) -> None:
    report = changes.compare(pair, "RVU25D", "RVU26C", codes={"62323"}, locality="04412-18")
    office = _amount(report.rows[0], Setting.NON_FACILITY, "04412-18")
    # Houston 2025 GPCIs 1.014 / 1.003 / 1.409: 1.80 x 1.014 + 5.66 x 1.003 + 0.17 x 1.409
    # = 7.74171; x 32.3465 = 250.42. 2026 GPCIs 1.008 / 0.993 / 1.376: 8.21425 x 33.4009
    # = 274.36. CF alone: 7.74171 x 33.4009 = 258.58; 2026 RVUs at 2025 GPCIs: 8.29292 x
    # 33.4009 = 276.99; then the 2026 GPCIs: 274.36.
    assert (office.before, office.after, office.change) == (D("250.42"), D("274.36"), D("23.94"))
    assert office.causes == Causes(D("8.16"), D("18.41"), D("-2.63"))


def test_a_zip_that_moved_is_priced_where_it_was_and_where_it_is(pair: Catalog) -> None:
    # 77001 is in Houston in the 20254 file and in the rest of Texas in 20261 (made up).
    report = changes.compare(pair, "RVU25D", "RVU26C", codes={"99213"}, zip_code="77001")
    assert report.place is not None and report.place.moved
    office = _amount(report.rows[0], Setting.NON_FACILITY, "04412-18 -> 04412-99")
    # Houston 2025: 1.30 x 1.014 + 1.35 x 1.003 + 0.10 x 1.409 = 2.81315 x 32.3465 = 91.00.
    # Rest of Texas 2026: 1.30 x 1.000 + 1.46 x 0.949 + 0.09 x 0.903 = 2.76681 x 33.4009
    # = 92.41. CF alone 93.96 (+2.96); 2026 RVUs at Houston's 2025 GPCIs 2.90939 x 33.4009
    # = 97.18 (+3.22); the move and the 2026 GPCIs: -4.77.
    assert (office.before, office.after) == (D("91.00"), D("92.41"))
    assert office.causes == Causes(D("2.96"), D("3.22"), D("-4.77"))


def test_causes_add_up_to_every_change(pair: Catalog) -> None:
    report = changes.compare(pair, "RVU25D", "RVU26C", zip_code="77001", limit=50)
    seen = 0
    for row in (*report.increases, *report.decreases):
        for a in row.amounts:
            assert a.causes is not None and a.change is not None
            assert a.causes.cf + a.causes.rvus + a.causes.gpci == a.change
            seen += 1
    assert seen == 6 * 4  # six rows priced in both, two settings at two places


def test_27447_na_office_is_priced_from_the_files_pe(pair: Catalog) -> None:
    report = changes.compare(pair, "RVU25D", "RVU26C", codes={"27447"})
    office = _amount(report.rows[0], Setting.NON_FACILITY, "national")
    # (19.60 + 15.30 + 3.98) x 32.3465 = 1,257.63; (19.11 + 11.58 + 4.02) x 33.4009 = 1,159.35
    assert (office.before, office.after) == (D("1257.63"), D("1159.35"))


def test_rows_added_deleted_and_no_longer_paid(pair: Catalog) -> None:
    report = changes.compare(pair, "RVU25D", "RVU26C")
    assert [r.hcpcs for r in report.added] == ["0988T"]
    assert [r.hcpcs for r in report.deleted] == ["0042T"]
    (gone,) = report.newly_non_payable
    assert gone.hcpcs == "77417" and (gone.status_before, gone.status_after) == ("A", "B")
    assert "status B" in gone.note
    # (0.47 + 0.02) x 32.3465 = 15.85 before; no amount after
    assert (gone.amounts[0].before, gone.amounts[0].after) == (D("15.85"), None)
    assert report.summary is not None
    assert report.summary.counts[RowStatus.CHANGED] == 6
    assert report.summary.cf_before == ("32.3465",) and report.summary.cf_after == ("33.4009",)


def test_largest_movers_each_way(pair: Catalog) -> None:
    report = changes.compare(pair, "RVU25D", "RVU26C", limit=2)
    assert [r.hcpcs for r in report.increases] == ["62323", "99213"]  # +26.42, +6.24
    assert [r.hcpcs for r in report.decreases] == ["27447", "71046"]  # -98.28, -0.01 (26)
    assert report.decreases[1].modifier == "26"  # 10.03 -> 10.02
    facility = changes.compare(pair, "RVU25D", "RVU26C", limit=1, setting=Setting.FACILITY)
    assert [r.hcpcs for r in facility.increases] == ["71046"]  # 32.67 -> 33.07 (+0.40)


def test_grid_amounts_are_the_engines(pair: Catalog) -> None:
    """Every row x place x setting of both releases, against price_line."""
    before, after = changes.pfs_side(pair, "RVU25D"), changes.pfs_side(pair, "RVU26C")
    grid = changes.fee_grid(before, after)
    checked = 0
    for side, step in ((before, "before"), (after, "after")):
        for key in side.rows:
            for place in grid.places:
                for setting, suffix in ((Setting.NON_FACILITY, "nf"), (Setting.FACILITY, "f")):
                    request = LineRequest(
                        key[0], side.day, (key[1],) if key[1] else (),
                        location=Location(locality=place) if place else Location(),
                        setting=setting,
                    )  # fmt: skip
                    priced = pricing.price_line(pair, request)
                    at = grid.position(key, place)
                    assert at is not None
                    cents = grid.frame.get_column(f"{step}_{suffix}")[at]
                    expected = None if priced.allowed is None else int(priced.allowed * 100)
                    assert cents == expected, (side.release.id, key, place, setting)
                    checked += 1
    assert checked == (8 + 8) * 3 * 2


def test_not_loaded_and_bad_ids(pair: Catalog) -> None:
    with pytest.raises(ReleaseNotLoaded, match=r"RVU26A is not loaded .*loaded: RVU25D, RVU26C"):
        changes.compare(pair, "RVU26A", "RVU26C")
    with pytest.raises(InputError, match="RVU26Z"):
        changes.compare(pair, "RVU25D", "RVU26Z")
    with pytest.raises(InputError, match="not two releases of one family"):
        changes.compare(pair, "RVU25D", "2026Q2")
    with pytest.raises(InputError) as found:
        changes.compare(pair, "RVU25D", "RVU26C", zip_code="00000")
    assert found.value.parameter == "zip"
