"""A practice's volume weighed against two fee schedule releases (rows of conftest.py)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from medpayiq import changes
from medpayiq.changes import Causes, VolumeRow
from medpayiq.errors import InputError
from medpayiq.pricing import Setting
from medpayiq.reference import Catalog

D = Decimal


def _impact(pair: Catalog, text: str) -> changes.VolumeImpact:
    volume = changes.read_volume_csv(text.encode(), name="volume.csv")
    report = changes.compare(pair, "RVU25D", "RVU26C", volume=volume)
    assert report.volume is not None
    return report.volume


def test_62323_and_99213_in_the_office(pair: Catalog) -> None:
    impact = _impact(pair, "hcpcs,modifier,pos,units\n62323,,11,100\n99213,,11,1000\n")
    # 100 x (273.22 - 246.80) + 1,000 x (95.19 - 88.95) = 2,642.00 + 6,240.00
    assert impact.total_change == D("8882.00")
    assert (impact.total_before, impact.total_after) == (D("113630.00"), D("122512.00"))
    # CF: 100 x 8.05 + 1,000 x 2.90; RVUs: 100 x 18.37 + 1,000 x 3.34
    assert impact.causes == Causes(D("3705.00"), D("5177.00"), D("0.00"))
    assert [(c.hcpcs, c.impact) for c in impact.by_code] == [
        ("99213", D("6240.00")), ("62323", D("2642.00")),
    ]  # fmt: skip
    assert impact.lines_compared == 2 and impact.units_compared == 1100


def test_lines_of_one_code_and_place_are_summed(pair: Catalog) -> None:
    text = "code,Units,POS\n99213,400,11\n99213,600,11\n99213,10,22\n"
    impact = _impact(pair, text)
    # 1,000 x 6.24 in the office; 10 x (57.45 - 63.72) in the hospital
    assert impact.total_change == D("6240.00") + D("-62.70")
    office = [line for line in impact.lines if line.setting is Setting.NON_FACILITY]
    assert office[0].units == 1000 and office[0].lines == 2 and office[0].first_line == 2


def test_a_zip_line_and_a_moved_zip(pair: Catalog) -> None:
    impact = _impact(pair, "hcpcs,pos,units,zip\n99213,11,100,77030\n99213,11,10,77001\n")
    houston = next(line for line in impact.lines if line.place == "04412-18")
    # Houston both years: 91.00 -> 96.33 (8.21... see test_fees), 100 units
    assert (houston.before, houston.after, houston.impact) == (D("91.00"), D("96.33"), D("533.00"))
    moved = next(line for line in impact.lines if line.place == "04412-18 -> 04412-99")
    assert (moved.before, moved.after) == (D("91.00"), D("92.41"))
    assert moved.causes == Causes(D("29.60"), D("32.20"), D("-47.70"))


def test_modifiers_beyond_26_and_tc_go_to_the_line_engine(pair: Catalog) -> None:
    impact = _impact(pair, "hcpcs,modifier,pos,units\n27447,50,22,2\n71046,26,22,10\n")
    bilateral = next(line for line in impact.lines if line.hcpcs == "27447")
    # 150% of 1,257.63 = 1,886.45 (half-up); of 1,159.35 = 1,739.03
    assert (bilateral.before, bilateral.after) == (D("1886.45"), D("1739.03"))
    assert bilateral.causes is None and "line engine" in bilateral.note
    assert impact.unattributed == 2 * (D("1739.03") - D("1886.45"))
    professional = next(line for line in impact.lines if line.hcpcs == "71046")
    assert (professional.before, professional.after) == (D("10.03"), D("10.02"))
    assert impact.causes is not None
    assert impact.causes.cf + impact.causes.rvus + impact.causes.gpci + impact.unattributed == (
        impact.total_change
    )


def test_lines_priced_once_are_listed_not_counted(pair: Catalog) -> None:
    text = (
        "hcpcs,modifier,pos,units\n77417,,11,3\n0988T,,11,1\n0042T,,11,2\n99999,,11,1\n"
        "62323,,11,1\n99213,26,11,5\n"
    )
    impact = _impact(pair, text)
    assert impact.total_change == D("26.42")
    reasons = {line.hcpcs: line.note for line in impact.not_compared}
    assert "status B" in reasons["77417"]
    assert "new in RVU26C" in reasons["0988T"]
    assert "not in RVU26C" in reasons["0042T"]
    assert "not in either" in reasons["99999"]
    assert "99213 has no 26 row" in reasons["99213"]
    assert impact.no_longer_paid == 3 * D("15.85")


def test_a_lab_code_says_where_it_is_paid(pair: Catalog) -> None:
    impact = _impact(pair, "hcpcs,pos,units\n87086,11,100\n")
    (line,) = impact.not_compared
    assert "clinical laboratory code, compare CLFS quarters (2026Q1 to 2026Q2)" in line.note


def test_bad_rows_are_left_out_with_their_line(pair: Catalog) -> None:
    text = (
        "hcpcs,modifier,pos,units,zip\n"
        "62323,,11,100,\n"
        "6232,,11,1,\n"  # line 3: not a code
        "62323,,11,1.5,\n"  # line 4: not a whole number
        "62323,,1x,1,\n"  # line 5: not a place of service
        "62323,,11,1,7703\n"  # line 6: not a ZIP
        "62323,,11,1,00000\n"  # line 7: a ZIP the file does not have
        "62323,,30,1,\n"  # line 8: a place of service the code set does not have
    )
    impact = _impact(pair, text)
    assert impact.total_change == D("2642.00")
    found = {(p.line, p.column) for p in impact.problems}
    assert found == {(3, "hcpcs"), (4, "units"), (5, "pos"), (6, "zip"), (7, "zip"), (8, "pos")}
    assert impact.problem_count == 6


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "is empty"),
        (b"code,count\n", "no lines"),
        (b"hcpcs,modifier\n62323,\n", "no units column"),
        (b"a,b\n1,2,3,4\n", "not a CSV file|no hcpcs"),
    ],
)
def test_a_file_that_cannot_be_read(data: bytes, message: str) -> None:
    with pytest.raises(InputError, match=message):
        changes.read_volume_csv(data)


def test_volume_from_rows_reads_like_the_csv(pair: Catalog) -> None:
    volume = changes.volume_from_rows(
        [VolumeRow("62323", 100, pos="11", line=1), VolumeRow("99213", 1000, pos="11", line=2)],
        source="claims.837",
    )
    report = changes.compare(pair, "RVU25D", "RVU26C", volume=volume)
    assert report.volume is not None and report.volume.total_change == D("8882.00")
    assert report.volume.source == "claims.837"
