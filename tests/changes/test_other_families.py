"""Edits, the CLFS, ZIP files and GPCIs compared (rows of conftest.py), and how a pair of
release ids finds its family."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from medpayiq import changes
from medpayiq.errors import InputError, ReleaseNotLoaded
from medpayiq.records import LabFee
from medpayiq.reference import Catalog, Provenance
from medpayiq.releases import Family, Kind, quarter_release

D = Decimal


def test_addon_edits_added_deleted_changed(pair: Catalog) -> None:
    report = changes.compare(pair, "2024Q3", "2026Q2")
    assert report.family is Family.NCCI
    addon = next(t for t in report.edits if t.table == "add-on")
    assert (addon.added, addon.deleted, addon.changed) == (2, 1, 1)
    by = {(c.kind, c.code, c.other): c for c in addon.changes}
    new = by[("added", "0443T", "55700")]
    assert new.after == "type 1" and new.effective == date(2026, 1, 1) and new.note == ""
    # In force since 2014 per the later file: the first file simply lacked it.
    assert "missing from the 2024Q3 file" in by[("added", "11045", "11042")].note
    gone = by[("deleted", "22552", "22551")]
    assert gone.deletion == date(2025, 12, 31) and gone.note == "deleted 2025-12-31"
    changed = by[("changed", "0054T", "CCCCC")]
    assert (changed.before, changed.after) == ("type 2", "type 3")


def test_ptp_and_mue_when_both_quarters_are_loaded(pair: Catalog) -> None:
    report = changes.compare(pair, "2024Q3", "2026Q2", codes={"99213", "64483", "J1100", "0988T"})
    ptp = next(t for t in report.edits if t.table == "PTP")
    assert [(c.kind, c.code, c.other) for c in ptp.changes] == [
        ("added", "64483", "77012"), ("deleted", "20610", "99213"),
    ]  # fmt: skip
    mue = next(t for t in report.edits if t.table == "MUE")
    assert [(c.kind, c.code, c.before, c.after) for c in mue.changes] == [
        ("added", "0988T", "", "1 units, MAI 2"),
        ("deleted", "J1100", "30 units, MAI 3", ""),
        ("changed", "99213", "1 units, MAI 3", "2 units, MAI 3"),
    ]


def test_a_table_loaded_for_one_quarter_only_is_noted(pair: Catalog) -> None:
    catalog = Catalog(dict(pair.datasets_by_key))
    del catalog.datasets_by_key[(Kind.PTP, "2026Q2", "")]
    report = changes.compare(catalog, "2024Q3", "2026Q2", family=Family.NCCI)
    assert [t.table for t in report.edits] == ["add-on", "MUE"]
    assert any(n.startswith("PTP: not compared, 2026Q2 not loaded") for n in report.notes)


def test_clfs_quarters(pair: Catalog) -> None:
    report = changes.compare(pair, "2026Q1", "2026Q2")
    assert report.family is Family.CLFS and report.labs is not None
    labs = report.labs
    assert (labs.added, labs.deleted, labs.changed) == (1, 1, 1)
    by = {c.hcpcs: c for c in labs.changes}
    assert by["0614U"].kind == "added" and by["0614U"].indicator_after == "L"
    assert by["0614U"].effective == date(2026, 4, 1)
    assert by["0001U"].kind == "deleted"
    assert (by["87086"].rate_before, by["87086"].rate_after, by["87086"].change) == (
        D("8.68"), D("9.00"), D("0.32"),
    )  # fmt: skip


def test_clfs_volume(pair: Catalog) -> None:
    text = b"hcpcs,units\n87086,100\n80053,50\n0614U,3\n0001U,2\n"
    volume = changes.read_volume_csv(text)
    report = changes.compare(pair, "2026Q1", "2026Q2", volume=volume)
    impact = report.volume
    assert impact is not None
    assert impact.total_change == D("32.00")  # 100 x 0.32; 80053 unchanged
    assert impact.causes is None  # one national rate: the rate is the cause
    reasons = {line.hcpcs: line.note for line in impact.not_compared}
    assert "no national rate in 2026Q2" in reasons["0614U"]
    assert "not on the CLFS in 2026Q2" in reasons["0001U"]
    assert impact.no_longer_paid == D("1440.00")  # 2 x 720.00


def test_zip_files(pair: Catalog) -> None:
    report = changes.compare(pair, "20254", "20261")
    zips = report.zips
    assert zips is not None and report.family is Family.ZIP
    assert [(c.kind, c.zip5) for c in zips.changes] == [
        ("moved", "77001"), ("added", "77002"), ("plus-four flag", "79901"), ("removed", "79999"),
    ]  # fmt: skip
    assert zips.changes[0].before == ("04412-18",) and zips.changes[0].after == ("04412-99",)
    assert zips.count("moved") == 1


def test_fee_schedule_report_carries_gpcis_and_zips(pair: Catalog) -> None:
    report = changes.compare(pair, "RVU25D", "RVU26C")
    assert report.localities is not None and report.zips is not None
    houston = next(c for c in report.localities.changes if c.locality == "04412-18")
    assert houston.before == (D("1.014"), D("1.003"), D("1.409"))
    assert houston.after == (D("1.008"), D("0.993"), D("1.376"))
    assert report.zips.count("moved") == 1
    # RVU26C's first day wants ZIP file 20263, which is not loaded: said, not hidden.
    assert any("20263" in n and "20261" in n for n in report.notes)


def test_which_family(pair: Catalog) -> None:
    assert changes.family_of(pair, "RVU25D", "RVU26C") is Family.PFS
    assert changes.family_of(pair, "20254", "20261") is Family.ZIP
    assert changes.family_of(pair, "2026Q1", "2026Q2") is Family.CLFS  # only the CLFS has both
    catalog = Catalog(dict(pair.datasets_by_key))
    for release in ("2026Q1", "2026Q2"):
        rows: list[LabFee] = []
        catalog.add(
            Provenance(Kind.ADDON, quarter_release(Family.NCCI, release), "x", "0", 0), rows
        )
    with pytest.raises(InputError, match="clfs, ncci: say which with kind"):
        changes.compare(catalog, "2026Q1", "2026Q2")
    assert changes.compare(catalog, "2026Q1", "2026Q2", family=Family.CLFS).labs is not None
    with pytest.raises(ReleaseNotLoaded, match="no quarterly family has both 2026Q1 and 2026Q3"):
        changes.compare(pair, "2026Q1", "2026Q3")


def test_options_that_do_not_apply(pair: Catalog) -> None:
    volume = changes.read_volume_csv(b"hcpcs,units\n62323,1\n")
    with pytest.raises(InputError, match="PFS or CLFS"):
        changes.compare(pair, "2024Q3", "2026Q2", volume=volume)
    with pytest.raises(InputError, match="not to clfs"):
        changes.compare(pair, "2026Q1", "2026Q2", zip_code="77030")
