"""Tables of published figures, kept as data beside the code (gpci_floor.yaml,
published.yaml) because Congress and CMS change them by date, not by formula.

Read once from the installed package; the pricing functions only look them up.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache
from importlib import resources
from typing import Any

from medpayiq import packaged_yaml

__all__ = [
    "ConversionFactors",
    "FloorRule",
    "Preventive",
    "conversion_factors",
    "floor_rule",
    "part_b_deductible",
    "preventive",
    "sequestration_rate",
]


@dataclass(frozen=True, slots=True)
class FloorRule:
    start: date
    end: date
    with_floor: bool
    why: str


@dataclass(frozen=True, slots=True)
class ConversionFactors:
    start: date
    end: date
    standard: Decimal
    qp: Decimal | None
    anesthesia: Decimal | None
    anesthesia_qp: Decimal | None


@dataclass(frozen=True, slots=True)
class Preventive:
    """A preventive service without deductible or coinsurance (preventive.yaml)."""

    codes: tuple[str, ...]
    service: str
    start: date
    end: date | None

    def covers(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


def _load(name: str) -> Any:
    text = resources.files("medpayiq.pricing").joinpath(name).read_text(encoding="utf-8")
    return packaged_yaml.safe_load(text)


def _dec(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


@cache
def _floor_rules() -> tuple[FloorRule, ...]:
    rules = []
    for item in _load("gpci_floor.yaml"):
        if item["column"] not in ("with_floor", "without_floor"):
            raise ValueError(f"gpci_floor.yaml: unknown column {item['column']!r}")
        rules.append(
            FloorRule(item["from"], item["to"], item["column"] == "with_floor", item["why"])
        )
    return tuple(rules)


@cache
def _published() -> dict[str, Any]:
    data: dict[str, Any] = _load("published.yaml")
    return data


@cache
def _cfs() -> tuple[ConversionFactors, ...]:
    return tuple(
        ConversionFactors(
            item["from"],
            item["to"],
            Decimal(item["standard"]),
            _dec(item.get("qp")),
            _dec(item.get("anesthesia")),
            _dec(item.get("anesthesia_qp")),
        )
        for item in _published()["conversion_factors"]
    )


def floor_rule(day: date) -> FloorRule | None:
    """The work GPCI column rule for a date of service, or None where no rule is listed."""
    for rule in _floor_rules():
        if rule.start <= day <= rule.end:
            return rule
    return None


def conversion_factors(day: date) -> ConversionFactors | None:
    """The published conversion factors in effect on `day`, or None if not listed."""
    for cf in _cfs():
        if cf.start <= day <= cf.end:
            return cf
    return None


def part_b_deductible(year: int) -> Decimal | None:
    value = _published()["part_b_deductible"].get(year)
    return None if value is None else Decimal(str(value))


def sequestration_rate(day: date) -> Decimal:
    rate = Decimal(0)
    for item in _published()["sequestration"]:
        if item["from"] <= day:
            rate = Decimal(str(item["rate"]))
    return rate


@cache
def _preventive() -> dict[str, tuple[Preventive, ...]]:
    by_code: dict[str, list[Preventive]] = {}
    for item in _load("preventive.yaml")["services"]:
        entry = Preventive(
            tuple(str(c) for c in item["codes"]), item["service"], item["from"], item.get("to")
        )
        for code in entry.codes:
            by_code.setdefault(code, []).append(entry)
    return {code: tuple(entries) for code, entries in by_code.items()}


def preventive(hcpcs: str, day: date) -> Preventive | None:
    """The preventive service `hcpcs` is on `day`, when Medicare waives its cost share."""
    for entry in _preventive().get(hcpcs, ()):
        if entry.covers(day):
            return entry
    return None
