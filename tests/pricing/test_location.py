"""Where -> which locality: national, carrier + locality, state, county (LOCCO), ZIP (ZIP5).
Hand-built rows from conftest.py (GPCI2025, 25LOCCO, ZIP5_OCT2025 entries)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from medpayiq.errors import UnknownLocation
from medpayiq.pricing import AmbiguousLocation, LineRequest, Location, price_line

DAY = date(2025, 11, 3)


def where(tiny, **location: str):
    return price_line(tiny, LineRequest("62323", DAY, location=Location(**location))).location


def test_national(tiny):
    loc = where(tiny)
    assert loc.locality is None and loc.gpci is None


@pytest.mark.parametrize("text", ["04412-18", "0441218", " 04412-18 "])
def test_carrier_locality(tiny, text):
    loc = where(tiny, locality=text)
    assert str(loc.locality) == "04412-18" and loc.name == "HOUSTON"


@pytest.mark.parametrize("text", ["04412-77", "4412-18", "houston", ""])
def test_bad_locality(tiny, text):
    with pytest.raises(UnknownLocation) as err:
        where(tiny, locality=text or "x")
    assert err.value.parameter == "locality"


def test_zip(tiny):
    loc = where(tiny, zip="77030")
    assert str(loc.locality) == "04412-18"
    assert "20254" in loc.how  # the ZIP5 release used


def test_zip_with_plus_four_flag_needs_zip9(tiny):
    with pytest.raises(AmbiguousLocation, match="ZIP\\+4 is needed") as err:
        where(tiny, zip="77494")
    assert err.value.parameter == "zip"
    # The ZIP5 file's locality first, then the state's others.
    assert [str(c.locality) for c in err.value.candidates] == ["04412-18", "04412-99"]


@pytest.mark.parametrize("text", ["7703", "770301", "abcde", "77030-12"])
def test_malformed_zip(tiny, text):
    with pytest.raises(UnknownLocation, match="not a ZIP code") as err:
        where(tiny, zip=text)
    assert err.value.parameter == "zip"


def test_zip_not_in_file(tiny):
    with pytest.raises(UnknownLocation, match="ZIP 00001 is not in"):
        where(tiny, zip="00001")


def test_single_locality_state(tiny):
    for text in ("AK", "alaska", "Ak"):
        assert str(where(tiny, state=text).locality) == "02102-01"


def test_multi_locality_state_lists_localities(tiny):
    with pytest.raises(AmbiguousLocation, match="TEXAS has 2 Medicare localities") as err:
        where(tiny, state="TX")
    assert {str(c.locality) for c in err.value.candidates} == {"04412-18", "04412-99"}


def test_unknown_state(tiny):
    with pytest.raises(UnknownLocation) as err:
        where(tiny, state="ZZ")
    assert err.value.parameter == "state"


def test_county(tiny):
    assert str(where(tiny, state="TX", county="Harris").locality) == "04412-18"
    assert str(where(tiny, state="TX", county="Harris County").locality) == "04412-18"
    # A county LOCCO does not name falls in "all other counties", and the answer says so.
    rest = where(tiny, state="TX", county="El Paso")
    assert str(rest.locality) == "04412-99" and "not named" in rest.how


def test_county_without_state(tiny):
    with pytest.raises(UnknownLocation) as err:
        where(tiny, county="HARRIS")
    assert err.value.parameter == "county"


def test_location_changes_the_price(tiny):
    houston = price_line(tiny, LineRequest("62323", DAY, location=Location(zip="77030")))
    assert houston.allowed == Decimal("250.42")  # see test_line.test_houston_locality
