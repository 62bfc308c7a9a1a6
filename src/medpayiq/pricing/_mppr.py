"""Multiple procedure payment reductions across the lines of one claim (one patient,
date and provider), by the PPRRVU MULT PROC indicator (DOMAIN.md section 4):

- 2 (and the retired 1): rank every procedure (each unit counts) by its amount, after the
  bilateral adjustment: 100% for the highest, 50% for each other.
- 3 endoscopy: within a family (same ENDO BASE) the highest endoscopy is paid in full and
  each other one pays its amount minus the base endoscopy's; the base code itself is not
  paid separately. The family then ranks as one procedure with the indicator 2 ones.
- 4 diagnostic imaging: technical components after the highest at 50%, professional
  components after the highest at 95%.
- 5 therapy: the unit with the highest practice expense in full; every other unit's PE
  paid at 50%.
- 6 cardiovascular: technical components after the highest at 75%.
- 7 ophthalmology: technical components after the highest at 80%.

The functions work on `Procedure`s (one line at one set of GPCIs) and return each line's
reduced total with the steps that explain it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from medpayiq.money import cents

from ._types import Step

__all__ = ["Procedure", "reduce_claim"]

HALF = Decimal("0.50")
_TC_RATE = {"4": Decimal("0.50"), "6": Decimal("0.75"), "7": Decimal("0.80")}
_PC_RATE = {"4": Decimal("0.95")}
_FAMILY_NAME = {"4": "diagnostic imaging", "6": "cardiovascular diagnostic", "7": "ophthalmology"}


@dataclass
class Procedure:
    """One priced line as the claim rules see it. Amounts are per unit, modifiers applied."""

    index: int
    hcpcs: str
    mult_proc: str
    endo_base: str
    units: int
    unit_amount: Decimal
    pc_unit: Decimal | None = None  # professional part (indicators 4/6/7)
    tc_unit: Decimal | None = None  # technical part
    pe_unit: Decimal | None = None  # PE dollars (indicator 5)
    pe_reduced_unit: Decimal | None = None  # amount with the PE halved (indicator 5)
    base_amount: Decimal | None = None  # the ENDO BASE code's amount (indicator 3)
    record: bool = True  # False: no steps (a caller that reads only the amounts)
    # results
    unit_totals: list[Decimal] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)
    review: list[str] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return sum(self.unit_totals, Decimal(0))


def reduce_claim(procedures: Sequence[Procedure]) -> None:
    """Fill each procedure's `unit_totals` and `steps` with the reductions that apply."""
    for p in procedures:
        p.unit_totals = [p.unit_amount] * p.units
    _surgical(procedures)
    for indicator in ("4", "6", "7"):
        _components(procedures, indicator)
    _therapy([p for p in procedures if p.mult_proc == "5"])


# --- Indicators 1, 2, 3 ---------------------------------------------------------------------


@dataclass
class _Item:
    """A procedure to rank: one unit of an indicator 2 code, or a whole endoscopy family."""

    value: Decimal
    parts: list[tuple[Procedure, int]]  # (procedure, unit number)
    label: str


def _surgical(procedures: Sequence[Procedure]) -> None:
    standard = [p for p in procedures if p.mult_proc in ("1", "2")]
    endoscopies = [p for p in procedures if p.mult_proc == "3"]
    families: dict[str, list[Procedure]] = defaultdict(list)
    for p in endoscopies:
        families[p.endo_base or p.hcpcs].append(p)
    items: list[_Item] = []
    for base, members in families.items():
        bases = [p for p in standard if p.hcpcs == base]
        standard = [p for p in standard if p.hcpcs != base]
        items.append(_family(base, members, bases))
    for p in standard:
        items.extend(_Item(p.unit_amount, [(p, u)], p.hcpcs) for u in range(p.units))
    if len(items) < 2:
        return
    items.sort(key=lambda it: it.value, reverse=True)  # stable: ties keep claim order
    by_report = "more than 5 procedures: the MAC may price the 6th and later by report"
    for item in items[5:]:
        for p, _ in item.parts:
            if by_report not in p.review:
                p.review.append(by_report)
    for rank, item in enumerate(items, start=1):
        for p, unit in item.parts:
            before = p.unit_totals[unit]
            if rank == 1:
                if p.record:
                    p.steps.append(
                        Step(
                            "multiple procedure (indicator 2): highest ranked, 100%",
                            (("rank", rank), ("value ranked", item.value), ("unit", unit + 1)),
                            before,
                        )
                    )
                continue
            after = cents(before * HALF)
            p.unit_totals[unit] = after
            if p.record:
                p.steps.append(
                    Step(
                        "multiple procedure (indicator 2): 50% for each procedure after the "
                        "highest",
                        (
                            ("rank", rank),
                            ("value ranked", item.value),
                            ("unit", unit + 1),
                            ("amount", before),
                        ),
                        after,
                        note=f"{item.label} ranks {rank} of {len(items)}",
                    )
                )


def _family(base: str, members: list[Procedure], bases: list[Procedure]) -> _Item:
    """Apply the endoscopy rule within one family; return the family as one ranked item."""
    units = [(p, u) for p in members for u in range(p.units)]
    units.sort(key=lambda pu: pu[0].unit_amount, reverse=True)
    parts: list[tuple[Procedure, int]] = []
    value = Decimal(0)
    for n, (p, u) in enumerate(units):
        if n == 0:
            if p.record:
                p.steps.append(
                    Step(
                        f"endoscopy family {base} (indicator 3): highest endoscopy in full",
                        (("amount", p.unit_amount),),
                        p.unit_amount,
                    )
                )
        elif p.base_amount is None:
            p.review.append(
                f"endoscopy base {base} is not in the fee schedule: reduction not applied"
            )
        else:
            after = max(p.unit_amount - p.base_amount, Decimal(0))
            p.unit_totals[u] = after
            if p.record:
                p.steps.append(
                    Step(
                        f"endoscopy family {base} (indicator 3): amount minus the base endoscopy",
                        (("amount", p.unit_amount), (f"base {base}", p.base_amount)),
                        after,
                    )
                )
        value += p.unit_totals[u]
        parts.append((p, u))
    for b in bases:
        for u in range(b.units):
            b.unit_totals[u] = Decimal("0.00")
            if b.record:
                b.steps.append(
                    Step(
                        f"endoscopy family {base}: the base endoscopy is included in the other "
                        "endoscopies of its family",
                        (("amount", b.unit_amount),),
                        Decimal("0.00"),
                    )
                )
    return _Item(value, parts, f"endoscopy family {base}")


# --- Indicators 4, 6, 7: component reductions -----------------------------------------------


def _components(procedures: Sequence[Procedure], indicator: str) -> None:
    pool = [p for p in procedures if p.mult_proc == indicator]
    units = [(p, u) for p in pool for u in range(p.units)]
    if len(units) < 2:
        return
    name = _FAMILY_NAME[indicator]
    tc_rate, pc_rate = _TC_RATE[indicator], _PC_RATE.get(indicator)
    tc_order = sorted(units, key=lambda pu: pu[0].tc_unit or 0, reverse=True)
    pc_order = sorted(units, key=lambda pu: pu[0].pc_unit or 0, reverse=True)
    reduced_tc = {id(pu[0]) * 1000 + pu[1] for pu in tc_order[1:]}
    reduced_pc = {id(pu[0]) * 1000 + pu[1] for pu in pc_order[1:]} if pc_rate else set()
    for p, u in units:
        key = id(p) * 1000 + u
        tc, pc = p.tc_unit or Decimal(0), p.pc_unit or Decimal(0)
        new_tc = cents(tc * tc_rate) if key in reduced_tc and tc else tc
        new_pc = cents(pc * pc_rate) if pc_rate and key in reduced_pc and pc else pc
        if (new_tc, new_pc) == (tc, pc):
            if p.record:
                p.steps.append(
                    Step(
                        f"multiple procedure ({name}, indicator {indicator}): "
                        "highest component in full",
                        (("technical", tc), ("professional", pc), ("unit", u + 1)),
                        p.unit_totals[u],
                    )
                )
            continue
        after = new_tc + new_pc
        p.unit_totals[u] = after
        if p.record:
            inputs: list[tuple[str, Decimal | int | str | None]] = [
                ("unit", u + 1),
                ("technical", tc),
            ]
            if new_tc != tc:
                inputs.append(("technical paid", f"{tc_rate:.0%}"))
            inputs.append(("professional", pc))
            if new_pc != pc:
                inputs.append(("professional paid", f"{pc_rate or 0:.0%}"))
            p.steps.append(
                Step(
                    f"multiple procedure ({name}, indicator {indicator}): later components reduced",
                    tuple(inputs),
                    after,
                )
            )


# --- Indicator 5: therapy -------------------------------------------------------------------


def _therapy(pool: Sequence[Procedure]) -> None:
    units = [(p, u) for p in pool for u in range(p.units)]
    if len(units) < 2:
        return
    units.sort(key=lambda pu: pu[0].pe_unit or 0, reverse=True)
    for n, (p, u) in enumerate(units):
        if n == 0 or p.pe_reduced_unit is None:
            if p.record:
                p.steps.append(
                    Step(
                        "therapy (indicator 5): the unit with the highest practice expense in full",
                        (("practice expense", p.pe_unit), ("unit", u + 1)),
                        p.unit_totals[u],
                    )
                )
            continue
        p.unit_totals[u] = p.pe_reduced_unit
        if p.record:
            p.steps.append(
                Step(
                    "therapy (indicator 5): practice expense of each later unit paid at 50%",
                    (("amount", p.unit_amount), ("practice expense", p.pe_unit), ("unit", u + 1)),
                    p.pe_reduced_unit,
                )
            )
