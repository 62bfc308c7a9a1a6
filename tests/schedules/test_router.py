"""Every code a biller bills gets an answer from the schedule that pays it (issue 10), with
figures read from the official files (the shared `catalog` fixture)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from medpayiq.errors import UnknownCode
from medpayiq.pricing import Location
from medpayiq.reference import Catalog, Confidence
from medpayiq.schedules import PriceRequest, Terms, price_line, price_lines, route

D = Decimal
Q1 = date(2026, 2, 10)
Q2 = date(2026, 5, 4)
Q3 = date(2026, 8, 3)


@pytest.mark.parametrize(
    ("code", "schedule", "priced"),
    [
        ("99214", "pfs", True),
        ("80053", "clfs", True),
        ("36415", "clfs", True),
        ("E0601", "dmepos", True),
        ("B4034", "dmepos", True),  # the PEN file
        ("J1040", "asp", False),
        ("90686", "asp", False),  # a vaccine product, PFS status X
        ("00100", "anesthesia", False),
        ("A0425", "ambulance", False),
        ("A4206", "none", False),  # a valid HCPCS Level II code no loaded schedule lists
        ("81099", "none", False),  # an unlisted lab procedure: PFS status X, not on the CLFS
    ],
)
def test_route(catalog: Catalog, code: str, schedule: str, priced: bool) -> None:
    found = route(catalog, code, Q3)
    assert (found.schedule.name, found.priced) == (schedule, priced)
    assert found.description  # what the code is, from its file or the HCPCS list


@pytest.mark.parametrize(
    ("modifiers", "schedule"),
    [((), "clfs"), (("26",), "pfs"), (("26", "59"), "pfs"), (("59", "26"), "pfs"),
     (("tc",), "clfs"), (("QW",), "clfs"), (("53",), "clfs"), (("26", "TC"), "clfs")],
)  # fmt: skip
def test_a_lab_codes_professional_component_routes_by_its_modifier(
    catalog: Catalog, modifiers: tuple[str, ...], schedule: str
) -> None:
    # RVU26B lists 85576 as status X (the test: the CLFS pays it) and 85576-26 as status A
    # (the pathologist's interpretation: the physician fee schedule pays it). No TC or 53
    # row: those lines are the CLFS's, as is 26 with TC (no one row prices that line).
    assert route(catalog, "85576", Q2, modifiers).schedule.name == schedule


def test_a_lab_codes_professional_component_is_priced_from_its_26_row(catalog: Catalog) -> None:
    # RVU26B 85576-26: work 0.36 + PE 0.16 + MP 0.01 = 0.53 RVUs x CF 33.4009 = 17.7025 ->
    # 17.70 nationally; the test itself on the CLFS 2026 Q2: 24.91 (PUF_CLFS_CY2026_Q2V1).
    lines = price_lines(catalog, [PriceRequest("85576", Q2, ("26",)), PriceRequest("85576", Q2)])
    assert [(x.schedule.name, x.allowed) for x in lines] == [
        ("pfs", D("17.70")),
        ("clfs", D("24.91")),
    ]
    alone = price_line(catalog, PriceRequest("85576", Q2, ("26", "59")))
    assert (alone.schedule.name, alone.allowed) == ("pfs", D("17.70"))
    assert "85576-26 is on the physician fee schedule RVU26B, status A" in (
        route(catalog, "85576", Q2, ("26",)).reason
    )


def test_an_unknown_code_is_unknown(catalog: Catalog) -> None:
    with pytest.raises(UnknownCode, match="Z9999 is not on any loaded fee schedule"):
        route(catalog, "Z9999", Q3)


@pytest.mark.parametrize("day", [Q1, Q2])
@pytest.mark.parametrize(
    ("code", "rate"), [("80053", "10.56"), ("85025", "7.77"), ("36415", "9.34")]
)
def test_clfs_rates_in_q1_and_q2(catalog: Catalog, day: date, code: str, rate: str) -> None:
    result = price_line(catalog, PriceRequest(code, day), Terms(deductible_remaining=D("283")))
    assert (result.schedule.name, result.allowed, result.confidence) == (
        "clfs",
        D(rate),
        Confidence.HIGH,
    )
    assert result.release == ("2026Q1" if day == Q1 else "2026Q2")
    # No deductible, no coinsurance; Medicare's payment less 2% sequestration.
    share = result.cost_share
    assert share is not None
    assert (share.deductible_applied, share.coinsurance, share.patient_pays) == (D("0.00"),) * 3
    assert share.sequestration == (D(rate) * D("0.02")).quantize(D("0.01"))
    assert {s.kind for s in result.provenance} == {"clfs"}
    assert result.cost_share_waived


def test_clfs_units_charge_and_a_later_quarter(catalog: Catalog) -> None:
    two = price_line(catalog, PriceRequest("80053", Q2, units=2))
    assert two.allowed == D("21.12")  # 2 x 10.56
    cheaper = price_line(catalog, PriceRequest("80053", Q2, charge=D("8.00")))
    assert cheaper.allowed == D("8.00")  # the lesser of the charge and the rate
    # No 2026 Q3 file: Q2 answers at medium confidence and says so.
    august = price_line(catalog, PriceRequest("80053", Q3))
    assert (august.release, august.confidence) == ("2026Q2", Confidence.MEDIUM)
    assert "2026Q3" in august.confidence_reason


def test_clfs_code_without_a_national_rate(catalog: Catalog) -> None:
    result = price_line(catalog, PriceRequest("0614U", Q2))
    assert not result.payable and result.allowed is None
    assert "no national rate" in result.message and "indicator L" in result.message


def _dme(catalog: Catalog, *mods: str, rural: bool | None = None, **where: str):
    return price_line(
        catalog,
        PriceRequest("E0601", Q1, mods, location=Location(**where), rural=rural),
        Terms(deductible_remaining=D("0")),
    )


def test_dmepos_cpap_rental_by_state(catalog: Catalog) -> None:
    # DMEPOS26_JAN: E0601 RR, AL (NR) 51.94, AL (R) 97.02; TX (NR) 50.91, TX (R) 91.52.
    alabama = _dme(catalog, "RR", state="AL")
    assert alabama.allowed == D("51.94")
    assert [(a.label, a.amount) for a in alabama.amounts] == [
        ("non-rural, AL", D("51.94")),
        ("rural, AL", D("97.02")),
    ]
    # Without CMS's DMEPOS rural ZIP list, which column applies is unknown: it says so.
    assert alabama.confidence is Confidence.MEDIUM
    assert any("rural fee 97.02" in r for r in alabama.review)
    assert _dme(catalog, "RR", rural=True, state="AL").allowed == D("97.02")
    assert _dme(catalog, "RR", rural=False, state="AL").confidence is Confidence.HIGH
    texas = _dme(catalog, "RR", "KX", zip="77030")  # the state of the ZIP; KX changes nothing
    assert texas.allowed == D("50.91")
    # Deductible met: 20% coinsurance 10.18, Medicare 40.73 less 2% (0.81) = 39.92.
    share = texas.cost_share
    assert share is not None
    assert (share.coinsurance, share.sequestration, share.medicare_pays) == (
        D("10.18"),
        D("0.81"),
        D("39.92"),
    )


def test_dmepos_capped_rental_months_4_to_13(catalog: Catalog) -> None:
    # KJ: 75% of the rental fee (42 CFR 414.229(f)): 51.94 x 0.75 = 38.955 -> 38.96.
    assert _dme(catalog, "RR", "KJ", rural=False, state="AL").allowed == D("38.96")


def test_dmepos_needs_its_modifier_and_a_state(catalog: Catalog) -> None:
    bare = _dme(catalog, state="AL")
    assert not bare.payable and "priced by modifier" in bare.message and "RR" in bare.message
    national = _dme(catalog, "RR")
    assert not national.payable and "give the beneficiary's state" in national.message


@pytest.mark.parametrize(
    ("state", "nonrural", "rural"), [("AL", "3.94", "6.16"), ("AZ", "3.87", "6.16")]
)
def test_pen_kit_in_two_states(catalog: Catalog, state: str, nonrural: str, rural: str) -> None:
    request = PriceRequest("B4034", Q1, location=Location(state=state), rural=False)
    result = price_line(catalog, request)
    assert result.allowed == D(nonrural)
    assert [a.amount for a in result.amounts] == [D(nonrural), D(rural)]
    rural_result = price_line(
        catalog, PriceRequest("B4034", Q1, location=Location(state=state), rural=True)
    )
    assert rural_result.allowed == D(rural)


def test_the_annual_wellness_visit_costs_the_patient_nothing(catalog: Catalog) -> None:
    # G0439 in RVU26C: (1.92 + 2.07 + 0.13) x 33.4009 = 137.611708 -> 137.61, deductible unmet.
    result = price_line(catalog, PriceRequest("G0439", Q3), Terms(deductible_remaining=D("283")))
    share = result.cost_share
    assert result.allowed == D("137.61") and share is not None
    assert (share.deductible_applied, share.coinsurance, share.patient_pays) == (D("0.00"),) * 3
    assert share.deductible_remaining_after == D("283.00")
    assert result.cost_share_waived
    # An office visit on the same terms: the deductible takes the whole amount.
    visit = price_line(catalog, PriceRequest("99214", Q3), Terms(deductible_remaining=D("283")))
    assert visit.cost_share is not None and visit.cost_share.patient_pays == visit.allowed
    assert not visit.cost_share_waived


def test_a_claim_with_a_visit_labs_and_equipment_prices_every_line(catalog: Catalog) -> None:
    where = Location(zip="77030")
    lines = price_lines(
        catalog,
        [
            PriceRequest("99214", Q2, location=where, pos="11"),
            PriceRequest("36415", Q2, location=where, pos="11"),
            PriceRequest("80053", Q2, location=where, pos="11"),
            PriceRequest("E0601", Q2, ("RR",), location=where, pos="11", rural=False),
        ],
    )
    assert [(x.schedule.name, x.allowed) for x in lines][1:] == [
        ("clfs", D("9.34")),
        ("clfs", D("10.56")),
        ("dmepos", D("50.91")),
    ]
    # 99214 in Houston from RVU26B, as the physician fee schedule prices it alone.
    alone = price_line(catalog, PriceRequest("99214", Q2, location=where, pos="11"))
    assert lines[0].schedule.name == "pfs" and lines[0].allowed == alone.allowed
    # RVU26B is in effect; the ZIP file of 2026 Q2 is not loaded, and the answer says so.
    assert alone.release == "RVU26B" and alone.confidence is Confidence.MEDIUM
    assert "ZIP to locality 20262 applies" in alone.confidence_reason


def test_anesthesia_gives_the_locality_cf_and_says_what_is_missing(catalog: Catalog) -> None:
    result = price_line(catalog, PriceRequest("00100", Q3, location=Location(locality="04412-18")))
    assert not result.payable and "base unit file" in result.message
    # ANES2026, Houston (04412-18): 21.11.
    assert [(a.label, a.amount) for a in result.amounts] == [
        ("anesthesia CF, 04412-18", D("21.11"))
    ]


def test_a_drug_says_which_file_pays_it(catalog: Catalog) -> None:
    result = price_line(catalog, PriceRequest("J1040", Q3))
    assert not result.payable and result.schedule.title == "Part B drugs (ASP pricing file)"
    assert "ASP pricing file" in result.message and result.description.startswith("Injection")
    assert result.as_dict()["schedule"]["load"].startswith("CMS's quarterly ASP pricing file")


def test_april_2026_prices_from_rvu26b(catalog: Catalog) -> None:
    # RVU26B (PPRRVU2026_Apr_nonQPP.txt.gz): 62323 1.76 + 6.25 + 0.17 = 8.18 x 33.4009
    # = 273.219362 -> 273.22 nationally in the office, at high confidence.
    result = price_line(catalog, PriceRequest("62323", Q2, pos="11"))
    assert (result.release, result.allowed, result.confidence) == (
        "RVU26B",
        D("273.22"),
        Confidence.HIGH,
    )
    assert result.as_dict()["schedule"]["name"] == "pfs" and "trail" in result.as_dict()
