"""The other Part B fee schedules between two quarters: the Clinical Laboratory Fee
Schedule (one national rate per code and modifier) and DMEPOS/PEN (fees per code, modifier
pair and state, non-rural and rural).

A row is added or deleted when its key is in one quarter's file only; changed when a rate,
the CLFS indicator ("N" national rate, "L" no national rate: the local contractor prices
it) or a DMEPOS fee, ceiling or floor differs. With a volume file the CLFS change is worth
(rate after - rate before) x units: one national rate, so the rate is the only cause.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import polars as pl

from medpayiq.records import DmeFee, LabFee

from ._fees import percent
from ._impact import CodeImpact, ImpactLine, VolumeImpact
from ._volume import Volume

__all__ = [
    "DmeChange",
    "DmeChanges",
    "LabChange",
    "LabChanges",
    "dme_changes",
    "lab_changes",
    "lab_impact",
]


@dataclass(frozen=True, slots=True)
class LabChange:
    """A CLFS row (code and modifier) compared; `effective` is the later row's EFF_DATE."""

    hcpcs: str
    modifier: str
    description: str
    kind: str  # "added", "deleted", "changed"
    rate_before: Decimal | None
    rate_after: Decimal | None
    change: Decimal | None
    percent: Decimal | None
    indicator_before: str
    indicator_after: str
    effective: date | None


@dataclass(frozen=True, slots=True)
class LabChanges:
    release_before: str
    release_after: str
    compared: int
    added: int
    deleted: int
    changed: int
    changes: tuple[LabChange, ...]


def lab_changes(
    releases: tuple[str, str],
    before: Sequence[LabFee],
    after: Sequence[LabFee],
    *,
    codes: Collection[str] | None = None,
) -> LabChanges:
    """The CLFS rows of two quarters compared (only `codes` when given)."""
    old = {(r.hcpcs, r.modifier): r for r in before}
    new = {(r.hcpcs, r.modifier): r for r in after}
    out: list[LabChange] = []
    every = sorted(set(old) | set(new))
    for key in every:
        if codes is not None and key[0] not in codes:
            continue
        a, b = old.get(key), new.get(key)
        if a and b and (a.rate, a.indicator) == (b.rate, b.indicator):
            continue
        kind = "changed" if a and b else "added" if b else "deleted"
        either = b or a
        assert either is not None
        change = b.rate - a.rate if a and b else None
        out.append(
            LabChange(
                key[0], key[1], either.short_description or either.long_description, kind,
                a.rate if a else None, b.rate if b else None, change,
                percent(change, a.rate if a else None), a.indicator if a else "",
                b.indicator if b else "", b.effective if b else None,
            )
        )  # fmt: skip
    order = {"added": 0, "deleted": 1, "changed": 2}
    out.sort(key=lambda c: (order[c.kind], c.hcpcs, c.modifier))
    return LabChanges(
        releases[0], releases[1], len(every),
        sum(c.kind == "added" for c in out), sum(c.kind == "deleted" for c in out),
        sum(c.kind == "changed" for c in out), tuple(out),
    )  # fmt: skip


def lab_impact(
    before: Sequence[LabFee],
    after: Sequence[LabFee],
    volume: Volume,
    *,
    releases: tuple[str, str],
    limit: int = 100,
) -> VolumeImpact:
    """A volume's lab lines priced at each quarter's national rate (modifier as billed: the
    CLFS lists QW rows of its own). Places and settings do not matter to a national rate;
    the lines of a code and modifier are summed. "L" rows (rate 0.00: priced locally) and
    codes missing from a quarter are not compared."""
    old = {(r.hcpcs, r.modifier): r for r in before}
    new = {(r.hcpcs, r.modifier): r for r in after}
    grouped = (
        volume.frame.group_by("hcpcs", "modifier")
        .agg(units=pl.col("units").sum(), lines=pl.col("lines").sum(), line=pl.col("line").min())
        .sort("line")
    )
    compared: list[ImpactLine] = []
    missing: list[ImpactLine] = []
    for hcpcs, modifier, units, lines, line in grouped.rows():
        key = (hcpcs, modifier)
        a, b = old.get(key), new.get(key)
        rate_a = a.rate if a and a.indicator == "N" else None
        rate_b = b.rate if b and b.indicator == "N" else None
        if rate_a is None or rate_b is None:
            why = _why_missing(releases, a, b)
            missing.append(ImpactLine(hcpcs, modifier, None, "national", units, lines, line,
                                      rate_a, rate_b, None, None, None, why))  # fmt: skip
            continue
        change = rate_b - rate_a
        compared.append(ImpactLine(hcpcs, modifier, None, "national", units, lines, line,
                                   rate_a, rate_b, change, change * units, None))  # fmt: skip
    zero = Decimal("0.00")
    by_code: dict[str, list[ImpactLine]] = {}
    for item in compared:
        by_code.setdefault(item.hcpcs, []).append(item)
    codes = []
    for hcpcs, items in by_code.items():
        b_sum = sum((i.before * i.units for i in items if i.before is not None), zero)
        a_sum = sum((i.after * i.units for i in items if i.after is not None), zero)
        codes.append(CodeImpact(hcpcs, sum(i.units for i in items), b_sum, a_sum,
                                a_sum - b_sum, percent(a_sum - b_sum, b_sum), None))  # fmt: skip
    codes.sort(key=lambda c: (-abs(c.impact), c.hcpcs))
    total_b = sum((c.before for c in codes), zero)
    total_a = sum((c.after for c in codes), zero)
    lost = sum(
        (i.before * i.units for i in missing if i.before is not None and i.after is None), zero
    )
    top = sorted(compared, key=lambda i: (-abs(i.impact or zero), i.first_line))[:limit]
    return VolumeImpact(
        volume.source, volume.lines_read, sum(i.lines for i in compared),
        sum(i.units for i in compared), total_b, total_a, total_a - total_b,
        percent(total_a - total_b, total_b), None, zero, lost, tuple(codes), tuple(top),
        tuple(missing), volume.problems, volume.problem_count,
    )  # fmt: skip


def _why_missing(releases: tuple[str, str], a: LabFee | None, b: LabFee | None) -> str:
    reasons = []
    for release, row in zip(releases, (a, b), strict=True):
        if row is None:
            reasons.append(f"not on the CLFS in {release}")
        elif row.indicator != "N":
            reasons.append(
                f"no national rate in {release} (indicator {row.indicator}: priced locally)"
            )
    return "; ".join(reasons)


@dataclass(frozen=True, slots=True)
class DmeChange:
    """A DMEPOS/PEN row (code, two modifiers, state) compared."""

    hcpcs: str
    modifier: str
    modifier2: str
    state: str
    description: str
    kind: str
    before: tuple[Decimal, Decimal] | None  # (non-rural, rural)
    after: tuple[Decimal, Decimal] | None
    ceiling_floor_before: tuple[Decimal | None, Decimal | None] | None
    ceiling_floor_after: tuple[Decimal | None, Decimal | None] | None


@dataclass(frozen=True, slots=True)
class DmeChanges:
    release_before: str
    release_after: str
    compared: int
    added: int
    deleted: int
    changed: int
    changes: tuple[DmeChange, ...]


def dme_changes(
    releases: tuple[str, str],
    before: Sequence[DmeFee],
    after: Sequence[DmeFee],
    *,
    codes: Collection[str] | None = None,
) -> DmeChanges:
    """The DMEPOS/PEN rows of two quarters compared (only `codes` when given)."""

    def index(rows: Sequence[DmeFee]) -> dict[tuple[str, str, str, str], DmeFee]:
        return {
            (r.hcpcs, r.modifier, r.modifier2, r.state): r
            for r in rows
            if codes is None or r.hcpcs in codes
        }

    def fees(row: DmeFee | None) -> tuple[Decimal, Decimal] | None:
        return (row.nonrural, row.rural) if row else None

    def limits(row: DmeFee | None) -> tuple[Decimal | None, Decimal | None] | None:
        return (row.ceiling, row.floor) if row else None

    old, new = index(before), index(after)
    out = []
    every = sorted(set(old) | set(new))
    for key in every:
        a, b = old.get(key), new.get(key)
        if a and b and fees(a) == fees(b) and limits(a) == limits(b):
            continue
        either = b or a
        assert either is not None
        kind = "changed" if a and b else "added" if b else "deleted"
        out.append(DmeChange(*key, either.description, kind, fees(a), fees(b), limits(a),
                             limits(b)))  # fmt: skip
    return DmeChanges(
        releases[0], releases[1], len(every), sum(c.kind == "added" for c in out),
        sum(c.kind == "deleted" for c in out), sum(c.kind == "changed" for c in out), tuple(out),
    )  # fmt: skip
