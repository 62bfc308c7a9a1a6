"""Coding edits between two NCCI quarters: add-on code edits, PTP pairs and MUE values.

An add-on or PTP edit counts in a quarter when it is in force on the quarter's first day
(`reference.edit_in_force`: CMS's files keep deleted edits with their deletion date, and a
file without dates has every edit in force). So a pair "deleted" between two quarters is
one in force in the first and not in the second; the later file's own row says when it was
deleted, and a pair "added" whose effective date in the later file is before the first
quarter was simply missing from the first file (a partial file, as the 2024 add-on file is).
MUEs have no dates: a code's value and adjudication indicator (MAI) are compared.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from medpayiq.records import AddonEdit, MueEdit, PtpEdit
from medpayiq.reference import edit_in_force

__all__ = ["EditChange", "EditChanges", "addon_changes", "mue_changes", "ptp_changes"]


@dataclass(frozen=True, slots=True)
class EditChange:
    """One edit added, deleted or changed. `code` is the add-on code, the PTP column 1 code or
    the MUE code; `other` the primary ("CCCCC": any, contractor defined) or the column 2 code.
    `before` / `after` say what the edit was ("type 1", "modifier indicator 1", "2 units,
    MAI 2"); `effective` and `deletion` are the later file's dates for the pair."""

    kind: str  # "added", "deleted", "changed"
    code: str
    other: str
    before: str
    after: str
    effective: date | None = None
    deletion: date | None = None
    note: str = ""


@dataclass(frozen=True, slots=True)
class EditChanges:
    """One table compared between two quarters. `changes` holds every change (or only those
    naming the codes asked), added first, then deleted, then changed."""

    table: str  # "add-on", "PTP", "MUE"
    release_before: str
    release_after: str
    compared_before: int
    compared_after: int
    added: int
    deleted: int
    changed: int
    changes: tuple[EditChange, ...]


def _in_force(
    edits: Iterable[AddonEdit | PtpEdit], day: date
) -> dict[tuple[str, str], AddonEdit | PtpEdit]:
    """The edits in force on `day` by (code, other code); the latest effective row wins."""
    found: dict[tuple[str, str], AddonEdit | PtpEdit] = {}
    for edit in edits:
        if not edit_in_force(edit, day):
            continue
        key = (edit.addon, edit.primary) if isinstance(edit, AddonEdit) else (
            edit.column1, edit.column2)  # fmt: skip
        found[key] = edit
    return found


def _latest(edits: Iterable[AddonEdit | PtpEdit]) -> dict[tuple[str, str], AddonEdit | PtpEdit]:
    """Every pair's row with the latest dates (deleted pairs included)."""
    found: dict[tuple[str, str], AddonEdit | PtpEdit] = {}
    for edit in edits:
        key = (edit.addon, edit.primary) if isinstance(edit, AddonEdit) else (
            edit.column1, edit.column2)  # fmt: skip
        old = found.get(key)
        if old is None or (edit.effective or date.min) >= (old.effective or date.min):
            found[key] = edit
    return found


def _compare(
    table: str,
    releases: tuple[str, str],
    days: tuple[date, date],
    before: Sequence[AddonEdit] | Sequence[PtpEdit],
    after: Sequence[AddonEdit] | Sequence[PtpEdit],
    describe: Callable[[Any], str],
    codes: Collection[str] | None,
) -> EditChanges:
    old, new = _in_force(before, days[0]), _in_force(after, days[1])
    rows = _latest(after)
    out: dict[str, list[EditChange]] = {"added": [], "deleted": [], "changed": []}
    for key in sorted(set(old) | set(new)):
        if codes is not None and not (key[0] in codes or key[1] in codes):
            continue
        a, b = old.get(key), new.get(key)
        if a is not None and b is not None:
            if describe(a) != describe(b):
                out["changed"].append(
                    EditChange("changed", *key, describe(a), describe(b), b.effective, b.deletion)
                )
            continue
        if b is not None:
            note = ""
            if b.effective is not None and b.effective <= days[0]:
                note = (
                    f"in force since {b.effective} per {releases[1]}: missing from the "
                    f"{releases[0]} file"
                )
            out["added"].append(EditChange("added", *key, "", describe(b), b.effective,
                                           b.deletion, note))  # fmt: skip
            continue
        assert a is not None
        last = rows.get(key)
        note = f"deleted {last.deletion}" if last is not None and last.deletion else (
            f"not in the {releases[1]} file")  # fmt: skip
        out["deleted"].append(
            EditChange("deleted", *key, describe(a), "",
                       last.effective if last else None, last.deletion if last else None, note)
        )  # fmt: skip
    return EditChanges(
        table,
        releases[0],
        releases[1],
        len(old),
        len(new),
        len(out["added"]),
        len(out["deleted"]),
        len(out["changed"]),
        tuple(out["added"] + out["deleted"] + out["changed"]),
    )


def addon_changes(
    releases: tuple[str, str],
    days: tuple[date, date],
    before: Sequence[AddonEdit],
    after: Sequence[AddonEdit],
    *,
    codes: Collection[str] | None = None,
) -> EditChanges:
    """Add-on code edits in force on each quarter's first day, compared."""
    return _compare("add-on", releases, days, before, after,
                    lambda e: f"type {e.edit_type}", codes)  # fmt: skip


def ptp_changes(
    releases: tuple[str, str],
    days: tuple[date, date],
    before: Sequence[PtpEdit],
    after: Sequence[PtpEdit],
    *,
    codes: Collection[str] | None = None,
) -> EditChanges:
    """PTP pairs in force on each quarter's first day, compared (the modifier indicator)."""
    return _compare("PTP", releases, days, before, after,
                    lambda e: f"modifier indicator {e.modifier_indicator}", codes)  # fmt: skip


def _mue_text(edit: MueEdit) -> str:
    return f"{edit.value} units, MAI {edit.mai}"


def mue_changes(
    releases: tuple[str, str],
    before: Sequence[MueEdit],
    after: Sequence[MueEdit],
    *,
    codes: Collection[str] | None = None,
) -> EditChanges:
    """MUE values and adjudication indicators by code, compared."""
    old = {m.hcpcs: m for m in before}
    new = {m.hcpcs: m for m in after}
    out: dict[str, list[EditChange]] = {"added": [], "deleted": [], "changed": []}
    for code in sorted(set(old) | set(new)):
        if codes is not None and code not in codes:
            continue
        a, b = old.get(code), new.get(code)
        if a and b and _mue_text(a) != _mue_text(b):
            out["changed"].append(EditChange("changed", code, "", _mue_text(a), _mue_text(b)))
        elif b and not a:
            out["added"].append(EditChange("added", code, "", "", _mue_text(b)))
        elif a and not b:
            out["deleted"].append(EditChange("deleted", code, "", _mue_text(a), ""))
    return EditChanges(
        "MUE",
        releases[0],
        releases[1],
        len(old),
        len(new),
        len(out["added"]),
        len(out["deleted"]),
        len(out["changed"]),
        tuple(out["added"] + out["deleted"] + out["changed"]),
    )
