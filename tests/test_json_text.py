"""The one writer of amounts and dates as JSON text (`medpayiq.json_text`), which the claim
reports and the remittance answers share: the text `json.dumps` gives of `as_dict`'s
value, the first time and from the kept texts, zero and minus zero told apart."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

from medpayiq.json_text import date_json, money_json, money_text


def test_amounts_are_written_with_two_decimals_as_strings() -> None:
    cases = {
        "12.3": '"12.30"',
        "12.30": '"12.30"',
        "70.37": '"70.37"',
        "-98.28": '"-98.28"',
        "1211.1800": '"1211.18"',
        "0.00": '"0.00"',
        "0": '"0.00"',
        "-0": '"-0.00"',  # a reversal negates a zero amount: 835 text "-0.00", not "0.00"
        "-0.00": '"-0.00"',
    }
    for _ in range(2):  # the second time from the kept texts
        for text, expected in cases.items():
            amount = Decimal(text)
            assert money_json(amount) == expected == json.dumps(f"{amount:.2f}"), text
            assert json.dumps(money_text(amount)) == expected, text  # as as_dict gives it
    assert money_json(None) == "null" == json.dumps(money_text(None))


def test_minus_zero_after_zero_is_still_minus_zero() -> None:
    # 0 and -0 are equal keys: a table keyed by the Decimal would answer the first one's text
    assert money_json(Decimal("0")) == '"0.00"'
    assert money_json(Decimal("-0")) == '"-0.00"'
    assert money_json(Decimal("0E-7")) == '"0.00"'


def test_dates_are_iso_strings() -> None:
    for _ in range(2):
        assert date_json(date(2026, 3, 2)) == '"2026-03-02"'
        assert date_json(date(2025, 12, 31)) == '"2025-12-31"'
    assert date_json(None) == "null"
