"""The fast record constructor (`records.positional_maker`) gives ordinary records."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest

from medpayiq.edits import Finding, PricedLine, Severity
from medpayiq.records import positional_maker as maker
from medpayiq.reference import Confidence


def test_made_records_are_the_dataclass_ones() -> None:
    values = (2, "99213", ("25",), 1, Decimal("90.00"), Decimal("70.10"), Decimal("0.00"),
              "denied", "a deny finding applies", "pfs", "2026-03-02", "11")  # fmt: skip
    made = maker(PricedLine)(*values)
    built = PricedLine(*values)
    assert type(made) is PricedLine
    assert made == built
    assert hash(made) == hash(built)
    assert made.as_dict() == built.as_dict()
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.units = 2  # type: ignore[misc]


def test_every_field_is_given_in_order() -> None:
    names = [f.name for f in dataclasses.fields(Finding)]
    made = maker(Finding)(*names)
    assert [getattr(made, name) for name in names] == names
    finding = Finding("ncci.mue", Severity.DENY, (1,), "m", (), (), None, "f", None, "s",
                      Confidence.HIGH)  # fmt: skip
    assert maker(Finding)(*dataclasses.astuple(finding)) == finding


def test_a_record_it_cannot_make_is_refused() -> None:
    @dataclasses.dataclass(frozen=True)
    class NoSlots:
        a: int

    with pytest.raises(TypeError):
        maker(NoSlots)
