"""The public value types of the pricing engine: what a caller asks and what it gets back.

Every result is a frozen dataclass with `as_dict()` giving a JSON-ready dict: money and
RVUs as strings ("246.80"), dates as ISO text, enums as their values. The CLI (`--json`),
the JSON API and the claim checker all render these dicts; none of them re-computes.

Rendering is cheap: the parts results share (trail steps, amounts, locations, sources and
cost shares come from the engine's per-date caches) keep their JSON-ready values on first
use, and every `as_dict()` call builds new dicts from them (a caller may change what it
gets without touching anything else).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields, is_dataclass
from datetime import date
from decimal import Decimal
from enum import Enum, StrEnum
from typing import Any, NamedTuple

from medpayiq.records import Gpci, LocalityId
from medpayiq.reference import Confidence

__all__ = [
    "ClaimAmounts",
    "ClaimResult",
    "CostShare",
    "LineRequest",
    "LineResult",
    "Location",
    "ResolvedLocation",
    "ServiceLine",
    "Setting",
    "SettingAmount",
    "Source",
    "Step",
]

# A value shown in a trail step: kept raw (formatting is the costly part of pricing a line)
# and turned into text only by as_dict().
TrailValue = str | Decimal | int | bool | date | LocalityId | None


class Setting(StrEnum):
    """Which practice expense applies: the non-facility (office) or facility rate."""

    NON_FACILITY = "non-facility"
    FACILITY = "facility"


def jsonable(value: Any) -> Any:
    """A JSON-ready copy of `value`: Decimal and LocalityId to text, dates to ISO text,
    dataclasses to dicts (their own `as_dict()` when they have one; fields named `_...` are
    private and left out). The one rule for every layer's answers (`services` re-exports it)."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal | LocalityId):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v) for v in value]
    if is_dataclass(value) and not isinstance(value, type):
        if hasattr(value, "as_dict"):
            return value.as_dict()
        return {
            f.name: jsonable(getattr(value, f.name))
            for f in fields(value)
            if not f.name.startswith("_")
        }
    return str(value)


# Types jsonable() returns as they are (str enums are str) or turns into text.
_AS_IS = frozenset({str, int, bool, type(None), Setting, Confidence})
_TEXT = frozenset({Decimal, LocalityId})


def _leaf(value: Any) -> Any:
    """jsonable(value), with the common types first."""
    kind = type(value)
    if kind in _AS_IS:
        return value
    if kind in _TEXT:
        return str(value)
    if kind is date:
        return value.isoformat()
    return jsonable(value)


def _money(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _cached(obj: Any, build: Any) -> Any:
    """The JSON-ready values `build(obj)` kept on a frozen result (its `_json` slot)."""
    found = obj._json
    if found is None:
        found = build(obj)
        object.__setattr__(obj, "_json", found)
    return found


class _AsDict:
    def as_dict(self) -> dict[str, Any]:
        assert is_dataclass(self)
        return {f.name: jsonable(getattr(self, f.name)) for f in fields(self) if f.name != "_json"}


# --- Requests -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Location(_AsDict):
    """Where the service was furnished. All empty = national (GPCI 1.000).

    Give one of: `zip` (5 digits, or ZIP+4), `locality` ("04412-18"), `state` ("TX" or
    "TEXAS") optionally with `county` ("HARRIS")."""

    zip: str | None = None
    locality: str | None = None
    state: str | None = None
    county: str | None = None

    @property
    def is_national(self) -> bool:
        return not (self.zip or self.locality or self.state or self.county)


NATIONAL = Location()


class ServiceLine(NamedTuple):
    """A line of a one-date claim for `price_amounts`: the date and place are the claim's."""

    hcpcs: str
    modifiers: tuple[str, ...] = ()
    units: int = 1


@dataclass(frozen=True, slots=True)
class LineRequest(_AsDict):
    """One service line. `pos` (place of service, "11") or `setting` picks the PE column;
    with neither, the non-facility rate applies (and the trail says so)."""

    hcpcs: str
    date_of_service: date
    modifiers: tuple[str, ...] = ()
    units: int = 1
    location: Location = NATIONAL
    pos: str | None = None
    setting: Setting | None = None
    line_id: str | None = None


# --- Results --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Step:
    """One step of the computation: the rule applied, its inputs and its result."""

    rule: str
    inputs: tuple[tuple[str, TrailValue], ...]
    result: TrailValue
    note: str = ""
    _json: tuple[dict[str, Any], Any] | None = field(
        default=None, init=False, repr=False, compare=False
    )

    def as_dict(self) -> dict[str, Any]:
        found = self._json
        if found is None:
            found = _cached(self, _step_values)
        out: dict[str, Any] = {"rule": self.rule, "inputs": found[0].copy(), "result": found[1]}
        if self.note:
            out["note"] = self.note
        return out


def _step_values(step: Step) -> tuple[dict[str, Any], Any]:
    return {k: _leaf(v) for k, v in step.inputs}, _leaf(step.result)


@dataclass(frozen=True, slots=True)
class Source(_AsDict):
    """A dataset an answer used: release, file as published, and when it is in effect."""

    kind: str
    release: str
    file: str
    sha256: str
    effective_from: date
    effective_to: date | None
    variant: str = ""
    _json: dict[str, Any] | None = field(default=None, init=False, repr=False, compare=False)

    def as_dict(self) -> dict[str, Any]:
        found = self._json
        return (found if found is not None else _cached(self, _plain_values)).copy()


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _plain_values(obj: Any) -> dict[str, Any]:
    """The fields of a result of plain values (no nested results) as JSON-ready values."""
    names = _FIELD_NAMES.get(type(obj))
    if names is None:
        names = _FIELD_NAMES[type(obj)] = tuple(f.name for f in fields(obj) if f.name != "_json")
    return {name: _leaf(getattr(obj, name)) for name in names}


@dataclass(frozen=True, slots=True)
class ResolvedLocation(_AsDict):
    """The Medicare locality a request resolved to (None = national) and how."""

    locality: LocalityId | None
    name: str
    state: str
    how: str
    gpci: Gpci | None = None
    _json: tuple[dict[str, Any], dict[str, Any] | None] | None = field(
        default=None, init=False, repr=False, compare=False
    )

    @property
    def is_national(self) -> bool:
        return self.locality is None

    def as_dict(self) -> dict[str, Any]:
        head, gpci = _cached(self, _location_values)
        out = dict(head)
        out["gpci"] = None if gpci is None else dict(gpci)
        return out


def _location_values(loc: ResolvedLocation) -> tuple[dict[str, Any], dict[str, Any] | None]:
    head = {"locality": _leaf(loc.locality), "name": loc.name, "state": loc.state, "how": loc.how}
    return head, None if loc.gpci is None else jsonable(loc.gpci)


@dataclass(frozen=True, slots=True)
class SettingAmount(_AsDict):
    """The fee schedule amount for one setting, one unit, before modifiers.

    `fee_schedule` is (RVU x GPCI sums) x CF rounded to cents, the figure CMS prints in its
    payment files; `opps_cap` the same formula with the OPPS PE/MP RVUs where the row has
    them; `amount` the lower of the two. `na` True: the file marks this setting NA, so it
    has no price (`amount` None) even though the file's RVUs still give a figure."""

    setting: Setting
    fee_schedule: Decimal
    opps_cap: Decimal | None
    amount: Decimal | None
    na: bool
    rvu_sum: Decimal
    _json: dict[str, Any] | None = field(default=None, init=False, repr=False, compare=False)

    def as_dict(self) -> dict[str, Any]:
        found = self._json
        return (found if found is not None else _cached(self, _plain_values)).copy()


@dataclass(frozen=True, slots=True)
class CostShare(_AsDict):
    """Who pays what of an allowed amount: deductible, 20% coinsurance, 2% sequestration
    of Medicare's 80%. `write_off` is what neither pays (the sequestration)."""

    allowed: Decimal
    deductible_applied: Decimal
    coinsurance: Decimal
    patient_pays: Decimal
    medicare_before_sequestration: Decimal
    sequestration: Decimal
    medicare_pays: Decimal
    write_off: Decimal
    deductible_remaining_after: Decimal
    _json: dict[str, Any] | None = field(default=None, init=False, repr=False, compare=False)

    def as_dict(self) -> dict[str, Any]:
        found = self._json
        return (found if found is not None else _cached(self, _plain_values)).copy()


@dataclass(frozen=True, slots=True)
class LineResult(_AsDict):
    """The price of one line and why.

    `allowed` is the amount for the whole line (units, modifiers, claim reductions and the
    provider's rate applied) or None when the line has no fee schedule amount (`message`
    says why). `nonfacility`/`facility` are the local one-unit amounts, `national_*` the
    same at GPCI 1.000. `difference` = allowed - national_allowed."""

    line_id: str | None
    hcpcs: str
    modifiers: tuple[str, ...]
    units: int
    date_of_service: date
    description: str
    status: str
    payable: bool
    message: str
    location: ResolvedLocation
    setting: Setting
    setting_reason: str
    nonfacility: SettingAmount | None
    facility: SettingAmount | None
    national_nonfacility: SettingAmount | None
    national_facility: SettingAmount | None
    allowed: Decimal | None
    national_allowed: Decimal | None
    difference: Decimal | None
    difference_percent: Decimal | None
    limiting_charge: Decimal | None
    cost_share: CostShare | None
    review: tuple[str, ...]
    release: str
    conversion_factor: Decimal | None
    gpci_work_column: str
    trail: tuple[Step, ...]
    provenance: tuple[Source, ...]
    confidence: Confidence
    confidence_reason: str

    def as_dict(self) -> dict[str, Any]:
        # Field by field, in field order, with the values jsonable() would give.
        nf, f, nnf, nf_ = (self.nonfacility, self.facility, self.national_nonfacility,
                           self.national_facility)  # fmt: skip
        return {
            "line_id": self.line_id,
            "hcpcs": self.hcpcs,
            "modifiers": [_leaf(m) for m in self.modifiers],
            "units": _leaf(self.units),
            "date_of_service": _leaf(self.date_of_service),
            "description": self.description,
            "status": self.status,
            "payable": self.payable,
            "message": self.message,
            "location": self.location.as_dict(),
            "setting": _leaf(self.setting),
            "setting_reason": self.setting_reason,
            "nonfacility": None if nf is None else nf.as_dict(),
            "facility": None if f is None else f.as_dict(),
            "national_nonfacility": None if nnf is None else nnf.as_dict(),
            "national_facility": None if nf_ is None else nf_.as_dict(),
            "allowed": _money(self.allowed),
            "national_allowed": _money(self.national_allowed),
            "difference": _money(self.difference),
            "difference_percent": _money(self.difference_percent),
            "limiting_charge": _money(self.limiting_charge),
            "cost_share": _part(self.cost_share),
            "review": [_leaf(r) for r in self.review],
            "release": self.release,
            "conversion_factor": _money(self.conversion_factor),
            "gpci_work_column": self.gpci_work_column,
            "trail": [step.as_dict() for step in self.trail],
            "provenance": [source.as_dict() for source in self.provenance],
            "confidence": _leaf(self.confidence),
            "confidence_reason": self.confidence_reason,
        }


def _part(value: SettingAmount | CostShare | None) -> dict[str, Any] | None:
    return None if value is None else value.as_dict()


@dataclass(frozen=True, slots=True)
class ClaimResult(_AsDict):
    """A whole claim (one patient, date, provider): each line priced with the claim-level
    rules (multiple procedure reductions, status T), and the totals."""

    lines: tuple[LineResult, ...]
    total_allowed: Decimal
    total_national_allowed: Decimal
    cost_share: CostShare | None
    trail: tuple[Step, ...]
    provenance: tuple[Source, ...]
    confidence: Confidence
    confidence_reason: str
    review: tuple[str, ...] = field(default=())

    def as_dict(self) -> dict[str, Any]:
        return {
            "lines": [line.as_dict() for line in self.lines],
            "total_allowed": _money(self.total_allowed),
            "total_national_allowed": _money(self.total_national_allowed),
            "cost_share": _part(self.cost_share),
            "trail": [step.as_dict() for step in self.trail],
            "provenance": [source.as_dict() for source in self.provenance],
            "confidence": _leaf(self.confidence),
            "confidence_reason": self.confidence_reason,
            "review": [_leaf(r) for r in self.review],
        }


@dataclass(frozen=True, slots=True)
class ClaimAmounts(_AsDict):
    """What `price_claim` allows each line of a claim of one date, by the same rules, without
    the trail, the national comparison or the cost share (see `price_amounts`).

    Each tuple follows the requested lines: `allowed[i]` is `lines[i]`'s amount, or None
    when it has none (`messages[i]` says why; "priced" otherwise). A line rejected for its
    own code, modifiers or units (with `skip_invalid`; `rejected[i]` is the field its error
    names: "hcpcs", "modifier" or "units") has no conversion factor, location or setting.

    `linked` is False when no claim rule changed any line's amount (no multiple procedure
    reduction, no status T line left unpaid): then every subset of the lines prices each
    of its lines as here."""

    allowed: tuple[Decimal | None, ...]
    messages: tuple[str, ...]
    total_allowed: Decimal
    release: str
    conversion_factors: tuple[Decimal | None, ...]
    locations: tuple[ResolvedLocation | None, ...]
    settings: tuple[Setting | None, ...]
    rejected: tuple[str | None, ...]
    confidence: Confidence
    confidence_reason: str
    linked: bool = True
