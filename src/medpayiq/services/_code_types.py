"""The value types of the code page (`code_report`): what `/codes/{code}` renders and
`GET /api/v1/codes/{code}` returns. Frozen dataclasses; `as_dict()` gives JSON-ready values."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from medpayiq import pricing
from medpayiq.knowledge import PolicyPack, policy_packs
from medpayiq.money import display
from medpayiq.records import LocalityId
from medpayiq.services._core import Place, _AsDict

__all__ = [
    "Amounts",
    "CodeReport",
    "Denial",
    "DiagnosisCheck",
    "FamilyCode",
    "Faq",
    "Indicator",
    "LocalityAmount",
    "ModifierPay",
    "PairEdit",
    "Participation",
    "PolicyInfo",
    "RvuBreakdown",
    "ScheduleCodeReport",
    "ScheduleLine",
    "Standing",
    "Tip",
    "UnitLimit",
    "YearChange",
    "amount_of",
    "chosen_amount",
    "money",
    "pack_for",
    "pct",
]


@dataclass(frozen=True, slots=True)
class RvuBreakdown(_AsDict):
    """RVUs from the PPRRVU row, and (at a locality) each multiplied by its GPCI."""

    work: Decimal
    pe_nonfacility: Decimal
    pe_facility: Decimal
    mp: Decimal
    total_nonfacility: Decimal
    total_facility: Decimal
    pe_nonfacility_na: bool
    pe_facility_na: bool
    gpci_work: Decimal
    gpci_pe: Decimal
    gpci_mp: Decimal
    gpci_work_column: str
    adjusted_work: Decimal
    adjusted_pe_nonfacility: Decimal
    adjusted_pe_facility: Decimal
    adjusted_mp: Decimal
    adjusted_total_nonfacility: Decimal
    adjusted_total_facility: Decimal
    conversion_factor: Decimal | None
    conversion_factor_reason: str
    localized: bool


@dataclass(frozen=True, slots=True)
class Amounts(_AsDict):
    """One-unit amounts here and nationally. `difference` is non-facility minus facility, its
    percent of the facility amount; `versus_national` the local minus the national amount for
    the chosen setting."""

    setting: str
    setting_reason: str
    nonfacility: Decimal | None
    facility: Decimal | None
    national_nonfacility: Decimal | None
    national_facility: Decimal | None
    chosen: Decimal | None
    national_chosen: Decimal | None
    difference: Decimal | None
    difference_percent: Decimal | None
    versus_national: Decimal | None
    versus_national_percent: Decimal | None
    opps_capped: bool
    modifiers: tuple[str, ...] = ()
    with_modifiers: Decimal | None = None  # the line's allowed amount with `modifiers`
    na_note: str = ""  # the chosen setting is NA in the file: how it is priced


@dataclass(frozen=True, slots=True)
class YearChange(_AsDict):
    previous_day: date
    previous_release: str | None
    previous: Decimal | None
    current: Decimal | None
    change: Decimal | None
    change_percent: Decimal | None
    note: str


@dataclass(frozen=True, slots=True)
class LocalityAmount(_AsDict):
    locality: LocalityId
    name: str
    state: str
    amount: Decimal


@dataclass(frozen=True, slots=True)
class Standing(_AsDict):
    """Where the chosen locality's amount stands among all localities (rank 1 = highest)."""

    setting: str
    count: int
    rank: int | None
    lowest: Decimal
    highest: Decimal
    median: Decimal
    national: Decimal | None
    here: Decimal | None
    amounts: tuple[LocalityAmount, ...]


@dataclass(frozen=True, slots=True)
class Indicator(_AsDict):
    name: str
    column: str
    value: str
    plain: str


@dataclass(frozen=True, slots=True)
class ModifierPay(_AsDict):
    """What a modifier would pay on this code. `applies` False: the code's indicators do
    not allow it (or the concept does not apply to the code); `allowed` True: it pays
    `amount` (`percent` of the one-unit amount)."""

    modifier: str
    label: str
    allowed: bool
    percent: Decimal | None
    amount: Decimal | None
    plain: str
    applies: bool = True


@dataclass(frozen=True, slots=True)
class PairEdit(_AsDict):
    """An NCCI pair with this code in column 1. `group`: why it matters ("same family",
    "imaging guidance", "E/M", "common companion", "other"); `bypass`: what lets both be
    paid, in words; `amount`: the column-2 code's national amount (what is at risk)."""

    column1: str
    column2: str
    descriptor: str
    modifier_indicator: str
    plain: str
    rationale: str
    amount: Decimal | None
    group: str = "other"
    bypass: str = ""


@dataclass(frozen=True, slots=True)
class UnitLimit(_AsDict):
    value: int
    mai: str
    plain: str
    rationale: str
    release: str


@dataclass(frozen=True, slots=True)
class Tip(_AsDict):
    title: str
    detail: str
    impact: str
    dollars: Decimal | None
    source: str


@dataclass(frozen=True, slots=True)
class Denial(_AsDict):
    carc: str
    carc_text: str
    rarc: tuple[str, ...]
    cause: str
    prevent: str
    appeal: dict[str, Any]
    dollars: Decimal | None
    also_carc: tuple[str, ...] = ()  # the other CARCs the claim checker gives with `carc`


@dataclass(frozen=True, slots=True)
class Faq(_AsDict):
    question: str
    answer: str


@dataclass(frozen=True, slots=True)
class DiagnosisCheck(_AsDict):
    code: str
    found: bool
    billable: bool
    description: str
    use_instead: tuple[str, ...]
    message: str


@dataclass(frozen=True, slots=True)
class FamilyCode(_AsDict):
    code: str
    region: str
    approach: str
    imaging: bool
    addon: bool
    amount: Decimal | None
    current: bool


@dataclass(frozen=True, slots=True)
class PolicyInfo(_AsDict):
    pack: str
    title: str
    region: str
    approach: str
    imaging: bool
    addon: bool
    explanation: str
    sources: tuple[dict[str, str], ...]
    rules: tuple[dict[str, str], ...]
    documentation: tuple[str, ...]
    family: tuple[FamilyCode, ...]


@dataclass(frozen=True, slots=True)
class CodeReport(_AsDict):
    """Everything the code page shows, and GET /api/v1/codes/{code} returns."""

    code: str
    descriptor: str
    ama_notice: str
    category: str
    status: str
    status_text: str
    payable: bool
    message: str
    explanation: str
    explanation_source: str
    glossary_terms: tuple[dict[str, str], ...]
    day: date
    place: Place
    place_label: str
    place_notes: tuple[str, ...]
    rvus: RvuBreakdown
    amounts: Amounts
    year_change: YearChange
    standing: Standing | None
    indicators: tuple[Indicator, ...]
    modifiers: tuple[ModifierPay, ...]
    ncci_pairs: tuple[PairEdit, ...]
    ncci_release: str
    ncci_note: str
    unit_limit: UnitLimit | None
    addon_primaries: tuple[str, ...]
    tips: tuple[Tip, ...]
    denials: tuple[Denial, ...]
    faqs: tuple[Faq, ...]
    diagnoses: tuple[DiagnosisCheck, ...]
    policy: PolicyInfo | None
    release: str
    confidence: str
    confidence_reason: str
    trail: tuple[dict[str, Any], ...]
    sources: tuple[dict[str, Any], ...]
    disclaimer: str
    kind: str = "pfs"
    schedule: ScheduleLine | None = None
    participation: Participation | None = None
    mac: str = ""
    global_split: tuple[dict[str, Any], ...] = ()
    notices: tuple[str, ...] = ()
    modifier_choices: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class ScheduleLine(_AsDict):
    """Which fee schedule pays the code, and why (`medpayiq.schedules.route`)."""

    name: str
    title: str
    pays: str
    patient: str
    load: str
    reason: str
    priced: bool


@dataclass(frozen=True, slots=True)
class Participation(_AsDict):
    """The chosen setting's amount for a participating provider, a non-participating one
    (95%) and the limiting charge a non-participating provider may bill (115% of that)."""

    participating: Decimal | None
    non_participating: Decimal | None
    limiting_charge: Decimal | None


@dataclass(frozen=True, slots=True)
class ScheduleCodeReport(_AsDict):
    """The code page of a code another fee schedule pays (lab, DMEPOS, drugs, anesthesia,
    ambulance) or that no loaded schedule pays: what it is, the schedule and how it pays,
    the amounts it publishes, the patient's share, and the NCCI edits that still apply."""

    code: str
    descriptor: str
    ama_notice: str
    category: str
    explanation: str
    explanation_source: str
    schedule: ScheduleLine
    payable: bool
    message: str
    day: date
    place: Place
    place_label: str
    modifiers: tuple[str, ...]
    amounts: tuple[dict[str, Any], ...]
    allowed: Decimal | None
    cost_share: dict[str, Any] | None
    review: tuple[str, ...]
    ncci_pairs: tuple[PairEdit, ...]
    ncci_release: str
    ncci_note: str
    unit_limit: UnitLimit | None
    denials: tuple[Denial, ...]
    release: str
    confidence: str
    confidence_reason: str
    trail: tuple[dict[str, Any], ...]
    sources: tuple[dict[str, Any], ...]
    disclaimer: str
    notices: tuple[str, ...] = ()
    kind: str = "schedule"


def pack_for(code: str, day: date) -> PolicyPack | None:
    for pack in policy_packs():
        if code in pack.codes and pack.in_force(day):
            return pack
    return None


def pct(part: Decimal | None, whole: Decimal | None) -> Decimal | None:
    if part is None or whole is None or whole == 0:
        return None
    return (part / whole * 100).quantize(Decimal("0.1"))


def money(amount: Decimal | None) -> str:
    return display(amount, missing="no amount")


def amount_of(sa: pricing.SettingAmount | None) -> Decimal | None:
    return None if sa is None else sa.amount


def chosen_amount(
    result: pricing.LineResult, setting: pricing.Setting, *, national: bool = False
) -> pricing.SettingAmount | None:
    if setting is pricing.Setting.FACILITY:
        return result.national_facility if national else result.facility
    return result.national_nonfacility if national else result.nonfacility
