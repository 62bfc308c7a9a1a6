"""Typed records: one frozen dataclass per row of an official file.

Parsers in `medpayiq.sources` yield these; the store persists them; the pure layers
(`pricing`, `edits`, `knowledge`) consume them. Field names follow the CMS column
names in snake case. Money and RVUs are Decimal; codes stay strings (leading zeros
matter: "00100", locality "01").
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar


def slots_twin(record: type[Any]) -> type[Any] | None:
    """A plain class with the slots of `record` (a slots dataclass) in the same order, or
    None when its slots are not exactly its fields, it has a base class or a __post_init__
    (which a twin would skip).

    For the readers' hot paths (the store's row decoder, the X12 readers): a frozen
    dataclass's own __init__ sets each field through `object.__setattr__` by name, about
    three times as slow as filling an instance of the twin by plain attribute stores and
    then giving it `record`'s class (`__class__` assignment, which CPython allows between
    classes of one layout). The result is an ordinary `record` instance: equal, hashable
    and frozen like any other."""
    names = tuple(f.name for f in dataclasses.fields(record))
    if (
        getattr(record, "__slots__", None) != names
        or record.__bases__ != (object,)
        or hasattr(record, "__post_init__")
    ):
        return None
    return type(f"_{record.__name__}Twin", (), {"__slots__": names})


_T = TypeVar("_T")


def positional_maker(cls: type[_T]) -> Callable[..., _T]:
    """A constructor taking `cls`'s fields in order, for hot paths (the X12 readers, the
    claim checker's findings and priced lines, the scrub's reports): an instance of its twin
    (`slots_twin`) filled by plain attribute stores, then given `cls`'s class. 0.45 us for an
    8-field ServiceLine on the bench machine, against 1.4 us through the frozen dataclass's
    own __init__."""
    twin = slots_twin(cls)
    if twin is None:
        raise TypeError(
            f"{cls.__name__} must be a slots dataclass whose slots are its fields, with no "
            "base class and no __post_init__"
        )
    names = [f.name for f in dataclasses.fields(cls)]  # type: ignore[arg-type]
    namespace: dict[str, Any] = {"_twin": twin, "_cls": cls}
    # _twin() (no __init__ of its own) is cheaper than object.__new__(_twin): no argument
    # tuple through the tp_new wrapper (about 35 ns an object)
    body = [f"def make({', '.join(names)}):", "    self = _twin()"]
    body += [f"    self.{name} = {name}" for name in names]
    body += ["    self.__class__ = _cls", "    return self"]
    exec("\n".join(body), namespace)
    made: Callable[..., _T] = namespace["make"]
    return made


@dataclass(frozen=True, slots=True)
class LocalityId:
    """A Medicare payment locality: MAC carrier number + 2-digit locality ("04412-18")."""

    carrier: str
    locality: str

    def __str__(self) -> str:
        return f"{self.carrier}-{self.locality}"

    @classmethod
    def parse(cls, text: str) -> LocalityId:
        """Read "04412-18" or "0441218". Raises ValueError on anything else."""
        raw = text.strip().replace(" ", "")
        carrier, sep, locality = raw.partition("-")
        if not sep and len(raw) == 7:
            carrier, locality = raw[:5], raw[5:]
        if not (
            len(carrier) == 5 and carrier.isdigit() and len(locality) == 2 and locality.isalnum()
        ):
            raise ValueError(
                f'"{text}" is not a locality: expected CARRIER-LOCALITY such as 04412-18'
            )
        return cls(carrier, locality)


# --- Physician fee schedule (RVUyyX bundle) -------------------------------------------------


@dataclass(frozen=True, slots=True)
class RvuRow:
    """One PPRRVU row: a HCPCS code (and modifier row such as 26, TC or 53) with its RVUs
    and payment indicators. `*_na` is True where the file marks that setting's PE "NA"."""

    hcpcs: str
    modifier: str  # "" for the global row
    description: str
    status: str
    not_used_for_medicare: bool
    work: Decimal
    pe_nonfacility: Decimal
    pe_nonfacility_na: bool
    pe_facility: Decimal
    pe_facility_na: bool
    mp: Decimal
    total_nonfacility: Decimal
    total_facility: Decimal
    pctc: str
    global_days: str
    pre_op: Decimal
    intra_op: Decimal
    post_op: Decimal
    mult_proc: str
    bilat_surg: str
    asst_surg: str
    co_surg: str
    team_surg: str
    pric_ind: str | None  # 2026 layout only
    endo_base: str
    conversion_factor: Decimal
    phys_supervision: str
    calc_flag: str
    diag_imaging_family: str
    opps_pe_nonfacility: Decimal
    opps_pe_facility: Decimal
    opps_mp: Decimal


@dataclass(frozen=True, slots=True)
class Gpci:
    """GPCI row for a locality. `work_no_floor` only exists from 2026 (two work columns);
    `work` is the column with the 1.0 floor (the only one before 2026)."""

    locality: LocalityId
    state: str
    name: str
    work: Decimal
    pe: Decimal
    mp: Decimal
    work_no_floor: Decimal | None = None


@dataclass(frozen=True, slots=True)
class LocalityCounties:
    """LOCCO row: a locality's fee schedule area and the counties it covers (free text
    as CMS writes it: "ALL COUNTIES", "ALL OTHER COUNTIES", "HARRIS, FORT BEND, ...")."""

    locality: LocalityId
    state: str  # state name as in the file ("TEXAS")
    fee_schedule_area: str
    counties: str


@dataclass(frozen=True, slots=True)
class AnesthesiaCf:
    """Anesthesia conversion factor for a locality. 2026 files carry QP and non-QP columns."""

    locality: LocalityId
    name: str
    cf: Decimal  # non-QP (the only one before 2026)
    cf_qp: Decimal | None = None


@dataclass(frozen=True, slots=True)
class OppsCap:
    """OPPSCAP row: the capped fee for an imaging code in a locality (an oracle for pricing)."""

    hcpcs: str
    modifier: str
    status: str
    locality: LocalityId
    facility: Decimal
    nonfacility: Decimal


@dataclass(frozen=True, slots=True)
class ZipLocality:
    """ZIP5 row: a ZIP code's carrier and locality. `plus_four` True means the ZIP spans
    localities and needs ZIP+4 for an exact answer."""

    zip5: str
    state: str
    locality: LocalityId
    rural: str  # "", "R" or "B"
    plus_four: bool
    year_quarter: str  # "20254"


@dataclass(frozen=True, slots=True)
class PaymentAmount:
    """A row of CMS's own computed payment file (PFREV/PFALL layout): the oracle."""

    year: int
    locality: LocalityId
    hcpcs: str
    modifier: str
    nonfacility: Decimal
    facility: Decimal
    pctc: str
    status: str
    mult_surg: str
    opps_indicator: str
    opps_nonfacility: Decimal
    opps_facility: Decimal


# --- Coding edits and code sets --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PtpEdit:
    """NCCI procedure-to-procedure edit: column 2 is not paid with column 1 unless the
    modifier indicator allows a bypass. Dates are None where the source lacks them."""

    column1: str
    column2: str
    effective: date | None
    deletion: date | None
    modifier_indicator: str  # "0", "1", "9"
    rationale: str


@dataclass(frozen=True, slots=True)
class MueEdit:
    """Medically unlikely edit: the most units of a code per line or date of service."""

    hcpcs: str
    value: int
    mai: str  # "1", "2", "3"
    rationale: str


@dataclass(frozen=True, slots=True)
class AddonEdit:
    """Add-on code edit: an add-on and an eligible primary ("CCCCC" = contractor defined)."""

    primary: str
    addon: str
    edit_type: str  # "1", "2", "3"
    effective: date | None = None
    deletion: date | None = None


@dataclass(frozen=True, slots=True)
class AdjustmentCode:
    """X12 claim adjustment reason code (CARC), remark code (RARC) or group code."""

    code: str
    kind: str  # "CARC", "RARC", "Group"
    description: str
    start: date | None
    end: date | None


@dataclass(frozen=True, slots=True)
class PlaceOfService:
    """CMS place of service code; `facility` None for unassigned codes."""

    code: str
    name: str
    facility: bool | None
    description: str


@dataclass(frozen=True, slots=True)
class HcpcsLevel2:
    """A HCPCS Level II code; descriptions may be empty (the 2026 list has codes only)."""

    code: str
    long_description: str
    short_description: str
    added: date | None = None
    terminated: date | None = None


@dataclass(frozen=True, slots=True)
class Modifier:
    """A CPT or HCPCS modifier with its title."""

    code: str
    kind: str  # "CPT" or "HCPCS"
    category: str
    description: str


@dataclass(frozen=True, slots=True)
class IcdCode:
    """An ICD-10-CM code (no dot, as on claims) with its billable flag."""

    code: str
    billable: bool
    description: str


@dataclass(frozen=True, slots=True)
class CoveredDiagnosis:
    """Medicare Coverage Database article: an ICD-10-CM range covered for the article's codes."""

    article_id: str
    icd10_from: str
    icd10_to: str
    description: str
    group: str = ""


@dataclass(frozen=True, slots=True)
class ArticleCode:
    """Medicare Coverage Database article: a HCPCS code the article applies to."""

    article_id: str
    hcpcs: str
    description: str = ""


@dataclass(frozen=True, slots=True)
class ArticleContractor:
    """Medicare Coverage Database article: a contractor (MAC) that uses it."""

    article_id: str
    contractor_number: str
    contractor_name: str = ""
    state: str = ""


# --- Other Part B fee schedules ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LabFee:
    """Clinical Laboratory Fee Schedule row: one national rate for a HCPCS code and modifier
    (QW: CLIA-waived) for a quarter. `indicator` is the file's INDICATOR column: "N" a
    national rate, "L" no national rate (RATE 0.00; the local contractor prices the test)."""

    hcpcs: str
    modifier: str
    effective: date
    indicator: str
    rate: Decimal
    short_description: str
    long_description: str
    extended_description: str


@dataclass(frozen=True, slots=True)
class DmeFee:
    """DMEPOS or PEN fee schedule amounts of one HCPCS code and modifier pair in one state.

    `nonrural` and `rural` are the file's (NR) and (R) columns as published: CMS writes 0.00
    where a column has no amount. `jurisdiction` (D DME MAC, L local Part B MAC, J joint) and
    `category` (CR capped rental, IN inexpensive/routinely purchased, OX oxygen, ...) are
    empty in the PEN file, which has no such columns; so are `ceiling` and `floor`."""

    hcpcs: str
    modifier: str
    modifier2: str
    state: str
    nonrural: Decimal
    rural: Decimal
    jurisdiction: str
    category: str
    ceiling: Decimal | None
    floor: Decimal | None
    description: str
