"""Localities between two fee schedule releases, and ZIP codes between two ZIP files.

- GPCIs: each locality's work, PE and MP GPCI as the engine uses them on each release's
  first day (the 2026 work column with the 1.0 floor or not, as the date says), and the
  localities added or dropped. The counties a locality covers (LOCCO) are compared too.
- ZIP codes: a ZIP "moved" when the localities its ZIP5 rows name differ between the two
  files; ZIPs only in one file are added or removed. A ZIP whose plus-four flag changed is
  listed as well, since it changes whether ZIP+4 is needed for an exact answer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from medpayiq.records import ZipLocality
from medpayiq.reference import Geography

from ._fees import PfsSide

__all__ = [
    "GpciChange",
    "LocalityChanges",
    "ZipChange",
    "ZipChanges",
    "gpci_changes",
    "zip_changes",
]


@dataclass(frozen=True, slots=True)
class GpciChange:
    """A locality's GPCIs (work, PE, MP) before and after; None where the release lacks it."""

    locality: str
    state: str
    name: str
    before: tuple[Decimal, Decimal, Decimal] | None
    after: tuple[Decimal, Decimal, Decimal] | None
    counties_before: str
    counties_after: str

    @property
    def changed(self) -> bool:
        return self.before != self.after or self.counties_before != self.counties_after


@dataclass(frozen=True, slots=True)
class LocalityChanges:
    """The GPCI files of two releases compared: every locality whose GPCIs or counties
    changed (`changes`), and how many were compared."""

    gpci_before: str
    gpci_after: str
    compared: int
    changes: tuple[GpciChange, ...]
    added: tuple[str, ...]
    removed: tuple[str, ...]


def _counties(geography: Geography | None) -> dict[str, str]:
    found: dict[str, str] = {}
    for row in geography.counties if geography else ():
        found.setdefault(str(row.locality), row.counties)
    return found


def gpci_changes(
    before: PfsSide,
    after: PfsSide,
    *,
    geography_before: Geography | None = None,
    geography_after: Geography | None = None,
) -> LocalityChanges:
    """Compare the GPCIs (and counties, when the geographies are given) of two releases."""
    counties = (_counties(geography_before), _counties(geography_after))
    every = sorted(set(before.gpcis) | set(after.gpcis))
    changes = []
    for locality in every:
        gpci = after.localities.get(locality) or before.localities[locality]
        change = GpciChange(
            locality,
            gpci.state,
            gpci.name,
            before.gpcis.get(locality),
            after.gpcis.get(locality),
            counties[0].get(locality, ""),
            counties[1].get(locality, ""),
        )
        if change.changed:
            changes.append(change)
    return LocalityChanges(
        before.gpci_release,
        after.gpci_release,
        len(every),
        tuple(changes),
        tuple(sorted(set(after.gpcis) - set(before.gpcis))),
        tuple(sorted(set(before.gpcis) - set(after.gpcis))),
    )


@dataclass(frozen=True, slots=True)
class ZipChange:
    """A ZIP code whose localities (or plus-four flag) differ between two ZIP files.
    Empty `before` = new ZIP; empty `after` = removed."""

    kind: str  # "moved", "added", "removed" or "plus-four flag"
    zip5: str
    state: str
    before: tuple[str, ...]
    after: tuple[str, ...]
    plus_four_before: bool
    plus_four_after: bool


@dataclass(frozen=True, slots=True)
class ZipChanges:
    """Two ZIP files compared: the ZIPs that moved, were added or removed."""

    zip_before: str
    zip_after: str
    compared: int
    changes: tuple[ZipChange, ...]

    def count(self, kind: str) -> int:
        """How many ZIPs changed this way ("moved", "added", "removed", "plus-four flag")."""
        return sum(1 for c in self.changes if c.kind == kind)


def _key(rows: Sequence[ZipLocality]) -> tuple[tuple[str, ...], bool]:
    return tuple(sorted({str(r.locality) for r in rows})), any(r.plus_four for r in rows)


def zip_changes(before: Geography, after: Geography) -> ZipChanges:
    """Compare the ZIP5 files behind two geographies."""
    changes = []
    old, new = before.zips, after.zips
    every = sorted(set(old) | set(new))
    for zip5 in every:
        a, b = old.get(zip5, ()), new.get(zip5, ())
        if len(a) == len(b) == 1 and (a[0].locality, a[0].plus_four) == (
            b[0].locality, b[0].plus_four):  # fmt: skip
            continue  # the common case, without building keys
        (la, pa), (lb, pb) = _key(a), _key(b)
        if (la, pa) != (lb, pb):
            kind = "added" if not a else "removed" if not b else "moved" if la != lb else (
                "plus-four flag")  # fmt: skip
            changes.append(ZipChange(kind, zip5, (b or a)[0].state, la, lb, pa, pb))
    return ZipChanges(before.vintage.used.id, after.vintage.used.id, len(every), tuple(changes))
