"""One line, worked by hand from the rules (DOMAIN.md sections 1-5).

The RVUs and GPCIs in conftest.py are CMS's (RVU25D, RVU26C, GPCI2025/2026). Each expected
figure is computed in the comment beside it: sum the RVU x GPCI products, multiply by the CF,
round half-up to cents; percentage adjustments apply to the rounded amount and round again.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from medpayiq.errors import InputError, InvalidModifier, ReleaseNotLoaded, UnknownCode
from medpayiq.pricing import LineRequest, Location, Setting, price_line
from medpayiq.reference import Confidence

D = Decimal
NOV_2025 = date(2025, 11, 3)
AUG_2026 = date(2026, 8, 14)
HOUSTON = Location(locality="04412-18")


def line(code: str, *mods: str, day: date = NOV_2025, **kw: object) -> LineRequest:
    return LineRequest(code, day, modifiers=mods, **kw)  # type: ignore[arg-type]


# --- The amount ------------------------------------------------------------------------------


def test_national_2025_matches_cms(tiny):
    # 62323 RVU25D: (1.80 + 5.66 + 0.17) x 32.3465 = 7.63 x 32.3465 = 246.803795 -> 246.80
    #               (1.80 + 1.00 + 0.17) x 32.3465 = 2.97 x 32.3465 =  96.069105 ->  96.07
    result = price_line(tiny, line("62323"))
    assert result.allowed == D("246.80")
    assert result.facility is not None and result.facility.amount == D("96.07")
    assert result.setting is Setting.NON_FACILITY
    assert result.location.is_national
    assert result.release == "RVU25D" and result.conversion_factor == D("32.3465")
    assert result.confidence is Confidence.HIGH


def test_houston_locality(tiny):
    # 04412-18 GPCIs 1.014 / 1.003 / 1.409:
    # 1.80 x 1.014 + 5.66 x 1.003 + 0.17 x 1.409 = 1.8252 + 5.67698 + 0.23953 = 7.74171
    # 7.74171 x 32.3465 = 250.417222515 -> 250.42; national 246.80: +3.62, +1.47%
    result = price_line(tiny, line("62323", location=HOUSTON))
    assert result.allowed == D("250.42")
    assert result.national_allowed == D("246.80")
    assert result.difference == D("3.62")
    assert result.difference_percent == D("1.47")  # 3.62 / 246.80 = 1.4668%
    rvu_step = next(s for s in result.trail if s.rule == "RVU x GPCI")
    assert rvu_step.result == D("7.74171")


def test_2026_standard_cf(tiny):
    # 62323 RVU26C: (1.76 + 6.25 + 0.17) x 33.4009 = 8.18 x 33.4009 = 273.219362 -> 273.22
    #               (1.76 + 0.74 + 0.17) x 33.4009 = 2.67 x 33.4009 =  89.180403 ->  89.18
    result = price_line(tiny, line("62323", day=AUG_2026))
    assert result.allowed == D("273.22")
    assert result.facility is not None and result.facility.amount == D("89.18")
    assert result.release == "RVU26C"


def test_2026_qp_without_qpp_file_uses_published_qp_cf(tiny):
    # 8.18 x 33.5675 = 274.58215 -> 274.58, and the trail says the QPP file is not loaded
    result = price_line(tiny, line("62323", day=AUG_2026), qp=True)
    assert result.allowed == D("274.58")
    assert result.conversion_factor == D("33.5675")
    cf_step = next(s for s in result.trail if s.rule == "conversion factor")
    assert "QPP file is not loaded" in cf_step.note


def test_2026_work_gpci_with_floor(tiny):
    # Rest of Texas 2026: work GPCI 0.991 without the floor, 1.000 with it (GPCI2026).
    # With: 1.76 x 1.000 + 6.25 x 0.949 + 0.17 x 0.903 = 7.84476 x 33.4009 = 262.0216 -> 262.02
    # (without the floor it would be 261.49)
    result = price_line(tiny, line("62323", day=AUG_2026, location=Location(locality="04412-99")))
    assert result.allowed == D("262.02")
    assert result.gpci_work_column == "with 1.0 floor"
    column = next(s for s in result.trail if s.rule == "work GPCI column")
    assert "Consolidated Appropriations Act, 2026" in column.note


def test_release_not_in_effect_is_medium_confidence(tiny):
    # November 2026 is RVU26D's quarter; only RVU26C is loaded.
    result = price_line(tiny, line("62323", day=date(2026, 11, 20)))
    assert result.allowed == D("273.22")
    assert result.confidence is Confidence.MEDIUM
    assert "RVU26D" in result.confidence_reason and "RVU26C" in result.confidence_reason


def test_year_without_release(tiny):
    with pytest.raises(ReleaseNotLoaded, match="RVU27A"):
        price_line(tiny, line("62323", day=date(2027, 1, 5)))


def test_opps_cap_takes_the_lower(tiny):
    # 70496 global, non-facility: fee schedule (1.75 + 6.56 + 0.11) x 32.3465 = 272.35753 -> 272.36
    # OPPS: (1.75 + 6.11 + 0.11) x 32.3465 = 7.97 x 32.3465 = 257.801605 -> 257.80 (lower)
    result = price_line(tiny, line("70496"))
    assert result.nonfacility is not None
    assert result.nonfacility.fee_schedule == D("272.36")
    assert result.nonfacility.opps_cap == D("257.80")
    assert result.allowed == D("257.80")
    assert any(s.rule == "OPPS cap" for s in result.trail)


# --- Place of service ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pos", "setting", "amount"),
    [("11", Setting.NON_FACILITY, "246.80"), ("22", Setting.FACILITY, "96.07"),
     ("02", Setting.FACILITY, "96.07"), ("10", Setting.NON_FACILITY, "246.80"),
     ("24", Setting.FACILITY, "96.07")],
)  # fmt: skip
def test_place_of_service(tiny, pos, setting, amount):
    result = price_line(tiny, line("62323", pos=pos))
    assert result.setting is setting
    assert result.allowed == D(amount)


def test_explicit_setting(tiny):
    assert price_line(tiny, line("62323", setting=Setting.FACILITY)).allowed == D("96.07")


@pytest.mark.parametrize("pos", ["30", "ab", "123", "77"])
def test_bad_place_of_service(tiny, pos):
    with pytest.raises(InputError) as err:
        price_line(tiny, line("62323", pos=pos))
    assert err.value.parameter == "pos"


def test_na_setting_is_priced_from_the_file_pe_and_flagged(tiny):
    # 27447 is NA in the non-facility setting (a hospital-only procedure). The file carries
    # the facility PE (15.30) in both columns; CMS prices the office at it (DOMAIN.md s.1).
    # (19.60 + 15.30 + 3.98) x 32.3465 = 38.88 x 32.3465 = 1257.63192 -> 1257.63
    office = price_line(tiny, line("27447", pos="11"))
    assert office.payable and office.allowed == D("1257.63")
    assert office.nonfacility is not None and office.nonfacility.na
    assert any(r.startswith("NA: 27447 is rarely or never performed") for r in office.review)
    assert any(step.rule == "NA indicator" for step in office.trail)
    hospital = price_line(tiny, line("27447", pos="22"))
    assert hospital.allowed == D("1257.63") and hospital.review == ()


# --- Status ----------------------------------------------------------------------------------


def test_status_without_payment(tiny):
    result = price_line(tiny, line("36415"))
    assert not result.payable and result.allowed is None
    assert "status X" in result.message
    anesthesia = price_line(tiny, line("00100"))
    assert anesthesia.allowed is None and "anesthesia" in anesthesia.message


def test_status_t_alone_is_paid(tiny):
    # G0000 (test row, status T): (0.10 + 0.20 + 0.01) x 32.3465 = 10.027415 -> 10.03
    assert price_line(tiny, line("G0000")).allowed == D("10.03")


# --- Modifiers -------------------------------------------------------------------------------


def test_26_and_tc_from_their_own_rows(tiny):
    # 70450 global (0.85 + 2.35 + 0.05) = 3.25 x 32.3465 = 105.126125 -> 105.13
    # 26: (0.85 + 0.31 + 0.04) = 1.20 x 32.3465 = 38.8158 -> 38.82
    # TC: (0 + 2.04 + 0.01) = 2.05 x 32.3465 = 66.310325 -> 66.31;  38.82 + 66.31 = 105.13
    assert price_line(tiny, line("70450")).allowed == D("105.13")
    assert price_line(tiny, line("70450", "26")).allowed == D("38.82")
    assert price_line(tiny, line("70450", "TC")).allowed == D("66.31")


def test_26_on_a_code_without_split(tiny):
    with pytest.raises(InvalidModifier, match="PCTC indicator 0") as err:
        price_line(tiny, line("62323", "26"))
    assert err.value.parameter == "modifier"


def test_26_and_tc_together(tiny):
    with pytest.raises(InvalidModifier):
        price_line(tiny, line("70450", "26", "TC"))


def test_bilateral(tiny):
    # 64483 (bilateral indicator 1): 7.30 x 32.3465 = 236.12945 -> 236.13;
    # x 150% = 354.195 -> 354.20
    assert price_line(tiny, line("64483", "50")).allowed == D("354.20")
    # 69210 (indicator 2, already bilateral): 100%:
    # (0.61 + 0.76 + 0.07) = 1.44 x 32.3465 = 46.57896 -> 46.58
    assert price_line(tiny, line("69210", "50")).allowed == D("46.58")
    # 11042 (indicator 0): 150% does not apply, 100%:
    # (1.01 + 2.73 + 0.13) = 3.87 x 32.3465 = 125.180955 -> 125.18
    assert price_line(tiny, line("11042", "50")).allowed == D("125.18")
    with pytest.raises(InvalidModifier, match="bilateral indicator 9"):
        price_line(tiny, line("62323", "50"))


def test_assistant_and_co_surgeon(tiny):
    # 27447 facility 1257.63 (above)
    # 80: x 16% = 201.2208 -> 201.22;  AS: x 13.6% = 171.03768 -> 171.04;
    # 62: x 62.5% = 786.01875 -> 786.02
    assert price_line(tiny, line("27447", "80", pos="22")).allowed == D("201.22")
    assert price_line(tiny, line("27447", "AS", pos="22")).allowed == D("171.04")
    # AS already includes the 85% of a non-physician practitioner: not applied twice.
    assert price_line(tiny, line("27447", "AS", pos="22"), npp=True).allowed == D("171.04")
    co = price_line(tiny, line("27447", "62", pos="22"))
    assert co.allowed == D("786.02")
    assert co.review  # co-surgery indicator 1: documentation
    # 33533 co-surgery indicator 0, 62323 assistant indicator 1: no amount, and why.
    assert price_line(tiny, line("33533", "62", pos="22")).allowed is None
    never = price_line(tiny, line("62323", "80"))
    assert never.allowed is None and "never paid" in never.message


def test_split_global_care(tiny):
    # 27447 shares pre 0.10, intra 0.69, post 0.21 of 1257.63
    # 54: (0.10 + 0.69) x 1257.63 = 993.5277 -> 993.53;  55: 0.21 x 1257.63 = 264.1023 -> 264.10
    # 56: 0.10 x 1257.63 = 125.763 -> 125.76
    assert price_line(tiny, line("27447", "54", pos="22")).allowed == D("993.53")
    assert price_line(tiny, line("27447", "55", pos="22")).allowed == D("264.10")
    assert price_line(tiny, line("27447", "56", pos="22")).allowed == D("125.76")
    with pytest.raises(InvalidModifier, match="global period 000"):
        price_line(tiny, line("62323", "54"))


def test_reduced_and_discontinued(tiny):
    # 45378-53 has its own row: (1.63 + 3.22 + 0.22) = 5.07 x 32.3465 = 163.996755 -> 164.00
    assert price_line(tiny, line("45378", "53")).allowed == D("164.00")
    for mod in ("52", "53", "66"):
        result = price_line(tiny, line("62323", mod))
        assert result.allowed is None and result.review, mod


def test_informational_modifier_and_units(tiny):
    # 99213 (no multiple procedure rule) x 3 units:
    # 2.75 x 32.3465 = 88.952875 -> 88.95; x 3 = 266.85
    result = price_line(tiny, line("99213", "25", units=3))
    assert result.allowed == D("266.85")
    assert any(s.rule == "modifier 25" for s in result.trail)


@pytest.mark.parametrize("mod", ["5", "ABC", "2-"])
def test_malformed_modifier(tiny, mod):
    with pytest.raises(InvalidModifier):
        price_line(tiny, line("62323", mod))


# --- Provider --------------------------------------------------------------------------------


def test_provider_rates(tiny):
    # non-participating: 246.80 x 95% = 234.46; limiting charge 234.46 x 115% = 269.629 -> 269.63
    nonpar = price_line(tiny, line("62323"), non_participating=True)
    assert nonpar.allowed == D("234.46") and nonpar.limiting_charge == D("269.63")
    # NP/PA/CNS: 246.80 x 85% = 209.78
    assert price_line(tiny, line("62323"), npp=True).allowed == D("209.78")


# --- Cost share ------------------------------------------------------------------------------


def test_cost_share_deductible_met(tiny):
    # 246.80 allowed: coinsurance 20% = 49.36; Medicare 80% = 197.44 less 2% = 3.9488 -> 3.95
    share = price_line(tiny, line("62323")).cost_share
    assert share is not None
    assert (share.patient_pays, share.medicare_pays, share.write_off) == (
        D("49.36"), D("193.49"), D("3.95"))  # fmt: skip


def test_cost_share_with_deductible(tiny):
    # $100 deductible left: 146.80 remains; coinsurance 29.36; Medicare 117.44 - 2.3488 (2.35)
    # = 115.09; patient 100 + 29.36 = 129.36; 129.36 + 115.09 + 2.35 = 246.80
    share = price_line(tiny, line("62323"), deductible_remaining=D("100")).cost_share
    assert share is not None
    assert share.deductible_applied == D("100.00")
    assert share.patient_pays == D("129.36")
    assert share.medicare_pays == D("115.09")
    assert share.write_off == D("2.35")
    # The whole deductible (2025: $257) exceeds the amount: the patient pays it all.
    all_ded = price_line(tiny, line("62323"), deductible_remaining=D("257")).cost_share
    assert all_ded is not None and all_ded.medicare_pays == D("0.00")
    assert all_ded.deductible_remaining_after == D("10.20")


def test_impossible_deductible(tiny):
    with pytest.raises(InputError) as err:
        price_line(tiny, line("62323"), deductible_remaining=D("300"))
    assert err.value.parameter == "deductible_remaining"


# --- Bad input -------------------------------------------------------------------------------


def test_unknown_code(tiny):
    with pytest.raises(UnknownCode, match="99999 is not in the fee schedule release RVU25D"):
        price_line(tiny, line("99999"))


def test_code_not_valid_on_the_date(tiny):
    # 64483 is in the 2025 test file but not in the (test) RVU26C file.
    with pytest.raises(UnknownCode, match="RVU26C"):
        price_line(tiny, line("64483", day=AUG_2026))


@pytest.mark.parametrize("code", ["6232", "623233", "62-23", ""])
def test_malformed_code(tiny, code):
    with pytest.raises(InputError) as err:
        price_line(tiny, line(code))
    assert err.value.parameter == "hcpcs"


@pytest.mark.parametrize("units", [0, -1, 10000])
def test_bad_units(tiny, units):
    with pytest.raises(InputError) as err:
        price_line(tiny, line("62323", units=units))
    assert err.value.parameter == "units"


def test_as_dict_is_json_ready(tiny):
    import json

    data = price_line(tiny, line("62323", location=HOUSTON)).as_dict()
    assert data["allowed"] == "250.42"
    assert data["nonfacility"]["amount"] == "250.42"
    assert data["location"]["locality"] == "04412-18"
    assert data["provenance"][0]["release"] == "RVU25D"
    assert data["confidence"] == "high"
    json.dumps(data)  # no Decimal or date left


@pytest.mark.parametrize(
    ("text", "row"),
    [
        ("", ""),
        ("26", "26"),
        ("tc, 59", "TC"),  # 59 is only noted
        ("25 LT", ""),
        ("51;26", "26"),  # 51 is applied to the claim, not the line's own amount
        ("26 TC", None),  # price_line's error
        ("50", None),  # bilateral: 150% of the row
        ("53", None),  # its own row, and a rule of its own
        ("80", None),  # assistant at surgery: 16%
        ("ABC", None),  # not a modifier (price_line rejects it)
    ],
)
def test_the_vectorised_row_modifier_is_the_engines_row_or_none(
    tiny: object, text: str, row: str | None
) -> None:
    """DayTerms.row_modifier (the batch engine's shortcut): the row price_line prices from
    when no other modifier changes the amount; None whenever one may or the text is wrong."""
    from medpayiq.pricing._terms import day_terms

    assert day_terms(tiny, NOV_2025).row_modifier(text) == row  # type: ignore[arg-type]
