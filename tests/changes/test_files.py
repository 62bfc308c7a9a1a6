"""The comparisons on CMS's own files (the `catalog` fixture): the figures issue 14 names."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from medpayiq import changes, pricing
from medpayiq.pricing import LineRequest, Location, Setting
from medpayiq.reference import Catalog

D = Decimal


@pytest.fixture(scope="module")
def pfs(catalog: Catalog) -> changes.ChangeReport:
    return changes.compare(
        catalog, "RVU25D", "RVU26C", codes={"62323", "99213", "27447"}, locality="04412-18"
    )


def _office(report: changes.ChangeReport, code: str, place: str) -> changes.AmountChange:
    row = next(r for r in report.rows if r.hcpcs == code and not r.modifier)
    return next(a for a in row.amounts if a.setting is Setting.NON_FACILITY and a.place == place)


@pytest.mark.parametrize(
    ("code", "before", "after", "change"),
    [
        ("62323", "246.80", "273.22", "26.42"),
        ("99213", "88.95", "95.19", "6.24"),
        ("27447", "1257.63", "1159.35", "-98.28"),  # NA in the office: priced from the file's PE
    ],
)
def test_national_office_rvu25d_to_rvu26c(
    pfs: changes.ChangeReport, code: str, before: str, after: str, change: str
) -> None:
    office = _office(pfs, code, "national")
    assert (office.before, office.after, office.change) == (D(before), D(after), D(change))
    assert office.causes is not None
    assert office.causes.cf + office.causes.rvus + office.causes.gpci == office.change
    assert office.causes.gpci == 0  # GPCI 1.000 nationally


def test_houston_62323(pfs: changes.ChangeReport) -> None:
    office = _office(pfs, "62323", "04412-18")
    # GPCI2025 Houston 1.014 / 1.003 / 1.409 and GPCI2026 (with the floor) 1.008 / 0.993 /
    # 1.376 on 1.80 / 5.66 / 0.17 and 1.76 / 6.25 / 0.17: 7.74171 x 32.3465 = 250.42 and
    # 8.21425 x 33.4009 = 274.36.
    assert (office.before, office.after, office.change) == (D("250.42"), D("274.36"), D("23.94"))
    assert office.causes == changes.Causes(D("8.16"), D("18.41"), D("-2.63"))
    assert pfs.summary is not None
    assert (pfs.summary.gpci_before, pfs.summary.gpci_after) == ("RVU25D", "RVU26A")


def test_volume_of_62323_and_99213(catalog: Catalog) -> None:
    volume = changes.read_volume_csv(b"hcpcs,modifier,pos,units\n62323,,11,100\n99213,,11,1000\n")
    report = changes.compare(catalog, "RVU25D", "RVU26C", volume=volume)
    assert report.volume is not None
    assert report.volume.total_change == D("8882.00")  # 100 x 26.42 + 1,000 x 6.24


def test_rows_added_deleted_and_no_longer_paid(catalog: Catalog) -> None:
    report = changes.compare(catalog, "RVU25D", "RVU26C", limit=5)
    assert report.summary is not None
    counts = report.summary.counts
    assert (counts["added"], counts["deleted"], counts["newly non-payable"]) == (496, 230, 1)
    assert counts["newly payable"] == 288
    (gone,) = report.newly_non_payable
    assert (gone.hcpcs, gone.status_before, gone.status_after) == ("77417", "A", "B")
    assert report.summary.cf_before == ("32.3465",) and report.summary.cf_after == ("33.4009",)


def test_grid_samples_are_the_engines(catalog: Catalog) -> None:
    """A spread of rows x localities x settings from the full grid, against price_line."""
    before, after = changes.pfs_side(catalog, "RVU25D"), changes.pfs_side(catalog, "RVU26C")
    grid = changes.fee_grid(before, after)
    assert len(grid.places) == 110  # national + 109 localities
    keys = [k for k in grid.keys if k in before.rows and k in after.rows][::997]
    for i, key in enumerate(keys):
        place = grid.places[(i * 37) % len(grid.places)]
        for side, step in ((before, "before"), (after, "after")):
            for setting, suffix in ((Setting.NON_FACILITY, "nf"), (Setting.FACILITY, "f")):
                request = LineRequest(
                    key[0], side.day, (key[1],) if key[1] else (),
                    location=Location(locality=place) if place else Location(), setting=setting,
                )  # fmt: skip
                allowed = pricing.price_line(catalog, request).allowed
                at = grid.position(key, place)
                assert at is not None
                expected = None if allowed is None else int(allowed * 100)
                assert grid.frame.get_column(f"{step}_{suffix}")[at] == expected, (key, place)


def test_addon_edits_2024_to_2026(catalog: Catalog) -> None:
    report = changes.compare(catalog, "2024Q3", "2026Q2")
    addon = next(t for t in report.edits if t.table == "add-on")
    # In force on Jul 1 2024 (the partial 2024 file, no dates) and on Apr 1 2026.
    assert (addon.compared_before, addon.compared_after) == (7465, 7740)
    assert (addon.added, addon.deleted, addon.changed) == (497, 222, 0)
    by = {(c.kind, c.code, c.other): c for c in addon.changes}
    assert by[("added", "0443T", "55707")].effective == date(2026, 1, 1)
    assert by[("deleted", "0131U", "0102U")].deletion == date(2025, 12, 31)
    assert any("partial" in n for n in report.notes)
    assert any(n.startswith("PTP: not compared") for n in report.notes)


def test_zips_between_oct_2025_and_jan_2026(catalog: Catalog) -> None:
    report = changes.compare(catalog, "20254", "20261")
    zips = report.zips
    assert zips is not None and zips.compared == 42956
    # No ZIP moved to another locality between the two files; nine changed their plus-four
    # flag (whether ZIP+4 is needed for an exact locality).
    assert zips.count("moved") == 0 and zips.count("added") == 0 and zips.count("removed") == 0
    assert [c.zip5 for c in zips.changes] == [
        "10506", "10590", "10964", "37148", "63628", "64784", "65627", "78739", "79932",
    ]  # fmt: skip
    first = zips.changes[0]
    assert (first.before, first.plus_four_before, first.plus_four_after) == (
        ("13202-02",), True, False,
    )  # fmt: skip


def test_clfs_2026_q1_to_q2(catalog: Catalog) -> None:
    report = changes.compare(catalog, "2026Q1", "2026Q2")
    labs = report.labs
    assert labs is not None
    assert (labs.added, labs.deleted, labs.changed) == (17, 0, 0)
    added = [c for c in labs.changes if c.kind == "added"]
    assert {c.effective for c in added} == {date(2026, 4, 1)}
    assert added[0].hcpcs == "0614U" and added[-1].hcpcs == "0630U"
    assert {c.indicator_after for c in added} == {"L"}  # no national rate yet


def test_which_release_applies_on_a_date(catalog: Catalog) -> None:
    from medpayiq import services

    status = {k.kind: k for k in services.release_status(catalog, date(2026, 7, 15)).kinds}
    assert (status["pprrvu"].applies, status["pprrvu"].loaded, status["pprrvu"].used) == (
        "RVU26C", True, "RVU26C",
    )  # fmt: skip
    zip5 = status["zip5"]
    assert (zip5.applies, zip5.loaded, zip5.used, zip5.confidence) == (
        "20263", False, "20261", "medium",
    )  # fmt: skip
    assert status["ptp"].newest == "2024Q3" and status["ptp"].confidence == "low"
