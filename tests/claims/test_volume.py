"""`medpayiq changes --volume FILE.837`: a practice's volume read from an 837P file's lines."""

from __future__ import annotations

import polars as pl
import pytest

from medpayiq.errors import InputError
from medpayiq.services import volume_from_837p

from .files import practice_file


def test_volume_from_an_837p() -> None:
    volume = volume_from_837p(practice_file().encode(), name="practice.837")
    frame = volume.frame
    # Every 99213 line with no modifier, in the office, in Houston, but G3's (a void): B2, C1,
    # C2, D1, D2, D3, E1 line 4, F1, G1, G2, H1, H2.
    visits = frame.filter(
        (pl.col("hcpcs") == "99213") & (pl.col("modifier") == "") & (pl.col("pos") == "11")
    )
    assert visits.get_column("units").to_list() == [12]
    assert visits.get_column("zip").to_list() == ["77030"]
    assert volume.lines_read == 24 and volume.problem_count == 0  # 25 lines, less G3's
    j1040 = frame.filter(pl.col("hcpcs") == "J1040")
    assert j1040.get_column("units").to_list() == [1]  # 0.5 units, rounded up
    rr = frame.filter(pl.col("hcpcs") == "E0601").get_column("modifier").to_list()
    assert rr == ["RR"]


def test_a_file_that_is_not_x12() -> None:
    with pytest.raises(InputError, match="cannot be read"):
        volume_from_837p(b"ISA*00*short~", name="bad.837")
